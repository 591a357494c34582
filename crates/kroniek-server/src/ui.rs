//! The web UI: one HTML page, one stylesheet and one script, embedded in the binary.
//! Pages are chosen by the URL fragment (`#/search`, `#/doc/ID`, `#/timeline`,
//! `#/stats`), so the server only ever serves these three files. The script builds every
//! piece of article text with `textContent`, never as HTML.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("ui/index.html");
const SCRIPT: &str = include_str!("ui/app.js");
const STYLE: &str = include_str!("ui/app.css");

pub(crate) fn routes() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/static/app.js", get(script))
        .route("/static/app.css", get(style))
}

fn cached(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

async fn index() -> impl IntoResponse {
    cached("text/html; charset=utf-8", INDEX)
}

async fn script() -> impl IntoResponse {
    cached("text/javascript; charset=utf-8", SCRIPT)
}

async fn style() -> impl IntoResponse {
    cached("text/css; charset=utf-8", STYLE)
}
