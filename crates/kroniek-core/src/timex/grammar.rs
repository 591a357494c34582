//! The data-driven part of the tagger: a tokenizer for time expressions, the lexicon and
//! the rule patterns read from `resources/<lang>/timex_lexicon.txt` and `timex_rules.txt`,
//! and a small backtracking matcher over token classes.
//!
//! # Lexicon format
//! One entry per line: `CLASS=VALUE [CLASS=VALUE …]: word|word|…`. The first class is the
//! one the words match as in patterns; every `CLASS=VALUE` pair is captured when the word
//! matches. `CAP=1` restricts an entry to capitalised occurrences (English "May").
//!
//! # Rule format
//! `TYPE [CLASS=VALUE …]: pattern`, where the pattern is a sequence of atoms separated by
//! spaces: an upper-case name is a class, anything else a literal word (tokenized like the
//! text, so `'s` and `a.m.` work), `(a b | c)` a group of alternatives. Atoms take a
//! quantifier suffix `?`, `+` or `*`; a `~` prefix requires the token to follow the previous
//! one without white space (`YEAR ~- ~MONTHNUM ~- ~DAYNUM`).

use std::collections::HashMap;

/// A token of the time tagger's own segmentation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    /// Byte offsets into the original text.
    pub start: u32,
    pub end: u32,
    /// Range of the lower-cased form in the lower-case buffer.
    pub lo: (u32, u32),
    /// Whether white space precedes the token.
    pub space_before: bool,
    /// Whether a line break precedes the token.
    pub line_before: bool,
    /// Whether the first letter is upper case.
    pub cap: bool,
    /// All digits.
    pub digits: bool,
    /// Digits in groups of three ("2,000", "1.500"): a number, never a year or a clock
    /// time. The lower-case form leaves the separators out.
    pub grouped: bool,
    /// Index into `Grammar::words` when the lower-cased form is known, else `u32::MAX`.
    pub word: u32,
}

/// Splits text into words (letters), digit runs and single punctuation characters.
/// Writes lower-cased forms into `lower`; curly apostrophes, the en dash and Unicode
/// hyphens are folded (to `'` and `-`); the em dash is not, as it never joins a compound
/// ("until now\u{2014}and" is no "now-cancelled").
pub(crate) fn tokenize(text: &str, toks: &mut Vec<Tok>, lower: &mut String) {
    toks.clear();
    lower.clear();
    let mut iter = text.char_indices().peekable();
    let mut space = true;
    let mut line = true;
    while let Some((i, c)) = iter.next() {
        if c.is_whitespace() {
            space = true;
            line |= c == '\n';
            continue;
        }
        let lo_start = lower.len() as u32;
        let mut end = i + c.len_utf8();
        let mut cap = false;
        let mut digits = false;
        let mut grouped = false;
        if c.is_ascii_digit() {
            digits = true;
            lower.push(c);
            while let Some(&(j, d)) = iter.peek() {
                if d.is_ascii_digit() {
                    lower.push(d);
                    end = j + 1;
                    iter.next();
                } else {
                    break;
                }
            }
            // Thousands: "2,000-year", "1.500 jaar" (one to three digits, then groups of
            // exactly three after a comma or a full stop).
            if end - i <= 3 {
                while let [b',' | b'.', a, b, c, rest @ ..] = &text.as_bytes()[end..] {
                    let three = [a, b, c].iter().all(|x| x.is_ascii_digit());
                    if !three || rest.first().is_some_and(u8::is_ascii_digit) {
                        break;
                    }
                    lower.push_str(&text[end + 1..end + 4]);
                    for _ in 0..4 {
                        iter.next();
                    }
                    end += 4;
                    grouped = true;
                }
            }
        } else if c.is_alphabetic() {
            cap = c.is_uppercase();
            push_lower(lower, c);
            while let Some(&(j, d)) = iter.peek() {
                if d.is_alphabetic() {
                    push_lower(lower, d);
                    end = j + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            // Dutch "zo'n" ("about") is one word: a letter run, an apostrophe, a lone "n".
            let rest = &text[end..];
            let mut after = rest.chars();
            if let (Some(q @ ('\'' | '\u{2019}')), Some('n' | 'N')) = (after.next(), after.next()) {
                if !after.next().is_some_and(char::is_alphabetic) {
                    lower.push_str("'n");
                    end += q.len_utf8() + 1;
                    iter.next();
                    iter.next();
                }
            }
        } else {
            let folded = match c {
                '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' => '\'',
                '\u{2013}' | '\u{2010}' | '\u{2011}' => '-',
                other => other,
            };
            lower.push(folded);
        }
        toks.push(Tok {
            start: i as u32,
            end: end as u32,
            lo: (lo_start, lower.len() as u32),
            space_before: space,
            line_before: line,
            cap,
            digits,
            grouped,
            word: u32::MAX,
        });
        space = false;
        line = false;
    }
}

fn push_lower(s: &mut String, c: char) {
    if c.is_ascii() {
        s.push(c.to_ascii_lowercase());
    } else {
        s.extend(c.to_lowercase());
    }
}

/// One `CLASS=VALUE` feature.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Feature {
    pub class: u8,
    pub value: &'static str,
}

/// What a known word is: the classes it matches and the features each brings.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordInfo {
    /// (class bitmask of the entry, features, capitalised only)
    pub entries: Vec<(u64, Vec<Feature>, bool)>,
    /// Literal id when the word occurs as a literal in a rule.
    pub lit: Option<u32>,
}

