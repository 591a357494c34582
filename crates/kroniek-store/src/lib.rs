//! kroniek-store: where documents and their annotations live.
//!
//! # Overview
//! [`Store`] is the seam between kroniek and its storage. Two backends implement it:
//! - [`SqliteStore`]: the embedded default, one file (`./kroniek.db`), WAL journal,
//!   versioned migrations, an FTS5 full-text index over pre-folded, pre-stemmed terms;
//! - [`MemoryStore`]: a plain in-memory implementation for tests and throw-away runs.
//!
//! A PostgreSQL backend for many concurrent writers can follow behind the same trait.
//!
//! Writes come in batches: [`Store::put_batch`] stores every document of the batch with
//! all its annotations in one transaction, so a crash leaves each document either fully
//! stored or absent, and never harms what was stored before. Documents are keyed by
//! their content hash; putting a document that is already there changes nothing.
#![deny(missing_docs)]

use std::fmt;

use kroniek_core::{Annotation, DocId, Document, Lang};

mod entities;
mod events;
mod memory;
mod sqlite;

pub use entities::EntityProfile;
pub use events::{
    disagree, ClaimGroup, ClaimQuery, ClaimView, EventMentionView, EventView, TimelineQuery,
    DISAGREEMENT,
};
pub use memory::MemoryStore;
pub use sqlite::{SqliteStore, SCHEMA_VERSION};

/// A document with everything kroniek learnt about it, as it is stored.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    /// The article; its `language` is the one it was analysed as (declared or detected).
    pub doc: Document,
    /// Its annotations, in the uniform layer shape.
    pub annotations: Vec<StoredAnnotation>,
    /// What was odd about it when it was read or analysed (lower-case messages).
    pub warnings: Vec<String>,
    /// Where it came from (`file.jsonl line 3`), for provenance.
    pub origin: Option<String>,
    /// Its full-text search terms, when the caller prepared them (in parallel, off the
    /// writer thread); computed on write otherwise.
    pub search_terms: Option<SearchTerms>,
    /// Its events and claims for merging across articles (`None`: not analysed for them).
    pub records: Option<kroniek_core::record::DocRecords>,
}

impl StoredDocument {
    /// Annotates a document and packs it with everything the store keeps: the analysis
    /// (with the detected language written into the document), the reader's warnings plus
    /// the analysis's own, provenance, and the search terms. Used by every ingest path
    /// (CLI, HTTP upload), so they store the same thing.
    pub fn analyse(doc: Document, warnings: Vec<String>, origin: Option<String>) -> StoredDocument {
        Self::analyse_with(
            doc,
            warnings,
            origin,
            &kroniek_core::AnnotateOptions::default(),
        )
    }

    /// [`StoredDocument::analyse`] with annotation options: with `syntax` every sentence
    /// is parsed, so events are stored with their participants' roles (`agent`,
    /// `patient`, `other`, `place`) and lemmas; the parse itself is not stored.
    pub fn analyse_with(
        doc: Document,
        warnings: Vec<String>,
        origin: Option<String>,
        options: &kroniek_core::AnnotateOptions,
    ) -> StoredDocument {
        let analysis = kroniek_core::annotate_with(&doc, options);
        Self::pack(doc, warnings, origin, &analysis)
    }

    /// [`StoredDocument::analyse_with`] for several documents (document, reader warnings,
    /// provenance) at once, the same result in the same order, faster
    /// ([`kroniek_core::annotate_batch`]; hand over about [`kroniek_core::ANNOTATE_BATCH`]).
    pub fn analyse_batch(
        items: Vec<(Document, Vec<String>, Option<String>)>,
        options: &kroniek_core::AnnotateOptions,
    ) -> Vec<StoredDocument> {
        let docs: Vec<&Document> = items.iter().map(|(d, _, _)| d).collect();
        let analyses = kroniek_core::annotate_batch(&docs, options);
        drop(docs);
        items
            .into_iter()
            .zip(&analyses)
            .map(|((doc, warnings, origin), analysis)| Self::pack(doc, warnings, origin, analysis))
            .collect()
    }

    /// A document with its analysis, as stored.
    fn pack(
        mut doc: Document,
        mut warnings: Vec<String>,
        origin: Option<String>,
        analysis: &kroniek_core::Analysis,
    ) -> StoredDocument {
        doc.language = analysis.language;
        // Readers already flag a missing date; the other diagnostics are news to the user.
        warnings.extend(
            analysis
                .diagnostics
                .iter()
                .filter(|d| {
                    d.severity == kroniek_core::Severity::Warning
                        && d.code != "unknown-publication-date"
                })
                .map(|d| d.message.clone()),
        );
        let records = kroniek_core::record::extract(&doc, analysis);
        StoredDocument {
            search_terms: Some(SearchTerms::of(&doc)),
            records: Some(records),
            annotations: analysis.annotations().into_iter().map(Into::into).collect(),
            doc,
            warnings,
            origin,
        }
    }
}

/// The folded, stemmed terms of a document's title and body, as the index stores them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchTerms {
    /// Title terms separated by spaces.
    pub title: String,
    /// Body terms separated by spaces.
    pub body: String,
}

impl SearchTerms {
    /// The terms of a document, stemmed for its language.
    pub fn of(doc: &Document) -> SearchTerms {
        SearchTerms {
            title: doc
                .title
                .as_deref()
                .map(|t| kroniek_core::search::index_text(t, doc.language))
                .unwrap_or_default(),
            body: kroniek_core::search::index_text(&doc.text, doc.language),
        }
    }
}

