//! Both sample articles in `../shared/seeds` give one entity for al-Baghdadi.
//! Skipped (with a message) when `../shared` is absent.

use std::path::Path;

use kroniek_core::entities::{group, Merger};
use kroniek_core::{annotate, Document, Lang, PubDate};

fn read_seed(path: &Path) -> Document {
    let raw = std::fs::read_to_string(path).unwrap();
    // Seed format: " date YYYY-MM <text>".
    let rest = raw
        .trim_start()
        .strip_prefix("date")
        .unwrap_or(&raw)
        .trim_start();
    let (date, text) = rest.split_once(char::is_whitespace).unwrap_or(("", rest));
    Document::builder(text.trim())
        .published(PubDate::parse(date).unwrap_or_default())
        .build()
}

#[test]
fn both_seed_articles_give_one_baghdadi() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    };
    let mut paths: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    if kroniek_core::ner::tagger(Lang::NL).is_none() {
        eprintln!("skipped: no Dutch NER model embedded");
        return;
    }
    let mut merger = Merger::new();
    let mut baghdadi = Vec::new();
    for (n, p) in paths.iter().enumerate() {
        let doc = read_seed(p);
        let a = annotate(&doc);
        let entities = group(&doc.text, &a.entities);
        let ids = merger.add_document(n as u64, doc.published, entities.clone());
        let mut found = false;
        for (e, id) in entities.iter().zip(&ids) {
            if e.names.iter().any(|n| n.contains("Baghdadi")) {
                baghdadi.push(*id);
                found = true;
            }
        }
        assert!(
            found,
            "{}: no al-Baghdadi entity: {:#?}",
            p.display(),
            entities
        );
    }
    baghdadi.dedup();
    assert_eq!(baghdadi.len(), 1, "{baghdadi:?}");
    let g = merger.entity(baghdadi[0]).unwrap();
    assert_eq!(g.name, "Abu Bakr Al-Baghdadi", "{g:#?}");
    assert_eq!(g.articles, paths.len());
    assert_eq!(merger.find("al-Baghdadi"), baghdadi);
}