#[derive(Debug, Clone)]
pub(crate) enum AtomKind {
    Class(u8),
    Lit(u32),
    Group(Vec<Vec<Atom>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quant {
    One,
    Opt,
    Plus,
    Star,
}

#[derive(Debug, Clone)]
pub(crate) struct Atom {
    pub kind: AtomKind,
    pub attached: bool,
    pub quant: Quant,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// `None` for a blocking rule (`NONE`): the match is consumed, nothing is tagged.
    pub kind: Option<super::TimexType>,
    pub extra: Vec<Feature>,
    pub atoms: Vec<Atom>,
    /// Classes and literals that can start a match.
    pub first_classes: u64,
    pub first_lits: Vec<u32>,
    /// The fewest tokens a match takes.
    pub min_len: usize,
    /// How a match can begin: each token that can start it, with what may come next
    /// (see [`Start`]). Most tries of a rule end at the second token; this rules them
    /// out before matching.
    pub starts: Vec<Start>,
    /// Tokens at the end of `atoms` that must match but stay out of the extent (the
    /// context after ` >> ` in the rules file: "the year >> (ended | ending)").
    pub trail: usize,
    /// Tokens at the start of `atoms` that must match but stay out of the extent (the
    /// context before ` << `: "om << HOUR uur", a clock time after "om").
    pub lead: usize,
    /// Line number in the rules file, for messages.
    #[allow(dead_code)]
    pub line: usize,
}

/// A captured feature with the token that brought it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cap {
    pub feature: Feature,
    pub tok: u32,
}

/// Classes with built-in meaning for digit tokens; `BAREYEAR` (1800–2099) is the
/// narrower class for a year standing alone.
pub(crate) const DIGIT_CLASSES: &[&str] = &[
    "NUM", "YEAR", "YEAR2", "DAYNUM", "MONTHNUM", "HOUR", "MINUTE", "BAREYEAR", "HHMM",
];

/// Built-in class for any word of letters, known or not ("now-cancelled": `now ~- ~WORD`).
/// It matches only inside a pattern: a rule cannot start with it.
pub(crate) const WORD_CLASS: &str = "WORD";

/// The compiled lexicon and rules of one language.
#[derive(Debug)]
pub(crate) struct Grammar {
    pub class_names: Vec<String>,
    pub words: crate::fasthash::FastMap<String, u32>,
    pub infos: Vec<WordInfo>,
    pub rules: Vec<Rule>,
    /// Which rules can start at a token, as bit sets over `rules` (see [`RuleIndex`]).
    pub index: RuleIndex,
    /// Class ids of `DIGIT_CLASSES`.
    pub digit_class: [u8; DIGIT_CLASSES.len()],
    /// Class id of `WORD_CLASS`.
    pub word_class: u8,
    /// Problems found while reading the data (reported by tests).
    pub problems: Vec<String>,
}

impl Grammar {
    pub fn class_id(&self, name: &str) -> Option<u8> {
        self.class_names
            .iter()
            .position(|n| n == name)
            .map(|i| i as u8)
    }

    fn intern_class(&mut self, name: &str) -> u8 {
        if let Some(i) = self.class_id(name) {
            return i;
        }
        if self.class_names.len() >= 63 {
            self.problems
                .push(format!("too many classes; {name} ignored"));
            return 63;
        }
        self.class_names.push(name.to_string());
        (self.class_names.len() - 1) as u8
    }

    fn word_mut(&mut self, w: &str) -> &mut WordInfo {
        let id = match self.words.get(w) {
            Some(&id) => id,
            None => {
                let id = self.infos.len() as u32;
                self.infos.push(WordInfo::default());
                self.words.insert(w.to_string(), id);
                id
            }
        };
        &mut self.infos[id as usize]
    }

