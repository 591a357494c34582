//! `kroniek eval …`: scores against gold corpora.

use std::process::ExitCode;

use clap::Subcommand;

use super::eval_events;

/// Score kroniek against gold corpora.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: EvalCommand,
}

/// What to evaluate.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Event mentions and factuality on MEANTIME (Dutch CoNLL, English CAT XML)
    Events(eval_events::Args),
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        EvalCommand::Events(a) => eval_events::run(a),
    }
}
