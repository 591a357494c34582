//! kroniek-server: the HTTP API and web UI (to come; see issue 8).
//!
//! The server is stateless per request: the store is the only state.
#![deny(missing_docs)]
