//! `kroniek events --conll`: the stable column interface.

mod common;

fn events(args: &[&str], input: &str) -> (String, bool) {
    let out = common::run_with_stdin(args, input);
    (common::stdout(&out), out.status.success())
}

#[test]
fn conll_columns_are_appended_and_blank_lines_kept() {
    let input = "1\tDe\t_\n2\tstaatsgreep\t_\n3\tmislukte\t_\n4\tniet\t_\n5\t.\t_\n\n6\tHij\t_\n7\tzou\t_\n8\tgevlucht\t_\n9\tzijn\t_\n10\t.\t_\n";
    let (out, ok) = events(&["events", "--conll", "--lang", "nl"], input);
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11, "{out}");
    assert_eq!(lines[5], "", "sentence break kept");
    for (line, inp) in lines.iter().zip(input.lines()) {
        if inp.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 7, "{line}");
        assert!(line.starts_with(inp));
        assert!(["B-E", "I-E", "O"].contains(&cols[3]), "{line}");
        if cols[3] == "O" {
            assert_eq!(&cols[4..], ["_", "_", "_"]);
        }
    }
    // "De staatsgreep mislukte niet": the failure is denied, not the coup.
    let coup = lines[1].split('\t').collect::<Vec<_>>();
    assert_eq!(
        &coup[3..],
        ["B-E", "B-CERTAIN", "B-POS", "B-NON_FUTURE"],
        "{out}"
    );
    let failed = lines[2].split('\t').collect::<Vec<_>>();
    assert_eq!(
        &failed[3..],
        ["B-E", "B-CERTAIN", "B-NEG", "B-NON_FUTURE"],
        "{out}"
    );
    let fled = lines[8].split('\t').collect::<Vec<_>>();
    assert_eq!(fled[3], "B-E", "{out}");
    assert_eq!(fled[4], "B-PROBABLE", "{out}");
}

#[test]
fn token_column_option() {
    let (out, ok) = events(
        &[
            "events",
            "--conll",
            "--lang",
            "en",
            "--token-column",
            "1",
            "-",
        ],
        "Rebels\nattacked\nthe\ntown\n.\n",
    );
    assert!(ok);
    assert!(
        out.lines().nth(1).unwrap().starts_with("attacked\tB-E\t"),
        "{out}"
    );
    let (_, ok) = events(&["events", "--lang", "en"], "x\n");
    assert!(!ok, "--conll is required");
}

/// The event column `kroniek events --conll --lang nl` writes for one Dutch sentence given
/// a word per line.
fn dutch_event_column(words: &[&str]) -> Vec<String> {
    let input: String = words.iter().map(|w| format!("{w}\n")).collect();
    let (out, ok) = events(
        &["events", "--conll", "--lang", "nl", "--token-column", "1"],
        &input,
    );
    assert!(ok, "{out}");
    out.lines()
        .map(|l| l.split('\t').nth(1).unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_particle_before_te_is_written_as_a_discontinuous_mention() {
    // MEANTIME writes "terug te bellen" as B on the particle, O on "te", I on the verb.
    let tags = dutch_event_column(&["Ze", "vroegen", "om", "later", "terug", "te", "bellen", "."]);
    assert_eq!(&tags[4..7], ["B-E", "O", "I-E"], "{tags:?}");
}

#[test]
fn an_idiom_is_written_from_its_phrase_with_the_words_before_its_verb_left_out() {
    // MEANTIME writes "op de markt wordt gebracht" as B I I O I.
    let tags = dutch_event_column(&[
        "Het", "systeem", "wordt", "volgend", "jaar", "op", "de", "markt", "wordt", "gebracht", ".",
    ]);
    assert_eq!(&tags[5..10], ["B-E", "I-E", "I-E", "O", "I-E"], "{tags:?}");
}
