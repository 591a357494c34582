//! Behaviour every `Store` backend must share, run against each of them.

use kroniek_core::{annotate, Document, Lang, PubDate};
use kroniek_store::{MemoryStore, PutOutcome, SearchQuery, SqliteStore, Store, StoredDocument};

fn stored(text: &str, title: &str, date: &str, source: &str) -> StoredDocument {
    let mut doc = Document::builder(text)
        .title(title)
        .source(source)
        .published(PubDate::parse(date).unwrap_or_default())
        .build();
    let analysis = annotate(&doc);
    doc.language = analysis.language;
    StoredDocument {
        annotations: analysis.annotations().into_iter().map(Into::into).collect(),
        doc,
        warnings: vec![],
        origin: Some("test".into()),
        search_terms: None,
        records: None,
    }
}

fn corpus() -> Vec<StoredDocument> {
    vec![
        stored(
            "De kabinetten in Syrië vielen. Daarna kwam er een staatsgreep.",
            "Staatsgreep mislukt",
            "2019-02",
            "De Krant",
        ),
        stored(
            "The attacks on the port continued for three weeks, officials said.",
            "Port attacked",
            "2019-03-05",
            "Global Wire",
        ),
        stored(
            "Het kabinet kondigde nieuwe maatregelen aan.",
            "Kabinet",
            "2018",
            "NOS",
        ),
    ]
}

fn check_backend(store: &mut dyn Store) {
    let docs = corpus();
    assert_eq!(store.put_batch(&docs).unwrap(), vec![PutOutcome::Stored; 3]);
    // Re-ingesting is a no-op.
    assert_eq!(
        store.put_batch(&docs[..1]).unwrap(),
        vec![PutOutcome::AlreadyPresent]
    );
    let stats = store.stats().unwrap();
    assert_eq!(stats.documents, 3);
    assert_eq!(
        stats.languages,
        vec![("en".to_string(), 1), ("nl".to_string(), 2)]
    );
    assert_eq!(
        stats.precisions,
        vec![
            ("day".to_string(), 1),
            ("month".to_string(), 1),
            ("year".to_string(), 1)
        ]
    );
    assert_eq!(
        stats.date_range,
        Some(("2018-01-01".to_string(), "2019-03-05".to_string()))
    );

    // Round trip keeps the document, its id, its date precision and its annotations.
    let back = store.get(docs[0].doc.id).unwrap().unwrap();
    assert_eq!(back.doc, docs[0].doc);
    assert_eq!(back.doc.published, PubDate::Month(2019, 2));
    assert_eq!(back.annotations, docs[0].annotations);
    for a in &back.annotations {
        assert!(!back.doc.text[a.start as usize..a.end as usize].is_empty());
    }
    assert!(store.contains(docs[1].doc.id).unwrap());
    let prefix = &docs[1].doc.id.to_string()[..6];
    assert_eq!(
        store.ids_with_prefix(prefix, 5).unwrap(),
        vec![docs[1].doc.id]
    );

    // Stemming and diacritics folding, Dutch and English.
    let q = |text: &str| SearchQuery {
        text: text.into(),
        limit: 10,
        ..Default::default()
    };
    let ids =
        |hits: Vec<kroniek_store::SearchHit>| hits.into_iter().map(|h| h.id).collect::<Vec<_>>();
    let hits = ids(store.search(&q("kabinet")).unwrap());
    assert_eq!(hits.len(), 2, "kabinet finds kabinetten and kabinet");
    assert_eq!(
        ids(store.search(&q("syrie")).unwrap()),
        vec![docs[0].doc.id]
    );
    assert_eq!(
        ids(store.search(&q("attack")).unwrap()),
        vec![docs[1].doc.id]
    );
    assert_eq!(
        ids(store.search(&q("staatsgrepen")).unwrap()),
        vec![docs[0].doc.id]
    );
    assert!(
        store.search(&q("kabinet attack")).unwrap().is_empty(),
        "all words must match"
    );
    // Filters.
    let mut filtered = q("kabinet");
    filtered.from = Some("2019-01-01".into());
    assert_eq!(ids(store.search(&filtered).unwrap()), vec![docs[0].doc.id]);
    let mut by_source = q("kabinet");
    by_source.source = Some("nos".into());
    assert_eq!(ids(store.search(&by_source).unwrap()), vec![docs[2].doc.id]);
    let mut by_lang = q("port");
    by_lang.language = Some(Lang::NL);
    assert!(store.search(&by_lang).unwrap().is_empty());
    // Snippets show where the word is.
    let hit = &store.search(&q("staatsgreep")).unwrap()[0];
    assert_eq!(hit.snippet, "Daarna kwam er een staatsgreep.");
    // A query without words is a clear error.
    assert!(store.search(&q("?!")).unwrap_err().is_bad_query());
}

