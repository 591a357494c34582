//! Sense classes of nouns: the WordNet lexicographer classes (`act`, `event`, `artifact`,
//! …) of a noun's most frequent senses, from `noun_senses.txt` per language (built from
//! WordNet 3.0, and for Dutch through FreeDict translations, by `tools/noun_senses.py`).
//!
//! MEANTIME marks nouns that name events ("vlucht", "ceremonie", "deal") and not the others
//! ("netwerk", "handelsmerk"). A trigger model that has seen one topic knows few such
//! nouns by form, but it can learn from the other topic what the classes mean.

use crate::lang::Lang;
use crate::resources;

/// Noun → its classes, most frequent sense first, space-separated.
type Lexicon = crate::fasthash::FastMap<&'static str, &'static str>;

fn load(lang: Lang) -> Lexicon {
    resources::lines(lang, "noun_senses.txt")
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

fn lexicon(lang: Lang) -> &'static Lexicon {
    static CACHE: resources::PerLanguage<Lexicon> = resources::PerLanguage::new();
    CACHE.get(lang, load, Lexicon::default)
}

/// The sense classes of a lower-cased noun (most frequent first, space-separated), trying
/// the word, then lemma guesses for plurals, then (for Dutch, whose compounds are
/// right-headed) the compound's head: "testvluchten" → "vlucht".
pub fn classes(lang: Lang, lower: &str) -> Option<&'static str> {
    let lex = lexicon(lang);
    if lex.is_empty() {
        return None;
    }
    // The word as is first, borrowed: this runs for every noun.
    let find = |w: &str| {
        lex.get(w).copied().or_else(|| {
            singular_guesses(lang, w)
                .iter()
                .find_map(|g| lex.get(g.as_str()).copied())
        })
    };
    if let Some(c) = find(lower) {
        return Some(c);
    }
    if lang != Lang::NL {
        return None;
    }
    super::compound_heads(lower)
        .find_map(find)
        .or_else(|| english_cognate(lower))
}

/// Dutch nouns that the Dutch list lacks are often English loanwords ("deal", "preview")
/// or Latinate cognates whose English form differs by a regular suffix ("evaluatie" →
/// "evaluation", "activiteit" → "activity"); such a word, its singular or its compound
/// head is looked up in the English list.
fn english_cognate(lower: &str) -> Option<&'static str> {
    let en = lexicon(Lang::EN);
    let try_word = |w: &str| {
        en.get(w).copied().or_else(|| {
            COGNATE_SUFFIXES.iter().find_map(|(nl, en_suffix)| {
                let stem = w.strip_suffix(nl)?;
                en.get(format!("{stem}{en_suffix}").as_str()).copied()
            })
        })
    };
    let try_noun = |w: &str| {
        try_word(w).or_else(|| {
            singular_guesses(Lang::NL, w)
                .iter()
                .find_map(|g| try_word(g))
        })
    };
    try_noun(lower).or_else(|| super::compound_heads(lower).find_map(try_noun))
}

/// Regular Dutch → English suffix correspondences of Latinate nouns, longest first.
const COGNATE_SUFFIXES: &[(&str, &str)] = &[
    ("isatie", "ization"),
    ("atie", "ation"),
    ("ctie", "ction"),
    ("itie", "ition"),
    ("utie", "ution"),
    ("ssie", "ssion"),
    ("sie", "sion"),
    ("teit", "ty"),
    ("isme", "ism"),
    ("uur", "ure"),
    ("ief", "ive"),
    ("ie", "y"),
];

/// Singular guesses for a word that may be a plural (none for other words).
fn singular_guesses(lang: Lang, w: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if !(w.ends_with('s') || w.ends_with("en")) {
        return out;
    }
    let mut push = |s: String| {
        if s.chars().count() >= 2 && s != w && !out.contains(&s) {
            out.push(s);
        }
    };
    if lang == Lang::NL {
        if let Some(s) = w.strip_suffix("'s").or_else(|| w.strip_suffix('s')) {
            push(s.to_string());
        }
        if let Some(stem) = w.strip_suffix("en") {
            push(stem.to_string());
            // prijzen → prijs, brieven → brief
            if let Some(s) = stem.strip_suffix('z') {
                push(format!("{s}s"));
            }
            if let Some(s) = stem.strip_suffix('v') {
                push(format!("{s}f"));
            }
            // vluchten → vlucht is the stem; landingen → landing too; but stappen → stap
            // and problemen → probleem (an open syllable lengthens the vowel in writing).
            let b = stem.as_bytes();
            if b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] {
                push(stem[..stem.len() - 1].to_string());
            }
            if b.len() >= 3 && is_vowel(b[b.len() - 2]) && !is_vowel(b[b.len() - 1]) {
                let (head, last) = stem.split_at(stem.len() - 1);
                let v = &head[head.len() - 1..];
                push(format!("{head}{v}{last}"));
            }
        }
    } else {
        if let Some(s) = w.strip_suffix("ies") {
            push(format!("{s}y"));
        }
        if let Some(s) = w.strip_suffix("es") {
            push(s.to_string());
        }
        if let Some(s) = w.strip_suffix('s') {
            push(s.to_string());
        }
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_and_compounds_find_their_noun() {
        assert_eq!(classes(Lang::NL, "ceremonie"), Some("event"));
        // Compound head and plural.
        assert_eq!(classes(Lang::NL, "testvlucht"), classes(Lang::NL, "vlucht"));
        assert!(classes(Lang::NL, "testvluchten").is_some());
        assert!(classes(Lang::NL, "vlucht").unwrap().contains("act"));
        // Open syllable: problemen → probleem.
        assert_eq!(
            classes(Lang::NL, "problemen"),
            classes(Lang::NL, "probleem")
        );
        assert!(classes(Lang::NL, "probleem").is_some());
        // WordNet's unique beginners (noun.Tops) name their own class: an event is an event.
        assert!(classes(Lang::EN, "event").unwrap().starts_with("event"));
        assert_eq!(classes(Lang::NL, "evenement"), Some("event"));
        // English loanwords and Latinate cognates the Dutch list lacks.
        assert_eq!(classes(Lang::NL, "deal"), classes(Lang::EN, "deal"));
        assert_eq!(
            classes(Lang::NL, "evaluatie"),
            classes(Lang::EN, "evaluation")
        );
        assert_eq!(
            classes(Lang::NL, "evaluaties"),
            classes(Lang::EN, "evaluation")
        );
        assert!(classes(Lang::NL, "evaluatie").is_some());
        assert!(classes(Lang::NL, "oliecrisisevaluatie").is_some());
        assert!(classes(Lang::EN, "attacks").unwrap().starts_with("act"));
        assert!(classes(Lang::EN, "networks").is_some_and(|c| !c.contains("event")));
        assert_eq!(classes(Lang::EN, "xqzvw"), None);
    }
}
