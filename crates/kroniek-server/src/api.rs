//! The JSON API under `/api/`. The OpenAPI description in `openapi.json` documents every
//! route here; keep the two in step.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use kroniek_core::{DocId, Lang, PubDate};
use kroniek_formats::{Format, Options};
use kroniek_store::{SearchQuery, SqliteStore, Store, StoredDocument};
use rusqlite::types::Value as SqlValue;
use rusqlite::OptionalExtension;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::{ApiError, State as AppState, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET};

type Shared = Arc<AppState>;
type ApiResult = Result<Json<Value>, ApiError>;

/// The largest number of documents one timeline request places.
pub(crate) const MAX_TIMELINE_DOCS: usize = 500;
/// The largest number of dated annotations one timeline request returns.
pub(crate) const MAX_TIMELINE_ITEMS: usize = 5000;

pub(crate) fn routes(state: Shared) -> Router {
    let upload_limit = state.config.max_upload_bytes;
    Router::new()
        .route("/api", get(index))
        .route("/api/", get(index))
        .route("/api/openapi.json", get(openapi))
        .route("/api/stats", get(stats))
        .route("/api/search", get(search))
        .route("/api/documents", get(documents))
        .route("/api/documents/{id}", get(document))
        .route("/api/layers/{layer}", get(layer))
        .route("/api/timeline", get(timeline_events))
        .route("/api/timeline/documents", get(timeline))
        .route("/api/events/{id}", get(event))
        .route("/api/claims", get(claims))
        .route("/api/topic", get(topic))
        .route("/api/entities", get(entities))
        .route("/api/entities/{id}", get(entity))
        .route(
            "/api/ingest",
            post(ingest).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .with_state(state)
}

async fn index() -> Json<Value> {
    Json(json!({
        "name": "kroniek",
        "version": env!("CARGO_PKG_VERSION"),
        "openapi": "/api/openapi.json",
    }))
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}

// ---------------------------------------------------------------- parameters

/// Paging and the filters shared by search, document lists and timelines.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Filters {
    q: Option<String>,
    lang: Option<String>,
    source: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    sort: Option<String>,
    label: Option<String>,
    doc: Option<String>,
    layer: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    #[serde(rename = "type")]
    etype: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn number(name: &str, given: Option<&str>, default: usize, max: usize) -> Result<usize, ApiError> {
    let Some(given) = given else {
        return Ok(default);
    };
    let n: usize = given.trim().parse().map_err(|_| {
        ApiError::bad_request(format!("{name} must be a whole number, not {given:?}"))
    })?;
    if n > max {
        return Err(ApiError::bad_request(format!(
            "{name} must be at most {max}"
        )));
    }
    Ok(n)
}

impl Filters {
    fn page(&self, max_limit: usize) -> Result<(usize, usize), ApiError> {
        let limit = number(
            "limit",
            nonempty(&self.limit),
            DEFAULT_LIMIT.min(max_limit),
            max_limit,
        )?;
        if limit == 0 {
            return Err(ApiError::bad_request("limit must be at least 1"));
        }
        let offset = number("offset", nonempty(&self.offset), 0, MAX_OFFSET)?;
        Ok((limit, offset))
    }

    fn lang(&self) -> Result<Option<Lang>, ApiError> {
        nonempty(&self.lang)
            .map(|l| {
                Lang::parse(l).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "lang must be a two-letter language code such as nl or en, not {l:?}"
                    ))
                })
            })
            .transpose()
    }

    /// `from` as the first day it can denote, `to` as the last (`2019-02` → `2019-02-28`).
    fn range(&self) -> Result<(Option<String>, Option<String>), ApiError> {
        let day = |name: &str, v: Option<&str>, last: bool| -> Result<Option<String>, ApiError> {
            let Some(v) = v else { return Ok(None) };
            let d = PubDate::parse(v)
                .filter(|d| !d.is_unknown())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} must be a date YYYY, YYYY-MM or YYYY-MM-DD, not {v:?}"
                    ))
                })?;
            let bound = if last { d.latest() } else { d.earliest() };
            Ok(bound.map(|b| b.to_string()))
        };
        let from = day("from", nonempty(&self.from), false)?;
        let to = day("to", nonempty(&self.to), true)?;
        if let (Some(f), Some(t)) = (&from, &to) {
            if f > t {
                return Err(ApiError::bad_request("from must not be after to"));
            }
        }
        Ok((from, to))
    }

    /// `entity_id`: the numeric id of a merged entity (`/api/entities`).
    fn entity_id(&self) -> Result<Option<u32>, ApiError> {
        nonempty(&self.entity_id)
            .map(|v| parse_entity_id(v, "entity_id"))
            .transpose()
    }

    /// The echo of the filters that were applied, for the answer.
    fn echo(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in [
            ("q", &self.q),
            ("lang", &self.lang),
            ("source", &self.source),
            ("from", &self.from),
            ("to", &self.to),
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
        ] {
            if let Some(v) = nonempty(v) {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

fn query<T: Default>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    Ok(q?.0)
}

// ---------------------------------------------------------------- handlers

/// What `/api/stats` depends on: the last document and annotation row ids (the store
/// only ever appends them) and the schema version.
pub(crate) type StatsKey = (Option<i64>, Option<i64>, u32);

/// The `/api/stats` answer, from `state.stats` when the store has not changed since it
/// was counted.
pub(crate) fn cached_stats(st: &AppState, store: &mut SqliteStore) -> Result<Value, ApiError> {
    let key: StatsKey = store.connection().query_row(
        "SELECT (SELECT max(rowid) FROM documents), (SELECT max(rowid) FROM annotations),
                (SELECT user_version FROM pragma_user_version)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if let Some((k, v)) = st.stats.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        if *k == key {
            return Ok(v.clone());
        }
    }
    let s = store.stats()?;
    let pairs = |v: &[(String, u64)]| -> Value {
        Value::Object(v.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
    };
    let conn = store.connection();
    let mut stmt = conn.prepare_cached(
        "SELECT source, count(*) FROM documents WHERE source IS NOT NULL
         GROUP BY source COLLATE NOCASE ORDER BY 2 DESC, 1 LIMIT 200",
    )?;
    let sources = stmt
        .query_map([], |r| {
            Ok(json!({"source": r.get::<_, String>(0)?, "documents": r.get::<_, i64>(1)?}))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let v = json!({
        "documents": s.documents,
        "text_bytes": s.text_bytes,
        "languages": pairs(&s.languages),
        "precisions": pairs(&s.precisions),
        "layers": pairs(&s.layers),
        "documents_with_warnings": s.documents_with_warnings,
        "date_range": s.date_range.map(|(a, b)| json!({"from": a, "to": b})),
        "schema_version": s.schema_version,
        "sources": sources,
    });
    *st.stats.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, v.clone()));
    Ok(v)
}

async fn stats(State(st): State<Shared>) -> ApiResult {
    let state = st.clone();
    st.pool
        .clone()
        .run(move |store| {
            let mut v = cached_stats(&state, store)?;
            v["uploads_allowed"] = json!(state.config.allow_upload);
            Ok(Json(v))
        })
        .await
}

async fn search(State(st): State<Shared>, q: Result<Query<Filters>, QueryRejection>) -> ApiResult {
    let f = query(q)?;
    let (limit, offset) = f.page(MAX_LIMIT)?;
    let Some(text) = nonempty(&f.q).map(str::to_string) else {
        return Err(ApiError::bad_request(
            "q (the words to search for) is required",
        ));
    };
    let (from, to) = f.range()?;
    let entity = nonempty(&f.entity).map(str::to_string);
    // A merged entity filters inside the ranked search; a name or key narrows after it.
    let entity_id = f.entity_id()?;
    let narrowed = entity.is_some();
    let sq = SearchQuery {
        text,
        language: f.lang()?,
        source: nonempty(&f.source).map(str::to_string),
        from,
        to,
        entity: entity_id,
        limit: if narrowed {
            ENTITY_SEARCH_WINDOW
        } else {
            limit + 1
        },
        offset: if narrowed { 0 } else { offset },
    };
    let echo = f.echo();
    st.pool
        .clone()
        .run(move |store| {
            let mut hits = store.search(&sq)?;
            if let Some(entity) = &entity {
                let ids: Vec<String> = hits.iter().map(|h| h.id.to_string()).collect();
                let keep = narrow(store.connection(), &ids, entity)?;
                hits.retain(|h| keep.contains(&h.id.to_string()));
                hits.drain(..offset.min(hits.len()));
            }
            let has_more = hits.len() > limit;
            hits.truncate(limit);
            let results: Vec<Value> = hits
                .iter()
                .map(|h| {
                    json!({
                        "id": h.id.to_string(), "title": h.title, "source": h.source,
                        "published": h.published, "language": h.language,
                        "snippet": h.snippet, "score": h.score,
                    })
                })
                .collect();
            Ok(Json(json!({
                "query": echo, "limit": limit, "offset": offset,
                "has_more": has_more, "results": results,
            })))
        })
        .await
}

/// Search hits considered when an entity filter narrows a full-text search (the filter
/// applies after ranking).
pub(crate) const ENTITY_SEARCH_WINDOW: usize = 1000;

/// The clause "the document mentions this entity": an `entity` annotation whose `key`
/// attribute or text equals parameter `?n` (case-insensitive). The documents table must
/// be in scope as `documents`.
fn entity_clause(n: usize) -> String {
    format!(
        " AND EXISTS (SELECT 1 FROM annotations ea WHERE ea.doc = documents.rowid AND ea.layer = 'entity' \
         AND (json_extract(ea.attrs, '$.key') = ?{n} COLLATE NOCASE \
         OR CAST(substr(CAST(documents.text AS BLOB), ea.start + 1, ea.end - ea.start) AS TEXT) = ?{n} COLLATE NOCASE))"
    )
}

/// The clause "the document mentions the merged entity with id `?n`" (`entity_mentions`).
fn entity_id_clause(n: usize) -> String {
    format!(" AND documents.rowid IN (SELECT doc FROM entity_mentions WHERE entity = ?{n})")
}

fn parse_entity_id(v: &str, name: &str) -> Result<u32, ApiError> {
    v.trim()
        .trim_start_matches('#')
        .parse::<u32>()
        .map_err(|_| {
            ApiError::bad_request(format!(
                "{name} must be an entity id (a whole number), not {v:?}"
            ))
        })
}

/// Of `ids`, those whose document mentions `entity` (a key or name). (A merged entity,
/// `entity_id`, filters inside the search itself: `SearchQuery::entity`.)
fn narrow(
    conn: &rusqlite::Connection,
    ids: &[String],
    entity: &str,
) -> Result<std::collections::HashSet<String>, ApiError> {
    mentioning(
        conn,
        ids,
        SqlValue::Text(entity.to_string()),
        entity_clause(1),
    )
}

/// Of `ids`, those whose document passes `clause` (which names its argument `?1`).
fn mentioning(
    conn: &rusqlite::Connection,
    ids: &[String],
    arg: SqlValue,
    clause: String,
) -> Result<std::collections::HashSet<String>, ApiError> {
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let marks = (2..chunk.len() + 2)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut args: Vec<SqlValue> = vec![arg.clone()];
        args.extend(chunk.iter().map(|i| SqlValue::Text(i.clone())));
        let mut stmt = conn.prepare(&format!(
            "SELECT id FROM documents WHERE id IN ({marks}){clause}"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        for id in rows {
            out.insert(id?);
        }
    }
    Ok(out)
}

/// `WHERE` clauses and arguments for the document filters.
fn doc_filters(f: &Filters) -> Result<(String, Vec<SqlValue>), ApiError> {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<SqlValue> = Vec::new();
    if let Some(l) = f.lang()? {
        args.push(SqlValue::Text(l.to_string()));
        sql.push_str(&format!(" AND lang = ?{}", args.len()));
    }
    if let Some(s) = nonempty(&f.source) {
        args.push(SqlValue::Text(s.to_string()));
        sql.push_str(&format!(" AND source = ?{} COLLATE NOCASE", args.len()));
    }
    let (from, to) = f.range()?;
    if let Some(v) = from {
        args.push(SqlValue::Text(v));
        sql.push_str(&format!(" AND pub_latest >= ?{}", args.len()));
    }
    if let Some(v) = to {
        args.push(SqlValue::Text(v));
        sql.push_str(&format!(" AND pub_earliest <= ?{}", args.len()));
    }
    if let Some(e) = nonempty(&f.entity) {
        args.push(SqlValue::Text(e.to_string()));
        sql.push_str(&entity_clause(args.len()));
    }
    if let Some(id) = f.entity_id()? {
        args.push(SqlValue::Integer(id.into()));
        sql.push_str(&entity_id_clause(args.len()));
    }
    Ok((sql, args))
}

fn order_by(f: &Filters) -> Result<&'static str, ApiError> {
    Ok(match nonempty(&f.sort).unwrap_or("date") {
        "date" => " ORDER BY pub_earliest IS NULL, pub_earliest, pub_latest, id",
        // NULLs (undated) sort last in descending order, so the index serves this.
        "-date" => " ORDER BY pub_earliest DESC, pub_latest DESC, id",
        "id" => " ORDER BY id",
        other => {
            return Err(ApiError::bad_request(format!(
                "sort must be date, -date or id, not {other:?}"
            )))
        }
    })
}

fn doc_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let warnings: Option<String> = r.get("warnings")?;
    let warnings = warnings
        .and_then(|w| serde_json::from_str::<Vec<String>>(&w).ok())
        .unwrap_or_default();
    Ok(json!({
        "id": r.get::<_, String>("id")?,
        "title": r.get::<_, Option<String>>("title")?,
        "source": r.get::<_, Option<String>>("source")?,
        "published": r.get::<_, String>("published")?,
        "precision": r.get::<_, String>("precision")?,
        "pub_earliest": r.get::<_, Option<String>>("pub_earliest")?,
        "pub_latest": r.get::<_, Option<String>>("pub_latest")?,
        "language": r.get::<_, Option<String>>("lang")?,
        "bytes": r.get::<_, i64>("bytes")?,
        "warnings": warnings,
    }))
}

const SUMMARY_COLUMNS: &str = "rowid, id, title, source, published, precision, pub_earliest, \
     pub_latest, lang, length(CAST(text AS BLOB)) AS bytes, warnings";

async fn documents(
    State(st): State<Shared>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult {
    let f = query(q)?;
    let (limit, offset) = f.page(MAX_LIMIT)?;
    let (filter, args) = doc_filters(&f)?;
    let order = order_by(&f)?;
    let echo = f.echo();
    st.pool
        .clone()
        .run(move |store| {
            let conn = store.connection();
            let total: i64 = conn.query_row(
                &format!("SELECT count(*) FROM documents{filter}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM documents{filter}{order} LIMIT {limit} OFFSET {offset}"
            ))?;
            let docs = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), doc_summary)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(json!({
                "query": echo, "total": total, "limit": limit, "offset": offset,
                "documents": docs,
            })))
        })
        .await
}

