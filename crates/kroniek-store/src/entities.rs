//! Entities across articles, kept in the SQLite store.
//!
//! The merging itself is `kroniek_core::entities::Merger` (pure, incremental). The store
//! keeps what it needs to answer and to resume:
//! - `doc_entities`: each document's own entities (key, type, names, mention count), so
//!   the merger can be rebuilt by replaying documents in arrival order without re-reading
//!   or re-annotating any text;
//! - `entities` and `entity_mentions`: the merger's current answer, for queries;
//! - `entity_aliases`: the user's aliases, which the merger applies.
//!
//! The merger is loaded lazily by the first write or alias change of a connection, and
//! every document added to it is written in the same transaction as the document.

use std::collections::BTreeSet;

use kroniek_core::entities::{self, DocEntity, EntityId, EntityMention, Merger};
use kroniek_core::ner::EntityType;
use kroniek_core::{DocId, PubDate, Span};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::sqlite::SqliteStore;
use crate::{Error, StoredDocument};

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

/// The store's entity generation: bumped by every write to the entity tables.
pub(crate) fn generation(conn: &rusqlite::Connection) -> Result<i64, Error> {
    Ok(conn.query_row(
        "SELECT value FROM meta WHERE key = 'entity_generation'",
        [],
        |r| r.get(0),
    )?)
}

/// Records the generation a write produced.
pub(crate) fn set_generation(conn: &rusqlite::Connection, generation: i64) -> Result<(), Error> {
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'entity_generation'",
        [generation],
    )?;
    Ok(())
}

