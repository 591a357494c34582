//! Readers on the fixtures under `testdata/articles/`, good and broken, and on arbitrary bytes.

use std::path::PathBuf;

use kroniek_core::{DatePrecision, Lang};
use kroniek_formats::{read, sniff, Format, Options, Record, RecordError, RecordResult};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/articles")
}

fn fixture(path: &str) -> Vec<u8> {
    let p = fixture_dir().join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", p.display()))
}

fn read_bytes(format: Format, bytes: &[u8], options: &Options) -> Vec<RecordResult> {
    read(format, bytes, options).collect()
}

fn read_fixture(format: Format, path: &str) -> Vec<RecordResult> {
    read_bytes(format, &fixture(path), &Options::default())
}

fn ok(r: &RecordResult) -> &Record {
    r.as_ref()
        .unwrap_or_else(|e| panic!("expected a record, got error {e}"))
}

fn err(r: &RecordResult) -> &RecordError {
    match r {
        Ok(rec) => panic!(
            "expected an error, got a record at {:?}: {:?}",
            rec.locator, rec.doc.title
        ),
        Err(e) => e,
    }
}

fn has_warning(r: &Record, part: &str) -> bool {
    r.warnings.iter().any(|w| w.contains(part))
}

// ---------------------------------------------------------------------------------- text

#[test]
fn text_good_files_in_dutch_and_english() {
    let r = read_fixture(Format::Text, "text/nl-storm.txt");
    let nl = ok(&r[0]);
    assert_eq!(nl.doc.published.to_string(), "2019-02");
    assert_eq!(nl.doc.published.precision(), DatePrecision::Month);
    assert!(nl.doc.text.starts_with("Storm Ciara legde zondag"));
    assert!(nl.doc.text.contains("\n\nDe KNMI"));
    assert!(nl.warnings.is_empty(), "{:?}", nl.warnings);
    let r = read_fixture(Format::Text, "text/en-election.txt");
    let en = ok(&r[0]);
    assert_eq!(en.doc.published.to_string(), "2018-11-07");
    assert!(en.doc.text.starts_with("Voters in the state of Riverton"));
}

#[test]
fn text_broken_files() {
    let r = read_fixture(Format::Text, "text/no-date.txt");
    let rec = ok(&r[0]);
    assert!(rec.doc.published.is_unknown() && has_warning(rec, "unknown publication date"));
    let r = read_fixture(Format::Text, "text/bad-date.txt");
    let rec = ok(&r[0]);
    assert!(
        rec.doc.published.is_unknown() && has_warning(rec, "does not parse"),
        "{:?}",
        rec.warnings
    );
    assert!(rec.doc.text.starts_with("De datum hierboven"));
    assert!(err(&read_fixture(Format::Text, "text/empty.txt")[0])
        .message
        .contains("empty"));
    assert!(err(&read_fixture(Format::Text, "text/junk.bin")[0])
        .message
        .contains("binary"));
    let r = read_fixture(Format::Text, "text/invalid-utf8.txt");
    let rec = ok(&r[0]);
    assert!(rec.doc.text.contains("caf\u{fffd}") && has_warning(rec, "UTF-8"));
    assert_eq!(rec.doc.published.to_string(), "2017-06");
}

#[test]
fn oversized_documents_are_skipped_with_an_error() {
    let big = fixture("text/oversized.txt");
    assert!(
        ok(&read_bytes(Format::Text, &big, &Options::default())[0])
            .doc
            .text
            .len()
            > 4000
    );
    let small = Options {
        max_doc_bytes: 1000,
    };
    let e = err(&read_bytes(Format::Text, &big, &small)[0]).clone();
    assert!(e.message.contains("size cap") && !e.fatal, "{e:?}");
    // The same cap applies in the other readers.
    let line = format!(
        "{{\"date\":\"2020-03\",\"text\":{:?}}}\n{{\"text\":\"klein\"}}\n",
        String::from_utf8_lossy(&big)
    );
    let r = read_bytes(Format::Jsonl, line.as_bytes(), &small);
    assert_eq!(err(&r[0]).locator, "line 1");
    assert!(err(&r[0]).message.contains("size cap"));
    assert_eq!(ok(&r[1]).doc.text, "klein");
    let r = read_bytes(
        Format::Html,
        &fixture("html/nl-article.html"),
        &Options { max_doc_bytes: 100 },
    );
    assert!(err(&r[0]).message.contains("size cap"));
}