/// Finds a document by its full id or an unambiguous prefix of at least 4 hex digits.
fn resolve(store: &SqliteStore, given: &str) -> Result<DocId, ApiError> {
    let given = given.trim();
    if let Some(id) = DocId::parse(given) {
        return Ok(id);
    }
    if given.len() < 4 || given.len() > 16 || !given.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(format!(
            "{given:?} is not a document id (16 hexadecimal digits, or a prefix of at least 4)"
        )));
    }
    let ids = store.ids_with_prefix(given, 2)?;
    match ids.as_slice() {
        [] => Err(ApiError::not_found(format!(
            "no document id starts with {given}"
        ))),
        [one] => Ok(*one),
        _ => Err(ApiError::bad_request(format!(
            "{given} is ambiguous: more than one document id starts with it"
        ))),
    }
}

/// The text of every attribute whose value is a byte span `a-b` of `text` (an event's
/// `anchor` or `source`, an attribution's `cue`), keyed like the attribute.
fn span_texts<'a>(attrs: impl Iterator<Item = (&'a str, &'a str)>, text: &str) -> Value {
    let mut out = Map::new();
    for (k, v) in attrs {
        if let Some((s, e)) = parse_span(v) {
            if s >= 0 && s < e {
                if let Some(t) = text.get(s as usize..e as usize) {
                    out.insert(k.to_string(), json!(t));
                }
            }
        }
    }
    Value::Object(out)
}

