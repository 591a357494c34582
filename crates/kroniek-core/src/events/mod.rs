//! Event mentions with type, factuality and source.
//!
//! - **Triggers** are found by an averaged perceptron ([`perceptron`]) trained on
//!   MEANTIME-style event mentions (`models/<lang>/events.model`, made by
//!   `kroniek train events`) over word, affix, shape, context and ontology features;
//!   without a model, the ontology lexicon alone marks triggers.
//! - **Types** come from `resources/<lang>/event_types.txt` (about 30 types, see
//!   `docs/events.md`); anything else is `other` with its lower-cased form as lemma.
//! - **Factuality** (MEANTIME's certainty, polarity and time) comes from the cue lexicon
//!   `resources/<lang>/factuality.txt`: a cue affects the events of its clause that lie
//!   within a per-cue distance before or after it.
//! - **Source**: the attribution whose scope covers the trigger (the narrowest one wins).
//! - **Time anchor**: the time expression of the sentence nearest to the trigger, when the
//!   caller passes time expressions, leaving out those inside reported speech that the
//!   trigger is not part of (the date of what was said is not the date of saying it);
//!   otherwise the event is bounded by the publication date
//!   (before it, or after it for FUTURE events).

pub mod idioms;
pub mod names;
pub mod perceptron;
pub mod senses;
mod wordcache;

use std::ops::Range;

use crate::attribution::Attribution;
use crate::fasthash::{FastMap, FastSet};
use crate::lang::Lang;
use crate::resources;
use crate::span::Span;
use crate::text::{Sentence, Token};
use perceptron::{Model, B, I, LABELS, O};

/// How sure the source is that the event happens or holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Certainty {
    /// Stated as fact.
    Certain,
    /// "zou … hebben", "naar verluidt", "allegedly", "lijkt".
    Probable,
    /// "wellicht", "kan", "may", "could".
    Possible,
    /// Conditional or open ("indien", "whether").
    Underspecified,
}

/// Whether the event is asserted or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Polarity {
    /// Asserted.
    Pos,
    /// Denied: "niet", "geen", "allerminst", "not", "denied".
    Neg,
}

/// Whether the event is reported as past/present or as expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventTime {
    /// Past or ongoing.
    NonFuture,
    /// Expected or planned: "zal", "will", "plans to".
    Future,
}

impl Certainty {
    /// MEANTIME's name: `CERTAIN`, `PROBABLE`, `POSSIBLE`, `UNDERSPECIFIED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Certain => "CERTAIN",
            Certainty::Probable => "PROBABLE",
            Certainty::Possible => "POSSIBLE",
            Certainty::Underspecified => "UNDERSPECIFIED",
        }
    }
}

impl Polarity {
    /// MEANTIME's name: `POS`, `NEG`.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Pos => "POS",
            Polarity::Neg => "NEG",
        }
    }
}

impl EventTime {
    /// MEANTIME's name: `NON_FUTURE`, `FUTURE`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventTime::NonFuture => "NON_FUTURE",
            EventTime::Future => "FUTURE",
        }
    }
}

/// MEANTIME factuality of one event mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Factuality {
    /// Certainty.
    pub certainty: Certainty,
    /// Polarity.
    pub polarity: Polarity,
    /// Time.
    pub time: EventTime,
}

impl Default for Factuality {
    fn default() -> Self {
        Factuality {
            certainty: Certainty::Certain,
            polarity: Polarity::Pos,
            time: EventTime::NonFuture,
        }
    }
}

/// The role of a participant, from the dependency relation to the trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Subject of an active trigger (`nsubj`).
    Agent,
    /// Object, or subject of a passive trigger (`obj`, `nsubj:pass`).
    Patient,
    /// Indirect object or oblique (`iobj`, `obl…`).
    Other,
}

impl Role {
    /// The name used in annotations: `agent`, `patient`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Patient => "patient",
            Role::Other => "other",
        }
    }

    /// The role of a dependent with this UD relation, if it is a participant.
    pub fn from_deprel(deprel: &str) -> Option<Role> {
        Some(match deprel {
            "nsubj" => Role::Agent,
            "obj" | "nsubj:pass" => Role::Patient,
            d if d == "iobj" || d.starts_with("obl") => Role::Other,
            _ => return None,
        })
    }
}

/// One event mention.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMention {
    /// The trigger.
    pub span: Span,
    /// The trigger's tokens (indexes into the analysis' token list).
    pub tokens: Range<usize>,
    /// Index of the sentence.
    pub sentence: usize,
    /// Ontology type (`attack`, `coup`, …, or `other`).
    pub kind: &'static str,
    /// The lower-cased trigger (a stand-in for a lemma).
    pub lemma: String,
    /// Certainty, polarity and time.
    pub factuality: Factuality,
    /// Index into the attributions of the analysis, when the event is attributed.
    pub source: Option<usize>,
    /// The time expression anchoring the event, when one was found in its sentence.
    pub anchor: Option<Span>,
    /// Participants from the dependency parse (filled by [`crate::annotate_with`] when
    /// syntax is computed): the dependent's named-entity mention, else the token.
    pub participants: Vec<(Role, Span)>,
    /// A participant that is a place (a location entity among the obliques).
    pub place: Option<Span>,
    /// Tokens inside `tokens` that are not part of the (discontinuous) mention, as
    /// MEANTIME leaves them out: the infinitive marker of a separable verb (Dutch `terug te
    /// bellen`), the words between an idiom's phrase and its verb (`op de markt wordt
    /// gebracht`). CoNLL output writes them as `O`.
    pub gaps: Vec<usize>,
}

#[derive(Default)]
struct TypeLexicon {
    /// Stems by their first three bytes (or the whole stem if shorter).
    prefix: FastMap<String, Vec<(String, &'static str)>>,
    exact: FastMap<String, &'static str>,
    /// `word=+particle` entries: the word has the type only together with its separable
    /// particle ("viel … aan" is an attack, "de koers viel" is not).
    with_particle: FastMap<String, Vec<(String, &'static str)>>,
    /// `word=~companion` entries: the word has the type only when a word of its clause
    /// contains the companion ("raakte … gewond", "zwaargewond raakte"; "raakte de oever"
    /// is no injury).
    with_companion: FastMap<String, Vec<(String, &'static str)>>,
    /// `!type` lines: words right before a trigger that make its type figurative ("custody
    /// battle", "legal fight" are no attack); such a trigger gets type `other`.
    not_after: FastMap<&'static str, Vec<String>>,
}

fn load_types(lang: Lang) -> TypeLexicon {
    let mut lex = TypeLexicon::default();
    for line in resources::lines(lang, "event_types.txt") {
        let Some((ty, stems)) = line.split_once('\t') else {
            continue;
        };
        let ty: &'static str = ty.trim();
        if let Some(ty) = ty.strip_prefix('!') {
            lex.not_after
                .entry(ty)
                .or_default()
                .extend(stems.split_whitespace().map(str::to_lowercase));
            continue;
        }
        for stem in stems.split_whitespace() {
            if let Some((w, particle)) = stem.split_once("=+") {
                lex.with_particle
                    .entry(w.to_lowercase())
                    .or_default()
                    .push((particle.to_lowercase(), ty));
            } else if let Some((w, companion)) = stem.split_once("=~") {
                lex.with_companion
                    .entry(w.to_lowercase())
                    .or_default()
                    .push((companion.to_lowercase(), ty));
            } else if let Some(w) = stem.strip_suffix('=') {
                lex.exact.entry(w.to_lowercase()).or_insert(ty);
            } else {
                let s = stem.to_lowercase();
                lex.prefix
                    .entry(key3(&s).to_string())
                    .or_default()
                    .push((s, ty));
            }
        }
    }
    for v in lex.prefix.values_mut() {
        v.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
    }
    lex
}

fn key3(s: &str) -> &str {
    let mut end = s.len().min(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn type_lexicon(lang: Lang) -> &'static TypeLexicon {
    static CACHE: resources::PerLanguage<TypeLexicon> = resources::PerLanguage::new();
    CACHE.get(lang, load_types, TypeLexicon::default)
}

/// The ontology type of a lower-cased trigger word, if the lexicon knows it.
pub fn event_type(lang: Lang, lower: &str) -> Option<&'static str> {
    let lex = type_lexicon(lang);
    let look = |w: &str| {
        if let Some(t) = lex.exact.get(w) {
            return Some(*t);
        }
        lex.prefix
            .get(key3(w))?
            .iter()
            .find(|(s, _)| w.starts_with(s.as_str()))
            .map(|(_, t)| *t)
    };
    look(lower).or_else(|| {
        let stripped = lower.strip_prefix("ge")?;
        (lang == Lang::NL && stripped.len() >= 4)
            .then(|| look(stripped))
            .flatten()
    })
}

/// The type of verb `v` that it has only with a separable particle (`word=+particle`
/// lexicon entries): the particle is the last word of the verb's clause, after it and
/// before punctuation, a clause-closing word (`dat`, `en`) or the sentence end ("Rusland
/// viel gisteren Oekraïne aan."), as Dutch main clauses place it, or the word right
/// after the verb, as English phrasal verbs do.
fn particle_type(lang: Lang, s: &Words, v: usize) -> Option<&'static str> {
    let options = type_lexicon(lang).with_particle.get(s.lower[v].as_str())?;
    let closers = &particles(lang).closer;
    let ends_clause = |j: usize| {
        s.lower
            .get(j)
            .is_none_or(|w| !w.chars().any(char::is_alphanumeric) || closers.contains(w.as_str()))
    };
    let infinitive = &particles(lang).infinitive;
    for j in v + 1..s.lower.len() {
        let w = s.lower[j].as_str();
        // A particle may itself be a closing word ("om" in "kwamen … om"). Right after
        // the verb it counts too ("stepped down as chairman"), unless an infinitive
        // marker follows ("kwamen om te helpen").
        let adjacent = j == v + 1
            && s.lower
                .get(j + 1)
                .is_none_or(|x| !infinitive.contains(x.as_str()));
        if adjacent || ends_clause(j + 1) {
            if let Some((_, t)) = options.iter().find(|(p, _)| p == w) {
                return Some(t);
            }
        }
        if ends_clause(j) {
            return None;
        }
    }
    None
}

/// Whether trigger `v` of type `ty` follows a word that makes the type figurative (`!type`
/// lines of `event_types.txt`: "custody battle", "juridische strijd").
fn figurative(lang: Lang, s: &Words, v: usize, ty: &str) -> bool {
    v > 0
        && type_lexicon(lang)
            .not_after
            .get(ty)
            .is_some_and(|words| words.iter().any(|w| s.lower[v - 1] == *w))
}

/// The type of verb `v` that it has only with a companion word in its clause
/// (`word=~companion` lexicon entries): any word of the clause, before or after the verb,
/// that contains the companion ("zwaargewond" has "gewond"). The clause ends at
/// punctuation and clause-closing words.
fn companion_type(lang: Lang, s: &Words, v: usize) -> Option<&'static str> {
    let options = type_lexicon(lang).with_companion.get(s.lower[v].as_str())?;
    let closers = &particles(lang).closer;
    let bound = |j: usize| {
        let w = s.lower[j].as_str();
        !w.chars().any(char::is_alphanumeric) || closers.contains(w)
    };
    let mut lo = v;
    while lo > 0 && !bound(lo - 1) {
        lo -= 1;
    }
    let mut hi = v + 1;
    while hi < s.lower.len() && !bound(hi) {
        hi += 1;
    }
    options
        .iter()
        .find(|(c, _)| (lo..hi).any(|j| j != v && s.lower[j].contains(c.as_str())))
        .map(|(_, t)| *t)
}

fn model(lang: Lang) -> &'static Model {
    static CACHE: resources::PerLanguage<Model> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| Model::from_text(resources::text(l, "events.model").unwrap_or("")),
        Model::default,
    )
}

