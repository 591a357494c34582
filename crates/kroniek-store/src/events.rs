//! Events and claims across articles, kept in the SQLite store.
//!
//! The decisions are `kroniek_core::record` (pure); the store finds candidates and keeps
//! the answer:
//! - `events`: one row per event across articles, with its combined time;
//! - `event_mentions`: every mention with its document, sentence, factuality, source and
//!   time as that article tells it, and a hash of its sentence (the same wire copy in two
//!   papers counts once as a source);
//! - `event_participants`: the entity mention spans each event involves; they map to
//!   entities across articles through `entity_mentions`, so user aliases that re-group
//!   entities re-group event participants too;
//! - `event_entities`: that mapping, materialised and indexed by (entity, type) for
//!   candidate lookup; rebuilt when aliases change;
//! - `claims`: numbers with subject span, property, value, bound, source and time.
//!
//! Merging is incremental: a new document's events are compared only with the latest
//! [`MAX_CANDIDATES`] events of the same type that share a participant, found through
//! indexes, so the cost of one more article does not grow with the archive.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use kroniek_core::ner::EntityType;
use kroniek_core::record::merge::{self, EventKey, MAX_CANDIDATES};
use kroniek_core::record::{display_interval, DocRecords, When};
use kroniek_core::{DocId, Span};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::sqlite::SqliteStore;
use crate::{Error, StoredDocument};

/// Schema of the event and claim tables (migration 4).
pub(crate) const MIGRATION: &str = "CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        lemma TEXT NOT NULL,
        earliest TEXT,
        latest TEXT,
        anchored INTEGER NOT NULL,
        value TEXT NOT NULL
    );
    CREATE INDEX events_time ON events(earliest, latest);
    CREATE TABLE event_mentions (
        id INTEGER PRIMARY KEY,
        event INTEGER NOT NULL,
        doc INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        sent_start INTEGER NOT NULL,
        sent_end INTEGER NOT NULL,
        lemma TEXT NOT NULL,
        certainty TEXT NOT NULL,
        polarity TEXT NOT NULL,
        time TEXT NOT NULL,
        source TEXT,
        value TEXT NOT NULL,
        earliest TEXT,
        latest TEXT,
        anchored INTEGER NOT NULL,
        copy TEXT NOT NULL
    );
    CREATE INDEX event_mentions_event ON event_mentions(event);
    CREATE INDEX event_mentions_doc ON event_mentions(doc);
    CREATE TABLE event_participants (
        event INTEGER NOT NULL,
        doc INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        place INTEGER NOT NULL
    );
    CREATE INDEX event_participants_event ON event_participants(event);
    CREATE TABLE event_entities (
        entity INTEGER NOT NULL,
        kind TEXT NOT NULL,
        event INTEGER NOT NULL,
        place INTEGER NOT NULL,
        PRIMARY KEY (entity, kind, event)
    ) WITHOUT ROWID;
    CREATE INDEX event_entities_event ON event_entities(event);
    CREATE INDEX entity_mentions_span ON entity_mentions(doc, start);
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        doc INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        sent_start INTEGER NOT NULL,
        sent_end INTEGER NOT NULL,
        subj_start INTEGER,
        subj_end INTEGER,
        property TEXT NOT NULL,
        unit TEXT NOT NULL,
        value REAL NOT NULL,
        bound TEXT NOT NULL,
        source TEXT,
        earliest TEXT,
        latest TEXT,
        anchored INTEGER NOT NULL,
        time_value TEXT NOT NULL
    );
    CREATE INDEX claims_property ON claims(property);
    CREATE INDEX claims_doc ON claims(doc);";

/// Migration 6, for stores of 100,000 articles: each claim keeps the entity of its
/// subject (`claims.entity`, filled on ingest and re-mapped with the event entities when
/// aliases re-group entities), and `claim_groups` caches each subject + property's claim
/// count and conflict, rebuilt by the first claims query after claims or entities changed
/// (`meta.claims_generation` against `meta.claim_groups_generation`), so that listing
/// claims pages in SQL instead of grouping every claim per request. Languages get an
/// index for filtered counts, and annotations one by (layer, document) so that a layer
/// across documents pages in storage order without sorting the whole layer (building it
/// takes about a minute on a store of 100,000 articles, once).
pub(crate) const MIGRATION_6: &str = "ALTER TABLE claims ADD COLUMN entity INTEGER;
    UPDATE claims SET entity = (SELECT em.entity FROM entity_mentions em
        WHERE em.doc = claims.doc AND em.start = claims.subj_start AND em.end = claims.subj_end);
    CREATE INDEX claims_entity ON claims(entity, property, earliest);
    CREATE TABLE claim_groups (
        entity INTEGER NOT NULL,
        property TEXT NOT NULL,
        claims INTEGER NOT NULL,
        conflict INTEGER NOT NULL,
        PRIMARY KEY (entity, property)
    ) WITHOUT ROWID;
    CREATE INDEX claim_groups_order ON claim_groups(conflict, claims);
    INSERT INTO meta (key, value) VALUES ('claims_generation', 1), ('claim_groups_generation', 0);
    CREATE INDEX documents_lang ON documents(lang);
    CREATE INDEX annotations_layer_doc ON annotations(layer, doc);";

/// Migration 7: conflicts are judged between speakers ([`disagree`]), so the cached claim
/// groups are rebuilt once.
pub(crate) const MIGRATION_7: &str =
    "UPDATE meta SET value = value + 1 WHERE key = 'claims_generation';";

/// Migration 8: bare amounts (`kroniek_core::record::needs_measure`: money, percentages,
/// people without what they measure) are no conflict, so the cached groups are rebuilt.
pub(crate) const MIGRATION_8: &str = MIGRATION_7;

/// Migration 9: within one article only two attributed sources disagree ([`disagree`]),
/// so the cached groups are rebuilt.
pub(crate) const MIGRATION_9: &str = MIGRATION_7;

