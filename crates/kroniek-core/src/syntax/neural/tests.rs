use super::*;

fn tiny_config() -> NeuralConfig {
    NeuralConfig {
        word_dim: 3,
        tag_dim: 2,
        affix_dim: 2,
        shape_dim: 2,
        affix_buckets: 7,
        hidden: 4,
        dilations: vec![1, 2],
        arc_dim: 3,
        label_dim: 2,
        lstm: 3,
    }
}

fn sentence(words: &[(&str, u8, u32, &str)]) -> NeuralSentence {
    NeuralSentence {
        forms: words.iter().map(|w| w.0.to_string()).collect(),
        tags: words.iter().map(|w| w.1).collect(),
        heads: words.iter().map(|w| w.2).collect(),
        labels: words.iter().map(|w| w.3.to_string()).collect(),
    }
}

fn fixture() -> Vec<NeuralSentence> {
    vec![
        sentence(&[
            ("De", 5, 2, "det"),
            ("man", 7, 3, "nsubj"),
            ("slaapt", 16, 0, "root"),
            (".", 12, 3, "punct"),
        ]),
        sentence(&[
            ("Hij", 11, 2, "nsubj"),
            ("ziet", 16, 0, "root"),
            ("de", 5, 4, "det"),
            ("hond", 7, 2, "obj"),
        ]),
        sentence(&[("Ja", 9, 0, "root")]),
    ]
}

fn random_model(cfg: &NeuralConfig, seed: u64) -> NeuralParser {
    let vocab = vec!["de".to_string(), "man".to_string()];
    let labels: Vec<String> = ["det", "nsubj", "obj", "punct", "root"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut rng = Rng::new(seed);
    let mut m = init(cfg, &vocab, &labels, &mut rng, "test");
    for p in &mut m.params {
        *p = (rng.next_f64() as f32 * 2.0 - 1.0) * 0.5;
    }
    m
}

/// The analytic gradient of every parameter agrees with central finite differences.
/// `count` sentences of random words and tag codes (seeded); sentence `i` has `len(i)` words.
fn random_sentences(
    seed: u64,
    count: usize,
    len: impl Fn(usize) -> usize,
) -> Vec<(Vec<&'static str>, Vec<u8>)> {
    const WORDS: [&str; 10] = [
        "de", "man", "Slaapt", "nu", ".", "Hij", "ziet", "de", "hond", "12",
    ];
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let n = len(i);
            let forms = (0..n)
                .map(|_| WORDS[(rng.next_f64() * WORDS.len() as f64) as usize % WORDS.len()])
                .collect();
            let tags = (0..n).map(|_| (rng.next_f64() * 20.0) as u8).collect();
            (forms, tags)
        })
        .collect()
}

#[test]
fn gradient_matches_finite_differences() {
    check_gradient(&tiny_config());
}

/// The same without the LSTM (convolutions only), and with neither.
#[test]
fn gradient_matches_without_lstm() {
    check_gradient(&NeuralConfig {
        lstm: 0,
        ..tiny_config()
    });
    check_gradient(&NeuralConfig {
        lstm: 0,
        dilations: Vec::new(),
        ..tiny_config()
    });
    check_gradient(&NeuralConfig {
        dilations: Vec::new(),
        ..tiny_config()
    });
}

