//! Merge decisions on small own fixtures, through the whole analysis.

use super::merge::Merger;
use super::*;
use crate::entities::{self, EntityId};
use crate::events::Certainty;

fn doc(text: &str, date: &str, lang: Lang) -> Document {
    Document::builder(text)
        .published(PubDate::parse(date).unwrap())
        .language(Some(lang))
        .build()
}

/// The first event of type `kind` that `extract` finds in one article.
fn event_of(text: &str, date: &str, lang: Lang, kind: &str) -> DocEvent {
    let d = doc(text, date, lang);
    let recs = extract(&d, &crate::annotate(&d));
    recs.events
        .into_iter()
        .find(|e| e.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} event in {text:?}"))
}

/// Records of each document, merged across documents: global entity ids come from the
/// entity merger, as in the store.
fn merge_all(docs: &[Document]) -> (Merger<EntityId>, Vec<DocRecords>) {
    let mut ents = entities::Merger::new();
    let mut events = Merger::new();
    let mut all = Vec::new();
    for (n, d) in docs.iter().enumerate() {
        let a = crate::annotate(d);
        let recs = extract(d, &a);
        let grouped = entities::group(&d.text, &a.entities);
        let keys: Vec<String> = grouped.iter().map(|e| e.key.clone()).collect();
        let ids = ents.add_document(n as u64, d.published, grouped);
        let id_of = |k: &str| keys.iter().position(|x| x == k).map(|i| ids[i]);
        for ev in &recs.events {
            let e: Vec<EntityId> = ev
                .participants
                .iter()
                .filter_map(|p| id_of(&p.key))
                .collect();
            let p: Vec<EntityId> = ev.places().filter_map(id_of).collect();
            events.add(n as u64, ev.clone(), e, p);
        }
        all.push(recs);
    }
    (events, all)
}

fn events_of_kind<'a>(
    m: &'a Merger<EntityId>,
    kind: &str,
) -> Vec<&'a merge::MergedEvent<EntityId>> {
    m.events().iter().filter(|e| e.kind == kind).collect()
}

#[test]
fn the_same_event_in_two_languages_merges() {
    let nl = doc(
        "Jihadisten hebben op 10 januari 2019 in Hajin een staatsgreep gepleegd tegen Abu Bakr al-Baghdadi.",
        "2019-02",
        Lang::NL,
    );
    let en = doc(
        "Jihadists staged a coup against Abu Bakr al-Baghdadi in Hajin on January 10, 2019.",
        "2019-02-14",
        Lang::EN,
    );
    let (m, recs) = merge_all(&[nl, en]);
    for r in &recs {
        assert!(r.events.iter().any(|e| e.kind == "coup"), "{r:?}");
    }
    let coups = events_of_kind(&m, "coup");
    assert_eq!(coups.len(), 1, "{coups:#?}");
    assert_eq!(coups[0].members.len(), 2);
    assert_eq!(coups[0].when.display(), "2019-01-10");
}

#[test]
fn two_attacks_on_one_day_in_different_places_stay_apart() {
    let a = doc(
        "Islamitische Staat heeft op 3 maart 2020 een aanslag in Kabul gepleegd.",
        "2020-03-04",
        Lang::NL,
    );
    let b = doc(
        "Islamitische Staat pleegde op 3 maart 2020 ook een aanslag in Mosul.",
        "2020-03-04",
        Lang::NL,
    );
    let c = doc(
        "De aanslag in Kabul van 3 maart 2020 werd opgeëist door Islamitische Staat.",
        "2020-03-05",
        Lang::NL,
    );
    let (m, _) = merge_all(&[a, b, c]);
    let attacks = events_of_kind(&m, "attack");
    assert_eq!(attacks.len(), 2, "{attacks:#?}");
    let sizes: Vec<usize> = attacks.iter().map(|e| e.members.len()).collect();
    assert_eq!(sizes, vec![2, 1], "Kabul twice, Mosul once");
}

