//! End-to-end tests of the `kroniek` binary: ingest, re-ingest, bad input, crash safety.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{kroniek, stderr, stdout};

fn run(args: &[&str]) -> Output {
    kroniek().args(args).output().expect("kroniek runs")
}

fn stats(db: &Path) -> serde_json::Value {
    let o = run(&["stats", "--json", "--db", db.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn seeds_are_stored_with_month_precision_and_reingest_changes_nothing() {
    let Some(seeds) = common::shared_seeds() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let db_s = db.to_str().unwrap();
    let o = run(&["ingest", "--db", db_s, seeds.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stats(&db);
    assert_eq!(s["documents"], 2);
    assert_eq!(s["precisions"]["month"], 2);
    assert_eq!(s["languages"]["nl"], 2);
    let before = std::fs::read(&db).unwrap().len();
    let o = run(&["ingest", "--db", db_s, seeds.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("0 stored, 2 already present"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stats(&db)["documents"], 2);
    assert_eq!(stats(&db)["annotations"], s["annotations"]);
    let _ = before;
    // Search finds them with Dutch stemming, and show prints the month-precision date.
    let o = run(&["search", "--db", db_s, "--json", "staatsgrepen"]);
    let hit: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().expect("a hit")).unwrap();
    assert_eq!(hit["published"], "2019-02");
    let o = run(&["show", "--db", db_s, &hit["id"].as_str().unwrap()[..8]]);
    assert!(
        stdout(&o).contains("published 2019-02 (month precision)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_input_is_reported_and_the_rest_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(input.join(name), bytes).unwrap();
    w(
        "01-good.txt",
        b" date 2019-02 Een goed artikel over de haven.",
    );
    w("02-empty.txt", b"");
    w("03-junk.bin", &[0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254]);
    w(
        "04-latin1.txt",
        b" date 2019-03 Caf\xe9 in Utrecht gesloten.",
    );
    w("05-nodate.txt", b"Een artikel zonder datum.");
    w(
        "06-baddate.txt",
        b" date 2019-02-31 Een artikel met een onmogelijke datum.",
    );
    w(
        "07-big.txt",
        format!(" date 2019 {}", "woord ".repeat(400)).as_bytes(),
    );
    w(
        "08-mixed.jsonl",
        b"{\"date\":\"2019-02-01\",\"title\":\"Een\",\"text\":\"Eerste bericht.\"}\n{kapot\n{\"date\":\"2019-02-02\",\"title\":\"Twee\",\"text\":\"Tweede bericht.\"}\n",
    );
    let db = dir.path().join("k.db");
    let o = run(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--max-doc-size",
        "1K",
        input.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "some records failed: {err}");
    assert!(
        err.contains("02-empty.txt") && err.contains("empty"),
        "{err}"
    );
    assert!(
        err.contains("03-junk.bin") && err.contains("binary"),
        "{err}"
    );
    assert!(
        err.contains("04-latin1.txt") && err.contains("UTF-8"),
        "{err}"
    );
    assert!(
        err.contains("05-nodate.txt") && err.contains("unknown publication date"),
        "{err}"
    );
    assert!(
        err.contains("06-baddate.txt") && err.contains("does not parse"),
        "{err}"
    );
    assert!(
        err.contains("07-big.txt") && err.contains("size cap"),
        "{err}"
    );
    assert!(
        err.contains("08-mixed.jsonl: line 2: invalid JSON"),
        "{err}"
    );
    let s = stats(&db);
    // good, latin1, nodate, baddate, and two JSONL lines.
    assert_eq!(s["documents"], 6, "{s}");
    assert_eq!(s["precisions"]["unknown"], 2, "{s}");
    assert_eq!(s["documents_with_warnings"], 3, "{s}");
}

#[test]
fn unknown_format_and_missing_store_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let o = run(&["search", "--db", db.to_str().unwrap(), "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no store at"), "{}", stderr(&o));
    assert!(!db.exists(), "reading commands do not create a store");
    let o = run(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "pdf",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown format"), "{}", stderr(&o));
    let o = run(&["ingest", "--db", db.to_str().unwrap(), "/nonexistent/path"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/path"), "{}", stderr(&o));
}

#[test]
fn annotate_reads_stdin_without_a_store() {
    let o = common::run_with_stdin(
        &["annotate", "--dct", "2019-02"],
        "Vier jaar geleden raakte hij gewond. Dat schrijft The Guardian.",
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["language"], "nl");
    assert_eq!(v["published"], "2019-02");
    assert_eq!(v["precision"], "month");
    let text = "Vier jaar geleden raakte hij gewond. Dat schrijft The Guardian.";
    for a in v["annotations"].as_array().unwrap() {
        let (s, e) = (
            a["start"].as_u64().unwrap() as usize,
            a["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], a["text"].as_str().unwrap());
    }
}

/// JSONL is annotated in batches on several threads, but every line comes out in input
/// order, each with its own text, and a bad line is reported without losing the others.
#[test]
fn annotate_jsonl_keeps_input_order_across_batches() {
    let mut input = String::new();
    for i in 0..150 {
        if i == 77 {
            input.push_str("{not json\n");
        }
        let text = if i % 2 == 0 {
            format!(
                "Op {} maart zei de minister dat {i} schepen wachtten.",
                i % 28 + 1
            )
        } else {
            format!(
                "On March {} the minister said {i} ships were waiting.",
                i % 28 + 1
            )
        };
        input.push_str(&serde_json::json!({"text": text, "published": "2019-04"}).to_string());
        input.push('\n');
    }
    let o = common::run_with_stdin(&["annotate", "--format", "jsonl", "--syntax"], &input);
    assert!(
        !o.status.success(),
        "the bad line makes the exit status non-zero"
    );
    assert!(stderr(&o).contains("line 78"), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 150);
    for (i, v) in lines.iter().enumerate() {
        let sentence = &v["annotations"][0]["text"];
        assert!(
            sentence.as_str().unwrap().contains(&format!(" {i} ")),
            "line {i}: {sentence}"
        );
        assert_eq!(v["language"], if i % 2 == 0 { "nl" } else { "en" });
        assert!(
            v["syntax"].as_array().is_some_and(|s| !s.is_empty()),
            "line {i}"
        );
    }
}

#[test]
fn demo_runs_and_finds_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let o = run(&["demo", "--db", db.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Nordstern"), "{out}");
    let s = stats(&db);
    assert!(s["documents"].as_u64().unwrap() >= 12);
    assert!(
        s["languages"]["nl"].as_u64().unwrap() >= 4 && s["languages"]["en"].as_u64().unwrap() >= 4
    );
    assert!(s["precisions"]["month"].as_u64().unwrap() >= 2);
}

/// Writes a JSONL corpus of `n` distinct articles.
fn write_corpus(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let body = format!(
            "Artikel {i}. De haven van Kessel meldde op {} maart dat {} schepen wachtten. Volgens de kanaalautoriteit duurt het nog {} dagen. {}",
            i % 28 + 1,
            i * 7 % 500,
            i % 9,
            "Dit is vultekst over scheepvaart en handel. ".repeat(20)
        );
        writeln!(f, "{}", serde_json::json!({"date": format!("2024-03-{:02}", i % 28 + 1), "title": format!("Bericht {i}"), "text": body, "source": "Testbode"})).unwrap();
    }
}

#[test]
fn killed_ingest_leaves_a_consistent_store_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let n = 6_000;
    write_corpus(&corpus, n);
    let db = dir.path().join("k.db");
    let mut child = kroniek()
        .args([
            "ingest",
            "--quiet",
            "--batch",
            "64",
            "--db",
            db.to_str().unwrap(),
            corpus.to_str().unwrap(),
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some batches have been committed, while it is still running.
    let started = Instant::now();
    let mut killed_mid_run = false;
    while started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let count = rusqlite_count(&db);
        if count > 0 {
            child.kill().unwrap(); // SIGKILL on Unix
            killed_mid_run = true;
            break;
        }
    }
    child.wait().unwrap();
    assert!(
        killed_mid_run,
        "the ingest finished before it could be killed; make the corpus larger"
    );
    let partial = rusqlite_count(&db);
    assert!(partial < n as i64, "the run was killed before it finished");
    let o = run(&[
        "ingest",
        "--quiet",
        "--db",
        db.to_str().unwrap(),
        corpus.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stats(&db)["documents"],
        n as u64,
        "every document exactly once"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let distinct: i64 = conn
        .query_row("SELECT count(DISTINCT id) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(distinct, n as i64);
    let fts: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'artikel'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        fts, n as i64,
        "the full-text index holds each document once"
    );
}

fn rusqlite_count(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap_or(0)
}

/// Every fixture under `testdata/articles` (good and broken, all formats) in one run: the
/// broken ones are named with their record, the rest is stored, the exit code says so,
/// and a second run stores nothing new.
#[test]
fn all_reader_fixtures_in_one_ingest() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/articles");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let o = run(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        fixtures.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for expected in [
        "feed/malformed-item.xml: item 2: malformed item",
        "feed/truncated.xml: item 2:",
        "html/no-text.html: no article text",
        "jsonl/articles.jsonl: line 3: invalid JSON",
        "text/junk.bin: binary data",
        "warc/truncated.warc: record 8: record cut short",
        "warc/truncated.warc.gz: record 8:",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    let first = stats(&db);
    let stored = first["documents"].as_u64().unwrap();
    assert!(stored >= 25, "{first}");
    assert!(
        first["languages"]["nl"].as_u64().unwrap() > 0
            && first["languages"]["en"].as_u64().unwrap() > 0,
        "{first}"
    );
    let o = run(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        fixtures.to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains(" 0 stored,"), "{}", stderr(&o));
    assert_eq!(stats(&db)["documents"].as_u64().unwrap(), stored);
}

fn entity_json(db: &Path, name: &str) -> serde_json::Value {
    let o = run(&["entity", "--json", "--db", db.to_str().unwrap(), name]);
    assert!(o.status.success(), "entity {name}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Entities merge across articles and runs, and aliases re-group stored mentions.
#[test]
fn entities_across_articles_and_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db_s = db.to_str().unwrap();
    assert!(run(&["demo", "--db", db_s]).status.success());
    // The acronym defined in the text joins the full name, across Dutch articles.
    let nl = entity_json(&db, "Kanaalautoriteit van Kessel");
    assert!(
        nl["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["name"] == "KCA"),
        "{nl}"
    );
    assert_eq!(nl["type"], "ORG");
    let nl_articles = nl["articles"].as_u64().unwrap();
    assert!(nl_articles >= 3, "{nl}");
    // The English name written word for word ("X van Y" = "Y X") is the same entity.
    let en = entity_json(&db, "Kessel Canal Authority");
    assert_eq!(nl["id"], en["id"], "{en}");

    // An alias joins two entities; removing it splits them again. The surname alone stays
    // apart from the full name by itself (another Vermeer could be meant).
    let full = entity_json(&db, "Ilse Vermeer");
    let short = entity_json(&db, "Vermeer");
    assert_ne!(full["id"], short["id"]);
    let (full_articles, short_articles) = (
        full["articles"].as_u64().unwrap(),
        short["articles"].as_u64().unwrap(),
    );
    let o = run(&["alias", "add", "--db", db_s, "Vermeer", "Ilse Vermeer"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let joined = entity_json(&db, "Vermeer");
    assert_eq!(entity_json(&db, "Ilse Vermeer")["id"], joined["id"]);
    let together = joined["articles"].as_u64().unwrap();
    // Some articles use both names, so the union can be smaller than the sum.
    assert!(
        together >= full_articles.max(short_articles) && together <= full_articles + short_articles,
        "{joined}"
    );
    let o = run(&["alias", "list", "--db", db_s]);
    assert!(stdout(&o).contains("Vermeer"), "{}", stdout(&o));
    assert!(run(&["alias", "remove", "--db", db_s, "Vermeer"])
        .status
        .success());
    let apart = entity_json(&db, "Vermeer");
    assert_ne!(apart["id"], entity_json(&db, "Ilse Vermeer")["id"]);
    assert_eq!(apart["articles"].as_u64().unwrap(), short_articles);
    assert_eq!(
        run(&["alias", "remove", "--db", db_s, "nothing such"])
            .status
            .code(),
        Some(1)
    );

    // A later run (a new process, so the merger is rebuilt from the store) adds a new
    // article to the existing entity instead of making a new one.
    let extra = dir.path().join("extra.txt");
    std::fs::write(&extra, " date 2024-08-02 De Kanaalautoriteit van Kessel (KCA) opende gisteren een onderzoek. KCA-voorzitter Tarek Osmani zei niets.").unwrap();
    assert!(run(&["ingest", "--db", db_s, extra.to_str().unwrap()])
        .status
        .success());
    let after = entity_json(&db, "Kanaalautoriteit van Kessel");
    assert_eq!(after["id"], nl["id"]);
    assert_eq!(
        after["articles"].as_u64().unwrap(),
        nl_articles + 1,
        "{after}"
    );
    assert_eq!(after["last"], "2024-08-02");
    // Re-ingesting changes nothing.
    assert!(run(&["ingest", "--db", db_s, extra.to_str().unwrap()])
        .status
        .success());
    assert_eq!(
        entity_json(&db, "Kanaalautoriteit van Kessel")["mentions"],
        after["mentions"]
    );
    assert_eq!(
        run(&["entity", "--db", db_s, "Nobody Atall"]).status.code(),
        Some(2)
    );
}

#[test]
fn seed_articles_give_one_al_baghdadi() {
    let Some(seeds) = common::shared_seeds() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    assert!(run(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        seeds.to_str().unwrap()
    ])
    .status
    .success());
    let e = entity_json(&db, "al-Baghdadi");
    assert_eq!(e["articles"], 2, "{e}");
    assert_eq!(entity_json(&db, "Abu Bakr Al-Baghdadi")["id"], e["id"]);
}

#[test]
fn ingest_with_syntax_stores_who_did_what_to_whom() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.txt");
    std::fs::write(
        &input,
        " date 2018-07\nTrump ontmoette Poetin maandag in Helsinki.\n",
    )
    .unwrap();
    let event_of = |db: &Path, syntax: bool| -> serde_json::Value {
        let db_s = db.to_str().unwrap();
        let mut args = vec!["ingest", "-q", "--db", db_s, input.to_str().unwrap()];
        if syntax {
            args.push("--syntax");
        }
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = run(&["search", "--db", db_s, "--json", "Helsinki"]);
        let hit: serde_json::Value =
            serde_json::from_str(stdout(&o).lines().next().expect("a hit")).unwrap();
        let id = hit["id"].as_str().unwrap();
        let o = run(&["show", "--db", db_s, "--json", "--layer", "event", id]);
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let text = doc["text"].as_str().unwrap().to_string();
        let ev = doc["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["text"] == "ontmoette")
            .expect("the meeting is an event")
            .clone();
        let span = |k: &str| {
            ev[k].as_str().map(|v| {
                let (a, b) = v.split_once('-').unwrap();
                text[a.parse::<usize>().unwrap()..b.parse::<usize>().unwrap()].to_string()
            })
        };
        serde_json::json!({"agent": span("agent"), "patient": span("patient"), "lemma": ev["lemma"]})
    };
    let with = event_of(&dir.path().join("with.db"), true);
    assert_eq!(with["agent"], "Trump");
    assert_eq!(with["patient"], "Poetin");
    assert_eq!(with["lemma"], "ontmoeten");
    // The default ingest does not parse, so it stores no roles.
    let without = event_of(&dir.path().join("without.db"), false);
    assert!(without["agent"].is_null(), "{without}");
    // The text view shows the roles as the words they cover.
    let db = dir.path().join("with.db");
    let o = run(&["search", "--db", db.to_str().unwrap(), "--json", "Helsinki"]);
    let hit: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    let o = run(&[
        "show",
        "--db",
        db.to_str().unwrap(),
        hit["id"].as_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("agent=\"Trump\""), "{}", stdout(&o));
}

/// Documents the store holds already, or that an input repeats, are counted as present
/// (and not annotated again): the counts and the stored annotations stay those of the
/// first ingest, and a new document among known ones is stored with its annotations.
#[test]
fn known_and_repeated_documents_are_present_and_new_ones_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let db_s = db.to_str().unwrap();
    let line = |id: &str, text: &str| {
        format!("{{\"id\":\"{id}\",\"date\":\"2019-02\",\"lang\":\"nl\",\"text\":\"{text}\"}}\n")
    };
    let a = line(
        "a",
        "Volgens de BBC zitten er nog 1.500 strijders in Syrië.",
    );
    let b = line("b", "De minister zei dinsdag dat het plan mislukt is.");
    let c = line(
        "c",
        "Vier jaar geleden raakte hij gewond bij een aanval in Mosul.",
    );
    let first = dir.path().join("first.jsonl");
    // The second "a" has another id field but the same text: the same document.
    std::fs::write(&first, format!("{a}{b}{}", a.replace("\"a\"", "\"a2\""))).unwrap();
    let o = run(&["ingest", "--db", db_s, first.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 read, 2 stored, 1 already present"),
        "{}",
        stderr(&o)
    );
    let s = stats(&db);
    assert_eq!(s["documents"], 2);
    let second = dir.path().join("second.jsonl");
    std::fs::write(&second, format!("{b}{c}{a}")).unwrap();
    let o = run(&["ingest", "--db", db_s, second.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 read, 1 stored, 2 already present"),
        "{}",
        stderr(&o)
    );
    let t = stats(&db);
    assert_eq!(t["documents"], 3);
    let count = |v: &serde_json::Value| -> u64 {
        let layers = v["annotations"].as_object().expect("annotations by layer");
        layers.values().filter_map(serde_json::Value::as_u64).sum()
    };
    // Only the new document's annotations were added (its sentence, time, event, …).
    assert_eq!(t["annotations"]["sentence"], 3, "{t}");
    assert!(count(&t) >= count(&s) + 3, "{s} {t}");
    let o = run(&["search", "--db", db_s, "--json", "Mosul"]);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
}