    /// Builds a grammar from the lexicon and rules text.
    pub fn build(lexicon: &'static str, rules: &'static str) -> Grammar {
        let mut g = Grammar {
            class_names: Vec::new(),
            words: Default::default(),
            infos: Vec::new(),
            rules: Vec::new(),
            index: RuleIndex::default(),
            digit_class: [0; DIGIT_CLASSES.len()],
            word_class: 0,
            problems: Vec::new(),
        };
        for (k, name) in DIGIT_CLASSES.iter().enumerate() {
            g.digit_class[k] = g.intern_class(name);
        }
        g.word_class = g.intern_class(WORD_CLASS);
        let mut compound: Option<Vec<&'static str>> = None;
        let mut units: Vec<(&'static str, i64)> = Vec::new();
        let mut tens: Vec<(&'static str, i64)> = Vec::new();
        for (n, line) in lexicon.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((head, words)) = line.split_once(':') else {
                g.problems.push(format!("lexicon line {}: no ':'", n + 1));
                continue;
            };
            let head = head.trim();
            if let Some(seps) = head.strip_prefix("@compound") {
                let _ = seps;
                compound = Some(words.split('|').map(str::trim).collect());
                continue;
            }
            let mut feats = Vec::new();
            let mut cap_only = false;
            let mut mask = 0u64;
            for (k, item) in head.split_whitespace().enumerate() {
                let (c, v) = item.split_once('=').unwrap_or((item, "1"));
                if c == "CAP" {
                    cap_only = true;
                    continue;
                }
                let id = g.intern_class(c);
                if k == 0 {
                    mask = 1u64 << id;
                }
                feats.push(Feature {
                    class: id,
                    value: v,
                });
            }
            let first = head.split_whitespace().next().unwrap_or("");
            let first_val = first.split_once('=').map(|(_, v)| v).unwrap_or("1");
            for w in words.split('|').map(str::trim).filter(|w| !w.is_empty()) {
                if first.starts_with("NUM=") && feats.len() == 1 {
                    if let Ok(v) = first_val.parse::<i64>() {
                        if (1..10).contains(&v) {
                            units.push((w, v));
                        } else if (20..100).contains(&v) && v % 10 == 0 {
                            tens.push((w, v));
                        }
                    }
                }
                g.word_mut(w).entries.push((mask, feats.clone(), cap_only));
            }
        }
        // Dutch-style compound numbers: "vier" + "en" + "twintig".
        if let Some(seps) = compound {
            let num = g.intern_class("NUM");
            for &(u, uv) in &units {
                for &(t, tv) in &tens {
                    for sep in &seps {
                        let w: &'static str = Box::leak(format!("{u}{sep}{t}").into_boxed_str());
                        let v: &'static str = Box::leak((uv + tv).to_string().into_boxed_str());
                        g.word_mut(w).entries.push((
                            1u64 << num,
                            vec![Feature {
                                class: num,
                                value: v,
                            }],
                            false,
                        ));
                    }
                }
            }
        }
        let mut lits: HashMap<String, u32> = HashMap::new();
        for (n, line) in rules.lines().enumerate() {
            let line = line.split(" #").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((head, pattern)) = line.split_once(": ") else {
                g.problems.push(format!("rules line {}: no ': '", n + 1));
                continue;
            };
            let mut head_items = head.split_whitespace();
            let kind = match head_items.next() {
                Some("NONE") => None,
                Some(k) if super::TimexType::parse(k).is_some() => super::TimexType::parse(k),
                _ => {
                    g.problems
                        .push(format!("rules line {}: unknown type", n + 1));
                    continue;
                }
            };
            let mut extra = Vec::new();
            for item in head_items {
                let (c, v) = item.split_once('=').unwrap_or((item, "1"));
                let id = g.intern_class(c);
                extra.push(Feature {
                    class: id,
                    value: leak(v),
                });
            }
            let (lead_context, pattern) = match pattern.split_once(" << ") {
                Some((c, p)) => (c, p),
                None => ("", pattern),
            };
            let (pattern, context) = match pattern.split_once(" >> ") {
                Some((p, c)) => (p, c),
                None => (pattern, ""),
            };
            let (Some(mut lead_atoms), Some(trail_atoms)) = (
                parse_context(&mut g, &mut lits, lead_context, n),
                parse_context(&mut g, &mut lits, context, n),
            ) else {
                continue;
            };
            let (Some(lead), Some(trail)) = (fixed_len(&lead_atoms), fixed_len(&trail_atoms))
            else {
                g.problems.push(format!(
                    "rules line {}: the context before ' << ' and after ' >> ' must be single words",
                    n + 1
                ));
                continue;
            };
            let parts: Vec<&str> = split_pattern(pattern);
            let mut pos = 0;
            match parse_seq(&mut g, &mut lits, &parts, &mut pos) {
                Ok(alts) if pos == parts.len() && alts.len() == 1 => {
                    let atoms = alts.into_iter().next().unwrap_or_default();
                    if (trail > 0 || lead > 0) && min_len(&atoms) == 0 {
                        g.problems
                            .push(format!("rules line {}: empty pattern", n + 1));
                        continue;
                    }
                    lead_atoms.extend(atoms);
                    lead_atoms.extend(trail_atoms);
                    let atoms = lead_atoms;
                    let mut rule = Rule {
                        kind,
                        extra,
                        atoms,
                        first_classes: 0,
                        first_lits: Vec::new(),
                        min_len: 0,
                        starts: Vec::new(),
                        trail,
                        lead,
                        line: n + 1,
                    };
                    rule.min_len = min_len(&rule.atoms);
                    rule.starts = starts(&rule.atoms, g.word_class);
                    // The first set is the union of the ways to begin.
                    for s in &rule.starts {
                        rule.first_classes |= s.classes;
                        rule.first_lits.extend_from_slice(&s.lits);
                    }
                    if rule.first_classes & (1u64 << g.word_class) != 0 {
                        g.problems.push(format!(
                            "rules line {}: {WORD_CLASS} cannot start a rule",
                            n + 1
                        ));
                    } else if rule.atoms.is_empty() {
                        g.problems
                            .push(format!("rules line {}: empty pattern", n + 1));
                    } else {
                        g.rules.push(rule);
                    }
                }
                Ok(_) => g
                    .problems
                    .push(format!("rules line {}: unbalanced pattern", n + 1)),
                Err(e) => g.problems.push(format!("rules line {}: {e}", n + 1)),
            }
        }
        g.index = RuleIndex::new(&g.rules, lits.len());
        for (w, id) in lits {
            g.word_mut(&w).lit = Some(id);
        }
        g
    }

    /// Looks up every token's word entry.
    pub fn lookup(&self, toks: &mut [Tok], lower: &str) {
        for t in toks.iter_mut() {
            // Numbers are words only where a rule names them ("1/2" in "2 1/2 years").
            if t.digits && t.lo.1 - t.lo.0 > 1 {
                continue;
            }
            let w = &lower[t.lo.0 as usize..t.lo.1 as usize];
            t.word = self.words.get(w).copied().unwrap_or(u32::MAX);
        }
    }

    /// The classes of a token, with their features, calling `f(class mask, features)`.
    pub fn token_classes(&self, t: &Tok, lower: &str) -> u64 {
        let mut mask = 0;
        if t.grouped {
            // as long as a plain number may be (`digit_mask`)
            if t.lo.1 - t.lo.0 <= 9 {
                mask |= 1u64 << self.digit_class[0];
            }
        } else if t.digits {
            let s = &lower[t.lo.0 as usize..t.lo.1 as usize];
            mask |= self.digit_mask(s);
        }
        if t.word != u32::MAX {
            for (m, _, cap_only) in &self.infos[t.word as usize].entries {
                if !*cap_only || t.cap {
                    mask |= m;
                }
            }
        }
        mask
    }

    fn digit_mask(&self, s: &str) -> u64 {
        let dc = &self.digit_class;
        let len = s.len();
        if len > 9 {
            return 0;
        }
        let v: i64 = s.parse().unwrap_or(-1);
        let mut m = 1u64 << dc[0];
        if len == 4 && (1000..=2199).contains(&v) {
            m |= 1 << dc[1];
        }
        if len == 2 {
            m |= 1 << dc[2];
        }
        if len <= 2 && (1..=31).contains(&v) {
            m |= 1 << dc[3];
        }
        if len <= 2 && (1..=12).contains(&v) {
            m |= 1 << dc[4];
        }
        if len <= 2 && (0..=24).contains(&v) {
            m |= 1 << dc[5];
        }
        if len == 2 && (0..=59).contains(&v) {
            m |= 1 << dc[6];
        }
        if len == 4 && (1800..=2099).contains(&v) {
            m |= 1 << dc[7];
        }
        // a clock time in four digits ("1400 GMT")
        if len == 4 && v / 100 <= 23 && v % 100 <= 59 {
            m |= 1 << dc[8];
        }
        m
    }

    /// Tries every rule at token `i`; returns the longest match (end token exclusive,
    /// rule index, captures).
    pub fn match_at(
        &self,
        toks: &[Tok],
        masks: &[u64],
        lower: &str,
        i: usize,
        caps: &mut Vec<Cap>,
        best: &mut Vec<Cap>,
    ) -> Option<(usize, usize)> {
        self.match_rules(toks, masks, lower, i, caps, best, false)
    }

    /// [`Grammar::match_at`] trying every rule whose first set fits, without the index
    /// or the test of the next token (tests compare the two).
    #[cfg(test)]
    pub fn match_at_plain(
        &self,
        toks: &[Tok],
        masks: &[u64],
        lower: &str,
        i: usize,
        caps: &mut Vec<Cap>,
        best: &mut Vec<Cap>,
    ) -> Option<(usize, usize)> {
        self.match_rules(toks, masks, lower, i, caps, best, true)
    }

    #[allow(clippy::too_many_arguments)]
    fn match_rules(
        &self,
        toks: &[Tok],
        masks: &[u64],
        lower: &str,
        i: usize,
        caps: &mut Vec<Cap>,
        best: &mut Vec<Cap>,
        plain: bool,
    ) -> Option<(usize, usize)> {
        let m = masks[i];
        let lit = if toks[i].word != u32::MAX {
            self.infos[toks[i].word as usize].lit
        } else {
            None
        };
        let mut best_end = 0usize;
        let mut best_len = 0usize;
        let mut best_rule = usize::MAX;
        // A match does not run on into a new line that starts with a capital (a heading,
        // a dateline, the next sentence of line-per-sentence text).
        let window = toks.len().min(i + 32);
        let limit = (i + 1..window)
            .find(|&j| toks[j].line_before && toks[j].cap)
            .unwrap_or(window);
        let (toks, masks) = (&toks[..limit], &masks[..limit]);
        // A token that is neither in a class nor a literal ends every match: when the next
        // one is such, only one-token rules can match ("the" before an ordinary noun).
        let next_live = toks.get(i + 1).is_some_and(|t| {
            masks[i + 1] != 0 || (t.word != u32::MAX && self.infos[t.word as usize].lit.is_some())
        });
        // One buffer for every rule's best captures (emptied per rule), not one allocation
        // per rule tried.
        let mut local_caps = Vec::new();
        let next_lit = toks
            .get(i + 1)
            .filter(|t| t.word != u32::MAX)
            .and_then(|t| self.infos[t.word as usize].lit);
        let next_mask = masks.get(i + 1).copied().unwrap_or(0);
        let all = plain.then(|| {
            (0..self.rules.len()).filter(|&r| {
                let rule = &self.rules[r];
                (rule.first_classes & m != 0 || lit.is_some_and(|l| rule.first_lits.contains(&l)))
                    && (rule.min_len <= 1 || next_live)
            })
        });
        let fast = (!plain).then(|| {
            self.index.candidates(m, lit, next_live).filter(|&r| {
                self.rules[r].starts.iter().any(|s| {
                    (s.classes & m != 0 || lit.is_some_and(|x| s.lits.contains(&x)))
                        && (s.may_end
                            || s.next_classes & next_mask != 0
                            || next_lit.is_some_and(|x| s.next_lits.contains(&x)))
                })
            })
        });
        for r in all.into_iter().flatten().chain(fast.into_iter().flatten()) {
            let rule = &self.rules[r];
            caps.clear();
            let mut local_best = 0usize;
            local_caps.clear();
            let mut cx = Cx {
                g: self,
                toks,
                masks,
                lower,
                caps,
                best_end: &mut local_best,
                best_caps: &mut local_caps,
            };
            cx.seq(&rule.atoms, 0, i, false, &mut |_, _| true);
            // The longest match wins, counting the context after it; the extent leaves the
            // context out.
            if local_best > best_len {
                best_len = local_best;
                best_end = local_best - rule.trail;
                best_rule = r;
                best.clear();
                best.extend_from_slice(&local_caps);
            }
        }
        (best_rule != usize::MAX).then_some((best_end, best_rule))
    }

    /// The features a token brings when it matches `class`.
    fn features(&self, t: &Tok, lower: &str, class: u8, tok_index: u32, out: &mut Vec<Cap>) {
        if t.digits && self.digit_class.contains(&class) {
            let s = &lower[t.lo.0 as usize..t.lo.1 as usize];
            // Digit values are read back from the token text when the frame is built.
            out.push(Cap {
                feature: Feature { class, value: "" },
                tok: tok_index,
            });
            let _ = s;
            return;
        }
        if t.word != u32::MAX {
            for (m, feats, cap_only) in &self.infos[t.word as usize].entries {
                if m & (1u64 << class) != 0 && (!*cap_only || t.cap) {
                    for f in feats {
                        out.push(Cap {
                            feature: *f,
                            tok: tok_index,
                        });
                    }
                    return;
                }
            }
        }
    }
}

/// The rules that can start at a token, looked up by its classes and literal instead of
/// testing every rule's first set: most tokens start a handful of the hundreds of rules.
#[derive(Debug, Default)]
pub(crate) struct RuleIndex {
    /// `u64` words per bit set (one bit per rule).
    words: usize,
    /// Per class (64), the rules whose first set has it.
    by_class: Vec<u64>,
    /// Per literal id, the rules whose first set has it.
    by_lit: Vec<u64>,
    /// The rules that take more than one token.
    multi: Vec<u64>,
}

impl RuleIndex {
    fn new(rules: &[Rule], lits: usize) -> RuleIndex {
        let words = rules.len().div_ceil(64);
        let mut ix = RuleIndex {
            words,
            by_class: vec![0; 64 * words],
            by_lit: vec![0; lits * words],
            multi: vec![0; words],
        };
        for (r, rule) in rules.iter().enumerate() {
            let (w, bit) = (r / 64, 1u64 << (r % 64));
            for c in 0..64 {
                if rule.first_classes & (1u64 << c) != 0 {
                    ix.by_class[c * words + w] |= bit;
                }
            }
            for &l in &rule.first_lits {
                ix.by_lit[l as usize * words + w] |= bit;
            }
            if rule.min_len > 1 {
                ix.multi[w] |= bit;
            }
        }
        ix
    }

