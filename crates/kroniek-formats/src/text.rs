//! The sample format: ` date 2019-02` on the first line (leading space optional), then the
//! text, either on the next line or after a space on the same line.
//!
//! A file without a date line, or whose date does not parse, is kept with an unknown date
//! and a warning. Invalid UTF-8 is decoded lossily with a warning. An empty article, binary
//! data and a file longer than [`Options::max_doc_bytes`] (read no further than the cap)
//! are errors.
//!
//! [`Options::max_doc_bytes`]: crate::Options::max_doc_bytes

use std::io::{BufRead, Read};

use kroniek_core::{Document, PubDate};

use crate::{check_size, decode, looks_binary, Options, Record, RecordError, RecordResult};

pub(crate) fn read<R: BufRead>(mut input: R, options: &Options) -> RecordResult {
    let mut bytes = Vec::new();
    // Read at most one byte past the cap (plus slack for the date line), so a huge file
    // cannot exhaust memory before it is rejected.
    let limit = (options.max_doc_bytes as u64).saturating_add(4096);
    (&mut input)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| RecordError::fatal("", format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(RecordError::new(
            "",
            format!(
                "document exceeds the size cap of {} bytes; skipped",
                options.max_doc_bytes
            ),
        ));
    }
    parse(bytes, options)
}

pub(crate) fn parse(bytes: Vec<u8>, options: &Options) -> RecordResult {
    if looks_binary(&bytes) {
        return Err(RecordError::new("", "binary data, not text; skipped"));
    }
    let (text, utf8_warning) = decode(bytes);
    let mut warnings: Vec<String> = utf8_warning.into_iter().collect();
    let body = text.trim_start_matches('\u{feff}');
    let (published, rest) = split_date_line(body, &mut warnings);
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(RecordError::new(
            "",
            "empty article: no text after the date line",
        ));
    }
    check_size(rest, options, "")?;
    let doc = Document::builder(rest).published(published).build();
    Ok(Record {
        doc,
        locator: String::new(),
        warnings,
    })
}

/// Splits off a leading `date …` line; returns the date (or unknown, with a warning) and the rest.
fn split_date_line<'t>(text: &'t str, warnings: &mut Vec<String>) -> (PubDate, &'t str) {
    let trimmed = text.trim_start();
    let Some(after) = trimmed
        .strip_prefix("date")
        .filter(|a| a.starts_with([' ', '\t', ':']))
    else {
        warnings.push("no ` date YYYY-MM` line; stored with an unknown publication date".into());
        return (PubDate::Unknown, text);
    };
    let after = after.trim_start_matches([' ', '\t', ':']);
    let end = after.find(char::is_whitespace).unwrap_or(after.len());
    let (token, rest) = after.split_at(end);
    match PubDate::parse(token) {
        Some(d) => (d, rest),
        None => {
            warnings.push(format!("date {token:?} does not parse (expected YYYY, YYYY-MM or YYYY-MM-DD); stored with an unknown publication date"));
            (PubDate::Unknown, rest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kroniek_core::DatePrecision;

    fn parse_str(s: &str) -> RecordResult {
        parse(s.as_bytes().to_vec(), &Options::default())
    }

    #[test]
    fn date_on_the_same_line_or_its_own() {
        let r = parse_str(" date 2019-02 Een groep jihadisten.").unwrap();
        assert_eq!(r.doc.published.precision(), DatePrecision::Month);
        assert_eq!(r.doc.text, "Een groep jihadisten.");
        let r = parse_str("date 2018-01-05\nDrie keer.\n\nTwee.").unwrap();
        assert_eq!(r.doc.published.to_string(), "2018-01-05");
        assert_eq!(r.doc.text, "Drie keer.\n\nTwee.");
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn missing_or_bad_dates_are_flagged() {
        let r = parse_str("Gewoon tekst.").unwrap();
        assert!(r.doc.published.is_unknown());
        assert_eq!(r.warnings.len(), 1);
        let r = parse_str(" date 2019-13 Tekst.").unwrap();
        assert!(r.doc.published.is_unknown());
        assert!(r.warnings[0].contains("does not parse"), "{:?}", r.warnings);
        assert_eq!(r.doc.text, "Tekst.");
    }

    #[test]
    fn empty_binary_and_oversized_are_errors() {
        assert!(parse_str("").is_err());
        assert!(parse_str(" date 2019-02 ")
            .unwrap_err()
            .message
            .contains("empty"));
        assert!(parse(vec![0, 1, 2, 3, 0xff], &Options::default())
            .unwrap_err()
            .message
            .contains("binary"));
        let small = Options { max_doc_bytes: 10 };
        assert!(parse(b"date 2019 0123456789abcdef".to_vec(), &small)
            .unwrap_err()
            .message
            .contains("size cap"));
    }

    #[test]
    fn invalid_utf8_is_decoded_with_a_warning() {
        let r = parse(b"date 2019 caf\xe9 au lait".to_vec(), &Options::default()).unwrap();
        assert_eq!(r.doc.text, "caf\u{fffd} au lait");
        assert!(r.warnings[0].contains("UTF-8"));
    }
}
