//! `kroniek parse`: CoNLL-U in and out (`--conllu`), plain text to CoNLL-U (`--text`).

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{kroniek, run_with_stdin, stderr, stdout};

/// The word lines of CoNLL-U output, split into columns, per sentence.
fn sentences(conllu: &str) -> Vec<Vec<Vec<String>>> {
    conllu
        .split("\n\n")
        .filter(|block| block.lines().any(|l| !l.starts_with('#')))
        .map(|block| {
            block
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect()
        })
        .collect()
}

#[test]
fn text_becomes_conllu_with_sentences_paragraphs_and_spacing() {
    let input = "Hij riep het kalifaat uit. Dat meldt de BBC.\n\n\nDe leider zou gewond zijn geraakt, schrijft \"The Guardian\".\n";
    let out = run_with_stdin(&["parse", "--text", "--lang", "nl", "-"], input);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("# newpar\n").count(), 2, "{text}");
    assert!(text.contains("# sent_id = 3\n"), "{text}");
    assert!(
        text.contains("# text = Hij riep het kalifaat uit.\n"),
        "{text}"
    );
    let sents = sentences(&text);
    assert_eq!(sents.len(), 3, "{text}");
    for s in &sents {
        assert_eq!(
            s.iter().filter(|w| w[6] == "0").count(),
            1,
            "one root: {s:?}"
        );
        for (i, w) in s.iter().enumerate() {
            assert_eq!(w.len(), 10, "{w:?}");
            assert_eq!(w[0], (i + 1).to_string());
            assert!(w[6].parse::<usize>().unwrap() <= s.len(), "{w:?}");
        }
    }
    // The separable verb gets its particle (Alpino's lemma), and the words glued to the
    // full stop and the quotes say so.
    let riep = &sents[0][1];
    assert_eq!((riep[1].as_str(), riep[2].as_str()), ("riep", "uit_roepen"));
    assert_eq!(sents[0][4][9], "SpaceAfter=No", "uit before the full stop");
    assert_eq!(
        sents[0][5][9], "_",
        "the full stop before the next sentence"
    );
    assert_eq!(
        sents[2]
            .iter()
            .map(|w| w[1].as_str())
            .collect::<Vec<_>>()
            .join(" "),
        "De leider zou gewond zijn geraakt , schrijft \" The Guardian \" ."
    );
}

#[test]
fn parsing_the_text_output_again_as_conllu_changes_nothing() {
    let input = "The Guardian reported on Monday that the leader was wounded. He denied it.\n";
    let first = run_with_stdin(&["parse", "--text", "-"], input);
    assert!(first.status.success(), "{}", stderr(&first));
    let conllu = stdout(&first);
    let again = run_with_stdin(&["parse", "--conllu", "--lang", "en", "-"], &conllu);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(stdout(&again), conllu);
    assert_eq!(sentences(&conllu).len(), 2);
}

#[test]
fn conllu_keeps_comments_ids_and_forms() {
    let input = "# newdoc id = d1\n# sent_id = a\n# text = Ze kwamen gisteren aan.\n1\tZe\t_\t_\t_\t_\t_\t_\t_\t_\n2\tkwamen\t_\t_\t_\t_\t_\t_\t_\t_\n3\tgisteren\t_\t_\t_\t_\t_\t_\t_\t_\n4\taan\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n";
    let out = run_with_stdin(&["parse", "--conllu", "--lang", "nl", "-"], input);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("# newdoc id = d1\n# sent_id = a\n# text = Ze kwamen gisteren aan.\n"));
    let s = &sentences(&text)[0];
    assert_eq!(s[1][2], "aan_komen", "{text}");
    assert_eq!(s[3][9], "SpaceAfter=No");
}

#[test]
fn broken_encoding_empty_input_and_long_sentences_do_not_fail() {
    // Invalid UTF-8: replaced, with a warning.
    let mut child = kroniek()
        .args(["parse", "--text", "--lang", "en", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"The caf\xe9 opened. It closed.\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));
    assert!(stdout(&out).contains('\u{fffd}'));
    // Nothing in, nothing out.
    let out = run_with_stdin(&["parse", "--text", "--lang", "nl", "-"], "\n \n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    // 2,000 words without a full stop.
    let long = "woord ".repeat(2000);
    let out = run_with_stdin(&["parse", "--text", "--lang", "nl", "-"], &long);
    assert!(out.status.success(), "{}", stderr(&out));
    let words: usize = sentences(&stdout(&out)).iter().map(Vec::len).sum();
    assert_eq!(words, 2000);
}

#[test]
fn a_line_longer_than_a_piece_is_cut_between_words() {
    // 120 KB on one line, with two-byte characters: parsed in pieces, no word or
    // character cut.
    let line = "één woord ".repeat(12_000);
    let out = run_with_stdin(&["parse", "--text", "--lang", "nl", "-"], &line);
    assert!(out.status.success(), "{}", stderr(&out));
    let words: Vec<String> = sentences(&stdout(&out))
        .into_iter()
        .flatten()
        .map(|w| w[1].clone())
        .collect();
    assert_eq!(words.len(), 24_000);
    assert!(
        words.iter().all(|w| w == "één" || w == "woord"),
        "a cut word"
    );
}

#[test]
fn a_format_must_be_chosen() {
    let out = run_with_stdin(&["parse", "-"], "Hallo.");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--conllu|--text"), "{}", stderr(&out));
}

#[test]
fn a_neural_parser_next_to_the_model_file_parses() {
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/nl");
    if !models.join("neural.bin").is_file() {
        eprintln!("skipped: no Dutch neural parser in models/nl");
        return;
    }
    let input =
        "Trump ontmoette gisteren Poetin in Helsinki. Hij zou het protocol hebben doorbroken.\n";
    let embedded = stdout(&run_with_stdin(
        &["parse", "--text", "--lang", "nl", "-"],
        input,
    ));
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("syntax.bin");
    std::fs::copy(models.join("syntax.bin"), &model).unwrap();
    let args = [
        "parse",
        "--text",
        "--lang",
        "nl",
        "--model",
        model.to_str().unwrap(),
        "-",
    ];
    // Alone, the model file has no trained parser (the Dutch one is neural).
    let alone = run_with_stdin(&args, input);
    assert!(alone.status.success(), "{}", stderr(&alone));
    assert_ne!(stdout(&alone), embedded);
    std::fs::copy(models.join("neural.bin"), dir.path().join("neural.bin")).unwrap();
    let with = run_with_stdin(&args, input);
    assert!(with.status.success(), "{}", stderr(&with));
    assert_eq!(stdout(&with), embedded);
}
