//! The embedded default backend: one SQLite file.
//!
//! Schema changes are numbered migrations applied in order on open (`PRAGMA
//! user_version` holds the version); a store written by a newer kroniek is refused rather
//! than misread. The journal is WAL with `synchronous=NORMAL`: a killed process loses at
//! most the batch it was writing, and readers never block the writer.
//!
//! Full-text search is an FTS5 index without stored content: kroniek puts in the terms
//! produced by `kroniek_core::search` (folded and stemmed per language, which SQLite
//! cannot do for Dutch), and queries go through the same functions.

use std::path::Path;

use kroniek_core::{search, DocId, Document, Lang, PubDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::{
    snippet, Error, PutOutcome, SearchHit, SearchQuery, SearchTerms, Stats, Store,
    StoredAnnotation, StoredDocument,
};

/// Schema migrations; entry `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: documents, annotations, full-text index.
    "CREATE TABLE documents (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT,
        url TEXT,
        title TEXT,
        lang TEXT,
        published TEXT NOT NULL,
        precision TEXT NOT NULL,
        pub_earliest TEXT,
        pub_latest TEXT,
        text TEXT NOT NULL,
        extra TEXT,
        warnings TEXT,
        origin TEXT,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX documents_published ON documents(pub_earliest, pub_latest);
    CREATE INDEX documents_source ON documents(source COLLATE NOCASE);
    CREATE TABLE annotations (
        doc INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
        layer TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        label TEXT NOT NULL,
        attrs TEXT
    );
    CREATE INDEX annotations_doc ON annotations(doc, layer);
    CREATE INDEX annotations_layer ON annotations(layer, label);
    CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
    );",
    // 2: entities across documents (see entities.rs).
    "CREATE TABLE doc_entities (
        doc INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        key TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        names TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (doc, ord)
    );
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        type TEXT NOT NULL,
        names TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        first TEXT,
        last TEXT
    );
    CREATE INDEX entities_key ON entities(key);
    CREATE TABLE entity_mentions (
        doc INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        entity INTEGER NOT NULL
    );
    CREATE INDEX entity_mentions_entity ON entity_mentions(entity, doc);
    CREATE INDEX entity_mentions_doc ON entity_mentions(doc);
    CREATE TABLE entity_aliases (
        alias TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL
    );",
    // 3: a table of store-wide values (`entity_generation` was a cache check of earlier
    // versions and is no longer used).
    "CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta (key, value) VALUES ('entity_generation', 0);",
    // 4: events and claims across articles (see events.rs).
    crate::events::MIGRATION,
    // 5: the entity merger's state as tables, so that ingest reads only the entities a
    // new article could join (see entities.rs).
    crate::entities::INDEX_MIGRATION,
    // 6: claims keep their subject's entity; cached claim groups; an index on language.
    crate::events::MIGRATION_6,
    // 7: conflicts judged between speakers; the cached claim groups rebuilt.
    crate::events::MIGRATION_7,
    // 8: bare amounts are no conflict; the cached claim groups rebuilt.
    crate::events::MIGRATION_8,
    // 9: one article's own number is no dispute with its source's; groups rebuilt.
    crate::events::MIGRATION_9,
];

/// A full-text query error is the user's; anything else is the store's.
pub(crate) fn query_error(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("fts5") => {
            Error::bad_query(msg)
        }
        other => other.into(),
    }
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// A store in one SQLite file.
pub struct SqliteStore {
    pub(crate) conn: Connection,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.conn.path())
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// A store that lives in memory only.
    pub fn in_memory() -> Result<SqliteStore, Error> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<SqliteStore, Error> {
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let version: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error {
                kind: crate::ErrorKind::SchemaTooNew {
                    found: version,
                    supported: SCHEMA_VERSION,
                },
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)?;
            tx.commit()?;
        }
        crate::entities::rebuild_if_needed(&mut self.conn)
    }

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<u32, Error> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when SQLite reports `ok`.
    pub fn integrity_check(&self) -> Result<(), Error> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(Error::corrupt(result))
        }
    }

    /// The underlying connection, for read-only reporting queries that the trait does
    /// not (yet) cover.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn attrs_json(attrs: &[(String, String)]) -> Option<String> {
    if attrs.is_empty() {
        return None;
    }
    let map: Map<String, Value> = attrs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Some(Value::Object(map).to_string())
}

