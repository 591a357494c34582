//! Attribution: who says so, and what they are said to say.
//!
//! Cues come from `resources/<lang>/attribution.txt`:
//! - a preposition whose object is the source: "volgens de BBC", "according to X"; the
//!   attribution covers its sentence;
//! - a reporting verb with the source after it at the end of a sentence: "…, stellen
//!   inlichtingenbronnen", "…, said X"; it covers the sentence up to the cue;
//! - "<anaphor> <verb> X" at the start of a sentence: "Dat schrijft The Guardian"; it covers
//!   the sentences before it, back to the previous attribution, a heading or (at most)
//!   eight sentences;
//! - a reporting verb with its subject before it ("X zei dat …", "X told Y …") or after it
//!   in a Dutch inversion ("Toch beschrijft X …"); it covers the rest of the sentence.
//!
//! Forward attributions (the first and the last kind) also cover the following sentences
//! of the same paragraph that continue the report: sentences with a reportive conditional
//! or hearsay adverb ("zou", "naar verluidt", "reportedly") or that open with a quote.
//!
//! Without entity linking the source is kept as its descriptor span ("de Britse zender
//! BBC", "inlichtingenbronnen"); [`Attribution::name`] is the last run of capitalised words
//! in it ("BBC"), if any. A source that is a personal pronoun ("He said …") gets the person
//! it refers to from the entity mentions ([`resolve_pronouns`]).

use std::borrow::Cow;

use crate::fasthash::{FastMap, FastSet};

use crate::lang::Lang;
use crate::resources;
use crate::span::Span;
use crate::text::{Sentence, Token, TokenKind};

/// How the attribution is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CueKind {
    /// "volgens X", "according to X".
    Preposition,
    /// "X zei dat …", "X said …", "Toch beschrijft X …".
    Verb,
    /// "…, stellen X.", "…, said X."
    VerbAfter,
    /// "Dat schrijft X." covering the sentences before.
    Backward,
}

impl CueKind {
    /// The name used in annotations.
    pub fn as_str(self) -> &'static str {
        match self {
            CueKind::Preposition => "preposition",
            CueKind::Verb => "verb",
            CueKind::VerbAfter => "verb_after",
            CueKind::Backward => "backward",
        }
    }
}

/// One attribution: a cue, a source and the text it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// The cue words ("volgens", "schrijft", "according to").
    pub cue: Span,
    /// The source phrase.
    pub source: Span,
    /// The source's name: the last run of capitalised words of the source phrase; for a
    /// pronoun resolved by [`resolve_pronouns`], the earlier mention of its person.
    pub name: Option<Span>,
    /// How it is expressed.
    pub kind: CueKind,
    /// Index of the sentence of the cue.
    pub sentence: usize,
    /// The covered text, as byte spans in text order (a clause, whole sentences).
    pub scope: Vec<Span>,
    /// The within-document key of the named entity the source names (`bbc`), when the
    /// entity layer found one inside the source phrase (set by [`crate::annotate`]).
    pub entity: Option<String>,
}

impl Attribution {
    /// Whether the attribution covers `span`.
    pub fn covers(&self, span: Span) -> bool {
        self.scope.iter().any(|s| s.contains(span))
    }
}

/// Whether an attribution reports one of `time` and `event` but not the other: the date of
/// what was said is not the date of saying it. "The ship ran aground on Tuesday, the KCA
/// said" dates the grounding, not the saying; "…, the KCA said on Sunday" dates the
/// saying, not what it reports.
pub fn reported_apart(attributions: &[Attribution], time: Span, event: Span) -> bool {
    attributions
        .iter()
        .any(|a| a.covers(time) != a.covers(event))
}

/// The attribution that covers `span`, if any: the one with the narrowest covering scope
/// piece (a clause-level "volgens X" wins over a backward "Dat schrijft Y").
pub fn covering(attributions: &[Attribution], span: Span) -> Option<usize> {
    attributions
        .iter()
        .enumerate()
        .filter_map(|(k, a)| {
            a.scope
                .iter()
                .filter(|x| x.contains(span))
                .map(|x| x.len())
                .min()
                .map(|len| (len, k))
        })
        .min()
        .map(|(_, k)| k)
}

/// Phrases indexed by their first word, longest first.
#[derive(Default)]
struct Phrases(crate::fasthash::FastMap<String, Vec<Vec<String>>>);

impl Phrases {
    fn push(&mut self, words: Vec<String>) {
        if let Some(first) = words.first() {
            let list = self.0.entry(first.clone()).or_default();
            list.push(words);
            list.sort_by_key(|p| std::cmp::Reverse(p.len()));
        }
    }
}

#[derive(Default)]
struct Lexicon {
    preps: Phrases,
    verbs: Phrases,
    /// Split reporting verbs: the verb with the word that completes it later in its clause
    /// (Dutch "liet dinsdag weten", "laat de minister weten").
    split: FastMap<String, String>,
    anaphors: FastSet<String>,
    continues: Phrases,
    stops: FastSet<String>,
    openers: FastSet<String>,
    tails: FastSet<String>,
    coordinators: FastSet<String>,
    pronouns: FastSet<String>,
    adverbs: FastSet<String>,
    /// Pronouns that name one person ("he", "hij"): resolved to an earlier person.
    persons: FastSet<String>,
    /// Pronouns that name one person with a singular verb, else a group ("ze zei" / "ze
    /// zeiden").
    persons_if_singular: FastSet<String>,
    /// Endings of a plural finite verb ("zeiden", "melden").
    plural_endings: Vec<String>,
    /// Phrases that may stand between a subject and its verb ("Officials on Tuesday said").
    between: Phrases,
    /// Words that open a relative clause after a subject and a comma ("The minister, who
    /// resigned, said").
    relatives: FastSet<String>,
    /// Words that open an apposition after a subject and a comma ("Smith, a spokesman for
    /// the firm, said").
    appositives: FastSet<String>,
    /// Determiners: a reporting verb right after one (or after one and an "-ly" adverb)
    /// is an adjective ("the reported loss", "the previously reported range").
    determiners: FastSet<String>,
    /// Sentence-opening words that a comma separates from the subject ("However, the
    /// minister, who resigned, said").
    prefaces: FastSet<String>,
    /// Endings of a sentence-opening participle whose phrase a comma closes before the
    /// subject ("Citing an example, Sgt. Glenn, a spokesman, said": `ing`).
    preface_endings: Vec<String>,
    /// Words with such an ending that are no participle opening a phrase ("According to
    /// the BBC, …" is the attribution itself).
    not_participles: FastSet<String>,
    /// Whether a reporting verb after a stop word puts its subject after it (Dutch V2:
    /// "Ook meldt de BBC"); English inverts only after a comma or quote.
    inverts_after_stops: bool,
}

