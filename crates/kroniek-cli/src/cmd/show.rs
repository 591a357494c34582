//! `kroniek show`: one stored article with its annotations.

use std::io::Write;
use std::process::ExitCode;

use kroniek_store::{Store, StoredDocument};
use serde_json::json;

use super::db::{resolve_id, DbArgs};

/// Show one stored article with its annotations.
///
/// ID is the 16-digit id printed by `search` and `ingest`, or a unique prefix of it.
///
/// Examples:
///   kroniek show 3f1c2a9b
///   kroniek show 3f1c2a9b --layer timex
///   kroniek show 3f1c2a9b0d4e5f60 --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Document id or unique prefix
    pub id: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Only annotations of this layer (sentence, timex, entity, …)
    #[arg(long)]
    pub layer: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// The JSON form of a stored document.
pub fn stored_json(sd: &StoredDocument, layer: Option<&str>) -> serde_json::Value {
    let d = &sd.doc;
    let anns: Vec<_> = sd
        .annotations
        .iter()
        .filter(|a| layer.is_none_or(|l| a.layer == l))
        .map(|a| {
            let mut o = json!({"layer": a.layer, "start": a.start, "end": a.end, "text": d.text.get(a.start as usize..a.end as usize).unwrap_or("")});
            if !a.label.is_empty() {
                o["label"] = json!(a.label);
            }
            for (k, v) in &a.attrs {
                o[k.as_str()] = json!(v);
            }
            o
        })
        .collect();
    json!({
        "id": d.id.to_string(), "title": d.title, "source": d.source, "url": d.url,
        "published": d.published.to_string(), "precision": d.published.precision().as_str(),
        "language": d.language.map(|l| l.to_string()), "origin": sd.origin, "warnings": sd.warnings,
        "extra": d.extra.as_deref().and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok()),
        "text": d.text, "annotations": anns,
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.db.open_existing()?;
    let id = resolve_id(&store, &args.id)?;
    let Some(sd) = store.get(id)? else {
        anyhow::bail!("no document {id}");
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", stored_json(&sd, args.layer.as_deref()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let d = &sd.doc;
    writeln!(
        out,
        "{}  {}",
        d.id,
        d.title.as_deref().unwrap_or("(untitled)")
    )?;
    let meta = [
        Some(format!(
            "published {} ({} precision)",
            d.published,
            d.published.precision().as_str()
        )),
        d.source.clone(),
        d.language.map(|l| format!("language {l}")),
        d.url.clone(),
    ];
    writeln!(
        out,
        "{}",
        meta.into_iter().flatten().collect::<Vec<_>>().join(" · ")
    )?;
    if let Some(o) = &sd.origin {
        writeln!(out, "from {o}")?;
    }
    for w in &sd.warnings {
        writeln!(out, "warning: {w}")?;
    }
    writeln!(out, "\n{}\n", d.text.trim())?;
    let mut last_layer = "";
    for a in sd
        .annotations
        .iter()
        .filter(|a| args.layer.as_deref().is_none_or(|l| a.layer == l))
    {
        if a.layer != last_layer {
            writeln!(out, "[{}]", a.layer)?;
            last_layer = &a.layer;
        }
        let surface = d.text.get(a.start as usize..a.end as usize).unwrap_or("");
        let attrs = a
            .attrs
            .iter()
            .map(|(k, v)| match spans_as_text(&d.text, k, v) {
                Some(t) => format!("{k}={t}"),
                None => format!("{k}={v}"),
            })
            .collect::<Vec<_>>()
            .join(" ");
        writeln!(
            out,
            "  {:>6}..{:<6} {:<10} {:?} {attrs}",
            a.start, a.end, a.label, surface
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Attributes whose values are spans of the text (`0-5,16-22`), shown as what they cover.
const SPAN_ATTRS: [&str; 5] = ["agent", "patient", "other", "place", "anchor"];

/// `"Trump"` for `agent=0-5`; `None` for other attributes or values that are not spans
/// of `text`.
fn spans_as_text(text: &str, key: &str, value: &str) -> Option<String> {
    if !SPAN_ATTRS.contains(&key) {
        return None;
    }
    let parts: Option<Vec<String>> = value
        .split(',')
        .map(|sp| {
            let (a, b) = sp.split_once('-')?;
            let surface = text.get(a.parse::<usize>().ok()?..b.parse::<usize>().ok()?)?;
            Some(format!("{surface:?}"))
        })
        .collect();
    parts.map(|p| p.join(","))
}

#[cfg(test)]
mod tests {
    use super::spans_as_text;

    #[test]
    fn role_spans_are_shown_as_their_text() {
        let t = "Trump ontmoette Poetin.";
        assert_eq!(
            spans_as_text(t, "agent", "0-5").as_deref(),
            Some("\"Trump\"")
        );
        assert_eq!(
            spans_as_text(t, "other", "0-5,16-22").as_deref(),
            Some("\"Trump\",\"Poetin\"")
        );
        // Not a role, out of range, or not a span: shown as stored.
        assert_eq!(spans_as_text(t, "value", "2019-02"), None);
        assert_eq!(spans_as_text(t, "agent", "0-99"), None);
        assert_eq!(spans_as_text(t, "agent", "abc"), None);
    }
}