#[allow(clippy::needless_range_loop)]
fn check_gradient(cfg: &NeuralConfig) {
    let cfg = cfg.clone();
    let mut model = random_model(&cfg, 4);
    let sents = fixture();
    let labels: Vec<&str> = model.labels.clone();
    let data: Vec<(Input, Vec<u32>, Vec<u16>)> = sents
        .iter()
        .map(|s| {
            let forms: Vec<&str> = s.forms.iter().map(String::as_str).collect();
            (
                model.input(&forms, &s.tags),
                s.heads.clone(),
                s.labels
                    .iter()
                    .map(|l| labels.iter().position(|x| x == l).unwrap() as u16)
                    .collect(),
            )
        })
        .collect();
    let refs: Vec<&Input> = data.iter().map(|d| &d.0).collect();
    let gold: Vec<(&[u32], &[u16])> = data.iter().map(|d| (&d.1[..], &d.2[..])).collect();
    let mut grad = vec![0f32; model.params.len()];
    model.loss(&refs, &gold, 0.0, None, Some(&mut grad));
    let eps = 1e-3f32;
    let (mut bad, mut checked) = (Vec::new(), 0);
    for i in 0..model.params.len() {
        let orig = model.params[i];
        model.params[i] = orig + eps;
        let (up, _) = model.loss(&refs, &gold, 0.0, None, None);
        model.params[i] = orig - eps;
        let (down, _) = model.loss(&refs, &gold, 0.0, None, None);
        model.params[i] = orig;
        let num = ((up - down) / (2.0 * eps as f64)) as f32;
        let ana = grad[i];
        checked += 1;
        if (num - ana).abs() > 2e-3 + 0.05 * num.abs().max(ana.abs()) {
            bad.push((i, num, ana));
        }
    }
    assert!(checked > 300, "{checked}");

    // Leaky ReLU kinks can make a rare difference quotient straddle a corner.
    assert!(
        bad.len() * 100 <= checked,
        "{} of {checked} bad: {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
}

/// A deliberately wrong gradient is caught by the same comparison (the check can fail).
#[test]
fn gradient_check_detects_a_wrong_block() {
    let cfg = tiny_config();
    let mut model = random_model(&cfg, 5);
    let sents = fixture();
    let forms: Vec<&str> = sents[0].forms.iter().map(String::as_str).collect();
    let inp = model.input(&forms, &sents[0].tags);
    let gold_labels: Vec<u16> = vec![0, 1, 4, 3];
    let gold = [(&sents[0].heads[..], &gold_labels[..])];
    let mut grad = vec![0f32; model.params.len()];
    model.loss(&[&inp], &gold, 0.0, None, Some(&mut grad));
    // Numerical gradient of the distance biases, compared against a zeroed analytic one.
    let r = model.layout.dist.clone();
    let mut differs = false;
    for i in r {
        let orig = model.params[i];
        model.params[i] = orig + 1e-2;
        let (up, _) = model.loss(&[&inp], &gold, 0.0, None, None);
        model.params[i] = orig - 1e-2;
        let (down, _) = model.loss(&[&inp], &gold, 0.0, None, None);
        model.params[i] = orig;
        let num = (up - down) / 2e-2;
        differs |= num.abs() > 1e-2 && (num as f32 - grad[i]).abs() < 1e-3;
    }
    assert!(
        differs,
        "some distance bias has a real gradient that the check confirms"
    );
}

/// A small model learns to parse the fixture it is trained on.
#[test]
fn learns_the_fixture() {
    let opts = NeuralOptions {
        config: NeuralConfig {
            word_dim: 8,
            tag_dim: 8,
            affix_dim: 4,
            shape_dim: 2,
            affix_buckets: 101,
            hidden: 16,
            dilations: vec![1, 2],
            arc_dim: 16,
            label_dim: 8,
            lstm: 8,
        },
        epochs: 60,
        batch_tokens: 4,
        learning_rate: 5e-3,
        dropout: 0.0,
        word_dropout: 0.0,
        seed: 1,
        description: "fixture".into(),
    };
    let sents = fixture();
    let bytes = train(&sents, &[], &opts, &mut |_| {});
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let model = NeuralParser::from_bytes(bytes).unwrap();
    let (uas, las) = evaluate(&model, &sents);
    assert_eq!((uas, las), (100.0, 100.0));
    // Deterministic: the same options give the same bytes.
    assert_eq!(train(&sents, &[], &opts, &mut |_| {}), bytes);
}

#[test]
fn no_panic_on_empty_one_token_and_long_sentences() {
    let model = random_model(&tiny_config(), 9);
    assert!(model.parse::<&str>(&[], &[]).is_empty());
    let one = model.parse(&["Ja"], &[9]);
    assert_eq!(one, vec![(0, "root")]);
    let forms: Vec<String> = (0..2000).map(|i| format!("w{}", i % 37)).collect();
    let tags: Vec<u8> = (0..2000).map(|i| (i % 17) as u8).collect();
    let out = model.parse(&forms, &tags[..10]);
    assert_eq!(out.len(), 2000);
    assert_eq!(out.iter().filter(|(h, _)| *h == 0).count(), 1);
    // a tree: every token reaches the root
    for start in 0..2000usize {
        let mut v = start + 1;
        let mut steps = 0;
        while v != 0 {
            v = out[v - 1].0 as usize;
            steps += 1;
            assert!(steps <= 2000);
        }
    }
    assert!(NeuralParser::from_bytes(b"nonsense").is_err());
}

#[test]
fn fast_tanh_and_sigmoid_are_close_to_libm() {
    let mut worst = 0f32;
    for i in -20_000..=20_000 {
        let x = i as f32 / 1000.0;
        worst = worst.max((tanh(x) - x.tanh()).abs());
        worst = worst.max((sigmoid(x) - 1.0 / (1.0 + (-x).exp())).abs());
    }
    assert!(worst < 1e-6, "{worst}");
    assert_eq!(tanh(0.0), 0.0);
}

#[test]
fn batch_parsing_equals_one_by_one() {
    let model = random_model(&tiny_config(), 11);
    let sents = fixture();
    let forms: Vec<Vec<&str>> = sents
        .iter()
        .map(|s| s.forms.iter().map(String::as_str).collect())
        .collect();
    let mut input: Vec<(&[&str], &[u8])> = forms
        .iter()
        .zip(&sents)
        .map(|(f, s)| (&f[..], &s.tags[..]))
        .collect();
    input.insert(1, (&[], &[]));
    let batch = model.parse_batch_indexed(&input);
    assert_eq!(batch.len(), input.len());
    for ((f, t), b) in input.iter().zip(&batch) {
        assert_eq!(&model.parse_indexed(f, t), b);
    }
    assert!(model.parse_batch_indexed(&[]).is_empty());
}

/// The products without packing give `matrixmultiply`'s results to the bit (on CPUs where
/// they are used: FMA and AVX2), for shapes with every kind of row and column remainder.
#[test]
fn unpacked_products_equal_matrixmultiply_bitwise() {
    #[cfg(target_arch = "x86_64")]
    {
        if !fma::available() {
            return;
        }
        let mut rng = Rng::new(3);
        let mut rand = |n: usize| -> Vec<f32> {
            (0..n)
                .map(|_| (rng.next_f64() as f32 * 2.0 - 1.0) * 3.0)
                .collect()
        };
        for (m, k, n) in [
            (2, 1, 1),
            (2, 64, 256),
            (7, 190, 64),
            (13, 32, 1248),
            (6, 128, 23),
            (17, 256, 39),
            (5, 3, 9),
            (7, 32, 1248),
            (8, 64, 200),
            (9, 64, 256),
            (10, 32, 1248),
            (11, 20, 100),
            (4, 7, 90),
            (3, 5, 72),
        ] {
            for (at, bt, beta) in [
                (false, false, 0.0),
                (false, false, 1.0),
                (true, false, 1.0),
                (false, true, 0.0),
                (true, true, 0.5),
            ] {
                let (a, b, c0) = (rand(m * k), rand(k * n), rand(m * n));
                let mut mine = c0.clone();
                gemm(m, k, n, &a, at, &b, bt, beta, &mut mine);
                let mut theirs = c0.clone();
                let (rsa, csa) = if at { (1, m as isize) } else { (k as isize, 1) };
                let (rsb, csb) = if bt { (1, k as isize) } else { (n as isize, 1) };
                // SAFETY: the matrices hold m×k, k×n and m×n values.
                unsafe {
                    matrixmultiply::sgemm(
                        m,
                        k,
                        n,
                        1.0,
                        a.as_ptr(),
                        rsa,
                        csa,
                        b.as_ptr(),
                        rsb,
                        csb,
                        beta,
                        theirs.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&mine), bits(&theirs), "{m}x{k}x{n} {at} {bt} {beta}");
            }
        }
    }
}

/// The LSTM cell of 8 units at a time equals the scalar one to the bit.
#[test]
fn vector_lstm_cell_equals_scalar() {
    #[cfg(target_arch = "x86_64")]
    {
        if !fma::available() {
            return;
        }
        let k = 16;
        let mut rng = Rng::new(5);
        let mut rand = |n: usize, s: f32| -> Vec<f32> {
            (0..n)
                .map(|_| (rng.next_f64() as f32 * 2.0 - 1.0) * s)
                .collect()
        };
        for scale in [0.1, 3.0, 20.0] {
            let g0 = rand(4 * k, scale);
            let prev = rand(k, scale);
            for p in [None, Some(&prev[..])] {
                let mut g = g0.clone();
                let (mut cell, mut out) = (vec![0f32; k], vec![0f32; k]);
                // SAFETY: checked above; the slices hold 4k and k values.
                unsafe { fma::lstm_cell::<false, true>(&mut g, k, p, &mut cell, &mut out) };
                // The fast parser's fused variant: the same within a few ulp.
                let mut g2 = g0.clone();
                let (mut cell2, mut out2) = (vec![0f32; k], vec![0f32; k]);
                // SAFETY: as above.
                unsafe { fma::lstm_cell::<true, true>(&mut g2, k, p, &mut cell2, &mut out2) };
                for (a, b) in g
                    .iter()
                    .chain(&cell)
                    .chain(&out)
                    .zip(g2.iter().chain(&cell2).chain(&out2))
                {
                    assert!((a - b).abs() <= 1e-5 * (1.0 + a.abs()), "{a} {b}");
                }
                for j in 0..k {
                    let i = sigmoid(g0[j]);
                    let f = sigmoid(g0[k + j]);
                    let gg = tanh(g0[2 * k + j]);
                    let o = sigmoid(g0[3 * k + j]);
                    let cv = f * p.map_or(0.0, |p| p[j]) + i * gg;
                    let want = [i, f, gg, o, cv, o * tanh(cv)];
                    let got = [g[j], g[k + j], g[2 * k + j], g[3 * k + j], cell[j], out[j]];
                    for (w, v) in want.iter().zip(&got) {
                        assert_eq!(w.to_bits(), v.to_bits());
                    }
                }
            }
        }
    }
}

/// Label scores with the reordered weights equal the plain ones to the bit.
#[test]
fn fast_label_scores_equal_plain() {
    let cfg = NeuralConfig {
        label_dim: 8,
        arc_dim: 8,
        lstm: 8,
        ..tiny_config()
    };
    let model = random_model(&cfg, 9);
    let forms = [
        "De", "man", "ziet", "de", "hond", "niet", "en", "slaapt", ".",
    ];
    let tags = [5, 7, 16, 5, 7, 9, 10, 16, 12];
    let inp = model.input(&forms, &tags);
    let cache = model.forward(&[&inp], 0.0, None, true, false);
    let deps: Vec<usize> = (1..inp.len()).collect();
    let heads: Vec<usize> = deps.iter().map(|&d| (d * 3) % inp.len()).collect();
    let (plain, _) = model.label_scores(&cache, &deps, &heads);
    let ulab_t = model.ulab_by_position();
    let (fast, _) = model.label_scores_with(&cache, &deps, &heads, false, Some(&ulab_t));
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&plain), bits(&fast));
}

