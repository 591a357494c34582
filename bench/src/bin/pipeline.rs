//! Throughput of the whole annotate pipeline (time, entities, quantities, attribution,
//! events, and optionally syntax) in MB of article text per CPU-second of one thread,
//! with a per-stage breakdown.
//!
//! ```text
//! cargo run --release --bin pipeline -- [CORPUS.jsonl|TEXT] [--mb N] [--syntax]
//! ```
//! Without a corpus, the built-in demo corpus (Dutch and English news) is used. The corpus
//! is cycled until N MB (default 5) have been annotated. Time is the CPU time of the
//! benchmarking thread (`CLOCK_THREAD_CPUTIME_ID`), so other load on a shared machine
//! does not count; wall-clock MB/s is printed too.
//!
//! Two passes: `annotate_with` as a whole (the figure), then the same stages called one
//! by one with a CPU timer around each (the breakdown, as MB/s of each stage alone and its
//! share of the stages' sum; the sum is close to the whole, which adds little glue).

use std::time::Instant;

use kroniek_core::syntax::SyntaxModel;
use kroniek_core::{annotate_with, AnnotateOptions, Lang};

#[global_allocator]
static ALLOC: kroniek_bench::Alloc = kroniek_bench::Alloc;

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}

/// CPU seconds used by the calling thread (Linux `CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu() -> f64 {
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec; clock 3 is CLOCK_THREAD_CPUTIME_ID.
    unsafe { clock_gettime(3, &mut t) };
    t.sec as f64 + t.nsec as f64 * 1e-9
}

const STAGES: [&str; 7] = [
    "tokens+sentences",
    "time",
    "entities (NER+link)",
    "POS tags / syntax",
    "quantities",
    "attribution",
    "events",
];

