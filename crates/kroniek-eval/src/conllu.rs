//! CoNLL-U: a reader that keeps every line (so files can be written back unchanged but for
//! the predicted columns), and the CoNLL 2018 shared-task measures (UPOS, UAS, LAS), both
//! on gold tokenisation and on a system's own tokenisation aligned by characters.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use kroniek_core::syntax::GoldToken;

/// A syntactic word: the ten columns of a line whose id is an integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The ten columns, as written.
    pub cols: Vec<String>,
}

impl Word {
    /// Column 2.
    pub fn form(&self) -> &str {
        &self.cols[1]
    }
    /// Column 3.
    pub fn lemma(&self) -> &str {
        &self.cols[2]
    }
    /// Column 4.
    pub fn upos(&self) -> &str {
        &self.cols[3]
    }
    /// Column 7 as a number (0 for the root; 0 if not a number).
    pub fn head(&self) -> u32 {
        self.cols[6].parse().unwrap_or(0)
    }
    /// Column 8.
    pub fn deprel(&self) -> &str {
        &self.cols[7]
    }
}

/// One line of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A `#` comment, without the newline.
    Comment(String),
    /// A syntactic word.
    Word(Word),
    /// A multiword-token range line (`3-4`), with the range and the surface form.
    Multiword {
        /// First word id.
        first: u32,
        /// Last word id.
        last: u32,
        /// The whole line as written.
        raw: String,
    },
    /// An empty node (`3.1`), kept as written.
    Empty(String),
}

/// A sentence: its lines in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence {
    /// All lines, comments included.
    pub lines: Vec<Line>,
}

impl Sentence {
    /// The syntactic words.
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.lines
            .iter()
            .filter_map(|l| if let Line::Word(w) = l { Some(w) } else { None })
    }

    /// The syntactic words, mutably.
    pub fn words_mut(&mut self) -> impl Iterator<Item = &mut Word> {
        self.lines
            .iter_mut()
            .filter_map(|l| if let Line::Word(w) = l { Some(w) } else { None })
    }

    /// The value of a `# key = value` comment.
    pub fn comment(&self, key: &str) -> Option<&str> {
        self.lines.iter().find_map(|l| match l {
            Line::Comment(c) => {
                let rest = c.trim_start_matches('#').trim_start();
                let (k, v) = rest.split_once('=')?;
                (k.trim() == key).then(|| v.trim())
            }
            _ => None,
        })
    }

    /// Whether a `# newdoc` or `# newpar` comment starts this sentence.
    pub fn starts(&self, what: &str) -> bool {
        self.lines.iter().any(|l| matches!(l, Line::Comment(c) if c.trim_start_matches('#').trim_start().starts_with(what)))
    }

    /// The surface tokens: (form, ids of its words). A multiword token has several words.
    pub fn tokens(&self) -> Vec<(&str, Vec<usize>)> {
        let mut out = Vec::new();
        let mut skip_to = 0u32;
        let mut word_index = 0usize;
        for l in &self.lines {
            match l {
                Line::Multiword { first, last, raw } => {
                    let form = raw.split('\t').nth(1).unwrap_or("");
                    out.push((
                        form,
                        (0..(last - first + 1) as usize)
                            .map(|k| word_index + k)
                            .collect(),
                    ));
                    skip_to = *last;
                }
                Line::Word(w) => {
                    let id: u32 = w.cols[0].parse().unwrap_or(0);
                    if id > skip_to {
                        out.push((w.form(), vec![word_index]));
                    }
                    word_index += 1;
                }
                _ => {}
            }
        }
        out
    }

    /// The words as training material.
    pub fn gold(&self) -> Vec<GoldToken> {
        self.words()
            .map(|w| GoldToken {
                form: w.form().to_string(),
                lemma: w.lemma().to_string(),
                upos: w.upos().to_string(),
                head: w.head(),
                deprel: w.deprel().to_string(),
            })
            .collect()
    }
}