fn fts_term(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Builds an FTS5 match expression: every word (or quoted phrase) must match, in any of
/// its folded or stemmed forms.
pub(crate) fn fts_query(text: &str) -> Result<(String, Vec<Vec<String>>), Error> {
    let langs = [Lang::NL, Lang::EN];
    let mut clauses = Vec::new();
    let mut all_forms = Vec::new();
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 1 {
            // A quoted phrase: the same stemmer across the whole phrase, one alternative per language.
            let words = search::query_alternatives(part, &langs);
            if words.is_empty() {
                continue;
            }
            let mut alternatives: Vec<String> = (0..=langs.len())
                .map(|k| {
                    words
                        .iter()
                        .map(|forms| forms.get(k).unwrap_or(&forms[0]).clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .map(|p| fts_term(&p))
                .collect();
            alternatives.dedup();
            clauses.push(format!("({})", alternatives.join(" OR ")));
            all_forms.extend(words);
        } else {
            for forms in search::query_alternatives(part, &langs) {
                clauses.push(format!(
                    "({})",
                    forms
                        .iter()
                        .map(|f| fts_term(f))
                        .collect::<Vec<_>>()
                        .join(" OR ")
                ));
                all_forms.push(forms);
            }
        }
    }
    if clauses.is_empty() {
        return Err(Error::bad_query("the query has no words to search for"));
    }
    Ok((clauses.join(" AND "), all_forms))
}

fn row_to_document(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, StoredDocument, String)> {
    let rowid: i64 = row.get("rowid")?;
    let id: String = row.get("id")?;
    let published: String = row.get("published")?;
    let lang: Option<String> = row.get("lang")?;
    let mut builder = Document::builder(row.get::<_, String>("text")?)
        .published(PubDate::parse(&published).unwrap_or_default());
    if let Some(t) = row.get::<_, Option<String>>("title")? {
        builder = builder.title(t);
    }
    if let Some(s) = row.get::<_, Option<String>>("source")? {
        builder = builder.source(s);
    }
    if let Some(u) = row.get::<_, Option<String>>("url")? {
        builder = builder.url(u);
    }
    if let Some(e) = row.get::<_, Option<String>>("extra")? {
        builder = builder.extra(e);
    }
    let language = lang.as_deref().and_then(Lang::new);
    let doc = builder.language(language).build();
    let warnings: Vec<String> = row
        .get::<_, Option<String>>("warnings")?
        .and_then(|w| serde_json::from_str(&w).ok())
        .unwrap_or_default();
    let origin: Option<String> = row.get("origin")?;
    Ok((
        rowid,
        StoredDocument {
            doc,
            annotations: Vec::new(),
            warnings,
            origin,
            search_terms: None,
            records: None,
        },
        id,
    ))
}

impl Store for SqliteStore {
    fn put_batch(&mut self, batch: &[StoredDocument]) -> Result<Vec<PutOutcome>, Error> {
        // IMMEDIATE: no other writer can slip in between reading the entities and events
        // a batch joins and writing what it decides.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut new_docs: Vec<(i64, &StoredDocument)> = Vec::new();
        {
            let mut insert_doc = tx.prepare_cached(
                "INSERT INTO documents (id, source, url, title, lang, published, precision, pub_earliest, pub_latest, text, extra, warnings, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT(id) DO NOTHING",
            )?;
            let mut insert_ann = tx.prepare_cached("INSERT INTO annotations (doc, layer, start, end, label, attrs) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
            let mut insert_fts = tx.prepare_cached(
                "INSERT INTO documents_fts (rowid, title, body) VALUES (?1, ?2, ?3)",
            )?;
            for sd in batch {
                let d = &sd.doc;
                let warnings = if sd.warnings.is_empty() {
                    None
                } else {
                    Some(serde_json::to_string(&sd.warnings).unwrap_or_default())
                };
                let changed = insert_doc.execute(params![
                    d.id.to_string(),
                    d.source,
                    d.url,
                    d.title,
                    d.language.map(|l| l.to_string()),
                    d.published.to_string(),
                    d.published.precision().as_str(),
                    d.published.earliest().map(|x| x.to_string()),
                    d.published.latest().map(|x| x.to_string()),
                    d.text,
                    d.extra,
                    warnings,
                    sd.origin,
                ])?;
                if changed == 0 {
                    outcomes.push(PutOutcome::AlreadyPresent);
                    continue;
                }
                let rowid = tx.last_insert_rowid();
                for a in &sd.annotations {
                    insert_ann.execute(params![
                        rowid,
                        a.layer,
                        a.start,
                        a.end,
                        a.label,
                        attrs_json(&a.attrs)
                    ])?;
                }
                let computed;
                let terms = match &sd.search_terms {
                    Some(t) => t,
                    None => {
                        computed = SearchTerms::of(d);
                        &computed
                    }
                };
                insert_fts.execute(params![rowid, terms.title, terms.body])?;
                outcomes.push(PutOutcome::Stored);
                new_docs.push((rowid, sd));
            }
        }
        Self::merge_entities(&tx, &new_docs)?;
        Self::merge_events(&tx, &new_docs)?;
        tx.commit()?;
        Ok(outcomes)
    }

    fn contains(&self, id: DocId) -> Result<bool, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM documents WHERE id = ?1",
                [id.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn get(&self, id: DocId) -> Result<Option<StoredDocument>, Error> {
        let found = self
            .conn
            .query_row(
                "SELECT * FROM documents WHERE id = ?1",
                [id.to_string()],
                row_to_document,
            )
            .optional()?;
        let Some((rowid, mut sd, stored_id)) = found else {
            return Ok(None);
        };
        if sd.doc.id != id {
            return Err(Error::corrupt(format!(
                "document {stored_id} does not hash to its id"
            )));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT layer, start, end, label, attrs FROM annotations WHERE doc = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([rowid], |r| {
            let attrs: Option<String> = r.get(4)?;
            let attrs = attrs
                .and_then(|a| serde_json::from_str::<Map<String, Value>>(&a).ok())
                .map(|m| {
                    m.into_iter()
                        .map(|(k, v)| {
                            (
                                k,
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(StoredAnnotation {
                layer: r.get(0)?,
                start: r.get(1)?,
                end: r.get(2)?,
                label: r.get(3)?,
                attrs,
            })
        })?;
        for a in rows {
            sd.annotations.push(a?);
        }
        Ok(Some(sd))
    }

    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<DocId>, Error> {
        let prefix: String = prefix
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect::<String>()
            .to_ascii_lowercase();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM documents WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3",
        )?;
        let upper = format!("{prefix}g");
        let rows = stmt.query_map(params![prefix, upper, limit as i64], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for id in rows {
            out.extend(DocId::parse(&id?));
        }
        Ok(out)
    }

    fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>, Error> {
        let (expr, forms) = fts_query(&q.text)?;
        // Ranked on the index alone (row ids and scores), then the page's articles are
        // read: a common word must not sort every matching article's text.
        let mut sql = String::from(
            "SELECT documents_fts.rowid AS hit, bm25(documents_fts, 2.0, 1.0) AS rank
             FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid
             WHERE documents_fts MATCH ?1",
        );
        let mut args: Vec<String> = vec![expr];
        let mut push = |clause: &str, v: String, args: &mut Vec<String>| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(l) = q.language {
            push(" AND d.lang = ?", l.to_string(), &mut args);
        }
        if let Some(s) = &q.source {
            push(" AND d.source = ? COLLATE NOCASE", s.clone(), &mut args);
        }
        if let Some(f) = &q.from {
            push(" AND d.pub_latest >= ?", f.clone(), &mut args);
        }
        if let Some(t) = &q.to {
            push(" AND d.pub_earliest <= ?", t.clone(), &mut args);
        }
        if let Some(e) = q.entity {
            sql.push_str(&format!(
                " AND d.rowid IN (SELECT doc FROM entity_mentions WHERE entity = {e})"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY rank LIMIT {} OFFSET {}",
            q.limit.max(1),
            q.offset
        ));
        let sql = format!(
            "SELECT d.id, d.title, d.source, d.published, d.lang, d.text, h.rank
             FROM ({sql}) h JOIN documents d ON d.rowid = h.hit ORDER BY h.rank"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let params: Vec<&dyn rusqlite::ToSql> =
            args.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
        let rows = stmt.query_map(params.as_slice(), |r| {
            let text: String = r.get(5)?;
            let id: String = r.get(0)?;
            Ok((
                id,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                text,
                r.get::<_, f64>(6)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (id, title, source, published, language, text, rank) = row.map_err(query_error)?;
            let id = DocId::parse(&id)
                .ok_or_else(|| Error::corrupt(format!("bad document id {id:?}")))?;
            hits.push(SearchHit {
                id,
                title,
                source,
                published,
                language,
                snippet: snippet(&text, &forms),
                score: -rank,
            });
        }
        Ok(hits)
    }

    fn document_count(&self) -> Result<u64, Error> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn stats(&self) -> Result<Stats, Error> {
        let (documents, text_bytes): (i64, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(length(CAST(text AS BLOB))), 0) FROM documents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let group = |sql: &str| -> Result<Vec<(String, u64)>, Error> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let date_range = self.conn.query_row("SELECT min(pub_earliest), max(pub_latest) FROM documents WHERE pub_earliest IS NOT NULL", [], |r| {
            Ok(match (r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => None,
            })
        })?;
        Ok(Stats {
            documents: documents as u64,
            text_bytes: text_bytes as u64,
            languages: group(
                "SELECT coalesce(lang, 'unknown'), count(*) FROM documents GROUP BY 1 ORDER BY 1",
            )?,
            precisions: group("SELECT precision, count(*) FROM documents GROUP BY 1 ORDER BY 1")?,
            layers: group("SELECT layer, count(*) FROM annotations GROUP BY 1 ORDER BY 1")?,
            documents_with_warnings: self.conn.query_row(
                "SELECT count(*) FROM documents WHERE warnings IS NOT NULL",
                [],
                |r| r.get::<_, i64>(0),
            )? as u64,
            date_range,
            schema_version: self.schema_version()?,
        })
    }
}
