//! What the server does for browsers, whose pages may be hostile: security headers on every
//! answer, and a gate in front of what only a page of this server may reach (the demo routes
//! and the static pages).
//!
//! Every answer gets `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`, and,
//! unless the answer set its own (the static pages do, see `static_files.rs`),
//! `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` and
//! `X-Frame-Options: DENY`: JSON is never a document to run or frame.
//!
//! The gate ([`LocalHosts`]) answers 403 unless the `Host` header names a loopback host
//! (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`) or the host of `--public-url`: a page
//! that rebinds its own name to 127.0.0.1 (DNS rebinding) still sends its own name
//! ([`local_host`], for the static files, which other pages may load: the widget's module).
//! On the demo routes, which act with the secret key, a request with an `Origin` (browsers send
//! one on cross-origin requests and on every POST, PATCH and DELETE) must also come from this
//! very origin: no other page, not even another local one, may drive them ([`own_origin`]);
//! `Origin: null` passes only with `Sec-Fetch-Site: same-origin`.
//!
//! Knows nothing about routes or what the pages are.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The policy of an answer that sets none: nothing to load, run or frame.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The security headers every answer carries (set by the middleware of `lib.rs`).
pub(crate) fn set_security_headers(headers: &mut HeaderMap) {
    headers.reserve(4);
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_POLICY),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

/// The host names a page of this server is reached by.
#[derive(Debug, Clone)]
pub(crate) struct LocalHosts {
    /// The host of `--public-url`, lowercased.
    public: Arc<str>,
}

impl LocalHosts {
    /// Loopback names and addresses, and the host of `public_url`.
    pub(crate) fn new(public_url: &str) -> LocalHosts {
        let public = reqwest::Url::parse(public_url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        LocalHosts {
            public: public.into(),
        }
    }

    /// True if `authority` (a `Host` value: name or address, maybe a port) is one of ours.
    fn allows(&self, authority: &str) -> bool {
        let Some(host) = host_of(authority) else {
            return false;
        };
        if host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        if !self.public.is_empty()
            && host == self.public.trim_start_matches('[').trim_end_matches(']')
        {
            return true;
        }
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => ip.is_loopback(),
            Ok(IpAddr::V6(ip)) => ip == Ipv6Addr::LOCALHOST,
            Err(_) => false,
        }
    }

    /// Why `request` may not pass, if it may not; `same_origin` also refuses an `Origin` other
    /// than the request's own.
    fn refusal(&self, request: &Request, same_origin: bool) -> Option<&'static str> {
        let host = request
            .headers()
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !self.allows(host) {
            return Some("forbidden_host");
        }
        if !same_origin {
            return None;
        }
        if let Some(origin) = request.headers().get(ORIGIN) {
            // This server's pages are sent with `Referrer-Policy: no-referrer`, so a form they
            // post (the local provider's consent page) says `Origin: null` (Fetch, "serializing
            // a request origin"); `Sec-Fetch-Site`, which no page can set, then tells whether
            // the page was this origin's.
            if origin.as_bytes() == b"null" {
                let site = request.headers().get("sec-fetch-site");
                return match site.is_some_and(|s| s.as_bytes() == b"same-origin") {
                    true => None,
                    false => Some("forbidden_origin"),
                };
            }
            let authority = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://"))
                .map(|(_, authority)| authority);
            if authority.is_none_or(|a| !a.eq_ignore_ascii_case(host)) {
                return Some("forbidden_origin");
            }
        }
        None
    }
}

/// Middleware: only requests to a local name pass.
pub(crate) async fn local_host(
    State(hosts): State<LocalHosts>,
    request: Request,
    next: Next,
) -> Response {
    gate(&hosts, request, next, false).await
}

/// Middleware: only this server's own pages, reached by a local name, pass.
pub(crate) async fn own_origin(
    State(hosts): State<LocalHosts>,
    request: Request,
    next: Next,
) -> Response {
    gate(&hosts, request, next, true).await
}

async fn gate(hosts: &LocalHosts, request: Request, next: Next, same_origin: bool) -> Response {
    match hosts.refusal(&request, same_origin) {
        None => next.run(request).await,
        Some(code) => {
            tracing::warn!(code, "a request from a foreign host or origin was refused");
            (
                StatusCode::FORBIDDEN,
                Json(json!({"error": {"code": code}})),
            )
                .into_response()
        }
    }
}

/// The lowercased host of a `Host` value, without port, brackets or a final dot.
fn host_of(authority: &str) -> Option<String> {
    let authority = authority.trim();
    let host = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        inside
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if is_port(port) => host,
            Some(_) => return None,
            None => authority,
        }
    };
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_the_public_host_pass() {
        let hosts = LocalHosts::new("https://Demo.Example:8443/base");
        for ok in [
            "localhost",
            "LOCALHOST:3003",
            "app.localhost:3003",
            "a.b.localhost.",
            "127.0.0.1:3003",
            "127.9.9.9",
            "[::1]:3003",
            "[::1]",
            "demo.example",
            "demo.example:1",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "",
            "evil.example",
            "localhost.evil.example",
            "evillocalhost",
            "127.0.0.1.nip.io",
            "10.0.0.1:3003",
            "0.0.0.0",
            "[::2]:80",
            "[::1]x",
            "127.0.0.1:port",
            "demo.example.evil",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }
}
