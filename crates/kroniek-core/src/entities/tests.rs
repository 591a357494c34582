use super::*;
use crate::ner::{EntityType, NameMention};
use crate::{PubDate, Span};

/// Mentions for every occurrence of each `(surface, type)` in `text`.
fn mentions(text: &str, names: &[(&str, EntityType)]) -> Vec<NameMention> {
    let mut out = Vec::new();
    for &(name, etype) in names {
        for (start, _) in text.match_indices(name) {
            let end = start + name.len();
            // Whole words only, and not inside a longer listed name already taken.
            let before = text[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            let after = text[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            let span = Span::new(start, end);
            if !before && !after && !out.iter().any(|m: &NameMention| m.span.overlaps(span)) {
                out.push(NameMention {
                    span,
                    etype,
                    tokens: 0..0,
                    cued: false,
                });
            }
        }
    }
    out.sort_by_key(|m| m.span);
    out
}

use EntityType::{Loc, Misc, Org, Per};

#[test]
fn name_variants_are_one_entity_within_and_across_documents() {
    let a = "Abu Bakr Al-Baghdadi leidt ISIS. De leider Al-Baghdadi werd gewond in Mosul.";
    let b = "IS-leider Abu Bakr al-Baghdadi ontsnapte. Daarna reisde al-Baghdadi naar Mosul.";
    let da = link(
        a,
        &mentions(
            a,
            &[
                ("Abu Bakr Al-Baghdadi", Per),
                ("Al-Baghdadi", Per),
                ("ISIS", Org),
                ("Mosul", Loc),
            ],
        ),
    );
    let db = link(
        b,
        &mentions(
            b,
            &[
                ("Abu Bakr al-Baghdadi", Per),
                ("al-Baghdadi", Misc),
                ("Mosul", Loc),
            ],
        ),
    );
    assert_eq!(da.entities.len(), 3, "{:#?}", da.entities);
    assert_eq!(db.entities.len(), 2, "{:#?}", db.entities);
    assert_eq!(
        da.entities[0].names,
        ["Abu Bakr Al-Baghdadi", "Al-Baghdadi"]
    );
    assert_eq!(db.entities[0].etype, Per);
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::parse("2019-02").unwrap(), da.entities);
    let ib = m.add_document(2, PubDate::parse("2018-01").unwrap(), db.entities);
    assert_eq!(ia[0], ib[0]);
    assert_eq!(ia[2], ib[1], "Mosul");
    let g = m.entity(ia[0]).unwrap();
    assert_eq!(g.articles, 2);
    assert_eq!(g.mentions, 4);
    assert_eq!(g.first, PubDate::parse("2018-01"));
    assert_eq!(g.last, PubDate::parse("2019-02"));
    assert_eq!(m.find("Baghdadi"), vec![ia[0]]);
    assert_eq!(m.find("ABU BAKR AL BAGHDADI"), vec![ia[0]]);
}

#[test]
fn acronyms_defined_in_text_join_their_names() {
    let a = "De Islamitische Staat (IS) verliest terrein. IS telde ooit 70.000 aanhangers.";
    let da = link(a, &mentions(a, &[("Islamitische Staat", Org), ("IS", Org)]));
    assert_eq!(da.entities.len(), 1, "{:#?}", da.entities);
    assert_eq!(da.entities[0].name, "Islamitische Staat");
    let b = "Fighters of the Islamic State (ISIS) fled. ISIS lost Mosul.";
    let db = link(
        b,
        &mentions(b, &[("Islamic State", Org), ("ISIS", Org), ("Mosul", Loc)]),
    );
    assert_eq!(db.entities.len(), 2, "{:#?}", db.entities);
    // Across documents: a later article that only says "IS" joins the defined entity.
    let c = "IS eiste de aanslag op.";
    let dc = link(c, &mentions(c, &[("IS", Org)]));
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::Unknown, da.entities);
    let ic = m.add_document(3, PubDate::Unknown, dc.entities);
    assert_eq!(ia[0], ic[0]);
    assert_eq!(m.entity(ic[0]).unwrap().name, "Islamitische Staat");
}

