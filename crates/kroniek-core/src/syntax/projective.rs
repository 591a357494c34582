//! Pseudo-projective parsing (Nivre & Nilsson 2005, "head" encoding): the arc-hybrid
//! parser builds projective trees only, so training trees are made projective by lifting
//! each non-projective arc to the head's head until none is left, with the lifted token's
//! label decorated by the label of its original head (`obj||xcomp`). After parsing, a token
//! with a decorated label is moved back down: breadth-first below its head to the first
//! token whose label is the decoration.
//!
//! Heads are token indexes `0..n` with `n` the root (as in the parser); labels are strings.

/// The separator of a decorated label: `dep||head-label`.
pub(crate) const SEP: &str = "||";

/// Whether `a` dominates `k` (is `k` or an ancestor of it); `n` is the root.
fn dominates(heads: &[u32], a: u32, mut k: u32) -> bool {
    let n = heads.len() as u32;
    for _ in 0..=heads.len() {
        if k == a {
            return true;
        }
        if k >= n {
            return false;
        }
        k = heads[k as usize];
    }
    false
}

/// Whether the arc from `heads[d]` to `d` is non-projective: a token between them is not
/// dominated by the head.
fn non_projective(heads: &[u32], d: usize) -> bool {
    let h = heads[d];
    let (lo, hi) = if (d as u32) < h {
        (d as u32, h)
    } else {
        (h, d as u32)
    };
    (lo + 1..hi).any(|k| !dominates(heads, h, k))
}

/// Lifts non-projective arcs (shortest first) until the tree is projective. Returns the new
/// heads and, per token, the original head's label if the token was lifted (its label is
/// to be decorated with it). `labels` are the original labels.
pub(crate) fn projectivise<'a>(
    heads: &[u32],
    labels: &[&'a str],
) -> (Vec<u32>, Vec<Option<&'a str>>) {
    let n = heads.len() as u32;
    let mut heads = heads.to_vec();
    let mut deco: Vec<Option<&str>> = vec![None; heads.len()];
    // A malformed tree (a cycle, a head out of range) is left as it is.
    if (0..heads.len()).any(|d| heads[d] > n || !dominates(&heads, n, d as u32)) {
        return (heads, deco);
    }
    loop {
        // Never onto the artificial root (the parser attaches only `root` there); with one
        // root word no arc from it is non-projective anyway.
        let smallest = (0..heads.len())
            .filter(|&d| heads[d] < n && heads[heads[d] as usize] < n && non_projective(&heads, d))
            .min_by_key(|&d| (heads[d] as i64 - d as i64).unsigned_abs());
        let Some(d) = smallest else { break };
        let h = heads[d] as usize;
        if deco[d].is_none() {
            deco[d] = Some(labels[h]);
        }
        heads[d] = heads[h];
    }
    (heads, deco)
}

