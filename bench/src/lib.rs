//! What the benchmark binaries share.

use std::io::BufReader;

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
