//! Tests of the whole model on a tiny synthetic treebank (`testdata/syntax/`).

use super::*;
use std::sync::OnceLock;

fn read(text: &str) -> Vec<Vec<GoldToken>> {
    let mut out = vec![Vec::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            if !out.last().is_some_and(Vec::is_empty) {
                out.push(Vec::new());
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        out.last_mut().unwrap().push(GoldToken {
            form: c[1].into(),
            lemma: c[2].into(),
            upos: c[3].into(),
            head: c[6].parse().unwrap(),
            deprel: c[7].into(),
        });
    }
    out.retain(|s| !s.is_empty());
    out
}

fn tiny_model() -> &'static SyntaxModel {
    static MODEL: OnceLock<SyntaxModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
        let opts = TrainOptions {
            lang: "en".into(),
            tagger_iterations: 5,
            parser_iterations: 8,
            jackknife: 2,
            ..TrainOptions::default()
        };
        let bytes = super::train(&train, &[], &opts, &mut |_| {});
        SyntaxModel::from_bytes(Box::leak(bytes.into_boxed_slice())).unwrap()
    })
}

#[test]
fn a_model_trained_on_the_fixture_tags_and_parses_held_out_sentences() {
    let model = tiny_model();
    let test = read(include_str!("../../../../testdata/syntax/test.conllu"));
    let (mut upos, mut las, mut total) = (0, 0, 0);
    for s in &test {
        let forms: Vec<&str> = s.iter().map(|t| t.form.as_str()).collect();
        for (g, p) in s.iter().zip(model.analyse(&forms)) {
            upos += usize::from(g.upos == p.upos.as_str());
            las += usize::from(g.head == p.head && g.deprel == p.deprel);
            total += 1;
        }
    }
    let (upos, las) = (upos as f64 / total as f64, las as f64 / total as f64);
    assert!(upos >= 0.95, "UPOS {upos}");
    assert!(las >= 0.85, "LAS {las}");
}

#[test]
fn model_bytes_round_trip_and_are_deterministic() {
    let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
    let opts = TrainOptions {
        lang: "en".into(),
        tagger_iterations: 2,
        parser_iterations: 2,
        jackknife: 0,
        ..TrainOptions::default()
    };
    let a = super::train(&train[..40], &[], &opts, &mut |_| {});
    let b = super::train(&train[..40], &[], &opts, &mut |_| {});
    assert_eq!(a, b, "training is deterministic");
    assert!(SyntaxModel::from_bytes(Box::leak(a.clone().into_boxed_slice())).is_ok());
    for cut in [0, 7, 100, a.len() / 2, a.len() - 1] {
        let bytes: &'static [u8] = Box::leak(a[..cut].to_vec().into_boxed_slice());
        assert!(
            SyntaxModel::from_bytes(bytes).is_err(),
            "truncated at {cut}"
        );
    }
}

#[test]
fn odd_sentences_do_not_panic() {
    let model = tiny_model();
    assert!(model.analyse::<&str>(&[]).is_empty());
    let one = model.analyse(&["Hello"]);
    assert_eq!((one.len(), one[0].head, one[0].deprel), (1, 0, "root"));
    let long: Vec<String> = (0..2000)
        .map(|i| ["the", "dog", "saw", ",", "x1", "Über", "."][i % 7].to_string())
        .collect();
    let parsed = model.analyse(&long);
    assert_eq!(parsed.len(), 2000);
    assert_eq!(
        parsed.iter().filter(|t| t.head == 0).count(),
        1,
        "exactly one root"
    );
    assert!(parsed.iter().all(|t| t.head as usize <= 2000));
    let odd = model.analyse(&["", " ", "\u{0}", "🙂"]);
    assert_eq!(odd.len(), 4);
}

#[test]
fn lemmas_come_from_the_table_and_suffix_rules() {
    let model = tiny_model();
    let parsed = model.analyse(&["The", "dog", "saw", "a", "cat", "."]);
    assert_eq!(parsed[0].lemma, "the");
    assert_eq!(parsed[1].lemma, "dog");
}

