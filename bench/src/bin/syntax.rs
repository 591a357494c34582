//! Tagging + parsing throughput on one core.
//!
//! ```text
//! cargo run --release --bin syntax -- nl ../../shared/corpora/ud_nl_alpino/nl_alpino-ud-test.conllu
//! ```
//! Reads the words of a CoNLL-U file (plain or gzip), loads the embedded model of the
//! language once, then tags, lemmatizes and parses every sentence, repeating until at
//! least two seconds have passed, and prints tokens per second.
//!
//! `--fast`: the fast pipeline parser (`models/<lang>/neural-fast.bin`) instead of the
//! accurate one; it also reports the parse alone with the first-pass tags given, as the
//! pipeline calls it. `--model FILE --neural FILE`: a model and neural parser from files
//! (experiments; with `--fast` the neural file is a fast parser).

use std::fs::File;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kroniek_core::syntax::neural::NeuralParser;
use kroniek_core::syntax::SyntaxModel;
use kroniek_core::Lang;

/// Large blocks (the model tables) on huge pages, as in `kroniek parse`
/// (`KRONIEK_HUGEPAGES=0`: without).
#[global_allocator]
static ALLOC: kroniek_bench::Alloc = kroniek_bench::Alloc;

/// Nanoseconds this process has run on a CPU (Linux: user + system time from
/// /proc/self/stat, in clock ticks of 10 ms).
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10_000_000)
}

fn main() -> ExitCode {
    kroniek_bench::huge_pages_from_env();
    let mut args: Vec<String> = Vec::new();
    let mut fast = false;
    let mut files: [Option<String>; 2] = [None, None];
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--fast" => fast = true,
            "--model" => files[0] = it.next(),
            "--neural" => files[1] = it.next(),
            _ => args.push(a),
        }
    }
    if args.len() != 2 || args[0].starts_with('-') {
        eprintln!(
            "usage: syntax LANG FILE.conllu[.gz]   (tokens/s of tagging + parsing on one core)"
        );
        return ExitCode::from(2);
    }
    let Some(lang) = Lang::parse(&args[0]) else {
        eprintln!("not a language: {}", args[0]);
        return ExitCode::from(2);
    };
    let sentences = match File::open(&args[1])
        .map_err(|e| e.to_string())
        .and_then(|f| kroniek_eval::conllu::read(f).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args[1]);
            return ExitCode::FAILURE;
        }
    };
    let forms: Vec<Vec<String>> = sentences
        .iter()
        .map(|s| s.words().map(|w| w.form().to_string()).collect())
        .collect();
    let tokens: usize = forms.iter().map(Vec::len).sum();
    let load = Instant::now();
    let model = match &files {
        [Some(m), Some(n)] => {
            let leak = |p: &str| -> &'static [u8] {
                Box::leak(std::fs::read(p).expect("model file").into_boxed_slice())
            };
            let m = SyntaxModel::from_bytes(leak(m)).expect("syntax model");
            let n = NeuralParser::from_bytes(leak(n)).expect("neural parser");
            Some(&*Box::leak(Box::new(if fast {
                m.with_fast_neural(n)
            } else {
                m.with_neural(n)
            })))
        }
        _ if fast => SyntaxModel::fast_for_language(lang),
        _ => SyntaxModel::for_language(lang),
    };
    let Some(model) = model else {
        eprintln!("no embedded syntax model for {lang}");
        return ExitCode::FAILURE;
    };
    println!(
        "parser: {}",
        if model.is_first_pass() {
            "fast (first-pass tags)"
        } else {
            "accurate"
        }
    );
    println!("model load: {:.0} ms", load.elapsed().as_secs_f64() * 1e3);
    // Sentences per batch: 16 as in `annotate`, or KRONIEK_BENCH_BATCH (experiments).
    let bs: usize = std::env::var("KRONIEK_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&b| b > 0)
        .unwrap_or(16);
    // Warm up once, then measure.
    let mut sink = 0usize;
    // In batches of 16 sentences, as `annotate` parses a document (a neural parser encodes
    // a batch together; the transition parser goes sentence by sentence either way).
    for batch in forms.chunks(bs) {
        sink += model.analyse_batch(batch).len();
    }
    let start = Instant::now();
    let cpu_start = cpu_ns();
    let mut done = 0usize;
    let mut tag_only = Duration::ZERO;
    while start.elapsed() < Duration::from_secs(2) {
        for batch in forms.chunks(bs) {
            sink += model
                .analyse_batch(batch)
                .iter()
                .flatten()
                .filter(|t| t.head == 0)
                .count();
        }
        done += tokens;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_ns().zip(cpu_start).map(|(b, a)| (b - a) as f64 / 1e9);
    let t = Instant::now();
    for f in &forms {
        sink += model.tag(f).len();
    }
    tag_only += t.elapsed();
    println!("{} sentences, {tokens} tokens", forms.len());
    println!(
        "tagging + lemmas + parsing: {:.0} tokens/s on one core (wall clock)",
        done as f64 / secs
    );
    if let Some(cpu) = cpu {
        // On a shared machine the wall clock also counts time spent waiting for a core.
        println!(
            "tagging + lemmas + parsing: {:.0} tokens/s per CPU second",
            done as f64 / cpu
        );
    }
    println!(
        "tagging only: {:.0} tokens/s",
        tokens as f64 / tag_only.as_secs_f64()
    );
    if model.is_first_pass() {
        // The parse alone, with the first-pass tags given (what `annotate --syntax` adds to
        // the tags the pipeline computes anyway).
        let tags: Vec<Vec<_>> = forms.iter().map(|f| model.tag_first_pass(f)).collect();
        let start = Instant::now();
        let cpu_start = cpu_ns();
        let mut done = 0usize;
        while start.elapsed() < Duration::from_secs(2) {
            for (batch, t) in forms.chunks(bs).zip(tags.chunks(bs)) {
                sink += model.analyse_batch_first_pass(batch, t).len();
            }
            done += tokens;
        }
        if let Some(cpu) = cpu_ns().zip(cpu_start).map(|(b, a)| (b - a) as f64 / 1e9) {
            println!(
                "lemmas + parsing, first-pass tags given: {:.0} tokens/s per CPU second",
                done as f64 / cpu
            );
        }
    }
    std::hint::black_box(sink);
    ExitCode::SUCCESS
}
