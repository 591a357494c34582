//! `kroniek stats`: what the store holds.

use std::io::Write;
use std::process::ExitCode;

use kroniek_store::Store;
use serde_json::{json, Map, Value};

use super::db::DbArgs;

/// Counts of what the store holds: documents, languages, date precisions, annotations.
///
/// Examples:
///   kroniek stats
///   kroniek stats --json | jq .documents
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON: {"documents": N, "languages": {...}, ...}
    #[arg(long)]
    pub json: bool,
}

/// `"nl 8, en 7"`: counts for a line of text.
pub fn list(pairs: &[(String, u64)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn to_map(pairs: &[(String, u64)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect::<Map<_, _>>(),
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.db.open_existing()?;
    let s = store.stats()?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = json!({
            "documents": s.documents,
            "text_bytes": s.text_bytes,
            "languages": to_map(&s.languages),
            "precisions": to_map(&s.precisions),
            "annotations": to_map(&s.layers),
            "documents_with_warnings": s.documents_with_warnings,
            "earliest": s.date_range.as_ref().map(|r| &r.0),
            "latest": s.date_range.as_ref().map(|r| &r.1),
            "schema_version": s.schema_version,
        });
        writeln!(out, "{v}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "store:        {} (schema v{})",
        args.db.db.display(),
        s.schema_version
    )?;
    writeln!(
        out,
        "documents:    {} ({:.1} MB of text)",
        s.documents,
        s.text_bytes as f64 / 1e6
    )?;
    writeln!(out, "languages:    {}", list(&s.languages))?;
    writeln!(out, "dates known:  {}", list(&s.precisions))?;
    if let Some((a, b)) = &s.date_range {
        writeln!(out, "published:    {a} … {b}")?;
    }
    writeln!(out, "annotations:  {}", list(&s.layers))?;
    writeln!(out, "with warnings: {}", s.documents_with_warnings)?;
    Ok(ExitCode::SUCCESS)
}
