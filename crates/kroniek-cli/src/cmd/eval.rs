//! `kroniek eval <what>`: score kroniek against gold data. One subcommand per task.

use std::process::ExitCode;

use clap::Subcommand;

use super::eval_syntax;

/// What to evaluate.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// UPOS accuracy, UAS and LAS on a CoNLL-U file (CoNLL 2018 style, punctuation included)
    Syntax(eval_syntax::Args),
}

pub fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        EvalCommand::Syntax(args) => eval_syntax::run(args),
    }
}
