//! `kroniek train events`: the event-trigger perceptron from MEANTIME-style gold.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_core::events::perceptron::{B, I, O, UNKNOWN};
use kroniek_core::events::{self, Words};
use kroniek_core::{text, Lang};
use kroniek_eval::events::{read_clin26, read_factuality_conll, read_timeml, GoldDoc};

/// Train the event-trigger model.
///
/// Without inputs, the standard recipe is used (see `recipe`): for Dutch, UD Alpino
/// silver data (VERB = event) plus MEANTIME Dutch; for English, TempEval-3 TBAQ plus
/// MEANTIME English. Inputs, when given, are files or folders (searched recursively):
/// TimeML `.tml` (TempEval-3 EVENT tags), CLIN26 `.factuality` and `.xml.conll` files.
/// The model is written as text; commit it under models/<lang>/events.model to ship it.
///
/// Examples (from the repository root, corpora in ../shared/corpora):
///   kroniek train events --lang nl --out models/nl/events.model   (standard recipe)
///   kroniek train events --lang en --out models/en/events.model
///   kroniek train events --lang en --out /tmp/tbaq.model ../shared/corpora/tempeval3_tbaq
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Language of the training data (nl, en)
    #[arg(long)]
    pub lang: String,
    /// Where to write the model
    #[arg(long)]
    pub out: PathBuf,
    /// Training epochs
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Added to the event label's bias weight (trades precision for recall); default 10
    #[arg(long, allow_hyphen_values = true)]
    pub recall_bias: Option<f32>,
    /// Folder with the gold corpora, for the standard recipe (used when no inputs are given)
    #[arg(long, default_value = "../shared/corpora", env = "KRONIEK_CORPORA")]
    pub corpora: PathBuf,
    /// Training files or folders instead of the standard recipe
    pub inputs: Vec<PathBuf>,
}

/// How many times MEANTIME gold sentences are repeated next to the other training data.
const GOLD_WEIGHT: usize = 3;
/// English MEANTIME gold weighs more: TBAQ (TimeML) marks fewer events (no copulas, fewer nouns).
const GOLD_WEIGHT_EN: usize = 8;
/// The recall bias of the shipped models, chosen by cross-topic evaluation on the
/// development topics (English: F1 .726 without, .801 with 10; Dutch .671 with 3, .682
/// with 10).
pub fn default_recall_bias(_lang: Lang) -> f32 {
    10.0
}

/// Silver sentences taken from the UD treebank (VERB tokens as events).
const SILVER_SENTENCES: usize = 6000;

/// The standard training data of a language, without the MEANTIME topic `exclude` (for
/// cross-topic evaluation):
/// - nl: UD Dutch Alpino (cdb part, first 6000 sentences) as silver data (VERB tokens
///   are events; nouns, adjectives, copulas unknown); plus MEANTIME Dutch CLIN26 factuality files (apple, airbus) ×3;
/// - en: TempEval-3 TBAQ (TimeBank + AQUAINT) EVENT tags; plus MEANTIME English CAT
///   (apple, airbus; sentences 0–5) ×3.
pub fn recipe(
    lang: Lang,
    corpora: &Path,
    exclude: Option<&str>,
) -> anyhow::Result<Vec<(Words, Vec<u8>)>> {
    let mut out = Vec::new();
    let topics = ["apple", "airbus"]
        .into_iter()
        .filter(|t| Some(*t) != exclude);
    if lang == Lang::NL {
        let ud = corpora.join("ud_nl_alpino/nl_alpino-alud-train-cdb.conllu.gz");
        out.extend(read_conllu_silver(lang, &ud, SILVER_SENTENCES)?);
        for t in topics {
            let mut files = Vec::new();
            collect(
                &corpora
                    .join("meantime_nl/clin26_conll")
                    .join(t)
                    .join("factuality"),
                &mut files,
            )?;
            for f in files {
                let ex = gold_examples(lang, &read_gold(&f)?);
                for _ in 0..GOLD_WEIGHT {
                    out.extend(ex.iter().cloned());
                }
            }
        }
    } else {
        let mut files = Vec::new();
        for part in ["TimeBank", "AQUAINT"] {
            collect(&corpora.join("tempeval3_tbaq").join(part), &mut files)?;
        }
        out.extend(load_examples(lang, &files)?);
        for t in topics {
            let dir = corpora
                .join("meantime_en/intra_cross-doc_annotation")
                .join(format!("corpus_{t}"));
            let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "xml"))
                .collect();
            names.sort();
            for f in names {
                let xml = std::fs::read_to_string(&f)?;
                let doc = kroniek_eval::events::read_cat_xml(&f.to_string_lossy(), &xml)
                    .map_err(anyhow::Error::msg)?;
                let ex = gold_examples(lang, &doc);
                for _ in 0..GOLD_WEIGHT_EN {
                    out.extend(ex.iter().cloned());
                }
            }
        }
    }
    if out.is_empty() {
        bail!("no training data under {}", corpora.display());
    }
    Ok(out)
}