#[test]
fn people_sharing_a_surname_stay_apart() {
    let a = "Donald Trump sprak in Washington. Trump was boos.";
    let b = "Ivanka Trump bezocht New York. Trump lachte.";
    let c = "In Washington zei Trump dat het goed ging.";
    let da = link(
        a,
        &mentions(
            a,
            &[("Donald Trump", Per), ("Trump", Per), ("Washington", Loc)],
        ),
    );
    let db = link(
        b,
        &mentions(
            b,
            &[("Ivanka Trump", Per), ("Trump", Per), ("New York", Loc)],
        ),
    );
    let dc = link(c, &mentions(c, &[("Trump", Per), ("Washington", Loc)]));
    assert_eq!(da.entities.len(), 2);
    assert_eq!(da.mentions[2].key, "donald trump");
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::Unknown, da.entities);
    let ib = m.add_document(2, PubDate::Unknown, db.entities);
    assert_ne!(ia[0], ib[0], "Donald and Ivanka Trump are two people");
    // A surname-only mention goes to the Trump that shares its context (Washington).
    let ic = m.add_document(3, PubDate::Unknown, dc.entities);
    assert_eq!(ic, [ia[1], ia[0]]);
    // Two people with one surname in one document: the short form takes the nearest.
    let d = "Donald Trump en Ivanka Trump reisden. Ivanka Trump sprak eerst; daarna sprak Trump.";
    let dd = link(
        d,
        &mentions(
            d,
            &[("Donald Trump", Per), ("Ivanka Trump", Per), ("Trump", Per)],
        ),
    );
    assert_eq!(dd.entities.len(), 2);
    assert_eq!(dd.mentions.last().unwrap().key, "ivanka trump");
}

#[test]
fn aliases_regroup_and_ungroup() {
    let a = "Daesh eiste de aanslag op.";
    let b = "ISIS verloor Mosul.";
    let da = link(a, &mentions(a, &[("Daesh", Org)]));
    let db = link(b, &mentions(b, &[("ISIS", Org), ("Mosul", Loc)]));
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::Unknown, da.entities);
    let ib = m.add_document(2, PubDate::Unknown, db.entities);
    assert_ne!(ia[0], ib[0]);
    m.add_alias("Daesh", "ISIS");
    assert_eq!(m.aliases(), [("Daesh".to_string(), "ISIS".to_string())]);
    let (xa, xb) = (m.assignments(1).unwrap()[0], m.assignments(2).unwrap()[0]);
    assert_eq!(xa, xb);
    assert_eq!(m.find("daesh"), vec![xa]);
    assert_eq!(m.entity(xa).unwrap().articles, 2);
    assert!(m.remove_alias("Daesh"));
    assert_ne!(m.assignments(1).unwrap()[0], m.assignments(2).unwrap()[0]);
    assert!(!m.remove_alias("Daesh"));
}

#[test]
fn titles_and_articles_do_not_split_entities() {
    let a = "President Trump sprak. Donald Trump vertrok. The Guardian schreef erover, de Guardian ook.";
    let da = link(
        a,
        &mentions(
            a,
            &[
                ("President Trump", Per),
                ("Donald Trump", Per),
                ("The Guardian", Org),
                ("Guardian", Org),
            ],
        ),
    );
    assert_eq!(da.entities.len(), 2, "{:#?}", da.entities);
}

#[test]
fn descriptors_in_apposition_join_the_person() {
    let a = "IS-leider Abu Bakr al-Baghdadi ontsnapte. De IS-leider weet dat hij gezocht wordt.";
    let da = link(
        a,
        &mentions(a, &[("IS-leider", Misc), ("Abu Bakr al-Baghdadi", Per)]),
    );
    assert_eq!(da.entities.len(), 1, "{:#?}", da.entities);
    assert_eq!(da.entities[0].name, "Abu Bakr al-Baghdadi");
    assert_eq!(da.entities[0].etype, Per);
    assert!(da.mentions.iter().all(|m| m.key == "abu bakr baghdadi"));
    // Without apposition a descriptor stays its own entity.
    let b = "De IS-leider zweeg. Abu Bakr al-Baghdadi sprak niet.";
    let db = link(
        b,
        &mentions(b, &[("IS-leider", Misc), ("Abu Bakr al-Baghdadi", Per)]),
    );
    assert_eq!(db.entities.len(), 2);
}

#[test]
fn odd_text_never_fails() {
    // Deterministic pseudo-random texts rich in names, brackets, hyphens and particles.
    let pieces = [
        "Al-",
        "al-",
        "(",
        ")",
        "IS",
        "-leider",
        " ",
        ", de ",
        "Baghdadi",
        "Ö",
        "U.S.",
        "’",
        "de ",
        "Van der ",
        "X",
        "\n\n",
        ".",
        "ISIS (IS)",
        "Trump",
        "-",
        "((",
        "))",
        "漢字",
        "e\u{301}",
        "el-",
        "--",
        "A.",
        " (",
        "President ",
    ];
    let mut x: u64 = 42;
    for _ in 0..150 {
        let mut text = String::new();
        for _ in 0..40 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            text.push_str(pieces[(x % pieces.len() as u64) as usize]);
        }
        let doc = crate::Document::builder(text.clone())
            .language(Some(crate::Lang::NL))
            .build();
        let a = crate::annotate(&doc);
        for m in &a.entities {
            assert!(text.get(m.span.range()).is_some_and(|s| !s.is_empty()));
        }
        let mut merger = Merger::new();
        merger.add_document(1, PubDate::Unknown, group(&text, &a.entities));
        merger.add_alias("IS", "ISIS");
        let _ = merger.find("Baghdadi");
    }
}

