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
    let free = cle(s, m, false);
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
    cle(s, m, true)
}

const PENALTY: f64 = 1e7;
const NEG: f64 = f64::NEG_INFINITY;

/// Chu-Liu-Edmonds on a dense matrix, with [`PENALTY`] taken off every root arc if
/// `root_penalty`: the heads that contracting each level's first cycle into a new node (the
/// kept nodes in order, then the cycle's node) and solving that smaller problem give, the
/// same to the bit, ties included, as the recursion that builds each level's matrix anew
/// (`cle_rebuilt` in the tests). Here the levels share one matrix: the cycle's node gets
/// the next free id (so the active ids in increasing order are the rebuilt level's order),
/// its row and column are written once, and only the nodes whose best head was in the
/// cycle look for a new one (any other node's first best head is still the first best:
/// the cycle's column holds the best of the cycle's entries and comes last). So a level
/// costs O(active nodes × cycle length) instead of a copy of the whole matrix, which the
/// one-root search (up to `m` levels) makes O(m³).
fn cle(s: &[f64], m: usize, root_penalty: bool) -> Vec<usize> {
    if m <= 1 {
        return vec![0; m];
    }
    // Ids 0..m the nodes, m.. the cycles' nodes (at most m - 2 contractions).
    let cap = 2 * m;
    W.with(|w| {
        let mut w = w.borrow_mut();
        if w.len() < cap * cap {
            w.resize(cap * cap, 0.0);
        }
        cle_in(&mut w[..cap * cap], s, m, cap, root_penalty)
    })
}

