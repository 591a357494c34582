//! RSS 2.0 (and RSS 1.0/RDF) `<item>`s and Atom `<entry>`s, read with quick-xml's streaming
//! reader: one record per item, in file order, without holding the feed in memory.
//!
//! Per item:
//! - **title** from `<title>` (markup and entities in it are reduced to text);
//! - **url** from RSS `<link>`, Atom `<link href>` (`rel="alternate"` or no `rel` first), else
//!   a `<guid>` that is an http(s) URL;
//! - **date**, first that parses of Atom `published`, RSS `pubDate`, `dc:date`,
//!   `dcterms:issued`/`created`, Atom `updated`; no date or one that does not parse gives an
//!   unknown date and a warning;
//! - **text** from `content:encoded`, Atom `content`, `description`, `summary` (first that
//!   gives text); these usually hold HTML (escaped, in CDATA, or Atom `type="xhtml"` markup)
//!   and are reduced to paragraphs by the HTML reader's text extraction; Atom `type="text"` is
//!   taken as plain text;
//! - **source** from an RSS item `<source>`, else the channel/feed `<title>`;
//! - **language** from `xml:lang` on the item, `dc:language`, the channel `<language>`, or
//!   `xml:lang` on the root;
//! - `author` (`dc:creator`, `author`) and `categories` are kept in the document's extra
//!   fields.
//!
//! Faults: a malformed item (mismatched or unclosed tags inside it, an XML error inside it,
//! no text) is an `Err` for `item N` and reading goes on with the next item. Input that is
//! empty, binary or not a feed, XML that cannot be read any further, and a feed cut off
//! before its closing tag give a `fatal` error after the items already yielded. Bytes that
//! are not UTF-8 are replaced by U+FFFD with a warning on the item they fall in; a feed that
//! declares `encoding="ISO-8859-1"` or `windows-1252` is decoded as windows-1252.

use std::io::{self, BufRead, Read};

use kroniek_core::{Document, Lang, PubDate};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

use crate::html::{
    decode_windows_1252, fragment_text, is_single_byte_western, normalise_space, page_cap,
};
use crate::{
    check_size, dates::parse_date, looks_binary, Options, Record, RecordError, RecordResult,
};

pub(crate) fn read<'a, R: BufRead + 'a>(
    input: R,
    options: Options,
) -> Box<dyn Iterator<Item = RecordResult> + 'a> {
    const HEAD: usize = 1024;
    let (head, input) = match crate::peek(input, HEAD) {
        Ok(peeked) => peeked,
        Err(e) => {
            return Box::new(std::iter::once(Err(RecordError::fatal(
                "",
                format!("cannot read: {e}"),
            ))))
        }
    };
    if head.len() < HEAD && head.iter().all(u8::is_ascii_whitespace) {
        return Box::new(std::iter::once(Err(RecordError::new("", "empty input"))));
    }
    if looks_binary(&head) {
        return Box::new(std::iter::once(Err(RecordError::fatal(
            "",
            "binary data, not a feed",
        ))));
    }
    let latin1 = declared_encoding(&head).is_some_and(|e| is_single_byte_western(&e));
    Box::new(FeedReader::new(Lossy::new(input, latin1), options))
}

/// The `encoding` of an `<?xml …?>` declaration at the start, lower case.
fn declared_encoding(head: &[u8]) -> Option<String> {
    let start = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    let decl = &start[start.find("<?xml")?..];
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")? + "encoding".len();
    let value = decl[at..].trim_start_matches([' ', '=', '"', '\'']);
    Some(
        value
            .chars()
            .take_while(|c| !matches!(c, '"' | '\'' | ' '))
            .collect(),
    )
}

/// What is being collected: the text of one element.
struct Capture {
    /// Qualified name of the element (`title`, `content:encoded`).
    name: String,
    /// Stack depth of the element (the stack includes it).
    depth: usize,
    /// Atom `type` attribute.
    kind: Option<String>,
    /// `xml:lang` on the element.
    lang: Option<String>,
    /// The text; child elements (Atom xhtml) are written back as markup.
    value: String,
    /// Whether the value was cut at the size cap.
    truncated: bool,
    /// Whether this is a channel-level field rather than an item field.
    channel: bool,
}

#[derive(Default)]
struct Item {
    n: usize,
    /// Stack depth of the `<item>`/`<entry>` element.
    depth: usize,
    start: u64,
    lang: Option<String>,
    /// (qualified name, Atom type, value)
    fields: Vec<(String, Option<String>, String)>,
    /// Atom links: (rel, href).
    links: Vec<(Option<String>, String)>,
    problems: Vec<String>,
    oversized: bool,
    bytes: usize,
}

