//! What one article contributes to the record across articles: its typed events, grouped
//! into within-document chains, and its numeric claims.
//!
//! [`extract`] turns an [`Analysis`] into [`DocRecords`]; [`merge`] decides whether two
//! events (from any documents) are the same. Both are pure: the store runs them on ingest
//! and keeps the result (see `kroniek-store`'s `events.rs`).
//!
//! - An **event record** is a typed event mention (`coup`, `injury`, …; the generic
//!   `other` events are left out: timelines use the typed subset) with its sentence,
//!   factuality, source, time and the entities it involves: the named entities of its
//!   sentence (except the attribution's source) and the antecedents of anaphors such as
//!   "hij" or "the company" (`resources/<lang>/anaphora.txt`).
//! - A **document event** chains the records of one kind in one article whose times are
//!   compatible and whose places do not differ: "de poging tot staatsgreep", "de putsch",
//!   "de machtsgreep" are one coup. It is the unit the cross-article merger works with.
//! - A **claim** is a quantity with a subject (the nearest named entity of the sentence,
//!   else the last one of the preceding sentences), a property (the counted noun, mapped
//!   by `resources/<lang>/claim_properties.txt` so that "strijders" and "fighters" meet),
//!   a source and a time.

pub mod merge;
pub mod summary;

use std::collections::HashMap;
use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::ToSpan;

use crate::analysis::Analysis;
use crate::document::{Document, PubDate};
use crate::events::{EventMention, EventTime, Factuality};
use crate::lang::Lang;
use crate::ner::EntityType;
use crate::quantity::Bound;
use crate::resources;
use crate::span::Span;
use crate::timex::TimexType;

/// How far back (in days) an event without a time expression may lie before publication.
/// News reports what just happened; older events are usually dated in the text.
pub const UNANCHORED_DAYS: i64 = 31;

/// When something happened, as far as one text tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// The first day it can be, when known.
    pub earliest: Option<Date>,
    /// The last day it can be, when known.
    pub latest: Option<Date>,
    /// Whether a time expression in the text says so (else the publication date bounds it).
    pub anchored: bool,
    /// The TIMEX3 value of the anchor, or the publication date.
    pub value: String,
}

impl When {
    /// The days an event reported without a time expression can lie on: up to
    /// [`UNANCHORED_DAYS`] before publication, or after it for an expected event.
    pub fn unanchored(published: PubDate, time: EventTime) -> When {
        let (e, l) = (published.earliest(), published.latest());
        let (earliest, latest) = match time {
            EventTime::NonFuture => (
                e.and_then(|d| d.checked_sub(UNANCHORED_DAYS.days()).ok()),
                l,
            ),
            EventTime::Future => (
                e,
                l.and_then(|d| d.checked_add(UNANCHORED_DAYS.days()).ok()),
            ),
        };
        When {
            earliest,
            latest,
            anchored: false,
            value: published.to_string(),
        }
    }

    /// Number of days it spans (`u32::MAX` when open).
    pub fn width(&self) -> u32 {
        match (self.earliest, self.latest) {
            (Some(e), Some(l)) => (l - e).get_days().max(0) as u32 + 1,
            _ => u32::MAX,
        }
    }

    /// Whether the two can be the same time.
    pub fn overlaps(&self, other: &When) -> bool {
        // An open side rules nothing out, a known one does: "../2018-01-31" cannot be
        // 2019.
        let before = |start: Option<Date>, end: Option<Date>| match (start, end) {
            (Some(s), Some(e)) => s <= e,
            _ => true,
        };
        before(self.earliest, other.latest) && before(other.earliest, self.latest)
    }

    /// The interval written at the precision it has: `2019-01-10`, `2019-01`, `2019`, or
    /// a range `2019-01-30/2019-02-27`; `?` when unknown.
    pub fn display(&self) -> String {
        display_interval(self.earliest, self.latest)
    }
}

/// An interval of days written at its precision (see [`When::display`]).
pub fn display_interval(earliest: Option<Date>, latest: Option<Date>) -> String {
    let (Some(e), Some(l)) = (earliest, latest) else {
        return match (earliest, latest) {
            (Some(e), None) => format!("{e}/.."),
            (None, Some(l)) => format!("../{l}"),
            _ => "?".to_string(),
        };
    };
    if e == l {
        return e.to_string();
    }
    if e.day() == 1 && l == e.last_of_month() {
        return format!("{:04}-{:02}", e.year(), e.month());
    }
    if e.day() == 1 && e.month() == 1 && l.month() == 12 && l.day() == 31 {
        return if e.year() == l.year() {
            format!("{:04}", e.year())
        } else {
            format!("{:04}/{:04}", e.year(), l.year())
        };
    }
    format!("{e}/{l}")
}

/// A named entity an event or claim involves: its within-document key, type and the
/// span of one of its mentions (the store maps that span to the entity across articles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// Within-document entity key (`abu bakr baghdadi`).
    pub key: String,
    /// Its type in this document.
    pub etype: EntityType,
    /// One of its mentions in the text.
    pub span: Span,
}

