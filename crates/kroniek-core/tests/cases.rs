//! Data-driven cases from `testdata/events/`: quantities, attribution, triggers, factuality.

use kroniek_core::{annotate, Analysis, Document, Lang, PubDate};

fn cases(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/testdata/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    assert!(rows.len() >= 5, "{path} has too few cases");
    rows
}

fn run(lang: &str, text: &str) -> (Document, Analysis) {
    let doc = Document::builder(text)
        .language(Lang::new(lang))
        .published(PubDate::parse("2019-02").unwrap())
        .build();
    let a = annotate(&doc);
    (doc, a)
}

/// Each event's text and ontology type.
fn event_kinds(lang: &str, text: &str) -> Vec<(String, &'static str)> {
    let (doc, a) = run(lang, text);
    a.events
        .iter()
        .map(|e| (doc.text[e.span.range()].to_string(), e.kind))
        .collect()
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[test]
fn quantities() {
    let mut failures = Vec::new();
    for row in cases("quantities.tsv") {
        let (doc, a) = run(&row[0], &row[1]);
        let got: Vec<String> = a
            .quantities
            .iter()
            .map(|q| {
                format!(
                    "{}|{}|{}|{}",
                    &doc.text[q.span.range()],
                    fmt_value(q.value),
                    q.unit.as_deref().unwrap_or("_"),
                    q.bound.as_str()
                )
            })
            .collect();
        let want = row.get(2).map(String::as_str).unwrap_or("");
        if got.join(";") != want {
            failures.push(format!(
                "{}\n  want {want}\n  got  {}",
                row[1],
                got.join(";")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn attribution() {
    let mut failures = Vec::new();
    for row in cases("attribution.tsv") {
        let (doc, a) = run(&row[0], &row[1]);
        let got: Vec<String> = a
            .attributions
            .iter()
            .map(|at| {
                let who = at.name.unwrap_or(at.source);
                let scope = at.scope.first().map(|s| &doc.text[s.range()]).unwrap_or("");
                format!("{}|{}|{}", &doc.text[who.range()], at.kind.as_str(), scope)
            })
            .collect();
        let want = row.get(2).map(String::as_str).unwrap_or("");
        if got.join(";") != want {
            failures.push(format!(
                "{}\n  want {want}\n  got  {}",
                row[1],
                got.join(";")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn backward_scope_stops_at_previous_attribution_and_continues_forward() {
    let text = "Volgens Trump is ISIS verslagen.\n\nDe putsch zou gebeurd zijn op 10 januari. De poging mislukte.\n\nDat schrijft The Guardian.";
    let (doc, a) = run("nl", text);
    let back = a
        .attributions
        .iter()
        .find(|x| x.kind.as_str() == "backward")
        .expect("backward cue");
    let covered: Vec<&str> = back.scope.iter().map(|s| &doc.text[s.range()]).collect();
    assert_eq!(
        covered,
        [
            "De putsch zou gebeurd zijn op 10 januari.",
            "De poging mislukte."
        ]
    );
    let text = "Volgens de BBC is hij gewond. Hij zou naar Irak zijn gevlucht. Het weer is goed.";
    let (doc, a) = run("nl", text);
    let covered: Vec<&str> = a.attributions[0]
        .scope
        .iter()
        .map(|s| &doc.text[s.range()])
        .collect();
    assert_eq!(
        covered,
        [
            "Volgens de BBC is hij gewond.",
            "Hij zou naar Irak zijn gevlucht."
        ]
    );
}

#[test]
fn factuality_cues() {
    use kroniek_core::events::{factuality, Words};
    let mut failures = Vec::new();
    for row in cases("factuality.tsv") {
        let lang = Lang::new(&row[0]).unwrap();
        let raw: Vec<&str> = row[1].split(' ').collect();
        let at = raw
            .iter()
            .position(|w| w.starts_with("[["))
            .expect("[[event]]");
        let words: Vec<&str> = raw
            .iter()
            .map(|w| w.trim_start_matches("[[").trim_end_matches("]]"))
            .collect();
        let f = factuality(lang, &Words::new(lang, &words), at..at + 1, false);
        let got = format!(
            "{}|{}|{}",
            f.certainty.as_str(),
            f.polarity.as_str(),
            f.time.as_str()
        );
        if got != row[2] {
            failures.push(format!("{}\n  want {}\n  got  {got}", row[1], row[2]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn triggers_and_types() {
    let mut failures = Vec::new();
    for row in cases("triggers.tsv") {
        let (doc, a) = run(&row[0], &row[1]);
        let got: Vec<String> = a
            .events
            .iter()
            .map(|e| format!("{}={}", &doc.text[e.span.range()], e.kind))
            .collect();
        for want in row[2].split(' ') {
            if !got.iter().any(|g| g == want) {
                failures.push(format!("{}: missing {want}; got {}", row[1], got.join(" ")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn separable_particles_and_idioms() {
    let mut failures = Vec::new();
    for row in cases("particles.tsv")
        .into_iter()
        .chain(cases("idioms.tsv"))
    {
        let (Some(a), Some(b)) = (row[1].find("[["), row[1].find("]]")) else {
            panic!("no [[mention]] in {}", row[1]);
        };
        let want = &row[1][a + 2..b];
        let text = row[1].replace("[[", "").replace("]]", "");
        let (doc, an) = run(&row[0], &text);
        let got: Vec<&str> = an
            .events
            .iter()
            .map(|e| &doc.text[e.span.range()])
            .collect();
        if !got.contains(&want) {
            failures.push(format!("{text}: want [{want}], got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn idioms_take_their_own_type_not_their_verbs() {
    let kinds = |text: &str| event_kinds("nl", text);
    let k = kinds("Bij de ramp kwamen twintig mensen om het leven.");
    assert!(
        k.contains(&("kwamen twintig mensen om het leven".into(), "death")),
        "{k:?}"
    );
    let k = kinds("De rebellen hebben de gijzelaars om het leven gebracht.");
    assert!(
        k.contains(&("om het leven gebracht".into(), "killing")),
        "{k:?}"
    );
    // "treedt" alone is a resignation ("treedt af"); "in werking treden" is not.
    let k = kinds("De nieuwe wet treedt volgend jaar in werking.");
    assert!(
        k.contains(&("treedt volgend jaar in werking".into(), "other")),
        "{k:?}"
    );
}

#[test]
fn word_types() {
    let mut failures = Vec::new();
    for row in cases("word_types.tsv") {
        let got = kroniek_core::events::event_type(Lang::new(&row[0]).expect("language"), &row[1])
            .unwrap_or("-");
        if got != row[2] {
            failures.push(format!("{} {}: want {}, got {got}", row[0], row[1], row[2]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn separable_verbs_take_their_type_only_with_their_particle() {
    let kinds = |text: &str| event_kinds("nl", text);
    let has = |text: &str, want: (&str, &str)| {
        let k = kinds(text);
        assert!(k.contains(&(want.0.into(), want.1)), "{text}: {k:?}");
    };
    // The particle ends the clause, before the sentence end, a comma or "om te".
    has("Rusland viel gisteren Oekraïne aan.", ("viel", "attack"));
    has(
        "Het leger valt de stad aan, meldt de BBC.",
        ("valt", "attack"),
    );
    has(
        "Bij het ongeluk kwamen drie mensen om.",
        ("kwamen", "death"),
    );
    has("Apple neemt het bedrijf over.", ("neemt", "acquisition"));
    has("De premier trad gisteren af.", ("trad", "resignation"));
    has(
        "Hij raakte bij de aanval zwaar gewond.",
        ("raakte", "injury"),
    );
    // English phrasal verbs: the particle right after the verb.
    let k = event_kinds("en", "The chairman stepped down as chief executive.");
    assert!(k.contains(&("stepped".into(), "resignation")), "{k:?}");
    // Without it the verb means something else: falling prices, coming, performing.
    let untyped = [
        "De koers van het aandeel viel drie procent.",
        "Ze kwamen om te helpen.",
        "De band trad gisteren op in Utrecht.",
        "Hij neemt de telefoon op.",
    ];
    for text in untyped {
        let k = kinds(text);
        assert!(
            !k.is_empty()
                && k.iter().all(|(_, t)| !matches!(
                    *t,
                    "attack" | "death" | "acquisition" | "resignation"
                )),
            "{text}: {k:?}"
        );
    }
}

#[test]
fn edge_cases_never_panic() {
    let nasty = [
        ", zei de minister.",
        ", said officials.",
        "Dat schrijft",
        "Dat schrijft.",
        "volgens",
        "Volgens ,",
        "according to",
        "1.",
        "$",
        "$ million",
        "zo'n",
        "tot tot tot 5",
        "1.2.3.4,5,6 miljard miljard miljard",
        "999999999999999999999999999999 dollar",
        "vijfentwintigduizendhonderdhonderd",
        "niet niet geen",
        "“",
        "„Dat” zei hij, zei zij, zeiden ze.",
        "Dat zei\n\nDat zei\n\nDat zei.",
        "op de markt",
        "gebracht op de markt op de markt gebracht",
        "om het leven om het leven kwamen kwamen",
        "in staat in staat stelt te",
        "Kwamen, om het leven.",
    ];
    for lang in ["nl", "en"] {
        for text in nasty {
            let (doc, a) = run(lang, text);
            for ann in a.annotations() {
                assert!(ann.span.end as usize <= doc.text.len(), "{text:?}");
            }
        }
    }
}

/// Sentences drawn at random from phrases the factuality, attribution and quantity rules
/// react to (cues, clause boundaries, verb clusters, conjuncts, punctuation) end, with
/// spans in the text, within two minutes: a rule that walks clauses must not loop.
#[test]
fn generated_cue_soup_terminates() {
    // Phrases rather than words, so that the tagger and the trigger model see
    // sentence-like text and find events next to the cues.
    #[rustfmt::skip]
    let phrases = [
        "Hij zou", "Zo zouden ze", "het protocol", "hebben doorbroken", ", en", "en", "of",
        ", maar", "45 seconden lang", "door een portofoon", "hebben gesproken",
        "gewond geraakt zijn", "niet", "geen", "dat", "die", "volgens de BBC", "zegt de krant",
        "stellen inlichtingenbronnen", "lijkt zeker", "allerminst", "tot 1.500 strijders",
        "op 3 november 2016", "om het leven kwamen", ";", ":", "(", ")", "\"", "“", "”",
        "He would", "have been killed", "and", ", and", "not", "said officials", "that",
        "according to the BBC", "up to 3 people", "Dat", "te", "vertrekken",
    ];
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seed: u64 = 13;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        for round in 0..1000 {
            let len = 1 + next(16);
            let mut text: Vec<&str> = (0..len).map(|_| phrases[next(phrases.len())]).collect();
            text.push(".");
            let text = text.join(" ");
            let lang = if round % 2 == 0 { "nl" } else { "en" };
            let (doc, a) = run(lang, &text);
            for ann in a.annotations() {
                assert!(ann.span.end as usize <= doc.text.len(), "{text:?}");
            }
        }
        tx.send(()).unwrap();
    });
    rx.recv_timeout(std::time::Duration::from_secs(120))
        .expect("1000 generated sentences annotated within two minutes");
}

#[test]
fn participant_roles() {
    use kroniek_core::{annotate_with, AnnotateOptions};
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in cases("roles.tsv") {
        let doc = Document::builder(row[1].as_str())
            .language(Lang::new(&row[0]))
            .published(PubDate::parse("2019-02").unwrap())
            .build();
        let a = annotate_with(
            &doc,
            &AnnotateOptions {
                syntax: true,
                ..AnnotateOptions::default()
            },
        );
        if a.syntax.is_none() {
            println!("skipped {}: no syntax model", row[0]);
            continue;
        }
        checked += 1;
        let Some(e) = a.events.iter().find(|e| doc.text[e.span.range()] == row[2]) else {
            failures.push(format!("{}: no event {}", row[1], row[2]));
            continue;
        };
        let mut got: Vec<String> = e
            .participants
            .iter()
            .map(|(r, s)| format!("{}={}", r.as_str(), doc.text[s.range()].replace(' ', "_")))
            .collect();
        if let Some(p) = e.place {
            got.push(format!("place={}", doc.text[p.range()].replace(' ', "_")));
        }
        for want in row[3].split(' ') {
            if !got.iter().any(|g| g == want) {
                failures.push(format!("{}: missing {want}; got {}", row[1], got.join(" ")));
            }
        }
    }
    assert!(checked > 0, "no language has a syntax model");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nouns_that_are_verb_forms_are_marked_for_the_trigger_model() {
    use kroniek_core::events::Words;
    let nl = Lang::new("nl").unwrap();
    let words = [
        "Het",
        "vertrek",
        "na",
        "de",
        "aankoop",
        "van",
        "de",
        "tafel",
        "werd",
        "uitgesteld",
        ".",
    ];
    let w = Words::new(nl, &words);
    let marked: Vec<&str> = (0..words.len())
        .filter(|&i| w.is_verbal_noun(i))
        .map(|i| words[i])
        .collect();
    // "vertrek" is a verb form itself, "aankoop" by its head "koop"; "tafel" is no verb,
    // and verbs ("uitgesteld") are not nouns.
    assert_eq!(marked, ["vertrek", "aankoop"]);
}

#[test]
fn nouns_whose_main_sense_is_an_act_or_event_are_marked_for_the_trigger_model() {
    use kroniek_core::events::Words;
    let eventive = |lang: &str, words: &[&str]| -> Vec<String> {
        let w = Words::new(Lang::new(lang).unwrap(), words);
        (0..words.len())
            .filter(|&i| w.is_eventive_noun(i))
            .map(|i| words[i].to_string())
            .collect()
    };
    // Through FreeDict and WordNet: "ceremonie" (ceremony: event), "staking" (strike: act);
    // "gebouw" is only an artifact.
    let nl = [
        "De",
        "ceremonie",
        "na",
        "de",
        "staking",
        "in",
        "het",
        "gebouw",
        ".",
    ];
    assert_eq!(eventive("nl", &nl), ["ceremonie", "staking"]);
    let en = [
        "The",
        "election",
        "and",
        "the",
        "takeovers",
        "of",
        "the",
        "network",
        ".",
    ];
    // "network" is a group or an artifact ("building" would count: one of its main
    // senses is the act of building).
    assert_eq!(eventive("en", &en), ["election", "takeovers"]);
}

#[test]
fn attributive_participles_are_no_events() {
    use kroniek_core::events::{drop_attributive, Words};
    let words = [
        "Ook",
        "verklaarde",
        "Apple",
        "dat",
        "de",
        "onlangs",
        "aangekondigde",
        "iPhone",
        "en",
        "een",
        "uitgebreide",
        "zoektocht",
        "verkrijgbaar",
        "zijn",
        ".",
    ];
    let s = Words::new(Lang::NL, &words);
    let mut mentions = vec![1..2, 6..7, 10..11, 11..12, 12..13];
    drop_attributive(Lang::NL, &s, &mut mentions);
    // "verklaarde" (a finite verb in second position) and the nouns stay.
    assert_eq!(mentions, vec![1..2, 11..12, 12..13]);
    // Present-tense modals are never mentions; past "wilde" stays.
    let words = [
        "We", "willen", "weten", "maar", "hij", "wilde", "niet", "zeggen", ".",
    ];
    let s = Words::new(Lang::NL, &words);
    let mut mentions = vec![1..2, 2..3, 5..6, 7..8];
    drop_attributive(Lang::NL, &s, &mut mentions);
    assert_eq!(mentions, vec![2..3, 5..6, 7..8]);
    // English has no `event_filters.txt`: nothing is dropped.
    let s = Words::new(Lang::EN, &["the", "expected", "new", "phone"]);
    let mut mentions = vec![1..2, 2..3];
    drop_attributive(Lang::EN, &s, &mut mentions);
    assert_eq!(mentions, vec![1..2, 2..3]);
}

#[test]
fn trigger_rules_from_data_files() {
    let mut failures = Vec::new();
    let list = |s: &str| -> Vec<String> {
        if s.trim() == "-" {
            Vec::new()
        } else {
            s.split(" | ").map(|x| x.trim().to_string()).collect()
        }
    };
    for row in cases("rules.tsv") {
        let (doc, an) = run(&row[0], &row[1]);
        let got: Vec<&str> = an
            .events
            .iter()
            .map(|e| &doc.text[e.span.range()])
            .collect();
        for want in list(&row[2]) {
            if !got.contains(&want.as_str()) {
                failures.push(format!("{}: missing {want}; got {got:?}", row[1]));
            }
        }
        for unwanted in list(&row[3]) {
            if got.contains(&unwanted.as_str()) {
                failures.push(format!("{}: unwanted {unwanted}; got {got:?}", row[1]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
