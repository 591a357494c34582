//! Subcommands. Each module exposes an `Args` struct (clap) and a `run` function.

use std::process::ExitCode;

use clap::Subcommand;

mod annotate;
mod eval;
mod eval_ner;
mod ner;
mod train;
mod train_ner;

/// All subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Annotate text or JSONL from stdin (or a file) and print JSON; nothing is stored
    Annotate(annotate::Args),
    /// Score kroniek's output against gold data
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    Ner(ner::Args),
    /// Train kroniek's own models from annotated data
    #[command(subcommand)]
    Train(train::TrainCommand),
}

/// Runs a subcommand; the exit code says whether anything failed.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Annotate(args) => annotate::run(args),
        Command::Eval(c) => eval::run(c),
        Command::Ner(args) => ner::run(args),
        Command::Train(c) => train::run(c),
    }
}
