//! Maximum spanning arborescence (Chu-Liu-Edmonds) with exactly one dependent of the root.

/// Heads for nodes `1..m` of a dense score matrix `s[d * m + h]` (dependent `d`, head `h`;
/// node 0 is the root, row 0 and the diagonal are ignored). The result has `m` entries,
/// `out[0] = 0`, and is a tree rooted at node 0 with exactly one root dependent.
pub(crate) fn tree(s: &[f64], m: usize) -> Vec<usize> {
    if m <= 1 {
        return vec![0; m];
    }
    if let Some(heads) = argmax_tree(s, m) {
        return heads;
    }
    tree_cle(s, m)
}

/// [`tree`] for the fast parser: where the best heads are no tree, Chu-Liu-Edmonds without
/// the one-root constraint first (a few contractions), whose tree is the answer when it has
/// one root dependent (the best of all trees, so the best of those with one); only
/// otherwise the constrained search, whose root penalty makes every node take a non-root
/// head first and so contracts up to `m` times. The same trees as [`tree`] but for ties
/// between trees of equal score.
pub(crate) fn tree_fast(s: &[f64], m: usize) -> Vec<usize> {
    if m <= 1 {
        return vec![0; m];
    }
    if let Some(heads) = argmax_tree(s, m) {
        return heads;
    }
    let free = cle(s.to_vec(), m);
    if free.iter().skip(1).filter(|&&h| h == 0).count() == 1 {
        return free;
    }
    tree_cle(s, m)
}

/// The best head of every node if those already form a tree with exactly one root
/// dependent (most sentences): then it is the best such tree, the one Chu-Liu-Edmonds
/// finds (barring exact ties of total scores), without the contractions. Ties between
/// heads of a node go to the lowest index, as in [`cle`].
fn argmax_tree(s: &[f64], m: usize) -> Option<Vec<usize>> {
    let mut heads = vec![0usize; m];
    let mut root_deps = 0;
    for d in 1..m {
        let row = &s[d * m..(d + 1) * m];
        let mut best = 0;
        let mut bv = row[0];
        for (h, &v) in row.iter().enumerate().skip(1) {
            if h != d && v > bv {
                best = h;
                bv = v;
            }
        }
        if best == 0 {
            root_deps += 1;
            if root_deps > 1 {
                return None;
            }
        }
        heads[d] = best;
    }
    if root_deps != 1 || find_cycle(&heads).is_some() {
        return None;
    }
    Some(heads)
}

/// [`tree`] of the log probabilities that `log_probs` makes of the arc scores `s` (rows of
/// the dependents `1..m`, `m` heads each), where it can be told from the raw scores alone:
/// when the best head of every dependent by its raw scores is the best by its log
/// probability too and those heads form a tree with one root dependent. A log probability
/// is the score minus the row's normaliser, rounded (rounding keeps the order but may make
/// two close scores equal), then clamped at -50 (never the best one's, which is at least
/// -ln m): so the best raw score (the lowest index among equals) is the best log probability
/// as long as every score before it is lower by more than rounding can close. `None` where
/// that is not certain (close scores, values that are not finite) or the heads are no tree.
pub(crate) fn argmax_tree_scores(s: &[f32], m: usize) -> Option<Vec<usize>> {
    if m <= 1 || m > 1 << 20 || s.len() < (m - 1) * m {
        return None;
    }
    let mut heads = vec![0usize; m];
    let mut root_deps = 0;
    for d in 1..m {
        let row = &s[(d - 1) * m..d * m];
        let mut best = usize::MAX;
        let mut bv = f32::NEG_INFINITY;
        // The highest score before the best one.
        let mut before = f32::NEG_INFINITY;
        for (h, &v) in row.iter().enumerate() {
            if h == d {
                continue;
            }
            if v.is_nan() {
                return None;
            }
            if best == usize::MAX || v > bv {
                if best != usize::MAX {
                    before = before.max(bv);
                }
                best = h;
                bv = v;
            } else {
                before = before.max(v);
            }
        }
        if best == usize::MAX || !bv.is_finite() || before == f32::INFINITY {
            return None;
        }
        // The normaliser lies in [bv, bv + ln m] (ln m < 14 here); a difference of rounded
        // values of magnitude below `mag` moves by at most 2^-23 * mag: ask for 2^-19.
        if before > f32::NEG_INFINITY {
            let mag = f64::from(before.abs()) + 2.0 * f64::from(bv.abs()) + 16.0;
            if f64::from(bv) - f64::from(before) <= mag * (1.0 / f64::from(1u32 << 19)) {
                return None;
            }
        }
        if best == 0 {
            root_deps += 1;
            if root_deps > 1 {
                return None;
            }
        }
        heads[d] = best;
    }
    if root_deps != 1 || find_cycle(&heads).is_some() {
        return None;
    }
    Some(heads)
}

/// [`tree`] by Chu-Liu-Edmonds alone.
fn tree_cle(s: &[f64], m: usize) -> Vec<usize> {
    // One root dependent: every tree has at least one, so a large penalty on each makes the
    // best tree the best one with exactly one (scores are clamped log probabilities).
    let mut scores = s.to_vec();
    for d in 1..m {
        scores[d * m] -= PENALTY;
    }
    cle(scores, m)
}

