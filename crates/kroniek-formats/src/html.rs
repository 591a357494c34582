//! HTML article pages, parsed with `scraper` (html5ever), so broken markup is read the way a
//! browser reads it.
//!
//! What is taken from a page:
//! - **title**: `og:title`, else `<title>` (with a trailing ` - Site name` removed when the
//!   site name is known), else the first `<h1>`, else JSON-LD `headline`;
//! - **publication date**, first that parses of: `article:published_time`, JSON-LD
//!   `datePublished` (top-level objects, arrays and `@graph`, preferring `*Article` types),
//!   `itemprop="datePublished"`, `<time datetime>` (one marked `pubdate` or
//!   `itemprop=datePublished` first), `<meta name="date">`, `pubdate`, `publishdate`,
//!   `DC.date`, `DC.date.issued`, `dcterms.created` and similar. A page without one is kept
//!   with an unknown date and a warning; a date that does not parse is reported in a warning;
//! - **source** from `og:site_name`, else the JSON-LD publisher's `name`;
//! - **url** from `og:url`, else `<link rel="canonical">`;
//! - **language** from `<html lang>`, else `Content-Language`, `og:locale` or JSON-LD
//!   `inLanguage`;
//! - `author` (`<meta name="author">`, `article:author`) in the document's extra fields;
//! - **text**: the paragraphs (`<p>`, headings, list items, block quotes) inside
//!   `[itemprop=articleBody]`, else `<article>`, else `<main>` / `[role=main]`, else `<body>`
//!   (where several match, the one with the most paragraph text), skipping `script`, `style`,
//!   `nav`, `header`, `footer`, `aside`, `form`, `figure` and hidden elements. A page with no
//!   such paragraphs falls back to all block text of the container. Whitespace is normalised,
//!   `<br>` becomes a line break and paragraphs are joined with blank lines. A first
//!   paragraph that repeats the title (the `<h1>`) is left out.
//!
//! Bytes are decoded as UTF-8; a page that is not valid UTF-8 and declares (in its HTTP header
//! or a `<meta charset>`) ISO-8859-1 or windows-1252 is decoded as windows-1252, anything else
//! lossily with a warning. A page is read up to four times [`Options::max_doc_bytes`]
//! (markup weighs more than text); the extracted text must fit the cap itself.
//!
//! [`Options::max_doc_bytes`]: crate::Options::max_doc_bytes

use std::io::{BufRead, Read};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use kroniek_core::{Document, Lang, PubDate};
use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;

use crate::{
    check_size, dates::parse_date, looks_binary, Options, Record, RecordError, RecordResult,
};

/// Reads one page from `input`.
pub(crate) fn read<R: BufRead>(input: R, options: &Options) -> RecordResult {
    let cap = page_cap(options);
    let mut bytes = Vec::new();
    input
        .take((cap as u64).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| RecordError::fatal("", format!("cannot read: {e}")))?;
    if bytes.len() > cap {
        return Err(RecordError::new(
            "",
            format!("page exceeds the size cap of {cap} bytes; skipped"),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RecordError::new("", "empty input"));
    }
    if looks_binary(&bytes) {
        return Err(RecordError::new("", "binary data, not HTML; skipped"));
    }
    let (html, warnings) = decode_html(bytes, None);
    let mut record = html_to_record(&html, String::new(), options)?;
    record.warnings.splice(0..0, warnings);
    Ok(record)
}

/// Turns a decoded HTML page into a record (for readers whose input holds HTML pages).
pub(crate) fn html_to_record(html: &str, locator: String, options: &Options) -> RecordResult {
    parse_page(html).into_record(locator, options)
}

/// The most bytes of markup read for one page: four times the text cap.
pub(crate) fn page_cap(options: &Options) -> usize {
    options.max_doc_bytes.saturating_mul(4)
}

/// What was found on one page.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub(crate) title: Option<String>,
    pub(crate) published: PubDate,
    pub(crate) source: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) language: Option<Lang>,
    pub(crate) text: String,
    /// Problems met on the way (lower case).
    pub(crate) warnings: Vec<String>,
    /// The warning to give when the page has no usable date (kept apart so that a caller
    /// with a fallback date can replace it).
    pub(crate) date_warning: Option<String>,
    /// Fields kept in the document's `extra` (author, WARC provenance).
    pub(crate) extra: serde_json::Map<String, Value>,
}

