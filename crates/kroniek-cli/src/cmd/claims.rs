//! `kroniek claims`: numbers by source, and where the sources disagree.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use kroniek_store::{ClaimGroup, ClaimQuery, ClaimView};
use serde_json::json;

use super::db::DbArgs;
use super::timeline::csv_field;

/// Output formats of `kroniek claims`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable text
    Text,
    /// One JSON object per subject and property
    Json,
    /// Comma-separated values, one claim per row
    Csv,
}

/// Numbers the articles give, grouped by what they are about (subject and property,
/// across languages: "1.500 strijders" and "14,000 fighters" are both `fighters`), each
/// with its source and date. With --conflicts, only the groups where two speakers (the
/// attributed source, else the outlet, else the article) disagree by more than 10%
/// (within one article, only two attributed sources): shown side by side, never
/// averaged. Amounts of money (also per share or per day), percentages and counts of
/// people or shares are compared only with what they measure ("a loss of $78.8
/// million" is `loss in dollar`, "257 people were killed" is `deaths`); bare ones are
/// listed but never flagged. A count of a part ("three new members") is compared only
/// with counts of that part (`new members`).
///
/// Examples:
///   kroniek claims --conflicts
///   kroniek claims --entity ISIS
///   kroniek claims --conflicts --format csv > conflicts.csv
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only groups whose values disagree
    #[arg(long)]
    pub conflicts: bool,
    /// Only claims about this entity (any name it goes by, or #ID)
    #[arg(long, value_name = "NAME")]
    pub entity: Option<String>,
    /// At most this many groups
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub db: DbArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = args.db.open_existing()?;
    let entity = match &args.entity {
        Some(name) => match store.find_entities(name)?.first() {
            Some(&id) => Some(id),
            None => bail!("no entity is called {name:?}; try `kroniek search {name}`"),
        },
        None => None,
    };
    let groups = store.claims(&ClaimQuery {
        entity,
        conflicts_only: args.conflicts,
        limit: args.limit,
        ..Default::default()
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => {
            if groups.is_empty() {
                writeln!(
                    out,
                    "no {}claims found",
                    if args.conflicts { "conflicting " } else { "" }
                )?;
            }
            for g in &groups {
                write_group(&mut out, g)?;
            }
        }
        Format::Json => {
            for g in &groups {
                writeln!(out, "{}", group_json(g))?;
            }
        }
        Format::Csv => {
            writeln!(
                out,
                "subject,property,conflict,value,bound,unit,source,when,outlet,published,doc,text"
            )?;
            for g in &groups {
                for c in &g.claims {
                    let row = [
                        g.subject.1.clone(),
                        g.property.clone(),
                        g.conflict.to_string(),
                        format_value(c.value),
                        c.bound.clone(),
                        c.unit.clone(),
                        c.source.clone().unwrap_or_default(),
                        c.when.clone(),
                        c.outlet.clone().unwrap_or_default(),
                        c.published.clone(),
                        c.doc.to_string(),
                        c.text.clone(),
                    ];
                    let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
                    writeln!(out, "{}", fields.join(","))?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `1500`, `9600000000`, `14.5`: the value as data (JSON, CSV).
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `1,500`, `9,600,000,000`, `14.5`: the value for reading.
pub fn readable_value(v: f64) -> String {
    let plain = format_value(v);
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

fn bound_word(b: &str) -> &'static str {
    match b {
        "about" => "about ",
        "at_most" => "up to ",
        "at_least" => "at least ",
        _ => "",
    }
}

/// JSON of one claim group (shared with the demo).
pub fn group_json(g: &ClaimGroup) -> serde_json::Value {
    json!({
        "subject": {"id": g.subject.0, "name": g.subject.1}, "property": g.property, "conflict": g.conflict,
        "claims": g.claims.iter().map(claim_json).collect::<Vec<_>>(),
    })
}

fn claim_json(c: &ClaimView) -> serde_json::Value {
    json!({
        "value": c.value, "bound": c.bound, "unit": c.unit, "text": c.text, "source": c.source,
        "when": c.when, "outlet": c.outlet, "published": c.published, "doc": c.doc.to_string(),
        "sentence": c.sentence,
    })
}

/// One group as text (shared with the demo).
pub fn write_group(out: &mut impl Write, g: &ClaimGroup) -> std::io::Result<()> {
    writeln!(
        out,
        "{} · {}{}",
        g.subject.1,
        g.property,
        if g.conflict { "  — CONFLICT" } else { "" }
    )?;
    for c in &g.claims {
        let who = c
            .source
            .clone()
            .or_else(|| c.outlet.clone())
            .unwrap_or_else(|| format!("article {}", &c.doc.to_string()[..8]));
        let value = format!("{}{}", bound_word(&c.bound), readable_value(c.value));
        writeln!(
            out,
            "  {value:<18} {:<14} according to {who} ({}, {})",
            c.unit,
            c.when,
            &c.doc.to_string()[..8]
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_read_with_thousands_separators() {
        assert_eq!(super::readable_value(916_000_000.0), "916,000,000");
        assert_eq!(super::readable_value(1500.0), "1,500");
        assert_eq!(super::readable_value(500.0), "500");
        assert_eq!(super::readable_value(14.5), "14.5");
        assert_eq!(super::readable_value(-12000.0), "-12,000");
    }
}
