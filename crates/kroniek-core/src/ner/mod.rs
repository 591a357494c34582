//! Named-entity recognition: a sequence labeller that kroniek trains itself.
//!
//! The model is an averaged structured perceptron over IOB2 labels with constrained
//! first-order Viterbi decoding ([`train`]). Features ([`features`]) are hashed into
//! 32-bit keys: the word and its lower case, shapes, affixes, a ±2 window, sentence
//! position, capitalisation evidence from the rest of the document, gazetteer matches and
//! induced word clusters. Gazetteer and clusters are compiled *into* the model file, so
//! tagging reads nothing but `models/<lang>/ner.bin`, embedded at compile time.
//!
//! ```
//! use kroniek_core::ner::{self, EntityType};
//! use kroniek_core::Lang;
//!
//! if let Some(tagger) = ner::tagger(Lang::NL) {
//!     let tags = tagger.tag_document(&[vec!["Trump", "bezocht", "Mosul", "."]]);
//!     assert_eq!(tags[0].len(), 4);
//! }
//! assert_eq!(EntityType::parse("PER"), Some(EntityType::Per));
//! ```

use crate::lang::Lang;
use crate::resources;
use crate::span::Span;
use crate::text::{Sentence, Token};

pub mod acronyms;
pub mod clusters;
pub mod cues;
pub mod features;
pub mod gazetteer;
mod hash;
pub mod model;
pub mod score;
pub mod train;

pub use clusters::Clusters;
pub use cues::NameCues;
pub use features::DocStats;
pub use gazetteer::Gazetteer;
pub use model::{ModelError, Tagger};
pub use score::{chunks, score_sequences, Scores};
pub use train::{train, EpochReport, LabeledDoc, LabeledSentence, TrainConfig, Trained};

/// The file name of a language's model under `models/<lang>/`.
pub const MODEL_FILE: &str = "ner.bin";

/// The CoNLL entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityType {
    /// A person.
    Per,
    /// An organisation.
    Org,
    /// A location.
    Loc,
    /// Anything else with a name (events, works, nationalities, products).
    Misc,
}

impl EntityType {
    /// The type of an entity from its mentions' types and counts: the most votes, where a
    /// MISC mention counts half and MISC loses ties; other ties go to the type given last
    /// (its first vote, when a type is given more than once). MISC is the tagger's
    /// catch-all and where its doubts go (a surname it has not seen, "al-Baghdadi", comes
    /// out MISC beside the full name's PER), so it names the entity only when the others
    /// are few.
    pub fn majority(votes: impl IntoIterator<Item = (EntityType, usize)>) -> Option<EntityType> {
        let mut sums: Vec<(EntityType, usize)> = Vec::with_capacity(4);
        for (t, n) in votes {
            let n = if t == EntityType::Misc { n } else { 2 * n };
            match sums.iter_mut().find(|s| s.0 == t) {
                Some(s) => s.1 += n,
                None => sums.push((t, n)),
            }
        }
        sums.into_iter()
            .filter(|s| s.1 > 0)
            .max_by_key(|&(t, n)| (n, t != EntityType::Misc))
            .map(|s| s.0)
    }

    /// `PER`, `ORG`, `LOC` or `MISC`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Org => "ORG",
            EntityType::Loc => "LOC",
            EntityType::Misc => "MISC",
        }
    }

    /// Parses `PER`/`ORG`/`LOC`/`MISC` (case-insensitive; `GPE` and `FAC` count as places).
    pub fn parse(s: &str) -> Option<EntityType> {
        // Compared without an upper-cased copy: this runs for every name found.
        let is = |names: &[&str]| names.iter().any(|n| s.eq_ignore_ascii_case(n));
        if is(&["PER", "PERSON"]) {
            Some(EntityType::Per)
        } else if is(&["ORG", "ORGANIZATION", "ORGANISATION"]) {
            Some(EntityType::Org)
        } else if is(&["LOC", "LOCATION", "GPE", "FAC"]) {
            Some(EntityType::Loc)
        } else if is(&["MISC"]) {
            Some(EntityType::Misc)
        } else {
            None
        }
    }
}

