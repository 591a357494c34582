//! `kroniek search`: full-text search over stored articles.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use kroniek_core::{Lang, PubDate};
use kroniek_store::{SearchQuery, Store};
use serde_json::json;

use super::db::DbArgs;

/// Full-text search over titles and texts.
///
/// All words must occur; inflections are matched through Dutch and English stemming and
/// accents are ignored ("kabinetten" finds "kabinet", "syrie" finds "Syrië"). Put a phrase
/// in double quotes to require the words in that order.
///
/// Examples:
///   kroniek search staatsgreep
///   kroniek search '"kapitein Vermeer"' --lang nl
///   kroniek search canal --from 2021-03 --to 2021-04 --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Words to search for
    #[arg(required = true, value_name = "WORDS")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Only articles in this language (nl, en, …)
    #[arg(long)]
    pub lang: Option<String>,
    /// Only articles from this source (exact name, any case)
    #[arg(long)]
    pub source: Option<String>,
    /// Only articles that may have been published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only articles that may have been published on or before this date
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Number of results
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Skip this many results first
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// One JSON object per result
    #[arg(long)]
    pub json: bool,
}

fn date_bound(s: &Option<String>, earliest: bool) -> anyhow::Result<Option<String>> {
    s.as_ref()
        .map(|d| {
            let p = PubDate::parse(d)
                .with_context(|| format!("{d:?} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"))?;
            let day = if earliest { p.earliest() } else { p.latest() };
            Ok(day.map(|x| x.to_string()).unwrap_or_default())
        })
        .transpose()
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.db.open_existing()?;
    let query = SearchQuery {
        text: args.query.join(" "),
        language: args
            .lang
            .as_deref()
            .map(|l| Lang::parse(l).with_context(|| format!("{l:?} is not a language code")))
            .transpose()?,
        source: args.source.clone(),
        from: date_bound(&args.from, true)?,
        to: date_bound(&args.to, false)?,
        limit: args.limit,
        offset: args.offset,
        ..Default::default()
    };
    let hits = store.search(&query)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for h in &hits {
            let v = json!({"id": h.id.to_string(), "title": h.title, "source": h.source, "published": h.published, "language": h.language, "score": h.score, "snippet": h.snippet});
            writeln!(out, "{v}")?;
        }
    } else if hits.is_empty() {
        eprintln!("no results for {:?}", query.text);
    } else {
        for h in &hits {
            let title = h.title.as_deref().unwrap_or("(untitled)");
            let meta = [
                Some(h.published.as_str()),
                h.source.as_deref(),
                h.language.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            writeln!(out, "{}  {title}\n    {meta}\n    {}\n", h.id, h.snippet)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
