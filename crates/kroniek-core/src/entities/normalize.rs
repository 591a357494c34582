//! Name normalisation: the key under which name variants meet.
//!
//! `Abu Bakr Al-Baghdadi`, `abu bakr al Baghdadi` and `Abu Bakr al-Baghdadi` all have the
//! key `abu bakr baghdadi`; `de Islamitische Staat` has `islamitische staat`.

use crate::search::fold;

/// Articles dropped at the start of a name (`de Verenigde Staten`, `the Guardian`).
const ARTICLES: &[&str] = &["de", "het", "the", "een", "a", "an", "'t"];

/// Arabic-style article particles dropped from a name part (`al-Baghdadi`, `el-Sisi`).
const PARTICLES: &[&str] = &["al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ul"];

/// Titles and forms of address dropped at the start of a person's name: the union of
/// every language's `resources/<lang>/titles.txt`.
fn is_title(word: &str) -> bool {
    static TITLES: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    TITLES
        .get_or_init(|| {
            crate::resources::languages()
                .into_iter()
                .flat_map(|l| crate::resources::lines(l, "titles.txt"))
                .collect()
        })
        .contains(word)
}

/// Dutch name particles that belong to a surname (`van der Berg`, `de Vries`).
const SURNAME_PARTICLES: &[&str] = &[
    "van", "der", "den", "de", "ter", "ten", "te", "von", "zu", "du", "le", "la", "da", "di",
    "dos", "bin", "ibn", "abu",
];

/// The parts of a name, folded (lower case, no diacritics), split on spaces, hyphens and
/// apostrophes, with leading articles and titles and Arabic article particles removed.
pub fn name_parts(name: &str) -> Vec<String> {
    // Dotted acronyms are one part: `U.S.` → `us`, `N.V.` → `nv`.
    let dotted = name.contains('.')
        && name
            .split('.')
            .all(|p| p.chars().count() <= 1 && p.chars().all(char::is_alphabetic));
    let undotted;
    let name = if dotted {
        undotted = name.replace('.', "");
        undotted.as_str()
    } else {
        name
    };
    let folded = fold(name);
    let mut parts: Vec<String> = folded
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '-' | '\'' | '’' | '‘' | '`' | '.' | ',' | '"' | '“' | '”'
                )
        })
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    // Leading articles and titles ("de heer", "President", "the").
    while parts.len() > 1 && (ARTICLES.contains(&parts[0].as_str()) || is_title(&parts[0])) {
        parts.remove(0);
    }
    // Arabic article particles: only when followed by more of the name.
    let mut out = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        if i + 1 < parts.len() && PARTICLES.contains(&p.as_str()) {
            continue;
        }
        out.push(p.clone());
    }
    out
}

/// The normalised key of a name (its [`name_parts`] joined by spaces).
pub fn normalize(name: &str) -> String {
    name_parts(name).join(" ")
}

/// The surname of a person's name parts: the last part, with Dutch particles in front of
/// it (`jan van der berg` → `van der berg`, `abu bakr baghdadi` → `baghdadi`).
pub fn surname(parts: &[String]) -> String {
    let Some(last) = parts.len().checked_sub(1) else {
        return String::new();
    };
    let mut start = last;
    while start > 1
        && SURNAME_PARTICLES.contains(&parts[start - 1].as_str())
        && parts[start - 1] != "abu"
        && parts[start - 1] != "bin"
    {
        start -= 1;
    }
    parts[start..].join(" ")
}

/// Whether `short` could be an acronym of `long` (initials of its capitalised words, or of
/// all its words), e.g. `IS` for `Islamitische Staat`, `VN` for `Verenigde Naties`.
pub fn is_acronym_of(short: &str, long: &str) -> bool {
    let s: String = short
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    if s.len() < 2 {
        return false;
    }
    let words: Vec<&str> = long
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    let all: String = words
        .iter()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    let caps: String = words
        .iter()
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect();
    s == all || s == caps || (s.len() > caps.len() && s.starts_with(&caps) && caps.len() >= 2)
}

/// Whether a surface form looks like an acronym (`ISIS`, `IS`, `VN`, `U.S.`).
pub fn looks_like_acronym(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    (2..=8).contains(&letters.len())
        && letters.iter().filter(|c| c.is_uppercase()).count() * 2 > letters.len()
        && letters[0].is_uppercase()
}