    /// In order, the rules that can match at a token of classes `mask` and literal `lit`:
    /// those whose first set has one of them, and only one-token rules unless
    /// `next_live`.
    pub(crate) fn candidates(
        &self,
        mask: u64,
        lit: Option<u32>,
        next_live: bool,
    ) -> impl Iterator<Item = usize> + '_ {
        (0..self.words).flat_map(move |w| {
            let mut set = lit.map_or(0, |l| self.by_lit[l as usize * self.words + w]);
            let mut m = mask;
            while m != 0 {
                let c = m.trailing_zeros() as usize;
                set |= self.by_class[c * self.words + w];
                m &= m - 1;
            }
            if !next_live {
                set &= !self.multi[w];
            }
            std::iter::from_fn(move || {
                (set != 0).then(|| {
                    let b = set.trailing_zeros() as usize;
                    set &= set - 1;
                    w * 64 + b
                })
            })
        })
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

struct Cx<'a> {
    g: &'a Grammar,
    toks: &'a [Tok],
    masks: &'a [u64],
    lower: &'a str,
    caps: &'a mut Vec<Cap>,
    best_end: &'a mut usize,
    best_caps: &'a mut Vec<Cap>,
}

impl Cx<'_> {
    /// Matches `atoms[k..]` from token `pos`; `cont` is called at the end of the
    /// sequence (for groups) and decides whether to go on.
    fn seq(
        &mut self,
        atoms: &[Atom],
        k: usize,
        pos: usize,
        in_group: bool,
        cont: &mut dyn FnMut(&mut Self, usize) -> bool,
    ) {
        if k == atoms.len() {
            if in_group {
                cont(self, pos);
            } else if pos > *self.best_end {
                *self.best_end = pos;
                self.best_caps.clear();
                self.best_caps.extend_from_slice(self.caps);
            }
            return;
        }
        let atom = &atoms[k];
        let min = matches!(atom.quant, Quant::One | Quant::Plus) as usize;
        let max = if matches!(atom.quant, Quant::Plus | Quant::Star) {
            8
        } else {
            1
        };
        self.rep(atoms, k, pos, 0, min, max, in_group, cont);
    }

