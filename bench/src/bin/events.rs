//! Throughput of the annotate pipeline (tokens, sentences, quantities, attribution,
//! events with factuality) on one core.
//!
//! ```text
//! cargo run --release --bin events -- [CORPUS.jsonl|TEXT] [--mb N]
//! ```
//! Without a corpus, the built-in demo corpus (Dutch and English news) is used. The corpus
//! is cycled until N MB (default 20) have been annotated; the figure is MB/s and
//! documents/s on one thread, plus the share of the events stage measured separately.

use std::time::Instant;

use kroniek_core::annotate;

fn main() {
    let mut path = None;
    let mut mb = 20.0f64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mb" => mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(mb),
            "-h" | "--help" => {
                println!("usage: events [CORPUS.jsonl|TEXT] [--mb N]");
                return;
            }
            _ => path = Some(a),
        }
    }
    let (_, docs) = kroniek_bench::load_corpus(path);
    // Warm up (lexicons and models load once).
    for d in &docs {
        std::hint::black_box(annotate(d));
    }
    let target = (mb * 1e6) as usize;
    let (mut done, mut n, mut events, mut quantities) = (0usize, 0usize, 0usize, 0usize);
    let start = Instant::now();
    while done < target {
        for d in &docs {
            let a = annotate(d);
            events += a.events.len();
            quantities += a.quantities.len();
            done += d.text.len();
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    // The events stage alone, on the same documents (tokenised once beforehand).
    let prepared: Vec<_> = docs
        .iter()
        .map(|d| {
            let lang = d.language.unwrap_or(kroniek_core::Lang::EN);
            let toks = kroniek_core::text::tokenize(&d.text, lang);
            let sents = kroniek_core::text::sentences(&d.text, &toks);
            (d, lang, toks, sents)
        })
        .collect();
    let mut ev_bytes = 0usize;
    let ev_start = Instant::now();
    while ev_bytes < target / 2 {
        for (d, lang, toks, sents) in &prepared {
            let attr = kroniek_core::attribution::find(&d.text, toks, sents, *lang);
            std::hint::black_box(kroniek_core::events::find(
                &d.text,
                toks,
                sents,
                *lang,
                &attr,
                &[],
            ));
            ev_bytes += d.text.len();
        }
    }
    let ev_secs = ev_start.elapsed().as_secs_f64();
    println!(
        "annotate: {:.2} MB/s, {:.0} docs/s on one core ({n} docs, {:.1} MB in {secs:.2} s; {events} events, {quantities} quantities)",
        done as f64 / 1e6 / secs,
        n as f64 / secs,
        done as f64 / 1e6
    );
    println!(
        "attribution + events alone: {:.2} MB/s",
        ev_bytes as f64 / 1e6 / ev_secs
    );
}
