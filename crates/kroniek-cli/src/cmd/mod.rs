//! Subcommands. Each module exposes an `Args` struct (clap) and a `run` function.

use std::process::ExitCode;

use clap::Subcommand;

mod annotate;
mod eval;
mod eval_syntax;
mod parse;
mod syntax_common;
mod train;
mod train_syntax;

/// All subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Annotate text or JSONL from stdin (or a file) and print JSON; nothing is stored
    Annotate(annotate::Args),
    /// Train a model from gold data
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Score kroniek against gold data
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Tag and parse CoNLL-U (UPOS, lemma, head, relation)
    Parse(parse::Args),
}

/// Runs a subcommand; the exit code says whether anything failed.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Annotate(args) => annotate::run(args),
        Command::Train(cmd) => train::run(cmd),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Parse(args) => parse::run(args),
    }
}
