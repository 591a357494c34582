//! kroniek's TimeLine system: entity-centred cross-document timelines from kroniek's own
//! analysis of the TimeML input.
//!
//! Per document: the text is rebuilt from the tokens (one sentence per paragraph) with a
//! token→byte map, annotated with `kroniek_core::annotate_with` (the DCT as publication
//! date), and every event mention (kroniek's own in Track A, the gold `EVENT`s in Track B)
//! that involves a target entity becomes a candidate with a date from the nearest time
//! expression of its sentence (else the DCT). Across documents, candidates with the same
//! lemma and date are merged onto one line, and lines are ranked by date.

use std::collections::HashMap;
use std::ops::Range;

use kroniek_core::{annotate_with, AnnotateOptions, Document, Lang, PubDate, TimexType};

use super::{Entry, Timeline, TmlDoc, NO_DATE};

/// How candidate events are chosen among those of a sentence that names the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Every event of the sentence.
    Sentence,
    /// Events within this many dependency arcs of an entity mention (needs syntax).
    Tree(usize),
}

/// What the system does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Track B: place the gold `EVENT`s of the input instead of finding events.
    pub gold_events: bool,
    /// Parse (kroniek's tagger, lemmatizer and parser): lemmas and [`Selection::Tree`].
    pub syntax: bool,
    /// Which events of an entity's sentence are taken.
    pub selection: Selection,
    /// Events with no time expression in their sentence get the DCT (else `XXXX-XX-XX`).
    pub dct_default: bool,
    /// Follow "it", "he", "the company" … at the start of a sentence to a target named in
    /// the previous sentence.
    pub pronouns: bool,
    /// An event with no time expression in its sentence takes the last one of up to this
    /// many previous sentences (news tells an event's day once, then goes on about it).
    pub carry: usize,
    /// Without a time expression, events after these cues stay undated instead of taking
    /// the DCT (bit mask): 1 a modal (`will`, `could`), 2 `to`, 4 a perfect (`has been`),
    /// 8 inside a quotation, 16 kroniek's factuality is not certain, positive and past,
    /// 32 a noun.
    pub undated_cues: u8,
    /// An event in a sentence naming no target goes to the targets of the nearest of up
    /// to this many previous sentences (0: never). Meant for Track B, where every given
    /// event is on some timeline.
    pub fallback: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            gold_events: false,
            syntax: true,
            selection: Selection::Tree(3),
            dct_default: true,
            pronouns: true,
            carry: 3,
            undated_cues: 15,
            fallback: 0,
        }
    }
}

/// One event mention placed for one or more target entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// `DOCID-SENTENCE-WORD`.
    pub mention: String,
    /// Lemma (or lower-cased word) used to merge mentions across documents.
    pub lemma: String,
    /// `YYYY-MM-DD` with `XX`, or `XXXX-XX-XX`.
    pub date: String,
    /// Indexes of the target entities involved.
    pub targets: Vec<usize>,
}