fn load(lang: Lang) -> Lexicon {
    let mut lex = Lexicon::default();
    for line in resources::lines(lang, "attribution.txt") {
        let Some((kind, phrase)) = line.split_once('\t') else {
            continue;
        };
        let words: Vec<String> = phrase.split(' ').map(str::to_lowercase).collect();
        match kind {
            "prep" => lex.preps.push(words),
            "verb" => lex.verbs.push(words),
            "split" => {
                if let [verb, .., completion] = &words[..] {
                    lex.split.insert(verb.clone(), completion.clone());
                }
            }
            "anaphor" => {
                lex.anaphors.insert(phrase.to_lowercase());
            }
            "continue" => lex.continues.push(words),
            "between" => lex.between.push(words),
            "plural_ending" => lex.plural_endings.push(phrase.to_lowercase()),
            "preface_ending" => lex.preface_endings.push(phrase.to_lowercase()),
            "not_participle" => {
                lex.not_participles.insert(phrase.to_lowercase());
            }
            "stop" | "opener" | "tail" | "coordinator" | "pronoun" | "adverb" | "person"
            | "person_if_singular" | "relative" | "appositive" | "determiner" | "preface" => {
                let set = match kind {
                    "stop" => &mut lex.stops,
                    "opener" => &mut lex.openers,
                    "tail" => &mut lex.tails,
                    "coordinator" => &mut lex.coordinators,
                    "pronoun" => &mut lex.pronouns,
                    "person" => &mut lex.persons,
                    "person_if_singular" => &mut lex.persons_if_singular,
                    "relative" => &mut lex.relatives,
                    "appositive" => &mut lex.appositives,
                    "determiner" => &mut lex.determiners,
                    "preface" => &mut lex.prefaces,
                    _ => &mut lex.adverbs,
                };
                set.insert(phrase.to_lowercase());
            }
            "inversion" => lex.inverts_after_stops = phrase == "after-stops",
            _ => {}
        }
    }
    lex
}

fn lexicon(lang: Lang) -> &'static Lexicon {
    static CACHE: crate::resources::PerLanguage<Lexicon> = crate::resources::PerLanguage::new();
    CACHE.get(lang, load, Lexicon::default)
}

/// Matches one of `phrases` at word `i`; returns its length in words.
fn match_at(words: &[Cow<str>], i: usize, phrases: &Phrases) -> Option<usize> {
    phrases
        .0
        .get(&**words.get(i)?)?
        .iter()
        .find(|p| i + p.len() <= words.len() && words[i..i + p.len()] == p[..])
        .map(Vec::len)
}

/// The length of the reporting verb at `i`: a `verb` phrase, or the first word of a
/// `split` verb whose completion follows within eight words of its clause (the cue is
/// that first word; "liet dinsdag weten dat …").
fn verb_at(words: &[Cow<str>], i: usize, lex: &Lexicon) -> Option<usize> {
    match_at(words, i, &lex.verbs).or_else(|| {
        let completion = lex.split.get(&**words.get(i)?)?;
        words[i + 1..]
            .iter()
            .take(8)
            .take_while(|w| w.chars().any(char::is_alphanumeric))
            .any(|w| **w == **completion)
            .then_some(1)
    })
}

fn is_cap(text: &str, t: &Token) -> bool {
    t.kind == TokenKind::Word
        && text[t.span.range()]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
}

/// Whether token `j` is a hyphen inside a word ("New York-based", "Booz-Allen"): no
/// boundary of a subject or clause.
fn glued_hyphen(toks: &[Token], words: &[Cow<str>], j: usize) -> bool {
    words[j] == "-"
        && j > 0
        && j + 1 < toks.len()
        && toks[j - 1].span.end == toks[j].span.start
        && toks[j].span.end == toks[j + 1].span.start
}

fn is_quote(w: &str) -> bool {
    matches!(
        w,
        "\"" | "“" | "”" | "„" | ",," | "'" | "‘" | "’" | "``" | "''" | "«" | "»"
    )
}

fn span_of(toks: &[Token], range: std::ops::Range<usize>) -> Span {
    Span::new(
        toks[range.start].span.start as usize,
        toks[range.end - 1].span.end as usize,
    )
}

/// Whether sentence `b` starts a new paragraph or follows a heading-like line.
fn paragraph_break(text: &str, sentences: &[Sentence], b: usize) -> bool {
    b == 0 || {
        let gap = &text[sentences[b - 1].span.end as usize..sentences[b].span.start as usize];
        gap.matches('\n').count() >= 2
    }
}

/// A heading: a short sentence with no final punctuation ("Premie", "Verslagen?").
fn is_heading(text: &str, s: &Sentence) -> bool {
    let t = text[s.span.range()].trim();
    s.tokens.len() <= 5 && !t.ends_with('.') && !t.ends_with('"') && !t.ends_with('”')
}

