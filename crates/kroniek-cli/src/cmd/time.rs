//! `kroniek time`: time expressions (TIMEX3) with their calendar intervals.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kroniek_core::{lang, timex, Lang, PubDate, Timex};
use serde_json::{json, Value};

/// Find time expressions and resolve them against the publication date.
///
/// Plain text (a file or stdin) is one document. With --jsonl every input line is a
/// document {"id","dct","lang","text"} (dct YYYY, YYYY-MM or YYYY-MM-DD; lang nl, en or
/// absent for auto) and every output line one time expression
/// {"id","start","end","text","type","value","mod","earliest","latest"}, with start and
/// end counted in characters (Unicode scalar values) of text, end exclusive. A line that
/// is no JSON, a dct that does not parse (the line is then tagged without one) and a
/// language without time rules are warnings on stderr, and make the exit code 1.
///
/// Examples:
///   echo 'Afgelopen woensdag zei Trump dat.' | kroniek time --dct 2019-02
///   kroniek time --jsonl docs.jsonl > timexes.jsonl
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// File to read (default: standard input)
    pub input: Option<PathBuf>,
    /// Language: nl, en or auto. Auto detects it; a text too short to
    /// tell ("gisteren") is read in the language whose time rules find the most
    #[arg(long, default_value = "auto")]
    pub lang: String,
    /// Publication date for plain text: YYYY, YYYY-MM or YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub dct: Option<String>,
    /// Print one JSON array instead of a table
    #[arg(long)]
    pub json: bool,
    /// Read documents as JSON lines and write one time expression per line
    #[arg(long)]
    pub jsonl: bool,
}

/// The language to tag `text` in: the one given, or else the one detected. A short text
/// ("gisteren", "yesterday I went home") is easily detected as another language; when
/// the detected one has no time rules, the language whose rules find the most is taken.
/// `Err` names a language without time rules, or says none could be told.
fn choose_lang(opt: &str, text: &str) -> anyhow::Result<Lang> {
    let supported = || {
        kroniek_core::resources::languages()
            .into_iter()
            .filter(|&l| timex::supports(l))
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !(opt.is_empty() || opt.eq_ignore_ascii_case("auto")) {
        let lang = Lang::parse(opt)
            .with_context(|| format!("{opt:?} is not a language code such as nl or en"))?;
        anyhow::ensure!(
            timex::supports(lang),
            "there are no time rules for {lang}; languages with them: {}",
            supported()
        );
        return Ok(lang);
    }
    let detected = lang::detect(text);
    if let Some(l) = detected.filter(|&l| timex::supports(l)) {
        return Ok(l);
    }
    let best = kroniek_core::resources::languages()
        .into_iter()
        .filter(|&l| timex::supports(l))
        .map(|l| (timex::tag(text, l, PubDate::Unknown).len(), l))
        .max_by_key(|&(n, _)| n)
        .filter(|&(n, _)| n > 0);
    match (best, detected) {
        (Some((_, l)), _) => Ok(l),
        (None, Some(l)) => anyhow::bail!(
            "the text looks like {l}, which has no time rules (languages with them: {}); use --lang",
            supported()
        ),
        (None, None) => anyhow::bail!("the language could not be detected; use --lang"),
    }
}

/// The JSON form of one time expression, with character offsets into `text`.
pub fn timex_json(id: Option<&str>, text: &str, t: &Timex) -> Value {
    let start = text[..t.span.start as usize].chars().count();
    let surface = &text[t.span.range()];
    let end = start + surface.chars().count();
    let day = |d: Option<jiff_date::Date>| d.map(|d| d.to_string());
    let mut v = json!({
        "start": start,
        "end": end,
        "text": surface,
        "type": t.kind.as_str(),
        "value": t.value,
        "mod": t.modifier,
        "earliest": day(t.earliest),
        "latest": day(t.latest),
    });
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v
}

mod jiff_date {
    pub use kroniek_core::timex::Date;
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let reader: Box<dyn Read> = match &args.input {
        Some(path) => Box::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        ),
        None => Box::new(io::stdin().lock()),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.jsonl {
        let mut failed = false;
        for (n, line) in BufReader::new(reader).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let rec: Value = match serde_json::from_str(&line) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("warning: line {}: {e}", n + 1);
                    failed = true;
                    continue;
                }
            };
            let id = match &rec["id"] {
                Value::String(s) => s.clone(),
                Value::Null => (n + 1).to_string(),
                other => other.to_string(),
            };
            let text = rec["text"].as_str().unwrap_or("");
            let dct = match &rec["dct"] {
                Value::Null => PubDate::default(),
                // a bare year may come as a number
                v => match v
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_u64().map(|y| y.to_string()))
                    .as_deref()
                    .and_then(PubDate::parse)
                {
                    Some(d) => d,
                    None => {
                        eprintln!(
                            "warning: line {}: dct {v} is not YYYY, YYYY-MM or YYYY-MM-DD; \
                             resolved without a publication date",
                            n + 1
                        );
                        failed = true;
                        PubDate::default()
                    }
                },
            };
            let lang_opt = rec["lang"].as_str().unwrap_or("auto");
            let lang = match choose_lang(lang_opt, text) {
                Ok(lang) => lang,
                // An empty text has nothing to tag, whatever its language.
                Err(_) if text.trim().is_empty() => continue,
                Err(e) => {
                    eprintln!("warning: line {}: {e:#}; skipped", n + 1);
                    failed = true;
                    continue;
                }
            };
            for t in timex::tag(text, lang, dct) {
                serde_json::to_writer(&mut out, &timex_json(Some(&id), text, &t))?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()?;
        return Ok(if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    let mut text = String::new();
    BufReader::new(reader).read_to_string(&mut text)?;
    let dct = match &args.dct {
        Some(d) => PubDate::parse(d)
            .with_context(|| format!("--dct {d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"))?,
        None => PubDate::Unknown,
    };
    if text.trim().is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let lang = choose_lang(&args.lang, &text)?;
    let found = timex::tag(&text, lang, dct);
    if args.json {
        let all: Vec<Value> = found.iter().map(|t| timex_json(None, &text, t)).collect();
        serde_json::to_writer_pretty(&mut out, &all)?;
        out.write_all(b"\n")?;
    } else {
        for t in &found {
            let v = timex_json(None, &text, t);
            let range = match (t.earliest, t.latest) {
                (Some(a), Some(b)) if a == b => a.to_string(),
                (a, b) => format!(
                    "{}..{}",
                    a.map(|d| d.to_string()).unwrap_or_default(),
                    b.map(|d| d.to_string()).unwrap_or_default()
                ),
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                &text[t.span.range()],
                t.kind,
                t.value,
                t.modifier.unwrap_or("-"),
                range,
                v["start"]
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