/// One mention of an event, as a timeline shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMentionView {
    /// The article.
    pub doc: DocId,
    /// Its headline.
    pub title: Option<String>,
    /// Its outlet.
    pub outlet: Option<String>,
    /// Its publication date at its precision.
    pub published: String,
    /// The sentence.
    pub sentence: String,
    /// Where the sentence starts in the article (bytes).
    pub sentence_start: u32,
    /// The trigger, relative to the sentence (bytes).
    pub trigger: (u32, u32),
    /// The trigger as written.
    pub text: String,
    /// `CERTAIN`, `PROBABLE`, `POSSIBLE`, `UNDERSPECIFIED`.
    pub certainty: String,
    /// `POS` or `NEG`.
    pub polarity: String,
    /// `NON_FUTURE` or `FUTURE`.
    pub time: String,
    /// Who says so, when attributed.
    pub source: Option<String>,
    /// The time this article gives (`2015`, or the publication date when undated).
    pub when: String,
    /// Whether this article dates it with a time expression.
    pub anchored: bool,
}

/// One event across articles, as a timeline shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    /// Its id in the store.
    pub id: i64,
    /// Ontology type.
    pub kind: String,
    /// Lemma of its first mention.
    pub lemma: String,
    /// Its time at the precision known (`2019-01-10`, `2019-02`, `2015`, or a range).
    pub date: String,
    /// First possible day.
    pub earliest: Option<String>,
    /// Last possible day.
    pub latest: Option<String>,
    /// Whether some article dates it with a time expression.
    pub anchored: bool,
    /// The strongest certainty among its asserted mentions that date it (all asserted
    /// mentions when none does): `CERTAIN` > `PROBABLE` > …; `DENIED` when a mention denies
    /// it and none asserts it (certain or probable).
    pub certainty: String,
    /// Some mention asserts it and another denies it.
    pub contradicted: bool,
    /// Number of articles that mention it.
    pub articles: usize,
    /// Independent sources: distinct outlets and attributed sources, counting the same
    /// wire sentence printed twice once.
    pub sources: Vec<String>,
    /// Names of the entities involved (canonical names).
    pub entities: Vec<String>,
    /// How many mentions it has.
    pub mention_count: usize,
    /// Its mentions, the representative one first (dated, asserted, most certain), then
    /// earliest article first; only those asked for when a query limits them.
    pub mentions: Vec<EventMentionView>,
}

/// What a timeline asks for.
#[derive(Debug, Clone, Default)]
pub struct TimelineQuery {
    /// Only events involving this entity (store id).
    pub entity: Option<u32>,
    /// Only events mentioned in articles matching this full-text query.
    pub query: Option<String>,
    /// Only events that may lie on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only events that may lie on or before this day.
    pub to: Option<String>,
    /// Only events with at least this many independent sources.
    pub min_sources: usize,
    /// Also events no article dates (they lie shortly before publication).
    pub undated: bool,
    /// At most this many events (0: no limit).
    pub limit: usize,
    /// Skip this many events first (after the `min_sources` filter), for paging.
    pub offset: usize,
    /// Only events mentioned in an article in this language.
    pub language: Option<String>,
    /// Only events mentioned in an article from this outlet (case-insensitive).
    pub source: Option<String>,
    /// Read the text of at most this many mentions per event, the representative ones
    /// first (0: all); `EventView::mention_count` counts them all.
    pub mentions: usize,
}

/// One numeric claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimView {
    /// The article.
    pub doc: DocId,
    /// Its outlet.
    pub outlet: Option<String>,
    /// Its publication date.
    pub published: String,
    /// The number as written ("zo’n 1.500 strijders").
    pub text: String,
    /// The sentence.
    pub sentence: String,
    /// The value.
    pub value: f64,
    /// `exact`, `about`, `at_most`, `at_least`.
    pub bound: String,
    /// The unit as written or normalised.
    pub unit: String,
    /// Who gives it, when attributed.
    pub source: Option<String>,
    /// The time it refers to.
    pub when: String,
}

/// Claims about one subject and property.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimGroup {
    /// The subject entity (store id) and canonical name.
    pub subject: (u32, String),
    /// What is counted (`fighters`).
    pub property: String,
    /// Whether the values disagree (beyond rounding) between speakers ([`disagree`]).
    pub conflict: bool,
    /// How many claims the group has (`claims` holds at most `ClaimQuery::max_claims`).
    pub claim_count: usize,
    /// The claims, in time order; never averaged.
    pub claims: Vec<ClaimView>,
}

/// What a claims listing asks for.
#[derive(Debug, Clone, Default)]
pub struct ClaimQuery {
    /// Only claims about this entity.
    pub entity: Option<u32>,
    /// Only groups whose values disagree.
    pub conflicts_only: bool,
    /// At most this many groups (0: no limit).
    pub limit: usize,
    /// Skip this many groups first, for paging.
    pub offset: usize,
    /// At most this many claims per group, the earliest (0: all).
    pub max_claims: usize,
}

/// Two values disagree when they differ by more than this share of the larger one:
/// "about 18,000" and "18.300" agree, "1.500" and "14.000" do not.
pub const DISAGREEMENT: f64 = 0.1;