#[test]
fn hedged_and_certain_mentions_keep_their_own_factuality() {
    let hedged = doc(
        "Abu Bakr al-Baghdadi zou in 2015 gewond geraakt zijn bij een bombardement.",
        "2019-02",
        Lang::NL,
    );
    let certain = doc(
        "Abu Bakr al-Baghdadi was wounded in 2015 in an air strike.",
        "2018-01",
        Lang::EN,
    );
    let (m, _) = merge_all(&[hedged, certain]);
    let injuries = events_of_kind(&m, "injury");
    assert_eq!(injuries.len(), 1, "{injuries:#?}");
    let certainty: Vec<Certainty> = injuries[0]
        .members
        .iter()
        .flat_map(|(_, e)| e.mentions.iter().map(|r| r.factuality.certainty))
        .collect();
    assert!(certainty.contains(&Certainty::Probable), "{certainty:?}");
    assert!(certainty.contains(&Certainty::Certain), "{certainty:?}");
}

#[test]
fn an_anaphor_involves_the_person_named_before() {
    let d = doc(
        "Rond de leider Abu Bakr al-Baghdadi hangt veel mysterie. Hij zou vier jaar geleden gewond geraakt zijn.",
        "2019-02",
        Lang::NL,
    );
    let a = crate::annotate(&d);
    let recs = extract(&d, &a);
    let injury = recs
        .events
        .iter()
        .find(|e| e.kind == "injury")
        .expect("injury");
    assert!(
        injury
            .participants
            .iter()
            .any(|p| p.key.contains("baghdadi")),
        "{injury:?}"
    );
    assert_eq!(injury.when.display(), "2015");
    assert!(injury.when.anchored);
}

#[test]
fn claims_in_both_notations_share_a_property() {
    let nl = doc(
        "Islamitische Staat telt nog zo’n 1.500 strijders, meldt de BBC.",
        "2019-02",
        Lang::NL,
    );
    let en = doc(
        "Islamic State still has up to 14,000 fighters in Syria and Iraq, the report said.",
        "2019-02",
        Lang::EN,
    );
    let claims: Vec<Claim> = [nl, en]
        .iter()
        .flat_map(|d| extract(d, &crate::annotate(d)).claims)
        .collect();
    let fighters: Vec<&Claim> = claims.iter().filter(|c| c.property == "fighters").collect();
    assert_eq!(fighters.len(), 2, "{claims:#?}");
    assert_eq!(fighters[0].value, 1500.0);
    assert_eq!(fighters[0].bound, Bound::About);
    assert_eq!(fighters[1].value, 14000.0);
    assert_eq!(fighters[1].bound, Bound::AtMost);
    assert!(
        fighters.iter().all(|c| c.subject.is_some()),
        "{fighters:#?}"
    );
}

#[test]
fn unanchored_events_lie_shortly_before_publication() {
    let w = When::unanchored(PubDate::parse("2019-02").unwrap(), EventTime::NonFuture);
    assert_eq!(w.display(), "2019-01-01/2019-02-28");
    assert!(!w.anchored);
    let open = When::unanchored(PubDate::Unknown, EventTime::NonFuture);
    assert_eq!(open.display(), "?");
}

#[test]
fn intervals_are_shown_at_their_precision() {
    let d = |s: &str| Some(s.parse::<Date>().unwrap());
    assert_eq!(
        display_interval(d("2016-11-03"), d("2016-11-03")),
        "2016-11-03"
    );
    assert_eq!(
        display_interval(d("2019-02-01"), d("2019-02-28")),
        "2019-02"
    );
    assert_eq!(display_interval(d("2014-01-01"), d("2014-12-31")), "2014");
    assert_eq!(
        display_interval(d("2019-01-30"), d("2019-02-27")),
        "2019-01-30/2019-02-27"
    );
}

#[test]
fn a_period_counted_back_places_the_event_inside_it() {
    let injury = event_of(
        "De man die in 2014 het kalifaat uitriep, is de afgelopen drie jaar meerdere keren gewond geraakt.",
        "2018-01",
        Lang::NL,
        "injury",
    );
    // Not 2014, the date of the relative clause: some day of the past three years.
    assert!(injury.when.anchored, "{injury:?}");
    assert_eq!(injury.when.display(), "2015-01-01/2018-01-31", "{injury:?}");
    // A bare length does not place the event: the date of the sentence does.
    let injury = event_of(
        "Op 3 november 2016 raakte hij 45 seconden lang gewond bij een aanval.",
        "2018-01",
        Lang::NL,
        "injury",
    );
    assert_eq!(injury.when.display(), "2016-11-03", "{injury:?}");
}

