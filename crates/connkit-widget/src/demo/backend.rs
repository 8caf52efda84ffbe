//! The demo page's backend calls: connkit-server's `/demo/api/*` routes, which act with the
//! secret key on the page's behalf (a real app would do this in its own backend). Same origin,
//! JSON in and out, each answer read into the typed shape below by serde (the demo page is not
//! the widget's first load); failures are the widget's [`ApiError`].
//!
//! Knows nothing about views.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use connkit_core::js::encode_uri_component;

use crate::api::{ApiError, json_ok};

const BASE: &str = "/demo/api";

/// A tags object as the server sends it: string values, in the server's key order.
pub type TagsObject = Map<String, Value>;

/// Which connection: what `GET`/`PATCH /connections/:id` and the metadata routes address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRef {
    /// `connection_id`.
    pub connection_id: String,
    /// `provider_config_key`.
    pub provider_config_key: String,
}

/// One item of `GET /connections` (the fields the demo shows; spec §6.2).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConnectionItem {
    /// `connection_id`.
    pub connection_id: String,
    /// `provider_config_key`.
    pub provider_config_key: String,
    /// `tags`.
    #[serde(default)]
    pub tags: TagsObject,
}

impl ConnectionItem {
    /// The address of this connection.
    pub fn reference(&self) -> ConnectionRef {
        ConnectionRef {
            connection_id: self.connection_id.clone(),
            provider_config_key: self.provider_config_key.clone(),
        }
    }
}

/// `GET /connections/:id` (the fields the demo shows; spec §6.3).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Connection {
    /// `connection_config`: free JSON, shown as JSON.
    #[serde(default)]
    pub connection_config: Value,
    /// `metadata`: free JSON, shown as JSON.
    #[serde(default)]
    pub metadata: Value,
    /// `tags`.
    #[serde(default)]
    pub tags: TagsObject,
}

/// One entry of the demo backend's webhook inbox.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Webhook {
    /// Whether its signature checked out.
    #[serde(default)]
    pub verified: bool,
    /// The webhook as posted.
    #[serde(default)]
    pub body: WebhookBody,
}

/// An auth webhook's body (the fields the demo shows; spec §7).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WebhookBody {
    /// `operation` (`creation`, `override`, …).
    pub operation: String,
    /// `providerConfigKey`.
    pub provider_config_key: String,
    /// `connectionId`.
    pub connection_id: String,
    /// `tags`.
    pub tags: TagsObject,
}

/// `{"tags": …}`: a new session's body, and a tags PATCH.
#[derive(Serialize)]
struct TagsBody<'a> {
    tags: &'a Value,
}

/// The metadata routes' body.
#[derive(Serialize)]
struct MetadataBody<'a> {
    connection_id: &'a str,
    provider_config_key: &'a str,
    metadata: &'a Value,
}

#[derive(Deserialize)]
struct SessionReply {
    data: NewSession,
}

#[derive(Deserialize)]
struct NewSession {
    token: String,
}

#[derive(Deserialize)]
struct WebhooksReply {
    #[serde(default)]
    webhooks: Vec<Webhook>,
}

#[derive(Deserialize)]
struct ConnectionsReply {
    #[serde(default)]
    connections: Vec<ConnectionItem>,
}

/// Any 2xx answer without `error`: only its success matters.
#[derive(Deserialize)]
struct Done {}

/// The JSON object of a 2xx answer read as `T`; a body of another shape is
/// [`ApiError::Invalid`], a failed call what [`json_ok`] makes of it.
async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    serde_json::from_value(json_ok(sent).await?).map_err(|_| ApiError::Invalid)
}

/// `POST /demo/api/sessions` with these tags; the session token.
pub async fn create_session(tags: &Value) -> Result<String, ApiError> {
    let request = Request::post(&format!("{BASE}/sessions"))
        .json(&TagsBody { tags })
        .map_err(|_| ApiError::Invalid)?;
    let reply: SessionReply = read(request.send().await).await?;
    Ok(reply.data.token)
}

/// `POST /connect/sessions/reconnect`'s body: the connection, and its tags (a reconnect
/// session's tags replace the connection's: spec §2.2).
#[derive(Serialize)]
struct ReconnectBody<'a> {
    connection_id: &'a str,
    integration_id: &'a str,
    tags: &'a TagsObject,
}

/// `POST /demo/api/sessions/reconnect` for `connection`, keeping its tags; the session token.
pub async fn reconnect_session(connection: &ConnectionItem) -> Result<String, ApiError> {
    let body = ReconnectBody {
        connection_id: &connection.connection_id,
        integration_id: &connection.provider_config_key,
        tags: &connection.tags,
    };
    let request = Request::post(&format!("{BASE}/sessions/reconnect"))
        .json(&body)
        .map_err(|_| ApiError::Invalid)?;
    let reply: SessionReply = read(request.send().await).await?;
    Ok(reply.data.token)
}

/// The received auth webhooks, newest first.
pub async fn webhooks() -> Result<Vec<Webhook>, ApiError> {
    let reply: WebhooksReply = read(Request::get(&format!("{BASE}/webhooks")).send().await).await?;
    Ok(reply.webhooks)
}

/// `GET /connections?<query>` (a tag filter query string).
pub async fn connections(query: &str) -> Result<Vec<ConnectionItem>, ApiError> {
    let url = format!("{BASE}/connections?{query}");
    let reply: ConnectionsReply = read(Request::get(&url).send().await).await?;
    Ok(reply.connections)
}

fn connection_url(at: &ConnectionRef) -> String {
    format!(
        "{BASE}/connections/{}?provider_config_key={}",
        encode_uri_component(&at.connection_id),
        encode_uri_component(&at.provider_config_key)
    )
}

/// `GET /connections/:id`.
pub async fn connection(at: &ConnectionRef) -> Result<Connection, ApiError> {
    read(Request::get(&connection_url(at)).send().await).await
}

/// `PATCH /connections/:id` with `{tags}` (the whole new set).
pub async fn patch_tags(at: &ConnectionRef, tags: &Value) -> Result<(), ApiError> {
    let request = Request::patch(&connection_url(at))
        .json(&TagsBody { tags })
        .map_err(|_| ApiError::Invalid)?;
    read::<Done>(request.send().await).await.map(|_| ())
}

/// How a metadata write treats the metadata already there (spec §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataWrite {
    /// `POST`: the new object replaces it.
    Set,
    /// `PATCH`: the new object's keys are merged into it.
    Update,
}

/// `POST` (set) or `PATCH` (update) `/connections/metadata`.
pub async fn save_metadata(
    at: &ConnectionRef,
    metadata: &Value,
    write: MetadataWrite,
) -> Result<(), ApiError> {
    let url = format!("{BASE}/connections/metadata");
    let builder = match write {
        MetadataWrite::Set => Request::post(&url),
        MetadataWrite::Update => Request::patch(&url),
    };
    let body = MetadataBody {
        connection_id: &at.connection_id,
        provider_config_key: &at.provider_config_key,
        metadata,
    };
    let request = builder.json(&body).map_err(|_| ApiError::Invalid)?;
    read::<Done>(request.send().await).await.map(|_| ())
}
