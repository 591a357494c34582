//! WARC files (1.0/1.1), plain or gzip-compressed (one or many gzip members, as Common
//! Crawl writes them; detected by the gzip magic bytes), read record by record without
//! holding the file in memory.
//!
//! Each record's header is read (`WARC-Type`, `WARC-Target-URI`, `WARC-Date`,
//! `Content-Length`), then its block:
//! - a `response` record holding an HTTP response (`HTTP/1.x 2xx`) whose `Content-Type` is
//!   HTML becomes one record: the HTTP headers are parsed, `Transfer-Encoding: chunked` and
//!   `Content-Encoding: gzip`/`deflate` are undone, the body is decoded by its charset (see
//!   the HTML reader; lossily with a warning when it is not UTF-8) and handed to the HTML
//!   extraction. A `resource` record of type `text/html` is taken the same way;
//! - a page the crawler cut short (`WARC-Truncated`) is read with a warning;
//! - the URL comes from `WARC-Target-URI` when the page names none; when the page has no
//!   date, `WARC-Date` is used, with a warning that it is the crawl date;
//! - `WARC-Record-ID`, `WARC-Date` and `WARC-Target-URI` are kept in the document's extra
//!   fields (`warc_record_id`, `warc_date`, `warc_target_uri`) for provenance;
//! - every other record (`warcinfo`, `request`, `metadata`, non-HTML or non-2xx responses) is
//!   skipped silently.
//!
//! Locators are `record N`, counting every record in the file. A record larger than four
//! times [`Options::max_doc_bytes`] is skipped with an error (its bytes are read past, not
//! kept). Input that is not WARC, a record header without a usable `Content-Length`, a
//! record cut short and a truncated or corrupt gzip stream give a `fatal` error after the
//! complete records already yielded.
//!
//! [`Options::max_doc_bytes`]: crate::Options::max_doc_bytes

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};

use crate::html::{decode_html, page_cap, parse_page};
use crate::{dates::parse_date, looks_binary, Options, RecordError, RecordResult};

/// Longest header line accepted (WARC or HTTP).
const MAX_LINE: u64 = 64 * 1024;
/// Most header lines in one WARC record header.
const MAX_HEADERS: usize = 512;

pub(crate) fn read<'a, R: BufRead + 'a>(
    input: R,
    options: Options,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    let (head, input) = match crate::peek(input, 2) {
        Ok(peeked) => peeked,
        Err(e) => {
            return Box::new(std::iter::once(Err(RecordError::fatal(
                "",
                format!("cannot read: {e}"),
            ))))
        }
    };
    if head.is_empty() {
        return Box::new(std::iter::once(Err(RecordError::new("", "empty input"))));
    }
    let stream: Box<dyn BufRead + 'a> = if head == [0x1f, 0x8b] {
        Box::new(BufReader::with_capacity(
            64 * 1024,
            MultiGzDecoder::new(input),
        ))
    } else {
        Box::new(input)
    };
    Box::new(WarcReader {
        input: stream,
        options,
        records: 0,
        done: false,
    })
}

struct WarcReader<'a> {
    input: Box<dyn BufRead + 'a>,
    options: Options,
    /// Records started so far.
    records: usize,
    done: bool,
}

/// Header fields, names lower case, values trimmed.
struct Headers(Vec<(String, String)>);

