//! SemEval-2015 Task 4 "TimeLine: cross-document event ordering".
//!
//! Readers for the gold timeline files and the TimeML input (tokens per sentence, the
//! document creation time and, for Track B, the gold event mentions), a writer for system
//! timelines in the same format, and the scorer: every timeline becomes a temporal graph
//! (equal ranks SIMULTANEOUS, consecutive ranks BEFORE, every event IS_INCLUDED in the node
//! of its date) scored with TempEval-3 temporal awareness (UzZaman & Allen 2011) and
//! micro-averaged over the timelines of a corpus. See `docs/timeline_eval.md`.

pub mod system;

use std::collections::HashMap;
use std::fmt;

use quick_xml::events::Event;
use quick_xml::Reader;

/// One timeline: a target entity and its entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timeline {
    /// The target entity as named on line 1 (`Boeing 787 Dreamliner`).
    pub entity: String,
    /// Entries in file order.
    pub entries: Vec<Entry>,
}

/// One line of a timeline: one event (possibly reported in several documents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Rank; equal ranks are simultaneous, 0 means not ordered.
    pub order: u32,
    /// Anchor date, normalised to `YYYY-MM-DD` with `XX` for unknown parts.
    pub date: String,
    /// `DOCID-SENTENCE-WORD` mentions of the event.
    pub mentions: Vec<String>,
}

/// The undated anchor.
pub const NO_DATE: &str = "XXXX-XX-XX";

/// Normalises a timeline date to `YYYY-MM-DD` with `XX`: the trial data also write `2006`,
/// `2006-03` and `XXX-XX-XX`.
pub fn normalize_date(s: &str) -> String {
    let parts: Vec<&str> = s.trim().split('-').collect();
    let year = parts.first().copied().unwrap_or("");
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return NO_DATE.to_string();
    }
    let part = |i: usize| -> String {
        match parts.get(i) {
            Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => p.to_string(),
            _ => "XX".to_string(),
        }
    };
    let month = part(1);
    let day = if month == "XX" {
        "XX".to_string()
    } else {
        part(2)
    };
    format!("{year}-{month}-{day}")
}

/// The file name the task uses for an entity's timeline (`boeing_787_dreamliner.txt`).
pub fn file_name(entity: &str) -> String {
    let mut s: String = entity
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    s.push_str(".txt");
    s
}

/// Reads a timeline file (line 1: entity; then `ORDER<TAB>DATE<TAB>MENTION…`).
pub fn read_timeline(text: &str) -> Result<Timeline, String> {
    let mut lines = text.lines().enumerate();
    let entity = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((_, l)) => break l.trim().trim_start_matches('\u{feff}').to_string(),
            None => return Err("empty timeline file (no entity line)".into()),
        }
    };
    let mut entries = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t').map(str::trim);
        let order = cols.next().unwrap_or("");
        let order: u32 = order
            .parse()
            .map_err(|_| format!("line {}: order {order:?} is not a number", n + 1))?;
        let date = cols
            .next()
            .ok_or_else(|| format!("line {}: no date column", n + 1))?;
        let mentions: Vec<String> = cols
            .flat_map(|c| c.split_whitespace())
            .map(str::to_string)
            .collect();
        if mentions.is_empty() {
            return Err(format!("line {}: no event mention", n + 1));
        }
        for m in &mentions {
            if Mention::parse(m).is_none() {
                return Err(format!(
                    "line {}: mention {m:?} is not DOCID-SENTENCE-WORD",
                    n + 1
                ));
            }
        }
        entries.push(Entry {
            order,
            date: normalize_date(date),
            mentions,
        });
    }
    Ok(Timeline { entity, entries })
}

/// Writes a timeline in the task's format (entries sorted by rank).
pub fn write_timeline(t: &Timeline) -> String {
    let mut entries: Vec<&Entry> = t.entries.iter().collect();
    entries.sort_by_key(|e| e.order);
    let mut out = format!("{}\n", t.entity);
    for e in entries {
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            e.order,
            e.date,
            e.mentions.join("\t")
        ));
    }
    out
}

