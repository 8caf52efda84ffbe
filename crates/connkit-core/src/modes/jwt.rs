//! JWT: a token the server signs with what the form posted, as Nango's JWT client makes one
//! (`packages/shared/lib/auth/jwt.ts`, `createCredentials`; spec §3.9), for providers signing
//! with HMAC (`signature.protocol: HMAC`).
//!
//! The values are the posted ones and `connectionConfig` (ghost-admin's `privateKey` text
//! `id:secret` is split into `{id, secret}` first). The provider's `token.payload` and
//! `token.header` are filled in (`credentials.` stripped, strings through `interpolateString`
//! and dropped when a `${…}` is left, arrays of strings resolved, split at commas and kept when
//! something is left), `iat` and `exp` (`iat + token.expires_in_ms / 1000`) added. The token is
//! jsonwebtoken's: the header `{alg, typ: "JWT", …token.header}`, the payload, each as
//! base64url JSON, signed with HMAC under the key `token.signing_key` filled in, read as hex
//! (`hmac_secret_encoding: hex`, the default, as Node's `Buffer.from(key, 'hex')`) or UTF-8.
//! The credentials are `{type: "JWT", …posted values, token, expires_at}`; they are made again
//! when they expire.
//!
//! Not implemented (`auth_mode_unsupported`, spec §12): RSA and EC signatures (apple-app-store,
//! snowflake-jwt).
//!
//! Knows nothing about HTTP, storage or sessions.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Sha256, Sha384, Sha512};

use super::Context;
use super::failure::{Failure, ModeError, issue};
use super::sign::{SignError, jws_header, pem_key, sign_jwt};
use super::template::{interpolate, interpolate_object, strip_credentials};
use crate::js::{base64url, json_stringify, to_iso_string};
use crate::oauth2::time;
use crate::prelude::*;
use crate::{Detail, ErrorCode};

/// What stored JWT credentials give a renewal: every member but `token`, `expires_at` and
/// `type`.
pub fn jwt_stored_inputs(credentials: &Value) -> Map<String, Value> {
    let mut out = credentials.as_object().cloned().unwrap_or_default();
    for key in ["token", "expires_at", "type"] {
        out.shift_remove(key);
    }
    out
}

