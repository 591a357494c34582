//! Whether two events are the same: the decision the cross-article merger makes for
//! every new document event against a few candidates (the store finds candidates with
//! an index, so the cost of one more article does not grow with the archive).
//!
//! Two events are the same when they have the same type, their times can be the same,
//! they share at least one participant (entities across articles, so languages and
//! name variants meet) and they do not happen in different places. The best candidate
//! is the one sharing the most participants, then the one with the more precise time.

use std::collections::HashMap;

use super::{DocEvent, When};

/// What the merger compares: the event's type, time, participants and places, with
/// participants as entity ids across articles.
#[derive(Debug, Clone, Copy)]
pub struct EventKey<'a, E> {
    /// Ontology type.
    pub kind: &'a str,
    /// When it happened.
    pub when: &'a When,
    /// Entities involved.
    pub entities: &'a [E],
    /// The places among them.
    pub places: &'a [E],
}

/// True when both sides name places and none is shared: "an attack in Kabul" and "an
/// attack in Mosul" on the same day are two attacks.
pub fn places_differ<T: PartialEq>(
    a: impl IntoIterator<Item = T>,
    b: impl IntoIterator<Item = T>,
) -> bool {
    let a: Vec<T> = a.into_iter().collect();
    let mut any_b = false;
    for x in b {
        any_b = true;
        if a.contains(&x) {
            return false;
        }
    }
    any_b && !a.is_empty()
}

/// How well `incoming` matches `existing`; `None` when they cannot be the same event.
pub fn score<E: PartialEq + Copy>(existing: &EventKey<E>, incoming: &EventKey<E>) -> Option<u32> {
    if existing.kind != incoming.kind || !existing.when.overlaps(incoming.when) {
        return None;
    }
    if places_differ(existing.places.iter(), incoming.places.iter()) {
        return None;
    }
    let shared = incoming
        .entities
        .iter()
        .filter(|e| existing.entities.contains(e))
        .count() as u32;
    if shared == 0 {
        return None;
    }
    let same_precision = existing.when.anchored
        && incoming.when.anchored
        && existing.when.width() == incoming.when.width();
    Some(shared * 4 + u32::from(same_precision) * 2 + u32::from(existing.when.anchored))
}

/// The time of an event told by two mentions: what both allow when both are dated (or
/// neither is), else the dated one.
pub fn combine(a: &When, b: &When) -> When {
    match (a.anchored, b.anchored) {
        (true, false) => a.clone(),
        (false, true) => b.clone(),
        _ => {
            let earliest = a.earliest.max(b.earliest).or(a.earliest).or(b.earliest);
            let latest = match (a.latest, b.latest) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            if earliest.is_some() && latest.is_some() && earliest > latest {
                // Overlap was checked; keep the more precise one if rounding disagrees.
                return if a.width() <= b.width() {
                    a.clone()
                } else {
                    b.clone()
                };
            }
            let value = if a.width() <= b.width() {
                &a.value
            } else {
                &b.value
            };
            When {
                earliest,
                latest,
                anchored: a.anchored,
                value: value.clone(),
            }
        }
    }
}

/// How many of the latest events of a type the in-memory merger compares with (the store
/// bounds its candidates the same way).
pub const MAX_CANDIDATES: usize = 64;

/// An event across documents, as the in-memory merger keeps it.
#[derive(Debug, Clone)]
pub struct MergedEvent<E> {
    /// Ontology type.
    pub kind: &'static str,
    /// Lemma of the first mention.
    pub lemma: String,
    /// Combined time.
    pub when: When,
    /// Entities involved, across its documents.
    pub entities: Vec<E>,
    /// The places among them.
    pub places: Vec<E>,
    /// (document, document event) pairs merged into it, in arrival order.
    pub members: Vec<(u64, DocEvent)>,
}

/// An incremental cross-document event merger held in memory (for evaluation, tests and
/// small collections; the store keeps the same decisions in SQLite).
#[derive(Debug, Clone)]
pub struct Merger<E> {
    events: Vec<MergedEvent<E>>,
    by_kind: HashMap<&'static str, Vec<usize>>,
}

impl<E> Default for Merger<E> {
    fn default() -> Self {
        Merger {
            events: Vec::new(),
            by_kind: HashMap::new(),
        }
    }
}

impl<E: PartialEq + Copy> Merger<E> {
    /// An empty merger.
    pub fn new() -> Self {
        Self::default()
    }

    /// The events so far.
    pub fn events(&self) -> &[MergedEvent<E>] {
        &self.events
    }

    /// Adds one document event with the cross-document ids of its participants and of
    /// its places; returns the index of the event it joined or created.
    pub fn add(&mut self, doc: u64, event: DocEvent, entities: Vec<E>, places: Vec<E>) -> usize {
        let incoming = EventKey {
            kind: event.kind,
            when: &event.when,
            entities: &entities,
            places: &places,
        };
        let list = self.by_kind.entry(event.kind).or_default();
        let best = list
            .iter()
            .rev()
            .take(MAX_CANDIDATES)
            .filter_map(|&i| {
                let e = &self.events[i];
                let key = EventKey {
                    kind: e.kind,
                    when: &e.when,
                    entities: &e.entities,
                    places: &e.places,
                };
                score(&key, &incoming).map(|s| (s, i))
            })
            .max_by_key(|&(s, i)| (s, std::cmp::Reverse(i)))
            .map(|(_, i)| i);
        match best {
            Some(i) => {
                let e = &mut self.events[i];
                e.when = combine(&e.when, &event.when);
                for x in entities {
                    if !e.entities.contains(&x) {
                        e.entities.push(x);
                    }
                }
                for x in places {
                    if !e.places.contains(&x) {
                        e.places.push(x);
                    }
                }
                e.members.push((doc, event));
                // Most recently touched last: it is compared with first.
                list.retain(|&j| j != i);
                list.push(i);
                i
            }
            None => {
                let i = self.events.len();
                list.push(i);
                self.events.push(MergedEvent {
                    kind: event.kind,
                    lemma: event.lemma.clone(),
                    when: event.when.clone(),
                    entities,
                    places,
                    members: vec![(doc, event)],
                });
                i
            }
        }
    }
}
