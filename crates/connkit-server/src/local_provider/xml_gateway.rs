//! `POST /xml-gateway`: a Sage Intacct-like XML gateway for TWO_STEP's `body_format: xml`.
//! It reads the `<request>` Intacct's `getAPISession` call posts (`control` with `senderid` and
//! `password`, `operation.authentication.login` with `userid`, `companyid` and `password`) and
//! answers Intacct's `<response>` with status 200 either way: on success
//! `operation.result.data.api.sessionid` and `operation.authentication.sessiontimeout` (now
//! plus [`LocalProvider::set_expires_in`], written `2026-08-21T11:00:00+00:00` as Intacct
//! writes it); a sender that is no known client's id and secret gets `control.status`
//! `failure`, a login other than [`DEMO_USER`], [`DEMO_USER_PASSWORD`] and [`DEMO_COMPANY`] an
//! `operation.authentication.status` `failure`, each with Intacct's `errormessage`. Counted
//! with [`LocalProvider::sessions`].
//!
//! The request is read and the answer written by core's XML reader and writer: the provider
//! has no XML code of its own. Knows nothing about connkit's API, sessions or store.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use connkit_core::js::to_iso_string;
use connkit_core::modes::{build_xml, parse_xml_as_written};
use serde_json::{Map, Value, json};
use std::sync::atomic::Ordering;

use super::{LocalProvider, no_store};
use crate::crypto::random_hex;

/// The user id the gateway's login knows.
pub const DEMO_USER: &str = "demo-user";
/// That user's password.
pub const DEMO_USER_PASSWORD: &str = "demo-user-secret";
/// The company the gateway's login knows.
pub const DEMO_COMPANY: &str = "ACME";

/// `POST /xml-gateway`.
pub(super) async fn xml_gateway(State(provider): State<LocalProvider>, body: Bytes) -> Response {
    provider.inner.sessions.fetch_add(1, Ordering::SeqCst);
    let tree = parse_xml_as_written(&String::from_utf8_lossy(&body)).unwrap_or(Value::Null);
    let at = |path: &str| {
        path.split('.')
            .try_fold(&tree, |value, key| value.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let sender = (
        at("request.control.senderid"),
        at("request.control.password"),
    );
    let control_id = at("request.control.controlid");
    let mut control = json!({
        "status": "success",
        "senderid": sender.0,
        "controlid": control_id,
        "uniqueid": "false",
        "dtdversion": "3.0",
    });
    if provider.inner.fail_token_requests.load(Ordering::SeqCst)
        || !provider.client_secret_ok(sender.0, sender.1)
    {
        control["status"] = json!("failure");
        let failure = json!({"control": control, "errormessage": error_message(
            "XL03000006",
            "Incorrect Intacct XML Partner ID or password.",
        )});
        return answer(failure);
    }
    let login = "request.operation.authentication.login";
    let [user, company, password] =
        ["userid", "companyid", "password"].map(|k| at(&format!("{login}.{k}")));
    let known = user == DEMO_USER && company == DEMO_COMPANY && password == DEMO_USER_PASSWORD;
    let now_ms = crate::timestamp::now() / 1000;
    let mut authentication = Map::new();
    authentication.insert("status".to_owned(), json!("success"));
    authentication.insert("userid".to_owned(), json!(user));
    authentication.insert("companyid".to_owned(), json!(company));
    if !known {
        authentication.insert("status".to_owned(), json!("failure"));
        let failure = json!({"control": control, "operation": {
            "authentication": authentication,
            "errormessage": error_message("XL03000006", "Sign-in information is incorrect"),
        }});
        return answer(failure);
    }
    let expires_in = provider.inner.expires_in.load(Ordering::SeqCst);
    let expires_ms = now_ms.saturating_add(i64::try_from(expires_in).unwrap_or(i64::MAX) * 1000);
    authentication.insert("locationid".to_owned(), json!(""));
    authentication.insert("sessiontimestamp".to_owned(), json!(intacct_time(now_ms)));
    authentication.insert("sessiontimeout".to_owned(), json!(intacct_time(expires_ms)));
    let function_id = at("request.operation.content.function.@_controlid");
    let success = json!({"control": control, "operation": {
        "authentication": authentication,
        "result": {
            "status": "success",
            "function": "getAPISession",
            "controlid": function_id,
            "data": {"api": {
                "sessionid": format!("demo-xml-{}", random_hex(16)),
                "endpoint": "https://api.intacct.com/ia/xml/xmlgw.phtml",
                "locationid": "",
            }},
        },
    }});
    answer(success)
}

/// Intacct's `errormessage` holding one error.
fn error_message(number: &str, text: &str) -> Value {
    json!({"error": {
        "errorno": number,
        "description": "",
        "description2": text,
        "correction": "",
    }})
}

/// `2026-08-21T11:00:00+00:00`: the ISO time without milliseconds, as Intacct writes it.
fn intacct_time(ms: i64) -> String {
    let iso = to_iso_string(ms).unwrap_or_default();
    format!("{}+00:00", iso.get(..19).unwrap_or(""))
}

/// `<response>` as Intacct answers it: a declaration, then the document, status 200.
fn answer(response: Value) -> Response {
    let mut root = Map::new();
    root.insert("response".to_owned(), response);
    let xml = build_xml(&root).unwrap_or_default();
    let text = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}");
    let content_type = [(
        CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    )];
    (StatusCode::OK, no_store(), content_type, text).into_response()
}
