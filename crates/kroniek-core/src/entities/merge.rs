//! Cross-document merging: document entities → global entities, incrementally.
//!
//! A new document's entities join existing global entities by normalised name and type,
//! by surname or acronym when that is unambiguous, and by shared context (co-occurring
//! entities) when several candidates fit. Two people with different full names never
//! merge. User aliases ("Daesh" is "ISIS") are applied when matching; adding or removing
//! one re-groups everything by replaying the documents in arrival order, so the result
//! never depends on when an alias was added.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::document::DocEntity;
use super::normalize::{looks_like_acronym, name_parts, normalize, surname};
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
    /// Documents it occurs in.
    pub docs: BTreeSet<u64>,
    /// Number of mentions.
    pub mentions: usize,
    /// Earliest and latest publication date of its documents (when known).
    pub first: Option<PubDate>,
    /// See `first`.
    pub last: Option<PubDate>,
    /// Co-occurring entities: how many documents they share.
    pub cooccurring: BTreeMap<EntityId, usize>,
    type_votes: BTreeMap<EntityType, usize>,
    /// Normalised forms it answers to (canonical key, other full names, surnames, acronyms).
    keys: BTreeSet<String>,
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
    entities: Vec<GlobalEntity>,
    /// Normalised form → entities answering to it.
    index: HashMap<String, Vec<EntityId>>,
    /// User aliases: normalised alias → normalised name it stands for.
    aliases: BTreeMap<String, String>,
    /// Display forms of the aliases.
    alias_names: BTreeMap<String, (String, String)>,
    docs: Vec<DocRecord>,
    assignments: Vec<Vec<EntityId>>,
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

    /// All global entities, by id.
    pub fn entities(&self) -> &[GlobalEntity] {
        &self.entities
    }

    /// One entity.
    pub fn entity(&self, id: EntityId) -> Option<&GlobalEntity> {
        self.entities.get(id.0 as usize)
    }

    /// The global entities of a document's entities (in its order), if the document was added.
    pub fn assignments(&self, doc: u64) -> Option<&[EntityId]> {
        self.docs
            .iter()
            .position(|d| d.doc == doc)
            .map(|i| self.assignments[i].as_slice())
    }

    /// Entities answering to a name (any surface form, acronym or alias), best first.
    pub fn find(&self, name: &str) -> Vec<EntityId> {
        let key = self.resolve(&normalize(name));
        let mut ids: Vec<EntityId> = self.index.get(&key).cloned().unwrap_or_default();
        ids.sort_by_key(|id| {
            (
                self.entities[id.0 as usize].key != key,
                std::cmp::Reverse(self.entities[id.0 as usize].mentions),
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
        let (a, n) = (normalize(alias), normalize(name));
        if a.is_empty() || n.is_empty() || a == n {
            return;
        }
        self.aliases.insert(a.clone(), n);
        self.alias_names
            .insert(a, (alias.to_string(), name.to_string()));
        self.regroup();
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
        self.index.clear();
        self.assignments.clear();
        for d in docs {
            self.add_document(d.doc, d.published, d.entities);
        }
    }

    /// Adds one document's entities; returns the global entity of each. Adding the same
    /// document again returns its earlier assignment.
    pub fn add_document(
        &mut self,
        doc: u64,
        published: PubDate,
        entities: Vec<DocEntity>,
    ) -> Vec<EntityId> {
        if let Some(a) = self.assignments(doc) {
            return a.to_vec();
        }
        let mut out: Vec<Option<EntityId>> = vec![None; entities.len()];
        let keys_of = |e: &DocEntity| -> (String, Vec<String>) {
            let canon = self.resolve(&e.key);
            let mut all: Vec<String> = e
                .names
                .iter()
                .map(|n| self.resolve(&normalize(n)))
                .filter(|k| !k.is_empty())
                .collect();
            all.push(canon.clone());
            all.sort();
            all.dedup();
            (canon, all)
        };
        let keyed: Vec<(String, Vec<String>)> = entities.iter().map(keys_of).collect();
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
                .filter(|id| self.entities[id.0 as usize].key == *canon)
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
            out[i] = Some(self.pick(entities[i].etype, &keyed[i].0, c, &context));
        }
        let ids: Vec<EntityId> = out.into_iter().map(|o| o.expect("assigned")).collect();
        for (i, e) in entities.iter().enumerate() {
            let id = ids[i];
            let (canon, keys) = &keyed[i];
            let g = &mut self.entities[id.0 as usize];
            g.mentions += e.mentions.len().max(1);
            g.docs.insert(doc);
            *g.type_votes.entry(e.etype).or_insert(0) += e.mentions.len().max(1);
            g.etype = g
                .type_votes
                .iter()
                .max_by_key(|(t, n)| (**n, **t != EntityType::Misc))
                .map_or(e.etype, |(t, _)| *t);
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
                    self.index.entry(k).or_default().push(id);
                }
            }
        }
        let unique: BTreeSet<EntityId> = ids.iter().copied().collect();
        for &a in &unique {
            for &b in &unique {
                if a != b {
                    *self.entities[a.0 as usize]
                        .cooccurring
                        .entry(b)
                        .or_insert(0) += 1;
                }
            }
        }
        self.docs.push(DocRecord {
            doc,
            published,
            entities,
        });
        self.assignments.push(ids.clone());
        ids
    }

    fn create(&mut self, e: &DocEntity, canon: &str) -> EntityId {
        let id = EntityId(self.entities.len() as u32);
        self.entities.push(GlobalEntity {
            id,
            etype: e.etype,
            name: e.name.clone(),
            key: canon.to_string(),
            names: BTreeMap::new(),
            docs: BTreeSet::new(),
            mentions: 0,
            first: None,
            last: None,
            cooccurring: BTreeMap::new(),
            type_votes: BTreeMap::new(),
            keys: BTreeSet::new(),
        });
        id
    }

    fn candidates(&self, etype: EntityType, canon: &str, keys: &[String]) -> Vec<EntityId> {
        let mut candidates: Vec<EntityId> = Vec::new();
        for k in keys {
            for &id in self.index.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                let g = &self.entities[id.0 as usize];
                if !compatible(g.etype, etype) || candidates.contains(&id) {
                    continue;
                }
                // Two different full names are two entities (Donald Trump, Ivanka Trump),
                // unless a user alias says otherwise (resolved keys are then equal).
                if is_full_name(canon)
                    && is_full_name(&g.key)
                    && g.key != *canon
                    && !g.keys.contains(canon)
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
    ) -> EntityId {
        let best = candidates.iter().copied().max_by_key(|id| {
            let g = &self.entities[id.0 as usize];
            let shared: usize = context.iter().filter_map(|c| g.cooccurring.get(c)).sum();
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