/// A word of a [`Words`] sentence: an immutable shared string, so that the words of a
/// sentence come from the per-thread word cache without copying (cloning one copies no
/// text). Reads as a `str`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word(std::sync::Arc<str>);

impl Word {
    /// The word as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Word {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Word {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Word {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Word {
    fn from(s: &str) -> Word {
        Word(s.into())
    }
}

impl std::fmt::Debug for Word {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Word {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for Word {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Word {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Word {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

/// A sentence prepared for feature extraction: original and lower-cased words.
#[derive(Debug, Clone)]
pub struct Words {
    /// The tokens as written.
    pub orig: Vec<Word>,
    /// Lower-cased.
    pub lower: Vec<Word>,
    /// Ontology type per token.
    types: Vec<Option<&'static str>>,
    /// Universal POS per token, from the language's syntax model (empty without one).
    pos: Vec<&'static str>,
    /// The same as indexes into [`crate::syntax::Upos::ALL`] ([`PosKeys`]).
    tags: Vec<u8>,
    /// Per noun: whether it is also a verb form in the syntax model's treebank ("vlucht",
    /// "attack"), or its compound head is ("testvlucht", "aankoop"). Nouns like these
    /// often name events, and the cue carries across topics where the words do not.
    verbal: Vec<Verbal>,
    /// Per token: its part in a copular clause (see [`Predication`]).
    predication: Vec<Predication>,
    /// Per noun: its WordNet sense classes ([`senses::classes`]), most frequent first.
    senses: Vec<Option<&'static str>>,
    /// Per token: the keys of its trigger features that depend on the word alone.
    keys: Vec<WordKeys>,
    /// Per token: what the factuality cues see of it ([`CueWord`]).
    cue: Vec<CueWord>,
    /// Per token: what the language's built-in trigger model gives its word alone
    /// ([`word_weights`]).
    head: Vec<WordWeights>,
    /// The address of that model, so that [`tag_with`] uses `head` with it alone.
    head_model: usize,
}

/// A token's part in a clause whose only verb is a copula ("is verkrijgbaar", "is de
/// maker"). MEANTIME marks the copula when the predicate is nominal and the adjective when
/// it is adjectival, so the trigger features tell these apart (from POS alone, so that
/// they work without a parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Predication {
    None,
    /// A copula whose predicate is a noun phrase.
    CopulaNominal,
    /// A copula whose predicate is an adjective.
    CopulaAdjectival,
    /// The adjective that is the predicate of a copula.
    PredicateAdjective,
}

/// Per token, its [`Predication`]. A clause (split at punctuation and conjunctions) with
/// an auxiliary and no verb is copular. A copula's predicate is adjectival when an
/// adjective not followed by a noun, adjective or number (so not attributive) stands among
/// the three words after it ("is niet verkrijgbaar") or right before it and its fellow
/// auxiliaries (verb-final "verkrijgbaar zal zijn"); otherwise it is nominal. A clause
/// without a verb or auxiliary of its own that a coordinating conjunction joins to a
/// copular clause shares its copula, so its predicative adjective is a predicate too ("is
/// nu kleiner en vierkanter", "zijn gelijk aan of lager dan").
fn predications(pos: &[&str]) -> Vec<Predication> {
    let mut out = vec![Predication::None; pos.len()];
    let boundary = |p: &str| matches!(p, "PUNCT" | "SCONJ" | "CCONJ");
    let predicative = |clause: &[&str], k: usize| {
        clause[k] == "ADJ"
            && !matches!(
                clause.get(k + 1).copied(),
                Some("NOUN" | "PROPN" | "ADJ" | "NUM")
            )
            && (k == 0 || clause[k - 1] != "DET")
    };
    let mut start = 0;
    let mut copular_before = false;
    while start < pos.len() {
        let end = (start..pos.len())
            .find(|&k| boundary(pos[k]))
            .unwrap_or(pos.len());
        let clause = &pos[start..end];
        let copular = clause.contains(&"AUX") && !clause.contains(&"VERB");
        if copular {
            for k in (0..clause.len()).filter(|&k| clause[k] == "AUX") {
                let after = (k + 1..clause.len().min(k + 4)).find(|&j| predicative(clause, j));
                let before = (0..k)
                    .rev()
                    .find(|&j| clause[j] != "AUX")
                    .filter(|&j| predicative(clause, j));
                match after.or(before) {
                    Some(j) => {
                        out[start + k] = Predication::CopulaAdjectival;
                        out[start + j] = Predication::PredicateAdjective;
                    }
                    None if out[start + k] == Predication::None => {
                        out[start + k] = Predication::CopulaNominal;
                    }
                    None => {}
                }
            }
        } else if copular_before && pos[start - 1] == "CCONJ" && !clause.contains(&"VERB") {
            for k in (0..clause.len()).filter(|&k| predicative(clause, k)) {
                out[start + k] = Predication::PredicateAdjective;
            }
        }
        copular_before = copular;
        start = end + 1;
    }
    out
}

/// The candidate heads of a (right-headed) compound, longest first: the proper suffixes of
/// at least four letters with at least three letters before them ("testvlucht" →
/// "tvlucht", "vlucht", …), so a compound's head rather than an inflection.
fn compound_heads(lower: &str) -> impl Iterator<Item = &str> {
    lower
        .char_indices()
        .map(|(i, _)| i)
        .skip(3)
        .map(move |start| &lower[start..])
        .take_while(|head| head.chars().count() >= 4)
}

/// How a noun relates to the verbs of the language (see [`Words`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verbal {
    No,
    Form,
    Head,
}

impl Verbal {
    fn of(model: &crate::syntax::SyntaxModel, lower: &str) -> Verbal {
        use crate::syntax::Upos;
        if model.knows_form(lower, Upos::VERB) {
            return Verbal::Form;
        }
        if compound_heads(lower).any(|head| model.knows_form(head, Upos::VERB)) {
            return Verbal::Head;
        }
        Verbal::No
    }

    fn as_str(self) -> &'static str {
        match self {
            Verbal::No => "",
            Verbal::Form => "vf",
            Verbal::Head => "vh",
        }
    }
}

impl Words {
    /// Whether token `i` is a noun one of whose main senses (the three most frequent) is an
    /// act, event, process or phenomenon ([`senses::classes`]).
    pub fn is_eventive_noun(&self, i: usize) -> bool {
        self.senses.get(i).copied().flatten().is_some_and(|c| {
            c.split(' ')
                .any(|c| matches!(c, "act" | "event" | "process" | "phenomenon"))
        })
    }

    /// Whether token `i` is a noun that is also a verb form, or whose compound head is.
    pub fn is_verbal_noun(&self, i: usize) -> bool {
        self.verbal.get(i).is_some_and(|v| *v != Verbal::No)
    }

    /// Prepares a sentence.
    pub fn new(lang: Lang, words: &[&str]) -> Words {
        Words::with_upos(lang, words, None)
    }

    /// Prepares a sentence whose universal POS tags are already known (one per word, from
    /// [`crate::syntax::SyntaxModel::analyse`]), so that it is not tagged a second time.
    /// A slice of the wrong length is ignored and the sentence is tagged.
    pub fn with_upos(lang: Lang, words: &[&str], upos: Option<&[crate::syntax::Upos]>) -> Words {
        Words::prepare(lang, words, upos, None)
    }

    /// [`Words::with_upos`], given the words' ids in the word cache and the cache's
    /// generation they are from, if known (used while the cache still holds them).
    fn prepare(
        lang: Lang,
        words: &[&str],
        upos: Option<&[crate::syntax::Upos]>,
        known: Option<(u64, &[u32])>,
    ) -> Words {
        let given = upos.filter(|u| u.len() == words.len());
        // Everything that depends on a word alone comes from the per-thread word cache.
        wordcache::with(lang, |cache| {
            cache.begin(words.len());
            let ids: Vec<u32> = match known {
                Some((generation, ids))
                    if generation == cache.generation() && ids.len() == words.len() =>
                {
                    ids.to_vec()
                }
                _ => words.iter().map(|w| cache.id(w)).collect(),
            };
            let upos: Vec<crate::syntax::Upos> = match given {
                Some(u) => u.to_vec(),
                None => crate::syntax::SyntaxModel::for_language(lang)
                    .map(|m| {
                        let lex: Vec<crate::syntax::Lex> =
                            ids.iter().filter_map(|&id| cache.get(id).lex).collect();
                        m.tag_first_pass_lex(&lex)
                    })
                    .unwrap_or_default(),
            };
            let pos: Vec<&'static str> = upos.iter().map(|u| u.as_str()).collect();
            let tags = upos.iter().map(|&u| u as u8).collect();
            let predication = predications(&pos);
            let orig = ids.iter().map(|&id| cache.get(id).orig.clone()).collect();
            let lower = ids.iter().map(|&id| cache.get(id).lower.clone()).collect();
            let types = ids.iter().map(|&id| cache.get(id).ty).collect();
            let keys = ids.iter().map(|&id| cache.get(id).keys).collect();
            let cue = ids.iter().map(|&id| cache.get(id).cue).collect();
            let trigger = model(lang);
            let head = ids.iter().map(|&id| cache.head(id, trigger)).collect();
            // Nouns only; without tags (no syntax model) there are none. The senses have
            // one entry per tag.
            let mut verbal = vec![Verbal::No; words.len()];
            let mut senses = vec![None; pos.len()];
            if pos.len() == words.len() {
                for (k, &p) in pos.iter().enumerate() {
                    if p == "NOUN" {
                        (verbal[k], senses[k]) = cache.noun(ids[k]);
                    }
                }
            }
            Words {
                orig,
                lower,
                types,
                pos,
                tags,
                verbal,
                predication,
                senses,
                keys,
                cue,
                head,
                head_model: trigger as *const Model as usize,
            }
        })
    }
}

fn suffix(w: &str, n: usize) -> &str {
    let mut start = w.len().saturating_sub(n);
    while !w.is_char_boundary(start) {
        start -= 1;
    }
    &w[start..]
}

fn shape(w: &str) -> &'static str {
    let mut chars = w.chars();
    match chars.next() {
        None => "e",
        Some(c) if c.is_numeric() => "d",
        Some(c) if c.is_uppercase() => {
            if w.chars().all(|c| !c.is_lowercase()) {
                "A"
            } else {
                "Aa"
            }
        }
        Some(c) if c.is_alphabetic() => "a",
        Some(_) => "p",
    }
}

/// 64-bit FNV-1a over the parts of a feature, separated by `0x1f` (a feature's key).
fn feature_hash(parts: &[&str]) -> u64 {
    let (first, rest) = parts.split_first().map_or(("", &[][..]), |(f, r)| (*f, r));
    rest.iter().fold(Fnv::of(first), |h, p| h.then(p)).0
}

/// [`feature_hash`] part by part, so that a constant first part (the template name) can
/// be hashed at compile time: `Fnv::of("pos").then(p).0 == feature_hash(&["pos", p])`.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    /// The state after the first part.
    const fn of(first: &str) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325).bytes(first)
    }

    /// The state after one more part.
    const fn then(self, part: &str) -> Fnv {
        Fnv((self.0 ^ 0x1f).wrapping_mul(0x0100_0000_01b3)).bytes(part)
    }

    const fn bytes(self, s: &str) -> Fnv {
        let (b, mut h, mut i) = (s.as_bytes(), self.0, 0);
        while i < b.len() {
            h = (h ^ b[i] as u64).wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        Fnv(h)
    }
}

