//! Events and claims across articles in the SQLite store: merged on ingest, one batch
//! or many, re-grouped when aliases change, and kept when a store is upgraded.

use kroniek_core::{Document, Lang, PubDate};
use kroniek_store::{ClaimQuery, SqliteStore, Store, StoredDocument, TimelineQuery};

fn analysed(text: &str, date: &str, source: &str, lang: Lang) -> StoredDocument {
    let doc = Document::builder(text)
        .published(PubDate::parse(date).unwrap())
        .language(Some(lang))
        .source(source)
        .build();
    StoredDocument::analyse(doc, Vec::new(), None)
}

fn corpus() -> Vec<StoredDocument> {
    vec![
        analysed(
            "Jihadisten hebben op 10 januari 2019 in Hajin een staatsgreep gepleegd tegen Abu Bakr al-Baghdadi.",
            "2019-02",
            "De Krant",
            Lang::NL,
        ),
        analysed(
            "Jihadists staged a coup against Abu Bakr al-Baghdadi in Hajin on January 10, 2019.",
            "2019-02-14",
            "The Daily",
            Lang::EN,
        ),
        analysed(
            "Islamitische Staat heeft op 3 maart 2020 een aanslag in Kabul gepleegd.",
            "2020-03-04",
            "De Krant",
            Lang::NL,
        ),
        analysed(
            "Islamitische Staat pleegde op 3 maart 2020 ook een aanslag in Mosul.",
            "2020-03-04",
            "Het Blad",
            Lang::NL,
        ),
        analysed(
            "Islamitische Staat telt nog zo’n 1.500 strijders, meldt de BBC.",
            "2019-02",
            "De Krant",
            Lang::NL,
        ),
        analysed(
            "Islamitische Staat heeft volgens andere rapporten nog tot 14.000 strijders.",
            "2019-02",
            "Het Blad",
            Lang::NL,
        ),
    ]
}

fn summary(store: &SqliteStore) -> Vec<(String, String, usize)> {
    store
        .timeline(&TimelineQuery::default())
        .unwrap()
        .into_iter()
        .map(|e| (e.date, e.kind, e.articles))
        .collect()
}

#[test]
fn events_merge_across_articles_and_batches_alike() {
    let mut one = SqliteStore::in_memory().unwrap();
    one.put_batch(&corpus()).unwrap();
    let mut many = SqliteStore::in_memory().unwrap();
    for d in corpus() {
        many.put_batch(&[d]).unwrap();
    }
    let expected = vec![
        ("2019-01-10".to_string(), "coup".to_string(), 2),
        ("2020-03-03".to_string(), "attack".to_string(), 1),
        ("2020-03-03".to_string(), "attack".to_string(), 1),
    ];
    assert_eq!(summary(&one), expected);
    assert_eq!(summary(&many), expected);
    // The merged coup keeps each article's telling.
    let coup = &one.timeline(&TimelineQuery::default()).unwrap()[0];
    assert_eq!(coup.mentions.len(), 2);
    assert_eq!(
        coup.sources,
        vec!["De Krant".to_string(), "The Daily".to_string()]
    );
    // Re-ingesting changes nothing.
    one.put_batch(&corpus()).unwrap();
    assert_eq!(summary(&one), expected);
}

#[test]
fn timelines_filter_by_entity_query_dates_and_sources() {
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&corpus()).unwrap();
    let baghdadi = s.find_entities("al-Baghdadi").unwrap()[0];
    let of = |q: TimelineQuery| -> Vec<String> {
        s.timeline(&q)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    };
    assert_eq!(
        of(TimelineQuery {
            entity: Some(baghdadi),
            ..Default::default()
        }),
        vec!["coup"]
    );
    assert_eq!(
        of(TimelineQuery {
            query: Some("Kabul".into()),
            ..Default::default()
        }),
        vec!["attack"]
    );
    assert_eq!(
        of(TimelineQuery {
            from: Some("2020-01-01".into()),
            ..Default::default()
        }),
        vec!["attack", "attack"]
    );
    assert_eq!(
        of(TimelineQuery {
            min_sources: 2,
            ..Default::default()
        }),
        vec!["coup"]
    );
}

