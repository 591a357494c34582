//! `kroniek parse`: CoNLL-U in, the same CoNLL-U out with predicted syntax (`--conllu`);
//! or plain text in, tokenised, split into sentences and parsed, CoNLL-U out (`--text`).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kroniek_core::syntax::SyntaxModel;
use kroniek_core::{text, Lang};

use super::syntax_common::{language, model, predict_all, read_conllu, sample_text};

/// Tag and parse CoNLL-U, or plain text into CoNLL-U.
///
/// --conllu: ids, forms, MISC, comments and multiword-token lines are kept; UPOS, LEMMA,
/// HEAD and DEPREL are predicted; XPOS, FEATS and DEPS become `_`. The output can be
/// scored by any CoNLL-U scorer against the input. This format is stable.
///
/// --text: plain UTF-8 text, paragraphs separated by blank lines. kroniek tokenises it
/// and splits sentences as `annotate` does, then writes CoNLL-U with `# newpar`,
/// `# sent_id` and `# text` comments and `SpaceAfter=No` where no space follows a token.
/// Feeding that output to `parse --conllu` gives it back unchanged.
///
/// Examples:
///   kroniek parse --conllu --lang nl nl_alpino-ud-test.conllu > pred.conllu
///   echo 'Hij riep het kalifaat uit.' | kroniek parse --text -
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
#[command(group(clap::ArgGroup::new("format").required(true).args(["conllu", "text"])))]
pub struct Args {
    /// Read CoNLL-U (its tokenisation is kept) and write it with predicted syntax
    #[arg(long)]
    pub conllu: bool,
    /// Read plain text (paragraphs separated by blank lines) and write CoNLL-U
    #[arg(long)]
    pub text: bool,
    /// Language of the model (default: from the file name or the text)
    #[arg(long)]
    pub lang: Option<String>,
    /// Use this model file instead of the embedded model
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Parse with this neural parser (`kroniek train syntax --neural`) instead of the
    /// model's transition parser (needs --model; a `neural.bin` next to the --model file
    /// is used without it, as the embedded Dutch model uses its own)
    #[arg(long, value_name = "FILE")]
    pub neural: Option<PathBuf>,
    /// Parse with the fast pipeline parser (`models/<lang>/neural-fast.bin`, the default of
    /// `annotate --syntax`: a small network on the tagger's first pass) instead of the
    /// accurate one; with --model, --neural names the fast parser's file
    #[arg(long)]
    pub fast: bool,
    /// Input file (CoNLL-U plain or .gz with --conllu), or - for standard input
    pub file: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.text {
        return run_text(&args);
    }
    let sentences = read_conllu(&args.file)?;
    let model = model(
        args.lang.as_deref(),
        args.model.as_deref(),
        args.neural.as_deref(),
        args.fast,
        &args.file,
        || sample_text(&sentences),
    )?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for s in predict_all(model, &sentences) {
        write!(out, "{s}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A paragraph longer than this (64 KiB, far above real paragraphs) is parsed in pieces,
/// cut at a line end or, inside a longer line, after a space, so that memory stays
/// bounded on text without blank lines or line breaks.
const MAX_PARAGRAPH: usize = 1 << 16;

fn run_text(args: &Args) -> anyhow::Result<ExitCode> {
    let input: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(BufReader::new(File::open(&args.file).with_context(
            || format!("cannot open {}", args.file.display()),
        )?))
    };
    let mut paragraphs = Paragraphs::new(input);
    // The first paragraph decides the language when none is given.
    let first = paragraphs
        .next_paragraph()
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let Some(first) = first else {
        return Ok(ExitCode::SUCCESS); // no text, no sentences
    };
    // The tokenizer needs the language too (its abbreviations), also with --model.
    let lang = language(args.lang.as_deref(), &args.file, || first.clone())?;
    let model = model(
        Some(&lang.to_string()),
        args.model.as_deref(),
        args.neural.as_deref(),
        args.fast,
        &args.file,
        String::new,
    )?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut sent_id = 0;
    let mut next = Some(first);
    while let Some(paragraph) = next {
        write_paragraph(&mut out, model, lang, &paragraph, &mut sent_id)?;
        next = paragraphs
            .next_paragraph()
            .with_context(|| format!("cannot read {}", args.file.display()))?;
    }
    out.flush()?;
    if paragraphs.invalid_lines > 0 {
        eprintln!(
            "warning: {} line(s) were not valid UTF-8; their invalid bytes became U+FFFD",
            paragraphs.invalid_lines
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads paragraphs (runs of non-blank lines) one at a time.
struct Paragraphs {
    input: Box<dyn BufRead>,
    invalid_lines: usize,
    /// The part of an over-long line after its last space, read but not yet used.
    pending: Vec<u8>,
}

impl Paragraphs {
    fn new(input: Box<dyn BufRead>) -> Self {
        Paragraphs {
            input,
            invalid_lines: 0,
            pending: Vec::new(),
        }
    }

    /// The next line into `line` (false at the end). A line longer than [`MAX_PARAGRAPH`]
    /// comes in pieces cut after a space, so that neither a word nor a character is cut.
    fn next_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear();
        line.append(&mut self.pending);
        let room = (MAX_PARAGRAPH as u64)
            .saturating_sub(line.len() as u64)
            .max(1);
        Read::take(&mut self.input, room).read_until(b'\n', line)?;
        if line.len() >= MAX_PARAGRAPH && line.last() != Some(&b'\n') {
            if let Some(cut) = line.iter().rposition(|&b| b == b' ' || b == b'\t') {
                self.pending = line.split_off(cut + 1);
            }
        }
        Ok(!line.is_empty())
    }

    fn next_paragraph(&mut self) -> io::Result<Option<String>> {
        let mut paragraph = String::new();
        let mut line = Vec::new();
        while self.next_line(&mut line)? {
            let text = match std::str::from_utf8(&line) {
                Ok(t) => std::borrow::Cow::Borrowed(t),
                Err(_) => {
                    self.invalid_lines += 1;
                    String::from_utf8_lossy(&line)
                }
            };
            if text.trim().is_empty() {
                if paragraph.trim().is_empty() {
                    continue;
                }
                break;
            }
            paragraph.push_str(&text);
            if paragraph.len() >= MAX_PARAGRAPH {
                break;
            }
        }
        Ok((!paragraph.trim().is_empty()).then_some(paragraph))
    }
}

/// Writes the sentences of one paragraph as CoNLL-U.
fn write_paragraph(
    out: &mut impl Write,
    model: &SyntaxModel,
    lang: Lang,
    paragraph: &str,
    sent_id: &mut usize,
) -> io::Result<()> {
    let tokens = text::tokenize(paragraph, lang);
    let mut first = true;
    for sentence in text::sentences(paragraph, &tokens) {
        let toks = &tokens[sentence.tokens.clone()];
        let (Some(head), Some(tail)) = (toks.first(), toks.last()) else {
            continue;
        };
        let forms: Vec<&str> = toks.iter().map(|t| &paragraph[t.span.range()]).collect();
        let parsed = model.analyse(&forms);
        *sent_id += 1;
        if first {
            writeln!(out, "# newpar")?;
            first = false;
        }
        let covered = &paragraph[head.span.start as usize..tail.span.end as usize];
        let text: Vec<&str> = covered.split_whitespace().collect();
        writeln!(out, "# sent_id = {sent_id}\n# text = {}", text.join(" "))?;
        for (i, (tok, syn)) in toks.iter().zip(parsed).enumerate() {
            let glued = toks
                .get(i + 1)
                .is_some_and(|n| n.span.start == tok.span.end);
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t_\t_\t{}\t{}\t_\t{}",
                i + 1,
                forms[i],
                if syn.lemma.is_empty() {
                    "_"
                } else {
                    &syn.lemma
                },
                syn.upos,
                syn.head,
                syn.deprel,
                if glued { "SpaceAfter=No" } else { "_" },
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