#[test]
fn memory_store_behaves() {
    check_backend(&mut MemoryStore::new());
}

#[test]
fn sqlite_store_behaves() {
    check_backend(&mut SqliteStore::in_memory().unwrap());
}

#[test]
fn sqlite_store_persists_and_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    {
        let mut s = SqliteStore::open(&path).unwrap();
        s.put_batch(&corpus()).unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.stats().unwrap().documents, 3);
    s.integrity_check().unwrap();
    // A store from a newer kroniek is refused, not misread.
    s.connection()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    drop(s);
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(err.is_schema_too_new(), "{err}");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn phrase_queries() {
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&corpus()).unwrap();
    let q = |text: &str| SearchQuery {
        text: text.into(),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(s.search(&q("\"nieuwe maatregelen\"")).unwrap().len(), 1);
    assert!(s.search(&q("\"maatregelen nieuwe\"")).unwrap().is_empty());
}

/// A document whose only annotations are the given entity mentions (surface, type).
fn with_entities(text: &str, date: &str, names: &[(&str, &str)]) -> StoredDocument {
    let doc = Document::builder(text)
        .published(PubDate::parse(date).unwrap())
        .language(Some(Lang::NL))
        .build();
    let annotations = names
        .iter()
        .map(|(name, label)| {
            let start = text.find(name).unwrap() as u32;
            kroniek_store::StoredAnnotation {
                layer: "entity".into(),
                start,
                end: start + name.len() as u32,
                label: (*label).into(),
                attrs: vec![("key".into(), kroniek_core::entities::normalize(name))],
            }
        })
        .collect();
    with_annotations(doc, annotations)
}

/// A stored document with just these annotations.
fn with_annotations(
    doc: Document,
    annotations: Vec<kroniek_store::StoredAnnotation>,
) -> StoredDocument {
    StoredDocument {
        doc,
        annotations,
        warnings: vec![],
        origin: None,
        search_terms: None,
        records: None,
    }
}

/// Two connections (a server's pool, or `ingest` beside `serve`) writing in turn: each
/// merges against the state the other left in the store.
#[test]
fn entity_merging_stays_consistent_across_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut a = SqliteStore::open(&path).unwrap();
    let mut b = SqliteStore::open(&path).unwrap();
    a.put_batch(&[with_entities(
        "Ilse Vermeer voer het schip.",
        "2024-03-20",
        &[("Ilse Vermeer", "PER")],
    )])
    .unwrap();
    b.put_batch(&[with_entities(
        "Tarek Osmani sprak.",
        "2024-03-21",
        &[("Tarek Osmani", "PER")],
    )])
    .unwrap();
    // `a` wrote before `b`; it must merge against what `b` wrote.
    a.put_batch(&[with_entities(
        "Osmani en Tarek Osmani zwegen.",
        "2024-03-22",
        &[("Tarek Osmani", "PER")],
    )])
    .unwrap();
    let conn = a.connection();
    let osmani: i64 = conn
        .query_row(
            "SELECT count(*) FROM entities WHERE key = 'tarek osmani'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(osmani, 1, "one Tarek Osmani, not one per connection");
    let distinct: i64 = conn
        .query_row("SELECT count(DISTINCT id) FROM entities", [], |r| r.get(0))
        .unwrap();
    let total: i64 = conn
        .query_row("SELECT count(*) FROM entities", [], |r| r.get(0))
        .unwrap();
    assert_eq!((distinct, total), (2, 2));
    let articles: i64 = conn
        .query_row(
            "SELECT articles FROM entities WHERE key = 'tarek osmani'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(articles, 2);
    // An alias added through one connection is seen by the other's next lookup.
    b.add_entity_alias("Kapitein", "Ilse Vermeer").unwrap();
    let found = a.find_entities("kapitein").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        a.entity_profile(found[0], 5).unwrap().unwrap().name,
        "Ilse Vermeer"
    );
}

