//! Quantities: numbers in digits or words, with their unit and bound.
//!
//! "zo'n 1.500 strijders" is a [`Quantity`] with value 1500, unit "strijders" and bound
//! [`Bound::About`]. Digits follow the language's separators ("1.500" and "14,5" in Dutch,
//! "14,000" and "14.5" in English), with the other convention accepted where it cannot be
//! misread. Number words, multipliers ("miljard", "million"), bound cues ("ruim", "tot",
//! "more than"), currency and percent signs come from `resources/<lang>/quantities.txt`.
//! Numbers that count calendar units ("10 januari", "vier jaar") are left to the time
//! layer, and so are bare years.

use std::borrow::Cow;

use crate::fasthash::FastMap;

use crate::lang::Lang;
use crate::resources;
use crate::span::Span;
use crate::syntax::Upos;
use crate::text::{Sentence, Token, TokenKind};

/// How a number is bounded by its cue word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    /// No cue: the number is given as exact.
    Exact,
    /// "zo'n", "ongeveer", "about".
    About,
    /// "tot", "bijna", "up to", "nearly".
    AtMost,
    /// "ruim", "meer dan", "more than", "at least".
    AtLeast,
}

impl Bound {
    /// The name used in annotations: `exact`, `about`, `at_most`, `at_least`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::Exact => "exact",
            Bound::About => "about",
            Bound::AtMost => "at_most",
            Bound::AtLeast => "at_least",
        }
    }

    fn parse(s: &str) -> Option<Bound> {
        Some(match s {
            "exact" => Bound::Exact,
            "about" => Bound::About,
            "at_most" => Bound::AtMost,
            "at_least" => Bound::AtLeast,
            _ => return None,
        })
    }
}

/// A number with its unit and bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// From the bound cue (if any) to the unit (if any).
    pub span: Span,
    /// The span of the number itself (digits or words, with a multiplier).
    pub number: Span,
    /// The value: 1500.0 for "1.500", 9.6e9 for "9,6 miljard".
    pub value: f64,
    /// The counted noun or currency, normalised for currencies and percent ("dollar",
    /// "percent", "strijders"); `None` when no unit follows.
    pub unit: Option<String>,
    /// Where the unit is, when it is a word or sign in the text.
    pub unit_span: Option<Span>,
    /// The bound given by a cue word.
    pub bound: Bound,
    /// Index into the analysis' attributions: who gives the number (set by
    /// [`crate::annotate`]; `None` from [`find`]).
    pub source: Option<usize>,
}

#[derive(Default)]
struct Lexicon {
    numbers: FastMap<String, f64>,
    multipliers: FastMap<String, f64>,
    /// Cue phrases as lower-case word sequences.
    bounds: Vec<(Vec<String>, Bound)>,
    units: FastMap<String, String>,
    skip: crate::fasthash::FastSet<String>,
    /// Number words that only bound the number ("honderden", "dozens": at least).
    vague: FastMap<String, Bound>,
    /// Function words that are never the counted noun ("van", "of", "before").
    stop: crate::fasthash::FastSet<String>,
    /// Words joining two numbers that share the unit after the second ("van 916 miljoen
    /// naar 550 miljoen dollar", "between 12 and 15 million dollars").
    range: crate::fasthash::FastSet<String>,
    /// Adjectives that belong to a unit ("kubieke meter", "square kilometres").
    unit_modifiers: crate::fasthash::FastSet<String>,
}

fn load(lang: Lang) -> Lexicon {
    let mut lex = Lexicon::default();
    for line in resources::lines(lang, "quantities.txt") {
        let mut f = line.split('\t');
        let (kind, phrase, value) = (f.next(), f.next(), f.next());
        let Some(phrase) = phrase.map(str::to_lowercase) else {
            continue;
        };
        match (kind, value) {
            (Some("num"), Some(v)) => {
                if let Ok(v) = v.parse() {
                    // A fourth column bounds a vague number ("honderden" is at least 100).
                    if let Some(b) = f.next().and_then(|b| Bound::parse(b.trim())) {
                        lex.vague.insert(phrase.clone(), b);
                    }
                    lex.numbers.insert(phrase, v);
                }
            }
            (Some("mult"), Some(v)) => {
                if let Ok(v) = v.parse() {
                    lex.multipliers.insert(phrase, v);
                }
            }
            (Some("bound"), Some(v)) => {
                if let Some(b) = Bound::parse(v) {
                    lex.bounds
                        .push((phrase.split(' ').map(str::to_string).collect(), b));
                }
            }
            (Some("unit"), Some(v)) => {
                lex.units.insert(phrase, v.to_string());
            }
            (Some("skip"), _) => {
                lex.skip.insert(phrase);
            }
            (Some("stop"), _) => {
                lex.stop.insert(phrase);
            }
            (Some("range"), _) => {
                lex.range.insert(phrase);
            }
            (Some("unitmod"), _) => {
                lex.unit_modifiers.insert(phrase);
            }
            _ => {}
        }
    }
    // Longest cue first, so "tot wel" wins over "tot".
    lex.bounds.sort_by_key(|b| std::cmp::Reverse(b.0.len()));
    lex
}