/// One typed event mention, ready to be merged.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// The trigger.
    pub span: Span,
    /// Its sentence.
    pub sentence: Span,
    /// The lower-cased trigger or its lemma.
    pub lemma: String,
    /// Certainty, polarity, time.
    pub factuality: Factuality,
    /// Who says so, as written ("The Guardian"), when attributed.
    pub source: Option<String>,
    /// When it happened.
    pub when: When,
}

/// The mentions of one event in one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocEvent {
    /// Ontology type (`coup`, `injury`, …).
    pub kind: &'static str,
    /// The lemma of the first mention.
    pub lemma: String,
    /// The most precise time of its mentions.
    pub when: When,
    /// Its mentions, in text order.
    pub mentions: Vec<EventRecord>,
    /// The entities involved (one entry per entity), in order of first involvement.
    pub participants: Vec<Participant>,
}

impl DocEvent {
    /// The keys of the involved places.
    pub fn places(&self) -> impl Iterator<Item = &str> {
        self.participants
            .iter()
            .filter(|p| p.etype == EntityType::Loc)
            .map(|p| p.key.as_str())
    }
}

/// A number someone gives about something.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The quantity as written ("zo’n 1.500 strijders").
    pub span: Span,
    /// Its sentence.
    pub sentence: Span,
    /// What it is about, when a named entity could be found.
    pub subject: Option<Participant>,
    /// What is counted, language-neutral where the lexicon knows it (`fighters`).
    pub property: String,
    /// The unit as written or normalised (`strijders`, `dollar`).
    pub unit: String,
    /// The value.
    pub value: f64,
    /// Exact, about, at most, at least.
    pub bound: Bound,
    /// Who gives it, when attributed.
    pub source: Option<String>,
    /// The time it refers to (the sentence's date, else the publication date).
    pub when: When,
}

/// Everything one document contributes to the record across articles.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocRecords {
    /// Typed events, chained within the document.
    pub events: Vec<DocEvent>,
    /// Numeric claims.
    pub claims: Vec<Claim>,
}

struct Anaphor {
    etype: EntityType,
    words: Vec<String>,
}

fn anaphors(lang: Lang) -> &'static Vec<Anaphor> {
    static CACHE: resources::PerLanguage<Vec<Anaphor>> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            resources::lines(l, "anaphora.txt")
                .filter_map(|line| {
                    let (t, phrase) = line.split_once('\t')?;
                    Some(Anaphor {
                        etype: EntityType::parse(t.trim())?,
                        words: phrase.split_whitespace().map(str::to_lowercase).collect(),
                    })
                })
                .collect()
        },
        Vec::new,
    )
}

fn properties(lang: Lang) -> &'static HashMap<String, &'static str> {
    static CACHE: resources::PerLanguage<HashMap<String, &'static str>> =
        resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            let mut map = word_classes(l, "claim_properties.txt");
            for class in map.values_mut() {
                *class = class.trim_start_matches('*');
            }
            map
        },
        HashMap::new,
    )
}

/// Whether claims of this property are only comparable with a measure: the classes marked
/// `*` in any language's `claim_properties.txt` (amounts of money, percentages, people,
/// shares), also as rates ("dollar per share").
/// "$78.8 million" and "$2.35 billion" about one company are mostly a loss and a revenue;
/// "a loss of $78.8 million" (`loss in dollar`) has its measure and is comparable.
pub fn needs_measure(property: &str) -> bool {
    static BARE: OnceLock<Vec<&'static str>> = OnceLock::new();
    BARE.get_or_init(|| {
        let mut bare = Vec::new();
        for lang in resources::languages() {
            for line in resources::lines(lang, "claim_properties.txt") {
                if let Some(class) = line.split('\t').next().and_then(|c| c.strip_prefix('*')) {
                    bare.push(class.trim());
                }
            }
        }
        bare
    })
    // A rate is bare when its unit is ("cents per share": earnings, a dividend or a price).
    .contains(&property.split(" per ").next().unwrap_or(property))
}

/// Words that make a count count a part of the whole (`resources/<lang>/
/// claim_qualifiers.txt`: class TAB words): "three new members" are `new members`.
fn claim_qualifiers(lang: Lang) -> &'static HashMap<String, &'static str> {
    static CACHE: resources::PerLanguage<HashMap<String, &'static str>> =
        resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| word_classes(l, "claim_qualifiers.txt"),
        HashMap::new,
    )
}

/// The class of `claim_outcomes.txt` whose words end the look for an outcome after a
/// count (a new clause: "and", "en").
const OUTCOME_STOP: &str = "stop";

/// What a count of people is when a word of `resources/<lang>/claim_outcomes.txt`
/// (property TAB words) follows it closely in its clause: "257 people were killed" is
/// `deaths`, as "257 doden" is.
fn claim_outcomes(lang: Lang) -> &'static HashMap<String, &'static str> {
    static CACHE: resources::PerLanguage<HashMap<String, &'static str>> =
        resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| word_classes(l, "claim_outcomes.txt"),
        HashMap::new,
    )
}

