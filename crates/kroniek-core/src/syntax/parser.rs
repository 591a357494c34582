//! The dependency parser: arc-hybrid transitions, greedy decoding, an averaged perceptron
//! over Zhang & Nivre (2011)-style features, trained with the dynamic oracle of Goldberg &
//! Nivre (2013) and error exploration.
//!
//! Tokens are `0..n`; the artificial root is token `n`, at the *end* of the buffer. Moves:
//! - `SHIFT`: push the first buffer token `b0` on the stack;
//! - `LEFT(l)`: pop `s0` and make `b0` its head with label `l`;
//! - `RIGHT(l)`: pop `s0` and make `s1` its head with label `l`.
//!
//! `LEFT` onto the root is allowed only when the stack holds one token, and only with the
//! label `root`, so every tree has exactly one root and is projective.

use super::bytes::{Reader, Writer};
use super::hash::{f1, f2, f3, mix};
use super::lex::{cluster, Lex, CL_OUTSIDE, CL_ROOT, NONE, ROOT};
use super::perceptron::{Acc, Trainer, Weights};
use super::tagger::argmax_i32;
use super::{ModelError, Rng, Upos};

const NIL: u32 = u32::MAX;
const SHIFT: usize = 0;
/// Tag value of the root token and of positions outside the sentence.
const TAG_ROOT: u64 = 100;
const TAG_NONE: u64 = 101;
const LABEL_NONE: u64 = 200;

/// A parser configuration.
#[derive(Debug, Clone)]
pub(crate) struct State {
    n: usize,
    pub(crate) stack: Vec<u32>,
    pub(crate) b: usize,
    pub(crate) heads: Vec<u32>,
    pub(crate) labels: Vec<u16>,
    l1: Vec<u32>,
    l2: Vec<u32>,
    r1: Vec<u32>,
    r2: Vec<u32>,
    nl: Vec<u8>,
    nr: Vec<u8>,
    lset: Vec<u64>,
    rset: Vec<u64>,
}

impl State {
    pub(crate) fn new(n: usize) -> State {
        let m = n + 1;
        State {
            n,
            stack: Vec::with_capacity(16),
            b: 0,
            heads: vec![NIL; m],
            labels: vec![0; m],
            l1: vec![NIL; m],
            l2: vec![NIL; m],
            r1: vec![NIL; m],
            r2: vec![NIL; m],
            nl: vec![0; m],
            nr: vec![0; m],
            lset: vec![0; m],
            rset: vec![0; m],
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        self.stack.is_empty() && self.b >= self.n
    }

    fn s(&self, k: usize) -> u32 {
        if self.stack.len() > k {
            self.stack[self.stack.len() - 1 - k]
        } else {
            NIL
        }
    }

    /// Whether `class` may be applied (`nlabels` labels, `root` the index of `root`).
    pub(crate) fn valid(&self, class: usize, nlabels: usize, root: usize) -> bool {
        if class == SHIFT {
            return self.b < self.n;
        }
        let (left, label) = if class <= nlabels {
            (true, class - 1)
        } else {
            (false, class - 1 - nlabels)
        };
        if left {
            if self.stack.is_empty() {
                return false;
            }
            if self.b == self.n {
                self.stack.len() == 1 && label == root
            } else {
                label != root
            }
        } else {
            self.stack.len() >= 2 && label != root
        }
    }

    pub(crate) fn apply(&mut self, class: usize, nlabels: usize) {
        if class == SHIFT {
            self.stack.push(self.b as u32);
            self.b += 1;
            return;
        }
        let s0 = self.stack.pop().unwrap_or(NIL);
        if s0 == NIL {
            return;
        }
        let (head, label) = if class <= nlabels {
            (self.b as u32, class - 1)
        } else {
            (
                self.stack.last().copied().unwrap_or(self.n as u32),
                class - 1 - nlabels,
            )
        };
        let (h, d) = (head as usize, s0 as usize);
        self.heads[d] = head;
        self.labels[d] = label as u16;
        let bit = 1u64 << (label % 64);
        if s0 < head {
            self.l2[h] = self.l1[h];
            self.l1[h] = s0;
            self.nl[h] = self.nl[h].saturating_add(1);
            self.lset[h] |= bit;
        } else {
            self.r2[h] = self.r1[h];
            self.r1[h] = s0;
            self.nr[h] = self.nr[h].saturating_add(1);
            self.rset[h] |= bit;
        }
    }
}

/// What the features see of the sentence: word hashes, suffixes and tags, root included.
pub(crate) struct Input<'a> {
    pub(crate) lex: &'a [Lex],
    pub(crate) tags: &'a [u8],
    /// Punctuation tokens before each position (prefix counts, `n + 1` entries).
    punct: Vec<u32>,
    /// Verbs and auxiliaries before each position.
    verbs: Vec<u32>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(lex: &'a [Lex], tags: &'a [u8]) -> Input<'a> {
        let (mut punct, mut verbs) = (
            Vec::with_capacity(tags.len() + 1),
            Vec::with_capacity(tags.len() + 1),
        );
        let (mut p, mut v) = (0, 0);
        for &t in tags {
            // Fine tag codes (feature set 6) carry a subclass above the UPOS bits.
            let t = super::fine::upos_of(t);
            punct.push(p);
            verbs.push(v);
            p += u32::from(t == Upos::PUNCT as u8);
            v += u32::from(t == Upos::VERB as u8 || t == Upos::AUX as u8);
        }
        punct.push(p);
        verbs.push(v);
        Input {
            lex,
            tags,
            punct,
            verbs,
        }
    }

    /// How many of `counts` lie strictly between `a` and `b` (`a < b`), capped at 3.
    fn between(counts: &[u32], a: u32, b: u32) -> u64 {
        if a == NIL || b == NIL || a >= b {
            return 9;
        }
        let (a, b) = (a as usize, (b as usize).min(counts.len() - 1));
        u64::from((counts[b] - counts[(a + 1).min(b)]).min(3))
    }
}