fn annotation_json(text: &str, a: &kroniek_store::StoredAnnotation) -> Value {
    let attrs: Map<String, Value> = a.attrs.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let mut o = json!({
        "layer": a.layer, "start": a.start, "end": a.end, "label": a.label,
        "attrs": attrs,
        "text": text.get(a.start as usize..a.end as usize).unwrap_or(""),
    });
    let spans = span_texts(a.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())), text);
    if spans.as_object().is_some_and(|m| !m.is_empty()) {
        o["attr_text"] = spans;
    }
    o
}

fn document_json(sd: &StoredDocument, layer: Option<&str>) -> Value {
    let d = &sd.doc;
    let mut layers: BTreeMap<&str, u64> = BTreeMap::new();
    for a in &sd.annotations {
        *layers.entry(a.layer.as_str()).or_default() += 1;
    }
    let anns: Vec<Value> = sd
        .annotations
        .iter()
        .filter(|a| layer.is_none_or(|l| a.layer == l))
        .map(|a| annotation_json(&d.text, a))
        .collect();
    json!({
        "id": d.id.to_string(), "title": d.title, "source": d.source, "url": d.url,
        "published": d.published.to_string(),
        "precision": d.published.precision().as_str(),
        "pub_earliest": d.published.earliest().map(|x| x.to_string()),
        "pub_latest": d.published.latest().map(|x| x.to_string()),
        "language": d.language.map(|l| l.to_string()),
        "origin": sd.origin, "warnings": sd.warnings,
        "extra": d.extra.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok()),
        "text": d.text,
        "layers": layers,
        "annotations": anns,
    })
}

async fn document(
    State(st): State<Shared>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult {
    let Path(given) = id?;
    let f = query(q)?;
    let layer = nonempty(&f.layer).map(str::to_string);
    st.pool
        .clone()
        .run(move |store| {
            let id = resolve(store, &given)?;
            let sd = store
                .get(id)?
                .ok_or_else(|| ApiError::not_found(format!("no document {id}")))?;
            let mut v = document_json(&sd, layer.as_deref());
            attach_entity_ids(store.connection(), &id.to_string(), &mut v)?;
            Ok(Json(v))
        })
        .await
}

/// Gives each `entity` annotation of a document answer the id of the merged entity it
/// was assigned (`entity_id`), from `entity_mentions`.
fn attach_entity_ids(
    conn: &rusqlite::Connection,
    doc: &str,
    v: &mut Value,
) -> Result<(), ApiError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.start, m.end, m.entity FROM entity_mentions m
         WHERE m.doc = (SELECT rowid FROM documents WHERE id = ?1)",
    )?;
    let ids: HashMap<(i64, i64), i64> = stmt
        .query_map([doc], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(());
    }
    if let Some(anns) = v.get_mut("annotations").and_then(Value::as_array_mut) {
        for a in anns {
            if a["layer"] != "entity" {
                continue;
            }
            let span = (
                a["start"].as_i64().unwrap_or(-1),
                a["end"].as_i64().unwrap_or(-1),
            );
            if let Some(id) = ids.get(&span) {
                a["entity_id"] = json!(id);
            }
        }
    }
    Ok(())
}

