//! API integration tests: a real server on a random loopback port over a store built from
//! a few hand-written articles, spoken to over plain HTTP/1.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use kroniek_server::{Config, Server};
use kroniek_store::{SqliteStore, Store, StoredAnnotation, StoredDocument};
use serde_json::Value;

/// Hand-written fixtures: Dutch and English, day and month precision, one hostile title
/// and body.
const FIXTURES: &str = r#"{"date": "2023-05-02", "source": "Testkrant", "lang": "nl", "title": "Brug bij Oosterwold urenlang dicht na aanvaring", "text": "De brug bij Oosterwold is gisteren urenlang dicht geweest nadat een vrachtschip de pijler raakte. Volgens de provincie is de schade beperkt. De brug gaat vandaag weer open."}
{"date": "2023-05", "source": "Testkrant", "lang": "nl", "title": "Provincie onderzoekt aanvaring bij Oosterwold", "text": "De provincie onderzoekt de aanvaring van vorige week. Het vrachtschip voer volgens getuigen te snel."}
{"date": "2023-06-11", "source": "Test Herald", "lang": "en", "title": "Bridge at Oosterwold reopens after ship collision", "text": "The bridge at Oosterwold reopened on Sunday, weeks after a cargo ship hit one of its piers."}
{"date": "2022", "source": "Test Herald", "lang": "en", "title": "Ferry service ends", "text": "The ferry across the river made its last crossing this year."}
{"date": "2023-07-01", "source": "Evil <b>Source</b>", "lang": "en", "title": "<script>window.__pwned = 1</script> headline", "text": "An article that quotes <script>alert('x')</script> and <img src=x onerror=alert(1)> verbatim. The bridge is fine."}
"#;

struct TestServer {
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

fn build_store(path: &std::path::Path) {
    let mut store = SqliteStore::open(path).unwrap();
    let options = kroniek_formats::Options::default();
    let mut batch = Vec::new();
    for rec in kroniek_formats::read(
        kroniek_formats::Format::Jsonl,
        FIXTURES.as_bytes(),
        &options,
    ) {
        let rec = rec.unwrap();
        let mut doc = rec.doc;
        let analysis = kroniek_core::annotate(&doc);
        doc.language = analysis.language;
        // The API is tested on hand-written layers, not on whatever the taggers find: keep
        // only the sentences of the real analysis.
        let mut annotations: Vec<StoredAnnotation> = analysis
            .annotations()
            .into_iter()
            .filter(|a| a.layer == "sentence")
            .map(Into::into)
            .collect();
        // A time expression as the timex layer stores it (attrs value, earliest, latest),
        // so that the API's handling of dated layers is tested before that layer lands.
        if let Some(start) = doc.text.find("gisteren") {
            annotations.push(StoredAnnotation {
                layer: "timex".into(),
                start: start as u32,
                end: (start + "gisteren".len()) as u32,
                label: "DATE".into(),
                attrs: vec![
                    ("value".into(), "2023-05-01".into()),
                    ("earliest".into(), "2023-05-01".into()),
                    ("latest".into(), "2023-05-01".into()),
                ],
            });
        }
        // Events as the event layer stores them: anchored to a time expression by its
        // byte span, or only to the publication date.
        if let (Some(ev), Some(t)) = (doc.text.find("dicht geweest"), doc.text.find("gisteren")) {
            annotations.push(StoredAnnotation {
                layer: "event".into(),
                start: ev as u32,
                end: (ev + "dicht geweest".len()) as u32,
                label: "closure".into(),
                attrs: vec![
                    ("anchor".into(), format!("{t}-{}", t + "gisteren".len())),
                    ("certainty".into(), "certain".into()),
                    ("polarity".into(), "positive".into()),
                ],
            });
        }
        if let Some(ev) = doc.text.find("reopened") {
            annotations.push(StoredAnnotation {
                layer: "event".into(),
                start: ev as u32,
                end: (ev + "reopened".len()) as u32,
                label: "movement".into(),
                attrs: vec![
                    ("anchor".into(), "before-publication".into()),
                    ("certainty".into(), "certain".into()),
                ],
            });
        }
        // Entities as the entity layer stores them (label PER/ORG/LOC/MISC, attrs key).
        for (word, label, key) in [
            ("Oosterwold", "LOC", "Oosterwold"),
            ("provincie", "ORG", "Provincie Flevoland"),
        ] {
            for (start, _) in doc.text.match_indices(word) {
                annotations.push(StoredAnnotation {
                    layer: "entity".into(),
                    start: start as u32,
                    end: (start + word.len()) as u32,
                    label: label.into(),
                    attrs: vec![("key".into(), key.into())],
                });
            }
        }
        if let Some(start) = doc.text.find("vorige week") {
            annotations.push(StoredAnnotation {
                layer: "timex".into(),
                start: start as u32,
                end: (start + "vorige week".len()) as u32,
                label: "DATE".into(),
                attrs: vec![
                    ("value".into(), "2023-W17".into()),
                    ("earliest".into(), "2023-04-24".into()),
                    ("latest".into(), "2023-05-28".into()),
                ],
            });
        }
        batch.push(StoredDocument {
            doc,
            annotations,
            warnings: rec.warnings,
            origin: Some(format!("fixtures {}", rec.locator)),
            search_terms: None,
            records: None,
        });
    }
    store.put_batch(&batch).unwrap();
}

fn start(max_upload: usize) -> TestServer {
    start_with(max_upload, true)
}

fn start_with(max_upload: usize, allow_upload: bool) -> TestServer {
    start_after(max_upload, allow_upload, |_| {})
}

/// A server over the fixture store after `prepare` has changed it.
fn start_after(
    max_upload: usize,
    allow_upload: bool,
    prepare: impl FnOnce(&mut SqliteStore),
) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    build_store(&db);
    prepare(&mut SqliteStore::open(&db).unwrap());
    let mut config = Config::new(&db);
    config.max_upload_bytes = max_upload;
    config.allow_upload = allow_upload;
    let server = Server::open(config).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = kroniek_server::run_blocking(&server, "127.0.0.1:0".parse().unwrap(), |a| {
            let _ = tx.send(a);
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(addr.ip().is_loopback());
    TestServer { addr, _dir: dir }
}

struct Response {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    /// An error answer: JSON `{"error": "..."}` with this status.
    fn assert_error(&self, status: u16) -> String {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert!(self
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/json"));
        let v = self.json();
        let msg = v["error"].as_str().expect("an error message").to_string();
        assert!(!msg.is_empty());
        msg
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            std::str::from_utf8(&body[..nl])
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[nl + 2..nl + 2 + size]);
        body = &body[nl + 2 + size + 2..];
    }
    out
}

fn request(addr: SocketAddr, method: &str, path: &str, ctype: &str, body: &[u8]) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) and close before reading a large body.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, "text/plain", b"")
}