/// A loaded model's tables (the word part of the first convolution's products, the label
/// weights by position) give the encoder's outputs and the parses to the bit.
#[test]
fn derived_tables_give_the_same_floats() {
    let cfg = NeuralConfig {
        word_dim: 20,
        tag_dim: 6,
        affix_dim: 5,
        shape_dim: 3,
        affix_buckets: 11,
        hidden: 24,
        dilations: vec![1, 2],
        arc_dim: 5,
        label_dim: 3,
        lstm: 8,
    };
    let plain = random_model(&cfg, 21);
    let mut loaded = random_model(&cfg, 21);
    loaded.derived = Some(OnceLock::new());
    #[cfg(target_arch = "x86_64")]
    if fma::available() {
        assert!(!loaded.derived().unwrap().conv0.is_empty());
    }
    let sents = random_sentences(3, 9, |i| 1 + (i * 7) % 13);
    let inputs: Vec<Input> = sents.iter().map(|(f, t)| plain.input(f, t)).collect();
    let refs: Vec<&Input> = inputs.iter().collect();
    let (a, b) = (
        plain.forward(&refs, 0.0, None, true, false),
        loaded.forward(&refs, 0.0, None, false, false),
    );
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.conv_out), bits(&b.conv_out));
    assert_eq!(bits(&a.h), bits(&b.h));
    assert_eq!(bits(&a.ld), bits(&b.ld));
    let batch: Vec<(&[&str], &[u8])> = sents.iter().map(|(f, t)| (&f[..], &t[..])).collect();
    assert_eq!(
        plain.parse_batch_indexed(&batch),
        loaded.parse_batch_indexed(&batch)
    );
}

