//! Per-language data files, embedded at compile time from `resources/<lang>/` and
//! `models/<lang>/` (files in both with the same name: the first found wins).
//!
//! `build.rs` lists the directory, so adding `resources/de/abbreviations.txt` is all it
//! takes for German sentence splitting to know its abbreviations.

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
    out.dedup();
    out
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
}