/// The name of a previous label in features.
fn label_name(prev: u8) -> &'static str {
    ["O", "B", "I"][prev.min(2) as usize]
}

/// The features of token `i` given the previous label: [`head_features`], the two that
/// depend on the previous label (`pl`, `plw`), then [`tail_features`]. Decoding
/// ([`tag_with`]) sums the head once per token and looks the rest up ahead, adding the
/// weights in this same order (float sums depend on it).
pub fn features(s: &Words, i: usize, prev: u8) -> Vec<u64> {
    let mut f = Vec::with_capacity(32);
    head_features(s, i, &mut f);
    let pl = label_name(prev);
    f.push(feature_hash(&["pl", pl]));
    f.push(s.keys[i][K_PLW + usize::from(prev.min(2))]);
    tail_features(s, i, &mut f);
    f
}

/// The keys of the [`tail_features`] of tags alone (`pos`, `pos-1`, `pos+1`, `pos-1pos`)
/// by tag index ([`Words::tags`], then the boundaries `<s>` and `</s>`), hashed once
/// instead of once per token.
struct PosKeys {
    pos: [u64; PosKeys::N],
    prev: [u64; PosKeys::N],
    next: [u64; PosKeys::N],
    /// `pos-1pos`, by the index of the previous tag times [`PosKeys::N`] plus this one's.
    pair: [u64; PosKeys::N * PosKeys::N],
}

impl PosKeys {
    const START: usize = crate::syntax::Upos::ALL.len();
    const END: usize = Self::START + 1;
    const N: usize = Self::END + 1;

    fn get() -> &'static PosKeys {
        static KEYS: std::sync::OnceLock<PosKeys> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| {
            let name = |t: usize| match crate::syntax::Upos::ALL.get(t) {
                Some(u) => u.as_str(),
                None if t == Self::START => "<s>",
                None => "</s>",
            };
            PosKeys {
                pos: std::array::from_fn(|t| Fnv::of("pos").then(name(t)).0),
                prev: std::array::from_fn(|t| Fnv::of("pos-1").then(name(t)).0),
                next: std::array::from_fn(|t| Fnv::of("pos+1").then(name(t)).0),
                pair: std::array::from_fn(|k| {
                    let (a, b) = (k / Self::N, k % Self::N);
                    Fnv::of("pos-1pos").then(name(a)).then(name(b)).0
                }),
            }
        })
    }
}

/// Word `i + j` of a sentence (lower case), or a boundary marker.
fn word_at(s: &Words, i: usize, j: isize) -> &str {
    let k = i as isize + j;
    if k < 0 {
        "<s>"
    } else {
        s.lower.get(k as usize).map(Word::as_str).unwrap_or("</s>")
    }
}

/// The keys of the trigger features of a word that depend on that word alone (as the
/// token itself or as its neighbour), indexed by the `K_` constants; computed once per
/// form ([`wordcache`]) and kept in [`Words`].
type WordKeys = [u64; NKEYS];
const K_W: usize = 0;
const K_S2: usize = 1;
const K_S3: usize = 2;
const K_S4: usize = 3;
const K_P3: usize = 4;
/// As the word before (`w-1`), after (`w+1`), two before and two after.
const K_WM1: usize = 5;
const K_WP1: usize = 6;
const K_WM2: usize = 7;
const K_WP2: usize = 8;
/// Its suffix of three as the word before (`s3-1`) and after (`s3+1`).
const K_S3M1: usize = 9;
const K_S3P1: usize = 10;
/// `plw` with the previous label `O`, `B`, `I`.
const K_PLW: usize = 11;
const K_LEN: usize = 14;
/// Its shape inside the sentence and as the first token.
const K_SH: usize = 15;
const K_SH0: usize = 16;
const NKEYS: usize = 17;

/// The [`WordKeys`] of a word as written and lower-cased: the same hashes as the feature
/// strings of [`head_features`] and [`tail_features`] spell.
fn word_keys(orig: &str, lower: &str) -> WordKeys {
    let mut k = [0; NKEYS];
    k[K_W] = feature_hash(&["w", lower]);
    k[K_S2] = feature_hash(&["s2", suffix(lower, 2)]);
    k[K_S3] = feature_hash(&["s3", suffix(lower, 3)]);
    k[K_S4] = feature_hash(&["s4", suffix(lower, 4)]);
    k[K_P3] = feature_hash(&["p3", key3(lower)]);
    k[K_WM1] = feature_hash(&["w-1", lower]);
    k[K_WP1] = feature_hash(&["w+1", lower]);
    k[K_WM2] = feature_hash(&["w-2", lower]);
    k[K_WP2] = feature_hash(&["w+2", lower]);
    k[K_S3M1] = feature_hash(&["s3-1", suffix(lower, 3)]);
    k[K_S3P1] = feature_hash(&["s3+1", suffix(lower, 3)]);
    for l in [O, B, I] {
        k[K_PLW + usize::from(l)] = feature_hash(&["plw", label_name(l), lower]);
    }
    k[K_LEN] = feature_hash(&["len", length_bucket(lower)]);
    let sh = shape(orig);
    k[K_SH] = feature_hash(&["sh", sh, ""]);
    k[K_SH0] = feature_hash(&["sh", sh, "0"]);
    k
}

/// The `len` feature's value of a lower-cased word.
fn length_bucket(lower: &str) -> &'static str {
    match lower.chars().count() {
        0..=2 => "s",
        3..=4 => "m",
        5..=7 => "l",
        _ => "xl",
    }
}

/// The [`WordKeys`] of the sentence boundaries `<s>` and `</s>` (as neighbours).
fn boundary_keys() -> &'static [WordKeys; 2] {
    static KEYS: std::sync::OnceLock<[WordKeys; 2]> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| [word_keys("<s>", "<s>"), word_keys("</s>", "</s>")])
}

/// The [`WordKeys`] of word `i + j`, or of the boundary marker [`word_at`] gives there.
fn keys_at(s: &Words, i: usize, j: isize) -> &WordKeys {
    let k = i as isize + j;
    if k < 0 {
        &boundary_keys()[0]
    } else {
        s.keys.get(k as usize).unwrap_or(&boundary_keys()[1])
    }
}

/// How many of the [`head_features`] of a token depend on the word alone (and on whether
/// it opens the sentence): the bias, the word, its affixes and its shape.
const HEAD_PREFIX: usize = 7;

/// The key of the bias feature (the first head feature).
const BIAS: u64 = Fnv::of("b").0;

/// The first of the [`WordKeys`] of a word as a neighbour and with the previous label
/// (`w-1` … `plw`), which are consecutive.
const K_ROLES: usize = K_WM1;
/// How many there are.
const ROLES: usize = K_PLW + 3 - K_ROLES;
/// Where the two word-pair features (`w-1w`, `ww+1`) are in [`head_features`].
const HEAD_PAIRS: usize = HEAD_PREFIX + 4;

/// What the built-in trigger model gives a word alone, kept per form ([`wordcache`]) so
/// that decoding ([`tag_with`]) probes the model's table for the other features only.
#[derive(Debug, Clone, Copy)]
struct WordWeights {
    /// [`head_prefix`].
    prefix: [[f32; LABELS]; 2],
    /// The weights of the word's keys `K_ROLES..K_ROLES + ROLES` (as the word before or
    /// after a token, and with each previous label), zero where the model has none.
    /// Adding zero instead of nothing is exact: a sum that starts at +0.0 is never -0.0
    /// (only -0.0 + -0.0 is), and x + 0.0 == x for every other x.
    roles: [[f32; LABELS]; ROLES],
}

/// [`WordWeights`] of a word with keys `k`.
fn word_weights(model: &Model, k: &WordKeys) -> WordWeights {
    WordWeights {
        prefix: head_prefix(model, k),
        roles: std::array::from_fn(|r| {
            model
                .weights(k[K_ROLES + r])
                .copied()
                .unwrap_or([0.0; LABELS])
        }),
    }
}

/// The scores of the first [`HEAD_PREFIX`] features of [`head_features`] of a word with
/// keys `k`, summed from zero in their order as [`Model::scores`] sums them (so the float
/// sum goes on exactly as there): inside the sentence, and as its first token.
fn head_prefix(model: &Model, k: &WordKeys) -> [[f32; LABELS]; 2] {
    let base = [BIAS, k[K_W], k[K_S2], k[K_S3], k[K_S4], k[K_P3]];
    [k[K_SH], k[K_SH0]].map(|sh| {
        let mut sc = [0.0; LABELS];
        for f in base.into_iter().chain([sh]) {
            if let Some(w) = model.weights(f) {
                for (a, b) in sc.iter_mut().zip(w) {
                    *a += b;
                }
            }
        }
        sc
    })
}

/// The features of token `i` before those of the previous label: word, affixes, shape and
/// neighbouring words. (The word-only keys come from [`Words`]; the spelled-out feature
/// strings are those of `head_features_spelled` in the tests.)
fn head_features(s: &Words, i: usize, f: &mut Vec<u64>) {
    let k = &s.keys[i];
    let cur = word_at(s, i, 0);
    f.push(BIAS);
    f.push(k[K_W]);
    f.push(k[K_S2]);
    f.push(k[K_S3]);
    f.push(k[K_S4]);
    f.push(k[K_P3]);
    f.push(if i == 0 { k[K_SH0] } else { k[K_SH] });
    f.push(keys_at(s, i, -1)[K_WM1]);
    f.push(keys_at(s, i, 1)[K_WP1]);
    f.push(keys_at(s, i, -2)[K_WM2]);
    f.push(keys_at(s, i, 2)[K_WP2]);
    f.push(
        const { Fnv::of("w-1w") }
            .then(word_at(s, i, -1))
            .then(cur)
            .0,
    );
    f.push(const { Fnv::of("ww+1") }.then(cur).then(word_at(s, i, 1)).0);
    f.push(keys_at(s, i, -1)[K_S3M1]);
    f.push(keys_at(s, i, 1)[K_S3P1]);
}

