//! `kroniek eval timeline`: SemEval-2015 Task 4 TimeLine (entity-centred cross-document
//! event timelines).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_eval::timeline::system::{self, Options, Selection};
use kroniek_eval::timeline::{
    file_name, read_timeline, read_timeml, score, write_timeline, Counts, Timeline, TmlDoc,
};
use rayon::prelude::*;

/// Build entity timelines with kroniek and score them against SemEval-2015 Task 4 gold.
///
/// Track A: kroniek finds the events itself (the input has only tokens and the creation
/// time). Track B: the gold event mentions of the input are placed (kroniek chooses which
/// belong to each entity, dates and orders them). Scores are TempEval-3 temporal awareness
/// over the timeline graphs, micro-averaged over the timelines of each corpus
/// (see docs/timeline_eval.md).
///
/// --corpus is a folder holding corpora (trial_apple/, corpus_1_airbus/) or one corpus.
///
/// Examples:
///   kroniek eval timeline
///   kroniek eval timeline --track b --corpus ../shared/corpora/semeval2015_timeline_en/trial_apple
///   kroniek eval timeline --track a --out /tmp/timelines
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// a (own event detection) or b (gold event mentions given)
    #[arg(long, default_value = "b")]
    pub track: String,
    /// A corpus folder, or a folder of corpus folders
    #[arg(long, default_value = "../shared/corpora/semeval2015_timeline_en")]
    pub corpus: PathBuf,
    /// Write the system timelines here (DIR/<corpus>/<entity>.txt)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Do not parse (lemmas are lower-cased words; events are chosen per sentence)
    #[arg(long)]
    pub no_syntax: bool,
    /// Which events of a sentence naming the entity are taken: `sentence` (all) or `tree`
    /// (within --depth dependency arcs of the entity mention)
    #[arg(long, default_value = "tree")]
    pub select: String,
    /// Dependency distance for --select tree (default: 1 in track A, where kroniek's own
    /// events are many and noisy; 4 in track B)
    #[arg(long)]
    pub depth: Option<usize>,
    /// Events without a time expression in their sentence stay undated (rank 0) instead of
    /// taking the creation time
    #[arg(long)]
    pub no_dct_default: bool,
    /// Do not follow sentence-initial pronouns and descriptors to the previous sentence's entity
    #[arg(long)]
    pub no_pronouns: bool,
    /// Events without a time expression take the last one of up to N previous sentences
    #[arg(long, default_value_t = 3)]
    pub carry: usize,
    /// Cues that keep an event undated (bit mask: 1 modal, 2 `to`, 4 perfect, 8 quotation)
    #[arg(long, default_value_t = 15)]
    pub undated_cues: u8,
    /// Events in a sentence naming no target go to the targets of the nearest of up to N
    /// previous sentences (default: 0 in track A, 5 in track B, where every given event is
    /// on some timeline)
    #[arg(long)]
    pub fallback: Option<usize>,
    /// Score the timelines in DIR/<corpus>/<entity>.txt (another system's output) instead
    /// of running kroniek's system
    #[arg(long, value_name = "DIR")]
    pub score: Option<PathBuf>,
}

/// One corpus: its gold timelines and the input documents for the chosen track.
struct Corpus {
    name: String,
    /// Gold timelines with the index of their target.
    gold: Vec<(usize, Timeline)>,
    targets: Vec<String>,
    docs: Vec<TmlDoc>,
}