#[test]
fn conflicting_numbers_are_grouped_not_averaged() {
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&corpus()).unwrap();
    let groups = s
        .claims(&ClaimQuery {
            conflicts_only: true,
            ..Default::default()
        })
        .unwrap();
    let fighters = groups
        .iter()
        .find(|g| g.property == "fighters")
        .expect("a conflict on fighters");
    let mut values: Vec<f64> = fighters.claims.iter().map(|c| c.value).collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, vec![1500.0, 14000.0]);
    assert!(fighters.conflict);
    // The claim's own words and sentence, cut on bytes (’ is three of them).
    let bbc = fighters.claims.iter().find(|c| c.value == 1500.0).unwrap();
    assert_eq!(bbc.text, "zo’n 1.500 strijders");
    assert!(bbc.sentence.starts_with("Islamitische Staat telt") && bbc.sentence.ends_with("BBC."));
}

#[test]
fn bare_amounts_are_listed_but_only_measured_ones_conflict() {
    let mut s = SqliteStore::in_memory().unwrap();
    let docs = [
        (
            "Unisys had $78.8 million on Tuesday. Unisys had a loss of $78.8 million. \
             At least 40 people were killed at Unisys.",
            "The Daily",
        ),
        (
            "Unisys had $2.35 billion on Tuesday. Unisys had a loss of $648 million. \
             At Unisys 257 people were killed.",
            "The Ledger",
        ),
    ];
    s.put_batch(
        &docs
            .iter()
            .map(|(t, src)| analysed(t, "1989-10-27", src, Lang::EN))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let groups = s.claims(&ClaimQuery::default()).unwrap();
    let group = |property: &str| {
        groups
            .iter()
            .find(|g| g.property == property)
            .unwrap_or_else(|| panic!("no {property} group in {groups:#?}"))
    };
    // Two speakers, two amounts of dollars: a loss and a revenue, perhaps; no conflict.
    let bare = group("dollar");
    assert_eq!((bare.claim_count, bare.conflict), (2, false));
    let loss = group("loss in dollar");
    assert_eq!((loss.claim_count, loss.conflict), (2, true));
    // "people were killed" counts deaths.
    let deaths = group("deaths");
    assert_eq!((deaths.claim_count, deaths.conflict), (2, true));
    let conflicts = s
        .claims(&ClaimQuery {
            conflicts_only: true,
            ..Default::default()
        })
        .unwrap();
    let mut flagged: Vec<&str> = conflicts.iter().map(|g| g.property.as_str()).collect();
    flagged.sort();
    assert_eq!(flagged, ["deaths", "loss in dollar"]);
}

#[test]
fn aliases_regroup_event_participants() {
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&corpus()).unwrap();
    let before = s.find_entities("al-Baghdadi").unwrap()[0];
    s.add_entity_alias("de kalief", "Abu Bakr al-Baghdadi")
        .unwrap();
    let after = s.find_entities("de kalief").unwrap()[0];
    let coups = s
        .timeline(&TimelineQuery {
            entity: Some(after),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        coups.len(),
        1,
        "entity #{before} became #{after}; its events follow"
    );
}

#[test]
fn a_version_3_store_is_upgraded_and_keeps_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        // Build a version-3 store by hand with the first three migrations' effect.
        let mut s = SqliteStore::open(&path).unwrap();
        s.put_batch(&corpus()[..1]).unwrap();
        drop(s);
        conn.execute_batch(
            "DROP TABLE events; DROP TABLE event_mentions; DROP TABLE event_participants;
             DROP TABLE event_entities; DROP TABLE claims; DROP INDEX IF EXISTS entity_mentions_span;
             DROP TABLE entity_keys; DROP TABLE entity_pairs; ALTER TABLE entities DROP COLUMN type_votes;
             DELETE FROM meta WHERE key = 'entity_index';
             DROP TABLE claim_groups; DROP INDEX documents_lang; DROP INDEX annotations_layer_doc;
             DELETE FROM meta WHERE key IN ('claims_generation', 'claim_groups_generation');
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), kroniek_store::SCHEMA_VERSION);
    assert_eq!(s.stats().unwrap().documents, 1);
    // The entity index was rebuilt from the stored articles: the entity is found by a
    // form that only the index knows (a surname), and a new article joins it.
    let before = s.find_entities("Baghdadi").unwrap();
    assert_eq!(before.len(), 1, "{before:?}");
    // New articles merge from now on.
    s.put_batch(&corpus()[1..2]).unwrap();
    assert_eq!(s.find_entities("Baghdadi").unwrap(), before);
    assert_eq!(
        summary(&s),
        vec![("2019-01-10".to_string(), "coup".to_string(), 1)]
    );
    s.integrity_check().unwrap();
}