/// The features of token `i` after those of the previous label: POS, ontology type,
/// copulas, sense classes, length.
fn tail_features(s: &Words, i: usize, f: &mut Vec<u64>) {
    let cur = word_at(s, i, 0);
    if !s.pos.is_empty() {
        let p = |j: isize| -> &str {
            let k = i as isize + j;
            if k < 0 {
                "<s>"
            } else {
                s.pos.get(k as usize).copied().unwrap_or("</s>")
            }
        };
        // Template names hashed at compile time (the same keys as `push`); those of the
        // tags alone from a table.
        let t = |j: isize| -> usize {
            let k = i as isize + j;
            if k < 0 {
                PosKeys::START
            } else {
                s.tags
                    .get(k as usize)
                    .map_or(PosKeys::END, |&t| usize::from(t))
            }
        };
        let keys = PosKeys::get();
        let (t0, tm1) = (t(0), t(-1));
        f.push(keys.pos[t0]);
        f.push(keys.prev[tm1]);
        f.push(keys.next[t(1)]);
        f.push(keys.pair[tm1 * PosKeys::N + t0]);
        let p0 = p(0);
        f.push(const { Fnv::of("posw") }.then(p0).then(cur).0);
        f.push(const { Fnv::of("poss3") }.then(p0).then(suffix(cur, 3)).0);
    }
    f.push(const { Fnv::of("ty") }.then(s.types[i].unwrap_or("-")).0);
    let mut push = |parts: &[&str]| f.push(feature_hash(parts));
    if s.pos.get(i) == Some(&"AUX") {
        // An auxiliary with a verb in its clause ("is verlaagd") is not an event; without
        // one it is a copula ("is de maker", "is van plan"), which MEANTIME often marks.
        let clause_end = |p: &&str| matches!(*p, "PUNCT" | "SCONJ" | "CCONJ");
        let after = s.pos[i + 1..].iter().take_while(|p| !clause_end(p));
        let before = s.pos[..i].iter().rev().take_while(|p| !clause_end(p));
        let verb = after.chain(before).any(|p| *p == "VERB");
        push(&["auxv", if verb { "1" } else { "0" }, cur]);
    }
    if let Some(classes) = s.senses.get(i).copied().flatten() {
        for c in classes.split(' ') {
            push(&["wn", c]);
        }
    }
    if s.pos.get(i) == Some(&"VERB")
        && i > 0
        && matches!(s.pos[i - 1], "DET" | "ADJ" | "ADV")
        && s.pos.get(i + 1) == Some(&"NOUN")
    {
        // An attributive participle ("een bepaalde wijze", "het afgelopen jaar").
        push(&["attr"]);
    }
    match s.predication.get(i) {
        Some(Predication::CopulaNominal) => push(&["cop", "nom"]),
        Some(Predication::CopulaAdjectival) => push(&["cop", "adj"]),
        Some(Predication::PredicateAdjective) => push(&["padj"]),
        _ => {}
    }
    f.push(
        const { Fnv::of("ty-1") }
            .then(i.checked_sub(1).and_then(|j| s.types[j]).unwrap_or("-"))
            .0,
    );
    let mut push = |parts: &[&str]| f.push(feature_hash(parts));
    if cur.starts_with("ge") && (cur.ends_with('d') || cur.ends_with('t') || cur.ends_with("en")) {
        push(&["gepart"]);
    }
    if s.verbal[i] != Verbal::No {
        push(&[s.verbal[i].as_str()]);
    }
    f.push(s.keys[i][K_LEN]);
}

/// Trains a trigger model on sentences with `O`/`B`/`I` labels. `recall_bias` is added to
/// the `B` weight of the bias feature: a positive value trades precision for recall.
pub fn train(examples: &[(Words, Vec<u8>)], epochs: usize, recall_bias: f32) -> Model {
    let mut m = perceptron::train(examples, epochs, features);
    m.shift(perceptron::hash("b"), B, recall_bias);
    m
}

/// Ontology types whose lexicon triggers are always events.
const STRONG: &[&str] = &["attack", "killing", "death", "injury", "arrest", "coup"];

/// A capitalised word inside a sentence: a name, not a trigger ("Apple Shooting Range").
fn is_name(word: &str, i: usize) -> bool {
    i > 0 && word.chars().next().is_some_and(char::is_uppercase)
}

/// The event mentions of one sentence as token ranges, using `model` (or the lexicon
/// when the model is empty).
pub fn tag_with(model: &Model, s: &Words) -> Vec<Range<usize>> {
    let n = s.lower.len();
    if model.is_empty() {
        return (0..n)
            .filter(|&i| s.types[i].is_some())
            .map(|i| i..i + 1)
            .collect();
    }
    // All keys of the sentence first, so that their cache misses overlap: per token its
    // head features, `plw` for each previous label, its tail features. The head is summed
    // at once; the rest is added one row at a time during decoding, in the order of
    // [`features`], so the float sums are those of [`Model::scores`] over them.
    let mut keys: Vec<u64> = Vec::with_capacity(n * 40);
    let mut heads = Vec::with_capacity(n);
    for i in 0..n {
        let start = keys.len();
        head_features(s, i, &mut keys);
        heads.push(start..keys.len());
        keys.extend_from_slice(&s.keys[i][K_PLW..K_PLW + 3]);
        tail_features(s, i, &mut keys);
    }
    let cached = s.head_model == model as *const Model as usize;
    if cached {
        for (i, head) in heads.iter().enumerate() {
            let end = heads.get(i + 1).map_or(keys.len(), |h| h.start);
            model.prefetch(keys[head.start + HEAD_PAIRS]);
            model.prefetch(keys[head.start + HEAD_PAIRS + 1]);
            for &k in &keys[head.end + 3..end] {
                model.prefetch(k);
            }
        }
    } else {
        for &k in &keys {
            model.prefetch(k);
        }
    }
    let pl = [O, B, I].map(|l| model.weights(feature_hash(&["pl", label_name(l)])));
    let add = |sc: &mut [f32; LABELS], w: Option<&[f32; LABELS]>| {
        if let Some(w) = w {
            for (a, b) in sc.iter_mut().zip(w) {
                *a += b;
            }
        }
    };
    // With the built-in model, the weights of the features of one word (as itself, as a
    // neighbour, with the previous label) come from `s.head`; the model's table is probed
    // for the word pairs and the tail only, in the same order (float sums depend on it).
    let boundary = cached.then(|| boundary_keys().map(|k| word_weights(model, &k).roles));
    let roles = |i: usize, j: isize| -> &[[f32; LABELS]; ROLES] {
        let k = i as isize + j;
        match (k < 0, s.head.get(k as usize), &boundary) {
            (false, Some(w), _) => &w.roles,
            (_, _, Some(b)) => &b[usize::from(k >= 0)],
            _ => unreachable!("boundary weights are made where `head` is used"),
        }
    };
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut prev = O;
    for i in 0..n {
        let head = heads[i].clone();
        let end = heads.get(i + 1).map_or(keys.len(), |h| h.start);
        let mut sc = if cached {
            // The word's own features summed once per form ([`head_prefix`]), then the rest
            // in the order of [`head_features`].
            let mut sc = s.head[i].prefix[usize::from(i == 0)];
            let (m1, p1) = (roles(i, -1), roles(i, 1));
            add(&mut sc, Some(&m1[K_WM1 - K_ROLES]));
            add(&mut sc, Some(&p1[K_WP1 - K_ROLES]));
            add(&mut sc, Some(&roles(i, -2)[K_WM2 - K_ROLES]));
            add(&mut sc, Some(&roles(i, 2)[K_WP2 - K_ROLES]));
            add(&mut sc, model.weights(keys[head.start + HEAD_PAIRS]));
            add(&mut sc, model.weights(keys[head.start + HEAD_PAIRS + 1]));
            add(&mut sc, Some(&m1[K_S3M1 - K_ROLES]));
            add(&mut sc, Some(&p1[K_S3P1 - K_ROLES]));
            sc
        } else {
            model.scores(&keys[head.clone()])
        };
        add(&mut sc, pl[usize::from(prev)]);
        if cached {
            let plw = K_PLW - K_ROLES + usize::from(prev);
            add(&mut sc, Some(&roles(i, 0)[plw]));
        } else {
            add(&mut sc, model.weights(keys[head.end + usize::from(prev)]));
        }
        for &k in &keys[head.end + 3..end] {
            add(&mut sc, model.weights(k));
        }
        let l = perceptron::best(&sc, prev);
        // Nouns of the core ontology ("staatsgreep", "putsch", "bombardement") are events
        // even where the statistical model is unsure: timelines are built from them.
        let label =
            if l == O && s.types[i].is_some_and(|t| STRONG.contains(&t)) && !is_name(&s.orig[i], i)
            {
                B
            } else {
                l
            };
        match label {
            B => out.push(i..i + 1),
            I => {
                if let Some(last) = out.last_mut() {
                    last.end = i + 1;
                }
            }
            _ => {}
        }
        prev = label;
    }
    out
}

/// The event mentions of one sentence with the built-in model of `lang`.
pub fn tag(lang: Lang, s: &Words) -> Vec<Range<usize>> {
    mentions_with(lang, model(lang), s)
}

/// What `model` tags, less the mentions `event_filters.txt` rules out, with separable
/// particles joined.
fn mentions_with(lang: Lang, model: &Model, s: &Words) -> Vec<Range<usize>> {
    let mut out = tag_with(model, s);
    drop_attributive(lang, s, &mut out);
    copular_rules(lang, s, &mut out);
    add_event_nouns(lang, s, &mut out);
    join_particles(lang, s, &mut out);
    names::add(lang, s, &mut out);
    out
}

/// The `kind` lines of `resources/<lang>/event_filters.txt` (lower case).
fn filter_words(l: Lang, kind: &str) -> Vec<String> {
    resources::lines(l, "event_filters.txt")
        .filter_map(|line| line.split_once('\t'))
        .filter(|(k, _)| *k == kind)
        .map(|(_, word)| word.trim().to_lowercase())
        .filter(|word| !word.is_empty())
        .collect()
}

/// Suffixes of attributive (inflected) adjectives and participles that are no events
/// (`attributive` lines of `resources/<lang>/event_filters.txt`).
fn attributive_suffixes(lang: Lang) -> &'static Vec<String> {
    static CACHE: resources::PerLanguage<Vec<String>> = resources::PerLanguage::new();
    CACHE.get(lang, |l| filter_words(l, "attributive"), Vec::new)
}

/// Words that are never event mentions on their own (`never` lines).
fn never_events(lang: Lang) -> &'static Vec<String> {
    static CACHE: resources::PerLanguage<Vec<String>> = resources::PerLanguage::new();
    CACHE.get(lang, |l| filter_words(l, "never"), Vec::new)
}

/// Removes one-word mentions that are attributive adjectives or participles before a
/// noun ("de onlangs aangekondigde iPhone"): see `event_filters.txt`. Needs UPOS tags.
/// Also removes one-word mentions of the `never` words (present-tense modals).
pub fn drop_attributive(lang: Lang, s: &Words, mentions: &mut Vec<Range<usize>>) {
    let never = never_events(lang);
    if !never.is_empty() {
        mentions.retain(|r| r.len() != 1 || !never.iter().any(|x| s.lower[r.start] == *x));
    }
    let suffixes = attributive_suffixes(lang);
    if suffixes.is_empty() || s.pos.len() != s.lower.len() {
        return;
    }
    let pos = |i: usize| s.pos.get(i).copied().unwrap_or("");
    let attributive = |i: usize| {
        if !suffixes.iter().any(|x| s.lower[i].ends_with(x.as_str()))
            || !matches!(pos(i + 1), "NOUN" | "ADJ")
        {
            return false;
        }
        match pos(i) {
            "ADJ" => true,
            "VERB" => {
                let mut j = i;
                while j > 0 && matches!(pos(j - 1), "ADV" | "ADJ") {
                    j -= 1;
                }
                j > 0 && matches!(pos(j - 1), "DET" | "PRON" | "ADP" | "NUM" | "SCONJ")
            }
            _ => false,
        }
    };
    mentions.retain(|r| r.len() != 1 || !attributive(r.start));
}

