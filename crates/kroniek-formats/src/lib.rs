//! kroniek-formats: turn bytes from anywhere into [`Document`]s.
//!
//! # Overview
//! Every reader is generic over [`std::io::BufRead`] and yields one
//! [`RecordResult`] per article, lazily, so a 10 GB WARC file streams through in
//! bounded memory. A bad record is an `Err` for that record only; the iterator goes on
//! with the next one. A warning that does not stop a record (a date that does not
//! parse, invalid UTF-8 decoded lossily) travels with the record in
//! [`Record::warnings`] so the store can keep it next to the document.
//!
//! Readers never touch the file system: walking folders and opening files is the
//! caller's job. [`sniff`] picks a format from a file name and its first bytes.
//!
//! | format | what one record is |
//! |---|---|
//! | [`Format::Text`] | a whole file: first line ` date 2019-02` (or `YYYY`, `YYYY-MM-DD`), then the text |
//! | [`Format::Jsonl`] | one line: `{"date"\|"published", "title", "text", "url", "source", "lang", …}` |
//! | [`Format::Feed`] | one RSS 2.0 `<item>` or Atom `<entry>` |
//! | [`Format::Html`] | a whole article page |
//! | [`Format::Warc`] | one WARC `response` record holding an HTML page (gzip or plain) |
//!
//! Each module's documentation says which fields it reads and how it treats bad input.
//! The feed and WARC readers reuse the HTML reader's text extraction, so an article body
//! looks the same whichever container it came in: whitespace normalised, paragraphs
//! separated by a blank line.
//!
//! # Faults
//! - **Locators** name the record: `line N` (JSONL), `item N` (feeds), `record N` (WARC,
//!   counting every record in the file), empty for formats with one article per file.
//! - **Per-record errors** (`fatal == false`): a broken JSON line, a malformed feed item, a
//!   page without article text, a document over [`Options::max_doc_bytes`] (skipped; the
//!   reader reads past it without keeping it). Reading goes on.
//! - **Fatal errors** (`fatal == true`, always the last item): input that is binary or not
//!   of the format at all, XML that cannot be read further, a feed or WARC record cut off
//!   (truncated file or gzip stream), an I/O error. Records before it were complete.
//! - **Warnings** on a record: no publication date or one that does not parse (the date
//!   is then unknown), invalid UTF-8 decoded lossily, a WARC crawl date used as the date.
//! - Empty input gives one error, `empty input` (or, for text, `empty article`).
//! - No reader panics on any input; `tests/tests.rs` feeds them random and mutated bytes.
#![deny(missing_docs)]

use std::fmt;
use std::io::BufRead;

use kroniek_core::Document;

mod dates;
mod feed;
mod html;
mod jsonl;
mod text;
mod warc;

pub use dates::parse_date;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text with a leading ` date YYYY-MM` line; one article per file.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// RSS 2.0 or Atom.
    Feed,
    /// An HTML article page.
    Html,
    /// WARC (optionally gzip-compressed), as in Common Crawl News.
    Warc,
}

impl Format {
    /// All formats, for help texts.
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Jsonl,
        Format::Feed,
        Format::Html,
        Format::Warc,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Feed => "feed",
            Format::Html => "html",
            Format::Warc => "warc",
        }
    }

    /// Parses a name as written by [`Format::name`] (also `rss`, `atom`, `txt`, `json`).
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "text" | "txt" => Format::Text,
            "jsonl" | "json" | "ndjson" => Format::Jsonl,
            "feed" | "rss" | "atom" | "xml" => Format::Feed,
            "html" | "htm" => Format::Html,
            "warc" => Format::Warc,
            _ => return None,
        })
    }

    /// Whether one file of this format holds a single article.
    pub fn one_per_file(self) -> bool {
        matches!(self, Format::Text | Format::Html)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How readers treat their input.
#[derive(Debug, Clone)]
pub struct Options {
    /// Articles whose text is longer than this many bytes are reported and skipped.
    pub max_doc_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_doc_bytes: 8 * 1024 * 1024,
        }
    }
}

/// One article read from the input, with what was odd about it.
#[derive(Debug, Clone)]
pub struct Record {
    /// The article.
    pub doc: Document,
    /// Where in the input it was (`line 3`, `item 2`, `record 5`, or empty for a whole file).
    pub locator: String,
    /// Problems that did not stop the record (lower-case messages).
    pub warnings: Vec<String>,
}

/// A record that could not be read; the reader goes on with the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// Where in the input (`line 3`, `item 2`, `record 5`, or empty for a whole file).
    pub locator: String,
    /// What went wrong, lower case, no final period.
    pub message: String,
    /// Whether the reader had to stop here (truncated or unreadable input).
    pub fatal: bool,
}

impl RecordError {
    pub(crate) fn new(locator: impl Into<String>, message: impl Into<String>) -> RecordError {
        RecordError {
            locator: locator.into(),
            message: message.into(),
            fatal: false,
        }
    }
    pub(crate) fn fatal(locator: impl Into<String>, message: impl Into<String>) -> RecordError {
        RecordError {
            locator: locator.into(),
            message: message.into(),
            fatal: true,
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.locator.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.locator, self.message)
        }
    }
}

