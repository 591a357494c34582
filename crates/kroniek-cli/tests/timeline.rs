//! `kroniek timeline` and `kroniek claims` on the demo corpus (own data) and on the two
//! sample articles (read from ../shared/seeds when present).

mod common;

use std::path::Path;

use common::{kroniek, stderr, stdout};
use serde_json::Value;

fn run(args: &[&str]) -> (String, String, bool) {
    let o = kroniek().args(args).output().expect("kroniek runs");
    (stdout(&o), stderr(&o), o.status.success())
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn demo_store(dir: &Path) -> String {
    let db = dir.join("demo.db").display().to_string();
    let (_, err, ok) = run(&["demo", "--db", &db]);
    assert!(ok, "{err}");
    db
}

#[test]
fn seed_timeline_of_al_baghdadi() {
    let Some(seeds) = common::shared_seeds() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").display().to_string();
    let (_, err, ok) = run(&["ingest", "--quiet", "--db", &db, seeds.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (out, err, ok) = run(&[
        "timeline",
        "--db",
        &db,
        "--entity",
        "al-Baghdadi",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let events = json_lines(&out);
    let find = |kind: &str, date: &str| {
        events
            .iter()
            .find(|e| e["type"] == kind && e["date"] == date)
            .unwrap_or_else(|| panic!("no {kind} on {date} in {out}"))
    };
    // The caliphate, declared in 2014, told by both articles.
    assert_eq!(find("declaration", "2014")["articles"], 2);
    // Wounded in 2015 ("vier jaar geleden" in 2019, "in 2015" in 2018); hedged where hedged.
    let injury = find("injury", "2015");
    assert_eq!(injury["articles"], 2);
    let mentions = injury["mentions"].as_array().unwrap();
    assert!(
        mentions.iter().any(|m| m["certainty"] == "PROBABLE"),
        "{injury}"
    );
    // The radio message of 3 November 2016 near Mosul, according to The Guardian.
    let radio = find("communication", "2016-11-03");
    assert!(radio["mentions"][0]["sentence"]
        .as_str()
        .unwrap()
        .contains("Mosul"));
    assert!(radio["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "The Guardian"));
    // The failed coup of 10 January 2019 in Hajin: probable, attributed to The Guardian.
    let coup = find("coup", "2019-01-10");
    assert_eq!(coup["certainty"], "PROBABLE");
    assert!(coup["mentions"][0]["sentence"]
        .as_str()
        .unwrap()
        .contains("Hajin"));
    assert_eq!(coup["mentions"][0]["source"], "The Guardian");

    // The number of fighters: about 1.500 according to the BBC against up to 14.000.
    let (out, err, ok) = run(&["claims", "--db", &db, "--conflicts", "--format", "json"]);
    assert!(ok, "{err}");
    let groups = json_lines(&out);
    let fighters = groups
        .iter()
        .find(|g| g["property"] == "fighters")
        .unwrap_or_else(|| panic!("no fighters conflict in {out}"));
    assert_eq!(fighters["conflict"], true);
    let claims = fighters["claims"].as_array().unwrap();
    assert!(claims
        .iter()
        .any(|c| c["value"] == 1500.0 && c["source"] == "BBC" && c["bound"] == "about"));
    assert!(claims
        .iter()
        .any(|c| c["value"] == 14000.0 && c["bound"] == "at_most"));
}

#[test]
fn demo_entity_timeline_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (text, err, ok) = run(&["timeline", "--db", &db, "--entity", "Nordstern"]);
    assert!(ok, "{err}");
    assert!(text.contains("rescue"), "{text}");
    let (json, _, _) = run(&[
        "timeline",
        "--db",
        &db,
        "--entity",
        "Nordstern",
        "--format",
        "json",
    ]);
    let events = json_lines(&json);
    assert!(!events.is_empty());
    // Time order, and every mention's sentence contains its trigger.
    let starts: Vec<&str> = events
        .iter()
        .map(|e| e["earliest"].as_str().unwrap_or(""))
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    for e in &events {
        for m in e["mentions"].as_array().unwrap() {
            let s = m["sentence"].as_str().unwrap();
            let (a, b) = (
                m["trigger"][0].as_u64().unwrap() as usize,
                m["trigger"][1].as_u64().unwrap() as usize,
            );
            assert_eq!(&s[a..b], m["text"].as_str().unwrap());
        }
    }
    let (csv, _, _) = run(&[
        "timeline",
        "--db",
        &db,
        "--entity",
        "Nordstern",
        "--format",
        "csv",
    ]);
    assert!(csv.starts_with("date,earliest,latest,type,certainty"));
    assert_eq!(csv.lines().count(), events.len() + 1);
    let (md, _, _) = run(&[
        "timeline",
        "--db",
        &db,
        "--entity",
        "Nordstern",
        "--format",
        "markdown",
    ]);
    assert!(md.starts_with("| date | event |"));
    // Date filters narrow it.
    let (march, _, _) = run(&[
        "timeline",
        "--db",
        &db,
        "--entity",
        "Nordstern",
        "--from",
        "2024-03",
        "--to",
        "2024-03",
        "--format",
        "json",
    ]);
    let march = json_lines(&march);
    assert!(!march.is_empty() && march.len() < events.len());
    assert!(march
        .iter()
        .all(|e| e["latest"].as_str().unwrap() >= "2024-03-01"
            && e["earliest"].as_str().unwrap() <= "2024-03-31"));
    // Unknown entity: a clear error, no panic.
    let (_, err, ok) = run(&["timeline", "--db", &db, "--entity", "Nobody Anywhere"]);
    assert!(!ok && err.contains("no entity"), "{err}");
}

#[test]
fn demo_topic_timeline_in_tls_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (out, err, ok) = run(&[
        "timeline",
        "--db",
        &db,
        "--query",
        "Nordstern",
        "--max-dates",
        "4",
        "--sentences-per-date",
        "2",
        "--format",
        "tls",
    ]);
    assert!(ok, "{err}");
    let blocks: Vec<&str> = out
        .split("--------------------------------\n")
        .filter(|b| !b.is_empty())
        .collect();
    assert!(!blocks.is_empty() && blocks.len() <= 4, "{out}");
    let mut dates = Vec::new();
    for b in &blocks {
        let mut lines = b.lines();
        let date = lines.next().unwrap();
        assert!(
            date.len() == 10 && kroniek_core::PubDate::parse(date).is_some(),
            "{date:?}"
        );
        let n = lines.count();
        assert!((1..=2).contains(&n), "{b}");
        dates.push(date.to_string());
    }
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    assert!(
        dates.contains(&"2024-03-19".to_string()),
        "the grounding day: {out}"
    );
    let (_, err, ok) = run(&["timeline", "--db", &db, "--max-dates", "3"]);
    assert!(!ok && err.contains("--query"), "{err}");
    // On a large archive the timeline reads the best-ranked articles only, and says so.
    let topic = |max: &str| {
        run(&[
            "timeline",
            "--db",
            &db,
            "--query",
            "Nordstern",
            "--max-dates",
            "20",
            "--sentences-per-date",
            "5",
            "--format",
            "json",
            "--max-articles",
            max,
        ])
    };
    let (all, err, ok) = topic("0");
    assert!(ok && !err.contains("best ranked"), "{err}");
    let (one, err, ok) = topic("1");
    assert!(ok && err.contains("best ranked"), "{err}");
    let sentences = |out: &str| -> usize {
        json_lines(out)
            .iter()
            .map(|d| d["sentences"].as_array().map_or(0, Vec::len))
            .sum()
    };
    assert!(sentences(&one) >= 1, "{one}");
    assert!(sentences(&one) < sentences(&all), "{one}\n{all}");
}

#[test]
fn demo_claims_and_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let (all, err, ok) = run(&["claims", "--db", &db, "--format", "json"]);
    assert!(ok, "{err}");
    let (conflicts, _, _) = run(&["claims", "--db", &db, "--conflicts", "--format", "json"]);
    let (all, conflicts) = (json_lines(&all), json_lines(&conflicts));
    assert!(!conflicts.is_empty() && conflicts.len() <= all.len());
    assert!(conflicts.iter().all(|g| g["conflict"] == true));
    // Never averaged: every claim keeps its own value and source.
    for g in &conflicts {
        let values: Vec<f64> = g["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_f64().unwrap())
            .collect();
        assert!(
            values.iter().any(|v| values
                .iter()
                .any(|w| (v - w).abs() / v.abs().max(w.abs()) > 0.1)),
            "{g}"
        );
    }
    let (csv, _, _) = run(&["claims", "--db", &db, "--conflicts", "--format", "csv"]);
    assert!(csv.starts_with("subject,property,conflict,value"));
    let (text, _, _) = run(&["claims", "--db", &db, "--conflicts"]);
    assert!(text.contains("CONFLICT"));
}

#[test]
fn help_teaches_with_examples() {
    for cmd in ["timeline", "claims", "entity", "ingest"] {
        let (out, err, ok) = run(&[cmd, "--help"]);
        assert!(ok, "{err}");
        assert!(
            out.contains("Examples:"),
            "`kroniek {cmd} --help` lost its examples:\n{out}"
        );
    }
    // The command list stays one line per command.
    let (out, _, _) = run(&["--help"]);
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("timeline"))
        .unwrap();
    assert!(line.contains("Events merged across articles"), "{line}");
}