#[test]
fn the_same_wire_copy_counts_once_as_a_source() {
    let wire = "Jihadists staged a coup against Abu Bakr al-Baghdadi in Hajin on January 10, 2019.";
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&[
        analysed(wire, "2019-02-14", "Paper One", Lang::EN),
        analysed(&format!("{wire}\n\nMore later."), "2019-02-14", "Paper Two", Lang::EN),
        analysed(
            "Abu Bakr al-Baghdadi survived a coup attempt in Hajin on 10 January 2019, officials said.",
            "2019-02-15",
            "Paper Three",
            Lang::EN,
        ),
    ])
    .unwrap();
    let events = s.timeline(&TimelineQuery::default()).unwrap();
    let coup = events.iter().find(|e| e.kind == "coup").expect("a coup");
    assert_eq!(coup.articles, 3);
    assert!(
        !coup.sources.contains(&"Paper Two".to_string()),
        "{:?}",
        coup.sources
    );
    assert!(
        coup.sources.contains(&"Paper Three".to_string()),
        "{:?}",
        coup.sources
    );
}

#[test]
fn timelines_filter_by_the_language_and_outlet_of_the_articles() {
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&corpus()).unwrap();
    let of = |language: Option<&str>, source: Option<&str>, query: Option<&str>| -> Vec<String> {
        s.timeline(&TimelineQuery {
            language: language.map(str::to_string),
            source: source.map(str::to_string),
            query: query.map(str::to_string),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.kind, e.date))
        .collect()
    };
    // The coup is told in Dutch and English; the attacks in Dutch only.
    assert_eq!(of(Some("en"), None, None), vec!["coup 2019-01-10"]);
    assert_eq!(of(Some("nl"), None, None).len(), 3);
    assert_eq!(of(None, Some("het blad"), None), vec!["attack 2020-03-03"]);
    assert_eq!(of(None, Some("The Daily"), None), vec!["coup 2019-01-10"]);
    assert!(of(Some("en"), Some("De Krant"), None).is_empty());
    assert_eq!(of(Some("nl"), Some("De Krant"), None).len(), 2);
    assert_eq!(
        of(Some("nl"), None, Some("Kabul")),
        vec!["attack 2020-03-03"]
    );
    assert!(of(Some("en"), None, Some("Kabul")).is_empty());
    // The mentions read can be limited; counts and sources still cover all of them.
    let coup = &s
        .timeline(&TimelineQuery {
            mentions: 1,
            ..Default::default()
        })
        .unwrap()[0];
    assert_eq!((coup.mentions.len(), coup.mention_count), (1, 2));
    assert_eq!(coup.sources.len(), 2);
    let m = &coup.mentions[0];
    assert_eq!(
        &m.sentence[m.trigger.0 as usize..m.trigger.1 as usize],
        m.text
    );
    let page = s.event_page(coup.id, 1, 10).unwrap().unwrap();
    let all = s.event(coup.id).unwrap().unwrap();
    assert_eq!(page.mention_count, 2);
    assert_eq!(page.mentions, all.mentions[1..]);
}

#[test]
fn claim_groups_page_and_follow_new_articles_and_aliases() {
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&corpus()).unwrap();
    let fighters = |s: &SqliteStore| {
        s.claims(&ClaimQuery::default())
            .unwrap()
            .into_iter()
            .find(|g| g.property == "fighters")
            .expect("fighters")
    };
    let g = fighters(&s);
    assert_eq!((g.claim_count, g.claims.len(), g.conflict), (2, 2, true));
    // At most `max_claims` claims, the earliest; the count covers all.
    let few = s
        .claims(&ClaimQuery {
            max_claims: 1,
            ..Default::default()
        })
        .unwrap();
    let f = few.iter().find(|g| g.property == "fighters").unwrap();
    assert_eq!((f.claim_count, f.claims.len()), (2, 1));
    // Paging walks the same list.
    let all = s.claims(&ClaimQuery::default()).unwrap();
    for (i, g) in all.iter().enumerate() {
        let page = s
            .claims(&ClaimQuery {
                limit: 1,
                offset: i,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page, vec![g.clone()]);
    }
    // A new article's claim joins its group at once (the cached groups are rebuilt).
    s.put_batch(&[analysed(
        "Islamitische Staat heeft nog 1.600 strijders, zegt het ministerie.",
        "2019-03",
        "Het Dagblad",
        Lang::NL,
    )])
    .unwrap();
    assert_eq!(fighters(&s).claim_count, 3);
    // Aliases re-group entities; the claims follow them.
    s.add_entity_alias("IS", "Islamitische Staat").unwrap();
    let after = s.find_entities("IS").unwrap()[0];
    let mine = s
        .claims(&ClaimQuery {
            entity: Some(after),
            ..Default::default()
        })
        .unwrap();
    assert!(
        mine.iter()
            .any(|g| g.property == "fighters" && g.claim_count == 3),
        "{mine:?}"
    );
}

