//! Within-document linking: name mentions → document entities.
//!
//! Mentions with the same normalised name form one entity; a surname-only mention joins
//! the person whose full name ends in it (the most recent one if several share it); an
//! acronym defined in the text (`Islamitische Staat (IS)`, `the Islamic State (ISIS)`)
//! or matching the initials of a name in the document joins that name's entity.

use std::collections::HashMap;

use super::normalize::{is_acronym_of, looks_like_acronym, name_parts, surname};
use crate::ner::{EntityType, NameMention};
use crate::span::Span;

/// One name mention with the document entity it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityMention {
    /// Where the mention is.
    pub span: Span,
    /// The type of this mention: the tagger's, or its entity's where a type cue named it.
    pub etype: EntityType,
    /// Index of its entity in [`DocEntities::entities`].
    pub entity: usize,
    /// The normalised name of its entity (`abu bakr baghdadi`): the within-document key.
    pub key: String,
}

/// An entity of one document: all mentions of one person, organisation, place or thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocEntity {
    /// Normalised canonical name (the key).
    pub key: String,
    /// Majority type of its mentions.
    pub etype: EntityType,
    /// The fullest surface form (`Abu Bakr Al-Baghdadi`).
    pub name: String,
    /// Every distinct surface form, in order of first appearance.
    pub names: Vec<String>,
    /// Indexes of its mentions in [`DocEntities::mentions`].
    pub mentions: Vec<usize>,
}

/// The linked entities of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocEntities {
    /// Mentions in text order.
    pub mentions: Vec<EntityMention>,
    /// Entities in order of first mention.
    pub entities: Vec<DocEntity>,
}

struct Pending {
    span: Span,
    etype: EntityType,
    cued: bool,
    surface: String,
    parts: Vec<String>,
    key: String,
}

/// Text right after `end` of the form ` (ACR)`: returns the acronym.
fn parenthesised_after(text: &str, end: usize) -> Option<&str> {
    let rest = text.get(end..)?;
    let rest = rest.trim_start_matches([' ', '\u{a0}']);
    let inner = rest.strip_prefix('(')?;
    let close = inner.find(')')?;
    let acr = inner[..close].trim();
    (looks_like_acronym(acr) && !acr.contains(' ')).then_some(acr)
}