impl Input<'_> {
    #[inline]
    fn w(&self, i: u32) -> u64 {
        match i {
            NIL => NONE,
            i if i as usize == self.lex.len() => ROOT,
            i => self.lex[i as usize].lower,
        }
    }
    #[inline]
    fn t(&self, i: u32) -> u64 {
        match i {
            NIL => TAG_NONE,
            i if i as usize == self.lex.len() => TAG_ROOT,
            i => u64::from(self.tags[i as usize]),
        }
    }
    /// The cluster path of token `i` (a marker for none, outside, the root).
    #[inline]
    fn cl(&self, i: u32) -> u32 {
        match i {
            NIL => CL_OUTSIDE,
            i if i as usize == self.lex.len() => CL_ROOT,
            i => self.lex[i as usize].cl,
        }
    }
    #[inline]
    fn suf(&self, i: u32) -> u64 {
        match i {
            NIL => NONE,
            i if i as usize == self.lex.len() => ROOT,
            i => self.lex[i as usize].suf[2],
        }
    }
}

#[inline]
fn wt(w: u64, t: u64) -> u64 {
    mix(w ^ t.wrapping_mul(0x2545_f491_4f6c_dd1d))
}

fn at(v: &[u32], i: u32) -> u32 {
    if i == NIL {
        NIL
    } else {
        v[i as usize]
    }
}

/// The features of a state; `version` 2 adds counts of punctuation and verbs between
/// the stack and the buffer, `version` 4 word clusters. They are the role groups of `b0`,
/// `s0`, `s1`, `s2` ([`role_features`]) and the [`dynamic_features`]: training takes them
/// together, decoding sums the role groups once per sentence. (Training weights are whole
/// numbers, so the order of the keys changes nothing.)
pub(crate) fn features(st: &State, inp: &Input<'_>, version: u32, out: &mut Vec<u32>) {
    dynamic_features(st, inp, version, out);
    let mut group = Vec::with_capacity(16);
    for (role, i) in role_tokens(st) {
        role_features(role, i, inp, &mut group);
        out.extend_from_slice(&group);
    }
}

