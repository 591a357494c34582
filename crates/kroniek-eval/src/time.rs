//! Time-expression evaluation: readers for TimeML (`.tml`, TempEval-3), MEANTIME CAT XML
//! and the projected Dutch MEANTIME set, and TempEval-3 style scorers.
//!
//! All offsets here are in characters (Unicode scalar values) of the document text, as
//! in `kroniek time --jsonl`.

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::Reader;

/// A gold or system time expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimexSpan {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// Surface text.
    pub text: String,
    /// TIMEX3 type.
    pub kind: String,
    /// TIMEX3 value.
    pub value: String,
    /// Left out of scoring together with any system timex overlapping it (the dateline
    /// of a MEANTIME document, which is the creation time, an input).
    pub optional: bool,
}

/// A gold document: text, creation time and time expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldDoc {
    /// Document id (file name without extension).
    pub id: String,
    /// Creation time as `YYYY-MM-DD` (or coarser).
    pub dct: String,
    /// Language code, when the source says.
    pub lang: Option<String>,
    /// The text the offsets count in.
    pub text: String,
    /// Gold time expressions.
    pub timexes: Vec<TimexSpan>,
}

fn attrs(e: &quick_xml::events::BytesStart<'_>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for a in e.attributes().flatten() {
        let key: &str = a.key.as_ref();
        if let Ok(v) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            out.insert(key.to_string(), v.into_owned());
        }
    }
    out
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Normalises a creation-time value to `YYYY-MM-DD` (`19980108` and `1998-01-08T..` too).
pub fn norm_dct(v: &str) -> Option<String> {
    let v = v.trim();
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
    {
        return Some(v[..10].to_string());
    }
    if digits(0..8) && b.get(8).is_none_or(|c| !c.is_ascii_digit()) {
        return Some(format!("{}-{}-{}", &v[0..4], &v[4..6], &v[6..8]));
    }
    if digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.len() == 7 {
        return Some(v.to_string());
    }
    None
}

