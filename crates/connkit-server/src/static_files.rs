//! `--static-dir`: the built demo's files, for GET and HEAD requests no route matches, confined
//! to the directory, with a content security policy fit for its pages.
//!
//! Confined: a path with an empty segment (`//connect`, which would redirect to the
//! protocol-relative `//connect/`), a segment starting with `.` (dotfiles, `..`), a backslash
//! or a NUL is not served, nor is a file or directory whose real path (symbolic links
//! resolved) lies outside the directory. What is not served is the JSON 404 of an unknown
//! route. Only requests to a local name get files (`browser::local_host`).
//!
//! Every answer carries the pages' policy: scripts only from this origin, the WebAssembly they
//! compile, and the page's own inline scripts by hash (Trunk writes one to start the module);
//! styles from this origin (style attributes allowed, as the demo sets its colour with one);
//! requests only to this origin, except on `/connect/…`, the widget's page, which calls the
//! `apiURL` it is given and must stay frameable by any page (`openConnectUI`); every other
//! page may be framed by none.
//!
//! Knows nothing about the API routes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Router, middleware};
use connkit_core::js::decode_uri_component;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::browser::{LocalHosts, local_host};
use crate::crypto::base64;

/// The largest page whose inline scripts are hashed; a larger one gets no inline script.
const LARGEST_PAGE: usize = 1024 * 1024;

/// The widget's page and its files, frameable by any page.
const FRAMEABLE: &str = "/connect/";

/// `router` with the files of `dir` as its fallback.
pub(crate) fn serve(router: Router, dir: &Path, hosts: LocalHosts) -> Router {
    let files = Arc::new(StaticFiles::new(dir));
    let fallback = Router::new()
        .fallback(move |request: Request| {
            let files = files.clone();
            async move { files.answer(request).await }
        })
        .layer(middleware::from_fn_with_state(hosts, local_host));
    router.fallback_service(fallback)
}

#[derive(Debug)]
struct StaticFiles {
    /// The directory, its real path when it has one.
    root: PathBuf,
    files: ServeDir,
}

impl StaticFiles {
    fn new(dir: &Path) -> StaticFiles {
        let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
        StaticFiles {
            files: ServeDir::new(&root).append_index_html_on_directories(true),
            root,
        }
    }

    async fn answer(&self, request: Request) -> Response {
        if !matches!(*request.method(), Method::GET | Method::HEAD) {
            return crate::unknown_route().await;
        }
        let path = request.uri().path().to_owned();
        if !self.confined(&path) {
            return crate::unknown_route().await;
        }
        let Ok(response) = self.files.clone().oneshot(request).await;
        if response.status() == StatusCode::NOT_FOUND {
            return crate::unknown_route().await;
        }
        with_policy(response.map(Body::new), path.starts_with(FRAMEABLE)).await
    }

    /// True if `path` names nothing outside the directory and no hidden file.
    fn confined(&self, path: &str) -> bool {
        let Some(decoded) = decode_uri_component(path) else {
            return false;
        };
        let Some(relative) = decoded.strip_prefix('/') else {
            return false;
        };
        let mut segments: Vec<&str> = relative.split('/').collect();
        // A directory's trailing `/` leaves one empty segment at the end, and `/` only that.
        if segments.last() == Some(&"") {
            segments.pop();
        }
        let clean = segments
            .iter()
            .all(|s| !s.is_empty() && !s.starts_with('.') && !s.contains(['\\', '\0']));
        if !clean {
            return false;
        }
        let target = segments.iter().fold(self.root.clone(), |p, s| p.join(s));
        let index = target.join("index.html");
        [target, index]
            .iter()
            .all(|p| match std::fs::canonicalize(p) {
                Ok(real) => real.starts_with(&self.root),
                // Missing: nothing to serve there (a 404 from ServeDir).
                Err(_) => true,
            })
    }
}

/// `response` with the pages' policy; an HTML page's inline scripts are allowed by hash.
async fn with_policy(response: Response, frameable: bool) -> Response {
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let (mut parts, body) = response.into_parts();
    let (body, hashes) = if is_html {
        match axum::body::to_bytes(body, LARGEST_PAGE).await {
            Ok(bytes) => {
                let hashes = inline_script_hashes(&String::from_utf8_lossy(&bytes));
                parts.headers.insert(CONTENT_LENGTH, bytes.len().into());
                (Body::from(bytes), hashes)
            }
            Err(_) => return crate::unknown_route().await,
        }
    } else {
        (body, Vec::new())
    };
    let connect = if frameable {
        "'self' http: https:"
    } else {
        "'self'"
    };
    let ancestors = if frameable { "*" } else { "'none'" };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src {connect}; \
         frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {ancestors}",
        hashes
            .iter()
            .map(|h| format!(" 'sha256-{h}'"))
            .collect::<String>()
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        parts.headers.insert(CONTENT_SECURITY_POLICY, value);
    }
    if !frameable {
        parts
            .headers
            .insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Response::from_parts(parts, body).into_response()
}

/// The base64 SHA-256 of each inline `<script>`'s text in `page` (scripts with `src` have none).
fn inline_script_hashes(page: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = page;
    while let Some(start) = find_ascii_ci(rest, "<script") {
        let after = &rest[start + "<script".len()..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let attributes = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(end) = find_ascii_ci(body, "</script") else {
            break;
        };
        if find_ascii_ci(attributes, "src=").is_none() {
            hashes.push(base64(&Sha256::digest(&body.as_bytes()[..end])));
        }
        rest = &body[end..];
    }
    hashes
}

/// Where `needle` (ASCII) first appears in `text`, ignoring ASCII case.
fn find_ascii_ci(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let page = "<head><script type=\"module\">\nrun();\n</script>\
                    <SCRIPT src=\"/a.js\"></SCRIPT><script>x</Script></head>";
        assert_eq!(
            inline_script_hashes(page),
            [
                base64(&Sha256::digest(b"\nrun();\n")),
                base64(&Sha256::digest(b"x"))
            ]
        );
        assert!(inline_script_hashes("<p>no script</p>").is_empty());
    }
}