#[test]
fn stats_count_the_fixtures() {
    let t = start(1 << 20);
    let r = get(t.addr, "/api/stats");
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["documents"], 5);
    assert_eq!(v["languages"]["nl"], 2);
    assert_eq!(v["precisions"]["month"], 1);
    assert_eq!(v["layers"]["timex"], 2);
    assert!(v["layers"]["sentence"].as_u64().unwrap() >= 5);
    assert_eq!(v["date_range"]["from"], "2022-01-01");
    assert_eq!(v["sources"][0]["documents"], 2);
}

#[test]
fn search_pages_and_filters() {
    let t = start(1 << 20);
    // "brug" (nl) and "bridge" (en) are different words: the query finds the Dutch ones.
    let all = get(t.addr, "/api/search?q=Oosterwold").json();
    assert_eq!(all["results"].as_array().unwrap().len(), 3);
    assert_eq!(all["has_more"], false);
    let p1 = get(t.addr, "/api/search?q=Oosterwold&limit=2").json();
    assert_eq!(p1["results"].as_array().unwrap().len(), 2);
    assert_eq!(p1["has_more"], true);
    let p2 = get(t.addr, "/api/search?q=Oosterwold&limit=2&offset=2").json();
    assert_eq!(p2["results"].as_array().unwrap().len(), 1);
    assert_eq!(p2["has_more"], false);
    let mut ids: Vec<&str> = p1["results"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["results"].as_array().unwrap())
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "pages do not overlap");

    let en = get(t.addr, "/api/search?q=Oosterwold&lang=en").json();
    assert_eq!(en["results"].as_array().unwrap().len(), 1);
    let src = get(t.addr, "/api/search?q=Oosterwold&source=testkrant").json();
    assert_eq!(src["results"].as_array().unwrap().len(), 2);
    // A month-precision article may lie in any day of May 2023.
    let may = get(
        t.addr,
        "/api/search?q=Oosterwold&from=2023-05-20&to=2023-05",
    )
    .json();
    assert_eq!(may["results"].as_array().unwrap().len(), 1);
    assert_eq!(may["results"][0]["published"], "2023-05");
}

#[test]
fn bad_parameters_are_json_400s() {
    let t = start(1 << 20);
    for path in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=brug&limit=0",
        "/api/search?q=brug&limit=201",
        "/api/search?q=brug&limit=ten",
        "/api/search?q=brug&offset=-1",
        "/api/search?q=brug&offset=99999999999",
        "/api/search?q=brug&lang=nederlandsch1",
        "/api/search?q=brug&from=yesterday",
        "/api/search?q=brug&from=2023-06&to=2023-05",
        "/api/search?q=%22%22",
        "/api/documents?sort=title",
        "/api/documents?limit=1000",
        "/api/documents/xyz",
        "/api/documents/12",
        "/api/layers/Bad%20Layer",
        "/api/timeline/documents?limit=501",
        "/api/timeline/documents?layer=a;b",
    ] {
        let r = get(t.addr, path);
        let msg = r.assert_error(400);
        assert!(!msg.contains("panic"), "{path}: {msg}");
    }
}

#[test]
fn documents_list_pages_and_filters() {
    let t = start(1 << 20);
    let v = get(t.addr, "/api/documents?limit=2").json();
    assert_eq!(v["total"], 5);
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    // Oldest first by default: the 2022 article, then May 2023.
    assert_eq!(docs[0]["published"], "2022");
    assert_eq!(docs[0]["precision"], "year");
    let last = get(t.addr, "/api/documents?limit=2&offset=4").json();
    assert_eq!(last["documents"].as_array().unwrap().len(), 1);
    let beyond = get(t.addr, "/api/documents?offset=50").json();
    assert_eq!(beyond["documents"].as_array().unwrap().len(), 0);
    assert_eq!(beyond["total"], 5);
    let newest = get(t.addr, "/api/documents?sort=-date&limit=1").json();
    assert_eq!(newest["documents"][0]["published"], "2023-07-01");
    let nl = get(t.addr, "/api/documents?lang=nl").json();
    assert_eq!(nl["total"], 2);
    let june = get(t.addr, "/api/documents?from=2023-06&to=2023-06").json();
    assert_eq!(june["total"], 1);
}

