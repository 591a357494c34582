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
