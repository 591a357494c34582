//! Topic timelines: the most important dates of a story and a few sentences for each,
//! under a length limit (the timeline-summarisation task).
//!
//! Unsupervised, in the manner of the date-wise approach of Ghalandari & Ifrim (2020):
//! - **dates** are ranked by how often the articles refer to them: every sentence with a
//!   time expression of day precision votes for its day, and the opening sentences of an
//!   article published on a known day vote (with half weight) for that day; a vote counts
//!   only when it comes from an article published on or after the day (reports look back);
//! - **sentences** for a date are the ones voting for it; those with query words are
//!   preferred, then the ones closest to the centroid of the date's sentences (the
//!   story as most articles tell it), skipping near-duplicates of a chosen one.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;

/// A sentence that tells something about a day.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedSentence {
    /// The day it refers to.
    pub date: Date,
    /// The sentence.
    pub text: String,
    /// Whether it names the day (else it only opens an article published that day).
    pub explicit: bool,
    /// The article it comes from (sentences of one article vote once per day).
    pub doc: u64,
}

/// One date of a topic timeline with its sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineDate {
    /// The day.
    pub date: Date,
    /// Its sentences, most representative first.
    pub sentences: Vec<String>,
    /// The date's score: the weighted number of articles referring to it.
    pub score: f64,
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2)
        .map(str::to_lowercase)
        .collect()
}