/// Sentences parsed together as if each were alone give each one's parse alone.
#[test]
fn parsing_each_equals_one_by_one() {
    for model in [random_model(&tiny_config(), 13), {
        let mut m = random_model(
            &NeuralConfig {
                lstm: 8,
                hidden: 16,
                ..tiny_config()
            },
            17,
        );
        m.derived = Some(OnceLock::new());
        m
    }] {
        let sents = random_sentences(9, 12, |i| (i * 5) % 17);
        let input: Vec<(&[&str], &[u8])> = sents.iter().map(|(f, t)| (&f[..], &t[..])).collect();
        let each = model.parse_each_indexed(&input);
        assert_eq!(each.len(), input.len());
        for ((f, t), e) in input.iter().zip(&each) {
            assert_eq!(&model.parse_indexed(f, t), e);
        }
    }
}

/// Word keys written into a reused buffer and affix buckets hashed from slices of the key
/// are those of the first versions (strings built per word and per affix).
#[test]
fn word_keys_and_affixes_equal_the_reference() {
    let forms = [
        "",
        "a",
        "De",
        "MAN",
        "slaapt",
        "1994",
        "€12,50",
        "Ærø",
        "İstanbul",
        "straße",
        "ÉÉN",
        "x-y",
        "ǅemal",
        "日本語",
        "a\u{301}b",
    ];
    let mut key = String::from("stale contents");
    for f in forms {
        word_key_into(f, &mut key);
        let reference: String = f
            .chars()
            .flat_map(char::to_lowercase)
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect();
        assert_eq!(key, reference, "{f}");
        assert_eq!(word_key(f), reference);
        for buckets in [1, 7, 10_000, 30_000] {
            assert_eq!(
                affixes(&key, buckets),
                affixes_reference(&key, buckets),
                "{f} {buckets}"
            );
        }
    }
}