struct FeedReader<R: BufRead> {
    xml: Reader<Lossy<R>>,
    buf: Vec<u8>,
    options: Options,
    /// Qualified names of the open elements.
    stack: Vec<String>,
    capture: Option<Capture>,
    item: Option<Item>,
    items: usize,
    channel_title: Option<String>,
    channel_lang: Option<String>,
    root_lang: Option<String>,
    saw_root: bool,
    done: bool,
    errors_in_row: usize,
    last_error_at: Option<u64>,
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.0 == key).map(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| a.value.to_string())
    })
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
}

impl<R: BufRead> FeedReader<R> {
    fn new(input: Lossy<R>, options: Options) -> Self {
        let mut xml = Reader::from_reader(input);
        let config = xml.config_mut();
        // Mismatched tags are judged here, per item, so that one bad item does not end the feed.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
        FeedReader {
            xml,
            buf: Vec::new(),
            options,
            stack: Vec::new(),
            capture: None,
            item: None,
            items: 0,
            channel_title: None,
            channel_lang: None,
            root_lang: None,
            saw_root: false,
            done: false,
            errors_in_row: 0,
            last_error_at: None,
        }
    }

    fn fatal(
        &mut self,
        locator: impl Into<String>,
        message: impl Into<String>,
    ) -> Option<RecordResult> {
        self.done = true;
        Some(Err(RecordError::fatal(locator, message)))
    }

    fn item_locator(&self) -> String {
        match &self.item {
            Some(item) => format!("item {}", item.n),
            None => format!("after item {}", self.items),
        }
    }

    /// Appends to the capture, minding the size cap.
    fn append(&mut self, s: &str, as_markup: bool) {
        let cap = page_cap(&self.options);
        let Some(c) = self.capture.as_mut() else {
            return;
        };
        if c.truncated {
            return;
        }
        if c.value.len() + s.len() > cap {
            c.truncated = true;
            return;
        }
        if as_markup {
            escape_into(&mut c.value, s);
        } else {
            c.value.push_str(s);
        }
    }

    /// Whether text now belongs to a child element of the captured one (Atom xhtml).
    fn in_child_markup(&self) -> bool {
        self.capture
            .as_ref()
            .is_some_and(|c| self.stack.len() > c.depth)
    }

    fn problem(&mut self, message: String) {
        if let Some(item) = self.item.as_mut() {
            if item.problems.len() < 8 {
                item.problems.push(message);
            }
        }
    }

    fn on_start(&mut self, e: &BytesStart<'_>, empty: bool) -> Option<RecordResult> {
        let name = e.name().0.to_string();
        if !self.saw_root {
            self.saw_root = true;
            if !matches!(local(&name), "rss" | "feed" | "RDF") {
                return self.fatal(
                    "",
                    format!("not an RSS or Atom feed: the root element is <{name}>"),
                );
            }
            self.root_lang = attr(e, "xml:lang");
        }
        if self.capture.is_some() {
            // Markup inside a field: Atom xhtml content, or stray tags in a sloppy feed.
            let raw = format!("<{}{}>", e.as_ref(), if empty { "/" } else { "" });
            if let Some(c) = self.capture.as_mut() {
                if !c.truncated {
                    c.value.push_str(&raw);
                }
            }
            if !empty {
                self.stack.push(name);
            }
            return None;
        }
        let lname = local(&name);
        let mut finished = None;
        if matches!(lname, "item" | "entry") {
            if let Some(mut open) = self.item.take() {
                open.problems.push(format!(
                    "<{lname}> starts before the previous one is closed"
                ));
                // The unclosed item and its open children leave the stack.
                self.stack.truncate(open.depth.saturating_sub(1));
                finished = Some(self.finish_item(open));
            }
            self.items += 1;
            self.item = Some(Item {
                n: self.items,
                depth: self.stack.len() + 1,
                start: self.xml.buffer_position(),
                lang: attr(e, "xml:lang"),
                ..Item::default()
            });
            if empty {
                let item = self.item.take().unwrap_or_default();
                return Some(self.finish_item(item));
            }
            self.stack.push(name);
            return finished;
        }
        let parent = self.stack.last().map(|p| local(p).to_string());
        match &self.item {
            Some(item) if self.stack.len() == item.depth => {
                // Atom <link href rel>; an RSS <link> has its URL as text instead.
                if let Some(href) = attr(e, "href").filter(|_| lname == "link") {
                    let rel = attr(e, "rel");
                    if let Some(item) = self.item.as_mut() {
                        item.links.push((rel, href));
                    }
                }
                if !empty {
                    self.capture = Some(Capture {
                        name: name.clone(),
                        depth: self.stack.len() + 1,
                        kind: attr(e, "type").map(|t| t.to_ascii_lowercase()),
                        lang: attr(e, "xml:lang"),
                        value: String::new(),
                        truncated: false,
                        channel: false,
                    });
                }
            }
            Some(_) => {}
            None => {
                if !empty
                    && matches!(parent.as_deref(), Some("channel" | "feed"))
                    && matches!(lname, "title" | "language")
                {
                    self.capture = Some(Capture {
                        name: name.clone(),
                        depth: self.stack.len() + 1,
                        kind: attr(e, "type").map(|t| t.to_ascii_lowercase()),
                        lang: None,
                        value: String::new(),
                        truncated: false,
                        channel: true,
                    });
                }
            }
        }
        if !empty {
            self.stack.push(name);
        }
        finished
    }

