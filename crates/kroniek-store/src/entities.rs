//! Entities across articles, kept in the SQLite store.
//!
//! The merging itself is `kroniek_core::entities::Merger` (pure, incremental). The store
//! keeps the merger's state in tables, so that adding a document reads only the entities
//! it could join, never the archive:
//! - `doc_entities`: each document's own entities (key, type, names, mention count), so
//!   that everything can be re-grouped by replaying documents in arrival order when the
//!   user's aliases change, without re-reading or re-annotating any text;
//! - `entities` (with `type_votes`), `entity_keys` (normalised form → entity) and
//!   `entity_pairs` (documents shared by two entities): the merger's state;
//! - `entity_mentions`: each mention's entity, for queries;
//! - `entity_aliases`: the user's aliases, which the merger applies.
//!
//! Each batch restores into a fresh merger the entities answering to the batch's lookup
//! keys, merges, and writes back what changed, in the batch's transaction.

use std::collections::{BTreeMap, BTreeSet};

use kroniek_core::entities::{self, DocEntity, EntityId, EntityMention, GlobalEntity, Merger};
use kroniek_core::ner::EntityType;
use kroniek_core::{DocId, PubDate, Span};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::sqlite::SqliteStore;
use crate::{Error, StoredDocument};

/// Migration 5: the merger's state as tables. The index is filled from `doc_entities`
/// by [`rebuild_if_needed`] right after the migration.
pub(crate) const INDEX_MIGRATION: &str = "CREATE TABLE entity_keys (
        key TEXT NOT NULL,
        entity INTEGER NOT NULL,
        PRIMARY KEY (key, entity)
    ) WITHOUT ROWID;
    CREATE TABLE entity_pairs (
        a INTEGER NOT NULL,
        b INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    CREATE INDEX entity_pairs_b ON entity_pairs(b, a);
    ALTER TABLE entities ADD COLUMN type_votes TEXT;
    INSERT INTO meta (key, value) VALUES ('entity_index', 0);";

/// Above this many articles, an entity's newest articles are found by walking all articles
/// newest first rather than by sorting the entity's own.
const FEW_ARTICLES: i64 = 2000;

/// One entity across the store, as `kroniek entity` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityProfile {
    /// Its id in the store (changes when aliases re-group entities).
    pub id: u32,
    /// Canonical name (the fullest, most frequent form).
    pub name: String,
    /// `PER`, `ORG`, `LOC` or `MISC`.
    pub etype: String,
    /// Every surface form seen, most frequent first, with counts.
    pub names: Vec<(String, u64)>,
    /// Number of mentions.
    pub mentions: u64,
    /// Number of articles.
    pub articles: u64,
    /// Earliest publication date of its articles, at its precision.
    pub first: Option<String>,
    /// Latest publication date of its articles, at its precision.
    pub last: Option<String>,
    /// Entities that share articles with it, most shared first: (id, name, type, articles).
    pub cooccurring: Vec<(u32, String, String, u64)>,
    /// Its articles, newest first: (document id, date, title).
    pub documents: Vec<(DocId, String, Option<String>)>,
}

/// The document entities of a stored document, from its `entity` annotations.
pub(crate) fn doc_entities(sd: &StoredDocument) -> Vec<DocEntity> {
    let mentions: Vec<EntityMention> = sd
        .annotations
        .iter()
        .filter(|a| a.layer == "entity")
        .filter_map(|a| {
            let key = a.attrs.iter().find(|(k, _)| k == "key")?.1.clone();
            Some(EntityMention {
                span: Span {
                    start: a.start,
                    end: a.end,
                },
                etype: EntityType::parse(&a.label).unwrap_or(EntityType::Misc),
                entity: 0,
                key,
            })
        })
        .collect();
    entities::group(&sd.doc.text, &mentions)
}