/// Word-cluster features (Koo et al. 2008), feature set 4: short and full path prefixes,
/// alone and with tags. Shared by [`features`] and [`dynamic_features`] (decoding probes
/// them per state).
fn cluster_features(
    inp: &Input<'_>,
    [s0, s1, b0, b1]: [u32; 4],
    [s0t, s1t, b0t]: [u64; 3],
    [s0wt, b0wt]: [u64; 2],
    dist: u64,
    out: &mut Vec<u32>,
) {
    let (s0c, s1c, b0c, b1c) = (inp.cl(s0), inp.cl(s1), inp.cl(b0), inp.cl(b1));
    let (s0c6, b0c6) = (cluster(s0c, 6), cluster(b0c, 6));
    let (s0cf, b0cf) = (cluster(s0c, 32), cluster(b0c, 32));
    out.extend_from_slice(&[
        f1(98, s0c6),
        f1(99, s0cf),
        f1(100, b0c6),
        f1(101, b0cf),
        f1(102, cluster(b1c, 6)),
        f1(103, cluster(s1c, 6)),
        f2(104, s0t, s0cf),
        f2(105, b0t, b0cf),
        f2(106, s0c6, b0c6),
        f3(107, cluster(s0c, 4), cluster(b0c, 4), dist),
        f3(108, s0t, b0t, cluster(b0c, 10)),
        f3(109, s0t, cluster(s0c, 10), b0t),
        f3(110, s0t, b0t, cluster(b1c, 6)),
        f2(111, cluster(s1c, 6), s0c6),
        f3(112, s1t, s0t, cluster(s0c, 10)),
        f2(113, s0wt, b0c6),
        f2(114, s0c6, b0wt),
    ]);
}

/// Feature groups whose keys depend on one token only (its word, tag, suffix, and for
/// `b0` the two tokens after it). Their summed class scores are the same in every state
/// with that token in that position, so decoding computes them once per sentence
/// ([`RoleScores`]) and probes only the [`dynamic_features`] per state. Together with
/// them the groups are exactly the keys of [`features`] (tested).
const ROLES: usize = 4;
const ROLE_B0: usize = 0;
const ROLE_S0: usize = 1;
const ROLE_S1: usize = 2;
const ROLE_S2: usize = 3;

/// The token in each role of a state (`NIL`: none).
fn role_tokens(st: &State) -> [(usize, u32); ROLES] {
    let b0 = if st.b <= st.n { st.b as u32 } else { NIL };
    [
        (ROLE_B0, b0),
        (ROLE_S0, st.s(0)),
        (ROLE_S1, st.s(1)),
        (ROLE_S2, st.s(2)),
    ]
}

/// The keys of one role group for token `i` (`NIL`: none).
fn role_features(role: usize, i: u32, inp: &Input<'_>, out: &mut Vec<u32>) {
    out.clear();
    let (w, t) = (inp.w(i), inp.t(i));
    match role {
        ROLE_B0 => {
            let n = inp.lex.len() as u32;
            let b1 = if i != NIL && i < n { i + 1 } else { NIL };
            let b2 = if b1 != NIL && b1 < n { b1 + 1 } else { NIL };
            let (b1w, b1t) = (inp.w(b1), inp.t(b1));
            let (b2w, b2t) = (inp.w(b2), inp.t(b2));
            out.extend_from_slice(&[
                f1(0, 0),
                f1(4, w),
                f1(5, t),
                f1(6, wt(w, t)),
                f1(7, b1w),
                f1(8, b1t),
                f1(9, wt(b1w, b1t)),
                f1(10, b2w),
                f1(11, b2t),
                f1(12, wt(b2w, b2t)),
                f2(25, t, b1t),
                f3(29, t, b1t, b2t),
                f2(85, t, inp.suf(i)),
            ]);
        }
        ROLE_S0 => {
            out.extend_from_slice(&[f1(1, w), f1(2, t), f1(3, wt(w, t)), f2(84, t, inp.suf(i))])
        }
        ROLE_S1 => out.extend_from_slice(&[f1(13, w), f1(14, t), f1(15, wt(w, t))]),
        _ => out.extend_from_slice(&[f1(16, t), f1(17, w)]),
    }
}

