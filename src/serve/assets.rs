//! The explorer page and its assets (`web/`), compiled into the binary: the server needs no
//! files beside it and no network (the JavaScript libraries are vendored under `web/vendor/`).

use axum::extract::Path as UrlPath;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/"]
#[exclude = "node_modules/*"]
#[exclude = "package*.json"]
#[exclude = "*.sh"]
struct Assets;

/// GET `/`: the explorer page.
pub async fn index() -> Response {
    serve("index.html")
}

/// GET `/assets/{path}`: a file of the page.
pub async fn file(UrlPath(path): UrlPath<String>) -> Response {
    serve(&path)
}

fn serve(path: &str) -> Response {
    match Assets::get(path) {
        Some(file) => {
            let media_type = file.metadata.mimetype().to_owned();
            ([(header::CONTENT_TYPE, media_type), (header::CACHE_CONTROL, "no-cache".to_owned())], file.data).into_response()
        }
        None => (StatusCode::NOT_FOUND, format!("no file {path:?} in the explorer's assets\n")).into_response(),
    }
}