// --------------------------------------------------------------------------------- jsonl

#[test]
fn jsonl_with_one_broken_line() {
    let r = read_fixture(Format::Jsonl, "jsonl/articles.jsonl");
    assert_eq!(r.len(), 5, "{r:?}");
    let nl = ok(&r[0]);
    assert_eq!(nl.locator, "line 1");
    assert_eq!(
        nl.doc.title.as_deref(),
        Some("Treinverkeer ligt stil door storm")
    );
    assert_eq!(nl.doc.published.to_string(), "2019-02-10");
    assert_eq!(nl.doc.language, Some(Lang::NL));
    assert_eq!(nl.doc.source.as_deref(), Some("Het Dagblad"));
    assert!(nl.doc.extra.as_deref().unwrap_or("").contains("binnenland"));
    let en = ok(&r[1]);
    assert_eq!(en.doc.published.precision(), DatePrecision::Month);
    assert_eq!(en.doc.language, Some(Lang::EN));
    let broken = err(&r[2]);
    assert_eq!(broken.locator, "line 3");
    assert!(
        !broken.fatal && broken.message.starts_with("invalid JSON"),
        "{broken:?}"
    );
    let bad_date = ok(&r[3]);
    assert_eq!(bad_date.locator, "line 4");
    assert!(bad_date.doc.published.is_unknown() && has_warning(bad_date, "does not parse"));
    let no_date = ok(&r[4]);
    assert_eq!(no_date.locator, "line 6");
    assert!(no_date.doc.published.is_unknown() && has_warning(no_date, "no date"));
}

#[test]
fn jsonl_invalid_utf8_empty_and_binary() {
    let r = read_fixture(Format::Jsonl, "jsonl/invalid-utf8.jsonl");
    assert!(ok(&r[0]).doc.text.contains('\u{fffd}') && has_warning(ok(&r[0]), "UTF-8"));
    assert_eq!(ok(&r[1]).doc.text, "Correct UTF-8: caf\u{e9}.");
    assert!(ok(&r[1]).warnings.is_empty());
    let r = read_fixture(Format::Jsonl, "jsonl/empty.jsonl");
    assert_eq!(r.len(), 1);
    assert!(err(&r[0]).message.contains("empty"));
    let r = read_fixture(Format::Jsonl, "text/junk.bin");
    assert!(err(&r[0]).fatal && err(&r[0]).message.contains("binary"));
    assert_eq!(r.len(), 1);
}

// ---------------------------------------------------------------------------------- feed

#[test]
fn rss_feed_in_dutch() {
    let r = read_fixture(Format::Feed, "feed/nl-rss.xml");
    assert_eq!(r.len(), 4, "{r:?}");
    let one = ok(&r[0]);
    assert_eq!(one.locator, "item 1");
    assert_eq!(
        one.doc.title.as_deref(),
        Some("Storm legt treinverkeer & vliegverkeer plat")
    );
    assert_eq!(
        one.doc.url.as_deref(),
        Some("https://dagblad.example/2019/02/10/storm")
    );
    assert_eq!(one.doc.published.to_string(), "2019-02-10");
    assert_eq!(one.doc.source.as_deref(), Some("Het Dagblad - Binnenland"));
    assert_eq!(one.doc.language, Some(Lang::NL));
    assert_eq!(
        one.doc.text,
        "Storm Ciara legde zondag een groot deel van het treinverkeer stil.\n\n\
         Volgens ProRail werden ruim 300 treinen geschrapt.\n\nOp Schiphol vielen 240 vluchten uit."
    );
    let extra = one.doc.extra.as_deref().unwrap_or("");
    assert!(
        extra.contains("Anne de Vries") && extra.contains("Verkeer"),
        "{extra}"
    );
    let two = ok(&r[1]);
    assert_eq!(two.doc.published.to_string(), "2019-02-11");
    assert_eq!(two.doc.text, "De gemeenteraad heeft maandagavond de begroting aangenomen.\n\nAlleen de oppositie stemde tegen.");
    let three = ok(&r[2]);
    assert!(three.doc.published.is_unknown() && has_warning(three, "no date"));
    let four = ok(&r[3]);
    assert_eq!(four.locator, "item 4");
    assert!(
        four.doc.published.is_unknown() && has_warning(four, "does not parse"),
        "{:?}",
        four.warnings
    );
}

