//! CoNLL-style column files: reading labelled NER data and scoring predictions with the
//! conlleval definition (exact span and type; per type and overall P/R/F1).

use std::collections::BTreeMap;

use kroniek_core::ner::{chunks, LabeledDoc, LabeledSentence, Scores};

/// A column of a token line: counted from the start (0-based) or from the end (1 = last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// 0-based index from the left.
    Index(usize),
    /// 1 = the last column, 2 = the one before, …
    FromEnd(usize),
}

impl Column {
    /// Picks the column from a split line.
    pub fn get<'a>(self, cols: &[&'a str]) -> Option<&'a str> {
        match self {
            Column::Index(i) => cols.get(i).copied(),
            Column::FromEnd(k) => cols.len().checked_sub(k).and_then(|i| cols.get(i).copied()),
        }
    }
}

/// How to read a NER column file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Where the token is.
    pub token: Column,
    /// Where the gold label is.
    pub tag: Column,
    /// Start a new sentence after `.`, `!`, `?` tokens (for files without blank lines).
    pub split_on_period: bool,
    /// When the file has no `-DOCSTART-`, group this many sentences into a document
    /// (document-level features look across a document). `None`: the whole file.
    pub sentences_per_doc: Option<usize>,
    /// CoNLL-U input: the word form (column 2) is the token, every label is `O`
    /// (unlabeled text, e.g. for word clusters); multi-word and empty-node lines are skipped.
    pub conllu: bool,
    /// Entity types this corpus does not annotate (copied to every sentence).
    pub missing_types: Vec<String>,
    /// Renames entity types (`person` → `PER`); a type mapped to `None` becomes `O`.
    pub map_type: fn(&str) -> Option<String>,
}

fn keep_type(t: &str) -> Option<String> {
    Some(t.to_string())
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            token: Column::Index(0),
            tag: Column::FromEnd(1),
            split_on_period: false,
            sentences_per_doc: None,
            conllu: false,
            missing_types: Vec::new(),
            map_type: keep_type,
        }
    }
}

/// The WNUT-17 types mapped to CoNLL ones (group → ORG, creative-work and product → MISC).
pub fn wnut_type(t: &str) -> Option<String> {
    Some(
        match t {
            "person" => "PER",
            "location" => "LOC",
            "corporation" | "group" => "ORG",
            "creative-work" | "product" => "MISC",
            other => other,
        }
        .to_string(),
    )
}