fn date_str(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn parse_date(s: Option<String>) -> Option<jiff::civil::Date> {
    s.and_then(|s| s.parse().ok())
}

fn copy_hash(sentence: &str) -> String {
    // FNV-1a over the folded words: the same wire sentence in two papers hashes alike.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in sentence.split_whitespace() {
        for c in w
            .chars()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric())
        {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h ^= 0x20;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

struct Candidate {
    id: i64,
    kind: String,
    when: When,
    entities: Vec<u32>,
    places: Vec<u32>,
}

fn load_candidate(tx: &Transaction<'_>, id: i64) -> Result<Option<Candidate>, Error> {
    let row = tx
        .prepare_cached("SELECT kind, earliest, latest, anchored, value FROM events WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?;
    let Some((kind, earliest, latest, anchored, value)) = row else {
        return Ok(None);
    };
    let mut entities = Vec::new();
    let mut places = Vec::new();
    let mut stmt =
        tx.prepare_cached("SELECT entity, place FROM event_entities WHERE event = ?1")?;
    let rows = stmt.query_map([id], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, bool>(1)?)))?;
    for row in rows {
        let (e, place) = row?;
        entities.push(e);
        if place {
            places.push(e);
        }
    }
    Ok(Some(Candidate {
        id,
        kind,
        when: When {
            earliest: parse_date(earliest),
            latest: parse_date(latest),
            anchored,
            value,
        },
        entities,
        places,
    }))
}

impl SqliteStore {
    /// Merges the events and stores the claims of newly stored documents; runs inside
    /// the batch's transaction, after their entities are merged.
    pub(crate) fn merge_events(
        tx: &Transaction<'_>,
        new_docs: &[(i64, &StoredDocument)],
    ) -> Result<(), Error> {
        let mut claims = false;
        for (rowid, sd) in new_docs {
            let Some(records) = &sd.records else {
                continue;
            };
            let spans = entity_ids(tx, *rowid)?;
            merge_document(tx, *rowid, &sd.doc.text, records, &spans)?;
            store_claims(tx, *rowid, records, &spans)?;
            claims |= !records.claims.is_empty();
        }
        if claims {
            bump_claims_generation(tx)?;
        }
        Ok(())
    }

    /// Rebuilds `event_entities` from the participants after entities were re-grouped.
    pub(crate) fn remap_event_entities(tx: &Transaction<'_>) -> Result<(), Error> {
        tx.execute("DELETE FROM event_entities", [])?;
        tx.execute(
            "INSERT OR IGNORE INTO event_entities (entity, kind, event, place)
             SELECT em.entity, e.kind, p.event, en.type = ?1 FROM event_participants p
             JOIN events e ON e.id = p.event
             JOIN entity_mentions em ON em.doc = p.doc AND em.start = p.start AND em.end = p.end
             JOIN entities en ON en.id = em.entity",
            [EntityType::Loc.as_str()],
        )?;
        tx.execute(
            "UPDATE claims SET entity = (SELECT em.entity FROM entity_mentions em
                 WHERE em.doc = claims.doc AND em.start = claims.subj_start AND em.end = claims.subj_end)",
            [],
        )?;
        bump_claims_generation(tx)
    }
}

/// Marks the cached claim groups stale (see [`MIGRATION_6`]).
fn bump_claims_generation(tx: &Transaction<'_>) -> Result<(), Error> {
    tx.prepare_cached("UPDATE meta SET value = value + 1 WHERE key = 'claims_generation'")?
        .execute([])?;
    Ok(())
}

/// The store's entity id of each entity mention span of a document.
fn entity_ids(tx: &Transaction<'_>, rowid: i64) -> Result<HashMap<(u32, u32), u32>, Error> {
    let mut stmt =
        tx.prepare_cached("SELECT start, end, entity FROM entity_mentions WHERE doc = ?1")?;
    let rows = stmt.query_map([rowid], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn merge_document(
    tx: &Transaction<'_>,
    rowid: i64,
    text: &str,
    records: &DocRecords,
    spans: &HashMap<(u32, u32), u32>,
) -> Result<(), Error> {
    let id_of = |s: Span| spans.get(&(s.start, s.end)).copied();
    // Whether a participant is a place follows its merged entity's type, which all its
    // mentions voted on: one article's tagger calling a ship LOC must not keep that
    // article's report apart from the others as "another place".
    let mut type_of = tx.prepare_cached("SELECT type FROM entities WHERE id = ?1")?;
    let mut is_place: HashMap<u32, bool> = HashMap::new();
    for ev in &records.events {
        let mut entities: Vec<u32> = Vec::new();
        let mut places: Vec<u32> = Vec::new();
        for p in &ev.participants {
            if let Some(id) = id_of(p.span) {
                if !entities.contains(&id) {
                    entities.push(id);
                }
                let place = match is_place.get(&id) {
                    Some(&b) => b,
                    None => {
                        let t: Option<String> = type_of.query_row([id], |r| r.get(0)).optional()?;
                        let b = t.as_deref() == Some(EntityType::Loc.as_str());
                        is_place.insert(id, b);
                        b
                    }
                };
                if place && !places.contains(&id) {
                    places.push(id);
                }
            }
        }
        let incoming = EventKey {
            kind: ev.kind,
            when: &ev.when,
            entities: &entities,
            places: &places,
        };
        // Candidates: the latest events of this type sharing a participant whose time
        // can be this one's (bounded scans of two indexes).
        let mut ids = BTreeSet::new();
        {
            let mut stmt = tx.prepare_cached(
                "SELECT e.id FROM (SELECT event FROM event_entities WHERE entity = ?1 AND kind = ?2
                                   ORDER BY event DESC LIMIT ?3) x
                 JOIN events e ON e.id = x.event
                 WHERE (?4 IS NULL OR e.latest IS NULL OR e.latest >= ?4)
                   AND (?5 IS NULL OR e.earliest IS NULL OR e.earliest <= ?5)",
            )?;
            let (from, to) = (date_str(ev.when.earliest), date_str(ev.when.latest));
            for e in &entities {
                let rows = stmt
                    .query_map(params![e, ev.kind, MAX_CANDIDATES as i64, from, to], |r| {
                        r.get::<_, i64>(0)
                    })?;
                for r in rows {
                    ids.insert(r?);
                }
            }
        }
        let mut best: Option<(u32, Candidate)> = None;
        for id in ids.into_iter().rev() {
            let Some(c) = load_candidate(tx, id)? else {
                continue;
            };
            let key = EventKey {
                kind: &c.kind,
                when: &c.when,
                entities: &c.entities,
                places: &c.places,
            };
            if let Some(s) = merge::score(&key, &incoming) {
                if best.as_ref().is_none_or(|(b, _)| s > *b) {
                    best = Some((s, c));
                }
            }
        }
        let event = match best {
            Some((_, c)) => {
                let when = merge::combine(&c.when, &ev.when);
                tx.prepare_cached(
                    "UPDATE events SET earliest = ?2, latest = ?3, anchored = ?4, value = ?5 WHERE id = ?1",
                )?
                .execute(params![
                    c.id,
                    date_str(when.earliest),
                    date_str(when.latest),
                    when.anchored,
                    when.value
                ])?;
                c.id
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO events (kind, lemma, earliest, latest, anchored, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    ev.kind,
                    ev.lemma,
                    date_str(ev.when.earliest),
                    date_str(ev.when.latest),
                    ev.when.anchored,
                    ev.when.value
                ])?;
                tx.last_insert_rowid()
            }
        };
        let mut link = tx.prepare_cached(
            "INSERT OR IGNORE INTO event_entities (entity, kind, event, place) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for e in &entities {
            link.execute(params![e, ev.kind, event, places.contains(e)])?;
        }
        let mut part = tx.prepare_cached(
            "INSERT INTO event_participants (event, doc, start, end, place) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for p in &ev.participants {
            part.execute(params![
                event,
                rowid,
                p.span.start,
                p.span.end,
                p.etype == kroniek_core::ner::EntityType::Loc
            ])?;
        }
        let mut mention = tx.prepare_cached(
            "INSERT INTO event_mentions (event, doc, start, end, sent_start, sent_end, lemma, certainty, polarity, time, source, value, earliest, latest, anchored, copy)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for m in &ev.mentions {
            let f = m.factuality;
            mention.execute(params![
                event,
                rowid,
                m.span.start,
                m.span.end,
                m.sentence.start,
                m.sentence.end,
                m.lemma,
                f.certainty.as_str(),
                f.polarity.as_str(),
                f.time.as_str(),
                m.source,
                m.when.value,
                date_str(m.when.earliest),
                date_str(m.when.latest),
                m.when.anchored,
                copy_hash(text.get(m.sentence.range()).unwrap_or("")),
            ])?;
        }
    }
    Ok(())
}