    #[allow(clippy::too_many_arguments)]
    fn rep(
        &mut self,
        atoms: &[Atom],
        k: usize,
        pos: usize,
        count: usize,
        min: usize,
        max: usize,
        in_group: bool,
        cont: &mut dyn FnMut(&mut Self, usize) -> bool,
    ) {
        let atom = &atoms[k];
        // Greedy: try one more repetition first.
        if count < max && pos < self.toks.len() {
            let t = &self.toks[pos];
            let attached_ok = !atom.attached || !t.space_before;
            if attached_ok {
                match &atom.kind {
                    AtomKind::Class(c) => {
                        let word = *c == self.g.word_class
                            && self.lower[t.lo.0 as usize..t.lo.1 as usize]
                                .chars()
                                .next()
                                .is_some_and(char::is_alphabetic);
                        if word || self.masks[pos] & (1u64 << c) != 0 {
                            let mark = self.caps.len();
                            self.g.features(t, self.lower, *c, pos as u32, self.caps);
                            self.rep(atoms, k, pos + 1, count + 1, min, max, in_group, cont);
                            self.caps.truncate(mark);
                        }
                    }
                    AtomKind::Lit(l) => {
                        if t.word != u32::MAX && self.g.infos[t.word as usize].lit == Some(*l) {
                            self.rep(atoms, k, pos + 1, count + 1, min, max, in_group, cont);
                        }
                    }
                    AtomKind::Group(alts) => {
                        for alt in alts {
                            let mark = self.caps.len();
                            let mut after = |cx: &mut Self, p: usize| {
                                if p > pos {
                                    cx.rep(atoms, k, p, count + 1, min, max, in_group, cont);
                                }
                                true
                            };
                            self.seq(alt, 0, pos, true, &mut after);
                            self.caps.truncate(mark);
                        }
                    }
                }
            }
        }
        if count >= min {
            self.seq(atoms, k + 1, pos, in_group, cont);
        }
    }
}

/// The number of tokens a pattern of single words (classes, one-token literals, groups
/// of them) takes, or `None` when it can vary.
fn fixed_len(atoms: &[Atom]) -> Option<usize> {
    let mut n = 0;
    for a in atoms {
        if !matches!(a.quant, Quant::One) {
            return None;
        }
        if let AtomKind::Group(alts) = &a.kind {
            if alts
                .iter()
                .any(|alt| alt.len() != 1 || fixed_len(alt) != Some(1))
            {
                return None;
            }
        }
        n += 1;
    }
    Some(n)
}

/// The atoms of a rule's context (before ` << ` or after ` >> `); `None` after reporting
/// a problem.
fn parse_context(
    g: &mut Grammar,
    lits: &mut HashMap<String, u32>,
    context: &str,
    line: usize,
) -> Option<Vec<Atom>> {
    if context.is_empty() {
        return Some(Vec::new());
    }
    let parts: Vec<&str> = split_pattern(context);
    let mut pos = 0;
    match parse_seq(g, lits, &parts, &mut pos) {
        Ok(alts) if pos == parts.len() && alts.len() == 1 => alts.into_iter().next(),
        _ => {
            g.problems
                .push(format!("rules line {}: bad context", line + 1));
            None
        }
    }
}

fn split_pattern(p: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in p.split_whitespace() {
        let mut rest = part;
        // Opening parens (with a possible ~ before) become their own items; "\(" is the
        // literal parenthesis.
        loop {
            if let Some(r) = rest.strip_prefix('(') {
                out.push("(");
                rest = r;
            } else if let Some(r) = rest.strip_prefix("~(") {
                out.push("~(");
                rest = r;
            } else {
                break;
            }
        }
        if rest.is_empty() {
            continue;
        }
        // Closing parens with quantifiers at the end.
        let mut tail = Vec::new();
        loop {
            let (head, q) = if let Some(h) = rest.strip_suffix(")?") {
                (h, ")?")
            } else if let Some(h) = rest.strip_suffix(")+") {
                (h, ")+")
            } else if let Some(h) = rest.strip_suffix(")*") {
                (h, ")*")
            } else if let Some(h) = rest.strip_suffix(')') {
                (h, ")")
            } else {
                break;
            };
            // "\)" is the literal parenthesis, not the end of a group.
            if head.ends_with('\\') {
                break;
            }
            tail.push(q);
            rest = head;
        }
        if !rest.is_empty() {
            out.push(rest);
        }
        out.extend(tail.into_iter().rev());
    }
    out
}

fn parse_seq(
    g: &mut Grammar,
    lits: &mut HashMap<String, u32>,
    parts: &[&str],
    pos: &mut usize,
) -> Result<Vec<Vec<Atom>>, String> {
    let mut alts = vec![Vec::new()];
    while *pos < parts.len() {
        let p = parts[*pos];
        if p.starts_with(')') {
            return Ok(alts);
        }
        *pos += 1;
        if p == "|" {
            alts.push(Vec::new());
            continue;
        }
        let cur = alts.last_mut().ok_or("internal")?;
        if p == "(" || p == "~(" {
            let inner = parse_seq(g, lits, parts, pos)?;
            let close = parts.get(*pos).ok_or("missing ')'")?;
            *pos += 1;
            let quant = match *close {
                ")?" => Quant::Opt,
                ")+" => Quant::Plus,
                ")*" => Quant::Star,
                _ => Quant::One,
            };
            cur.push(Atom {
                kind: AtomKind::Group(inner),
                attached: p == "~(",
                quant,
            });
            continue;
        }
        let (attached, body) = match p.strip_prefix('~') {
            Some(b) if !b.is_empty() => (true, b),
            _ => (false, p),
        };
        let (body, quant) = match body.as_bytes().last() {
            Some(b'?') if body.len() > 1 => (&body[..body.len() - 1], Quant::Opt),
            Some(b'+') if body.len() > 1 => (&body[..body.len() - 1], Quant::Plus),
            Some(b'*') if body.len() > 1 => (&body[..body.len() - 1], Quant::Star),
            _ => (body, Quant::One),
        };
        // A one-letter class ("A" for "a"/"an") is a class too: literals are lower case.
        let is_class = body.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
            && body
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if is_class {
            let id = g.intern_class(body);
            cur.push(Atom {
                kind: AtomKind::Class(id),
                attached,
                quant,
            });
        } else {
            // A literal may be several tokens ("a.m."): they are attached to each other.
            let body = body.strip_prefix('\\').unwrap_or(body);
            let mut toks = Vec::new();
            let mut lower = String::new();
            tokenize(body, &mut toks, &mut lower);
            if toks.is_empty() {
                return Err(format!("empty literal {p:?}"));
            }
            let mut seq = Vec::new();
            for (k, t) in toks.iter().enumerate() {
                let w = lower[t.lo.0 as usize..t.lo.1 as usize].to_string();
                let n = lits.len() as u32;
                let id = *lits.entry(w).or_insert(n);
                seq.push(Atom {
                    kind: AtomKind::Lit(id),
                    attached: if k == 0 { attached } else { true },
                    quant: Quant::One,
                });
            }
            if seq.len() == 1 {
                let mut a = seq.pop().ok_or("internal")?;
                a.quant = quant;
                cur.push(a);
            } else {
                cur.push(Atom {
                    kind: AtomKind::Group(vec![seq]),
                    attached: false,
                    quant,
                });
            }
        }
    }
    Ok(alts)
}

/// The fewest tokens a match of `atoms` takes.
fn min_len(atoms: &[Atom]) -> usize {
    atoms
        .iter()
        .map(|a| {
            let one = match &a.kind {
                AtomKind::Class(_) | AtomKind::Lit(_) => 1,
                AtomKind::Group(alts) => alts.iter().map(|alt| min_len(alt)).min().unwrap_or(0),
            };
            match a.quant {
                Quant::One | Quant::Plus => one,
                Quant::Opt | Quant::Star => 0,
            }
        })
        .sum()
}

/// A way a rule's match can begin: the classes and literals of its first token, and
/// those of the token after it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Start {
    pub classes: u64,
    pub lits: Vec<u32>,
    pub next_classes: u64,
    pub next_lits: Vec<u32>,
    /// The match may end after the first token, or the next may be any word (`WORD`),
    /// so the next token is not tested.
    pub may_end: bool,
}