/// A document with the given entity mentions (surface, type), one after another.
fn with_mentions(n: usize, date: &str, names: &[(&str, &str)]) -> StoredDocument {
    let mut text = format!("Bericht {n}:");
    let mut annotations = Vec::new();
    for (name, label) in names {
        text.push(' ');
        let start = text.len() as u32;
        text.push_str(name);
        annotations.push(kroniek_store::StoredAnnotation {
            layer: "entity".into(),
            start,
            end: text.len() as u32,
            label: (*label).into(),
            attrs: vec![("key".into(), kroniek_core::entities::normalize(name))],
        });
        text.push(',');
    }
    let doc = Document::builder(&text)
        .published(PubDate::parse(date).unwrap())
        .language(Some(Lang::NL))
        .build();
    with_annotations(doc, annotations)
}

fn entity_tables(s: &SqliteStore) -> Vec<Vec<String>> {
    let conn = s.connection();
    [
        "SELECT doc, start, end, entity FROM entity_mentions ORDER BY doc, start",
        "SELECT id, name, key, type, names, mentions, articles, first, last, type_votes FROM entities ORDER BY id",
        "SELECT key, entity FROM entity_keys ORDER BY key, entity",
        "SELECT a, b, n FROM entity_pairs ORDER BY a, b",
    ]
    .iter()
    .map(|sql| {
        let mut stmt = conn.prepare(sql).unwrap();
        let width = stmt.column_count();
        stmt.query_map([], |r| {
            Ok((0..width)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
    })
    .collect()
}

/// Ingest reads only the entities a new article could join (the store keeps the merger's
/// state in tables). Its decisions must equal those of replaying every article with all
/// entities in memory, which is what re-grouping after an alias change does: ambiguous
/// surnames and acronyms, types that disagree, batches of every size.
#[test]
fn incremental_entity_merging_equals_a_full_replay() {
    let pool: &[(&str, &str)] = &[
        ("Donald Trump", "PER"),
        ("Ivanka Trump", "PER"),
        ("Trump", "PER"),
        ("Mark Rutte", "PER"),
        ("Rutte", "PER"),
        ("Tarek Osmani", "PER"),
        ("Amira Osmani", "PER"),
        ("Osmani", "PER"),
        ("Verenigde Naties", "ORG"),
        ("VN", "ORG"),
        ("Washington", "LOC"),
        ("Washington", "PER"),
        ("Shell", "ORG"),
        ("Shell", "MISC"),
        ("Den Haag", "LOC"),
        ("Islamitische Staat", "ORG"),
        ("IS", "ORG"),
        ("Hajin", "LOC"),
    ];
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut s = SqliteStore::in_memory().unwrap();
    let mut n = 0;
    while n < 240 {
        let batch: Vec<StoredDocument> = (0..1 + next(6))
            .map(|_| {
                n += 1;
                let mut names: Vec<(&str, &str)> = Vec::new();
                for _ in 0..1 + next(4) {
                    let pick = pool[next(pool.len())];
                    if !names.iter().any(|(name, _)| *name == pick.0) {
                        names.push(pick);
                    }
                }
                let date = format!("2024-{:02}-{:02}", 1 + next(12), 1 + next(28));
                with_mentions(n, &date, &names)
            })
            .collect();
        s.put_batch(&batch).unwrap();
    }
    let incremental = entity_tables(&s);
    assert!(incremental[1].len() > 10, "{:?}", incremental[1]);
    assert!(!incremental[3].is_empty());
    // An alias that names nothing stored re-groups by a full replay and changes nothing.
    s.add_entity_alias("Qwerty Zxcv", "Asdf Ghjk").unwrap();
    let replayed = entity_tables(&s);
    for (a, b) in incremental.iter().zip(&replayed) {
        assert_eq!(a, b);
    }
    // Lookups answer from the index: surnames resolve to the most mentioned full name first.
    let trump = s.find_entities("Trump").unwrap();
    assert!(trump.len() >= 2, "{trump:?}");
    // Co-occurrence in profiles comes from the pair counts: the articles two entities share.
    for id in trump {
        let profile = s.entity_profile(id, 100).unwrap().unwrap();
        assert!(!profile.cooccurring.is_empty());
        for (other, _, _, n) in profile.cooccurring {
            let shared: i64 = s
                .connection()
                .query_row(
                    "SELECT count(DISTINCT a.doc) FROM entity_mentions a JOIN entity_mentions b
                     ON a.doc = b.doc WHERE a.entity = ?1 AND b.entity = ?2",
                    [id, other],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n as i64, shared, "#{id} and #{other}");
        }
    }
}

/// A profile lists the entity's newest articles, whether the entity is in few articles
/// (its own are sorted) or in many (all articles are walked newest first).
#[test]
fn profiles_list_the_newest_articles_of_rare_and_frequent_entities() {
    let mut s = SqliteStore::in_memory().unwrap();
    let mut docs = Vec::new();
    for n in 0..2400 {
        // Every eighth article is not about it, and those are the newest.
        let year = if n % 8 == 0 { 30 } else { 10 + n % 13 };
        let date = format!("20{year:02}-{:02}-{:02}", 1 + n % 12, 1 + n % 28);
        let mut names = vec![if n % 8 == 0 {
            ("Tarek Osmani", "PER")
        } else {
            ("Nordstern", "LOC")
        }];
        if n % 700 == 3 {
            names.push(("Ilse Vermeer", "PER"));
        }
        docs.push(with_mentions(n, &date, &names));
    }
    for chunk in docs.chunks(400) {
        s.put_batch(chunk).unwrap();
    }
    for (name, articles) in [("Nordstern", 2100), ("Ilse Vermeer", 4)] {
        let id = s.find_entities(name).unwrap()[0];
        let p = s.entity_profile(id, 5).unwrap().unwrap();
        assert_eq!(p.articles, articles);
        let mut expected: Vec<(String, String)> = docs
            .iter()
            .filter(|d| {
                d.annotations
                    .iter()
                    .any(|a| d.doc.text[a.start as usize..a.end as usize] == *name)
            })
            .map(|d| (d.doc.published.to_string(), d.doc.id.to_string()))
            .collect();
        expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        expected.truncate(5);
        let got: Vec<(String, String)> = p
            .documents
            .iter()
            .map(|(id, date, _)| (date.clone(), id.to_string()))
            .collect();
        assert_eq!(got, expected, "{name}");
    }
}

/// A search can be narrowed to the articles of one merged entity, inside the ranking, so
/// that paging stays exact; a store without merged entities matches nothing.
#[test]
fn search_narrows_to_a_merged_entity() {
    let mut s = SqliteStore::in_memory().unwrap();
    let docs: Vec<StoredDocument> = (0..30)
        .map(|n| {
            let names: &[(&str, &str)] = if n % 3 == 0 {
                &[("Ilse Vermeer", "PER")]
            } else {
                &[("Tarek Osmani", "PER")]
            };
            with_mentions(n, "2024-03-20", names)
        })
        .collect();
    s.put_batch(&docs).unwrap();
    let vermeer = s.find_entities("Vermeer").unwrap()[0];
    let q = |offset: usize, entity: Option<u32>| SearchQuery {
        text: "bericht".into(),
        entity,
        limit: 4,
        offset,
        ..Default::default()
    };
    assert_eq!(s.search(&q(0, None)).unwrap().len(), 4);
    let mut seen = Vec::new();
    for page in 0..4 {
        let hits = s.search(&q(page * 4, Some(vermeer))).unwrap();
        seen.extend(hits.into_iter().map(|h| h.id));
    }
    let mut expected: Vec<_> = docs.iter().step_by(3).map(|d| d.doc.id).collect();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);
    let mut m = MemoryStore::default();
    m.put_batch(&docs).unwrap();
    assert!(m.search(&q(0, Some(vermeer))).unwrap().is_empty());
}