    fn on_end(&mut self, name: &str) -> Option<RecordResult> {
        match self.stack.iter().rposition(|open| open == name) {
            Some(at) if at + 1 == self.stack.len() => {
                self.stack.pop();
            }
            Some(at) => {
                let unclosed = self.stack[at + 1..].join(">, <");
                self.problem(format!("<{unclosed}> not closed before </{name}>"));
                self.stack.truncate(at);
            }
            None => {
                self.problem(format!("unexpected closing tag </{name}>"));
                // A stray end tag inside a field is written back so the HTML reader sees it.
                if self.capture.is_some() {
                    let raw = format!("</{name}>");
                    self.append(&raw, false);
                }
                return None;
            }
        }
        if let Some(c) = &self.capture {
            if self.stack.len() < c.depth {
                if let Some(c) = self.capture.take() {
                    self.store_capture(c);
                }
            } else {
                let raw = format!("</{name}>");
                if let Some(c) = self.capture.as_mut() {
                    if !c.truncated {
                        c.value.push_str(&raw);
                    }
                }
            }
        }
        if self
            .item
            .as_ref()
            .is_some_and(|item| self.stack.len() < item.depth)
        {
            let item = self.item.take()?;
            return Some(self.finish_item(item));
        }
        None
    }

    fn store_capture(&mut self, c: Capture) {
        if c.channel {
            let value = normalise_space(&c.value);
            match local(&c.name) {
                "title" if self.channel_title.is_none() => {
                    self.channel_title = Some(text_of(&value, c.kind.as_deref()))
                }
                "language" if self.channel_lang.is_none() => self.channel_lang = Some(value),
                _ => {}
            }
            return;
        }
        if let Some(item) = self.item.as_mut() {
            item.bytes += c.value.len();
            if c.truncated || item.bytes > page_cap(&self.options) {
                item.oversized = true;
                return;
            }
            if item.lang.is_none() && local(&c.name) == "content" {
                item.lang = c.lang;
            }
            if item.fields.len() < 64 {
                item.fields.push((c.name, c.kind, c.value));
            }
        }
    }