/// The nouns that name events wherever they occur (`resources/<lang>/event_nouns.txt`).
fn event_nouns(lang: Lang) -> &'static EventNouns {
    static CACHE: resources::PerLanguage<EventNouns> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            EventNouns::new(
                resources::lines(l, "event_nouns.txt")
                    .filter_map(|line| line.split_once('\t'))
                    .filter(|(kind, _)| *kind == "noun")
                    .map(|(_, word)| word.trim().to_lowercase())
                    .collect(),
            )
        },
        || EventNouns::new(Default::default()),
    )
}

/// The event nouns, and the last two bytes of each: a word and all its compound heads
/// end in the same two bytes, so most words are ruled out without a look-up.
struct EventNouns {
    words: FastSet<String>,
    /// Bit set over the last two bytes (as a `u16`); `None` if a noun is shorter.
    ends: Option<Vec<u64>>,
}

impl EventNouns {
    fn new(words: FastSet<String>) -> EventNouns {
        let mut ends = Some(vec![0u64; 1024]);
        for w in &words {
            match (Self::end(w), ends.as_mut()) {
                (Some(e), Some(bits)) => bits[e / 64] |= 1 << (e % 64),
                _ => ends = None,
            }
        }
        EventNouns { words, ends }
    }

    fn end(w: &str) -> Option<usize> {
        let b = w.as_bytes();
        (b.len() >= 2).then(|| usize::from(b[b.len() - 2]) << 8 | usize::from(b[b.len() - 1]))
    }

    /// Whether `w` or one of its [`compound_heads`] is an event noun.
    fn matches(&self, w: &str) -> bool {
        if let Some(bits) = &self.ends {
            match Self::end(w) {
                Some(e) if bits[e / 64] & 1 << (e % 64) != 0 => {}
                // Shorter than every noun, or no noun ends so.
                _ => return false,
            }
        }
        self.words.contains(w) || compound_heads(w).any(|h| self.words.contains(h))
    }
}

/// Whether a word starts with a lower-case letter (leading quotes skipped): not a name,
/// not a sentence start.
fn lower_case(word: &str) -> bool {
    word.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(char::is_lowercase)
}

/// Adds the event nouns of `event_nouns.txt` (the word, or the head of a compound,
/// written in lower case unless it opens the sentence) that the model left out.
pub fn add_event_nouns(lang: Lang, s: &Words, mentions: &mut Vec<Range<usize>>) {
    let nouns = event_nouns(lang);
    if nouns.words.is_empty() {
        return;
    }
    let before = mentions.len();
    for (i, w) in s.lower.iter().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if (i > 0 && !lower_case(&s.orig[i]))
            || mentions.iter().any(|r| r.contains(&i))
            || !nouns.matches(w)
        {
            continue;
        }
        mentions.push(i..i + 1);
    }
    if mentions.len() > before {
        mentions.sort_by_key(|r| r.start);
    }
}

/// The copular-clause lines of `event_filters.txt`: `predicate adjective` (the adjective
/// predicate of a copula is a mention) and `predicate no-adjectival-copula` (a copula
/// whose predicate is an adjective is none).
fn predicate_rules(lang: Lang) -> &'static (bool, bool) {
    static CACHE: resources::PerLanguage<(bool, bool)> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            let w = filter_words(l, "predicate");
            let has = |x: &str| w.iter().any(|v| v == x);
            (has("adjective"), has("no-adjectival-copula"))
        },
        || (false, false),
    )
}

/// Applies the copular-clause rules of `event_filters.txt` (see [`Predication`]): adds the
/// adjective predicates the model left out ("is twee keer zo snel", "is nu kleiner en
/// vierkanter") and drops one-word mentions of copulas with an adjective predicate ("Het
/// probleem was relatief klein"). Needs UPOS tags.
pub fn copular_rules(lang: Lang, s: &Words, mentions: &mut Vec<Range<usize>>) {
    let &(adjective, no_copula) = predicate_rules(lang);
    let is = |i: usize, p: Predication| s.predication.get(i) == Some(&p);
    if no_copula {
        mentions.retain(|r| r.len() != 1 || !is(r.start, Predication::CopulaAdjectival));
    }
    if adjective {
        let before = mentions.len();
        for i in 0..s.lower.len() {
            if is(i, Predication::PredicateAdjective)
                && lower_case(&s.orig[i])
                && !never_events(lang).iter().any(|x| s.lower[i] == *x)
                && !mentions.iter().any(|r| r.contains(&i))
            {
                mentions.push(i..i + 1);
            }
        }
        if mentions.len() > before {
            mentions.sort_by_key(|r| r.start);
        }
    }
}

/// Separable-verb particles of a language (`resources/<lang>/event_particles.txt`).
#[derive(Default)]
struct Particles {
    particle: FastSet<String>,
    always: FastSet<String>,
    closer: FastSet<String>,
    /// Infinitive markers between a separable particle and its verb (`terug te bellen`).
    infinitive: FastSet<String>,
}

fn particles(lang: Lang) -> &'static Particles {
    static CACHE: resources::PerLanguage<Particles> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            let mut p = Particles::default();
            for line in resources::lines(l, "event_particles.txt") {
                let Some((kind, word)) = line.split_once('\t') else {
                    continue;
                };
                let set = match kind {
                    "particle" => &mut p.particle,
                    "always" => &mut p.always,
                    "closer" => &mut p.closer,
                    "infinitive" => &mut p.infinitive,
                    _ => continue,
                };
                set.insert(word.trim().to_lowercase());
            }
            p
        },
        Particles::default,
    )
}

/// Extends one-word verb mentions with a separable particle right after them
/// ("kondigde aan dat" → `kondigde aan`), when the particle closes the clause, or right
/// before them across an infinitive marker ("om later terug te bellen" → `terug te
/// bellen`, whose marker is a gap: see [`verb_of`]).
pub fn join_particles(lang: Lang, s: &Words, mentions: &mut [Range<usize>]) {
    let p = particles(lang);
    if p.particle.is_empty() && p.always.is_empty() {
        return;
    }
    let n = s.lower.len();
    let is_verb = |i: usize| s.pos.get(i).is_none_or(|t| matches!(*t, "VERB" | "AUX"));
    for k in 0..mentions.len() {
        let r = mentions[k].clone();
        if r.len() != 1 || !is_verb(r.start) {
            continue;
        }
        let v = r.start;
        if v >= 2
            && p.infinitive.contains(s.lower[v - 1].as_str())
            && p.particle.contains(s.lower[v - 2].as_str())
            && (k == 0 || mentions[k - 1].end <= v - 2)
        {
            mentions[k].start = v - 2;
            continue;
        }
        let next = r.end;
        if next >= n || mentions.get(k + 1).is_some_and(|m| m.start == next) {
            continue;
        }
        let w = s.lower[next].as_str();
        let closes = || match s.lower.get(next + 1) {
            None => true,
            Some(x) => !x.chars().any(char::is_alphanumeric) || p.closer.contains(x.as_str()),
        };
        if p.always.contains(w) || (p.particle.contains(w) && closes()) {
            mentions[k].end = next + 1;
        }
    }
}

/// A mention before it becomes an [`EventMention`]: its words, its verb, the words inside
/// it that are not part of it, and its type when it is not the verb's (idioms).
type Draft = (Range<usize>, usize, Vec<usize>, Option<&'static str>);

/// The mentions of a sentence: the tagged ones with their verbs ([`verb_of`]), and the
/// idioms ([`idioms::find`]), which replace the mentions that overlap them (the model
/// tags the idiom's verb, or a word of its phrase).
fn with_idioms(lang: Lang, s: &Words, mentions: Vec<Range<usize>>) -> Vec<Draft> {
    let found = idioms::find(lang, s);
    let mut out: Vec<Draft> = mentions
        .into_iter()
        .filter(|r| {
            !found
                .iter()
                .any(|m| r.contains(&m.verb) || (r.start < m.phrase.end && m.phrase.start < r.end))
        })
        .map(|r| {
            let (verb, gap) = verb_of(lang, s, &r);
            (r, verb, gap.into_iter().collect(), None)
        })
        .collect();
    if found.is_empty() {
        return out;
    }
    out.extend(
        found
            .into_iter()
            .map(|m| (m.range(), m.verb, m.gaps(), Some(m.kind))),
    );
    out.sort_by_key(|d| d.0.start);
    out
}

/// Whether word `i` is a separable particle before an infinitive marker and a verb
/// (`terug` in `terug te bellen`): MEANTIME's CoNLL files then mark the particle, and the
/// verb only as a continuation, so trainers move the mark to the verb that the trigger
/// model sees.
pub fn particle_before_infinitive<S: AsRef<str>>(lang: Lang, lower: &[S], i: usize) -> bool {
    let p = particles(lang);
    i + 2 < lower.len()
        && p.particle.contains(lower[i].as_ref())
        && p.infinitive.contains(lower[i + 1].as_ref())
}

/// The verb of a mention and, for a particle joined across an infinitive marker
/// (`terug te bellen`), the marker's index (a gap in the mention).
pub fn verb_of(lang: Lang, s: &Words, r: &Range<usize>) -> (usize, Option<usize>) {
    let p = particles(lang);
    if r.len() == 3 && p.infinitive.contains(s.lower[r.start + 1].as_str()) {
        (r.end - 1, Some(r.start + 1))
    } else {
        (r.start, None)
    }
}

/// A condition on the event that a cue line may add in a fifth column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cond {
    /// No condition.
    Any,
    /// The event's first token is tagged VERB or AUX (true without a tagger).
    Verb,
    /// The event is a `te`/`to`-infinitive: the word before it is `te` or `to`.
    Te,
    /// The cue opens the sentence (Dutch "Of hij komt, is onduidelijk": "whether").
    First,
    /// The cue is a passive participle ("has been delayed") and the event a noun heading
    /// its subject, however long the subject is; the distance columns do not apply.
    Subject,
}

struct Cue {
    kind: String,
    words: Vec<String>,
    before: usize,
    after: usize,
    cond: Cond,
}

#[derive(Default)]
struct Cues {
    cues: Vec<Cue>,
    /// Indexes into `cues` by the cue's first word.
    first: FastMap<String, Vec<usize>>,
    boundary: FastSet<String>,
    /// Words that open a sentence with a subject clause ("Dat hij gewond raakte, lijkt
    /// zeker"): the certainty cues of the clause after it cover the events in it.
    subject_clause: FastSet<String>,
    /// Infinitive auxiliaries that close a verb cluster with a participle ("hebben
    /// doorbroken", "gewond geraakt zijn"): such a cluster needs a finite verb to govern
    /// it, so a reportive cue anywhere before it in its clause reaches it.
    cluster: FastSet<String>,
    /// Words that join a clause sharing the finite verb of the clause before it ("… zou
    /// het protocol hebben doorbroken **en** door een portofoon hebben gesproken").
    conjunct: FastSet<String>,
    /// Words that open a complement clause right after its verb ("aankondigen **dat**
    /// …"): the clause's events are no surer than that verb.
    complement: FastSet<String>,
}