fn lexicon(lang: Lang) -> &'static Lexicon {
    static CACHE: crate::resources::PerLanguage<Lexicon> = crate::resources::PerLanguage::new();
    CACHE.get(lang, load, Lexicon::default)
}

/// Whether a quantity starts at word `i` of lower-cased `words`: a number in digits or
/// words, or a bound cue ("rond", "up to") with a number within two words after it.
/// Attribution uses it to end a source phrase ("volgens ingewijden | rond de 275 miljoen").
/// "one"/"één" do not count: they are as often pronouns ("one of the officials").
pub(crate) fn starts_at(words: &[Cow<str>], i: usize, lang: Lang) -> bool {
    let lex = lexicon(lang);
    let is_number = |w: &Cow<str>| {
        w.starts_with(|c: char| c.is_ascii_digit())
            || lex.numbers.get(&**w).is_some_and(|&v| v >= 2.0)
    };
    let Some(w) = words.get(i) else {
        return false;
    };
    if is_number(w) {
        return true;
    }
    lex.bounds.iter().any(|(cue, _)| {
        words.get(i..i + cue.len()).is_some_and(|w| w == &cue[..])
            && words.iter().skip(i + cue.len()).take(2).any(is_number)
    })
}

/// Parses digits with thousands and decimal separators as written in `lang`.
///
/// Dutch writes "1.500" and "14,5"; English "1,500" and "14.5". A separator followed by
/// exactly three digits (and repeated groups of three) is read as a thousands separator
/// when it is the language's own; the other separator is the decimal mark.
pub fn parse_digits(s: &str, lang: Lang) -> Option<f64> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    if !s.as_bytes()[0].is_ascii_digit() || !s.as_bytes()[s.len() - 1].is_ascii_digit() {
        return None;
    }
    let (thousands, decimal) = if lang == Lang::EN {
        (',', '.')
    } else {
        ('.', ',')
    };
    let has_t = s.contains(thousands);
    let has_d = s.contains(decimal);
    let groups_of_three = |sep: char, part: &str| {
        let mut it = part.split(sep);
        let first = it.next().unwrap_or("");
        (1..=3).contains(&first.len()) && it.all(|g| g.len() == 3)
    };
    let (int_part, frac_part) = if has_t && has_d {
        let (i, f) = s.rsplit_once(decimal)?;
        if !groups_of_three(thousands, i) || f.contains(thousands) {
            return None;
        }
        (i.replace(thousands, ""), f.to_string())
    } else if has_t {
        if groups_of_three(thousands, s) {
            (s.replace(thousands, ""), String::new())
        } else if s.matches(thousands).count() == 1 {
            // "14.5" in Dutch text: the other convention, unambiguous here.
            let (i, f) = s.split_once(thousands)?;
            (i.to_string(), f.to_string())
        } else {
            return None;
        }
    } else if has_d {
        if s.matches(decimal).count() == 1 {
            let (i, f) = s.split_once(decimal)?;
            (i.to_string(), f.to_string())
        } else if groups_of_three(decimal, s) {
            // "1,500,000" in Dutch text: the other convention's thousands.
            (s.replace(decimal, ""), String::new())
        } else {
            return None;
        }
    } else {
        (s.to_string(), String::new())
    };
    let joined = if frac_part.is_empty() {
        int_part
    } else {
        format!("{int_part}.{frac_part}")
    };
    joined.parse().ok()
}