#[test]
fn a_one_pass_model_tags_the_same_with_its_first_pass_only() {
    let model = tiny_model();
    assert!(model.tagger.second.is_none());
    let test = read(include_str!("../../../../testdata/syntax/test.conllu"));
    for s in &test {
        let forms: Vec<&str> = s.iter().map(|t| t.form.as_str()).collect();
        assert_eq!(model.tag_first_pass(&forms), model.tag(&forms));
    }
}

#[test]
fn embedded_models_load_when_present() {
    for lang in [Lang::NL, Lang::EN] {
        if resources::bytes(lang, MODEL_FILE).is_some() {
            let m = SyntaxModel::for_language(lang).expect("the embedded model loads");
            assert_eq!(m.lang(), lang.as_str());
            let p = m.analyse(&["Dit", "is", "een", "test", "."]);
            assert_eq!(p.iter().filter(|t| t.head == 0).count(), 1);
        }
    }
}

#[test]
fn a_model_with_clusters_is_feature_set_4_round_trips_and_is_deterministic() {
    let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
    let text: Vec<Vec<String>> = train
        .iter()
        .map(|s| s.iter().map(|t| t.form.clone()).collect())
        .collect();
    let opts = TrainOptions {
        lang: "en".into(),
        tagger_iterations: 2,
        parser_iterations: 2,
        jackknife: 0,
        clusters: Some(Clusters::induce(&text, 1, 1000)),
        ..TrainOptions::default()
    };
    let a = super::train(&train[..40], &[], &opts, &mut |_| {});
    let b = super::train(&train[..40], &[], &opts, &mut |_| {});
    assert_eq!(a, b, "training with clusters is deterministic");
    assert_eq!(a[7], 4, "feature set 4");
    let model = SyntaxModel::from_bytes(Box::leak(a.into_boxed_slice())).unwrap();
    assert!(model.clusters.as_ref().is_some_and(|c| !c.is_empty()));
    let forms = ["The", "dog", "barked", ",,", "."];
    let parsed = model.analyse(&forms);
    assert_eq!(parsed.len(), forms.len());
    assert_eq!(parsed.iter().filter(|t| t.head == 0).count(), 1);
}

#[test]
fn quotation_marks_written_otherwise_read_as_a_double_quote() {
    for q in [",,", "''", "“", "”", "„"] {
        let (a, b) = (
            lex::Lex::with_clusters(q, None),
            lex::Lex::with_clusters("\"", None),
        );
        assert_eq!(
            (a.lower, a.form, a.shape),
            (b.lower, b.form, b.shape),
            "{q}"
        );
    }
}

#[test]
fn a_two_pass_pseudo_projective_model_is_feature_set_5_round_trips_and_tags_as_plain_scoring() {
    let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
    let test = read(include_str!("../../../../testdata/syntax/test.conllu"));
    let opts = TrainOptions {
        lang: "en".into(),
        tagger_iterations: 4,
        parser_iterations: 4,
        jackknife: 2,
        two_pass_tagger: true,
        pseudo_projective: true,
        ..TrainOptions::default()
    };
    let a = super::train(&train, &[], &opts, &mut |_| {});
    let b = super::train(&train, &[], &opts, &mut |_| {});
    assert_eq!(a, b, "two-pass training is deterministic");
    assert_eq!(a[7], 5, "feature set 5");
    let model = SyntaxModel::from_bytes(Box::leak(a.clone().into_boxed_slice())).unwrap();
    assert!(model.tagger.second.is_some());
    for cut in [a.len() / 2, a.len() - 1] {
        let bytes: &'static [u8] = Box::leak(a[..cut].to_vec().into_boxed_slice());
        assert!(SyntaxModel::from_bytes(bytes).is_err());
    }
    let (mut upos, mut total) = (0, 0);
    for s in &test {
        let forms: Vec<&str> = s.iter().map(|t| t.form.as_str()).collect();
        let lex = lex::lexes(&forms, None);
        assert_eq!(model.tagger.tag(&lex), model.tagger.tag_plain(&lex));
        assert_eq!(model.tag_first_pass(&forms).len(), forms.len());
        for (g, p) in s.iter().zip(model.analyse(&forms)) {
            upos += usize::from(g.upos == p.upos.as_str());
            total += 1;
        }
    }
    assert!(upos as f64 >= 0.95 * total as f64, "UPOS {upos}/{total}");
    // Decorated labels never come out.
    let forms: Vec<&str> = test[0].iter().map(|t| t.form.as_str()).collect();
    assert!(model
        .analyse(&forms)
        .iter()
        .all(|t| !t.deprel.contains(projective::SEP)));
}