fn load_cues(lang: Lang) -> Cues {
    let mut c = Cues::default();
    for line in resources::lines(lang, "factuality.txt") {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["boundary", w, ..] => {
                c.boundary.insert(w.to_lowercase());
            }
            ["subject-clause", w, ..] => {
                c.subject_clause.insert(w.to_lowercase());
            }
            ["cluster", w, ..] => {
                c.cluster.insert(w.to_lowercase());
            }
            ["conjunct", w, ..] => {
                c.conjunct.insert(w.to_lowercase());
            }
            ["complement", w, ..] => {
                c.complement.insert(w.to_lowercase());
            }
            [kind, phrase, before, after, rest @ ..] => {
                let (Ok(b), Ok(a)) = (before.parse(), after.parse()) else {
                    continue;
                };
                let cond = match rest.first().map(|x| x.trim()) {
                    None | Some("") => Cond::Any,
                    Some("verb") => Cond::Verb,
                    Some("te") => Cond::Te,
                    Some("first") => Cond::First,
                    Some("subject") => Cond::Subject,
                    Some(_) => continue,
                };
                c.cues.push(Cue {
                    kind: kind.to_string(),
                    words: phrase.split(' ').map(str::to_lowercase).collect(),
                    before: b,
                    after: a,
                    cond,
                });
            }
            _ => {}
        }
    }
    for (k, cue) in c.cues.iter().enumerate() {
        if let Some(first) = cue.words.first() {
            c.first.entry(first.clone()).or_default().push(k);
        }
    }
    c
}

fn cues(lang: Lang) -> &'static Cues {
    static CACHE: resources::PerLanguage<Cues> = resources::PerLanguage::new();
    CACHE.get(lang, load_cues, Cues::default)
}

/// What the factuality cues see of a lower-cased word: a pure function of the language and
/// the word, computed once per form ([`wordcache`]) and kept in [`Words`].
#[derive(Debug, Clone, Copy)]
struct CueWord {
    /// The part of the word that cues are matched against (a byte range of it): the word
    /// without quotes glued to it ("``Zolang"), and of a hyphenated modifier ("the
    /// now-cancelled deal") its last part, if that is a cue's first word and the whole is
    /// not.
    start: u32,
    end: u32,
    /// Whether that part is a clause boundary.
    boundary: bool,
    /// The cues whose first word it is.
    first: Option<&'static [usize]>,
}

/// The [`CueWord`] of a lower-cased word.
fn cue_word(c: &'static Cues, lower: &str) -> CueWord {
    let t = lower.trim_matches(|ch: char| matches!(ch, '`' | '\'' | '"' | '‘' | '’' | '“' | '”'));
    let t = if t.is_empty() { lower } else { t };
    let t = match t.rsplit_once('-') {
        Some((_, last)) if !c.first.contains_key(t) && c.first.contains_key(last) => last,
        _ => t,
    };
    let start = t.as_ptr() as usize - lower.as_ptr() as usize;
    CueWord {
        start: start as u32,
        end: (start + t.len()) as u32,
        boundary: c.boundary.contains(t),
        first: c.first.get(t).map(Vec::as_slice),
    }
}

/// The factuality of the event at `ev` in a sentence, from the cues of its clause.
/// `attributed` says whether an attribution covers the event (it makes a reportive
/// "zou" PROBABLE without a perfect auxiliary).
pub fn factuality(lang: Lang, s: &Words, ev: Range<usize>, attributed: bool) -> Factuality {
    let f = clause_factuality(lang, s, ev.clone(), attributed);
    embedded(lang, s, ev, attributed, f)
}

/// An event in the complement clause of a verb ("we zullen wellicht kunnen
/// **aankondigen dat** we het terrein veroverd hebben", "may reveal that profits rose") is
/// no surer than that verb: what may be announced has not been reported as done. Its time
/// stays its own ("will announce that profits rose"). Only a verb right before the
/// complement word governs it ("het terrein dat …" opens a relative clause), and only a
/// complementizer.
fn embedded(
    lang: Lang,
    s: &Words,
    ev: Range<usize>,
    attributed: bool,
    mut f: Factuality,
) -> Factuality {
    let c = cues(lang);
    let n = s.lower.len();
    let mut lo = ev.start.min(n);
    while lo > 0 && !s.cue[lo - 1].boundary {
        lo -= 1;
    }
    if lo < 2 || !c.complement.contains(s.lower[lo - 1].as_str()) {
        return f;
    }
    // The tagger tells the complementizer (SCONJ) from the relative pronoun (PRON) that
    // Dutch extraposes after the verb: "het huis kopen dat gisteren werd verkocht".
    let verb = lo - 2;
    if s.pos.get(verb) != Some(&"VERB") || s.pos.get(lo - 1) != Some(&"SCONJ") {
        return f;
    }
    let g = factuality(lang, s, verb..verb + 1, attributed);
    if f.certainty == Certainty::Certain
        && matches!(g.certainty, Certainty::Possible | Certainty::Probable)
    {
        f.certainty = g.certainty;
    }
    f
}

/// The factuality that the cues of the event's own clause give it.
fn clause_factuality(lang: Lang, s: &Words, ev: Range<usize>, attributed: bool) -> Factuality {
    let c = cues(lang);
    let w = &s.lower;
    let n = w.len();
    // Quotes glued to a word ("``Zolang") do not hide it from the cues, nor does a
    // hyphenated modifier ("the now-cancelled deal": its last part, if that is a cue).
    // (Per word from [`CueWord`].)
    let word = |i: usize| -> &str {
        let q = &s.cue[i];
        &w[i][q.start as usize..q.end as usize]
    };
    let ev = ev.start.min(n)..ev.end.min(n);
    // The clause: up to the nearest boundaries around the event.
    let mut lo = ev.start;
    while lo > 0 && !s.cue[lo - 1].boundary {
        lo -= 1;
    }
    // The clause's opening word belongs to it, so that "whether", "indien", "that" can cue.
    if lo > 0 && w[lo - 1].chars().any(char::is_alphabetic) {
        lo -= 1;
    }
    let mut hi = ev.end;
    while hi < n && !s.cue[hi].boundary {
        hi += 1;
    }
    let mut f = Factuality::default();
    let (mut probable, mut possible, mut under, mut present) = (false, false, false, false);
    // Which cues occur at a fitting distance; a cue may start before the clause if it
    // reaches into it ("denied that …"), so look a few words further back.
    let is_verb = s
        .pos
        .get(ev.start)
        .is_none_or(|p| matches!(*p, "VERB" | "AUX"));
    let is_te = ev.start > 0 && matches!(word(ev.start - 1), "te" | "to");
    let mut hits: Vec<usize> = Vec::new();
    for start in lo.saturating_sub(3)..hi {
        let Some(candidates) = s.cue[start].first else {
            continue;
        };
        let matches = |cue: &Cue| {
            let end = start + cue.words.len();
            end <= n
                && cue
                    .words
                    .iter()
                    .enumerate()
                    .all(|(j, x)| word(start + j) == x)
        };
        // A `block` phrase ("niet alleen", "not only") is no cue itself and hides the
        // cues that start where it starts.
        if candidates
            .iter()
            .any(|&k| c.cues[k].kind == "block" && matches(&c.cues[k]))
        {
            continue;
        }
        for &k in candidates {
            let cue = &c.cues[k];
            let end = start + cue.words.len();
            if end > hi
                || end <= lo
                || !cue
                    .words
                    .iter()
                    .enumerate()
                    .all(|(j, x)| word(start + j) == x)
            {
                continue;
            }
            let cond = match cue.cond {
                Cond::Any => true,
                Cond::Verb => is_verb,
                Cond::Te => is_te,
                Cond::First => (0..start).all(|j| !w[j].chars().any(char::is_alphanumeric)),
                Cond::Subject => false,
            };
            // A negation negates the nearest verb: "has not spoken since the grounding"
            // does not deny the grounding, "did not say he would attack" not the attack,
            // nor Dutch "sinds de stranding niet gesproken" (the verb right after "niet").
            let other_verb = || {
                let is = |j: usize| s.pos.get(j) == Some(&"VERB");
                if end <= ev.start {
                    (end..ev.start).any(is)
                } else {
                    // A verb event keeps it: "wilde niet zeggen" denies both verbs.
                    (ev.end..start).any(is) || (is(end) && !is_verb)
                }
            };
            // A negation before a te-infinitive in its clause negates that infinitive
            // ("adviseerde geen vliegtuigen te kopen", "hoeven geen vliegtuigen van Europa
            // te kopen"), however far, and not the verb before it.
            let te_infinitive_after = |from: usize| {
                (from..hi.saturating_sub(1))
                    .any(|j| matches!(word(j), "te" | "to") && s.pos.get(j + 1) == Some(&"VERB"))
            };
            let neg_of_infinitive = cue.kind == "neg"
                && end <= ev.start
                && is_te
                && is_verb
                && !(end..ev.start - 1).any(|j| matches!(word(j), "te" | "to"));
            let cond = cond
                && !(cue.kind == "neg"
                    && (other_verb() || (start >= ev.end && te_infinitive_after(end))));
            if cond
                && (neg_of_infinitive
                    || (end <= ev.start && ev.start - end < cue.before)
                    || (start >= ev.end && start - ev.end < cue.after))
                && !hits.contains(&k)
            {
                hits.push(k);
            }
        }
    }
    // The event is in a subject clause that opens the sentence and ends at a comma: the
    // certainty cues of the clause after it ("…, lijkt zeker", "…, is mogelijk")
    // speak about it, at any distance. Not negations: "…, is niet zeker" doubts, it does
    // not deny.
    // The clause must end in its verb, as a subordinate clause does: "Dat schrijft de
    // krant, …" opens with a demonstrative.
    let verb_final = hi > 0
        && s.pos
            .get(hi - 1)
            .is_none_or(|p| matches!(*p, "VERB" | "AUX"));
    if lo == 0 && hi < n && w[hi] == "," && verb_final && c.subject_clause.contains(word(0)) {
        let mut end = hi + 1;
        while end < n && !s.cue[end].boundary {
            end += 1;
        }
        for start in hi + 1..end {
            for &k in s.cue[start].first.unwrap_or(&[]) {
                let cue = &c.cues[k];
                let fits = start + cue.words.len() <= end
                    && cue
                        .words
                        .iter()
                        .enumerate()
                        .all(|(j, x)| word(start + j) == x);
                if fits
                    && cue.cond == Cond::Any
                    && matches!(
                        cue.kind.as_str(),
                        "probable" | "possible" | "underspecified"
                    )
                    && !hits.contains(&k)
                {
                    hits.push(k);
                }
            }
        }
    }
    if let Some(k) = reportive_of_cluster(c, s, &ev, lo, &word) {
        if !hits.contains(&k) {
            hits.push(k);
        }
    }
    if let Some(k) = passive_cue_of_subject(c, s, &ev, &word) {
        if !hits.contains(&k) {
            hits.push(k);
        }
    }
    hits.sort_unstable();
    for &k in &hits {
        match c.cues[k].kind.as_str() {
            "neg" => f.polarity = Polarity::Neg,
            "probable" => probable = true,
            "possible" => possible = true,
            "underspecified" => under = true,
            "future" => f.time = EventTime::Future,
            "present" => present = true,
            "reportive" => {
                let clause = &w[lo..hi];
                let perfect = clause
                    .iter()
                    .any(|x| matches!(x.as_str(), "hebben" | "zijn" | "have" | "been"));
                let passive = clause.iter().any(|x| x == "worden");
                if (perfect || attributed) && !passive {
                    probable = true;
                } else {
                    f.time = EventTime::Future;
                }
            }
            _ => {}
        }
    }
    if present {
        f.time = EventTime::NonFuture;
    }
    f.certainty = if under {
        Certainty::Underspecified
    } else if possible {
        Certainty::Possible
    } else if probable {
        Certainty::Probable
    } else {
        Certainty::Certain
    };
    f
}