/// Parses a number word: a lexicon entry, or a Dutch compound such as "vijfentwintig",
/// "tweehonderd" or "drieduizend", or an English hyphenated "twenty-five".
fn parse_word(word: &str, lex: &Lexicon) -> Option<f64> {
    if let Some(&v) = lex.numbers.get(word) {
        return Some(v);
    }
    if word.len() > 40 {
        return None;
    }
    if let Some((a, b)) = word.split_once('-') {
        let (a, b) = (lex.numbers.get(a)?, lex.numbers.get(b)?);
        return (*a >= 20.0 && *b < 10.0).then_some(a + b);
    }
    // Dutch: <units>en<tens> ("vijfentwintig"), <n>honderd, <n>duizend, and combinations.
    for (suffix, mult) in [("duizend", 1000.0), ("honderd", 100.0)] {
        if let Some(pos) = find_bytes(word, suffix) {
            let (head, tail) = (&word[..pos], &word[pos + suffix.len()..]);
            let h = if head.is_empty() {
                1.0
            } else {
                parse_word(head, lex)?
            };
            let t = if tail.is_empty() {
                0.0
            } else {
                parse_word(tail.trim_start_matches("en"), lex)?
            };
            return Some(h * mult + t);
        }
    }
    for sep in ["ën", "en"] {
        if let Some(pos) = find_bytes(word, sep) {
            let (u, t) = (&word[..pos], &word[pos + sep.len()..]);
            if let (Some(&u), Some(&t)) = (lex.numbers.get(u), lex.numbers.get(t)) {
                if u < 10.0 && (20.0..100.0).contains(&t) {
                    return Some(u + t);
                }
            }
        }
    }
    None
}

/// `word.find(pattern)` for the short words and patterns of [`parse_word`], without the
/// set-up of a substring searcher (this runs for every token). A byte match of a UTF-8
/// pattern in UTF-8 text starts at a character boundary, so the index is the same.
fn find_bytes(word: &str, pattern: &str) -> Option<usize> {
    word.as_bytes()
        .windows(pattern.len())
        .position(|w| w == pattern.as_bytes())
}

fn lower<'a>(text: &'a str, t: &Token) -> Cow<'a, str> {
    crate::text::lowercase(&text[t.span.range()])
}

/// Finds the quantities of a text, sentence by sentence. Never fails.
pub fn find(text: &str, tokens: &[Token], sentences: &[Sentence], lang: Lang) -> Vec<Quantity> {
    find_tagged(text, tokens, sentences, lang, None)
}

/// [`find`] with the POS tags of the tokens (`upos[i]` for `tokens[i]`): the counted noun
/// is then found past adjectives and names ("500 Amerikaanse soldaten", "500 US soldiers":
/// soldaten, soldiers), and unit adjectives stay with it ("30.000 kubieke meter").
pub fn find_tagged(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    lang: Lang,
    upos: Option<&[Upos]>,
) -> Vec<Quantity> {
    let lex = lexicon(lang);
    let mut out = Vec::new();
    for s in sentences {
        let toks = &tokens[s.tokens.clone()];
        let tags = upos
            .and_then(|u| u.get(s.tokens.clone()))
            .filter(|t| t.len() == toks.len());
        let words: Vec<Cow<str>> = toks.iter().map(|t| lower(text, t)).collect();
        let mut i = 0;
        while i < toks.len() {
            let Some((mut value, end)) = number_at(toks, &words, i, lang, lex) else {
                i += 1;
                continue;
            };
            let start_num = i;
            // Currency sign before the number: "$916 million".
            let mut start = i;
            let mut unit = None;
            let mut unit_span = None;
            if i > 0 && toks[i - 1].kind == TokenKind::Punct {
                if let Some(u) = lex.units.get(&*words[i - 1]) {
                    unit = Some(u.clone());
                    unit_span = Some(toks[i - 1].span);
                    start = i - 1;
                }
            }
            // Bound cue before.
            let mut bound = lex
                .vague
                .get(&*words[start_num])
                .copied()
                .unwrap_or(Bound::Exact);
            for (cue, b) in &lex.bounds {
                if cue.len() <= start && words[start - cue.len()..start] == cue[..] {
                    bound = *b;
                    start -= cue.len();
                    break;
                }
            }
            // A bare four-digit year ("in 2014", "januari 2019") belongs to the time layer.
            let first = &words[start_num];
            let is_year = end == start_num + 1
                && first.len() == 4
                && first.bytes().all(|b| b.is_ascii_digit())
                && (1500.0..=2100.0).contains(&value)
                && unit.is_none()
                && !(end < toks.len() && lex.units.contains_key(&*words[end]));
            if is_year {
                i = end;
                continue;
            }
            let mut stop = end;
            // A line break ends what a number counts: "Tourists: 3\nInjured: 41" is a
            // table, not three injured.
            if unit.is_none() && end < toks.len() && !line_break_before(text, toks, end) {
                let w: &str = &words[end];
                if lex.skip.contains(w) {
                    i = end;
                    continue;
                }
                if let Some(u) = lex.units.get(w) {
                    unit = Some(u.clone());
                    unit_span = Some(toks[end].span);
                    stop = end + 1;
                } else if lex.range.contains(w) {
                    // The unit after the second number is the first one's too, and so is
                    // its multiplier if the first has none ("between 12 and 15 million
                    // dollars"); the quantity itself ends at its own number.
                    if let Some((_, end2)) = (end + 1 < toks.len())
                        .then(|| number_at(toks, &words, end + 1, lang, lex))
                        .flatten()
                    {
                        if let Some((u, span, _)) = unit_at(text, toks, &words, tags, end2, lex) {
                            unit = Some(u);
                            unit_span = Some(span);
                            let mult = |j: usize| lex.multipliers.get(&*words[j]).copied();
                            if let (None, Some(m)) = (mult(end - 1), mult(end2 - 1)) {
                                if value < 1000.0 {
                                    value = scaled(value, m);
                                }
                            }
                        }
                    }
                } else if let Some((u, span, next)) = unit_at(text, toks, &words, tags, end, lex) {
                    unit = Some(u);
                    unit_span = Some(span);
                    stop = next;
                }
            } else if end < toks.len()
                && lex
                    .units
                    .get(&*words[end])
                    .is_some_and(|u| Some(u) == unit.as_ref())
            {
                stop = end + 1;
            }
            out.push(Quantity {
                span: Span::new(
                    toks[start].span.start as usize,
                    toks[stop - 1].span.end as usize,
                ),
                number: Span::new(
                    toks[start_num].span.start as usize,
                    toks[end - 1].span.end as usize,
                ),
                value,
                unit,
                unit_span,
                bound,
                source: None,
            });
            i = stop.max(i + 1);
        }
    }
    out
}