#[test]
fn a_half_open_interval_rules_out_what_lies_beyond_its_known_end() {
    let day = |s: &str| PubDate::parse(s).unwrap().earliest();
    let until_2018 = When {
        earliest: None,
        latest: day("2018-01-31"),
        anchored: true,
        value: "PXY".into(),
    };
    let year = |y: &str| When {
        earliest: PubDate::parse(y).unwrap().earliest(),
        latest: PubDate::parse(y).unwrap().latest(),
        anchored: true,
        value: y.into(),
    };
    assert!(until_2018.overlaps(&year("2015")));
    assert!(year("2015").overlaps(&until_2018));
    assert!(!until_2018.overlaps(&year("2019")));
    assert!(!year("2019").overlaps(&until_2018));
    let open = When {
        earliest: None,
        latest: None,
        anchored: false,
        value: String::new(),
    };
    assert!(open.overlaps(&year("2019")) && year("2019").overlaps(&open));
}

#[test]
fn a_length_after_which_something_happened_dates_it_from_the_sentence_date() {
    let when_of = |text: &str, lang: Lang, kind: &str| {
        event_of(text, "2024-03-26", lang, kind).when.display()
    };
    let en = "The container ship Nordstern was refloated on Monday, six days after it ran aground in the Kessel Canal.";
    assert_eq!(when_of(en, Lang::EN, "rescue"), "2024-03-25");
    assert_eq!(when_of(en, Lang::EN, "accident"), "2024-03-19");
    let nl = "Zes dagen na de stranding is het containerschip Nordstern gisteren losgetrokken uit de oever.";
    assert_eq!(when_of(nl, Lang::NL, "rescue"), "2024-03-25");
    assert_eq!(when_of(nl, Lang::NL, "accident"), "2024-03-19");
    let before = "Two days before the vote, the minister resigned on Friday.";
    assert_eq!(when_of(before, Lang::EN, "resignation"), "2024-03-22");
    assert_eq!(when_of(before, Lang::EN, "election"), "2024-03-24");
    // An event with a date of its own keeps it.
    let from = "The ship was refloated six days after the March 19 grounding.";
    assert_eq!(when_of(from, Lang::EN, "accident"), "2024-03-19");
    // A length with no offset word keeps the sentence's date.
    let plain = "The ship was stuck for six days and was refloated on Monday.";
    assert_eq!(when_of(plain, Lang::EN, "rescue"), "2024-03-25");
}

#[test]
fn numbers_describing_the_source_are_no_claims() {
    let d = doc(
        "The authority has lowered its demand to about $550 million, according to two people familiar with the talks.",
        "2024-05",
        Lang::EN,
    );
    let claims = extract(&d, &crate::annotate(&d)).claims;
    let units: Vec<&str> = claims.iter().map(|c| c.unit.as_str()).collect();
    assert_eq!(units, ["dollar"], "{claims:#?}");
    assert_eq!(
        claims[0].source.as_deref(),
        Some("two people familiar with the talks")
    );
}

#[test]
fn rates_are_not_compared_with_totals() {
    let cases = [
        (
            "The blockage cost the authority between $12 million and $15 million in lost transit fees each day, Osmani said.",
            Lang::EN,
            "dollar per day",
        ),
        ("Het kanaal verliest 10 miljoen dollar per dag.", Lang::NL, "dollar per day"),
        ("The canal loses $5 million a week.", Lang::EN, "dollar per week"),
        // A duration is no rate: "for a week", "three weeks".
        ("The canal lost $5 million for a week.", Lang::EN, "dollar"),
        ("The authority demands $916 million, the KCA said on Monday.", Lang::EN, "dollar"),
        // Rates per unit (`claim_rates.txt`): per share is no rival of a total.
        ("Unisys earned $3.27 a share.", Lang::EN, "dollar per share"),
        ("Shell keert 1,20 euro per aandeel uit.", Lang::NL, "euro per share"),
        ("The tickets cost $40 per person.", Lang::EN, "dollar per person"),
        ("Unisys paid the $5 million a shareholder had demanded.", Lang::EN, "dollar"),
    ];
    for (text, lang, want) in cases {
        let d = doc(text, "2024-03-25", lang);
        let claims = extract(&d, &crate::annotate(&d)).claims;
        assert!(!claims.is_empty(), "{text}");
        for c in &claims {
            // What the amount measures may come before the unit ("cost in dollar per day").
            let measured = c.property.ends_with(&format!(" in {want}"));
            assert!(c.property == want || measured, "{text}: {claims:#?}");
            assert_eq!(c.unit, want, "{text}");
        }
    }
}

