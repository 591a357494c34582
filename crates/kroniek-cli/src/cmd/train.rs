//! `kroniek train <what>`: train a model from gold data. One subcommand per model kind.

use std::process::ExitCode;

use clap::Subcommand;

use super::train_syntax;

/// What to train.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// Train the UPOS tagger, lemmatizer and dependency parser on CoNLL-U treebanks
    Syntax(train_syntax::Args),
}

pub fn run(command: TrainCommand) -> anyhow::Result<ExitCode> {
    match command {
        TrainCommand::Syntax(args) => train_syntax::run(args),
    }
}
