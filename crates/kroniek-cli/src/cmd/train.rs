//! `kroniek train`: reproduces the models under `models/<lang>/`. One subcommand per model kind.

use std::process::ExitCode;

use clap::Subcommand;

/// What to train.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// Train the named-entity tagger on CoNLL files (models/<lang>/ner.bin)
    Ner(super::train_ner::Args),
    /// Train the UPOS tagger, lemmatizer and dependency parser on CoNLL-U treebanks
    Syntax(super::train_syntax::Args),
    /// Train the event-trigger perceptron (models/<lang>/events.model)
    Events(super::train_events::Args),
}

pub fn run(command: TrainCommand) -> anyhow::Result<ExitCode> {
    match command {
        TrainCommand::Ner(args) => super::train_ner::run(args),
        TrainCommand::Syntax(args) => super::train_syntax::run(args),
        TrainCommand::Events(args) => super::train_events::run(args),
    }
}
