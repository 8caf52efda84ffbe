//! BILL: a bill.com session for the posted user, as Nango's Bill client opens one
//! (`packages/shared/lib/auth/bill.ts`; spec §3.9): a POST of `{username, password,
//! organizationId, devKey}` as JSON to the provider's `token_url` (as written: no
//! interpolation), a 200 answer holding `sessionId`; the credentials `{type: "BILL", username,
//! password, organization_id, dev_key, raw, session_id, user_id?, expires_at}`, expiring 35
//! minutes after (bill.com sessions idle out), opened again when they expire.
//!
//! Knows nothing about HTTP clients, storage or sessions.

use serde_json::{Map, Value};

use super::failure::{Failure, ModeError, issue, missing_token_url};
use super::http::{HttpRequest, HttpResponse};
use crate::js::{json_stringify, to_iso_string};
use crate::limits::BILL_EXPIRES_MS;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue};

/// The four values a BILL body (or stored BILL credentials) holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillLogin {
    /// `username`.
    pub username: String,
    /// `password`.
    pub password: String,
    /// `organization_id`.
    pub organization_id: String,
    /// `dev_key`.
    pub dev_key: String,
}

impl BillLogin {
    /// From a checked body or stored credentials (missing members are empty).
    pub fn from_values(values: &Value) -> BillLogin {
        let text = |key: &str| {
            values
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        BillLogin {
            username: text("username"),
            password: text("password"),
            organization_id: text("organization_id"),
            dev_key: text("dev_key"),
        }
    }
}

/// The login request. Errors: `missing_token_url` when the provider's `token_url` is no
/// string.
pub fn bill_request(
    provider_json: &Map<String, Value>,
    login: &BillLogin,
) -> Result<HttpRequest, ModeError> {
    let Some(url) = provider_json
        .get("token_url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    else {
        return Err(missing_token_url().into());
    };
    let mut body = Map::new();
    body.insert("username".to_owned(), Value::from(login.username.clone()));
    body.insert("password".to_owned(), Value::from(login.password.clone()));
    body.insert(
        "organizationId".to_owned(),
        Value::from(login.organization_id.clone()),
    );
    body.insert("devKey".to_owned(), Value::from(login.dev_key.clone()));
    let headers = vec![
        (
            "Accept".to_owned(),
            "application/json, text/plain, */*".to_owned(),
        ),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    Ok(HttpRequest::post(
        url.to_owned(),
        headers,
        Some(json_stringify(&Value::Object(body))),
    ))
}

/// Reads the login's answer at `now_ms`. Errors: `bill_tokens_fetch_error` for a status outside
/// 2xx or an answer without `sessionId`, `invalid_bill_credentials` for a 2xx other than 200.
pub fn bill_response(
    login: &BillLogin,
    response: &HttpResponse,
    now_ms: i64,
) -> Result<Value, ModeError> {
    let refused = |code: &'static str| -> ModeError {
        Failure::new(
            code,
            "bill.com refused the login.",
            issue(
                ErrorCode::AuthProviderRefused,
                &[],
                Detail::Limit(usize::from(response.status)),
            ),
        )
        .into()
    };
    if !(200..300).contains(&response.status) {
        return Err(refused("bill_tokens_fetch_error"));
    }
    if response.status != 200 {
        return Err(refused("invalid_bill_credentials"));
    }
    let raw = response.data();
    let session = raw.get("sessionId").filter(|v| crate::oauth2::truthy(v));
    let Some(session) = session.cloned() else {
        return Err(Failure::new(
            "bill_tokens_fetch_error",
            "The bill.com answer holds no sessionId.",
            Issue::new(ErrorCode::AuthTokenMissing, Vec::new()),
        )
        .into());
    };
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::from("BILL"));
    out.insert("username".to_owned(), Value::from(login.username.clone()));
    out.insert("password".to_owned(), Value::from(login.password.clone()));
    if let Some(org) = raw.get("organizationId") {
        out.insert("organization_id".to_owned(), org.clone());
    }
    out.insert("dev_key".to_owned(), Value::from(login.dev_key.clone()));
    out.insert("raw".to_owned(), raw.clone());
    out.insert("session_id".to_owned(), session);
    if let Some(user) = raw.get("userId") {
        out.insert("user_id".to_owned(), user.clone());
    }
    let expires =
        to_iso_string(now_ms.saturating_add(BILL_EXPIRES_MS)).map_or(Value::Null, Value::String);
    out.insert("expires_at".to_owned(), expires);
    Ok(Value::Object(out))
}

/// The login gave no answer.
pub fn bill_unreachable() -> ModeError {
    Failure::new(
        "bill_tokens_fetch_error",
        "bill.com could not be reached.",
        Issue::new(ErrorCode::AuthProviderRefused, Vec::new()),
    )
    .into()
}