/// The other key of a one-word compound place name whose head is a common noun, in the
/// words another language writes it with: `kesselkanaal` → `kessel canal` (English text
/// says "Kessel Canal"). The heads are data, the union of every language's
/// `resources/<lang>/place_heads.txt` (`kanaal canal`). `None` when no head ends the key
/// or too little is left before it.
pub fn place_compound_key(key: &str) -> Option<String> {
    static HEADS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    let heads = HEADS.get_or_init(|| {
        let mut heads: Vec<(&str, &str)> = crate::resources::languages()
            .into_iter()
            .flat_map(|l| crate::resources::lines(l, "place_heads.txt"))
            .filter_map(|line| line.split_once(char::is_whitespace))
            .map(|(head, other)| (head.trim(), other.trim()))
            .filter(|(head, other)| !head.is_empty() && !other.is_empty())
            .collect();
        // Longest head first: "eilanden" before "eiland".
        heads.sort_by_key(|(head, _)| std::cmp::Reverse(head.len()));
        heads
    });
    if key.contains(' ') {
        return None;
    }
    heads.iter().find_map(|(head, other)| {
        let stem = key.strip_suffix(head)?;
        (stem.chars().count() >= 3).then(|| format!("{stem} {other}"))
    })
}

/// The other keys of a name of several words written word by word in another language:
/// `grote meer` → `great lake`, `rode zee` → `red sea`, `universiteit van amsterdam` →
/// `university of amsterdam`, and for "X van Y" also "Y X": `kanaalautoriteit van kessel`
/// → `kessel canal authority` (a compound of two listed words is translated by its parts).
/// The words are data, the union of every language's `resources/<lang>/name_words.txt`
/// (`grote great`); words without an entry (names: "kessel") stay as they are. Empty for
/// one word or when no word has an entry.
pub fn translated_keys(key: &str) -> Vec<String> {
    static WORDS: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        crate::resources::languages()
            .into_iter()
            .flat_map(|l| crate::resources::lines(l, "name_words.txt"))
            .filter_map(|line| line.split_once(char::is_whitespace))
            .map(|(word, other)| (word.trim(), other.trim()))
            .filter(|(word, other)| !word.is_empty() && !other.is_empty())
            .collect()
    });
    // A word, or a compound of two listed words ("kanaal|autoriteit"), in the other words.
    let translate = |w: &str| -> Option<String> {
        if let Some(t) = words.get(w) {
            return Some((*t).to_string());
        }
        w.char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i >= 3 && w.len() - i >= 3)
            .find_map(|i| {
                let (a, b) = (words.get(&w[..i])?, words.get(&w[i..])?);
                Some(format!("{a} {b}"))
            })
    };
    let parts: Vec<&str> = key.split(' ').collect();
    if parts.len() < 2 {
        return Vec::new();
    }
    let translated: Vec<Option<String>> = parts.iter().map(|p| translate(p)).collect();
    if translated.iter().all(Option::is_none) {
        return Vec::new();
    }
    let word = |i: usize| {
        translated[i]
            .clone()
            .unwrap_or_else(|| parts[i].to_string())
    };
    let mut out = vec![(0..parts.len()).map(word).collect::<Vec<_>>().join(" ")];
    // "X van Y" is "Y X" as often as "X of Y".
    if let Some(v) = parts.iter().position(|p| *p == "van") {
        if v > 0 && v + 1 < parts.len() && !parts[v + 1..].contains(&"van") {
            let y = (v + 1..parts.len()).map(word);
            let x = (0..v).map(word);
            out.push(y.chain(x).collect::<Vec<_>>().join(" "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_meet() {
        assert_eq!(normalize("Abu Bakr Al-Baghdadi"), "abu bakr baghdadi");
        assert_eq!(normalize("Abu Bakr al-Baghdadi"), "abu bakr baghdadi");
        assert_eq!(normalize("al-Baghdadi"), "baghdadi");
        assert_eq!(normalize("de Islamitische Staat"), "islamitische staat");
        assert_eq!(normalize("President Trump"), "trump");
        assert_eq!(normalize("Syrië"), "syrie");
        assert_eq!(normalize("The Guardian"), "guardian");
        assert_eq!(normalize("U.S."), "us");
        assert_eq!(normalize("St. Petersburg"), "petersburg");
        // Titles come from the data files of every language.
        assert_eq!(normalize("Admiraal Tarek Osmani"), "tarek osmani");
        assert_eq!(normalize("Admiral Tarek Osmani"), "tarek osmani");
        assert_eq!(normalize("kapitein Vermeer"), "vermeer");
        assert_eq!(normalize("Captain Vermeer"), "vermeer");
        assert_eq!(surname(&name_parts("Jan van der Berg")), "van der berg");
        assert_eq!(surname(&name_parts("Abu Bakr Al-Baghdadi")), "baghdadi");
    }

    #[test]
    fn acronyms() {
        assert!(is_acronym_of("IS", "Islamitische Staat"));
        assert!(is_acronym_of("VN", "Verenigde Naties"));
        assert!(is_acronym_of("ISIS", "Islamic State of Iraq and Syria"));
        assert!(!is_acronym_of("NAVO", "Islamitische Staat"));
        assert!(
            looks_like_acronym("ISIS")
                && looks_like_acronym("U.S.")
                && !looks_like_acronym("Mosul")
        );
    }
}
