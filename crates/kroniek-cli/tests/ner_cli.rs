//! `kroniek ner --conll` writes every line back (comments and -DOCSTART- unchanged, a
//! label appended to token lines), and `kroniek eval ner` scores it.

mod common;

fn kroniek(args: &[&str], stdin: &str) -> String {
    let out = common::run_with_stdin(args, stdin);
    assert!(out.status.success(), "{}", common::stderr(&out));
    common::stdout(&out)
}

#[test]
fn ner_conll_passes_every_line_through() {
    let input = "# a comment\n-DOCSTART- -X- O\n\n1\tJan\tB-PER\n2\tPeeters\tI-PER\n3\twoont\tO\n4\tin\tO\n5\tGent\tB-LOC\n\n#MH17\tO\n";
    let out = kroniek(
        &["ner", "--conll", "--lang", "nl", "--token-column", "2", "-"],
        input,
    );
    let lines: Vec<&str> = out.lines().collect();
    let inputs: Vec<&str> = input.lines().collect();
    assert_eq!(lines.len(), inputs.len(), "{out}");
    assert_eq!(lines[0], "# a comment");
    assert_eq!(lines[1], "-DOCSTART- -X- O");
    assert_eq!(lines[2], "");
    for (o, i) in lines
        .iter()
        .zip(&inputs)
        .skip(3)
        .filter(|(_, i)| !i.is_empty())
    {
        let (head, label) = o.rsplit_once('\t').unwrap();
        assert_eq!(head, *i);
        assert!(
            label == "O" || label.starts_with("B-") || label.starts_with("I-"),
            "{o}"
        );
    }
    // The appended column scores against the gold column before it.
    let report = kroniek(&["eval", "ner", "--format", "conll", "-"], &out);
    assert!(
        report.starts_with("processed 6 tokens with 2 phrases"),
        "{report}"
    );
    assert!(report.contains("FB1"), "{report}");
}

#[test]
fn a_spelled_out_acronym_is_one_name_of_the_acronyms_type() {
    // Alone, the tagger misses the long name in the opening sentence; the acronym that
    // the article goes on to use ("The KCA") says what it is.
    let input = "The\nKessel\nCanal\nAuthority\nhas\nlowered\nits\ncompensation\ndemand\nfor\nthe\ngrounding\nof\nthe\nNordstern\n.\n\nThe\nKCA\noriginally\ndemanded\n$\n916\nmillion\n.\n";
    let out = kroniek(
        &["ner", "--conll", "--lang", "en", "--token-column", "1", "-"],
        input,
    );
    let labels: Vec<&str> = out
        .lines()
        .filter_map(|l| l.rsplit_once('\t').map(|(_, t)| t))
        .collect();
    assert_eq!(labels[1..4], ["B-ORG", "I-ORG", "I-ORG"], "{out}");
    assert_eq!(labels[0], "O");
}
