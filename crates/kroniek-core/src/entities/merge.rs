//! Cross-document merging: document entities → global entities, incrementally.
//!
//! A new document's entities join existing global entities by normalised name and type,
//! by surname or acronym when that is unambiguous, and by shared context (co-occurring
//! entities) when several candidates fit. Two people with different full names never
//! merge. User aliases ("Daesh" is "ISIS") are applied when matching; adding or removing
//! one re-groups everything by replaying the documents in arrival order, so the result
//! never depends on when an alias was added.
//!
//! A merger need not hold everything: a store can [`Merger::restore`] just the entities
//! that a batch of documents could join (those answering to one of
//! [`Merger::lookup_keys`]) and answer co-occurrence counts it does not hold through the
//! `shared` callback of [`Merger::add_document_with`]. The decisions are the same as with
//! every entity in memory, and the cost of a document does not grow with the archive.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::document::DocEntity;
use super::normalize::{
    looks_like_acronym, name_parts, normalize, place_compound_key, surname, translated_keys,
};
use crate::document::PubDate;
use crate::ner::EntityType;

/// A global entity id (stable while no alias changes; see [`Merger::add_alias`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId(pub u32);

/// A person, organisation, place or thing across all documents seen.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalEntity {
    /// Its id.
    pub id: EntityId,
    /// Majority type over its documents.
    pub etype: EntityType,
    /// Canonical name: the most frequent of its fullest surface forms.
    pub name: String,
    /// Normalised canonical name.
    pub key: String,
    /// Every surface form seen, with its mention count.
    pub names: BTreeMap<String, usize>,
    /// Number of documents it occurs in.
    pub articles: usize,
    /// Number of mentions.
    pub mentions: usize,
    /// Earliest and latest publication date of its documents (when known).
    pub first: Option<PubDate>,
    /// See `first`.
    pub last: Option<PubDate>,
    /// Co-occurring entities: how many documents they share (those documents this merger
    /// has seen; a restored entity starts empty).
    pub cooccurring: BTreeMap<EntityId, usize>,
    /// Mentions per type, whose majority is `etype`.
    pub type_votes: BTreeMap<EntityType, usize>,
    /// Normalised forms it answers to (canonical key, other full names, surnames, acronyms).
    keys: BTreeSet<String>,
}

impl GlobalEntity {
    /// A new entity with no mentions yet.
    pub fn new(id: EntityId, etype: EntityType, name: String, key: String) -> GlobalEntity {
        GlobalEntity {
            id,
            etype,
            name,
            key,
            names: BTreeMap::new(),
            articles: 0,
            mentions: 0,
            first: None,
            last: None,
            cooccurring: BTreeMap::new(),
            type_votes: BTreeMap::new(),
            keys: BTreeSet::new(),
        }
    }
}

/// One document's entities as the merger remembers them (for re-grouping).
#[derive(Debug, Clone)]
struct DocRecord {
    doc: u64,
    published: PubDate,
    entities: Vec<DocEntity>,
}

/// The incremental cross-document entity merger.
#[derive(Debug, Clone, Default)]
pub struct Merger {
    entities: BTreeMap<EntityId, GlobalEntity>,
    /// The id the next new entity gets.
    next_id: u32,
    /// Normalised form → entities answering to it.
    index: HashMap<String, Vec<EntityId>>,
    /// User aliases: normalised alias → normalised name it stands for.
    aliases: BTreeMap<String, String>,
    /// Display forms of the aliases.
    alias_names: BTreeMap<String, (String, String)>,
    docs: Vec<DocRecord>,
    assignments: Vec<Vec<EntityId>>,
    /// Document → its position in `docs`.
    by_doc: HashMap<u64, usize>,
    /// Keys given to entities since the last [`Merger::take_new_keys`].
    new_keys: Vec<(String, EntityId)>,
}

fn is_full_name(key: &str) -> bool {
    key.contains(' ')
}

fn compatible(a: EntityType, b: EntityType) -> bool {
    a == b || a == EntityType::Misc || b == EntityType::Misc
}

impl Merger {
    /// An empty merger.
    pub fn new() -> Merger {
        Merger::default()
    }

