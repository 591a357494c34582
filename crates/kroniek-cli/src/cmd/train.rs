//! `kroniek train`: train kroniek's own models. One variant per model kind.

use std::process::ExitCode;

use clap::Subcommand;

/// What to train.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    Ner(super::train_ner::Args),
}

pub fn run(command: TrainCommand) -> anyhow::Result<ExitCode> {
    match command {
        TrainCommand::Ner(args) => super::train_ner::run(args),
    }
}
