//! `kroniek train …`: reproduces the models under `models/<lang>/`.

use std::process::ExitCode;

use clap::Subcommand;

use super::train_events;

/// Train the statistical models that ship in `models/<lang>/`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: TrainCommand,
}

/// Which model.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// The event-trigger perceptron (models/<lang>/events.model)
    Events(train_events::Args),
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        TrainCommand::Events(a) => train_events::run(a),
    }
}
