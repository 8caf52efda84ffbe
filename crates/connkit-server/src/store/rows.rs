//! Rows as both backends return them, decoded once: sessions', connections', OAuth flows' and
//! outbox rows' columns come back under the same names from SQLite and PostgreSQL, JSON as text
//! (SQLite's TEXT, PostgreSQL's `json` cast to text in the column list), times as Unix
//! microseconds. A new session's JSON columns are written as text once here too.
//!
//! Knows nothing about SQL statements or which backend a row came from.

use serde_json::{Map, Value};
use sqlx::{ColumnIndex, Decode, Row, Type};

use super::oauth::{FlowRow, OAuthFlow};
use super::{
    ConnectionRow, FailedWebhook, NewSession, PendingWebhook, Result, Session, StoreError,
};

/// A row of either backend whose text and integer columns decode by name.
pub(super) trait StoredRow: Row
where
    for<'a> &'a str: ColumnIndex<Self>,
{
    fn text(&self, name: &str) -> Result<String>;
    fn text_opt(&self, name: &str) -> Result<Option<String>>;
    fn int(&self, name: &str) -> Result<i64>;
    fn int_opt(&self, name: &str) -> Result<Option<i64>>;
    fn bytes(&self, name: &str) -> Result<Vec<u8>>;
    fn bytes_opt(&self, name: &str) -> Result<Option<Vec<u8>>>;
}

impl<R: Row> StoredRow for R
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn text(&self, name: &str) -> Result<String> {
        Ok(self.try_get(name)?)
    }

    fn text_opt(&self, name: &str) -> Result<Option<String>> {
        Ok(self.try_get(name)?)
    }

    fn int(&self, name: &str) -> Result<i64> {
        Ok(self.try_get(name)?)
    }

    fn int_opt(&self, name: &str) -> Result<Option<i64>> {
        Ok(self.try_get(name)?)
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>> {
        Ok(self.try_get(name)?)
    }

    fn bytes_opt(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.try_get(name)?)
    }
}

/// A session from the columns `id, end_user, organization, allowed_integrations,
/// integrations_config_defaults, overrides, webhook_url_override, tags, reconnect_connection`.
pub(super) fn session<R: StoredRow>(r: &R) -> Result<Session>
where
    for<'a> &'a str: ColumnIndex<R>,
{
    let allowed_integrations = match value_opt(r.text_opt("allowed_integrations")?)? {
        Some(Value::Array(items)) => Some(
            items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    };
    Ok(Session {
        id: r.int("id")?,
        end_user: value_opt(r.text_opt("end_user")?)?,
        organization: value_opt(r.text_opt("organization")?)?,
        allowed_integrations,
        integrations_config_defaults: value_opt(r.text_opt("integrations_config_defaults")?)?,
        overrides: value_opt(r.text_opt("overrides")?)?,
        webhook_url_override: r.text_opt("webhook_url_override")?,
        tags: object(r.text("tags")?)?,
        reconnect_connection: r.int_opt("reconnect_connection")?,
    })
}

/// A connection from the columns of [`ConnectionRow`], under the same names.
pub(super) fn connection<R: StoredRow>(r: &R) -> Result<ConnectionRow>
where
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(ConnectionRow {
        id: r.int("id")?,
        connection_id: r.text("connection_id")?,
        provider_config_key: r.text("provider_config_key")?,
        provider: r.text("provider")?,
        auth_mode: r.text("auth_mode")?,
        connection_config: object(r.text("connection_config")?)?,
        metadata: object_opt(r.text_opt("metadata")?)?,
        tags: object(r.text("tags")?)?,
        end_user: value_opt(r.text_opt("end_user")?)?,
        webhook_url_override: r.text_opt("webhook_url_override")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
        last_fetched_at: r.int_opt("last_fetched_at")?,
    })
}

/// A pending outbox row from `id, url, body, attempts, next_attempt_at`.
pub(super) fn pending_webhook<R: StoredRow>(r: &R) -> Result<PendingWebhook>
where
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(PendingWebhook {
        id: r.int("id")?,
        url: r.text("url")?,
        body: r.text("body")?,
        attempts: attempts(r)?,
        next_attempt_at: r.int("next_attempt_at")?,
    })
}

