//! TWO_STEP's JWT `assertion` (`assertion.type: jwt`), as Nango's `generateJwtAssertion` and
//! `isJwtAssertionExpired` make and judge it (`packages/shared/lib/auth/assertion.ts`; spec
//! §3.9).
//!
//! The values are `{credentials: <the posted values but assertionOption>, connectionConfig,
//! assertionOption}`. `assertion.key` (none → `missing_private_key`) is filled in and read as
//! `generatePrivateKey` reads it (PKCS#8; `sign.rs`); each `assertion.header` and
//! `assertion.payload` string is filled in (`interpolateString`, nothing dropped). The payload
//! is `{iat: now, exp: now + (lifetimeInSeconds ?? 3600), …payload}`, the header jsonwebtoken's
//! `{alg: "HS256", typ: "JWT", …header}` (so `header.alg` names the algorithm). An assertion
//! already in the values is kept while its `exp` is more than 60 seconds away.
//!
//! SAML assertions (`assertion.type: saml`, sap-success-factors) are `saml.rs`'s.
//!
//! Knows nothing about HTTP, storage or sessions.

use serde_json::{Map, Value};

use super::Context;
use super::expiry::jwt_exp;
use super::failure::{Failure, ModeError, incomplete, issue};
use super::pem::format_pem;
use super::sign::{SignError, assertion_key, jws_header, sign_jwt};
use super::template::interpolate;
use crate::prelude::*;
use crate::{Detail, ErrorCode};

/// Nango's `ASSERTION_REFRESH_MARGIN_SECONDS`.
const REFRESH_MARGIN_MS: f64 = 60_000.0;

/// Whether `existing` is a JWT whose numeric `exp` is more than 60 seconds after now.
pub(crate) fn assertion_fresh(existing: &Value, now_ms: i64) -> bool {
    let Some(text) = existing.as_str().filter(|t| !t.is_empty()) else {
        return false;
    };
    jwt_exp(text).is_some_and(|exp| exp * 1000.0 - now_ms as f64 >= REFRESH_MARGIN_MS)
}

/// The signed assertion for `assertion` (the provider's), the posted values (without
/// `assertionOption`), the connection_config and `assertionOption`.
pub(crate) fn jwt_assertion(
    assertion: &Map<String, Value>,
    credentials: &Map<String, Value>,
    config: &Map<String, Value>,
    assertion_option: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<String, ModeError> {
    let key_template = assertion.get("key").and_then(Value::as_str).unwrap_or("");
    if key_template.is_empty() {
        let message = "The provider's assertion has no key.";
        return Err(incomplete("missing_private_key", message, "assertion").into());
    }
    let mut values = Map::new();
    values.insert("credentials".to_owned(), Value::Object(credentials.clone()));
    values.insert("connectionConfig".to_owned(), Value::Object(config.clone()));
    values.insert(
        "assertionOption".to_owned(),
        Value::Object(assertion_option.clone()),
    );
    let text = |value: &Value| -> Result<Value, ModeError> {
        match value {
            Value::String(s) => Ok(Value::String(interpolate(s, &values, ctx))),
            // `interpolateString` of anything else throws.
            _ => Err(failed("failed_to_generate_jwt_assertion", &["assertion"])),
        }
    };
    let key_text = interpolate(key_template, &values, ctx);
    let now_secs = ctx.now_ms.div_euclid(1000);
    let lifetime = match assertion.get("lifetimeInSeconds") {
        None | Some(Value::Null) => 3600.0,
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        // `now + '300'` is a string, and jsonwebtoken refuses a string `exp`.
        Some(_) => return Err(failed("failed_to_generate_jwt_assertion", &["assertion"])),
    };
    let mut payload = Map::new();
    payload.insert("iat".to_owned(), Value::from(now_secs));
    payload.insert(
        "exp".to_owned(),
        serde_json::Number::from_f64(now_secs as f64 + lifetime).map_or(Value::Null, Value::Number),
    );
    let empty = Map::new();
    let members = |name: &str| {
        assertion
            .get(name)
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    };
    for (k, v) in members("payload") {
        payload.insert(k.clone(), text(v)?);
    }
    let mut given = Map::new();
    for (k, v) in members("header") {
        given.insert(k.clone(), text(v)?);
    }
    let header = jws_header("HS256", None, &given);
    let path = key_path(key_template);
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let Some(key) = assertion_key(&key_text) else {
        // `formatPem` throws a plain error; a body OpenSSL does not read is
        // `invalid_private_key_format`.
        let readable = format_pem(&key_text.replace("\\n", "\n"), "PRIVATE KEY").is_some();
        let code = if readable {
            "invalid_private_key_format"
        } else {
            "failed_to_generate_jwt_assertion"
        };
        return Err(failed(code, &path));
    };
    sign_jwt(&header, &payload, &key, ctx.random).map_err(|e| match e {
        SignError::Algorithm => {
            let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
            Failure::new(
                "auth_mode_unsupported",
                format!("connkit does not sign JWT assertions with `{alg}`."),
                issue(
                    ErrorCode::AuthModeUnsupported,
                    &["assertion", "header", "alg"],
                    Detail::Name(alg.to_owned()),
                ),
            )
            .into()
        }
        SignError::KeyMismatch => failed("failed_to_sign", &path),
    })
}

/// The body path a key template names: `${assertionOption.privateKey}` →
/// `assertionOption.privateKey`, `${credentials.privateKey}` → `privateKey`.
pub(crate) fn key_path(template: &str) -> Vec<String> {
    let inner = template
        .strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .filter(|t| !t.contains(['$', '{', '}']));
    match inner {
        Some(path) => path
            .strip_prefix("credentials.")
            .unwrap_or(path)
            .split('.')
            .map(str::to_owned)
            .collect(),
        None => vec!["assertion".to_owned()],
    }
}

fn failed(code: &'static str, path: &[&str]) -> ModeError {
    let name = path.join(".");
    Failure::new(
        code,
        format!("The private key `{name}` cannot sign the JWT assertion: it is not a PKCS#8 RSA or P-256 private key in PEM that suits the algorithm."),
        issue(ErrorCode::PemInvalid, path, Detail::Name(name.clone())),
    )
    .into()
}
