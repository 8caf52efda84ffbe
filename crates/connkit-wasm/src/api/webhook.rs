//! The webhook exports: `signWebhook` (the headers Nango sends with a webhook body) and
//! `verifyWebhook` (a received body checked against them).
//!
//! Glue only: signing and verifying are connkit-core's. Knows nothing about forms, tags,
//! sessions or metadata.

use connkit_core::JsonType;
use connkit_core::webhook::{sign, verify};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::js;
use crate::prelude::*;
use crate::read::{object_arg, string_arg, type_issue};
use crate::write::{issues, object, result, to_js};

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