/// A failed outbox row from `id, url, body, created_at, attempts, last_error, failed_at`.
pub(super) fn failed_webhook<R: StoredRow>(r: &R) -> Result<FailedWebhook>
where
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(FailedWebhook {
        id: r.int("id")?,
        url: r.text("url")?,
        body: r.text("body")?,
        created_at: r.int("created_at")?,
        attempts: attempts(r)?,
        last_error: r.text_opt("last_error")?,
        failed_at: r.int("failed_at")?,
    })
}

/// An OAuth flow from `expires_at, connect_session, provider_config_key, provider,
/// connection_id, ws_client_id, webhook_url_override, sealed`. The client id is read as bytes:
/// PostgreSQL keeps it in `bytea` (a client may send any text, NUL included), SQLite in TEXT.
pub(super) fn oauth_flow<R: StoredRow>(r: &R) -> Result<FlowRow>
where
    for<'a> &'a str: ColumnIndex<R>,
{
    let ws_client_id = r
        .bytes_opt("ws_client_id")?
        .map(|bytes| {
            String::from_utf8(bytes).map_err(|_| StoreError::new("a stored client id is not UTF-8"))
        })
        .transpose()?;
    Ok(FlowRow {
        expires_at: r.int("expires_at")?,
        sealed: r.bytes("sealed")?,
        flow: OAuthFlow {
            expired: false,
            connect_session: r.int("connect_session")?,
            provider_config_key: r.text("provider_config_key")?,
            provider: r.text("provider")?,
            connection_id: r.text("connection_id")?,
            ws_client_id,
            webhook_url_override: r.text_opt("webhook_url_override")?,
            code_verifier: String::new(),
            connection_config: Map::new(),
            return_url: None,
        },
    })
}

/// The newest failed outbox rows (from [`failed_webhook`]'s columns) and the count of pending
/// ones, as `Store::failed_webhooks` returns them.
pub(super) fn failed_page<R: StoredRow>(
    found: &[R],
    pending: i64,
) -> Result<(Vec<FailedWebhook>, u64)>
where
    for<'a> &'a str: ColumnIndex<R>,
{
    let failed = found
        .iter()
        .map(failed_webhook)
        .collect::<Result<Vec<_>>>()?;
    Ok((failed, u64::try_from(pending).unwrap_or(0)))
}

fn attempts<R: StoredRow>(r: &R) -> Result<u32>
where
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(u32::try_from(r.int("attempts")?).unwrap_or(u32::MAX))
}

/// A new session's JSON columns, as text.
pub(super) struct SessionColumns {
    pub(super) end_user: Option<String>,
    pub(super) organization: Option<String>,
    pub(super) allowed_integrations: Option<String>,
    pub(super) integrations_config_defaults: Option<String>,
    pub(super) overrides: Option<String>,
    pub(super) tags: String,
}

pub(super) fn session_columns(s: &NewSession) -> SessionColumns {
    SessionColumns {
        end_user: json_opt(s.end_user.as_ref()),
        organization: json_opt(s.organization.as_ref()),
        allowed_integrations: s
            .allowed_integrations
            .as_ref()
            .map(|a| Value::from(a.clone()).to_string()),
        integrations_config_defaults: json_opt(s.integrations_config_defaults.as_ref()),
        overrides: json_opt(s.overrides.as_ref()),
        tags: s.tags.to_json().to_string(),
    }
}

/// The JSON text of an optional value.
pub(super) fn json_opt(value: Option<&Value>) -> Option<String> {
    value.map(Value::to_string)
}

fn value_opt(text: Option<String>) -> Result<Option<Value>> {
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
}

/// A stored JSON object.
pub(super) fn object(text: String) -> Result<Map<String, Value>> {
    match serde_json::from_str(&text)? {
        Value::Object(map) => Ok(map),
        _ => Err(StoreError::new("a stored JSON object is not an object")),
    }
}

/// A stored JSON object, or NULL.
pub(super) fn object_opt(text: Option<String>) -> Result<Option<Map<String, Value>>> {
    text.map(object).transpose()
}
