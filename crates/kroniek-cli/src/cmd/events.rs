//! `kroniek events --conll`: event mentions and factuality on token-per-line input.

use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_core::events::{self, EventMention};
use kroniek_core::Lang;

/// Tag event mentions and their factuality in one pre-tokenised document.
///
/// Input: one token per line, a blank line between sentences, the token in column 2
/// (tab-separated, as in MEANTIME's Dutch files) or the column given by --token-column.
/// Output: every input line with four tab-separated columns appended: the event
/// (B-E, I-E, O), certainty (B-CERTAIN, B-PROBABLE, B-POSSIBLE, B-UNDERSPECIFIED),
/// polarity (B-POS, B-NEG) and time (B-NON_FUTURE, B-FUTURE); `_` outside events.
/// Blank lines are kept. This format is stable.
///
/// Examples:
///   kroniek events --conll --lang nl doc.factuality > doc.pred
///   kroniek events --conll --lang en --token-column 1 < tokens.txt
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// File to read; `-` or nothing for standard input
    pub input: Option<PathBuf>,
    /// Token-per-line input and output (the only mode for now)
    #[arg(long)]
    pub conll: bool,
    /// Language (nl, en); detected from the tokens when absent
    #[arg(long)]
    pub lang: Option<String>,
    /// Publication date YYYY, YYYY-MM or YYYY-MM-DD (anchors event times)
    #[arg(long, value_name = "DATE")]
    pub dct: Option<String>,
    /// 1-based column that holds the token
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub token_column: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.conll {
        bail!("only --conll input is supported: kroniek events --conll [FILE]");
    }
    if args.token_column == 0 {
        bail!("--token-column is 1-based");
    }
    if let Some(d) = &args.dct {
        kroniek_core::PubDate::parse(d)
            .with_context(|| format!("--dct {d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"))?;
    }
    let reader: Box<dyn BufRead> = match &args.input {
        Some(p) if p.as_os_str() != "-" => Box::new(BufReader::new(
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        )),
        _ => Box::new(io::stdin().lock()),
    };
    let mut lines = Vec::new();
    for line in reader.lines() {
        lines.push(line?);
    }
    let col = args.token_column - 1;
    // Sentences of (line index, token).
    let mut sentences: Vec<Vec<(usize, String)>> = vec![Vec::new()];
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            if !sentences.last().is_some_and(Vec::is_empty) {
                sentences.push(Vec::new());
            }
            continue;
        }
        let token = line.split('\t').nth(col).unwrap_or("").to_string();
        sentences.last_mut().expect("non-empty").push((i, token));
    }
    sentences.retain(|s| !s.is_empty());
    let words: Vec<Vec<&str>> = sentences
        .iter()
        .map(|s| s.iter().map(|(_, t)| t.as_str()).collect())
        .collect();
    let lang = match &args.lang {
        Some(l) => Lang::parse(l).with_context(|| format!("{l:?} is not a language code"))?,
        None => {
            let sample: String = words
                .iter()
                .take(50)
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            kroniek_core::lang::detect(&sample).unwrap_or(Lang::NL)
        }
    };
    let mentions = events::find_in_tokens(lang, &words);
    let line_of: Vec<usize> = sentences.iter().flatten().map(|(i, _)| *i).collect();
    let cols = columns(&mentions, line_of.len());
    let mut extra: Vec<Option<&[String; 4]>> = vec![None; lines.len()];
    for (k, &li) in line_of.iter().enumerate() {
        extra[li] = Some(&cols[k]);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (line, cols) in lines.iter().zip(extra) {
        match cols {
            Some(c) => writeln!(out, "{line}\t{}\t{}\t{}\t{}", c[0], c[1], c[2], c[3])?,
            None => writeln!(out, "{line}")?,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The four appended columns per token.
pub fn columns(mentions: &[EventMention], n: usize) -> Vec<[String; 4]> {
    let outside = || ["O".to_string(), "_".into(), "_".into(), "_".into()];
    let mut cols: Vec<[String; 4]> = (0..n).map(|_| outside()).collect();
    for m in mentions {
        let f = m.factuality;
        for t in m.tokens.clone() {
            if t >= n || m.gaps.contains(&t) {
                continue;
            }
            let p = if t == m.tokens.start { "B" } else { "I" };
            cols[t] = [
                format!("{p}-E"),
                format!("{p}-{}", f.certainty.as_str()),
                format!("{p}-{}", f.polarity.as_str()),
                format!("{p}-{}", f.time.as_str()),
            ];
        }
    }
    cols
}