fn store_claims(
    tx: &Transaction<'_>,
    rowid: i64,
    records: &DocRecords,
    spans: &HashMap<(u32, u32), u32>,
) -> Result<(), Error> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO claims (doc, start, end, sent_start, sent_end, subj_start, subj_end, property, unit, value, bound, source, earliest, latest, anchored, time_value, entity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    for c in &records.claims {
        insert.execute(params![
            rowid,
            c.span.start,
            c.span.end,
            c.sentence.start,
            c.sentence.end,
            c.subject.as_ref().map(|s| s.span.start),
            c.subject.as_ref().map(|s| s.span.end),
            c.property,
            c.unit,
            c.value,
            c.bound.as_str(),
            c.source,
            date_str(c.when.earliest),
            date_str(c.when.latest),
            c.when.anchored,
            c.when.value,
            c.subject
                .as_ref()
                .and_then(|s| spans.get(&(s.span.start, s.span.end))),
        ])?;
    }
    Ok(())
}

fn certainty_rank(c: &str) -> u8 {
    match c {
        "CERTAIN" => 4,
        "PROBABLE" => 3,
        "POSSIBLE" => 2,
        _ => 1,
    }
}

fn slice(text: &str, start: u32, end: u32) -> &str {
    text.get(start as usize..end as usize).unwrap_or("")
}