impl Page {
    /// Turns the page into a record; an empty or oversized text is an error.
    pub(crate) fn into_record(mut self, locator: String, options: &Options) -> RecordResult {
        if self.text.is_empty() {
            return Err(RecordError::new(
                locator,
                "no article text found in the page",
            ));
        }
        check_size(&self.text, options, &locator)?;
        if let Some(w) = self.date_warning.take() {
            self.warnings.push(w);
        }
        let mut builder = Document::builder(self.text)
            .published(self.published)
            .language(self.language);
        if let Some(t) = self.title {
            builder = builder.title(t);
        }
        if let Some(s) = self.source {
            builder = builder.source(s);
        }
        if let Some(u) = self.url {
            builder = builder.url(u);
        }
        if !self.extra.is_empty() {
            builder = builder.extra(Value::Object(self.extra).to_string());
        }
        Ok(Record {
            doc: builder.build(),
            locator,
            warnings: self.warnings,
        })
    }
}

fn selector(css: &'static str) -> Selector {
    // The selectors are constants of this module; a typo is caught by the unit tests.
    Selector::parse(css).unwrap_or_else(|_| panic!("invalid built-in selector {css}"))
}

static META: LazyLock<Selector> = LazyLock::new(|| selector("meta"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static H1: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static LINK_CANONICAL: LazyLock<Selector> = LazyLock::new(|| selector("link[rel~=canonical]"));
static SCRIPT: LazyLock<Selector> = LazyLock::new(|| selector("script"));
static TIME: LazyLock<Selector> = LazyLock::new(|| selector("time[datetime]"));
static ITEMPROP_DATE: LazyLock<Selector> = LazyLock::new(|| selector("[itemprop=datePublished]"));
static BODY: LazyLock<Selector> = LazyLock::new(|| selector("body"));
/// Where the article text is looked for, most specific first.
static CONTAINERS: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        "[itemprop~=articleBody]",
        "article",
        "main, [role=main]",
        "body",
    ]
    .into_iter()
    .map(selector)
    .collect()
});

/// Meta names (lower case) that carry a publication date, after `article:published_time`,
/// JSON-LD and `itemprop=datePublished` and `<time>`.
const META_DATES: &[&str] = &[
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "og:published_time",
    "og:article:published_time",
];

