//! `kroniek eval time`: TempEval-3 style scores for time expressions.

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_core::{timex, Lang, PubDate};
use kroniek_eval::time::{self as te, GoldDoc, SentenceGold, TimeError, TimeScores, TimexSpan};
use serde_json::{json, Value};

/// Score time tagging against gold: TimeML (.tml, TempEval-3), MEANTIME CAT XML (only
/// sentences 0–5 are annotated) or the projected Dutch MEANTIME set (a folder with
/// docs.jsonl and gold.jsonl; per-sentence (type, value) scores).
///
/// Reports strict and relaxed extent P/R/F1 and value and type F1 (TempEval-3: attribute
/// F1 over relaxed matches).
///
/// Examples:
///   kroniek eval time --format tml ../shared/corpora/tempeval3_tbaq/TimeBank ../shared/corpora/tempeval3_tbaq/AQUAINT
///   kroniek eval time --format cat ../shared/corpora/meantime_en/intra-doc_annotation
///   kroniek eval time --format nl-timex ../shared/corpora/meantime_nl_timex --errors
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Gold format: tml, cat or nl-timex
    #[arg(long)]
    pub format: String,
    /// Files or folders (searched recursively)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Language of the documents (default: the corpus' own, else en)
    #[arg(long)]
    pub lang: Option<String>,
    /// List every error (missed, spurious, wrong value/type/extent)
    #[arg(long)]
    pub errors: bool,
    /// Print the scores as JSON
    #[arg(long)]
    pub json: bool,
}

fn files(paths: &[PathBuf], ext: &str) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(p: &Path, ext: &str, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot read {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for e in entries {
                walk(&e, ext, out)?;
            }
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p.to_path_buf());
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if !p.exists() {
            bail!("{} does not exist", p.display());
        }
        walk(p, ext, &mut out)?;
    }
    Ok(out)
}

/// The system's time expressions as character-offset spans.
fn system(text: &str, lang: Lang, dct: &str) -> Vec<TimexSpan> {
    let dct = PubDate::parse(dct).unwrap_or_default();
    let found = timex::tag(text, lang, dct);
    let mut out = Vec::with_capacity(found.len());
    let mut chars = 0usize;
    let mut byte = 0usize;
    for t in found {
        let (s, e) = (t.span.start as usize, t.span.end as usize);
        chars += text[byte..s].chars().count();
        let n = text[s..e].chars().count();
        out.push(TimexSpan {
            start: chars,
            end: chars + n,
            text: text[s..e].to_string(),
            kind: t.kind.as_str().to_string(),
            value: t.value,
            optional: false,
        });
        chars += n;
        byte = e;
    }
    out
}

