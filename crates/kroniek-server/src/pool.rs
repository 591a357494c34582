//! A small pool of SQLite connections used from tokio's blocking threads.
//!
//! At most `max` connections exist; a task that finds none idle and the pool full waits
//! (on its blocking thread, never on the async executor) until one comes back.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use kroniek_store::SqliteStore;

use crate::ApiError;

pub(crate) struct Pool {
    path: PathBuf,
    max: usize,
    inner: Mutex<Inner>,
    returned: Condvar,
}

struct Inner {
    idle: Vec<SqliteStore>,
    open: usize,
}

impl Pool {
    pub(crate) fn new(path: PathBuf, max: usize) -> Pool {
        Pool {
            path,
            max,
            inner: Mutex::new(Inner {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave `Inner` inconsistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens one connection (creating and migrating the store) and keeps it idle.
    pub(crate) fn check(&self) -> Result<(), kroniek_store::Error> {
        let store = SqliteStore::open(&self.path)?;
        let mut inner = self.lock();
        inner.open += 1;
        inner.idle.push(store);
        Ok(())
    }

    fn take(&self) -> Result<SqliteStore, ApiError> {
        let mut inner = self.lock();
        loop {
            if let Some(s) = inner.idle.pop() {
                return Ok(s);
            }
            if inner.open < self.max {
                inner.open += 1;
                drop(inner);
                return SqliteStore::open(&self.path).map_err(|e| {
                    self.lock().open -= 1;
                    self.returned.notify_one();
                    ApiError::internal(e)
                });
            }
            inner = self.returned.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn give_back(&self, store: SqliteStore) {
        self.lock().idle.push(store);
        self.returned.notify_one();
    }

    fn discard(&self) {
        self.lock().open -= 1;
        self.returned.notify_one();
    }

    /// Runs `f` with a connection on a blocking thread.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteStore) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = pool.take()?;
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut store))) {
                Ok(result) => {
                    pool.give_back(store);
                    result
                }
                Err(_) => {
                    // The connection may be mid-transaction: drop it (rolls back).
                    drop(store);
                    pool.discard();
                    Err(ApiError::internal("a request handler panicked"))
                }
            }
        })
        .await
        .map_err(ApiError::internal)?
    }
}