/// A `class<TAB>words` resource file as a map from each lower-case word to its class.
fn word_classes(lang: Lang, file: &str) -> HashMap<String, &'static str> {
    let mut map = HashMap::new();
    for line in resources::lines(lang, file) {
        if let Some((class, words)) = line.split_once('\t') {
            for w in words.split_whitespace() {
                map.insert(w.to_lowercase(), class.trim());
            }
        }
    }
    map
}

/// What amounts measure (`resources/<lang>/claim_measures.txt`: measure TAB words): a
/// lower-case word to its language-neutral measure ("omzet" and "sales" are `revenue`).
fn claim_measures(lang: Lang) -> &'static HashMap<String, &'static str> {
    static CACHE: resources::PerLanguage<HashMap<String, &'static str>> =
        resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| word_classes(l, "claim_measures.txt"),
        HashMap::new,
    )
}

/// Rates per unit other than time (`resources/<lang>/claim_rates.txt`: rate TAB phrase):
/// "a share" makes "$3.27 a share" a value in dollar per share.
fn claim_rates(lang: Lang) -> &'static [(&'static str, &'static str)] {
    static CACHE: resources::PerLanguage<Vec<(&'static str, &'static str)>> =
        resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            resources::lines(l, "claim_rates.txt")
                .filter_map(|line| line.split_once('\t'))
                .map(|(rate, phrase)| (rate.trim(), phrase.trim()))
                .filter(|(rate, phrase)| !rate.is_empty() && !phrase.is_empty())
                .collect()
        },
        Vec::new,
    )
}

/// Words that, right after a length of time, date an event from the sentence's date
/// (`resources/<lang>/event_offsets.txt`): -1 where the event lies that long before it
/// ("refloated on Monday, six days **after** it ran aground"), +1 where after ("two days
/// **before** the vote, … resigned on Friday").
fn offset_words(lang: Lang) -> &'static HashMap<String, i64> {
    static CACHE: resources::PerLanguage<HashMap<String, i64>> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            resources::lines(l, "event_offsets.txt")
                .filter_map(|line| {
                    let (word, sign) = line.split_once('\t')?;
                    let sign = match sign.trim() {
                        "-" => -1,
                        "+" => 1,
                        _ => return None,
                    };
                    Some((word.trim().to_lowercase(), sign))
                })
                .collect()
        },
        HashMap::new,
    )
}

/// Words before an event noun that put it before its sentence's own time, and the
/// determiners that may stand between (`resources/<lang>/prior_words.txt`): "an appeal
/// **against the** impoundment is scheduled for May 22", "protest **na de** stranding".
#[derive(Default)]
struct PriorWords {
    prior: std::collections::HashSet<String>,
    determiners: std::collections::HashSet<String>,
}

fn prior_words(lang: Lang) -> &'static PriorWords {
    static CACHE: resources::PerLanguage<PriorWords> = resources::PerLanguage::new();
    CACHE.get(
        lang,
        |l| {
            let mut w = PriorWords::default();
            for line in resources::lines(l, "prior_words.txt") {
                match line.split_once('\t') {
                    Some(("prior", x)) => w.prior.insert(x.trim().to_lowercase()),
                    Some(("det", x)) => w.determiners.insert(x.trim().to_lowercase()),
                    _ => false,
                };
            }
            w
        },
        PriorWords::default,
    )
}

/// A definite TIMEX3 length in days, weeks, months or years (`P6D`, `P2W`, `P3M`, `P1Y`):
/// the number and its unit; none for vague (`PXD`), fractional or clock lengths.
fn definite_length(value: &str) -> Option<(i64, u8)> {
    let rest = value.strip_prefix('P').filter(|r| r.is_ascii())?;
    let unit = *rest.as_bytes().last()?;
    let n: i64 = rest[..rest.len() - 1].parse().ok()?;
    (matches!(unit, b'D' | b'W' | b'M' | b'Y') && (1..=1000).contains(&n)).then_some((n, unit))
}

/// `d` moved by `n` units (`D`, `W`, `M`, `Y`); months and years end on the last day of
/// a shorter month.
fn shift(d: Date, n: i64, unit: u8) -> Option<Date> {
    let span = match unit {
        b'D' => n.days(),
        b'W' => (7 * n).days(),
        b'M' => n.months(),
        _ => n.years(),
    };
    d.checked_add(span).ok()
}

/// The property of counted nouns that are no claim ("drie momenten", "two others").
pub const IGNORED: &str = "-";

/// The language-neutral property a counted noun measures.
pub fn property_of(lang: Lang, unit: &str) -> String {
    let lower = unit.to_lowercase();
    properties(lang)
        .get(&lower)
        .map_or(lower, |p| (*p).to_string())
}

/// How many sentences back an anaphor or a claim's subject is looked for.
const LOOKBACK_SENTENCES: usize = 4;