fn main() {
    kroniek_bench::huge_pages_from_env();
    let mut path = None;
    let mut mb = 5.0f64;
    let mut syntax = false;
    let mut accurate = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mb" => mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(mb),
            "--syntax" => syntax = true,
            "--accurate" => accurate = true,
            "-h" | "--help" => {
                println!("usage: pipeline [CORPUS.jsonl|TEXT] [--mb N] [--syntax [--accurate]]");
                return;
            }
            _ => path = Some(a),
        }
    }
    let (path, docs) = kroniek_bench::load_corpus(path);
    let corpus_bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let opts = AnnotateOptions {
        syntax,
        parser: if accurate {
            kroniek_core::ParserChoice::Accurate
        } else {
            kroniek_core::ParserChoice::Fast
        },
    };
    // Warm up (lexicons and models load once).
    for d in &docs {
        std::hint::black_box(annotate_with(d, &opts));
    }
    let target = (mb * 1e6) as usize;

    // 1. The whole pipeline.
    let (mut done, mut n, mut events, mut entities) = (0usize, 0usize, 0usize, 0usize);
    let wall = Instant::now();
    let cpu = thread_cpu();
    while done < target {
        for d in &docs {
            let a = annotate_with(d, &opts);
            events += a.events.len();
            entities += a.entities.len();
            done += d.text.len();
            n += 1;
        }
    }
    let cpu = thread_cpu() - cpu;
    let wall = wall.elapsed().as_secs_f64();
    let mbs = done as f64 / 1e6;
    println!(
        "{path}: {} docs, {:.3} MB per pass; syntax {}",
        docs.len(),
        corpus_bytes as f64 / 1e6,
        if syntax { "on" } else { "off" }
    );
    println!(
        "annotate: {:.3} MB/s per CPU-second ({:.2} MB/s wall), {:.0} docs per CPU-second \
         ({n} docs, {mbs:.1} MB in {cpu:.2} CPU-s; {entities} entities, {events} events)",
        mbs / cpu,
        mbs / wall,
        n as f64 / cpu
    );

    // 2. Stage by stage, the same calls as `annotate_with`.
    let mut t = [0f64; STAGES.len()];
    let mut done2 = 0usize;
    while done2 < target {
        for d in &docs {
            let c0 = thread_cpu();
            let lang = d.language.or_else(|| kroniek_core::lang::detect(&d.text));
            let seg = lang.unwrap_or(Lang::EN);
            let toks = kroniek_core::text::tokenize(&d.text, seg);
            let sents = kroniek_core::text::sentences(&d.text, &toks);
            let c1 = thread_cpu();
            let timexes = lang
                .map(|l| kroniek_core::timex::tag(&d.text, l, d.published))
                .unwrap_or_default();
            let c2 = thread_cpu();
            let mut ents = Vec::new();
            if let Some(tagger) = lang.and_then(kroniek_core::ner::tagger) {
                let names = kroniek_core::ner::recognize(seg, tagger, &d.text, &toks, &sents);
                ents = kroniek_core::entities::link(&d.text, &names).mentions;
            }
            let c3 = thread_cpu();
            let upos;
            let model = if accurate {
                lang.and_then(SyntaxModel::for_language)
            } else {
                lang.and_then(SyntaxModel::fast_for_language)
            };
            if let Some(model) = model.filter(|_| syntax) {
                // As `annotate_with`: the fast parser reads the first pass's tags.
                let first = if model.is_first_pass() {
                    kroniek_core::events::first_pass_tags(&d.text, &toks, &sents, seg)
                } else {
                    None
                };
                let mut out = Vec::with_capacity(toks.len());
                for batch in sents.chunks(16) {
                    let forms: Vec<Vec<&str>> = batch
                        .iter()
                        .map(|s| {
                            toks[s.tokens.clone()]
                                .iter()
                                .map(|t| &d.text[t.span.range()])
                                .collect()
                        })
                        .collect();
                    match &first {
                        Some(f) => {
                            let tags: Vec<Vec<_>> =
                                batch.iter().map(|s| f[s.tokens.clone()].to_vec()).collect();
                            out.extend(model.analyse_batch_first_pass(&forms, &tags));
                        }
                        None => out.extend(model.analyse_batch(&forms)),
                    }
                }
                upos = Some(out.iter().flatten().map(|x| x.upos).collect::<Vec<_>>());
            } else {
                upos = kroniek_core::events::first_pass_tags(&d.text, &toks, &sents, seg);
            }
            let c4 = thread_cpu();
            let q =
                kroniek_core::quantity::find_tagged(&d.text, &toks, &sents, seg, upos.as_deref());
            let c5 = thread_cpu();
            let attr = kroniek_core::attribution::find(&d.text, &toks, &sents, seg);
            let c6 = thread_cpu();
            let spans: Vec<_> = timexes.iter().map(|t| t.span).collect();
            let ev = match &upos {
                Some(u) => {
                    kroniek_core::events::find_tagged(&d.text, &toks, &sents, seg, &attr, &spans, u)
                }
                None => kroniek_core::events::find(&d.text, &toks, &sents, seg, &attr, &spans),
            };
            let c7 = thread_cpu();
            std::hint::black_box((q, ev, ents));
            for (k, dt) in [
                c1 - c0,
                c2 - c1,
                c3 - c2,
                c4 - c3,
                c5 - c4,
                c6 - c5,
                c7 - c6,
            ]
            .into_iter()
            .enumerate()
            {
                t[k] += dt;
            }
            done2 += d.text.len();
        }
    }
    let whole: f64 = t.iter().sum();
    println!("per stage (MB/s per CPU-second of that stage alone; share of the stages' sum):");
    for (name, secs) in STAGES.iter().zip(t) {
        println!(
            "  {name:<24} {:>9.2} MB/s  {:>5.1} %",
            done2 as f64 / 1e6 / secs.max(1e-9),
            100.0 * secs / whole
        );
    }
    println!(
        "  {:<24} {:>9.3} MB/s",
        "all stages (second pass)",
        done2 as f64 / 1e6 / whole
    );
}