#[test]
fn misc_counts_half_and_descriptors_do_not_vote() {
    assert_eq!(EntityType::majority([(Misc, 2), (Per, 1)]), Some(Per));
    assert_eq!(EntityType::majority([(Misc, 3), (Per, 1)]), Some(Misc));
    assert_eq!(EntityType::majority([(Loc, 1), (Org, 1)]), Some(Org));
    assert_eq!(EntityType::majority([(Org, 1), (Loc, 1)]), Some(Loc));
    assert_eq!(EntityType::majority([(Per, 1), (Misc, 2)]), Some(Per));
    assert_eq!(EntityType::majority([(Misc, 1)]), Some(Misc));
    assert_eq!(EntityType::majority([]), None);
    // The 2018 sample article: the tagger gives the full name PER, the bare surname MISC
    // twice, and the descriptor "IS-leider" MISC three times.
    let b = "IS-leider Abu Bakr al-Baghdadi ontsnapte. De IS-leider vluchtte. al-Baghdadi \
             is niet dood, zegt de IS-leider. al-Baghdadi leeft.";
    let db = link(
        b,
        &mentions(
            b,
            &[
                ("IS-leider", Misc),
                ("Abu Bakr al-Baghdadi", Per),
                ("al-Baghdadi", Misc),
            ],
        ),
    );
    assert_eq!(db.entities.len(), 1, "{:#?}", db.entities);
    assert_eq!(db.entities[0].etype, Per);
    // Rebuilt from the stored mentions, the same type.
    let regrouped = group(b, &db.mentions);
    assert_eq!(regrouped.len(), 1);
    assert_eq!(regrouped[0].etype, Per);
    // Across documents the votes are the documents' mention counts: 6 PER ≥ 4 MISC.
    let a = "Al-Baghdadi Al-Baghdadi Al-Baghdadi Al-Baghdadi";
    let da = link(a, &mentions(a, &[("Al-Baghdadi", Misc)]));
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::Unknown, da.entities);
    let ib = m.add_document(2, PubDate::Unknown, db.entities);
    assert_eq!(ia[0], ib[0]);
    assert_eq!(m.entity(ia[0]).unwrap().etype, Per);
}

#[test]
fn a_type_cue_types_the_whole_entity_and_full_names_merge_across_types() {
    // The tagger guessed PER for an unseen shipping line; "de rederij" before one mention
    // says ORG, and every mention of the entity (its acronym too) follows.
    let a = "De Nordstern vaart voor de rederij Lindqvist Line (LL). Lindqvist Line zweeg. \
             LL ook.";
    let mut ms = mentions(a, &[("Lindqvist Line", Per), ("LL", Per)]);
    ms[0].etype = Org;
    ms[0].cued = true;
    let da = link(a, &ms);
    assert_eq!(da.entities.len(), 1, "{:#?}", da.entities);
    assert_eq!(da.entities[0].etype, Org);
    assert!(
        da.mentions.iter().all(|m| m.etype == Org),
        "{:#?}",
        da.mentions
    );
    // Without the cue, the tagger's majority stands.
    let plain = link(a, &mentions(a, &[("Lindqvist Line", Per), ("LL", Per)]));
    assert_eq!(plain.entities[0].etype, Per);
    // Across articles the same full name is one entity even where the types differ; a
    // bare name of another type stays apart (Jordan the country, Jordan the player).
    let b = "Lindqvist Line denied that. Jordan scored.";
    let db = link(b, &mentions(b, &[("Lindqvist Line", Per), ("Jordan", Per)]));
    let c = "Lindqvist Line paid. Troops left Jordan.";
    let dc = link(c, &mentions(c, &[("Lindqvist Line", Org), ("Jordan", Loc)]));
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::Unknown, da.entities);
    let ib = m.add_document(2, PubDate::Unknown, db.entities);
    let ic = m.add_document(3, PubDate::Unknown, dc.entities);
    assert_eq!(ia[0], ib[0]);
    assert_eq!(ia[0], ic[0]);
    assert_ne!(
        ib[1], ic[1],
        "a bare name of another type is another entity"
    );
    assert_eq!(m.entity(ia[0]).unwrap().etype, Org);
}

