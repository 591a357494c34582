//! A model trained on the small hand-written fixture in `testdata/ner/` generalises to
//! unseen names in the fixture's test part, and survives a save/load round trip.

use kroniek_core::ner::{self, Tagger, TrainConfig};
use kroniek_eval::conll::{read_ner, score_ner, ReadOptions};

#[test]
fn fixture_model_reaches_minimum_f1() {
    let train = read_ner(
        include_str!("../../../testdata/ner/train.conll"),
        &ReadOptions::default(),
    );
    let test = read_ner(
        include_str!("../../../testdata/ner/test.conll"),
        &ReadOptions::default(),
    );
    assert_eq!(train.len(), 12);
    let cfg = TrainConfig {
        lang: "nl".into(),
        epochs: 8,
        margin: 1.0,
        ..TrainConfig::default()
    };
    let trained = ner::train(&train, &train, &cfg, &mut |_| {});
    let tagger = Tagger::from_bytes(&trained.tagger.to_bytes()).expect("round trip");
    let mut pairs = Vec::new();
    for doc in &test {
        let sents: Vec<Vec<&str>> = doc
            .iter()
            .map(|s| s.words.iter().map(String::as_str).collect())
            .collect();
        let pred = tagger.tag_document(&sents);
        for (s, p) in doc.iter().zip(pred) {
            pairs.push((s.tags.iter().map(String::as_str).collect::<Vec<_>>(), p));
        }
    }
    let report = score_ner(pairs, None);
    assert!(report.overall.f1 >= 80.0, "{report:#?}");
}
