//! The WebSocket of the OAuth flow (spec §3.5) at `/`: taken before routing, so that a request
//! to `/` that is no WebSocket upgrade goes on to the other routes (the demo's page).
//!
//! Knows nothing about what the socket is told: `oauth/ws.rs` holds the clients.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CONNECTION, UPGRADE};
use axum::response::{IntoResponse, Response};

use crate::oauth::ws::{PATH, wait};
use crate::state::AppState;

/// A WebSocket upgrade at [`PATH`] becomes a waiting client (its answer is `Ok`); every other
/// request is handed back to go on (so `GET /` still serves the demo's page). Called by the
/// middleware of `lib.rs`.
pub(crate) async fn upgrade(state: &AppState, request: Request) -> Result<Response, Request> {
    if request.uri().path() != PATH || !is_upgrade(&request) {
        return Err(request);
    }
    let (mut parts, _) = request.into_parts();
    let state = state.clone();
    Ok(
        match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(upgrade) => upgrade.on_upgrade(move |socket| async move {
                let lifetime = state.settings().oauth_flow_ttl;
                wait(socket, state.oauth().sockets(), lifetime).await;
            }),
            Err(rejection) => rejection.into_response(),
        },
    )
}

fn is_upgrade(request: &Request) -> bool {
    let has = |name, token: &str| {
        request
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    has(UPGRADE, "websocket") && has(CONNECTION, "upgrade")
}
