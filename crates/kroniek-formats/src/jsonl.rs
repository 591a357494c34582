//! JSON Lines: one article per line.
//!
//! Known fields (several spellings accepted): `text`/`body`/`content`, `title`/`headline`,
//! `date`/`published`/`pubDate`/`published_at`/`datePublished`, `url`/`link`,
//! `source`/`outlet`/`site`, `lang`/`language`. Every other field is kept verbatim.
//!
//! Locators are `line N`. A line that is not a JSON object, has no text, or is longer than
//! twice [`Options::max_doc_bytes`] is an error for that line and reading goes on; blank
//! lines are skipped; a line that is not UTF-8 is decoded lossily with a warning. Input with
//! no lines at all is reported as empty, binary input as a fatal error.
//!
//! [`Options::max_doc_bytes`]: crate::Options::max_doc_bytes

use std::io::{BufRead, Read};

use kroniek_core::{Document, Lang, PubDate};
use serde_json::{Map, Value};

use crate::{
    check_size, dates::parse_date, looks_binary, Options, Record, RecordError, RecordResult,
};

const TEXT: &[&str] = &["text", "body", "content", "article"];
const TITLE: &[&str] = &["title", "headline"];
const DATE: &[&str] = &[
    "date",
    "published",
    "pubDate",
    "published_at",
    "datePublished",
    "publication_date",
    "dct",
];
const URL: &[&str] = &["url", "link"];
const SOURCE: &[&str] = &["source", "outlet", "site", "publisher"];
const LANG: &[&str] = &["lang", "language"];

pub(crate) struct JsonlReader<R> {
    input: R,
    options: Options,
    line_no: usize,
    buf: Vec<u8>,
    done: bool,
    /// Whether any non-blank line was seen (an input without one is reported as empty).
    seen: bool,
}

impl<R: BufRead> JsonlReader<R> {
    pub(crate) fn new(input: R, options: Options) -> Self {
        JsonlReader {
            input,
            options,
            line_no: 0,
            buf: Vec::new(),
            done: false,
            seen: false,
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            self.line_no += 1;
            let locator = format!("line {}", self.line_no);
            // A line is read up to twice the text cap (JSON escapes and other fields weigh
            // too); a longer one is skipped without being held in memory.
            let limit = self
                .options
                .max_doc_bytes
                .saturating_mul(2)
                .saturating_add(64 * 1024) as u64;
            match (&mut self.input)
                .take(limit)
                .read_until(b'\n', &mut self.buf)
            {
                Ok(n) if n as u64 == limit && !self.buf.ends_with(b"\n") => {
                    self.seen = true;
                    let mut rest = Vec::new();
                    loop {
                        rest.clear();
                        match (&mut self.input)
                            .take(64 * 1024)
                            .read_until(b'\n', &mut rest)
                        {
                            Ok(0) => break,
                            Ok(_) if rest.ends_with(b"\n") => break,
                            Ok(_) => {}
                            Err(e) => {
                                self.done = true;
                                return Some(Err(RecordError::fatal(
                                    locator,
                                    format!("cannot read: {e}"),
                                )));
                            }
                        }
                    }
                    return Some(Err(RecordError::new(
                        locator,
                        format!("line of more than {limit} bytes exceeds the size cap; skipped"),
                    )));
                }
                Ok(0) => {
                    self.done = true;
                    if !self.seen {
                        return Some(Err(RecordError::new("", "empty input")));
                    }
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(RecordError::fatal(
                        locator,
                        format!("cannot read: {e}"),
                    )));
                }
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if !self.seen && looks_binary(&self.buf) {
                self.done = true;
                return Some(Err(RecordError::fatal(
                    locator,
                    "binary data, not JSON lines",
                )));
            }
            self.seen = true;
            return Some(parse_line(&self.buf, &self.options, locator));
        }
    }
}