#[test]
fn atom_feed_in_english() {
    let r = read_fixture(Format::Feed, "feed/en-atom.xml");
    assert_eq!(r.len(), 2, "{r:?}");
    let one = ok(&r[0]);
    assert_eq!(
        one.doc.title.as_deref(),
        Some("Riverton elects a governor after recount")
    );
    assert_eq!(
        one.doc.url.as_deref(),
        Some("https://times.example/2018/11/07/riverton")
    );
    assert_eq!(one.doc.published.to_string(), "2018-11-07");
    assert_eq!(one.doc.language, Some(Lang::EN));
    assert_eq!(one.doc.source.as_deref(), Some("The Example Times: World"));
    assert_eq!(
        one.doc.text,
        "Voters in Riverton elected a new governor on Tuesday, the electoral board said.\n\n\
         Turnout was about 58 percent & rising, officials said."
    );
    assert!(one
        .doc
        .extra
        .as_deref()
        .unwrap_or("")
        .contains("Sam Carter"));
    let two = ok(&r[1]);
    assert_eq!(two.doc.language, Some(Lang::NL));
    assert_eq!(two.doc.published.to_string(), "2018-11-08");
    assert_eq!(
        two.doc.text,
        "A plain-text summary with a < sign and no markup."
    );
}

#[test]
fn feed_with_one_malformed_item_goes_on() {
    let r = read_fixture(Format::Feed, "feed/malformed-item.xml");
    assert_eq!(r.len(), 4, "{r:?}");
    assert_eq!(ok(&r[0]).doc.title.as_deref(), Some("Eerste bericht"));
    let bad = err(&r[1]);
    assert_eq!(bad.locator, "item 2");
    assert!(
        !bad.fatal && bad.message.contains("malformed item"),
        "{bad:?}"
    );
    assert!(bad.message.contains("titel"), "{bad:?}");
    let three = ok(&r[2]);
    assert_eq!(three.locator, "item 3");
    assert_eq!(three.doc.text, "Het derde bericht is weer in orde.");
    assert_eq!(three.doc.source.as_deref(), Some("Regionaal Nieuws"));
    let empty = err(&r[3]);
    assert_eq!(empty.locator, "item 4");
    assert!(empty.message.contains("no text"));
}

#[test]
fn truncated_feed_is_fatal_after_the_complete_items() {
    let r = read_fixture(Format::Feed, "feed/truncated.xml");
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(ok(&r[0]).locator, "item 1");
    let e = err(&r[1]);
    assert!(
        e.fatal && e.locator == "item 2" && e.message.contains("truncated"),
        "{e:?}"
    );
}

#[test]
fn feed_encodings_and_non_feeds() {
    let r = read_fixture(Format::Feed, "feed/latin1.xml");
    let rec = ok(&r[0]);
    assert_eq!(rec.doc.text, "Het caf\u{e9} aan de markt is weer open.");
    assert_eq!(rec.doc.source.as_deref(), Some("Caf\u{e9} Nieuws"));
    assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
    let r = read_fixture(Format::Feed, "feed/invalid-utf8.xml");
    assert!(has_warning(ok(&r[0]), "UTF-8") && ok(&r[0]).doc.text.contains('\u{fffd}'));
    assert!(!has_warning(ok(&r[1]), "UTF-8"));
    assert_eq!(ok(&r[1]).doc.text, "Caf\u{e9} met juiste codering.");
    let e = err(&read_fixture(Format::Feed, "feed/not-a-feed.xml")[0]).clone();
    assert!(e.fatal && e.message.contains("root element"), "{e:?}");
    assert!(err(&read_fixture(Format::Feed, "text/empty.txt")[0])
        .message
        .contains("empty"));
    assert!(err(&read_fixture(Format::Feed, "text/junk.bin")[0])
        .message
        .contains("binary"));
}

// ---------------------------------------------------------------------------------- html

