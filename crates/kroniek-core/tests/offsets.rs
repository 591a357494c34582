//! Offset invariants over many generated texts: every annotation and token span lies on
//! character boundaries inside the text, is non-empty, and sentences cover their tokens.

use kroniek_core::{annotate, Document, PubDate};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "Syrië",
    "zo’n",
    "1.500",
    "14,5",
    "dhr.",
    "U.S.",
    "o.a.",
    "«",
    "»",
    "„",
    "”",
    "...",
    "—",
    "\n",
    "\n\n",
    " ",
    "  ",
    "\t",
    "東京",
    "🙂",
    "e\u{301}",
    "\u{feff}",
    "\u{0}",
    "'s",
    "vier jaar geleden",
    "Mr.",
    "A.",
    "?",
    "!",
    ".",
    ",",
    "(",
    ")",
    "De",
    "the",
    "Al-Baghdadi",
    "10:30",
    "2019-02-10",
    "%",
    "$",
    "\u{00ad}",
    "\r\n",
    "ÇA",
    "ß",
];

#[test]
fn spans_are_valid_for_generated_texts() {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for round in 0..400 {
        let n = (rng.next() % 60) as usize;
        let text: String = (0..n)
            .map(|_| rng.pick(PIECES))
            .collect::<Vec<_>>()
            .join(if round % 3 == 0 { "" } else { " " });
        let doc = Document::builder(text.clone())
            .published(PubDate::parse("2019-02").unwrap())
            .build();
        let a = annotate(&doc);
        for t in &a.tokens {
            let s = text
                .get(t.span.range())
                .unwrap_or_else(|| panic!("token {:?} off char boundary in {text:?}", t.span));
            assert!(!s.is_empty());
        }
        for ann in a.annotations() {
            let s = text.get(ann.span.range()).unwrap_or_else(|| {
                panic!("{} {:?} off char boundary in {text:?}", ann.layer, ann.span)
            });
            assert!(
                !s.is_empty(),
                "{} annotation is empty in {text:?}",
                ann.layer
            );
        }
        let mut covered = 0;
        for s in &a.sentences {
            assert_eq!(
                s.tokens.start, covered,
                "sentences are contiguous in {text:?}"
            );
            covered = s.tokens.end;
            assert!(
                s.span.contains(a.tokens[s.tokens.start].span)
                    && s.span.contains(a.tokens[s.tokens.end - 1].span)
            );
        }
        assert_eq!(
            covered,
            a.tokens.len(),
            "sentences cover all tokens in {text:?}"
        );
    }
}
