//! Tokens and sentences: the segmentation every other stage builds on.
//!
//! Rule-based and per-language only through data: the abbreviation lists in
//! `resources/<lang>/abbreviations.txt` decide which full stops end a sentence.

use crate::fasthash::FastSet;

use crate::lang::Lang;
use crate::resources;
use crate::span::Span;

/// What kind of token this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters (possibly with digits, inner hyphens, apostrophes, dots of an abbreviation).
    Word,
    /// Starts with a digit: `1.500`, `14,5`, `10:30`, `2019-02-10`, `100%` is `100` + `%`.
    Number,
    /// Punctuation: `.`, `,`, `“`, `...`.
    Punct,
}

/// A token: a span of the text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Where the token is.
    pub span: Span,
    /// What it is.
    pub kind: TokenKind,
}

/// A sentence: its span and the range of its tokens in the token list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// From the first byte of its first token to the end of its last.
    pub span: Span,
    /// Indexes into the token list.
    pub tokens: std::ops::Range<usize>,
}

/// `word.to_lowercase()`, borrowed where that changes nothing (ASCII without capitals,
/// most words): the stages that look words up in lower case need not copy every token.
pub fn lowercase(word: &str) -> std::borrow::Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        std::borrow::Cow::Borrowed(word)
    } else {
        std::borrow::Cow::Owned(word.to_lowercase())
    }
}

/// Abbreviations of a language (without their final full stop): those that always keep
/// their full stop, and those that are also words (Dutch "zo" for zondag, English "No")
/// and keep it only before a number ("zo. 12 mei", "No. 5"), so that "Dat is zo." ends
/// its sentence. The file marks the latter with `before-number` after the word.
#[derive(Default)]
struct Abbreviations {
    always: FastSet<&'static str>,
    before_number: FastSet<&'static str>,
    /// Words marked `opens-sentence`: after an abbreviation's full stop they start a new
    /// sentence, so the stop ends one too ("in Southport, Conn. The company said").
    openers: FastSet<&'static str>,
}

impl Abbreviations {
    fn add(&mut self, line: &'static str) {
        match line.split_once(char::is_whitespace) {
            Some((word, "before-number")) => self.before_number.insert(word),
            Some((word, "opens-sentence")) => self.openers.insert(word),
            Some((word, _)) => self.always.insert(word),
            None => self.always.insert(line),
        };
    }

    /// Whether `word` followed by a full stop and then `rest` is an abbreviation.
    fn takes_stop(&self, word: &str, rest: &str) -> bool {
        self.always.contains(word)
            || (self.before_number.contains(word)
                && rest.trim_start().starts_with(|c: char| c.is_ascii_digit()))
    }

    /// Whether `rest` (the text after a full stop) is a space and an `opens-sentence` word.
    fn opens_after(&self, rest: &str) -> bool {
        let word = rest.trim_start();
        if word.len() == rest.len() {
            return false;
        }
        let end = word
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(word.len());
        self.openers.contains(&word[..end])
    }
}

fn abbreviations(lang: Lang) -> &'static Abbreviations {
    static CACHE: resources::PerLanguage<Abbreviations> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            let mut a = Abbreviations::default();
            resources::lines(l, "abbreviations.txt").for_each(|line| a.add(line));
            a
        },
        // Without a list of its own, a language gets the union of the known ones.
        || {
            let mut a = Abbreviations::default();
            resources::languages()
                .into_iter()
                .flat_map(|l| resources::lines(l, "abbreviations.txt"))
                .for_each(|line| a.add(line));
            a
        },
    )
}

fn is_inner_joiner(c: char) -> bool {
    matches!(
        c,
        '-' | '\'' | '’' | '.' | ',' | ':' | '/' | '&' | '_' | '@' | '\u{2011}'
    )
}