/// Parses a whole page.
pub(crate) fn parse_page(html: &str) -> Page {
    let doc = Html::parse_document(html);
    let root = doc.root_element();

    // <meta property|name|itemprop|http-equiv = content>, keys lower case, first one wins.
    let mut metas: Vec<(String, String)> = Vec::new();
    for m in doc.select(&META) {
        let Some(content) = m.attr("content").map(str::trim).filter(|c| !c.is_empty()) else {
            continue;
        };
        for key in ["property", "name", "itemprop", "http-equiv"] {
            if let Some(k) = m.attr(key) {
                metas.push((k.trim().to_ascii_lowercase(), content.to_string()));
            }
        }
    }
    let meta = |key: &str| {
        metas
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let ld = json_ld(&doc);

    let mut page = Page::default();

    if let Some(author) = meta("author")
        .or_else(|| meta("article:author"))
        .map(normalise_space)
        .filter(|a| !a.is_empty())
    {
        page.extra.insert("author".into(), Value::String(author));
    }
    // Source before title: the <title> may end in it.
    page.source = meta("og:site_name")
        .map(normalise_space)
        .or_else(|| ld.publisher.clone());
    page.title = meta("og:title")
        .map(normalise_space)
        .or_else(|| {
            let t = normalise_space(&doc.select(&TITLE).next()?.text().collect::<String>());
            Some(strip_site_suffix(t, page.source.as_deref()))
        })
        .or_else(|| {
            Some(normalise_space(
                &doc.select(&H1).next()?.text().collect::<String>(),
            ))
        })
        .or_else(|| ld.headline.clone())
        .filter(|t| !t.is_empty());
    page.url = meta("og:url")
        .map(str::to_string)
        .or_else(|| {
            doc.select(&LINK_CANONICAL)
                .find_map(|l| l.attr("href"))
                .map(|h| h.trim().to_string())
        })
        .filter(|u| !u.is_empty());
    page.language = root
        .attr("lang")
        .or_else(|| root.attr("xml:lang"))
        .and_then(Lang::parse)
        .or_else(|| meta("content-language").and_then(Lang::parse))
        .or_else(|| meta("og:locale").and_then(Lang::parse))
        .or_else(|| ld.language.as_deref().and_then(Lang::parse));

    let (container, text) = main_container(&doc);

    // Publication date: candidates in order of trust; the first that parses wins.
    let mut candidates: Vec<String> = Vec::new();
    candidates.extend(meta("article:published_time").map(str::to_string));
    candidates.extend(ld.date_published.iter().cloned());
    for e in doc.select(&ITEMPROP_DATE) {
        candidates.extend(
            e.attr("content")
                .or_else(|| e.attr("datetime"))
                .map(str::to_string),
        );
    }
    let times: Vec<ElementRef> = container.select(&TIME).chain(doc.select(&TIME)).collect();
    let marked = |t: &ElementRef| {
        t.attr("pubdate").is_some()
            || t.attr("itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("datePublished"))
    };
    for t in times.iter().filter(|t| marked(t)).chain(times.iter()) {
        candidates.extend(t.attr("datetime").map(str::to_string));
    }
    for key in META_DATES {
        candidates.extend(meta(key).map(str::to_string));
    }
    match candidates.iter().find_map(|c| parse_date(c)) {
        Some(d) => page.published = d,
        None => {
            page.date_warning = Some(match candidates.iter().find(|c| !c.trim().is_empty()) {
                Some(bad) => format!(
                    "date {:?} does not parse; stored with an unknown publication date",
                    bad.trim()
                ),
                None => {
                    "no publication date found in the page; stored with an unknown publication date"
                        .to_string()
                }
            });
        }
    }

    // The headline usually opens the article container too; it is the title, not the text.
    page.text = match (&page.title, text.split_once("\n\n")) {
        (Some(title), Some((first, rest))) if first == title => rest.to_string(),
        _ => text,
    };
    page
}

/// The element holding the article text and that text: the first container kind with
/// paragraph text, and of several of that kind the one with the most; else all block text
/// of `<body>`.
fn main_container(doc: &Html) -> (ElementRef<'_>, String) {
    for sel in CONTAINERS.iter() {
        let best = doc
            .select(sel)
            .map(|e| (block_text(e, true), e))
            .filter(|(t, _)| !t.is_empty())
            .max_by_key(|(t, _)| t.len());
        if let Some((text, e)) = best {
            return (e, text);
        }
    }
    let body = doc.select(&BODY).next().unwrap_or(doc.root_element());
    (body, block_text(body, false))
}

/// The text of an HTML fragment (feed descriptions, Atom content): all block text, with
/// paragraph breaks, the same rules as for pages.
pub(crate) fn fragment_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return normalise_paragraphs(html);
    }
    let frag = Html::parse_fragment(html);
    block_text(frag.root_element(), false)
}

/// Plain text (no markup) with whitespace normalised per paragraph; blank lines separate
/// paragraphs.
fn normalise_paragraphs(text: &str) -> String {
    let mut out = TextOut::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            out.paragraph_break();
        } else {
            out.push(line);
            out.line_break();
        }
    }
    out.finish()
}

