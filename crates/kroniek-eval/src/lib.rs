//! kroniek-eval: readers for gold corpora and the standard scorers.
//!
//! Scorers are pure functions over gold and predicted annotations; readers take bytes or
//! `Read`, never paths, so that the CLI decides where corpora live.
#![deny(missing_docs)]

pub mod conll;
pub mod conllu;
pub mod events;
pub mod time;
pub mod timeline;