/// One class or literal atom of a rule, numbered in the order it is met.
#[derive(Clone, Copy)]
enum Leaf {
    Class(u8),
    Lit(u32),
}

/// The ways a match of `atoms` can begin: for each atom that can take the first token,
/// the atoms that can take the second (the first and follow sets of the pattern's
/// position automaton). Starts that allow the same next tokens are merged.
fn starts(atoms: &[Atom], word_class: u8) -> Vec<Start> {
    let mut leaves = Vec::new();
    let mut follow: Vec<Vec<usize>> = Vec::new();
    let (_, first, last) = positions_seq(atoms, &mut leaves, &mut follow);
    let mut out: Vec<Start> = Vec::new();
    for &p in &first {
        let mut s = Start {
            classes: 0,
            lits: Vec::new(),
            next_classes: 0,
            next_lits: Vec::new(),
            may_end: last.contains(&p),
        };
        match leaves[p] {
            Leaf::Class(c) => s.classes = 1u64 << c,
            Leaf::Lit(l) => s.lits.push(l),
        }
        for &q in &follow[p] {
            match leaves[q] {
                Leaf::Class(c) if c == word_class => s.may_end = true,
                Leaf::Class(c) => s.next_classes |= 1u64 << c,
                Leaf::Lit(l) => {
                    if !s.next_lits.contains(&l) {
                        s.next_lits.push(l);
                    }
                }
            }
        }
        s.next_lits.sort_unstable();
        match out.iter_mut().find(|o| {
            o.next_classes == s.next_classes && o.next_lits == s.next_lits && o.may_end == s.may_end
        }) {
            Some(o) => {
                o.classes |= s.classes;
                o.lits.extend(s.lits);
            }
            None => out.push(s),
        }
    }
    out
}