/// Silver training sentences from a (gzipped) CoNLL-U treebank: VERB tokens are events,
/// event-like nouns, predicative adjectives and copulas are unknown, the rest is not an
/// event.
pub fn read_conllu_silver(
    lang: Lang,
    path: &Path,
    max: usize,
) -> anyhow::Result<Vec<(Words, Vec<u8>)>> {
    use std::io::{BufRead, BufReader, Read};
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader: Box<dyn Read> = if path.to_string_lossy().ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut out = Vec::new();
    let (mut words, mut labels): (Vec<String>, Vec<u8>) = (Vec::new(), Vec::new());
    let mut nouns: Vec<bool> = Vec::new();
    // Adjectives, and the (1-based) heads of copulas: a predicative adjective may be an
    // event (MEANTIME marks "verkrijgbaar" in "is verkrijgbaar"), so it is not learned from.
    let (mut adjectives, mut copula_heads): (Vec<bool>, Vec<usize>) = (Vec::new(), Vec::new());
    for line in BufReader::new(reader).lines() {
        let line = line?;
        if line.trim().is_empty() {
            if !words.is_empty() {
                let w: Vec<&str> = words.iter().map(String::as_str).collect();
                let sentence = Words::new(lang, &w);
                // Nouns that are also verb forms ("vlucht") may be events too.
                for (i, l) in labels.iter_mut().enumerate() {
                    if *l == O
                        && nouns[i]
                        && (sentence.is_verbal_noun(i) || sentence.is_eventive_noun(i))
                    {
                        *l = UNKNOWN;
                    }
                }
                for &h in &copula_heads {
                    if h >= 1 && adjectives.get(h - 1) == Some(&true) {
                        labels[h - 1] = UNKNOWN;
                    }
                }
                nouns.clear();
                adjectives.clear();
                copula_heads.clear();
                out.push((sentence, std::mem::take(&mut labels)));
                words.clear();
                if out.len() >= max {
                    break;
                }
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 || cols[0].contains('-') || cols[0].contains('.') {
            continue;
        }
        words.push(cols[1].to_string());
        nouns.push(cols[3] == "NOUN");
        adjectives.push(cols[3] == "ADJ");
        if cols.get(7) == Some(&"cop") {
            if let Some(h) = cols.get(6).and_then(|h| h.parse::<usize>().ok()) {
                copula_heads.push(h);
            }
        }
        // Verbs are events. Nouns that look like event nouns (known to the ontology, or
        // with a deverbal suffix) and copulas may be (MEANTIME marks event nouns and some
        // copulas), so they are not learned from; everything else is not an event.
        let lower = cols[1].to_lowercase();
        let eventish = || {
            events::event_type(lang, &lower).is_some()
                || ["ing", "tie", "sie", "ment", "ion", "ure", "st"]
                    .iter()
                    .any(|s| lower.ends_with(s))
        };
        labels.push(match cols[3] {
            // An attributive participle ("de afgelopen maand") is rarely an event.
            "VERB" if matches!(cols.get(7), Some(&("amod" | "acl"))) => UNKNOWN,
            "VERB" => B,
            "NOUN" if eventish() => UNKNOWN,
            "AUX" if cols.get(7) == Some(&"cop") => UNKNOWN,
            _ => O,
        });
    }
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang =
        Lang::parse(&args.lang).with_context(|| format!("{:?} is not a language", args.lang))?;
    let examples = if args.inputs.is_empty() {
        recipe(lang, &args.corpora, None)?
    } else {
        let mut files = Vec::new();
        for p in &args.inputs {
            collect(p, &mut files)?;
        }
        if files.is_empty() {
            bail!("no .tml, .factuality or .conll files under the inputs");
        }
        load_examples(lang, &files)?
    };
    let tokens: usize = examples.iter().map(|e| e.1.len()).sum();
    let events_n = examples
        .iter()
        .flat_map(|e| &e.1)
        .filter(|&&l| l == B)
        .count();
    eprintln!(
        "training on {} sentences, {tokens} tokens, {events_n} events, {} epochs",
        examples.len(),
        args.epochs
    );
    let model = events::train(
        &examples,
        args.epochs,
        args.recall_bias
            .unwrap_or_else(|| default_recall_bias(lang)),
    );
    let text = model.to_text();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &text)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!("wrote {} ({} bytes)", args.out.display(), text.len());
    Ok(ExitCode::SUCCESS)
}

/// Files under `p` (recursively, sorted) with a known extension.
pub fn collect(p: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("cannot read {}", p.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            collect(&e, out)?;
        }
    } else {
        let name = p.to_string_lossy();
        if name.ends_with(".tml") || name.ends_with(".factuality") || name.ends_with(".conll") {
            out.push(p.to_path_buf());
        }
    }
    Ok(())
}