/// Collapses whitespace runs to one space and trims.
pub(crate) fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_site_suffix(title: String, site: Option<&str>) -> String {
    let Some(site) = site.filter(|s| !s.is_empty()) else {
        return title;
    };
    for sep in [" - ", " | ", " – ", " — ", " :: ", " · "] {
        if let Some(head) = title.strip_suffix(site).and_then(|h| h.strip_suffix(sep)) {
            if !head.trim().is_empty() {
                return head.trim().to_string();
            }
        }
    }
    title
}

fn is_skipped(e: &scraper::node::Element) -> bool {
    matches!(
        e.name(),
        "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "form"
            | "figure"
            | "iframe"
            | "svg"
            | "math"
            | "button"
            | "select"
            | "textarea"
            | "object"
            | "embed"
            | "canvas"
            | "audio"
            | "video"
            | "head"
    ) || e.attr("hidden").is_some()
        || e.attr("aria-hidden")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "section"
            | "article"
            | "main"
            | "table"
            | "tr"
            | "hr"
            | "address"
            | "details"
            | "summary"
            | "figcaption"
            | "center"
            | "body"
    )
}

/// Elements whose text counts as article paragraphs.
fn is_paragraph(name: &str) -> bool {
    matches!(
        name,
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "blockquote"
    )
}

/// The text of `root`: only paragraph elements when `paragraphs_only`, else all text, with
/// block elements as paragraph breaks. Iterative, so deeply nested markup cannot overflow
/// the stack.
fn block_text(root: ElementRef<'_>, paragraphs_only: bool) -> String {
    let mut out = TextOut::default();
    let mut skip_depth = 0usize;
    let mut paragraph_depth = 0usize;
    let root_id = root.id();
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    if skip_depth > 0 || (node.id() != root_id && is_skipped(e)) {
                        skip_depth += 1;
                        continue;
                    }
                    let name = e.name();
                    if is_block(name) {
                        out.paragraph_break();
                    } else if name == "br" {
                        out.br();
                    } else if matches!(name, "td" | "th") {
                        out.push(" ");
                    }
                    if is_paragraph(name) {
                        paragraph_depth += 1;
                    }
                }
                Node::Text(t) if skip_depth == 0 && (!paragraphs_only || paragraph_depth > 0) => {
                    out.push(t)
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        continue;
                    }
                    if is_block(e.name()) {
                        out.paragraph_break();
                    }
                    if is_paragraph(e.name()) {
                        paragraph_depth = paragraph_depth.saturating_sub(1);
                    }
                }
            }
        }
    }
    out.finish()
}

/// Builds normalised text: words separated by single spaces, lines by `\n`, paragraphs by
/// a blank line.
#[derive(Default)]
struct TextOut {
    paragraphs: Vec<String>,
    lines: Vec<String>,
    line: String,
    pending_space: bool,
    brs: usize,
}

impl TextOut {
    fn push(&mut self, text: &str) {
        // Zero-width space, stray BOM, soft hyphen: invisible, dropped.
        const INVISIBLE: [char; 3] = ['\u{200b}', '\u{feff}', '\u{ad}'];
        let text: std::borrow::Cow<str> = if !text.is_ascii() && text.contains(INVISIBLE) {
            text.replace(INVISIBLE, "").into()
        } else {
            text.into()
        };
        if text.starts_with(char::is_whitespace) && !self.line.is_empty() {
            self.pending_space = true;
        }
        let mut any = false;
        for word in text.split_whitespace() {
            if self.pending_space && !self.line.is_empty() {
                self.line.push(' ');
            }
            self.line.push_str(word);
            self.pending_space = true;
            self.brs = 0;
            any = true;
        }
        if any {
            self.pending_space = text.ends_with(char::is_whitespace);
        }
    }

    fn br(&mut self) {
        self.brs += 1;
        if self.brs >= 2 {
            self.paragraph_break();
        } else {
            self.line_break();
        }
    }

    fn line_break(&mut self) {
        if !self.line.is_empty() {
            self.lines.push(std::mem::take(&mut self.line));
        }
        self.pending_space = false;
    }

    fn paragraph_break(&mut self) {
        self.line_break();
        if !self.lines.is_empty() {
            self.paragraphs.push(self.lines.join("\n"));
            self.lines.clear();
        }
    }