fn error_json(e: &TimeError) -> Value {
    let side = |t: &Option<TimexSpan>| {
        t.as_ref()
            .map(|t| json!([t.text, t.value, t.kind, t.start]))
    };
    json!({"id": e.doc, "kind": e.kind, "gold": side(&e.gold), "sys": side(&e.system)})
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let forced = match &args.lang {
        Some(l) => Some(Lang::parse(l).with_context(|| format!("{l:?} is not a language code"))?),
        None => None,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut errors = Vec::new();
    match args.format.as_str() {
        "tml" | "cat" => {
            let cat = args.format == "cat";
            let mut scores = TimeScores::default();
            let mut skipped = 0;
            for f in files(&args.paths, if cat { "xml" } else { "tml" })? {
                let xml = std::fs::read_to_string(&f)
                    .with_context(|| format!("cannot read {}", f.display()))?;
                let id = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let doc: GoldDoc = match if cat {
                    te::read_cat(&id, &xml, 6)
                } else {
                    te::read_tml(&id, &xml)
                } {
                    Ok(d) => d,
                    Err(e) => {
                        eprintln!("skip: {e}");
                        skipped += 1;
                        continue;
                    }
                };
                let lang = forced
                    .or_else(|| doc.lang.as_deref().and_then(Lang::parse))
                    .unwrap_or(Lang::EN);
                let sys = system(&doc.text, lang, &doc.dct);
                te::score_doc(&doc.id, &doc.timexes, &sys, &mut scores, &mut errors);
            }
            let (sp, sr, sf) = te::prf(scores.strict, scores.system, scores.gold);
            let (rp, rr, rf) = te::prf(scores.relaxed, scores.system, scores.gold);
            let (_, _, vf) = te::prf(scores.value, scores.system, scores.gold);
            let (_, _, tf) = te::prf(scores.kind, scores.system, scores.gold);
            let acc = |n: usize| {
                if scores.relaxed > 0 {
                    n as f64 / scores.relaxed as f64
                } else {
                    0.0
                }
            };
            if args.json {
                let v = json!({"docs": scores.docs, "skipped": skipped, "gold": scores.gold, "system": scores.system,
                    "strict": {"P": sp, "R": sr, "F1": sf}, "relaxed": {"P": rp, "R": rr, "F1": rf},
                    "value": {"F1": vf, "accuracy": acc(scores.value)}, "type": {"F1": tf, "accuracy": acc(scores.kind)}});
                writeln!(out, "{v}")?;
            } else {
                writeln!(
                    out,
                    "docs={} (skipped {skipped}) gold={} system={}",
                    scores.docs, scores.gold, scores.system
                )?;
                writeln!(out, "  strict  P={sp:.3} R={sr:.3} F1={sf:.3}")?;
                writeln!(out, "  relaxed P={rp:.3} R={rr:.3} F1={rf:.3}")?;
                writeln!(
                    out,
                    "  value   F1={vf:.3} (accuracy {:.3}, {}/{} relaxed matches)",
                    acc(scores.value),
                    scores.value,
                    scores.relaxed
                )?;
                writeln!(
                    out,
                    "  type    F1={tf:.3} (accuracy {:.3})",
                    acc(scores.kind)
                )?;
            }
        }
        "nl-timex" => {
            let dir = args
                .paths
                .first()
                .context("give the folder with docs.jsonl and gold.jsonl")?;
            let mut sys: HashMap<String, Vec<TimexSpan>> = HashMap::new();
            let docs = std::fs::File::open(dir.join("docs.jsonl"))
                .with_context(|| format!("cannot open {}/docs.jsonl", dir.display()))?;
            for line in io::BufReader::new(docs).lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let d: Value = serde_json::from_str(&line)?;
                let id = d["id"].as_str().unwrap_or("").to_string();
                let text = d["text"].as_str().unwrap_or("");
                let lang = forced
                    .or_else(|| d["lang"].as_str().and_then(Lang::parse))
                    .unwrap_or(Lang::NL);
                sys.insert(id, system(text, lang, d["dct"].as_str().unwrap_or("")));
            }
            let mut gold = Vec::new();
            let g = std::fs::File::open(dir.join("gold.jsonl"))
                .with_context(|| format!("cannot open {}/gold.jsonl", dir.display()))?;
            for line in io::BufReader::new(g).lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let r: Value = serde_json::from_str(&line)?;
                let timexes = r["timexes"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|t| {
                                (
                                    t["type"].as_str().unwrap_or("").to_string(),
                                    t["value"].as_str().unwrap_or("").to_string(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                gold.push(SentenceGold {
                    id: r["id"].as_str().unwrap_or("").to_string(),
                    start: r["start"].as_u64().unwrap_or(0) as usize,
                    end: r["end"].as_u64().unwrap_or(0) as usize,
                    timexes,
                });
            }
            let sc = te::score_sentences(&gold, &sys, &mut errors);
            let (p, r, f) = te::prf(sc.tp, sc.tp + sc.fp, sc.tp + sc.fn_);
            let vr = if sc.tp + sc.fn_ > 0 {
                sc.value_hits as f64 / (sc.tp + sc.fn_) as f64
            } else {
                0.0
            };
            if args.json {
                writeln!(
                    out,
                    "{}",
                    json!({"sentences": gold.len(), "gold": sc.tp + sc.fn_, "system": sc.tp + sc.fp, "type_value": {"P": p, "R": r, "F1": f}, "value_recall": vr})
                )?;
            } else {
                writeln!(
                    out,
                    "sentences={} gold={} system={}",
                    gold.len(),
                    sc.tp + sc.fn_,
                    sc.tp + sc.fp
                )?;
                writeln!(
                    out,
                    "  type+value P={p:.3} R={r:.3} F1={f:.3}; value-only recall={vr:.3}"
                )?;
            }
        }
        other => bail!("unknown format {other:?}; use tml, cat or nl-timex"),
    }
    if args.errors {
        for e in &errors {
            writeln!(out, "  {}", error_json(e))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