/// Parsing reuses the thread's buffers: the same batch parsed before and after batches of
/// other sizes (bigger, smaller, empty sentences, one long sentence) gives the same result,
/// equal to a fresh thread's.
#[test]
fn reused_buffers_give_the_same_parses() {
    let mut model = random_model(
        &NeuralConfig {
            lstm: 8,
            hidden: 16,
            ..tiny_config()
        },
        23,
    );
    model.derived = Some(OnceLock::new());
    let small = random_sentences(5, 7, |i| (i * 3) % 11);
    let big = random_sentences(6, 40, |i| 1 + (i * 7) % 29);
    let long = random_sentences(7, 1, |_| 600);
    let parse = |s: &[(Vec<&'static str>, Vec<u8>)]| {
        let b: Vec<(&[&str], &[u8])> = s.iter().map(|(f, t)| (&f[..], &t[..])).collect();
        model.parse_batch_indexed(&b)
    };
    let fresh = std::thread::scope(|sc| sc.spawn(|| parse(&small)).join().unwrap());
    let first = parse(&small);
    assert_eq!(first, fresh);
    let long_parse = parse(&long);
    assert_eq!(long_parse.len(), 1);
    assert_eq!(long_parse[0].len(), 600);
    for _ in 0..3 {
        assert_eq!(parse(&big).len(), 40);
        assert_eq!(parse(&small), first);
        assert!(parse(&[]).is_empty());
        assert_eq!(parse(&[(Vec::new(), Vec::new())]), vec![Vec::new()]);
    }
    assert_eq!(parse(&long), long_parse);
}

/// The fast parser's integer path (one convolution layer and a BiLSTM): its tables are
/// built, a batch parses as each sentence alone (the products are per row), every head is
/// a token or the root, and the scores are those of the float path within the
/// quantization error (the same heads for most tokens).
#[test]
fn integer_path_parses_like_the_float_path() {
    let cfg = NeuralConfig {
        word_dim: 8,
        tag_dim: 4,
        affix_dim: 4,
        shape_dim: 4,
        affix_buckets: 7,
        hidden: 8,
        dilations: vec![1],
        arc_dim: 8,
        label_dim: 4,
        lstm: 8,
    };
    let float = {
        let mut m = random_model(&cfg, 21);
        m.derived = Some(OnceLock::new());
        m
    };
    let mut int = random_model(&cfg, 21);
    int.derived = Some(OnceLock::new());
    int.use_integer_products();
    assert!(int.derived().is_some_and(|d| d.q.is_some()));
    assert!(float.derived().is_some_and(|d| d.q.is_none()));
    let sents = random_sentences(9, 40, |i| 1 + i % 23);
    let input: Vec<(&[&str], &[u8])> = sents.iter().map(|(f, t)| (&f[..], &t[..])).collect();
    let batch = int.parse_batch_indexed(&input);
    let (mut same, mut all) = (0, 0);
    for ((f, t), b) in input.iter().zip(&batch) {
        assert_eq!(&int.parse_indexed(f, t), b);
        assert_eq!(b.len(), f.len());
        assert!(b.iter().all(|&(h, _)| h as usize <= f.len()));
        let fl = float.parse_indexed(f, t);
        same += fl.iter().zip(b).filter(|(x, y)| x.0 == y.0).count();
        all += f.len();
    }
    assert!(same * 10 >= all * 9, "{same} of {all}");
    // The encoder's outputs agree closely.
    let inputs: Vec<Input> = input.iter().map(|(f, t)| int.input(f, t)).collect();
    let refs: Vec<&Input> = inputs.iter().collect();
    let q = int.derived().and_then(|d| d.q.as_ref()).unwrap();
    let ci = int.forward_q(&refs, q);
    let cf = float.forward(&refs, 0.0, None, false, false);
    for (x, y) in ci.h.iter().zip(&cf.h) {
        assert!((x - y).abs() < 0.02, "{x} {y}");
    }
    for (x, y) in ci.p.iter().zip(&cf.p) {
        assert!((x - y).abs() < 0.05 * (1.0 + y.abs()), "{x} {y}");
    }
}

/// The 16-lane LSTM cell gives the 8-lane fused one's floats to the bit (saturated,
/// tiny and ordinary pre-activations; with and without a previous cell).
#[cfg(target_arch = "x86_64")]
#[test]
fn wide_lstm_cell_equals_the_narrow_one() {
    if !(fma::available() && avx512::available()) {
        eprintln!("skipped: this CPU has no AVX-512F");
        return;
    }
    let mut rng = Rng::new(31);
    let k = 48;
    for scale in [0.01f32, 1.0, 4.0, 30.0] {
        let g: Vec<f32> = (0..4 * k)
            .map(|_| (rng.next_f64() as f32 * 2.0 - 1.0) * scale)
            .collect();
        let prev: Vec<f32> = (0..k).map(|_| rng.next_f64() as f32 * 3.0 - 1.5).collect();
        for p in [None, Some(&prev[..])] {
            let (mut c8, mut o8) = (vec![0f32; k], vec![0f32; k]);
            let (mut c16, mut o16) = (vec![0f32; k], vec![0f32; k]);
            let mut g8 = g.clone();
            // SAFETY: the CPU has FMA, AVX2 and AVX-512F (checked); k % 16 == 0.
            unsafe {
                fma::lstm_cell::<true, false>(&mut g8, k, p, &mut c8, &mut o8);
                avx512::lstm_cell(&g, k, p, &mut c16, &mut o16);
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&c8), bits(&c16), "cell, scale {scale}");
            assert_eq!(bits(&o8), bits(&o16), "output, scale {scale}");
        }
    }
}

