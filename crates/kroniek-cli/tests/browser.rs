//! End-to-end browser test: `kroniek demo` builds the demo store, `kroniek serve` serves it
//! on a random loopback port, and `e2e/ui.test.mjs` drives headless Debian chromium
//! through playwright-core over the pages. Screenshots land in `tests-artifacts/e2e/`.
//!
//! Locally the test skips (with a message) when chromium, node or `e2e/node_modules` are
//! missing; `.ci/run` installs them and sets `KRONIEK_E2E=1`, which turns a skip into a
//! failure.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why the browser test cannot run here, if it cannot.
fn missing_tools() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is absent (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is absent".into());
    }
    if !workspace()
        .join("e2e/node_modules/playwright-core")
        .is_dir()
    {
        return Some("e2e/node_modules is absent (cd e2e && npm ci)".into());
    }
    None
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The layers the pages under test show, with how many annotations each has in `db`.
fn layer_counts(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT layer, count(*) FROM annotations GROUP BY layer")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn web_ui_in_headless_chromium() {
    let required = std::env::var("KRONIEK_E2E").is_ok_and(|v| v == "1");
    if let Some(why) = missing_tools() {
        assert!(!required, "KRONIEK_E2E=1 but {why}");
        eprintln!("skipping the browser test: {why}; `.ci/run` installs what it needs");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let kroniek = env!("CARGO_BIN_EXE_kroniek");
    let demo = Command::new(kroniek)
        .args(["demo", "--db"])
        .arg(&db)
        .env_remove("KRONIEK_DB")
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    // Tooltips, timelines and entity pages need the annotator's own layers in the store.
    let layers = layer_counts(&db);
    for needed in ["timex", "entity", "event", "attribution"] {
        assert!(
            layers.iter().any(|(l, n)| l == needed && *n > 0),
            "the demo store has no {needed} annotations: {layers:?}"
        );
    }

    let mut child = Command::new(kroniek)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env_remove("KRONIEK_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line from kroniek serve: {line:?}"))
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let artifacts = workspace().join("tests-artifacts/e2e");
    let _ = std::fs::remove_dir_all(&artifacts);
    let started = Instant::now();
    let mut node = Command::new("node")
        .arg("ui.test.mjs")
        .current_dir(workspace().join("e2e"))
        .env("BASE_URL", &base)
        .env("ARTIFACTS", &artifacts)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The script has its own per-step timeouts; this is the backstop.
    let status = loop {
        if let Some(s) = node.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(240) {
            let _ = node.kill();
            break node.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let out = node.wait_with_output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{report}");
    drop(server);
    assert!(status.success(), "browser test failed:\n{report}");
    for shot in ["search.png", "document.png", "timeline.png", "stats.png"] {
        assert!(artifacts.join(shot).is_file(), "{shot} was not saved");
    }
}

/// `kroniek serve` without a browser: the address line, a JSON answer, and the warning
/// for a non-loopback address. Runs everywhere.
#[test]
fn serve_prints_its_address_and_warns_off_loopback() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let start = |addr: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kroniek"))
            .args(["serve", "--addr", addr, "--db"])
            .arg(&db)
            .env_remove("KRONIEK_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        (Server(child), line, stderr)
    };
    let (server, line, _) = start("127.0.0.1:0");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{line:?}"))
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /api/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"documents\":0"), "{answer}");
    drop(server);

    let (server, line, stderr) = start("0.0.0.0:0");
    assert!(line.starts_with("listening on http://0.0.0.0:"), "{line}");
    drop(server);
    let mut err = String::new();
    BufReader::new(stderr).read_to_string(&mut err).unwrap();
    assert!(
        err.contains("warning:") && err.contains("no authentication"),
        "{err}"
    );
}