/// The reportive cue ("zou") that governs the verb event `ev` when it ends a verb cluster
/// with an infinitive auxiliary ("hebben doorbroken", "geraakt zijn"), at any distance:
/// Dutch puts the whole middle field between the two ("Zo zou hij op 3 november 2016 in een
/// klein dorpje het protocol hebben doorbroken"). The cue is looked for in the event's
/// clause (from `lo`) and, when that clause opens with a conjunct word ("en"), in the
/// clause before it, which it shares the finite verb with.
fn reportive_of_cluster<'a>(
    c: &Cues,
    s: &Words,
    ev: &Range<usize>,
    lo: usize,
    word: &impl Fn(usize) -> &'a str,
) -> Option<usize> {
    let n = s.lower.len();
    let is_verb = s.pos.get(ev.start).is_some_and(|p| *p == "VERB");
    let next_to_cluster = (ev.start > 0 && c.cluster.contains(word(ev.start - 1)))
        || (ev.end < n && c.cluster.contains(word(ev.end)));
    if c.cluster.is_empty() || !is_verb || !next_to_cluster {
        return None;
    }
    let reportive_at = |j: usize| {
        s.cue[j].first?.iter().copied().find(|&k| {
            let cue = &c.cues[k];
            cue.kind == "reportive"
                && cue.cond == Cond::Any
                && j + cue.words.len() <= ev.start
                && cue.words.iter().enumerate().all(|(i, x)| word(j + i) == x)
        })
    };
    if let Some(k) = (lo..ev.start).find_map(reportive_at) {
        return Some(k);
    }
    // Only one step back, over a conjunct word that opens this clause (and punctuation
    // before it: "…, en …").
    if lo == 0 || !c.conjunct.contains(word(lo)) {
        return None;
    }
    let mut end = lo;
    while end > 0 && !s.lower[end - 1].chars().any(char::is_alphanumeric) {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && !s.cue[start - 1].boundary {
        start -= 1;
    }
    (start..end).find_map(reportive_at)
}

/// A `subject` cue that governs the noun event `ev` as the head of its passive subject:
/// "The departure from France of the new A380 … has been delayed", "the deal had been
/// killed". The noun is the last word of a noun phrase that no preposition opens (so not
/// "on a tour of Asia … has been delayed"), the first verbs after it are auxiliaries, and
/// the cue is the participle right after them. Needs POS tags.
fn passive_cue_of_subject<'a>(
    c: &Cues,
    s: &Words,
    ev: &Range<usize>,
    word: &impl Fn(usize) -> &'a str,
) -> Option<usize> {
    let pos = |j: usize| s.pos.get(j).copied().unwrap_or("");
    if ev.len() != 1 || pos(ev.start) != "NOUN" || matches!(pos(ev.end), "NOUN" | "PROPN") {
        return None;
    }
    let in_noun_phrase = |j: usize| {
        matches!(pos(j), "DET" | "ADJ" | "NUM" | "NOUN" | "PROPN" | "PART")
            || matches!(word(j), "'" | "'s")
    };
    let mut j = ev.start;
    while j > 0 && in_noun_phrase(j - 1) {
        j -= 1;
    }
    if j > 0 && pos(j - 1) == "ADP" {
        return None;
    }
    let verb = (ev.end..s.pos.len()).find(|&j| matches!(pos(j), "VERB" | "AUX"))?;
    let participle = (verb..s.pos.len()).find(|&j| pos(j) != "AUX")?;
    if participle == verb {
        return None;
    }
    s.cue[participle].first?.iter().copied().find(|&k| {
        let cue = &c.cues[k];
        cue.cond == Cond::Subject
            && cue.kind == "neg"
            && cue
                .words
                .iter()
                .enumerate()
                .all(|(i, x)| participle + i < s.pos.len() && word(participle + i) == x)
    })
}

/// Types whose patient is alive: killing and injury (of their object, or of the subject
/// of a passive) and death (of the subject).
const LIVING_PATIENT: [&str; 3] = ["killing", "injury", "death"];

/// Whether the one that verb `v` (of a [`LIVING_PATIENT`] type) kills, injures or lets die
/// is a thing: "the deal had been killed", "the bill died in committee", "killed the
/// merger". That is a common noun whose sense classes (`noun_senses.txt`, only ever given
/// to nouns) name no person, animal, group or body: the object after the verb (its noun
/// phrase's last noun), else for death and for a passive participle the noun before the
/// verb's auxiliaries. Pronouns, names and nouns without classes count as alive, so the
/// type is only dropped on evidence.
fn lifeless_patient(s: &Words, v: usize, ty: &str) -> bool {
    let pos = |j: usize| s.pos.get(j).copied().unwrap_or("");
    let lifeless = |j: usize| {
        pos(j) == "NOUN"
            && s.senses.get(j).copied().flatten().is_some_and(|c| {
                !c.split(' ')
                    .any(|x| matches!(x, "person" | "animal" | "group" | "body"))
            })
    };
    if ty != "death" {
        let mut j = v + 1;
        while matches!(pos(j), "DET" | "ADJ" | "NUM") {
            j += 1;
        }
        if matches!(pos(j), "NOUN" | "PROPN" | "PRON") {
            while pos(j + 1) == "NOUN" {
                j += 1;
            }
            return lifeless(j);
        }
    }
    let mut j = v;
    let mut auxiliaries = 0;
    while j > 0 && matches!(pos(j - 1), "AUX" | "ADV" | "PART") {
        auxiliaries += usize::from(pos(j - 1) == "AUX");
        j -= 1;
    }
    let passive = auxiliaries > 0 && pos(v) == "VERB";
    if !(ty == "death" || passive) || j == 0 || !lifeless(j - 1) {
        return false;
    }
    // The noun must be a subject, not the end of a phrase that a preposition opens
    // (Dutch puts the verb second: "Bij het ongeluk kwamen drie mensen om").
    let mut k = j - 1;
    while k > 0 && matches!(pos(k - 1), "DET" | "ADJ" | "NUM" | "NOUN") {
        k -= 1;
    }
    k == 0 || pos(k - 1) != "ADP"
}

/// Finds the event mentions of a text. `timexes` are the spans of time expressions (empty
/// when the time layer did not run). Never fails.
pub fn find(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    lang: Lang,
    attributions: &[Attribution],
    timexes: &[Span],
) -> Vec<EventMention> {
    find_with(
        text,
        tokens,
        sentences,
        lang,
        attributions,
        timexes,
        model(lang),
        None,
        None,
    )
}

/// The POS tags that [`find`] gives every token when no parse is at hand (the syntax
/// model's first tagger pass, per sentence), for the stages that share them: quantities
/// find their counted noun with them, and [`find_tagged`] with these tags finds what
/// [`find`] finds. `None` for a language without a syntax model. Tokens outside every
/// sentence get `X`.
pub fn first_pass_tags(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    lang: Lang,
) -> Option<Vec<crate::syntax::Upos>> {
    first_pass_tags_and_words(text, tokens, sentences, lang).map(|(tags, _)| tags)
}

/// The ids of a document's tokens in this thread's word cache of their language (with
/// the cache's generation then), so that a later stage need not look the forms up again.
pub(crate) struct WordIds {
    generation: u64,
    ids: Vec<u32>,
}

/// [`first_pass_tags`] and the tokens' [`WordIds`].
pub(crate) fn first_pass_tags_and_words(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    lang: Lang,
) -> Option<(Vec<crate::syntax::Upos>, WordIds)> {
    let model = crate::syntax::SyntaxModel::for_language(lang)?;
    let mut out = vec![crate::syntax::Upos::X; tokens.len()];
    let words = wordcache::with(lang, |cache| {
        cache.begin(tokens.len());
        let ids: Vec<u32> = tokens
            .iter()
            .map(|t| cache.id(&text[t.span.range()]))
            .collect();
        for s in sentences {
            let lex: Vec<crate::syntax::Lex> = ids[s.tokens.clone()]
                .iter()
                .filter_map(|&id| cache.get(id).lex)
                .collect();
            if lex.len() == s.tokens.len() {
                out[s.tokens.clone()].copy_from_slice(&model.tag_first_pass_lex(&lex));
            }
        }
        WordIds {
            generation: cache.generation(),
            ids,
        }
    });
    Some((out, words))
}

/// [`find`] for a text whose tokens are already POS-tagged (`upos[i]` for `tokens[i]`, as
/// the syntax layer gives them): the trigger features use these tags instead of tagging
/// every sentence again.
pub fn find_tagged(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    lang: Lang,
    attributions: &[Attribution],
    timexes: &[Span],
    upos: &[crate::syntax::Upos],
) -> Vec<EventMention> {
    find_tagged_words(
        text,
        tokens,
        sentences,
        lang,
        attributions,
        timexes,
        upos,
        None,
    )
}

/// [`find_tagged`] with the tokens' [`WordIds`] from [`first_pass_tags_and_words`] (ids
/// the word cache no longer holds are looked up again).
#[allow(clippy::too_many_arguments)]
pub(crate) fn find_tagged_words(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    lang: Lang,
    attributions: &[Attribution],
    timexes: &[Span],
    upos: &[crate::syntax::Upos],
    words: Option<&WordIds>,
) -> Vec<EventMention> {
    let upos = (upos.len() == tokens.len()).then_some(upos);
    let words = words.filter(|w| w.ids.len() == tokens.len());
    find_with(
        text,
        tokens,
        sentences,
        lang,
        attributions,
        timexes,
        model(lang),
        upos,
        words,
    )
}

#[allow(clippy::too_many_arguments)]
fn find_with(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    lang: Lang,
    attributions: &[Attribution],
    timexes: &[Span],
    model: &Model,
    upos: Option<&[crate::syntax::Upos]>,
    ids: Option<&WordIds>,
) -> Vec<EventMention> {
    let mut out = Vec::new();
    for (si, s) in sentences.iter().enumerate() {
        let toks = &tokens[s.tokens.clone()];
        if toks.is_empty() {
            continue;
        }
        let words: Vec<&str> = toks.iter().map(|t| &text[t.span.range()]).collect();
        let prepared = Words::prepare(
            lang,
            &words,
            upos.map(|u| &u[s.tokens.clone()]),
            ids.map(|w| (w.generation, &w.ids[s.tokens.clone()])),
        );
        let mentions = mentions_with(lang, model, &prepared);
        for (r, verb, gaps, idiom_kind) in with_idioms(lang, &prepared, mentions) {
            let span = Span::new(
                toks[r.start].span.start as usize,
                toks[r.end - 1].span.end as usize,
            );
            // Words of a time expression ("afgelopen woensdag") are not events.
            if timexes.iter().any(|t| t.contains(span)) {
                continue;
            }
            let source = crate::attribution::covering(attributions, span);
            // The verb carries type and factuality (its cues are measured from it).
            let cue_range = if gaps.is_empty() {
                r.clone()
            } else {
                verb..verb + 1
            };
            let factuality = factuality(lang, &prepared, cue_range, source.is_some());
            let anchor = timexes
                .iter()
                .filter(|t| s.span.contains(**t))
                .filter(|t| !crate::attribution::reported_apart(attributions, **t, span))
                .min_by_key(|t| (t.start as i64 - span.start as i64).unsigned_abs())
                .copied();
            let lemma = prepared.lower[verb].to_string();
            let kind = idiom_kind
                .or(prepared.types[verb])
                .or_else(|| particle_type(lang, &prepared, verb))
                .or_else(|| companion_type(lang, &prepared, verb))
                .filter(|&t| !(LIVING_PATIENT.contains(&t) && lifeless_patient(&prepared, verb, t)))
                .filter(|&t| !figurative(lang, &prepared, verb, t))
                .unwrap_or("other");
            out.push(EventMention {
                span,
                tokens: s.tokens.start + r.start..s.tokens.start + r.end,
                gaps: gaps.iter().map(|g| s.tokens.start + g).collect(),
                sentence: si,
                kind,
                lemma,
                factuality,
                source,
                anchor,
                participants: Vec::new(),
                place: None,
            });
        }
    }
    out
}

