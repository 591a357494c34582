//! The two sample articles in `../shared/seeds/` (read at test time, never copied here).

use kroniek_core::events::Certainty;
use kroniek_core::events::Polarity;
use kroniek_core::{annotate, Analysis, Document, Lang, PubDate};

fn seeds() -> Option<Vec<Document>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: no sample articles at {}", dir.display());
        return None;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut docs = Vec::new();
    for p in paths {
        let raw = std::fs::read_to_string(&p).ok()?;
        // Seed format: "date YYYY-MM" then the text.
        let rest = raw
            .trim_start()
            .strip_prefix("date")
            .unwrap_or(&raw)
            .trim_start();
        let (date, text) = rest.split_once(char::is_whitespace).unwrap_or(("", rest));
        docs.push(
            Document::builder(text.trim_start())
                .language(Some(Lang::NL))
                .published(PubDate::parse(date).unwrap_or(PubDate::Unknown))
                .build(),
        );
    }
    Some(docs)
}

fn find<'a>(docs: &'a [Document], needle: &str) -> Option<(&'a Document, Analysis)> {
    let doc = docs.iter().find(|d| d.text.contains(needle))?;
    Some((doc, annotate(doc)))
}

fn source_name(doc: &Document, a: &Analysis, k: Option<usize>) -> String {
    k.and_then(|k| a.attributions.get(k))
        .map(|at| doc.text[at.name.unwrap_or(at.source).range()].to_string())
        .unwrap_or_default()
}

#[test]
fn coup_attempt_is_probable_and_attributed_to_the_guardian() {
    let Some(docs) = seeds() else { return };
    let (doc, a) = find(&docs, "10 januari").expect("a seed mentions 10 januari");
    let sentence = a
        .sentences
        .iter()
        .position(|s| doc.text[s.span.range()].contains("10 januari"))
        .unwrap();
    let coup: Vec<_> = a
        .events
        .iter()
        .filter(|e| e.sentence == sentence && e.kind == "coup")
        .collect();
    assert!(
        !coup.is_empty(),
        "no coup event in the sentence of 10 januari: {:?}",
        a.events
            .iter()
            .filter(|e| e.sentence == sentence)
            .collect::<Vec<_>>()
    );
    for e in coup {
        assert_eq!(e.factuality.certainty, Certainty::Probable, "{e:?}");
        assert_eq!(source_name(doc, &a, e.source), "The Guardian");
    }
}

#[test]
fn dood_is_hij_allerminst_is_negated() {
    let Some(docs) = seeds() else { return };
    let phrase = "dood is hij allerminst";
    let (doc, a) = find(&docs, phrase).expect("a seed has the phrase");
    let start = doc.text.find(phrase).unwrap();
    let span = kroniek_core::Span::new(start, start + phrase.len());
    let inside: Vec<_> = a.events.iter().filter(|e| span.contains(e.span)).collect();
    assert!(!inside.is_empty(), "no event in {phrase:?}");
    assert!(
        inside
            .iter()
            .all(|e| e.factuality.polarity == Polarity::Neg),
        "{inside:?}"
    );
}

#[test]
fn fighters_count_is_attributed_to_the_bbc() {
    let Some(docs) = seeds() else { return };
    let (doc, a) = find(&docs, "1.500 strijders").expect("a seed has the number");
    let q = a
        .quantities
        .iter()
        .find(|q| q.value == 1500.0)
        .expect("1.500 is a quantity");
    assert_eq!(q.unit.as_deref(), Some("strijders"));
    assert_eq!(source_name(doc, &a, q.source), "BBC");
    // The source is linked to the named entity the NER layer found in it.
    let at = &a.attributions[q.source.unwrap()];
    assert_eq!(at.entity.as_deref(), Some("bbc"), "{at:?}");
}

#[test]
fn wounded_four_years_ago_is_probable() {
    let Some(docs) = seeds() else { return };
    let phrase = "Hij zou vier jaar geleden gewond geraakt zijn";
    let (doc, a) = find(&docs, phrase).expect("a seed has the phrase");
    let start = doc.text.find(phrase).unwrap();
    let span = kroniek_core::Span::new(start, start + phrase.len());
    let inside: Vec<_> = a
        .events
        .iter()
        .filter(|e| span.contains(e.span) && doc.text[e.span.range()].contains("gewond"))
        .collect();
    assert!(
        !inside.is_empty(),
        "no event 'gewond' in {phrase:?}: {:?}",
        a.events
    );
    for e in inside {
        assert_eq!(e.factuality.certainty, Certainty::Probable, "{e:?}");
    }
}