impl Headers {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_header_line(line: &str, headers: &mut Vec<(String, String)>) {
    if line.starts_with([' ', '\t']) {
        // A folded continuation line.
        if let Some((_, v)) = headers.last_mut() {
            v.push(' ');
            v.push_str(line.trim());
        }
    } else if let Some((name, value)) = line.split_once(':') {
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

/// The media type of a `Content-Type` value, lower case, and its charset parameter.
fn media_type(content_type: &str) -> (String, Option<String>) {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
        .filter(|c| !c.is_empty());
    (media, charset)
}

fn is_html(media: &str) -> bool {
    matches!(media, "text/html" | "application/xhtml+xml")
}

impl WarcReader<'_> {
    fn fatal(
        &mut self,
        locator: impl Into<String>,
        message: impl Into<String>,
    ) -> Option<RecordResult> {
        self.done = true;
        Some(Err(RecordError::fatal(locator, message)))
    }

    /// One line without its line ending; `None` at the end of the input.
    fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut buf = Vec::new();
        let n = (&mut self.input)
            .take(MAX_LINE)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if !buf.ends_with(b"\n") && n as u64 == MAX_LINE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("header line longer than {MAX_LINE} bytes"),
            ));
        }
        let line = String::from_utf8_lossy(&buf);
        Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
    }

    /// Reads and drops `len` bytes; the number actually there.
    fn skip(&mut self, len: u64) -> io::Result<u64> {
        io::copy(&mut (&mut self.input).take(len), &mut io::sink())
    }

    fn next_record(&mut self) -> Option<RecordResult> {
        // Records are separated by blank lines.
        let version = loop {
            match self.read_line() {
                Ok(None) => {
                    self.done = true;
                    if self.records == 0 {
                        return Some(Err(RecordError::new("", "empty input")));
                    }
                    return None;
                }
                Ok(Some(l)) if l.trim().is_empty() => continue,
                Ok(Some(l)) => break l,
                Err(e) => {
                    let locator = format!("record {}", self.records + 1);
                    return self.fatal(
                        locator,
                        format!("cannot read: {e} (truncated or corrupt input?)"),
                    );
                }
            }
        };
        self.records += 1;
        let locator = format!("record {}", self.records);
        if !version.starts_with("WARC/") {
            let message = if self.records == 1 {
                "not a WARC file: it does not start with a WARC/1.x record header".to_string()
            } else {
                "expected a WARC/1.x record header; the rest of the input cannot be read"
                    .to_string()
            };
            return self.fatal(locator, message);
        }
        let mut fields = Vec::new();
        loop {
            match self.read_line() {
                Ok(None) => {
                    return self.fatal(
                        locator,
                        "the input ends inside the record header (truncated?)",
                    )
                }
                Ok(Some(l)) if l.is_empty() => break,
                Ok(Some(l)) => {
                    if fields.len() >= MAX_HEADERS {
                        return self.fatal(
                            locator,
                            format!("record header has more than {MAX_HEADERS} lines"),
                        );
                    }
                    parse_header_line(&l, &mut fields);
                }
                Err(e) => {
                    return self.fatal(
                        locator,
                        format!("cannot read the record header: {e} (truncated or corrupt input?)"),
                    )
                }
            }
        }
        let headers = Headers(fields);
        let Some(length) = headers
            .get("content-length")
            .and_then(|l| l.parse::<u64>().ok())
        else {
            return self.fatal(
                locator,
                "missing or invalid Content-Length; the rest of the input cannot be read",
            );
        };
        let kind = headers.get("warc-type").unwrap_or("").to_ascii_lowercase();
        let (warc_media, _) = media_type(headers.get("content-type").unwrap_or(""));
        let wanted = match kind.as_str() {
            "response" => true,
            "resource" => is_html(&warc_media),
            _ => false,
        };
        let cap = page_cap(&self.options) as u64;
        if !wanted || length > cap {
            match self.skip(length) {
                Ok(n) if n < length => {
                    return self.fatal(
                        locator,
                        format!("record cut short: {n} of {length} bytes (truncated?)"),
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    return self.fatal(
                        locator,
                        format!("cannot read the record: {e} (truncated or corrupt input?)"),
                    )
                }
            }
            if wanted {
                return Some(Err(RecordError::new(
                    locator,
                    format!(
                        "record of {length} bytes exceeds the size cap of {cap} bytes; skipped"
                    ),
                )));
            }
            return None;
        }
        // The length is what the header claims; grow as the bytes actually arrive.
        let mut block = Vec::with_capacity(length.min(1 << 20) as usize);
        match (&mut self.input).take(length).read_to_end(&mut block) {
            Ok(n) if (n as u64) < length => {
                return self.fatal(
                    locator,
                    format!("record cut short: {n} of {length} bytes (truncated?)"),
                );
            }
            Ok(_) => {}
            Err(e) => {
                return self.fatal(
                    locator,
                    format!("cannot read the record: {e} (truncated or corrupt input?)"),
                )
            }
        }
        if kind == "resource" {
            let (_, charset) = media_type(headers.get("content-type").unwrap_or(""));
            return Some(self.page(block, charset, &headers, locator, Vec::new()));
        }
        self.response(block, &headers, locator)
    }

    /// An HTTP response block: `None` when it is not an HTML page worth reading.
    fn response(&self, block: Vec<u8>, headers: &Headers, locator: String) -> Option<RecordResult> {
        let (warc_media, _) = media_type(headers.get("content-type").unwrap_or(""));
        if !warc_media.is_empty() && !warc_media.starts_with("application/http") {
            // A response record that stores the payload alone (some crawlers do).
            if is_html(&warc_media) {
                return Some(self.page(block, None, headers, locator, Vec::new()));
            }
            return None;
        }
        let Some(split) = find_header_end(&block) else {
            // Only worth an error when it claims to be a page.
            let head =
                String::from_utf8_lossy(&block[..block.len().min(8192)]).to_ascii_lowercase();
            if !head.contains("text/html") {
                return None;
            }
            return Some(Err(RecordError::new(
                locator,
                "HTTP response without the blank line that ends its headers",
            )));
        };
        let (head, body) = (&block[..split.0], &block[split.1..]);
        let head = String::from_utf8_lossy(head);
        let mut lines = head.lines();
        let status_line = lines.next().unwrap_or("");
        if !status_line.starts_with("HTTP/") {
            return Some(Err(RecordError::new(
                locator,
                format!("not an HTTP response: {:?}", truncate(status_line, 60)),
            )));
        }
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if !(200..300).contains(&status) {
            return None;
        }
        let mut fields = Vec::new();
        for l in lines {
            parse_header_line(l, &mut fields);
        }
        let http = Headers(fields);
        let (media, charset) = media_type(http.get("content-type").unwrap_or(""));
        if media.is_empty() {
            let start = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
            if !start.contains("<html") && !start.contains("<!doctype html") {
                return None;
            }
        } else if !is_html(&media) {
            return None;
        }
        let mut warnings = Vec::new();
        let mut body = body.to_vec();
        if http
            .get("transfer-encoding")
            .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
        {
            match dechunk(&body) {
                Some(b) => body = b,
                // Crawlers often store the payload already de-chunked but keep the header.
                None => warnings.push(
                    "body is not in chunked encoding although the header says so; taken as is"
                        .to_string(),
                ),
            }
        }
        let encoding = http
            .get("content-encoding")
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let cap = page_cap(&self.options) as u64;
        let decoded = match encoding.as_str() {
            "" | "identity" | "none" => Ok(body),
            "gzip" | "x-gzip" => inflate(GzDecoder::new(&body[..]), cap),
            "deflate" => inflate(ZlibDecoder::new(&body[..]), cap)
                .or_else(|_| inflate(DeflateDecoder::new(&body[..]), cap)),
            other => {
                return Some(Err(RecordError::new(
                    locator,
                    format!("content encoding {other:?} is not supported; skipped"),
                )))
            }
        };
        let body = match decoded {
            Ok(b) if b.len() as u64 > cap => {
                return Some(Err(RecordError::new(
                    locator,
                    format!("page exceeds the size cap of {cap} bytes once decompressed; skipped"),
                )))
            }
            Ok(b) => b,
            Err(e) => {
                return Some(Err(RecordError::new(
                    locator,
                    format!("cannot undo the {encoding} content encoding: {e}"),
                )))
            }
        };
        Some(self.page(body, charset, headers, locator, warnings))
    }

    /// An HTML page from a record, with the WARC header as fallback for url and date.
    fn page(
        &self,
        body: Vec<u8>,
        charset: Option<String>,
        headers: &Headers,
        locator: String,
        mut warnings: Vec<String>,
    ) -> RecordResult {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(RecordError::new(locator, "empty HTML page"));
        }
        if let Some(reason) = headers.get("warc-truncated") {
            warnings.push(format!("the crawler cut this page short (WARC-Truncated: {reason}); its text may be incomplete"));
        }
        if looks_binary(&body) {
            return Err(RecordError::new(
                locator,
                "binary data in an HTML response; skipped",
            ));
        }
        let (html, decode_warnings) = decode_html(body, charset.as_deref());
        warnings.extend(decode_warnings);
        let mut page = parse_page(&html);
        warnings.append(&mut page.warnings);
        page.warnings = warnings;
        for (field, key) in [
            ("warc-record-id", "warc_record_id"),
            ("warc-date", "warc_date"),
            ("warc-target-uri", "warc_target_uri"),
        ] {
            if let Some(v) = headers.get(field) {
                page.extra
                    .insert(key.into(), serde_json::Value::String(v.to_string()));
            }
        }
        if page.url.is_none() {
            page.url = headers
                .get("warc-target-uri")
                .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_string())
                .filter(|u| !u.is_empty());
        }
        if page.published.is_unknown() {
            if let Some(crawl) = headers.get("warc-date").and_then(parse_date) {
                if let Some(w) = page
                    .date_warning
                    .take()
                    .filter(|w| w.contains("does not parse"))
                {
                    page.warnings
                        .push(w.replace("; stored with an unknown publication date", ""));
                }
                page.published = crawl;
                page.date_warning = Some(format!(
                    "no publication date in the page; using the crawl date {crawl} (WARC-Date), which may be later than publication"
                ));
            }
        }
        page.into_record(locator, &self.options)
    }
}