fn check_layer_name(layer: &str) -> Result<(), ApiError> {
    if layer.is_empty()
        || layer.len() > 40
        || !layer
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(ApiError::bad_request(format!(
            "{layer:?} is not a layer name (lower-case letters, digits, - and _)"
        )));
    }
    Ok(())
}

fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn attrs_value(attrs: Option<String>) -> Value {
    attrs
        .and_then(|a| serde_json::from_str::<Value>(&a).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}))
}

async fn layer(
    State(st): State<Shared>,
    layer: Result<Path<String>, PathRejection>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult {
    let Path(layer) = layer?;
    check_layer_name(&layer)?;
    let f = query(q)?;
    let (limit, offset) = f.page(MAX_LIMIT)?;
    let mut sql =
        String::from(" FROM annotations a JOIN documents d ON d.rowid = a.doc WHERE a.layer = ?1");
    let mut args: Vec<SqlValue> = vec![SqlValue::Text(layer.clone())];
    if let Some(label) = nonempty(&f.label) {
        args.push(SqlValue::Text(label.to_string()));
        sql.push_str(&format!(" AND a.label = ?{}", args.len()));
    }
    if let Some(text) = nonempty(&f.q) {
        args.push(SqlValue::Text(like_pattern(text)));
        let n = args.len();
        sql.push_str(&format!(
            " AND (CAST(substr(CAST(d.text AS BLOB), a.start + 1, a.end - a.start) AS TEXT) LIKE ?{n} ESCAPE '\\' \
             OR a.attrs LIKE ?{n} ESCAPE '\\')"
        ));
    }
    let needs_text = nonempty(&f.q).is_some();
    let doc_prefix = nonempty(&f.doc).map(str::to_string);
    let echo = json!({"layer": layer, "label": nonempty(&f.label), "q": nonempty(&f.q), "doc": doc_prefix});
    st.pool
        .clone()
        .run(move |store| {
            let mut sql = sql;
            let mut args = args;
            if let Some(given) = doc_prefix {
                let id = resolve(store, &given)?;
                args.push(SqlValue::Text(id.to_string()));
                sql.push_str(&format!(
                    " AND a.doc = (SELECT rowid FROM documents WHERE id = ?{})",
                    args.len()
                ));
            }
            let conn = store.connection();
            // Counting needs the documents only to look into their text.
            let count_sql = if needs_text {
                sql.clone()
            } else {
                sql.replacen(" JOIN documents d ON d.rowid = a.doc", "", 1)
            };
            let total: i64 = conn.query_row(
                &format!("SELECT count(*){count_sql}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare(&format!(
                "SELECT d.id, d.title, d.source, d.published, a.start, a.end, a.label, a.attrs,
                        substr(CAST(d.text AS BLOB), a.start + 1, a.end - a.start)
                 {sql} ORDER BY a.doc, a.rowid LIMIT {limit} OFFSET {offset}"
            ))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                    let surface: Option<Vec<u8>> = r.get(8)?;
                    Ok(json!({
                        "doc": r.get::<_, String>(0)?,
                        "title": r.get::<_, Option<String>>(1)?,
                        "source": r.get::<_, Option<String>>(2)?,
                        "published": r.get::<_, String>(3)?,
                        "start": r.get::<_, i64>(4)?,
                        "end": r.get::<_, i64>(5)?,
                        "label": r.get::<_, String>(6)?,
                        "attrs": attrs_value(r.get(7)?),
                        "text": String::from_utf8_lossy(&surface.unwrap_or_default()),
                    }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(json!({
                "query": echo, "total": total, "limit": limit, "offset": offset,
                "annotations": rows,
            })))
        })
        .await
}

/// The sentence around `[start, end)`, with the span's offsets inside it.
fn context(text: &str, sentences: &[(usize, usize)], start: usize, end: usize) -> Value {
    let (s, e) = sentences
        .iter()
        .copied()
        .find(|&(s, e)| s <= start && end <= e)
        .unwrap_or((start, end));
    match text.get(s..e) {
        Some(sentence) => json!({"text": sentence, "start": start - s, "end": end - s}),
        None => Value::Null,
    }
}

/// A date attribute usable on the time axis: `YYYY-MM-DD`.
fn axis_day(v: Option<&Value>) -> Option<String> {
    let s = v?.as_str()?.trim();
    match PubDate::parse(s)? {
        PubDate::Day(d) => Some(d.to_string()),
        _ => None,
    }
}

/// `a-b` → the byte span `(a, b)`.
fn parse_span(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Where an annotation lies on the time axis: its own `earliest`/`latest`, else that of
/// the time expression its `anchor` names, else the publication date when it is anchored
/// before or after publication. Also says what it was anchored to.
fn interval(
    attrs: &Value,
    dated: &HashMap<(i64, i64), (String, String)>,
    doc: &Value,
    text: &str,
) -> Option<(String, String, Value)> {
    if let (Some(e), Some(l)) = (
        axis_day(attrs.get("earliest")),
        axis_day(attrs.get("latest")),
    ) {
        return Some((e, l, Value::Null));
    }
    let anchor = attrs.get("anchor")?.as_str()?;
    if let Some((s, e)) = parse_span(anchor) {
        let (earliest, latest) = dated.get(&(s, e))?;
        let surface = text.get(s.max(0) as usize..e.max(0) as usize).unwrap_or("");
        return Some((
            earliest.clone(),
            latest.clone(),
            json!({"kind": "time expression", "start": s, "end": e, "text": surface}),
        ));
    }
    let earliest = axis_day(doc.get("pub_earliest"))?;
    let latest = axis_day(doc.get("pub_latest"))?;
    Some((earliest, latest, json!({ "kind": anchor })))
}

/// `GET /api/timeline/documents`: documents and their dated annotations (the article and
/// time-expression bands of the timeline page).
async fn timeline(
    State(st): State<Shared>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult {
    let f = query(q)?;
    let (limit, offset) = {
        let f2 = Filters {
            limit: f.limit.clone().or_else(|| Some("100".into())),
            offset: f.offset.clone(),
            ..Filters::default()
        };
        f2.page(MAX_TIMELINE_DOCS)?
    };
    let text = nonempty(&f.q).map(str::to_string);
    let (from, to) = f.range()?;
    let lang = f.lang()?;
    let source = nonempty(&f.source).map(str::to_string);
    let entity = nonempty(&f.entity).map(str::to_string);
    let entity_id = f.entity_id()?;
    // With words, a merged entity filters inside the ranked search; a name or key narrows
    // after it. Without words, `doc_filters` handles both.
    let narrowed = entity.is_some();
    let (filter, args) = doc_filters(&f)?;
    // Which layers to draw besides the documents: every layer whose annotations carry an
    // `earliest`/`latest` interval (time expressions today, events later), unless narrowed.
    let wanted: Option<Vec<String>> = nonempty(&f.layer).map(|l| {
        l.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    });
    if let Some(w) = &wanted {
        for l in w {
            check_layer_name(l)?;
        }
    }
    let echo = f.echo();
    st.pool
        .clone()
        .run(move |store| {
            let conn = store.connection();
            // 1. The documents: search hits, or everything that passes the filters.
            let (docs, has_more) = if let Some(text) = text {
                let mut hits = store.search(&SearchQuery {
                    text,
                    language: lang,
                    source,
                    from,
                    to,
                    entity: entity_id,
                    limit: if narrowed {
                        ENTITY_SEARCH_WINDOW
                    } else {
                        limit + 1
                    },
                    offset: if narrowed { 0 } else { offset },
                })?;
                if let Some(entity) = &entity {
                    let ids: Vec<String> = hits.iter().map(|h| h.id.to_string()).collect();
                    let keep = narrow(conn, &ids, entity)?;
                    hits.retain(|h| keep.contains(&h.id.to_string()));
                    hits.drain(..offset.min(hits.len()));
                }
                let has_more = hits.len() > limit;
                let ids: Vec<SqlValue> = hits
                    .iter()
                    .take(limit)
                    .map(|h| SqlValue::Text(h.id.to_string()))
                    .collect();
                let mut docs = Vec::new();
                if !ids.is_empty() {
                    let marks = vec!["?"; ids.len()].join(",");
                    let mut stmt = conn.prepare(&format!(
                        "SELECT {SUMMARY_COLUMNS} FROM documents WHERE id IN ({marks})"
                    ))?;
                    let rows = stmt.query_map(rusqlite::params_from_iter(ids.iter()), |r| {
                        Ok((r.get::<_, i64>(0)?, doc_summary(r)?))
                    })?;
                    for row in rows {
                        docs.push(row?);
                    }
                }
                (docs, has_more)
            } else {
                let mut stmt = conn.prepare(&format!(
                    "SELECT {SUMMARY_COLUMNS} FROM documents{filter}
                     AND pub_earliest IS NOT NULL
                     ORDER BY pub_earliest, pub_latest, id LIMIT {} OFFSET {offset}",
                    limit + 1
                ))?;
                let mut docs = stmt
                    .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                        Ok((r.get::<_, i64>(0)?, doc_summary(r)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                let has_more = docs.len() > limit;
                docs.truncate(limit);
                (docs, has_more)
            };

            // 2. Their dated annotations, with the sentence each stands in: annotations with
            //    an `earliest`/`latest` interval (time expressions), and annotations
            //    anchored to one (`anchor` = the byte span of a time expression, as events
            //    carry it) or to the publication date (`before-`/`after-publication`).
            let mut items = Vec::new();
            let mut truncated = false;
            let mut ann_stmt = conn.prepare_cached(
                "SELECT layer, start, end, label, attrs FROM annotations
                 WHERE doc = ?1 AND layer != 'sentence'
                   AND (attrs LIKE '%\"earliest\"%' OR attrs LIKE '%\"anchor\"%')
                 ORDER BY start",
            )?;
            let mut sent_stmt = conn.prepare_cached(
                "SELECT start, end FROM annotations WHERE doc = ?1 AND layer = 'sentence' ORDER BY start",
            )?;
            let mut text_stmt =
                conn.prepare_cached("SELECT text FROM documents WHERE rowid = ?1")?;
            for (rowid, doc) in &docs {
                if items.len() >= MAX_TIMELINE_ITEMS {
                    truncated = true;
                    break;
                }
                let anns = ann_stmt
                    .query_map([rowid], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, String>(3)?,
                            attrs_value(r.get(4)?),
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                if anns.is_empty() {
                    continue;
                }
                let dated: HashMap<(i64, i64), (String, String)> = anns
                    .iter()
                    .filter_map(|(_, s, e, _, attrs)| {
                        Some((
                            (*s, *e),
                            (
                                axis_day(attrs.get("earliest"))?,
                                axis_day(attrs.get("latest"))?,
                            ),
                        ))
                    })
                    .collect();
                let text: String = text_stmt.query_row([rowid], |r| r.get(0))?;
                let sentences: Vec<(usize, usize)> = sent_stmt
                    .query_map([rowid], |r| {
                        Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                for (layer, start, end, label, attrs) in anns {
                    if wanted.as_ref().is_some_and(|w| !w.contains(&layer)) {
                        continue;
                    }
                    let Some((earliest, latest, anchor)) =
                        interval(&attrs, &dated, doc, &text)
                    else {
                        continue;
                    };
                    if items.len() >= MAX_TIMELINE_ITEMS {
                        truncated = true;
                        break;
                    }
                    let (s, e) = (start.max(0) as usize, end.max(0) as usize);
                    items.push(json!({
                        "kind": layer,
                        "doc": doc["id"],
                        "title": doc["title"],
                        "source": doc["source"],
                        "published": doc["published"],
                        "start": start, "end": end,
                        "label": label,
                        "text": text.get(s..e).unwrap_or(""),
                        "earliest": earliest, "latest": latest,
                        "anchor": anchor,
                        "attr_text": span_texts(
                            attrs
                                .as_object()
                                .into_iter()
                                .flatten()
                                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))),
                            &text,
                        ),
                        "attrs": attrs,
                        "context": context(&text, &sentences, s, e),
                    }));
                }
            }
            let documents: Vec<Value> = docs.into_iter().map(|(_, d)| d).collect();
            let mut kinds: HashMap<String, u64> = HashMap::new();
            for i in &items {
                if let Some(k) = i["kind"].as_str() {
                    *kinds.entry(k.to_string()).or_default() += 1;
                }
            }
            Ok(Json(json!({
                "query": echo, "limit": limit, "offset": offset, "has_more": has_more,
                "documents": documents, "items": items, "kinds": kinds,
                "items_truncated": truncated,
            })))
        })
        .await
}

// ---------------------------------------------------------------- entities

const ENTITY_TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

/// How many co-occurring entities an entity profile lists.
const MAX_COOCCURRING: usize = 20;

fn entity_summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": r.get::<_, i64>(0)?,
        "name": r.get::<_, String>(1)?,
        "type": r.get::<_, String>(2)?,
        "mentions": r.get::<_, i64>(3)?,
        "articles": r.get::<_, i64>(4)?,
        "first": r.get::<_, Option<String>>(5)?,
        "last": r.get::<_, Option<String>>(6)?,
    }))
}

/// `GET /api/entities?q=&type=`: merged entities, most mentioned first. `q` matches the
/// canonical name, any name seen, or a user alias (substring, case-insensitive for ASCII).
async fn entities(
    State(st): State<Shared>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult {
    let f = query(q)?;
    let (limit, offset) = f.page(MAX_LIMIT)?;
    let mut sql = String::from(" FROM entities WHERE 1 = 1");
    let mut args: Vec<SqlValue> = Vec::new();
    let etype = match nonempty(&f.etype) {
        Some(t) => {
            let up = t.to_ascii_uppercase();
            if !ENTITY_TYPES.contains(&up.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "type must be one of {}, not {t:?}",
                    ENTITY_TYPES.join(", ")
                )));
            }
            args.push(SqlValue::Text(up.clone()));
            sql.push_str(&format!(" AND type = ?{}", args.len()));
            Some(up)
        }
        None => None,
    };
    if let Some(text) = nonempty(&f.q) {
        args.push(SqlValue::Text(like_pattern(text)));
        let n = args.len();
        sql.push_str(&format!(
            " AND (name LIKE ?{n} ESCAPE '\\' OR names LIKE ?{n} ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM entity_aliases al WHERE al.alias LIKE ?{n} ESCAPE '\\' \
                AND (al.name = entities.name COLLATE NOCASE OR instr(lower(entities.names), lower(json_quote(al.name))) > 0)))"
        ));
    }
    let echo = json!({"q": nonempty(&f.q), "type": etype});
    st.pool
        .clone()
        .run(move |store| {
            let conn = store.connection();
            let total: i64 = conn.query_row(
                &format!("SELECT count(*){sql}"),
                rusqlite::params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare(&format!(
                "SELECT id, name, type, mentions, articles, first, last{sql}
                 ORDER BY mentions DESC, articles DESC, id LIMIT {limit} OFFSET {offset}"
            ))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), entity_summary)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(json!({
                "query": echo, "total": total, "limit": limit, "offset": offset,
                "entities": rows,
            })))
        })
        .await
}