#[test]
fn html_article_in_dutch() {
    let r = read_fixture(Format::Html, "html/nl-article.html");
    let rec = ok(&r[0]);
    assert_eq!(
        rec.doc.title.as_deref(),
        Some("Kabinet presenteert klimaatplan")
    );
    assert_eq!(rec.doc.published.to_string(), "2019-03-13");
    assert_eq!(rec.doc.source.as_deref(), Some("Het Dagblad"));
    assert_eq!(
        rec.doc.url.as_deref(),
        Some("https://dagblad.example/2019/03/13/klimaatplan")
    );
    assert_eq!(rec.doc.language, Some(Lang::NL));
    assert!(rec
        .doc
        .extra
        .as_deref()
        .unwrap_or("")
        .contains("Pieter Jansen"));
    assert_eq!(
        rec.doc.text,
        "Het kabinet heeft woensdag zijn klimaatplan gepresenteerd. Volgens minister Wiebes moet de uitstoot in 2030 met 49 procent zijn gedaald.\n\n\
         Kritiek van de oppositie\n\n\
         De oppositie noemt het plan \"te vrijblijvend\". Volgens GroenLinks kost het plan huishoudens tot 300 euro per jaar.\n\n\
         Meer windparken op zee\n\nEen CO2-heffing voor de industrie"
    );
    assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
}

#[test]
fn html_article_in_english() {
    let r = read_fixture(Format::Html, "html/en-article.html");
    let rec = ok(&r[0]);
    assert_eq!(
        rec.doc.title.as_deref(),
        Some("Flood defences hold as river peaks")
    );
    assert_eq!(rec.doc.published.to_string(), "2020-02-17");
    assert_eq!(rec.doc.source.as_deref(), Some("The Example Times"));
    assert_eq!(
        rec.doc.url.as_deref(),
        Some("https://times.example/2020/02/17/floods")
    );
    assert_eq!(rec.doc.language, Some(Lang::EN));
    assert_eq!(
        rec.doc.text,
        "Flood defences along the river held overnight as water levels peaked, the Environment Agency said on Monday.\n\n\
         About 1,200 homes were evacuated as a precaution.\nMost residents are expected to return by Wednesday.\n\n\
         \"We were lucky this time,\" one resident said."
    );
}

#[test]
fn html_broken_pages() {
    let r = read_fixture(Format::Html, "html/no-date.html");
    let rec = ok(&r[0]);
    assert!(rec.doc.published.is_unknown() && has_warning(rec, "no publication date"));
    assert_eq!(rec.doc.title.as_deref(), Some("Bericht zonder datum"));
    let r = read_fixture(Format::Html, "html/bad-date.html");
    let rec = ok(&r[0]);
    assert!(
        rec.doc.published.is_unknown() && has_warning(rec, "\"last Tuesday\" does not parse"),
        "{:?}",
        rec.warnings
    );
    let r = read_fixture(Format::Html, "html/invalid-utf8.html");
    let rec = ok(&r[0]);
    assert_eq!(rec.doc.text, "Het caf\u{fffd} heropent.");
    assert!(has_warning(rec, "UTF-8"));
    let r = read_fixture(Format::Html, "html/windows-1252.html");
    let rec = ok(&r[0]);
    assert_eq!(rec.doc.text, "Het caf\u{e9} kost \u{20ac} 5 per kop.");
    assert!(
        rec.warnings.iter().all(|w| !w.contains("UTF-8")),
        "{:?}",
        rec.warnings
    );
    assert!(err(&read_fixture(Format::Html, "html/no-text.html")[0])
        .message
        .contains("no article text"));
    assert!(err(&read_fixture(Format::Html, "text/empty.txt")[0])
        .message
        .contains("empty"));
    assert!(err(&read_fixture(Format::Html, "text/junk.bin")[0])
        .message
        .contains("binary"));
}

// ---------------------------------------------------------------------------------- warc