thread_local! {
    /// The shared matrix of [`cle`], reused: every entry it reads is written first.
    static W: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One contraction of [`cle`]: the cycle's node, its members (in the order
/// [`find_cycle`] gives) and their heads at that level.
struct Level {
    c: usize,
    cycle: Vec<usize>,
    heads: Vec<usize>,
}

/// The first best head of `d` among the active ids (in order, the root first), and
/// whether another active id has the same score.
fn best_head(w: &[f64], cap: usize, d: usize, active: &[usize]) -> (usize, bool) {
    let row = &w[d * cap..(d + 1) * cap];
    let mut best = active[0];
    let mut bv = row[best];
    let mut tie = false;
    for &h in &active[1..] {
        let v = row[h];
        if v > bv {
            best = h;
            bv = v;
            tie = false;
        } else if v == bv {
            tie = true;
        }
    }
    (best, tie)
}

/// The cycle member that kept dependent `d` takes as head when its head is the cycle's
/// node: the first best (in cycle order; the first member if none beats minus infinity).
fn out_arg(w: &[f64], cap: usize, d: usize, cycle: &[usize]) -> usize {
    let row = &w[d * cap..(d + 1) * cap];
    let mut best = NEG;
    let mut arg = cycle[0];
    for &h in cycle {
        if row[h] > best {
            best = row[h];
            arg = h;
        }
    }
    arg
}

/// The cycle member through which kept head `h` enters the cycle (score minus the cycle
/// arc it breaks), and that value.
fn in_arg(w: &[f64], cap: usize, h: usize, cycle: &[usize], heads: &[usize]) -> (usize, f64) {
    let mut best = NEG;
    let mut arg = cycle[0];
    for (&d, &hd) in cycle.iter().zip(heads) {
        let v = w[d * cap + h] - w[d * cap + hd];
        if v > best {
            best = v;
            arg = d;
        }
    }
    (arg, best)
}

fn cle_in(w: &mut [f64], s: &[f64], m: usize, cap: usize, root_penalty: bool) -> Vec<usize> {
    // Row 0 (the root's) is never read; the diagonal is minus infinity.
    for d in 1..m {
        let row = &mut w[d * cap..d * cap + m];
        row.copy_from_slice(&s[d * m..(d + 1) * m]);
        if root_penalty {
            row[0] -= PENALTY;
        }
        row[d] = NEG;
    }
    let mut active: Vec<usize> = (0..m).collect();
    let mut head = vec![0usize; cap];
    // Whether a node's best score is had by another active id too.
    let mut tie = vec![false; cap];
    for d in 1..m {
        (head[d], tie[d]) = best_head(w, cap, d, &active);
    }
    let mut state = vec![0u8; cap];
    let mut in_cycle = vec![false; cap];
    let mut levels: Vec<Level> = Vec::new();
    let mut next = m;
    while let Some(cycle) = find_cycle_among(&head, &active, &mut state) {
        let c = next;
        next += 1;
        for &v in &cycle {
            in_cycle[v] = true;
        }
        let heads: Vec<usize> = cycle.iter().map(|&v| head[v]).collect();
        active.retain(|&v| !in_cycle[v]);
        // The cycle's column (best entry of the kept dependents into the cycle) and row.
        for &d in &active[1..] {
            let h = out_arg(w, cap, d, &cycle);
            w[d * cap + c] = w[d * cap + h].max(NEG);
        }
        for &h in &active {
            w[c * cap + h] = in_arg(w, cap, h, &cycle, &heads).1;
        }
        w[c * cap + c] = NEG;
        active.push(c);
        // A node whose (single) best head was in the cycle now has its best score at the
        // cycle's node only; one with a tie for the best looks again. Any other node's
        // count of best scores stays one, or two and more.
        for i in 1..active.len() {
            let d = active[i];
            if d == c || (in_cycle[head[d]] && tie[d]) {
                (head[d], tie[d]) = best_head(w, cap, d, &active);
            } else if in_cycle[head[d]] {
                head[d] = c;
            }
        }
        levels.push(Level { c, cycle, heads });
    }
    // Back through the levels: a kept node whose head is the cycle's node takes the cycle
    // member it was best attached to; the cycle members keep their heads but for the one
    // the cycle's head enters by.
    for level in levels.iter().rev() {
        let c = level.c;
        let hc = head[c];
        // The ids active at this level besides the cycle: those with ids below `c` not yet
        // contracted at this point (their head is set).
        for d in 1..c {
            if !in_cycle[d] && head[d] == c {
                head[d] = out_arg(w, cap, d, &level.cycle);
            }
        }
        for (&v, &h) in level.cycle.iter().zip(&level.heads) {
            in_cycle[v] = false;
            head[v] = h;
        }
        let (d, _) = in_arg(w, cap, hc, &level.cycle, &level.heads);
        head[d] = hc;
    }
    head.truncate(m);
    head[0] = 0;
    head
}

/// A cycle of the head graph among the active ids (in order, the root first; those of
/// [`cle`]'s shared matrix, or all for [`find_cycle`]); `state` is left all zeros.
fn find_cycle_among(heads: &[usize], active: &[usize], state: &mut [u8]) -> Option<Vec<usize>> {
    // 0 unvisited, 1 on the current path, 2 done.
    state[0] = 2;
    let mut found = None;
    let mut path = Vec::new();
    for &start in &active[1..] {
        if state[start] != 0 {
            continue;
        }
        path.clear();
        let mut v = start;
        while state[v] == 0 {
            state[v] = 1;
            path.push(v);
            v = heads[v];
        }
        if state[v] == 1 {
            let pos = path.iter().position(|&p| p == v).unwrap_or(0);
            found = Some(path[pos..].to_vec());
            break;
        }
        for &p in &path {
            state[p] = 2;
        }
    }
    for &v in active {
        state[v] = 0;
    }
    found
}

/// A cycle of the head graph (nodes other than the root), if there is one.
fn find_cycle(heads: &[usize]) -> Option<Vec<usize>> {
    let all: Vec<usize> = (0..heads.len()).collect();
    find_cycle_among(heads, &all, &mut vec![0u8; heads.len()])
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

    /// Chu-Liu-Edmonds as it was written before the shared matrix: each level's matrix
    /// built anew (kept nodes in order, then the cycle's node), solved recursively.
    fn cle_rebuilt(mut s: Vec<f64>, m: usize) -> Vec<usize> {
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
        let kept: Vec<usize> = (0..m).filter(|&v| !in_cycle[v]).collect();
        let mk = kept.len() + 1;
        let c = kept.len();
        let mut t = vec![NEG; mk * mk];
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
        let sub = cle_rebuilt(t, mk);
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

    /// The shared-matrix search gives the rebuilt recursion's heads exactly, ties included:
    /// random scores, scores around random trees, few distinct values (many ties), minus
    /// infinity entries, with and without the root penalty, short and long sentences.
    #[test]
    fn shared_matrix_search_matches_the_rebuilt_recursion() {
        let mut rng = crate::syntax::Rng::new(17);
        let mut contracted = 0;
        let sizes = (2..40usize).chain([60, 90, 150, 260]);
        for m in sizes {
            let rounds = if m < 40 { 60 } else { 6 };
            for round in 0..rounds {
                let mut order: Vec<usize> = (1..m).collect();
                rng.shuffle(&mut order);
                let mut fav = vec![0usize; m];
                for (i, &v) in order.iter().enumerate().skip(1) {
                    fav[v] = order[(rng.next_f64() * i as f64) as usize % i];
                }
                let strength = rng.next_f64() * 6.0 * f64::from(round % 3);
                let mut s = vec![0.0; m * m];
                for d in 0..m {
                    for h in 0..m {
                        let bonus = if h == fav[d] { strength } else { 0.0 };
                        let v = match round % 4 {
                            // Few distinct values: many exact ties.
                            1 => (rng.next_f64() * 4.0).floor() - 3.0 + bonus.floor(),
                            2 if rng.next_f64() < 0.2 => NEG,
                            _ => (rng.next_f64() * -8.0 + bonus - 6.0).max(-50.0),
                        };
                        s[d * m + h] = v;
                    }
                }
                let free = cle(&s, m, false);
                assert_eq!(free, cle_rebuilt(s.clone(), m), "m={m} round {round}");
                let mut pen = s.clone();
                for d in 1..m {
                    pen[d * m] -= PENALTY;
                }
                let one = cle(&s, m, true);
                assert_eq!(one, cle_rebuilt(pen, m), "m={m} round {round}");
                if round % 4 != 2 {
                    assert!(is_tree(&one), "{one:?}");
                }
                if argmax_tree(&s, m).is_none() {
                    contracted += 1;
                }
            }
        }
        assert!(contracted > 1000, "{contracted}");
    }

    /// Long sentences: the fast search's tree has one root dependent and a total score no
    /// lower than the best head of every node but one moved (a cheap bound), and equals
    /// the rebuilt constrained search's.
    #[test]
    fn long_sentences_give_trees_of_the_constrained_search() {
        let mut rng = crate::syntax::Rng::new(19);
        for m in [40usize, 75, 120] {
            for _ in 0..10 {
                let s: Vec<f64> = (0..m * m)
                    .map(|_| (rng.next_f64() * -10.0).max(-50.0))
                    .collect();
                let h = tree_fast(&s, m);
                assert!(is_tree(&h), "{h:?}");
                let mut pen = s.clone();
                for d in 1..m {
                    pen[d * m] -= PENALTY;
                }
                let full = cle_rebuilt(pen, m);
                assert!((total(&s, m, &h) - total(&s, m, &full)).abs() < 1e-9);
                assert_eq!(tree(&s, m), full);
            }
        }
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
                if argmax_tree(&s, m).is_none() && fast == cle(&s, m, false) {
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
