//! Type cues: words right before a name that say what it names. "de rederij Lindqvist
//! Line" is an organisation, "ten zuiden van Port Kessel" a place, whatever the tagger
//! guessed for a name it has never seen. The cues are data, `resources/<lang>/name_cues.txt`.
//!
//! A cue is a common noun or a fixed phrase written in lower case: a capitalised word
//! before a name ("Nederland Frans Bauer", "Kapitein Ilse Vermeer") is no cue, so that
//! names and titles keep the tagger's judgement.
//!
//! A name's own head word can say the same ("Kanaalautoriteit van Kessel", "Kessel Canal
//! Authority", "Grote Meer"): heads are data too, `resources/<lang>/name_heads.txt`. The
//! tagger reads "X van Y" as a Dutch surname and has never seen the compound.

use super::EntityType;
use crate::lang::Lang;
use crate::resources;

/// One word of a cue.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CueWord {
    /// The word itself (lower case).
    Exact(String),
    /// The word or any word ending in it (`*bureau`: "bureau", "scheepvaartadviesbureau").
    Suffix(String),
}

impl CueWord {
    fn matches(&self, word: &str) -> bool {
        match self {
            CueWord::Exact(w) => word == w,
            CueWord::Suffix(s) => word.ends_with(s.as_str()),
        }
    }
}

/// The type cues of one language.
#[derive(Debug, Clone, Default)]
pub struct NameCues {
    cues: Vec<(EntityType, Vec<CueWord>)>,
    heads: Vec<(EntityType, CueWord)>,
    /// The number of words of the longest cue.
    longest: usize,
}

impl NameCues {
    /// Parses lines `TYPE word…` (`ORG *rederij`, `LOC ten zuiden van`); `#` starts a
    /// comment line. Lines with an unknown type or no words are skipped.
    pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> NameCues {
        let cues: Vec<(EntityType, Vec<CueWord>)> = parse_typed_words(lines)
            .into_iter()
            .filter(|(_, words)| !words.is_empty())
            .collect();
        let longest = cues.iter().map(|c| c.1.len()).max().unwrap_or(0);
        NameCues {
            cues,
            heads: Vec::new(),
            longest,
        }
    }