#[test]
fn amounts_keep_what_they_measure() {
    let cases = [
        (
            "Unisys posted a loss of $78.8 million.",
            Lang::EN,
            "loss in dollar",
        ),
        (
            "Unisys said revenue rose 5% to $2.35 billion.",
            Lang::EN,
            "revenue in dollar",
        ),
        (
            "Unisys had $2.35 billion in revenue.",
            Lang::EN,
            "revenue in dollar",
        ),
        ("Unisys earned $3.27 a share.", Lang::EN, "dollar per share"),
        (
            "Shell boekte een winst van 3 miljard euro.",
            Lang::NL,
            "profit in euro",
        ),
        (
            "The authority demands $916 million, the KCA said on Monday.",
            Lang::EN,
            "demand in dollar",
        ),
        (
            "De KCA eist 916 miljoen dollar.",
            Lang::NL,
            "demand in dollar",
        ),
        (
            "The court ordered the owner to pay $916 million in compensation.",
            Lang::EN,
            "demand in dollar",
        ),
        // No measure word, or one outside the number's clause: the unit alone.
        (
            "The authority wants $916 million, the KCA said on Monday.",
            Lang::EN,
            "dollar",
        ),
        (
            "Revenue fell, and the authority wants $916 million.",
            Lang::EN,
            "dollar",
        ),
    ];
    for (text, lang, want) in cases {
        let d = doc(text, "2024-03-25", lang);
        let claims = extract(&d, &crate::annotate(&d)).claims;
        assert!(!claims.is_empty(), "{text}");
        assert!(
            claims.iter().any(|c| c.property == want),
            "{text}: {claims:#?}"
        );
        assert!(!claims.iter().any(|c| c.property == "dollar") || want == "dollar");
    }
}

#[test]
fn counts_of_people_say_what_happened_to_them() {
    let cases = [
        (
            "At least 40 people were killed in the blast.",
            Lang::EN,
            "deaths",
        ),
        ("Some 257 people died on Friday.", Lang::EN, "deaths"),
        (
            "Police said 12 protesters were arrested.",
            Lang::EN,
            "arrests",
        ),
        (
            "Er zijn 40 mensen omgekomen bij de aanslag.",
            Lang::NL,
            "deaths",
        ),
        (
            "Bij het ongeluk raakten 12 mensen gewond.",
            Lang::NL,
            "injured",
        ),
        (
            "Twaalf mensen werden gewond naar het ziekenhuis gebracht.",
            Lang::NL,
            "injured",
        ),
        // Too far after the count, past a comma, or about money: no outcome.
        (
            "About 500 people gathered in the square, and two were killed.",
            Lang::EN,
            "people",
        ),
        (
            "About 500 people, the police said, were injured.",
            Lang::EN,
            "people",
        ),
        (
            "The firm lost $5 million, and three workers were injured.",
            Lang::EN,
            "dollar",
        ),
    ];
    for (text, lang, want) in cases {
        let d = doc(text, "2024-03-25", lang);
        let claims = extract(&d, &crate::annotate(&d)).claims;
        assert!(
            claims.iter().any(|c| c.property == want),
            "{text}: {claims:#?}"
        );
    }
    assert!(crate::record::needs_measure("dollar") && crate::record::needs_measure("people"));
    assert!(
        !crate::record::needs_measure("deaths") && !crate::record::needs_measure("loss in dollar")
    );
    assert!(crate::record::needs_measure("cents per share"));
    assert!(!crate::record::needs_measure(
        "dividend in dollar per share"
    ));
}

