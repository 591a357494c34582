//! kroniek-core: the data model and the annotation pipeline.
//!
//! # Overview
//! Everything here is a pure function of its input: no file system, no network, no
//! database, no global mutable state. A [`Document`] goes in, an [`Analysis`] comes out,
//! and the analysis is a set of *stand-off* annotations: byte ranges ([`Span`]) into the
//! document's original text, never a rewritten copy of it.
//!
//! Analysis cannot fail on bad text. Whatever is odd about the input (empty text, text in
//! a language we have no resources for, absurd dates) is reported as a [`Diagnostic`]
//! inside the analysis, next to whatever could still be found.
//!
//! Language resources (abbreviation lists, lexicons, rules, models) are data files under
//! `resources/<lang>/`, embedded at compile time; adding a language is adding data.
//!
//! # Example
//! ```
//! use kroniek_core::{annotate, Document, PubDate};
//!
//! let doc = Document::builder("Gisteren sprak de minister. Dat meldt de NOS.")
//!     .published(PubDate::parse("2019-02").unwrap())
//!     .build();
//! let analysis = annotate(&doc);
//! assert_eq!(analysis.language.unwrap().as_str(), "nl");
//! assert_eq!(analysis.sentences.len(), 2);
//! for token in &analysis.tokens {
//!     assert!(!doc.text[token.span.range()].is_empty());
//! }
//! ```
#![deny(missing_docs)]

pub mod analysis;
pub mod attribution;
pub mod document;
pub mod entities;
pub mod events;
pub mod fasthash;
pub mod hugepages;
pub mod lang;
pub mod ner;
pub mod quantity;
pub mod record;
pub mod resources;
pub mod search;
pub mod span;
pub mod syntax;
pub mod text;
pub mod timex;

pub use analysis::{
    annotate, annotate_batch, annotate_with, Analysis, AnnotateOptions, Annotation, Diagnostic,
    ParserChoice, Severity, ANNOTATE_BATCH,
};
pub use document::{DatePrecision, DocId, Document, DocumentBuilder, PubDate};
pub use lang::Lang;
pub use span::Span;
pub use timex::{Timex, TimexType};