/// Whether a line break separates token `i` from the token before it.
fn line_break_before(text: &str, toks: &[Token], i: usize) -> bool {
    i > 0
        && text
            .get(toks[i - 1].span.end as usize..toks[i].span.start as usize)
            .is_some_and(|gap| gap.contains('\n'))
}

/// The unit at token `i`: a known unit (normalised: "$" → dollar) or a counted word that
/// is not a function word (`stop` in `resources/<lang>/quantities.txt`) nor a length of
/// time (`skip`); with the token end after it. With POS tags, the counted word is the
/// first noun after at most three adjectives or names, and `unitmod` adjectives just
/// before it are part of the unit.
fn unit_at(
    text: &str,
    toks: &[Token],
    words: &[Cow<str>],
    tags: Option<&[Upos]>,
    i: usize,
    lex: &Lexicon,
) -> Option<(String, Span, usize)> {
    let w: &str = words.get(i)?;
    if let Some(u) = lex.units.get(w) {
        return Some((u.clone(), toks[i].span, i + 1));
    }
    let counted = |j: usize| {
        let w: &str = &words[j];
        toks[j].kind == TokenKind::Word
            && w.chars().next().is_some_and(char::is_alphabetic)
            && !lex.stop.contains(w)
            && !lex.skip.contains(w)
            && !lex.range.contains(w)
    };
    if !counted(i) {
        return None;
    }
    let noun = tags.and_then(|tags| {
        if !matches!(tags[i], Upos::ADJ | Upos::PROPN) {
            return None;
        }
        (i + 1..(i + 4).min(toks.len()))
            .take_while(|&j| counted(j) && !line_break_before(text, toks, j))
            .find(|&j| !matches!(tags[j], Upos::ADJ | Upos::PROPN))
            .filter(|&j| tags[j] == Upos::NOUN)
    });
    let Some(n) = noun else {
        return Some((text[toks[i].span.range()].to_string(), toks[i].span, i + 1));
    };
    let mut first = n;
    while first > i && lex.unit_modifiers.contains(&*words[first - 1]) {
        first -= 1;
    }
    let span = Span::new(toks[first].span.start as usize, toks[n].span.end as usize);
    Some((text[span.range()].to_string(), span, n + 1))
}

