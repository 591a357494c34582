//! Spelled-out acronyms. When the tagger calls "KCA" a name somewhere in a document, a run
//! of capitalised words elsewhere in it whose initials spell K-C-A ("the Kessel Canal
//! Authority") is that name too, with the acronym's type. Taggers often miss such a long
//! name, or tag only a piece of it ("Kessel" as a place), in the article's first sentence,
//! the very place where news spells the acronym out.
//!
//! Small words that stand inside such names without giving a letter ("Organisation of
//! Petroleum Exporting Countries") are data: `resources/<lang>/name_joiners.txt`.

use super::EntityType;
use crate::lang::Lang;
use crate::resources;

/// Acronyms of 2 to 6 letters: shorter is a word, longer is rarely spelled out.
const LETTERS: std::ops::RangeInclusive<usize> = 2..=6;

/// The joiner words of a language (lower case), loaded once.
pub fn joiners(lang: Lang) -> &'static [String] {
    static JOINERS: resources::PerLanguage<Vec<String>> = resources::PerLanguage::new();
    JOINERS.get(
        lang,
        |l| {
            resources::lines(l, "name_joiners.txt")
                .map(str::to_lowercase)
                .collect()
        },
        Vec::new,
    )
}

fn tag(first: bool, t: EntityType) -> &'static str {
    match (first, t) {
        (true, EntityType::Per) => "B-PER",
        (true, EntityType::Org) => "B-ORG",
        (true, EntityType::Loc) => "B-LOC",
        (true, EntityType::Misc) => "B-MISC",
        (false, EntityType::Per) => "I-PER",
        (false, EntityType::Org) => "I-ORG",
        (false, EntityType::Loc) => "I-LOC",
        (false, EntityType::Misc) => "I-MISC",
    }
}

/// The types in the order that breaks a tie of votes: an acronym is most often an
/// organisation.
const TYPES: [EntityType; 4] = [
    EntityType::Org,
    EntityType::Loc,
    EntityType::Misc,
    EntityType::Per,
];

fn is_acronym(w: &str) -> bool {
    LETTERS.contains(&w.len()) && w.bytes().all(|b| b.is_ascii_uppercase())
}

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// The acronyms the tagger named somewhere in the document, with the type it gave them
/// most often.
fn named_acronyms<S: AsRef<str>>(
    sentences: &[Vec<S>],
    tags: &[Vec<&str>],
) -> Vec<(String, EntityType)> {
    let mut votes: Vec<(String, [usize; 4])> = Vec::new();
    for (words, tags) in sentences.iter().zip(tags) {
        for (i, w) in words.iter().enumerate() {
            let w = w.as_ref();
            // A one-word name: B- with no I- after it (checked on the rare acronym only).
            if !is_acronym(w) || tags.get(i + 1).is_some_and(|t| t.starts_with("I-")) {
                continue;
            }
            let Some(t) = tags[i].strip_prefix("B-").and_then(EntityType::parse) else {
                continue;
            };
            let i = match votes.iter().position(|(x, _)| x == w) {
                Some(i) => i,
                None => {
                    votes.push((w.to_string(), [0; 4]));
                    votes.len() - 1
                }
            };
            if let Some(k) = TYPES.iter().position(|x| *x == t) {
                votes[i].1[k] += 1;
            }
        }
    }
    votes
        .into_iter()
        .map(|(w, v)| {
            // The most votes; on a tie the type earlier in `TYPES`.
            let best = (0..4).rev().max_by_key(|&i| v[i]).unwrap_or(0);
            (w, TYPES[best])
        })
        .collect()
}

/// The end of a run from `start` whose capitalised words' initials spell `acronym`, with
/// joiners allowed between them; `None` if there is none.
fn spelled_from<S: AsRef<str>>(
    words: &[S],
    start: usize,
    acronym: &str,
    joiners: &[String],
) -> Option<usize> {
    let mut letters = acronym.chars();
    let mut i = start;
    let mut next = letters.next();
    while let Some(letter) = next {
        let w = words.get(i)?.as_ref();
        if capitalised(w) && !is_acronym(w) {
            if !w
                .chars()
                .next()
                .is_some_and(|c| c.eq_ignore_ascii_case(&letter))
            {
                return None;
            }
            next = letters.next();
        } else if i == start || !joiners.iter().any(|j| j == w) {
            return None;
        }
        i += 1;
    }
    Some(i)
}

