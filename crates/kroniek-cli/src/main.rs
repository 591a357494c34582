//! The `kroniek` command line.
fn main() {}
