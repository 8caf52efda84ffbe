//! Auth webhooks (spec §7): the payload sent after a connection is created, re-authorised or
//! fails to refresh; its bytes (keys sorted at every level, compact, like fast-safe-stringify's
//! `stableStringify`); and its signatures: `X-Nango-Hmac-Sha256` = hex HMAC-SHA256(secret, body)
//! and the legacy `X-Nango-Signature` = hex SHA-256(secret + body), under the `hmac` feature.
//!
//! Knows nothing about delivery (HTTP, retries) or where the secret comes from.

use serde_json::{Map, Value};

use crate::tags::Tags;

/// The header carrying hex HMAC-SHA256(secret, body) (what `@nangohq/node` verifies).
pub const HMAC_HEADER: &str = "X-Nango-Hmac-Sha256";
/// The deprecated header carrying hex SHA-256(secret + body).
pub const LEGACY_SIGNATURE_HEADER: &str = "X-Nango-Signature";

/// Why the webhook was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A new connection (successful or not).
    Creation,
    /// A successful re-authorisation of an existing connection.
    Override,
    /// A failed credential refresh.
    Refresh,
}

impl Operation {
    /// `"creation"`, `"override"` or `"refresh"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Operation::Creation => "creation",
            Operation::Override => "override",
            Operation::Refresh => "refresh",
        }
    }
}

/// The end user a connection was made for (present when its session had an `end_user`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndUser {
    /// `endUserId`.
    pub end_user_id: String,
    /// `endUserEmail` (`null` when unknown).
    pub end_user_email: Option<String>,
    /// `organizationId` (left out when unknown).
    pub organization_id: Option<String>,
    /// `tags`: the end user's own (legacy) tags, left out when none.
    pub tags: Option<Map<String, Value>>,
}

/// An auth webhook: build it, then send [`AuthWebhook::body`] with [`sign`]ed headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthWebhook {
    /// `connectionId`.
    pub connection_id: String,
    /// `providerConfigKey`: the integration's unique key.
    pub provider_config_key: String,
    /// `authMode`, e.g. `API_KEY`.
    pub auth_mode: String,
    /// `provider` (`unknown` when the provider cannot be found).
    pub provider: String,
    /// `environment`: the environment's name.
    pub environment: String,
    /// `operation`.
    pub operation: Operation,
    /// The connection's tags (the `tags` key is left out when `None`).
    pub tags: Option<Tags>,
    /// `endUser`, when the connection was made through a session with an `end_user`.
    pub end_user: Option<WebhookEndUser>,
    /// `success: false` with `error: {type, description}` when `Some`.
    pub error: Option<(String, String)>,
}

impl AuthWebhook {
    /// The payload as JSON.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        let mut put = |key: &str, value: Value| {
            map.insert(key.to_owned(), value);
        };
        put("from", Value::from("nango"));
        put("type", Value::from("auth"));
        put("connectionId", Value::from(self.connection_id.as_str()));
        put(
            "providerConfigKey",
            Value::from(self.provider_config_key.as_str()),
        );
        put("authMode", Value::from(self.auth_mode.as_str()));
        put("provider", Value::from(self.provider.as_str()));
        put("environment", Value::from(self.environment.as_str()));
        put("operation", Value::from(self.operation.as_str()));
        put("success", Value::Bool(self.error.is_none()));
        if let Some(tags) = &self.tags {
            put("tags", tags.to_json());
        }
        if let Some(end_user) = &self.end_user {
            let mut user = Map::new();
            user.insert(
                "endUserId".into(),
                Value::from(end_user.end_user_id.as_str()),
            );
            user.insert(
                "endUserEmail".into(),
                end_user
                    .end_user_email
                    .as_deref()
                    .map_or(Value::Null, Value::from),
            );
            if let Some(org) = &end_user.organization_id {
                user.insert("organizationId".into(), Value::from(org.as_str()));
            }
            if let Some(tags) = &end_user.tags {
                user.insert("tags".into(), Value::Object(tags.clone()));
            }
            put("endUser", Value::Object(user));
        }
        if let Some((kind, description)) = &self.error {
            let mut error = Map::new();
            error.insert("type".into(), Value::from(kind.as_str()));
            error.insert("description".into(), Value::from(description.as_str()));
            put("error", Value::Object(error));
        }
        Value::Object(map)
    }

    /// The exact bytes to send and sign: [`stable_stringify`] of [`AuthWebhook::to_json`].
    pub fn body(&self) -> String {
        stable_stringify(&self.to_json())
    }
}

/// Compact JSON with the keys of every object sorted as JavaScript's default `sort()` does
/// (by UTF-16 code units), as fast-safe-stringify's `stableStringify` writes it.
pub fn stable_stringify(value: &Value) -> String {
    let mut out = String::new();
    write_stable(value, &mut out);
    out
}