/// Finds the attributions of a text. Never fails.
pub fn find(text: &str, tokens: &[Token], sentences: &[Sentence], lang: Lang) -> Vec<Attribution> {
    let lex = lexicon(lang);
    let mut out: Vec<Attribution> = Vec::new();
    for (si, s) in sentences.iter().enumerate() {
        let toks = &tokens[s.tokens.clone()];
        if toks.is_empty() {
            continue;
        }
        let words: Vec<Cow<str>> = toks
            .iter()
            .map(|t| crate::text::lowercase(&text[t.span.range()]))
            .collect();
        let n = toks.len();
        // Last content token (before final punctuation and closing quotes).
        let mut last = n;
        while last > 0 && toks[last - 1].kind == TokenKind::Punct {
            last -= 1;
        }
        // A source phrase after a cue: up to a stop word or punctuation, and not past a name
        // that is followed by a lower-case word ("The Guardian drie momenten"), unless
        // `modifiers` and an article opens it (English inversion: ", said a U.S. Embassy
        // official in Nairobi").
        let np_end = |from: usize, modifiers: bool| {
            let opened = modifiers
                && words
                    .get(from)
                    .is_some_and(|w| lex.appositives.contains(&**w));
            let mut j = from;
            while j < n
                && j < from + 9
                && toks[j].kind != TokenKind::Punct
                && (j == from || !lex.stops.contains(&*words[j]))
                && (j == from || !crate::quantity::starts_at(&words, j, lang))
            {
                if j > from && !opened && is_cap(text, &toks[j - 1]) && !is_cap(text, &toks[j]) {
                    let prev = &words[j - 1];
                    if !prev.ends_with('e') {
                        break;
                    }
                }
                j += 1;
            }
            j
        };
        // A forward scope: the sentence from `from` to its end, and the sentences that
        // continue the report.
        // A backward scope: the sentence before token `end`, and the sentences that
        // continue the report.
        let clause_before = |end: usize| {
            let mut scope = vec![span_of(toks, 0..end)];
            scope.extend(continuation(text, tokens, sentences, si, lex));
            scope
        };
        let rest_of_sentence = |from: usize| {
            // The report starts after the colon or comma that follows the cue ("The
            // minister said: the talks failed").
            let mut from = from;
            while from < last && matches!(&*words[from], ":" | ",") {
                from += 1;
            }
            let mut scope = Vec::new();
            if from < last {
                scope.push(span_of(toks, from..last));
            }
            scope.extend(continuation(text, tokens, sentences, si, lex));
            scope
        };
        // Whether the sentence opens with a participle ("Citing an example, …").
        let participle = words.first().is_some_and(|w| {
            !lex.not_participles.contains(&**w)
                && lex
                    .preface_endings
                    .iter()
                    .any(|e| w.len() > e.len() + 2 && w.ends_with(e.as_str()))
        });
        let mut i = 0;
        while i < n {
            // Prepositional cue. A participle opening the sentence ("Citing security
            // concerns, the ministry said") gives the grounds of the sentence's own
            // speaker, not a source.
            if let Some(len) = match_at(&words, i, &lex.preps).filter(|_| i > 0 || !participle) {
                let end = np_end(i + len, false);
                if end > i + len {
                    let mut scope = vec![s.span];
                    scope.extend(continuation(text, tokens, sentences, si, lex));
                    out.push(make(
                        text,
                        toks,
                        si,
                        i..i + len,
                        i + len..end,
                        CueKind::Preposition,
                        scope,
                    ));
                    i = end;
                    continue;
                }
            }
            // A capitalised "verb" after a capitalised word is part of a name ("the United
            // States are …"), not a report.
            let in_name = i > 0 && is_cap(text, &toks[i]) && is_cap(text, &toks[i - 1]);
            // An English sentence that opens with a "verb" and a lower-case word opens with
            // a noun ("Reports reaching here said …"), not an inversion.
            let opening_noun = i == 0
                && !lex.inverts_after_stops
                && is_cap(text, &toks[0])
                && toks.get(1).is_some_and(|t| {
                    t.kind == TokenKind::Word
                        && !is_cap(text, t)
                        && !lex.pronouns.contains(&*words[1])
                });
            if let Some(len) = verb_at(&words, i, lex).filter(|_| !in_name && !opening_noun) {
                let after = i + len;
                // A split verb's completion ("liet … weten") ends a source after the cue.
                let completion = lex
                    .split
                    .get(&*words[i])
                    .filter(|_| len == 1)
                    .and_then(|c| (after..n).find(|&j| *words[j] == **c));
                let source_until = |end: usize| {
                    let mut end = completion.map_or(end, |c| end.min(c));
                    while end > after + 1 && lex.stops.contains(&*words[end - 1]) {
                        end -= 1;
                    }
                    end
                };
                let determiner = |j: usize| lex.determiners.contains(&*words[j]);
                let attributive = i > 0
                    && (determiner(i - 1)
                        || (i > 1 && words[i - 1].ends_with("ly") && determiner(i - 2)));
                if attributive {
                    i = after;
                    continue;
                }
                let prev_comma = i > 0 && matches!(&*words[i - 1], "," | "”" | "\"" | "'" | "’");
                if i == 1 && lex.anaphors.contains(&*words[0]) && after < last {
                    // "Dat schrijft X." — covers the sentences before.
                    let mut scope = Vec::new();
                    let mut b = si;
                    while b > 0 && si - b < 8 {
                        if paragraph_break(text, sentences, b)
                            && is_heading(text, &sentences[b - 1])
                        {
                            break;
                        }
                        if out.iter().any(|a| a.sentence == b - 1) {
                            break;
                        }
                        b -= 1;
                        scope.push(sentences[b].span);
                    }
                    scope.reverse();
                    out.push(make(
                        text,
                        toks,
                        si,
                        i..after,
                        after..source_until(last),
                        CueKind::Backward,
                        scope,
                    ));
                    i = last;
                    continue;
                }
                // The verb's position for its subject: before an adverb or a phrase that
                // may stand between them ("Officials on Tuesday said", "Osmani also said").
                // "The minister, who resigned, said talks continue", "Smith, a spokesman
                // for the firm, said …": the comma closes a clause or apposition after the
                // subject at the start of the sentence; the subject is the source.
                let vp = skip_between(&words, i, lex);
                if vp > 0 && words[vp - 1] == "," && after < last {
                    // "However, the minister, who resigned, said": a `preface` word and its
                    // comma may open the sentence before the subject.
                    let prefaced = vp > 3 && words[1] == "," && lex.prefaces.contains(&*words[0]);
                    // "Citing an example, Sgt. Glenn, a spokesman, said": an opening
                    // participle's phrase (up to its comma) holds no subject.
                    let opening = participle
                        .then(|| words[..vp].iter().position(|w| w == ","))
                        .flatten()
                        .filter(|&c| c <= 8 && c + 3 < vp);
                    let found = opening
                        .and_then(|c| {
                            let from = c + 1;
                            interrupted_subject(
                                text,
                                &toks[from..],
                                &words[from..],
                                vp - 1 - from,
                                after - from,
                                lex,
                            )
                            .map(|r| r.start + from..r.end + from)
                        })
                        .or_else(|| interrupted_subject(text, toks, &words, vp - 1, after, lex))
                        .or_else(|| {
                            prefaced
                                .then(|| {
                                    interrupted_subject(
                                        text,
                                        &toks[2..],
                                        &words[2..],
                                        vp - 3,
                                        after - 2,
                                        lex,
                                    )
                                })
                                .flatten()
                                .map(|r| r.start + 2..r.end + 2)
                        });
                    if let Some(source) = found {
                        let scope = rest_of_sentence(after);
                        out.push(make(text, toks, si, i..after, source, CueKind::Verb, scope));
                        i = after;
                        continue;
                    }
                }
                // English inverts only before a noun phrase (", said the official"), not
                // before "there", "it" or "that".
                let np_follows = lex.inverts_after_stops
                    || (after < n
                        && !lex.stops.contains(&*words[after])
                        && !lex.tails.contains(&*words[after]));
                // The source ends before a `tail` phrase (", said the official in a
                // statement"); in English the words after the verb are a source only
                // without a stop word among them ("said his firm will …", "told X that …"
                // are not), coordinators aside (", say consultants and advisers.").
                let rest_end = (after + 1..last)
                    .find(|&j| lex.tails.contains(&*words[j]))
                    .unwrap_or(last);
                let rest_is_source = np_follows
                    && (lex.inverts_after_stops
                        || !(after + 1..rest_end).any(|j| {
                            lex.stops.contains(&*words[j]) && !lex.coordinators.contains(&*words[j])
                        }));
                if prev_comma && i >= 2 && after < last && last - after <= 10 && rest_is_source {
                    // "…, stellen inlichtingenbronnen." — covers the sentence up to the cue.
                    let scope = clause_before(i - 1);
                    out.push(make(
                        text,
                        toks,
                        si,
                        i..after,
                        after..rest_end,
                        CueKind::VerbAfter,
                        scope,
                    ));
                    i = last;
                    continue;
                }
                // "…, officials said." — the source between a comma and a final verb; a
                // name may carry its acronym ("the Kessel Canal Authority (KCA) said"). A
                // short phrase may follow the verb ("said in a statement", "said on
                // Tuesday") when a `tail` word starts it.
                let tail_only = after == last
                    || (after < last
                        && last - after <= 6
                        && lex.tails.contains(&*words[after])
                        && (after..last).all(|j| toks[j].kind != TokenKind::Punct));
                if tail_only && vp > 1 {
                    if let Some(k) = (vp.saturating_sub(10)..vp - 1)
                        .rev()
                        .find(|&k| words[k] == ",")
                    {
                        // The source starts after any closing quote ('…," she said').
                        let from = (k + 1..vp).find(|&j| !is_quote(&words[j])).unwrap_or(vp);
                        if k > 0
                            && from < vp
                            && (k + 1..vp).all(|j| {
                                (toks[j].kind != TokenKind::Punct
                                    || words[j] == "("
                                    || words[j] == ")"
                                    || is_quote(&words[j]))
                                    && (!lex.stops.contains(&*words[j])
                                        || lex.pronouns.contains(&*words[j]))
                            })
                        {
                            let scope = clause_before(k);
                            out.push(make(
                                text,
                                toks,
                                si,
                                i..after,
                                from..vp,
                                CueKind::VerbAfter,
                                scope,
                            ));
                            i = last;
                            continue;
                        }
                    }
                }
                // Subject before the verb, or after it in an inversion.
                let mut start = vp;
                // A hyphen inside a word ("New York-based") does not end the subject.
                let glued_hyphen = |j: usize| glued_hyphen(toks, &words, j);
                loop {
                    // "The Kessel Canal Authority (KCA) said": an acronym in brackets
                    // (English; Dutch puts a fronted phrase there: "Tijdens de Conference
                    // (WWDC) onthulde Jobs").
                    if !lex.inverts_after_stops
                        && start >= 4
                        && vp - start < 7
                        && words[start - 1] == ")"
                        && words[start - 3] == "("
                        && is_cap(text, &toks[start - 2])
                    {
                        start -= 3;
                        continue;
                    }
                    // A reporting verb ends the subject too ("X said the city reported
                    // 4 cases": the city reported them, not "said the city"), unless
                    // capitalised: a noun opening the sentence ("Reports reaching here").
                    let reporting_verb = |j: usize| {
                        match_at(&words, j, &lex.verbs) == Some(1) && !is_cap(text, &toks[j])
                    };
                    if start > 0
                        && vp - start < 10
                        && (toks[start - 1].kind != TokenKind::Punct || glued_hyphen(start - 1))
                        && !lex.stops.contains(&*words[start - 1])
                        && !reporting_verb(start - 1)
                    {
                        start -= 1;
                        continue;
                    }
                    break;
                }
                // "The Dallas oil and gas concern said": a coordinator inside a subject
                // that a determiner opens at most three words before it, when no
                // determiner follows it ("profit rose and the company said" stays).
                if start > 1 && start < vp && lex.coordinators.contains(&*words[start - 1]) {
                    let and = start - 1;
                    let opened = (and.saturating_sub(4)..and).rev().find(|&j| {
                        lex.appositives.contains(&*words[j])
                            && (j + 1..and).all(|m| {
                                (toks[m].kind != TokenKind::Punct || glued_hyphen(m))
                                    && !lex.stops.contains(&*words[m])
                            })
                    });
                    // "The Immigration and Naturalization Service", "the police and
                    // prosecutors", not "the Iraqi lines but Pentagon officials".
                    let alike = is_cap(text, &toks[and - 1]) == is_cap(text, &toks[start]);
                    if let Some(j) =
                        opened.filter(|_| alike && !lex.appositives.contains(&*words[start]))
                    {
                        start = j;
                    }
                }
                // "Lindqvist Line called the claim unjustified and said it plans to
                // appeal": after a coordinator the verb shares the sentence's subject, and
                // the words after it are the report, not an inverted subject. The subject
                // is taken when it is a name at the start of the sentence.
                if vp > 1 && lex.coordinators.contains(&*words[vp - 1]) {
                    // Dutch may still name the subject after the verb: "… en zei hij".
                    if lex.inverts_after_stops
                        && after < last
                        && lex.pronouns.contains(&*words[after])
                    {
                        let scope = rest_of_sentence(after + 1);
                        let source = after..after + 1;
                        out.push(make(text, toks, si, i..after, source, CueKind::Verb, scope));
                        i = after + 1;
                        continue;
                    }
                    let mut end = 0;
                    while end < vp - 1 && end < 8 && is_cap(text, &toks[end]) {
                        end += 1;
                    }
                    let lone_word = end == 1
                        && (lex.stops.contains(&*words[0])
                            || lex.openers.contains(&*words[0])
                            || matches!(
                                &*words[0],
                                "the"
                                    | "a"
                                    | "an"
                                    | "this"
                                    | "these"
                                    | "those"
                                    | "de"
                                    | "het"
                                    | "een"
                                    | "deze"
                                    | "dit"
                                    | "die"
                            ));
                    if end > 0 && !lone_word {
                        let scope = rest_of_sentence(after);
                        out.push(make(text, toks, si, i..after, 0..end, CueKind::Verb, scope));
                    }
                    i = after;
                    continue;
                }
                // A personal pronoun right before the verb is its subject ("He said the
                // plan failed", "Hij zei dat …"): kept as the source's descriptor.
                if start == vp && vp > 0 && lex.pronouns.contains(&*words[vp - 1]) {
                    let scope = rest_of_sentence(after);
                    out.push(make(
                        text,
                        toks,
                        si,
                        i..after,
                        vp - 1..vp,
                        CueKind::Verb,
                        scope,
                    ));
                    i = after;
                    continue;
                }
                // "She denied reports that …": a pronoun before the words before the verb
                // is the clause's subject; they are its verb, and the cue is a noun.
                if start < vp && start > 0 && lex.pronouns.contains(&*words[start - 1]) {
                    i = after;
                    continue;
                }
                // Dutch inverts after a fronted adverb or phrase ("Toch beschrijft X",
                // "Tijdens de zitting bevestigde X"): the subject follows the verb.
                // English inverts right after a comma (", said X"), not after a phrase
                // between ("…, earlier this month announced its plans").
                let after_stop = start == vp
                    && vp > 0
                    && (toks[vp - 1].kind != TokenKind::Punct || vp < i)
                    && !lex.inverts_after_stops;
                if after_stop {
                    // English "officials who said the plan failed": no inversion, and
                    // the subject is out of reach.
                    i = after;
                    continue;
                }
                let inverted = start == vp || (start < vp && lex.openers.contains(&*words[start]));
                let (source, rest_from) = if inverted {
                    let end = source_until(np_end(after, !lex.inverts_after_stops));
                    // English inverts before a name or a noun phrase with an article
                    // (", said Smith of the firm", ", said the official"), or a bare one
                    // that ends the clause (", say analysts."): not before a stop or tail
                    // word ("said it earned", "estimated at", "reported Friday"), nor before
                    // other words where the clause goes on ("reported third-quarter profit").
                    let clause_end = end >= last
                        || matches!(&*words[end], "," | ";" | ":")
                        || is_quote(&words[end])
                        || lex.tails.contains(&*words[end]);
                    let starts_np = after < n
                        && !lex.stops.contains(&*words[after])
                        && !lex.tails.contains(&*words[after]);
                    let opens_np = after < n
                        && (is_cap(text, &toks[after]) || lex.appositives.contains(&*words[after]));
                    // "said the ship was refloated": a verb after the noun phrase makes it
                    // the reported clause's subject.
                    let complement = end < last
                        && lex.stops.contains(&*words[end])
                        && !lex.tails.contains(&*words[end]);
                    if !lex.inverts_after_stops
                        && (complement || !(starts_np && (clause_end || opens_np)))
                    {
                        i = after;
                        continue;
                    }
                    (after..end, end)
                } else {
                    // "Osmani also said": the adverb is not part of the source.
                    let mut end = vp;
                    while end > start + 1 && lex.adverbs.contains(&*words[end - 1]) {
                        end -= 1;
                    }
                    (start..end, after)
                };
                if !source.is_empty() {
                    // '"…," said X of the firm': inverted after a comma or quote, the report
                    // is the clause before it, as with ", stellen X" above.
                    // (Dutch only after a quote: after a comma a Dutch inversion may
                    // open the report, "Volgens X, die …, zei een persoon dat …".)
                    let report_before =
                        prev_comma && (!lex.inverts_after_stops || is_quote(&words[i - 1]));
                    if inverted && report_before && start == vp && i >= 2 {
                        let scope = clause_before(i - 1);
                        out.push(make(
                            text,
                            toks,
                            si,
                            i..after,
                            source,
                            CueKind::VerbAfter,
                            scope,
                        ));
                        i = after;
                        continue;
                    }
                    let scope = rest_of_sentence(rest_from);
                    out.push(make(text, toks, si, i..after, source, CueKind::Verb, scope));
                    i = after;
                    continue;
                }
            }
            i += 1;
        }
    }
    out
}

