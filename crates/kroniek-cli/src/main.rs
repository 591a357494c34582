//! The `kroniek` command line: glue between readers, the annotation pipeline, the store
//! and the answers. Each subcommand lives in its own module under `cmd/`.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

mod cmd;
mod pipeline;

/// Large blocks (the models' lookup tables) on transparent huge pages: fewer TLB misses
/// in the random lookups of tagging (see `kroniek_core::hugepages`). The many small,
/// short-lived blocks of annotation (token vectors, feature lists, parser scratch) go to
/// mimalloc: the whole pipeline ran ~8 % faster than with glibc's allocator
/// (`bench/`'s `pipeline`, docs/events.md "Speed, session 21").
#[global_allocator]
static ALLOC: kroniek_core::hugepages::HugePageAlloc<mimalloc::MiMalloc> =
    kroniek_core::hugepages::HugePageAlloc(mimalloc::MiMalloc);

/// kroniek turns dated news articles into a sourced, time-anchored record of what
/// happened: who did what, when, where, according to whom, and how sure the source was.
#[derive(Parser, Debug)]
#[command(name = "kroniek", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Command,
}

const EXAMPLES: &str = "\
Examples:
  kroniek demo                               ingest the built-in demo corpus and show what it found
  kroniek ingest articles/ feed.xml news.warc.gz   read, annotate and store articles in ./kroniek.db
  kroniek search 'staatsgreep Baghdadi'      full-text search (Dutch and English stemming)
  kroniek show 3f1c2a9b0d4e5f60              one stored article with its annotations
  echo 'Gisteren viel Mosul.' | kroniek annotate --dct 2019-02   annotate text without a store";

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cmd::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`kroniek search x | head`) is not an error worth reporting.
            if err.chain().any(|e| {
                e.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = io::stdout().flush();
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