    fn finish(mut self) -> String {
        self.paragraph_break();
        self.paragraphs.join("\n\n")
    }
}

/// What JSON-LD blocks say about the article.
#[derive(Default)]
struct JsonLd {
    date_published: Vec<String>,
    headline: Option<String>,
    publisher: Option<String>,
    language: Option<String>,
}

fn json_ld(doc: &Html) -> JsonLd {
    let mut article = JsonLd::default();
    let mut other = JsonLd::default();
    for script in doc.select(&SCRIPT) {
        if !script
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
        {
            continue;
        }
        let raw: String = script.text().collect();
        // Invalid JSON-LD is common and harmless: the other date sources still apply.
        if let Ok(value) = serde_json::from_str::<Value>(raw.trim()) {
            walk_ld(&value, &mut article, &mut other);
        }
    }
    // Values from objects typed as articles first, then any.
    article.date_published.append(&mut other.date_published);
    JsonLd {
        date_published: article.date_published,
        headline: article.headline.or(other.headline),
        publisher: article.publisher.or(other.publisher),
        language: article.language.or(other.language),
    }
}

fn walk_ld(value: &Value, article: &mut JsonLd, other: &mut JsonLd) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk_ld(v, article, other)),
        Value::Object(map) => {
            let is_article = match map.get("@type") {
                Some(Value::String(t)) => t.ends_with("Article") || t == "BlogPosting",
                Some(Value::Array(ts)) => ts.iter().any(|t| {
                    t.as_str()
                        .is_some_and(|t| t.ends_with("Article") || t == "BlogPosting")
                }),
                _ => false,
            };
            let into = if is_article {
                &mut *article
            } else {
                &mut *other
            };
            if let Some(Value::String(d)) = map.get("datePublished") {
                into.date_published.push(d.clone());
            }
            if into.headline.is_none() {
                into.headline = map
                    .get("headline")
                    .and_then(Value::as_str)
                    .map(normalise_space)
                    .filter(|h| !h.is_empty());
            }
            if into.publisher.is_none() {
                into.publisher = match map.get("publisher") {
                    Some(Value::Object(p)) => {
                        p.get("name").and_then(Value::as_str).map(normalise_space)
                    }
                    Some(Value::Array(ps)) => ps
                        .iter()
                        .find_map(|p| p.get("name")?.as_str())
                        .map(normalise_space),
                    _ => None,
                }
                .filter(|p| !p.is_empty());
            }
            if into.language.is_none() {
                into.language = map
                    .get("inLanguage")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            for (key, v) in map {
                if key == "@graph" || v.is_object() || v.is_array() {
                    walk_ld(v, article, other);
                }
            }
        }
        _ => {}
    }
}

/// Decodes a page's bytes. `declared` is the charset from an HTTP `Content-Type` header.
pub(crate) fn decode_html(bytes: Vec<u8>, declared: Option<&str>) -> (String, Vec<String>) {
    let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let bytes = match String::from_utf8(bytes) {
        Ok(s) => return (s, Vec::new()),
        Err(e) => e.into_bytes(),
    };
    let charset = declared
        .map(|c| c.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
        .or_else(|| meta_charset(&bytes));
    match charset.as_deref() {
        Some(c) if is_single_byte_western(c) => (decode_windows_1252(&bytes), Vec::new()),
        Some(c) if !matches!(c, "utf-8" | "utf8") => {
            let (s, _) = crate::decode(bytes);
            (s, vec![format!("charset {c:?} is not supported; decoded as UTF-8 with invalid bytes replaced by U+FFFD")])
        }
        _ => {
            let (s, w) = crate::decode(bytes);
            (s, w.into_iter().collect())
        }
    }
}

/// Whether a charset name means Latin-1 or windows-1252 (which browsers treat alike).
pub(crate) fn is_single_byte_western(charset: &str) -> bool {
    matches!(
        charset,
        "iso-8859-1"
            | "iso8859-1"
            | "latin1"
            | "latin-1"
            | "l1"
            | "windows-1252"
            | "cp1252"
            | "iso-8859-15"
            | "latin-9"
            | "us-ascii"
            | "ascii"
    )
}

/// The charset of `<meta charset=…>` or `<meta http-equiv=Content-Type content="…; charset=…">`
/// in the first few kilobytes.
fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        .collect();
    Some(value).filter(|v| !v.is_empty())
}