/// Extracts a document's event chains and claims from its analysis.
pub fn extract(doc: &Document, a: &Analysis) -> DocRecords {
    let lang = a.language.unwrap_or(Lang::EN);
    let text = doc.text.as_str();
    let ctx = Context::new(text, a, lang);
    let mut records: Vec<(EventRecord, &'static str, Vec<Participant>)> = Vec::new();
    // The reporting verb of an attribution ("zei", "said") is how the news reached us,
    // not an event of the story: it is the mention's source, kept on the other records.
    let cues: Vec<Span> = a.attributions.iter().map(|x| x.cue).collect();
    let mut by_sentence: HashMap<usize, Vec<Participant>> = HashMap::new();
    for e in a
        .events
        .iter()
        .filter(|e| e.kind != "other" && !cues.iter().any(|c| c.overlaps(e.span)))
    {
        let Some(sentence) = a.sentences.get(e.sentence) else {
            continue;
        };
        let record = EventRecord {
            span: e.span,
            sentence: sentence.span,
            lemma: e.lemma.clone(),
            factuality: e.factuality,
            source: ctx.source_name(e.source),
            when: ctx.when_of(e, doc.published),
        };
        // Participants are a sentence's: computed once per sentence.
        let participants = by_sentence
            .entry(e.sentence)
            .or_insert_with(|| ctx.participants(e.sentence))
            .clone();
        records.push((record, e.kind, participants));
    }
    DocRecords {
        events: chain(records),
        claims: ctx.claims(doc.published),
    }
}

/// Per-document lookups shared by events and claims.
struct Context<'a> {
    text: &'a str,
    a: &'a Analysis,
    /// Type of each entity key in this document (PER wins over others, MISC loses).
    key_types: HashMap<&'a str, EntityType>,
    /// Byte spans of attribution sources: entities there give, not take part.
    sources: Vec<Span>,
    /// Per attribution, the name its source goes by in this document ([`speaker_names`]).
    speakers: Vec<Option<String>>,
    lang: Lang,
}

/// The name each attribution's source goes by: its name as written ("Glenn", or the
/// antecedent of "he"), else the source phrase; but a name that is a mention of a named
/// entity becomes the longest name of that entity among the document's sources
/// ("Sgt. Derek Glenn" for a later "Glenn" and "Derek Glenn"), so that one speaker is one
/// speaker to the claims and events of the document.
fn speaker_names(text: &str, a: &Analysis) -> Vec<Option<String>> {
    use crate::attribution::Attribution;
    let own = |at: &Attribution| {
        text.get(at.name.unwrap_or(at.source).range())
            .map(str::to_string)
    };
    // The entity a name is a mention of: the attribution's entity, if one of its
    // mentions lies inside the name.
    fn named_entity<'a>(a: &'a Analysis, at: &'a Attribution) -> Option<&'a str> {
        let (name, key) = (at.name?, at.entity.as_deref()?);
        a.entities
            .iter()
            .any(|m| m.key == key && name.contains(m.span))
            .then_some(key)
    }
    let mut longest: HashMap<&str, String> = HashMap::new();
    for at in &a.attributions {
        if let (Some(key), Some(name)) = (named_entity(a, at), own(at)) {
            let best = longest.entry(key).or_default();
            if name.chars().count() > best.chars().count() {
                *best = name;
            }
        }
    }
    a.attributions
        .iter()
        .map(
            |at| match named_entity(a, at).and_then(|k| longest.get(k)) {
                Some(name) => Some(name.clone()),
                None => own(at),
            },
        )
        .collect()
}