impl SqliteStore {
    /// Events in time order, with their mentions and sources.
    pub fn timeline(&self, q: &TimelineQuery) -> Result<Vec<EventView>, Error> {
        let conn = &self.conn;
        let mut ids: Option<BTreeSet<i64>> = None;
        let mut sql = String::from(
            "SELECT id, kind, lemma, earliest, latest, anchored, value FROM events WHERE 1",
        );
        if let Some(entity) = q.entity {
            sql.push_str(&format!(
                " AND id IN (SELECT event FROM event_entities WHERE entity = {entity})"
            ));
        }
        let mut args: Vec<String> = Vec::new();
        // Conditions on the articles that mention an event (language, outlet, words).
        let mut article: Vec<String> = Vec::new();
        if let Some(text) = q.query.as_deref().filter(|t| !t.trim().is_empty()) {
            let (expr, _) = crate::sqlite::fts_query(text)?;
            let matching: i64 = conn
                .query_row(
                    "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?1",
                    [&expr],
                    |r| r.get(0),
                )
                .map_err(crate::sqlite::query_error)?;
            if matching as usize <= FEW_ARTICLES {
                // Few articles: their events, through the mentions' index.
                let mut stmt = conn.prepare(
                    "SELECT DISTINCT m.event FROM documents_fts JOIN event_mentions m ON m.doc = documents_fts.rowid
                     WHERE documents_fts MATCH ?1",
                )?;
                let rows = stmt.query_map([expr], |r| r.get::<_, i64>(0))?;
                let found: BTreeSet<i64> = rows
                    .collect::<Result<_, _>>()
                    .map_err(crate::sqlite::query_error)?;
                ids = Some(found);
            } else {
                // Many: walk the events in time order and keep those that one of the
                // matching articles mentions, until the page is full.
                args.push(expr);
                article.push(format!(
                    "m.doc IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?{})",
                    args.len()
                ));
            }
        }
        if let Some(l) = &q.language {
            args.push(l.clone());
            article.push(format!("d.lang = ?{}", args.len()));
        }
        if let Some(s) = &q.source {
            args.push(s.clone());
            article.push(format!("d.source = ?{} COLLATE NOCASE", args.len()));
        }
        if !article.is_empty() {
            let join = if q.language.is_some() || q.source.is_some() {
                " JOIN documents d ON d.rowid = m.doc"
            } else {
                ""
            };
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM event_mentions m{join} WHERE m.event = events.id AND {})",
                article.join(" AND ")
            ));
        }
        if !q.undated {
            sql.push_str(" AND anchored = 1");
        }
        if let Some(f) = &q.from {
            args.push(f.clone());
            sql.push_str(&format!(
                " AND (latest IS NULL OR latest >= ?{})",
                args.len()
            ));
        }
        if let Some(t) = &q.to {
            args.push(t.clone());
            sql.push_str(&format!(
                " AND (earliest IS NULL OR earliest <= ?{})",
                args.len()
            ));
        }
        if let Some(ids) = &ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            sql.push_str(&format!(" AND id IN ({})", list.join(",")));
        }
        sql.push_str(" ORDER BY earliest, latest, id");
        // Without a source filter the page is known before the mentions are read.
        let skip = if q.min_sources == 0 {
            if q.limit > 0 {
                sql.push_str(&format!(" LIMIT {} OFFSET {}", q.limit, q.offset));
            } else if q.offset > 0 {
                sql.push_str(&format!(" LIMIT -1 OFFSET {}", q.offset));
            }
            0
        } else {
            q.offset
        };
        let mut stmt = conn.prepare(&sql)?;
        let params: Vec<&dyn rusqlite::ToSql> =
            args.iter().map(|v| v as &dyn rusqlite::ToSql).collect();
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            bool,
            String,
        );
        let rows: Vec<Row> = stmt
            .query_map(params.as_slice(), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        let mut skipped = 0;
        let window = (q.mentions > 0).then_some((0, q.mentions));
        for (id, kind, lemma, earliest, latest, anchored, _value) in rows {
            let Some(view) = self.event_view(
                id,
                kind,
                lemma,
                earliest,
                latest,
                anchored,
                window,
                q.min_sources,
            )?
            else {
                continue;
            };
            if skipped < skip {
                skipped += 1;
                continue;
            }
            out.push(view);
            if q.limit > 0 && out.len() >= q.limit {
                break;
            }
        }
        Ok(out)
    }

    /// One event with its mentions.
    pub fn event(&self, id: i64) -> Result<Option<EventView>, Error> {
        self.event_window(id, None)
    }

    /// One event with the mentions from `offset` on, at most `limit` of them, in the
    /// order of [`EventView::mentions`]; the counts and sources cover all mentions.
    pub fn event_page(
        &self,
        id: i64,
        offset: usize,
        limit: usize,
    ) -> Result<Option<EventView>, Error> {
        self.event_window(id, Some((offset, limit)))
    }

    fn event_window(
        &self,
        id: i64,
        window: Option<(usize, usize)>,
    ) -> Result<Option<EventView>, Error> {
        let row = self
            .conn
            .query_row(
                "SELECT kind, lemma, earliest, latest, anchored FROM events WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        match row {
            Some((kind, lemma, e, l, a)) => self.event_view(id, kind, lemma, e, l, a, window, 0),
            None => Ok(None),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn event_view(
        &self,
        id: i64,
        kind: String,
        lemma: String,
        earliest: Option<String>,
        latest: Option<String>,
        anchored: bool,
        window: Option<(usize, usize)>,
        min_sources: usize,
    ) -> Result<Option<EventView>, Error> {
        // All mentions without their text first (counts, sources, certainty), then the
        // sentences of those shown.
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.title, d.source, d.published, m.doc,
                    m.start, m.end, m.sent_start, m.sent_end,
                    m.certainty, m.polarity, m.time, m.source, m.value, m.earliest, m.latest, m.anchored, m.copy
             FROM event_mentions m JOIN documents d ON d.rowid = m.doc
             WHERE m.event = ?1 ORDER BY d.pub_earliest, d.rowid, m.start",
        )?;
        let mut mentions = Vec::new();
        let mut copies: BTreeSet<String> = BTreeSet::new();
        let mut sources: Vec<String> = Vec::new();
        let mut docs = BTreeSet::new();
        let mut best = 0u8;
        let mut best_dated = false;
        let (mut pos, mut neg) = (false, false);
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            let doc: String = r.get(0)?;
            let rowid: i64 = r.get(4)?;
            let (start, end, ss, se): (u32, u32, u32, u32) =
                (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
            let certainty: String = r.get(9)?;
            let polarity: String = r.get(10)?;
            let outlet: Option<String> = r.get(2)?;
            let source: Option<String> = r.get(12)?;
            let copy: String = r.get(17)?;
            let fresh = copies.insert(copy);
            if fresh {
                let article = outlet
                    .clone()
                    .unwrap_or_else(|| format!("article {}", &doc[..8.min(doc.len())]));
                for s in [source.clone(), Some(article)].into_iter().flatten() {
                    if !sources.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
                        sources.push(s);
                    }
                }
            }
            let m_anchored: bool = r.get(16)?;
            if polarity == "NEG" {
                neg = true;
            } else {
                // The dated mentions say what happened then; undated ones only echo it.
                let rank = certainty_rank(&certainty);
                // Only a certain or probable mention asserts it: "whether it will leave"
                // does not contradict "it did not leave".
                pos |= rank >= certainty_rank("PROBABLE");
                if m_anchored && !best_dated {
                    best = rank;
                    best_dated = true;
                } else if m_anchored == best_dated {
                    best = best.max(rank);
                }
            }
            docs.insert(doc.clone());
            let (e, l): (Option<String>, Option<String>) = (r.get(14)?, r.get(15)?);
            mentions.push((
                rowid,
                se,
                EventMentionView {
                    doc: DocId::parse(&doc)
                        .ok_or_else(|| Error::corrupt(format!("bad document id {doc:?}")))?,
                    title: r.get(1)?,
                    outlet,
                    published: r.get(3)?,
                    text: String::new(),
                    sentence_start: ss,
                    trigger: (start.saturating_sub(ss), end.saturating_sub(ss)),
                    sentence: String::new(),
                    certainty,
                    polarity,
                    time: r.get(11)?,
                    source,
                    when: if m_anchored {
                        display_interval(parse_date(e), parse_date(l))
                    } else {
                        r.get(13)?
                    },
                    anchored: m_anchored,
                },
            ));
        }
        drop(rows);
        // The representative mention: dated, most certain, earliest.
        mentions.sort_by_key(|(_, _, m)| {
            (
                !m.anchored,
                m.polarity == "NEG",
                std::cmp::Reverse(certainty_rank(&m.certainty)),
            )
        });
        if sources.len() < min_sources {
            // Not shown: spare the sentences and names.
            return Ok(None);
        }
        let mention_count = mentions.len();
        let (skip, take) = window.unwrap_or((0, usize::MAX));
        let mut sentence_of = self.conn.prepare_cached(
            // Only the sentence's bytes, not the whole article.
            "SELECT substr(CAST(text AS BLOB), ?2 + 1, ?3 - ?2) FROM documents WHERE rowid = ?1",
        )?;
        let mentions: Vec<EventMentionView> = mentions
            .into_iter()
            .skip(skip)
            .take(take)
            .map(|(rowid, se, mut m)| {
                let bytes: Vec<u8> =
                    sentence_of.query_row(params![rowid, m.sentence_start, se], |r| r.get(0))?;
                m.sentence = String::from_utf8_lossy(&bytes).into_owned();
                m.text = slice(&m.sentence, m.trigger.0, m.trigger.1).to_string();
                Ok(m)
            })
            .collect::<Result<_, Error>>()?;
        // A denial outweighs mentions that only ask or guess ("whether it will leave").
        if neg && !pos {
            best = 0;
        }
        let certainty = match best {
            4 => "CERTAIN",
            3 => "PROBABLE",
            2 => "POSSIBLE",
            1 => "UNDERSPECIFIED",
            _ => "DENIED",
        };
        let mut names = self.conn.prepare_cached(
            "SELECT e.name FROM event_entities x JOIN entities e ON e.id = x.entity WHERE x.event = ?1 ORDER BY e.articles DESC, e.id",
        )?;
        let entities: Vec<String> = names
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Some(EventView {
            id,
            kind,
            lemma,
            date: display_interval(parse_date(earliest.clone()), parse_date(latest.clone())),
            earliest,
            latest,
            anchored,
            certainty: certainty.to_string(),
            contradicted: pos && neg,
            articles: docs.len(),
            sources,
            entities,
            mention_count,
            mentions,
        }))
    }

    /// Claims grouped by subject and property, conflicts first, then the groups with most
    /// claims; with `conflicts_only`, only the groups whose values disagree. Groups are
    /// paged in SQL over the cached `claim_groups` (rebuilt first when claims or entities
    /// changed since, see [`MIGRATION_6`]); each group's claims are read in time order, at
    /// most `max_claims` of them.
    pub fn claims(&self, q: &ClaimQuery) -> Result<Vec<ClaimGroup>, Error> {
        self.refresh_claim_groups()?;
        let mut sql = String::from(
            "SELECT g.entity, e.name, g.property, g.claims, g.conflict
             FROM claim_groups g JOIN entities e ON e.id = g.entity WHERE 1",
        );
        if let Some(e) = q.entity {
            sql.push_str(&format!(" AND g.entity = {e}"));
        }
        if q.conflicts_only {
            sql.push_str(" AND g.conflict = 1");
        }
        sql.push_str(" ORDER BY g.conflict DESC, g.claims DESC, g.entity, g.property");
        if q.limit > 0 {
            sql.push_str(&format!(" LIMIT {} OFFSET {}", q.limit, q.offset));
        } else if q.offset > 0 {
            sql.push_str(&format!(" LIMIT -1 OFFSET {}", q.offset));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let groups: Vec<(u32, String, String, i64, bool)> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut members = self.conn.prepare_cached(
            // The numbers first (no article text), in time order.
            "SELECT c.id, d.id, d.source, d.published,
                    c.value, c.bound, c.unit, c.source, c.earliest, c.latest, c.anchored, c.time_value
             FROM claims c JOIN documents d ON d.rowid = c.doc
             WHERE c.entity = ?1 AND c.property = ?2
             ORDER BY c.earliest, d.pub_earliest, c.id LIMIT ?3",
        )?;
        let mut text = self.conn.prepare_cached(
            // Offsets are bytes: cut the UTF-8 bytes, not characters.
            "SELECT substr(CAST(d.text AS BLOB), c.start + 1, c.end - c.start),
                    substr(CAST(d.text AS BLOB), c.sent_start + 1, c.sent_end - c.sent_start)
             FROM claims c JOIN documents d ON d.rowid = c.doc WHERE c.id = ?1",
        )?;
        let max = if q.max_claims == 0 {
            -1
        } else {
            q.max_claims as i64
        };
        let mut out = Vec::with_capacity(groups.len());
        for (entity, name, property, count, conflict) in groups {
            let mut claims = Vec::new();
            let mut rows = members.query(params![entity, property, max])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let mut c = claim_row(r, 1)?;
                let (t, sentence): (Vec<u8>, Vec<u8>) =
                    text.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                c.text = String::from_utf8_lossy(&t).into_owned();
                c.sentence = String::from_utf8_lossy(&sentence).into_owned();
                claims.push(c);
            }
            out.push(ClaimGroup {
                subject: (entity, name),
                property,
                conflict,
                claim_count: count as usize,
                claims,
            });
        }
        Ok(out)
    }

    /// Rebuilds `claim_groups` when claims or entities changed since it was built: one
    /// pass over the claims in (entity, property) order, one group in memory at a time.
    fn refresh_claim_groups(&self) -> Result<(), Error> {
        let generations = |conn: &rusqlite::Connection| -> Result<(i64, i64), Error> {
            Ok(conn.query_row(
                "SELECT (SELECT value FROM meta WHERE key = 'claims_generation'),
                        (SELECT value FROM meta WHERE key = 'claim_groups_generation')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        };
        let (wanted, built) = generations(&self.conn)?;
        if wanted == built {
            return Ok(());
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let rebuilt = (|| -> Result<(), Error> {
            // Another connection may have rebuilt it while this one waited for the lock.
            let (wanted, built) = generations(&self.conn)?;
            if wanted == built {
                return Ok(());
            }
            self.conn.execute("DELETE FROM claim_groups", [])?;
            let mut insert = self.conn.prepare(
                "INSERT INTO claim_groups (entity, property, claims, conflict) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut stmt = self.conn.prepare(
                "SELECT c.entity, c.property, d.id, d.source, d.published,
                        c.value, c.bound, c.unit, c.source, c.earliest, c.latest, c.anchored, c.time_value
                 FROM claims c JOIN documents d ON d.rowid = c.doc
                 WHERE c.entity IS NOT NULL ORDER BY c.entity, c.property",
            )?;
            let mut rows = stmt.query([])?;
            let mut current: Option<(u32, String)> = None;
            let mut claims: Vec<ClaimView> = Vec::new();
            let mut flush = |key: &Option<(u32, String)>, claims: &mut Vec<ClaimView>| {
                let result = match key {
                    Some((e, p)) if !claims.is_empty() => {
                        let conflict = !kroniek_core::record::needs_measure(p) && disagree(claims);
                        insert
                            .execute(params![e, p, claims.len() as i64, conflict])
                            .map(|_| ())
                    }
                    _ => Ok(()),
                };
                claims.clear();
                result
            };
            while let Some(r) = rows.next()? {
                let key: (u32, String) = (r.get(0)?, r.get(1)?);
                if current.as_ref() != Some(&key) {
                    flush(&current, &mut claims)?;
                    current = Some(key);
                }
                claims.push(claim_row(r, 2)?);
            }
            flush(&current, &mut claims)?;
            self.conn.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'claim_groups_generation'",
                [wanted],
            )?;
            Ok(())
        })();
        match rebuilt {
            Ok(()) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(())
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// A claim's numbers from a row whose columns from `at` on are: document id, outlet,
/// published, value, bound, unit, source, earliest, latest, anchored, time value. Its
/// text and sentence are left empty.
fn claim_row(r: &rusqlite::Row<'_>, at: usize) -> Result<ClaimView, Error> {
    let doc: String = r.get(at)?;
    let anchored: bool = r.get(at + 9)?;
    Ok(ClaimView {
        doc: DocId::parse(&doc)
            .ok_or_else(|| Error::corrupt(format!("bad document id {doc:?}")))?,
        outlet: r.get(at + 1)?,
        published: r.get(at + 2)?,
        text: String::new(),
        sentence: String::new(),
        value: r.get(at + 3)?,
        bound: r.get(at + 4)?,
        unit: r.get(at + 5)?,
        source: r.get(at + 6)?,
        when: if anchored {
            display_interval(parse_date(r.get(at + 7)?), parse_date(r.get(at + 8)?))
        } else {
            r.get(at + 10)?
        },
    })
}

/// Whether two claims of a group by different speakers disagree beyond [`DISAGREEMENT`].
/// The speaker is the attributed source, else the outlet, else the article: one article's
/// (or one source's) own numbers about a subject are mostly different measures ("profit
/// of $78.8 million on revenue of $2.35 billion") or changes over time, not a dispute.
/// Within one article, only two attributed sources dispute ("The Guardian" against "the
/// BBC"): an article's own number beside a source's ("the company said") is mostly
/// another measure (a quarter's loss beside a year's).
/// Every claim is compared with the smallest and the largest of each other speaker in
/// each article.
pub fn disagree(claims: &[ClaimView]) -> bool {
    fn speaker(c: &ClaimView) -> std::borrow::Cow<'_, str> {
        match c.source.as_deref().or(c.outlet.as_deref()) {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(c.doc.to_string()),
        }
    }
    let differ = |a: &ClaimView, b: &ClaimView| {
        let big = a.value.abs().max(b.value.abs());
        big > 0.0 && (a.value - b.value).abs() / big > DISAGREEMENT
    };
    // The smallest and largest value of each speaker in each article: two speakers
    // disagree when some value of one differs from the other's extremes.
    type Extremes<'a> = (std::borrow::Cow<'a, str>, &'a ClaimView, &'a ClaimView);
    let mut extremes: Vec<Extremes<'_>> = Vec::new();
    for c in claims {
        let who = speaker(c);
        match extremes.iter_mut().find(|(w, min, _)| {
            *w == who && min.doc == c.doc && min.source.is_some() == c.source.is_some()
        }) {
            Some((_, min, max)) => {
                if c.value < min.value {
                    *min = c;
                }
                if c.value > max.value {
                    *max = c;
                }
            }
            None => extremes.push((who, c, c)),
        }
    }
    extremes
        .iter()
        .enumerate()
        .any(|(i, (a_who, a_min, a_max))| {
            extremes[i + 1..].iter().any(|(b_who, b_min, b_max)| {
                let one_article = a_min.doc == b_min.doc;
                let both_attributed = a_min.source.is_some() && b_min.source.is_some();
                a_who != b_who
                    && (!one_article || both_attributed)
                    && [a_min, a_max]
                        .iter()
                        .any(|a| differ(a, b_min) || differ(a, b_max))
            })
        })
}

/// Up to this many articles matching a timeline's words, their events are gathered
/// through the mentions' index; beyond it, events are walked in time order instead.
const FEW_ARTICLES: usize = 2000;

/// How many opening sentences of an article vote for its publication day.
const LEAD_SENTENCES: usize = 3;

impl SqliteStore {
    /// The dated sentences of the articles matching a full-text query, for a topic
    /// timeline: sentences with a time expression of day precision, and the opening
    /// sentences of articles published on a known day (see
    /// `kroniek_core::record::summary`). Only days within `from`..=`to` when given.
    pub fn topic_sentences(
        &self,
        query: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<kroniek_core::record::summary::DatedSentence>, Error> {
        Ok(self.topic_sentences_of_best(query, from, to, 0)?.0)
    }

    /// [`Self::topic_sentences`] from at most `max_articles` articles (0: all), the best
    /// ranked for the query (BM25, titles weighted double, as search ranks); also says
    /// how many articles match the query in all.
    pub fn topic_sentences_of_best(
        &self,
        query: &str,
        from: Option<&str>,
        to: Option<&str>,
        max_articles: usize,
    ) -> Result<(Vec<kroniek_core::record::summary::DatedSentence>, usize), Error> {
        use kroniek_core::record::summary::DatedSentence;
        let (expr, _) = crate::sqlite::fts_query(query)?;
        let matching: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?1",
                [&expr],
                |r| r.get(0),
            )
            .map_err(crate::sqlite::query_error)?;
        let limit = if max_articles == 0 {
            -1
        } else {
            max_articles as i64
        };
        let mut docs = self.conn.prepare(
            "SELECT d.rowid, d.text, d.precision, d.pub_earliest
             FROM (SELECT rowid, bm25(documents_fts, 2.0, 1.0) AS rank FROM documents_fts
                   WHERE documents_fts MATCH ?1 ORDER BY rank LIMIT ?2) f
             JOIN documents d ON d.rowid = f.rowid ORDER BY d.rowid",
        )?;
        let mut anns = self.conn.prepare_cached(
            "SELECT layer, start, end, label, attrs FROM annotations WHERE doc = ?1 AND layer IN ('sentence', 'timex') ORDER BY start",
        )?;
        let in_range = |d: &str| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t);
        let mut out = Vec::new();
        let mut rows = docs
            .query(params![expr, limit])
            .map_err(crate::sqlite::query_error)?;
        while let Some(r) = rows.next().map_err(crate::sqlite::query_error)? {
            let rowid: i64 = r.get(0)?;
            let text: String = r.get(1)?;
            let precision: String = r.get(2)?;
            let published: Option<String> = r.get(3)?;
            let mut sentences: Vec<(u32, u32)> = Vec::new();
            let mut timexes: Vec<(u32, String, Date)> = Vec::new();
            let mut a = anns.query([rowid])?;
            while let Some(x) = a.next()? {
                let layer: String = x.get(0)?;
                let (start, end): (u32, u32) = (x.get(1)?, x.get(2)?);
                if layer == "sentence" {
                    sentences.push((start, end));
                    continue;
                }
                let label: String = x.get(3)?;
                let attrs: Option<String> = x.get(4)?;
                let v: serde_json::Value = attrs
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or_default();
                let (e, l) = (
                    v.get("earliest").and_then(|x| x.as_str()),
                    v.get("latest").and_then(|x| x.as_str()),
                );
                if label == "DATE" && e.is_some() && e == l {
                    if let Some(day) = e.and_then(|d| d.parse::<Date>().ok()) {
                        timexes.push((start, label, day));
                    }
                }
            }
            // A day can only be reported on or after it: drop references beyond publication.
            let latest_pub: Option<Date> = published.as_deref().and_then(|p| p.parse().ok());
            let mut dated = std::collections::HashSet::new();
            for (start, _, day) in &timexes {
                let Some(&(ss, se)) = sentences.iter().find(|(s, e)| s <= start && start < e)
                else {
                    continue;
                };
                if precision == "day" && latest_pub.is_some_and(|p| *day > p) {
                    continue;
                }
                dated.insert(ss);
                if !in_range(&day.to_string()) {
                    continue;
                }
                out.push(DatedSentence {
                    date: *day,
                    text: slice(&text, ss, se).to_string(),
                    explicit: true,
                    doc: rowid as u64,
                });
            }
            if precision == "day" {
                if let Some(day) = latest_pub.filter(|d| in_range(&d.to_string())) {
                    // A lead sentence that names its own day votes for that day only.
                    for &(ss, se) in sentences
                        .iter()
                        .take(LEAD_SENTENCES)
                        .filter(|(ss, _)| !dated.contains(ss))
                    {
                        out.push(DatedSentence {
                            date: day,
                            text: slice(&text, ss, se).to_string(),
                            explicit: false,
                            doc: rowid as u64,
                        });
                    }
                }
            }
        }
        Ok((out, matching as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(doc: &str, source: Option<&str>, when: &str, value: f64) -> ClaimView {
        ClaimView {
            doc: DocId::of_content(None, doc),
            outlet: None,
            published: "2019-02".into(),
            text: String::new(),
            sentence: String::new(),
            value,
            bound: "exact".into(),
            unit: "strijders".into(),
            source: source.map(Into::into),
            when: when.into(),
        }
    }

    #[test]
    fn only_different_speakers_disagree() {
        // Sources that differ, in one article: the seed case.
        assert!(disagree(&[
            claim("a", Some("The Guardian"), "2019-01-10", 500.0),
            claim("a", Some("BBC"), "2019-02", 1500.0),
        ]));
        // One article's own numbers, or one source's at two dates: no dispute.
        assert!(!disagree(&[
            claim("a", None, "1989", 3.27),
            claim("a", None, "1989-Q3", 2.35e9),
        ]));
        assert!(!disagree(&[
            claim("a", Some("Unisys"), "1989", 4.0),
            claim("b", Some("Unisys"), "1990", 500.0),
        ]));
        // Two articles without a source are two speakers; rounding is no dispute.
        assert!(disagree(&[
            claim("a", None, "2019", 14000.0),
            claim("b", None, "2019", 1500.0),
        ]));
        assert!(!disagree(&[
            claim("a", None, "2019", 18000.0),
            claim("b", Some("BBC"), "2019", 18300.0),
        ]));
        // A speaker's spread is no dispute, another speaker outside it is.
        let spread = [
            claim("a", Some("X"), "2019", 10.0),
            claim("a", Some("X"), "2019", 100.0),
        ];
        assert!(!disagree(&spread));
        assert!(disagree(&[
            spread[0].clone(),
            spread[1].clone(),
            claim("b", Some("Y"), "2019", 50.0)
        ]));
        assert!(!disagree(&[]));
        // In one article, its own number beside a source's is no dispute ("a loss of
        // $30 million" in the quarter, "$673 million", the company said, for the year);
        // across articles it is.
        assert!(!disagree(&[
            claim("a", None, "1989-Q3", 30e6),
            claim("a", Some("the company"), "1989", 673e6),
        ]));
        assert!(disagree(&[
            claim("a", None, "1989-Q3", 30e6),
            claim("b", Some("the company"), "1989", 673e6),
        ]));
    }
}