/// A number starting at token `i`: its value and the end token (exclusive).
fn number_at(
    toks: &[Token],
    words: &[Cow<str>],
    i: usize,
    lang: Lang,
    lex: &Lexicon,
) -> Option<(f64, usize)> {
    let mut value = if toks[i].kind == TokenKind::Number {
        parse_digits(&words[i], lang)?
    } else {
        let w = &words[i];
        // "een"/"one" alone is too often an article or pronoun.
        if lang == Lang::NL && w == "een" {
            return None;
        }
        parse_word(w, lex)?
    };
    let mut end = i + 1;
    // A tokenizer that splits hyphens (UD style) gives "twenty", "-", "five": rejoin
    // number words written with a hyphen and no spaces.
    if toks[i].kind != TokenKind::Number
        && i + 2 < toks.len()
        && words[i + 1] == "-"
        && toks[i].span.end == toks[i + 1].span.start
        && toks[i + 1].span.end == toks[i + 2].span.start
    {
        if let Some(v) = parse_word(&format!("{}-{}", words[i], words[i + 2]), lex) {
            value = v;
            end = i + 3;
        }
    }
    // English "two hundred", "three thousand", "9.6 billion", "9,6 miljard".
    while end < toks.len() {
        match lex.multipliers.get(&*words[end]) {
            Some(m) if value < 1000.0 * m => {
                value = scaled(value, *m);
                end += 1;
            }
            _ => break,
        }
    }
    value.is_finite().then_some((value, end))
}

/// `value × multiplier` without the binary rounding error that decimals pick up:
/// "$525.8 million" is 525,800,000, not 525,799,999.99999994. Rounded to 12 significant
/// digits, more than any written number has.
fn scaled(value: f64, multiplier: f64) -> f64 {
    let x = value * multiplier;
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let decimals = 12 - x.abs().log10().ceil() as i32;
    if decimals >= 0 {
        let p = 10f64.powi(decimals.min(300));
        (x * p).round() / p
    } else {
        let p = 10f64.powi((-decimals).min(300));
        (x / p).round() * p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplied_decimals_are_whole() {
        assert_eq!(scaled(525.8, 1e6), 525_800_000.0);
        assert_eq!(scaled(9.6, 1e9), 9_600_000_000.0);
        assert_eq!(scaled(2.35, 1e9), 2_350_000_000.0);
        assert_eq!(scaled(0.5, 1e6), 500_000.0);
        assert_eq!(scaled(3.0, 1e3), 3000.0);
        assert!(scaled(1.0, f64::MAX).is_finite());
        assert!(scaled(1e300, 1e300).is_infinite());
    }

    #[test]
    fn find_bytes_is_str_find() {
        for word in [
            "",
            "en",
            "vijfentwintig",
            "tweeënveertig",
            "honderdduizend",
            "ëën",
            "aén",
        ] {
            for pattern in ["en", "ën", "duizend", "honderd", "n"] {
                assert_eq!(
                    find_bytes(word, pattern),
                    word.find(pattern),
                    "{word} {pattern}"
                );
            }
        }
    }

    #[test]
    fn separators_per_language() {
        assert_eq!(parse_digits("1.500", Lang::NL), Some(1500.0));
        assert_eq!(parse_digits("70.000", Lang::NL), Some(70000.0));
        assert_eq!(parse_digits("14,5", Lang::NL), Some(14.5));
        assert_eq!(parse_digits("1.234.567,5", Lang::NL), Some(1234567.5));
        assert_eq!(parse_digits("14,000", Lang::EN), Some(14000.0));
        assert_eq!(parse_digits("14.5", Lang::EN), Some(14.5));
        assert_eq!(parse_digits("1,234,567.5", Lang::EN), Some(1234567.5));
        assert_eq!(parse_digits("1.2.3", Lang::NL), None);
        assert_eq!(parse_digits("", Lang::NL), None);
    }

    #[test]
    fn dutch_number_words() {
        let lex = lexicon(Lang::NL);
        assert_eq!(parse_word("twintig", lex), Some(20.0));
        assert_eq!(parse_word("vijfentwintig", lex), Some(25.0));
        assert_eq!(parse_word("tweeëntwintig", lex), Some(22.0));
        assert_eq!(parse_word("tweehonderd", lex), Some(200.0));
        assert_eq!(parse_word("drieduizendvijfhonderd", lex), Some(3500.0));
        assert_eq!(parse_word("hond", lex), None);
    }
}