/// Retags, in place, the spelled-out forms of the acronyms the tagger named in this
/// document (`sentences` and `tags` of one document). A run is taken only when it is a
/// whole run of capitalised words (no capitalised word right before or after it, except
/// a sentence's first word before it), no name the tagger found sticks out of it, and
/// it is not already one whole name. Two-letter acronyms count only where the text
/// defines them: "Lindqvist Line (LL)".
pub fn expand<S: AsRef<str>>(sentences: &[Vec<S>], tags: &mut [Vec<&str>], joiners: &[String]) {
    let acronyms = named_acronyms(sentences, tags);
    if acronyms.is_empty() {
        return;
    }
    for (words, tags) in sentences.iter().zip(tags.iter_mut()) {
        let mut start = 0;
        while start < words.len() {
            let found = acronyms.iter().find_map(|(a, t)| {
                spelled_from(words, start, a, joiners).map(|end| (end, a.as_str(), *t))
            });
            let Some((end, acronym, t)) = found else {
                start += 1;
                continue;
            };
            // A sentence's first word is capitalised anyway ("The Kessel Canal …").
            let glued_before = start > 1 && capitalised(words[start - 1].as_ref());
            let glued_after = words.get(end).is_some_and(|w| capitalised(w.as_ref()));
            let sticks_out =
                tags[start].starts_with("I-") || tags.get(end).is_some_and(|t| t.starts_with("I-"));
            // A name the tagger found whole keeps its type: the acronym's is no surer.
            let already_whole = tags[start].starts_with("B-")
                && tags[start + 1..end].iter().all(|t| t.starts_with("I-"));
            // Two letters spell too many word pairs ("Come Out"): only where the text
            // defines the acronym, "Lindqvist Line (LL)".
            let defined = acronym.len() > 2
                || (words.get(end).is_some_and(|w| w.as_ref() == "(")
                    && words.get(end + 1).is_some_and(|w| w.as_ref() == acronym));
            if defined && !(glued_before || glued_after || sticks_out || already_whole) {
                for (k, slot) in tags[start..end].iter_mut().enumerate() {
                    *slot = tag(k == 0, t);
                }
                start = end;
            } else {
                start += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sentences: &[&[&str]], tags: &[&[&'static str]]) -> Vec<Vec<&'static str>> {
        let sentences: Vec<Vec<&str>> = sentences.iter().map(|s| s.to_vec()).collect();
        let mut tags: Vec<Vec<&str>> = tags.iter().map(|t| t.to_vec()).collect();
        let joiners = vec!["of".to_string(), "van".to_string()];
        expand(&sentences, &mut tags, &joiners);
        tags
    }

    #[test]
    fn the_spelled_out_form_takes_the_acronyms_type() {
        let out = run(
            &[
                &[
                    "The",
                    "Kessel",
                    "Canal",
                    "Authority",
                    "has",
                    "lowered",
                    "it",
                ],
                &["The", "KCA", "said", "so"],
            ],
            &[
                &["O", "B-LOC", "O", "O", "O", "O", "O"],
                &["O", "B-ORG", "O", "O"],
            ],
        );
        assert_eq!(
            out[0],
            ["O", "B-ORG", "I-ORG", "I-ORG", "O", "O", "O"],
            "whole name, the acronym's type"
        );
        assert_eq!(out[1], ["O", "B-ORG", "O", "O"]);
    }

    #[test]
    fn joiners_inside_and_runs_that_are_not_whole_are_left() {
        let out = run(
            &[
                &[
                    "the",
                    "Organisation",
                    "of",
                    "Petroleum",
                    "Exporting",
                    "Countries",
                    "met",
                ],
                &["OPEC", "said"],
            ],
            &[&["O", "O", "O", "O", "O", "O", "O"], &["B-ORG", "O"]],
        );
        assert_eq!(
            out[0],
            ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O"]
        );
        // Part of a longer capitalised run: not the acronym's name.
        let out = run(
            &[
                &["in", "New", "Kessel", "Canal", "Authority", "Park"],
                &["KCA"],
            ],
            &[&["O", "O", "O", "O", "O", "O"], &["B-ORG"]],
        );
        assert!(out[0].iter().all(|t| *t == "O"));
        // An acronym the tagger never named changes nothing ("CEO").
        let out = run(
            &[
                &["its", "Chief", "Executive", "Officer", "said"],
                &["The", "CEO"],
            ],
            &[&["O", "O", "O", "O", "O"], &["O", "O"]],
        );
        assert!(out[0].iter().all(|t| *t == "O"));
        // A joiner cannot start or end the run.
        let out = run(
            &[&["of", "Kessel", "Canal", "Works", "of"], &["KCW"]],
            &[&["O", "O", "O", "O", "O"], &["B-ORG"]],
        );
        assert_eq!(out[0], ["O", "B-ORG", "I-ORG", "I-ORG", "O"]);
        // Two letters: only where the text defines the acronym.
        let out = run(
            &[
                &["to", "Come", "Out", "now"],
                &["Lindqvist", "Line", "(", "LL", ")"],
                &["LL", "said"],
            ],
            &[
                &["O", "O", "O", "O"],
                &["B-PER", "O", "O", "O", "O"],
                &["B-ORG", "O"],
            ],
        );
        assert!(out[0].iter().all(|t| *t == "O"));
        assert_eq!(out[1], ["B-ORG", "I-ORG", "O", "O", "O"]);
    }

    #[test]
    fn a_whole_name_keeps_its_type() {
        let out = run(
            &[
                &["coach", "Alan", "Patrick", "Pardew", "said"],
                &["AJP", "APP"],
            ],
            &[&["O", "B-PER", "I-PER", "I-PER", "O"], &["B-ORG", "B-ORG"]],
        );
        assert_eq!(out[0], ["O", "B-PER", "I-PER", "I-PER", "O"]);
    }

    #[test]
    fn a_name_that_sticks_out_is_kept() {
        let out = run(
            &[
                &["the", "Kessel", "Canal", "Authority", "Building"],
                &["KCA"],
            ],
            &[&["O", "B-LOC", "I-LOC", "I-LOC", "I-LOC"], &["B-ORG"]],
        );
        assert_eq!(out[0], ["O", "B-LOC", "I-LOC", "I-LOC", "I-LOC"]);
    }
}
