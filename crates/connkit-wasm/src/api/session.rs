//! Exports for what an app sends to its backend or to Nango: `validateMetadata`, `mergeMetadata`,
//! `validateConnectSessionRequest`, `validateReconnectSessionRequest`, `signWebhook`,
//! and `verifyWebhook`.
//!
//! Glue only. Session requests come back in Nango's own (snake_case) names, normalised.
//! Knows nothing about forms or tag filters.

use connkit_core::metadata::{Metadata, merge_metadata as merge, validate_metadata as validate};
use connkit_core::session::{
    ConnectSessionRequest, validate_connect_session, validate_reconnect_session,
};
use connkit_core::webhook::{sign, verify};
use connkit_core::{JsonType, ValidationError};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::js;
use crate::read::{json, object_arg, string_arg, type_issue};
use crate::write::{failure, failure_of, issues, object, result, string_array, to_js};

/// Validates metadata for `POST /connection/metadata` (replace): `{ ok, value, warnings }`.
#[wasm_bindgen(js_name = validateMetadata)]
pub fn validate_metadata(input: JsValue) -> JsValue {
    match json(&input) {
        Ok(input) => metadata_result(validate(&input)),
        Err(issue) => failure_of(&issue),
    }
}

/// Merges a metadata patch into `existing` (`PATCH /connection/metadata`) and validates the result.
#[wasm_bindgen(js_name = mergeMetadata)]
pub fn merge_metadata(existing: JsValue, patch: JsValue) -> JsValue {
    let existing = match object_arg(&existing, "existing", false) {
        Ok(it) => it,
        Err(issue) => return failure_of(&issue),
    };
    match json(&patch) {
        Ok(patch) => metadata_result(merge(&existing, &patch)),
        Err(issue) => failure_of(&issue),
    }
}

fn metadata_result(checked: Result<Metadata, ValidationError>) -> JsValue {
    match checked {
        Ok(m) => js::ok_warn(
            to_js(&Value::Object(m.value().clone())),
            issues(m.warnings()),
        ),
        Err(err) => failure(&err),
    }
}

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

/// The signature headers Nango sends with a webhook `body` (a string or bytes).
#[wasm_bindgen(js_name = signWebhook)]
pub fn sign_webhook(secret: JsValue, body: JsValue) -> JsValue {
    match (string_arg(&secret, "secret"), body_bytes(&body)) {
        (Ok(secret), Ok(body)) => {
            let sigs = sign(&secret, &body);
            js::ok(to_js(&object(vec![
                ("hmacSha256", sigs.hmac_sha256.into()),
                ("legacy", sigs.legacy.into()),
            ])))
        }
        (secret, body) => js::fail(issues(
            &[secret.err(), body.err()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        )),
    }
}

/// Verifies a received webhook: `signatures` holds the `X-Nango-Hmac-Sha256` value as
/// `hmacSha256` and, for old senders, the `X-Nango-Signature` value as `legacy`.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(secret: JsValue, body: JsValue, signatures: JsValue) -> JsValue {
    let secret = string_arg(&secret, "secret");
    let body = body_bytes(&body);
    let headers = object_arg(&signatures, "signatures", true);
    match (secret, body, headers) {
        (Ok(secret), Ok(body), Ok(headers)) => {
            let header = |name: &str| headers.get(name).and_then(Value::as_str);
            result(
                verify(&secret, &body, header("hmacSha256"), header("legacy")),
                |()| JsValue::TRUE,
            )
        }
        (secret, body, headers) => js::fail(issues(
            &[secret.err(), body.err(), headers.err()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        )),
    }
}

/// A webhook body: a string (its UTF-8 bytes) or a `Uint8Array`.
fn body_bytes(body: &JsValue) -> Result<Vec<u8>, connkit_core::Issue> {
    if let Some(text) = body.as_string() {
        return Ok(text.into_bytes());
    }
    match body.dyn_ref::<js_sys::Uint8Array>() {
        Some(bytes) => Ok(bytes.to_vec()),
        None => Err(type_issue("body", JsonType::String, body)),
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
