//! `kroniek demo`: the whole job on a built-in corpus, in seconds.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use kroniek_store::{SearchQuery, SqliteStore, Store};

use super::stats::list;
use crate::pipeline::{self, Input, Settings};

/// The demo corpus: short Dutch and English articles written for kroniek, retelling one
/// fictional storyline across outlets and dates, with hedges, attributions and numbers
/// that disagree.
pub const CORPUS: &[u8] = include_bytes!("../../demo/corpus.jsonl");

/// Ingest the built-in demo corpus and show what kroniek found.
///
/// Without --db the store is temporary and removed afterwards; with --db it is kept, so
/// that the other commands can explore it.
///
/// Examples:
///   kroniek demo
///   kroniek demo --db demo.db && kroniek search --db demo.db Nordstern
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Keep the demo store in this file (default: a temporary store)
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir()?;
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| tmp.path().join("demo.db"));
    let store = SqliteStore::open(&path)?;
    let settings = Settings {
        progress: false,
        verbose_warnings: false,
        ..Settings::default()
    };
    let (summary, _) = pipeline::ingest(
        &[Input::Bytes("demo corpus", CORPUS)],
        Box::new(store),
        &settings,
    )?;
    // Reopen for reading, as any later command would.
    let store = SqliteStore::open(&path)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "== kroniek demo ==\n{summary}\n")?;

    let stats = store.stats()?;
    writeln!(
        out,
        "{} articles; languages: {}; publication dates known to the {}",
        stats.documents,
        list(&stats.languages),
        list(&stats.precisions)
    )?;
    writeln!(out, "annotations: {}\n", list(&stats.layers))?;

    writeln!(out, "-- articles --")?;
    let conn = store.connection();
    let mut stmt = conn.prepare(
        "SELECT id, published, source, lang, title FROM documents ORDER BY pub_earliest, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "{}  {:<10} {:<22} {}  {}",
            &r.get::<_, String>(0)?[..8],
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            r.get::<_, Option<String>>(4)?.unwrap_or_default()
        ))
    })?;
    for row in rows {
        writeln!(out, "{}", row?)?;
    }

    for q in ["vastgelopen schip", "ran aground"] {
        writeln!(out, "\n-- search: {q} --")?;
        for h in store.search(&SearchQuery {
            text: q.into(),
            limit: 3,
            ..Default::default()
        })? {
            writeln!(
                out,
                "{}  {} · {}\n    {}",
                &h.id.to_string()[..8],
                h.published,
                h.source.unwrap_or_default(),
                h.snippet
            )?;
        }
    }

    // One article with every annotation layer kroniek produced for it (sentences aside).
    if let Some(first) = store
        .search(&SearchQuery {
            text: "Nordstern".into(),
            limit: 1,
            ..Default::default()
        })?
        .first()
    {
        if let Some(sd) = store.get(first.id)? {
            writeln!(
                out,
                "\n-- annotations of {} ({}) --",
                &sd.doc.id.to_string()[..8],
                sd.doc.title.as_deref().unwrap_or("")
            )?;
            let text = &sd.doc.text;
            // A few of each layer, typed events before untyped ones.
            let mut layers: Vec<&str> = sd
                .annotations
                .iter()
                .map(|a| a.layer.as_str())
                .filter(|l| *l != "sentence")
                .collect();
            layers.sort();
            layers.dedup();
            for layer in layers {
                let mut of_layer: Vec<_> =
                    sd.annotations.iter().filter(|a| a.layer == layer).collect();
                of_layer.sort_by_key(|a| (a.label == "other", a.start));
                writeln!(out, "  [{layer}] {} in this article", of_layer.len())?;
                for a in of_layer.iter().take(6) {
                    let attrs = a
                        .attrs
                        .iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "cue" | "scope" | "lemma"))
                        .map(|(k, v)| {
                            format!("{k}={}", span_text(text, v).unwrap_or_else(|| v.clone()))
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    let surface = text.get(a.start as usize..a.end as usize).unwrap_or("");
                    writeln!(out, "    {:<10} {surface:?} {attrs}", a.label)?;
                }
            }
        }
    }
    // An entity as `kroniek entity` shows it: the one with the most dated events.
    let top: Option<u32> = store
        .connection()
        .query_row(
            // The entity with the most dated events: the one whose timeline tells most.
            "SELECT x.entity FROM event_entities x JOIN events e ON e.id = x.event
             WHERE e.anchored = 1 GROUP BY x.entity ORDER BY count(*) DESC, x.entity LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(p) = top.and_then(|id| store.entity_profile(id, 5).ok().flatten()) {
        let names: Vec<String> = p
            .names
            .iter()
            .take(5)
            .map(|(n, c)| format!("{n} ({c})"))
            .collect();
        writeln!(out, "\n-- entity: {} ({}) --", p.name, p.etype)?;
        writeln!(out, "  names: {}", names.join(", "))?;
        writeln!(
            out,
            "  {} mentions in {} articles, {} … {}",
            p.mentions,
            p.articles,
            p.first.as_deref().unwrap_or("?"),
            p.last.as_deref().unwrap_or("?")
        )?;
        let with: Vec<String> = p
            .cooccurring
            .iter()
            .map(|(_, n, _, c)| format!("{n} ({c})"))
            .collect();
        writeln!(out, "  appears with: {}", with.join(", "))?;
        // Its timeline: events merged across articles and languages.
        let events = store.timeline(&kroniek_store::TimelineQuery {
            entity: Some(p.id),
            limit: 8,
            ..Default::default()
        })?;
        writeln!(
            out,
            "\n-- timeline: {} (kroniek timeline --entity {:?}) --",
            p.name, p.name
        )?;
        for e in &events {
            let rep = e.mentions.first().map(|m| shorten(&m.sentence, 150));
            writeln!(
                out,
                "  {:<22} {} {:<12} {} article(s) · {}\n      “{}”",
                e.date,
                super::timeline::marker(e),
                e.kind,
                e.articles,
                e.sources.join(", "),
                rep.unwrap_or_default()
            )?;
        }
    }
    // Where the sources disagree on a number.
    let conflicts = store.claims(&kroniek_store::ClaimQuery {
        conflicts_only: true,
        limit: 1,
        ..Default::default()
    })?;
    if let Some(g) = conflicts.first() {
        writeln!(out, "\n-- a conflict (kroniek claims --conflicts) --")?;
        super::claims::write_group(&mut out, g)?;
    }
    match &args.db {
        Some(p) => writeln!(
            out,
            "\nthe demo store is kept in {}; try `kroniek timeline --db {} --entity Nordstern` or `kroniek claims --db {} --conflicts`",
            p.display(),
            p.display(),
            p.display()
        )?,
        None => writeln!(
            out,
            "\n(temporary store; run `kroniek demo --db demo.db` to keep it)"
        )?,
    }
    Ok(if summary.had_failures() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The text of an attribute that holds a byte span (`238-254`), for display.
fn span_text(text: &str, value: &str) -> Option<String> {
    let (a, b) = value.split_once('-')?;
    let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
    text.get(a..b).map(|t| format!("{t:?}"))
}

/// A sentence on one line, cut at a word boundary after about `max` characters.
fn shorten(sentence: &str, max: usize) -> String {
    let mut out = String::new();
    for w in sentence.split_whitespace() {
        if out.chars().count() + w.chars().count() > max {
            out.push_str(" …");
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}