const PENALTY: f64 = 1e7;
const NEG: f64 = f64::NEG_INFINITY;

/// Chu-Liu-Edmonds on a dense matrix (consumed: the contracted problem gets its own).
fn cle(mut s: Vec<f64>, m: usize) -> Vec<usize> {
    for d in 0..m {
        s[d * m + d] = NEG;
    }
    for v in s.iter_mut().take(m) {
        *v = NEG;
    }
    let mut heads = vec![0usize; m];
    for d in 1..m {
        let row = &s[d * m..(d + 1) * m];
        let mut best = 0;
        for h in 1..m {
            if row[h] > row[best] {
                best = h;
            }
        }
        heads[d] = best;
    }
    let Some(cycle) = find_cycle(&heads) else {
        return heads;
    };
    let mut in_cycle = vec![false; m];
    for &c in &cycle {
        in_cycle[c] = true;
    }
    // New node ids: kept nodes in order, then the contracted cycle node.
    let kept: Vec<usize> = (0..m).filter(|&v| !in_cycle[v]).collect();
    let mk = kept.len() + 1;
    let c = kept.len();
    let mut t = vec![NEG; mk * mk];
    // For a kept dependent, the best head inside the cycle; for a kept head, the best cycle
    // node to enter by (score minus the cycle arc it breaks).
    let mut out_arg = vec![0usize; kept.len()];
    let mut in_arg = vec![0usize; kept.len()];
    for (nd, &d) in kept.iter().enumerate() {
        let row = &s[d * m..(d + 1) * m];
        for (nh, &h) in kept.iter().enumerate() {
            t[nd * mk + nh] = row[h];
        }
        let mut best = NEG;
        let mut arg = cycle[0];
        for &h in &cycle {
            if row[h] > best {
                best = row[h];
                arg = h;
            }
        }
        t[nd * mk + c] = best;
        out_arg[nd] = arg;
    }
    for (nh, &h) in kept.iter().enumerate() {
        let mut best = NEG;
        let mut arg = cycle[0];
        for &d in &cycle {
            let v = s[d * m + h] - s[d * m + heads[d]];
            if v > best {
                best = v;
                arg = d;
            }
        }
        t[c * mk + nh] = best;
        in_arg[nh] = arg;
    }
    drop(s);
    let sub = cle(t, mk);
    let mut out = heads.clone();
    for (nd, &d) in kept.iter().enumerate() {
        if nd == 0 && d == 0 {
            continue;
        }
        let nh = sub[nd];
        out[d] = if nh == c { out_arg[nd] } else { kept[nh] };
    }
    let nh = sub[c];
    let h = kept[nh];
    out[in_arg[nh]] = h;
    out
}

