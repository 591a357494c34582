//! Subcommands. Each module exposes an `Args` struct (clap) and a `run` function.

use std::process::ExitCode;

use clap::Subcommand;

mod alias;
mod annotate;
mod claims;
mod db;
mod demo;
mod entity;
mod eval;
mod eval_events;
mod eval_ner;
mod eval_syntax;
mod eval_time;
mod eval_timeline;
mod events;
mod ingest;
mod ner;
mod parse;
mod search;
mod serve;
mod show;
mod stats;
mod syntax_common;
mod time;
mod timeline;
mod train;
mod train_events;
mod train_ner;
mod train_syntax;

/// All subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    #[command(about = "Read, annotate and store articles (files, folders, feeds, WARC)")]
    Ingest(ingest::Args),
    #[command(about = "Full-text search over stored articles")]
    Search(search::Args),
    #[command(about = "Show one stored article with its annotations")]
    Show(show::Args),
    #[command(about = "Counts of what the store holds")]
    Stats(stats::Args),
    #[command(
        about = "Annotate text or JSONL from stdin (or a file) and print JSON; nothing is stored"
    )]
    Annotate(annotate::Args),
    #[command(about = "One entity across all articles: names, type, dates, co-occurring entities")]
    Entity(entity::Args),
    #[command(about = "Add, remove or list entity aliases (re-groups stored mentions)")]
    Alias(alias::Args),
    #[command(about = "Events merged across articles in time order, for an entity or a topic")]
    Timeline(timeline::Args),
    #[command(about = "Numbers by source, and where sources disagree (--conflicts)")]
    Claims(claims::Args),
    #[command(about = "Find time expressions (TIMEX3) with their calendar intervals")]
    Time(time::Args),
    #[command(about = "Score kroniek against gold corpora (time, entities, syntax, events)")]
    Eval(eval::Args),
    #[command(about = "Tag named entities in CoNLL token-per-line input (appends an IOB2 column)")]
    Ner(ner::Args),
    /// Train kroniek's own models from annotated data
    #[command(subcommand)]
    Train(train::TrainCommand),
    #[command(about = "Ingest the built-in demo corpus and show what kroniek finds")]
    Demo(demo::Args),
    #[command(about = "Serve the JSON API and the web UI over a store")]
    Serve(serve::Args),
    #[command(about = "Tag and parse CoNLL-U (UPOS, lemma, head, relation)")]
    Parse(parse::Args),
    #[command(about = "Event mentions and factuality on token-per-line input (--conll)")]
    Events(events::Args),
}

/// Runs a subcommand; the exit code says whether anything failed.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Ingest(args) => ingest::run(args),
        Command::Search(args) => search::run(args),
        Command::Show(args) => show::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Annotate(args) => annotate::run(args),
        Command::Entity(args) => entity::run(args),
        Command::Alias(args) => alias::run(args),
        Command::Timeline(args) => timeline::run(args),
        Command::Claims(args) => claims::run(args),
        Command::Time(args) => time::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Ner(args) => ner::run(args),
        Command::Train(c) => train::run(c),
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Events(args) => events::run(args),
    }
}