/// An annotation as stored: owned strings so that it can come back from any backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnnotation {
    /// Layer name (`sentence`, `timex`, `entity`, …).
    pub layer: String,
    /// First byte in the document text.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// Main label; may be empty.
    pub label: String,
    /// Further attributes, in order.
    pub attrs: Vec<(String, String)>,
}

impl From<Annotation> for StoredAnnotation {
    fn from(a: Annotation) -> Self {
        StoredAnnotation {
            layer: a.layer.to_string(),
            start: a.span.start,
            end: a.span.end,
            label: a.label,
            attrs: a
                .attrs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

/// What happened to one document of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// It was new and is now stored.
    Stored,
    /// A document with the same id was already there; nothing changed.
    AlreadyPresent,
}

/// A full-text query with optional filters.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Words to find (all must occur, in any inflection the stemmers join); `"a phrase"` in
    /// double quotes must occur as a phrase.
    pub text: String,
    /// Only documents in this language.
    pub language: Option<Lang>,
    /// Only documents from this source (case-insensitive exact match).
    pub source: Option<String>,
    /// Only documents that may have been published on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only documents that may have been published on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Only documents that mention this merged entity (its id, as `entity_profile` and
    /// the timeline use). A store without merged entities matches no document.
    pub entity: Option<u32>,
    /// At most this many hits.
    pub limit: usize,
    /// Skip this many hits first (paging).
    pub offset: usize,
}

/// One search result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The document's id.
    pub id: DocId,
    /// Its headline, if any.
    pub title: Option<String>,
    /// Its source, if any.
    pub source: Option<String>,
    /// Its publication date at its precision (`2019-02`).
    pub published: String,
    /// Its language, if known.
    pub language: Option<String>,
    /// The first sentence-like stretch of text that contains a query word.
    pub snippet: String,
    /// Relevance; higher is better (comparable within one query only).
    pub score: f64,
}

/// Counts over the whole store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Number of documents.
    pub documents: u64,
    /// Total bytes of document text.
    pub text_bytes: u64,
    /// Documents per language code (`unknown` for none), sorted by code.
    pub languages: Vec<(String, u64)>,
    /// Documents per publication-date precision, sorted by name.
    pub precisions: Vec<(String, u64)>,
    /// Annotations per layer, sorted by layer.
    pub layers: Vec<(String, u64)>,
    /// Documents that carry at least one warning.
    pub documents_with_warnings: u64,
    /// Earliest and latest known publication dates.
    pub date_range: Option<(String, String)>,
    /// Schema version of the store.
    pub schema_version: u32,
}

/// The storage seam: every backend implements this.
pub trait Store {
    /// Stores the batch in one transaction: all of it or nothing.
    fn put_batch(&mut self, batch: &[StoredDocument]) -> Result<Vec<PutOutcome>, Error>;
    /// Whether a document with this id is stored.
    fn contains(&self, id: DocId) -> Result<bool, Error>;
    /// A stored document with its annotations.
    fn get(&self, id: DocId) -> Result<Option<StoredDocument>, Error>;
    /// Ids of stored documents whose hexadecimal id starts with `prefix` (at most `limit`).
    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<DocId>, Error>;
    /// Full-text search, best first.
    fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, Error>;
    /// Counts over the store.
    fn stats(&self) -> Result<Stats, Error>;
    /// The number of stored documents (cheaper than [`Store::stats`], which reads every
    /// article's length and every annotation's layer).
    fn document_count(&self) -> Result<u64, Error> {
        Ok(self.stats()?.documents)
    }
}

/// A storage error.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Debug, thiserror::Error)]
enum ErrorKind {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema version {found} is newer than this kroniek supports ({supported}); upgrade kroniek")]
    SchemaTooNew { found: u32, supported: u32 },
    #[error("invalid search query: {0}")]
    BadQuery(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

impl Error {
    /// Whether the store was written by a newer kroniek.
    pub fn is_schema_too_new(&self) -> bool {
        matches!(self.kind, ErrorKind::SchemaTooNew { .. })
    }
    /// Whether the search query could not be understood.
    pub fn is_bad_query(&self) -> bool {
        matches!(self.kind, ErrorKind::BadQuery(_))
    }
    pub(crate) fn bad_query(msg: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::BadQuery(msg.into()),
        }
    }
    pub(crate) fn corrupt(msg: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Corrupt(msg.into()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error {
            kind: ErrorKind::Sqlite(e),
        }
    }
}

/// The first stretch of `text` (up to a sentence end or 240 bytes) around the first
/// occurrence of any of the folded `terms`; the start of the text if none occurs.
pub(crate) fn snippet(text: &str, terms: &[Vec<String>]) -> String {
    let mut best: Option<usize> = None;
    let mut offset = 0;
    for word in text.split_inclusive(|c: char| !c.is_alphanumeric()) {
        let w = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        if !w.is_empty() {
            let folded = kroniek_core::search::fold(w);
            if terms
                .iter()
                .any(|forms| forms.iter().any(|f| folded.starts_with(f.as_str())))
            {
                best = Some(offset);
                break;
            }
        }
        offset += word.len();
    }
    let hit = best.unwrap_or(0);
    let start = text[..hit]
        .rfind(['.', '!', '?', '\n'])
        .map_or(0, |p| p + 1);
    let mut end = (start + 240).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(p) = text[hit.min(end)..end].find(['.', '!', '?', '\n']) {
        end = hit.min(end) + p + 1;
    }
    let s = text[start..end].trim();
    if end < text.len() && !s.ends_with(['.', '!', '?']) {
        format!("{s}…")
    } else {
        s.to_string()
    }
}