/// A cycle of the head graph (nodes other than the root), if there is one.
fn find_cycle(heads: &[usize]) -> Option<Vec<usize>> {
    let m = heads.len();
    // 0 unvisited, 1 on the current path, 2 done.
    let mut state = vec![0u8; m];
    state[0] = 2;
    for start in 1..m {
        if state[start] != 0 {
            continue;
        }
        let mut path = Vec::new();
        let mut v = start;
        while state[v] == 0 {
            state[v] = 1;
            path.push(v);
            v = heads[v];
        }
        if state[v] == 1 {
            let pos = path.iter().position(|&p| p == v).unwrap_or(0);
            return Some(path[pos..].to_vec());
        }
        for p in path {
            state[p] = 2;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_tree(h: &[usize]) -> bool {
        let m = h.len();
        if h.iter().skip(1).filter(|&&x| x == 0).count() != 1 {
            return false;
        }
        (1..m).all(|mut v| {
            for _ in 0..m {
                if v == 0 {
                    return true;
                }
                v = h[v];
            }
            false
        })
    }

    fn total(s: &[f64], m: usize, h: &[usize]) -> f64 {
        (1..m).map(|d| s[d * m + h[d]]).sum()
    }

    #[test]
    fn argmax_shortcut_agrees_with_chu_liu_edmonds() {
        let mut rng = crate::syntax::Rng::new(11);
        let mut shortcuts = 0;
        for m in 2..30usize {
            for _ in 0..200 {
                // Clamped log probabilities, as `decode` gives them, that favour the arcs
                // of a random tree (more or less clearly), so that the argmax often is one.
                let mut order: Vec<usize> = (1..m).collect();
                rng.shuffle(&mut order);
                let mut fav = vec![0usize; m];
                for (i, &v) in order.iter().enumerate().skip(1) {
                    fav[v] = order[(rng.next_f64() * i as f64) as usize % i];
                }
                let strength = rng.next_f64() * 12.0;
                let mut s = vec![f64::NEG_INFINITY; m * m];
                for d in 1..m {
                    for h in 0..m {
                        if h != d {
                            let bonus = if h == fav[d] { strength } else { 0.0 };
                            s[d * m + h] = (rng.next_f64() * -8.0 + bonus - 6.0).max(-50.0);
                        }
                    }
                }
                let fast = argmax_tree(&s, m);
                let full = tree_cle(&s, m);
                if let Some(f) = fast {
                    shortcuts += 1;
                    assert_eq!(f, full, "m={m}");
                }
                assert_eq!(tree(&s, m), full);
            }
        }
        assert!(shortcuts > 100, "{shortcuts}");
    }

    /// The fast parser's search gives trees of the best total score (random scores, and
    /// scores around random trees as in the test above): the constrained search's trees
    /// where no two trees tie.
    #[test]
    fn tree_fast_agrees_with_the_constrained_search() {
        let mut rng = crate::syntax::Rng::new(13);
        let mut free = 0;
        for m in 2..30usize {
            for round in 0..100 {
                let mut order: Vec<usize> = (1..m).collect();
                rng.shuffle(&mut order);
                let mut fav = vec![0usize; m];
                for (i, &v) in order.iter().enumerate().skip(1) {
                    fav[v] = order[(rng.next_f64() * i as f64) as usize % i];
                }
                let strength = if round % 2 == 0 {
                    0.0
                } else {
                    rng.next_f64() * 6.0
                };
                let mut s = vec![f64::NEG_INFINITY; m * m];
                for d in 1..m {
                    for h in 0..m {
                        if h != d {
                            let bonus = if h == fav[d] { strength } else { 0.0 };
                            s[d * m + h] = (rng.next_f64() * -8.0 + bonus - 6.0).max(-50.0);
                        }
                    }
                }
                let fast = tree_fast(&s, m);
                let full = tree(&s, m);
                assert!(is_tree(&fast), "{fast:?}");
                assert_eq!(fast, full, "m={m}");
                if argmax_tree(&s, m).is_none() && fast == cle(s.clone(), m) {
                    free += 1;
                }
            }
        }
        assert!(free > 100, "{free}");
    }

    #[test]
    fn brute_force_agrees_on_small_graphs() {
        let mut rng = crate::syntax::Rng::new(7);
        for m in 1..7usize {
            for _ in 0..30 {
                let s: Vec<f64> = (0..m * m).map(|_| rng.next_f64() * 4.0 - 2.0).collect();
                let h = tree(&s, m);
                assert_eq!(tree_fast(&s, m), h);
                assert_eq!(h.len(), m);
                if m == 1 {
                    continue;
                }
                assert!(is_tree(&h), "{h:?}");
                // brute force over all head assignments
                let mut best = f64::NEG_INFINITY;
                let mut cand = vec![0usize; m];
                let count = m.pow((m - 1) as u32);
                for code in 0..count {
                    let mut x = code;
                    for c in cand.iter_mut().skip(1) {
                        *c = x % m;
                        x /= m;
                    }
                    if is_tree(&cand) {
                        best = best.max(total(&s, m, &cand));
                    }
                }
                assert!((total(&s, m, &h) - best).abs() < 1e-9, "m={m}");
            }
        }
    }

    /// Where the raw-score shortcut gives heads, they are the heads of the search over the
    /// log probabilities `decode` makes (random scores around random trees, with near
    /// ties, exact ties and long rows).
    #[test]
    fn raw_score_shortcut_agrees_with_the_log_probability_tree() {
        let mut rng = crate::syntax::Rng::new(5);
        let (mut taken, mut tried) = (0, 0);
        for m in (2..40usize).chain([200, 700]) {
            for round in 0..60 {
                let n = m - 1;
                let gold: Vec<usize> = (0..m)
                    .map(|d| {
                        if d <= 1 {
                            0
                        } else {
                            1 + (rng.next_f64() * (d - 1) as f64) as usize % (d - 1)
                        }
                    })
                    .collect();
                let mut s = vec![0f32; n * m];
                for d in 1..m {
                    for h in 0..m {
                        let mut v = (rng.next_f64() * 8.0 - 4.0) as f32;
                        if h == gold[d] {
                            v += 3.0 + (round % 4) as f32;
                        }
                        if round % 5 == 1 && h == (gold[d] + 1) % m {
                            // A near tie (a few ulps) or an exact one.
                            v = s[(d - 1) * m + gold[d]]
                                * if round % 2 == 0 { 1.0 } else { 1.000_000_1 };
                        }
                        if round % 7 == 3 {
                            v *= 1e4;
                        }
                        if h != d {
                            s[(d - 1) * m + h] = v;
                        }
                    }
                    s[(d - 1) * m + d] = f32::NEG_INFINITY;
                }
                let mut lp = vec![f64::NEG_INFINITY; m * m];
                super::super::log_probs(&s, m, &mut lp);
                let full = tree(&lp, m);
                tried += 1;
                if let Some(h) = argmax_tree_scores(&s, m) {
                    taken += 1;
                    assert_eq!(h, full, "m {m} round {round}");
                    assert!(is_tree(&h));
                }
            }
        }
        assert!(taken > tried / 4, "{taken} of {tried}");
        assert_eq!(argmax_tree_scores(&[], 0), None);
        assert_eq!(argmax_tree_scores(&[f32::NAN, 0.0], 2), None);
    }
}