/// The features of a state that are not in a role group: those of two or more tokens,
/// children, valency, distance and labels.
pub(crate) fn dynamic_features(st: &State, inp: &Input<'_>, version: u32, out: &mut Vec<u32>) {
    out.clear();
    let n = st.n as u32;
    let s0 = st.s(0);
    let s1 = st.s(1);
    let s2 = st.s(2);
    let b0 = if (st.b as u32) <= n { st.b as u32 } else { NIL };
    let b1 = if b0 != NIL && b0 < n { b0 + 1 } else { NIL };
    let lab = |i: u32| {
        if i == NIL {
            LABEL_NONE
        } else {
            u64::from(st.labels[i as usize])
        }
    };
    let (s0w, s0t) = (inp.w(s0), inp.t(s0));
    let (s1w, s1t) = (inp.w(s1), inp.t(s1));
    let s2t = inp.t(s2);
    let (b0w, b0t) = (inp.w(b0), inp.t(b0));
    let (b1w, b1t) = (inp.w(b1), inp.t(b1));
    let (s0wt, s1wt, b0wt) = (wt(s0w, s0t), wt(s1w, s1t), wt(b0w, b0t));
    let (s0l, s0r, s0l2, s0r2) = (
        at(&st.l1, s0),
        at(&st.r1, s0),
        at(&st.l2, s0),
        at(&st.r2, s0),
    );
    let (s1l, s1r) = (at(&st.l1, s1), at(&st.r1, s1));
    let (b0l, b0l2) = (at(&st.l1, b0), at(&st.l2, b0));
    let dist = if s0 != NIL && b0 != NIL {
        u64::from((b0 - s0).min(10))
    } else {
        99
    };
    let dist2 = if s0 != NIL && s1 != NIL {
        u64::from((s0 - s1).min(10))
    } else {
        99
    };
    let val = |v: &[u8], i: u32| {
        if i == NIL {
            99
        } else {
            u64::from(v[i as usize])
        }
    };
    let set = |v: &[u64], i: u32| if i == NIL { NONE } else { v[i as usize] };
    let (s0vl, s0vr, b0vl, s1vl, s1vr) = (
        val(&st.nl, s0),
        val(&st.nr, s0),
        val(&st.nl, b0),
        val(&st.nl, s1),
        val(&st.nr, s1),
    );
    out.extend_from_slice(&[
        f2(18, s0wt, b0wt),
        f2(19, s0wt, b0w),
        f2(20, s0w, b0wt),
        f2(21, s0wt, b0t),
        f2(22, s0t, b0wt),
        f2(23, s0w, b0w),
        f2(24, s0t, b0t),
        f2(26, s1wt, s0wt),
        f2(27, s1t, s0t),
        f2(28, s1w, s0w),
        f3(30, s0t, b0t, b1t),
        f3(31, s1t, s0t, b0t),
        f3(32, s0t, inp.t(s0l), b0t),
        f3(33, s0t, inp.t(s0r), b0t),
        f3(34, s0t, b0t, inp.t(b0l)),
        f3(35, s1t, inp.t(s1r), s0t),
        f3(36, s2t, s1t, s0t),
        f3(37, s1t, s0t, inp.t(s0r)),
        f3(38, s1t, inp.t(s1l), s0t),
        f3(39, s0t, inp.t(s0l), inp.t(s0l2)),
        f2(40, s0w, dist),
        f2(41, s0t, dist),
        f2(42, b0w, dist),
        f2(43, b0t, dist),
        f3(44, s0t, b0t, dist),
        f3(45, s1t, s0t, dist2),
        f2(46, s0w, s0vr),
        f2(47, s0t, s0vr),
        f2(48, s0w, s0vl),
        f2(49, s0t, s0vl),
        f2(50, b0w, b0vl),
        f2(51, b0t, b0vl),
        f3(52, s1t, s1vl, s1vr),
        f1(53, inp.w(s0l)),
        f1(54, inp.t(s0l)),
        f1(55, lab(s0l)),
        f1(56, inp.w(s0r)),
        f1(57, inp.t(s0r)),
        f1(58, lab(s0r)),
        f1(59, inp.w(b0l)),
        f1(60, inp.t(b0l)),
        f1(61, lab(b0l)),
        f1(62, lab(s1l)),
        f1(63, lab(s1r)),
        f1(64, inp.t(s1r)),
        f1(65, inp.t(s1l)),
        f1(66, inp.w(s0l2)),
        f1(67, inp.t(s0l2)),
        f1(68, lab(s0l2)),
        f1(69, inp.w(s0r2)),
        f1(70, inp.t(s0r2)),
        f1(71, lab(s0r2)),
        f1(72, inp.w(b0l2)),
        f1(73, inp.t(b0l2)),
        f1(74, lab(b0l2)),
        f3(76, s0t, inp.t(s0r), inp.t(s0r2)),
        f3(77, b0t, inp.t(b0l), inp.t(b0l2)),
        f2(78, s0w, set(&st.rset, s0)),
        f2(79, s0t, set(&st.rset, s0)),
        f2(80, s0w, set(&st.lset, s0)),
        f2(81, s0t, set(&st.lset, s0)),
        f2(82, b0w, set(&st.lset, b0)),
        f2(83, b0t, set(&st.lset, b0)),
        f3(86, s0t, b0t, inp.suf(b0)),
        f3(87, s0t, inp.suf(s0), b0t),
        f3(88, s0t, lab(s0l), lab(s0r)),
        f3(89, s1t, s0t, b1t),
        f3(90, s0t, b0t, b1w),
    ]);
    if version >= 2 {
        let pb = Input::between(&inp.punct, s0, b0);
        let vb = Input::between(&inp.verbs, s0, b0);
        let p10 = Input::between(&inp.punct, s1, s0);
        out.extend_from_slice(&[
            f3(91, s0t, b0t, pb),
            f3(92, s0t, b0t, vb),
            f3(93, b0t, pb, dist),
            f2(94, s0w, pb),
            f3(95, s1t, s0t, p10),
            f3(96, s0t, b0t, pb * 4 + vb),
            f3(97, s1t, s0t, Input::between(&inp.verbs, s1, s0)),
        ]);
    }
    if version == 4 {
        cluster_features(
            inp,
            [s0, s1, b0, b1],
            [s0t, s1t, b0t],
            [s0wt, b0wt],
            dist,
            out,
        );
    }
}