#[test]
fn a_fine_tag_model_is_feature_set_6_round_trips_and_parses_as_plain_scoring() {
    let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
    let test = read(include_str!("../../../../testdata/syntax/test.conllu"));
    // Synthetic FEATS: verbs in -ed are participles, the others finite.
    let feats: Vec<Vec<String>> = train
        .iter()
        .map(|s| {
            s.iter()
                .map(|t| match t.upos.as_str() {
                    "VERB" if t.form.ends_with("ed") => "VerbForm=Part".to_string(),
                    "VERB" => "Tense=Past|VerbForm=Fin".to_string(),
                    "PRON" => "Case=Nom|PronType=Prs".to_string(),
                    _ => "_".to_string(),
                })
                .collect()
        })
        .collect();
    let opts = TrainOptions {
        lang: "en".into(),
        tagger_iterations: 4,
        parser_iterations: 4,
        jackknife: 2,
        two_pass_tagger: true,
        pseudo_projective: true,
        fine_tags: true,
        ..TrainOptions::default()
    };
    let a = super::train_with_feats(&train, &feats, &[], &opts, &mut |_| {});
    let b = super::train_with_feats(&train, &feats, &[], &opts, &mut |_| {});
    assert_eq!(a, b, "fine-tag training is deterministic");
    assert_eq!(a[7], 6, "feature set 6");
    // Without FEATS the option does nothing.
    assert_eq!(super::train(&train, &[], &opts, &mut |_| {})[7], 5);
    let model = SyntaxModel::from_bytes(Box::leak(a.clone().into_boxed_slice())).unwrap();
    let fine = model.tagger.fine.as_ref().expect("fine tags");
    assert_eq!(fine.subs[Upos::VERB as usize], ["Part", "Fin"]);
    assert_eq!(fine.subs[Upos::PRON as usize], ["Prs-Nom"]);
    assert!(fine.subs[Upos::NOUN as usize].is_empty());
    for cut in [a.len() / 2, a.len() - 1] {
        let bytes: &'static [u8] = Box::leak(a[..cut].to_vec().into_boxed_slice());
        assert!(SyntaxModel::from_bytes(bytes).is_err());
    }
    let (mut upos, mut total, mut refined) = (0, 0, 0);
    for s in &test {
        let forms: Vec<&str> = s.iter().map(|t| t.form.as_str()).collect();
        let lex = lex::lexes(&forms, None);
        let mut tags = model.tagger.tag(&lex);
        let plain = tags.clone();
        model.tagger.refine(&lex, &mut tags);
        for (&p, &t) in plain.iter().zip(&tags) {
            assert_eq!(fine::upos_of(t), p);
            refined += usize::from(t != p);
        }
        let inp = parser::Input::new(&lex, &tags);
        assert_eq!(model.parser.parse(&inp), model.parser.parse_plain(&inp));
        for (g, p) in s.iter().zip(model.analyse(&forms)) {
            upos += usize::from(g.upos == p.upos.as_str());
            total += 1;
        }
        let upos_tags = model.tag_first_pass(&forms);
        assert_eq!(model.analyse_tagged(&forms, &upos_tags).len(), forms.len());
    }
    assert!(refined > 0, "some tags get a subclass");
    assert!(upos as f64 >= 0.95 * total as f64, "UPOS {upos}/{total}");
}