/// A parsed `DOCID-SENTENCE-WORD` mention.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mention {
    /// Document id (`149731`).
    pub doc: String,
    /// 0-based sentence number.
    pub sentence: u32,
    /// Surface form, tokens joined by `_`.
    pub word: String,
}

impl Mention {
    /// Parses `DOCID-SENTENCE-WORD`; the word may itself contain `-` (`out-sold`).
    pub fn parse(s: &str) -> Option<Mention> {
        let (doc, rest) = s.split_once('-')?;
        let (sentence, word) = rest.split_once('-')?;
        if doc.is_empty() || word.is_empty() {
            return None;
        }
        Some(Mention {
            doc: doc.to_string(),
            sentence: sentence.parse().ok()?,
            word: word.to_string(),
        })
    }

    /// The key two mentions are compared by: document, sentence and the first word of the
    /// surface form, lower-cased. The TimeML input marks only the first token of multi-word
    /// triggers (`job` for gold `job_cuts`), so full surface forms would not match.
    pub fn key(&self) -> String {
        let first = self.word.split('_').next().unwrap_or(&self.word);
        format!("{}-{}-{}", self.doc, self.sentence, first.to_lowercase())
    }
}

impl fmt::Display for Mention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.doc, self.sentence, self.word)
    }
}

fn mention_key(s: &str) -> String {
    Mention::parse(s)
        .map(|m| m.key())
        .unwrap_or_else(|| s.to_lowercase())
}

// ---------------------------------------------------------------------------------------
// TimeML input

/// One input document in the task's TimeML.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TmlDoc {
    /// `DOCID` (`100911`).
    pub id: String,
    /// Document creation time (`2008-03-01`), as written.
    pub dct: String,
    /// `EXTRAINFO` (the title).
    pub title: String,
    /// Sentences in file order.
    pub sentences: Vec<TmlSentence>,
}

/// One `<s id="N">` sentence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TmlSentence {
    /// The sentence number used in mentions.
    pub id: u32,
    /// Whitespace-separated tokens.
    pub tokens: Vec<String>,
    /// Gold `EVENT`s (Track B input; none in Track A).
    pub events: Vec<TmlEvent>,
}

/// A gold event mention of the Track B input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmlEvent {
    /// `eid`.
    pub eid: String,
    /// Token range in the sentence.
    pub tokens: std::ops::Range<usize>,
}

impl TmlSentence {
    /// The `WORD` part of a mention for a token range: tokens joined by `_`.
    pub fn word(&self, tokens: std::ops::Range<usize>) -> String {
        self.tokens
            .get(tokens)
            .map(|t| t.join("_"))
            .unwrap_or_default()
    }
}

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let k: &str = a.key.as_ref();
        (k == key)
            .then(|| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
            .flatten()
            .map(|v| v.into_owned())
    })
}

