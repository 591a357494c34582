//! `kroniek eval timeline` on the SemEval-2015 Task 4 trial data (skipped without ../shared).

mod common;

use std::path::{Path, PathBuf};

fn trial() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/semeval2015_timeline_en/trial_apple");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

/// Parses "P 45.23 R 50.80 F1 47.85" out of a result line.
fn prf(line: &str) -> (f64, f64, f64) {
    let w: Vec<&str> = line.split_whitespace().collect();
    let num = |key: &str| -> f64 {
        let i = w.iter().position(|x| *x == key).expect(key);
        w[i + 1].parse().expect("a number")
    };
    (num("P"), num("R"), num("F1"))
}

#[test]
fn trial_apple_track_b_gives_sane_scores_and_writes_timelines() {
    let Some(corpus) = trial() else { return };
    let out = tempfile::tempdir().unwrap();
    let o = common::kroniek()
        .args(["eval", "timeline", "--track", "b", "--corpus"])
        .arg(&corpus)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let text = common::stdout(&o);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let total = text
        .lines()
        .find(|l| l.starts_with("trial_apple track B"))
        .unwrap_or_else(|| panic!("no corpus line in {text}"));
    let (p, r, f) = prf(total);
    for x in [p, r, f] {
        assert!((0.0..=100.0).contains(&x), "{total}");
    }
    // Far from perfect, but far from nothing: the system places events for every entity.
    assert!(f > 20.0, "{total}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("  ")).count(),
        6,
        "{text}"
    );
    assert!(text.contains("Steve Jobs"), "{text}");
    let written = out.path().join("trial_apple/steve_jobs.txt");
    let t = std::fs::read_to_string(&written).unwrap();
    let t = parse_written(&t);
    assert_eq!(t.0, "Steve Jobs");
    assert!(t.1 > 0, "no entries written");

    // Scoring the written timelines again gives the same figures.
    let again = common::kroniek()
        .args(["eval", "timeline", "--track", "b", "--corpus"])
        .arg(&corpus)
        .arg("--score")
        .arg(out.path())
        .output()
        .unwrap();
    let again = common::stdout(&again);
    let line = again
        .lines()
        .find(|l| l.starts_with("trial_apple track B"))
        .unwrap();
    assert_eq!(prf(line), (p, r, f), "{again}");
}

/// Entity line and number of well-formed entries of a timeline file.
fn parse_written(t: &str) -> (String, usize) {
    let mut lines = t.lines();
    let entity = lines.next().unwrap_or("").to_string();
    let n = lines
        .filter(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            c.len() >= 3 && c[0].parse::<u32>().is_ok() && c[1].len() == 10
        })
        .count();
    (entity, n)
}

#[test]
fn bad_arguments_are_clear_errors() {
    let o = common::kroniek()
        .args(["eval", "timeline", "--track", "c"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(common::stderr(&o).contains("unknown track"));
    let dir = tempfile::tempdir().unwrap();
    let o = common::kroniek()
        .args(["eval", "timeline", "--corpus"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        common::stderr(&o).contains("holds no corpus"),
        "{}",
        common::stderr(&o)
    );
}
