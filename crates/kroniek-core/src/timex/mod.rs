//! Time expressions: recognition and TIMEX3 normalisation, with the calendar interval
//! every expression can denote given how precisely the publication date is known.
//!
//! Recognition is data: `resources/<lang>/timex_lexicon.txt` (words and what they mean)
//! and `resources/<lang>/timex_rules.txt` (patterns over word classes), compiled once into
//! an immutable grammar per language. Normalisation is shared code: a match becomes a
//! *frame* (year, month, weekday, unit, direction, modifier, …) that is resolved against
//! the publication date. A date known only to the month is resolved against its first and
//! its last day; what differs between the two becomes `X` in the value, while the interval
//! `[earliest, latest]` spans both.
//!
//! ```
//! use kroniek_core::{timex, Lang, PubDate};
//!
//! let found = timex::tag("Hij zei afgelopen woensdag dat het klaar was.", Lang::NL, PubDate::parse("2019-02").unwrap());
//! assert_eq!(found[0].value, "2019-WXX-3");
//! assert_eq!(found[0].earliest.unwrap().to_string(), "2019-01-30");
//! assert_eq!(found[0].latest.unwrap().to_string(), "2019-02-27");
//! ```

mod calendar;
mod grammar;

use std::fmt;
use std::sync::OnceLock;

pub use jiff::civil::Date;

use crate::document::PubDate;
use crate::lang::Lang;
use crate::resources;
use crate::span::Span;
use calendar::{add_days, add_months, easter, merge_values, narrow, weekday_num, ymd, G};
use grammar::{Cap, Grammar, Tok};

/// The TIMEX3 type of a time expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimexType {
    /// A calendar date or period: `3 november 2016`, `vorig jaar`.
    Date,
    /// A time of day: `10:30`, `Friday morning`.
    Time,
    /// A length of time: `18 maanden`, `for three weeks`.
    Duration,
    /// A recurring time: `elke week`, `daily`.
    Set,
}

impl TimexType {
    /// `DATE`, `TIME`, `DURATION` or `SET`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimexType::Date => "DATE",
            TimexType::Time => "TIME",
            TimexType::Duration => "DURATION",
            TimexType::Set => "SET",
        }
    }

    /// Parses the upper-case TIMEX3 name.
    pub fn parse(s: &str) -> Option<TimexType> {
        match s {
            "DATE" => Some(TimexType::Date),
            "TIME" => Some(TimexType::Time),
            "DURATION" => Some(TimexType::Duration),
            "SET" => Some(TimexType::Set),
            _ => None,
        }
    }
}

impl fmt::Display for TimexType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalised time expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timex {
    /// Where in the text (bytes).
    pub span: Span,
    /// TIMEX3 type.
    pub kind: TimexType,
    /// TIMEX3 value (`2016-11-03`, `2019-WXX-3`, `P18M`, `PRESENT_REF`), never more precise
    /// than the publication date allows.
    pub value: String,
    /// TIMEX3 `mod` (`START`, `MID`, `END`, `APPROX`, `BEFORE`, `AFTER`, …).
    pub modifier: Option<&'static str>,
    /// The first day the expression can denote, when known.
    pub earliest: Option<Date>,
    /// The last day the expression can denote, when known.
    pub latest: Option<Date>,
}

struct Compiled {
    lang: Lang,
    grammar: Grammar,
    fields: Vec<Field>,
    fut: u64,
    /// Future cues that count only before the expression (`FUTBEFORE`: "ahead of the
    /// weekend", while "Friday ahead of the vote" says nothing about Friday).
    fut_before: u64,
    /// Past cues that count only before the expression (`PASTBEFORE`: "since May";
    /// after it, "May since they have not settled" is "because").
    past_before: u64,
    past: u64,
    /// Words after which a past cue is a participle (`PASSIVE`: "will be held Tuesday",
    /// "would be paid in January" say nothing of the past).
    passive: u64,
    /// Endings of past-tense verbs (`PASTSUFFIX` in the lexicon): such a verb right after
    /// the expression is a past cue ("Boeing on Tuesday delivered the final jet").
    past_suffixes: Vec<String>,
    stop: Option<u32>,
    /// Words that join a clock time to the date after it (`LINK=DATE`: "at 10 a.m. on
    /// Tuesday"); a comma joins as well.
    date_link: Vec<u32>,
    /// Words between the clock times of a range (`LINK=RANGE`: "from noon to 3 p.m. on
    /// Sunday", "tussen 14.00 en 16.00 uur op donderdag"): all take the date after the
    /// last.
    range_link: Vec<u32>,
    /// Words that begin a new clause (`LINK=CLAUSE`: "that", "which"): a year named before one
    /// does not give its year to a month after it.
    clause: Vec<u32>,
    comma: Option<u32>,
    /// Tense read from the finite verb beside a bare weekday, month, quarter or half
    /// (Dutch); `None` for a language whose lexicon has no such data.
    verb: Option<VerbCues>,
}

/// The lexicon's data for reading tense from the verb next to a weekday (or a month,
/// quarter or half) when no cue word says it: "Het kabinet beslist vrijdag" and "Vrijdag
/// wordt beslist" are the coming Friday, "is vrijdag overleden" the last one. Words of
/// class `VERB` carry their role as value, affixes of class `AFFIX` theirs (one class
/// each, as a grammar has at most 63).
struct VerbCues {
    verb: u64,
    /// Articles: the word after one is a noun, not a verb (`DET`).
    det: u64,
    /// Endings of present forms (`AFFIX=PRESSUF`: "beslist", "neemt").
    pres_suffixes: Vec<String>,
    /// Endings of past forms (`AFFIX=PASTSUF`: "besliste", "opende"); none in English,
    /// where "-ed" before a day is as often a participle or an advance story's past.
    past_suffixes: Vec<String>,
    /// Beginnings of participles (`AFFIX=PARTPRE` and `PARTGE`: "ver", "ge"), after an
    /// optional separable particle (`AFFIX=PARTICLE`: "aangekondigd", "bekendgemaakt").
    part_prefixes: Vec<String>,
    /// The participle prefix proper (`AFFIX=PARTGE`: "ge"), after which a -t ending is
    /// the participle's whatever the stem ("gezet"); `PARTPRE` prefixes ("be", "ver")
    /// also begin present forms ("vertelt").
    ge_prefixes: Vec<String>,
    particles: Vec<String>,
    /// Endings of plural present forms (`AFFIX=PRESPL`: "gelden", "rijden"), read only
    /// in the verb slot right after a sentence-opening expression, where an infinitive
    /// or a plural noun cannot stand; endings that also make past plurals
    /// (`AFFIX=PASTPL`: "speelden", "werkten") give no reading.
    plural_suffixes: Vec<String>,
    past_plural_suffixes: Vec<String>,
    /// Numbers (`NUM`): the word after one is a noun ("twee prijzen").
    num: u64,
}

/// The role of a word of class `VERB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VerbRole {
    /// A present form that puts the day ahead (`PRES`: "wordt", "komt").
    Present,
    /// An auxiliary of the perfect (`PERFAUX`: "is", "heeft"): past when a participle
    /// follows in the sentence, else present.
    PerfectAux,
    /// Says nothing of the time (`NOTENSE`: reporting "zegt" is used of yesterday's
    /// statement as well).
    NoTense,
    /// Shaped like a participle but is none (`NOTPART`: "gewoon").
    NotParticiple,
    /// Stands between verb and expression (`PREP`: "tot", "op").
    Preposition,
    /// Ends a preposition that opens the sentence, but does not link a verb before it
    /// to the expression (`OPENPREP`: "Met ingang van 1 januari", while in "het einde
    /// van mei" "einde" is no verb).
    OpeningPreposition,
}

static GRAMMARS: OnceLock<Vec<Compiled>> = OnceLock::new();

fn grammars() -> &'static [Compiled] {
    GRAMMARS.get_or_init(|| {
        let mut out = Vec::new();
        for lang in resources::languages() {
            let (Some(lex), Some(rules)) = (
                resources::text(lang, "timex_lexicon.txt"),
                resources::text(lang, "timex_rules.txt"),
            ) else {
                continue;
            };
            let grammar = Grammar::build(lex, rules);
            let fields = grammar.class_names.iter().map(|n| Field::of(n)).collect();
            let mask = |name: &str| grammar.class_id(name).map(|c| 1u64 << c).unwrap_or(0);
            let fut = mask("FUT");
            let fut_before = mask("FUTBEFORE");
            let past_before = mask("PASTBEFORE");
            let past = mask("PAST");
            let passive = mask("PASSIVE");
            let stop = grammar.words.get(".").copied();
            // Link words, one class (`LINK`) with the kind as value, as a grammar has at
            // most 63 classes.
            let link = |value| word_ids(&grammar, mask("LINK"), value);
            let (date_link, range_link, clause) = (link("DATE"), link("RANGE"), link("CLAUSE"));
            let comma = grammar.words.get(",").copied();
            let past_suffixes = words_of(&grammar, mask("PASTSUFFIX"), None);
            let verb = grammar.class_id("VERB").map(|id| {
                let affix = |value| words_of(&grammar, mask("AFFIX"), Some(value));
                let ge_prefixes = affix("PARTGE");
                VerbCues {
                    verb: 1u64 << id,
                    det: mask("DET"),
                    pres_suffixes: affix("PRESSUF"),
                    past_suffixes: affix("PASTSUF"),
                    part_prefixes: [affix("PARTPRE"), ge_prefixes.clone()].concat(),
                    ge_prefixes,
                    particles: affix("PARTICLE"),
                    plural_suffixes: affix("PRESPL"),
                    past_plural_suffixes: affix("PASTPL"),
                    num: mask("NUM"),
                }
            });
            out.push(Compiled {
                lang,
                grammar,
                fields,
                fut,
                fut_before,
                past_before,
                past,
                passive,
                past_suffixes,
                stop,
                date_link,
                range_link,
                clause,
                comma,
                verb,
            });
        }
        out
    })
}

