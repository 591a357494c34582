//! `kroniek eval ner`: conlleval P/R/F1 of predicted against gold entity labels.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_eval::conll::{
    is_comment, is_docstart, meantime_ne_to_iob2, score_ner, split_columns, to_iob2, Column,
};

/// Score named entities: conlleval P/R/F1 per type and overall
///
/// An entity counts when its span and type match exactly (the CoNLL definition).
///
/// conll: gold label in the second-to-last column, prediction in the last (as written by
/// `kroniek ner --conll`); IOB1 labels are converted to IOB2.
/// meantime: a CLIN26 `ne` file with a prediction appended; gold in column 3 as `(TYPE`,
/// `TYPE)`, `(TYPE)`.
///
/// Examples:
///   kroniek ner --conll ned.testb | kroniek eval ner --format conll -
///   kroniek eval ner --format meantime pred.ne --types PER,ORG,LOC
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// conll or meantime
    #[arg(long, default_value = "conll")]
    pub format: String,
    /// 1-based column of the gold label (default: second to last; meantime: 3)
    #[arg(long)]
    pub gold_column: Option<usize>,
    /// 1-based column of the predicted label (default: last)
    #[arg(long)]
    pub pred_column: Option<usize>,
    /// Count only these entity types (comma-separated), e.g. PER,ORG,LOC
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,
    /// File with gold and predicted labels, or - for standard input
    pub input: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = if args.input.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin().lock())?
    } else {
        std::fs::read_to_string(&args.input)
            .with_context(|| format!("cannot read {}", args.input.display()))?
    };
    let meantime = match args.format.as_str() {
        "conll" => false,
        "meantime" => true,
        f => bail!("unknown format {f:?}; use conll or meantime"),
    };
    let gold_col = match args.gold_column {
        Some(n) => Column::Index(n.max(1) - 1),
        None if meantime => Column::Index(2),
        None => Column::FromEnd(2),
    };
    let pred_col = args
        .pred_column
        .map_or(Column::FromEnd(1), |n| Column::Index(n.max(1) - 1));
    let mut sentences: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut gold_cells: Vec<String> = Vec::new();
    let mut pred: Vec<String> = Vec::new();
    let mut flush = |gold_cells: &mut Vec<String>, pred: &mut Vec<String>| {
        if gold_cells.is_empty() {
            return;
        }
        let mut gold = if meantime {
            meantime_ne_to_iob2(&gold_cells.iter().map(String::as_str).collect::<Vec<_>>())
        } else {
            std::mem::take(gold_cells)
        };
        to_iob2(&mut gold);
        to_iob2(pred);
        sentences.push((gold, std::mem::take(pred)));
        gold_cells.clear();
    };
    for (n, line) in text.lines().enumerate() {
        if is_comment(line) || is_docstart(line) {
            flush(&mut gold_cells, &mut pred);
            continue;
        }
        let cols = split_columns(line);
        if cols.is_empty() {
            flush(&mut gold_cells, &mut pred);
            continue;
        }
        let (Some(g), Some(p)) = (gold_col.get(&cols), pred_col.get(&cols)) else {
            bail!("line {}: too few columns: {line:?}", n + 1);
        };
        gold_cells.push(g.to_string());
        pred.push(p.to_string());
    }
    flush(&mut gold_cells, &mut pred);
    let types = (!args.types.is_empty()).then_some(args.types.as_slice());
    let report = score_ner(
        sentences.iter().map(|(g, p)| {
            (
                g.iter().map(String::as_str).collect(),
                p.iter().map(String::as_str).collect(),
            )
        }),
        types,
    );
    let o = &report.overall;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
        report.tokens, o.gold, o.predicted, o.correct
    )?;
    writeln!(
        out,
        "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
        100.0 * report.token_matches as f64 / report.tokens.max(1) as f64,
        o.precision,
        o.recall,
        o.f1
    )?;
    for (ty, s) in &report.per_type {
        writeln!(
            out,
            "{ty:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
            s.precision, s.recall, s.f1, s.predicted
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
