//! Entity-level scores over IOB2 label sequences (exact span and type match).

/// Precision, recall and F1 (in percent) with the counts behind them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    /// Entities in the gold data.
    pub gold: usize,
    /// Entities predicted.
    pub predicted: usize,
    /// Predicted entities that match a gold one exactly (span and type).
    pub correct: usize,
    /// Precision, percent.
    pub precision: f64,
    /// Recall, percent.
    pub recall: f64,
    /// F1, percent.
    pub f1: f64,
}

impl Scores {
    /// Scores from counts.
    pub fn from_counts(gold: usize, predicted: usize, correct: usize) -> Scores {
        let precision = if predicted == 0 {
            0.0
        } else {
            100.0 * correct as f64 / predicted as f64
        };
        let recall = if gold == 0 {
            0.0
        } else {
            100.0 * correct as f64 / gold as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            gold,
            predicted,
            correct,
            precision,
            recall,
            f1,
        }
    }
}

/// The entities of an IOB2 (or IOB1) label sequence: `(start, end, type)`, end exclusive.
/// An `I-X` that does not continue an `X` entity starts a new one.
pub fn chunks<'a>(tags: &[&'a str]) -> Vec<(usize, usize, &'a str)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, t) in tags.iter().enumerate() {
        let (prefix, ty) = match t.split_once('-') {
            Some((p, ty)) if p == "B" || p == "I" => (p, ty),
            _ => ("O", ""),
        };
        let continues = prefix == "I" && open.is_some_and(|(_, o)| o == ty);
        if !continues {
            if let Some((s, o)) = open.take() {
                out.push((s, i, o));
            }
            if prefix != "O" {
                open = Some((i, ty));
            }
        }
    }
    if let Some((s, o)) = open {
        out.push((s, tags.len(), o));
    }
    out
}

/// Scores predicted against gold label sequences, sentence by sentence.
pub fn score_sequences<'a, 'b>(
    pairs: impl IntoIterator<Item = (&'a [&'b str], &'a [&'b str])>,
) -> Scores
where
    'b: 'a,
{
    let (mut g, mut p, mut c) = (0, 0, 0);
    for (gold, pred) in pairs {
        let gc = chunks(gold);
        let pc = chunks(pred);
        g += gc.len();
        p += pc.len();
        c += pc.iter().filter(|x| gc.contains(x)).count();
    }
    Scores::from_counts(g, p, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_and_scores() {
        assert_eq!(
            chunks(&["B-PER", "I-PER", "O", "I-LOC", "B-LOC"]),
            [(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC")]
        );
        let gold = ["B-PER", "I-PER", "O", "B-LOC"];
        let pred = ["B-PER", "O", "O", "B-LOC"];
        let s = score_sequences([(&gold[..], &pred[..])]);
        assert_eq!((s.gold, s.predicted, s.correct), (2, 2, 1));
        assert!((s.f1 - 50.0).abs() < 1e-9);
    }
}
