use super::*;

fn sent(s: &str) -> LabeledSentence {
    let mut words = Vec::new();
    let mut tags = Vec::new();
    for wt in s.split(' ') {
        let (w, t) = wt.rsplit_once('/').unwrap_or((wt, "O"));
        words.push(w.to_string());
        tags.push(t.to_string());
    }
    LabeledSentence {
        words,
        tags,
        missing: Vec::new(),
    }
}

#[test]
fn tiny_model_learns_and_round_trips() {
    let data: Vec<LabeledDoc> = vec![vec![
        sent("Jan/B-PER Peeters/I-PER woont in Gent/B-LOC ."),
        sent("Marie/B-PER Claes/I-PER werkt bij Philips/B-ORG in Brussel/B-LOC ."),
        sent("De man woont in Antwerpen/B-LOC ."),
        sent("Piet/B-PER Janssens/I-PER werkt bij Agfa/B-ORG ."),
    ]];
    let cfg = TrainConfig {
        lang: "nl".into(),
        epochs: 5,
        ..TrainConfig::default()
    };
    let mut reports = Vec::new();
    let trained = train(&data, &data, &cfg, &mut |r| reports.push(r.epoch));
    assert_eq!(reports, [1, 2, 3, 4, 5]);
    assert!(trained.dev.f1 > 90.0, "{:?}", trained.dev);
    let bytes = trained.tagger.to_bytes();
    let back = Tagger::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    let tags = back.tag_document(&[vec!["Jan", "Peeters", "woont", "in", "Gent", "."]]);
    assert_eq!(tags[0], ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]);
    // Deterministic: the same data and seed give the same bytes.
    let again = train(&data, &data, &cfg, &mut |_| {});
    assert_eq!(again.tagger.to_bytes(), bytes);
}

#[test]
fn two_stage_model_round_trips() {
    let data: Vec<LabeledDoc> = vec![
        vec![
            sent("Jan/B-PER Peeters/I-PER woont in Gent/B-LOC ."),
            sent("Peeters/B-PER werkt in Gent/B-LOC ."),
        ],
        vec![
            sent("Marie/B-PER Claes/I-PER werkt bij Philips/B-ORG ."),
            sent("Claes/B-PER zegt dat Philips/B-ORG groeit ."),
        ],
        vec![
            sent("Piet/B-PER Janssens/I-PER woont in Brussel/B-LOC ."),
            sent("Janssens/B-PER werkt bij Agfa/B-ORG ."),
        ],
    ];
    let cfg = TrainConfig {
        lang: "nl".into(),
        epochs: 4,
        stack_folds: 3,
        ..TrainConfig::default()
    };
    let mut stages = Vec::new();
    let trained = train(&data, &data, &cfg, &mut |r| stages.push(r.stage));
    assert!(stages.contains(&2), "{stages:?}");
    assert!(trained.tagger.is_two_stage());
    let bytes = trained.tagger.to_bytes();
    let back = Tagger::from_bytes(&bytes).unwrap();
    assert!(back.is_two_stage());
    assert_eq!(back.to_bytes(), bytes);
    let tags = back.tag_document(&[vec!["Jan", "Peeters", "woont", "in", "Gent", "."]]);
    assert_eq!(tags[0], ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]);
}

#[test]
fn unannotated_types_are_not_unlearned() {
    // The second corpus has no MISC: its "Belgische" is O only because nobody tagged it.
    let mut data: Vec<LabeledDoc> = vec![vec![
        sent("De Belgische/B-MISC regering zwijgt ."),
        sent("De Belgische/B-MISC ploeg wint ."),
    ]];
    let mut untagged = vec![
        sent("De Belgische minister Jan/B-PER Claes/I-PER zwijgt ."),
        sent("De Belgische trainer Piet/B-PER Maes/I-PER wint ."),
        sent("De Belgische coach Karel/B-PER Peeters/I-PER lacht ."),
    ];
    untagged
        .iter_mut()
        .for_each(|s| s.missing = vec!["MISC".into()]);
    data.push(untagged);
    let cfg = TrainConfig {
        lang: "nl".into(),
        epochs: 5,
        ..TrainConfig::default()
    };
    let trained = train(&data, &data, &cfg, &mut |_| {});
    let tags = trained
        .tagger
        .tag_document(&[vec!["De", "Belgische", "bond", "zwijgt", "."]]);
    assert_eq!(tags[0][1], "B-MISC", "{tags:?}");
}