/// Decodes windows-1252 (a superset of the printable ISO-8859-1).
pub(crate) fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_selectors_parse() {
        for s in [
            &META,
            &TITLE,
            &H1,
            &LINK_CANONICAL,
            &SCRIPT,
            &TIME,
            &ITEMPROP_DATE,
            &BODY,
        ] {
            LazyLock::force(s);
        }
        assert_eq!(CONTAINERS.len(), 4);
    }

    #[test]
    fn extracts_metadata_and_paragraphs() {
        let html = r#"<!doctype html><html lang="nl-NL"><head>
            <title>Storm legt treinverkeer plat - Het Dagblad</title>
            <meta property="og:site_name" content="Het Dagblad">
            <link rel="canonical" href="https://dagblad.example/storm">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},
              {"@type":"NewsArticle","datePublished":"2019-02-10T08:00:00+01:00","headline":"Storm"}]}</script>
            </head><body><nav><ul><li>Home</li></ul></nav>
            <article><header><h1>Storm legt treinverkeer plat</h1></header>
            <p>De  storm <b>Ciara</b> legde
            zondag het treinverkeer plat.</p><figure><figcaption>Foto</figcaption></figure>
            <p>Volgens ProRail<br>duurt het nog uren.</p><script>var x = 1;</script></article>
            <footer><p>Colofon</p></footer></body></html>"#;
        let p = parse_page(html);
        assert_eq!(p.title.as_deref(), Some("Storm legt treinverkeer plat"));
        assert_eq!(p.source.as_deref(), Some("Het Dagblad"));
        assert_eq!(p.url.as_deref(), Some("https://dagblad.example/storm"));
        assert_eq!(p.language, Some(Lang::NL));
        assert_eq!(p.published.to_string(), "2019-02-10");
        assert_eq!(p.text, "De storm Ciara legde zondag het treinverkeer plat.\n\nVolgens ProRail\nduurt het nog uren.");
        assert!(p.date_warning.is_none());
    }

    #[test]
    fn dates_fall_back_and_bad_dates_are_reported() {
        let p = parse_page(
            r#"<html><body><article><time datetime="2018-01-05">5 januari</time><p>Tekst.</p></article></body></html>"#,
        );
        assert_eq!(p.published.to_string(), "2018-01-05");
        let p = parse_page(
            r#"<html><head><meta name="date" content="gisteren"></head><body><p>Tekst.</p></body></html>"#,
        );
        assert!(p.published.is_unknown());
        assert!(p
            .date_warning
            .as_deref()
            .unwrap_or("")
            .contains("does not parse"));
        let p = parse_page("<p>Tekst.</p>");
        assert!(p
            .date_warning
            .as_deref()
            .unwrap_or("")
            .contains("no publication date"));
    }

    #[test]
    fn fragments_keep_paragraphs() {
        assert_eq!(
            fragment_text("<p>One &amp; two.</p><p>Three</p>"),
            "One & two.\n\nThree"
        );
        assert_eq!(
            fragment_text("First line<br><br>Second  para"),
            "First line\n\nSecond para"
        );
        assert_eq!(fragment_text("plain   text\n\nnext"), "plain text\n\nnext");
    }

    #[test]
    fn decodes_declared_latin1() {
        let (s, w) = decode_html(
            b"<meta charset=\"iso-8859-1\"><p>caf\xe9 \x80</p>".to_vec(),
            None,
        );
        assert!(s.contains("café €"), "{s}");
        assert!(w.is_empty());
        let (s, w) = decode_html(b"<p>caf\xe9</p>".to_vec(), None);
        assert!(s.contains('\u{fffd}') && w.len() == 1);
    }
}
