//! Requests to token endpoints: a client that follows no redirect (a token request goes only
//! where core built its URL) and resolves `localhost` and every `*.localhost` name to the
//! loopback address, as RFC 6761 asks (the local provider of the demo and the tests is
//! `http://<subdomain>.localhost:PORT`); other names go to the system resolver.
//!
//! Logs a failure's status and its URL as `redact` shows it (no query: token URLs may carry
//! credentials), never a body, a header or a token. Knows nothing about what the request means.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use connkit_core::modes::{HttpRequest, HttpResponse, Method};
use connkit_core::oauth2::TokenRequest;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::Value;

use crate::redact;

/// Why a token request gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenFailure {
    /// No answer (connection refused, timeout, bad URL).
    Unreachable,
    /// A non-2xx status.
    Status(u16),
    /// A 2xx answer that is not JSON.
    NotJson,
}

impl std::fmt::Display for TokenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenFailure::Unreachable => f.write_str("The token endpoint could not be reached."),
            TokenFailure::Status(status) => {
                write!(f, "The token endpoint answered with status {status}.")
            }
            TokenFailure::NotJson => f.write_str("The token endpoint's answer is not JSON."),
        }
    }
}

/// The outbound client for token endpoints.
pub(super) fn client() -> Result<reqwest::Client, reqwest::Error> {
    builder().build()
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(LocalhostIsLoopback))
        .user_agent(concat!("connkit-server/", env!("CARGO_PKG_VERSION")))
}

/// Sends a request core built for an auth mode and returns the provider's answer, whatever its
/// status; `None` when none came (no connection, timeout, a client certificate rustls cannot
/// read). A request with a client certificate goes through a client of its own, which presents
/// it; the server's certificate is verified as always.
pub(crate) async fn send(http: &reqwest::Client, request: &HttpRequest) -> Option<HttpResponse> {
    let own;
    let http = match &request.client_identity {
        None => http,
        Some(identity) => {
            let pem = format!("{}{}", identity.certificate_pem, identity.private_key_pem);
            let identity = reqwest::Identity::from_pem(pem.as_bytes()).ok()?;
            own = builder().identity(identity).build().ok()?;
            &own
        }
    };
    let mut builder = match request.method {
        Method::Get => http.get(&request.url),
        Method::Post => http.post(&request.url),
    };
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(url = %redact::url(&request.url), error = redact::request_error(&err), "auth request failed");
            return None;
        }
    };
    let status = response.status().as_u16();
    let mut headers = Vec::new();
    for (name, value) in response.headers() {
        if let Ok(value) = value.to_str() {
            headers.push((name.as_str().to_owned(), value.to_owned()));
        }
    }
    if !(200..300).contains(&status) {
        tracing::warn!(url = %redact::url(&request.url), status, "auth request refused");
    }
    let bytes = response.bytes().await.ok()?;
    Some(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// POSTs `request` and reads its JSON answer.
pub(crate) async fn post_token(
    http: &reqwest::Client,
    request: &TokenRequest,
) -> Result<Value, TokenFailure> {
    let mut builder = http.post(&request.url).body(request.body.clone());
    for (name, value) in &request.headers {
        builder = builder.header(*name, value.as_str());
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(url = %redact::url(&request.url), error = redact::request_error(&err), "token request failed");
            return Err(TokenFailure::Unreachable);
        }
    };
    let status = response.status();
    if !status.is_success() {
        tracing::warn!(url = %redact::url(&request.url), %status, "token request refused");
        return Err(TokenFailure::Status(status.as_u16()));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|_| TokenFailure::Unreachable)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenFailure::NotJson)
}

/// `localhost` and `*.localhost` are 127.0.0.1; everything else is the system's to resolve.
#[derive(Debug)]
struct LocalhostIsLoopback;

impl Resolve for LocalhostIsLoopback {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        Box::pin(async move {
            if host == "localhost" || host.ends_with(".localhost") {
                let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
                return Ok(Box::new(std::iter::once(loopback)) as Addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}