    fn finish_item(&mut self, item: Item) -> RecordResult {
        let locator = format!("item {}", item.n);
        if let Some(p) = item.problems.first() {
            let more = if item.problems.len() > 1 {
                format!(" (and {} more problem(s))", item.problems.len() - 1)
            } else {
                String::new()
            };
            return Err(RecordError::new(
                locator,
                format!("malformed item: {p}{more}"),
            ));
        }
        if item.oversized {
            return Err(RecordError::new(
                locator,
                format!(
                    "item exceeds the size cap of {} bytes of markup; skipped",
                    page_cap(&self.options)
                ),
            ));
        }
        let field = |names: &[&str]| {
            item.fields
                .iter()
                .find(|(n, _, v)| names.contains(&n.as_str()) && !v.trim().is_empty())
        };
        let mut warnings = Vec::new();
        let replaced = self
            .xml
            .get_ref()
            .replaced_between(item.start, self.xml.buffer_position());
        if replaced > 0 {
            warnings.push(format!(
                "invalid UTF-8: {replaced} byte sequence(s) replaced by U+FFFD"
            ));
        }

        let text = [
            "content:encoded",
            "content",
            "atom:content",
            "description",
            "summary",
            "atom:summary",
        ]
        .iter()
        .filter_map(|n| field(&[n]))
        .map(|(_, kind, v)| text_of(v, kind.as_deref()))
        .find(|t| !t.is_empty());
        let Some(text) = text else {
            return Err(RecordError::new(
                locator,
                "item has no text (no content, description or summary)",
            ));
        };
        check_size(&text, &self.options, &locator)?;

        let dates: Vec<&str> = [
            "published",
            "atom:published",
            "pubDate",
            "dc:date",
            "dcterms:issued",
            "dcterms:created",
            "updated",
            "atom:updated",
        ]
        .iter()
        .filter_map(|n| field(&[n]))
        .map(|(_, _, v)| v.trim())
        .collect();
        let published = match dates.iter().find_map(|d| parse_date(d)) {
            Some(d) => d,
            None => {
                warnings.push(match dates.first() {
                    Some(bad) => format!("date {bad:?} does not parse; stored with an unknown publication date"),
                    None => "no date (pubDate, dc:date, published or updated); stored with an unknown publication date".to_string(),
                });
                PubDate::Unknown
            }
        };

        let lang_tag = item
            .lang
            .clone()
            .or_else(|| field(&["dc:language"]).map(|(_, _, v)| v.trim().to_string()))
            .or_else(|| self.channel_lang.clone())
            .or_else(|| self.root_lang.clone());
        let language = lang_tag.as_deref().and_then(|l| {
            let parsed = Lang::parse(l);
            if parsed.is_none() {
                warnings.push(format!(
                    "language {l:?} is not a language code; it will be detected"
                ));
            }
            parsed
        });

        let link = item
            .links
            .iter()
            .find(|(rel, _)| rel.as_deref().is_none_or(|r| r == "alternate"))
            .or_else(|| item.links.first())
            .map(|(_, href)| href.trim().to_string())
            .or_else(|| field(&["link"]).map(|(_, _, v)| v.trim().to_string()))
            .or_else(|| {
                field(&["guid"])
                    .map(|(_, _, v)| v.trim().to_string())
                    .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
            });

        let mut builder = Document::builder(text)
            .published(published)
            .language(language);
        if let Some((_, kind, t)) = field(&["title", "atom:title"]) {
            builder = builder.title(text_of(t, kind.as_deref()));
        }
        if let Some(l) = link {
            builder = builder.url(l);
        }
        let source = field(&["source"])
            .map(|(_, _, v)| text_of(v, None))
            .filter(|s| !s.is_empty())
            .or_else(|| self.channel_title.clone());
        if let Some(s) = source {
            builder = builder.source(s);
        }
        let mut extra = Map::new();
        if let Some((_, _, a)) = field(&["dc:creator", "author", "atom:author"]) {
            extra.insert("author".into(), Value::String(text_of(a, None)));
        }
        let categories: Vec<Value> = item
            .fields
            .iter()
            .filter(|(n, _, _)| local(n) == "category" || n == "dc:subject")
            .map(|(_, _, v)| text_of(v, None))
            .filter(|c| !c.is_empty())
            .map(Value::String)
            .collect();
        if !categories.is_empty() {
            extra.insert("categories".into(), Value::Array(categories));
        }
        if !extra.is_empty() {
            builder = builder.extra(Value::Object(extra).to_string());
        }
        Ok(Record {
            doc: builder.build(),
            locator,
            warnings,
        })
    }

    fn on_error(&mut self, e: quick_xml::Error) -> Option<RecordResult> {
        if let quick_xml::Error::Io(io) = &e {
            let message = format!("cannot read: {io}");
            let locator = self.item_locator();
            return self.fatal(locator, message);
        }
        if !self.saw_root {
            return self.fatal("", format!("not XML: {e}"));
        }
        let at = self.xml.buffer_position();
        self.errors_in_row += 1;
        let stuck = self.last_error_at == Some(at) || self.errors_in_row > 16;
        self.last_error_at = Some(at);
        if stuck {
            let locator = self.item_locator();
            return self.fatal(locator, format!("unreadable XML at byte {at}: {e}"));
        }
        if self.item.is_some() {
            self.problem(format!("XML error at byte {at}: {e}"));
        }
        None
    }

    fn on_eof(&mut self) -> Option<RecordResult> {
        self.done = true;
        if let Some(item) = &self.item {
            let locator = format!("item {}", item.n);
            return self.fatal(locator, "the feed ends inside this item (truncated?)");
        }
        if !self.saw_root {
            return self.fatal("", "no XML elements: not a feed");
        }
        if let Some(root) = self.stack.first() {
            let (root, locator) = (root.clone(), self.item_locator());
            return self.fatal(
                locator,
                format!("the feed ends before </{root}> (truncated?)"),
            );
        }
        None
    }
}

