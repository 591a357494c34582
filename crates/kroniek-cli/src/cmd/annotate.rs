//! `kroniek annotate`: text or JSONL in, annotations as JSON out, no store.

use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kroniek_core::{
    annotate_batch, annotate_with, Analysis, AnnotateOptions, Document, Lang, ParserChoice,
    PubDate, ANNOTATE_BATCH,
};
use kroniek_formats::{Format, Options};
use rayon::prelude::*;
#[cfg(test)]
use serde_json::{json, Value};

/// Annotate articles without storing them.
///
/// Plain text is one article; use --dct for its publication date and --lang to skip
/// language detection. JSONL input (one article per line, as `kroniek ingest` reads it)
/// gives one JSON object per line.
///
/// Examples:
///   echo 'Vier jaar geleden raakte hij gewond.' | kroniek annotate --dct 2019-02
///   kroniek annotate --format jsonl articles.jsonl > annotations.jsonl
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// File to read (default: standard input)
    pub input: Option<PathBuf>,
    /// Input format: text or jsonl (default: guessed from the content)
    #[arg(long)]
    pub format: Option<String>,
    /// Publication date for plain text: YYYY, YYYY-MM or YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub dct: Option<String>,
    /// Language (nl, en, …); detected when absent
    #[arg(long)]
    pub lang: Option<String>,
    /// Pretty-print the JSON
    #[arg(long)]
    pub pretty: bool,
    /// Add part of speech, lemma, head and relation of every token ("syntax" in the JSON)
    #[arg(long)]
    pub syntax: bool,
    /// The dependency parser of --syntax: fast (a small network on the first tagger pass,
    /// the default) or accurate (the parser of `kroniek parse`, several times slower)
    #[arg(long, default_value = "fast", value_parser = ["fast", "accurate"])]
    pub parser: String,
}