/// Where the subject of a verb at word `i` ends: before any adverbs and `between` phrases
/// right before the verb ("Officials on Tuesday said" → before "on").
fn skip_between(words: &[Cow<str>], i: usize, lex: &Lexicon) -> usize {
    let mut p = i;
    loop {
        if p > 1 && lex.adverbs.contains(&*words[p - 1]) {
            p -= 1;
            continue;
        }
        let phrase = (p.saturating_sub(4)..p).find(|&q| {
            q > 0
                && lex.between.0.get(&*words[q]).is_some_and(|list| {
                    list.iter()
                        .any(|ph| ph.len() == p - q && words[q..p] == ph[..])
                })
        });
        match phrase {
            Some(q) => p = q,
            None => return p,
        }
    }
}

/// The subject at the start of a sentence before a relative clause or an apposition
/// that the comma at word `k` closes, right before a reporting verb ("The minister, who
/// resigned, said …", "Smith, a spokesman for the firm, said …"): the words before the
/// clause's opening comma, when they look like a subject (at most eight words, no
/// punctuation, stop word, fronted opener, preposition or cue) and the clause opens with
/// a `relative` or `appositive` word, or the words after the verb open with a
/// stop word ("zei dat", "said that"), or the subject is a name of several words ("John C.
/// Marous, chairman and chief executive officer, also said"). A clause of capitalised words
/// after a subject that is no name is a name and part of the source ("The company's
/// spokesman, John Smith, said").
fn interrupted_subject(
    text: &str,
    toks: &[Token],
    words: &[Cow<str>],
    k: usize,
    after: usize,
    lex: &Lexicon,
) -> Option<std::ops::Range<usize>> {
    // Punctuation that bounds a clause: not brackets, nor a hyphen inside a word
    // ("Booz-Allen", "U.S.-Cuban").
    let boundary = |j: usize| {
        toks[j].kind == TokenKind::Punct
            && words[j] != "("
            && words[j] != ")"
            && !glued_hyphen(toks, words, j)
    };
    let c = (0..k).rev().find(|&j| boundary(j))?;
    // The clause's opening comma; a place of capitalised words after a name may hold
    // commas itself ("Intelogic Trace Inc., San Antonio, Texas, said").
    let named_run = |r: std::ops::Range<usize>| {
        r.clone()
            .all(|j| is_cap(text, &toks[j]) || (words[j] == "," && j > r.start))
    };
    let c = (1..c)
        .find(|&j| words[j] == "," && named_run(j + 1..k) && (0..j).all(|m| is_cap(text, &toks[m])))
        .unwrap_or(c);
    if words[c] != "," || c == 0 || c > 8 || k - c < 2 || k - c > 16 {
        return None;
    }
    let inner = c + 1..k;
    let place = named_run(inner.clone());
    if !place && inner.clone().any(boundary) {
        return None;
    }
    let first = &*words[0];
    let subject_like = !lex.openers.contains(first)
        && !lex.tails.contains(first)
        && !lex.adverbs.contains(first)
        && !lex.anaphors.contains(first)
        && !lex.relatives.contains(first)
        && (0..c).all(|j| {
            toks[j].kind != TokenKind::Punct
                // "Het bedrijf, dat …, meldde": an article may be a stop word ("het").
                && (!lex.stops.contains(&*words[j])
                    || (j == 0 && c > 1 && lex.appositives.contains(&*words[j])))
                && verb_at(words, j, lex).is_none()
                && match_at(words, j, &lex.preps).is_none()
        });
    if !subject_like {
        return None;
    }
    let opens = &*words[c + 1];
    let named = |r: std::ops::Range<usize>| r.clone().all(|j| is_cap(text, &toks[j]));
    let complement = after < words.len()
        && lex.stops.contains(&*words[after])
        && !lex.pronouns.contains(&*words[after]);
    if named(inner) && !named(0..c) {
        // "The company's spokesman, John Smith, said": the name is part of the source (not
        // in "Heritage Media Corp., New York, said").
        return Some(0..k);
    }
    (lex.relatives.contains(opens)
        || lex.appositives.contains(opens)
        || complement
        || (c > 1 && named(0..c)))
    .then_some(0..c)
}