#[test]
fn a_clause_verb_model_is_feature_set_7_round_trips_and_tags_as_plain_scoring() {
    let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
    let test = read(include_str!("../../../../testdata/syntax/test.conllu"));
    let feats: Vec<Vec<String>> = train
        .iter()
        .map(|s| {
            s.iter()
                .map(|t| match t.upos.as_str() {
                    "VERB" => "VerbForm=Fin".to_string(),
                    _ => "_".to_string(),
                })
                .collect()
        })
        .collect();
    let opts = TrainOptions {
        lang: "en".into(),
        tagger_iterations: 4,
        parser_iterations: 2,
        jackknife: 2,
        two_pass_tagger: true,
        fine_tags: true,
        clause_verbs: true,
        ..TrainOptions::default()
    };
    let a = super::train_with_feats(&train, &feats, &[], &opts, &mut |_| {});
    let b = super::train_with_feats(&train, &feats, &[], &opts, &mut |_| {});
    assert_eq!(a, b, "set-7 training is deterministic");
    assert_eq!(a[7], 7, "feature set 7");
    // Without fine tags (no FEATS) the option does nothing.
    assert_eq!(super::train(&train, &[], &opts, &mut |_| {})[7], 5);
    let model = SyntaxModel::from_bytes(Box::leak(a.clone().into_boxed_slice())).unwrap();
    let (mut upos, mut total) = (0, 0);
    for s in &test {
        let forms: Vec<&str> = s.iter().map(|t| t.form.as_str()).collect();
        let lex = lex::lexes(&forms, None);
        assert_eq!(model.tagger.tag(&lex), model.tagger.tag_plain(&lex));
        for (g, p) in s.iter().zip(model.analyse(&forms)) {
            upos += usize::from(g.upos == p.upos.as_str());
            total += 1;
        }
    }
    assert!(upos as f64 >= 0.95 * total as f64, "UPOS {upos}/{total}");
}

#[test]
fn tagger_only_training_reports_dev_accuracy_and_writes_nothing() {
    let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
    let test = read(include_str!("../../../../testdata/syntax/test.conllu"));
    let opts = TrainOptions {
        tagger_iterations: 2,
        two_pass_tagger: true,
        tagger_only: true,
        ..TrainOptions::default()
    };
    let mut lines = Vec::new();
    let bytes = super::train(&train, &test, &opts, &mut |l| lines.push(l));
    assert!(bytes.is_empty());
    assert!(lines
        .iter()
        .any(|l| l.starts_with("tagger second pass: dev")));
    // With one fold: the first pass only.
    let opts = TrainOptions {
        jackknife: 1,
        ..opts
    };
    lines.clear();
    assert!(super::train(&train, &test, &opts, &mut |l| lines.push(l)).is_empty());
    assert!(lines
        .iter()
        .any(|l| l.starts_with("tagger first pass: dev")));
    assert!(!lines.iter().any(|l| l.contains("second pass")));
}

#[test]
fn embedded_models_tag_as_plain_scoring() {
    // The word-and-role sums of the tagger's per-thread cache regroup integer sums: the
    // tags are those of scoring every feature one by one, fresh or from the cache.
    let sentences = [
        "Rusland viel gisteren Oekraïne aan , meldde het persbureau .",
        "\" Zolang de iPhone 4 niet verkrijgbaar is , zal Apple geen nieuwe winkels openen . \"",
        "Apple announced the iPhone 4 on Monday , analysts said .",
        "Het",
        "Shares of Apple fell 3 % after the report .",
    ];
    for lang in [Lang::NL, Lang::EN] {
        let Some(m) = SyntaxModel::for_language(lang) else {
            continue;
        };
        for _ in 0..2 {
            for s in sentences {
                let forms: Vec<&str> = s.split(' ').collect();
                let lex = lex::lexes(&forms, m.clusters.as_ref());
                assert_eq!(m.tagger.tag(&lex), m.tagger.tag_plain(&lex));
                assert_eq!(
                    m.tagger.tag_first_pass(&lex),
                    m.tagger.tag_first_pass_plain(&lex)
                );
            }
        }
    }
}

/// Sentences with auxiliaries: `has` is AUX (`aux`) in "the dog has seen a cat", and in
/// `heads` of them also the head of an elliptic clause ("the cat has").
fn aux_sentences(heads: usize) -> Vec<Vec<GoldToken>> {
    let tok = |form: &str, upos: &str, head: u32, deprel: &str| GoldToken {
        form: form.into(),
        lemma: form.into(),
        upos: upos.into(),
        head,
        deprel: deprel.into(),
    };
    let mut out = Vec::new();
    for (i, (a, b)) in [
        ("dog", "cat"),
        ("cat", "bird"),
        ("man", "dog"),
        ("bird", "fish"),
    ]
    .iter()
    .cycle()
    .take(40)
    .enumerate()
    {
        let mut s = vec![
            tok("the", "DET", 2, "det"),
            tok(a, "NOUN", 4, "nsubj"),
            tok("has", "AUX", 4, "aux"),
            tok("seen", "VERB", 0, "root"),
            tok("a", "DET", 6, "det"),
            tok(b, "NOUN", 4, "obj"),
        ];
        if i < heads {
            s = vec![
                tok("the", "DET", 2, "det"),
                tok(a, "NOUN", 3, "nsubj"),
                tok("has", "AUX", 0, "root"),
            ];
        }
        out.push(s);
    }
    out
}