impl std::error::Error for RecordError {}

/// What readers yield.
pub type RecordResult = Result<Record, RecordError>;

/// Reads articles of `format` from `input`.
pub fn read<'a, R: BufRead + 'a>(
    format: Format,
    input: R,
    options: &Options,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    let options = options.clone();
    match format {
        Format::Text => Box::new(std::iter::once(text::read(input, &options))),
        Format::Jsonl => Box::new(jsonl::JsonlReader::new(input, options)),
        Format::Feed => feed::read(input, options),
        Format::Html => Box::new(std::iter::once(html::read(input, &options))),
        Format::Warc => warc::read(input, options),
    }
}

/// Guesses the format from a file name (may be empty) and the first bytes of the input
/// (a few kilobytes are plenty).
pub fn sniff(name: &str, head: &[u8]) -> Format {
    let lower = name.to_ascii_lowercase();
    let ext = lower
        .trim_end_matches(".gz")
        .rsplit('.')
        .next()
        .unwrap_or("");
    if lower.ends_with(".warc") || lower.ends_with(".warc.gz") || head.starts_with(b"WARC/") {
        return Format::Warc;
    }
    // A gzip stream whose name does not say otherwise is most likely a WARC file.
    if head.starts_with(&[0x1f, 0x8b]) {
        return Format::Warc;
    }
    match ext {
        "jsonl" | "ndjson" | "json" => return Format::Jsonl,
        "rss" | "atom" | "xml" => return Format::Feed,
        "html" | "htm" | "xhtml" => return Format::Html,
        "txt" | "text" => return Format::Text,
        _ => {}
    }
    let start = String::from_utf8_lossy(&head[..head.len().min(2048)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if start.starts_with('{') {
        Format::Jsonl
    } else if start.starts_with("<?xml") || start.starts_with("<rss") || start.starts_with("<feed")
    {
        if start.contains("<html") && !start.contains("<rss") && !start.contains("<feed") {
            Format::Html
        } else {
            Format::Feed
        }
    } else if start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with('<')
    {
        Format::Html
    } else {
        Format::Text
    }
}

/// A reader that gives peeked bytes again before the rest of the input.
pub(crate) type Peeked<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, R>;

/// Reads up to `n` bytes from the start of `input` (fewer only at the end of the input,
/// however the reader hands out its bytes) and returns them with a reader that yields
/// them again, then the rest.
pub(crate) fn peek<R: BufRead>(mut input: R, n: usize) -> std::io::Result<(Vec<u8>, Peeked<R>)> {
    use std::io::Read;
    let mut head = Vec::with_capacity(n);
    (&mut input).take(n as u64).read_to_end(&mut head)?;
    Ok((head.clone(), std::io::Cursor::new(head).chain(input)))
}

/// Decodes bytes as UTF-8, lossily; returns a warning when bytes had to be replaced.
pub(crate) fn decode(bytes: Vec<u8>) -> (String, Option<String>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let bytes = e.into_bytes();
            let bad = String::from_utf8_lossy(&bytes).matches('\u{fffd}').count();
            (
                String::from_utf8_lossy(&bytes).into_owned(),
                Some(format!(
                    "invalid UTF-8: {bad} byte sequence(s) replaced by U+FFFD"
                )),
            )
        }
    }
}

/// Whether bytes look like binary data rather than text: NUL bytes or many control characters.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > sample.len().max(1)
}

/// Checks the size cap on a document's text.
pub(crate) fn check_size(text: &str, options: &Options, locator: &str) -> Result<(), RecordError> {
    if text.len() > options.max_doc_bytes {
        return Err(RecordError::new(
            locator,
            format!(
                "document of {} bytes exceeds the size cap of {} bytes; skipped",
                text.len(),
                options.max_doc_bytes
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_name_and_content() {
        assert_eq!(sniff("a.jsonl", b""), Format::Jsonl);
        assert_eq!(
            sniff("feed.xml", b"<?xml version='1.0'?><rss>"),
            Format::Feed
        );
        assert_eq!(
            sniff(
                "",
                b"<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/2005/Atom'>"
            ),
            Format::Feed
        );
        assert_eq!(sniff("x", b"<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff("x.warc.gz", b"\x1f\x8b"), Format::Warc);
        assert_eq!(sniff("x", b"WARC/1.0\r\n"), Format::Warc);
        assert_eq!(sniff("000_abc.txt", b" date 2019-02 Een"), Format::Text);
        assert_eq!(sniff("noext", b" date 2019-02 Een"), Format::Text);
        assert_eq!(sniff("noext", b"{\"text\":\"x\"}"), Format::Jsonl);
    }

    #[test]
    fn binary_detection() {
        assert!(looks_binary(b"\x00\x01\x02abc"));
        assert!(!looks_binary("Gewoon tekst, met één accent.\n".as_bytes()));
    }
}
