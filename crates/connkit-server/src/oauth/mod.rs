//! What the OAuth 2 flow keeps in the process, around core's rules (spec §3.5, §6.3, §12.27):
//! the WebSocket clients waiting for a flow's outcome (`ws.rs`), the callback page (`page.rs`),
//! the outbound HTTP client for token endpoints and the requests of the modes that obtain
//! credentials (`http.rs`) and the per-connection refresh locks (`flight.rs`).
//! The routes that use them are `routes/oauth.rs`, `routes/oauth_return.rs`, `routes/ws.rs` and
//! `routes/refresh.rs`.
//!
//! Knows nothing about SQL (the WebSocket clients reach other servers through the store), the
//! app's state or routes; every rule (URLs, requests, responses,
//! when to refresh) is `connkit_core::oauth2`'s.

pub(crate) mod flight;
mod http;
pub(crate) mod page;
pub(crate) mod ws;

use std::time::Duration;

use connkit_core::pattern::EcmaRegex;

use crate::store::Store;

pub(crate) use http::{post_token, send};

/// What the OAuth flow keeps in the process: one per [`crate::AppState`].
#[derive(Debug)]
pub(crate) struct OAuth {
    sockets: ws::Sockets,
    refreshes: flight::InFlight,
    http: reqwest::Client,
    matcher: EcmaRegex,
}

impl OAuth {
    /// The flow's machinery; the WebSocket clients' outcomes go through `store` when other
    /// servers share it, looked for every `relay_look` (needs a Tokio runtime).
    pub(crate) fn new(store: Store, relay_look: Duration) -> Result<OAuth, reqwest::Error> {
        Ok(OAuth {
            sockets: ws::Sockets::new(store, relay_look),
            refreshes: flight::InFlight::default(),
            http: http::client()?,
            matcher: EcmaRegex::new(),
        })
    }

    /// The WebSocket clients waiting for an outcome.
    pub(crate) fn sockets(&self) -> &ws::Sockets {
        &self.sockets
    }

    /// The per-connection refresh locks.
    pub(crate) fn refreshes(&self) -> &flight::InFlight {
        &self.refreshes
    }

    /// The client for token endpoints (no redirects followed; `*.localhost` is loopback).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The regular-expression engine that checks connection_config values.
    pub(crate) fn matcher(&self) -> &EcmaRegex {
        &self.matcher
    }
}
