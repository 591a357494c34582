//! Subcommands. Each module exposes an `Args` struct (clap) and a `run` function.

use std::process::ExitCode;

use clap::Subcommand;

mod annotate;

/// All subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Annotate text or JSONL from stdin (or a file) and print JSON; nothing is stored
    Annotate(annotate::Args),
}

/// Runs a subcommand; the exit code says whether anything failed.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Annotate(args) => annotate::run(args),
    }
}
