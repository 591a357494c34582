//! `kroniek ingest`: read, annotate and store articles.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kroniek_formats::{Format, Options};

use super::db::DbArgs;
use crate::pipeline::{self, Settings};

/// Read, annotate and store articles.
///
/// PATH may be a file, a folder (read recursively) or - for standard input. The format of
/// each file is guessed from its name and first bytes; --format forces one:
///   text   ` date 2019-02` on the first line, then the article (one per file)
///   jsonl  one JSON object per line: date|published, title, text, url, source, lang
///   feed   RSS 2.0 or Atom
///   html   an article page (title and date from meta tags)
///   warc   WARC or WARC.gz, as in Common Crawl News
///
/// Re-ingesting an article changes nothing (documents are keyed by a hash of title and
/// text). A bad record is reported and skipped; the rest is stored. The exit code is 0
/// when everything was read, 1 when some records failed, 2 when the run could not start.
///
/// Examples:
///   kroniek ingest articles/
///   kroniek ingest --db news.db feed.xml crawl.warc.gz
///   kroniek ingest --syntax articles/     (events with their agents and patients)
///   cat export.jsonl | kroniek ingest --format jsonl -
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Files, folders or - (standard input)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Force the input format: text, jsonl, feed, html or warc
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Skip articles whose text is larger than this (bytes; K, M and G suffixes allowed)
    #[arg(long, default_value = "8M", value_name = "SIZE")]
    pub max_doc_size: String,
    /// Documents per transaction
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub batch: usize,
    /// Annotation threads (default: all cores)
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// No progress bar and no per-record warnings; errors and the summary only
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also parse every sentence, so that events are stored with who did what to whom
    /// (agent, patient, other, place) and with lemmas. About three times slower with the
    /// fast parser (the default), four to five times with --parser accurate.
    /// Articles already in the store keep the annotations they were stored with.
    #[arg(long)]
    pub syntax: bool,
    /// The dependency parser of --syntax: fast (a small network on the first tagger pass,
    /// the default) or accurate (the parser of `kroniek parse`, several times slower)
    #[arg(long, default_value = "fast", value_parser = ["fast", "accurate"])]
    pub parser: String,
}

/// Parses `8M`, `512K`, `1G` or a plain number of bytes.
pub fn parse_size(s: &str) -> anyhow::Result<usize> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'k' | 'K')) => (&s[..i], 1usize << 10),
        Some((i, 'm' | 'M')) => (&s[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    let n: usize = num
        .trim()
        .parse()
        .with_context(|| format!("{s:?} is not a size such as 8M, 512K or 1000000"))?;
    n.checked_mul(mult)
        .with_context(|| format!("{s:?} is too large"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(j) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .ok();
    }
    let format = match &args.format {
        Some(f) => Some(Format::from_name(f).with_context(|| {
            format!(
                "unknown format {f:?}; use one of {}",
                Format::ALL.map(|f| f.name()).join(", ")
            )
        })?),
        None => None,
    };
    let inputs = pipeline::expand_paths(&args.paths)?;
    let store = args.db.open()?;
    let settings = Settings {
        format,
        options: Options {
            max_doc_bytes: parse_size(&args.max_doc_size)?,
        },
        batch_docs: args.batch.max(1),
        progress: !args.quiet,
        verbose_warnings: !args.quiet,
        annotate: kroniek_core::AnnotateOptions {
            syntax: args.syntax,
            parser: kroniek_core::ParserChoice::parse(&args.parser).unwrap_or_default(),
        },
    };
    let (summary, store) = pipeline::ingest(&inputs, Box::new(store), &settings)?;
    let total = store.document_count()?;
    eprintln!("{summary}");
    eprintln!("store: {} ({total} documents)", args.db.db.display());
    Ok(if summary.had_failures() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8M").unwrap(), 8 << 20);
        assert_eq!(parse_size("512k").unwrap(), 512 << 10);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
