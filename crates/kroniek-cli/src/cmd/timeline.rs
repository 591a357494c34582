//! `kroniek timeline`: what happened, in time order, merged across articles.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use kroniek_core::record::summary;
use kroniek_store::{EventView, TimelineQuery};
use serde_json::json;

use super::db::DbArgs;

/// Output formats of `kroniek timeline`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable text
    Text,
    /// One JSON object per line
    Json,
    /// Comma-separated values with a header
    Csv,
    /// A Markdown table
    Markdown,
    /// The timeline-summarisation format: a YYYY-MM-DD line, its sentences, a line of dashes
    Tls,
}

/// Events merged across articles, in time order: each date at the precision the articles
/// give (a range where a publication date was vague), the event type, a certainty marker
/// (✓ certain, ~ probable, ? possible, ✗ denied, ! contradicted), the number of articles,
/// the sources and a representative sentence.
///
/// With --query and --max-dates, a topic timeline instead: the most referred-to days of
/// the matching articles, with --sentences-per-date sentences for each (the
/// timeline-summarisation task; `--format tls` writes what TLS scorers read).
///
/// Examples:
///   kroniek timeline --entity al-Baghdadi
///   kroniek timeline --entity Nordstern --from 2024-03-01 --to 2024-03-31 --format markdown
///   kroniek timeline --query "Kessel Canal" --min-sources 2
///   kroniek timeline --query Nordstern --max-dates 5 --sentences-per-date 2 --format tls
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only events involving this entity (any name it goes by, an alias, or #ID)
    #[arg(long, value_name = "NAME")]
    pub entity: Option<String>,
    /// Only events in articles matching this full-text query
    #[arg(long, value_name = "TEXT")]
    pub query: Option<String>,
    /// Only events that may lie on or after this day (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only events that may lie on or before this day
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only events told by at least N independent sources
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_sources: usize,
    /// Also show events no article dates (placed shortly before publication)
    #[arg(long)]
    pub undated: bool,
    /// At most this many events
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
    /// Topic timeline: select this many dates (needs --query)
    #[arg(long, value_name = "N")]
    pub max_dates: Option<usize>,
    /// Topic timeline: sentences per date
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub sentences_per_date: usize,
    /// Topic timeline: read at most this many articles, the best ranked for the query
    /// (0: every matching article). Bounds the time on a large archive.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub max_articles: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `2019` → `2019-01-01` for --from, `2019-12-31` for --to.
fn day_bound(s: &str, end: bool) -> anyhow::Result<String> {
    let Some(p) = kroniek_core::PubDate::parse(s) else {
        bail!("{s:?} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD");
    };
    let d = if end { p.latest() } else { p.earliest() };
    d.map(|d| d.to_string())
        .ok_or_else(|| anyhow::anyhow!("{s:?} is not a date"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = args.db.open_existing()?;
    let from = args
        .from
        .as_deref()
        .map(|s| day_bound(s, false))
        .transpose()?;
    let to = args.to.as_deref().map(|s| day_bound(s, true)).transpose()?;
    let mut out = std::io::stdout().lock();
    if let Some(max_dates) = args.max_dates {
        let Some(query) = args.query.as_deref() else {
            bail!("--max-dates makes a topic timeline and needs --query TEXT");
        };
        let (sentences, matching) = store.topic_sentences_of_best(
            query,
            from.as_deref(),
            to.as_deref(),
            args.max_articles,
        )?;
        if args.max_articles > 0 && matching > args.max_articles {
            eprintln!(
                "{matching} articles match {query:?}; the timeline is built from the {} best ranked (--max-articles)",
                args.max_articles
            );
        }
        let dates =
            summary::summarise(&sentences, query, max_dates, args.sentences_per_date.max(1));
        return write_topic(&mut out, &dates, args.format).map(|()| ExitCode::SUCCESS);
    }
    let entity = match &args.entity {
        Some(name) => {
            let ids = store.find_entities(name)?;
            match ids.first() {
                Some(&id) => Some(id),
                None => bail!("no entity is called {name:?}; try `kroniek search {name}` or a shorter form of the name"),
            }
        }
        None => None,
    };
    let events = store.timeline(&TimelineQuery {
        entity,
        query: args.query.clone(),
        from,
        to,
        min_sources: args.min_sources,
        undated: args.undated,
        limit: args.limit,
        ..Default::default()
    })?;
    if events.is_empty() && args.format == Format::Text {
        writeln!(
            out,
            "no dated events found{}; try --undated, a wider --from/--to, or `kroniek entity NAME`",
            if args.min_sources > 0 {
                " with enough sources"
            } else {
                ""
            }
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    write_events(&mut out, &events, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// The certainty marker of an event.
pub fn marker(e: &EventView) -> &'static str {
    if e.contradicted {
        return "!";
    }
    match e.certainty.as_str() {
        "CERTAIN" => "✓",
        "PROBABLE" => "~",
        "POSSIBLE" | "UNDERSPECIFIED" => "?",
        _ => "✗",
    }
}

/// How many articles' tellings the text format shows per event.
const MENTIONS_SHOWN: usize = 3;

/// The marker of one mention's factuality.
pub fn mention_marker(certainty: &str, polarity: &str) -> &'static str {
    if polarity == "NEG" {
        return "✗";
    }
    match certainty {
        "CERTAIN" => "✓",
        "PROBABLE" => "~",
        _ => "?",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A CSV field, quoted when it must be (RFC 4180).
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// JSON of one event with its mentions (shared with the demo).
pub fn event_json(e: &EventView) -> serde_json::Value {
    json!({
        "id": e.id, "type": e.kind, "lemma": e.lemma, "date": e.date,
        "earliest": e.earliest, "latest": e.latest, "dated": e.anchored,
        "certainty": e.certainty, "contradicted": e.contradicted,
        "articles": e.articles, "sources": e.sources, "entities": e.entities,
        "mentions": e.mentions.iter().map(|m| json!({
            "doc": m.doc.to_string(), "title": m.title, "outlet": m.outlet, "published": m.published,
            "sentence": m.sentence, "trigger": [m.trigger.0, m.trigger.1], "text": m.text,
            "certainty": m.certainty, "polarity": m.polarity, "time": m.time,
            "source": m.source, "when": m.when, "dated": m.anchored,
        })).collect::<Vec<_>>(),
    })
}

fn write_events(out: &mut impl Write, events: &[EventView], format: Format) -> anyhow::Result<()> {
    match format {
        Format::Text => {
            for e in events {
                writeln!(
                    out,
                    "{:<22} {} {:<13} {} article(s) · {}",
                    e.date,
                    marker(e),
                    e.kind,
                    e.articles,
                    e.sources.join(", ")
                )?;
                // Each article's own telling, with its own certainty: a hedged and a
                // certain report of one event stay visible as such.
                let mut shown = std::collections::BTreeSet::new();
                for m in &e.mentions {
                    if shown.len() >= MENTIONS_SHOWN || !shown.insert(m.doc) {
                        continue;
                    }
                    let who = m
                        .source
                        .as_deref()
                        .or(m.outlet.as_deref())
                        .map(str::to_string);
                    let who = who.unwrap_or_else(|| format!("article {}", &m.doc.to_string()[..8]));
                    writeln!(
                        out,
                        "    {} “{}” — {who}, {}",
                        mention_marker(&m.certainty, &m.polarity),
                        one_line(&m.sentence),
                        m.published
                    )?;
                }
            }
        }
        Format::Json => {
            for e in events {
                writeln!(out, "{}", event_json(e))?;
            }
        }
        Format::Csv => {
            writeln!(
                out,
                "date,earliest,latest,type,certainty,contradicted,articles,sources,sentence"
            )?;
            for e in events {
                let s = e
                    .mentions
                    .first()
                    .map(|m| one_line(&m.sentence))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    csv_field(&e.date),
                    e.earliest.as_deref().unwrap_or(""),
                    e.latest.as_deref().unwrap_or(""),
                    e.kind,
                    e.certainty,
                    e.contradicted,
                    e.articles,
                    csv_field(&e.sources.join("; ")),
                    csv_field(&s)
                )?;
            }
        }
        Format::Markdown => {
            writeln!(
                out,
                "| date | event | certainty | articles | sources | sentence |"
            )?;
            writeln!(out, "|---|---|---|---|---|---|")?;
            for e in events {
                let s = e
                    .mentions
                    .first()
                    .map(|m| one_line(&m.sentence))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "| {} | {} | {} {} | {} | {} | {} |",
                    e.date,
                    e.kind,
                    marker(e),
                    e.certainty.to_lowercase(),
                    e.articles,
                    e.sources.join(", ").replace('|', "\\|"),
                    s.replace('|', "\\|")
                )?;
            }
        }
        Format::Tls => {
            // TLS scorers read days: events dated to the day, their sentences by date.
            let mut days: Vec<summary::TimelineDate> = Vec::new();
            for e in events {
                let Some(day) = e
                    .earliest
                    .as_deref()
                    .filter(|d| Some(*d) == e.latest.as_deref())
                else {
                    continue;
                };
                let Ok(date) = day.parse() else { continue };
                let s = e
                    .mentions
                    .first()
                    .map(|m| one_line(&m.sentence))
                    .unwrap_or_default();
                match days.last_mut() {
                    Some(d) if d.date == date => {
                        if !d.sentences.contains(&s) {
                            d.sentences.push(s);
                        }
                    }
                    _ => days.push(summary::TimelineDate {
                        date,
                        sentences: vec![s],
                        score: 0.0,
                    }),
                }
            }
            write!(out, "{}", summary::to_tls(&days))?;
        }
    }
    Ok(())
}

fn write_topic(
    out: &mut impl Write,
    dates: &[summary::TimelineDate],
    format: Format,
) -> anyhow::Result<()> {
    match format {
        Format::Tls => write!(out, "{}", summary::to_tls(dates))?,
        Format::Json => {
            for d in dates {
                writeln!(
                    out,
                    "{}",
                    json!({"date": d.date.to_string(), "score": d.score, "sentences": d.sentences})
                )?;
            }
        }
        Format::Csv => {
            writeln!(out, "date,score,sentence")?;
            for d in dates {
                for s in &d.sentences {
                    writeln!(out, "{},{},{}", d.date, d.score, csv_field(&one_line(s)))?;
                }
            }
        }
        Format::Markdown => {
            for d in dates {
                writeln!(out, "### {}\n", d.date)?;
                for s in &d.sentences {
                    writeln!(out, "- {}", one_line(s))?;
                }
                writeln!(out)?;
            }
        }
        Format::Text => {
            if dates.is_empty() {
                writeln!(out, "no dated sentences found for this query")?;
            }
            for d in dates {
                writeln!(out, "{}  ({} reference(s))", d.date, d.score)?;
                for s in &d.sentences {
                    writeln!(out, "    {}", one_line(s))?;
                }
            }
        }
    }
    Ok(())
}