/// `GET /api/entities/{id}?limit=&offset=`: one merged entity, with its articles paged.
async fn entity(
    State(st): State<Shared>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<Filters>, QueryRejection>,
) -> ApiResult {
    let Path(given) = id?;
    let id = parse_entity_id(&given, "the entity id")?;
    let f = query(q)?;
    let (limit, offset) = f.page(MAX_LIMIT)?;
    st.pool
        .clone()
        .run(move |store| {
            let p = store
                .entity_profile(id, MAX_COOCCURRING)?
                .ok_or_else(|| ApiError::not_found(format!("no entity {id}")))?;
            let conn = store.connection();
            // The user's aliases whose name is one of this entity's names.
            let mut al = conn.prepare_cached("SELECT alias, name FROM entity_aliases ORDER BY alias")?;
            let known: std::collections::HashSet<String> = p
                .names
                .iter()
                .map(|(n, _)| n.to_lowercase())
                .chain([p.name.to_lowercase()])
                .collect();
            let aliases: Vec<Value> = al
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|(_, n)| known.contains(&n.to_lowercase()))
                .map(|(a, n)| json!({"alias": a, "name": n}))
                .collect();
            let mut docs = conn.prepare(&format!(
                "SELECT {SUMMARY_COLUMNS}, (SELECT count(*) FROM entity_mentions m WHERE m.doc = documents.rowid AND m.entity = ?1) AS mentions
                 FROM documents WHERE rowid IN (SELECT doc FROM entity_mentions WHERE entity = ?1)
                 ORDER BY pub_earliest DESC, pub_latest DESC, id LIMIT {limit} OFFSET {offset}"
            ))?;
            let documents = docs
                .query_map([id], |r| {
                    let mut d = doc_summary(r)?;
                    d["mentions"] = json!(r.get::<_, i64>("mentions")?);
                    Ok(d)
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(json!({
                "id": p.id, "name": p.name, "type": p.etype,
                "mentions": p.mentions, "articles": p.articles,
                "first": p.first, "last": p.last,
                "names": p.names.iter().map(|(n, c)| json!({"name": n, "count": c})).collect::<Vec<_>>(),
                "aliases": aliases,
                "cooccurring": p.cooccurring.iter().map(|(i, n, t, c)| json!({"id": i, "name": n, "type": t, "articles": c})).collect::<Vec<_>>(),
                "limit": limit, "offset": offset,
                "documents": documents,
            })))
        })
        .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IngestParams {
    format: Option<String>,
    name: Option<String>,
    source: Option<String>,
    /// Also parse, so events are stored with their participants' roles.
    syntax: Option<bool>,
}

/// A format named by a content type, when it is unambiguous.
fn format_of_content_type(headers: &HeaderMap) -> Option<Format> {
    let ct = headers
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" => {
            Some(Format::Jsonl)
        }
        "text/html" | "application/xhtml+xml" => Some(Format::Html),
        "application/rss+xml" | "application/atom+xml" => Some(Format::Feed),
        "application/warc" => Some(Format::Warc),
        _ => None,
    }
}