/// Reads a gold column file by its extension.
pub fn read_gold(path: &Path) -> anyhow::Result<GoldDoc> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(if name.ends_with(".conll") {
        read_factuality_conll(&name, &text)
    } else {
        read_clin26(&name, &text)
    })
}

/// Training sentences with O/B/I labels from gold files.
pub fn load_examples(lang: Lang, files: &[PathBuf]) -> anyhow::Result<Vec<(Words, Vec<u8>)>> {
    let mut out = Vec::new();
    for f in files {
        if f.extension().is_some_and(|e| e == "tml") {
            let xml = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?;
            let (txt, evs) = read_timeml(&f.to_string_lossy(), &xml).map_err(anyhow::Error::msg)?;
            let toks = text::tokenize(&txt, lang);
            let sents = text::sentences(&txt, &toks);
            for s in &sents {
                let ts = &toks[s.tokens.clone()];
                let words: Vec<&str> = ts.iter().map(|t| &txt[t.span.range()]).collect();
                let mut labels = vec![O; ts.len()];
                let mut prev_event = None;
                for (k, t) in ts.iter().enumerate() {
                    let r = t.span.range();
                    let hit = evs.iter().position(|e| e.start < r.end && r.start < e.end);
                    if let Some(e) = hit {
                        labels[k] = if prev_event == Some(e) { I } else { B };
                    }
                    prev_event = hit;
                }
                out.push((Words::new(lang, &words), labels));
            }
        } else {
            out.extend(gold_examples(lang, &read_gold(f)?));
        }
    }
    Ok(out)
}

/// Training sentences from one gold document (its annotated window only).
pub fn gold_examples(lang: Lang, doc: &GoldDoc) -> Vec<(Words, Vec<u8>)> {
    let offsets = doc.offsets();
    let mut out = Vec::new();
    // Half of the CLIN26 files hold a seventh sentence in which only a few events are
    // marked (those in cross-document chains): learning from it would teach the unmarked
    // events as non-events. (Scoring keeps the whole file, as the reference scorer
    // `events_score.py` does.)
    let window = doc.window.min(kroniek_eval::events::ANNOTATED_SENTENCES);
    for (si, s) in doc.sentences.iter().enumerate().take(window) {
        let base = offsets[si];
        let mut labels = vec![O; s.len()];
        for e in &doc.events {
            if e.tokens.start >= base && e.tokens.start < base + s.len() {
                for t in e.tokens.clone() {
                    if t < base + s.len() {
                        labels[t - base] = if t == e.tokens.start { B } else { I };
                    }
                }
            }
        }
        let words: Vec<&str> = s.iter().map(String::as_str).collect();
        let sentence = Words::new(lang, &words);
        // "terug te bellen" is marked on the particle; the trigger model learns the verb,
        // and `join_particles` adds the particle back.
        for i in 0..labels.len() {
            let single = labels[i] == B && labels.get(i + 1) != Some(&I);
            if single
                && labels.get(i + 2) == Some(&O)
                && events::particle_before_infinitive(lang, &sentence.lower, i)
            {
                labels[i] = O;
                labels[i + 2] = B;
            }
        }
        // An idiom ("op de markt wordt gebracht") is marked from its phrase; the trigger
        // model learns its verb, and `idioms::find` adds the phrase back.
        for m in events::idioms::find(lang, &sentence) {
            if labels[m.range().start] == B {
                for t in m.phrase.clone() {
                    labels[t] = O;
                }
                labels[m.verb] = B;
                if labels.get(m.verb + 1) == Some(&I) {
                    labels[m.verb + 1] = O;
                }
            }
        }
        out.push((sentence, labels));
    }
    out
}