fn write_stable(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (idx, key) in keys.into_iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                if let Some(child) = map.get(key) {
                    write_stable(child, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_stable(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        Value::Number(n) => match n.as_f64() {
            // JSON.stringify(1.0) is "1".
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 && !n.is_i64() && !n.is_u64() => {
                out.push_str(&format!("{f:.0}"));
            }
            _ => out.push_str(&n.to_string()),
        },
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
    }
}

fn write_string(s: &str, out: &mut String) {
    // serde_json escapes exactly as JSON.stringify does for well-formed strings.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

#[cfg(feature = "hmac")]
pub use signing::{Signatures, sign, verify};

#[cfg(feature = "hmac")]
mod signing {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    use crate::{ErrorCode, Issue, ValidationError};

    /// The two signature header values for one body.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Signatures {
        /// Value of `X-Nango-Hmac-Sha256`: hex HMAC-SHA256(key = secret, message = body).
        pub hmac_sha256: String,
        /// Value of the legacy `X-Nango-Signature`: hex SHA-256(secret followed by body).
        pub legacy: String,
    }

    /// Signs `body` (the exact bytes sent) with the webhook signing `secret`.
    pub fn sign(secret: &str, body: &[u8]) -> Signatures {
        Signatures {
            hmac_sha256: hex(&hmac(secret, body)),
            legacy: hex(&legacy(secret, body)),
        }
    }

    /// Verifies a received webhook: the HMAC header if present (what `@nangohq/node`'s
    /// `verifyIncomingWebhookRequest` checks), else the legacy header. Constant-time comparison.
    pub fn verify(
        secret: &str,
        body: &[u8],
        hmac_header: Option<&str>,
        legacy_header: Option<&str>,
    ) -> Result<(), ValidationError> {
        let ok = match (hmac_header, legacy_header) {
            (Some(given), _) => constant_time_eq(
                given.trim().to_ascii_lowercase().as_bytes(),
                hex(&hmac(secret, body)).as_bytes(),
            ),
            (None, Some(given)) => constant_time_eq(
                given.trim().to_ascii_lowercase().as_bytes(),
                hex(&legacy(secret, body)).as_bytes(),
            ),
            (None, None) => return Err(error(ErrorCode::WebhookSignatureMissing)),
        };
        if ok {
            Ok(())
        } else {
            Err(error(ErrorCode::WebhookSignatureInvalid))
        }
    }

    fn hmac(secret: &str, body: &[u8]) -> Vec<u8> {
        match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
            Ok(mut mac) => {
                mac.update(body);
                mac.finalize().into_bytes().to_vec()
            }
            // HMAC accepts keys of any length; this arm is never taken.
            Err(_) => Vec::new(),
        }
    }

    fn legacy(secret: &str, body: &[u8]) -> Vec<u8> {
        let mut hasher = Sha256::new();
        hasher.update(secret.as_bytes());
        hasher.update(body);
        hasher.finalize().to_vec()
    }

    fn hex(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(bytes.len() * 2);
        for &b in bytes {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
        out
    }

    fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    fn error(code: ErrorCode) -> ValidationError {
        match ValidationError::from_issues(vec![Issue::new(code, Vec::new())]) {
            Err(err) => err,
            Ok(_) => unreachable!("an error-severity issue always makes a ValidationError"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stable_stringify_sorts_every_level_compactly() {
        let value = json!({"b": 1, "a": {"d": [true, null, {"z": 1, "y": "é\n"}], "c": 2.0}});
        assert_eq!(
            stable_stringify(&value),
            r#"{"a":{"c":2,"d":[true,null,{"y":"é\n","z":1}]},"b":1}"#
        );
    }

    #[test]
    fn payload_omits_what_it_does_not_have() {
        let hook = AuthWebhook {
            connection_id: "c1".into(),
            provider_config_key: "zendesk".into(),
            auth_mode: "API_KEY".into(),
            provider: "zendesk".into(),
            environment: "dev".into(),
            operation: Operation::Creation,
            tags: None,
            end_user: None,
            error: None,
        };
        assert_eq!(
            hook.body(),
            r#"{"authMode":"API_KEY","connectionId":"c1","environment":"dev","from":"nango","operation":"creation","provider":"zendesk","providerConfigKey":"zendesk","success":true,"type":"auth"}"#
        );
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn signatures_verify_and_tampering_fails() {
        use crate::ErrorCode;
        let sigs = sign("secret", b"{}");
        // Known answers (Node: crypto.createHmac('sha256','secret').update('{}').digest('hex')).
        assert_eq!(
            sigs.hmac_sha256,
            "77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13"
        );
        assert_eq!(
            sigs.legacy,
            "7bd07c7a3a9cdbfb06eafe8b8767001ec5e044a9009067a7b6918b08eba8498b"
        );
        assert!(verify("secret", b"{}", Some(&sigs.hmac_sha256), None).is_ok());
        assert!(verify("secret", b"{}", None, Some(&sigs.legacy)).is_ok());
        let codes = |r: Result<(), crate::ValidationError>| r.unwrap_err().issues()[0].code();
        assert_eq!(
            codes(verify("secret", b"{ }", Some(&sigs.hmac_sha256), None)),
            ErrorCode::WebhookSignatureInvalid
        );
        assert_eq!(
            codes(verify("other", b"{}", Some(&sigs.hmac_sha256), None)),
            ErrorCode::WebhookSignatureInvalid
        );
        assert_eq!(
            codes(verify("secret", b"{}", None, None)),
            ErrorCode::WebhookSignatureMissing
        );
    }
}
