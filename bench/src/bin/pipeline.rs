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
//! Three passes: `annotate_batch` over batches of `ANNOTATE_BATCH` documents, as
//! `kroniek annotate` and `ingest` call it (the figure); `annotate_with` one document at a
//! time (for comparison: each stage then finds its tables evicted by the others'); and the
//! same stages as `annotate_batch` called one by one with a CPU timer around each (the
//! breakdown, as MB/s of each stage alone and its share of the stages' sum; the sum is
//! close to the whole, which adds little glue).

use std::time::Instant;

use kroniek_core::syntax::SyntaxModel;
use kroniek_core::{annotate_batch, annotate_with, AnnotateOptions, Lang, ANNOTATE_BATCH};

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

    // 1. The whole pipeline, a batch of documents at a time as `kroniek annotate` and
    //    `ingest` call it, then one document at a time (`annotate_with`) for comparison.
    let (mut done, mut n, mut events, mut entities) = (0usize, 0usize, 0usize, 0usize);
    let wall = Instant::now();
    let cpu = thread_cpu();
    while done < target {
        for chunk in docs.chunks(ANNOTATE_BATCH) {
            for (d, a) in chunk.iter().zip(annotate_batch(chunk, &opts)) {
                events += a.events.len();
                entities += a.entities.len();
                done += d.text.len();
                n += 1;
            }
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
    let (mut done1, cpu1) = (0usize, thread_cpu());
    while done1 < target {
        for d in &docs {
            std::hint::black_box(annotate_with(d, &opts));
            done1 += d.text.len();
        }
    }
    println!(
        "  one document at a time (annotate_with): {:.3} MB/s per CPU-second",
        done1 as f64 / 1e6 / (thread_cpu() - cpu1)
    );

    // 2. Stage by stage, the same calls as `annotate_batch`: each of the first four stages
    //    over a batch of documents, then the last three document by document.
    let mut t = [0f64; STAGES.len()];
    let mut done2 = 0usize;
    let model = |l: Lang| {
        if accurate {
            SyntaxModel::for_language(l)
        } else {
            SyntaxModel::fast_for_language(l)
        }
    };
    while done2 < target {
        for chunk in docs.chunks(ANNOTATE_BATCH) {
            let c0 = thread_cpu();
            let langs: Vec<Option<Lang>> = chunk
                .iter()
                .map(|d| d.language.or_else(|| kroniek_core::lang::detect(&d.text)))
                .collect();
            let segs: Vec<Lang> = langs.iter().map(|l| l.unwrap_or(Lang::EN)).collect();
            let toks: Vec<_> = chunk
                .iter()
                .zip(&segs)
                .map(|(d, &seg)| kroniek_core::text::tokenize(&d.text, seg))
                .collect();
            let sents: Vec<_> = chunk
                .iter()
                .zip(&toks)
                .map(|(d, t)| kroniek_core::text::sentences(&d.text, t))
                .collect();
            let c1 = thread_cpu();
            let timexes: Vec<_> = chunk
                .iter()
                .zip(&langs)
                .map(|(d, l)| {
                    l.map(|l| kroniek_core::timex::tag(&d.text, l, d.published))
                        .unwrap_or_default()
                })
                .collect();
            let c2 = thread_cpu();
            let ents: Vec<_> = (0..chunk.len())
                .map(|i| {
                    let tagger = langs[i].and_then(kroniek_core::ner::tagger);
                    tagger.map_or_else(Vec::new, |tagger| {
                        let text = &chunk[i].text;
                        let names = kroniek_core::ner::recognize(
                            segs[i], tagger, text, &toks[i], &sents[i],
                        );
                        kroniek_core::entities::link(text, &names).mentions
                    })
                })
                .collect();
            let c3 = thread_cpu();
            // As `annotate_batch`: the fast parser reads the first pass's tags (batches of
            // sentences within each document here; across documents there).
            let mut upos = Vec::with_capacity(chunk.len());
            for i in 0..chunk.len() {
                let d = &chunk[i];
                let m = langs[i].and_then(model).filter(|_| syntax);
                let first = match m {
                    Some(m) if !m.is_first_pass() => None,
                    _ => {
                        kroniek_core::events::first_pass_tags(&d.text, &toks[i], &sents[i], segs[i])
                    }
                };
                let Some(m) = m else {
                    upos.push(first);
                    continue;
                };
                let mut out = Vec::with_capacity(toks[i].len());
                for batch in sents[i].chunks(16) {
                    let forms: Vec<Vec<&str>> = batch
                        .iter()
                        .map(|s| {
                            toks[i][s.tokens.clone()]
                                .iter()
                                .map(|t| &d.text[t.span.range()])
                                .collect()
                        })
                        .collect();
                    match &first {
                        Some(f) => {
                            let tags: Vec<Vec<_>> =
                                batch.iter().map(|s| f[s.tokens.clone()].to_vec()).collect();
                            out.extend(m.analyse_batch_first_pass(&forms, &tags));
                        }
                        None => out.extend(m.analyse_batch(&forms)),
                    }
                }
                upos.push(Some(
                    out.iter().flatten().map(|x| x.upos).collect::<Vec<_>>(),
                ));
            }
            let c4 = thread_cpu();
            t[0] += c1 - c0;
            t[1] += c2 - c1;
            t[2] += c3 - c2;
            t[3] += c4 - c3;
            for i in 0..chunk.len() {
                let (d, seg, upos) = (&chunk[i], segs[i], upos[i].as_deref());
                let c4 = thread_cpu();
                let q =
                    kroniek_core::quantity::find_tagged(&d.text, &toks[i], &sents[i], seg, upos);
                let c5 = thread_cpu();
                let attr = kroniek_core::attribution::find(&d.text, &toks[i], &sents[i], seg);
                let c6 = thread_cpu();
                let spans: Vec<_> = timexes[i].iter().map(|t| t.span).collect();
                let ev = match upos {
                    Some(u) => kroniek_core::events::find_tagged(
                        &d.text, &toks[i], &sents[i], seg, &attr, &spans, u,
                    ),
                    None => {
                        kroniek_core::events::find(&d.text, &toks[i], &sents[i], seg, &attr, &spans)
                    }
                };
                let c7 = thread_cpu();
                std::hint::black_box((q, ev));
                t[4] += c5 - c4;
                t[5] += c6 - c5;
                t[6] += c7 - c6;
                done2 += d.text.len();
            }
            std::hint::black_box(ents);
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