/// Splits a line into columns on tabs and spaces (so a tab-appended prediction after
/// space-separated columns is one more column).
pub fn split_columns(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Whether a line is a comment: `#` followed by a space, or `#` alone (so that a hashtag
/// token such as `#MH17<TAB>O` is not mistaken for one).
pub fn is_comment(line: &str) -> bool {
    line == "#" || line.starts_with("# ")
}

/// Whether a line is a document separator.
pub fn is_docstart(line: &str) -> bool {
    line.trim_start().starts_with("-DOCSTART-")
}

/// Converts labels to IOB2 in place: an `I-X` that does not continue an `X` becomes `B-X`.
pub fn to_iob2(tags: &mut [String]) {
    let mut prev_type: Option<String> = None;
    for t in tags.iter_mut() {
        let (p, ty) = match t.split_once('-') {
            Some((p, ty)) if p == "B" || p == "I" => (p.to_string(), ty.to_string()),
            _ => {
                *t = "O".into();
                prev_type = None;
                continue;
            }
        };
        if p == "I" && prev_type.as_deref() != Some(ty.as_str()) {
            *t = format!("B-{ty}");
        }
        prev_type = Some(ty);
    }
}

fn map_tag(tag: &str, map: fn(&str) -> Option<String>) -> String {
    match tag.split_once('-') {
        Some((p, ty)) if p == "B" || p == "I" => match map(ty) {
            Some(t) => format!("{p}-{t}"),
            None => "O".into(),
        },
        _ => "O".into(),
    }
}

/// Reads labelled sentences grouped into documents. Comment lines ([`is_comment`]) are skipped.
pub fn read_ner(text: &str, opts: &ReadOptions) -> Vec<LabeledDoc> {
    let mut docs: Vec<LabeledDoc> = vec![Vec::new()];
    let mut cur = LabeledSentence::default();
    let mut saw_docstart = false;
    let flush = |cur: &mut LabeledSentence, docs: &mut Vec<LabeledDoc>| {
        if !cur.words.is_empty() {
            to_iob2(&mut cur.tags);
            cur.missing.clone_from(&opts.missing_types);
            docs.last_mut()
                .expect("a document")
                .push(std::mem::take(cur));
        }
    };
    for line in text.lines() {
        if is_comment(line) {
            continue;
        }
        if is_docstart(line) {
            flush(&mut cur, &mut docs);
            saw_docstart = true;
            if !docs.last().is_some_and(Vec::is_empty) {
                docs.push(Vec::new());
            }
            continue;
        }
        let cols = split_columns(line);
        if cols.is_empty() {
            flush(&mut cur, &mut docs);
            continue;
        }
        if opts.conllu {
            if cols.len() < 2 || cols[0].contains(['-', '.']) {
                continue;
            }
            cur.words.push(cols[1].to_string());
            cur.tags.push("O".into());
            continue;
        }
        let (Some(word), Some(tag)) = (opts.token.get(&cols), opts.tag.get(&cols)) else {
            continue;
        };
        cur.words.push(word.to_string());
        cur.tags.push(map_tag(tag, opts.map_type));
        if opts.split_on_period && matches!(word, "." | "!" | "?") {
            flush(&mut cur, &mut docs);
        }
    }
    flush(&mut cur, &mut docs);
    docs.retain(|d| !d.is_empty());
    if let (false, Some(k)) = (saw_docstart, opts.sentences_per_doc) {
        let all: Vec<LabeledSentence> = docs.into_iter().flatten().collect();
        docs = all
            .chunks(k.max(1))
            .map(<[LabeledSentence]>::to_vec)
            .collect();
    }
    docs
}

/// Reads a MEANTIME/CLIN26 `ne` column (`(ORG)`, `(PRO`, `PRO)`, `_`, nested with `|`)
/// as IOB2 labels; the outermost mention wins where mentions nest.
pub fn meantime_ne_to_iob2(cells: &[&str]) -> Vec<String> {
    let mut out = vec!["O".to_string(); cells.len()];
    let mut open: Option<(usize, String)> = None;
    for (i, cell) in cells.iter().enumerate() {
        for part in cell.split('|') {
            let part = part.trim();
            if part == "_" || part.is_empty() {
                continue;
            }
            let starts = part.starts_with('(');
            let ends = part.ends_with(')');
            let ty = part.trim_matches(|c| c == '(' || c == ')').to_string();
            if starts && open.is_none() {
                if ends {
                    if out[i] == "O" {
                        out[i] = format!("B-{ty}");
                    }
                } else {
                    open = Some((i, ty));
                }
            } else if ends && !starts {
                if let Some((s, t)) = open.take_if(|(_, t)| *t == ty) {
                    out[s] = format!("B-{t}");
                    for o in out.iter_mut().take(i + 1).skip(s + 1) {
                        *o = format!("I-{t}");
                    }
                }
            }
        }
    }
    out
}

/// conlleval-style results: per type and overall.
#[derive(Debug, Clone, Default)]
pub struct NerReport {
    /// Scores per entity type, by name.
    pub per_type: BTreeMap<String, Scores>,
    /// Over all (selected) types.
    pub overall: Scores,
    /// Tokens scored.
    pub tokens: usize,
    /// Tokens whose label matched exactly.
    pub token_matches: usize,
}

/// Scores sentences of `(gold, predicted)` labels with the conlleval definition. With
/// `types`, only entities of those types count (on both sides).
pub fn score_ner<'a>(
    sentences: impl IntoIterator<Item = (Vec<&'a str>, Vec<&'a str>)>,
    types: Option<&[String]>,
) -> NerReport {
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut r = NerReport::default();
    let keep = |t: &str| types.is_none_or(|ts| ts.iter().any(|x| x == t));
    for (gold, pred) in sentences {
        r.tokens += gold.len();
        r.token_matches += gold.iter().zip(&pred).filter(|(g, p)| g == p).count();
        let gc: Vec<_> = chunks(&gold).into_iter().filter(|c| keep(c.2)).collect();
        let pc: Vec<_> = chunks(&pred).into_iter().filter(|c| keep(c.2)).collect();
        for c in &gc {
            counts.entry(c.2.to_string()).or_default().0 += 1;
        }
        for c in &pc {
            let e = counts.entry(c.2.to_string()).or_default();
            e.1 += 1;
            if gc.contains(c) {
                e.2 += 1;
            }
        }
    }
    let (mut g, mut p, mut c) = (0, 0, 0);
    for (ty, &(tg, tp, tc)) in &counts {
        r.per_type
            .insert(ty.clone(), Scores::from_counts(tg, tp, tc));
        g += tg;
        p += tp;
        c += tc;
    }
    r.overall = Scores::from_counts(g, p, c);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iob1_with_docstart() {
        let text = "-DOCSTART- O\n\n#tag O\nJohn I-PER\nSmith I-PER\nvisited O\nParis I-LOC\n\n# comment\nHi O\n-DOCSTART- O\nBonn I-LOC\n";
        let docs = read_ner(text, &ReadOptions::default());
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0][0].tags, ["O", "B-PER", "I-PER", "O", "B-LOC"]);
        assert_eq!(docs[0][1].words, ["Hi"]);
        assert_eq!(docs[1][0].tags, ["B-LOC"]);
    }

    #[test]
    fn meantime_brackets() {
        assert_eq!(
            meantime_ne_to_iob2(&["(ORG)", "_", "(PRO", "PRO)", "_"]),
            ["B-ORG", "O", "B-PRO", "I-PRO", "O"]
        );
        assert_eq!(
            meantime_ne_to_iob2(&["(LOC", "LOC)|(LOC)"]),
            ["B-LOC", "I-LOC"]
        );
    }

    #[test]
    fn conlleval_counts() {
        let r = score_ner(
            [
                (
                    vec!["B-PER", "I-PER", "O", "B-LOC"],
                    vec!["B-PER", "I-PER", "O", "B-ORG"],
                ),
                (vec!["B-MISC"], vec!["B-MISC"]),
            ],
            None,
        );
        assert_eq!(r.overall.correct, 2);
        assert_eq!(r.per_type["LOC"].gold, 1);
        assert_eq!(r.per_type["ORG"].predicted, 1);
        let only = score_ner(
            [(vec!["B-PER", "B-MISC"], vec!["B-PER", "O"])],
            Some(&["PER".to_string()]),
        );
        assert!((only.overall.f1 - 100.0).abs() < 1e-9);
    }
}