impl Iterator for WarcReader<'_> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        while !self.done {
            if let Some(r) = self.next_record() {
                return Some(r);
            }
        }
        None
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Where the HTTP header ends: (end of headers, start of body), at the first empty line
/// (`\r\n` or `\n` line endings) within the first 256 KiB.
fn find_header_end(block: &[u8]) -> Option<(usize, usize)> {
    let window = &block[..block.len().min(256 * 1024)];
    let mut start = 0;
    while let Some(nl) = window[start..].iter().position(|&b| b == b'\n') {
        let end = start + nl;
        if end == start || (end == start + 1 && window[start] == b'\r') {
            return Some((start, end + 1));
        }
        start = end + 1;
    }
    None
}

/// Undoes HTTP chunked transfer encoding; `None` if the body is not chunked.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let line_end = rest.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&rest[..line_end]).ok()?.trim();
        let size_field = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_field, 16).ok()?;
        rest = &rest[line_end + 1..];
        if size == 0 {
            return Some(out);
        }
        if rest.len() < size {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size..];
        rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
            .unwrap_or(rest);
        if rest.is_empty() {
            // No terminating zero-size chunk: accept what was there.
            return Some(out);
        }
    }
}

/// Decompresses at most `cap + 1` bytes.
fn inflate<D: Read>(decoder: D, cap: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    decoder.take(cap.saturating_add(1)).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, uri: &str, date: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn http(body: &str, headers: &str) -> Vec<u8> {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{headers}\r\n{body}")
            .into_bytes()
    }

    #[test]
    fn reads_responses_and_skips_the_rest() {
        let mut warc = record(
            "warcinfo",
            "",
            "2019-02-11T00:00:00Z",
            "",
            b"software: test\r\n",
        );
        warc.extend(record(
            "request",
            "https://x/a",
            "2019-02-11T00:00:00Z",
            "",
            b"GET /a HTTP/1.1\r\n\r\n",
        ));
        let page = "<html lang=en><head><meta property=\"article:published_time\" content=\"2019-02-10\"></head><body><article><p>Storm hits.</p></article></body></html>";
        warc.extend(record(
            "response",
            "https://x/a",
            "2019-02-11T00:00:00Z",
            "Content-Type: application/http; msgtype=response\r\n",
            &http(page, ""),
        ));
        warc.extend(record(
            "response",
            "https://x/b",
            "2019-02-12T03:00:00Z",
            "",
            &http("<p>No date here.</p>", ""),
        ));
        warc.extend(record(
            "metadata",
            "https://x/b",
            "2019-02-12T03:00:00Z",
            "",
            b"x: y\r\n",
        ));
        let r: Vec<_> = read(&warc[..], Options::default()).collect();
        assert_eq!(r.len(), 2, "{r:?}");
        let a = r[0].as_ref().unwrap();
        assert_eq!(a.locator, "record 3");
        assert_eq!(a.doc.text, "Storm hits.");
        assert_eq!(a.doc.url.as_deref(), Some("https://x/a"));
        assert_eq!(a.doc.published.to_string(), "2019-02-10");
        let b = r[1].as_ref().unwrap();
        assert_eq!(b.locator, "record 4");
        assert_eq!(b.doc.published.to_string(), "2019-02-12");
        assert!(
            b.warnings.iter().any(|w| w.contains("crawl date")),
            "{:?}",
            b.warnings
        );
    }

    #[test]
    fn crawler_truncation_is_a_warning_and_headerless_non_pages_are_skipped() {
        let mut warc = record(
            "response",
            "https://x/t",
            "2019-02-11T00:00:00Z",
            "WARC-Truncated: length\r\n",
            &http("<p>Half a sto", ""),
        );
        warc.extend(record(
            "response",
            "https://x/i",
            "2019-02-11T00:00:00Z",
            "",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n",
        ));
        let r: Vec<_> = read(&warc[..], Options::default()).collect();
        assert_eq!(r.len(), 1, "{r:?}");
        let rec = r[0].as_ref().unwrap();
        assert_eq!(rec.doc.text, "Half a sto");
        assert!(rec.warnings.iter().any(|w| w.contains("WARC-Truncated")));
    }

    #[test]
    fn chunked_and_gzip_bodies_are_undone() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<p>Ingepakt.</p>").unwrap();
        let body = gz.finish().unwrap();
        let mut payload = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        payload.extend(format!("{:x}\r\n", body.len()).into_bytes());
        payload.extend(&body);
        payload.extend(b"\r\n0\r\n\r\n");
        let warc = record(
            "response",
            "https://x/c",
            "2019-02-11T00:00:00Z",
            "",
            &payload,
        );
        let r: Vec<_> = read(&warc[..], Options::default()).collect();
        assert_eq!(r[0].as_ref().unwrap().doc.text, "Ingepakt.");
    }

    #[test]
    fn cut_records_are_fatal_and_oversized_ones_skipped() {
        let page = http("<p>Een.</p>", "");
        let mut warc = record(
            "response",
            "https://x/a",
            "2019-02-11T00:00:00Z",
            "",
            &http(&"<p>lang</p>".repeat(50), ""),
        );
        warc.extend(record(
            "response",
            "https://x/b",
            "2019-02-11T00:00:00Z",
            "",
            &page,
        ));
        let small = Options { max_doc_bytes: 100 };
        let r: Vec<_> = read(&warc[..], small.clone()).collect();
        assert!(r[0].as_ref().unwrap_err().message.contains("size cap"));
        assert_eq!(r[1].as_ref().unwrap().doc.text, "Een.");
        let cut = &warc[..warc.len() - 8];
        let r: Vec<_> = read(cut, small).collect();
        let last = r.last().unwrap().as_ref().unwrap_err();
        assert!(
            last.fatal && last.locator == "record 2" && last.message.contains("cut short"),
            "{last:?}"
        );
        let r: Vec<_> = read(&b"junk\n"[..], Options::default()).collect();
        assert!(r[0].as_ref().unwrap_err().fatal);
    }
}