/// The lexicon words of a class (suffixes, prefixes), with the given value if one is
/// given, sorted.
fn words_of(grammar: &Grammar, class: u64, value: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = grammar
        .words
        .iter()
        .filter(|(_, &id)| {
            grammar.infos[id as usize]
                .entries
                .iter()
                .any(|e| e.0 & class != 0 && value.is_none_or(|v| e.1.iter().any(|f| f.value == v)))
        })
        .map(|(w, _)| w.clone())
        .collect();
    out.sort();
    out
}

/// The ids of the lexicon words of a class with the given value.
fn word_ids(grammar: &Grammar, class: u64, value: &str) -> Vec<u32> {
    words_of(grammar, class, Some(value))
        .iter()
        .filter_map(|w| grammar.words.get(w).copied())
        .collect()
}

/// Whether time expressions can be tagged in `lang`.
pub fn supports(lang: Lang) -> bool {
    grammars().iter().any(|c| c.lang == lang)
}

/// Problems found in the language's rule and lexicon files (empty when they are fine).
pub fn data_problems(lang: Lang) -> Vec<String> {
    grammars()
        .iter()
        .filter(|c| c.lang == lang)
        .flat_map(|c| c.grammar.problems.clone())
        .collect()
}

/// Finds and normalises the time expressions of `text` in language `lang`, resolved
/// against the publication date `dct`. Returns nothing for a language without time rules.
pub fn tag(text: &str, lang: Lang, dct: PubDate) -> Vec<Timex> {
    let Some(c) = grammars().iter().find(|c| c.lang == lang) else {
        return Vec::new();
    };
    if text.len() >= u32::MAX as usize {
        return Vec::new();
    }
    let g = &c.grammar;
    let mut toks: Vec<Tok> = Vec::with_capacity(text.len() / 5);
    let mut lower = String::with_capacity(text.len());
    grammar::tokenize(text, &mut toks, &mut lower);
    g.lookup(&mut toks, &lower);
    let masks: Vec<u64> = toks.iter().map(|t| g.token_classes(t, &lower)).collect();
    let mut out: Vec<Timex> = Vec::new();
    let mut caps = Vec::new();
    let mut best = Vec::new();
    let mut anchor: Option<G> = None;
    // The last quarter named: "a year earlier" in a quarterly report is that quarter.
    let mut quarter: Option<G> = None;
    // Clock times with no day of their own, while a date may still follow: "at 10 a.m.
    // on Tuesday" is Tuesday's, not the day named before; so are both times of "from
    // noon to 3 p.m. on Sunday". (Index in `out`, last token, frame and type of each.)
    let mut clocks: Vec<(usize, usize, Frame, TimexType)> = Vec::new();
    // Where the last expression ended, when it named a day.
    let mut day_end: Option<usize> = None;
    // The last year named on its own, and where it ended.
    let mut year_named: Option<(usize, i64)> = None;
    // The part of the day the last expression named, and where it ended.
    let mut day_part: Option<(usize, &'static str)> = None;
    // A day number alone that opens a range and has its month from the day that closes it
    // ("tussen 3 en 5 oktober"), or a quarter named by the day after it ("the quarter
    // ended Dec. 31, 2008"): it takes that day's year too. (Index in `out`, last token,
    // frame and type.)
    let mut range_start: Option<(usize, usize, Frame, TimexType)> = None;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if masks[i] == 0 && (t.word == u32::MAX || g.infos[t.word as usize].lit.is_none()) {
            i += 1;
            continue;
        }
        let Some((end, r)) = g.match_at(&toks, &masks, &lower, i, &mut caps, &mut best) else {
            i += 1;
            continue;
        };
        let rule = &g.rules[r];
        let Some(kind) = rule.kind else {
            i = end;
            continue;
        };
        let mut frame = Frame::default();
        for cap in best.iter().chain(
            rule.extra
                .iter()
                .map(|f| Cap {
                    feature: *f,
                    tok: u32::MAX,
                })
                .collect::<Vec<_>>()
                .iter(),
        ) {
            let tok_text = if cap.tok == u32::MAX {
                ""
            } else {
                let tk = &toks[cap.tok as usize];
                &lower[tk.lo.0 as usize..tk.lo.1 as usize]
            };
            frame.set(
                c.fields
                    .get(cap.feature.class as usize)
                    .copied()
                    .unwrap_or(Field::None),
                cap.feature.value,
                tok_text,
            );
        }
        // The extent leaves out the context before ` << ` ("om 9 uur" is "9 uur").
        let first = i + rule.lead;
        if frame.after_clock && clocks.last().is_none_or(|&(_, last, ..)| last != i) {
            i += 1;
            continue;
        }
        // An hour right after a part of the day is in it: "woensdagmiddag rond vier uur"
        // is 16:00, "Tuesday evening at 8" 20:00.
        if let (Some((last, part)), Some(h)) = (day_part, frame.hour) {
            let after_noon = matches!(part, "AF" | "EV") || part == "NI" && h >= 6;
            let near = first <= last + 2
                && (last..first).all(|k| c.stop.is_none_or(|s| toks[k].word != s));
            if frame.pm.is_none() && after_noon && (1..12).contains(&h) && near {
                frame.pm = Some(true);
            }
        }
        let (cue, cue_at) = tense(c, &toks, &masks, &lower, first, end);
        frame.tense = cue;
        if let Some(v) = &c.verb {
            let bare_period = frame.weekday.is_some()
                || frame.month.is_some()
                || frame.season.is_some()
                || matches!(frame.unit, Some("Q" | "HALF")) && frame.ord.is_some();
            if frame.tense <= 0 && bare_period && frame.dir.is_none() && frame.year.is_none() {
                // The verb beside the expression is its clause's own; a cue word past a
                // comma or a clause link is another clause's ("De top begint vrijdag, zei
                // de minister", "zei dat hij vrijdag vertrekt").
                let verb = verb_tense(c, v, &toks, &masks, &lower, first, end);
                let (lo, hi) = if cue_at < first {
                    (cue_at, first)
                } else {
                    (end, cue_at)
                };
                let other_clause = (lo..hi)
                    .any(|k| c.comma == Some(toks[k].word) || c.clause.contains(&toks[k].word));
                if verb != 0 && (frame.tense == 0 || other_clause) {
                    frame.tense = verb;
                }
                frame.past_verb = verb < 0;
            }
        }
        // A month without a year in the clause of a year named before it is in that
        // year ("Het festival vindt dit jaar plaats van 12 tot en met 14 juli", "In 2015
        // he left in March").
        if let Some((year_end, y)) = year_named {
            let same_sentence = (year_end..first).all(|k| {
                c.stop.is_none_or(|s| toks[k].word != s)
                    && c.comma != Some(toks[k].word)
                    && !c.clause.contains(&toks[k].word)
            });
            if frame.month.is_some()
                && frame.year.is_none()
                && frame.year2.is_none()
                && frame.dir.is_none()
                && !frame.anaph
                && same_sentence
            {
                frame.year = Some(y);
            }
        }
        frame.finish();
        // After a quarter was named, "the quarter ended Sept. 29" is that one: a company's
        // fiscal quarters need not be the calendar's (TBAQ: "first quarter ... for the
        // quarter ended Sept. 29").
        if frame.of_day_after && quarter.is_some() {
            frame.of_day_after = false;
            frame.ord = None;
            frame.anaph = true;
        }
        let span = Span::new(toks[first].start as usize, toks[end - 1].end as usize);
        if let Some((tx, resolved)) = normalise(&frame, kind, dct, (anchor, quarter), span) {
            // "For the nine months, ... a year earlier": after a period of several months
            // the report has left the quarter; "a year earlier" is then the year before.
            if tx.kind == TimexType::Duration
                && frame.unit == Some("M")
                && frame.num.is_some_and(|n| n >= 2)
            {
                quarter = None;
            }
            let bare_clock = tx.kind == TimexType::Time && frame.is_bare_clock();
            let ranged = clocks.last().is_some_and(|&(_, last, ..)| {
                first > last
                    && first - last <= 1
                    && (last..first).all(|k| c.range_link.contains(&toks[k].word))
            });
            if let (Some(&(_, last, ..)), Some(day @ G::Day(_))) = (clocks.last(), resolved) {
                // The date after the times ("on Sunday"), or the last time of the range
                // with its own date ("from 9 a.m. to 5 p.m. Friday").
                let timed_day = tx.kind == TimexType::Time && ranged;
                if !bare_clock && (joins(c, &toks, last, first) || timed_day) {
                    for (k, _, f, kind) in clocks.drain(..) {
                        let q = (Some(day), quarter);
                        if let Some((t, _)) = normalise(&f, kind, dct, q, out[k].span) {
                            out[k] = t;
                        }
                    }
                }
            }
            if !(bare_clock && ranged) {
                clocks.clear();
            } else if let (Some(pm), Some(h)) = (frame.pm, frame.hour) {
                // "between 2 and 4 p.m.": the first time is in the same half of the day
                // (not "from 11 to 2 p.m.")
                if let Some((k, _, f, kind)) = clocks.last_mut() {
                    if f.pm.is_none() && f.hour.is_some_and(|h0| h0 <= h) {
                        f.pm = Some(pm);
                        if let Some((t, _)) =
                            normalise(f, *kind, dct, (anchor, quarter), out[*k].span)
                        {
                            out[*k] = t;
                        }
                    }
                }
            }
            // A time right after a day is that day's ("Friday 6:30am - 8:00pm Saturday"
            // in a list of opening hours).
            if bare_clock && day_end != Some(first) {
                clocks.push((out.len(), end, frame.clone(), kind));
            }
            day_end = matches!(resolved, Some(G::Day(_))).then_some(end);
            if let (Some((k, last, mut f, kind)), Some(G::Day(d))) = (range_start.take(), resolved)
            {
                let m = d.month() as i64;
                let same = if f.of_day_after {
                    f.ord == Some((m + 2) / 3)
                } else {
                    f.month == Some(m)
                };
                if first - last <= 3 && same && f.year.is_none() {
                    f.year = Some(d.year() as i64);
                    if let Some((t, _)) = normalise(&f, kind, dct, (anchor, quarter), out[k].span) {
                        out[k] = t;
                    }
                }
            }
            if end == first + 1 && toks[first].digits && frame.month.is_some() || frame.of_day_after
            {
                range_start = Some((out.len(), end, frame.clone(), kind));
            }
            // A year by number ("2015", "3 March 2016") or "this/last year", not "five
            // years after its launch".
            let year_of = match resolved {
                Some(G::Year(y))
                    if frame.unit == Some("Y") && frame.dir.is_some() && frame.num.is_none() =>
                {
                    Some(y as i64)
                }
                Some(g) if frame.year.is_some() => g.start().map(|d| d.year() as i64),
                _ => None,
            };
            if let Some(y) = year_of {
                year_named = Some((end, y));
            }
            day_part = frame
                .part
                .filter(|_| frame.hour.is_none())
                .map(|p| (end, p));
            if resolved.is_some() {
                anchor = resolved;
                if let Some(q @ G::Quarter(..)) = resolved {
                    quarter = Some(q);
                }
            }
            out.push(tx);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a comma or a `LINK=DATE` word ("on", "op"), one or two of them and nothing
/// else, stand between the expression ending before token `end` and the one starting at
/// `next`. (Side by side, a time and a date the rules did not join are mostly apart: a
/// mail header's time and the text's "This Friday".)
fn joins(c: &Compiled, toks: &[Tok], end: usize, next: usize) -> bool {
    next > end
        && next - end <= 2
        && (end..next).all(|k| c.date_link.contains(&toks[k].word) || c.comma == Some(toks[k].word))
}

/// Tense around a match: +1 future cue, -1 past cue, 0 none, with the cue's token. Looks at
/// up to twelve tokens on either side, within the sentence.
fn tense(
    c: &Compiled,
    toks: &[Tok],
    masks: &[u64],
    lower: &str,
    start: usize,
    end: usize,
) -> (i8, usize) {
    let is_stop = |k: usize| c.stop.is_some_and(|s| toks[k].word == s);
    let cue = |k: usize| {
        if masks[k] & c.fut != 0 {
            1
        } else if masks[k] & c.past != 0 && (k == 0 || masks[k - 1] & c.passive == 0) {
            -1
        } else {
            0
        }
    };
    // A lower-case word with a past-tense ending right after the expression: its verb.
    let past_form = |k: usize| {
        let t = &toks[k];
        let w = &lower[t.lo.0 as usize..t.lo.1 as usize];
        !t.cap
            && t.space_before
            && w.bytes().all(|b| b.is_ascii_alphabetic())
            && has_ending(w, &c.past_suffixes)
    };
    // The nearest cue wins; on equal distance the one before the expression.
    let (mut before, mut after) = (true, true);
    for dist in 1..=12 {
        if before && start >= dist {
            let k = start - dist;
            if is_stop(k) {
                before = false;
            } else if masks[k] & c.fut_before != 0 {
                return (1, k);
            } else if masks[k] & c.past_before != 0 {
                return (-1, k);
            } else if cue(k) != 0 {
                return (cue(k), k);
            }
        }
        let k = end + dist - 1;
        if after && k < toks.len() {
            if is_stop(k) {
                after = false;
            } else if cue(k) != 0 {
                return (cue(k), k);
            } else if dist == 1 && past_form(k) {
                return (-1, k);
            }
        }
    }
    (0, start)
}

/// Whether `w` ends in one of `endings` with at least three letters before it.
fn has_ending(w: &str, endings: &[String]) -> bool {
    endings
        .iter()
        .any(|x| w.len() >= x.len() + 3 && w.ends_with(x.as_str()))
}

/// Tense from the finite verb beside a bare weekday, month, quarter or half, for when no
/// cue word gave one or the cue is in another clause: the word before the expression
/// (past a preposition, or a preposition and a place name), and the word after it when
/// the expression (or its preposition) opens the sentence or ends a clause opened by a
/// link word. +1 present (the coming one), -1 past, 0 unknown.
fn verb_tense(
    c: &Compiled,
    v: &VerbCues,
    toks: &[Tok],
    masks: &[u64],
    lower: &str,
    start: usize,
    end: usize,
) -> i8 {
    let word = |k: usize| &lower[toks[k].lo.0 as usize..toks[k].lo.1 as usize];
    let ends_sentence = |k: usize| matches!(word(k), "." | "!" | "?" | ":" | ";" | "\"");
    let opens = |k: usize| k == 0 || toks[k].line_before || ends_sentence(k - 1);
    let plain = |k: usize| {
        let t = &toks[k];
        !t.cap && word(k).bytes().all(|b| b.is_ascii_lowercase())
    };
    let after_det = |k: usize| k > 0 && masks[k - 1] & v.det != 0;
    let role = |k: usize| {
        let t = &toks[k];
        if masks[k] & v.verb == 0 || t.word == u32::MAX {
            return None;
        }
        let info = &c.grammar.infos[t.word as usize];
        let e = info.entries.iter().find(|e| e.0 & v.verb != 0)?;
        match e.1.first()?.value {
            "PRES" => Some(VerbRole::Present),
            "PERFAUX" => Some(VerbRole::PerfectAux),
            "NOTENSE" => Some(VerbRole::NoTense),
            "NOTPART" => Some(VerbRole::NotParticiple),
            "PREP" => Some(VerbRole::Preposition),
            "OPENPREP" => Some(VerbRole::OpeningPreposition),
            _ => None,
        }
    };
    let participle = |k: usize| {
        let w = word(k);
        if !plain(k) || after_det(k) || role(k) == Some(VerbRole::NotParticiple) || w.len() < 5 {
            return false;
        }
        if !(w.ends_with('d') || w.ends_with('t') || w.ends_with('n')) {
            return false;
        }
        // Without "ge-", a participle in -t has a voiceless stem ("verkocht", "bedankt");
        // after another letter the -t is the present ("overlegt", "vertelt", "verbindt":
        // participles "overlegd", "verteld", "verbonden"). With it, "gezet" is one.
        let voiced_t = |s: &str| {
            let b = s.as_bytes();
            b.len() >= 2 && b[b.len() - 1] == b't' && !b"kfschpt".contains(&b[b.len() - 2])
        };
        let stems = std::iter::once(w).chain(
            v.particles
                .iter()
                .filter_map(|p| w.strip_prefix(p.as_str())),
        );
        stems.into_iter().any(|s| {
            v.part_prefixes.iter().any(|p| {
                s.len() >= p.len() + 3
                    && s.starts_with(p.as_str())
                    && (v.ge_prefixes.contains(p) || !voiced_t(s))
            })
        })
    };
    let reading = |k: usize| -> i8 {
        match role(k) {
            Some(VerbRole::NoTense) => return 0,
            Some(VerbRole::Present) => return 1,
            Some(VerbRole::PerfectAux) => {
                let participle_follows = (k + 1..toks.len().min(k + 40))
                    .take_while(|&j| !ends_sentence(j))
                    .any(participle);
                // or comes right before it, at the end of a clause: "zou gebeurd zijn op
                // 10 januari"
                let participle_before = k > 0 && participle(k - 1);
                return if participle_follows || participle_before {
                    -1
                } else {
                    1
                };
            }
            Some(
                VerbRole::NotParticiple | VerbRole::Preposition | VerbRole::OpeningPreposition,
            )
            | None => {}
        }
        let w = word(k);
        // A past form the lexicon names ("werd", "kwam") or a regular one
        if masks[k] & c.past != 0 || plain(k) && has_ending(w, &v.past_suffixes) {
            // after a present auxiliary it is a participle: "the case is heard in May"
            // is ahead, "will be held" says nothing
            return match k
                .checked_sub(1)
                .map(|j| (role(j), masks[j] & c.passive != 0))
            {
                Some((Some(VerbRole::Present), _)) => 1,
                Some((_, true)) => 0,
                _ => -1,
            };
        }
        if !plain(k) {
            return 0;
        }
        if has_ending(w, &v.pres_suffixes) && !after_det(k) && !participle(k) {
            1
        } else {
            0
        }
    };
    // A preposition between verb and expression is passed over ("heeft tot vrijdag de
    // tijd"), also of up to three words ("duurt tot en met vrijdag").
    let mut before = start.checked_sub(1);
    for n in 1..=3.min(start) {
        let k = start - n;
        if role(k) == Some(VerbRole::Preposition)
            && (k + 1..start).all(|j| {
                c.range_link.contains(&toks[j].word)
                    || matches!(
                        role(j),
                        Some(VerbRole::Preposition | VerbRole::OpeningPreposition)
                    )
            })
        {
            before = k.checked_sub(1);
        }
    }
    // So is a place named after a preposition: "Ministers meet in Brussels on Friday",
    // "De ministers vergaderen in Den Haag op vrijdag".
    if let Some(b) = before.filter(|&b| b + 1 < start && toks[b].cap && !opens(b)) {
        let place = (1..=3.min(b))
            .map(|n| b - n)
            .find(|&k| !toks[k].cap || opens(k));
        if let Some(k) = place.filter(|&k| role(k) == Some(VerbRole::Preposition)) {
            before = k.checked_sub(1);
        }
    }
    // A plural present right before the day ("De boeren demonstreren vrijdag"; not a
    // noun after an article or a number: "de twee prijzen zaterdagavond").
    let plural = |k: usize| {
        let w = word(k);
        plain(k)
            && !after_det(k)
            && (k == 0 || masks[k - 1] & v.num == 0 && !toks[k - 1].digits)
            && has_ending(w, &v.plural_suffixes)
            && !has_ending(w, &v.past_plural_suffixes)
    };
    if let Some(k) = before {
        let r = reading(k);
        let r = if r == 0 && k + 1 == start && plural(k) {
            1
        } else {
            r
        };
        if r != 0 {
            return r;
        }
    }
    // The expression opens the sentence, alone, after one word, or after a preposition
    // of up to four words that begins and ends with one ("Vanaf 1 juli", "Met ingang van 1 januari",
    // "Tot en met 31 december"): the next word is the finite verb.
    let prep = |k: usize| {
        matches!(
            role(k),
            Some(VerbRole::Preposition | VerbRole::OpeningPreposition)
        )
    };
    let opener = opens(start)
        || start > 0 && opens(start - 1)
        || start > 0
            && prep(start - 1)
            && (1..=4).any(|n| {
                start >= n
                    && opens(start - n)
                    && prep(start - n)
                    && (start - n..start - 1).all(|k| {
                        (role(k).is_none() || prep(k))
                            && masks[k] & (c.past | c.fut) == 0
                            && word(k).chars().all(char::is_alphabetic)
                    })
            });
    if end < toks.len() && opener {
        let r = reading(end);
        if r != 0 || !plain(end) {
            return r;
        }
        // In that slot a plural present ("Vanaf maandag rijden er minder treinen").
        let w = word(end);
        if has_ending(w, &v.plural_suffixes) && !has_ending(w, &v.past_plural_suffixes) {
            return 1;
        }
    }
    // In a clause opened by a link word the finite verb comes last, right after the
    // expression: "zei dat de top vrijdag begint." The clause ends at a stop, a comma or
    // a joining word (`LINK=RANGE`: "en", "tot").
    let clause_end = |k: usize| {
        k >= toks.len()
            || ends_sentence(k)
            || c.comma == Some(toks[k].word)
            || c.range_link.contains(&toks[k].word)
    };
    let linked = (1..=8.min(start)).map(|n| start - n).find_map(|k| {
        if ends_sentence(k) || c.comma == Some(toks[k].word) {
            Some(false)
        } else if c.clause.contains(&toks[k].word) {
            Some(true)
        } else {
            None
        }
    });
    if linked == Some(true) && end < toks.len() && clause_end(end + 1) {
        return reading(end);
    }
    0
}

/// What a captured class means to normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    None,
    Month,
    Weekday,
    Num,
    Few,
    Holiday,
    Year,
    Year2,
    Day,
    Hour,
    Minute,
    Unit,
    UnitPl,
    Dir,
    Deictic,
    Ref,
    Mod,
    Ago,
    Later,
    Part,
    Season,
    Ord,
    Set,
    Decade,
    DecSuf,
    Age,
    AmPm,
    Anaph,
    Tz,
    YearHi,
    Frac,
    Easter,
    WeekNum,
    MinOff,
    Clock,
    HhMm,
    RangeEnd,
    DayOf,
    AfterClock,
}

impl Field {
    fn of(name: &str) -> Field {
        match name {
            "MONTH" | "MONTHNUM" | "MONTHAB" => Field::Month,
            "WEEKDAY" | "WEEKDAYPL" | "WEEKDAYPART" => Field::Weekday,
            "NUM" | "CLOCKMIN" => Field::Num,
            "FEW" => Field::Few,
            "YEAR" | "BAREYEAR" => Field::Year,
            "YEAR2" => Field::Year2,
            "DAYNUM" => Field::Day,
            "HOUR" => Field::Hour,
            "MINUTE" => Field::Minute,
            "UNIT" | "UNITSG" => Field::Unit,
            "UNITPL" => Field::UnitPl,
            "DIR" => Field::Dir,
            "DEICTIC" => Field::Deictic,
            "REF" => Field::Ref,
            "MOD" | "OVER" | "CMP" => Field::Mod,
            "AGO" => Field::Ago,
            "LATER" => Field::Later,
            "PART" | "DAYPART" => Field::Part,
            "SEASON" | "SEASONX" => Field::Season,
            "ORD" => Field::Ord,
            "HOLIDAY" | "HOLIDAYDAY" => Field::Holiday,
            "SET" => Field::Set,
            "DECADE" => Field::Decade,
            "DECSUF" => Field::DecSuf,
            "AGE" => Field::Age,
            "AMPM" => Field::AmPm,
            "ANAPH" => Field::Anaph,
            "TZ" => Field::Tz,
            "YEARHI" => Field::YearHi,
            "FRAC" => Field::Frac,
            "EASTER" => Field::Easter,
            "WEEKNUM" => Field::WeekNum,
            "MINOFF" => Field::MinOff,
            "HHMM" => Field::HhMm,
            "RANGEEND" => Field::RangeEnd,
            "DAYOF" => Field::DayOf,
            "AFTERCLOCK" => Field::AfterClock,
            "CLOCK" => Field::Clock,
            _ => Field::None,
        }
    }
}

/// The meaning of one match, before resolution.
#[derive(Debug, Default, Clone)]
struct Frame {
    year: Option<i64>,
    year2: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    weekday: Option<i64>,
    num: Option<i64>,
    num_x: bool,
    unit: Option<&'static str>,
    dir: Option<i64>,
    dayoff: Option<i64>,
    refv: Option<&'static str>,
    modv: Option<&'static str>,
    ago: bool,
    /// "from now": `ago` forward.
    ahead: bool,
    later: Option<i64>,
    part: Option<&'static str>,
    season: Option<i64>,
    ord: Option<i64>,
    holiday: bool,
    set: bool,
    decade: Option<i64>,
    decsuf: bool,
    age: bool,
    hour: Option<i64>,
    minute: Option<i64>,
    pm: Option<bool>,
    anaph: bool,
    /// `ANAPH=2`: a step from the anchor ("the following year", "the previous day").
    anaph_shift: bool,
    plural: bool,
    tz: Option<&'static str>,
    /// The century of a spoken year ("nineteen" in "nineteen ninety-six"); the number
    /// that follows gives the rest.
    year_hi: Option<i64>,
    /// A half unit more ("2 1/2 years", "an hour and a half").
    frac: bool,
    /// A moveable feast: its distance in days from Easter Sunday.
    easter: Option<i64>,
    /// The number is an ISO week number ("week 7").
    week_num: bool,
    /// Minutes from the hour named, for clock words (`MINOFF=-30`: "half drie" is 2:30).
    min_off: Option<i64>,
    /// The number counts minutes after (+1) or before (-1) the hour named (`CLOCK`:
    /// "tien over acht", "vijf voor half drie").
    clock: Option<i64>,
    /// The expression ends a range ("tot en met vrijdag", "through Friday").
    range_end: bool,
    /// A day of the month named alone (`DAYOF`: "on the 19th"): of the month last
    /// named.
    day_of: bool,
    /// Only the end of a range of clock times (`AFTERCLOCK`: "17 uur" in "van 9 tot 17
    /// uur", while "tot drie uur" alone may be a length).
    after_clock: bool,
    /// Named by the day right after it, whose year it takes: "the quarter ended Dec. 31,
    /// 2008" (set by `finish`).
    of_day_after: bool,
    tense: i8,
    /// The finite verb beside the expression is past ("Op 3 maart werd …", Dutch verb
    /// data): a month ahead of the publication month is then last year's.
    past_verb: bool,
}

impl Frame {
    fn set(&mut self, field: Field, value: &'static str, tok_text: &str) {
        let raw = if value.is_empty() { tok_text } else { value };
        let n = raw.parse::<i64>().ok();
        match field {
            Field::None => {}
            Field::Month => self.month = n,
            Field::Weekday => self.weekday = n,
            Field::Num => match (self.num, n) {
                (_, None) => self.num_x = true,
                (Some(prev), Some(v)) if prev >= 20 && prev % 10 == 0 && v < 10 => {
                    self.num = Some(prev.saturating_add(v))
                }
                (Some(prev), Some(v)) if v == 100 || v == 1000 => {
                    self.num = Some(prev.saturating_mul(v))
                }
                (_, Some(v)) => self.num = Some(v),
            },
            Field::Few => self.num_x = true,
            Field::Year => self.year = n,
            Field::Year2 => self.year2 = n,
            Field::Day => self.day = n,
            // The first hour named: "9" in "van 9 >> tot 17 uur" is 9:00 (the context
            // after ` >> ` is matched, and captured, too).
            Field::Hour => self.hour = self.hour.or(n),
            Field::Minute => self.minute = n,
            Field::Unit => self.unit = Some(value),
            // "weeks or months": the first unit named gives the value (TBAQ `PXW`)
            Field::UnitPl if self.plural => {}
            Field::UnitPl => {
                self.unit = Some(value);
                self.plural = true;
            }
            Field::Dir => self.dir = n,
            Field::Deictic => self.dayoff = n,
            Field::Ref => self.refv = Some(value),
            Field::Mod => self.modv = Some(value),
            // `AGO=-1`: counted forward from publication ("two weeks from now")
            Field::Ago if n == Some(-1) => self.ahead = true,
            Field::Ago => self.ago = true,
            Field::Later => self.later = n,
            Field::Part => self.part = Some(value),
            Field::Season => {
                self.season = calendar::SEASONS
                    .iter()
                    .position(|s| *s == value)
                    .map(|p| p as i64)
            }
            Field::Ord => self.ord = n,
            Field::Holiday => self.holiday = true,
            Field::Set => self.set = true,
            Field::Decade => self.decade = n,
            Field::DecSuf => self.decsuf = true,
            Field::Age => self.age = true,
            Field::AmPm => self.pm = Some(value == "PM"),
            Field::Anaph => {
                self.anaph = true;
                self.anaph_shift |= n == Some(2);
            }
            Field::Tz => self.tz = Some(value),
            Field::YearHi => self.year_hi = n,
            Field::Frac => self.frac = true,
            Field::WeekNum => self.week_num = true,
            Field::Easter => self.easter = n,
            Field::MinOff => self.min_off = n,
            Field::Clock => self.clock = n,
            Field::RangeEnd => self.range_end = true,
            Field::DayOf => self.day_of = true,
            Field::AfterClock => self.after_clock = true,
            Field::HhMm => {
                self.hour = n.map(|v| v / 100);
                self.minute = n.map(|v| v % 100);
            }
        }
    }

    /// Combines what was captured piecewise: a spoken year is its century and the number
    /// after it ("nineteen" + "ninety-six" = 1996, "the year" + "two thousand" = 2000).
    fn finish(&mut self) {
        // "the quarter ending March 31": the quarter of the day after it
        if let (Some("Q"), None, Some(m), false) = (self.unit, self.ord, self.month, self.anaph) {
            self.ord = Some((m + 2) / 3);
            self.month = None;
            self.day = None;
            self.of_day_after = true;
        }
        if let Some(h) = self.year_hi {
            let rest = self.num.take().unwrap_or(0);
            self.year = h
                .checked_mul(100)
                .and_then(|c| c.checked_add(rest))
                .filter(|y| (1..=9999).contains(y));
        }
        // Clock words: "tien voor half vijf" is 4:00 - 0:30 - 0:10. A result in the hour
        // after midnight reads as after noon ("half een" is 12:30); minutes out of range
        // ("veertig over acht") leave no hour, and the match is dropped.
        if self.min_off.is_some() || self.clock.is_some() {
            let by_num = match (self.clock, self.num.take()) {
                (None, _) => Some(0),
                (Some(sign), Some(n)) if (1..=29).contains(&n) => Some(sign * n),
                _ => None,
            };
            self.hour = match (self.hour, by_num) {
                (Some(h), Some(m)) if (1..=12).contains(&h) => {
                    let t = (h * 60 + self.min_off.unwrap_or(0) + m).rem_euclid(12 * 60);
                    self.minute = Some(t % 60);
                    Some(if t < 60 { 12 } else { t / 60 })
                }
                _ => None,
            };
        }
    }

    /// A clock time that names no day, week, month or year of its own ("10 a.m.", "om
    /// 18u00"): it takes the day named before it, or the one right after it.
    fn is_bare_clock(&self) -> bool {
        self.hour.is_some()
            && self.weekday.is_none()
            && self.month.is_none()
            && self.day.is_none()
            && self.dayoff.is_none()
            && self.year.is_none()
            && self.year2.is_none()
            && self.easter.is_none()
            && self.unit.is_none()
            && !self.anaph
            && self.later.is_none()
    }

    fn is_relative(&self) -> bool {
        self.year.is_none() && self.year2.is_none()
    }
}

/// Two fixed days used to find out which parts of a value depend on an unknown
/// publication date.
fn probe_days() -> (Date, Date) {
    (
        ymd(2001, 3, 14).unwrap_or_default(),
        ymd(2002, 10, 27).unwrap_or_default(),
    )
}

fn normalise(
    f: &Frame,
    kind: TimexType,
    dct: PubDate,
    (anchor, quarter): (Option<G>, Option<G>),
    span: Span,
) -> Option<(Timex, Option<G>)> {
    let (lo, hi, known) = match (dct.earliest(), dct.latest()) {
        (Some(a), Some(b)) => (a, b, true),
        _ => {
            let (a, b) = probe_days();
            (a, b, false)
        }
    };
    let modifier = f.modv;
    let mut tx = Timex {
        span,
        kind,
        value: String::new(),
        modifier,
        earliest: None,
        latest: None,
    };
    if kind == TimexType::Duration || f.age {
        tx.kind = TimexType::Duration;
        tx.value = duration_value(f)?;
        if known {
            let unit = f.unit.unwrap_or("Y");
            let n = if f.num_x || (f.plural && f.num.is_none()) {
                None
            } else {
                Some(f.num.unwrap_or(1))
            };
            match f.dir {
                Some(d) if d < 0 => {
                    tx.latest = Some(hi);
                    tx.earliest = n.and_then(|n| sub_units(lo, unit, n));
                }
                Some(d) if d > 0 => {
                    tx.earliest = Some(lo);
                    tx.latest = n.and_then(|n| sub_units(hi, unit, -n));
                }
                _ => {}
            }
        }
        return Some((tx, None));
    }
    if kind == TimexType::Set || f.set {
        tx.kind = TimexType::Set;
        tx.value = if let Some(w) = f.weekday {
            let part = f.part.map(|p| format!("T{p}")).unwrap_or_default();
            format!("XXXX-WXX-{w}{part}")
        } else if let Some(p) = f.part.filter(|_| f.unit.is_none()) {
            format!("XXXX-XX-XXT{p}")
        } else if let Some(m) = f.month.filter(|m| (1..=12).contains(m) && f.day.is_none()) {
            // "each July"
            format!("XXXX-{m:02}")
        } else {
            duration_value(&Frame {
                num: Some(f.num.unwrap_or(1)),
                num_x: false,
                ..f.clone()
            })?
        };
        return Some((tx, None));
    }
    if let Some(r) = f.refv {
        tx.value = r.to_string();
        if known {
            match r {
                "PRESENT_REF" => (tx.earliest, tx.latest) = (Some(lo), Some(hi)),
                "PAST_REF" => tx.latest = Some(hi),
                "FUTURE_REF" => tx.earliest = Some(lo),
                _ => {}
            }
        }
        return Some((tx, None));
    }
    let a = resolve(f, lo, anchor, quarter)?;
    let b = if lo == hi {
        a.clone()
    } else {
        resolve(f, hi, anchor, quarter)?
    };
    let (va, vb) = (a.value(), b.value());
    tx.value = if va == vb {
        va.clone()
    } else if let (Some(w), false) = (f.weekday, f.month.is_some()) {
        let year = if known && a.g.start()?.year() == b.g.start()?.year() {
            format!("{:04}", a.g.start()?.year())
        } else {
            "XXXX".to_string()
        };
        let time = a.time.as_ref().map(|t| format!("T{t}")).unwrap_or_default();
        format!("{year}-WXX-{w}{time}")
    } else if !known && f.is_relative() && f.month.is_some() && va.len() > 4 && va[4..] == vb[4..] {
        // A month (and day) named without a year: only the year is unknown.
        format!("XXXX{}", &va[4..])
    } else {
        merge_values(&va, &vb)
    };
    if known || !f.is_relative() || va == vb {
        let (s1, e1) = (a.g.start()?, a.g.end()?);
        let (s2, e2) = (b.g.start()?, b.g.end()?);
        let (s1, e1) = narrow(s1, e1, modifier);
        let (s2, e2) = narrow(s2, e2, modifier);
        tx.earliest = Some(s1.min(s2));
        tx.latest = Some(e1.max(e2));
        match modifier {
            Some("BEFORE") | Some("ON_OR_BEFORE") => tx.earliest = None,
            Some("AFTER") | Some("ON_OR_AFTER") => tx.latest = None,
            _ => {}
        }
        if !known && f.is_relative() && va != vb {
            tx.earliest = None;
            tx.latest = None;
        }
    }
    // Only expressions that name a time themselves become the anchor for later ones; a
    // time of day anchors its day ("vrijdagavond ... een dag later" is Saturday).
    let anaphoric = f.anaph || f.later.is_some() || f.ago || f.ahead;
    let resolved = (va == vb && !anaphoric).then_some(a.g);
    Some((tx, resolved))
}

fn sub_units(d: Date, unit: &str, n: i64) -> Option<Date> {
    match unit {
        "Y" => add_months(d, n.checked_mul(-12)?),
        "DE" => add_months(d, n.checked_mul(-120)?),
        "CE" => add_months(d, n.checked_mul(-1200)?),
        "HALF" => add_months(d, n.checked_mul(-6)?),
        "Q" => add_months(d, n.checked_mul(-3)?),
        "M" => add_months(d, n.checked_neg()?),
        "W" | "WE" => add_days(d, n.checked_mul(-7)?),
        "D" => add_days(d, n.checked_neg()?),
        _ => Some(d),
    }
}

fn duration_value(f: &Frame) -> Option<String> {
    if f.age {
        return Some(format!("P{}Y", f.num?));
    }
    let unit = f.unit?;
    let num_x = f.num_x || (f.plural && f.num.is_none());
    let n = if num_x {
        "X".to_string()
    } else {
        f.num.unwrap_or(1).to_string()
    };
    if f.frac && !num_x {
        return Some(half_more(unit, f.num.unwrap_or(1)));
    }
    let scaled = |k: i64| {
        if num_x {
            "X".to_string()
        } else {
            f.num.unwrap_or(1).saturating_mul(k).to_string()
        }
    };
    Some(match unit {
        "H" => format!("PT{n}H"),
        "MIN" => format!("PT{n}M"),
        "S" => format!("PT{n}S"),
        "HALF" => format!("P{}M", scaled(6)),
        // TBAQ counts quarters as quarters: "the past two quarters" P2Q, "several
        // quarters" PXQ, "every quarter" P1Q (3, against P9M and PXM: 2).
        "Q" => format!("P{n}Q"),
        "WE" => format!("P{n}WE"),
        "DE" => format!("P{}Y", scaled(10)),
        // An unknown number of centuries cannot be counted in years.
        "CE" if num_x => "PXC".to_string(),
        "CE" => format!("P{}Y", scaled(100)),
        u => format!("P{n}{u}"),
    })
}

/// `n` and a half units, in whole smaller units where they divide evenly: `P2Y6M`,
/// `PT5H30M`, `PT1M30S`; otherwise with a decimal fraction (`P1.5W`).
fn half_more(unit: &str, n: i64) -> String {
    let whole = |lead: &str, big: &str, small: &str, k: i64| {
        if n == 0 {
            format!("{lead}{k}{small}")
        } else {
            format!("{lead}{n}{big}{k}{small}")
        }
    };
    match unit {
        "Y" => whole("P", "Y", "M", 6),
        "D" => whole("P", "DT", "H", 12),
        "H" => whole("PT", "H", "M", 30),
        "MIN" => whole("PT", "M", "S", 30),
        "HALF" => format!("P{}M", n.saturating_mul(6).saturating_add(3)),
        "DE" => format!("P{}Y", n.saturating_mul(10).saturating_add(5)),
        "CE" => format!("P{}Y", n.saturating_mul(100).saturating_add(50)),
        "S" => format!("PT{n}.5S"),
        "WE" => format!("P{n}.5WE"),
        u => format!("P{n}.5{u}"),
    }
}

#[derive(Debug, Clone)]
struct Resolved {
    g: G,
    time: Option<String>,
}

impl Resolved {
    fn value(&self) -> String {
        match &self.time {
            Some(t) => format!("{}T{t}", self.g.value()),
            None => self.g.value(),
        }
    }
}

fn full_year(f: &Frame, d: Date) -> Option<i64> {
    if let Some(y) = f.year {
        return Some(y);
    }
    let y2 = f.year2?;
    let cur = d.year() as i64;
    let century = cur / 100 * 100;
    let y = century + y2;
    Some(if y > cur + 10 { y - 100 } else { y })
}

/// The year of a month named without one: the publication year, unless the month lies
/// more than half a year away from the publication month (December in a January article
/// is last December), or a direction word or tense says otherwise.
fn year_for_month(f: &Frame, d: Date, m: i64) -> i64 {
    let y = d.year() as i64;
    let cur = d.month() as i64;
    match f.dir {
        Some(-1) => return if m >= cur { y - 1 } else { y },
        Some(1) => return if m <= cur { y + 1 } else { y },
        Some(_) => return y,
        None => {}
    }
    // Without a cue news looks back: a month up to four months ahead is the coming one,
    // one further ahead last year's ("March" in a November article), and one eight or
    // more months back next year's ("January" in a November article). A past cue moves a
    // month to last year only when it lies well ahead ("was extended to Nov. 16" in an
    // October article is this November).
    if (m - cur >= 5 && f.tense == 0) || (m - cur >= 3 && f.tense < 0) || (m > cur && f.past_verb) {
        y - 1
    } else if (cur - m >= 8 && f.tense == 0) || (m < cur && f.tense > 0) {
        y + 1
    } else {
        y
    }
}

/// Resolves a date frame against one publication day.
fn resolve(f: &Frame, d: Date, anchor: Option<G>, quarter: Option<G>) -> Option<Resolved> {
    let time = if let Some(h) = f.hour {
        let h = match f.pm {
            Some(true) if h < 12 => h + 12,
            Some(false) if h == 12 => 0,
            _ => h,
        };
        if !(0..=24).contains(&h) {
            return None;
        }
        Some(format!(
            "{:02}:{:02}{}",
            h,
            f.minute.unwrap_or(0).clamp(0, 59),
            f.tz.unwrap_or("")
        ))
    } else {
        f.part.map(str::to_string)
    };
    let n = f.num.unwrap_or(1);
    let same_unit = |g: &G, unit: &str| {
        matches!(
            (g, unit),
            (G::Day(_), "D")
                | (G::Week(..), "W")
                | (G::Month(..), "M")
                | (G::Quarter(..), "Q")
                | (G::Half(..), "HALF")
                | (G::Year(_), "Y")
        )
    };
    let g = if let (true, Some(y), Some("Q")) = (f.anaph, full_year(f, d), f.unit) {
        // "the 1988 quarter": the quarter last named, in that year.
        let y = i16::try_from(y).ok().filter(|y| (1..=9999).contains(y))?;
        // (Not the anchor: a quarter resolved is always the quarter last named, unless a
        // period of months has been named since.)
        match quarter {
            Some(G::Quarter(_, q)) => G::Quarter(y, q),
            _ => G::Year(y),
        }
    } else if f.anaph_shift {
        let dir = f.dir.unwrap_or(0);
        match (anchor, f.unit) {
            (Some(a), Some(u)) if same_unit(&a, u) => a.shift(dir)?,
            (Some(a), Some(u)) => G::of(u, a.start()?)?.shift(dir)?,
            (None, Some(u)) => G::of(u, d)?.shift(dir)?,
            _ => G::Day(d),
        }
    } else if f.anaph {
        match (anchor, f.unit) {
            // "trades made that day", "that day has come" with no time named before: the
            // day of some event, not the publication date (TBAQ 0 of 2 tagged; MEANTIME's
            // one is PRESENT_REF)
            (None, Some("D")) if f.dir.is_none() => return None,
            // "that night", "die avond" likewise
            (None, None) if f.part.is_some() => return None,
            (Some(a), Some(u)) if same_unit(&a, u) => a,
            // "The second quarter ended March 30. ... for the quarter": the quarter last
            // named, though a day was named since.
            (Some(_), Some("Q")) if quarter.is_some() => quarter?,
            (Some(G::Day(a)), None) => G::Day(a),
            // "that year" after a day: the year of that day.
            (Some(a), Some(u)) if f.dir.is_none() && a.rank() <= calendar::unit_rank(u) => {
                G::of(u, a.start()?)?
            }
            (_, Some(u)) => G::of(u, d)?.shift(f.dir.unwrap_or(0))?,
            _ => G::Day(d),
        }
    } else if let Some(off) = f.dayoff {
        G::Day(add_days(d, off)?)
    } else if let Some(y) = full_year(f, d).filter(|_| f.decsuf) {
        // "the 1800s" is the century; "the 2000s" the decade (the noughties)
        if y % 100 == 0 && y < 2000 {
            G::Century(i16::try_from(y / 100).ok()?)
        } else {
            G::Decade(i16::try_from(y / 10).ok()?)
        }
    } else if let Some(dec) = f.decade {
        let mut c = d.year() as i64 / 100;
        if (c * 10 + dec) * 10 > d.year() as i64 {
            c -= 1;
        }
        G::Decade(i16::try_from(c * 10 + dec).ok()?)
    } else if let (Some("CE"), Some(o), false) = (
        f.unit,
        f.ord.or(f.num).filter(|_| f.dir.is_none()),
        f.ago || f.ahead || f.later.is_some(),
    ) {
        G::Century(i16::try_from(o - 1).ok().filter(|c| (0..100).contains(c))?)
    } else if let (true, Some(n)) = (f.week_num, f.num) {
        // "week 7": the ISO week of that number in the year named, else the one nearest
        // the publication date.
        let here = d.iso_week_date();
        let y = match full_year(f, d) {
            Some(y) => y,
            None => {
                let cur = here.week() as i64;
                let y = here.year() as i64;
                if n - cur > 26 {
                    y - 1
                } else if cur - n > 26 {
                    y + 1
                } else {
                    y
                }
            }
        };
        let g = G::Week(i16::try_from(y).ok()?, i8::try_from(n).ok()?);
        g.start()?;
        g
    } else if let (true, Some(n), None) = (f.day_of, f.day, f.month) {
        // Only after a day or month was named: alone, "on the 3rd" is mostly something
        // else left out ("on the 2nd floor, but they put us on the 3rd").
        let (y, m) = match anchor {
            Some(G::Day(a)) => (a.year() as i64, a.month() as i64),
            Some(G::Month(y, m)) => (y as i64, m as i64),
            _ => return None,
        };
        G::Day(ymd(y, m, n)?)
    } else if let Some(off) = f.easter {
        // A moveable feast in the year named, else in the year its month suggests (as for
        // a month named without a year: "Pasen" in a February article is this Easter).
        let y = match full_year(f, d) {
            Some(y) => y,
            None => year_for_month(
                f,
                d,
                add_days(easter(d.year() as i64)?, off)?.month() as i64,
            ),
        };
        let day = add_days(easter(y)?, off)?;
        // "Easter week"
        if f.unit == Some("W") {
            G::of("W", day)?
        } else {
            G::Day(day)
        }
    } else if let Some(m) = f.month {
        let y = || full_year(f, d).unwrap_or_else(|| year_for_month(f, d, m));
        // "the first week of March", "de laatste week van januari": the week of the nth
        // (last) Thursday of the month, as an ISO week belongs to the month of its Thursday
        let nth_week = (f.unit == Some("W") && f.day.is_none() && !f.holiday)
            .then_some(f.ord)
            .flatten();
        let nth_weekday = match (f.holiday, f.weekday, f.ord) {
            (true, Some(w), Some(nth)) => Some((w, nth)),
            _ => nth_week.map(|nth| (4, nth)),
        };
        if let Some((w, nth)) = nth_weekday {
            // A holiday such as Thanksgiving: the nth such weekday of the month, counted
            // from a given day (Election Day: the first Tuesday from November 2); ORD=-1
            // is the last (Memorial Day).
            let y = y();
            let day = if nth < 0 {
                let last = ymd(y, m, 1)?.last_of_month();
                add_days(last, -(weekday_num(last) as i64 - w).rem_euclid(7))?
            } else {
                let first = ymd(y, m, f.day.unwrap_or(1))?;
                let off = (w - weekday_num(first) as i64).rem_euclid(7) + (nth.clamp(1, 5) - 1) * 7;
                add_days(first, off)?
            };
            let day = G::Day(day).filter_month(m)?;
            if nth_week.is_some() {
                G::of("W", day.start()?)?
            } else {
                day
            }
        } else if let Some(day) = f.day.or(f.ord) {
            let day = ymd(y(), m, day)?;
            // "the week of March 6"
            if f.unit == Some("W") {
                G::of("W", day)?
            } else {
                G::Day(day)
            }
        } else {
            match full_year(f, d) {
                Some(y) => G::Month(
                    i16::try_from(y).ok()?,
                    i8::try_from(m).ok().filter(|m| (1..=12).contains(m))?,
                ),
                None => {
                    let y = match (f.unit, f.dir) {
                        // "July last year"
                        (Some("Y"), Some(dir)) => d.year() as i64 + dir,
                        _ => year_for_month(f, d, m),
                    };
                    G::Month(
                        i16::try_from(y).ok()?,
                        i8::try_from(m).ok().filter(|m| (1..=12).contains(m))?,
                    )
                }
            }
        }
    } else if let Some(y) = full_year(f, d) {
        let y16 = i16::try_from(y).ok().filter(|y| (1..=9999).contains(y))?;
        if let Some(s) = f.season {
            G::Season(y16, s as i8)
        } else if let (Some(u @ ("Q" | "HALF")), Some(o)) = (f.unit, f.ord.or(f.num)) {
            let o = i8::try_from(o).ok()?;
            if u == "Q" {
                G::Quarter(y16, o.clamp(1, 4))
            } else {
                G::Half(y16, o.clamp(1, 2))
            }
        } else {
            G::Year(y16)
        }
    } else if let (Some(w), Some("W"), Some(dir)) = (f.weekday, f.unit, f.dir) {
        // "vorige week dinsdag": that weekday in the week before.
        let week = G::of("W", d)?.shift(dir)?;
        G::Day(add_days(week.start()?, w - 1)?)
    } else if let Some(w) = f.weekday {
        let cur = weekday_num(d) as i64;
        let delta = match (f.dir, f.tense) {
            (Some(-1), _) => -((cur - w - 1).rem_euclid(7) + 1),
            (Some(1), _) => (w - cur - 1).rem_euclid(7) + 1,
            (Some(_), _) => w - cur,
            (None, 1) => (w - cur).rem_euclid(7),
            (None, -1) => -((cur - w).rem_euclid(7)),
            // No tense cue: news reports the past; only tomorrow beats the last such day.
            (None, _) => {
                let back = (cur - w).rem_euclid(7);
                let ahead = (w - cur).rem_euclid(7);
                if ahead < back && ahead <= 1 {
                    ahead
                } else {
                    -back
                }
            }
        };
        let day = add_days(d, delta)?;
        // The end of a range ("van maandag tot en met vrijdag", "Monday through Friday")
        // does not lie before its start, a day near publication named just before.
        match anchor {
            Some(G::Day(a))
                if f.range_end
                    && f.dir.is_none()
                    && day < a
                    && add_days(d, -7).is_some_and(|lo| lo <= a)
                    && add_days(d, 7).is_some_and(|hi| a <= hi) =>
            {
                let gap = (w - weekday_num(a) as i64).rem_euclid(7);
                G::Day(add_days(a, if gap == 0 { 7 } else { gap })?)
            }
            _ => G::Day(day),
        }
    } else if let (Some(s), Some("Y")) = (f.season, f.unit) {
        // "the spring of last year": the direction moves the year, not the season
        let y = d
            .year()
            .checked_add(i16::try_from(f.dir.unwrap_or(0)).ok()?)?;
        G::Season(y, s as i8)
    } else if let Some(s) = f.season {
        let g = G::Season(d.year(), s as i8);
        match f.dir {
            Some(dir) => g.shift(dir)?,
            // A season that has not begun yet is last year's in a past sentence ("In
            // de zomer vertrok hij" in a February article).
            None if f.tense < 0 && g.start()? > d => g.shift(-1)?,
            None => g,
        }
    } else if let (Some(u @ ("Q" | "HALF")), Some(o)) = (f.unit, f.ord) {
        let o = i8::try_from(o).ok()?;
        let g = if u == "Q" {
            G::Quarter(d.year(), o.clamp(1, 4))
        } else {
            G::Half(d.year(), o.clamp(1, 2))
        };
        // "next year's first quarter"
        if let Some(dir) = f.dir {
            g.shift(dir.checked_mul(if u == "Q" { 4 } else { 2 })?)?
        // A quarter that has not begun yet is last year's, unless the text looks ahead.
        } else if g.start()? > d && f.tense <= 0 {
            g.shift(if u == "Q" { -4 } else { -2 })?
        } else {
            g
        }
    } else if let Some(unit) = f.unit {
        // "a year ago/earlier" in a report about a quarter means that quarter a year before.
        if let (Some(G::Quarter(y, q)), "Y", 1, true) =
            (quarter, unit, n, f.ago || f.later == Some(-1))
        {
            return Some(Resolved {
                g: G::Quarter(y, q).shift(-4)?,
                time,
            });
        }
        let base = match (anchor, f.later, unit) {
            (Some(G::Day(a)), Some(_), "D" | "W") => a,
            // "(in 2016 …) two years later" counts from the time last mentioned (2018),
            // not from publication; "a year earlier" stays a year before publication
            // (the quarterly comparison of TimeBank).
            (Some(a @ (G::Day(_) | G::Month(..))), Some(1), "Y" | "M")
            | (
                Some(a @ (G::Quarter(..) | G::Half(..) | G::Season(..) | G::Year(_))),
                Some(1),
                "Y",
            ) => a.start().unwrap_or(d),
            // "rose in February from a month earlier" is January
            (Some(a @ G::Month(..)), Some(-1), "M") => a.start().unwrap_or(d),
            _ => d,
        };
        let g = G::of(unit, base)?;
        let before_weekend = weekday_num(d) <= 5 && f.tense <= 0;
        if unit == "WE"
            && f.dir.is_none()
            && f.later.is_none()
            && !f.ago
            && !f.ahead
            && before_weekend
        {
            // "the weekend" in a weekday article is the one just past.
            g.shift(-1)?
        } else if f.ago || f.ahead || f.later.is_some() {
            // Hours, minutes and seconds move the day only by whole days.
            let steps = match unit {
                "H" => n / 24,
                "MIN" => n / 1440,
                "S" => n / 86400,
                _ => n,
            };
            let sign = if f.ago {
                -1
            } else if f.ahead {
                1
            } else {
                f.later.unwrap_or(1)
            };
            g.shift(steps.checked_mul(sign)?)?
        } else {
            g.shift(f.dir.unwrap_or(0))?
        }
    } else if time.is_some() {
        // A bare clock time belongs to the day last mentioned, else to the publication day;
        // "this morning" is always the publication day.
        match anchor {
            Some(G::Day(a)) if f.hour.is_some() => G::Day(a),
            _ => G::Day(d),
        }
    } else {
        return None;
    };
    Some(Resolved { g, time })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_parse_cleanly() {
        for lang in [Lang::NL, Lang::EN] {
            assert!(supports(lang));
            assert_eq!(data_problems(lang), Vec::<String>::new(), "{lang}");
        }
    }

    /// "zo'n" (with either apostrophe) is one token; an apostrophe before more letters or
    /// after nothing splits as before ("Tuesday's", "rock'n'roll", "'s avonds").
    #[test]
    fn zo_n_is_one_token() {
        let words = |text: &str| {
            let (mut toks, mut lower) = (Vec::new(), String::new());
            grammar::tokenize(text, &mut toks, &mut lower);
            toks.iter()
                .map(|t| {
                    assert!(text.is_char_boundary(t.start as usize));
                    assert!(text.is_char_boundary(t.end as usize));
                    lower[t.lo.0 as usize..t.lo.1 as usize].to_string()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(words("Zo'n twee"), ["zo'n", "twee"]);
        assert_eq!(words("zo\u{2019}n."), ["zo'n", "."]);
        assert_eq!(words("Tuesday's"), ["tuesday", "'", "s"]);
        assert_eq!(words("rock'n'roll"), ["rock'n", "'", "roll"]);
        assert_eq!(words("'s avonds"), ["'", "s", "avonds"]);
        assert_eq!(words("zo'no"), ["zo", "'", "no"]);
        // thousands are one number, without separators; decimals and clock times are not
        assert_eq!(words("2,000-year"), ["2000", "-", "year"]);
        assert_eq!(words("1.500.000 jaar"), ["1500000", "jaar"]);
        assert_eq!(words("12.30 uur"), ["12", ".", "30", "uur"]);
        assert_eq!(words("1.2345"), ["1", ".", "2345"]);
        assert_eq!(words("1234,567"), ["1234", ",", "567"]);
        assert_eq!(words("14,539.14"), ["14539", ".", "14"]);
    }

    /// Random sequences of time words, numbers and punctuation against extreme
    /// publication dates: nothing panics, every span is a char-boundary slice, and every
    /// interval is ordered.
    #[test]
    fn never_panics_on_generated_text() {
        let words = [
            "volgende",
            "vorige",
            "week",
            "jaar",
            "jaren",
            "maand",
            "eeuw",
            "31",
            "29",
            "februari",
            "9999",
            "99999",
            "0000",
            "1000",
            "geleden",
            "later",
            "eind",
            "begin",
            "de",
            "het",
            "afgelopen",
            "woensdag",
            "next",
            "last",
            "year",
            "ago",
            "decade",
            "century",
            "20th",
            "the",
            "'",
            "90s",
            "-",
            ":",
            "/",
            ".",
            ",",
            "24",
            "60",
            "00",
            "p.m.",
            "quarter",
            "third",
            "mid",
            "-",
            "jarige",
            "2019",
            "12",
            "31st",
            "december",
            "december",
            "nu",
            "now",
            "every",
            "elke",
            "dagen",
            "days",
            "twenty",
            "four",
            "vierentwintig",
            "honderd",
            "thousand",
            "999999999",
            "duizend",
            "miljoen",
            "’s",
            "avonds",
            "vanavond",
            "e",
            "Thanksgiving",
            "nineteen",
            "ninety",
            "following",
            "an",
            "hours",
            "1988",
            "period",
            "EST",
        ];
        let dcts = [
            "9999-12-31",
            "1000-01-01",
            "9999",
            "1000",
            "9999-12",
            "2019-02",
            "2020-02-29",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..3000 {
            let len = 1 + next(12);
            let text: Vec<&str> = (0..len).map(|_| words[next(words.len())]).collect();
            let text = text.join(if round % 3 == 0 { "" } else { " " });
            let dct = PubDate::parse(dcts[round % dcts.len()]).unwrap();
            for lang in [Lang::NL, Lang::EN] {
                for dct in [dct, PubDate::Unknown] {
                    for t in tag(&text, lang, dct) {
                        assert!(text.get(t.span.range()).is_some(), "{text:?}");
                        if let (Some(a), Some(b)) = (t.earliest, t.latest) {
                            assert!(a <= b, "{text:?} {t:?}");
                        }
                        assert!(!t.value.is_empty(), "{text:?}");
                    }
                }
            }
        }
    }

    /// `WORD` matches any word of letters inside a pattern, and cannot start a rule.
    #[test]
    fn word_class_only_inside_a_pattern() {
        let g = grammar::Grammar::build("REF=PRESENT_REF: now\n", "NONE: WORD ~- now\n");
        assert_eq!(g.rules.len(), 0);
        assert!(
            g.problems.iter().any(|p| p.contains("cannot start")),
            "{:?}",
            g.problems
        );
        let g = grammar::Grammar::build("REF=PRESENT_REF: now\n", "NONE: now ~- ~WORD\n");
        assert_eq!(g.problems, Vec::<String>::new());
        let dct = PubDate::parse("2008-03-01").unwrap();
        let found = |text: &str| {
            tag(text, Lang::EN, dct)
                .iter()
                .any(|t| t.value == "PRESENT_REF")
        };
        assert!(!found("the now-cancelled deal"));
        assert!(found("until now-1999 prices"));
        assert!(found("until now\u{2014}and then"));
    }

    /// Each way a rule can begin knows what may take the next token: an optional article
    /// must be followed by what comes after it, a repeated atom by itself or the rest,
    /// and an atom that can end the match tests nothing.
    #[test]
    fn rule_starts_follow_the_pattern() {
        let g = grammar::Grammar::build(
            "UNIT=W: week\nDIR=1: next\n",
            "DURATION: (the | a)? DIR? UNIT+ (ago)?\n",
        );
        assert_eq!(g.problems, Vec::<String>::new());
        let (dir, unit) = (g.class_id("DIR").unwrap(), g.class_id("UNIT").unwrap());
        let lit = |w: &str| g.infos[g.words[w] as usize].lit.unwrap();
        let starts = &g.rules[0].starts;
        assert_eq!(starts.len(), 3, "{starts:?}");
        let article = starts
            .iter()
            .find(|s| s.lits.contains(&lit("the")))
            .unwrap();
        assert!(article.lits.contains(&lit("a")) && !article.may_end);
        assert_eq!(article.next_classes, 1 << dir | 1 << unit);
        let d = starts.iter().find(|s| s.classes == 1 << dir).unwrap();
        assert_eq!((d.next_classes, d.may_end), (1 << unit, false));
        let u = starts.iter().find(|s| s.classes == 1 << unit).unwrap();
        assert_eq!(
            (u.next_classes, &u.next_lits),
            (1 << unit, &vec![lit("ago")])
        );
        assert!(u.may_end);
    }

    #[test]
    fn never_panics_on_odd_text() {
        let dct = PubDate::parse("2019-02").unwrap();
        for text in [
            "31 februari 2019",
            "op 99999 januari",
            "in het jaar 99999",
            "9999-12-31 en 0000-00-00",
            "",
            "’s",
            "31st of February",
            "week 54 van 2019",
            "now-",
            "now-\u{e9}lu now\u{2014}and now--",
            "now-1999",
        ] {
            let _ = tag(text, Lang::NL, dct);
            let _ = tag(text, Lang::EN, dct);
            let _ = tag(text, Lang::EN, PubDate::Unknown);
        }
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    /// The rule index gives the rules that the plain test of every rule's first set
    /// gives, in the same order, for every token of the demo corpus and every word of the
    /// lexicons (with the next token live or not).
    /// `match_at` (index, next-token test) matches as trying every rule whose first set
    /// fits: at every token of the demo corpus and of the lexicon words in sequence.
    #[test]
    fn match_at_matches_as_plain() {
        let corpus = include_str!("../../../kroniek-cli/demo/corpus.jsonl");
        let mut tried = 0;
        for c in grammars() {
            let g = &c.grammar;
            let mut text: String = corpus.replace("\\n", "\n");
            let mut words: Vec<&String> = g.words.keys().collect();
            words.sort();
            for (k, w) in words.iter().enumerate() {
                text.push_str(if k % 7 == 0 { " 12 " } else { " " });
                text.push_str(w);
            }
            let (mut toks, mut lower) = (Vec::new(), String::new());
            grammar::tokenize(&text, &mut toks, &mut lower);
            g.lookup(&mut toks, &lower);
            let masks: Vec<u64> = toks.iter().map(|t| g.token_classes(t, &lower)).collect();
            let (mut c1, mut b1, mut c2, mut b2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for i in 0..toks.len() {
                let fast = g.match_at(&toks, &masks, &lower, i, &mut c1, &mut b1);
                let plain = g.match_at_plain(&toks, &masks, &lower, i, &mut c2, &mut b2);
                assert_eq!(fast, plain, "{} token {i}", c.lang);
                if fast.is_some() {
                    let key = |b: &Vec<grammar::Cap>| {
                        b.iter()
                            .map(|x| (x.feature.class, x.feature.value, x.tok))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(key(&b1), key(&b2));
                    tried += 1;
                }
            }
        }
        assert!(tried > 100, "{tried}");
    }

    #[test]
    fn rule_index_picks_as_first_sets() {
        let corpus = include_str!("../../../kroniek-cli/demo/corpus.jsonl");
        for c in grammars() {
            let g = &c.grammar;
            let mut cases: Vec<(u64, Option<u32>)> = Vec::new();
            let (mut toks, mut lower) = (Vec::new(), String::new());
            let mut text: String = corpus.into();
            for w in g.words.keys() {
                text.push(' ');
                text.push_str(w);
            }
            grammar::tokenize(&text, &mut toks, &mut lower);
            g.lookup(&mut toks, &lower);
            for t in &toks {
                let lit = (t.word != u32::MAX)
                    .then(|| g.infos[t.word as usize].lit)
                    .flatten();
                cases.push((g.token_classes(t, &lower), lit));
            }
            for &(m, lit) in &cases {
                for next_live in [false, true] {
                    let plain: Vec<usize> = g
                        .rules
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| {
                            (r.first_classes & m != 0
                                || lit.is_some_and(|l| r.first_lits.contains(&l)))
                                && (r.min_len <= 1 || next_live)
                        })
                        .map(|(i, _)| i)
                        .collect();
                    let fast: Vec<usize> = g.index.candidates(m, lit, next_live).collect();
                    assert_eq!(fast, plain, "{} {m:x} {lit:?}", c.lang);
                }
            }
        }
    }
}