/// The verb right before a count says what happened to them ("killed 257 people"); a
/// verb after "and" is another clause's ("… and injured 5,500"); a count split from its
/// noun by a line break (a table: "Americans: 12\nInjured: 4,877") counts nothing.
#[test]
fn outcomes_before_counts_and_not_past_a_new_clause_or_line() {
    type Case<'a> = (&'a str, Lang, &'a [(f64, &'a str)]);
    let cases: [Case; 4] = [
        (
            "The blasts killed 257 people and injured more than 5,500.",
            Lang::EN,
            &[(257.0, "deaths")],
        ),
        (
            "The bombing killed 10 people and wounded about 70 people.",
            Lang::EN,
            &[(10.0, "deaths"), (70.0, "injured")],
        ),
        (
            "De aanslag doodde 40 mensen en verwondde 12 mensen.",
            Lang::NL,
            &[(40.0, "deaths"), (12.0, "injured")],
        ),
        (
            "The figures.\n\nKESSEL:\nTotal dead: 7\nTourists: 3\nInjured: 41\nHospitalized: 9\n",
            Lang::EN,
            &[],
        ),
    ];
    for (text, lang, want) in cases {
        let d = doc(text, "2024-03-25", lang);
        let claims = extract(&d, &crate::annotate(&d)).claims;
        let got: Vec<(f64, &str)> = claims
            .iter()
            .map(|c| (c.value, c.property.as_str()))
            .collect();
        assert_eq!(got, want, "{text}: {claims:#?}");
    }
}

/// A word between a count and its noun that picks a part ("three new members", "30
/// African countries", "twee extra sleepboten") makes the count one of that part only;
/// money keeps its currency ("150 million Canadian dollars" stays `dollar`).
#[test]
fn qualified_counts_count_a_part() {
    let cases = [
        (
            "NATO welcomed three new members on Friday.",
            Lang::EN,
            "new members",
        ),
        (
            "The treaty was signed by 30 African countries.",
            Lang::EN,
            "african countries",
        ),
        (
            "De autoriteit zet twee extra sleepboten in.",
            Lang::NL,
            "additional tugboats",
        ),
        (
            "The company was sold for 150 million Canadian dollars.",
            Lang::EN,
            "dollar",
        ),
        ("NATO has 16 members.", Lang::EN, "members"),
    ];
    for (text, lang, want) in cases {
        let d = doc(text, "2024-03-25", lang);
        let claims = extract(&d, &crate::annotate(&d)).claims;
        let got: Vec<&str> = claims.iter().map(|c| c.property.as_str()).collect();
        assert_eq!(got, [want], "{text}: {claims:#?}");
    }
}

#[test]
fn an_event_after_a_prior_word_is_not_dated_by_its_sentence() {
    // The hearing is on May 22; the impoundment it is about came before.
    let text = "A hearing on the appeal against the impoundment is scheduled for May 22.";
    let d = doc(text, "2024-05-02", Lang::EN);
    let recs = extract(&d, &crate::annotate(&d));
    let of = |lemma: &str| {
        recs.events
            .iter()
            .find(|e| e.lemma.starts_with(lemma))
            .unwrap_or_else(|| panic!("no {lemma} in {:#?}", recs.events))
    };
    assert!(!of("impound").when.anchored, "{:?}", of("impound").when);
    // Without the prior word the sentence's date is the event's.
    let text = "The impoundment of the ship began on May 22.";
    let d = doc(text, "2024-05-02", Lang::EN);
    let recs = extract(&d, &crate::annotate(&d));
    let e = recs.events.iter().find(|e| e.lemma.starts_with("impound"));
    assert_eq!(e.map(|e| e.when.display()), Some("2024-05-22".to_string()));
    // A time expression right after the noun dates it: "after the crash on Monday".
    let text = "Protests after the crash on Monday turned violent on Wednesday.";
    let d = doc(text, "2024-05-10", Lang::EN);
    let recs = extract(&d, &crate::annotate(&d));
    let crash = recs.events.iter().find(|e| e.lemma == "crash").unwrap();
    assert!(crash.when.anchored, "{:?}", crash.when);
    // Dutch: "het protest na de aanval".
    let text = "Het protest na de aanval begon op 22 mei.";
    let d = doc(text, "2024-05-30", Lang::NL);
    let recs = extract(&d, &crate::annotate(&d));
    let attack = recs.events.iter().find(|e| e.kind == "attack").unwrap();
    assert!(!attack.when.anchored, "{:?}", attack.when);
}