fn take_str(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    for key in keys {
        if let Some(v) = map.remove(*key) {
            match v {
                Value::String(s) => return Some(s),
                Value::Number(n) => return Some(n.to_string()),
                other => {
                    map.insert(key.to_string(), other);
                }
            }
        }
    }
    None
}

fn parse_line(line: &[u8], options: &Options, locator: String) -> RecordResult {
    let mut warnings = Vec::new();
    let text_line = match std::str::from_utf8(line) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            warnings.push("invalid UTF-8 in the line, decoded lossily".to_string());
            String::from_utf8_lossy(line)
        }
    };
    let value: Value = serde_json::from_str(text_line.trim())
        .map_err(|e| RecordError::new(&locator, format!("invalid JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(RecordError::new(&locator, "expected a JSON object"));
    };
    let text = take_str(&mut map, TEXT).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(RecordError::new(
            &locator,
            "empty article: no \"text\" field or it is blank",
        ));
    }
    check_size(&text, options, &locator)?;
    let published = match take_str(&mut map, DATE) {
        None => {
            warnings.push("no date; stored with an unknown publication date".into());
            PubDate::Unknown
        }
        Some(d) => parse_date(&d).unwrap_or_else(|| {
            warnings.push(format!(
                "date {d:?} does not parse; stored with an unknown publication date"
            ));
            PubDate::Unknown
        }),
    };
    let lang = take_str(&mut map, LANG).and_then(|l| {
        let parsed = Lang::parse(&l);
        if parsed.is_none() {
            warnings.push(format!(
                "language {l:?} is not a language code; it will be detected"
            ));
        }
        parsed
    });
    let mut builder = Document::builder(text).published(published).language(lang);
    if let Some(t) = take_str(&mut map, TITLE) {
        builder = builder.title(t);
    }
    if let Some(u) = take_str(&mut map, URL) {
        builder = builder.url(u);
    }
    if let Some(s) = take_str(&mut map, SOURCE) {
        builder = builder.source(s);
    }
    if !map.is_empty() {
        builder = builder.extra(Value::Object(map).to_string());
    }
    Ok(Record {
        doc: builder.build(),
        locator,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(s: &str) -> Vec<RecordResult> {
        JsonlReader::new(s.as_bytes(), Options::default()).collect()
    }

    #[test]
    fn reads_fields_and_keeps_unknown_ones() {
        let r = read_all(
            r#"{"date":"2019-02","title":"Kop","text":"Tekst.","url":"http://x","source":"NOS","lang":"nl","section":"binnenland","n":3}"#,
        );
        let rec = r[0].as_ref().unwrap();
        assert_eq!(rec.doc.published.to_string(), "2019-02");
        assert_eq!(rec.doc.title.as_deref(), Some("Kop"));
        assert_eq!(rec.doc.source.as_deref(), Some("NOS"));
        assert_eq!(rec.doc.language, Some(Lang::NL));
        let extra: Value = serde_json::from_str(rec.doc.extra.as_deref().unwrap()).unwrap();
        assert_eq!(extra["section"], "binnenland");
        assert_eq!(extra["n"], 3);
    }

    #[test]
    fn a_broken_line_does_not_stop_the_rest() {
        let r = read_all("{\"text\":\"een\",\"date\":\"2019\"}\n{broken\n\n{\"text\":\"twee\",\"published\":\"gisteren\"}\n[1]\n{\"title\":\"geen tekst\"}\n");
        assert_eq!(r.len(), 5);
        assert!(r[0].is_ok());
        let err = r[1].as_ref().unwrap_err();
        assert_eq!(err.locator, "line 2");
        assert!(err.message.starts_with("invalid JSON"));
        let two = r[2].as_ref().unwrap();
        assert_eq!(two.locator, "line 4");
        assert!(two.doc.published.is_unknown() && two.warnings[0].contains("does not parse"));
        assert!(r[3].as_ref().unwrap_err().message.contains("object"));
        assert!(r[4].as_ref().unwrap_err().message.contains("empty"));
    }
}
