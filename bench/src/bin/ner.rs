//! NER tagging throughput on one core.
//!
//! Usage: `cargo run --release --bin ner -- [--lang nl|en] [FILE] [--rounds N]`
//! FILE is CoNLL-style (token in column 1, blank line between sentences, -DOCSTART-
//! between documents); default `../../shared/corpora/conll2002_nl/ned.testb`.
//! Prints tokens/s for the tagger alone (features + Viterbi on given tokens) and for
//! tokenisation + tagging + entity linking through `annotate()` on the same text.

use std::time::Instant;

use kroniek_core::{annotate, ner, Document, Lang};

/// CPU seconds used by this (single-threaded) process so far, from `/proc/self/stat`
/// (Linux; clock ticks of 10 ms). On a shared machine this, not wall time, is what one
/// core delivers. `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut lang = Lang::NL;
    let mut file = String::from("../../shared/corpora/conll2002_nl/ned.testb");
    let mut rounds = 5;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--lang" => {
                lang = Lang::parse(&args[i + 1]).expect("a language code");
                i += 1;
            }
            "--rounds" => {
                rounds = args[i + 1].parse().expect("a number");
                i += 1;
            }
            "-h" | "--help" => {
                println!("usage: ner [--lang nl|en] [--rounds N] [CONLL-FILE]");
                return;
            }
            f => file = f.to_string(),
        }
        i += 1;
    }
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    // Documents of sentences of tokens.
    let mut docs: Vec<Vec<Vec<String>>> = vec![vec![vec![]]];
    for line in text.lines() {
        if line.starts_with("-DOCSTART-") {
            docs.push(vec![vec![]]);
        } else if let Some(tok) = line.split_whitespace().next() {
            docs.last_mut()
                .unwrap()
                .last_mut()
                .unwrap()
                .push(tok.to_string());
        } else {
            docs.last_mut().unwrap().push(vec![]);
        }
    }
    for d in &mut docs {
        d.retain(|s| !s.is_empty());
    }
    docs.retain(|d| !d.is_empty());
    let tokens: usize = docs.iter().flatten().map(Vec::len).sum();
    let t0 = Instant::now();
    let tagger = ner::tagger(lang).expect("an embedded model for this language");
    println!(
        "model load: {:.1} ms ({} features)",
        t0.elapsed().as_secs_f64() * 1e3,
        tagger.feature_count()
    );
    let mut best = f64::INFINITY;
    let mut entities = 0;
    let cpu0 = cpu_seconds();
    for _ in 0..rounds {
        let t = Instant::now();
        entities = 0;
        for d in &docs {
            let tags = tagger.tag_document(d);
            entities += tags
                .iter()
                .flatten()
                .filter(|t| t.starts_with("B-"))
                .count();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "tagger: {tokens} tokens, {entities} entities, best of {rounds}: {best:.3} s wall = {:.0} tokens/s (one thread)",
        tokens as f64 / best
    );
    if let (Some(a), Some(b)) = (cpu0, cpu_seconds()) {
        let per_round = (b - a) / rounds as f64;
        println!(
            "tagger: {per_round:.3} CPU s per round = {:.0} tokens/s per core (CPU time; independent of machine load)",
            tokens as f64 / per_round
        );
    }
    // The full pipeline on the same text, one document per article.
    let articles: Vec<Document> = docs
        .iter()
        .map(|d| {
            Document::builder(d.iter().map(|s| s.join(" ")).collect::<Vec<_>>().join("\n"))
                .language(Some(lang))
                .build()
        })
        .collect();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mut best = f64::INFINITY;
    let mut n_tokens = 0;
    let cpu0 = cpu_seconds();
    for _ in 0..rounds {
        let t = Instant::now();
        n_tokens = 0;
        for a in &articles {
            n_tokens += annotate(a).tokens.len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "annotate(): {n_tokens} tokens, {:.2} MB, best of {rounds}: {:.3} s wall = {:.0} tokens/s, {:.2} MB/s (one thread)",
        bytes as f64 / 1e6,
        best,
        n_tokens as f64 / best,
        bytes as f64 / 1e6 / best
    );
    if let (Some(a), Some(b)) = (cpu0, cpu_seconds()) {
        let per_round = (b - a) / rounds as f64;
        println!(
            "annotate(): {:.3} CPU s per round = {:.0} tokens/s per core (CPU time)",
            per_round,
            n_tokens as f64 / per_round
        );
    }
}