fn check_news_warc(r: &[RecordResult]) {
    assert_eq!(r.len(), 4, "{r:?}");
    let nl = ok(&r[0]);
    assert_eq!(nl.locator, "record 3");
    assert_eq!(
        nl.doc.title.as_deref(),
        Some("Kabinet presenteert klimaatplan")
    );
    assert_eq!(nl.doc.published.to_string(), "2019-03-13");
    assert_eq!(
        nl.doc.url.as_deref(),
        Some("https://dagblad.example/2019/03/13/klimaatplan")
    );
    assert!(nl.warnings.is_empty(), "{:?}", nl.warnings);
    let extra: serde_json::Value =
        serde_json::from_str(nl.doc.extra.as_deref().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(
        extra["warc_record_id"],
        "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    );
    assert_eq!(extra["warc_date"], "2019-03-14T02:00:01Z");
    let undated = ok(&r[1]);
    assert_eq!(undated.locator, "record 7");
    assert_eq!(undated.doc.published.to_string(), "2019-03-14");
    assert!(has_warning(undated, "crawl date"), "{:?}", undated.warnings);
    assert_eq!(
        undated.doc.url.as_deref(),
        Some("https://dagblad.example/zonder-datum")
    );
    let en = ok(&r[2]);
    assert_eq!(en.locator, "record 8");
    assert_eq!(en.doc.published.to_string(), "2020-02-17");
    assert_eq!(
        en.doc.url.as_deref(),
        Some("https://times.example/2020/02/17/floods")
    );
    assert!(en.doc.text.starts_with("Flood defences along the river"));
    let latin = ok(&r[3]);
    assert_eq!(latin.locator, "record 9");
    assert_eq!(latin.doc.text, "Het caf\u{e9} heropent.");
    assert_eq!(latin.doc.published.to_string(), "2017-06-02");
}

#[test]
fn warc_plain_and_gzip() {
    check_news_warc(&read_fixture(Format::Warc, "warc/news.warc"));
    check_news_warc(&read_fixture(Format::Warc, "warc/news.warc.gz"));
}

#[test]
fn truncated_warc_is_fatal_after_the_complete_records() {
    for name in ["warc/truncated.warc", "warc/truncated.warc.gz"] {
        let r = read_fixture(Format::Warc, name);
        assert_eq!(r.len(), 3, "{name}: {r:?}");
        assert_eq!(ok(&r[0]).locator, "record 3");
        assert_eq!(ok(&r[1]).locator, "record 7");
        let e = err(&r[2]);
        assert!(e.fatal && e.locator == "record 8", "{name}: {e:?}");
    }
}

#[test]
fn oversized_warc_records_are_skipped_and_reading_goes_on() {
    let r = read_bytes(
        Format::Warc,
        &fixture("warc/news.warc.gz"),
        &Options { max_doc_bytes: 300 },
    );
    let e = err(&r[0]);
    assert!(
        e.locator == "record 3" && e.message.contains("size cap") && !e.fatal,
        "{e:?}"
    );
    assert!(
        r[1..]
            .iter()
            .any(|x| x.as_ref().is_ok_and(|rec| rec.locator == "record 7")),
        "{r:?}"
    );
}

#[test]
fn warc_empty_and_junk() {
    assert!(err(&read_fixture(Format::Warc, "text/empty.txt")[0])
        .message
        .contains("empty"));
    let r = read_fixture(Format::Warc, "text/junk.bin");
    assert_eq!(r.len(), 1);
    assert!(err(&r[0]).fatal);
    let r = read_fixture(Format::Warc, "feed/nl-rss.xml");
    assert!(err(&r[0]).message.contains("not a WARC file"));
}

// ----------------------------------------------------------------------- all formats

/// Readers must not depend on how the input hands out its bytes: reading through a
/// one-byte buffer gives the same records as reading from a slice.
#[test]
fn one_byte_reads_give_the_same_records() {
    let cases = [
        (Format::Text, "text/nl-storm.txt"),
        (Format::Jsonl, "jsonl/articles.jsonl"),
        (Format::Jsonl, "jsonl/invalid-utf8.jsonl"),
        (Format::Feed, "feed/nl-rss.xml"),
        (Format::Feed, "feed/en-atom.xml"),
        (Format::Feed, "feed/latin1.xml"),
        (Format::Feed, "feed/invalid-utf8.xml"),
        (Format::Feed, "feed/malformed-item.xml"),
        (Format::Html, "html/nl-article.html"),
        (Format::Warc, "warc/news.warc"),
        (Format::Warc, "warc/news.warc.gz"),
        (Format::Warc, "warc/truncated.warc.gz"),
    ];
    let summary = |r: &RecordResult| match r {
        Ok(rec) => format!("ok {} {:?} {:?}", rec.locator, rec.doc, rec.warnings),
        Err(e) => format!("err {e} {}", e.fatal),
    };
    for (format, path) in cases {
        let bytes = fixture(path);
        let whole: Vec<String> = read_bytes(format, &bytes, &Options::default())
            .iter()
            .map(summary)
            .collect();
        let trickle = std::io::BufReader::with_capacity(1, &bytes[..]);
        let bytewise: Vec<String> = read(format, trickle, &Options::default())
            .map(|r| summary(&r))
            .collect();
        assert_eq!(whole, bytewise, "{path}");
    }
}

#[test]
fn sniffing_the_fixtures() {
    let cases = [
        ("text/nl-storm.txt", Format::Text),
        ("jsonl/articles.jsonl", Format::Jsonl),
        ("feed/nl-rss.xml", Format::Feed),
        ("feed/en-atom.xml", Format::Feed),
        ("html/nl-article.html", Format::Html),
        ("warc/news.warc", Format::Warc),
        ("warc/news.warc.gz", Format::Warc),
    ];
    for (path, format) in cases {
        let bytes = fixture(path);
        assert_eq!(sniff(path, &bytes), format, "{path}");
        let bare = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .split('.')
            .next()
            .unwrap_or("");
        assert_eq!(
            sniff(bare, &bytes[..bytes.len().min(4096)]),
            format,
            "{path} by content"
        );
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn all_fixtures() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["text", "jsonl", "feed", "html", "warc"] {
        let mut entries: Vec<_> = std::fs::read_dir(fixture_dir().join(dir))
            .expect("fixture folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            out.push(std::fs::read(&p).expect("fixture"));
        }
    }
    out
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        match rng.below(5) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => {
                let i = rng.below(v.len() + 1);
                v.insert(
                    i,
                    [b'<', b'>', b'&', b'\n', b'\r', 0xff, 0xc3, b'"', b'/', b'0'][rng.below(10)],
                );
            }
            2 if !v.is_empty() => {
                let i = rng.below(v.len());
                let len = rng.below(64).min(v.len() - i);
                v.drain(i..i + len);
            }
            3 => {
                let at = rng.below(v.len() + 1);
                v.truncate(at);
            }
            _ => {
                let i = rng.below(v.len() + 1);
                let j = rng.below(v.len() + 1);
                let (a, b) = (i.min(j), i.max(j).min(i.min(j) + 256));
                let copy = v[a..b].to_vec();
                v.splice(i..i, copy);
            }
        }
    }
    v
}

/// Runs a reader to the end and checks the iterator contract: no panic, it ends, and
/// nothing follows a fatal error.
fn run_reader(format: Format, bytes: &[u8], options: &Options) {
    let mut fatal_seen = false;
    let mut count = 0usize;
    for r in read(format, bytes, options) {
        assert!(!fatal_seen, "{format}: a record after a fatal error");
        if let Err(e) = &r {
            fatal_seen |= e.fatal;
            assert!(
                !e.message.is_empty() && !e.message.ends_with('.'),
                "{format}: message {:?}",
                e.message
            );
        }
        count += 1;
        assert!(count < 100_000, "{format}: the reader does not end");
    }
}

#[test]
fn readers_never_panic_on_arbitrary_bytes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (huge, zero) = (
        Options {
            max_doc_bytes: usize::MAX,
        },
        Options { max_doc_bytes: 0 },
    );
    let small = Options { max_doc_bytes: 512 };
    let default = Options::default();
    for round in 0..3000 {
        let len = rng.below(if round % 10 == 0 { 4096 } else { 300 });
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half of the strings start like a real input, so the readers get past their first checks.
        let prefixes: [&[u8]; 6] = [
            b"WARC/1.0\r\n",
            b"\x1f\x8b\x08\x00",
            b"<rss><channel><item>",
            b"<html><body><p>",
            b"{\"text\":\"",
            b" date 2019-02 ",
        ];
        if round % 2 == 0 {
            let p = prefixes[rng.below(prefixes.len())];
            bytes.splice(0..0, p.iter().copied());
        }
        let options = match round % 5 {
            0 => &small,
            1 => &huge,
            2 => &zero,
            _ => &default,
        };
        for format in Format::ALL {
            run_reader(format, &bytes, options);
        }
        let _ = sniff("", &bytes);
        let _ = kroniek_formats::parse_date(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn readers_never_panic_on_mutated_fixtures() {
    let mut rng = Rng(42);
    let fixtures = all_fixtures();
    let small = Options { max_doc_bytes: 256 };
    let default = Options::default();
    for round in 0..24 {
        for f in &fixtures {
            let m = mutate(&mut rng, f);
            for format in Format::ALL {
                run_reader(format, &m, if round % 2 == 0 { &small } else { &default });
            }
        }
    }
}

// ------------------------------------------------------------------------------ seeds

#[test]
fn seed_files_read_with_month_precision() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: no seed folder at {}", dir.display());
        return;
    };
    let mut n = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let bytes = std::fs::read(&path).expect("seed file");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert_eq!(sniff(name, &bytes), Format::Text, "{name}");
        let r = read_bytes(Format::Text, &bytes, &Options::default());
        assert_eq!(r.len(), 1);
        let rec = ok(&r[0]);
        assert_eq!(
            rec.doc.published.precision(),
            DatePrecision::Month,
            "{name}"
        );
        assert!(
            !rec.doc.text.is_empty() && !rec.doc.text.starts_with("date"),
            "{name}"
        );
        assert!(rec.warnings.is_empty(), "{name}: {:?}", rec.warnings);
        n += 1;
    }
    assert!(n > 0, "the seed folder {} is empty", dir.display());
}

