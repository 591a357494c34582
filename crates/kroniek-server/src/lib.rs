//! kroniek-server: the HTTP API and the web UI over a kroniek store.
//!
//! # Overview
//! [`Server::open`] opens (or creates) a store file and [`Server::router`] gives the
//! axum router with the JSON API under `/api/` and the web UI (static HTML, CSS and
//! vanilla JavaScript embedded in the binary) at `/`. [`serve`] runs it on a listener.
//!
//! The server is stateless per request: the store is the only state. SQLite work runs on
//! tokio's blocking threads through a small pool of connections (WAL lets readers run
//! beside the one writer); uploads go through the same read → annotate → store steps as
//! `kroniek ingest`, one upload at a time.
//!
//! Every error is JSON `{"error": "..."}` with a fitting status code; every list is
//! paged with `limit` (bounded by [`MAX_LIMIT`]) and `offset`.
#![deny(missing_docs)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

mod api;
mod error;
mod ingest;
mod pool;
mod ui;

pub use error::ApiError;

/// The largest `limit` any list accepts.
pub const MAX_LIMIT: usize = 200;
/// The `limit` of a list when none is given.
pub const DEFAULT_LIMIT: usize = 20;
/// The largest `offset` any list accepts (deeper paging should narrow the query instead).
pub const MAX_OFFSET: usize = 1_000_000;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The store file (created when absent).
    pub db: PathBuf,
    /// The largest accepted upload (`POST /api/ingest` body), in bytes.
    pub max_upload_bytes: usize,
    /// The largest accepted article inside an upload, in bytes.
    pub max_doc_bytes: usize,
    /// How many SQLite connections may work at once.
    pub connections: usize,
    /// Whether `POST /api/ingest` may write to the store.
    pub allow_upload: bool,
}

impl Config {
    /// Defaults for a store at `db`: uploads allowed up to 16 MiB, 4 MiB articles,
    /// 4 connections.
    pub fn new(db: impl Into<PathBuf>) -> Config {
        Config {
            db: db.into(),
            max_upload_bytes: 16 << 20,
            max_doc_bytes: 4 << 20,
            connections: 4,
            allow_upload: true,
        }
    }
}

/// A server over one store, ready to be turned into a router.
#[derive(Clone)]
pub struct Server {
    state: Arc<State>,
}

pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) pool: Arc<pool::Pool>,
    /// Serialises uploads: one writer at a time.
    pub(crate) ingest_lock: std::sync::Mutex<()>,
    /// The last `/api/stats` answer (it scans every article and annotation) with the
    /// store state it describes; see `api::stats`.
    pub(crate) stats: std::sync::Mutex<Option<(api::StatsKey, serde_json::Value)>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.state.config)
            .finish()
    }
}

impl Server {
    /// Opens (creating if needed) the store named in `config` and checks that it can be
    /// read.
    pub fn open(config: Config) -> Result<Server, kroniek_store::Error> {
        let pool = Arc::new(pool::Pool::new(
            config.db.clone(),
            config.connections.max(1),
        ));
        pool.check()?;
        let state = Arc::new(State {
            config,
            pool,
            ingest_lock: std::sync::Mutex::new(()),
            stats: std::sync::Mutex::new(None),
        });
        // Every page's filter form asks for the stats: count a large store once, now,
        // on a connection of its own, rather than on the first page's time.
        let warm = Arc::downgrade(&state);
        std::thread::spawn(move || {
            let Some(state) = warm.upgrade() else { return };
            if let Ok(mut store) = kroniek_store::SqliteStore::open(&state.config.db) {
                let _ = api::cached_stats(&state, &mut store);
            }
        });
        Ok(Server { state })
    }

    /// The store file.
    pub fn db(&self) -> &Path {
        &self.state.config.db
    }

    /// The router: `/api/…` (JSON) and the web UI.
    pub fn router(&self) -> Router {
        let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
        Router::new()
            .merge(api::routes(self.state.clone()))
            .merge(ui::routes())
            .fallback(error::not_found)
            .method_not_allowed_fallback(error::method_not_allowed)
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(csp),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ))
    }
}

/// Whether binding to `addr` keeps the server on this machine.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router).await
}

/// Binds `addr`, calls `on_bound` with the address actually bound (the port is chosen by
/// the system when `addr` has port 0), and serves until the process ends, on a tokio
/// runtime of its own. For callers without tokio (the CLI, tests).
pub fn run_blocking(
    server: &Server,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let router = server.router();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        on_bound(listener.local_addr()?);
        serve(listener, router).await
    })
}
