//! kroniek-store: where documents and annotations live.
#![deny(missing_docs)]