    /// Adds head words from lines `TYPE word` (`ORG *autoriteit`, `LOC meer`): a name
    /// whose head is the word, or ends in a `*` suffix, is of that type. Lines with more
    /// or fewer than one word are skipped.
    pub fn with_heads<'a>(mut self, lines: impl IntoIterator<Item = &'a str>) -> NameCues {
        self.heads = parse_typed_words(lines)
            .into_iter()
            .filter_map(|(t, mut words)| (words.len() == 1).then(|| (t, words.remove(0))))
            .collect();
        self
    }

    /// The cues of a language (none for a language without the file), loaded once.
    pub fn for_language(lang: Lang) -> &'static NameCues {
        static CUES: resources::PerLanguage<NameCues> = resources::PerLanguage::new();
        CUES.get(
            lang,
            |l| {
                NameCues::parse(resources::lines(l, "name_cues.txt"))
                    .with_heads(resources::lines(l, "name_heads.txt"))
            },
            NameCues::default,
        )
    }

    /// The type that the words just before a name (`before`, in text order, the last one
    /// adjacent to the name) give it, if they end with a cue. The cue's last word must be
    /// written in lower case; the longest matching cue wins.
    pub fn type_before<S: AsRef<str>>(&self, before: &[S]) -> Option<EntityType> {
        let last = before.last()?.as_ref();
        if !last.chars().next().is_some_and(char::is_lowercase) {
            return None;
        }
        // The words a cue can cover, lower-cased once (not once per cue tried).
        let lower: Vec<String> = before[before.len() - self.longest.min(before.len())..]
            .iter()
            .map(|w| w.as_ref().to_lowercase())
            .collect();
        let mut best: Option<(usize, EntityType)> = None;
        for (etype, words) in &self.cues {
            if words.len() > lower.len() || best.is_some_and(|(n, _)| n >= words.len()) {
                continue;
            }
            let tail = &lower[lower.len() - words.len()..];
            // From the last word, which tells most cues apart.
            if words.iter().zip(tail).rev().all(|(c, w)| c.matches(w)) {
                best = Some((words.len(), *etype));
            }
        }
        best.map(|(_, t)| t)
    }

    /// The type that a name's head word gives it. The head is the word before the first
    /// lower-case word inside the name ("Kanaalautoriteit van Kessel", "University of
    /// Leicester"), else its last word ("Kessel Canal Authority", "Grote Meer").
    pub fn type_of_name<S: AsRef<str>>(&self, name: &[S]) -> Option<EntityType> {
        if self.heads.is_empty() || name.is_empty() {
            return None;
        }
        let inner = (1..name.len()).find(|&j| {
            name[j]
                .as_ref()
                .chars()
                .next()
                .is_some_and(char::is_lowercase)
        });
        let head = name[inner.map_or(name.len(), |j| j) - 1]
            .as_ref()
            .to_lowercase();
        // A name that is the bare head word alone ("Island", "Stichting") says nothing.
        let bare = |w: &CueWord| {
            name.len() == 1 && matches!(w, CueWord::Exact(s) | CueWord::Suffix(s) if *s == head)
        };
        self.heads
            .iter()
            .find(|(_, w)| w.matches(&head) && !bare(w))
            .map(|(t, _)| *t)
    }

    /// The type that the words before a name or else its head word give it
    /// ([`Self::type_before`], [`Self::type_of_name`]).
    pub fn type_of<S: AsRef<str>>(&self, words: &[S], a: usize, b: usize) -> Option<EntityType> {
        self.type_before(&words[..a])
            .or_else(|| self.type_of_name(&words[a..b]))
    }

    /// Whether the language has no cues and no heads.
    pub fn is_empty(&self) -> bool {
        self.cues.is_empty() && self.heads.is_empty()
    }
}

/// Lines `TYPE word…` as the type and its words (`*` marks a suffix); lines with an
/// unknown type are skipped.
fn parse_typed_words<'a>(
    lines: impl IntoIterator<Item = &'a str>,
) -> Vec<(EntityType, Vec<CueWord>)> {
    lines
        .into_iter()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let etype = fields.next().and_then(EntityType::parse)?;
            let words = fields
                .map(|w| match w.strip_prefix('*') {
                    Some(s) => CueWord::Suffix(s.to_lowercase()),
                    None => CueWord::Exact(w.to_lowercase()),
                })
                .collect();
            Some((etype, words))
        })
        .collect()
}

/// The type a news dateline gives a name in the first sentence of an article (words
/// `a..b` of `words`): the place in capitals that opens it ("PORT KESSEL, March 20",
/// "DEN HAAG (ANP) -") and the agency in brackets before the dash ("(Global Wire) -",
/// "(Reuters) -"). Wire copy writes every article so; the tagger, which has not seen the
/// place in capitals, calls it anything.
pub fn dateline_type<S: AsRef<str>>(words: &[S], a: usize, b: usize) -> Option<EntityType> {
    let word = |i: usize| words.get(i).map(AsRef::as_ref);
    let capitals = words.get(a..b)?.iter().all(|w| {
        let w = w.as_ref();
        w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase)
    });
    if a == 0 && capitals && (matches!(word(b), Some("," | "(")) || is_dash(word(b))) {
        return Some(EntityType::Loc);
    }
    dateline_agency(words, a, b).then_some(EntityType::Org)
}

fn is_dash(w: Option<&str>) -> bool {
    matches!(w, Some("-" | "–" | "—" | "--"))
}

/// Whether words `a..b` of an article's first sentence are the agency of its dateline:
/// in brackets right before the dash ("(Global Wire) -", "(Reuters) -").
pub fn dateline_agency<S: AsRef<str>>(words: &[S], a: usize, b: usize) -> bool {
    let word = |i: usize| words.get(i).map(AsRef::as_ref);
    a > 0 && a < 16 && word(a - 1) == Some("(") && word(b) == Some(")") && is_dash(word(b + 1))
}

