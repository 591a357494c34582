//! MEANTIME event mentions and factuality: gold readers and the scorer.
//!
//! Readers: the Dutch CLIN26 `factuality` columns and the `factuality_conll` columns, the
//! English CAT XML, and TimeML (`.tml`, training only). Every gold document becomes
//! sentences of tokens plus event mentions as contiguous token ranges; a discontinuous
//! mention keeps its first contiguous part, as the reference scorer (`events_score.py`)
//! does. The scorer counts exact-span matches, then certainty, polarity and time accuracy
//! on matched events, and F1 over non-CERTAIN events (a predicted non-CERTAIN event is
//! correct when it matches a gold event with the same certainty).

use std::fmt;
use std::ops::Range;

use quick_xml::events::Event;
use quick_xml::Reader;

/// One gold or predicted event mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSpan {
    /// Token range, over the document's tokens (all sentences in order).
    pub tokens: Range<usize>,
    /// `CERTAIN`, `PROBABLE`, `POSSIBLE`, `UNDERSPECIFIED`, or `_` when unannotated.
    pub certainty: String,
    /// `POS`, `NEG` or `_`.
    pub polarity: String,
    /// `NON_FUTURE`, `FUTURE`, `UNDERSPECIFIED` or `_`.
    pub time: String,
}

/// A gold document.
#[derive(Debug, Clone, Default)]
pub struct GoldDoc {
    /// File name without folders.
    pub name: String,
    /// Sentences of tokens.
    pub sentences: Vec<Vec<String>>,
    /// Gold event mentions.
    pub events: Vec<EventSpan>,
    /// Number of leading sentences whose annotation is complete (the scored window).
    pub window: usize,
}

impl GoldDoc {
    /// Token offset of each sentence's first token.
    pub fn offsets(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.sentences.len());
        let mut n = 0;
        for s in &self.sentences {
            out.push(n);
            n += s.len();
        }
        out
    }

    /// Number of tokens in the scored window.
    pub fn window_tokens(&self) -> usize {
        self.sentences.iter().take(self.window).map(Vec::len).sum()
    }
}

fn strip_bio(s: &str) -> &str {
    s.strip_prefix("B-")
        .or_else(|| s.strip_prefix("I-"))
        .unwrap_or(s)
}

/// MEANTIME annotated events in a document's first six sentences: the title, the date
/// line and the first four body sentences.
pub const ANNOTATED_SENTENCES: usize = 6;

/// Reads a CLIN26 `factuality` file: `tok token EVENT CERTAINTY POLARITY`. The window is
/// the whole file (CLIN26 files hold only the annotated window).
pub fn read_clin26(name: &str, text: &str) -> GoldDoc {
    read_columns(name, text, false)
}

/// Reads a `factuality_conll` file: `tok token B-E-<id> B-<CERT>-<id> B-<POL>-<id>
/// B-<TIME>-<id>`. The window ends with the last sentence that holds a gold event.
pub fn read_factuality_conll(name: &str, text: &str) -> GoldDoc {
    read_columns(name, text, true)
}

fn read_columns(name: &str, text: &str, with_ids: bool) -> GoldDoc {
    let mut doc = GoldDoc {
        name: name.to_string(),
        ..GoldDoc::default()
    };
    let mut cur: Vec<String> = Vec::new();
    let mut n = 0usize;
    let mut open: Option<EventSpan> = None;
    let mut last_event_sentence = 0;
    let strip_id = |s: &str| -> String {
        let s = strip_bio(s);
        if with_ids {
            match s.rsplit_once('-') {
                Some((a, b)) if b.bytes().all(|c| c.is_ascii_digit()) => a.to_string(),
                _ => s.to_string(),
            }
        } else {
            s.to_string()
        }
    };
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !cur.is_empty() {
                doc.sentences.push(std::mem::take(&mut cur));
            }
            if let Some(e) = open.take() {
                doc.events.push(e);
            }
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let token = cols.get(1).copied().unwrap_or("").to_string();
        let ev = cols.get(2).copied().unwrap_or("_");
        if ev.starts_with("B-") {
            if let Some(e) = open.take() {
                doc.events.push(e);
            }
            last_event_sentence = doc.sentences.len();
            open = Some(EventSpan {
                tokens: n..n + 1,
                certainty: strip_id(cols.get(3).copied().unwrap_or("_")),
                polarity: strip_id(cols.get(4).copied().unwrap_or("_")),
                time: if with_ids {
                    strip_id(cols.get(5).copied().unwrap_or("_"))
                } else {
                    "_".to_string()
                },
            });
        } else if ev.starts_with("I-") && open.is_some() {
            if let Some(e) = open.as_mut() {
                e.tokens.end = n + 1;
            }
        } else if let Some(e) = open.take() {
            doc.events.push(e);
        }
        cur.push(token);
        n += 1;
    }
    if !cur.is_empty() {
        doc.sentences.push(cur);
    }
    if let Some(e) = open.take() {
        doc.events.push(e);
    }
    doc.window = if with_ids {
        if doc.events.is_empty() {
            0
        } else {
            last_event_sentence + 1
        }
    } else {
        doc.sentences.len()
    };
    doc
}