#[test]
fn deeply_nested_markup_does_not_overflow_the_stack() {
    let depth = 20_000;
    let html = format!(
        "<html><body><article>{}<p>Diep.</p>{}</article></body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let r = read_bytes(Format::Html, html.as_bytes(), &Options::default());
    assert_eq!(ok(&r[0]).doc.text, "Diep.");
    let feed = format!(
        "<rss><channel><item><description>{}x{}</description></item></channel></rss>",
        "<b>".repeat(depth),
        "</b>".repeat(depth)
    );
    run_reader(Format::Feed, feed.as_bytes(), &Options::default());
}

/// Streams a large file named by `KRONIEK_FORMATS_BIG` through its reader and prints the
/// throughput; run with `KRONIEK_FORMATS_BIG=FILE cargo test -p kroniek-formats --test tests
/// stream_a_large_file -- --nocapture` under `/usr/bin/time -v` to see that memory stays
/// bounded. Without the variable it does nothing.
#[test]
fn stream_a_large_file() {
    let Some(path) = std::env::var_os("KRONIEK_FORMATS_BIG") else {
        println!("skipped: set KRONIEK_FORMATS_BIG to a file");
        return;
    };
    let file = std::fs::File::open(&path).expect("open KRONIEK_FORMATS_BIG");
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut input = std::io::BufReader::with_capacity(1 << 16, file);
    let head = std::io::BufRead::fill_buf(&mut input)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let format = sniff(&path.to_string_lossy(), &head);
    let start = std::time::Instant::now();
    let (mut docs, mut errors, mut text) = (0usize, 0usize, 0usize);
    for r in read(format, input, &Options::default()) {
        match r {
            Ok(rec) => {
                docs += 1;
                text += rec.doc.text.len();
            }
            Err(_) => errors += 1,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{format}: {docs} documents, {errors} errors, {:.1} MB in, {:.1} MB text, {:.1} s, {:.1} MB/s",
        size as f64 / 1e6,
        text as f64 / 1e6,
        secs,
        size as f64 / 1e6 / secs
    );
}

#[test]
fn a_lying_content_length_is_a_fatal_error_not_an_allocation() {
    let warc = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 1000000000000000000\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<p>x</p>";
    for options in [
        Options::default(),
        Options {
            max_doc_bytes: usize::MAX,
        },
    ] {
        let r = read_bytes(Format::Warc, warc, &options);
        let e = err(&r[0]);
        assert!(e.fatal && e.locator == "record 1", "{e:?}");
    }
}