/// Retypes the names in BIO-tagged sentences (`B-ORG`, `I-ORG`, `O`) whose preceding
/// words are a cue or whose head word has a type; returns the changed tags as owned strings. Used where tags are written
/// out (`kroniek ner --conll`); [`super::recognize`] applies the same cues to mentions.
pub fn retype_tags<S: AsRef<str>>(
    cues: &NameCues,
    words: &[S],
    tags: &[&str],
) -> Vec<Option<String>> {
    let mut out = vec![None; tags.len()];
    if cues.is_empty() {
        return out;
    }
    for (a, b, ty) in super::chunks(tags) {
        let Some(cued) = cues.type_of(words, a, b) else {
            continue;
        };
        if EntityType::parse(ty) == Some(cued) {
            continue;
        }
        for (i, slot) in out.iter_mut().enumerate().take(b).skip(a) {
            let prefix = if i == a { "B-" } else { "I-" };
            *slot = Some(format!("{prefix}{}", cued.as_str()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues() -> NameCues {
        NameCues::parse([
            "# comment",
            "ORG *rederij",
            "ORG firm",
            "LOC ten zuiden van",
            "LOC van",
            "XYZ nonsense",
            "ORG",
        ])
    }

    #[test]
    fn exact_suffix_and_phrase_cues() {
        let c = cues();
        assert_eq!(c.cues.len(), 4);
        assert_eq!(c.type_before(&["de", "rederij"]), Some(EntityType::Org));
        assert_eq!(
            c.type_before(&["de", "containerrederij"]),
            Some(EntityType::Org)
        );
        assert_eq!(c.type_before(&["tracking", "firm"]), Some(EntityType::Org));
        assert_eq!(c.type_before(&["firma"]), None);
        // The longest cue wins over the shorter "van".
        assert_eq!(
            c.type_before(&["kilometer", "ten", "zuiden", "van"]),
            Some(EntityType::Loc)
        );
        assert_eq!(
            c.type_before(&["Ten", "zuiden", "van"]),
            Some(EntityType::Loc)
        );
    }

    #[test]
    fn capitalised_words_and_bare_suffixes_are_no_cues() {
        let c = cues();
        assert_eq!(c.type_before(&["Rederij"]), None);
        assert_eq!(c.type_before(&["rederij", "Frans"]), None);
        assert_eq!(c.type_before(&["rederij"]), Some(EntityType::Org));
        let none: [&str; 0] = [];
        assert_eq!(c.type_before(&none), None);
    }

    #[test]
    fn retype_tags_changes_only_cued_names() {
        let c = cues();
        let words = ["de", "rederij", "Lindqvist", "Line", "en", "Jan", "Smit"];
        let tags = ["O", "O", "B-PER", "I-PER", "O", "B-PER", "I-PER"];
        let out = retype_tags(&c, &words, &tags);
        assert_eq!(out[2].as_deref(), Some("B-ORG"));
        assert_eq!(out[3].as_deref(), Some("I-ORG"));
        assert!(out[..2].iter().chain(&out[4..]).all(Option::is_none));
        // Already the cued type: nothing to change.
        let tags = ["O", "O", "B-ORG", "I-ORG", "O", "B-PER", "I-PER"];
        assert!(retype_tags(&c, &words, &tags).iter().all(Option::is_none));
    }

    #[test]
    fn a_names_head_word_gives_its_type() {
        let c = NameCues::default().with_heads(["ORG *autoriteit", "LOC meer", "ORG a b"]);
        assert_eq!(c.heads.len(), 2);
        let t = |n: &[&str]| c.type_of_name(n);
        // The head is the word before the first lower-case word, else the last word.
        assert_eq!(
            t(&["Kanaalautoriteit", "van", "Kessel"]),
            Some(EntityType::Org)
        );
        assert_eq!(t(&["Kessel", "Kanaalautoriteit"]), Some(EntityType::Org));
        assert_eq!(t(&["Grote", "Meer"]), Some(EntityType::Loc));
        assert_eq!(t(&["Meer", "van", "Genève"]), Some(EntityType::Loc));
        // Not the head: a word elsewhere in the name, or an exact head inside a longer word.
        assert_eq!(t(&["Autoriteit", "Jansen"]), None);
        assert_eq!(t(&["Vermeer"]), None);
        assert_eq!(t(&["Jan", "Vermeer"]), None);
        // The bare head word alone is no evidence; a compound is.
        assert_eq!(t(&["Autoriteit"]), None);
        assert_eq!(t(&["Meer"]), None);
        assert_eq!(t(&["Voedselautoriteit"]), Some(EntityType::Org));
        let none: [&str; 0] = [];
        assert_eq!(t(&none), None);
    }

    #[test]
    fn a_cue_before_a_name_wins_over_its_head() {
        let c = cues().with_heads(["LOC meer"]);
        let w = [
            "de", "rederij", "Grote", "Meer", "en", "het", "Grote", "Meer",
        ];
        assert_eq!(c.type_of(&w, 2, 4), Some(EntityType::Org));
        assert_eq!(c.type_of(&w, 6, 8), Some(EntityType::Loc));
        let tags = ["O", "O", "B-PER", "I-PER", "O", "O", "B-PER", "I-PER"];
        let out = retype_tags(&c, &w, &tags);
        assert_eq!(out[2].as_deref(), Some("B-ORG"));
        assert_eq!(out[6].as_deref(), Some("B-LOC"));
        assert_eq!(out[7].as_deref(), Some("I-LOC"));
    }

    #[test]
    fn datelines_give_place_and_agency() {
        let w = [
            "PORT", "KESSEL", ",", "March", "20", "(", "Global", "Wire", ")", "-", "A", "ship",
        ];
        assert_eq!(dateline_type(&w, 0, 2), Some(EntityType::Loc));
        assert_eq!(dateline_type(&w, 6, 8), Some(EntityType::Org));
        let nl = ["DEN", "HAAG", "(", "ANP", ")", "-", "Het", "kabinet"];
        assert_eq!(dateline_type(&nl, 0, 2), Some(EntityType::Loc));
        assert_eq!(dateline_type(&nl, 3, 4), Some(EntityType::Org));
        // Not a dateline: a name in ordinary case, or a bracket without the dash.
        let plain = [
            "Port", "Kessel", ",", "the", "port", "(", "Global", "Wire", ")", ".",
        ];
        assert_eq!(dateline_type(&plain, 0, 2), None);
        assert_eq!(dateline_type(&plain, 6, 8), None);
        assert_eq!(dateline_type(&plain, 9, 12), None);
    }

    #[test]
    fn shipped_cue_files_parse() {
        for lang in [Lang::NL, Lang::EN] {
            let c = NameCues::for_language(lang);
            assert!(!c.is_empty(), "{lang}: no name cues");
        }
        let nl = NameCues::for_language(Lang::NL);
        assert_eq!(
            nl.type_before(&["het", "scheepvaartadviesbureau"]),
            Some(EntityType::Org)
        );
        assert_eq!(
            nl.type_before(&["twaalf", "kilometer", "ten", "zuiden", "van"]),
            Some(EntityType::Loc)
        );
        assert_eq!(
            nl.type_of_name(&["Kanaalautoriteit", "van", "Kessel"]),
            Some(EntityType::Org)
        );
        let en = NameCues::for_language(Lang::EN);
        assert_eq!(en.type_before(&["tracking", "firm"]), Some(EntityType::Org));
        assert_eq!(
            en.type_of_name(&["Kessel", "Canal", "Authority"]),
            Some(EntityType::Org)
        );
        assert_eq!(en.type_of_name(&["Great", "Lake"]), Some(EntityType::Loc));
        assert_eq!(en.type_before(&["north", "of"]), Some(EntityType::Loc));
    }
}
