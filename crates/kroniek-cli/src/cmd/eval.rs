//! `kroniek eval`: score kroniek's output against gold data. One variant per layer.

use std::process::ExitCode;

use clap::Subcommand;

/// What to evaluate.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Named entities: conlleval P/R/F1 per type and overall
    Ner(super::eval_ner::Args),
}

pub fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        EvalCommand::Ner(args) => super::eval_ner::run(args),
    }
}