/// The sentences after `si` in the same paragraph that continue a report.
fn continuation(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    si: usize,
    lex: &Lexicon,
) -> Vec<Span> {
    let mut out = Vec::new();
    let mut b = si + 1;
    while b < sentences.len() && b - si <= 4 && !paragraph_break(text, sentences, b) {
        let toks = &tokens[sentences[b].tokens.clone()];
        let words: Vec<Cow<str>> = toks
            .iter()
            .map(|t| crate::text::lowercase(&text[t.span.range()]))
            .collect();
        let quoted = words.first().is_some_and(|w| is_quote(w));
        let hedged = (0..words.len()).any(|i| match_at(&words, i, &lex.continues).is_some());
        let own_cue = (0..words.len()).any(|i| {
            verb_at(&words, i, lex).is_some() || match_at(&words, i, &lex.preps).is_some()
        });
        if own_cue || !(quoted || hedged) {
            break;
        }
        out.push(sentences[b].span);
        b += 1;
    }
    out
}

fn make(
    text: &str,
    toks: &[Token],
    si: usize,
    cue: std::ops::Range<usize>,
    source: std::ops::Range<usize>,
    kind: CueKind,
    scope: Vec<Span>,
) -> Attribution {
    // The name: the last run of capitalised words in the source phrase.
    let mut name = None;
    let mut j = source.end;
    while j > source.start && !is_cap(text, &toks[j - 1]) {
        j -= 1;
    }
    if j > source.start {
        let end = j;
        while j > source.start && is_cap(text, &toks[j - 1]) {
            j -= 1;
        }
        // A sentence-initial word is capitalised anyway: it counts as a name only in a run
        // of several words ("The Guardian"), and an article is dropped ("De Telegraaf").
        if j == 0
            && end - j > 1
            && matches!(
                text[toks[0].span.range()].to_lowercase().as_str(),
                "de" | "het" | "een" | "a" | "an"
            )
        {
            j = 1;
        }
        // A lone sentence-initial word is a name only as an acronym ("BBC meldt"), not
        // as "A" or "I" ("A person familiar with … told").
        let first = &text[toks[0].span.range()];
        let acronym = first.chars().count() > 1 && first.chars().all(|c| c.is_uppercase());
        // "The New York-based company": a name glued to a hyphen modifies the source.
        let modifier = end < toks.len()
            && text[toks[end].span.range()] == *"-"
            && toks[end - 1].span.end == toks[end].span.start;
        if (j > 0 || end - j > 1 || acronym) && !modifier {
            name = Some(span_of(toks, j..end));
        }
    }
    Attribution {
        cue: span_of(toks, cue),
        source: span_of(toks, source),
        name,
        kind,
        sentence: si,
        scope,
        entity: None,
    }
}