fn attr(e: &quick_xml::events::BytesStart, key: &str) -> String {
    e.try_get_attribute(key)
        .ok()
        .flatten()
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
        .unwrap_or_default()
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix('x') {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// Reads a MEANTIME CAT XML document. The window is sentences 0–5 (title, date line and
/// the first four body sentences), where MEANTIME annotated events and factuality.
pub fn read_cat_xml(name: &str, xml: &str) -> Result<GoldDoc, String> {
    let mut reader = Reader::from_str(xml);
    let mut tokens: Vec<(String, usize, usize)> = Vec::new(); // (text, sentence, t_id)
    let mut in_token: Option<(usize, usize)> = None;
    let mut text = String::new();
    let mut mention: Option<(String, String, String, Vec<usize>)> = None;
    let mut mentions = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                "token" => {
                    let s = attr(&e, "sentence").parse().unwrap_or(0);
                    let t = attr(&e, "t_id").parse().unwrap_or(0);
                    in_token = Some((s, t));
                    text.clear();
                }
                "EVENT_MENTION" => {
                    mention = Some((
                        attr(&e, "certainty"),
                        attr(&e, "polarity"),
                        attr(&e, "time"),
                        Vec::new(),
                    ));
                }
                _ => {}
            },
            Ok(Event::Empty(e)) if e.name().as_ref() == "token_anchor" => {
                if let (Some(m), Ok(t)) = (mention.as_mut(), attr(&e, "t_id").parse()) {
                    m.3.push(t);
                }
            }
            Ok(Event::Text(t)) if in_token.is_some() => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_token.is_some() => {
                if let Some(c) = entity(&r) {
                    text.push(c);
                }
            }
            Ok(Event::End(e)) => match e.name().as_ref() {
                "token" => {
                    if let Some((s, t)) = in_token.take() {
                        tokens.push((text.trim().to_string(), s, t));
                    }
                }
                "EVENT_MENTION" => {
                    if let Some(m) = mention.take() {
                        mentions.push(m);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("{name}: {e}")),
            _ => {}
        }
    }
    let mut doc = GoldDoc {
        name: name.to_string(),
        window: ANNOTATED_SENTENCES,
        ..GoldDoc::default()
    };
    let mut index_of = std::collections::HashMap::new();
    for (i, (tok, s, t)) in tokens.iter().enumerate() {
        while doc.sentences.len() <= *s {
            doc.sentences.push(Vec::new());
        }
        doc.sentences[*s].push(tok.clone());
        index_of.insert(*t, i);
    }
    doc.sentences.retain(|s| !s.is_empty());
    let window_tokens = doc.window_tokens();
    for (c, p, t, anchors) in mentions {
        let mut idx: Vec<usize> = anchors
            .iter()
            .filter_map(|a| index_of.get(a).copied())
            .collect();
        idx.sort_unstable();
        let Some(&first) = idx.first() else { continue };
        if first >= window_tokens {
            continue;
        }
        let mut end = first + 1;
        while idx.contains(&end) {
            end += 1;
        }
        let or_ = |s: String| if s.is_empty() { "_".to_string() } else { s };
        doc.events.push(EventSpan {
            tokens: first..end,
            certainty: or_(c),
            polarity: or_(p),
            time: or_(t),
        });
    }
    doc.events.sort_by_key(|e| (e.tokens.start, e.tokens.end));
    doc.events.dedup_by(|a, b| a.tokens == b.tokens);
    Ok(doc)
}

/// Reads a TimeML document: the text of `<TEXT>` with tags removed, and the byte ranges of
/// its `<EVENT>` elements in that text.
pub fn read_timeml(name: &str, xml: &str) -> Result<(String, Vec<Range<usize>>), String> {
    let mut reader = Reader::from_str(xml);
    let mut in_text = false;
    let mut text = String::new();
    let mut events = Vec::new();
    let mut event_start: Option<usize> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                "TEXT" => in_text = true,
                "EVENT" if in_text => event_start = Some(text.len()),
                _ => {}
            },
            Ok(Event::End(e)) => match e.name().as_ref() {
                "TEXT" => in_text = false,
                "EVENT" => {
                    if let Some(s) = event_start.take() {
                        events.push(s..text.len());
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => {
                if let Some(c) = entity(&r) {
                    text.push(c);
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("{name}: {e}")),
            _ => {}
        }
    }
    Ok((text, events))
}

/// Running totals of the event scorer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    /// Gold events in the window.
    pub gold: usize,
    /// Predicted events in the window.
    pub pred: usize,
    /// Exact-span matches.
    pub matched: usize,
    /// Matches whose gold certainty is annotated (not `_`): accuracy is over these, as
    /// for time; a missing gold value cannot be agreed with.
    pub certainty_total: usize,
    /// … with the same certainty.
    pub certainty_ok: usize,
    /// … whose gold certainty is CERTAIN (the majority baseline).
    pub certainty_certain: usize,
    /// Matches whose gold polarity is annotated.
    pub polarity_total: usize,
    /// … with the same polarity.
    pub polarity_ok: usize,
    /// … whose gold polarity is POS (the majority baseline).
    pub polarity_pos: usize,
    /// Matches whose gold time is annotated.
    pub time_total: usize,
    /// … and the same time.
    pub time_ok: usize,
    /// Gold non-CERTAIN events (annotated).
    pub nc_gold: usize,
    /// Predicted non-CERTAIN events.
    pub nc_pred: usize,
    /// Matched non-CERTAIN events with the same certainty.
    pub nc_ok: usize,
}

/// Whether a gold attribute carries a value (MEANTIME leaves a few events without).
fn annotated(value: &str) -> bool {
    !value.is_empty() && value != "_"
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Scores {
    /// Adds one document: predictions are restricted to the gold window.
    pub fn add(&mut self, gold: &GoldDoc, pred: &[EventSpan]) {
        let limit = gold.window_tokens();
        let pred: Vec<&EventSpan> = pred.iter().filter(|p| p.tokens.start < limit).collect();
        self.gold += gold.events.len();
        self.pred += pred.len();
        let non_certain = |c: &str| c != "CERTAIN" && c != "_";
        self.nc_gold += gold
            .events
            .iter()
            .filter(|e| non_certain(&e.certainty))
            .count();
        self.nc_pred += pred.iter().filter(|e| non_certain(&e.certainty)).count();
        for g in &gold.events {
            let Some(p) = pred.iter().find(|p| p.tokens == g.tokens) else {
                continue;
            };
            self.matched += 1;
            if annotated(&g.certainty) {
                self.certainty_total += 1;
                self.certainty_ok += usize::from(g.certainty == p.certainty);
                self.certainty_certain += usize::from(g.certainty == "CERTAIN");
            }
            if annotated(&g.polarity) {
                self.polarity_total += 1;
                self.polarity_ok += usize::from(g.polarity == p.polarity);
                self.polarity_pos += usize::from(g.polarity == "POS");
            }
            if annotated(&g.time) {
                self.time_total += 1;
                self.time_ok += usize::from(g.time == p.time);
            }
            self.nc_ok += usize::from(non_certain(&g.certainty) && g.certainty == p.certainty);
        }
    }

    /// Event mention precision, recall, F1.
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = ratio(self.matched, self.pred);
        let r = ratio(self.matched, self.gold);
        (p, r, f1(p, r))
    }

    /// F1 on non-CERTAIN events.
    pub fn non_certain_f1(&self) -> f64 {
        f1(
            ratio(self.nc_ok, self.nc_pred),
            ratio(self.nc_ok, self.nc_gold),
        )
    }
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (p, r, f1v) = self.prf();
        write!(
            f,
            "events P={p:.3} R={r:.3} F1={f1v:.3} (gold {}, pred {}, matched {}); certainty acc={:.3} (all-CERTAIN {:.3}; on {} matches with a gold certainty; {:.3} over all matches, as events_score.py counts); polarity acc={:.3} (all-POS {:.3}; on {} with a gold polarity; {:.3} over all); time acc={}; non-certain F1={:.3} (gold {}, pred {}, correct {})",
            self.gold,
            self.pred,
            self.matched,
            ratio(self.certainty_ok, self.certainty_total),
            ratio(self.certainty_certain, self.certainty_total),
            self.certainty_total,
            ratio(self.certainty_ok, self.matched),
            ratio(self.polarity_ok, self.polarity_total),
            ratio(self.polarity_pos, self.polarity_total),
            self.polarity_total,
            ratio(self.polarity_ok, self.matched),
            if self.time_total == 0 { "n/a".to_string() } else { format!("{:.3}", ratio(self.time_ok, self.time_total)) },
            self.non_certain_f1(),
            self.nc_gold,
            self.nc_pred,
            self.nc_ok,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clin26_columns_and_scoring() {
        let gold = "1\tApple\t_\t_\t_\n2\tkondigt\tB-E\tB-CERTAIN\tB-POS\n3\tupdate\t_\t_\t_\n4\taan\tI-E\tI-CERTAIN\tI-POS\n\n5\tHet\t_\t_\t_\n6\tmislukte\tB-E\tB-PROBABLE\tB-NEG\n";
        let doc = read_clin26("x", gold);
        assert_eq!(doc.sentences.len(), 2);
        assert_eq!(doc.events.len(), 2);
        assert_eq!(doc.events[0].tokens, 1..2, "discontinuous part dropped");
        assert_eq!(doc.events[1].certainty, "PROBABLE");
        let mut s = Scores::default();
        let pred = vec![
            EventSpan {
                tokens: 1..2,
                certainty: "CERTAIN".into(),
                polarity: "POS".into(),
                time: "NON_FUTURE".into(),
            },
            EventSpan {
                tokens: 5..6,
                certainty: "PROBABLE".into(),
                polarity: "POS".into(),
                time: "NON_FUTURE".into(),
            },
            EventSpan {
                tokens: 2..3,
                certainty: "CERTAIN".into(),
                polarity: "POS".into(),
                time: "NON_FUTURE".into(),
            },
        ];
        s.add(&doc, &pred);
        assert_eq!((s.gold, s.pred, s.matched), (2, 3, 2));
        assert_eq!((s.certainty_ok, s.polarity_ok), (2, 1));
        assert!((s.non_certain_f1() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn gold_events_without_attributes_are_left_out_of_attribute_accuracy() {
        let gold = "1\tA\tB-E\tB-CERTAIN\tB-NEG\n2\tb\tB-E\t_\t_\n";
        let doc = read_clin26("x", gold);
        assert_eq!(doc.events.len(), 2);
        let span = |t: std::ops::Range<usize>, pol: &str| EventSpan {
            tokens: t,
            certainty: "CERTAIN".into(),
            polarity: pol.into(),
            time: "NON_FUTURE".into(),
        };
        let mut s = Scores::default();
        s.add(&doc, &[span(0..1, "NEG"), span(1..2, "POS")]);
        assert_eq!(s.matched, 2);
        assert_eq!((s.polarity_total, s.polarity_ok, s.polarity_pos), (1, 1, 0));
        assert_eq!((s.certainty_total, s.certainty_ok), (1, 1));
        assert!(s.to_string().contains("polarity acc=1.000"), "{s}");
    }

    #[test]
    fn factuality_conll_ids_and_window() {
        let gold = "1\tA\tB-E-3\tB-CERTAIN-3\tB-POS-3\tB-FUTURE-3\n2\tb\tI-E-3\tI-CERTAIN-3\tI-POS-3\tI-FUTURE-3\n\n3\tc\t_\t_\t_\t_\n";
        let doc = read_factuality_conll("y", gold);
        assert_eq!(doc.events[0].tokens, 0..2);
        assert_eq!(doc.events[0].time, "FUTURE");
        assert_eq!(doc.window, 1);
    }

    #[test]
    fn cat_xml_and_timeml() {
        let xml = r#"<Document doc_name="d"><token t_id="1" sentence="0" number="0">Apple</token><token t_id="2" sentence="0" number="1">sues</token><token t_id="3" sentence="1" number="2">A&amp;B</token>
<Markables><EVENT_MENTION m_id="5" certainty="POSSIBLE" polarity="POS" time="FUTURE"><token_anchor t_id="2"/></EVENT_MENTION></Markables></Document>"#;
        let doc = read_cat_xml("d", xml).unwrap();
        assert_eq!(
            doc.sentences,
            vec![vec!["Apple".to_string(), "sues".into()], vec!["A&B".into()]]
        );
        assert_eq!(doc.events[0].tokens, 1..2);
        assert_eq!(doc.events[0].certainty, "POSSIBLE");
        let tml = r#"<TimeML><DCT>x</DCT><TEXT>It is <EVENT eid="e1">turning</EVENT> out &amp; <EVENT eid="e2">fell</EVENT>.</TEXT></TimeML>"#;
        let (text, evs) = read_timeml("t", tml).unwrap();
        assert_eq!(text, "It is turning out & fell.");
        assert_eq!(&text[evs[0].clone()], "turning");
        assert_eq!(&text[evs[1].clone()], "fell");
    }
}