impl<'a> Context<'a> {
    fn new(text: &'a str, a: &'a Analysis, lang: Lang) -> Context<'a> {
        let mut key_types: HashMap<&str, EntityType> = HashMap::new();
        for m in &a.entities {
            let t = key_types.entry(m.key.as_str()).or_insert(m.etype);
            if rank(m.etype) > rank(*t) {
                *t = m.etype;
            }
        }
        Context {
            text,
            a,
            key_types,
            sources: a.attributions.iter().map(|x| x.source).collect(),
            speakers: speaker_names(text, a),
            lang,
        }
    }

    fn source_name(&self, source: Option<usize>) -> Option<String> {
        self.speakers.get(source?)?.clone()
    }

    /// Whether a prior word ([`PriorWords`]) stands before the event's trigger, with at
    /// most two determiners between: such an event happened before what its sentence
    /// dates ("the appeal against the impoundment is scheduled for May 22"), unless a time
    /// expression follows the trigger at once ("after the crash on Monday") or a length
    /// comes right before the prior word ("six days after the grounding", which the
    /// offset words date).
    fn before_its_sentence(&self, e: &EventMention) -> bool {
        let words = prior_words(self.lang);
        if words.prior.is_empty() {
            return false;
        }
        let tokens = &self.a.tokens;
        let word = |i: usize| {
            tokens
                .get(i)
                .and_then(|t| self.text.get(t.span.range()))
                .unwrap_or("")
                .to_lowercase()
        };
        let mut i = e.tokens.start;
        for _ in 0..3 {
            if i == 0 {
                return false;
            }
            i -= 1;
            let w = word(i);
            if words.prior.contains(&w) {
                // "six days after the grounding": the length dates it (see `offset`).
                let at = tokens[i].span.start;
                let counted = self.a.timexes.iter().any(|t| {
                    t.kind == TimexType::Duration && t.span.end <= at && at - t.span.end <= 1
                });
                if counted {
                    return false;
                }
                let next = tokens.get(e.tokens.end).map(|t| t.span.start);
                let dated_at_once = next.is_some_and(|n| {
                    self.a.timexes.iter().any(|t| {
                        t.span.start >= n && t.span.start <= n + 4 && t.kind != TimexType::Duration
                    })
                });
                return !dated_at_once;
            }
            if !words.determiners.contains(&w) {
                return false;
            }
        }
        false
    }

    fn when_of(&self, e: &EventMention, published: PubDate) -> When {
        if self.before_its_sentence(e) {
            return When::unanchored(published, e.factuality.time);
        }
        let governing = e
            .anchor
            .and_then(|s| self.a.timexes.iter().find(|t| t.span == s));
        // A period counted back or on from a known day ("de afgelopen drie jaar", "the
        // past three years") places the event inside it, even where the sentence names
        // another date in a clause of its own ("De man die in 2014 … uitriep, is de
        // afgelopen drie jaar … gewond geraakt").
        if let Some(t) = governing.filter(|t| is_placed_period(t)) {
            return When {
                earliest: t.earliest,
                latest: t.latest,
                anchored: true,
                value: t.value.clone(),
            };
        }
        let anchor = governing
            .filter(|t| is_point(t))
            // A bare length ("45 seconden lang") or "now" does not place the event: the
            // nearest date of the sentence does ("op 3 november 2016 … 45 seconden lang
            // … gesproken").
            .or_else(|| {
                let sentence = self.a.sentences.get(e.sentence)?.span;
                self.a
                    .timexes
                    .iter()
                    .filter(|t| sentence.contains(t.span) && is_point(t))
                    .filter(|t| {
                        !crate::attribution::reported_apart(&self.a.attributions, t.span, e.span)
                    })
                    .min_by_key(|t| t.span.start.abs_diff(e.span.start))
            });
        match anchor {
            Some(t) if is_point(t) => {
                let when = When {
                    earliest: t.earliest,
                    latest: t.latest,
                    anchored: true,
                    value: t.value.clone(),
                };
                governing
                    .and_then(|g| self.offset(g, &when))
                    .unwrap_or(when)
            }
            _ => When::unanchored(published, e.factuality.time),
        }
    }

    /// The date of an event governed by a length followed by an offset word ("six days
    /// after it ran aground"): the sentence's date `when` moved back or on by that
    /// length. The value becomes the interval's, as the text names no date for it.
    fn offset(&self, length: &crate::timex::Timex, when: &When) -> Option<When> {
        if length.kind != TimexType::Duration {
            return None;
        }
        let (n, unit) = definite_length(&length.value)?;
        let next: String = self
            .text
            .get(length.span.end as usize..)?
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect();
        let sign = *offset_words(self.lang).get(&next)?;
        let earliest = shift(when.earliest?, sign * n, unit)?;
        let latest = shift(when.latest?, sign * n, unit)?;
        Some(When {
            earliest: Some(earliest),
            latest: Some(latest),
            anchored: true,
            value: display_interval(Some(earliest), Some(latest)),
        })
    }

    fn participant(&self, i: usize) -> Participant {
        let m = &self.a.entities[i];
        Participant {
            key: m.key.clone(),
            etype: self
                .key_types
                .get(m.key.as_str())
                .copied()
                .unwrap_or(m.etype),
            span: m.span,
        }
    }

    fn is_source(&self, span: Span) -> bool {
        self.sources.iter().any(|s| s.contains(span))
    }

    /// Whether `span`, in the first sentence, is the agency of a news dateline: in
    /// brackets right before the dash ("PORT KESSEL, March 20 (Global Wire) - A ship
    /// ran aground …"). The agency tells the story; it takes no part in it.
    fn is_dateline_agency(&self, s: usize, span: Span) -> bool {
        if s != 0 {
            return false;
        }
        let tokens = &self.a.tokens[self.a.sentences[0].tokens.clone()];
        let (Some(a), Some(b)) = (
            tokens.iter().position(|t| t.span.start == span.start),
            tokens.iter().position(|t| t.span.end == span.end),
        ) else {
            return false;
        };
        let words: Vec<&str> = tokens
            .iter()
            .map(|t| self.text.get(t.span.range()).unwrap_or(""))
            .collect();
        crate::ner::cues::dateline_agency(&words, a, b + 1)
    }

    /// The entities of sentence `s` (not the sources, nor a dateline's agency) and the
    /// antecedents of its anaphors.
    fn participants(&self, s: usize) -> Vec<Participant> {
        let sentence = self.a.sentences[s].span;
        let mut out: Vec<Participant> = Vec::new();
        let mut push = |p: Participant| {
            if !out.iter().any(|q| q.key == p.key) {
                out.push(p);
            }
        };
        for (i, m) in self.a.entities.iter().enumerate() {
            if sentence.contains(m.span)
                && !self.is_source(m.span)
                && !self.is_dateline_agency(s, m.span)
            {
                push(self.participant(i));
            }
        }
        for (at, etype) in self.anaphors_in(s) {
            if let Some(i) = self.antecedent(at, etype, s) {
                push(self.participant(i));
            }
        }
        out
    }

    /// Anaphors in sentence `s`: (byte offset, type they refer to).
    fn anaphors_in(&self, s: usize) -> Vec<(u32, EntityType)> {
        let list = anaphors(self.lang);
        if list.is_empty() {
            return Vec::new();
        }
        let toks = &self.a.tokens[self.a.sentences[s].tokens.clone()];
        let lower: Vec<String> = toks
            .iter()
            .map(|t| self.text[t.span.range()].to_lowercase())
            .collect();
        let mut out = Vec::new();
        for i in 0..toks.len() {
            for an in list {
                let n = an.words.len();
                if i + n <= toks.len() && lower[i..i + n] == an.words[..] {
                    out.push((toks[i].span.start, an.etype));
                }
            }
        }
        out
    }

    /// The latest entity mention of `etype` before `at`, within the look-back window.
    fn antecedent(&self, at: u32, etype: EntityType, s: usize) -> Option<usize> {
        let first = s.saturating_sub(LOOKBACK_SENTENCES);
        let from = self.a.sentences[first].span.start;
        self.a
            .entities
            .iter()
            .enumerate()
            .filter(|(_, m)| m.span.start >= from && m.span.end <= at && !self.is_source(m.span))
            .filter(|(_, m)| self.key_types.get(m.key.as_str()) == Some(&etype))
            .map(|(i, _)| i)
            .next_back()
    }

    fn claims(&self, published: PubDate) -> Vec<Claim> {
        let mut out = Vec::new();
        let sorted = self.a.quantities.is_sorted_by_key(|n| n.span.start);
        for q in &self.a.quantities {
            let Some(unit) = q.unit.clone() else {
                continue;
            };
            // A number describing who speaks ("two people familiar with the talks") is
            // no claim of theirs.
            if self.sources.iter().any(|s| s.contains(q.number)) {
                continue;
            }
            let mut property = property_of(self.lang, &unit);
            if property == IGNORED {
                continue;
            }
            // Money and percentages keep their currency: "Canadian dollars" are dollars.
            let counted = property == "people" || !needs_measure(&property);
            let Some(s) = self
                .a
                .sentences
                .iter()
                .position(|s| s.span.contains(q.number))
            else {
                continue;
            };
            let sentence = self.a.sentences[s].span;
            // "$12 million in lost fees each day", "10 miljoen dollar per dag": a rate,
            // which is no rival of a total in dollars.
            // The first number of a range has the rate of the second ("between $12 million
            // and $15 million … each day").
            let mut end = q.span;
            let close = |end: Span, n: &crate::quantity::Quantity| {
                self.text
                    .get(end.end as usize..n.span.start as usize)
                    .is_some_and(|g| {
                        g.split_whitespace().count() <= 2 && !g.contains([',', ';', '.'])
                    })
            };
            while let Some(next) = if sorted {
                // In text order the gap only grows: stop at the first one too far.
                let from = self
                    .a
                    .quantities
                    .partition_point(|n| n.span.start < end.end);
                self.a.quantities[from..]
                    .iter()
                    .take_while(|n| close(end, n))
                    .find(|n| n.unit == q.unit)
            } else {
                self.a
                    .quantities
                    .iter()
                    .find(|n| n.span.start >= end.end && n.unit == q.unit && close(end, n))
            } {
                end = next.span;
            }
            let mut unit = unit;
            if let Some(outcome) = self.outcome_of(&property, &unit, q.span, end, sentence) {
                property = outcome.to_string();
            // "a loss of $78.8 million", "$2.35 billion in revenue": what the amount
            // measures, so that a loss is no rival of the revenue.
            } else if let Some(measure) = self.measure_near(q.number, end, sentence) {
                property = format!("{measure} in {property}");
            }
            if let Some(period) = self.rate_after(end, sentence) {
                property = format!("{property} per {period}");
                unit = format!("{unit} per {period}");
            }
            if let Some(part) = self.qualifier(q, sentence).filter(|_| counted) {
                property = format!("{part} {property}");
            }
            let when = self
                .a
                .timexes
                .iter()
                .find(|t| sentence.contains(t.span) && is_point(t))
                .map(|t| When {
                    earliest: t.earliest,
                    latest: t.latest,
                    anchored: true,
                    value: t.value.clone(),
                })
                .unwrap_or_else(|| When {
                    earliest: published.earliest(),
                    latest: published.latest(),
                    anchored: false,
                    value: published.to_string(),
                });
            out.push(Claim {
                span: q.span,
                sentence,
                subject: self.subject(q.span, s),
                property,
                unit,
                value: q.value,
                bound: q.bound,
                source: self.source_name(q.source),
                when,
            });
        }
        out
    }

    /// The period of a recurring time expression that follows a number closely in its
    /// sentence ("each day", "per dag", "a week"; at most five words between, no comma),
    /// making the number a rate.
    /// The measure noun of an amount (`resources/<lang>/claim_measures.txt`): one of at
    /// most six words before the number in its clause ("revenue rose 5% to $2.35
    /// billion", "een verlies van 3 miljoen euro"), else the word after `in`/`of`/`aan`
    /// right after the quantity ("$2.35 billion in revenue").
    fn measure_near(&self, number: Span, q: Span, sentence: Span) -> Option<&'static str> {
        let measures = claim_measures(self.lang);
        if measures.is_empty() {
            return None;
        }
        let tokens = &self.a.tokens;
        let word = |i: usize| self.text[tokens[i].span.range()].to_lowercase();
        let first = tokens.iter().position(|t| t.span.start >= number.start)?;
        let mut i = first;
        while i > 0 && first - i < 6 && tokens[i - 1].span.start >= sentence.start {
            i -= 1;
            if tokens[i].kind == crate::text::TokenKind::Punct {
                let w = word(i);
                if matches!(w.as_str(), "," | ";" | ":" | "(" | ")") {
                    break;
                }
                continue;
            }
            if let Some(m) = measures.get(word(i).as_str()) {
                return Some(m);
            }
        }
        let after = tokens.iter().position(|t| t.span.start >= q.end)?;
        let linked = after + 1 < tokens.len()
            && tokens[after + 1].span.end <= sentence.end
            && matches!(word(after).as_str(), "in" | "of" | "aan");
        linked
            .then(|| measures.get(word(after + 1).as_str()).copied())
            .flatten()
    }

    /// What part of the whole a count counts (`claim_qualifiers`): a qualifier's class or
    /// a capitalised word (not the sentence's first) between the number and its counted
    /// noun ("three new members": `new`; "30 African countries": `african`).
    fn qualifier(&self, q: &crate::quantity::Quantity, sentence: Span) -> Option<String> {
        let unit = q.unit_span?;
        if unit.start < q.number.end {
            return None;
        }
        let qualifiers = claim_qualifiers(self.lang);
        let tokens = &self.a.tokens;
        tokens
            .iter()
            .filter(|t| t.span.start >= q.number.end && t.span.end <= unit.start)
            .filter(|t| t.kind == crate::text::TokenKind::Word)
            .find_map(|t| {
                let w = &self.text[t.span.range()];
                let lower = w.to_lowercase();
                if let Some(class) = qualifiers.get(lower.as_str()) {
                    return Some(class.to_string());
                }
                let capital = w.chars().next().is_some_and(char::is_uppercase);
                (capital && t.span.start > sentence.start).then_some(lower)
            })
    }

    /// What happened to the people a count counts (`claim_outcomes`): the word right
    /// before the count ("killed 257 people"), else one of at most four words after the
    /// quantity in its clause, up to a word of the `stop` class ("257 people were killed",
    /// "40 mensen raakten gewond"; not "injured" in "killed 257 people and injured
    /// 5,500"). Only for `people` and units no property lists ("Iraqis"), never for money
    /// or other listed units.
    fn outcome_of(
        &self,
        property: &str,
        unit: &str,
        count: Span,
        q: Span,
        sentence: Span,
    ) -> Option<&'static str> {
        let listed = properties(self.lang).contains_key(&unit.to_lowercase());
        if listed && property != "people" {
            return None;
        }
        let outcomes = claim_outcomes(self.lang);
        let tokens = &self.a.tokens;
        let word = |t: &crate::text::Token| self.text[t.span.range()].to_lowercase();
        let at = tokens.iter().position(|t| t.span.start >= count.start)?;
        if let Some(before) = at.checked_sub(1).map(|i| &tokens[i]) {
            let o = outcomes.get(word(before).as_str()).copied();
            if before.span.start >= sentence.start && o.is_some_and(|o| o != OUTCOME_STOP) {
                return o;
            }
        }
        let first = tokens.iter().position(|t| t.span.start >= q.end)?;
        for t in tokens[first..].iter().take(4) {
            if t.span.end > sentence.end || t.kind == crate::text::TokenKind::Punct {
                break;
            }
            match outcomes.get(word(t).as_str()) {
                Some(&OUTCOME_STOP) => break,
                Some(o) => return Some(o),
                None => {}
            }
        }
        None
    }

    fn rate_after(&self, q: Span, sentence: Span) -> Option<&'static str> {
        let text = self.text;
        // "$3.27 a share", "1,20 euro per aandeel": a rate per unit, no rival of a total.
        let after = text
            .get(q.end as usize..sentence.end as usize)?
            .trim_start();
        for (rate, phrase) in claim_rates(self.lang) {
            let rest = after
                .get(..phrase.len())
                .filter(|head| head.eq_ignore_ascii_case(phrase))
                .map(|_| &after[phrase.len()..]);
            if rest.is_some_and(|r| !r.starts_with(char::is_alphanumeric)) {
                return Some(rate);
            }
        }
        let t = self
            .a
            .timexes
            .iter()
            .find(|t| t.span.start >= q.end && sentence.contains(t.span))?;
        let gap = text.get(q.end as usize..t.span.start as usize)?;
        if gap.split_whitespace().count() > 5 || gap.contains([',', ';', ':', '.', '(', ')']) {
            return None;
        }
        let surface = text.get(t.span.range())?.to_lowercase();
        // A length of time is a rate only right after the number, with "a" or "an" ("$5
        // million a week"); "for a week" or "three weeks" is a duration.
        let recurring = match t.kind {
            TimexType::Set => true,
            TimexType::Duration => {
                gap.trim().is_empty() && (surface.starts_with("a ") || surface.starts_with("an "))
            }
            _ => false,
        };
        if !recurring {
            return None;
        }
        match t.value.as_str() {
            "PT1H" => Some("hour"),
            "P1D" => Some("day"),
            "P1W" => Some("week"),
            "P1M" => Some("month"),
            "P3M" | "P1Q" => Some("quarter"),
            "P1Y" => Some("year"),
            _ => None,
        }
    }

    /// What a number is about: the nearest person or organisation of its sentence (not
    /// the source), else the last one of the preceding sentences, else the nearest place
    /// of its sentence ("369 schepen" waiting before a canal).
    fn subject(&self, q: Span, s: usize) -> Option<Participant> {
        let sentence = self.a.sentences[s].span;
        let type_of = |m: &crate::entities::EntityMention| {
            self.key_types
                .get(m.key.as_str())
                .copied()
                .unwrap_or(m.etype)
        };
        let usable = |m: &crate::entities::EntityMention| {
            type_of(m) != EntityType::Misc && !self.is_source(m.span) && !q.contains(m.span)
        };
        let actor = |m: &crate::entities::EntityMention| {
            matches!(type_of(m), EntityType::Org | EntityType::Per)
        };
        let distance = |m: &crate::entities::EntityMention| {
            if m.span.start >= q.end {
                m.span.start - q.end
            } else {
                q.start.saturating_sub(m.span.end)
            }
        };
        let nearest = |want_actor: bool| {
            self.a
                .entities
                .iter()
                .enumerate()
                .filter(|(_, m)| sentence.contains(m.span) && usable(m) && actor(m) == want_actor)
                .min_by_key(|(_, m)| distance(m))
                .map(|(i, _)| i)
        };
        let before = || {
            let from = self.a.sentences[s.saturating_sub(LOOKBACK_SENTENCES)]
                .span
                .start;
            self.a
                .entities
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    m.span.start >= from && m.span.end <= sentence.start && usable(m) && actor(m)
                })
                .map(|(i, _)| i)
                .next_back()
        };
        nearest(true)
            .or_else(before)
            .or_else(|| nearest(false))
            .map(|i| self.participant(i))
    }
}