/// A recognised name: where it is, its type, and the tokens it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMention {
    /// Byte span in the document text.
    pub span: Span,
    /// Its type.
    pub etype: EntityType,
    /// Indexes into the analysis' token list.
    pub tokens: std::ops::Range<usize>,
    /// Whether a cue before the name gave its type ([`NameCues`]: "de rederij …").
    pub cued: bool,
}

fn load(lang: Lang) -> Option<&'static Result<Tagger, ModelError>> {
    // Per language: its model, loaded on first use (`None`: no model file).
    static MODELS: resources::PerLanguage<Option<Result<Tagger, ModelError>>> =
        resources::PerLanguage::new();
    MODELS
        .get(
            lang,
            |l| resources::bytes(l, MODEL_FILE).map(Tagger::from_bytes),
            || None,
        )
        .as_ref()
}

/// The embedded tagger of a language, loaded once; `None` if there is no (valid) model.
pub fn tagger(lang: Lang) -> Option<&'static Tagger> {
    load(lang)?.as_ref().ok()
}

/// Why the embedded model of a language failed to load, if it did.
pub fn load_error(lang: Lang) -> Option<&'static ModelError> {
    load(lang)?.as_ref().err()
}

/// Arabic article particles written in lower case before a capitalised name part.
const PARTICLES: &[&str] = &[
    "al-", "el-", "ad-", "ar-", "as-", "ash-", "at-", "az-", "an-",
];

/// The form the tagger sees: `al-Baghdadi` is shown as `Al-Baghdadi`, the spelling the
/// training data has (news text writes both).
fn tagging_form(word: &str) -> std::borrow::Cow<'_, str> {
    // Every particle starts with `a` or `e`: most words are out after one byte.
    if !matches!(word.as_bytes().first(), Some(b'a' | b'e')) {
        return word.into();
    }
    for p in PARTICLES {
        if let Some(rest) = word.strip_prefix(p) {
            if rest.chars().next().is_some_and(char::is_uppercase) {
                let mut s = String::with_capacity(word.len());
                s.extend(word[..1].chars().flat_map(char::to_uppercase));
                s.push_str(&word[1..]);
                return s.into();
            }
        }
    }
    word.into()
}

/// Finds the names in an analysed text with `tagger`; a name right after a type cue of the
/// language ([`NameCues`]) takes the cue's type.
pub fn recognize(
    lang: Lang,
    tagger: &Tagger,
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
) -> Vec<NameMention> {
    let words: Vec<Vec<std::borrow::Cow<'_, str>>> = sentences
        .iter()
        .map(|s| {
            tokens[s.tokens.clone()]
                .iter()
                .map(|t| tagging_form(&text[t.span.range()]))
                .collect()
        })
        .collect();
    let mut tags = tagger.tag_document(&words);
    acronyms::expand(&words, &mut tags, acronyms::joiners(lang));
    let cues = NameCues::for_language(lang);
    let mut out = Vec::new();
    for (si, ((s, t), w)) in sentences.iter().zip(&tags).zip(&words).enumerate() {
        for (a, b, ty) in chunks(t) {
            let Some(tagged) = EntityType::parse(ty) else {
                continue;
            };
            let dateline = if si == 0 {
                cues::dateline_type(w, a, b)
            } else {
                None
            };
            let cue = dateline.or_else(|| cues.type_of(w, a, b));
            let etype = cue.unwrap_or(tagged);
            let (first, last) = (s.tokens.start + a, s.tokens.start + b - 1);
            out.push(NameMention {
                span: Span::new(
                    tokens[first].span.start as usize,
                    tokens[last].span.end as usize,
                ),
                etype,
                tokens: first..last + 1,
                cued: cue.is_some(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod form_tests {
    #[test]
    fn particles_are_capitalised_for_tagging() {
        assert_eq!(super::tagging_form("al-Baghdadi"), "Al-Baghdadi");
        assert_eq!(super::tagging_form("al-qaida"), "al-qaida");
        assert_eq!(super::tagging_form("Mosul"), "Mosul");
    }
}