/// JWT credentials for the posted (or stored) `inputs` and the connection_config. Errors:
/// `missing_token_body` and `missing_signature_type` for an entry without `token` or
/// `signature`, `auth_mode_unsupported` for a protocol other than HMAC or an algorithm other
/// than HS256/384/512.
pub fn jwt_credentials(
    provider: &crate::catalogue::Provider,
    inputs: Map<String, Value>,
    connection_config: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<Value, ModeError> {
    jwt_from_entry(
        provider.name(),
        provider.json(),
        inputs,
        connection_config,
        ctx,
    )
}

/// [`jwt_credentials`] for the catalogue entry `json` named `name` (a JWT entry, or a TWO_STEP
/// entry's `signature` and `token`).
pub(crate) fn jwt_from_entry(
    name: &str,
    json: &Map<String, Value>,
    mut inputs: Map<String, Value>,
    connection_config: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<Value, ModeError> {
    let Some(token) = json.get("token").and_then(Value::as_object) else {
        return Err(incomplete("missing_token_body", "token"));
    };
    let Some(signature) = json.get("signature").and_then(Value::as_object) else {
        return Err(incomplete("missing_signature_type", "signature"));
    };
    let protocol = signature
        .get("protocol")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.contains("ghost-admin")
        && let Some(Value::String(key)) = inputs.get("privateKey")
    {
        let mut parts = key.split(':');
        let mut split = Map::new();
        split.insert(
            "id".to_owned(),
            parts.next().map_or(Value::Null, Value::from),
        );
        split.insert(
            "secret".to_owned(),
            parts.next().map_or(Value::Null, Value::from),
        );
        inputs.insert("privateKey".to_owned(), Value::Object(split));
    }
    let mut merged = inputs
        .get("connectionConfig")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    merged.extend(connection_config.clone());
    let mut values = inputs.clone();
    values.insert("connectionConfig".to_owned(), Value::Object(merged));
    let empty = Map::new();
    let object = |key: &str| token.get(key).and_then(Value::as_object).unwrap_or(&empty);
    let mut payload = filled(object("payload"), &values, ctx, true);
    let now_secs = ctx.now_ms.div_euclid(1000);
    let lifetime_ms = token
        .get("expires_in_ms")
        .and_then(Value::as_f64)
        .unwrap_or(f64::NAN);
    payload.insert("iat".to_owned(), Value::from(now_secs));
    let exp = serde_json::Number::from_f64(now_secs as f64 + lifetime_ms / 1000.0)
        .map_or(Value::Null, Value::Number);
    payload.insert("exp".to_owned(), exp);
    let provided = filled(object("header"), &values, ctx, false);
    let alg = object("header")
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("");
    let header = jws_header(alg, None, &provided);
    let key_template = strip_credentials(token.get("signing_key").unwrap_or(&Value::Null));
    let key_text = match &key_template {
        Value::String(s) => interpolate(s, &values, ctx),
        _ => String::new(),
    };
    let field = key_field(&key_template);
    let jwt = if protocol == "HMAC" {
        let key = match signature
            .get("hmac_secret_encoding")
            .and_then(Value::as_str)
        {
            Some("utf8") => key_text.into_bytes(),
            _ => node_hex(&key_text),
        };
        let signing_input = format!(
            "{}.{}",
            base64url(json_stringify(&Value::Object(header)).as_bytes()),
            base64url(json_stringify(&Value::Object(payload)).as_bytes())
        );
        let mac = hmac(alg, &key, signing_input.as_bytes())
            .ok_or_else(|| unsupported(&["token", "header", "alg"], alg))?;
        format!("{signing_input}.{}", base64url(&mac))
    } else {
        // Any other protocol (RSA, EC): `formatPem` under the key's own label, then
        // jsonwebtoken with `algorithm: token.header.alg`.
        let Some(key) = pem_key(&key_text) else {
            return Err(bad_key(
                if super::pem::format_pem(&key_text, "PRIVATE KEY").is_some() {
                    "failed_to_sign"
                } else {
                    "failed_to_generate"
                },
                &field,
            ));
        };
        match sign_jwt(&header, &payload, &key, ctx.random) {
            Ok(jwt) => jwt,
            Err(SignError::Algorithm) => {
                return Err(unsupported(&["token", "header", "alg"], alg));
            }
            Err(SignError::KeyMismatch) => return Err(bad_key("failed_to_sign", &field)),
        }
    };
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::from("JWT"));
    for (k, v) in inputs {
        out.insert(k, v);
    }
    out.insert("token".to_owned(), Value::String(jwt));
    let expires = time(ctx.now_ms as f64 + lifetime_ms)
        .and_then(to_iso_string)
        .map_or(Value::Null, Value::String);
    out.insert("expires_at".to_owned(), expires);
    Ok(Value::Object(out))
}

/// The payload's or header's members filled in; `arrays`: arrays of strings resolved and split
/// at commas (the payload only).
fn filled(
    template: &Map<String, Value>,
    values: &Map<String, Value>,
    ctx: &Context<'_>,
    arrays: bool,
) -> Map<String, Value> {
    // `/\$\{[^{}]*\}/`, near enough: a `${` with a `}` after it.
    let unresolved = |s: &str| {
        s.find("${")
            .and_then(|at| s.get(at..))
            .is_some_and(|rest| rest.contains('}'))
    };
    let mut out = Map::new();
    for (key, value) in template {
        match strip_credentials(value) {
            Value::Object(_) if arrays && value.is_array() => {
                let items: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|item| interpolate(&item.replace("credentials.", ""), values, ctx))
                    .filter(|text| !unresolved(text))
                    .flat_map(|text| {
                        text.split(',')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(Value::from)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                if !items.is_empty() {
                    out.insert(key.clone(), Value::Array(items));
                }
            }
            Value::Null => {
                out.insert(key.clone(), Value::Null);
            }
            stripped @ Value::Object(_) => {
                out.insert(key.clone(), interpolate_object(&stripped, values, ctx));
            }
            Value::String(text) => {
                let text = interpolate(&text, values, ctx);
                if !unresolved(&text) {
                    out.insert(key.clone(), Value::String(text));
                }
            }
            other => {
                out.insert(key.clone(), other);
            }
        }
    }
    out
}

/// Node's `Buffer.from(text, 'hex')`: pairs of hex digits up to the first pair that is not one.
fn node_hex(text: &str) -> Vec<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    text.as_bytes()
        .chunks_exact(2)
        .map_while(|pair| match pair {
            [high, low] => Some((digit(*high)? * 16 + digit(*low)?) as u8),
            _ => None,
        })
        .collect()
}

fn hmac(alg: &str, key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    macro_rules! sign {
        ($hash:ty) => {{
            let mut mac = <Hmac<$hash>>::new_from_slice(key).ok()?;
            mac.update(message);
            Some(mac.finalize().into_bytes().to_vec())
        }};
    }
    match alg {
        "HS256" => sign!(Sha256),
        "HS384" => sign!(Sha384),
        "HS512" => sign!(Sha512),
        _ => None,
    }
}

/// The posted field a `signing_key` (or assertion `key`) template names: `privateKey` for
/// `${credentials.privateKey}`, else `signing_key`.
pub(crate) fn key_field(template: &Value) -> String {
    template
        .as_str()
        .and_then(|t| t.strip_prefix("${"))
        .and_then(|t| t.strip_suffix('}'))
        .filter(|t| !t.contains(['$', '{', '}']))
        .map(|t| t.rsplit('.').next().unwrap_or(t).to_owned())
        .unwrap_or_else(|| "signing_key".to_owned())
}

/// A key that cannot sign: `failed_to_generate` (not PEM) or `failed_to_sign` (PEM, but not a
/// key jsonwebtoken signs with for this algorithm), Nango's `AuthCredentialsError`s.
pub(crate) fn bad_key(code: &'static str, field: &str) -> ModeError {
    Failure::new(
        code,
        format!("The private key `{field}` cannot sign the JWT: it is not an RSA or P-256 private key in PEM that suits the algorithm."),
        issue(ErrorCode::PemInvalid, &[field], Detail::Name(field.to_owned())),
    )
    .into()
}

fn incomplete(code: &'static str, attribute: &str) -> ModeError {
    Failure::new(
        code,
        format!("The provider's `{attribute}` is missing."),
        issue(
            ErrorCode::AuthProviderIncomplete,
            &[attribute],
            Detail::Name(attribute.to_owned()),
        ),
    )
    .into()
}

fn unsupported(path: &[&str], what: &str) -> ModeError {
    Failure::new(
        "auth_mode_unsupported",
        format!("connkit does not sign JWTs with `{what}`."),
        issue(
            ErrorCode::AuthModeUnsupported,
            path,
            Detail::Name(what.to_owned()),
        ),
    )
    .into()
}