fn subdir(dir: &Path, pred: impl Fn(&str) -> bool) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter(|e| pred(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    found.sort();
    found.into_iter().next()
}

fn files(dir: &Path, ext: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    Ok(out)
}

fn is_corpus(dir: &Path) -> bool {
    subdir(dir, |n| n.starts_with("TimeLines")).is_some()
}

fn load(dir: &Path, track_b: bool) -> anyhow::Result<Corpus> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let gold_dir = subdir(dir, |n| n.starts_with("TimeLines"))
        .with_context(|| format!("{}: no TimeLines* folder", dir.display()))?;
    // Corpus 1 has per-track inputs; the trial data's events_timelines TimeML has the gold
    // timeline events, which is what Track B gives (Track A ignores the EVENT tags).
    let want = if track_b {
        "trackB_TimeML"
    } else {
        "trackA_TimeML"
    };
    let input = subdir(dir, |n| n.contains(want))
        .or_else(|| subdir(dir, |n| n.ends_with("events_timelines_TimeML")))
        .with_context(|| format!("{}: no TimeML input folder", dir.display()))?;
    let mut gold = Vec::new();
    for f in files(&gold_dir, "txt")? {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
        let t = read_timeline(&text).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        let fname = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        gold.push((fname, t));
    }
    // Target names: the corpus list where there is one (it has the full names), else line 1
    // of each gold file.
    let list = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("list_target_entities"))
        });
    let mut targets: Vec<String> = match list {
        Some(p) => std::fs::read_to_string(&p)
            .with_context(|| format!("cannot read {}", p.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    let mut indexed = Vec::new();
    for (fname, t) in gold {
        let i = match targets.iter().position(|x| file_name(x) == fname) {
            Some(i) => i,
            None => {
                targets.push(t.entity.clone());
                targets.len() - 1
            }
        };
        indexed.push((i, t));
    }
    let mut docs = Vec::new();
    for f in files(&input, "tml")? {
        let xml =
            std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
        let mut d = read_timeml(&xml).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        if !track_b {
            for s in &mut d.sentences {
                s.events.clear();
            }
        }
        docs.push(d);
    }
    Ok(Corpus {
        name,
        gold: indexed,
        targets,
        docs,
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let track_b = match args.track.to_ascii_lowercase().as_str() {
        "a" => false,
        "b" => true,
        other => bail!("unknown track {other:?}; use a or b"),
    };
    let selection = match args.select.as_str() {
        "sentence" => Selection::Sentence,
        "tree" => Selection::Tree(args.depth.unwrap_or(if track_b { 4 } else { 1 })),
        other => bail!("unknown selection {other:?}; use sentence or tree"),
    };
    let opts = Options {
        gold_events: track_b,
        syntax: !args.no_syntax,
        selection,
        dct_default: !args.no_dct_default,
        pronouns: !args.no_pronouns,
        carry: args.carry,
        undated_cues: args.undated_cues,
        fallback: args.fallback.unwrap_or(if track_b { 5 } else { 0 }),
    };
    if !args.corpus.is_dir() {
        bail!(
            "{} is not a folder; use --corpus (the SemEval-2015 Task 4 data)",
            args.corpus.display()
        );
    }
    let dirs: Vec<PathBuf> = if is_corpus(&args.corpus) {
        vec![args.corpus.clone()]
    } else {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&args.corpus)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && is_corpus(p))
            .collect();
        v.sort();
        v
    };
    if dirs.is_empty() {
        bail!(
            "{} holds no corpus (a folder with TimeLines*/ and TimeML input)",
            args.corpus.display()
        );
    }
    let track = if track_b { "B" } else { "A" };
    for dir in dirs {
        let corpus = load(&dir, track_b)?;
        let cands: Vec<system::Candidate> = corpus
            .docs
            .par_iter()
            .flat_map_iter(|d| system::candidates(d, &corpus.targets, &opts))
            .collect();
        let mut timelines = system::assemble(&cands, &corpus.targets);
        if let Some(dir) = &args.score {
            for t in &mut timelines {
                let p = dir.join(&corpus.name).join(file_name(&t.entity));
                t.entries.clear();
                if let Ok(text) = std::fs::read_to_string(&p) {
                    t.entries = read_timeline(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
                        .entries;
                }
            }
        }
        let mut total = Counts::default();
        let mut lines = Vec::new();
        for (i, gold) in &corpus.gold {
            let sys = &timelines[*i];
            let c = score(gold, sys);
            total.add(&c);
            lines.push(format!(
                "  {:<28} {c}  [{} gold entries, {} system]",
                gold.entity,
                gold.entries.len(),
                sys.entries.len()
            ));
        }
        println!(
            "{} track {track} ({} documents, {} timelines): {total}",
            corpus.name,
            corpus.docs.len(),
            corpus.gold.len()
        );
        for l in lines {
            println!("{l}");
        }
        if let Some(out) = &args.out {
            let d = out.join(&corpus.name);
            std::fs::create_dir_all(&d)
                .with_context(|| format!("cannot create {}", d.display()))?;
            for t in &timelines {
                let p = d.join(file_name(&t.entity));
                std::fs::write(&p, write_timeline(t))
                    .with_context(|| format!("cannot write {}", p.display()))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