fn xml_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Reads one TimeML file of the task. Event boundaries are token boundaries.
pub fn read_timeml(xml: &str) -> Result<TmlDoc, String> {
    let mut reader = Reader::from_str(xml);
    let mut doc = TmlDoc::default();
    // Where text goes: DOCID, EXTRAINFO, or a sentence.
    #[derive(PartialEq)]
    enum In {
        Nothing,
        DocId,
        Title,
        Sentence,
    }
    let mut into = In::Nothing;
    let mut pending = String::new();
    let mut sentence: Option<TmlSentence> = None;
    let mut open_event: Option<(String, usize)> = None;
    fn flush(pending: &mut String, s: &mut Option<TmlSentence>) {
        if let Some(s) = s {
            s.tokens
                .extend(pending.split_whitespace().map(str::to_string));
        }
        pending.clear();
    }
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Event::Start(e) | Event::Empty(e)
                if e.name().as_ref() == "TIMEX3"
                    && doc.dct.is_empty()
                    && attr(&e, "functionInDocument").as_deref() == Some("CREATION_TIME") =>
            {
                doc.dct = attr(&e, "value").unwrap_or_default();
            }
            Event::Start(e) => match e.name().as_ref() {
                "DOCID" => into = In::DocId,
                "EXTRAINFO" => into = In::Title,
                "s" => {
                    let id = attr(&e, "id")
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .ok_or_else(|| "a <s> without a numeric id".to_string())?;
                    sentence = Some(TmlSentence {
                        id,
                        ..Default::default()
                    });
                    into = In::Sentence;
                    pending.clear();
                }
                "EVENT" if into == In::Sentence => {
                    flush(&mut pending, &mut sentence);
                    let start = sentence.as_ref().map_or(0, |s| s.tokens.len());
                    open_event = Some((attr(&e, "eid").unwrap_or_default(), start));
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "DOCID" | "EXTRAINFO" => into = In::Nothing,
                "s" => {
                    flush(&mut pending, &mut sentence);
                    if let Some(s) = sentence.take() {
                        doc.sentences.push(s);
                    }
                    into = In::Nothing;
                }
                "EVENT" => {
                    flush(&mut pending, &mut sentence);
                    if let (Some((eid, start)), Some(s)) = (open_event.take(), sentence.as_mut()) {
                        if s.tokens.len() > start {
                            s.events.push(TmlEvent {
                                eid,
                                tokens: start..s.tokens.len(),
                            });
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                let s = t.xml10_content();
                match into {
                    In::DocId => doc.id.push_str(s.trim()),
                    In::Title => doc.title.push_str(&s),
                    In::Sentence => pending.push_str(&s),
                    In::Nothing => {}
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    xml_entity(r.as_ref())
                };
                if let Some(c) = c {
                    match into {
                        In::DocId => doc.id.push(c),
                        In::Title => doc.title.push(c),
                        In::Sentence => pending.push(c),
                        In::Nothing => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if doc.id.is_empty() {
        return Err("no <DOCID>".into());
    }
    doc.title = doc.title.trim().to_string();
    Ok(doc)
}

// ---------------------------------------------------------------------------------------
// Scoring: temporal awareness over timeline graphs

/// A temporal relation between two graph nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rel {
    /// a ends before b starts.
    Before,
    /// a starts after b ends.
    After,
    /// Same time.
    Simultaneous,
    /// a contains b.
    Includes,
    /// a lies within b.
    IsIncluded,
}

impl Rel {
    fn inverse(self) -> Rel {
        match self {
            Rel::Before => Rel::After,
            Rel::After => Rel::Before,
            Rel::Simultaneous => Rel::Simultaneous,
            Rel::Includes => Rel::IsIncluded,
            Rel::IsIncluded => Rel::Includes,
        }
    }

    /// r1(a,b) ∘ r2(b,c) → r(a,c), where determined.
    fn compose(r1: Rel, r2: Rel) -> Option<Rel> {
        use Rel::*;
        match (r1, r2) {
            (Simultaneous, r) | (r, Simultaneous) => Some(r),
            (Before, Before) | (Before, Includes) | (IsIncluded, Before) => Some(Before),
            (After, After) | (After, Includes) | (IsIncluded, After) => Some(After),
            (Includes, Includes) => Some(Includes),
            (IsIncluded, IsIncluded) => Some(IsIncluded),
            _ => None,
        }
    }
}

/// A temporal graph over named nodes (event mention keys and `DATE:` nodes).
#[derive(Debug, Clone, Default)]
pub struct Graph {
    names: Vec<String>,
    index: HashMap<String, usize>,
    edges: Vec<(usize, Rel, usize)>,
}

impl Graph {
    fn node(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    fn add(&mut self, a: &str, r: Rel, b: &str) {
        let (a, b) = (self.node(a), self.node(b));
        if a != b {
            self.edges.push((a, r, b));
        }
    }

    /// The graph of a timeline: the mentions of one rank are SIMULTANEOUS, each rank is
    /// BEFORE the next non-zero rank, and every mention IS_INCLUDED in the node of its date
    /// (`XXXX-XX-XX` included, so that unordered rank-0 events still count as selected).
    pub fn of_timeline(t: &Timeline) -> Graph {
        let mut g = Graph::default();
        let mut ranks: Vec<u32> = t.entries.iter().map(|e| e.order).collect();
        ranks.sort_unstable();
        ranks.dedup();
        let mut first_of_rank: HashMap<u32, String> = HashMap::new();
        for e in &t.entries {
            let date = format!("DATE:{}", e.date);
            for m in &e.mentions {
                let k = mention_key(m);
                g.node(&k);
                g.add(&k, Rel::IsIncluded, &date);
                if e.order == 0 {
                    continue;
                }
                match first_of_rank.get(&e.order) {
                    Some(first) => {
                        let first = first.clone();
                        g.add(&first, Rel::Simultaneous, &k);
                    }
                    None => {
                        first_of_rank.insert(e.order, k);
                    }
                }
            }
            // Rank 0 mentions on one line are still one event.
            if e.order == 0 && e.mentions.len() > 1 {
                let first = mention_key(&e.mentions[0]);
                for m in &e.mentions[1..] {
                    g.add(&first, Rel::Simultaneous, &mention_key(m));
                }
            }
        }
        let ordered: Vec<u32> = ranks.into_iter().filter(|&r| r > 0).collect();
        for w in ordered.windows(2) {
            if let (Some(a), Some(b)) = (first_of_rank.get(&w[0]), first_of_rank.get(&w[1])) {
                let (a, b) = (a.clone(), b.clone());
                g.add(&a, Rel::Before, &b);
            }
        }
        g
    }

    /// The transitive closure: `m[i * n + j]` is the relation of node i to node j.
    /// A pair keeps the first relation found, so an inconsistent graph cannot loop.
    fn closure(&self) -> Vec<Option<Rel>> {
        let n = self.names.len();
        let mut m: Vec<Option<Rel>> = vec![None; n * n];
        for &(a, r, b) in &self.edges {
            if m[a * n + b].is_none() {
                m[a * n + b] = Some(r);
                m[b * n + a] = Some(r.inverse());
            }
        }
        loop {
            let mut changed = false;
            for k in 0..n {
                for i in 0..n {
                    let Some(ik) = m[i * n + k] else { continue };
                    if i == k {
                        continue;
                    }
                    for j in 0..n {
                        if j == i || j == k || m[i * n + j].is_some() {
                            continue;
                        }
                        if let Some(kj) = m[k * n + j] {
                            if let Some(r) = Rel::compose(ik, kj) {
                                m[i * n + j] = Some(r);
                                m[j * n + i] = Some(r.inverse());
                                changed = true;
                            }
                        }
                    }
                }
            }
            if !changed {
                return m;
            }
        }
    }

    /// The closure as named relations, for look-ups by another graph.
    fn closure_set(&self) -> HashMap<(String, String), Rel> {
        let n = self.names.len();
        let m = self.closure();
        let mut out = HashMap::new();
        for i in 0..n {
            for j in 0..n {
                if let Some(r) = m[i * n + j] {
                    out.insert((self.names[i].clone(), self.names[j].clone()), r);
                }
            }
        }
        out
    }

    /// The reduced graph: no relation in it follows from the others. Each SIMULTANEOUS
    /// class becomes a chain in node order; between classes, a relation is kept when no
    /// third class gives it by composition (the transitive reduction).
    fn reduced(&self) -> Vec<(String, Rel, String)> {
        let n = self.names.len();
        let m = self.closure();
        // Class = smallest node index simultaneous with it.
        let class: Vec<usize> = (0..n)
            .map(|i| {
                (0..n)
                    .find(|&j| j == i || m[i * n + j] == Some(Rel::Simultaneous))
                    .unwrap_or(i)
            })
            .collect();
        let mut out = Vec::new();
        let mut last_in_class: HashMap<usize, usize> = HashMap::new();
        for (i, &c) in class.iter().enumerate() {
            if c != i {
                let prev = last_in_class.get(&c).copied().unwrap_or(c);
                out.push((
                    self.names[prev].clone(),
                    Rel::Simultaneous,
                    self.names[i].clone(),
                ));
            }
            last_in_class.insert(c, i);
        }
        let reps: Vec<usize> = (0..n).filter(|&i| class[i] == i).collect();
        for &a in &reps {
            for &b in &reps {
                let Some(r) = m[a * n + b] else { continue };
                // Each fact once: BEFORE and IS_INCLUDED orientations only.
                if a == b || !matches!(r, Rel::Before | Rel::IsIncluded) {
                    continue;
                }
                let redundant = reps.iter().any(|&k| {
                    k != a
                        && k != b
                        && matches!(
                            (m[a * n + k], m[k * n + b]),
                            (Some(x), Some(y)) if Rel::compose(x, y) == Some(r)
                        )
                });
                if !redundant {
                    out.push((self.names[a].clone(), r, self.names[b].clone()));
                }
            }
        }
        out
    }
}

/// Counts behind temporal-awareness precision and recall; add them up for a micro average.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Relations in the reduced system graph.
    pub sys: usize,
    /// Of those, relations found in the closure of the reference graph.
    pub sys_in_ref: usize,
    /// Relations in the reduced reference graph.
    pub gold: usize,
    /// Of those, relations found in the closure of the system graph.
    pub gold_in_sys: usize,
}

impl Counts {
    /// Adds another timeline's counts.
    pub fn add(&mut self, o: &Counts) {
        self.sys += o.sys;
        self.sys_in_ref += o.sys_in_ref;
        self.gold += o.gold;
        self.gold_in_sys += o.gold_in_sys;
    }

    /// |reduced(sys) ∩ closure(ref)| / |reduced(sys)|.
    pub fn precision(&self) -> f64 {
        ratio(self.sys_in_ref, self.sys)
    }

    /// |reduced(ref) ∩ closure(sys)| / |reduced(ref)|.
    pub fn recall(&self) -> f64 {
        ratio(self.gold_in_sys, self.gold)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P {:.2} R {:.2} F1 {:.2} (sys {}/{}, gold {}/{})",
            100.0 * self.precision(),
            100.0 * self.recall(),
            100.0 * self.f1(),
            self.sys_in_ref,
            self.sys,
            self.gold_in_sys,
            self.gold
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores one system timeline against the gold timeline of the same entity.
pub fn score(gold: &Timeline, sys: &Timeline) -> Counts {
    let (g, s) = (Graph::of_timeline(gold), Graph::of_timeline(sys));
    let (g_closure, s_closure) = (g.closure_set(), s.closure_set());
    let found = |rels: &[(String, Rel, String)], closure: &HashMap<(String, String), Rel>| {
        rels.iter()
            .filter(|(a, r, b)| closure.get(&(a.clone(), b.clone())) == Some(r))
            .count()
    };
    let (g_red, s_red) = (g.reduced(), s.reduced());
    Counts {
        sys: s_red.len(),
        sys_in_ref: found(&s_red, &g_closure),
        gold: g_red.len(),
        gold_in_sys: found(&g_red, &s_closure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tl(s: &str) -> Timeline {
        read_timeline(s).unwrap()
    }

    const GOLD: &str = "Acme\n\
        0\tXXXX-XX-XX\t1-3-said\n\
        1\t2005-XX-XX\t1-1-founded\n\
        2\t2006-03-01\t1-2-sold\t2-0-sale\n\
        3\t2007-XX-XX\t2-4-bought\n\
        3\t2007-XX-XX\t2-5-merged\n\
        4\t2008-01-10\t3-1-closed\n";

    #[test]
    fn reads_and_writes() {
        let t = tl(GOLD);
        assert_eq!(t.entity, "Acme");
        assert_eq!(t.entries.len(), 6);
        assert_eq!(t.entries[2].mentions, ["1-2-sold", "2-0-sale"]);
        assert_eq!(tl(&write_timeline(&t)), t);
        assert_eq!(normalize_date("2006"), "2006-XX-XX");
        assert_eq!(normalize_date("2006-03"), "2006-03-XX");
        assert_eq!(normalize_date("XXX-XX-XX"), NO_DATE);
        assert_eq!(
            file_name("Boeing 787 Dreamliner"),
            "boeing_787_dreamliner.txt"
        );
        assert!(read_timeline("X\n1\t2006\n").is_err());
        assert!(read_timeline("X\nfoo\t2006\t1-1-a\n").is_err());
        assert!(read_timeline("").is_err());
        let m = Mention::parse("4764-11-out-sold").unwrap();
        assert_eq!(
            (m.doc.as_str(), m.sentence, m.word.as_str()),
            ("4764", 11, "out-sold")
        );
        assert_eq!(
            Mention::parse("61389-2-job_cuts").unwrap().key(),
            "61389-2-job"
        );
    }

    #[test]
    fn identical_timelines_score_one() {
        let c = score(&tl(GOLD), &tl(GOLD));
        assert!(c.sys > 0);
        assert_eq!(c.sys, c.sys_in_ref);
        assert_eq!(c.gold, c.gold_in_sys);
        assert!((c.f1() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn swapped_pair_scores_lower() {
        let swapped = GOLD
            .replace("3\t2007-XX-XX\t2-4-bought", "9\t2007-XX-XX\t2-4-bought")
            .replace("4\t2008-01-10\t3-1-closed", "3\t2008-01-10\t3-1-closed")
            .replace("9\t2007", "4\t2007");
        let c = score(&tl(GOLD), &tl(&swapped));
        assert!(c.f1() < 1.0 && c.f1() > 0.0, "{c}");
    }

    #[test]
    fn missing_entries_lower_recall_not_precision() {
        let partial = "Acme\n1\t2005-XX-XX\t1-1-founded\n2\t2006-03-01\t1-2-sold\n";
        let c = score(&tl(GOLD), &tl(partial));
        assert!((c.precision() - 1.0).abs() < 1e-9, "{c}");
        assert!(c.recall() < 0.6, "{c}");
    }

    #[test]
    fn wrong_date_costs_precision() {
        let wrong = GOLD.replace("2005-XX-XX", "2004-XX-XX");
        let c = score(&tl(GOLD), &tl(&wrong));
        assert!(c.precision() < 1.0 && c.recall() < 1.0, "{c}");
    }

    #[test]
    fn closure_infers_before_across_ranks() {
        let g = Graph::of_timeline(&tl(GOLD));
        let c = g.closure_set();
        let k = |s: &str| mention_key(s);
        assert_eq!(
            c.get(&(k("1-1-founded"), k("3-1-closed"))),
            Some(&Rel::Before)
        );
        assert_eq!(
            c.get(&(k("2-0-sale"), k("1-2-sold"))),
            Some(&Rel::Simultaneous)
        );
        assert_eq!(c.get(&(k("1-3-said"), k("1-1-founded"))), None);
        // Reduced: no BEFORE between non-neighbouring ranks.
        let red = g.reduced();
        assert!(!red
            .iter()
            .any(|(a, r, b)| a == &k("1-1-founded") && *r == Rel::Before && b == &k("3-1-closed")));
    }

    #[test]
    fn reads_timeml() {
        let xml = r#"<?xml version='1.0' encoding='utf-8'?>
<TimeML><DOCID>42</DOCID>
<DCT><TIMEX3 functionInDocument="CREATION_TIME" tid="t0" type="DATE" value="2008-03-01">2008-03-01</TIMEX3></DCT>
<EXTRAINFO>Acme buys Foo</EXTRAINFO>
<TEXT><s id="0">Acme <EVENT eid="e1">buys</EVENT> Foo &amp; Co</s><s id="2">It <EVENT eid="e2">job</EVENT> cuts .</s></TEXT></TimeML>"#;
        let d = read_timeml(xml).unwrap();
        assert_eq!(d.id, "42");
        assert_eq!(d.dct, "2008-03-01");
        assert_eq!(d.title, "Acme buys Foo");
        assert_eq!(d.sentences.len(), 2);
        assert_eq!(d.sentences[0].tokens, ["Acme", "buys", "Foo", "&", "Co"]);
        assert_eq!(d.sentences[0].events[0].tokens, 1..2);
        assert_eq!(d.sentences[1].id, 2);
        assert_eq!(d.sentences[1].word(1..2), "job");
        assert!(read_timeml("<TimeML><TEXT></TEXT></TimeML>").is_err());
        assert!(read_timeml("<TimeML><DOCID>1</DOCID><TEXT><s>x</s></TEXT></TimeML>").is_err());
    }
}