/// Links the name mentions of one document (in text order) into entities.
pub fn link(text: &str, mentions: &[NameMention]) -> DocEntities {
    let mut pending: Vec<Pending> = mentions
        .iter()
        .map(|m| {
            let surface = text[m.span.range()].to_string();
            let parts = name_parts(&surface);
            let key = parts.join(" ");
            Pending {
                span: m.span,
                etype: m.etype,
                cued: m.cued,
                surface,
                parts,
                key,
            }
        })
        .filter(|p| !p.key.is_empty())
        .collect();
    // Acronyms defined in the text: "Islamitische Staat (IS)" → is ↦ islamitische staat.
    let mut acronyms: HashMap<String, String> = HashMap::new();
    for p in &pending {
        if let Some(acr) = parenthesised_after(text, p.span.end as usize) {
            if p.parts.len() >= 2 && !looks_like_acronym(&p.surface) {
                acronyms
                    .entry(super::normalize::normalize(acr))
                    .or_insert_with(|| p.key.clone());
            }
        }
    }
    // Full names first, so that short forms find them wherever they occur.
    let mut order: Vec<usize> = (0..pending.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(pending[i].parts.len()), i));
    let mut entities: Vec<(String, Vec<usize>)> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut assigned = vec![usize::MAX; pending.len()];
    for &i in &order {
        let p = &pending[i];
        let target = by_key
            .get(&p.key)
            .copied()
            .or_else(|| acronyms.get(&p.key).and_then(|k| by_key.get(k).copied()))
            .or_else(|| short_form_of(p, i, &pending, &entities, &assigned))
            .or_else(|| initials_of(p, &pending, &entities));
        let e = match target {
            Some(e) => e,
            None => {
                entities.push((p.key.clone(), Vec::new()));
                by_key.insert(p.key.clone(), entities.len() - 1);
                entities.len() - 1
            }
        };
        entities[e].1.push(i);
        assigned[i] = e;
    }
    // Descriptors in apposition ("IS-leider Abu Bakr al-Baghdadi", "Al-Baghdadi, de
    // IS-leider"): the descriptor's entity (all its mentions) joins the person.
    for i in 0..pending.len() {
        if !is_descriptor(&pending[i].surface) {
            continue;
        }
        let next = pending.get(i + 1).filter(|q| {
            q.etype == EntityType::Per && appositive_gap(text, pending[i].span.end, q.span.start)
        });
        let prev = i.checked_sub(1).map(|j| &pending[j]).filter(|q| {
            q.etype == EntityType::Per && appositive_gap(text, q.span.end, pending[i].span.start)
        });
        let Some(person) = next.or(prev) else {
            continue;
        };
        let j = pending
            .iter()
            .position(|q| std::ptr::eq(q, person))
            .unwrap_or(i);
        let (d, pe) = (assigned[i], assigned[j]);
        if d == pe
            || !entities[d]
                .1
                .iter()
                .all(|&m| is_descriptor(&pending[m].surface))
        {
            continue;
        }
        let moved = std::mem::take(&mut entities[d].1);
        for &m in &moved {
            assigned[m] = pe;
        }
        entities[pe].1.extend(moved);
    }
    // A type cue ("de rederij Lindqvist Line") says what the name is; the tagger's guesses
    // for its other mentions ("Lindqvist Line" as a person) give way to it.
    for (_, ms) in &entities {
        let cued = ms.iter().filter(|&&m| pending[m].cued);
        let votes = cued.map(|&m| (pending[m].etype, 1));
        if let Some(t) = EntityType::majority(votes) {
            for &m in ms {
                pending[m].etype = t;
            }
        }
    }
    // Renumber entities by first mention, and build the output.
    let mut first: Vec<(usize, usize)> = entities
        .iter()
        .enumerate()
        .filter_map(|(e, (_, ms))| ms.iter().min().map(|&m| (m, e)))
        .collect();
    first.sort_unstable();
    let mut renum = vec![0; entities.len()];
    for (new, &(_, old)) in first.iter().enumerate() {
        renum[old] = new;
    }
    let mut out = DocEntities::default();
    for &(_, old) in &first {
        let mut ms = entities[old].1.clone();
        ms.sort_unstable();
        let fullest = *ms
            .iter()
            .max_by_key(|&&m| {
                (
                    !is_descriptor(&pending[m].surface),
                    pending[m].parts.len(),
                    std::cmp::Reverse(m),
                )
            })
            .unwrap_or(&ms[0]);
        let mut votes: Vec<(EntityType, usize)> = Vec::new();
        // Descriptors do not vote when the entity has a name.
        let named = ms.iter().any(|&m| !is_descriptor(&pending[m].surface));
        for &m in ms
            .iter()
            .filter(|&&m| !named || !is_descriptor(&pending[m].surface))
        {
            match votes.iter_mut().find(|v| v.0 == pending[m].etype) {
                Some(v) => v.1 += 1,
                None => votes.push((pending[m].etype, 1)),
            }
        }
        let etype = EntityType::majority(votes).unwrap_or(EntityType::Misc);
        let mut names: Vec<String> = Vec::new();
        for &m in &ms {
            if !names.contains(&pending[m].surface) {
                names.push(pending[m].surface.clone());
            }
        }
        out.entities.push(DocEntity {
            key: pending[fullest].key.clone(),
            etype,
            name: pending[fullest].surface.clone(),
            names,
            mentions: Vec::new(),
        });
    }
    for (i, p) in pending.iter().enumerate() {
        let e = renum[assigned[i]];
        out.entities[e].mentions.push(out.mentions.len());
        out.mentions.push(EntityMention {
            span: p.span,
            etype: p.etype,
            entity: e,
            key: out.entities[e].key.clone(),
        });
    }
    out
}

/// Role nouns that make a hyphenated word a descriptor (`IS-leider`, `NAVO-chef`, `ISIS-leader`).
const ROLES: &[&str] = &[
    "leider",
    "chef",
    "baas",
    "topman",
    "topvrouw",
    "voorzitter",
    "woordvoerder",
    "oprichter",
    "kopstuk",
    "president",
    "premier",
    "minister",
    "commandant",
    "leader",
    "chief",
    "head",
    "boss",
    "spokesman",
    "spokeswoman",
    "founder",
    "ceo",
    "commander",
    "directeur",
];

/// Whether a mention is a descriptor such as `IS-leider`: a capitalised name part, a
/// hyphen, and a role noun.
fn is_descriptor(surface: &str) -> bool {
    match surface.rsplit_once('-') {
        Some((head, role)) => {
            head.chars().next().is_some_and(char::is_uppercase)
                && !head.contains(' ')
                && ROLES.contains(&role.to_lowercase().as_str())
        }
        None => false,
    }
}