fn rank(t: EntityType) -> u8 {
    match t {
        EntityType::Per => 3,
        EntityType::Org => 2,
        EntityType::Loc => 1,
        _ => 0,
    }
}

/// A duration that the time layer anchored to a day at both ends ("de afgelopen 18
/// maanden", "the past three years"), unlike a bare length ("45 seconden"). A period open
/// at one end ("de afgelopen jaren") would let the event merge with anything before, so
/// it places nothing.
fn is_placed_period(t: &crate::timex::Timex) -> bool {
    t.kind == TimexType::Duration && t.earliest.is_some() && t.latest.is_some()
}

/// Whether a time expression names a point or stretch of the calendar an event can be
/// placed in (not a duration, set, or "now").
fn is_point(t: &crate::timex::Timex) -> bool {
    matches!(t.kind, TimexType::Date | TimexType::Time)
        && t.earliest.is_some()
        && t.latest.is_some()
        && !t.value.ends_with("_REF")
}

/// Chains one document's records: a record joins the latest chain of its kind whose time
/// it fits and whose places it does not contradict.
fn chain(records: Vec<(EventRecord, &'static str, Vec<Participant>)>) -> Vec<DocEvent> {
    let mut out: Vec<DocEvent> = Vec::new();
    for (record, kind, participants) in records {
        let joins = out.iter().rposition(|c| {
            c.kind == kind
                && c.when.overlaps(&record.when)
                && !merge::places_differ(
                    c.places(),
                    participants
                        .iter()
                        .filter(|p| p.etype == EntityType::Loc)
                        .map(|p| p.key.as_str()),
                )
        });
        match joins {
            Some(i) => {
                let c = &mut out[i];
                if record.when.anchored
                    && (!c.when.anchored || record.when.width() < c.when.width())
                {
                    c.when = record.when.clone();
                }
                for p in participants {
                    if !c.participants.iter().any(|q| q.key == p.key) {
                        c.participants.push(p);
                    }
                }
                c.mentions.push(record);
            }
            None => out.push(DocEvent {
                kind,
                lemma: record.lemma.clone(),
                when: record.when.clone(),
                mentions: vec![record],
                participants,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests;