/// Rebuilds the entity index (after the migration that introduced it, or when the
/// user's aliases changed): replays every document in arrival order and rewrites the
/// merger's tables, the mentions' entities and the event participants' entities.
pub(crate) fn rebuild(tx: &Transaction<'_>) -> Result<(), Error> {
    let merger = SqliteStore::load_merger(tx)?;
    for table in ["entity_mentions", "entities", "entity_keys", "entity_pairs"] {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    let docs: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT DISTINCT doc FROM doc_entities ORDER BY doc")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for rowid in &docs {
        let keys: Vec<String> = {
            let mut stmt =
                tx.prepare_cached("SELECT key FROM doc_entities WHERE doc = ?1 ORDER BY ord")?;
            let rows = stmt.query_map([rowid], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let ids = merger
            .assignments(*rowid as u64)
            .map(<[EntityId]>::to_vec)
            .unwrap_or_default();
        write_mentions(tx, *rowid, &keys, &ids)?;
    }
    let all: BTreeSet<EntityId> = merger.entities().map(|e| e.id).collect();
    write_entities(tx, &merger, &all)?;
    let mut key = tx.prepare_cached("INSERT INTO entity_keys (key, entity) VALUES (?1, ?2)")?;
    let mut pair = tx.prepare_cached("INSERT INTO entity_pairs (a, b, n) VALUES (?1, ?2, ?3)")?;
    for e in merger.entities() {
        for k in merger.keys_of(e.id) {
            key.execute(params![k, e.id.0])?;
        }
        for (other, n) in e.cooccurring.range(EntityId(e.id.0 + 1)..) {
            pair.execute(params![e.id.0, other.0, *n as i64])?;
        }
    }
    SqliteStore::remap_event_entities(tx)?;
    tx.execute("UPDATE meta SET value = 1 WHERE key = 'entity_index'", [])?;
    Ok(())
}

/// Fills the entity index of a store migrated from a version without one.
pub(crate) fn rebuild_if_needed(conn: &mut Connection) -> Result<(), Error> {
    let built: i64 = conn.query_row(
        "SELECT value FROM meta WHERE key = 'entity_index'",
        [],
        |r| r.get(0),
    )?;
    if built == 0 {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        rebuild(&tx)?;
        tx.commit()?;
    }
    Ok(())
}

fn aliases(conn: &Connection) -> Result<Vec<(String, String)>, Error> {
    let mut stmt = conn.prepare_cached("SELECT alias, name FROM entity_aliases ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn merger_with_aliases(conn: &Connection) -> Result<Merger, Error> {
    let pairs = aliases(conn)?;
    Ok(Merger::with_aliases(
        pairs.iter().map(|(a, n)| (a.as_str(), n.as_str())),
    ))
}

/// Restores into `merger` the stored entities answering to any of `keys`.
fn restore(
    tx: &Transaction<'_>,
    merger: &mut Merger,
    keys: &BTreeSet<String>,
) -> Result<(), Error> {
    let mut found: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    {
        let mut by_key = tx.prepare_cached("SELECT entity FROM entity_keys WHERE key = ?1")?;
        for k in keys {
            let ids = by_key.query_map([k], |r| r.get::<_, u32>(0))?;
            for id in ids {
                found.entry(id?).or_default().push(k.clone());
            }
        }
    }
    let mut load = tx.prepare_cached(
        "SELECT name, key, type, names, mentions, articles, first, last, type_votes FROM entities WHERE id = ?1",
    )?;
    for (id, keys) in found {
        let Some(e) = load
            .query_row([id], |r| {
                let etype = EntityType::parse(&r.get::<_, String>(2)?).unwrap_or(EntityType::Misc);
                let mut e = GlobalEntity::new(EntityId(id), etype, r.get(0)?, r.get(1)?);
                let names: Vec<(String, usize)> =
                    serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default();
                e.names = names.into_iter().collect();
                e.mentions = r.get::<_, i64>(4)? as usize;
                e.articles = r.get::<_, i64>(5)? as usize;
                let date = |v: Option<String>| v.and_then(|s| PubDate::parse(&s));
                e.first = date(r.get(6)?);
                e.last = date(r.get(7)?);
                let votes: Vec<(String, usize)> = r
                    .get::<_, Option<String>>(8)?
                    .and_then(|v| serde_json::from_str(&v).ok())
                    .unwrap_or_default();
                e.type_votes = votes
                    .into_iter()
                    .filter_map(|(t, n)| Some((EntityType::parse(&t)?, n)))
                    .collect();
                Ok(e)
            })
            .optional()?
        else {
            continue;
        };
        merger.restore(e, keys);
    }
    Ok(())
}

impl SqliteStore {
    /// Loads the merger by replaying every document's entities in arrival order.
    pub(crate) fn load_merger(conn: &Connection) -> Result<Merger, Error> {
        let mut merger = merger_with_aliases(conn)?;
        let mut stmt = conn.prepare(
            "SELECT e.doc, d.published, e.key, e.type, e.name, e.names, e.mentions
             FROM doc_entities e JOIN documents d ON d.rowid = e.doc ORDER BY e.doc, e.ord",
        )?;
        let mut rows = stmt.query([])?;
        let mut current: Option<(i64, PubDate, Vec<DocEntity>)> = None;
        while let Some(r) = rows.next()? {
            let doc: i64 = r.get(0)?;
            if current.as_ref().is_some_and(|c| c.0 != doc) {
                let (d, p, ents) = current.take().unwrap_or((0, PubDate::Unknown, Vec::new()));
                merger.add_document(d as u64, p, ents);
            }
            let entry = current.get_or_insert_with(|| {
                (
                    doc,
                    PubDate::parse(&r.get::<_, String>(1).unwrap_or_default()).unwrap_or_default(),
                    Vec::new(),
                )
            });
            let names: Vec<String> =
                serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default();
            let count: i64 = r.get(6)?;
            entry.2.push(DocEntity {
                key: r.get(2)?,
                etype: EntityType::parse(&r.get::<_, String>(3)?).unwrap_or(EntityType::Misc),
                name: r.get(4)?,
                names,
                mentions: (0..count.max(0) as usize).collect(),
            });
        }
        if let Some((d, p, ents)) = current {
            merger.add_document(d as u64, p, ents);
        }
        Ok(merger)
    }

    /// The user's aliases, as `(alias, name)`.
    pub fn entity_aliases(&self) -> Result<Vec<(String, String)>, Error> {
        let mut stmt = self
            .connection()
            .prepare("SELECT alias, name FROM entity_aliases ORDER BY alias")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Declares that `alias` names the same entity as `name` and re-groups all stored
    /// mentions accordingly.
    pub fn add_entity_alias(&mut self, alias: &str, name: &str) -> Result<(), Error> {
        if entities::normalize(alias).is_empty() || entities::normalize(name).is_empty() {
            return Err(Error::bad_query(
                "an alias and its name must both contain letters or digits",
            ));
        }
        self.change_aliases(|tx| {
            let n = tx.execute("INSERT INTO entity_aliases (alias, name) VALUES (?1, ?2) ON CONFLICT(alias) DO UPDATE SET name = excluded.name", params![alias, name])?;
            Ok(n > 0)
        })
        .map(|_| ())
    }

    /// Removes an alias; returns whether it existed. Re-groups all stored mentions.
    pub fn remove_entity_alias(&mut self, alias: &str) -> Result<bool, Error> {
        self.change_aliases(|tx| {
            let n = tx.execute(
                "DELETE FROM entity_aliases WHERE alias = ?1 COLLATE NOCASE",
                [alias],
            )?;
            Ok(n > 0)
        })
    }

    fn change_aliases(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<bool, Error>,
    ) -> Result<bool, Error> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let changed = f(&tx)?;
        if changed {
            // Aliases can move any mention to another entity: re-group everything.
            rebuild(&tx)?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Merges the entities of newly stored documents into the stored ones and writes the
    /// result; runs inside the batch's transaction. Reads only the entities that the new
    /// documents' names could join.
    pub(crate) fn merge_entities(
        tx: &Transaction<'_>,
        new_docs: &[(i64, &StoredDocument)],
    ) -> Result<(), Error> {
        let docs: Vec<(i64, PubDate, Vec<DocEntity>)> = new_docs
            .iter()
            .map(|(rowid, sd)| (*rowid, sd.doc.published, doc_entities(sd)))
            .filter(|(_, _, ents)| !ents.is_empty())
            .collect();
        if docs.is_empty() {
            return Ok(());
        }
        let mut merger = merger_with_aliases(tx)?;
        let keys: BTreeSet<String> = docs
            .iter()
            .flat_map(|(_, _, ents)| ents.iter().flat_map(|e| merger.lookup_keys(e)))
            .collect();
        restore(tx, &mut merger, &keys)?;
        let next: u32 = tx.query_row("SELECT coalesce(max(id) + 1, 0) FROM entities", [], |r| {
            r.get(0)
        })?;
        merger.set_next_id(next);
        let mut touched = BTreeSet::new();
        // Documents shared by two entities, as stored before this batch; the merger counts
        // this batch's itself.
        let mut stored_pairs =
            tx.prepare_cached("SELECT n FROM entity_pairs WHERE a = ?1 AND b = ?2")?;
        let mut failure = None;
        let mut shared = |x: EntityId, y: EntityId| -> usize {
            let (a, b) = if x < y { (x, y) } else { (y, x) };
            match stored_pairs
                .query_row([a.0, b.0], |r| r.get::<_, i64>(0))
                .optional()
            {
                Ok(n) => n.unwrap_or(0) as usize,
                Err(e) => {
                    failure.get_or_insert(e);
                    0
                }
            }
        };
        let mut pairs: BTreeMap<(u32, u32), i64> = BTreeMap::new();
        let mut insert = tx.prepare_cached("INSERT INTO doc_entities (doc, ord, key, type, name, names, mentions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        for (rowid, published, ents) in docs {
            for (i, e) in ents.iter().enumerate() {
                insert.execute(params![
                    rowid,
                    i as i64,
                    e.key,
                    e.etype.as_str(),
                    e.name,
                    serde_json::to_string(&e.names).unwrap_or_else(|_| "[]".into()),
                    e.mentions.len() as i64
                ])?;
            }
            let keys: Vec<String> = ents.iter().map(|e| e.key.clone()).collect();
            let ids = merger.add_document_with(rowid as u64, published, ents, &mut shared);
            write_mentions(tx, rowid, &keys, &ids)?;
            let unique: BTreeSet<EntityId> = ids.iter().copied().collect();
            for a in &unique {
                for b in unique.range(EntityId(a.0 + 1)..) {
                    *pairs.entry((a.0, b.0)).or_insert(0) += 1;
                }
            }
            touched.extend(unique);
        }
        if let Some(e) = failure {
            return Err(e.into());
        }
        let mut pair = tx.prepare_cached(
            "INSERT INTO entity_pairs (a, b, n) VALUES (?1, ?2, ?3) ON CONFLICT(a, b) DO UPDATE SET n = n + excluded.n",
        )?;
        for ((a, b), n) in pairs {
            pair.execute(params![a, b, n])?;
        }
        let mut key =
            tx.prepare_cached("INSERT OR IGNORE INTO entity_keys (key, entity) VALUES (?1, ?2)")?;
        for (k, id) in merger.take_new_keys() {
            key.execute(params![k, id.0])?;
        }
        write_entities(tx, &merger, &touched)
    }

    /// Entities answering to `name` (any surface form, acronym or alias) or with this
    /// numeric id, best first.
    pub fn find_entities(&mut self, name_or_id: &str) -> Result<Vec<u32>, Error> {
        let conn = self.connection();
        if let Ok(id) = name_or_id.trim().trim_start_matches('#').parse::<u32>() {
            let exists = conn
                .query_row("SELECT 1 FROM entities WHERE id = ?1", [id], |_| Ok(()))
                .optional()?
                .is_some();
            return Ok(if exists { vec![id] } else { Vec::new() });
        }
        let key = merger_with_aliases(conn)?.lookup_key(name_or_id);
        let mut stmt = conn.prepare_cached(
            "SELECT e.id FROM entity_keys k JOIN entities e ON e.id = k.entity WHERE k.key = ?1
             ORDER BY e.key != ?1, e.mentions DESC, e.id",
        )?;
        let ids: Vec<u32> = stmt
            .query_map([key], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Everything the store knows about one entity.
    pub fn entity_profile(&self, id: u32, max_list: usize) -> Result<Option<EntityProfile>, Error> {
        let conn = self.connection();
        let Some((name, etype, mentions, articles, first, last, names)) = conn
            .query_row("SELECT name, type, mentions, articles, first, last, names FROM entities WHERE id = ?1", [id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get(4)?, r.get(5)?, r.get::<_, String>(6)?))
            })
            .optional()?
        else {
            return Ok(None);
        };
        let mut names: Vec<(String, u64)> = serde_json::from_str(&names).unwrap_or_default();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        // The merger's pair counts: reading them costs the entity's partners, not its
        // mentions (a self-join of mentions grows with the archive for a frequent entity).
        let mut co = conn.prepare_cached(
            "SELECT e.id, e.name, e.type, p.n
             FROM (SELECT b AS other, n FROM entity_pairs WHERE a = ?1
                   UNION ALL SELECT a AS other, n FROM entity_pairs WHERE b = ?1) p
             JOIN entities e ON e.id = p.other
             ORDER BY p.n DESC, e.mentions DESC, e.id LIMIT ?2",
        )?;
        let cooccurring = co
            .query_map(params![id, max_list as i64], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)? as u64,
                ))
            })?
            .collect::<Result<_, _>>()?;
        // Newest articles first. For an entity in few articles, sort its articles; for one
        // in many, walk the articles newest first until enough are its own: either way the
        // cost does not grow with the archive.
        let mut docs = conn.prepare_cached(if articles <= FEW_ARTICLES {
            "SELECT DISTINCT d.id, d.published, d.title, d.pub_earliest FROM entity_mentions m JOIN documents d ON d.rowid = m.doc
             WHERE m.entity = ?1 ORDER BY d.pub_earliest DESC, d.id LIMIT ?2"
        } else {
            "SELECT d.id, d.published, d.title, d.pub_earliest FROM documents d INDEXED BY documents_published
             WHERE EXISTS (SELECT 1 FROM entity_mentions m WHERE m.entity = ?1 AND m.doc = d.rowid)
             ORDER BY d.pub_earliest DESC, d.id LIMIT ?2"
        })?;
        let documents = docs
            .query_map(params![id, max_list as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .filter_map(|r| {
                r.ok()
                    .and_then(|(i, p, t)| DocId::parse(&i).map(|i| (i, p, t)))
            })
            .collect();
        Ok(Some(EntityProfile {
            id,
            name,
            etype,
            names,
            mentions: mentions as u64,
            articles: articles as u64,
            first,
            last,
            cooccurring,
            documents,
        }))
    }
}

fn write_mentions(
    tx: &Transaction<'_>,
    rowid: i64,
    keys: &[String],
    ids: &[EntityId],
) -> Result<(), Error> {
    // Mentions come from the document's entity annotations; each key maps to the global
    // entity its document entity was assigned.
    let mut select = tx.prepare_cached("SELECT start, end, attrs FROM annotations WHERE doc = ?1 AND layer = 'entity' ORDER BY rowid")?;
    let mentions: Vec<(i64, i64, Option<String>)> = select
        .query_map([rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO entity_mentions (doc, start, end, entity) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (start, end, attrs) in mentions {
        let key = attrs
            .and_then(|a| serde_json::from_str::<serde_json::Value>(&a).ok())
            .and_then(|v| v.get("key").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_default();
        if let Some(i) = keys.iter().position(|k| *k == key) {
            if let Some(id) = ids.get(i) {
                insert.execute(params![rowid, start, end, id.0])?;
            }
        }
    }
    Ok(())
}

fn write_entities(
    tx: &Transaction<'_>,
    merger: &Merger,
    ids: &BTreeSet<EntityId>,
) -> Result<(), Error> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO entities (id, name, key, type, names, mentions, articles, first, last, type_votes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, key = excluded.key, type = excluded.type, names = excluded.names,
           mentions = excluded.mentions, articles = excluded.articles, first = excluded.first, last = excluded.last,
           type_votes = excluded.type_votes",
    )?;
    for id in ids {
        let Some(e) = merger.entity(*id) else {
            continue;
        };
        let names: Vec<(&String, &usize)> = e.names.iter().collect();
        let votes: Vec<(&str, &usize)> =
            e.type_votes.iter().map(|(t, n)| (t.as_str(), n)).collect();
        upsert.execute(params![
            e.id.0,
            e.name,
            e.key,
            e.etype.as_str(),
            serde_json::to_string(&names).unwrap_or_else(|_| "[]".into()),
            e.mentions as i64,
            e.articles as i64,
            e.first.map(|d| d.to_string()),
            e.last.map(|d| d.to_string()),
            serde_json::to_string(&votes).unwrap_or_else(|_| "[]".into()),
        ])?;
    }
    Ok(())
}
