//! Text normalisation for full-text search: case and diacritics folding, then Snowball
//! stemming in the document's language, so that "kabinetten" finds "kabinet" and
//! "Syrië" finds "Syrie".
//!
//! The same functions prepare indexed text and queries; the store only sees the folded
//! terms, whatever search engine holds them.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::lang::Lang;

fn stemmer(lang: Lang) -> Option<Stemmer> {
    let algo = match lang.as_str() {
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "de" => Algorithm::German,
        "fr" => Algorithm::French,
        "es" => Algorithm::Spanish,
        "it" => Algorithm::Italian,
        "pt" => Algorithm::Portuguese,
        _ => return None,
    };
    Some(Stemmer::create(algo))
}

/// Lower-cases a word and removes its diacritics (`Syrië` → `syrie`).
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `text` (letters and digits), folded and stemmed for `lang`
/// (unstemmed when there is no stemmer for it).
pub fn terms(text: &str, lang: Option<Lang>) -> Vec<String> {
    let stemmer = lang.and_then(stemmer);
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let folded = fold(w);
            match &stemmer {
                Some(s) => s.stem(&folded).into_owned(),
                None => folded,
            }
        })
        .collect()
}

/// `text` as one string of search terms separated by spaces; what the index stores.
pub fn index_text(text: &str, lang: Option<Lang>) -> String {
    terms(text, lang).join(" ")
}

/// For each query word, the distinct forms it may take in the index: its folded form and
/// its stem in each language with a stemmer, since the query's language is unknown.
pub fn query_alternatives(query: &str, langs: &[Lang]) -> Vec<Vec<String>> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let folded = fold(w);
            let mut forms = vec![folded.clone()];
            for &lang in langs {
                if let Some(s) = stemmer(lang) {
                    let stem = s.stem(&folded).into_owned();
                    if !forms.contains(&stem) {
                        forms.push(stem);
                    }
                }
            }
            forms
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_diacritics_and_case() {
        assert_eq!(fold("Syrië"), "syrie");
        assert_eq!(fold("ÇA"), "ca");
    }

    #[test]
    fn stems_dutch_and_english() {
        assert_eq!(
            terms("kabinetten", Some(Lang::NL)),
            terms("kabinet", Some(Lang::NL))
        );
        assert_eq!(
            terms("attacks", Some(Lang::EN)),
            terms("attack", Some(Lang::EN))
        );
        assert_eq!(index_text("De Syriëstrijders!", None), "de syriestrijders");
    }

    #[test]
    fn query_forms_cover_both_languages() {
        let alts = query_alternatives("Aanslagen", &[Lang::NL, Lang::EN]);
        assert_eq!(alts.len(), 1);
        assert!(alts[0].contains(&"aanslagen".to_string()));
        assert!(alts[0].iter().any(|f| f == "aanslag"), "{alts:?}");
    }
}
