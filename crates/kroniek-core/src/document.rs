//! What a news article is to kroniek: text plus the metadata that time resolution needs.

use std::fmt;

use jiff::civil::Date;

use crate::lang::Lang;

/// A content-hash identifier: the same title and text always give the same id, so
/// re-ingesting an article is a no-op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub u64);

impl DocId {
    /// The id of a title and text (BLAKE3, first 64 bits).
    pub fn of_content(title: Option<&str>, text: &str) -> DocId {
        let mut hasher = blake3::Hasher::new();
        if let Some(title) = title {
            hasher.update(title.as_bytes());
        }
        // A separator that cannot occur in UTF-8 text keeps ("ab","c") and ("a","bc") apart.
        hasher.update(&[0xff]);
        hasher.update(text.as_bytes());
        let bytes = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes.as_bytes()[..8]);
        DocId(u64::from_be_bytes(first))
    }

    /// Parses the 16-hex-digit form written by `Display`.
    pub fn parse(s: &str) -> Option<DocId> {
        if s.len() != 16 {
            return None;
        }
        u64::from_str_radix(s, 16).ok().map(DocId)
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// How precisely a publication date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DatePrecision {
    /// Nothing is known.
    Unknown,
    /// Only the year.
    Year,
    /// Year and month (the sample articles).
    Month,
    /// The exact day.
    Day,
}

impl DatePrecision {
    /// `"day"`, `"month"`, `"year"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Unknown => "unknown",
            DatePrecision::Year => "year",
            DatePrecision::Month => "month",
            DatePrecision::Day => "day",
        }
    }
}

/// A publication date with its precision: `2019-02-10`, `2019-02`, `2019` or unknown.
///
/// Time expressions are resolved against it, and a vague publication date widens the
/// interval every relative expression can denote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PubDate {
    /// No usable date.
    #[default]
    Unknown,
    /// A year.
    Year(i16),
    /// A year and month (1–12).
    Month(i16, i8),
    /// A calendar day.
    Day(Date),
}

impl PubDate {
    /// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and longer ISO 8601 / RFC 3339 strings
    /// (`2019-02-10T08:00:00Z`), of which only the calendar date is kept.
    ///
    /// Returns `None` for anything else, including impossible dates (`2019-02-31`) and
    /// years outside 1000–9999.
    pub fn parse(s: &str) -> Option<PubDate> {
        let s = s.trim();
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<i32> {
            let part = b.get(r)?;
            if part.iter().all(u8::is_ascii_digit) {
                std::str::from_utf8(part).ok()?.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)?;
        if !(1000..=9999).contains(&year) {
            return None;
        }
        if b.len() == 4 {
            return Some(PubDate::Year(year as i16));
        }
        if b.get(4) != Some(&b'-') {
            return None;
        }
        let month = digits(5..7)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        if b.len() == 7 {
            return Some(PubDate::Month(year as i16, month as i8));
        }
        if b.get(7) != Some(&b'-') {
            return None;
        }
        let day = digits(8..10)?;
        if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        Date::new(year as i16, month as i8, day as i8)
            .ok()
            .map(PubDate::Day)
    }

    /// A date from parts, checked.
    pub fn from_ymd(year: i16, month: i8, day: i8) -> Option<PubDate> {
        Date::new(year, month, day).ok().map(PubDate::Day)
    }

    /// How precisely the date is known.
    pub fn precision(self) -> DatePrecision {
        match self {
            PubDate::Unknown => DatePrecision::Unknown,
            PubDate::Year(_) => DatePrecision::Year,
            PubDate::Month(..) => DatePrecision::Month,
            PubDate::Day(_) => DatePrecision::Day,
        }
    }

    /// Whether nothing is known.
    pub fn is_unknown(self) -> bool {
        self == PubDate::Unknown
    }

    /// The year, when known.
    pub fn year(self) -> Option<i16> {
        match self {
            PubDate::Unknown => None,
            PubDate::Year(y) | PubDate::Month(y, _) => Some(y),
            PubDate::Day(d) => Some(d.year()),
        }
    }

    /// The earliest day the date can denote.
    pub fn earliest(self) -> Option<Date> {
        match self {
            PubDate::Unknown => None,
            PubDate::Year(y) => Date::new(y, 1, 1).ok(),
            PubDate::Month(y, m) => Date::new(y, m, 1).ok(),
            PubDate::Day(d) => Some(d),
        }
    }

    /// The latest day the date can denote.
    pub fn latest(self) -> Option<Date> {
        match self {
            PubDate::Unknown => None,
            PubDate::Year(y) => Date::new(y, 12, 31).ok(),
            PubDate::Month(y, m) => Date::new(y, m, 1).ok().map(|d| d.last_of_month()),
            PubDate::Day(d) => Some(d),
        }
    }
}

impl fmt::Display for PubDate {
    /// The ISO form at the known precision (`2019-02`), or `unknown`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PubDate::Unknown => f.write_str("unknown"),
            PubDate::Year(y) => write!(f, "{y:04}"),
            PubDate::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            PubDate::Day(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        }
    }
}