/// Makes `cached` a merger that reflects the store as `conn` sees it: kept when its
/// generation is the store's, rebuilt otherwise (another connection or process wrote).
pub(crate) fn ensure_fresh(
    conn: &rusqlite::Connection,
    cached: &mut Option<(Merger, i64)>,
) -> Result<(), Error> {
    let current = generation(conn)?;
    if cached.as_ref().is_none_or(|(_, g)| *g != current) {
        *cached = Some((SqliteStore::load_merger(conn)?, current));
    }
    Ok(())
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

impl SqliteStore {
    /// Loads the merger by replaying every document's entities in arrival order.
    pub(crate) fn load_merger(conn: &rusqlite::Connection) -> Result<Merger, Error> {
        let mut merger = Merger::new();
        let mut aliases = conn.prepare("SELECT alias, name FROM entity_aliases ORDER BY rowid")?;
        let pairs: Vec<(String, String)> = aliases
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (a, n) in &pairs {
            merger.add_alias(a, n);
        }
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
        self.change_aliases(|tx, merger| {
            tx.execute("INSERT INTO entity_aliases (alias, name) VALUES (?1, ?2) ON CONFLICT(alias) DO UPDATE SET name = excluded.name", params![alias, name])?;
            merger.add_alias(alias, name);
            Ok(true)
        })
        .map(|_| ())
    }

    /// Removes an alias; returns whether it existed. Re-groups all stored mentions.
    pub fn remove_entity_alias(&mut self, alias: &str) -> Result<bool, Error> {
        self.change_aliases(|tx, merger| {
            let n = tx.execute(
                "DELETE FROM entity_aliases WHERE alias = ?1 COLLATE NOCASE",
                [alias],
            )?;
            Ok(merger.remove_alias(alias) || n > 0)
        })
    }

    fn change_aliases(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &mut Merger) -> Result<bool, Error>,
    ) -> Result<bool, Error> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut cached = self.merger.take();
        ensure_fresh(&tx, &mut cached)?;
        let Some((mut merger, mut gen)) = cached else {
            return Err(Error::corrupt("entity index unavailable"));
        };
        let changed = f(&tx, &mut merger)?;
        if changed {
            // Aliases can move any mention to another entity: rewrite the whole answer.
            tx.execute("DELETE FROM entity_mentions", [])?;
            tx.execute("DELETE FROM entities", [])?;
            let docs: Vec<i64> = {
                let mut stmt = tx.prepare("SELECT DISTINCT doc FROM doc_entities ORDER BY doc")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            for rowid in &docs {
                let keys: Vec<String> = {
                    let mut stmt = tx.prepare_cached(
                        "SELECT key FROM doc_entities WHERE doc = ?1 ORDER BY ord",
                    )?;
                    let rows = stmt.query_map([rowid], |r| r.get(0))?;
                    rows.collect::<Result<_, _>>()?
                };
                let ids = merger
                    .assignments(*rowid as u64)
                    .map(<[EntityId]>::to_vec)
                    .unwrap_or_default();
                write_mentions(&tx, *rowid, &keys, &ids)?;
            }
            let all: BTreeSet<EntityId> = merger.entities().iter().map(|e| e.id).collect();
            write_entities(&tx, &merger, &all)?;
            SqliteStore::remap_event_entities(&tx)?;
            gen += 1;
            set_generation(&tx, gen)?;
        }
        tx.commit()?;
        self.merger = Some((merger, gen));
        Ok(changed)
    }

    /// Adds the entities of newly stored documents to the merger and writes the result;
    /// runs inside the batch's transaction.
    pub(crate) fn merge_entities(
        tx: &Transaction<'_>,
        merger: &mut Merger,
        new_docs: &[(i64, &StoredDocument)],
    ) -> Result<(), Error> {
        let mut touched = BTreeSet::new();
        let mut insert = tx.prepare_cached("INSERT INTO doc_entities (doc, ord, key, type, name, names, mentions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        for (rowid, sd) in new_docs {
            let ents = doc_entities(sd);
            if ents.is_empty() {
                continue;
            }
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
            let ids = merger.add_document(*rowid as u64, sd.doc.published, ents);
            write_mentions(tx, *rowid, &keys, &ids)?;
            touched.extend(ids);
            // Co-occurrence counts of entities in this document changed too.
        }
        write_entities(tx, merger, &touched)
    }

    /// Entities answering to `name` (any surface form, acronym or alias) or with this
    /// numeric id, best first.
    pub fn find_entities(&mut self, name_or_id: &str) -> Result<Vec<u32>, Error> {
        if let Ok(id) = name_or_id.trim().trim_start_matches('#').parse::<u32>() {
            let exists = self
                .connection()
                .query_row("SELECT 1 FROM entities WHERE id = ?1", [id], |_| Ok(()))
                .optional()?
                .is_some();
            return Ok(if exists { vec![id] } else { Vec::new() });
        }
        // A canonical name needs no merger: answer from the table, so that reading
        // commands on a large store do not rebuild the merger (it replays every article).
        // Aliases, surnames and acronyms need the merger's index.
        if self.merger.is_none() {
            let no_aliases =
                self.conn
                    .query_row("SELECT count(*) FROM entity_aliases", [], |r| {
                        r.get::<_, i64>(0)
                    })?
                    == 0;
            if no_aliases {
                let key = entities::normalize(name_or_id);
                let mut stmt = self.conn.prepare_cached(
                    "SELECT id FROM entities WHERE key = ?1 ORDER BY mentions DESC, id",
                )?;
                let ids: Vec<u32> = stmt
                    .query_map([key], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                if !ids.is_empty() {
                    return Ok(ids);
                }
            }
        }
        ensure_fresh(&self.conn, &mut self.merger)?;
        let (merger, _) = self
            .merger
            .as_ref()
            .ok_or_else(|| Error::corrupt("entity index unavailable"))?;
        Ok(merger.find(name_or_id).into_iter().map(|id| id.0).collect())
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
        let mut co = conn.prepare_cached(
            "SELECT e.id, e.name, e.type, count(DISTINCT m2.doc) AS shared
             FROM entity_mentions m1 JOIN entity_mentions m2 ON m2.doc = m1.doc AND m2.entity != m1.entity
             JOIN entities e ON e.id = m2.entity
             WHERE m1.entity = ?1 GROUP BY e.id ORDER BY shared DESC, e.mentions DESC, e.id LIMIT ?2",
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
        let mut docs = conn.prepare_cached(
            "SELECT DISTINCT d.id, d.published, d.title, d.pub_earliest FROM entity_mentions m JOIN documents d ON d.rowid = m.doc
             WHERE m.entity = ?1 ORDER BY d.pub_earliest DESC, d.id LIMIT ?2",
        )?;
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
        "INSERT INTO entities (id, name, key, type, names, mentions, articles, first, last) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, key = excluded.key, type = excluded.type, names = excluded.names,
           mentions = excluded.mentions, articles = excluded.articles, first = excluded.first, last = excluded.last",
    )?;
    for id in ids {
        let Some(e) = merger.entity(*id) else {
            continue;
        };
        let names: Vec<(&String, &usize)> = e.names.iter().collect();
        upsert.execute(params![
            e.id.0,
            e.name,
            e.key,
            e.etype.as_str(),
            serde_json::to_string(&names).unwrap_or_else(|_| "[]".into()),
            e.mentions as i64,
            e.docs.len() as i64,
            e.first.map(|d| d.to_string()),
            e.last.map(|d| d.to_string()),
        ])?;
    }
    Ok(())
}
