//! An in-memory store for tests and throw-away runs; same behaviour as SQLite where the
//! trait promises it, with a naive search (every document is scanned).

use std::collections::BTreeMap;

use kroniek_core::{search, DocId, Lang};

use crate::{snippet, Error, PutOutcome, SearchHit, SearchQuery, Stats, Store, StoredDocument};

/// A store held in memory; see the module docs.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    docs: BTreeMap<DocId, StoredDocument>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn put_batch(&mut self, batch: &[StoredDocument]) -> Result<Vec<PutOutcome>, Error> {
        Ok(batch
            .iter()
            .map(|sd| match self.docs.entry(sd.doc.id) {
                std::collections::btree_map::Entry::Occupied(_) => PutOutcome::AlreadyPresent,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(sd.clone());
                    PutOutcome::Stored
                }
            })
            .collect())
    }

    fn contains(&self, id: DocId) -> Result<bool, Error> {
        Ok(self.docs.contains_key(&id))
    }

    fn get(&self, id: DocId) -> Result<Option<StoredDocument>, Error> {
        Ok(self.docs.get(&id).cloned())
    }

    fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<DocId>, Error> {
        let prefix = prefix.to_ascii_lowercase();
        Ok(self
            .docs
            .keys()
            .filter(|id| id.to_string().starts_with(&prefix))
            .take(limit)
            .copied()
            .collect())
    }

    fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>, Error> {
        let wanted = search::query_alternatives(&q.text.replace('"', " "), &[Lang::NL, Lang::EN]);
        if wanted.is_empty() {
            return Err(Error::bad_query("the query has no words to search for"));
        }
        let mut hits = Vec::new();
        if q.entity.is_some() {
            // No merged entities here: no document mentions one.
            return Ok(hits);
        }
        for sd in self.docs.values() {
            let d = &sd.doc;
            if q.language.is_some_and(|l| sd.doc.language != Some(l))
                || q.source.as_ref().is_some_and(|s| {
                    !d.source
                        .as_deref()
                        .is_some_and(|ds| ds.eq_ignore_ascii_case(s))
                })
                || q.from
                    .as_ref()
                    .is_some_and(|f| d.published.latest().is_none_or(|l| l.to_string() < *f))
                || q.to
                    .as_ref()
                    .is_some_and(|t| d.published.earliest().is_none_or(|e| e.to_string() > *t))
            {
                continue;
            }
            let mut terms = search::terms(&d.text, sd.doc.language);
            terms.extend(
                d.title
                    .as_deref()
                    .map(|t| search::terms(t, sd.doc.language))
                    .unwrap_or_default(),
            );
            let score: usize = wanted
                .iter()
                .map(|forms| terms.iter().filter(|t| forms.contains(t)).count())
                .try_fold(0, |acc, n| if n == 0 { None } else { Some(acc + n) })
                .unwrap_or(0);
            if score > 0 {
                hits.push(SearchHit {
                    id: d.id,
                    title: d.title.clone(),
                    source: d.source.clone(),
                    published: d.published.to_string(),
                    language: sd.doc.language.map(|l| l.to_string()),
                    snippet: snippet(&d.text, &wanted),
                    score: score as f64 / (terms.len().max(1) as f64).sqrt(),
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(hits
            .into_iter()
            .skip(q.offset)
            .take(q.limit.max(1))
            .collect())
    }

    fn stats(&self) -> Result<Stats, Error> {
        let mut langs: BTreeMap<String, u64> = BTreeMap::new();
        let mut precisions: BTreeMap<String, u64> = BTreeMap::new();
        let mut layers: BTreeMap<String, u64> = BTreeMap::new();
        let mut range: Option<(String, String)> = None;
        for sd in self.docs.values() {
            *langs
                .entry(sd.doc.language.map_or("unknown".into(), |l| l.to_string()))
                .or_default() += 1;
            *precisions
                .entry(sd.doc.published.precision().as_str().into())
                .or_default() += 1;
            for a in &sd.annotations {
                *layers.entry(a.layer.clone()).or_default() += 1;
            }
            if let (Some(e), Some(l)) = (sd.doc.published.earliest(), sd.doc.published.latest()) {
                let (e, l) = (e.to_string(), l.to_string());
                range = Some(match range {
                    None => (e, l),
                    Some((a, b)) => (a.min(e), b.max(l)),
                });
            }
        }
        Ok(Stats {
            documents: self.docs.len() as u64,
            text_bytes: self.docs.values().map(|sd| sd.doc.text.len() as u64).sum(),
            languages: langs.into_iter().collect(),
            precisions: precisions.into_iter().collect(),
            layers: layers.into_iter().collect(),
            documents_with_warnings: self
                .docs
                .values()
                .filter(|sd| !sd.warnings.is_empty())
                .count() as u64,
            date_range: range,
            schema_version: crate::sqlite::SCHEMA_VERSION,
        })
    }
}