/// Runs attribution and event detection on pre-tokenised sentences (CoNLL input, gold
/// corpora). The tokens are joined with spaces into a synthetic text, one sentence per
/// line; returned mentions index that text's tokens, which run through all sentences in
/// order, so `tokens` is also an index into the flattened input.
pub fn find_in_tokens<S: AsRef<str>>(lang: Lang, sentences: &[Vec<S>]) -> Vec<EventMention> {
    find_in_tokens_with(lang, sentences, None)
}

/// [`find_in_tokens`] with an explicit trigger model instead of the built-in one (used
/// for cross-validation).
pub fn find_in_tokens_with<S: AsRef<str>>(
    lang: Lang,
    sentences: &[Vec<S>],
    model: Option<&Model>,
) -> Vec<EventMention> {
    use crate::text::TokenKind;
    let mut text = String::new();
    let mut tokens = Vec::new();
    let mut sents = Vec::new();
    for s in sentences {
        let first = tokens.len();
        let start = text.len();
        for (k, w) in s.iter().enumerate() {
            let w = w.as_ref();
            if k > 0 {
                text.push(' ');
            }
            let ts = text.len();
            // Tokens are kept even when empty, so indexes stay aligned with the input.
            text.push_str(w);
            let kind = match w.chars().next() {
                Some(c) if c.is_numeric() => TokenKind::Number,
                Some(c) if c.is_alphanumeric() => TokenKind::Word,
                _ => TokenKind::Punct,
            };
            tokens.push(Token {
                span: Span::new(ts, text.len()),
                kind,
            });
        }
        sents.push(Sentence {
            span: Span::new(start, text.len()),
            tokens: first..tokens.len(),
        });
        text.push('\n');
    }
    let attributions = crate::attribution::find(&text, &tokens, &sents, lang);
    let timexes: Vec<Span> = crate::timex::tag(&text, lang, crate::document::PubDate::Unknown)
        .iter()
        .map(|t| t.span)
        .collect();
    match model {
        None => find(&text, &tokens, &sents, lang, &attributions, &timexes),
        Some(m) => find_with(
            &text,
            &tokens,
            &sents,
            lang,
            &attributions,
            &timexes,
            m,
            None,
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`features`] as first written, every key hashed from its feature string: the
    /// reference that the word-only keys of [`Words`] must reproduce.
    fn features_spelled(s: &Words, i: usize, prev: u8) -> Vec<u64> {
        let w = |j: isize| word_at(s, i, j);
        let cur = w(0);
        let mut f = Vec::new();
        let mut push = |parts: &[&str]| f.push(feature_hash(parts));
        push(&["b"]);
        push(&["w", cur]);
        push(&["s2", suffix(cur, 2)]);
        push(&["s3", suffix(cur, 3)]);
        push(&["s4", suffix(cur, 4)]);
        push(&["p3", key3(cur)]);
        push(&["sh", shape(&s.orig[i]), if i == 0 { "0" } else { "" }]);
        push(&["w-1", w(-1)]);
        push(&["w+1", w(1)]);
        push(&["w-2", w(-2)]);
        push(&["w+2", w(2)]);
        push(&["w-1w", w(-1), cur]);
        push(&["ww+1", cur, w(1)]);
        push(&["s3-1", suffix(w(-1), 3)]);
        push(&["s3+1", suffix(w(1), 3)]);
        let pl = label_name(prev);
        push(&["pl", pl]);
        push(&["plw", pl, &s.lower[i]]);
        // The tail but for its last key (`len`), which is spelled here.
        let mut tail = Vec::new();
        tail_features(s, i, &mut tail);
        tail.pop();
        f.extend(tail);
        let bucket = match cur.chars().count() {
            0..=2 => "s",
            3..=4 => "m",
            5..=7 => "l",
            _ => "xl",
        };
        f.push(feature_hash(&["len", bucket]));
        f
    }

    /// Decoding with the per-word weights of the built-in model tags as probing the
    /// model's table for every feature (a copy of the model is not the built-in one).
    #[test]
    fn cached_word_weights_tag_as_the_table() {
        let sentences: [(Lang, &str); 4] = [
            (
                Lang::NL,
                "De Russische troepen vielen gisteren Oekraïne aan en bombardeerden Kiev .",
            ),
            (
                Lang::NL,
                "Het kabinet is gevallen nadat de coalitie ruzie kreeg over de stikstofaanpak",
            ),
            (
                Lang::EN,
                "Apple announced the iPhone 4 on Monday , analysts said , after the attack .",
            ),
            (Lang::EN, "x"),
        ];
        for (lang, text) in sentences {
            let words: Vec<&str> = text.split(' ').collect();
            let s = Words::new(lang, &words);
            let copy = model(lang).clone();
            let got = tag_with(model(lang), &s);
            assert_eq!(got, tag_with(&copy, &s), "{text}");
        }
        // The copy's decoding is the plain one: the same scores as `Model::scores`.
        let words: Vec<&str> = sentences[2].1.split(' ').collect();
        let s = Words::new(Lang::EN, &words);
        let copy = model(Lang::EN).clone();
        let mut prev = O;
        let mut want = Vec::new();
        for i in 0..words.len() {
            let l = perceptron::best(&copy.scores(&features(&s, i, prev)), prev);
            let l = if l == O
                && s.types[i].is_some_and(|t| STRONG.contains(&t))
                && !is_name(&s.orig[i], i)
            {
                B
            } else {
                l
            };
            match l {
                B => want.push(i..i + 1),
                I => want.last_mut().unwrap().end = i + 1,
                _ => {}
            }
            prev = l;
        }
        assert_eq!(tag_with(model(Lang::EN), &s), want);
    }

    #[test]
    fn word_keys_spell_the_features() {
        let sentences: [(Lang, &str); 4] = [
            (
                Lang::NL,
                "De Russische troepen vielen gisteren Oekraïne aan .",
            ),
            (
                Lang::NL,
                "\"Zolang\" het ÉÉN-op-één gesprek duurde, zei hij niets ; testvluchten",
            ),
            (
                Lang::EN,
                "Apple announced the iPhone 4 on Monday , analysts said .",
            ),
            (Lang::EN, "x"),
        ];
        for (lang, text) in sentences {
            let words: Vec<&str> = text.split(' ').collect();
            // Twice: fresh and from the word cache.
            for _ in 0..2 {
                let s = Words::new(lang, &words);
                for i in 0..words.len() {
                    for prev in [O, B, I] {
                        assert_eq!(features(&s, i, prev), features_spelled(&s, i, prev));
                    }
                }
            }
        }
    }

    #[test]
    fn copulas_are_told_apart_by_their_predicate() {
        use Predication::*;
        // "De iPod is niet verkrijgbaar ." : the adjective is the predicate.
        let p = predications(&["DET", "PROPN", "AUX", "ADV", "ADJ", "PUNCT"]);
        assert_eq!(p[2], CopulaAdjectival);
        assert_eq!(p[4], PredicateAdjective);
        // "Apple is de grootste maker ." : an attributive adjective, a nominal predicate.
        let p = predications(&["PROPN", "AUX", "DET", "ADJ", "NOUN", "PUNCT"]);
        assert_eq!((p[1], p[3]), (CopulaNominal, None));
        // Verb-final "… dat de telefoon verkrijgbaar zal zijn": before the auxiliaries.
        let p = predications(&["SCONJ", "DET", "NOUN", "ADJ", "AUX", "AUX"]);
        assert_eq!(
            (p[3], p[4], p[5]),
            (PredicateAdjective, CopulaAdjectival, CopulaAdjectival)
        );
        // An auxiliary with a verb in its clause is no copula: "is snel verkocht".
        let p = predications(&["PRON", "AUX", "ADJ", "VERB"]);
        assert!(p.iter().all(|x| *x == None));
    }
}

#[cfg(test)]
mod noun_tests {
    use super::*;

    /// The test of the last two bytes rules out only words that the look-ups would too.
    #[test]
    fn event_noun_ends_rule_out_as_lookups() {
        let corpus = include_str!("../../../kroniek-cli/demo/corpus.jsonl");
        for lang in [Lang::NL, Lang::EN] {
            let nouns = event_nouns(lang);
            let mut words: Vec<String> = corpus
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect();
            for n in &nouns.words {
                words.extend([
                    n.clone(),
                    format!("test{n}"),
                    format!("{n}s"),
                    n.chars().skip(1).collect(),
                ]);
            }
            words.extend(["", "a", "én", "ën"].map(String::from));
            let mut hits = 0;
            for w in &words {
                let plain = nouns.words.contains(w.as_str())
                    || compound_heads(w).any(|h| nouns.words.contains(h));
                assert_eq!(nouns.matches(w), plain, "{w}");
                hits += usize::from(plain);
            }
            assert!(nouns.words.is_empty() || hits > 0);
        }
    }

    /// Events found with the word ids of the first tagger pass are those found without,
    /// whether the ids are still valid, stale (the word cache was emptied in between) or
    /// from another thread's cache.
    #[test]
    fn shared_word_ids_find_what_fresh_look_ups_find() {
        let cases = [
            (
                Lang::NL,
                "De regering viel dinsdag. Volgens de BBC zou de leider gewond zijn geraakt.",
            ),
            (
                Lang::EN,
                "The company said it sold the plant. Rebels attacked the town on Monday.",
            ),
        ];
        for (lang, text) in cases {
            let tokens = crate::text::tokenize(text, lang);
            let sentences = crate::text::sentences(text, &tokens);
            let find = |words: Option<&WordIds>, upos: &[crate::syntax::Upos]| {
                find_tagged_words(text, &tokens, &sentences, lang, &[], &[], upos, words)
            };
            let (upos, words) = first_pass_tags_and_words(text, &tokens, &sentences, lang).unwrap();
            let expected = find(None, &upos);
            assert!(!expected.is_empty(), "{text}");
            assert_eq!(find(Some(&words), &upos), expected, "valid ids: {text}");
            // Ids made on another thread belong to another cache.
            let (_, other) = std::thread::scope(|t| {
                t.spawn(|| first_pass_tags_and_words(text, &tokens, &sentences, lang).unwrap())
                    .join()
                    .unwrap()
            });
            assert_ne!(other.generation, words.generation);
            assert_eq!(
                find(Some(&other), &upos),
                expected,
                "another thread's ids: {text}"
            );
            // Enough new forms to empty the cache: the ids are stale, looked up again.
            let many: String = (0..20_000).map(|i| format!("w{i} ")).collect();
            let many_tokens = crate::text::tokenize(&many, lang);
            let many_sentences = crate::text::sentences(&many, &many_tokens);
            first_pass_tags_and_words(&many, &many_tokens, &many_sentences, lang);
            assert_eq!(find(Some(&words), &upos), expected, "stale ids: {text}");
            let (_, now) = first_pass_tags_and_words(text, &tokens, &sentences, lang).unwrap();
            assert_ne!(now.generation, words.generation);
        }
    }
}