/// Moves tokens with decorated labels back down: `arcs` are (head, label index) with head
/// `n` the root; `split[l]` is, for a decorated label `l`, its plain label and the
/// decoration label (indexes); plain labels have `None`. Labels are replaced by the plain
/// ones.
pub(crate) fn deprojectivise(arcs: &mut [(u32, u16)], split: &[Option<(u16, u16)>]) {
    let n = arcs.len() as u32;
    let plain = |l: u16| {
        split
            .get(l as usize)
            .copied()
            .flatten()
            .map_or(l, |(p, _)| p)
    };
    for d in 0..arcs.len() {
        let Some((p, want)) = split.get(arcs[d].1 as usize).copied().flatten() else {
            continue;
        };
        let h = arcs[d].0;
        // Breadth-first below the head, not into `d`'s own subtree.
        let mut queue = vec![h];
        let mut found = None;
        'search: while !queue.is_empty() {
            let mut next = Vec::new();
            for &q in &queue {
                for (c, a) in arcs.iter().enumerate() {
                    if c == d || a.0 != q {
                        continue;
                    }
                    if plain(a.1) == want {
                        found = Some(c as u32);
                        break 'search;
                    }
                    next.push(c as u32);
                }
            }
            queue = next;
        }
        if let Some(c) = found {
            if c < n {
                arcs[d].0 = c;
            }
        }
        arcs[d].1 = p;
    }
    for a in arcs.iter_mut() {
        a.1 = plain(a.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_projective(heads: &[u32]) -> bool {
        (0..heads.len()).all(|d| heads[d] as usize >= heads.len() || !non_projective(heads, d))
    }

    /// Projectivises, decorates the labels (indexes: plain labels first, as in training),
    /// deprojectivises; returns the projective heads, the restored arcs and the wanted arcs.
    #[allow(clippy::type_complexity)]
    fn decorate_and_restore(
        heads: &[u32],
        labels: &[&str],
    ) -> (Vec<u32>, Vec<(u32, u16)>, Vec<(u32, u16)>) {
        let (ph, deco) = projectivise(heads, labels);
        assert!(is_projective(&ph), "{ph:?}");
        let mut names: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        names.sort();
        names.dedup();
        let mut decorated: Vec<String> = labels
            .iter()
            .zip(&deco)
            .filter_map(|(l, d)| d.map(|d| format!("{l}{SEP}{d}")))
            .collect();
        decorated.sort();
        decorated.dedup();
        names.extend(decorated);
        let idx = |s: &str| names.iter().position(|x| x == s).unwrap() as u16;
        let split: Vec<Option<(u16, u16)>> = names
            .iter()
            .map(|s| s.split_once(SEP).map(|(a, b)| (idx(a), idx(b))))
            .collect();
        let mut arcs: Vec<(u32, u16)> = (0..heads.len())
            .map(|d| {
                let l = match deco[d] {
                    Some(x) => format!("{}{SEP}{x}", labels[d]),
                    None => labels[d].to_string(),
                };
                (ph[d], idx(&l))
            })
            .collect();
        deprojectivise(&mut arcs, &split);
        let want = (0..heads.len())
            .map(|d| (heads[d], idx(labels[d])))
            .collect();
        (ph, arcs, want)
    }

    fn round_trip(heads: &[u32], labels: &[&str]) -> Vec<u32> {
        let (ph, arcs, want) = decorate_and_restore(heads, labels);
        assert_eq!(arcs, want, "round trip");
        ph
    }

    #[test]
    fn a_projective_tree_is_left_as_it_is() {
        // She ate fish (root = 3).
        let heads = [1, 3, 1];
        let (ph, deco) = projectivise(&heads, &["nsubj", "root", "obj"]);
        assert_eq!(ph, heads);
        assert!(deco.iter().all(Option::is_none));
        round_trip(&heads, &["nsubj", "root", "obj"]);
    }

    #[test]
    fn a_non_projective_arc_is_lifted_and_restored() {
        // "A hearing is scheduled on the issue today": 0 A, 1 hearing, 2 is, 3 scheduled,
        // 4 on, 5 the, 6 issue, 7 today; "on the issue" belongs to "hearing" (crossing
        // "is scheduled"). Root = 8.
        let heads = [1, 3, 3, 8, 6, 6, 1, 3];
        let labels = ["det", "nsubj", "aux", "root", "case", "det", "nmod", "obl"];
        assert!(!is_projective(&heads));
        let ph = round_trip(&heads, &labels);
        assert_eq!(ph[6], 3, "nmod lifted to the verb");
    }

    #[test]
    fn nested_lifts_are_restored() {
        // Dutch verb cluster style crossing: 0 dat, 1 Jan, 2 Piet, 3 Marie, 4 zag, 5 helpen,
        // 6 zwemmen; zag -> helpen -> zwemmen, Jan subject of zag, Piet object of helpen,
        // Marie of zwemmen (twice lifted). Root = 7.
        let heads = [4, 4, 5, 6, 7, 4, 5];
        let labels = ["mark", "nsubj", "obj", "obj", "root", "xcomp", "ccomp"];
        let ph = round_trip(&heads, &labels);
        assert_eq!(ph, [4, 4, 4, 4, 7, 4, 5]);
    }

    #[test]
    fn random_trees_round_trip() {
        let mut rng = super::super::Rng::new(7);
        let labels = ["a", "b", "c", "d"];
        for len in 1..12usize {
            for _ in 0..200 {
                // A random tree: each token's head is an earlier-placed token or the root.
                let mut order: Vec<usize> = (0..len).collect();
                rng.shuffle(&mut order);
                let mut heads = vec![0u32; len];
                for (k, &d) in order.iter().enumerate() {
                    heads[d] = if k == 0 {
                        len as u32
                    } else {
                        order[(rng.next_u64() % k as u64) as usize] as u32
                    };
                }
                let ls: Vec<&str> = (0..len)
                    .map(|_| labels[(rng.next_u64() % 4) as usize])
                    .collect();
                // Restoring is exact unless another token below the head has the
                // decoration label; the result is always a tree with the plain labels.
                let (_, arcs, want) = decorate_and_restore(&heads, &ls);
                for (d, (a, w)) in arcs.iter().zip(&want).enumerate() {
                    assert_eq!(a.1, w.1, "plain label");
                    let hs: Vec<u32> = arcs.iter().map(|a| a.0).collect();
                    assert!(dominates(&hs, len as u32, d as u32), "a tree: {hs:?}");
                }
            }
        }
    }
}
