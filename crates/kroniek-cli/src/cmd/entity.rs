//! `kroniek entity`: one person, organisation, place or thing across all articles.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use serde_json::json;

use super::db::DbArgs;

/// Show an entity across all stored articles: canonical name, the names it goes by,
/// type, mentions and articles, first and last dates, and who or what it appears with.
///
/// NAME may be any name the entity goes by (full name, surname, acronym, alias; case and
/// accents do not matter) or its numeric id (`#12`).
///
/// Examples:
///   kroniek entity Vermeer
///   kroniek entity KCA --json
///   kroniek entity '#12'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A name or alias, or #ID
    #[arg(required = true, value_name = "NAME")]
    pub name: Vec<String>,
    #[command(flatten)]
    pub db: DbArgs,
    /// How many co-occurring entities and articles to list
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = args.db.open_existing()?;
    let name = args.name.join(" ");
    let ids = store.find_entities(&name)?;
    let Some(&id) = ids.first() else {
        bail!("no entity is called {name:?}; try `kroniek search {name}` or a shorter form of the name");
    };
    let Some(p) = store.entity_profile(id, args.top.max(1))? else {
        bail!("entity #{id} is not in the store");
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = json!({
            "id": p.id, "name": p.name, "type": p.etype, "mentions": p.mentions, "articles": p.articles,
            "first": p.first, "last": p.last,
            "names": p.names.iter().map(|(n, c)| json!({"name": n, "count": c})).collect::<Vec<_>>(),
            "cooccurring": p.cooccurring.iter().map(|(i, n, t, c)| json!({"id": i, "name": n, "type": t, "articles": c})).collect::<Vec<_>>(),
            "documents": p.documents.iter().map(|(i, d, t)| json!({"id": i.to_string(), "published": d, "title": t})).collect::<Vec<_>>(),
            "other_matches": ids.iter().skip(1).collect::<Vec<_>>(),
        });
        writeln!(out, "{v}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "#{}  {}  ({})", p.id, p.name, p.etype)?;
    let names: Vec<String> = p.names.iter().map(|(n, c)| format!("{n} ({c})")).collect();
    writeln!(out, "names:      {}", names.join(", "))?;
    writeln!(
        out,
        "mentions:   {} in {} article(s)",
        p.mentions, p.articles
    )?;
    writeln!(
        out,
        "dates:      {} … {}",
        p.first.as_deref().unwrap_or("unknown"),
        p.last.as_deref().unwrap_or("unknown")
    )?;
    if !p.cooccurring.is_empty() {
        writeln!(out, "appears with:")?;
        for (i, n, t, c) in &p.cooccurring {
            writeln!(out, "  #{i:<5} {n} ({t}), {c} article(s)")?;
        }
    }
    writeln!(out, "articles:")?;
    for (i, d, t) in &p.documents {
        writeln!(
            out,
            "  {}  {:<10} {}",
            &i.to_string()[..8],
            d,
            t.as_deref().unwrap_or("(untitled)")
        )?;
    }
    if ids.len() > 1 {
        let others: Vec<String> = ids
            .iter()
            .skip(1)
            .take(5)
            .map(|i| format!("#{i}"))
            .collect();
        writeln!(out, "other entities with this name: {}", others.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}