#[test]
fn a_document_comes_with_its_annotations_by_id_or_prefix() {
    let t = start(1 << 20);
    let list = get(t.addr, "/api/documents?lang=nl&limit=1&sort=-date").json();
    let id = list["documents"][0]["id"].as_str().unwrap().to_string();
    let full = get(t.addr, &format!("/api/documents/{id}"));
    assert_eq!(full.status, 200);
    let d = full.json();
    assert_eq!(d["id"], id.as_str());
    assert_eq!(d["published"], "2023-05-02");
    assert_eq!(d["precision"], "day");
    let timex: Vec<&Value> = d["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["layer"] == "timex")
        .collect();
    assert_eq!(timex.len(), 1);
    assert_eq!(timex[0]["text"], "gisteren");
    assert_eq!(timex[0]["attrs"]["value"], "2023-05-01");
    assert_eq!(d["layers"]["timex"], 1);
    // Every annotation's text is its byte range of the document text.
    let text = d["text"].as_str().unwrap();
    for a in d["annotations"].as_array().unwrap() {
        let (s, e) = (
            a["start"].as_u64().unwrap() as usize,
            a["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(a["text"].as_str().unwrap(), &text[s..e]);
    }
    let by_prefix = get(t.addr, &format!("/api/documents/{}", &id[..6])).json();
    assert_eq!(by_prefix["id"], id.as_str());
    let event = d["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["layer"] == "event")
        .unwrap();
    assert_eq!(
        event["attr_text"]["anchor"], "gisteren",
        "span attributes resolved"
    );
    let only = get(t.addr, &format!("/api/documents/{id}?layer=timex")).json();
    assert_eq!(only["annotations"].as_array().unwrap().len(), 1);

    // An id that is not stored, and a prefix no id has.
    let unknown = if id.starts_with("ffff") {
        "0000000000000000"
    } else {
        "ffffffffffffffff"
    };
    get(t.addr, &format!("/api/documents/{unknown}")).assert_error(404);
    get(t.addr, &format!("/api/documents/{}", &unknown[..5])).assert_error(404);
}

#[test]
fn hostile_text_comes_back_as_data() {
    let t = start(1 << 20);
    let hits = get(t.addr, "/api/search?q=headline").json();
    let id = hits["results"][0]["id"].as_str().unwrap().to_string();
    let r = get(t.addr, &format!("/api/documents/{id}"));
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let d = r.json();
    assert_eq!(d["title"], "<script>window.__pwned = 1</script> headline");
    assert!(d["text"]
        .as_str()
        .unwrap()
        .contains("<img src=x onerror=alert(1)>"));
    assert_eq!(d["source"], "Evil <b>Source</b>");
}

#[test]
fn a_layer_across_documents() {
    let t = start(1 << 20);
    let v = get(t.addr, "/api/layers/timex").json();
    assert_eq!(v["total"], 2);
    let anns = v["annotations"].as_array().unwrap();
    // In the order they were stored.
    assert_eq!(anns[0]["text"], "gisteren");
    assert_eq!(anns[0]["attrs"]["earliest"], "2023-05-01");
    assert_eq!(anns[0]["label"], "DATE");
    assert_eq!(anns[1]["text"], "vorige week");
    let paged = get(t.addr, "/api/layers/timex?limit=1&offset=1").json();
    assert_eq!(paged["annotations"].as_array().unwrap().len(), 1);
    assert_eq!(paged["annotations"][0]["text"], "vorige week");
    let q = get(t.addr, "/api/layers/timex?q=GISTER").json();
    assert_eq!(q["total"], 1);
    let by_value = get(t.addr, "/api/layers/timex?q=2023-W17").json();
    assert_eq!(by_value["total"], 1);
    let label = get(t.addr, "/api/layers/timex?label=TIME").json();
    assert_eq!(label["total"], 0);
    let wildcard = get(t.addr, "/api/layers/timex?q=%25").json();
    assert_eq!(wildcard["total"], 0, "% is matched literally");
    let none = get(t.addr, "/api/layers/quantity").json();
    assert_eq!(none["total"], 0);
    let places = get(t.addr, "/api/layers/entity?label=LOC").json();
    assert_eq!(places["total"], 2);
    let events = get(t.addr, "/api/layers/event?label=closure").json();
    assert_eq!(events["total"], 1);
    let sentences = get(t.addr, "/api/layers/sentence?limit=3").json();
    assert_eq!(sentences["annotations"].as_array().unwrap().len(), 3);
    assert!(sentences["total"].as_u64().unwrap() > 3);
}

#[test]
fn document_timeline_places_documents_and_dated_annotations() {
    let t = start(1 << 20);
    let v = get(t.addr, "/api/timeline/documents?q=Oosterwold").json();
    assert_eq!(v["documents"].as_array().unwrap().len(), 3);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(v["kinds"]["timex"], 2);
    assert_eq!(v["kinds"]["event"], 2);
    // An event anchored to a time expression takes its interval.
    let closure = items.iter().find(|i| i["label"] == "closure").unwrap();
    assert_eq!(closure["text"], "dicht geweest");
    assert_eq!(closure["earliest"], "2023-05-01");
    assert_eq!(closure["latest"], "2023-05-01");
    assert_eq!(closure["anchor"]["text"], "gisteren");
    assert_eq!(closure["attr_text"]["anchor"], "gisteren");
    // One anchored only before publication lies in the publication interval.
    let reopened = items.iter().find(|i| i["label"] == "movement").unwrap();
    assert_eq!(reopened["earliest"], "2023-06-11");
    assert_eq!(reopened["anchor"]["kind"], "before-publication");
    let week = items.iter().find(|i| i["text"] == "vorige week").unwrap();
    assert_eq!(week["kind"], "timex");
    assert_eq!(week["earliest"], "2023-04-24");
    assert_eq!(week["latest"], "2023-05-28");
    let ctx = &week["context"];
    let sentence = ctx["text"].as_str().unwrap();
    assert!(sentence.starts_with("De provincie onderzoekt"));
    assert_eq!(
        &sentence[ctx["start"].as_u64().unwrap() as usize..ctx["end"].as_u64().unwrap() as usize],
        "vorige week"
    );
    let all = get(t.addr, "/api/timeline/documents?limit=2").json();
    assert_eq!(all["documents"].as_array().unwrap().len(), 2);
    assert_eq!(all["has_more"], true);
    let events = get(t.addr, "/api/timeline/documents?q=Oosterwold&layer=event").json();
    assert_eq!(events["items"].as_array().unwrap().len(), 2);
    let none = get(
        t.addr,
        "/api/timeline/documents?q=Oosterwold&layer=quantity",
    )
    .json();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
}

#[test]
fn upload_ingests_through_the_pipeline() {
    let t = start(64 * 1024);
    let body = br#"{"date": "2024-01-09", "title": "Sneeuw legt verkeer plat", "text": "Door zware sneeuwval stond het verkeer gisteren urenlang stil."}
{"date": "2024-01", "title": "Snow closes roads", "text": "Heavy snow closed several roads, the agency said."}
{not json
"#;
    let r = request(
        t.addr,
        "POST",
        "/api/ingest?name=upload.jsonl&source=Uploaded",
        "application/octet-stream",
        body,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["format"], "jsonl");
    assert_eq!(v["read"], 2);
    assert_eq!(v["stored"], 2);
    assert_eq!(v["failed"], 1);
    assert_eq!(v["errors"][0]["locator"], "line 3");
    assert_eq!(v["documents"][0]["language"], "nl");
    let again = request(t.addr, "POST", "/api/ingest", "application/x-ndjson", body).json();
    assert_eq!(again["stored"], 0);
    assert_eq!(again["already_present"], 2);
    let stats = get(t.addr, "/api/stats").json();
    assert_eq!(stats["documents"], 7);
    let found = get(t.addr, "/api/search?q=sneeuw&source=uploaded").json();
    assert_eq!(found["results"].as_array().unwrap().len(), 1);

    // A single text article with a date line.
    let text = request(
        t.addr,
        "POST",
        "/api/ingest?format=text",
        "text/plain",
        " date 2019-02\nDe veerpont vaart weer.\n".as_bytes(),
    );
    assert_eq!(text.status, 200, "{}", String::from_utf8_lossy(&text.body));
    assert_eq!(text.json()["documents"][0]["published"], "2019-02");
}

#[test]
fn an_upload_with_syntax_stores_event_roles() {
    let t = start(64 * 1024);
    let agent_of = |syntax: &str, text: &str| -> Value {
        let r = request(
            t.addr,
            "POST",
            &format!("/api/ingest?format=text{syntax}"),
            "text/plain",
            text.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let id = r.json()["documents"][0]["id"].as_str().unwrap().to_string();
        let d = get(t.addr, &format!("/api/documents/{id}")).json();
        let ev = d["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["layer"] == "event" && a["text"] == "ontmoette")
            .expect("the meeting is an event")
            .clone();
        ev["attrs"]["agent"].clone()
    };
    // "Trump" is bytes 0-5 of the text after the date line.
    let with = agent_of(
        "&syntax=true",
        " date 2018-07\nTrump ontmoette Poetin in Helsinki.\n",
    );
    assert_eq!(with, "0-5");
    let without = agent_of("", " date 2018-07\nTrump ontmoette Poetin in Finland.\n");
    assert!(without.is_null(), "{without}");
}

#[test]
fn uploads_are_limited_and_checked() {
    let t = start(64 * 1024);
    let big = vec![b'a'; 200 * 1024];
    let r = request(
        t.addr,
        "POST",
        "/api/ingest?format=text",
        "text/plain",
        &big,
    );
    let msg = r.assert_error(413);
    assert!(msg.contains("larger"), "{msg}");
    request(t.addr, "POST", "/api/ingest", "text/plain", b"").assert_error(400);
    request(t.addr, "POST", "/api/ingest?format=pdf", "text/plain", b"x").assert_error(400);
    request(
        t.addr,
        "POST",
        "/api/ingest?format=jsonl",
        "text/plain",
        b"{broken\n",
    )
    .assert_error(422);
    // The store is unharmed.
    assert_eq!(get(t.addr, "/api/stats").json()["documents"], 5);
}

#[test]
fn uploads_can_be_switched_off() {
    let t = start_with(64 * 1024, false);
    let r = request(
        t.addr,
        "POST",
        "/api/ingest?format=text",
        "text/plain",
        b" date 2020\nTekst.\n",
    );
    let msg = r.assert_error(403);
    assert!(msg.contains("--no-upload"), "{msg}");
    let stats = get(t.addr, "/api/stats").json();
    assert_eq!(stats["documents"], 5);
    assert_eq!(stats["uploads_allowed"], false);
}

#[test]
fn unknown_paths_and_methods_are_json_errors() {
    let t = start(1 << 20);
    get(t.addr, "/api/nothing").assert_error(404);
    get(t.addr, "/etc/passwd").assert_error(404);
    request(t.addr, "DELETE", "/api/stats", "text/plain", b"").assert_error(405);
    request(t.addr, "GET", "/api/ingest", "text/plain", b"").assert_error(405);
}

#[test]
fn ui_is_served_with_a_strict_content_security_policy() {
    let t = start(1 << 20);
    let r = get(t.addr, "/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    let html = String::from_utf8(r.body).unwrap();
    assert!(html.contains("/static/app.js"));
    let js = get(t.addr, "/static/app.js");
    assert!(js
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    let js = String::from_utf8(js.body).unwrap();
    // Data only ever reaches the page as text.
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!js.contains(sink), "app.js uses {sink}");
    }
    assert_eq!(get(t.addr, "/static/app.css").status, 200);
}

#[test]
fn openapi_describes_every_route() {
    let t = start(1 << 20);
    let v = get(t.addr, "/api/openapi.json").json();
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    let paths = v["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/stats", "get"),
        ("/api/search", "get"),
        ("/api/documents", "get"),
        ("/api/documents/{id}", "get"),
        ("/api/layers/{layer}", "get"),
        ("/api/timeline", "get"),
        ("/api/timeline/documents", "get"),
        ("/api/events/{id}", "get"),
        ("/api/claims", "get"),
        ("/api/topic", "get"),
        ("/api/entities", "get"),
        ("/api/entities/{id}", "get"),
        ("/api/ingest", "post"),
        ("/api/openapi.json", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    // Every $ref points at something that exists.
    let text = v.to_string();
    for part in text.split("\"$ref\":\"#/").skip(1) {
        let target = &part[..part.find('"').unwrap()];
        let mut node = &v;
        for key in target.split('/') {
            node = &node[key];
        }
        assert!(!node.is_null(), "dangling $ref {target}");
    }
}

#[test]
fn many_concurrent_requests_are_served() {
    let t = start(1 << 20);
    let addr = t.addr;
    let threads: Vec<_> = (0..16)
        .map(|i| {
            std::thread::spawn(move || {
                let path = if i % 2 == 0 {
                    "/api/search?q=brug"
                } else {
                    "/api/documents?limit=5"
                };
                get(addr, path).status
            })
        })
        .collect();
    for th in threads {
        assert_eq!(th.join().unwrap(), 200);
    }
}

#[test]
fn entity_filter_narrows_lists_searches_and_timelines() {
    let t = start(1 << 20);
    // By the mention's text (case-insensitive) or by the entity's key.
    let by_text = get(t.addr, "/api/documents?entity=oosterwold").json();
    assert_eq!(by_text["total"], 2);
    let by_key = get(t.addr, "/api/documents?entity=Provincie%20Flevoland").json();
    assert_eq!(by_key["total"], 2);
    let both = get(t.addr, "/api/documents?entity=Oosterwold&lang=en").json();
    assert_eq!(both["total"], 1);
    // Search: ranked first, then narrowed, then paged.
    let all = get(
        t.addr,
        "/api/search?q=Oosterwold&entity=provincie%20flevoland",
    )
    .json();
    assert_eq!(all["results"].as_array().unwrap().len(), 2);
    let p1 = get(
        t.addr,
        "/api/search?q=Oosterwold&entity=provincie%20flevoland&limit=1",
    )
    .json();
    assert_eq!(p1["results"].as_array().unwrap().len(), 1);
    assert_eq!(p1["has_more"], true);
    let p2 = get(
        t.addr,
        "/api/search?q=Oosterwold&entity=provincie%20flevoland&limit=1&offset=1",
    )
    .json();
    assert_eq!(p2["results"].as_array().unwrap().len(), 1);
    assert_eq!(p2["has_more"], false);
    assert_ne!(p1["results"][0]["id"], p2["results"][0]["id"]);
    let tl = get(t.addr, "/api/timeline/documents?entity=Oosterwold").json();
    assert_eq!(tl["documents"].as_array().unwrap().len(), 2);
    let tlq = get(
        t.addr,
        "/api/timeline/documents?q=aanvaring&entity=Oosterwold",
    )
    .json();
    assert_eq!(tlq["documents"].as_array().unwrap().len(), 1);
    let nobody = get(t.addr, "/api/documents?entity=Nobody").json();
    assert_eq!(nobody["total"], 0);
}

#[test]
fn entities_are_listed_profiled_and_filter_timelines() {
    let t = start(1 << 20);
    // The list: merged entities from put_batch, most mentioned first.
    let list = get(t.addr, "/api/entities").json();
    assert_eq!(list["total"], 2, "{list}");
    let ents = list["entities"].as_array().unwrap();
    let names: Vec<&str> = ents.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.iter().any(|n| n.contains("Oosterwold")), "{names:?}");
    assert!(ents[0]["mentions"].as_u64() >= ents[1]["mentions"].as_u64());
    let loc = get(t.addr, "/api/entities?q=ooster&type=loc").json();
    assert_eq!(loc["total"], 1, "{loc}");
    let e = &loc["entities"][0];
    assert_eq!(e["type"], "LOC");
    assert_eq!(e["articles"], 2);
    let id = e["id"].as_u64().unwrap();
    assert_eq!(get(t.addr, "/api/entities?type=PER").json()["total"], 0);
    let p1 = get(t.addr, "/api/entities?limit=1").json();
    assert_eq!(p1["entities"].as_array().unwrap().len(), 1);
    let p2 = get(t.addr, "/api/entities?limit=1&offset=1").json();
    assert_ne!(p1["entities"][0]["id"], p2["entities"][0]["id"]);

    // The profile.
    let p = get(t.addr, &format!("/api/entities/{id}")).json();
    assert_eq!(p["id"], id);
    assert_eq!(p["type"], "LOC");
    assert_eq!(p["articles"], 2);
    assert_eq!(p["first"], "2023-05-02");
    assert_eq!(p["last"], "2023-06-11");
    assert_eq!(p["names"][0]["name"], "Oosterwold");
    assert!(p["names"][0]["count"].as_u64().unwrap() >= 2);
    let co = p["cooccurring"].as_array().unwrap();
    assert_eq!(co.len(), 1, "{p}");
    assert_eq!(co[0]["type"], "ORG");
    assert_eq!(co[0]["articles"], 1);
    let docs = p["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["published"], "2023-06-11", "newest first");
    assert!(docs[0]["mentions"].as_u64().unwrap() >= 1);
    let paged = get(t.addr, &format!("/api/entities/{id}?limit=1&offset=1")).json();
    assert_eq!(paged["documents"][0]["published"], "2023-05-02");

    // The co-occurring entity's page links back.
    let other = co[0]["id"].as_u64().unwrap();
    let op = get(t.addr, &format!("/api/entities/{other}")).json();
    assert_eq!(op["cooccurring"][0]["id"], id);

    // Timelines, lists and searches by entity id.
    let tl = get(t.addr, &format!("/api/timeline/documents?entity_id={id}")).json();
    assert_eq!(tl["documents"].as_array().unwrap().len(), 2);
    assert_eq!(tl["query"]["entity_id"], id.to_string());
    let tlq = get(
        t.addr,
        &format!("/api/timeline/documents?q=aanvaring&entity_id={id}"),
    )
    .json();
    assert_eq!(tlq["documents"].as_array().unwrap().len(), 1);
    let dl = get(t.addr, &format!("/api/documents?entity_id={other}")).json();
    assert_eq!(dl["total"], 2);
    let sr = get(
        t.addr,
        &format!("/api/search?q=provincie&entity_id={other}"),
    )
    .json();
    assert_eq!(sr["results"].as_array().unwrap().len(), 2);

    // A document's entity annotations carry the merged entity's id.
    let doc_id = docs[0]["id"].as_str().unwrap();
    let d = get(t.addr, &format!("/api/documents/{doc_id}")).json();
    let ent: Vec<&Value> = d["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["layer"] == "entity")
        .collect();
    assert!(!ent.is_empty());
    assert!(ent.iter().all(|a| a["entity_id"] == id), "{ent:?}");

    // Errors are JSON.
    get(t.addr, "/api/entities/999999").assert_error(404);
    get(t.addr, "/api/entities/abc").assert_error(400);
    get(t.addr, "/api/entities?type=PLACE").assert_error(400);
    get(t.addr, "/api/entities?limit=0").assert_error(400);
    get(t.addr, "/api/timeline/documents?entity_id=x").assert_error(400);
    get(t.addr, "/api/documents?entity_id=-1").assert_error(400);
}

#[test]
fn entity_aliases_are_shown_and_searchable() {
    let t = start_after(1 << 20, true, |store| {
        store
            .add_entity_alias("Flevo-provincie", "provincie")
            .unwrap();
    });
    let found = get(t.addr, "/api/entities?q=flevo-prov").json();
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["entities"][0]["type"], "ORG");
    let id = found["entities"][0]["id"].as_u64().unwrap();
    let p = get(t.addr, &format!("/api/entities/{id}")).json();
    assert_eq!(p["aliases"][0]["alias"], "Flevo-provincie", "{p}");
    // Nothing else answers to it.
    assert_eq!(
        get(t.addr, "/api/entities?q=flevo-prov&type=LOC").json()["total"],
        0
    );
}

/// A server over kroniek's demo corpus (Dutch and English articles about one story),
/// analysed as every ingest path does, so that events are merged across articles and
/// numeric claims are stored.
fn start_demo() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let corpus = include_str!("../../kroniek-cli/demo/corpus.jsonl");
    let options = kroniek_formats::Options::default();
    let batch: Vec<StoredDocument> =
        kroniek_formats::read(kroniek_formats::Format::Jsonl, corpus.as_bytes(), &options)
            .map(|r| {
                let r = r.unwrap();
                StoredDocument::analyse(r.doc, r.warnings, None)
            })
            .collect();
    SqliteStore::open(&db).unwrap().put_batch(&batch).unwrap();
    let server = Server::open(Config::new(&db)).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = kroniek_server::run_blocking(&server, "127.0.0.1:0".parse().unwrap(), |a| {
            let _ = tx.send(a);
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    TestServer { addr, _dir: dir }
}

#[test]
fn merged_events_claims_and_topics() {
    let t = start_demo();

    // --- the timeline of an entity: merged events in time order, bounded and paged.
    let v = get(t.addr, "/api/timeline?entity=Nordstern&limit=500").json();
    let id = v["entity_id"].as_u64().expect("the entity is resolved");
    let events = v["events"].as_array().unwrap();
    assert!(events.len() >= 5, "{} events", events.len());
    assert_eq!(v["has_more"], false);
    let days: Vec<&str> = events
        .iter()
        .map(|e| e["earliest"].as_str().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
    for e in events {
        for key in [
            "id",
            "type",
            "date",
            "certainty",
            "contradicted",
            "articles",
            "sources",
        ] {
            assert!(!e[key].is_null(), "{key} missing in {e}");
        }
        assert_eq!(e["source_count"], e["sources"].as_array().unwrap().len());
        assert!(e["mentions"].as_array().unwrap().len() <= 3);
        assert!(e["mention_count"].as_u64().unwrap() >= 1);
        assert_eq!(
            e["range"].as_bool().unwrap(),
            e["earliest"] != e["latest"],
            "{e}"
        );
        // Every mention's trigger lies in its sentence.
        for m in e["mentions"].as_array().unwrap() {
            let s = m["sentence"].as_str().unwrap();
            let (a, b) = (
                m["trigger"][0].as_u64().unwrap() as usize,
                m["trigger"][1].as_u64().unwrap() as usize,
            );
            assert_eq!(&s[a..b], m["text"].as_str().unwrap());
        }
    }
    // An event told in Dutch and in English is one event with both sources.
    assert!(
        events.iter().any(|e| e["articles"].as_u64().unwrap() >= 2),
        "an event merged across articles"
    );
    assert!(
        events.iter().any(|e| e["range"] == true),
        "an event known only as a range"
    );
    // The same by entity id; paging walks the same list.
    let by_id = get(t.addr, &format!("/api/timeline?entity_id={id}&limit=500")).json();
    assert_eq!(by_id["events"], v["events"]);
    let p1 = get(t.addr, &format!("/api/timeline?entity_id={id}&limit=2")).json();
    let p2 = get(
        t.addr,
        &format!("/api/timeline?entity_id={id}&limit=2&offset=2"),
    )
    .json();
    assert_eq!(p1["has_more"], true);
    assert_eq!(p1["events"].as_array().unwrap().len(), 2);
    assert_eq!(p1["events"][0]["id"], events[0]["id"]);
    assert_eq!(p2["events"][0]["id"], events[2]["id"]);
    // Filters: dates, sources, a text query.
    let march = get(
        t.addr,
        "/api/timeline?entity=Nordstern&from=2024-03&to=2024-03",
    )
    .json();
    for e in march["events"].as_array().unwrap() {
        assert!(e["latest"].as_str().unwrap() >= "2024-03-01", "{e}");
        assert!(e["earliest"].as_str().unwrap() <= "2024-03-31", "{e}");
    }
    let two = get(
        t.addr,
        "/api/timeline?entity=Nordstern&min_sources=2&limit=500",
    )
    .json();
    assert!(two["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["source_count"].as_u64().unwrap() >= 2));
    // Paging after the source filter.
    let two_events = two["events"].as_array().unwrap();
    if two_events.len() >= 2 {
        let second = get(
            t.addr,
            "/api/timeline?entity=Nordstern&min_sources=2&limit=1&offset=1",
        )
        .json();
        assert_eq!(second["events"][0]["id"], two_events[1]["id"]);
    }
    let q = get(t.addr, "/api/timeline?q=Nordstern&limit=5").json();
    assert!(!q["events"].as_array().unwrap().is_empty());
    let undated = get(t.addr, "/api/timeline?undated=true&limit=500").json();
    let dated = get(t.addr, "/api/timeline?limit=500").json();
    assert!(
        undated["events"].as_array().unwrap().len() >= dated["events"].as_array().unwrap().len()
    );

    // --- one event with all its mentions, paged.
    let busiest = events
        .iter()
        .max_by_key(|e| e["mention_count"].as_u64().unwrap())
        .unwrap();
    let eid = busiest["id"].as_i64().unwrap();
    let n = busiest["mention_count"].as_u64().unwrap() as usize;
    let e = get(t.addr, &format!("/api/events/{eid}")).json();
    assert_eq!(e["id"], eid);
    assert_eq!(e["mentions"].as_array().unwrap().len(), n);
    assert_eq!(e["has_more"], false);
    let one = get(t.addr, &format!("/api/events/{eid}?limit=1&offset=1")).json();
    assert_eq!(one["mentions"].as_array().unwrap().len(), (n > 1) as usize);
    if n > 1 {
        assert_eq!(one["mentions"][0], e["mentions"][1]);
    }

    // --- claims: conflicts side by side, never averaged.
    let c = get(t.addr, "/api/claims?conflicts=true").json();
    let groups = c["groups"].as_array().unwrap();
    assert!(!groups.is_empty(), "the demo has a conflict");
    for g in groups {
        assert_eq!(g["conflict"], true);
        let values: Vec<f64> = g["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_f64().unwrap())
            .collect();
        assert!(values.len() >= 2);
        assert!(values.iter().any(|v| *v != values[0]), "{values:?}");
        assert!(g["subject"]["id"].is_u64() && g["subject"]["name"].is_string());
    }
    let all = get(t.addr, "/api/claims?limit=200").json();
    assert!(all["groups"].as_array().unwrap().len() >= groups.len());
    let page = get(t.addr, "/api/claims?limit=1&offset=1").json();
    assert_eq!(page["groups"][0], all["groups"][1]);
    let subject = groups[0]["subject"]["id"].as_u64().unwrap();
    let mine = get(
        t.addr,
        &format!("/api/claims?entity_id={subject}&conflicts=1"),
    )
    .json();
    assert!(mine["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["subject"]["id"] == subject));

    // --- a topic timeline.
    let topic = get(
        t.addr,
        "/api/topic?q=Nordstern&max_dates=3&sentences_per_date=2",
    )
    .json();
    let dates = topic["dates"].as_array().unwrap();
    assert!(!dates.is_empty() && dates.len() <= 3);
    for d in dates {
        assert_eq!(d["date"].as_str().unwrap().len(), 10);
        let s = d["sentences"].as_array().unwrap();
        assert!(!s.is_empty() && s.len() <= 2);
    }

    // --- bad requests: JSON errors with a status, never a panic.
    for path in [
        "/api/timeline?limit=0",
        "/api/timeline?limit=501",
        "/api/timeline?offset=x",
        "/api/timeline?from=2024-13",
        "/api/timeline?from=2024-05&to=2024-03",
        "/api/timeline?min_sources=many",
        "/api/timeline?undated=maybe",
        "/api/timeline?entity_id=abc",
        "/api/events/abc",
        "/api/events/-3",
        "/api/events/1?limit=1001",
        "/api/claims?conflicts=perhaps",
        "/api/claims?limit=201",
        "/api/claims?entity_id=-1",
        "/api/topic",
        "/api/topic?q=Nordstern&max_dates=0",
        "/api/topic?q=Nordstern&max_dates=101",
        "/api/topic?q=Nordstern&sentences_per_date=11",
        "/api/topic?q=Nordstern&from=never",
        "/api/topic?q=%22%22",
    ] {
        let msg = get(t.addr, path).assert_error(400);
        assert!(!msg.contains("panic"), "{path}: {msg}");
    }
    for path in [
        "/api/timeline?entity=Nobody%20Anywhere",
        "/api/timeline?entity_id=999999",
        "/api/claims?entity_id=999999",
        "/api/events/999999",
    ] {
        get(t.addr, path).assert_error(404);
    }
}

#[test]
fn events_filter_by_article_language_and_source_topics_state_their_cap_claims_page() {
    let t = start_demo();
    let ids = |path: &str| -> Vec<u64> {
        let v = get(t.addr, path).json();
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_u64().unwrap())
            .collect()
    };
    // The outlets and languages of the articles that mention an event.
    let tellers = |id: u64| -> Vec<(String, String)> {
        let e = get(t.addr, &format!("/api/events/{id}?limit=1000")).json();
        e["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let doc = m["doc"].as_str().unwrap();
                let d = get(t.addr, &format!("/api/documents/{doc}?layer=none")).json();
                (
                    d["language"].as_str().unwrap_or("").to_string(),
                    d["source"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };

    // --- language and source filters apply to events, through their mentions' articles.
    let all = ids("/api/timeline?limit=500");
    let en = ids("/api/timeline?lang=en&limit=500");
    let nl = ids("/api/timeline?lang=NL&limit=500");
    assert!(!en.is_empty() && !nl.is_empty());
    assert!(
        en.len() < all.len() || nl.len() < all.len(),
        "a filter narrows"
    );
    let mut both: Vec<u64> = en.iter().chain(&nl).copied().collect();
    both.sort_unstable();
    both.dedup();
    let mut sorted_all = all.clone();
    sorted_all.sort_unstable();
    assert_eq!(both, sorted_all, "every event is told in Dutch or English");
    for id in en.iter().take(5) {
        assert!(tellers(*id).iter().any(|(l, _)| l == "en"), "event {id}");
    }
    let stats = get(t.addr, "/api/stats").json();
    let outlet = stats["sources"][0]["source"].as_str().unwrap().to_string();
    let path = format!(
        "/api/timeline?source={}&limit=500",
        outlet.replace(' ', "%20").to_uppercase()
    );
    let of_outlet = ids(&path);
    assert!(!of_outlet.is_empty() && of_outlet.len() < all.len());
    for id in of_outlet.iter().take(5) {
        assert!(
            tellers(*id)
                .iter()
                .any(|(_, s)| s.eq_ignore_ascii_case(&outlet)),
            "event {id} is told by {outlet}"
        );
    }
    // Both filters at once, and filters that keep nothing.
    let nl_outlet = ids(&format!(
        "/api/timeline?lang=nl&source={}&limit=500",
        outlet.replace(' ', "%20")
    ));
    assert!(nl_outlet
        .iter()
        .all(|i| of_outlet.contains(i) && nl.contains(i)));
    assert!(ids("/api/timeline?source=Nobody%27s%20Gazette").is_empty());
    assert!(ids("/api/timeline?lang=fy").is_empty());
    get(t.addr, "/api/timeline?lang=nederlandsch1").assert_error(400);
    // Words and language together.
    let q_en = ids("/api/timeline?q=Nordstern&lang=en&limit=500");
    let q_all = ids("/api/timeline?q=Nordstern&limit=500");
    assert!(q_en.iter().all(|i| q_all.contains(i) && en.contains(i)));
    let echo = get(t.addr, "/api/timeline?lang=en&source=X").json();
    assert_eq!(echo["query"]["lang"], "en");
    assert_eq!(echo["query"]["source"], "X");

    // --- a topic timeline says how many articles it read of how many matching.
    let topic = get(t.addr, "/api/topic?q=Nordstern").json();
    let matching = topic["articles_matching"].as_u64().unwrap();
    assert!(matching >= 2, "{topic}");
    assert_eq!(topic["max_articles"], 500);
    assert_eq!(topic["articles_read"].as_u64().unwrap(), matching.min(500));

    // --- claims: groups paged in SQL, counts beside at most 100 claims each.
    let all = get(t.addr, "/api/claims?limit=200").json();
    let groups = all["groups"].as_array().unwrap();
    assert!(groups.len() >= 2);
    assert_eq!(all["has_more"], false);
    let conflicts: Vec<bool> = groups
        .iter()
        .map(|g| g["conflict"].as_bool().unwrap())
        .collect();
    assert!(
        conflicts.windows(2).all(|w| w[0] >= w[1]),
        "conflicts first: {conflicts:?}"
    );
    for (i, g) in groups.iter().enumerate() {
        let n = g["claims"].as_array().unwrap().len() as u64;
        assert_eq!(g["claim_count"].as_u64().unwrap(), n, "{g}");
        let page = get(t.addr, &format!("/api/claims?limit=1&offset={i}")).json();
        assert_eq!(page["groups"][0], *g);
        assert_eq!(page["has_more"], i + 1 < groups.len());
    }
    let past = get(t.addr, &format!("/api/claims?offset={}", groups.len())).json();
    assert!(past["groups"].as_array().unwrap().is_empty());
}
