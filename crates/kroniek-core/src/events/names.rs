//! Names of events: conferences, fairs and shows named with a capitalised name that ends
//! in a word for a gathering ("de Apple Worldwide Developers Conference", "Macworld
//! Conference", "Worldwide Developers Conference 2010"), and the acronym given for such a
//! name in brackets right after it ("( WWDC )"). The head words are the `head` lines of
//! `resources/<lang>/event_names.txt`.
//!
//! MEANTIME marks such a name as one mention, with a year that follows the head; the
//! trigger model rarely tags capitalised words inside a sentence, so the names are found
//! here and replace the tagged mentions they overlap.

use std::ops::Range;

use super::Words;
use crate::lang::Lang;
use crate::resources;

/// The lower-cased head words of event names (`head` lines).
fn heads(lang: Lang) -> &'static Vec<String> {
    static CACHE: resources::PerLanguage<Vec<String>> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            resources::lines(l, "event_names.txt")
                .filter_map(|line| line.split_once('\t'))
                .filter(|(kind, _)| *kind == "head")
                .map(|(_, word)| word.trim().to_lowercase())
                .filter(|word| !word.is_empty())
                .collect()
        },
        Vec::new,
    )
}

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// An acronym: two or more letters, all capitals (digits allowed after the first).
fn acronym(w: &str) -> bool {
    w.chars().count() >= 2
        && w.chars().next().is_some_and(char::is_uppercase)
        && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// A year written in digits (four digits).
fn year(w: &str) -> bool {
    w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())
}

/// The event names of a sentence as token ranges, in order: a run of at least two
/// capitalised words ending in a capitalised head word (the sentence's first word, which
/// is capitalised anyway, never starts one), with a year right after the head; and an
/// acronym between brackets right after such a name.
pub fn find(lang: Lang, s: &Words) -> Vec<Range<usize>> {
    let heads = heads(lang);
    let mut out = Vec::new();
    if heads.is_empty() {
        return out;
    }
    let n = s.orig.len();
    for h in 1..n {
        if !capitalised(&s.orig[h])
            || !heads.iter().any(|x| s.lower[h] == *x)
            || s.orig.get(h + 1).is_some_and(|w| capitalised(w))
        {
            continue;
        }
        let mut start = h;
        while start > 1 && capitalised(&s.orig[start - 1]) {
            start -= 1;
        }
        if start == h {
            continue;
        }
        let mut end = h + 1;
        if end < n && year(&s.orig[end]) {
            end += 1;
        }
        out.push(start..end);
        if end + 2 < n && s.orig[end] == "(" && acronym(&s.orig[end + 1]) && s.orig[end + 2] == ")"
        {
            out.push(end + 1..end + 2);
        }
    }
    out
}

/// Adds the event names of the sentence to `mentions`, dropping the mentions they overlap.
pub fn add(lang: Lang, s: &Words, mentions: &mut Vec<Range<usize>>) {
    let names = find(lang, s);
    if names.is_empty() {
        return;
    }
    mentions.retain(|r| !names.iter().any(|m| r.start < m.end && m.start < r.end));
    mentions.extend(names);
    mentions.sort_by_key(|r| r.start);
}
