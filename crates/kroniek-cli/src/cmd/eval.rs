//! `kroniek eval`: score kroniek against gold corpora. One subcommand per layer.

use std::process::ExitCode;

use clap::Subcommand;

/// Evaluate against gold corpora.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: EvalCommand,
}

/// What to evaluate.
#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Time expressions (TempEval-3 scores: extent, value, type)
    Time(super::eval_time::Args),
    /// Named entities (CoNLL/conlleval entity P/R/F1 per type)
    Ner(super::eval_ner::Args),
    /// UPOS accuracy, UAS and LAS on a CoNLL-U file (CoNLL 2018 style, punctuation included)
    Syntax(super::eval_syntax::Args),
    /// Event mentions and factuality on MEANTIME (Dutch CoNLL, English CAT XML)
    Events(super::eval_events::Args),
    /// SemEval-2015 Task 4 entity timelines across documents (temporal awareness P/R/F1)
    Timeline(super::eval_timeline::Args),
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        EvalCommand::Time(a) => super::eval_time::run(a),
        EvalCommand::Ner(a) => super::eval_ner::run(a),
        EvalCommand::Syntax(a) => super::eval_syntax::run(a),
        EvalCommand::Events(a) => super::eval_events::run(a),
        EvalCommand::Timeline(a) => super::eval_timeline::run(a),
    }
}
