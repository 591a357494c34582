//! Helpers shared by the CLI test binaries: run the `kroniek` binary built for the tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The `kroniek` binary, with no store chosen through the environment.
pub fn kroniek() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kroniek"));
    c.env_remove("KRONIEK_DB");
    c
}

/// Runs `kroniek ARGS` with `stdin` as its standard input.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = kroniek()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kroniek runs");
    // A command may finish before reading all its input; that is its right.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("kroniek finishes")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `../shared/seeds` (the two sample articles), or `None` with a message when absent:
/// tests that need it skip then.
pub fn shared_seeds() -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}