/// The summed class scores of the role groups, per role and token, computed on first use
/// in a sentence. Token index `n` is the root for `b0` and "no token" for stack roles
/// (the root is never on the stack).
struct RoleScores {
    nclasses: usize,
    n: usize,
    done: Vec<bool>,
    sums: Vec<i32>,
}

impl RoleScores {
    fn new(n: usize, nclasses: usize) -> RoleScores {
        RoleScores {
            nclasses,
            n,
            done: vec![false; ROLES * (n + 1)],
            sums: vec![0; ROLES * (n + 1) * nclasses],
        }
    }

    /// Adds the role group scores of `role` for token `i` to `acc`.
    fn add(
        &mut self,
        role: usize,
        i: u32,
        inp: &Input<'_>,
        weights: &Weights,
        feats: &mut Vec<u32>,
        acc: &mut Acc,
    ) {
        let idx = role * (self.n + 1) + if i == NIL { self.n } else { i as usize };
        let nc = self.nclasses;
        let sums = &mut self.sums[idx * nc..idx * nc + nc];
        if !self.done[idx] {
            self.done[idx] = true;
            role_features(role, i, inp, feats);
            let mut own = [0i32; 256];
            weights.add(feats, &mut own);
            sums.copy_from_slice(&own[..nc]);
        }
        for (a, s) in acc.iter_mut().zip(sums.iter()) {
            *a += *s;
        }
    }
}

/// Sets the score of every class `State::valid` rejects to `i32::MIN`, for a state with a
/// non-empty stack (the same classes, without asking per class; tested).
fn mask_invalid(st: &State, scores: &mut [i32], nl: usize, root: usize) {
    if st.b >= st.n {
        scores[SHIFT] = i32::MIN;
        // LEFT onto the root: only `root`, and only with one token on the stack.
        let keep = (st.stack.len() == 1).then_some(1 + root);
        for (c, s) in scores.iter_mut().enumerate().take(1 + nl).skip(1) {
            if Some(c) != keep {
                *s = i32::MIN;
            }
        }
    } else {
        scores[1 + root] = i32::MIN;
    }
    if st.stack.len() < 2 {
        scores[1 + nl..].fill(i32::MIN);
    } else {
        scores[1 + nl + root] = i32::MIN;
    }
}

/// A trained parser.
pub(crate) struct Parser {
    pub(crate) version: u32,
    pub(crate) weights: Weights,
    pub(crate) nlabels: usize,
    pub(crate) root: usize,
}

