//! The modes whose credentials connkit makes without asking the provider (spec §3.9): TBA
//! (`postTba.ts`: the posted token, and the client overrides in `config_override`) and
//! SIGNATURE (`packages/shared/lib/auth/signature.ts`: a WSSE `UsernameToken` made now, valid
//! for the provider's `token.expires_in_ms`, made again when it expires).
//!
//! Knows nothing about HTTP, storage or where the nonce comes from.

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use super::failure::{Failure, ModeError, issue};
use super::template::hex;
use crate::catalogue::Provider;
use crate::js::{base64, to_iso_string};
use crate::prelude::*;
use crate::{Detail, ErrorCode};

/// TBA's credentials from its checked body (`token_id`, `token_secret`, the optional
/// `oauth_client_id_override` and `oauth_client_secret_override`): `{type: "TBA", token_id,
/// token_secret, config_override: {client_id?, client_secret?}}`.
pub fn tba_credentials(body: &Map<String, Value>) -> Value {
    let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or("");
    let mut over = Map::new();
    for (from, to) in [
        ("oauth_client_id_override", "client_id"),
        ("oauth_client_secret_override", "client_secret"),
    ] {
        if !text(from).is_empty() {
            over.insert(to.to_owned(), Value::from(text(from)));
        }
    }
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::from("TBA"));
    out.insert("token_id".to_owned(), Value::from(text("token_id")));
    out.insert("token_secret".to_owned(), Value::from(text("token_secret")));
    out.insert("config_override".to_owned(), Value::Object(over));
    Value::Object(out)
}

/// SIGNATURE's credentials for `username` and `password` at `now_ms`, with `nonce` (16 random
/// bytes as lowercase hex): `{type: "SIGNATURE", username, password, token, expires_at}`, the
/// token `UsernameToken Username="…", PasswordDigest="…", Nonce="…", Created="…"` where the
/// digest is the base64 of the lowercase hex SHA-1 of nonce, time and password. Errors:
/// `unsupported_signature_protocol` unless the provider's `signature.protocol` is `WSSE`.
pub fn signature_credentials(
    provider: &Provider,
    username: &str,
    password: &str,
    now_ms: i64,
    nonce: &str,
) -> Result<Value, ModeError> {
    let json = provider.json();
    let protocol = json
        .get("signature")
        .and_then(|s| s.get("protocol"))
        .and_then(Value::as_str);
    if protocol != Some("WSSE") {
        return Err(Failure::new(
            "unsupported_signature_protocol",
            "Signature protocol not currently supported",
            issue(
                ErrorCode::AuthModeUnsupported,
                &["signature", "protocol"],
                Detail::Name(protocol.unwrap_or("").to_owned()),
            ),
        )
        .into());
    }
    let lifetime = json
        .get("token")
        .and_then(|t| t.get("expires_in_ms"))
        .and_then(Value::as_f64)
        .unwrap_or(f64::NAN);
    let created = to_iso_string(now_ms).unwrap_or_default();
    let digest = hex(&Sha1::digest(
        format!("{nonce}{created}{password}").as_bytes(),
    ));
    let token = format!(
        "UsernameToken Username=\"{username}\", PasswordDigest=\"{}\", Nonce=\"{nonce}\", Created=\"{created}\"",
        base64(digest.as_bytes())
    );
    // `new Date(now + expires_in_ms)`: without a number, an invalid date, written `null`.
    let expires = crate::oauth2::time(now_ms as f64 + lifetime)
        .and_then(to_iso_string)
        .map_or(Value::Null, Value::String);
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::from("SIGNATURE"));
    out.insert("username".to_owned(), Value::from(username));
    out.insert("password".to_owned(), Value::from(password));
    out.insert("token".to_owned(), Value::String(token));
    out.insert("expires_at".to_owned(), expires);
    Ok(Value::Object(out))
}
