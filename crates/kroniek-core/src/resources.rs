//! Per-language data files, embedded at compile time from `resources/<lang>/` and
//! `models/<lang>/` (files in both with the same name: the first found wins).
//!
//! `build.rs` lists the directory, so adding `resources/de/abbreviations.txt` is all it
//! takes for German sentence splitting to know its abbreviations.

use std::sync::OnceLock;

use crate::lang::Lang;

include!(concat!(env!("OUT_DIR"), "/resources.rs"));

/// The bytes of `resources/<lang>/<name>`, if that file exists.
pub fn bytes(lang: Lang, name: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(l, n, _)| *l == lang.as_str() && *n == name)
        .map(|(_, _, b)| *b)
}

/// The text of `resources/<lang>/<name>`, if that file exists and is UTF-8.
pub fn text(lang: Lang, name: &str) -> Option<&'static str> {
    bytes(lang, name).and_then(|b| std::str::from_utf8(b).ok())
}

/// The non-empty, non-comment lines of a resource text file (`#` starts a comment line).
pub fn lines(lang: Lang, name: &str) -> impl Iterator<Item = &'static str> {
    text(lang, name)
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Languages that have at least one resource file, in code order.
pub fn languages() -> Vec<Lang> {
    let mut out: Vec<Lang> = FILES.iter().filter_map(|(l, _, _)| Lang::new(l)).collect();
    out.sort();
    out.dedup();
    out
}

/// A value built once per language from that language's resources (rules, lexicons,
/// models), lazily, for every language `build.rs` found, plus one fallback for languages
/// without resources. No code names the languages: adding `resources/de/` is enough.
pub(crate) struct PerLanguage<T> {
    known: OnceLock<Vec<(Lang, OnceLock<T>)>>,
    other: OnceLock<T>,
}

impl<T> PerLanguage<T> {
    /// An empty cache, for a `static`.
    pub(crate) const fn new() -> Self {
        PerLanguage {
            known: OnceLock::new(),
            other: OnceLock::new(),
        }
    }

    /// The value for `lang`: built by `load(lang)` the first time when the language has
    /// resources, else the shared `fallback()`.
    pub(crate) fn get(
        &self,
        lang: Lang,
        load: impl FnOnce(Lang) -> T,
        fallback: impl FnOnce() -> T,
    ) -> &T {
        let known = self.known.get_or_init(|| {
            languages()
                .into_iter()
                .map(|l| (l, OnceLock::new()))
                .collect()
        });
        match known.iter().find(|(l, _)| *l == lang) {
            Some((l, cell)) => cell.get_or_init(|| load(*l)),
            None => self.other.get_or_init(fallback),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_and_english_are_present() {
        let langs = languages();
        assert!(
            langs.contains(&Lang::NL) && langs.contains(&Lang::EN),
            "{langs:?}"
        );
        assert!(lines(Lang::NL, "abbreviations.txt").any(|l| l == "dhr"));
        assert!(text(Lang::new("xx").unwrap(), "abbreviations.txt").is_none());
    }

    #[test]
    fn per_language_values_are_built_once_with_a_fallback() {
        static CACHE: PerLanguage<String> = PerLanguage::new();
        let load = |l: Lang| format!("lexicon {l}");
        assert_eq!(CACHE.get(Lang::NL, load, || "none".into()), "lexicon nl");
        assert_eq!(CACHE.get(Lang::EN, load, || "none".into()), "lexicon en");
        let xx = Lang::new("xx").unwrap();
        assert_eq!(CACHE.get(xx, load, || "none".into()), "none");
        // Built once: a later loader is not called.
        assert_eq!(
            CACHE.get(Lang::NL, |_| "again".into(), || "none".into()),
            "lexicon nl"
        );
    }
}