/// The per-thread form cache gives each token the input made afresh from its form, for
/// two parsers whose vocabularies and affix buckets differ, used in turn (so each cache
/// entry must belong to its own parser), and again after the cache was emptied.
#[test]
fn cached_form_inputs_equal_fresh_ones() {
    let cfg = tiny_config();
    let mut other_cfg = tiny_config();
    other_cfg.affix_buckets += 3;
    let a = random_model(&cfg, 1);
    let mut b = random_model(&other_cfg, 2);
    b.vocab.insert("slaapt", 2);
    assert_ne!(a.id, b.id);
    let forms = ["De", "man", "slaapt", "MAN", "de", "1994", "Ærø", "slaapt"];
    let tags = [1u8, 2, 3, 2, 1, 4, 2, 3];
    let check = |m: &NeuralParser| {
        let inp = m.input(&forms, &tags);
        let mut key = String::new();
        for (i, f) in forms.iter().enumerate() {
            let e = m.form_input(f, &mut key);
            word_key_into(f, &mut key);
            let word = m.vocab.get(key.as_str()).copied().unwrap_or(UNK);
            assert_eq!((inp.words[i + 1], e.word), (word, word), "{f}");
            assert_eq!(inp.affix[i + 1], affixes(&key, m.cfg.affix_buckets), "{f}");
            assert_eq!(inp.shapes[i + 1], shape(f) as u8, "{f}");
            assert_eq!(inp.tags[i + 1], u16::from(tags[i]));
        }
    };
    for _ in 0..2 {
        check(&a);
        check(&b);
    }
    // A sentence longer than the cache empties it first.
    let long: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
    let long: Vec<&str> = long.iter().map(String::as_str).collect();
    assert_eq!(a.input(&long, &[]).len(), long.len() + 1);
    check(&a);
}
