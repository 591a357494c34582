//! The `--db` option shared by every command that reads or writes a store.

use std::path::PathBuf;

use anyhow::{bail, Context};
use kroniek_core::DocId;
use kroniek_store::{SqliteStore, Store};

/// Which store to use.
#[derive(clap::Args, Debug, Clone)]
pub struct DbArgs {
    /// The store: one SQLite file, created on first use
    #[arg(
        long,
        global = true,
        env = "KRONIEK_DB",
        default_value = "kroniek.db",
        value_name = "PATH"
    )]
    pub db: PathBuf,
}

impl DbArgs {
    /// Opens (or creates) the store.
    pub fn open(&self) -> anyhow::Result<SqliteStore> {
        SqliteStore::open(&self.db)
            .with_context(|| format!("cannot open the store {}", self.db.display()))
    }

    /// Opens a store that must already exist (for commands that only read).
    pub fn open_existing(&self) -> anyhow::Result<SqliteStore> {
        if !self.db.exists() {
            bail!(
                "no store at {}; create one with `kroniek ingest PATH…` or `kroniek demo --db {}`",
                self.db.display(),
                self.db.display()
            );
        }
        self.open()
    }
}

/// Finds a document by its full id or an unambiguous prefix (at least 4 hex digits).
pub fn resolve_id(store: &dyn Store, given: &str) -> anyhow::Result<DocId> {
    let given = given.trim();
    if let Some(id) = DocId::parse(given) {
        return Ok(id);
    }
    if given.len() < 4 || !given.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("{given:?} is not a document id (16 hexadecimal digits, or a prefix of at least 4)");
    }
    let ids = store.ids_with_prefix(given, 6)?;
    match ids.as_slice() {
        [] => bail!("no document id starts with {given}"),
        [one] => Ok(*one),
        many => bail!(
            "{given} is ambiguous: {}{}",
            many.iter()
                .take(5)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if many.len() > 5 { ", …" } else { "" }
        ),
    }
}