fn cosine(a: &HashMap<String, f64>, b: &HashMap<String, f64>) -> f64 {
    let dot: f64 = a.iter().filter_map(|(k, v)| b.get(k).map(|w| v * w)).sum();
    let na: f64 = a.values().map(|v| v * v).sum::<f64>().sqrt();
    let nb: f64 = b.values().map(|v| v * v).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// Selects at most `max_dates` dates and `per_date` sentences for each, in date order.
pub fn summarise(
    sentences: &[DatedSentence],
    query: &str,
    max_dates: usize,
    per_date: usize,
) -> Vec<TimelineDate> {
    let query: HashSet<String> = words(query).into_iter().collect();
    // Votes: one per (article, day, kind of reference).
    let mut votes: BTreeMap<Date, f64> = BTreeMap::new();
    let mut seen: HashSet<(u64, Date, bool)> = HashSet::new();
    for s in sentences {
        if seen.insert((s.doc, s.date, s.explicit)) {
            *votes.entry(s.date).or_insert(0.0) += if s.explicit { 1.0 } else { 0.5 };
        }
    }
    let mut ranked: Vec<(Date, f64)> = votes.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(max_dates);
    // Document frequencies for TF-IDF weights.
    let mut df: HashMap<String, f64> = HashMap::new();
    for s in sentences {
        let uniq: HashSet<String> = words(&s.text).into_iter().collect();
        for w in uniq {
            *df.entry(w).or_insert(0.0) += 1.0;
        }
    }
    let n = sentences.len().max(1) as f64;
    let vector = |text: &str| -> HashMap<String, f64> {
        let mut v = HashMap::new();
        for w in words(text) {
            let idf = (n / df.get(&w).copied().unwrap_or(1.0)).ln() + 1.0;
            *v.entry(w).or_insert(0.0) += idf;
        }
        v
    };
    // A sentence is told once in a timeline, under the best date it votes for.
    let mut used: HashSet<String> = HashSet::new();
    let mut out: Vec<TimelineDate> = ranked
        .into_iter()
        .map(|(date, score)| {
            let mut of_date: Vec<&DatedSentence> =
                sentences.iter().filter(|s| s.date == date).collect();
            // The same sentence printed by several papers is one candidate.
            let mut texts = HashSet::new();
            of_date.retain(|s| {
                !used.contains(s.text.trim()) && texts.insert(s.text.trim().to_string())
            });
            let vecs: Vec<HashMap<String, f64>> = of_date.iter().map(|s| vector(&s.text)).collect();
            let mut centroid: HashMap<String, f64> = HashMap::new();
            for v in &vecs {
                for (k, x) in v {
                    *centroid.entry(k.clone()).or_insert(0.0) += x;
                }
            }
            let mut order: Vec<(usize, bool, f64)> = (0..of_date.len())
                .map(|i| {
                    let has_query = query.is_empty()
                        || words(&of_date[i].text).iter().any(|w| query.contains(w));
                    (i, has_query, cosine(&vecs[i], &centroid))
                })
                .collect();
            order.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
            let mut chosen: Vec<usize> = Vec::new();
            for (i, _, _) in order {
                if chosen.len() >= per_date {
                    break;
                }
                let len = of_date[i].text.split_whitespace().count();
                if !(5..=80).contains(&len) && chosen.len() + 1 < of_date.len() {
                    continue;
                }
                if chosen.iter().any(|&j| cosine(&vecs[i], &vecs[j]) > 0.5) {
                    continue;
                }
                chosen.push(i);
                used.insert(of_date[i].text.trim().to_string());
            }
            TimelineDate {
                date,
                sentences: chosen
                    .into_iter()
                    .map(|i| of_date[i].text.trim().to_string())
                    .collect(),
                score,
            }
        })
        .filter(|d| !d.sentences.is_empty())
        .collect();
    out.sort_by_key(|d| d.date);
    out
}

/// Writes a timeline in the classic timeline-summarisation text format read by TLS
/// scorers: a `YYYY-MM-DD` line, that date's sentences one per line, a line of dashes.
pub fn to_tls(dates: &[TimelineDate]) -> String {
    let mut out = String::new();
    for d in dates {
        out.push_str(&d.date.to_string());
        out.push('\n');
        for s in &d.sentences {
            // One sentence per line, whatever line breaks the article had.
            out.push_str(&s.split_whitespace().collect::<Vec<_>>().join(" "));
            out.push('\n');
        }
        out.push_str("--------------------------------\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(date: &str, text: &str, explicit: bool, doc: u64) -> DatedSentence {
        DatedSentence {
            date: date.parse().unwrap(),
            text: text.to_string(),
            explicit,
            doc,
        }
    }

    #[test]
    fn the_most_referred_dates_win_and_come_in_order() {
        let input = vec![
            s(
                "2024-03-19",
                "The ship ran aground in the canal on March 19.",
                true,
                1,
            ),
            s(
                "2024-03-19",
                "On March 19 the container ship became wedged across the canal.",
                true,
                2,
            ),
            s(
                "2024-03-19",
                "The grounding on 19 March blocked all traffic through the canal.",
                true,
                3,
            ),
            s(
                "2024-03-29",
                "The ship was refloated on March 29 after six days.",
                true,
                4,
            ),
            s(
                "2024-03-29",
                "Tugs pulled the ship free on March 29 with the spring tide.",
                true,
                5,
            ),
            s(
                "2024-03-21",
                "A minor meeting about the canal took place that day.",
                false,
                6,
            ),
        ];
        let t = summarise(&input, "ship canal", 2, 1);
        let dates: Vec<String> = t.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, vec!["2024-03-19", "2024-03-29"]);
        assert!(t.iter().all(|d| d.sentences.len() == 1));
        let tls = to_tls(&t);
        assert!(tls.starts_with("2024-03-19\n"));
        assert_eq!(tls.matches("--------------------------------\n").count(), 2);
    }

    #[test]
    fn near_duplicates_are_not_chosen_twice() {
        let input = vec![
            s(
                "2024-03-19",
                "The ship ran aground in the canal on March 19, officials said.",
                true,
                1,
            ),
            s(
                "2024-03-19",
                "The ship ran aground in the canal on March 19, officials said today.",
                true,
                2,
            ),
            s(
                "2024-03-19",
                "Traffic through the waterway stopped entirely after the grounding on March 19.",
                true,
                3,
            ),
        ];
        let t = summarise(&input, "", 1, 2);
        assert_eq!(t[0].sentences.len(), 2);
        assert!(t[0].sentences.iter().any(|x| x.starts_with("Traffic")));
    }
}
