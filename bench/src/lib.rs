//! What the benchmark binaries share.

use std::alloc::{GlobalAlloc, Layout};
use std::io::BufReader;
use std::sync::atomic::{AtomicBool, Ordering};

use kroniek_core::hugepages::HugePageAlloc;
use mimalloc::MiMalloc;

use kroniek_core::Document;
use kroniek_formats::{Format, Options};

/// The documents of a corpus file (any format kroniek reads; plain text is one document),
/// or of the built-in demo corpus when no path is given. Panics with the path on errors:
/// a benchmark has nothing to measure without its corpus.
pub fn load_corpus(path: Option<String>) -> (String, Vec<Document>) {
    let path = path.unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/kroniek-cli/demo/corpus.jsonl"
        )
        .to_string()
    });
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let format = kroniek_formats::sniff(&path, &bytes);
    let docs: Vec<Document> = if format == Format::Text {
        vec![Document::builder(String::from_utf8_lossy(&bytes).into_owned()).build()]
    } else {
        kroniek_formats::read(format, BufReader::new(&bytes[..]), &Options::default())
            .filter_map(Result::ok)
            .map(|r| r.doc)
            .collect()
    };
    assert!(!docs.is_empty(), "no documents in {path}");
    (path, docs)
}

/// The CLI's allocator (large blocks on huge pages, small ones from mimalloc), unless
/// [`huge_pages_from_env`] finds `KRONIEK_HUGEPAGES=0` (then mimalloc for every block): so
/// one binary can be compared with and without huge pages.
pub struct Alloc;

static HUGE: AtomicBool = AtomicBool::new(true);

fn huge() -> bool {
    HUGE.load(Ordering::Relaxed)
}

/// Turns huge pages off when `KRONIEK_HUGEPAGES=0`; call first thing in `main`.
pub fn huge_pages_from_env() {
    if std::env::var("KRONIEK_HUGEPAGES").is_ok_and(|v| v == "0") {
        HUGE.store(false, Ordering::Relaxed);
    }
}

const CLI: HugePageAlloc<MiMalloc> = HugePageAlloc(MiMalloc);

// SAFETY: a block is freed by the allocator that allocated it: the switch is set once at
// the start of `main` before anything is allocated by the benchmark, and the huge-page
// allocator gives small blocks to mimalloc exactly as mimalloc alone does (blocks
// allocated before the switch are small).
unsafe impl GlobalAlloc for Alloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if huge() {
            CLI.alloc(l)
        } else {
            MiMalloc.alloc(l)
        }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if huge() {
            CLI.alloc_zeroed(l)
        } else {
            MiMalloc.alloc_zeroed(l)
        }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if huge() {
            CLI.dealloc(p, l)
        } else {
            MiMalloc.dealloc(p, l)
        }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if huge() {
            CLI.realloc(p, l, n)
        } else {
            MiMalloc.realloc(p, l, n)
        }
    }
}