/// The text of a field: Atom `type="text"` as plain text, anything else through the HTML
/// text extraction (RSS descriptions are HTML more often than not).
fn text_of(value: &str, kind: Option<&str>) -> String {
    match kind {
        Some("text") | Some("text/plain") => fragment_text(&{
            let mut escaped = String::new();
            escape_into(&mut escaped, value);
            escaped.replace('\n', "<br>")
        }),
        _ => fragment_text(value),
    }
}

impl<R: BufRead> Iterator for FeedReader<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        while !self.done {
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let event = self.xml.read_event_into(&mut buf);
            let out = match event {
                Err(e) => self.on_error(e),
                Ok(ev) => {
                    if !matches!(ev, Event::Text(_) | Event::Comment(_)) {
                        self.errors_in_row = 0;
                    }
                    match ev {
                        Event::Start(e) => self.on_start(&e, false),
                        Event::Empty(e) => self.on_start(&e, true),
                        Event::End(e) => {
                            let name = e.name().0.to_string();
                            self.on_end(&name)
                        }
                        Event::Text(t) => {
                            let markup = self.in_child_markup();
                            self.append(&t.xml10_content(), markup);
                            None
                        }
                        Event::CData(c) => {
                            let markup = self.in_child_markup();
                            self.append(&c.xml10_content(), markup);
                            None
                        }
                        Event::GeneralRef(r) => {
                            let markup = self.in_child_markup();
                            let resolved = match r.resolve_char_ref() {
                                Ok(Some(c)) => c.to_string(),
                                Ok(None) => match quick_xml::escape::resolve_xml_entity(&r) {
                                    Some(s) => s.to_string(),
                                    None => format!("&{};", &*r),
                                },
                                Err(_) => format!("&{};", &*r),
                            };
                            self.append(&resolved, markup);
                            None
                        }
                        Event::Eof => self.on_eof(),
                        Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                            None
                        }
                    }
                }
            };
            // One huge text node should not keep its buffer for the rest of the feed.
            if buf.capacity() <= 1 << 20 {
                self.buf = buf;
            }
            if out.is_some() {
                return out;
            }
        }
        None
    }
}

/// A reader that turns its input into valid UTF-8: invalid sequences become U+FFFD (their
/// positions are remembered for warnings), or the whole input is decoded as windows-1252.
struct Lossy<R> {
    inner: R,
    latin1: bool,
    out: Vec<u8>,
    pos: usize,
    /// Bytes given out before `out`.
    base: u64,
    /// An incomplete UTF-8 sequence at the end of the last chunk.
    carry: Vec<u8>,
    eof: bool,
    /// Output offsets of replacement characters (the first many).
    replaced_at: Vec<u64>,
}

const MAX_REPLACEMENTS_TRACKED: usize = 100_000;

impl<R: BufRead> Lossy<R> {
    fn new(mut inner: R, latin1: bool) -> Self {
        if let Ok(head) = inner.fill_buf() {
            if head.starts_with(b"\xef\xbb\xbf") {
                inner.consume(3);
            }
        }
        Lossy {
            inner,
            latin1,
            out: Vec::new(),
            pos: 0,
            base: 0,
            carry: Vec::new(),
            eof: false,
            replaced_at: Vec::new(),
        }
    }

    fn replacement(&mut self) {
        if self.replaced_at.len() < MAX_REPLACEMENTS_TRACKED {
            self.replaced_at.push(self.base + self.out.len() as u64);
        }
        self.out.extend_from_slice("\u{fffd}".as_bytes());
    }

    fn replaced_between(&self, start: u64, end: u64) -> usize {
        self.replaced_at
            .iter()
            .filter(|&&at| at >= start && at < end)
            .count()
    }

    fn convert(&mut self, data: &[u8]) {
        let mut rest = data;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.out.extend_from_slice(s.as_bytes());
                    return;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    self.out.extend_from_slice(&rest[..valid]);
                    match e.error_len() {
                        Some(len) => {
                            self.replacement();
                            rest = &rest[valid + len..];
                        }
                        None => {
                            self.carry = rest[valid..].to_vec();
                            return;
                        }
                    }
                }
            }
        }
    }
}