impl Args {
    fn options(&self) -> AnnotateOptions {
        AnnotateOptions {
            syntax: self.syntax,
            parser: ParserChoice::parse(&self.parser).unwrap_or_default(),
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut bytes = Vec::new();
    match &args.input {
        Some(path) => BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )
        .read_to_end(&mut bytes)?,
        None => io::stdin().lock().read_to_end(&mut bytes)?,
    };
    let format = match &args.format {
        Some(name) => Format::from_name(name)
            .with_context(|| format!("unknown format {name:?}; use text or jsonl"))?,
        None => kroniek_formats::sniff(
            &args
                .input
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            &bytes,
        ),
    };
    let lang = match &args.lang {
        Some(l) => Some(
            Lang::parse(l)
                .with_context(|| format!("{l:?} is not a language code such as nl or en"))?,
        ),
        None => None,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut failed = false;
    if format == Format::Text && !bytes.trim_ascii_start().starts_with(b"date") {
        // Plain text from a pipe: the whole input is one article.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let published = match &args.dct {
            Some(d) => PubDate::parse(d)
                .with_context(|| format!("--dct {d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"))?,
            None => PubDate::Unknown,
        };
        let doc = Document::builder(text)
            .published(published)
            .language(lang)
            .build();
        let mut text = Vec::new();
        let analysis = annotate_with(&doc, &args.options());
        write_document_json(&mut text, &doc, &[], &analysis, args.pretty)?;
        out.write_all(&text)?;
    } else {
        let dct = match &args.dct {
            Some(d) => {
                Some(PubDate::parse(d).with_context(|| format!("--dct {d:?} is not a date"))?)
            }
            None => None,
        };
        let options = args.options();
        // Articles are annotated a batch at a time (faster: see `annotate_batch`), one
        // batch per thread, and written in input order.
        let group = ANNOTATE_BATCH * rayon::current_num_threads();
        let mut pending: Vec<(Document, Vec<String>)> = Vec::with_capacity(group);
        let flush = |pending: &mut Vec<(Document, Vec<String>)>,
                     out: &mut io::BufWriter<io::StdoutLock>|
         -> io::Result<()> {
            // Each batch's JSON text is written on its thread, then printed in order.
            let texts: Vec<Vec<u8>> = pending
                .par_chunks(ANNOTATE_BATCH)
                .map(|chunk| {
                    let docs: Vec<&Document> = chunk.iter().map(|(d, _)| d).collect();
                    let analyses = annotate_batch(&docs, &options);
                    let mut text = Vec::new();
                    for ((doc, warnings), a) in chunk.iter().zip(analyses) {
                        write_document_json(&mut text, doc, warnings, &a, args.pretty)?;
                    }
                    Ok(text)
                })
                .collect::<io::Result<_>>()?;
            pending.clear();
            for text in &texts {
                out.write_all(text)?;
            }
            Ok(())
        };
        for record in kroniek_formats::read(format, BufReader::new(&bytes[..]), &Options::default())
        {
            match record {
                Ok(mut rec) => {
                    if lang.is_some() {
                        rec.doc.language = lang;
                    }
                    if let (Some(d), true) = (dct, rec.doc.published.is_unknown()) {
                        rec.doc.published = d;
                    }
                    pending.push((rec.doc, rec.warnings));
                    if pending.len() >= group {
                        flush(&mut pending, &mut out)?;
                    }
                }
                Err(e) => {
                    failed = true;
                    eprintln!("warning: {e}");
                }
            }
        }
        flush(&mut pending, &mut out)?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// [`document_json_of`] written as JSON text and a newline, without building a `Value`
/// first (a third of `annotate`'s time went to building, sorting and dropping those maps):
/// the same bytes, keys in the same (sorted) order; a test compares the two.
pub fn write_document_json(
    out: &mut Vec<u8>,
    doc: &Document,
    warnings: &[String],
    analysis: &Analysis,
    pretty: bool,
) -> io::Result<()> {
    let json = DocumentJson {
        doc,
        warnings,
        analysis,
    };
    if pretty {
        serde_json::to_writer_pretty(&mut *out, &json)?;
    } else {
        serde_json::to_writer(&mut *out, &json)?;
    }
    out.push(b'\n');
    Ok(())
}

/// A document and its analysis as [`document_json_of`] shapes it.
struct DocumentJson<'a> {
    doc: &'a Document,
    warnings: &'a [String],
    analysis: &'a Analysis,
}

/// A string or a number, the values of an annotation's fields.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Field<'a> {
    Str(&'a str),
    Num(u32),
}

/// One annotation: its fields sorted by name, a field given twice with the last value
/// (as `document_json_of` fills its map).
struct AnnotationJson<'a> {
    fields: Vec<(&'a str, Field<'a>)>,
}

impl<'a> AnnotationJson<'a> {
    fn new(text: &'a str, a: &'a kroniek_core::Annotation) -> AnnotationJson<'a> {
        let mut fields = vec![
            ("layer", Field::Str(a.layer)),
            ("start", Field::Num(a.span.start)),
            ("end", Field::Num(a.span.end)),
            ("text", Field::Str(&text[a.span.range()])),
        ];
        if !a.label.is_empty() {
            fields.push(("label", Field::Str(&a.label)));
        }
        fields.extend(a.attrs.iter().map(|(k, v)| (*k, Field::Str(v))));
        // Stable: of equal names the later stays after the earlier, and wins.
        fields.sort_by(|x, y| x.0.cmp(y.0));
        let mut kept: Vec<(&str, Field<'_>)> = Vec::with_capacity(fields.len());
        for f in fields {
            match kept.last_mut() {
                Some(last) if last.0 == f.0 => *last = f,
                _ => kept.push(f),
            }
        }
        AnnotationJson { fields: kept }
    }
}

impl serde::Serialize for AnnotationJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.fields.len()))?;
        for (k, v) in &self.fields {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Serializes the items of an iterator made on demand as a JSON array.
struct Seq<F>(F);

impl<I, F> serde::Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

impl serde::Serialize for DocumentJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (doc, analysis) = (self.doc, self.analysis);
        let annotations = analysis.annotations();
        let mut m = s.serialize_map(None)?;
        // In the byte order of the names, as a `serde_json` map keeps them.
        m.serialize_entry(
            "annotations",
            &Seq(|| {
                annotations
                    .iter()
                    .map(|a| AnnotationJson::new(&doc.text, a))
            }),
        )?;
        m.serialize_entry(
            "diagnostics",
            &Seq(|| {
                analysis.diagnostics.iter().map(|d| AnnotationJson {
                    fields: vec![
                        ("code", Field::Str(d.code)),
                        ("message", Field::Str(&d.message)),
                    ],
                })
            }),
        )?;
        m.serialize_entry("id", &doc.id.to_string())?;
        m.serialize_entry("language", &analysis.language.map(|l| l.to_string()))?;
        m.serialize_entry("precision", doc.published.precision().as_str())?;
        m.serialize_entry("published", &doc.published.to_string())?;
        m.serialize_entry("source", &doc.source)?;
        if let Some(syn) = &analysis.syntax {
            m.serialize_entry(
                "syntax",
                &Seq(|| {
                    analysis
                        .tokens
                        .iter()
                        .zip(syn)
                        .enumerate()
                        .map(|(i, (t, s))| SyntaxJson {
                            deprel: s.deprel,
                            end: t.span.end,
                            head: analysis.head_index(i),
                            i,
                            lemma: &s.lemma,
                            start: t.span.start,
                            text: &doc.text[t.span.range()],
                            upos: s.upos.as_str(),
                        })
                }),
            )?;
        }
        m.serialize_entry("title", &doc.title)?;
        m.serialize_entry("tokens", &analysis.tokens.len())?;
        m.serialize_entry("url", &doc.url)?;
        m.serialize_entry("warnings", self.warnings)?;
        m.end()
    }
}