/// Whether `atoms` can match nothing, and the positions (leaves) that can take its first
/// and its last token; `follow[p]` gets the positions that can come right after `p`.
fn positions_seq(
    atoms: &[Atom],
    leaves: &mut Vec<Leaf>,
    follow: &mut Vec<Vec<usize>>,
) -> (bool, Vec<usize>, Vec<usize>) {
    let (mut nullable, mut first, mut last): (bool, Vec<usize>, Vec<usize>) =
        (true, Vec::new(), Vec::new());
    for a in atoms {
        let (n, f, l) = positions_atom(a, leaves, follow);
        for &p in &last {
            follow[p].extend_from_slice(&f);
        }
        if nullable {
            first.extend_from_slice(&f);
        }
        if n {
            last.extend(l);
        } else {
            last = l;
        }
        nullable &= n;
    }
    (nullable, first, last)
}

fn positions_atom(
    a: &Atom,
    leaves: &mut Vec<Leaf>,
    follow: &mut Vec<Vec<usize>>,
) -> (bool, Vec<usize>, Vec<usize>) {
    let (mut nullable, first, last) = match &a.kind {
        AtomKind::Class(_) | AtomKind::Lit(_) => {
            leaves.push(match a.kind {
                AtomKind::Class(c) => Leaf::Class(c),
                AtomKind::Lit(l) => Leaf::Lit(l),
                AtomKind::Group(_) => unreachable!(),
            });
            follow.push(Vec::new());
            let p = leaves.len() - 1;
            (false, vec![p], vec![p])
        }
        AtomKind::Group(alts) => {
            let (mut n, mut f, mut l) = (false, Vec::new(), Vec::new());
            for alt in alts {
                let (n2, f2, l2) = positions_seq(alt, leaves, follow);
                n |= n2;
                f.extend(f2);
                l.extend(l2);
            }
            (n, f, l)
        }
    };
    if matches!(a.quant, Quant::Plus | Quant::Star) {
        for &p in &last {
            follow[p].extend_from_slice(&first);
        }
    }
    nullable |= matches!(a.quant, Quant::Opt | Quant::Star);
    (nullable, first, last)
}
