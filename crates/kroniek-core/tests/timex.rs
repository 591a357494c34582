//! Data-driven time-expression cases (`testdata/timex/<lang>.tsv`) and the sample
//! articles in `../shared/seeds` (skipped with a message when absent).

use std::path::PathBuf;

use kroniek_core::{timex, Lang, PubDate, Timex};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn day(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn interval(t: &Timex) -> String {
    match (t.earliest, t.latest) {
        (None, None) => "-".to_string(),
        (a, b) => format!("{}..{}", day(a), day(b)),
    }
}

/// Checks one case; returns a message when it fails.
fn check(lang: Lang, line: &str) -> Result<(), String> {
    let cols: Vec<&str> = line.split('\t').collect();
    let [text, dct, expr, kind, value, modifier, range] = cols[..] else {
        return Err(format!("expected 7 columns, got {}", cols.len()));
    };
    // `\n` in the text column is a line break.
    let text = &text.replace("\\n", "\n");
    let dct = if dct == "-" {
        PubDate::Unknown
    } else {
        PubDate::parse(dct).ok_or(format!("bad date {dct}"))?
    };
    let start = text
        .find(expr)
        .ok_or(format!("{expr:?} is not in the text"))?;
    let end = start + expr.len();
    let found = timex::tag(text, lang, dct);
    let show = || {
        found
            .iter()
            .map(|t| format!("{:?}={} {}", &text[t.span.range()], t.value, interval(t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if kind == "NONE" {
        return match found
            .iter()
            .find(|t| t.span.start as usize <= start && end <= t.span.end as usize)
        {
            Some(t) => Err(format!(
                "{expr:?} must not be tagged, got {:?} {}",
                &text[t.span.range()],
                t.value
            )),
            None => Ok(()),
        };
    }
    let t = found
        .iter()
        .find(|t| t.span.range() == (start..end))
        .ok_or_else(|| format!("{expr:?} not tagged with this extent; found [{}]", show()))?;
    let got = (
        t.kind.as_str(),
        t.value.as_str(),
        t.modifier.unwrap_or("-"),
        interval(t),
    );
    let want = (kind, value, modifier, range.to_string());
    if got != want {
        return Err(format!("{expr:?}: got {got:?}, want {want:?}"));
    }
    Ok(())
}

fn run_file(lang: Lang, name: &str, min_cases: usize) {
    let path = workspace().join("testdata/timex").join(name);
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        n += 1;
        if let Err(e) = check(lang, line) {
            failures.push(format!("{name}:{}: {e}\n    {line}", i + 1));
        }
    }
    assert!(n >= min_cases, "{name}: only {n} cases");
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn dutch_cases() {
    run_file(Lang::NL, "nl.tsv", 300);
}

#[test]
fn english_cases() {
    run_file(Lang::EN, "en.tsv", 300);
}

/// (surface, type, value, mod, interval)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The 21 time expressions of the two sample articles (publication dates known only to
/// the month), with value, mod and interval.
#[test]
fn sample_articles() {
    let dir = workspace().join("../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: {} is not there", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let expected: &[(&str, &[Case])] = &[
        (
            "000_",
            &[
                ("Nu", "DATE", "PRESENT_REF", "-", "2019-02-01..2019-02-28"),
                (
                    "volgende week",
                    "DATE",
                    "2019-WXX",
                    "-",
                    "2019-02-04..2019-03-10",
                ),
                (
                    "10 januari",
                    "DATE",
                    "2019-01-10",
                    "-",
                    "2019-01-10..2019-01-10",
                ),
                ("nu", "DATE", "PRESENT_REF", "-", "2019-02-01..2019-02-28"),
                ("nu", "DATE", "PRESENT_REF", "-", "2019-02-01..2019-02-28"),
                ("2014", "DATE", "2014", "-", "2014-01-01..2014-12-31"),
                (
                    "vier jaar geleden",
                    "DATE",
                    "2015",
                    "-",
                    "2015-01-01..2015-12-31",
                ),
                ("nu", "DATE", "PRESENT_REF", "-", "2019-02-01..2019-02-28"),
                ("nu", "DATE", "PRESENT_REF", "-", "2019-02-01..2019-02-28"),
                (
                    "afgelopen woensdag",
                    "DATE",
                    "2019-WXX-3",
                    "-",
                    "2019-01-30..2019-02-27",
                ),
                (
                    "volgende week",
                    "DATE",
                    "2019-WXX",
                    "-",
                    "2019-02-04..2019-03-10",
                ),
            ],
        ),
        (
            "004_",
            &[
                (
                    "de afgelopen 18 maanden",
                    "DURATION",
                    "P18M",
                    "-",
                    "2016-07-01..2018-01-31",
                ),
                ("jaren", "DURATION", "PXY", "-", "-"),
                (
                    "3 november 2016",
                    "DATE",
                    "2016-11-03",
                    "-",
                    "2016-11-03..2016-11-03",
                ),
                ("45 seconden", "DURATION", "PT45S", "-", "-"),
                ("45 seconden", "DURATION", "PT45S", "-", "-"),
                (
                    "eind vorig jaar",
                    "DATE",
                    "2017",
                    "END",
                    "2017-09-02..2017-12-31",
                ),
                ("2014", "DATE", "2014", "-", "2014-01-01..2014-12-31"),
                ("de afgelopen jaren", "DURATION", "PXY", "-", "..2018-01-31"),
                ("2015", "DATE", "2015", "-", "2015-01-01..2015-12-31"),
                (
                    "de afgelopen maanden",
                    "DURATION",
                    "PXM",
                    "-",
                    "..2018-01-31",
                ),
            ],
        ),
    ];
    let mut total = 0;
    for (prefix, want) in expected {
        let Some(path) = files.iter().find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        }) else {
            println!("skipped: no sample article {prefix}* in {}", dir.display());
            continue;
        };
        let raw = std::fs::read_to_string(path).unwrap();
        // The seed format: "date YYYY-MM" then the text.
        let rest = raw
            .trim_start()
            .strip_prefix("date")
            .unwrap_or(&raw)
            .trim_start();
        let (date, text) = rest.split_once(char::is_whitespace).unwrap();
        let found = timex::tag(text, Lang::NL, PubDate::parse(date).unwrap());
        let got: Vec<(String, String, String, String, String)> = found
            .iter()
            .map(|t| {
                (
                    text[t.span.range()].to_string(),
                    t.kind.to_string(),
                    t.value.clone(),
                    t.modifier.unwrap_or("-").to_string(),
                    interval(t),
                )
            })
            .collect();
        let want: Vec<(String, String, String, String, String)> = want
            .iter()
            .map(|w| {
                (
                    w.0.to_string(),
                    w.1.to_string(),
                    w.2.to_string(),
                    w.3.to_string(),
                    w.4.to_string(),
                )
            })
            .collect();
        assert_eq!(got, want, "{}", path.display());
        total += want.len();
    }
    if total > 0 {
        assert_eq!(total, 21);
    }
}
