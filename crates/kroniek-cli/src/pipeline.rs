//! The ingest pipeline: read (sequential, streaming) → annotate (parallel, rayon) →
//! store (one writer thread, one transaction per batch).
//!
//! Memory is bounded by the batch size, not the corpus size: at most two batches are in
//! flight (one being annotated, one being written).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kroniek_core::AnnotateOptions;
use kroniek_formats::{Format, Options, Record};
use kroniek_store::{PutOutcome, Store, StoredDocument};
use rayon::prelude::*;

/// Where articles come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes held in memory (the demo corpus), with a name for messages.
    Bytes(&'static str, &'static [u8]),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".into(),
            Input::Bytes(name, _) => (*name).into(),
        }
    }
}

/// Settings of one ingest run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Forces a format instead of guessing per file.
    pub format: Option<Format>,
    /// Reader options (size cap).
    pub options: Options,
    /// Documents per transaction.
    pub batch_docs: usize,
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
    /// Print each failed record and warning.
    pub verbose_warnings: bool,
    /// What to annotate beyond the default layers (`syntax`: event roles).
    pub annotate: AnnotateOptions,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            format: None,
            options: Options::default(),
            batch_docs: 256,
            progress: true,
            verbose_warnings: true,
            annotate: AnnotateOptions::default(),
        }
    }
}

/// What an ingest run did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Input files (or streams) opened.
    pub inputs: usize,
    /// Bytes read from them.
    pub bytes: u64,
    /// Records read successfully.
    pub read: u64,
    /// Newly stored documents.
    pub stored: u64,
    /// Documents that were already in the store.
    pub already_present: u64,
    /// Records or files that could not be read.
    pub failed: u64,
    /// Documents stored with at least one warning.
    pub with_warnings: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl Summary {
    /// Whether anything failed.
    pub fn had_failures(&self) -> bool {
        self.failed > 0
    }
}

/// Expands files and folders (recursively, in name order, skipping hidden entries).
pub fn expand_paths(paths: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut out).with_context(|| format!("cannot list {}", p.display()))?;
        } else {
            out.push(Input::File(p.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        if e.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(Input::File(path));
        }
    }
    Ok(())
}

/// Counts bytes as they are read, for progress and throughput.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn open(input: &Input, count: Arc<AtomicU64>) -> io::Result<Box<dyn BufRead>> {
    let raw: Box<dyn Read> = match input {
        Input::File(p) => Box::new(File::open(p)?),
        Input::Stdin => Box::new(io::stdin()),
        Input::Bytes(_, b) => Box::new(*b),
    };
    Ok(Box::new(BufReader::with_capacity(
        256 * 1024,
        Counting { inner: raw, count },
    )))
}

fn progress_bar(total: Option<u64>, enabled: bool) -> ProgressBar {
    let pb = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::no_length(),
    };
    if !enabled {
        pb.set_draw_target(ProgressDrawTarget::hidden());
        return pb;
    }
    pb.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
    let style = if total.is_some() {
        "{spinner} {elapsed:>4} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}"
    } else {
        "{spinner} {elapsed:>4} {bytes} {binary_bytes_per_sec} {msg}"
    };
    pb.set_style(
        ProgressStyle::with_template(style)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb
}

/// What the reading side sends the store's writer thread.
enum ToWriter {
    /// Annotated documents to store.
    Batch(Vec<StoredDocument>),
    /// Which of these documents the store holds already (answered on the sender, after
    /// every batch sent before).
    Known(Vec<kroniek_core::DocId>, mpsc::Sender<Vec<bool>>),
}