/// Alternative names of a target entity, as token sequences.
pub fn aliases(name: &str) -> Vec<Vec<String>> {
    const GENERIC: &[&str] = &[
        "Airlines",
        "Airways",
        "Corps",
        "Inc",
        "Inc.",
        "Store",
        "Company",
        "Corporation",
        "Group",
        "Force",
        "Air",
        "Computer",
    ];
    let generic = |w: &str| GENERIC.iter().any(|g| g.eq_ignore_ascii_case(w));
    let t: Vec<String> = name.split_whitespace().map(str::to_string).collect();
    let mut out = vec![t.clone()];
    let n = t.len();
    let cap = |w: &str| w.chars().next().is_some_and(|c| c.is_uppercase());
    // A model number is a distinctive name on its own: "787", "A380" (not "4").
    let model = |w: &str| w.chars().any(|c| c.is_ascii_digit()) && w.len() >= 2;
    if n >= 3 {
        let acro: String = t
            .iter()
            .filter(|w| cap(w))
            .filter_map(|w| w.chars().next())
            .collect();
        if acro.len() >= 3 {
            out.push(vec![acro]);
        }
        // "Air Force", "Apple Corps", "Eastern Airlines".
        if t[n - 2..].iter().all(|w| cap(w)) {
            out.push(t[n - 2..].to_vec());
        }
    }
    if n >= 2 {
        let rest = &t[1..];
        if rest.iter().any(|w| model(w)) || (rest.len() >= 2 && !generic(&rest[0])) {
            out.push(rest.to_vec());
        }
        for w in rest {
            if model(w) || (cap(w) && !generic(w) && w == &t[n - 1]) {
                out.push(vec![w.clone()]);
            }
        }
        // "China Eastern Airlines" → "China Eastern", "iTunes Store" → "iTunes", but not
        // "Singapore Airlines" → "Singapore" (a place).
        let odd_case = |w: &str| w.chars().skip(1).any(|c| c.is_uppercase());
        if generic(&t[n - 1]) && (n >= 3 || odd_case(&t[0])) {
            out.push(t[..n - 1].to_vec());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Token→byte map of the rebuilt text: sentence index, token index, byte range.
struct TextMap {
    text: String,
    tokens: Vec<(usize, usize, Range<usize>)>,
}

impl TextMap {
    fn new(doc: &TmlDoc) -> TextMap {
        let mut text = String::new();
        let mut tokens = Vec::new();
        for (si, s) in doc.sentences.iter().enumerate() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            for (ti, tok) in s.tokens.iter().enumerate() {
                if ti > 0 {
                    text.push(' ');
                }
                let start = text.len();
                text.push_str(tok);
                tokens.push((si, ti, start..text.len()));
            }
        }
        TextMap { text, tokens }
    }

    /// The input token at (or first after) byte `b`.
    fn locate(&self, b: usize) -> Option<(usize, usize)> {
        let i = self.tokens.partition_point(|(_, _, r)| r.end <= b);
        self.tokens.get(i).map(|(s, t, _)| (*s, *t))
    }

    fn range(&self, s: usize, t: usize) -> Option<Range<usize>> {
        let i = self
            .tokens
            .partition_point(|(si, ti, _)| (*si, *ti) < (s, t));
        self.tokens
            .get(i)
            .filter(|(si, ti, _)| (*si, *ti) == (s, t))
            .map(|(_, _, r)| r.clone())
    }
}

/// `YYYY-MM-DD` with `XX` for a TIMEX3 value or interval, when it names one calendar
/// day, month or year.
fn timex_date(value: &str, earliest: Option<String>, latest: Option<String>) -> Option<String> {
    let b = value.as_bytes();
    let digits = |r: Range<usize>| b.get(r).is_some_and(|p| p.iter().all(u8::is_ascii_digit));
    if digits(0..4) {
        if b.len() == 4 {
            return Some(format!("{value}-XX-XX"));
        }
        if b.get(4) == Some(&b'-') && digits(5..7) {
            if b.len() == 7 {
                return Some(format!("{value}-XX"));
            }
            if b.get(7) == Some(&b'-')
                && digits(8..10)
                && (b.len() == 10 || b.get(10) == Some(&b'T'))
            {
                return Some(value[..10].to_string());
            }
        }
    }
    // Weeks, quarters, seasons …: the precision their interval shares.
    let (e, l) = (earliest?, latest?);
    if e == l {
        Some(e)
    } else if e[..7] == l[..7] {
        Some(format!("{}-XX", &e[..7]))
    } else if e[..4] == l[..4] {
        Some(format!("{}-XX-XX", &e[..4]))
    } else {
        None
    }
}

fn dct_date(dct: &str) -> String {
    super::normalize_date(dct.get(..10).unwrap_or(dct))
}

const PRONOUNS_ORG: &[&str] = &["It", "it", "Its", "its"];
const PRONOUNS_PER: &[&str] = &["He", "he", "His", "his", "She", "she", "Her", "her"];
const DESCRIPTORS: &[&str] = &[
    "company",
    "firm",
    "airline",
    "carrier",
    "manufacturer",
    "planemaker",
    "aircraft",
    "plane",
    "airliner",
    "jet",
    "group",
    "maker",
    "device",
    "phone",
    "store",
    "service",
];

/// The candidates of one document for all target entities.
pub fn candidates(doc: &TmlDoc, targets: &[String], opts: &Options) -> Vec<Candidate> {
    let map = TextMap::new(doc);
    let published = PubDate::parse(doc.dct.get(..10).unwrap_or(&doc.dct)).unwrap_or_default();
    let kdoc = Document::builder(map.text.clone())
        .language(Some(Lang::EN))
        .published(published)
        .build();
    let a = annotate_with(
        &kdoc,
        &AnnotateOptions {
            syntax: opts.syntax,
            ..AnnotateOptions::default()
        },
    );
    let n_sent = doc.sentences.len();
    let dct = dct_date(&doc.dct);

    // Target mentions per input sentence: (target, token range).
    let alias_lists: Vec<Vec<Vec<String>>> = targets.iter().map(|t| aliases(t)).collect();
    let mut mentions: Vec<Vec<(usize, Range<usize>)>> = vec![Vec::new(); n_sent];
    for (si, s) in doc.sentences.iter().enumerate() {
        for (ti, al) in alias_lists.iter().enumerate() {
            for alias in al {
                let k = alias.len();
                if k == 0 || k > s.tokens.len() {
                    continue;
                }
                for start in 0..=s.tokens.len() - k {
                    if s.tokens[start..start + k] == alias[..] {
                        mentions[si].push((ti, start..start + k));
                    }
                }
            }
        }
    }
    // "Airbus" inside "Airbus A380" names the aircraft, not the company.
    for m in &mut mentions {
        let all = m.clone();
        m.retain(|(t, r)| {
            !all.iter()
                .any(|(u, q)| u != t && q.start <= r.start && r.end <= q.end && q.len() > r.len())
        });
    }
    // kroniek's within-document entity linking: every mention of a doc entity one of whose
    // mentions is a target ("Jobs" after "Steve Jobs").
    let mut key_target: HashMap<&str, usize> = HashMap::new();
    let mention_tokens = |span: kroniek_core::Span| -> Option<(usize, Range<usize>)> {
        let (s0, t0) = map.locate(span.start as usize)?;
        let (s1, t1) = map.locate(span.end.saturating_sub(1) as usize)?;
        (s0 == s1).then_some((s0, t0..t1 + 1))
    };
    for m in &a.entities {
        if let Some((si, r)) = mention_tokens(m.span) {
            if let Some(&(ti, _)) = mentions[si]
                .iter()
                .find(|(_, mr)| mr.start < r.end && r.start < mr.end)
            {
                key_target.entry(m.key.as_str()).or_insert(ti);
            }
        }
    }
    for m in &a.entities {
        if let Some(&ti) = key_target.get(m.key.as_str()) {
            if let Some((si, r)) = mention_tokens(m.span) {
                if !mentions[si]
                    .iter()
                    .any(|(t, mr)| *t == ti && mr.start < r.end && r.start < mr.end)
                {
                    mentions[si].push((ti, r));
                }
            }
        }
    }
    // Cheap anaphora: a sentence opening with a pronoun or "the <descriptor>" continues
    // the target named in the previous sentence.
    if opts.pronouns {
        for si in 1..n_sent {
            if !mentions[si].is_empty() || mentions[si - 1].is_empty() {
                continue;
            }
            let toks = &doc.sentences[si].tokens;
            let prev: Vec<usize> = {
                let mut v: Vec<usize> = mentions[si - 1].iter().map(|(t, _)| *t).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            if prev.len() != 1 {
                continue;
            }
            let target = prev[0];
            let person = alias_lists[target][0].len() == 2
                && aliases(&targets[target]).len() > 1
                && !targets[target].chars().any(|c| c.is_ascii_digit());
            let opener = toks.iter().take(4).position(|w| {
                if person {
                    PRONOUNS_PER.contains(&w.as_str())
                } else {
                    PRONOUNS_ORG.contains(&w.as_str())
                }
            });
            let descriptor = (toks.first().is_some_and(|w| w == "The"))
                .then(|| {
                    toks.iter()
                        .take(3)
                        .position(|w| DESCRIPTORS.contains(&w.as_str()))
                })
                .flatten();
            if let Some(p) = opener.or(descriptor) {
                mentions[si].push((target, p..p + 1));
            }
        }
    }

    // Time expressions per input sentence: (token position, date).
    let mut times: Vec<Vec<(usize, String)>> = vec![Vec::new(); n_sent];
    for t in &a.timexes {
        if !matches!(t.kind, TimexType::Date | TimexType::Time) {
            continue;
        }
        let date = if t.value == "PRESENT_REF" {
            Some(dct.clone())
        } else {
            timex_date(
                &t.value,
                t.earliest.map(|d| d.to_string()),
                t.latest.map(|d| d.to_string()),
            )
        };
        if let (Some(date), Some((si, ti))) = (date, map.locate(t.span.start as usize)) {
            times[si].push((ti, date));
        }
    }

    // The news event's own day: a day in the week before publication.
    let dct_key = date_key(&dct);
    let recent = |d: &str| {
        let k = date_key(d);
        k.2 > 0 && k <= dct_key && days(k) + 7 >= days(dct_key)
    };

    // Syntax per input token: kroniek token index.
    let kroniek_token = |si: usize, ti: usize| -> Option<usize> {
        let r = map.range(si, ti)?;
        let i = a
            .tokens
            .partition_point(|t| (t.span.end as usize) <= r.start);
        a.tokens
            .get(i)
            .filter(|t| (t.span.start as usize) < r.end)
            .map(|_| i)
    };
    let lemma_of = |si: usize, ti: usize, word: &str| -> String {
        kroniek_token(si, ti)
            .and_then(|k| a.syntax.as_ref().and_then(|s| s.get(k)))
            .map(|s| s.lemma.to_lowercase())
            .unwrap_or_else(|| word.to_lowercase())
    };
    let tree_distance = |x: usize, y: usize| -> Option<usize> {
        let path = |mut i: usize| {
            let mut p = vec![i];
            while let Some(h) = a.head_index(i) {
                if p.len() > 64 || p.contains(&h) {
                    break;
                }
                p.push(h);
                i = h;
            }
            p
        };
        let (px, py) = (path(x), path(y));
        px.iter()
            .enumerate()
            .find_map(|(dx, n)| py.iter().position(|m| m == n).map(|dy| dx + dy))
    };

    // Event mentions: (sentence, token range, lemma).
    let mut events: Vec<(usize, Range<usize>)> = Vec::new();
    if opts.gold_events {
        for (si, s) in doc.sentences.iter().enumerate() {
            for e in &s.events {
                events.push((si, e.tokens.clone()));
            }
        }
    } else {
        for e in &a.events {
            if let Some((si, r)) = mention_tokens(e.span) {
                events.push((si, r));
            }
        }
    }

    // kroniek's factuality of the event at a token: not certain, negated or future.
    let not_factual = |si: usize, ti: usize| -> bool {
        let Some(k) = kroniek_token(si, ti) else {
            return false;
        };
        a.events.iter().any(|e| {
            e.tokens.contains(&k)
                && (e.factuality.certainty != kroniek_core::events::Certainty::Certain
                    || e.factuality.polarity != kroniek_core::events::Polarity::Pos
                    || e.factuality.time == kroniek_core::events::EventTime::Future)
        })
    };
    let is_noun = |si: usize, ti: usize| -> bool {
        kroniek_token(si, ti)
            .and_then(|k| a.syntax.as_ref().and_then(|s| s.get(k)))
            .is_some_and(|s| s.upos == kroniek_core::syntax::Upos::NOUN)
    };

    let mut out = Vec::new();
    for (si, r) in events {
        let s = &doc.sentences[si];
        let in_sentence = &mentions[si];
        let mut involved: Vec<usize> = Vec::new();
        for (ti, mr) in in_sentence {
            let ok = match opts.selection {
                Selection::Sentence => true,
                Selection::Tree(d) => {
                    let ek = kroniek_token(si, r.start);
                    let near = mr.clone().filter_map(|t| kroniek_token(si, t)).any(|mk| {
                        ek.and_then(|ek| tree_distance(ek, mk))
                            .is_some_and(|x| x <= d)
                    });
                    // Without a parse, fall back to the whole sentence.
                    near || a.syntax.is_none()
                }
            };
            if ok && !mr.contains(&r.start) && !involved.contains(ti) {
                involved.push(*ti);
            }
        }
        if in_sentence.is_empty() {
            if let Some(p) = (si.saturating_sub(opts.fallback)..si)
                .rev()
                .find(|&p| !mentions[p].is_empty())
            {
                for (ti, _) in &mentions[p] {
                    if !involved.contains(ti) {
                        involved.push(*ti);
                    }
                }
            }
        }
        if involved.is_empty() {
            continue;
        }
        let word = s.word(r.clone());
        let date = times[si]
            .iter()
            // The most precise expression, then the nearest: "Yesterday, at this year's
            // conference, X unveiled …" is yesterday's news.
            .min_by_key(|(p, d)| (precision_rank(d), p.abs_diff(r.start)))
            .map(|(_, d)| d.clone())
            .or_else(|| {
                (si.saturating_sub(opts.carry)..si)
                    .rev()
                    .find_map(|p| times[p].iter().rev().find(|(_, d)| recent(d)))
                    .map(|(_, d)| d.clone())
            })
            .unwrap_or_else(|| {
                let undated = undated_cue(&s.tokens, r.start, opts.undated_cues)
                    || (opts.undated_cues & 16 != 0 && not_factual(si, r.start))
                    || (opts.undated_cues & 32 != 0 && is_noun(si, r.start));
                if opts.dct_default && !undated {
                    dct.clone()
                } else {
                    NO_DATE.to_string()
                }
            });
        out.push(Candidate {
            mention: format!("{}-{}-{}", doc.id, s.id, word),
            lemma: lemma_of(si, r.start, &s.tokens[r.start]),
            date,
            targets: involved,
        });
    }
    out
}

/// Whether a cue before token `i` says the event has no date of its own.
fn undated_cue(toks: &[String], i: usize, mask: u8) -> bool {
    const MODAL: &[&str] = &[
        "will", "would", "could", "may", "might", "can", "should", "must", "'ll", "shall",
    ];
    const PERFECT: &[&str] = &["has", "have", "had", "'ve"];
    const SKIP: &[&str] = &[
        "been", "not", "n't", "never", "already", "also", "be", "just",
    ];
    // The two words before the trigger, skipping adverbs and auxiliaries.
    let before: Vec<String> = toks[..i.min(toks.len())]
        .iter()
        .rev()
        .map(|w| w.to_lowercase())
        .filter(|w| !SKIP.contains(&w.as_str()))
        .take(1)
        .collect();
    let prev = before.first().map(String::as_str).unwrap_or("");
    (mask & 1 != 0 && MODAL.contains(&prev))
        || (mask & 2 != 0 && prev == "to")
        || (mask & 4 != 0 && PERFECT.contains(&prev))
        || (mask & 8 != 0
            && toks[..i.min(toks.len())]
                .iter()
                .filter(|w| matches!(w.as_str(), "\"" | "``" | "''" | "“" | "”"))
                .count()
                % 2
                == 1)
}

/// 0 for a day, 1 for a month, 2 for a year.
fn precision_rank(d: &str) -> u8 {
    if !d.ends_with("XX") {
        0
    } else if !d.ends_with("XX-XX") {
        1
    } else {
        2
    }
}

/// Days since year 0 (roughly; only differences of a few days matter).
fn days(k: (u32, u32, u32)) -> u32 {
    k.0 * 372 + k.1 * 31 + k.2
}

fn date_key(d: &str) -> (u32, u32, u32) {
    let p = |r: Range<usize>| d.get(r).and_then(|x| x.parse().ok()).unwrap_or(0);
    (p(0..4), p(5..7), p(8..10))
}

/// Builds one timeline per target from the candidates of all documents: the same lemma
/// on the same date is one event (one line); lines are ranked by date, coarser dates
/// first (`2005-XX-XX` before `2005-01-18`), undated ones at rank 0.
pub fn assemble(candidates: &[Candidate], targets: &[String]) -> Vec<Timeline> {
    targets
        .iter()
        .enumerate()
        .map(|(ti, name)| {
            let mut lines: Vec<(String, String, Vec<String>)> = Vec::new();
            for c in candidates.iter().filter(|c| c.targets.contains(&ti)) {
                let same = lines
                    .iter_mut()
                    .find(|(d, l, _)| d == &c.date && l == &c.lemma && c.date != NO_DATE);
                match same {
                    Some((_, _, ms)) => {
                        if !ms.contains(&c.mention) {
                            ms.push(c.mention.clone())
                        }
                    }
                    None => lines.push((c.date.clone(), c.lemma.clone(), vec![c.mention.clone()])),
                }
            }
            let mut dates: Vec<&str> = lines
                .iter()
                .map(|(d, _, _)| d.as_str())
                .filter(|d| *d != NO_DATE)
                .collect();
            dates.sort_by_key(|d| date_key(d));
            dates.dedup();
            let rank: HashMap<&str, u32> = dates
                .iter()
                .enumerate()
                .map(|(i, d)| (*d, i as u32 + 1))
                .collect();
            let mut entries: Vec<Entry> = lines
                .iter()
                .map(|(d, _, ms)| Entry {
                    order: rank.get(d.as_str()).copied().unwrap_or(0),
                    date: d.clone(),
                    mentions: ms.clone(),
                })
                .collect();
            entries.sort_by_key(|e| e.order);
            Timeline {
                entity: name.clone(),
                entries,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_of_targets() {
        let has = |name: &str, alias: &str| aliases(name).iter().any(|a| a.join(" ") == alias);
        assert!(has("United States Air Force", "USAF"));
        assert!(has("Boeing 787 Dreamliner", "787"));
        assert!(has("Boeing 787 Dreamliner", "Dreamliner"));
        assert!(has("Steve Jobs", "Jobs"));
        assert!(has("Airbus A380", "A380"));
        assert!(has("China Eastern Airlines", "China Eastern"));
        assert!(!has("iPhone 4", "4"));
        assert!(!has("Singapore Airlines", "Singapore"));
        assert!(!has("Singapore Airlines", "Airlines"));
    }

    #[test]
    fn timex_dates_at_their_precision() {
        assert_eq!(
            timex_date("2008", None, None).as_deref(),
            Some("2008-XX-XX")
        );
        assert_eq!(
            timex_date("2008-03", None, None).as_deref(),
            Some("2008-03-XX")
        );
        assert_eq!(
            timex_date("2008-03-01T10:00", None, None).as_deref(),
            Some("2008-03-01")
        );
        assert_eq!(
            timex_date(
                "2008-Q1",
                Some("2008-01-01".into()),
                Some("2008-03-31".into())
            )
            .as_deref(),
            Some("2008-XX-XX")
        );
        assert_eq!(timex_date("P3Y", None, None), None);
    }

    #[test]
    fn builds_a_small_timeline() {
        let xml = r#"<TimeML><DOCID>7</DOCID>
<DCT><TIMEX3 functionInDocument="CREATION_TIME" value="2008-03-01">x</TIMEX3></DCT>
<TEXT><s id="0">Acme buys Foo</s><s id="1">Acme <EVENT eid="e1">bought</EVENT> Bar in 2005 .</s><s id="2">Acme <EVENT eid="e2">sold</EVENT> Baz yesterday .</s><s id="3">The weather was <EVENT eid="e3">nice</EVENT> .</s></TEXT></TimeML>"#;
        let doc = super::super::read_timeml(xml).unwrap();
        let targets = vec!["Acme".to_string()];
        let opts = Options {
            gold_events: true,
            selection: Selection::Sentence,
            pronouns: false,
            ..Options::default()
        };
        let c = candidates(&doc, &targets, &opts);
        let t = &assemble(&c, &targets)[0];
        let lines: Vec<(u32, &str, &str)> = t
            .entries
            .iter()
            .map(|e| (e.order, e.date.as_str(), e.mentions[0].as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (1, "2005-XX-XX", "7-1-bought"),
                (2, "2008-02-29", "7-2-sold")
            ]
        );
    }
}
