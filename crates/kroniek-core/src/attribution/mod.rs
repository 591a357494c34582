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
//! in it ("BBC"), if any.

use std::borrow::Cow;

use crate::fasthash::FastSet;

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
    /// The source's name: the last run of capitalised words of the source phrase.
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
    anaphors: FastSet<String>,
    continues: Phrases,
    stops: FastSet<String>,
    openers: FastSet<String>,
    tails: FastSet<String>,
    coordinators: FastSet<String>,
    pronouns: FastSet<String>,
    adverbs: FastSet<String>,
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
            "anaphor" => {
                lex.anaphors.insert(phrase.to_lowercase());
            }
            "continue" => lex.continues.push(words),
            "stop" | "opener" | "tail" | "coordinator" | "pronoun" | "adverb" => {
                let set = match kind {
                    "stop" => &mut lex.stops,
                    "opener" => &mut lex.openers,
                    "tail" => &mut lex.tails,
                    "coordinator" => &mut lex.coordinators,
                    "pronoun" => &mut lex.pronouns,
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

fn is_cap(text: &str, t: &Token) -> bool {
    t.kind == TokenKind::Word
        && text[t.span.range()]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
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
        // that is followed by a lower-case word ("The Guardian drie momenten").
        let np_end = |from: usize| {
            let mut j = from;
            while j < n
                && j < from + 9
                && toks[j].kind != TokenKind::Punct
                && (j == from || !lex.stops.contains(&*words[j]))
                && (j == from || !crate::quantity::starts_at(&words, j, lang))
            {
                if j > from && is_cap(text, &toks[j - 1]) && !is_cap(text, &toks[j]) {
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
        let rest_of_sentence = |from: usize| {
            let mut scope = Vec::new();
            if from < last {
                scope.push(span_of(toks, from..last));
            }
            scope.extend(continuation(text, tokens, sentences, si, lex));
            scope
        };
        let mut i = 0;
        while i < n {
            // Prepositional cue.
            if let Some(len) = match_at(&words, i, &lex.preps) {
                let end = np_end(i + len);
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
            if let Some(len) = match_at(&words, i, &lex.verbs) {
                let after = i + len;
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
                        after..last,
                        CueKind::Backward,
                        scope,
                    ));
                    i = last;
                    continue;
                }
                if prev_comma && i >= 2 && after < last && last - after <= 10 {
                    // "…, stellen inlichtingenbronnen." — covers the sentence up to the cue.
                    let clause = span_of(toks, 0..i - 1);
                    let mut scope = vec![clause];
                    scope.extend(continuation(text, tokens, sentences, si, lex));
                    out.push(make(
                        text,
                        toks,
                        si,
                        i..after,
                        after..last,
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
                if tail_only && i > 1 {
                    if let Some(k) = (i.saturating_sub(10)..i - 1)
                        .rev()
                        .find(|&k| words[k] == ",")
                    {
                        // The source starts after any closing quote ('…," she said').
                        let from = (k + 1..i).find(|&j| !is_quote(&words[j])).unwrap_or(i);
                        if k > 0
                            && from < i
                            && (k + 1..i).all(|j| {
                                (toks[j].kind != TokenKind::Punct
                                    || words[j] == "("
                                    || words[j] == ")"
                                    || is_quote(&words[j]))
                                    && (!lex.stops.contains(&*words[j])
                                        || lex.pronouns.contains(&*words[j]))
                            })
                        {
                            let mut scope = vec![span_of(toks, 0..k)];
                            scope.extend(continuation(text, tokens, sentences, si, lex));
                            out.push(make(
                                text,
                                toks,
                                si,
                                i..after,
                                from..i,
                                CueKind::VerbAfter,
                                scope,
                            ));
                            i = last;
                            continue;
                        }
                    }
                }
                // Subject before the verb, or after it in an inversion.
                let mut start = i;
                while start > 0
                    && i - start < 10
                    && toks[start - 1].kind != TokenKind::Punct
                    && !lex.stops.contains(&*words[start - 1])
                {
                    start -= 1;
                }
                // "Lindqvist Line called the claim unjustified and said it plans to
                // appeal": after a coordinator the verb shares the sentence's subject, and
                // the words after it are the report, not an inverted subject. The subject
                // is taken when it is a name at the start of the sentence.
                if i > 1 && lex.coordinators.contains(&*words[i - 1]) {
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
                    while end < i - 1 && end < 8 && is_cap(text, &toks[end]) {
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
                if start == i && i > 0 && lex.pronouns.contains(&*words[i - 1]) {
                    let scope = rest_of_sentence(after);
                    out.push(make(
                        text,
                        toks,
                        si,
                        i..after,
                        i - 1..i,
                        CueKind::Verb,
                        scope,
                    ));
                    i = after;
                    continue;
                }
                // Dutch inverts after a fronted adverb or phrase ("Toch beschrijft X",
                // "Tijdens de zitting bevestigde X"): the subject follows the verb.
                let after_stop = start == i
                    && i > 0
                    && toks[i - 1].kind != TokenKind::Punct
                    && !lex.inverts_after_stops;
                if after_stop {
                    // English "officials who said the plan failed": no inversion, and
                    // the subject is out of reach.
                    i = after;
                    continue;
                }
                let inverted = start == i || (start < i && lex.openers.contains(&*words[start]));
                let (source, rest_from) = if inverted {
                    let end = np_end(after);
                    (after..end, end)
                } else {
                    // "Osmani also said": the adverb is not part of the source.
                    let mut end = i;
                    while end > start + 1 && lex.adverbs.contains(&*words[end - 1]) {
                        end -= 1;
                    }
                    (start..end, after)
                };
                if !source.is_empty() {
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
            match_at(&words, i, &lex.verbs).is_some() || match_at(&words, i, &lex.preps).is_some()
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
        if j > 0 || end - j > 1 || acronym {
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