async fn ingest(
    State(st): State<Shared>,
    q: Result<Query<IngestParams>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    if !st.config.allow_upload {
        return Err(ApiError {
            status: axum::http::StatusCode::FORBIDDEN,
            message: "uploads are switched off on this server (kroniek serve --no-upload)".into(),
        });
    }
    let p = query(q)?;
    let body = body?;
    if body.is_empty() {
        return Err(ApiError::bad_request("the upload is empty"));
    }
    let format = match nonempty(&p.format) {
        Some(name) => Some(Format::from_name(name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "format must be one of {}, not {name:?}",
                Format::ALL.map(Format::name).join(", ")
            ))
        })?),
        None => format_of_content_type(&headers),
    };
    let upload = crate::ingest::Upload {
        format,
        name: nonempty(&p.name).unwrap_or("").chars().take(200).collect(),
        source: nonempty(&p.source).map(|s| s.chars().take(200).collect()),
        annotate: kroniek_core::AnnotateOptions {
            syntax: p.syntax.unwrap_or(false),
            ..kroniek_core::AnnotateOptions::default()
        },
    };
    let options = Options {
        max_doc_bytes: st.config.max_doc_bytes,
    };
    let state = st.clone();
    st.pool
        .clone()
        .run(move |store| {
            let _one_writer = state.ingest_lock.lock().unwrap_or_else(|e| e.into_inner());
            crate::ingest::ingest(store, &body, &upload, &options).map(Json)
        })
        .await
}