impl Parser {
    /// Parses a tagged sentence; returns (head, label) per token, head `n` meaning the root.
    pub(crate) fn parse(&self, inp: &Input<'_>) -> Vec<(u32, u16)> {
        let n = inp.lex.len();
        let mut st = State::new(n);
        let mut feats = Vec::with_capacity(128);
        let nclasses = self.weights.nclasses();
        let mut roles = RoleScores::new(n, nclasses);
        let mut acc: Acc = [0; 256];
        while !st.is_terminal() {
            // Forced moves need no scoring.
            if st.stack.is_empty() {
                st.apply(SHIFT, self.nlabels);
                continue;
            }
            if st.b == n && st.stack.len() == 1 {
                st.apply(1 + self.root, self.nlabels);
                continue;
            }
            acc[..nclasses].fill(0);
            for (role, i) in role_tokens(&st) {
                roles.add(role, i, inp, &self.weights, &mut feats, &mut acc);
            }
            dynamic_features(&st, inp, self.version, &mut feats);
            self.weights.add(&feats, &mut acc);
            let scores = &mut acc[..nclasses];
            mask_invalid(&st, scores, self.nlabels, self.root);
            let best = argmax_i32(scores);
            st.apply(best, self.nlabels);
        }
        (0..n).map(|i| (st.heads[i], st.labels[i])).collect()
    }

    /// [`Parser::parse`] scoring every feature of every state one by one (the reference
    /// the role groups must equal).
    #[cfg(test)]
    pub(crate) fn parse_plain(&self, inp: &Input<'_>) -> Vec<(u32, u16)> {
        let n = inp.lex.len();
        let mut st = State::new(n);
        let mut feats = Vec::with_capacity(96);
        let mut scores = vec![0i32; self.weights.nclasses()];
        while !st.is_terminal() {
            if st.stack.is_empty() {
                st.apply(SHIFT, self.nlabels);
                continue;
            }
            if st.b == n && st.stack.len() == 1 {
                st.apply(1 + self.root, self.nlabels);
                continue;
            }
            features(&st, inp, self.version, &mut feats);
            self.weights.score(&feats, &mut scores);
            for (c, s) in scores.iter_mut().enumerate() {
                if !st.valid(c, self.nlabels, self.root) {
                    *s = i32::MIN;
                }
            }
            let best = argmax_i32(&scores);
            st.apply(best, self.nlabels);
        }
        (0..n).map(|i| (st.heads[i], st.labels[i])).collect()
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u32(self.nlabels as u32);
        w.u32(self.root as u32);
        self.weights.write(w);
    }

    pub(crate) fn read(r: &mut Reader<'_>, version: u32) -> Result<Parser, ModelError> {
        let nlabels = r.u32()? as usize;
        let root = r.u32()? as usize;
        let weights = Weights::read(r)?;
        if weights.nclasses() != 1 + 2 * nlabels || root >= nlabels {
            return Err(ModelError::Corrupt("parser classes"));
        }
        Ok(Parser {
            version,
            weights,
            nlabels,
            root,
        })
    }
}

/// The cost of every class in `st` against the gold tree (`gh`: gold heads with the root
/// as `n`, `gl`: gold labels); invalid classes cost `u32::MAX`.
pub(crate) fn costs(
    st: &State,
    gh: &[u32],
    gl: &[u16],
    nlabels: usize,
    root: usize,
    out: &mut Vec<u32>,
) {
    out.clear();
    out.resize(1 + 2 * nlabels, u32::MAX);
    let n = st.n;
    let b0 = st.b as u32;
    let in_stack = |x: u32| st.stack.contains(&x);
    if st.valid(SHIFT, nlabels, root) {
        let mut c = st.stack.iter().filter(|&&s| gh[s as usize] == b0).count() as u32;
        let h = gh[b0 as usize];
        if h != NIL && Some(&h) != st.stack.last() && in_stack(h) {
            c += 1;
        }
        out[SHIFT] = c;
    }
    if let Some(&s0) = st.stack.last() {
        let s1 = st.s(1);
        let deps_in_buffer = (st.b..n).filter(|&b| gh[b] == s0).count() as u32;
        let h = gh[s0 as usize];
        let left_ok = h == b0;
        let left = deps_in_buffer + u32::from(!left_ok && (h == s1 || h > b0));
        let right_ok = h == s1;
        let right = deps_in_buffer + u32::from(!right_ok && h >= b0 && h != NIL);
        for l in 0..nlabels {
            if st.valid(1 + l, nlabels, root) {
                out[1 + l] = left + u32::from(left_ok && gl[s0 as usize] as usize != l);
            }
            if st.valid(1 + nlabels + l, nlabels, root) {
                out[1 + nlabels + l] = right + u32::from(right_ok && gl[s0 as usize] as usize != l);
            }
        }
    }
}

