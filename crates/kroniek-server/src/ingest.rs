//! Uploads: read → annotate → store, the same steps as `kroniek ingest` (both use
//! `StoredDocument::analyse_with`), without the CLI's files, threads and
//! progress bar. An upload is bounded in size, so it is handled in one go on a blocking
//! thread and written in batches of [`BATCH`] documents, one transaction each.

use kroniek_formats::{Format, Options, Record};
use kroniek_store::{PutOutcome, SqliteStore, Store, StoredDocument};
use serde_json::{json, Value};

use crate::ApiError;

/// Documents per transaction.
const BATCH: usize = 256;
/// At most this many per-record errors and stored documents are listed in the answer.
const LISTED: usize = 200;

/// Turns a record into what the store keeps.
pub(crate) fn analyse(
    record: Record,
    origin: String,
    options: &kroniek_core::AnnotateOptions,
) -> StoredDocument {
    StoredDocument::analyse_with(record.doc, record.warnings, Some(origin), options)
}

/// What the client said about an upload.
pub(crate) struct Upload {
    /// A forced format; guessed from `name` and the first bytes otherwise.
    pub(crate) format: Option<Format>,
    /// A file name, for format guessing and provenance.
    pub(crate) name: String,
    /// A source to give articles that name none.
    pub(crate) source: Option<String>,
    /// What to annotate beyond the default layers (`syntax`: event roles).
    pub(crate) annotate: kroniek_core::AnnotateOptions,
}

/// Reads, annotates and stores every article of `body`; the JSON report of the run.
pub(crate) fn ingest(
    store: &mut SqliteStore,
    body: &[u8],
    upload: &Upload,
    options: &Options,
) -> Result<Value, ApiError> {
    let format = upload
        .format
        .unwrap_or_else(|| kroniek_formats::sniff(&upload.name, &body[..body.len().min(4096)]));
    let origin_name = format!("upload {}", upload.name);
    let (mut read, mut stored, mut present, mut failed) = (0u64, 0u64, 0u64, 0u64);
    let mut errors = Vec::new();
    let mut documents = Vec::new();
    let mut batch: Vec<StoredDocument> = Vec::with_capacity(BATCH);

    let mut flush = |batch: &mut Vec<StoredDocument>,
                     documents: &mut Vec<Value>,
                     stored: &mut u64,
                     present: &mut u64|
     -> Result<(), ApiError> {
        let outcomes = store.put_batch(batch)?;
        for (o, sd) in outcomes.iter().zip(batch.iter()) {
            let outcome = match o {
                PutOutcome::Stored => {
                    *stored += 1;
                    "stored"
                }
                PutOutcome::AlreadyPresent => {
                    *present += 1;
                    "already present"
                }
            };
            if documents.len() < LISTED {
                documents.push(json!({
                    "id": sd.doc.id.to_string(),
                    "title": sd.doc.title,
                    "published": sd.doc.published.to_string(),
                    "language": sd.doc.language.map(|l| l.to_string()),
                    "outcome": outcome,
                    "warnings": sd.warnings,
                }));
            }
        }
        batch.clear();
        Ok(())
    };

    for result in kroniek_formats::read(format, body, options) {
        match result {
            Ok(mut record) => {
                read += 1;
                if record.doc.source.is_none() {
                    if let Some(s) = &upload.source {
                        // The id hashes title and text only, so setting the source keeps it.
                        record.doc.source = Some(s.clone());
                    }
                }
                let origin = if record.locator.is_empty() {
                    origin_name.clone()
                } else {
                    format!("{origin_name} {}", record.locator)
                };
                batch.push(analyse(record, origin, &upload.annotate));
                if batch.len() >= BATCH {
                    flush(&mut batch, &mut documents, &mut stored, &mut present)?;
                }
            }
            Err(e) => {
                failed += 1;
                if errors.len() < LISTED {
                    errors.push(json!({"locator": e.locator, "message": e.message}));
                }
            }
        }
    }
    if !batch.is_empty() {
        flush(&mut batch, &mut documents, &mut stored, &mut present)?;
    }
    if read == 0 {
        let why = errors
            .first()
            .and_then(|e| e["message"].as_str())
            .unwrap_or("nothing readable");
        return Err(ApiError {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            message: format!("no article could be read as {format}: {why}"),
        });
    }
    Ok(json!({
        "format": format.name(),
        "read": read,
        "stored": stored,
        "already_present": present,
        "failed": failed,
        "errors": errors,
        "documents": documents,
    }))
}
