//! What the OAuth 2 flow keeps (spec §3.5, §6.3): a flow between its redirect and its callback
//! (found by its `state`, taken once), a session read by id at the callback, a connection's
//! refreshed credentials, and the time of its last failed refresh.
//!
//! The `state` is stored only as an HMAC, and the PKCE verifier, the flow's connection_config
//! and its return URL (redirect mode, which may carry a session token) are sealed like
//! credentials. Knows nothing about HTTP or the OAuth rules.

use serde_json::{Map, Value};

use super::{Backend, Result, Session, Store, StoreError, seal_context};
use crate::timestamp::Micros;

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

/// The sealed part of a flow, as its row stores it.
pub(super) struct FlowRow {
    pub(super) expires_at: Micros,
    pub(super) connect_session: i64,
    pub(super) provider_config_key: String,
    pub(super) provider: String,
    pub(super) connection_id: String,
    pub(super) ws_client_id: Option<String>,
    pub(super) webhook_url_override: Option<String>,
    pub(super) sealed: Vec<u8>,
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
        match &self.backend {
            Backend::Sqlite(db) => db.create_oauth_flow(flow, &hash, &sealed).await,
        }
    }

    /// Takes the flow waiting for `state` (it is gone afterwards), expired or not.
    pub(crate) async fn take_oauth_flow(
        &self,
        state: &str,
        now: Micros,
    ) -> Result<Option<OAuthFlow>> {
        let hash = self.keys.token_hash(state);
        let row = match &self.backend {
            Backend::Sqlite(db) => db.take_oauth_flow(&hash).await?,
        };
        let Some(row) = row else {
            return Ok(None);
        };
        let plain = self
            .keys
            .open(&row.sealed, &flow_context(&hash))
            .map_err(|_| StoreError::new("an OAuth flow does not open under the configured key"))?;
        let secret: Value = serde_json::from_slice(&plain)?;
        let code_verifier = secret["code_verifier"].as_str().unwrap_or("").to_owned();
        let connection_config = secret["connection_config"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let return_url = secret["return_url"].as_str().map(str::to_owned);
        Ok(Some(OAuthFlow {
            expired: row.expires_at <= now,
            connect_session: row.connect_session,
            provider_config_key: row.provider_config_key,
            provider: row.provider,
            connection_id: row.connection_id,
            ws_client_id: row.ws_client_id,
            webhook_url_override: row.webhook_url_override,
            code_verifier,
            connection_config,
            return_url,
        }))
    }

    /// The session with row id `id`, expired or not (an OAuth callback reads the session its
    /// flow started under; deleted sessions are gone).
    pub(crate) async fn session_by_id(&self, id: i64) -> Result<Option<Session>> {
        match &self.backend {
            Backend::Sqlite(db) => db.session_by_id(id).await,
        }
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
        match &self.backend {
            Backend::Sqlite(db) => db.refresh_credentials(id, &sealed, now).await,
        }
    }

    /// When the connection's last refresh failed, if it did since the last success.
    pub(crate) async fn refresh_failure(&self, id: i64) -> Result<Option<Micros>> {
        match &self.backend {
            Backend::Sqlite(db) => db.refresh_failure(id).await,
        }
    }

    /// Records a failed refresh (`Some(time)`) or forgets the last one (`None`).
    pub(crate) async fn set_refresh_failure(&self, id: i64, at: Option<Micros>) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(db) => db.set_refresh_failure(id, at).await,
        }
    }
}