/// A news article as kroniek stores and annotates it.
///
/// Construct with [`Document::builder`]; the id is derived from title and text.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Content hash of title and text.
    pub id: DocId,
    /// Outlet or feed name ("The Guardian", "NOS").
    pub source: Option<String>,
    /// Where the article came from.
    pub url: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Language as declared by the input (annotation detects it when absent).
    pub language: Option<Lang>,
    /// Publication date with its precision.
    pub published: PubDate,
    /// The article body, exactly as read (after decoding to UTF-8).
    pub text: String,
    /// Input fields kroniek does not interpret, kept verbatim as a JSON object.
    pub extra: Option<String>,
}

impl Document {
    /// Starts a document with the given body text.
    pub fn builder(text: impl Into<String>) -> DocumentBuilder {
        DocumentBuilder {
            doc: Document {
                id: DocId(0),
                source: None,
                url: None,
                title: None,
                language: None,
                published: PubDate::Unknown,
                text: text.into(),
                extra: None,
            },
        }
    }
}

/// Builds a [`Document`]; see [`Document::builder`].
#[derive(Debug, Clone)]
pub struct DocumentBuilder {
    doc: Document,
}

impl DocumentBuilder {
    /// Sets the headline (empty or blank titles are dropped).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.doc.title = non_blank(title.into());
        self
    }
    /// Sets the outlet.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.doc.source = non_blank(source.into());
        self
    }
    /// Sets the URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.doc.url = non_blank(url.into());
        self
    }
    /// Sets the declared language.
    pub fn language(mut self, lang: Option<Lang>) -> Self {
        self.doc.language = lang;
        self
    }
    /// Sets the publication date.
    pub fn published(mut self, date: PubDate) -> Self {
        self.doc.published = date;
        self
    }
    /// Keeps uninterpreted input fields (a JSON object as text).
    pub fn extra(mut self, json_object: impl Into<String>) -> Self {
        self.doc.extra = non_blank(json_object.into());
        self
    }
    /// Finishes the document and computes its id.
    pub fn build(mut self) -> Document {
        self.doc.id = DocId::of_content(self.doc.title.as_deref(), &self.doc.text);
        self.doc
    }
}

fn non_blank(s: String) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else if t.len() == s.len() {
        Some(s)
    } else {
        Some(t.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_at_their_precision() {
        assert_eq!(
            PubDate::parse("2019").unwrap().precision(),
            DatePrecision::Year
        );
        assert_eq!(PubDate::parse("2019-02"), Some(PubDate::Month(2019, 2)));
        assert_eq!(
            PubDate::parse("2019-02-10").unwrap().to_string(),
            "2019-02-10"
        );
        assert_eq!(
            PubDate::parse("2019-02-10T08:30:00+01:00")
                .unwrap()
                .to_string(),
            "2019-02-10"
        );
        assert_eq!(PubDate::parse(" 2016-11 ").unwrap().to_string(), "2016-11");
    }

    #[test]
    fn rejects_bad_dates() {
        for bad in [
            "",
            "19",
            "2019-13",
            "2019-02-31",
            "99999",
            "2019/02",
            "2019-2",
            "abcd",
            "2019-02-10x",
        ] {
            assert_eq!(PubDate::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn month_precision_spans_the_month() {
        let d = PubDate::parse("2016-02").unwrap();
        assert_eq!(d.earliest().unwrap().to_string(), "2016-02-01");
        assert_eq!(d.latest().unwrap().to_string(), "2016-02-29");
    }

    #[test]
    fn id_is_content_hash() {
        let a = Document::builder("tekst").title("kop").source("A").build();
        let b = Document::builder("tekst").title("kop").source("B").build();
        let c = Document::builder("tekst").title("andere kop").build();
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        assert_eq!(DocId::parse(&a.id.to_string()), Some(a.id));
    }
}
