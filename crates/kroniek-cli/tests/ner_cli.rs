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
