//! Multiword event idioms: a fixed phrase and a verb that together name one event
//! ("op de markt brengen", "om het leven komen", "in staat stellen"), from
//! `resources/<lang>/event_idioms.txt`.
//!
//! MEANTIME marks the phrase and the verb as one mention that starts at the phrase's first
//! word, with the words between them left out ("op de markt wordt gebracht"). The trigger
//! model sees the verb (trainers move the gold mark there, as for separable particles) and
//! [`find`] restores the mention.

use std::ops::Range;

use super::Words;
use crate::lang::Lang;
use crate::resources;

/// One idiom: the fixed words, the stems of the verb forms that complete it, and its
/// ontology type (`other` when the list gives none).
struct Idiom {
    phrase: Vec<String>,
    verbs: Vec<String>,
    kind: &'static str,
}

/// The idioms of a language, in list order, and their indexes by first word.
#[derive(Default)]
struct Idioms {
    list: Vec<Idiom>,
    by_first: crate::fasthash::FastMap<String, Vec<usize>>,
}

fn load(lang: Lang) -> Idioms {
    let list: Vec<Idiom> = resources::lines(lang, "event_idioms.txt")
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let phrase: Vec<String> = cols
                .next()?
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
            let verbs: Vec<String> = cols
                .next()?
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
            let kind = cols
                .next()
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .unwrap_or("other");
            (!phrase.is_empty() && !verbs.is_empty()).then_some(Idiom {
                phrase,
                verbs,
                kind,
            })
        })
        .collect();
    let mut by_first: crate::fasthash::FastMap<String, Vec<usize>> = Default::default();
    for (k, idiom) in list.iter().enumerate() {
        by_first.entry(idiom.phrase[0].clone()).or_default().push(k);
    }
    Idioms { list, by_first }
}

fn idioms(lang: Lang) -> &'static Idioms {
    static CACHE: resources::PerLanguage<Idioms> = resources::PerLanguage::new();
    CACHE.get(lang, load, Idioms::default)
}

/// How far (in words) the verb may stand from the phrase.
const MAX_DISTANCE: usize = 6;

/// One idiom found in a sentence: the phrase's words and the verb's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The fixed words.
    pub phrase: Range<usize>,
    /// The verb that completes them.
    pub verb: usize,
    /// The idiom's ontology type: its own, not its verb's (`in werking treden` is no
    /// resignation).
    pub kind: &'static str,
}

impl Match {
    /// The words of the mention, in order.
    pub fn range(&self) -> Range<usize> {
        self.phrase.start.min(self.verb)..self.phrase.end.max(self.verb + 1)
    }

    /// The words inside [`Match::range`] that are not part of the mention.
    pub fn gaps(&self) -> Vec<usize> {
        self.range()
            .filter(|&t| t != self.verb && !self.phrase.contains(&t))
            .collect()
    }
}

/// The idioms of a sentence. The verb must be a verb form of one of the idiom's stems
/// (`brengt`, `bracht`, `gebracht` for `breng bracht`) within [`MAX_DISTANCE`] words of
/// the phrase and in the same clause (no punctuation between); a verb after the phrase
/// (verb-final clauses) is preferred to one before it. A verb completes one idiom only.
pub fn find(lang: Lang, s: &Words) -> Vec<Match> {
    let all = idioms(lang);
    let mut out: Vec<Match> = Vec::new();
    if all.list.is_empty() {
        return out;
    }
    let n = s.lower.len();
    let is_verb = |i: usize| s.pos.get(i).is_none_or(|t| matches!(*t, "VERB" | "AUX"));
    let breaks = |i: usize| !s.lower[i].chars().any(char::is_alphanumeric);
    for start in 0..n {
        if out.last().is_some_and(|m| start < m.phrase.end) {
            continue;
        }
        let Some(candidates) = all.by_first.get(s.lower[start].as_str()) else {
            continue;
        };
        for idiom in candidates.iter().map(|&k| &all.list[k]) {
            let len = idiom.phrase.len();
            if start + len > n || (0..len).any(|k| s.lower[start + k] != idiom.phrase[k]) {
                continue;
            }
            let completes = |i: usize| {
                is_verb(i) && !out.iter().any(|m| m.verb == i) && {
                    let w = s.lower[i].as_str();
                    let stem = w.strip_prefix("ge").filter(|r| r.len() > 2);
                    idiom.verbs.iter().any(|v| {
                        w.starts_with(v.as_str()) || stem.is_some_and(|r| r.starts_with(v.as_str()))
                    })
                }
            };
            let after = (start + len..n.min(start + len + MAX_DISTANCE))
                .take_while(|&i| !breaks(i))
                .find(|&i| completes(i));
            let before = || {
                (start.saturating_sub(MAX_DISTANCE)..start)
                    .rev()
                    .take_while(|&i| !breaks(i))
                    .find(|&i| completes(i))
            };
            if let Some(verb) = after.or_else(before) {
                out.push(Match {
                    phrase: start..start + len,
                    verb,
                    kind: idiom.kind,
                });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(text: &str) -> Vec<(String, String)> {
        let words: Vec<&str> = text.split(' ').collect();
        let s = Words::new(Lang::NL, &words);
        find(Lang::NL, &s)
            .into_iter()
            .map(|m| (words[m.phrase.clone()].join(" "), words[m.verb].to_string()))
            .collect()
    }

    #[test]
    fn phrase_and_verb_in_either_order() {
        assert_eq!(
            matches("Het besturingssysteem wordt volgend jaar op de markt gebracht ."),
            vec![("op de markt".to_string(), "gebracht".to_string())]
        );
        assert_eq!(
            matches("Apple bracht de telefoon vorig jaar op de markt ."),
            vec![("op de markt".to_string(), "bracht".to_string())]
        );
        assert_eq!(
            matches("Bij het ongeluk kwamen 21 mensen om het leven ."),
            vec![("om het leven".to_string(), "kwamen".to_string())]
        );
    }

    #[test]
    fn a_verb_completes_one_idiom_only() {
        assert_eq!(
            matches("Hij bracht het op de markt en onder de aandacht ."),
            vec![("op de markt".to_string(), "bracht".to_string())]
        );
    }

    #[test]
    fn no_idiom_without_its_verb_in_the_clause() {
        assert!(matches("De prijs op de markt daalde , zo bracht het nieuws .").is_empty());
        assert!(matches("Hij woont in staat New York .").is_empty());
        // "gevraagd" is no form of "geven" (stems are prefixes, also after "ge").
        assert!(matches("Er werd om commentaar gevraagd .").is_empty());
    }

    #[test]
    fn gaps_are_the_words_between_phrase_and_verb() {
        let m = Match {
            phrase: 2..5,
            verb: 6,
            kind: "other",
        };
        assert_eq!(m.range(), 2..7);
        assert_eq!(m.gaps(), vec![5]);
    }
}