impl fmt::Display for Sentence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            match l {
                Line::Comment(c) | Line::Empty(c) | Line::Multiword { raw: c, .. } => {
                    writeln!(f, "{c}")?
                }
                Line::Word(w) => writeln!(f, "{}", w.cols.join("\t"))?,
            }
        }
        writeln!(f)
    }
}

/// A malformed line.
#[derive(Debug)]
pub struct Error {
    /// 1-based line number (0 for an I/O error).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for Error {}

/// A reader over plain or gzip-compressed bytes (detected by the gzip magic number).
pub fn decompress<'a, R: Read + 'a>(r: R) -> io::Result<Box<dyn BufRead + 'a>> {
    let mut r = BufReader::new(r);
    let head = r.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::new(
            flate2::bufread::MultiGzDecoder::new(r),
        )))
    } else {
        Ok(Box::new(r))
    }
}

/// Reads all sentences of a CoNLL-U stream (plain or gzip).
///
/// # Errors
/// The first malformed line (a word line without ten columns, a bad id) or I/O error.
pub fn read<R: Read>(r: R) -> Result<Vec<Sentence>, Error> {
    let io_err = |e: io::Error| Error {
        line: 0,
        message: e.to_string(),
    };
    let r = decompress(r).map_err(io_err)?;
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    for (n, line) in r.lines().enumerate() {
        let line = line.map_err(io_err)?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !cur.lines.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with('#') {
            cur.lines.push(Line::Comment(line.to_string()));
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 10 {
            return Err(Error {
                line: n + 1,
                message: format!("expected 10 tab-separated columns, found {}", cols.len()),
            });
        }
        let id = cols[0];
        if let Some((a, b)) = id.split_once('-') {
            match (a.parse(), b.parse()) {
                (Ok(first), Ok(last)) if first <= last => cur.lines.push(Line::Multiword {
                    first,
                    last,
                    raw: line.to_string(),
                }),
                _ => {
                    return Err(Error {
                        line: n + 1,
                        message: format!("bad multiword id {id:?}"),
                    })
                }
            }
        } else if id.contains('.') {
            cur.lines.push(Line::Empty(line.to_string()));
        } else if id.parse::<u32>().is_ok() {
            cur.lines.push(Line::Word(Word {
                cols: cols.iter().map(|c| c.to_string()).collect(),
            }));
        } else {
            return Err(Error {
                line: n + 1,
                message: format!("bad id {id:?}"),
            });
        }
    }
    if !cur.lines.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Counts for UPOS accuracy, UAS and LAS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyntaxCounts {
    /// Gold words.
    pub gold: usize,
    /// System words.
    pub system: usize,
    /// Words aligned (same characters).
    pub aligned: usize,
    /// Aligned words with the right UPOS.
    pub upos: usize,
    /// Aligned words with the right head.
    pub uas: usize,
    /// Aligned words with the right head and universal relation (subtypes ignored).
    pub las: usize,
    /// Gold and system sentences, and sentences with the same extent.
    pub sentences: (usize, usize, usize),
    /// Gold and system tokens, and tokens with the same extent.
    pub tokens: (usize, usize, usize),
}

/// F1 of a count against gold and system totals (accuracy when both are equal).
pub fn f1(correct: usize, gold: usize, system: usize) -> f64 {
    if gold + system == 0 {
        0.0
    } else {
        2.0 * correct as f64 / (gold + system) as f64
    }
}

impl SyntaxCounts {
    /// UPOS accuracy / F1.
    pub fn upos(&self) -> f64 {
        f1(self.upos, self.gold, self.system)
    }
    /// UAS (F1 on own tokenisation).
    pub fn uas(&self) -> f64 {
        f1(self.uas, self.gold, self.system)
    }
    /// LAS (F1 on own tokenisation).
    pub fn las(&self) -> f64 {
        f1(self.las, self.gold, self.system)
    }
    /// Word segmentation F1.
    pub fn words(&self) -> f64 {
        f1(self.aligned, self.gold, self.system)
    }
}

fn universal(deprel: &str) -> &str {
    deprel.split(':').next().unwrap_or(deprel)
}

/// Scores predicted sentences against gold ones with the same words (gold tokenisation).
///
/// # Errors
/// A message if the sentences or words do not pair up.
pub fn score_gold_tokens(gold: &[Sentence], pred: &[Sentence]) -> Result<SyntaxCounts, String> {
    if gold.len() != pred.len() {
        return Err(format!(
            "gold has {} sentences, prediction {}",
            gold.len(),
            pred.len()
        ));
    }
    let mut c = SyntaxCounts::default();
    for (k, (g, p)) in gold.iter().zip(pred).enumerate() {
        let gw: Vec<&Word> = g.words().collect();
        let pw: Vec<&Word> = p.words().collect();
        if gw.len() != pw.len() {
            return Err(format!(
                "sentence {}: gold has {} words, prediction {}",
                k + 1,
                gw.len(),
                pw.len()
            ));
        }
        for (a, b) in gw.iter().zip(&pw) {
            c.gold += 1;
            c.system += 1;
            c.aligned += 1;
            c.upos += usize::from(a.upos() == b.upos());
            let head = a.head() == b.head();
            c.uas += usize::from(head);
            c.las += usize::from(head && universal(a.deprel()) == universal(b.deprel()));
        }
        c.sentences.0 += 1;
        c.sentences.1 += 1;
        c.sentences.2 += 1;
    }
    c.tokens = (c.gold, c.system, c.aligned);
    Ok(c)
}

/// A word of a system's own analysis, located by characters of the text with all
/// whitespace removed (as the CoNLL 2018 scorer aligns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemWord {
    /// First non-whitespace character.
    pub start: usize,
    /// One past the last.
    pub end: usize,
    /// Predicted UPOS.
    pub upos: String,
    /// 1-based head within the sentence, 0 for the root.
    pub head: u32,
    /// Predicted relation.
    pub deprel: String,
}

/// Scores a system's own segmentation and analysis against gold sentences whose forms,
/// concatenated without whitespace, are the same characters as the system's input.
pub fn score_aligned(gold: &[Sentence], system: &[Vec<SystemWord>]) -> SyntaxCounts {
    // Gold words with character extents; a multiword token's words share its extent unless
    // their forms spell it out exactly.
    struct G<'a> {
        start: usize,
        end: usize,
        word: &'a Word,
        head: Option<usize>,
    }
    let mut gw: Vec<G<'_>> = Vec::new();
    let mut gold_sents = Vec::new();
    let mut gold_tokens = Vec::new();
    let mut pos = 0usize;
    for s in gold {
        let base = gw.len();
        let words: Vec<&Word> = s.words().collect();
        let sent_start = pos;
        for (form, ids) in s.tokens() {
            let len = form.chars().filter(|c| !c.is_whitespace()).count();
            gold_tokens.push((pos, pos + len));
            let parts: Vec<usize> = ids
                .iter()
                .map(|&i| {
                    words[i]
                        .form()
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .count()
                })
                .collect();
            let exact = parts.iter().sum::<usize>() == len;
            let mut p = pos;
            for (&i, &l) in ids.iter().zip(&parts) {
                let (a, b) = if exact { (p, p + l) } else { (pos, pos + len) };
                p += l;
                let h = words[i].head() as usize;
                gw.push(G {
                    start: a,
                    end: b,
                    word: words[i],
                    head: (h > 0 && h <= words.len()).then(|| base + h - 1),
                });
            }
            pos += len;
        }
        gold_sents.push((sent_start, pos));
    }
    let mut c = SyntaxCounts {
        gold: gw.len(),
        ..SyntaxCounts::default()
    };
    let index: std::collections::HashMap<(usize, usize), usize> = gw
        .iter()
        .enumerate()
        .filter(|(i, g)| *i == 0 || (gw[i - 1].start, gw[i - 1].end) != (g.start, g.end))
        .map(|(i, g)| ((g.start, g.end), i))
        .collect();
    let mut sys_words: Vec<(&SystemWord, Option<usize>)> = Vec::new();
    let mut sys_sents = Vec::new();
    let mut sys_tokens = Vec::new();
    for s in system {
        let base = sys_words.len();
        if let (Some(a), Some(b)) = (s.first(), s.last()) {
            sys_sents.push((a.start, b.end));
        }
        for w in s {
            let h = w.head as usize;
            sys_words.push((w, (h > 0 && h <= s.len()).then(|| base + h - 1)));
            sys_tokens.push((w.start, w.end));
        }
    }
    c.system = sys_words.len();
    let align: Vec<Option<usize>> = sys_words
        .iter()
        .map(|(w, _)| index.get(&(w.start, w.end)).copied())
        .collect();
    for (k, (w, head)) in sys_words.iter().enumerate() {
        let Some(g) = align[k] else { continue };
        c.aligned += 1;
        let gold = &gw[g];
        c.upos += usize::from(gold.word.upos() == w.upos);
        let head_ok = match (head, gold.head) {
            (None, None) => true,
            (Some(h), Some(gh)) => align[*h] == Some(gh),
            _ => false,
        };
        c.uas += usize::from(head_ok);
        c.las += usize::from(head_ok && universal(gold.word.deprel()) == universal(&w.deprel));
    }
    let same = |a: &[(usize, usize)], b: &[(usize, usize)]| {
        let set: std::collections::HashSet<_> = a.iter().collect();
        b.iter().filter(|x| set.contains(x)).count()
    };
    c.sentences = (
        gold_sents.len(),
        sys_sents.len(),
        same(&gold_sents, &sys_sents),
    );
    c.tokens = (
        gold_tokens.len(),
        sys_tokens.len(),
        same(&gold_tokens, &sys_tokens),
    );
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# text = Hij riep het uit.\n1\tHij\thij\tPRON\t_\t_\t2\tnsubj\t_\t_\n2\triep\tuit_roepen\tVERB\t_\t_\t0\troot\t_\t_\n3\thet\thet\tPRON\t_\t_\t2\tobj\t_\t_\n4\tuit\tuit\tADP\t_\t_\t2\tcompound:prt\t_\tSpaceAfter=No\n5\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n\n";

    #[test]
    fn reads_and_writes_back_unchanged() {
        let s = read(SAMPLE.as_bytes()).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].to_string(), SAMPLE);
        assert_eq!(s[0].comment("text"), Some("Hij riep het uit."));
        assert_eq!(s[0].gold()[1].lemma, "uit_roepen");
        let c = score_gold_tokens(&s, &s).unwrap();
        assert_eq!((c.upos(), c.las()), (1.0, 1.0));
    }

    #[test]
    fn reads_gzip_and_multiword_tokens() {
        use std::io::Write;
        let text = "1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n1\tdo\tdo\tAUX\t_\t_\t0\troot\t_\t_\n2\tn't\tnot\tPART\t_\t_\t1\tadvmod\t_\t_\n\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let s = read(&gz.finish().unwrap()[..]).unwrap();
        assert_eq!(s[0].tokens(), vec![("don't", vec![0, 1])]);
        let sys = vec![vec![
            SystemWord {
                start: 0,
                end: 2,
                upos: "AUX".into(),
                head: 0,
                deprel: "root".into(),
            },
            SystemWord {
                start: 2,
                end: 5,
                upos: "PART".into(),
                head: 1,
                deprel: "advmod".into(),
            },
        ]];
        let c = score_aligned(&s, &sys);
        assert_eq!((c.aligned, c.las, c.tokens), (2, 2, (1, 2, 0)));
        assert!(read("1\tx\n".as_bytes()).is_err());
    }
}