/// One token's syntax, fields in name order.
#[derive(serde::Serialize)]
struct SyntaxJson<'a> {
    deprel: &'a str,
    end: u32,
    head: Option<usize>,
    i: usize,
    lemma: &'a str,
    start: u32,
    text: &'a str,
    upos: &'a str,
}

/// The JSON form of a document and its analysis (with per-token syntax if it has one), as
/// a `serde_json::Value`: the reference that [`write_document_json`] is tested against.
#[cfg(test)]
fn document_json_of(doc: &Document, warnings: &[String], analysis: &Analysis) -> Value {
    let annotations: Vec<Value> = analysis
        .annotations()
        .into_iter()
        .map(|a| {
            let mut obj = json!({
                "layer": a.layer,
                "start": a.span.start,
                "end": a.span.end,
                "text": &doc.text[a.span.range()],
            });
            if !a.label.is_empty() {
                obj["label"] = json!(a.label);
            }
            for (k, v) in a.attrs {
                obj[k] = json!(v);
            }
            obj
        })
        .collect();
    let mut value = json!({
        "id": doc.id.to_string(),
        "title": doc.title,
        "source": doc.source,
        "url": doc.url,
        "published": doc.published.to_string(),
        "precision": doc.published.precision().as_str(),
        "language": analysis.language.map(|l| l.to_string()),
        "warnings": warnings,
        "diagnostics": analysis.diagnostics.iter().map(|d| json!({"code": d.code, "message": d.message})).collect::<Vec<_>>(),
        "tokens": analysis.tokens.len(),
        "annotations": annotations,
    });
    if let Some(syn) = &analysis.syntax {
        let tokens: Vec<Value> = analysis
            .tokens
            .iter()
            .zip(syn)
            .enumerate()
            .map(|(i, (t, s))| {
                json!({
                    "i": i,
                    "start": t.span.start,
                    "end": t.span.end,
                    "text": &doc.text[t.span.range()],
                    "upos": s.upos.as_str(),
                    "lemma": s.lemma,
                    "head": analysis.head_index(i),
                    "deprel": s.deprel,
                })
            })
            .collect();
        value["syntax"] = json!(tokens);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_json(out: &mut impl Write, value: &Value, pretty: bool) -> io::Result<()> {
        if pretty {
            serde_json::to_writer_pretty(&mut *out, value)?;
        } else {
            serde_json::to_writer(&mut *out, value)?;
        }
        out.write_all(b"\n")
    }

    /// The JSON text written straight from the analysis is the text of the `Value` that
    /// `document_json_of` builds, compact and pretty, with and without syntax, for the
    /// demo articles (both languages) and documents with odd fields: no date, no text,
    /// warnings, quotes and non-ASCII text.
    #[test]
    fn written_json_equals_the_value_form() {
        let mut docs: Vec<(Document, Vec<String>)> = kroniek_formats::read(
            Format::Jsonl,
            BufReader::new(super::super::demo::CORPUS),
            &Options::default(),
        )
        .map(|r| {
            let r = r.expect("demo record");
            (r.doc, r.warnings)
        })
        .collect();
        assert!(docs.len() > 5);
        docs.push((Document::builder("").build(), vec!["empty \"text\"".into()]));
        docs.push((
            Document::builder("Volgens de BBC zijn er \"zo'n\" 1.500 strijders — ½ één.\n\tTab.")
                .title("Tïtel")
                .build(),
            Vec::new(),
        ));
        for syntax in [false, true] {
            let options = AnnotateOptions {
                syntax,
                ..AnnotateOptions::default()
            };
            for (doc, warnings) in &docs {
                let analysis = annotate_with(doc, &options);
                let value = document_json_of(doc, warnings, &analysis);
                for pretty in [false, true] {
                    let mut expected = Vec::new();
                    write_json(&mut expected, &value, pretty).unwrap();
                    let mut written = Vec::new();
                    write_document_json(&mut written, doc, warnings, &analysis, pretty).unwrap();
                    assert_eq!(
                        String::from_utf8(written).unwrap(),
                        String::from_utf8(expected).unwrap(),
                        "{} (syntax {syntax}, pretty {pretty})",
                        doc.id
                    );
                }
            }
        }
    }
}