/// One training sentence: lexical values, (predicted) tags, gold heads (root = `n`) and labels.
pub(crate) struct ParseExample {
    pub(crate) lex: Vec<Lex>,
    pub(crate) tags: Vec<u8>,
    pub(crate) heads: Vec<u32>,
    pub(crate) labels: Vec<u16>,
}

/// Trains the parser with the dynamic oracle.
#[allow(clippy::too_many_arguments)]
pub(crate) fn train(
    data: &[ParseExample],
    version: u32,
    nlabels: usize,
    root: usize,
    iterations: usize,
    seed: u64,
    budget: usize,
    dev: &[ParseExample],
    log: &mut dyn FnMut(String),
) -> Parser {
    let nclasses = 1 + 2 * nlabels;
    let mut trainer = Trainer::new(nclasses);
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut feats = Vec::with_capacity(128);
    let mut scores = vec![0f32; nclasses];
    let mut cost = Vec::new();
    for it in 0..iterations {
        rng.shuffle(&mut order);
        let (mut right, mut total) = (0usize, 0usize);
        for &s in &order {
            let ex = &data[s];
            let n = ex.lex.len();
            let mut gh = ex.heads.clone();
            gh.push(NIL);
            let inp = Input::new(&ex.lex, &ex.tags);
            let mut st = State::new(n);
            while !st.is_terminal() {
                costs(&st, &gh, &ex.labels, nlabels, root, &mut cost);
                features(&st, &inp, version, &mut feats);
                trainer.score(&feats, &mut scores);
                let min = *cost.iter().min().unwrap_or(&0);
                let mut guess = usize::MAX;
                let mut best = usize::MAX;
                for c in 0..nclasses {
                    if cost[c] == u32::MAX {
                        continue;
                    }
                    if guess == usize::MAX || scores[c] > scores[guess] {
                        guess = c;
                    }
                    if cost[c] == min && (best == usize::MAX || scores[c] > scores[best]) {
                        best = c;
                    }
                }
                if cost[guess] > min {
                    trainer.update(&feats, best, guess);
                }
                trainer.tick();
                let next = if it > 0 && rng.next_f64() < 0.9 {
                    guess
                } else {
                    best
                };
                st.apply(next, nlabels);
            }
            right += (0..n)
                .filter(|&i| st.heads[i] == gh[i] && st.labels[i] == ex.labels[i])
                .count();
            total += n;
        }
        let mut line = format!(
            "parser iteration {}: train LAS {:.2}%",
            it + 1,
            100.0 * right as f64 / total.max(1) as f64
        );
        if !dev.is_empty() && (it + 1 == iterations || it % 3 == 2) {
            let p = Parser {
                version,
                weights: trainer.averaged(budget),
                nlabels,
                root,
            };
            let (uas, las) = p.score(dev);
            line.push_str(&format!(
                ", dev UAS {:.2}% LAS {:.2}%",
                100.0 * uas,
                100.0 * las
            ));
        }
        log(line);
    }
    Parser {
        version,
        weights: trainer.averaged(budget),
        nlabels,
        root,
    }
}