    /// A merger that knows the user's aliases (`(alias, name)` display forms) and nothing
    /// else yet; entities are then [restored](Merger::restore) or added.
    pub fn with_aliases<'a>(aliases: impl IntoIterator<Item = (&'a str, &'a str)>) -> Merger {
        let mut m = Merger::new();
        for (alias, name) in aliases {
            m.insert_alias(alias, name);
        }
        m
    }

    /// All global entities this merger holds, by id.
    pub fn entities(&self) -> impl Iterator<Item = &GlobalEntity> {
        self.entities.values()
    }

    /// One entity.
    pub fn entity(&self, id: EntityId) -> Option<&GlobalEntity> {
        self.entities.get(&id)
    }

    fn get(&self, id: EntityId) -> &GlobalEntity {
        &self.entities[&id]
    }

    /// The normalised forms an entity answers to, as far as this merger knows them.
    pub fn keys_of(&self, id: EntityId) -> impl Iterator<Item = &str> {
        self.entities
            .get(&id)
            .into_iter()
            .flat_map(|g| g.keys.iter().map(String::as_str))
    }

    /// The global entities of a document's entities (in its order), if the document was added.
    pub fn assignments(&self, doc: u64) -> Option<&[EntityId]> {
        self.by_doc
            .get(&doc)
            .map(|&i| self.assignments[i].as_slice())
    }

    /// The normalised forms (aliases resolved) under which a document entity looks for the
    /// global entity it joins: everything a store must [restore](Merger::restore) first.
    pub fn lookup_keys(&self, e: &DocEntity) -> Vec<String> {
        self.keyed(e).1
    }

    /// The key a name is looked up under (normalised, aliases resolved).
    pub fn lookup_key(&self, name: &str) -> String {
        self.resolve(&normalize(name))
    }

    /// Puts back an entity kept elsewhere (a store), answering to `keys`. The id must be
    /// below the [next id](Merger::set_next_id). Its co-occurrence counts are those the
    /// `shared` callback of [`Merger::add_document_with`] answers.
    pub fn restore(&mut self, mut entity: GlobalEntity, keys: impl IntoIterator<Item = String>) {
        let id = entity.id;
        for k in keys {
            if entity.keys.insert(k.clone()) {
                self.index.entry(k).or_default().push(id);
            }
        }
        self.next_id = self.next_id.max(id.0 + 1);
        self.entities.insert(id, entity);
    }

    /// The id the next new entity gets: a store that restores only some entities says how
    /// many exist.
    pub fn set_next_id(&mut self, next: u32) {
        self.next_id = self.next_id.max(next);
    }

    /// The keys entities were given since the last call (for a store to persist).
    pub fn take_new_keys(&mut self) -> Vec<(String, EntityId)> {
        std::mem::take(&mut self.new_keys)
    }

    /// Entities answering to a name (any surface form, acronym or alias), best first.
    pub fn find(&self, name: &str) -> Vec<EntityId> {
        let key = self.resolve(&normalize(name));
        let mut ids: Vec<EntityId> = self.index.get(&key).cloned().unwrap_or_default();
        ids.sort_by_key(|id| {
            (
                self.get(*id).key != key,
                std::cmp::Reverse(self.get(*id).mentions),
                *id,
            )
        });
        ids.dedup();
        ids
    }

    /// The user aliases, as `(alias, name)` display forms.
    pub fn aliases(&self) -> Vec<(String, String)> {
        self.alias_names.values().cloned().collect()
    }

    fn resolve(&self, key: &str) -> String {
        let mut k = key.to_string();
        for _ in 0..8 {
            match self.aliases.get(&k) {
                Some(t) if *t != k => k = t.clone(),
                _ => break,
            }
        }
        k
    }

    /// Declares that `alias` names the same entity as `name`, and re-groups.
    pub fn add_alias(&mut self, alias: &str, name: &str) {
        if self.insert_alias(alias, name) {
            self.regroup();
        }
    }

    fn insert_alias(&mut self, alias: &str, name: &str) -> bool {
        let (a, n) = (normalize(alias), normalize(name));
        if a.is_empty() || n.is_empty() || a == n {
            return false;
        }
        self.aliases.insert(a.clone(), n);
        self.alias_names
            .insert(a, (alias.to_string(), name.to_string()));
        true
    }

    /// Removes an alias (by its alias name); returns whether there was one. Re-groups.
    pub fn remove_alias(&mut self, alias: &str) -> bool {
        let a = normalize(alias);
        let had = self.aliases.remove(&a).is_some();
        self.alias_names.remove(&a);
        if had {
            self.regroup();
        }
        had
    }

    fn regroup(&mut self) {
        let docs = std::mem::take(&mut self.docs);
        self.entities.clear();
        self.next_id = 0;
        self.index.clear();
        self.assignments.clear();
        self.by_doc.clear();
        self.new_keys.clear();
        for d in docs {
            self.add_document(d.doc, d.published, d.entities);
        }
    }

    fn keyed(&self, e: &DocEntity) -> (String, Vec<String>) {
        let canon = self.resolve(&e.key);
        let mut all: Vec<String> = e
            .names
            .iter()
            .map(|n| self.resolve(&normalize(n)))
            .filter(|k| !k.is_empty())
            .collect();
        all.push(canon.clone());
        // "Kesselkanaal" is also "kessel canal", "Grote Meer" "great lake": the English
        // name of the same place or body.
        if e.etype != EntityType::Per {
            let other: Vec<String> = all.iter().flat_map(|k| other_language_keys(k)).collect();
            all.extend(other);
        }
        all.sort();
        all.dedup();
        (canon, all)
    }

    /// Adds one document's entities; returns the global entity of each. Adding the same
    /// document again returns its earlier assignment.
    pub fn add_document(
        &mut self,
        doc: u64,
        published: PubDate,
        entities: Vec<DocEntity>,
    ) -> Vec<EntityId> {
        self.add_document_with(doc, published, entities, &mut |_, _| 0)
    }

    /// [`Merger::add_document`] for a merger that holds only some entities: `shared(a, b)`
    /// answers how many documents not seen by this merger `a` and `b` share.
    pub fn add_document_with(
        &mut self,
        doc: u64,
        published: PubDate,
        entities: Vec<DocEntity>,
        shared: &mut dyn FnMut(EntityId, EntityId) -> usize,
    ) -> Vec<EntityId> {
        if let Some(a) = self.assignments(doc) {
            return a.to_vec();
        }
        let mut out: Vec<Option<EntityId>> = vec![None; entities.len()];
        let keyed: Vec<(String, Vec<String>)> = entities.iter().map(|e| self.keyed(e)).collect();
        // Full names first: they are the least ambiguous, and give context to the rest.
        let mut order: Vec<usize> = (0..entities.len()).collect();
        order.sort_by_key(|&i| (!is_full_name(&keyed[i].0), i));
        // Unambiguous entities first; ambiguous ones then use them as context.
        let mut ambiguous = Vec::new();
        for &i in &order {
            let (canon, keys) = &keyed[i];
            let c = self.candidates(entities[i].etype, canon, keys);
            let exact: Vec<EntityId> = c
                .iter()
                .copied()
                .filter(|id| self.get(*id).key == *canon)
                .collect();
            match (c.len(), exact.len()) {
                (0, _) => out[i] = Some(self.create(&entities[i], canon)),
                (1, _) => out[i] = Some(c[0]),
                (_, 1) => out[i] = Some(exact[0]),
                _ => ambiguous.push((i, c)),
            }
        }
        for (i, c) in ambiguous {
            let context: Vec<EntityId> = out.iter().flatten().copied().collect();
            out[i] = Some(self.pick(entities[i].etype, &keyed[i].0, c, &context, shared));
        }
        let ids: Vec<EntityId> = out.into_iter().map(|o| o.expect("assigned")).collect();
        let mut counted = BTreeSet::new();
        for (i, e) in entities.iter().enumerate() {
            let id = ids[i];
            let (canon, keys) = &keyed[i];
            let g = self.entities.get_mut(&id).expect("assigned entity exists");
            g.mentions += e.mentions.len().max(1);
            if counted.insert(id) {
                g.articles += 1;
            }
            *g.type_votes.entry(e.etype).or_insert(0) += e.mentions.len().max(1);
            g.etype =
                EntityType::majority(g.type_votes.iter().map(|(t, n)| (*t, *n))).unwrap_or(e.etype);
            for n in &e.names {
                *g.names.entry(n.clone()).or_insert(0) += 1;
            }
            // A fuller name than the current canonical one becomes canonical.
            if canon.split(' ').count() > g.key.split(' ').count() && !looks_like_acronym(&e.name) {
                g.key = canon.clone();
                g.name = e.name.clone();
            }
            if !published.is_unknown() {
                if g.first.is_none_or(|f| published.earliest() < f.earliest()) {
                    g.first = Some(published);
                }
                if g.last.is_none_or(|l| published.latest() > l.latest()) {
                    g.last = Some(published);
                }
            }
            let mut new_keys: Vec<String> = keys.clone();
            if e.etype == EntityType::Per && is_full_name(canon) {
                new_keys.push(surname(&name_parts(canon)));
            }
            for k in new_keys {
                if g.keys.insert(k.clone()) {
                    self.index.entry(k.clone()).or_default().push(id);
                    self.new_keys.push((k, id));
                }
            }
        }
        let unique: BTreeSet<EntityId> = ids.iter().copied().collect();
        for &a in &unique {
            for &b in &unique {
                if a != b {
                    if let Some(g) = self.entities.get_mut(&a) {
                        *g.cooccurring.entry(b).or_insert(0) += 1;
                    }
                }
            }
        }
        self.by_doc.insert(doc, self.docs.len());
        self.docs.push(DocRecord {
            doc,
            published,
            entities,
        });
        self.assignments.push(ids.clone());
        ids
    }

    fn create(&mut self, e: &DocEntity, canon: &str) -> EntityId {
        let id = EntityId(self.next_id);
        self.next_id += 1;
        self.entities.insert(
            id,
            GlobalEntity::new(id, e.etype, e.name.clone(), canon.to_string()),
        );
        id
    }

    fn candidates(&self, etype: EntityType, canon: &str, keys: &[String]) -> Vec<EntityId> {
        let mut candidates: Vec<EntityId> = Vec::new();
        // The name in another language's words ("grote meer" → "great lake").
        let other: Vec<String> = if etype == EntityType::Per {
            Vec::new()
        } else {
            other_language_keys(canon)
        };
        for k in keys {
            for &id in self.index.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                let g = self.get(id);
                // The same full name is the same entity whatever type the tagger gave it
                // here and there: an unseen name ("Lindqvist Line") is typed by guesswork,
                // and differently from article to article.
                let same_full_name = is_full_name(canon) && g.key == *canon;
                if !(compatible(g.etype, etype) || same_full_name) || candidates.contains(&id) {
                    continue;
                }
                // Two different full names are two entities (Donald Trump, Ivanka Trump),
                // unless a user alias says otherwise (resolved keys are then equal) or one
                // is the other in another language's words.
                if is_full_name(canon)
                    && is_full_name(&g.key)
                    && g.key != *canon
                    && !g.keys.contains(canon)
                    && !other.iter().any(|o| g.keys.contains(o))
                {
                    continue;
                }
                candidates.push(id);
            }
        }
        candidates
    }

    /// Among several candidates: exact name, then type, then shared context, then the most mentioned.
    fn pick(
        &self,
        etype: EntityType,
        canon: &str,
        candidates: Vec<EntityId>,
        context: &[EntityId],
        shared_elsewhere: &mut dyn FnMut(EntityId, EntityId) -> usize,
    ) -> EntityId {
        let best = candidates.iter().copied().max_by_key(|id| {
            let g = self.get(*id);
            let shared: usize = context
                .iter()
                .filter(|c| *c != id)
                .map(|c| g.cooccurring.get(c).copied().unwrap_or(0) + shared_elsewhere(*id, *c))
                .sum();
            (
                g.key == canon,
                g.etype == etype,
                shared,
                g.mentions,
                std::cmp::Reverse(*id),
            )
        });
        best.unwrap_or(candidates[0])
    }
}

/// A key's other keys in another language's words: a one-word compound place name
/// ("kesselkanaal" → "kessel canal") or a name written word by word ("grote meer" →
/// "great lake").
fn other_language_keys(key: &str) -> Vec<String> {
    match place_compound_key(key) {
        Some(k) => vec![k],
        None => translated_keys(key),
    }
}