/// How many sentences before a pronoun source its person may be named.
const PRONOUN_WINDOW: usize = 3;

/// Resolves the sources that are a personal pronoun naming one person ("He said …",
/// '"…," she said', "Hij zei dat …"; the `person` words of `attribution.txt`, and the
/// `person_if_singular` ones when the cue verb has no `plural_ending`: "ze zei", not "ze
/// zeiden") to the person they refer to, conservatively and without gender, looking at
/// most [`PRONOUN_WINDOW`] sentences back:
/// - the last person named first in a sentence since the previous attribution's source,
///   outside quotes and what any attribution reports ("Apple said Tom Brown had left"
///   names no speaker; '"I met Obama," he said' is not Obama, nor is Elian in "The only
///   thing on television is Elian's story, she said"), in a sentence that does not itself
///   open with such a pronoun ("She also denied accusations by Amir's brother" names no
///   new person);
/// - else the previous attribution's person: the pronoun continues that speaker; a source
///   with no person in it leaves the pronoun unresolved ('"…," said an embassy official.
///   "…," he said').
///
/// An English pronoun after its verb is not resolved: "…, said he had left" has no
/// subject there. A resolved attribution gets the person's mention as its
/// [`Attribution::name`] and the entity's key as [`Attribution::entity`], so that the
/// record shows the person. `mentions` are the document's entity mentions; attributions
/// already linked to an entity are left alone.
pub fn resolve_pronouns(
    text: &str,
    sentences: &[Sentence],
    attributions: &mut [Attribution],
    mentions: &[crate::entities::EntityMention],
    lang: Lang,
) {
    let lex = lexicon(lang);
    if lex.persons.is_empty() && lex.persons_if_singular.is_empty() {
        return;
    }
    let sentence_of = |at: u32| sentences.partition_point(|s| s.span.end <= at);
    let is_person = |m: &crate::entities::EntityMention| m.etype == crate::ner::EntityType::Per;
    let person_word = |span: Span, cue: Span| {
        let Some(word) = text.get(span.range()).map(str::to_lowercase) else {
            return false;
        };
        lex.persons.contains(&word)
            || (lex.persons_if_singular.contains(&word) && {
                let verb = text
                    .get(cue.range())
                    .and_then(|c| c.split_whitespace().next())
                    .unwrap_or("")
                    .to_lowercase();
                !lex.plural_endings
                    .iter()
                    .any(|e| verb.ends_with(e.as_str()))
            })
    };
    if !attributions
        .iter()
        .any(|a| a.entity.is_none() && person_word(a.source, a.cue))
    {
        return;
    }
    // Sentences that open with a person pronoun: their subject is no new person.
    let pronoun_led: Vec<bool> = sentences
        .iter()
        .map(|s| {
            let t = text.get(s.span.range()).unwrap_or("");
            let first: String = t
                .chars()
                .skip_while(|c| !c.is_alphabetic())
                .take_while(|c| c.is_alphabetic())
                .collect::<String>()
                .to_lowercase();
            lex.persons.contains(&first) || lex.persons_if_singular.contains(&first)
        })
        .collect();
    // Whether a mention is inside a quote: after an odd number of quote marks in its
    // sentence.
    let in_quote = |m: &crate::entities::EntityMention, s: usize| {
        let before = text
            .get(sentences[s].span.start as usize..m.span.start as usize)
            .unwrap_or("");
        let marks = before.matches(['"', '“', '”', '„']).count()
            + before.matches("``").count()
            + before.matches("''").count();
        marks % 2 == 1
    };
    // Each sentence's first person mention outside quotes: a subject, most often.
    let mut first_person: Vec<Option<usize>> = vec![None; sentences.len()];
    for (k, m) in mentions.iter().enumerate() {
        let s = sentence_of(m.span.start);
        if s < sentences.len() && is_person(m) && !in_quote(m, s) {
            let slot = &mut first_person[s];
            if slot.is_none_or(|j| mentions[j].span.start > m.span.start) {
                *slot = Some(k);
            }
        }
    }
    // The person an attribution's source names, if any: the one a pronoun was resolved
    // to, a person that opens the source before a comma ("Bill Rash, Intel's director";
    // not "Elian's grandmother, Mariela"), else the one the source is linked to, else the
    // last person in it.
    let person_of = |a: &Attribution| {
        let inside: Vec<&crate::entities::EntityMention> = mentions
            .iter()
            .filter(|m| {
                is_person(m)
                    && (a.source.contains(m.span) || a.entity.is_some() && a.name == Some(m.span))
            })
            .collect();
        inside
            .iter()
            .find(|m| {
                !a.source.contains(m.span)
                    || (m.span.start == a.source.start
                        && text[m.span.end as usize..].starts_with(','))
            })
            .or_else(|| {
                inside
                    .iter()
                    .find(|m| a.entity.as_deref() == Some(m.key.as_str()))
            })
            .or(inside.last())
            .copied()
    };
    for ai in 0..attributions.len() {
        let a = &attributions[ai];
        if a.entity.is_some() || !person_word(a.source, a.cue) {
            continue;
        }
        if a.kind == CueKind::Verb && a.source.start > a.cue.start && !lex.inverts_after_stops {
            continue;
        }
        let from = a.sentence.saturating_sub(PRONOUN_WINDOW);
        let previous = attributions[..ai]
            .iter()
            .rev()
            .find(|b| b.source.end <= a.source.start)
            .filter(|b| b.sentence >= from);
        // The last sentence-first person outside quotes since the previous source.
        let since = previous.map_or(0, |b| b.source.end);
        let subject = (from..=a.sentence)
            .rev()
            .filter(|&s| !pronoun_led[s])
            .filter_map(|s| first_person[s].map(|k| &mentions[k]))
            .find(|m| {
                m.span.start >= since
                    && m.span.end <= a.source.start
                    && !attributions.iter().any(|b| b.covers(m.span))
            });
        let found = subject.or_else(|| previous.and_then(&person_of));
        if let Some(m) = found {
            let (key, span) = (m.key.clone(), m.span);
            let a = &mut attributions[ai];
            a.entity = Some(key);
            a.name = Some(span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::EntityMention;
    use crate::ner::EntityType;

    /// The attributions of `text` with `names` as entity mentions (each `(name, type)` at
    /// its first occurrence, keyed by its lower case), pronouns resolved.
    fn resolved(
        lang: &str,
        text: &str,
        names: &[(&str, EntityType)],
    ) -> Vec<(String, Option<String>)> {
        let lang = Lang::new(lang).expect("language");
        let tokens = crate::text::tokenize(text, lang);
        let sentences = crate::text::sentences(text, &tokens);
        let mut attributions = find(text, &tokens, &sentences, lang);
        let mut mentions: Vec<EntityMention> = names
            .iter()
            .enumerate()
            .map(|(k, (name, etype))| {
                let at = text.find(name).expect("name in text");
                EntityMention {
                    span: Span::new(at, at + name.len()),
                    etype: *etype,
                    entity: k,
                    key: name.to_lowercase(),
                }
            })
            .collect();
        mentions.sort_by_key(|m| m.span.start);
        for a in &mut attributions {
            a.entity = mentions
                .iter()
                .filter(|m| a.source.contains(m.span))
                .max_by_key(|m| m.span.start)
                .map(|m| m.key.clone());
        }
        resolve_pronouns(text, &sentences, &mut attributions, &mentions, lang);
        attributions
            .iter()
            .map(|a| {
                let who = a.name.unwrap_or(a.source);
                (text[who.range()].to_string(), a.entity.clone())
            })
            .collect()
    }

    fn who(name: &str, key: Option<&str>) -> (String, Option<String>) {
        (name.to_string(), key.map(str::to_string))
    }

    #[test]
    fn pronoun_takes_the_last_person_before_it() {
        let got = resolved(
            "en",
            "John Smith arrived in Paris. He said the plan failed.",
            &[("John Smith", EntityType::Per), ("Paris", EntityType::Loc)],
        );
        assert_eq!(got, vec![who("John Smith", Some("john smith"))]);
    }

    #[test]
    fn pronoun_prefers_the_previous_attributions_person() {
        let got = resolved(
            "en",
            "Mary Lee said Tom Brown had left. She said the talks continue.",
            &[
                ("Mary Lee", EntityType::Per),
                ("Tom Brown", EntityType::Per),
            ],
        );
        assert_eq!(
            got,
            vec![
                who("Mary Lee", Some("mary lee")),
                who("Mary Lee", Some("mary lee"))
            ]
        );
        // A previous source that is no person is who the pronoun continues: unnamed.
        let got = resolved(
            "en",
            "Apple said Tom Brown had left. He said the talks continue.",
            &[("Apple", EntityType::Org), ("Tom Brown", EntityType::Per)],
        );
        assert_eq!(got[1], who("He", None));
        let got = resolved(
            "en",
            "Tom Brown was there. \"The ship sank,\" said an embassy official. \"It sank,\" he said.",
            &[("Tom Brown", EntityType::Per)],
        );
        assert_eq!(got[1], who("he", None));
        // A person who opens a sentence after the previous source is the new subject.
        let got = resolved(
            "en",
            "\"He is strong,\" said Jeffrey Leving. Manuel Gonzalez has told reporters that he believes it.",
            &[("Jeffrey Leving", EntityType::Per), ("Manuel Gonzalez", EntityType::Per)],
        );
        assert_eq!(
            got.last(),
            Some(&who("Manuel Gonzalez", Some("manuel gonzalez")))
        );
        // The person in a source, not an organisation named after it.
        let got = resolved(
            "en",
            "\"No,\" said Bill Rash, Intel's director. The bugs are rare, he said.",
            &[("Bill Rash", EntityType::Per), ("Intel", EntityType::Per)],
        );
        assert_eq!(got.last(), Some(&who("Bill Rash", Some("bill rash"))));
        // Without an earlier source: the last person that opens a sentence, not one in a
        // sentence led by a pronoun, nor the pronoun's own quote.
        let got = resolved(
            "en",
            "Har-Shefi met Amir. She later spoke with Hagai. \"I met Obama,\" she said.",
            &[
                ("Har-Shefi", EntityType::Per),
                ("Amir", EntityType::Per),
                ("Hagai", EntityType::Per),
                ("Obama", EntityType::Per),
            ],
        );
        assert_eq!(got, vec![who("Har-Shefi", Some("har-shefi"))]);
        let got = resolved(
            "en",
            "Tired of waiting, astronaut Bertalan Farkas is leaving, he said.",
            &[("Bertalan Farkas", EntityType::Per)],
        );
        assert_eq!(got, vec![who("he", None)]);
        // An English pronoun after its verb is no subject.
        let got = resolved(
            "en",
            "Jan Kavan arrived. The minister, who lived in London, said he had left.",
            &[("Jan Kavan", EntityType::Per)],
        );
        assert!(got.iter().all(|x| x.1.is_none()), "{got:?}");
    }

    #[test]
    fn pronoun_without_a_person_before_it_stays() {
        // No person; an organisation; the person only inside the report; too far back.
        let cases: [(&str, &[(&str, EntityType)]); 4] = [
            ("He said the plan failed.", &[]),
            (
                "Apple failed. He said the plan failed.",
                &[("Apple", EntityType::Org)],
            ),
            (
                "\"I met Peter Jones,\" she said.",
                &[("Peter Jones", EntityType::Per)],
            ),
            (
                "John Smith arrived. The talks began. The ship sank. The port closed. He said so.",
                &[("John Smith", EntityType::Per)],
            ),
        ];
        for (text, names) in cases {
            let got = resolved("en", text, names);
            assert_eq!(got.len(), 1, "{text}");
            assert_eq!(got[0].1, None, "{text}");
        }
    }

    #[test]
    fn plural_and_group_pronouns_stay() {
        let got = resolved(
            "en",
            "Peter Jones met the board. They said the plan failed.",
            &[("Peter Jones", EntityType::Per)],
        );
        assert_eq!(got, vec![who("They", None)]);
        // Dutch "ze" names a person with a singular verb only.
        let names = [("Jansen", EntityType::Per)];
        let got = resolved(
            "nl",
            "Jansen kwam aan. Ze zeiden dat het plan mislukt is.",
            &names,
        );
        assert_eq!(got, vec![who("Ze", None)]);
        let got = resolved(
            "nl",
            "Jansen kwam aan. Ze zei dat het plan mislukt is.",
            &names,
        );
        assert_eq!(got, vec![who("Jansen", Some("jansen"))]);
    }

    #[test]
    fn linked_sources_are_left_alone() {
        let got = resolved(
            "nl",
            "Minister Jansen zei dat het plan mislukt is. Hij zei ook dat de gesprekken doorgaan.",
            &[("Jansen", EntityType::Per)],
        );
        assert_eq!(
            got,
            vec![
                who("Minister Jansen", Some("jansen")),
                who("Jansen", Some("jansen"))
            ]
        );
    }
}