#[test]
fn a_version_4_store_is_upgraded_and_its_claims_keep_their_subjects() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    {
        let mut s = SqliteStore::open(&path).unwrap();
        s.put_batch(&corpus()).unwrap();
        drop(s);
        // Undo migrations 5 and 6 by hand.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE entity_keys; DROP TABLE entity_pairs; ALTER TABLE entities DROP COLUMN type_votes;
             DELETE FROM meta WHERE key = 'entity_index';
             DROP TABLE claim_groups; DROP INDEX claims_entity; DROP INDEX documents_lang; DROP INDEX annotations_layer_doc;
             ALTER TABLE claims DROP COLUMN entity;
             DELETE FROM meta WHERE key IN ('claims_generation', 'claim_groups_generation');
             PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), kroniek_store::SCHEMA_VERSION);
    let groups = s
        .claims(&ClaimQuery {
            conflicts_only: true,
            ..Default::default()
        })
        .unwrap();
    assert!(groups
        .iter()
        .any(|g| g.property == "fighters" && g.claim_count == 2));
    s.integrity_check().unwrap();
}

#[test]
fn topic_sentences_come_from_the_best_ranked_articles_when_capped() {
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&corpus()).unwrap();
    let (all, matching) = s.topic_sentences_of_best("aanslag", None, None, 0).unwrap();
    assert_eq!(matching, 2);
    let docs = |v: &[kroniek_core::record::summary::DatedSentence]| {
        v.iter()
            .map(|d| d.doc)
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert!(docs(&all).len() >= 2);
    let (one, matching) = s.topic_sentences_of_best("aanslag", None, None, 1).unwrap();
    assert_eq!(matching, 2, "the count covers every matching article");
    assert_eq!(docs(&one).len(), 1);
    assert_eq!(s.topic_sentences("aanslag", None, None).unwrap(), all);
}

#[test]
fn a_denial_contradicts_an_assertion_but_not_an_open_question() {
    let asserted = analysed(
        "Islamitische Staat heeft op 3 maart 2020 een aanslag in Kabul gepleegd.",
        "2020-03-04",
        "De Krant",
        Lang::NL,
    );
    let denied = analysed(
        "Islamitische Staat heeft op 3 maart 2020 geen aanslag in Kabul gepleegd.",
        "2020-03-05",
        "Het Blad",
        Lang::NL,
    );
    let asked = analysed(
        "Of Islamitische Staat op 3 maart 2020 een aanslag in Kabul pleegde, is onduidelijk.",
        "2020-03-05",
        "De Krant",
        Lang::NL,
    );
    let attacks = |docs: Vec<StoredDocument>| {
        let mut s = SqliteStore::in_memory().unwrap();
        s.put_batch(&docs).unwrap();
        let all = s.timeline(&TimelineQuery::default()).unwrap();
        all.into_iter()
            .filter(|e| e.kind == "attack")
            .map(|e| (e.articles, e.contradicted, e.certainty))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        attacks(vec![asserted, denied.clone()]),
        [(2, true, "CERTAIN".to_string())]
    );
    // "Whether IS carried out an attack" asserts nothing: the denial stands.
    assert_eq!(
        attacks(vec![asked, denied]),
        [(2, false, "DENIED".to_string())]
    );
}

#[test]
fn a_participant_is_a_place_by_its_merged_entitys_type() {
    // One article's tagger calling the ship a place must not keep its report of the
    // grounding apart from another article's as "somewhere else": the store's entity,
    // typed by all its mentions, decides.
    let a = analysed(
        "Het containerschip Nordstern is op 19 maart 2024 vastgelopen in het Kesselkanaal.",
        "2024-03-20",
        "De Krant",
        Lang::NL,
    );
    let mut b = analysed(
        "The container ship Nordstern ran aground on March 19, 2024.",
        "2024-03-20",
        "The Daily",
        Lang::EN,
    );
    let mut relabelled = 0;
    for ev in &mut b.records.as_mut().unwrap().events {
        for p in &mut ev.participants {
            if p.key.contains("nordstern") {
                p.etype = kroniek_core::ner::EntityType::Loc;
                relabelled += 1;
            }
        }
    }
    assert!(relabelled > 0, "the ship is a participant of the grounding");
    let mut s = SqliteStore::in_memory().unwrap();
    s.put_batch(&[a, b]).unwrap();
    let accidents: Vec<usize> = s
        .timeline(&TimelineQuery::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "accident")
        .map(|e| e.articles)
        .collect();
    assert_eq!(accidents, vec![2]);
}