/// Reads a TimeML document: the text is the content of `<TEXT>` with tags removed.
pub fn read_tml(id: &str, xml: &str) -> Result<GoldDoc, String> {
    let mut reader = Reader::from_str(xml);
    let mut dct: Option<String> = None;
    let mut in_text = 0usize;
    let mut text = String::new();
    let mut chars = 0usize;
    let mut open: Vec<(usize, HashMap<String, String>)> = Vec::new();
    let mut timexes = Vec::new();
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("{id}: XML error at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Event::Start(e) => {
                let qname = e.name();
                let name: &str = qname.as_ref();
                match name {
                    "TEXT" => in_text += 1,
                    "TIMEX3" => {
                        let a = attrs(&e);
                        if a.get("functionInDocument").map(String::as_str) == Some("CREATION_TIME")
                            && dct.is_none()
                        {
                            dct = a.get("value").cloned();
                        }
                        if in_text > 0 {
                            open.push((chars, a));
                        }
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let qname = e.name();
                let name: &str = qname.as_ref();
                if name == "TIMEX3" {
                    let a = attrs(&e);
                    if a.get("functionInDocument").map(String::as_str) == Some("CREATION_TIME")
                        && dct.is_none()
                    {
                        dct = a.get("value").cloned();
                    }
                }
            }
            Event::End(e) => {
                let qname = e.name();
                let name: &str = qname.as_ref();
                match name {
                    "TEXT" => in_text = in_text.saturating_sub(1),
                    "TIMEX3" if in_text > 0 => {
                        if let Some((start, a)) = open.pop() {
                            timexes.push((start, chars, a));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text > 0 => {
                let s = t.xml10_content();
                chars += s.chars().count();
                text.push_str(&s);
            }
            Event::CData(t) if in_text > 0 => {
                let s = t.xml10_content();
                chars += s.chars().count();
                text.push_str(&s);
            }
            Event::GeneralRef(r) if in_text > 0 => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    entity(r.as_ref())
                };
                if let Some(c) = c {
                    chars += 1;
                    text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let dct = dct
        .as_deref()
        .and_then(norm_dct)
        .ok_or_else(|| format!("{id}: no usable creation time"))?;
    let timexes = finish(&text, timexes);
    Ok(GoldDoc {
        id: id.to_string(),
        dct,
        lang: Some("en".into()),
        text,
        timexes,
    })
}

fn finish(text: &str, mut raw: Vec<(usize, usize, HashMap<String, String>)>) -> Vec<TimexSpan> {
    raw.sort_by_key(|(s, e, _)| (*s, *e));
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    raw.into_iter()
        .filter(|(s, e, _)| s < e && *e < offsets.len())
        .map(|(s, e, a)| TimexSpan {
            start: s,
            end: e,
            text: text[offsets[s]..offsets[e]].to_string(),
            kind: a.get("type").cloned().unwrap_or_default(),
            value: a.get("value").cloned().unwrap_or_default(),
            optional: a.contains_key("optional"),
        })
        .collect()
}

const NO_SPACE_BEFORE: &[&str] = &[
    ",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "\u{201d}", "\u{2019}", "\u{bb}", "'s", "n't",
];
const NO_SPACE_AFTER: &[&str] = &["(", "[", "{", "\u{201c}", "\u{2018}", "\u{ab}"];

/// Reads a MEANTIME CAT XML document. Only sentences below `max_sentences` are kept (the
/// annotated window is sentences 0–5). Tokens are joined with a space, without one
/// before closing punctuation, and with a newline between sentences.
pub fn read_cat(id: &str, xml: &str, max_sentences: usize) -> Result<GoldDoc, String> {
    let mut reader = Reader::from_str(xml);
    let mut lang = None;
    let mut text = String::new();
    let mut chars = 0usize;
    let mut pos: HashMap<String, (usize, usize, usize)> = HashMap::new();
    let mut cur_tok: Option<(String, usize)> = None;
    let mut tok_text = String::new();
    let mut prev: Option<(usize, String)> = None;
    // TIMEX3 markables: attributes and anchored token ids.
    let mut timex_marks: Vec<(HashMap<String, String>, Vec<String>)> = Vec::new();
    let mut in_timex = false;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("{id}: XML error at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Event::Start(e) => {
                let qname = e.name();
                let name: &str = qname.as_ref();
                match name {
                    "Document" => lang = attrs(&e).get("lang").cloned(),
                    "token" => {
                        let a = attrs(&e);
                        let sent = a
                            .get("sentence")
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(0usize);
                        cur_tok = Some((a.get("t_id").cloned().unwrap_or_default(), sent));
                        tok_text.clear();
                    }
                    "TIMEX3" => {
                        in_timex = true;
                        timex_marks.push((attrs(&e), Vec::new()));
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let qname = e.name();
                let name: &str = qname.as_ref();
                match name {
                    "token_anchor" if in_timex => {
                        if let (Some(t), Some(last)) =
                            (attrs(&e).get("t_id").cloned(), timex_marks.last_mut())
                        {
                            last.1.push(t);
                        }
                    }
                    "TIMEX3" => timex_marks.push((attrs(&e), Vec::new())),
                    _ => {}
                }
            }
            Event::Text(t) if cur_tok.is_some() => tok_text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if cur_tok.is_some() => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    entity(r.as_ref())
                };
                if let Some(c) = c {
                    tok_text.push(c);
                }
            }
            Event::End(e) => {
                let qname = e.name();
                let name: &str = qname.as_ref();
                match name {
                    "token" => {
                        if let Some((tid, sent)) = cur_tok.take() {
                            if sent < max_sentences {
                                if let Some((psent, ptok)) = &prev {
                                    let sep = if *psent != sent {
                                        "\n"
                                    } else if NO_SPACE_BEFORE.contains(&tok_text.as_str())
                                        || NO_SPACE_AFTER.contains(&ptok.as_str())
                                    {
                                        ""
                                    } else {
                                        " "
                                    };
                                    text.push_str(sep);
                                    chars += sep.len();
                                }
                                let n = tok_text.chars().count();
                                pos.insert(tid, (chars, chars + n, sent));
                                text.push_str(&tok_text);
                                chars += n;
                                prev = Some((sent, tok_text.clone()));
                            }
                        }
                    }
                    "TIMEX3" => in_timex = false,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut dct = None;
    let mut fallback = None;
    let mut raw = Vec::new();
    for (mut a, anchors) in timex_marks {
        let spans: Vec<(usize, usize, usize)> =
            anchors.iter().filter_map(|t| pos.get(t).copied()).collect();
        if a.get("functionInDocument").map(String::as_str) == Some("CREATION_TIME") {
            dct = dct.or_else(|| a.get("value").cloned());
            a.insert("optional".into(), "1".into());
        } else if spans.iter().any(|s| s.2 == 1) && fallback.is_none() {
            // Known source errors: a dateline TIMEX3 not marked as creation time.
            fallback = a.get("value").cloned();
            a.insert("optional".into(), "1".into());
        }
        if let (Some(s), Some(e)) = (
            spans.iter().map(|s| s.0).min(),
            spans.iter().map(|s| s.1).max(),
        ) {
            raw.push((s, e, a));
        }
    }
    let dct = dct
        .or(fallback)
        .as_deref()
        .and_then(norm_dct)
        .ok_or_else(|| format!("{id}: no usable creation time"))?;
    let timexes = finish(&text, raw);
    Ok(GoldDoc {
        id: id.to_string(),
        dct,
        lang,
        text,
        timexes,
    })
}

/// Strict, relaxed and attribute scores with TempEval-3's definitions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeScores {
    /// Documents scored.
    pub docs: usize,
    /// Gold time expressions (optional ones left out).
    pub gold: usize,
    /// System time expressions (those overlapping optional gold left out).
    pub system: usize,
    /// Exact extent matches.
    pub strict: usize,
    /// One-to-one overlap matches.
    pub relaxed: usize,
    /// Relaxed matches with the right value.
    pub value: usize,
    /// Relaxed matches with the right type.
    pub kind: usize,
}

/// Precision, recall and F1 of `tp` given the system and gold counts.
pub fn prf(tp: usize, system: usize, gold: usize) -> (f64, f64, f64) {
    let p = if system > 0 {
        tp as f64 / system as f64
    } else {
        0.0
    };
    let r = if gold > 0 {
        tp as f64 / gold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// One error, for `--errors`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeError {
    /// Document id.
    pub doc: String,
    /// `missed`, `spurious`, `value`, `type` or `extent`.
    pub kind: &'static str,
    /// The gold timex, if any.
    pub gold: Option<TimexSpan>,
    /// The system timex, if any.
    pub system: Option<TimexSpan>,
}

fn overlap(a: &TimexSpan, b: &TimexSpan) -> isize {
    a.end.min(b.end) as isize - a.start.max(b.start) as isize
}

fn norm(v: &str) -> String {
    v.trim().to_uppercase()
}

/// Scores one document's system timexes against gold, adding to `scores` and `errors`.
///
/// Relaxed matching pairs gold and system one-to-one, greedily by largest overlap (then
/// by smallest offset distance), as the reference scorer `score_timex.py` does.
pub fn score_doc(
    id: &str,
    gold: &[TimexSpan],
    system: &[TimexSpan],
    scores: &mut TimeScores,
    errors: &mut Vec<TimeError>,
) {
    let optional: Vec<&TimexSpan> = gold.iter().filter(|g| g.optional).collect();
    let gold: Vec<&TimexSpan> = gold.iter().filter(|g| !g.optional).collect();
    let system: Vec<&TimexSpan> = system
        .iter()
        .filter(|s| !optional.iter().any(|o| overlap(o, s) > 0))
        .collect();
    scores.docs += 1;
    scores.gold += gold.len();
    scores.system += system.len();
    let mut sys_spans: Vec<(usize, usize)> = system.iter().map(|s| (s.start, s.end)).collect();
    sys_spans.sort_unstable();
    sys_spans.dedup();
    scores.strict += sys_spans
        .iter()
        .filter(|(s, e)| gold.iter().any(|g| g.start == *s && g.end == *e))
        .count();
    let mut cands = Vec::new();
    for (i, g) in gold.iter().enumerate() {
        for (j, s) in system.iter().enumerate() {
            let ov = overlap(g, s);
            if ov > 0 {
                let dist = g.start.abs_diff(s.start) + g.end.abs_diff(s.end);
                cands.push((-ov, dist, i, j));
            }
        }
    }
    cands.sort_unstable();
    let mut used_g = vec![false; gold.len()];
    let mut used_s = vec![false; system.len()];
    for (_, _, i, j) in cands {
        if used_g[i] || used_s[j] {
            continue;
        }
        used_g[i] = true;
        used_s[j] = true;
        scores.relaxed += 1;
        let (g, s) = (gold[i], system[j]);
        let v_ok = norm(&g.value) == norm(&s.value);
        let t_ok = norm(&g.kind) == norm(&s.kind);
        scores.value += v_ok as usize;
        scores.kind += t_ok as usize;
        let kind = if !v_ok {
            "value"
        } else if !t_ok {
            "type"
        } else if (g.start, g.end) != (s.start, s.end) {
            "extent"
        } else {
            continue;
        };
        errors.push(TimeError {
            doc: id.to_string(),
            kind,
            gold: Some(g.clone()),
            system: Some(s.clone()),
        });
    }
    for (i, g) in gold.iter().enumerate() {
        if !used_g[i] {
            errors.push(TimeError {
                doc: id.to_string(),
                kind: "missed",
                gold: Some((*g).clone()),
                system: None,
            });
        }
    }
    for (j, s) in system.iter().enumerate() {
        if !used_s[j] {
            errors.push(TimeError {
                doc: id.to_string(),
                kind: "spurious",
                gold: None,
                system: Some((*s).clone()),
            });
        }
    }
}

/// One scored sentence of the projected Dutch MEANTIME set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceGold {
    /// Document id.
    pub id: String,
    /// Sentence start (characters).
    pub start: usize,
    /// Sentence end (characters).
    pub end: usize,
    /// Gold (type, value) pairs.
    pub timexes: Vec<(String, String)>,
}

/// Per-sentence multiset scores of (type, value): true positives, false positives, false
/// negatives, and value-only hits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentenceScores {
    /// (type, value) pairs found that are in gold.
    pub tp: usize,
    /// Found pairs not in gold.
    pub fp: usize,
    /// Gold pairs not found.
    pub fn_: usize,
    /// Values found that are in gold, whatever the type.
    pub value_hits: usize,
}

/// Scores system (type, value, start) triples per gold sentence, as
/// `meantime_nl_timex.py score` does: a system timex belongs to the sentence its start
/// falls in.
pub fn score_sentences(
    gold: &[SentenceGold],
    system: &HashMap<String, Vec<TimexSpan>>,
    errors: &mut Vec<TimeError>,
) -> SentenceScores {
    let mut sc = SentenceScores::default();
    for g in gold {
        let found: Vec<&TimexSpan> = system
            .get(&g.id)
            .map(|v| {
                v.iter()
                    .filter(|s| g.start <= s.start && s.start < g.end)
                    .collect()
            })
            .unwrap_or_default();
        let mut want: Vec<(String, String)> = g.timexes.clone();
        let mut want_v: Vec<String> = g.timexes.iter().map(|t| t.1.clone()).collect();
        for s in &found {
            if let Some(k) = want_v.iter().position(|v| *v == s.value) {
                want_v.swap_remove(k);
                sc.value_hits += 1;
            }
            if let Some(k) = want.iter().position(|(t, v)| *t == s.kind && *v == s.value) {
                want.swap_remove(k);
                sc.tp += 1;
            } else {
                sc.fp += 1;
                errors.push(TimeError {
                    doc: g.id.clone(),
                    kind: "spurious",
                    gold: None,
                    system: Some((*s).clone()),
                });
            }
        }
        sc.fn_ += want.len();
        for (t, v) in want {
            errors.push(TimeError {
                doc: g.id.clone(),
                kind: "missed",
                gold: Some(TimexSpan {
                    start: g.start,
                    end: g.end,
                    text: String::new(),
                    kind: t,
                    value: v,
                    optional: false,
                }),
                system: None,
            });
        }
    }
    sc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: usize, e: usize, v: &str) -> TimexSpan {
        TimexSpan {
            start: s,
            end: e,
            text: String::new(),
            kind: "DATE".into(),
            value: v.into(),
            optional: false,
        }
    }

    #[test]
    fn reads_timeml_with_offsets_in_characters() {
        let xml = r#"<?xml version="1.0" ?><TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="1998-01-08" functionInDocument="CREATION_TIME">19980108</TIMEX3></DCT>
<TEXT>Café &amp; co. <TIMEX3 tid="t1" type="DATE" value="1998-01-07">yesterday</TIMEX3> and <TIMEX3 tid="t2" type="DURATION" value="P1W">a week</TIMEX3>.</TEXT></TimeML>"#;
        let d = read_tml("x", xml).unwrap();
        assert_eq!(d.dct, "1998-01-08");
        assert_eq!(d.text, "Café & co. yesterday and a week.");
        assert_eq!(d.timexes.len(), 2);
        assert_eq!((d.timexes[0].start, d.timexes[0].end), (11, 20));
        assert_eq!(d.timexes[0].text, "yesterday");
        assert_eq!(d.timexes[1].kind, "DURATION");
    }

    #[test]
    fn reads_cat_window_and_dct() {
        let xml = r#"<Document doc_id="1" lang="en"><token t_id="1" sentence="0" number="0">Title</token><token t_id="2" sentence="1" number="1">March</token><token t_id="3" sentence="1" number="2">3</token><token t_id="4" sentence="2" number="3">Today</token><token t_id="5" sentence="2" number="4">,</token><token t_id="6" sentence="6" number="5">Later</token>
<Markables><TIMEX3 m_id="1" type="DATE" value="2005-03-03" functionInDocument="CREATION_TIME"><token_anchor t_id="2"/><token_anchor t_id="3"/></TIMEX3><TIMEX3 m_id="2" type="DATE" value="2005-03-03" functionInDocument="NONE"><token_anchor t_id="4"/></TIMEX3><TIMEX3 m_id="3" type="DATE" value="X" functionInDocument="NONE"><token_anchor t_id="6"/></TIMEX3></Markables></Document>"#;
        let d = read_cat("1", xml, 6).unwrap();
        assert_eq!(d.text, "Title\nMarch 3\nToday,");
        assert_eq!(d.dct, "2005-03-03");
        assert_eq!(d.timexes.len(), 2);
        assert!(d.timexes[0].optional);
        assert_eq!(d.timexes[1].text, "Today");
    }

    #[test]
    fn scores_like_tempeval3() {
        let gold = vec![t(0, 10, "2016-11-03"), t(20, 30, "P18M"), t(40, 44, "2014")];
        let system = vec![
            t(0, 10, "2016-11-03"),
            t(17, 30, "2016-07"),
            t(37, 44, "2014"),
            t(80, 82, "2019"),
        ];
        let mut sc = TimeScores::default();
        let mut errs = Vec::new();
        score_doc("d", &gold, &system, &mut sc, &mut errs);
        assert_eq!(
            (sc.gold, sc.system, sc.strict, sc.relaxed, sc.value),
            (3, 4, 1, 3, 2)
        );
        assert_eq!(errs.iter().filter(|e| e.kind == "spurious").count(), 1);
        // one long system span cannot be credited for two gold timexes
        let mut sc = TimeScores::default();
        score_doc(
            "d",
            &[t(0, 4, "a"), t(8, 12, "b")],
            &[t(0, 12, "a")],
            &mut sc,
            &mut errs,
        );
        assert_eq!(sc.relaxed, 1);
        let (p, r, f) = prf(1, 1, 2);
        assert_eq!((p, r), (1.0, 0.5));
        assert!((f - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn sentence_scores_count_multisets() {
        let gold = vec![SentenceGold {
            id: "a".into(),
            start: 0,
            end: 50,
            timexes: vec![("DATE".into(), "2008".into()), ("SET".into(), "P1Y".into())],
        }];
        let mut sys = HashMap::new();
        sys.insert(
            "a".to_string(),
            vec![t(3, 7, "2008"), t(10, 14, "P1Y"), t(60, 64, "2009")],
        );
        let sc = score_sentences(&gold, &sys, &mut Vec::new());
        assert_eq!((sc.tp, sc.fp, sc.fn_, sc.value_hits), (1, 1, 1, 2));
    }

    #[test]
    fn normalises_creation_times() {
        assert_eq!(norm_dct("19980108").as_deref(), Some("1998-01-08"));
        assert_eq!(norm_dct("1998-01-08T10:00").as_deref(), Some("1998-01-08"));
        assert_eq!(norm_dct("garbage"), None);
    }
}
