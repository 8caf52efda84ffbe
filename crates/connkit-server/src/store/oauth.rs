//! What the OAuth 2 flow keeps (spec §3.5, §6.3, §12.27): a flow between its redirect and its
//! callback (found by its `state`, taken once), a redirect-mode flow's result until its page
//! reads it (found by its id, read once by its session), a session read by id at the callback, a
//! connection's refreshed credentials, and the time of its last failed refresh. Both kinds of
//! row live in the database, so servers sharing one (PostgreSQL) serve either step.
//!
//! The `state` and a result's id are stored only as HMACs, and the PKCE verifier, the flow's connection_config
//! and its return URL (redirect mode, which may carry a session token) are sealed like
//! credentials. Knows nothing about HTTP or the OAuth rules.

use serde_json::{Map, Value};

use super::{Result, Session, Store, StoreError, on_backend, seal_context};
use crate::crypto::random_hex;
use crate::timestamp::Micros;

/// How long a redirect-mode result waits to be read: the return is one redirect away, so
/// minutes are plenty.
const RESULT_LIFETIME: Micros = 10 * 60 * 1_000_000;

/// A flow to keep until its callback.
#[derive(Debug, Clone)]
pub(crate) struct NewOAuthFlow {
    /// The `state` the authorize URL carries (stored only as an HMAC).
    pub(crate) state: String,
    pub(crate) created_at: Micros,
    pub(crate) expires_at: Micros,
    /// The connect session's row id.
    pub(crate) connect_session: i64,
    pub(crate) provider_config_key: String,
    pub(crate) provider: String,
    pub(crate) connection_id: String,
    pub(crate) ws_client_id: Option<String>,
    pub(crate) webhook_url_override: Option<String>,
    pub(crate) code_verifier: String,
    pub(crate) connection_config: Map<String, Value>,
    /// Where a redirect-mode flow returns (spec §12.27), checked against the allowed origins.
    pub(crate) return_url: Option<String>,
}

/// A flow taken back by its callback.
#[derive(Debug, Clone)]
pub(crate) struct OAuthFlow {
    /// True when the callback came after `expires_at`.
    pub(crate) expired: bool,
    pub(crate) connect_session: i64,
    pub(crate) provider_config_key: String,
    pub(crate) provider: String,
    pub(crate) connection_id: String,
    pub(crate) ws_client_id: Option<String>,
    pub(crate) webhook_url_override: Option<String>,
    pub(crate) code_verifier: String,
    pub(crate) connection_config: Map<String, Value>,
    pub(crate) return_url: Option<String>,
}

/// A flow's row: its expiry, its sealed part, and the rest already as the flow (`expired` false
/// and the sealed fields empty until [`Store::take_oauth_flow`] opens them).
pub(super) struct FlowRow {
    pub(super) expires_at: Micros,
    pub(super) sealed: Vec<u8>,
    pub(super) flow: OAuthFlow,
}

fn flow_context(state_hash: &[u8]) -> Vec<u8> {
    let mut out = b"oauth-flow\0".to_vec();
    out.extend_from_slice(state_hash);
    out
}

impl Store {
    /// Keeps a flow until its callback (or its expiry).
    pub(crate) async fn create_oauth_flow(&self, flow: &NewOAuthFlow) -> Result<()> {
        let hash = self.keys.token_hash(&flow.state);
        let secret = serde_json::json!({
            "code_verifier": flow.code_verifier,
            "connection_config": flow.connection_config,
            "return_url": flow.return_url,
        });
        let sealed = self
            .keys
            .seal(&serde_json::to_vec(&secret)?, &flow_context(&hash));
        on_backend!(self, db => db.create_oauth_flow(flow, &hash, &sealed).await)
    }

    /// Takes the flow waiting for `state` (it is gone afterwards), expired or not.
    pub(crate) async fn take_oauth_flow(
        &self,
        state: &str,
        now: Micros,
    ) -> Result<Option<OAuthFlow>> {
        let hash = self.keys.token_hash(state);
        let row = on_backend!(self, db => db.take_oauth_flow(&hash).await?);
        let Some(FlowRow {
            expires_at,
            sealed,
            mut flow,
        }) = row
        else {
            return Ok(None);
        };
        let plain = self
            .keys
            .open(&sealed, &flow_context(&hash))
            .map_err(|_| StoreError::new("an OAuth flow does not open under the configured key"))?;
        let secret: Value = serde_json::from_slice(&plain)?;
        flow.expired = expires_at <= now;
        flow.code_verifier = secret["code_verifier"].as_str().unwrap_or("").to_owned();
        flow.connection_config = secret["connection_config"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        flow.return_url = secret["return_url"].as_str().map(str::to_owned);
        Ok(Some(flow))
    }

    /// Keeps `message` (the WebSocket message of a redirect-mode flow's outcome) for the
    /// connect session with row id `session`; returns the result's id (32 random bytes, hex).
    /// `session` is `None` when the flow failed before its session was known: nothing is kept,
    /// and reading the id finds nothing, as for any unknown id.
    pub(crate) async fn put_oauth_result(
        &self,
        session: Option<i64>,
        message: &Value,
        now: Micros,
    ) -> Result<String> {
        let id = random_hex(32);
        if let Some(session) = session {
            let hash = self.keys.token_hash(&id);
            let text = serde_json::to_string(message)?;
            let expires_at = now.saturating_add(RESULT_LIFETIME);
            on_backend!(self, db => db.put_oauth_result(&hash, session, &text, expires_at, now).await?);
        }
        Ok(id)
    }

    /// The message kept under `id` for `session`, which is then gone; `None` for an unknown,
    /// used or expired id, or another session's (which stays for its own).
    pub(crate) async fn take_oauth_result(
        &self,
        id: &str,
        session: i64,
        now: Micros,
    ) -> Result<Option<Value>> {
        let hash = self.keys.token_hash(id);
        let row = on_backend!(self, db => db.take_oauth_result(&hash, session).await?);
        match row {
            Some((text, expires_at)) if expires_at > now => Ok(Some(serde_json::from_str(&text)?)),
            _ => Ok(None),
        }
    }

    /// The session with row id `id`, expired or not (an OAuth callback reads the session its
    /// flow started under; deleted sessions are gone).
    pub(crate) async fn session_by_id(&self, id: i64) -> Result<Option<Session>> {
        on_backend!(self, db => db.session_by_id(id).await)
    }

    /// Replaces a connection's credentials after a refresh and forgets its last failure.
    pub(crate) async fn refresh_credentials(
        &self,
        id: i64,
        key: &str,
        connection_id: &str,
        credentials: &Value,
        now: Micros,
    ) -> Result<()> {
        let plain = serde_json::to_vec(credentials)?;
        let sealed = self.keys.seal(&plain, &seal_context(key, connection_id));
        on_backend!(self, db => db.refresh_credentials(id, &sealed, now).await)
    }

    /// When the connection's last refresh failed, if it did since the last success.
    pub(crate) async fn refresh_failure(&self, id: i64) -> Result<Option<Micros>> {
        on_backend!(self, db => db.refresh_failure(id).await)
    }

    /// Records a failed refresh (`Some(time)`) or forgets the last one (`None`).
    pub(crate) async fn set_refresh_failure(&self, id: i64, at: Option<Micros>) -> Result<()> {
        on_backend!(self, db => db.set_refresh_failure(id, at).await)
    }
}