impl<R: BufRead> Read for Lossy<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lossy<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.out.len() && !self.eof {
            self.base += self.out.len() as u64;
            self.out.clear();
            self.pos = 0;
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                self.eof = true;
                if !self.carry.is_empty() {
                    self.carry.clear();
                    self.replacement();
                }
                break;
            }
            let n = chunk.len();
            if self.latin1 {
                let s = decode_windows_1252(chunk);
                self.out.extend_from_slice(s.as_bytes());
            } else {
                let mut data = std::mem::take(&mut self.carry);
                data.extend_from_slice(chunk);
                self.convert(&data);
            }
            self.inner.consume(n);
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.out.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(s: &[u8]) -> Vec<RecordResult> {
        read(s, Options::default()).collect()
    }

    #[test]
    fn rss_items_with_html_and_channel_fields() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Het Dagblad</title><language>nl</language><image><title>logo</title></image>
<item><title>Storm &amp; regen</title><link>https://dagblad.example/1</link><pubDate>Sun, 10 Feb 2019 08:00:00 +0100</pubDate>
<description>&lt;p&gt;Kort.&lt;/p&gt;</description><content:encoded><![CDATA[<p>De storm.</p><p>Tweede alinea.</p>]]></content:encoded></item>
<item><title>Zonder datum</title><description>Alleen tekst.</description><dc:creator>Jan</dc:creator></item>
</channel></rss>"#;
        let r = read_all(rss);
        assert_eq!(r.len(), 2, "{r:?}");
        let one = r[0].as_ref().unwrap();
        assert_eq!(one.locator, "item 1");
        assert_eq!(one.doc.title.as_deref(), Some("Storm & regen"));
        assert_eq!(one.doc.text, "De storm.\n\nTweede alinea.");
        assert_eq!(one.doc.source.as_deref(), Some("Het Dagblad"));
        assert_eq!(one.doc.url.as_deref(), Some("https://dagblad.example/1"));
        assert_eq!(one.doc.language, Some(Lang::NL));
        assert_eq!(one.doc.published.to_string(), "2019-02-10");
        let two = r[1].as_ref().unwrap();
        assert!(two.doc.published.is_unknown() && two.warnings[0].contains("no date"));
        assert!(two.doc.extra.as_deref().unwrap_or("").contains("Jan"));
    }

    #[test]
    fn atom_entries_with_xhtml_and_links() {
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title type="text">Daily</title>
<entry><title>Storm</title><link rel="edit" href="https://x/edit"/><link href="https://x/a"/><published>2019-02-10T08:00:00Z</published>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>A &amp; B.</p><p>C &lt; D.</p></div></content></entry></feed>"#;
        let r = read_all(atom);
        let e = r[0].as_ref().unwrap();
        assert_eq!(e.doc.text, "A & B.\n\nC < D.");
        assert_eq!(e.doc.url.as_deref(), Some("https://x/a"));
        assert_eq!(e.doc.language, Some(Lang::EN));
        assert_eq!(e.doc.source.as_deref(), Some("Daily"));
    }

    #[test]
    fn a_malformed_item_does_not_stop_the_feed_and_truncation_is_fatal() {
        let rss = b"<rss><channel><title>T</title><item><title>a</title><description>one</description></item>\
<item><title>b</titel><description>two</description></item><item><description>three</description></item>\
<item><description>four";
        let r = read_all(rss);
        assert_eq!(r.len(), 4, "{r:?}");
        assert!(r[0].is_ok());
        let bad = r[1].as_ref().unwrap_err();
        assert_eq!(bad.locator, "item 2");
        assert!(!bad.fatal && bad.message.contains("malformed"), "{bad:?}");
        assert_eq!(r[2].as_ref().unwrap().doc.text, "three");
        let end = r[3].as_ref().unwrap_err();
        assert!(end.fatal && end.locator == "item 4", "{end:?}");
    }

    #[test]
    fn lossy_input_is_flagged_on_its_item() {
        let rss = b"<rss><channel><item><description>caf\xe9</description></item><item><description>ok</description></item></channel></rss>";
        let r = read_all(rss);
        let one = r[0].as_ref().unwrap();
        assert_eq!(one.doc.text, "caf\u{fffd}");
        assert!(one.warnings.iter().any(|w| w.contains("UTF-8")));
        assert!(!r[1]
            .as_ref()
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.contains("UTF-8")));
        let latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><description>caf\xe9</description></item></channel></rss>";
        assert_eq!(read_all(latin)[0].as_ref().unwrap().doc.text, "caf\u{e9}");
    }
}
