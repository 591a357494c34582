//! `kroniek time` and `kroniek eval time` end to end.

mod common;

fn kroniek(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = common::run_with_stdin(args, stdin);
    (
        out.status.code().unwrap_or(-1),
        common::stdout(&out),
        common::stderr(&out),
    )
}

#[test]
fn jsonl_offsets_are_characters() {
    let input = concat!(
        r#"{"id":"a","dct":"2019-02","lang":"nl","text":"Café’s: afgelopen woensdag."}"#,
        "\n",
        r#"{"id":"b","dct":"1998-02-13","text":"He said it last Friday, the paper reported."}"#,
        "\n"
    );
    let (code, out, err) = kroniek(&["time", "--jsonl"], input);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(rows[0]["id"], "a");
    assert_eq!(
        (rows[0]["start"].as_u64(), rows[0]["end"].as_u64()),
        (Some(8), Some(26))
    );
    assert_eq!(rows[0]["text"], "afgelopen woensdag");
    assert_eq!(rows[0]["value"], "2019-WXX-3");
    assert_eq!(rows[0]["earliest"], "2019-01-30");
    assert_eq!(rows[0]["latest"], "2019-02-27");
    assert_eq!(rows[0]["mod"], serde_json::Value::Null);
    assert_eq!(rows[1]["value"], "1998-02-06");
    assert_eq!(rows[1]["type"], "DATE");
}

#[test]
fn short_texts_bad_dates_and_other_languages() {
    // A lone time word is tagged in the language whose rules know it, whatever the
    // detector guesses for so short a text.
    let (code, out, err) = kroniek(&["time", "--dct", "2019-02-13"], "gisteren");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("gisteren\tDATE\t2019-02-12"), "{out}");
    let (code, out, err) = kroniek(&["time", "--dct", "2019-02-13"], "yesterday I went home");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("yesterday\tDATE\t2019-02-12"), "{out}");
    // A language without time rules is named, not passed over in silence.
    let (code, _, err) = kroniek(&["time"], "Ciao a tutti, come state? Oggi piove molto.");
    assert_ne!(code, 0);
    assert!(
        err.contains("no time rules") && err.contains("--lang"),
        "{err}"
    );
    let (code, _, err) = kroniek(&["time", "--lang", "fr"], "hier");
    assert_ne!(code, 0);
    assert!(err.contains("no time rules for fr"), "{err}");
    // Empty input has nothing to tag.
    let (code, out, err) = kroniek(&["time"], "  \n");
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    // In a batch, a date that does not parse is a warning; the line is still tagged
    // (without a publication date), the others as usual, and the exit code says so.
    let input = concat!(
        r#"{"id":"a","dct":"20x","lang":"en","text":"yesterday"}"#,
        "\n",
        r#"{"id":"b","dct":2019,"lang":"en","text":"last year"}"#,
        "\n",
        r#"{"id":"c","lang":"de","text":"gestern"}"#,
        "\n",
        r#"{"id":"d","text":""}"#,
        "\n"
    );
    let (code, out, err) = kroniek(&["time", "--jsonl"], input);
    assert_eq!(code, 1, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(
        (&rows[0]["id"], &rows[0]["value"]),
        (&"a".into(), &"XXXX-XX-XX".into())
    );
    assert_eq!(
        (&rows[1]["id"], &rows[1]["value"]),
        (&"b".into(), &"2018".into())
    );
    assert!(err.contains("line 1: dct \"20x\" is not"), "{err}");
    assert!(
        err.contains("line 3: there are no time rules for de"),
        "{err}"
    );
    assert!(!err.contains("line 2") && !err.contains("line 4"), "{err}");
}

#[test]
fn plain_text_with_month_precision() {
    let (code, out, err) = kroniek(
        &["time", "--lang", "nl", "--dct", "2018-01", "--json"],
        "Dat gebeurde eind vorig jaar.",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["value"], "2017");
    assert_eq!(v[0]["mod"], "END");
    let (code, _, err) = kroniek(&["time", "--dct", "2019-02-31"], "gisteren");
    assert_ne!(code, 0);
    assert!(err.contains("--dct"), "{err}");
}

#[test]
fn eval_reads_timeml() {
    let dir = std::env::temp_dir().join(format!("kroniek-eval-time-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tml = r#"<?xml version="1.0" ?><TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="1998-02-13" functionInDocument="CREATION_TIME">19980213</TIMEX3></DCT>
<TEXT>He spoke <TIMEX3 tid="t1" type="DATE" value="1998-02-12">yesterday</TIMEX3> for <TIMEX3 tid="t2" type="DURATION" value="PT3H">three hours</TIMEX3>.</TEXT></TimeML>"#;
    std::fs::write(dir.join("doc.tml"), tml).unwrap();
    let (code, out, err) = kroniek(
        &[
            "eval",
            "time",
            "--format",
            "tml",
            "--json",
            dir.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["gold"], 2);
    assert_eq!(v["strict"]["F1"], 1.0);
    assert_eq!(v["value"]["F1"], 1.0);
    std::fs::remove_dir_all(&dir).ok();
}
