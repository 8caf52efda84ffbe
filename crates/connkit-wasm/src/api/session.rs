//! The connect-session exports: `validateConnectSessionRequest` (`POST /connect/sessions`) and
//! `validateReconnectSessionRequest` (`POST /connect/sessions/reconnect`), each answering with
//! the normalised request in Nango's own (snake_case) names.
//!
//! Glue only: the session rules are connkit-core's. Knows nothing about forms, metadata or
//! webhooks.

use connkit_core::session::{
    ConnectSessionRequest, validate_connect_session, validate_reconnect_session,
};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::prelude::*;
use crate::read::json;
use crate::write::{failure_of, result, string_array, to_js};

/// Validates a `POST /connect/sessions` body; the value is the normalised request.
#[wasm_bindgen(js_name = validateConnectSessionRequest)]
pub fn validate_connect_session_request(body: JsValue) -> JsValue {
    match json(&body) {
        Ok(body) => result(validate_connect_session(&body), |r| {
            to_js(&session_view(&r))
        }),
        Err(issue) => failure_of(&issue),
    }
}

/// Validates a `POST /connect/sessions/reconnect` body; the value is the normalised request.
#[wasm_bindgen(js_name = validateReconnectSessionRequest)]
pub fn validate_reconnect_session_request(body: JsValue) -> JsValue {
    match json(&body) {
        Ok(body) => result(validate_reconnect_session(&body), |r| {
            to_js(&session_view(&r))
        }),
        Err(issue) => failure_of(&issue),
    }
}

fn tags(tags: &connkit_core::tags::Tags) -> Value {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.to_owned(), Value::from(v)))
            .collect(),
    )
}

/// The normalised request in Nango's names; absent parts are left out.
fn session_view(req: &ConnectSessionRequest) -> Value {
    let mut out = Map::new();
    if let Some(r) = req.reconnect() {
        out.insert("connection_id".into(), r.connection_id().into());
        out.insert("integration_id".into(), r.integration_id().into());
    }
    if let Some(eu) = req.end_user() {
        out.insert("end_user".into(), eu.to_json());
    }
    if let Some(o) = req.organization() {
        out.insert("organization".into(), o.to_json());
    }
    if let Some(a) = req.allowed_integrations() {
        out.insert("allowed_integrations".into(), string_array(a));
    }
    if let Some(defaults) = req.integrations_config_defaults_json() {
        out.insert("integrations_config_defaults".into(), defaults);
    }
    if let Some(overrides) = req.overrides_json() {
        out.insert("overrides".into(), overrides);
    }
    if let Some(url) = req.webhook_url_override() {
        out.insert("webhook_url_override".into(), url.into());
    }
    out.insert("tags".into(), tags(req.tags()));
    Value::Object(out)
}
