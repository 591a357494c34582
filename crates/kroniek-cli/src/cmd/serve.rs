//! `kroniek serve`: the HTTP API and the web UI over a store.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use kroniek_server::{Config, Server};

use super::db::DbArgs;

/// Serve the JSON API and the web UI (search, documents, timeline, stats).
///
/// Binds to loopback unless told otherwise; with --addr 127.0.0.1:0 the system picks a
/// free port. The bound address is printed as `listening on http://ADDR`. The API is
/// described at /api/openapi.json.
///
/// Examples:
///   kroniek demo --db demo.db && kroniek serve --db demo.db     then open http://127.0.0.1:8080/
///   kroniek serve --addr 127.0.0.1:0
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on (a non-loopback address exposes the store to the network)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    pub addr: SocketAddr,
    /// Largest accepted upload to POST /api/ingest, in MiB
    #[arg(long, default_value_t = 16, value_name = "MIB")]
    pub max_upload_mb: usize,
    /// Refuse uploads (POST /api/ingest): the store is only read
    #[arg(long)]
    pub no_upload: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.db.db.exists() {
        eprintln!(
            "note: no store at {}; starting with an empty one (upload articles with POST /api/ingest)",
            args.db.db.display()
        );
    }
    let mut config = Config::new(&args.db.db);
    config.max_upload_bytes = args.max_upload_mb.max(1) << 20;
    config.allow_upload = !args.no_upload;
    let server = Server::open(config)
        .with_context(|| format!("cannot open the store {}", args.db.db.display()))?;
    if !kroniek_server::is_loopback(&args.addr) {
        eprintln!(
            "warning: listening on {}, which other machines can reach; kroniek serve has no authentication{}",
            args.addr,
            if args.no_upload { "" } else { " (consider --no-upload)" }
        );
    }
    kroniek_server::run_blocking(&server, args.addr, |bound| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{bound}");
        let _ = out.flush();
    })
    .with_context(|| format!("cannot serve on {}", args.addr))?;
    Ok(ExitCode::SUCCESS)
}