// ---------------------------------------------------------------- merged events, claims, topics

/// The most events one `/api/timeline` request returns.
pub(crate) const MAX_TIMELINE_EVENTS: usize = 500;
/// Mentions shown per event in a timeline (all of them at `/api/events/{id}`).
pub(crate) const MENTIONS_IN_LIST: usize = 3;
/// The most mentions one `/api/events/{id}` request returns.
pub(crate) const MAX_EVENT_MENTIONS: usize = 1000;
/// Claims shown per subject and property in `/api/claims`.
pub(crate) const MAX_CLAIMS_PER_GROUP: usize = 100;
/// The most dates a topic timeline may ask for.
pub(crate) const MAX_TOPIC_DATES: usize = 100;
/// A topic timeline reads the sentences of at most this many articles matching its
/// words, the best ranked; the answer says how many match in all.
pub(crate) const MAX_TOPIC_ARTICLES: usize = 500;
/// The most sentences per date a topic timeline may ask for.
pub(crate) const MAX_TOPIC_SENTENCES: usize = 10;

/// Parameters of the routes over merged records (events, claims, topics).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RecordParams {
    q: Option<String>,
    lang: Option<String>,
    source: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    min_sources: Option<String>,
    undated: Option<String>,
    conflicts: Option<String>,
    max_dates: Option<String>,
    sentences_per_date: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

impl RecordParams {
    /// `limit` (1..=`max`, default `default`) and `offset`.
    fn page(&self, default: usize, max: usize) -> Result<(usize, usize), ApiError> {
        let limit = number("limit", nonempty(&self.limit), default, max)?;
        if limit == 0 {
            return Err(ApiError::bad_request("limit must be at least 1"));
        }
        let offset = number("offset", nonempty(&self.offset), 0, MAX_OFFSET)?;
        Ok((limit, offset))
    }

    fn range(&self) -> Result<(Option<String>, Option<String>), ApiError> {
        Filters {
            from: self.from.clone(),
            to: self.to.clone(),
            ..Filters::default()
        }
        .range()
    }

    fn echo(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in [
            ("q", &self.q),
            ("lang", &self.lang),
            ("source", &self.source),
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
            ("from", &self.from),
            ("to", &self.to),
            ("min_sources", &self.min_sources),
            ("undated", &self.undated),
            ("conflicts", &self.conflicts),
        ] {
            if let Some(v) = nonempty(v) {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

fn flag(name: &str, given: Option<&str>) -> Result<bool, ApiError> {
    match given.map(str::to_ascii_lowercase).as_deref() {
        None => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(_) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, not {:?}",
            given.unwrap_or_default()
        ))),
    }
}

/// The merged entity named by `entity_id` (a number) or `entity` (a name, alias or
/// number, as `kroniek timeline --entity` takes it); a 404 when none is.
fn resolve_entity(store: &mut SqliteStore, p: &RecordParams) -> Result<Option<u32>, ApiError> {
    if let Some(v) = nonempty(&p.entity_id) {
        let id = parse_entity_id(v, "entity_id")?;
        let exists = store
            .connection()
            .query_row("SELECT 1 FROM entities WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some();
        if !exists {
            return Err(ApiError::not_found(format!("no entity {id}")));
        }
        return Ok(Some(id));
    }
    let Some(name) = nonempty(&p.entity) else {
        return Ok(None);
    };
    if name.len() > 200 {
        return Err(ApiError::bad_request("entity must be at most 200 bytes"));
    }
    match store.find_entities(name)?.first() {
        Some(&id) => Ok(Some(id)),
        None => Err(ApiError::not_found(format!("no entity is called {name:?}"))),
    }
}

fn mention_json(m: &kroniek_store::EventMentionView) -> Value {
    json!({
        "doc": m.doc.to_string(), "title": m.title, "outlet": m.outlet, "published": m.published,
        "sentence": m.sentence, "sentence_start": m.sentence_start,
        "trigger": [m.trigger.0, m.trigger.1], "text": m.text,
        "certainty": m.certainty, "polarity": m.polarity, "time": m.time,
        "source": m.source, "when": m.when, "dated": m.anchored,
    })
}

/// An event in the shape of `kroniek timeline --format json`, with at most `mentions`
/// of its mentions from `skip` on and the counts.
fn event_json(e: &kroniek_store::EventView, skip: usize, mentions: usize) -> Value {
    json!({
        "id": e.id, "type": e.kind, "lemma": e.lemma, "date": e.date,
        "earliest": e.earliest, "latest": e.latest, "dated": e.anchored,
        "range": e.earliest.is_some() && e.earliest != e.latest,
        "certainty": e.certainty, "contradicted": e.contradicted,
        "articles": e.articles, "sources": e.sources, "source_count": e.sources.len(),
        "entities": e.entities,
        "mention_count": e.mention_count,
        "mentions": e.mentions.iter().skip(skip).take(mentions).map(mention_json).collect::<Vec<_>>(),
    })
}

/// `GET /api/timeline`: events merged across articles, in time order.
async fn timeline_events(
    State(st): State<Shared>,
    q: Result<Query<RecordParams>, QueryRejection>,
) -> ApiResult {
    let p = query(q)?;
    let (limit, offset) = p.page(100, MAX_TIMELINE_EVENTS)?;
    let (from, to) = p.range()?;
    let min_sources = number("min_sources", nonempty(&p.min_sources), 0, 1000)?;
    let undated = flag("undated", nonempty(&p.undated))?;
    let text = nonempty(&p.q).map(str::to_string);
    if text.as_deref().is_some_and(|t| t.len() > 1000) {
        return Err(ApiError::bad_request("q must be at most 1000 bytes"));
    }
    let filters = Filters {
        lang: p.lang.clone(),
        ..Filters::default()
    };
    let language = filters.lang()?.map(|l| l.to_string());
    let source = nonempty(&p.source).map(str::to_string);
    st.pool
        .clone()
        .run(move |store| {
            let entity = resolve_entity(store, &p)?;
            let mut events = store.timeline(&kroniek_store::TimelineQuery {
                entity,
                query: text,
                from,
                to,
                min_sources,
                undated,
                limit: limit + 1,
                offset,
                language,
                source,
                mentions: MENTIONS_IN_LIST,
            })?;
            let has_more = events.len() > limit;
            events.truncate(limit);
            Ok(Json(json!({
                "query": p.echo(), "entity_id": entity,
                "limit": limit, "offset": offset, "has_more": has_more,
                "events": events.iter().map(|e| event_json(e, 0, MENTIONS_IN_LIST)).collect::<Vec<_>>(),
            })))
        })
        .await
}

/// `GET /api/events/{id}?limit=&offset=`: one merged event with its mentions (paged).
async fn event(
    State(st): State<Shared>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<RecordParams>, QueryRejection>,
) -> ApiResult {
    let Path(given) = id?;
    let id: i64 = given
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "the event id must be a positive number, not {given:?}"
            ))
        })?;
    let p = query(q)?;
    let (limit, offset) = p.page(100, MAX_EVENT_MENTIONS)?;
    st.pool
        .clone()
        .run(move |store| {
            let e = store
                .event_page(id, offset, limit)?
                .ok_or_else(|| ApiError::not_found(format!("no event {id}")))?;
            let mut v = event_json(&e, 0, limit);
            v["limit"] = json!(limit);
            v["offset"] = json!(offset);
            v["has_more"] = json!(e.mention_count > offset + limit);
            Ok(Json(v))
        })
        .await
}

