//! Languages: a two-letter ISO 639-1 code, and article-level detection.

use std::fmt;

/// A language as an ISO 639-1 code (`nl`, `en`, …).
///
/// A code, not an enum: which languages kroniek can analyse is decided by the data under
/// `resources/`, not by the type system.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lang([u8; 2]);

impl Lang {
    /// Dutch.
    pub const NL: Lang = Lang(*b"nl");
    /// English.
    pub const EN: Lang = Lang(*b"en");

    /// A language from its two-letter code (case-insensitive); `None` if not two ASCII letters.
    pub fn new(code: &str) -> Option<Lang> {
        let b = code.trim().as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Some(Lang([b[0].to_ascii_lowercase(), b[1].to_ascii_lowercase()]))
        } else {
            None
        }
    }

    /// Parses a code or a common name/tag: `nl`, `NL`, `nl-BE`, `dutch`, `en_US`, `eng`, `nld`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        let primary = t.split(['-', '_']).next().unwrap_or("");
        match primary {
            "dutch" | "nederlands" | "nld" | "dut" | "vlaams" | "flemish" => Some(Lang::NL),
            "english" | "engels" | "eng" => Some(Lang::EN),
            "german" | "deu" | "ger" | "deutsch" => Lang::new("de"),
            "french" | "fra" | "fre" | "français" => Lang::new("fr"),
            code => Lang::new(code),
        }
    }

    /// The two-letter code.
    pub fn as_str(&self) -> &str {
        // Always two ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Whether kroniek has any language resources for this language.
    pub fn has_resources(self) -> bool {
        crate::resources::languages().contains(&self)
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.as_str())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The languages the detector chooses among: those kroniek has resources for, plus
/// neighbours that are easily confused with them in news text (so that German is
/// reported as German, not mistaken for Dutch).
const DETECTABLE: &[whatlang::Lang] = &[
    whatlang::Lang::Nld,
    whatlang::Lang::Eng,
    whatlang::Lang::Deu,
    whatlang::Lang::Fra,
    whatlang::Lang::Spa,
    whatlang::Lang::Ita,
    whatlang::Lang::Por,
];

/// Detects the language of an article (title and body together work best).
///
/// Returns `None` when the text has too few letters to say.
pub fn detect(text: &str) -> Option<Lang> {
    // A prefix is plenty for an article, and keeps detection O(1) in document size.
    let sample = prefix_at_char_boundary(text, 4096);
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return None;
    }
    let detector = whatlang::Detector::with_allowlist(DETECTABLE.to_vec());
    let info = detector.detect(sample)?;
    let code = match info.lang() {
        whatlang::Lang::Nld => "nl",
        whatlang::Lang::Eng => "en",
        whatlang::Lang::Deu => "de",
        whatlang::Lang::Fra => "fr",
        whatlang::Lang::Spa => "es",
        whatlang::Lang::Ita => "it",
        whatlang::Lang::Por => "pt",
        _ => return None,
    };
    Lang::new(code)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags() {
        assert_eq!(Lang::parse("nl-BE"), Some(Lang::NL));
        assert_eq!(Lang::parse("EN_us"), Some(Lang::EN));
        assert_eq!(Lang::parse("Dutch"), Some(Lang::NL));
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::parse("1x"), None);
    }

    #[test]
    fn detects_news_languages() {
        assert_eq!(
            detect("De Tweede Kamer stemt dinsdag over de begroting van het kabinet."),
            Some(Lang::NL)
        );
        assert_eq!(
            detect("The minister said on Tuesday that the budget would be cut."),
            Some(Lang::EN)
        );
        assert_eq!(
            detect("Sturm legt Bahnverkehr in Norddeutschland lahm, sagte die Bahn."),
            Lang::new("de")
        );
        assert_eq!(detect("12 34"), None);
        assert_eq!(detect(""), None);
    }
}