#[test]
fn a_datelines_agency_takes_no_part() {
    let text = "LONDON, March 20 (Reuters) - A container ship ran aground in the Suez Canal on Tuesday, the Suez Canal Authority said.";
    let d = doc(text, "2024-03-20", Lang::EN);
    let a = crate::annotate(&d);
    assert!(
        a.entities
            .iter()
            .any(|m| &text[m.span.range()] == "Reuters"),
        "the agency is a name here, so leaving it out is the rule's doing"
    );
    let e = extract(&d, &a)
        .events
        .into_iter()
        .find(|e| e.kind == "accident")
        .unwrap();
    let keys: Vec<&str> = e.participants.iter().map(|p| p.key.as_str()).collect();
    assert!(!keys.iter().any(|k| k.contains("reuters")), "{keys:?}");
    assert!(keys.iter().any(|k| k.contains("suez canal")), "{keys:?}");
}

#[test]
fn reported_events_and_the_report_are_dated_apart() {
    // Timelines date reported events; the reporting verb itself is a source, not a record,
    // so its anchor is read from the annotation.
    let annotated = |text: &str| {
        let d = doc(text, "2024-03-20", Lang::EN);
        let a = crate::annotate(&d);
        (d, a)
    };
    let dated = |text: &str, lemma: &str| {
        let (d, a) = annotated(text);
        let recs = extract(&d, &a);
        let e = recs
            .events
            .iter()
            .find(|e| e.lemma == lemma)
            .unwrap_or_else(|| panic!("no {lemma} in {:#?}", recs.events));
        e.when.anchored.then(|| e.when.display())
    };
    let anchor_of_said = |text: &str| {
        let (_, a) = annotated(text);
        let said = a.events.iter().find(|e| e.lemma == "said").expect("said");
        said.anchor
            .map(|s| text[s.start as usize..s.end as usize].to_string())
    };
    // The date inside the report dates what is reported, not the saying ...
    let text = "The ship ran aground on Tuesday, the KCA said in a statement.";
    assert_eq!(dated(text, "aground"), Some("2024-03-19".to_string()));
    assert_eq!(anchor_of_said(text), None);
    // ... and the date of the saying does not date what it reports.
    let text = "The court ordered the ship impounded, the authority said on Sunday.";
    assert_eq!(anchor_of_said(text), Some("Sunday".to_string()));
    assert_eq!(dated(text, "impounded"), None);
    // Without a report, the sentence's date is every event's.
    let text = "The court ordered the ship impounded on Sunday.";
    assert_eq!(dated(text, "impounded"), Some("2024-03-17".to_string()));
}

#[test]
fn one_speaker_under_several_names_is_one_source() {
    let d = doc(
        "Sgt. Derek Glenn, a spokesman for the Newark Police Department, said 4 cases were reported last year. \
         The mayor's office said 9 cases were open. \
         \"We have seen 8 cases since January,\" Glenn said. Later he said 6 cases were closed.",
        "1998-04-02",
        Lang::EN,
    );
    let a = crate::annotate(&d);
    let claims = extract(&d, &a).claims;
    let sources: Vec<(f64, Option<&str>)> = claims
        .iter()
        .map(|c| (c.value, c.source.as_deref()))
        .collect();
    // Glenn, by his full name, as often as he speaks; the mayor's office stays apart.
    let glenn = sources
        .iter()
        .filter(|(_, s)| *s == Some("Sgt. Derek Glenn"))
        .count();
    assert!(glenn >= 3, "{sources:?}");
    assert!(
        sources
            .iter()
            .all(|(_, s)| !matches!(*s, Some("Glenn" | "Derek Glenn"))),
        "{sources:?}"
    );
    assert!(
        sources
            .iter()
            .any(|(_, s)| s.is_some_and(|s| s.contains("office"))),
        "{sources:?}"
    );
}