fn claim_json(c: &kroniek_store::ClaimView) -> Value {
    json!({
        "value": c.value, "bound": c.bound, "unit": c.unit, "text": c.text, "source": c.source,
        "when": c.when, "outlet": c.outlet, "published": c.published, "doc": c.doc.to_string(),
        "sentence": c.sentence,
    })
}

/// `GET /api/claims?entity=&entity_id=&conflicts=&limit=&offset=`: numeric claims grouped
/// by subject and property, side by side and never averaged.
async fn claims(
    State(st): State<Shared>,
    q: Result<Query<RecordParams>, QueryRejection>,
) -> ApiResult {
    let p = query(q)?;
    let (limit, offset) = p.page(DEFAULT_LIMIT, MAX_LIMIT)?;
    let conflicts_only = flag("conflicts", nonempty(&p.conflicts))?;
    st.pool
        .clone()
        .run(move |store| {
            let entity = resolve_entity(store, &p)?;
            let mut groups = store.claims(&kroniek_store::ClaimQuery {
                entity,
                conflicts_only,
                limit: limit + 1,
                offset,
                max_claims: MAX_CLAIMS_PER_GROUP,
            })?;
            let has_more = groups.len() > limit;
            groups.truncate(limit);
            let groups: Vec<Value> = groups
                .iter()
                .map(|g| {
                    json!({
                        "subject": {"id": g.subject.0, "name": g.subject.1},
                        "property": g.property, "conflict": g.conflict,
                        "claim_count": g.claim_count,
                        "claims": g.claims.iter().map(claim_json).collect::<Vec<_>>(),
                    })
                })
                .collect();
            Ok(Json(json!({
                "query": p.echo(), "entity_id": entity,
                "limit": limit, "offset": offset, "has_more": has_more,
                "groups": groups,
            })))
        })
        .await
}

/// `GET /api/topic?q=&from=&to=&max_dates=&sentences_per_date=`: a topic timeline (the
/// dates most referred to by the matching articles, each with its sentences).
async fn topic(
    State(st): State<Shared>,
    q: Result<Query<RecordParams>, QueryRejection>,
) -> ApiResult {
    let p = query(q)?;
    let Some(text) = nonempty(&p.q).map(str::to_string) else {
        return Err(ApiError::bad_request(
            "q is required: what the topic timeline is about",
        ));
    };
    if text.len() > 1000 {
        return Err(ApiError::bad_request("q must be at most 1000 bytes"));
    }
    let (from, to) = p.range()?;
    let max_dates = number("max_dates", nonempty(&p.max_dates), 10, MAX_TOPIC_DATES)?;
    let per_date = number(
        "sentences_per_date",
        nonempty(&p.sentences_per_date),
        1,
        MAX_TOPIC_SENTENCES,
    )?;
    if max_dates == 0 || per_date == 0 {
        return Err(ApiError::bad_request(
            "max_dates and sentences_per_date must be at least 1",
        ));
    }
    st.pool
        .clone()
        .run(move |store| {
            let (sentences, matching) = store.topic_sentences_of_best(
                &text,
                from.as_deref(),
                to.as_deref(),
                MAX_TOPIC_ARTICLES,
            )?;
            let dates =
                kroniek_core::record::summary::summarise(&sentences, &text, max_dates, per_date);
            Ok(Json(json!({
                "query": p.echo(), "max_dates": max_dates, "sentences_per_date": per_date,
                "articles_matching": matching,
                "articles_read": matching.min(MAX_TOPIC_ARTICLES),
                "max_articles": MAX_TOPIC_ARTICLES,
                "dates": dates.iter().map(|d| json!({
                    "date": d.date.to_string(), "score": d.score, "sentences": d.sentences,
                })).collect::<Vec<_>>(),
            })))
        })
        .await
}