/// Splits text into tokens. `lang` selects the abbreviation list.
pub fn tokenize(text: &str, lang: Lang) -> Vec<Token> {
    let abbrevs = abbreviations(lang);
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() || c.is_control() || c == '\u{feff}' {
            chars.next();
            continue;
        }
        if c.is_alphanumeric() || (lang == Lang::NL && starts_dutch_clitic(text, start)) {
            let mut end = start;
            // Consume alphanumerics, and joiners that sit between two alphanumerics.
            while let Some(&(i, ch)) = chars.peek() {
                if ch.is_alphanumeric() || ch == '\u{00ad}' {
                    end = i + ch.len_utf8();
                    chars.next();
                } else if is_inner_joiner(ch) {
                    let after = text[i + ch.len_utf8()..].chars().next();
                    // English (as Universal Dependencies tokenises it) splits "al-Qaeda" and
                    // "and/or" but keeps "2019-02-14" and "1/2".
                    let english_split = lang == Lang::EN
                        && matches!(ch, '-' | '/' | '\u{2011}')
                        && !(ch == '-' && matches!(&text[start..i], "e" | "E"))
                        && !(text[..i]
                            .chars()
                            .next_back()
                            .is_some_and(|b| b.is_ascii_digit())
                            && after.is_some_and(|a| a.is_ascii_digit()));
                    if after.is_some_and(|a| a.is_alphanumeric()) && !english_split {
                        end = i + ch.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            // Dutch elliptic compounds keep their hyphen: "spraak- en taalstoornissen".
            if lang == Lang::NL && text[end..].starts_with('-') {
                let after = text[end + 1..].chars().next();
                if after.is_some_and(|a| a.is_whitespace() || a == ',' || a == '/')
                    && text[start..end].chars().all(char::is_alphabetic)
                {
                    end += 1;
                    chars.next();
                }
            }
            let word = &text[start..end];
            // A following full stop belongs to an abbreviation, an initial or a dotted acronym.
            if text[end..].starts_with('.') && !text[end..].starts_with("..") {
                let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
                // "U.S", "o.a", "p.m", "Ph.D" (short parts), not "www.nos.nl".
                let dotted = word.contains('.')
                    && word.chars().all(|ch| ch.is_alphabetic() || ch == '.')
                    && word.split('.').all(|part| part.chars().count() <= 2);
                let rest = &text[end + 1..];
                if (initial || dotted || abbrevs.takes_stop(word, rest))
                    && (initial || !abbrevs.opens_after(rest))
                {
                    end += 1;
                    chars.next();
                }
            }
            let kind = if c.is_ascii_digit() || c.is_numeric() {
                TokenKind::Number
            } else {
                TokenKind::Word
            };
            let split = if lang == Lang::EN && kind == TokenKind::Word {
                english_clitic(&text[start..end])
            } else {
                None
            };
            match split {
                Some(at) => {
                    tokens.push(Token {
                        span: Span::new(start, start + at),
                        kind,
                    });
                    tokens.push(Token {
                        span: Span::new(start + at, end),
                        kind,
                    });
                }
                None => tokens.push(Token {
                    span: Span::new(start, end),
                    kind,
                }),
            }
        } else {
            // Emoticons are one token.
            if let Some(e) = emoticon(&text[start..]) {
                while chars.peek().is_some_and(|&(i, _)| i < start + e) {
                    chars.next();
                }
                tokens.push(Token {
                    span: Span::new(start, start + e),
                    kind: TokenKind::Punct,
                });
                continue;
            }
            // Punctuation and symbols: a run of the same character is one token ("...", "--", ",,").
            let mut end = start + c.len_utf8();
            chars.next();
            while let Some(&(i, ch)) = chars.peek() {
                if ch == c {
                    end = i + ch.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token {
                span: Span::new(start, end),
                kind: TokenKind::Punct,
            });
        }
    }
    tokens
}

/// The length of an emoticon at the start of `rest` (`:)`, `;-)`, `:D`), if one is there
/// and is followed by a space, punctuation or the end.
fn emoticon(rest: &str) -> Option<usize> {
    const EMOTICONS: &[&str] = &[
        ":-)", ":-(", ";-)", ":-D", ":-P", ":)", ":(", ";)", ":D", ":P", ":/",
    ];
    let e = EMOTICONS.iter().find(|e| rest.starts_with(**e))?;
    rest[e.len()..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric())
        .then_some(e.len())
}

/// Whether a Dutch clitic with an apostrophe starts at `at`: `'s`, `'t`, `'n`, `'k` before a
/// word boundary or a hyphen (`'s avonds`, `'t`, `'s-Hertogenbosch`).
fn starts_dutch_clitic(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric()) {
        return false;
    }
    let mut rest = text[at..].chars();
    matches!(rest.next(), Some('\'' | '’'))
        && matches!(rest.next(), Some('s' | 't' | 'n' | 'k'))
        && rest
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '\'' && c != '’')
}

/// Where an English word splits into a host and a clitic, as Universal Dependencies
/// tokenises: `didn't` → `did` `n't`, `can't` → `ca` `n't`, `Smith's` → `Smith` `'s`,
/// `we'll` → `we` `'ll`, `cannot` → `can` `not`.
fn english_clitic(word: &str) -> Option<usize> {
    if word.contains('.') {
        return None;
    }
    let lower = lowercase(word);
    if lower.len() != word.len() {
        return None;
    }
    for neg in ["n't", "n’t"] {
        if lower.ends_with(neg) && lower.len() > neg.len() {
            return Some(word.len() - neg.len());
        }
    }
    for clitic in [
        "'s", "'re", "'ve", "'ll", "'d", "'m", "’s", "’re", "’ve", "’ll", "’d", "’m",
    ] {
        if lower.ends_with(clitic) && lower.len() > clitic.len() {
            let at = word.len() - clitic.len();
            // Only after a letter: "'90s" or "o'clock" stay whole.
            return word[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic)
                .then_some(at);
        }
    }
    (lower == "cannot").then_some(3)
}

fn is_terminal(s: &str) -> bool {
    matches!(s, "." | "!" | "?" | "..." | "…" | "?!" | "!?")
        || s.chars().all(|c| matches!(c, '.' | '!' | '?'))
}

fn is_closing(s: &str) -> bool {
    matches!(s, "\"" | "'" | "”" | "’" | ")" | "]" | "»" | "''")
}

fn starts_sentence(s: &str) -> bool {
    let c = s.chars().next().unwrap_or(' ');
    c.is_uppercase()
        || c.is_numeric()
        || matches!(
            c,
            '"' | '\'' | '“' | '‘' | '„' | '(' | '[' | '«' | '-' | '–' | '—' | ',' | '*' | '•'
        )
}

/// Groups tokens into sentences.
///
/// A sentence ends at `.`, `!`, `?` (with any closing quotes or brackets) before a token
/// that can start a sentence, at a blank line, and at a line break after a short line with
/// no final punctuation (a heading such as "Premie").
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut first = 0;
    let mut i = 0;
    while i < tokens.len() {
        let tok = &text[tokens[i].span.range()];
        let mut last = i;
        let mut boundary = false;
        if tokens[i].kind == TokenKind::Punct && is_terminal(tok) {
            // Closing quotes and brackets end the sentence, also after a space as Dutch
            // papers write them ("zo . ''"); a quote with a space before it and none after
            // opens the next one ("door Europa. 'Het is …").
            while let Some(next) = tokens.get(last + 1) {
                let opens = next.span.start > tokens[last].span.end
                    && tokens
                        .get(last + 2)
                        .is_some_and(|after| after.span.start == next.span.end);
                if !is_closing(&text[next.span.range()]) || opens {
                    break;
                }
                last += 1;
            }
            boundary = match tokens.get(last + 1) {
                None => true,
                Some(next) => {
                    let gap = &text[tokens[last].span.end as usize..next.span.start as usize];
                    !gap.is_empty() && starts_sentence(&text[next.span.range()])
                }
            };
        }
        if !boundary {
            if let Some(next) = tokens.get(i + 1) {
                let gap = &text[tokens[i].span.end as usize..next.span.start as usize];
                let newlines = gap.matches('\n').count();
                if newlines >= 2 {
                    boundary = true;
                } else if newlines == 1 {
                    // A short line without final punctuation is a heading.
                    let line_start = text[..tokens[first].span.start as usize]
                        .rfind('\n')
                        .map_or(0, |p| p + 1);
                    let line = &text[line_start.max(tokens[first].span.start as usize)
                        ..tokens[i].span.end as usize];
                    let next_upper = text[next.span.range()]
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase);
                    boundary = line.len() < 60
                        && !line.contains('\n')
                        && next_upper
                        && tokens[i].kind != TokenKind::Punct;
                }
            }
        }
        if boundary || last + 1 >= tokens.len() {
            out.push(Sentence {
                span: Span::new(
                    tokens[first].span.start as usize,
                    tokens[last].span.end as usize,
                ),
                tokens: first..last + 1,
            });
            first = last + 1;
        }
        i = last + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str, lang: Lang) -> Vec<&str> {
        tokenize(text, lang)
            .iter()
            .map(|t| &text[t.span.range()])
            .collect()
    }

    fn sents(text: &str, lang: Lang) -> Vec<&str> {
        let t = tokenize(text, lang);
        sentences(text, &t)
            .iter()
            .map(|s| &text[s.span.range()])
            .collect()
    }

    #[test]
    fn tokens_keep_numbers_and_abbreviations() {
        assert_eq!(
            toks("zo’n 1.500 strijders, o.a. in Syrië.", Lang::NL),
            [
                "zo’n",
                "1.500",
                "strijders",
                ",",
                "o.a.",
                "in",
                "Syrië",
                "."
            ]
        );
        assert_eq!(
            toks("The U.S. said 14,000 (or 14.5%).", Lang::EN),
            ["The", "U.S.", "said", "14,000", "(", "or", "14.5", "%", ")", "."]
        );
        assert_eq!(
            toks("Syrisch-Iraakse grens...", Lang::NL),
            ["Syrisch-Iraakse", "grens", "..."]
        );
        assert_eq!(toks("", Lang::NL), Vec::<&str>::new());
    }

    #[test]
    fn sentences_respect_abbreviations_and_quotes() {
        assert_eq!(
            sents("Volgens dhr. Jansen is het mis. Dat zegt hij.", Lang::NL),
            ["Volgens dhr. Jansen is het mis.", "Dat zegt hij."]
        );
        assert_eq!(
            sents("Mr. Smith left on Jan. 5. The U.S. Army stayed.", Lang::EN),
            ["Mr. Smith left on Jan. 5.", "The U.S. Army stayed."]
        );
        assert_eq!(
            sents("He said: \"It is over.\" Then he left.", Lang::EN),
            ["He said: \"It is over.\"", "Then he left."]
        );
        assert_eq!(
            sents("Premie\n\nISIS belooft geld.", Lang::NL),
            ["Premie", "ISIS belooft geld."]
        );
    }

    /// Runs the cases of `testdata/segment/<lang>.tsv`.
    fn check_cases(cases: &str, lang: Lang) {
        let mut failures = Vec::new();
        for (n, line) in cases.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "line {}: {line:?}", n + 1);
            let input = cols[1].replace("\\n", "\n");
            let (got, want): (Vec<&str>, Vec<&str>) = match cols[0] {
                "tok" => (toks(&input, lang), cols[2].split(" | ").collect()),
                "sent" => (sents(&input, lang), cols[2].split(" || ").collect()),
                other => panic!("line {}: unknown kind {other:?}", n + 1),
            };
            if got != want {
                failures.push(format!(
                    "line {}: {input:?}\n  want {want:?}\n  got  {got:?}",
                    n + 1
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn dutch_segmentation_cases() {
        check_cases(include_str!("../../../testdata/segment/nl.tsv"), Lang::NL);
    }

    #[test]
    fn english_segmentation_cases() {
        check_cases(include_str!("../../../testdata/segment/en.tsv"), Lang::EN);
    }

    #[test]
    fn spans_are_char_boundaries() {
        let text = "Ça va? «Très bien». 東京 2020 — ok";
        for t in tokenize(text, Lang::EN) {
            assert!(!text[t.span.range()].is_empty());
        }
    }
}
