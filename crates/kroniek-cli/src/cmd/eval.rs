//! `kroniek eval`: score kroniek's output against gold data. One variant per layer.

use std::process::ExitCode;

use clap::Subcommand;

/// What to evaluate.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    Ner(super::eval_ner::Args),
}

pub fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        EvalCommand::Ner(args) => super::eval_ner::run(args),
    }
}