/// Runs the pipeline over `inputs` into `store`. Record-level problems are counted and
/// reported on stderr; only a storage failure is an `Err` (what was committed before it
/// stays committed).
pub fn ingest(
    inputs: &[Input],
    store: Box<dyn Store + Send>,
    settings: &Settings,
) -> anyhow::Result<(Summary, Box<dyn Store + Send>)> {
    let started = Instant::now();
    let total: Option<u64> = inputs
        .iter()
        .map(|i| match i {
            Input::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Bytes(_, b) => Some(b.len() as u64),
            Input::Stdin => None,
        })
        .sum();
    let pb = progress_bar(total, settings.progress);
    let bytes = Arc::new(AtomicU64::new(0));
    let docs_done = Arc::new(AtomicU64::new(0));
    let mut summary = Summary {
        inputs: inputs.len(),
        ..Summary::default()
    };
    let mut shown_warnings = 0usize;
    const MAX_SHOWN: usize = 50;

    // The writer thread owns the store; batches arrive through a bounded channel so
    // that reading and annotation never run more than one batch ahead of the disk.
    let (tx, rx) = mpsc::sync_channel::<ToWriter>(1);
    let writer_done = docs_done.clone();
    let writer = std::thread::spawn(
        move || -> anyhow::Result<(u64, u64, u64, Box<dyn Store + Send>)> {
            let mut store = store;
            let (mut stored, mut present, mut warned) = (0, 0, 0);
            for message in rx {
                let batch = match message {
                    ToWriter::Batch(batch) => batch,
                    ToWriter::Known(ids, reply) => {
                        let known = ids
                            .iter()
                            .map(|&id| store.contains(id))
                            .collect::<Result<Vec<bool>, _>>()
                            .context("cannot read the store")?;
                        let _ = reply.send(known);
                        continue;
                    }
                };
                let outcomes = store
                    .put_batch(&batch)
                    .context("cannot write to the store")?;
                for (o, sd) in outcomes.iter().zip(&batch) {
                    match o {
                        PutOutcome::Stored => {
                            stored += 1;
                            warned += u64::from(!sd.warnings.is_empty());
                        }
                        PutOutcome::AlreadyPresent => present += 1,
                    }
                }
                writer_done.fetch_add(batch.len() as u64, Ordering::Relaxed);
            }
            Ok((stored, present, warned, store))
        },
    );

    let mut pending: Vec<(Record, String)> = Vec::with_capacity(settings.batch_docs);
    let mut pending_bytes = 0usize;
    // Documents not annotated because the store holds them already (or the batch has them
    // before): ingesting a corpus again costs its reading, not its annotation.
    let mut skipped = 0u64;
    // The last annotated batch and its ids, sent to the writer only after the next batch's
    // documents were looked up: so the writer is idle when asked (the look-up does not
    // wait for a write) and stores that batch while the next one is annotated.
    let mut held: Option<(
        Vec<StoredDocument>,
        std::collections::HashSet<kroniek_core::DocId>,
    )> = None;
    let mut flush = |pending: &mut Vec<(Record, String)>,
                     tx: &mpsc::SyncSender<ToWriter>,
                     last: bool|
     -> bool {
        let items = std::mem::take(pending);
        let (reply, answer) = mpsc::channel();
        let ids = items.iter().map(|(r, _)| r.doc.id).collect();
        if tx.send(ToWriter::Known(ids, reply)).is_err() {
            return false;
        }
        let Ok(known) = answer.recv() else {
            return false;
        };
        let total = items.len();
        let mut seen = std::collections::HashSet::new();
        let in_held = |id| held.as_ref().is_some_and(|(_, ids)| ids.contains(&id));
        let items: Vec<_> = items
            .into_iter()
            .zip(known)
            .filter(|((r, _), known)| !known && !in_held(r.doc.id) && seen.insert(r.doc.id))
            .map(|((r, origin), _)| (r.doc, r.warnings, Some(origin)))
            .collect();
        skipped += (total - items.len()) as u64;
        docs_done.fetch_add((total - items.len()) as u64, Ordering::Relaxed);
        if let Some((batch, _)) = held.take() {
            if tx.send(ToWriter::Batch(batch)).is_err() {
                return false;
            }
        }
        // Each thread annotates a few documents at a time (`annotate_batch`).
        let per_thread = items.len().div_ceil(rayon::current_num_threads()).max(1);
        let batch: Vec<StoredDocument> = items
            .into_par_iter()
            .chunks(per_thread.min(kroniek_core::ANNOTATE_BATCH))
            .flat_map_iter(|chunk| StoredDocument::analyse_batch(chunk, &settings.annotate))
            .collect();
        if last {
            return batch.is_empty() || tx.send(ToWriter::Batch(batch)).is_ok();
        }
        held = Some((batch, seen));
        true
    };
    let mut writer_alive = true;
    'inputs: for input in inputs {
        let name = input.name();
        let reader = match open(input, bytes.clone()) {
            Ok(r) => r,
            Err(e) => {
                summary.failed += 1;
                pb.suspend(|| eprintln!("error: {name}: cannot open: {e}"));
                continue;
            }
        };
        let mut reader = reader;
        let format = match settings.format {
            Some(f) => f,
            None => {
                let head = reader.fill_buf().map(|b| b.to_vec()).unwrap_or_default();
                kroniek_formats::sniff(&name, &head)
            }
        };
        for result in kroniek_formats::read(format, reader, &settings.options) {
            match result {
                Ok(record) => {
                    summary.read += 1;
                    if settings.verbose_warnings {
                        for w in &record.warnings {
                            shown_warnings += 1;
                            if shown_warnings <= MAX_SHOWN {
                                let at = if record.locator.is_empty() {
                                    String::new()
                                } else {
                                    format!("{}: ", record.locator)
                                };
                                pb.suspend(|| eprintln!("warning: {name}: {at}{w}"));
                            }
                        }
                    }
                    let origin = if record.locator.is_empty() {
                        name.clone()
                    } else {
                        format!("{name} {}", record.locator)
                    };
                    pending_bytes += record.doc.text.len();
                    pending.push((record, origin));
                    if pending.len() >= settings.batch_docs || pending_bytes >= 32 << 20 {
                        pending_bytes = 0;
                        if !flush(&mut pending, &tx, false) {
                            writer_alive = false;
                            break 'inputs;
                        }
                    }
                }
                Err(e) => {
                    summary.failed += 1;
                    pb.suspend(|| eprintln!("error: {name}: {e}"));
                }
            }
            pb.set_position(bytes.load(Ordering::Relaxed));
            let done = docs_done.load(Ordering::Relaxed);
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            pb.set_message(format!(
                "{done} docs ({:.0}/s), {} errors",
                done as f64 / secs,
                summary.failed
            ));
        }
    }
    // The last batch, and the one held back (an empty last batch sends just that).
    if writer_alive {
        flush(&mut pending, &tx, true);
    }
    drop(tx);
    let (stored, present, warned, store) = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the store writer panicked"))??;
    pb.finish_and_clear();
    if shown_warnings > MAX_SHOWN {
        eprintln!(
            "note: {} more warnings not shown; they are stored with their documents",
            shown_warnings - MAX_SHOWN
        );
    }
    summary.bytes = bytes.load(Ordering::Relaxed);
    summary.stored = stored;
    summary.already_present = present + skipped;
    summary.with_warnings = warned;
    summary.elapsed = started.elapsed();
    Ok((summary, store))
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-6);
        writeln!(
            f,
            "read {} input(s), {:.1} MB in {:.2} s ({:.1} MB/s, {:.0} documents/s)",
            self.inputs,
            self.bytes as f64 / 1e6,
            secs,
            self.bytes as f64 / 1e6 / secs,
            self.read as f64 / secs
        )?;
        write!(
            f,
            "documents: {} read, {} stored, {} already present, {} with warnings; {} failed",
            self.read, self.stored, self.already_present, self.with_warnings, self.failed
        )
    }
}