#[test]
fn models_know_whether_their_treebank_has_aux_heads() {
    let opts = TrainOptions {
        lang: "xx".into(),
        tagger_iterations: 2,
        parser_iterations: 2,
        jackknife: 0,
        ..TrainOptions::default()
    };
    let load = |bytes: Vec<u8>| SyntaxModel::from_bytes(Box::leak(bytes.into_boxed_slice()));
    let only_aux = load(super::train(&aux_sentences(0), &[], &opts, &mut |_| {})).unwrap();
    assert!(
        !only_aux.aux_labels.is_empty(),
        "AUX only ever aux: the flag is set"
    );
    let with_heads = load(super::train(&aux_sentences(5), &[], &opts, &mut |_| {})).unwrap();
    assert!(
        with_heads.aux_labels.is_empty(),
        "AUX heads in the treebank: no flag"
    );
    // A model file cut inside the flags is refused; one without them (older models) loads.
    let bytes = super::train(&aux_sentences(0), &[], &opts, &mut |_| {});
    for cut in 1..=FLAGS.len() {
        assert!(
            load(bytes[..bytes.len() - cut].to_vec()).is_err(),
            "cut {cut}"
        );
    }
    let old = load(bytes[..bytes.len() - 1 - FLAGS.len()].to_vec()).unwrap();
    assert!(old.aux_labels.is_empty());
    let mut wrong = bytes.clone();
    let at = wrong.len() - 2;
    wrong[at] = b'X';
    assert!(load(wrong).is_err(), "a wrong marker is refused");
}

/// With the embedded Dutch model (its treebank has AUX only as `aux`/`cop`), an AUX is
/// never a clause head in the output: the tag follows the parse.
#[test]
fn dutch_auxiliaries_agree_with_the_parse() {
    if resources::bytes(Lang::NL, MODEL_FILE).is_none() {
        eprintln!("skipped: no embedded Dutch syntax model");
        return;
    }
    let model = SyntaxModel::for_language(Lang::NL).unwrap();
    assert!(!model.aux_labels.is_empty(), "the Dutch model has the flag");
    for (text, verb) in [
        (
            "Vorig jaar was ik weer in India en hoorde de frustraties .",
            "was",
        ),
        ("Hij heeft een huis in Utrecht .", "heeft"),
    ] {
        let forms: Vec<&str> = text.split(' ').collect();
        let parsed = model.analyse(&forms);
        let i = forms.iter().position(|f| *f == verb).unwrap();
        assert_eq!(
            (parsed[i].upos, parsed[i].deprel),
            (Upos::VERB, "root"),
            "{text}"
        );
    }
    for text in [
        "Het kabinet heeft de regeling niet verlengd .",
        "De minister is ziek .",
        "Het huis werd in 1920 gebouwd en is nu een museum .",
        // The transition parser made "was" the root here, the neural one (session 13) a
        // copula of "bijeenkomst": either way tag and relation agree.
        "In Dublin was dit weekeinde een internationale bijeenkomst over de kerk .",
    ] {
        let forms: Vec<&str> = text.split(' ').collect();
        for t in model.analyse(&forms) {
            if t.upos == Upos::AUX {
                assert!(
                    matches!(t.deprel.split(':').next(), Some("aux" | "cop")),
                    "{text}: {t:?}"
                );
            }
        }
    }
}