impl Parser {
    /// (UAS, LAS) against gold heads and labels, on exact labels.
    pub(crate) fn score(&self, data: &[ParseExample]) -> (f64, f64) {
        let (mut u, mut l, mut t) = (0usize, 0usize, 0usize);
        for ex in data {
            let out = self.parse(&Input::new(&ex.lex, &ex.tags));
            for (i, &(h, lab)) in out.iter().enumerate() {
                let hit = h == ex.heads[i];
                u += usize::from(hit);
                l += usize::from(hit && lab == ex.labels[i]);
            }
            t += ex.lex.len();
        }
        (u as f64 / t.max(1) as f64, l as f64 / t.max(1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_build_the_expected_tree() {
        // "She ate fish": labels 0 = nsubj, 1 = obj, 2 = root.
        let (nl, root) = (3, 2);
        let mut st = State::new(3);
        st.apply(SHIFT, nl); // [She]
        assert!(st.valid(1, nl, root) && !st.valid(1 + root, nl, root));
        st.apply(1, nl); // She <- ate (nsubj)
        st.apply(SHIFT, nl); // [ate]
        st.apply(SHIFT, nl); // [ate fish]
        assert!(!st.valid(SHIFT, nl, root), "the root is never shifted");
        assert!(!st.valid(1, nl, root), "only `root` may attach to the root");
        st.apply(1 + nl + 1, nl); // ate -> fish (obj)
        assert!(st.valid(1 + root, nl, root));
        st.apply(1 + root, nl); // root -> ate
        assert!(st.is_terminal());
        assert_eq!(st.heads[..3], [1, 3, 1]);
        assert_eq!(st.labels[..3], [0, 2, 1]);
    }

    #[test]
    fn oracle_costs_are_zero_along_the_gold_path() {
        let (nl, root) = (3, 2);
        let gh = vec![1, 3, 1, NIL];
        let gl = vec![0, 2, 1];
        let mut st = State::new(3);
        let mut cost = Vec::new();
        for mv in [SHIFT, 1, SHIFT, SHIFT, 1 + nl + 1, 1 + root] {
            costs(&st, &gh, &gl, nl, root, &mut cost);
            assert_eq!(cost[mv], 0, "move {mv} in {st:?}");
            st.apply(mv, nl);
        }
        // A wrong first move (LEFT from an empty stack) is invalid; a wrong label costs one.
        let mut st = State::new(3);
        st.apply(SHIFT, nl);
        costs(&st, &gh, &gl, nl, root, &mut cost);
        assert_eq!(cost[1 + 1], 1);
        assert_eq!(cost[SHIFT], 1, "shifting loses She <- ate");
    }

    /// The fast mask of invalid transitions agrees with `State::valid` in every state of
    /// random walks.
    #[test]
    fn the_transition_mask_agrees_with_valid() {
        let mut rng = Rng::new(3);
        let (nl, root) = (5, 4);
        for len in 1..14usize {
            let mut st = State::new(len);
            while !st.is_terminal() {
                if !st.stack.is_empty() {
                    let mut scores = vec![0i32; 1 + 2 * nl];
                    mask_invalid(&st, &mut scores, nl, root);
                    for (c, &s) in scores.iter().enumerate() {
                        assert_eq!(s == i32::MIN, !st.valid(c, nl, root), "class {c}, {st:?}");
                    }
                }
                let valid: Vec<usize> =
                    (0..1 + 2 * nl).filter(|&c| st.valid(c, nl, root)).collect();
                st.apply(valid[(rng.next_u64() % valid.len() as u64) as usize], nl);
            }
        }
    }

    /// With the embedded models, decoding with role scores gives the same trees as
    /// scoring every feature of every state.
    #[test]
    fn role_scores_parse_as_plain_scoring() {
        let text = "De minister zei dinsdag dat het kabinet de regeling , die in 2019 werd \
                    ingevoerd , niet zal verlengen . Hij riep de staat uit . The company said \
                    on Monday that it had sold its stake to a group of investors for $ 3 million .";
        let forms: Vec<&str> = text.split_whitespace().collect();
        for lang in [crate::Lang::NL, crate::Lang::EN] {
            let Some(model) = super::super::SyntaxModel::for_language(lang) else {
                continue;
            };
            for start in 0..forms.len() {
                for len in [1, 2, 5, 13, 40] {
                    let f = &forms[start..(start + len).min(forms.len())];
                    let lex: Vec<Lex> = f.iter().map(|w| Lex::with_clusters(w, None)).collect();
                    let mut tags = model.tagger.tag(&lex);
                    model.tagger.refine(&lex, &mut tags);
                    let inp = Input::new(&lex, &tags);
                    assert_eq!(model.parser.parse(&inp), model.parser.parse_plain(&inp));
                }
            }
        }
    }
}