#[test]
fn names_written_word_for_word_meet_their_english_form() {
    use super::normalize::{normalize, translated_keys};
    let t = |name: &str| translated_keys(&normalize(name));
    assert_eq!(t("Grote Meer"), ["great lake"]);
    assert_eq!(t("de Rode Zee"), ["red sea"]);
    assert_eq!(t("Verenigde Staten"), ["united states"]);
    // "X van Y": also "Y X"; a compound of two listed words by its parts.
    assert_eq!(
        t("Universiteit van Amsterdam"),
        ["university of amsterdam", "amsterdam university"]
    );
    assert_eq!(
        t("Kanaalautoriteit van Kessel"),
        ["canal authority of kessel", "kessel canal authority"]
    );
    // One word, or no word with an entry: no other key.
    assert!(t("Meer").is_empty());
    assert!(t("Port Kessel").is_empty());
    // Only listed parts split a compound.
    assert_eq!(t("Kesselstad Noord"), ["kesselstad north"]);
    let a = "Het schip voer het Grote Meer op.";
    let b = "The ship sailed onto the Great Lake.";
    let da = link(a, &mentions(a, &[("Grote Meer", Loc)]));
    let db = link(b, &mentions(b, &[("Great Lake", Loc)]));
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::Unknown, da.entities.clone());
    let ib = m.add_document(2, PubDate::Unknown, db.entities.clone());
    assert_eq!(ia, ib);
    // The other order too: the English name first.
    let mut m = Merger::new();
    let ib = m.add_document(2, PubDate::Unknown, db.entities);
    let ia = m.add_document(1, PubDate::Unknown, da.entities);
    assert_eq!(ia, ib);
    // "X van Y" meets "Y X", in either order.
    let c = "De Kanaalautoriteit van Kessel zwijgt.";
    let d = "The Kessel Canal Authority is silent.";
    let dc = link(c, &mentions(c, &[("Kanaalautoriteit van Kessel", Org)]));
    let dd = link(d, &mentions(d, &[("Kessel Canal Authority", Org)]));
    let mut m = Merger::new();
    let id = m.add_document(4, PubDate::Unknown, dd.entities);
    let ic = m.add_document(3, PubDate::Unknown, dc.entities);
    assert_eq!(ic, id);
    // Never for a person: "Jan Meer" is no "Jan Lake".
    let c = "Jan Meer zwijgt.";
    let d = "Jan Lake is silent.";
    let dc = link(c, &mentions(c, &[("Jan Meer", Per)]));
    let dd = link(d, &mentions(d, &[("Jan Lake", Per)]));
    let ic = m.add_document(5, PubDate::Unknown, dc.entities);
    let id = m.add_document(6, PubDate::Unknown, dd.entities);
    assert_ne!(ic, id);
}

#[test]
fn compound_place_names_meet_their_english_form() {
    use super::normalize::place_compound_key;
    assert_eq!(
        place_compound_key("kesselkanaal").as_deref(),
        Some("kessel canal")
    );
    assert_eq!(
        place_compound_key("waddeneilanden").as_deref(),
        Some("wadden islands")
    );
    assert_eq!(
        place_compound_key("kanaal"),
        None,
        "a bare head is no compound"
    );
    assert_eq!(place_compound_key("kessel canal"), None);
    let a = "Het schip ligt dwars in het Kesselkanaal.";
    let b = "The ship ran aground in the Kessel Canal.";
    let da = link(a, &mentions(a, &[("Kesselkanaal", Loc)]));
    let db = link(b, &mentions(b, &[("Kessel Canal", Misc)]));
    let mut m = Merger::new();
    let ia = m.add_document(1, PubDate::Unknown, da.entities);
    let ib = m.add_document(2, PubDate::Unknown, db.entities);
    assert_eq!(ia, ib);
    // The other order too, and never for a person ("Vermeer" is no lake).
    let mut m = Merger::new();
    let b2 = link(b, &mentions(b, &[("Kessel Canal", Misc)]));
    let a2 = link(a, &mentions(a, &[("Kesselkanaal", Loc)]));
    let ib = m.add_document(2, PubDate::Unknown, b2.entities);
    let ia = m.add_document(1, PubDate::Unknown, a2.entities);
    assert_eq!(ia, ib);
    let c = "Vermeer zwijgt.";
    let d = "Ver Lake is still.";
    let dc = link(c, &mentions(c, &[("Vermeer", Per)]));
    let dd = link(d, &mentions(d, &[("Ver Lake", Misc)]));
    let ic = m.add_document(3, PubDate::Unknown, dc.entities);
    let id = m.add_document(4, PubDate::Unknown, dd.entities);
    assert_ne!(ic, id);
}