/// A sentence longer than the neural parser's window is parsed in windows and still gets
/// one root and heads inside the sentence; short sentences are parsed as a whole.
#[test]
fn long_sentences_are_parsed_in_windows_with_one_root() {
    let Some(model) = SyntaxModel::for_language(Lang::NL) else {
        eprintln!("skipped: no embedded Dutch syntax model");
        return;
    };
    assert!(
        model.is_neural(),
        "the Dutch model parses with the neural parser"
    );
    let words = "De minister zei dat het kabinet de regeling niet verlengt , en".split(' ');
    let forms: Vec<&str> = words.cycle().take(2 * super::NEURAL_WINDOW + 37).collect();
    let parsed = model.analyse(&forms);
    assert_eq!(parsed.len(), forms.len());
    assert_eq!(parsed.iter().filter(|t| t.head == 0).count(), 1);
    assert!(parsed.iter().all(|t| t.head as usize <= forms.len()));
    // Batched or alone, the same trees.
    let batch = model.analyse_batch(&[forms.clone(), forms[..12].to_vec()]);
    assert_eq!(batch[0], parsed);
    assert_eq!(batch[1], model.analyse(&forms[..12]));
}

#[test]
fn an_older_feature_set_can_be_asked_for() {
    // `feature_set`: the English model is set 1; new training otherwise writes set 3 here.
    let train = read(include_str!("../../../../testdata/syntax/train.conllu"));
    for (set, byte) in [(None, 3u8), (Some(1), 1), (Some(2), 2)] {
        let opts = TrainOptions {
            lang: "en".into(),
            tagger_iterations: 1,
            parser_iterations: 1,
            jackknife: 0,
            feature_set: set,
            ..TrainOptions::default()
        };
        let bytes = super::train(&train[..20], &[], &opts, &mut |_| {});
        assert_eq!(bytes[MAGIC.len()], byte);
        let model = SyntaxModel::from_bytes(Box::leak(bytes.into_boxed_slice())).unwrap();
        assert_eq!(model.analyse(&["The", "cat", "sat", "."]).len(), 4);
    }
}

/// The fast pipeline parsers (`models/<lang>/neural-fast.bin`) load, parse from the first
/// tagger pass, give trees (one root, heads inside the sentence), the same batched, alone
/// and with the first-pass tags given, and take empty, long and untagged sentences.
#[test]
fn fast_parsers_load_and_parse_from_the_first_tagger_pass() {
    for (lang, text) in [
        (
            Lang::NL,
            "De minister zei gisteren dat het kabinet de regeling niet verlengt .",
        ),
        (
            Lang::EN,
            "The minister said yesterday that the cabinet will not extend the scheme .",
        ),
    ] {
        let (Some(fast), Some(accurate)) = (
            SyntaxModel::fast_for_language(lang),
            SyntaxModel::for_language(lang),
        ) else {
            eprintln!("skipped: no embedded {lang} syntax model");
            continue;
        };
        assert!(fast.is_first_pass(), "models/{lang}/neural-fast.bin loads");
        assert!(fast.is_neural());
        assert!(!accurate.is_first_pass());
        let forms: Vec<&str> = text.split(' ').collect();
        let parsed = fast.analyse(&forms);
        assert_eq!(parsed.len(), forms.len());
        assert_eq!(parsed.iter().filter(|t| t.head == 0).count(), 1);
        assert!(parsed.iter().all(|t| t.head as usize <= forms.len()));
        assert!(parsed.iter().all(|t| !t.lemma.is_empty()));
        let long: Vec<&str> = forms
            .iter()
            .copied()
            .cycle()
            .take(2 * super::NEURAL_WINDOW + 5)
            .collect();
        let sents = vec![forms.clone(), Vec::new(), long.clone()];
        let tags: Vec<Vec<Upos>> = sents.iter().map(|s| fast.tag_first_pass(s)).collect();
        let batch = fast.analyse_batch(&sents);
        assert_eq!(batch, fast.analyse_batch_first_pass(&sents, &tags));
        assert_eq!(batch[0], parsed);
        assert!(batch[1].is_empty());
        assert_eq!(batch[2].len(), long.len());
        assert_eq!(batch[2].iter().filter(|t| t.head == 0).count(), 1);
        // Tags missing (read as X) or none at all: still trees, no panic.
        let untagged = fast.analyse_batch_first_pass(&sents, &[]);
        assert_eq!(untagged.len(), 3);
        assert_eq!(untagged[0].iter().filter(|t| t.head == 0).count(), 1);
        assert!(fast.analyse_batch_first_pass::<&str>(&[], &[]).is_empty());
        // The accurate model ignores given tags.
        assert_eq!(
            accurate.analyse_batch_first_pass(&sents[..1], &tags[..1]),
            accurate.analyse_batch(&sents[..1])
        );
    }
}