/// Whether the text between two mentions makes them appositive: nothing, a comma, or a
/// comma and an article ("Al-Baghdadi, de IS-leider").
fn appositive_gap(text: &str, end: u32, start: u32) -> bool {
    let Some(gap) = text.get(end as usize..start as usize) else {
        return false;
    };
    let gap = gap.trim_matches(|c: char| c.is_whitespace() || c == ',');
    matches!(gap, "" | "de" | "het" | "the")
}

/// A one- or two-part name that is the surname of a person already seen as a full name.
fn short_form_of(
    p: &Pending,
    i: usize,
    pending: &[Pending],
    entities: &[(String, Vec<usize>)],
    assigned: &[usize],
) -> Option<usize> {
    if p.parts.len() > 2 || !matches!(p.etype, EntityType::Per | EntityType::Misc) {
        return None;
    }
    let mut best: Option<(usize, usize)> = None; // (distance, entity)
    for (e, (_, ms)) in entities.iter().enumerate() {
        let Some(full) = ms
            .iter()
            .map(|&m| &pending[m])
            .max_by_key(|q| q.parts.len())
        else {
            continue;
        };
        if full.parts.len() <= p.parts.len() || full.etype != EntityType::Per {
            continue;
        }
        if surname(&full.parts) != p.key && full.parts.last() != Some(&p.key) {
            continue;
        }
        // Prefer the person mentioned most recently before this mention.
        let dist = ms
            .iter()
            .filter(|&&m| assigned[m] == e)
            .map(|&m| if m < i { i - m } else { 10_000 + m - i })
            .min()
            .unwrap_or(usize::MAX);
        if best.is_none_or(|b| dist < b.0) {
            best = Some((dist, e));
        }
    }
    best.map(|b| b.1)
}

/// An acronym-shaped mention matching the initials of exactly one multi-word name.
fn initials_of(
    p: &Pending,
    pending: &[Pending],
    entities: &[(String, Vec<usize>)],
) -> Option<usize> {
    if !looks_like_acronym(&p.surface) {
        return None;
    }
    let mut found = None;
    for (e, (_, ms)) in entities.iter().enumerate() {
        if ms
            .iter()
            .any(|&m| pending[m].parts.len() >= 2 && is_acronym_of(&p.surface, &pending[m].surface))
        {
            if found.is_some() {
                return None;
            }
            found = Some(e);
        }
    }
    found
}

/// Rebuilds the document entities from linked mentions (e.g. read back from a store):
/// mentions with the same key form one entity.
pub fn group(text: &str, mentions: &[EntityMention]) -> Vec<DocEntity> {
    let mut out: Vec<DocEntity> = Vec::new();
    let mut types: Vec<Vec<(EntityType, bool)>> = Vec::new();
    for (i, m) in mentions.iter().enumerate() {
        let Some(surface) = text.get(m.span.range()) else {
            continue;
        };
        let e = match out.iter().position(|e| e.key == m.key) {
            Some(e) => e,
            None => {
                out.push(DocEntity {
                    key: m.key.clone(),
                    etype: m.etype,
                    name: surface.to_string(),
                    names: Vec::new(),
                    mentions: Vec::new(),
                });
                types.push(Vec::new());
                out.len() - 1
            }
        };
        let d = &mut out[e];
        d.mentions.push(i);
        types[e].push((m.etype, is_descriptor(surface)));
        if !d.names.iter().any(|n| n == surface) {
            d.names.push(surface.to_string());
        }
        if name_parts(surface).join(" ") == d.key && name_parts(&d.name).join(" ") != d.key {
            d.name = surface.to_string();
        }
    }
    for (d, ts) in out.iter_mut().zip(types) {
        // As in `link`: descriptors do not vote when the entity has a name.
        let named = ts.iter().any(|&(_, descriptor)| !descriptor);
        // In type order, so that ties go as before (to the later of PER, ORG, LOC).
        let votes = [
            EntityType::Per,
            EntityType::Org,
            EntityType::Loc,
            EntityType::Misc,
        ]
        .map(|t| {
            let n = ts
                .iter()
                .filter(|&&(x, descriptor)| x == t && (!named || !descriptor))
                .count();
            (t, n)
        });
        d.etype = EntityType::majority(votes).unwrap_or(d.etype);
    }
    out
}
