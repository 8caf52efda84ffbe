//! Auth webhooks (spec §7): the payload sent after a connection is created, re-authorised or
//! fails to refresh; its bytes (fast-safe-stringify's `stableStringify`: compact, keys sorted at
//! every level); and its signatures, under the `hmac` feature: `X-Nango-Hmac-Sha256` = hex
//! HMAC-SHA256(key = signing secret, raw body bytes) and the legacy `X-Nango-Signature` = hex
//! SHA-256(secret followed by the body).
//!
//! `@nangohq/node@0.71.4`'s `verifyIncomingWebhookRequest(body, headers)` (checked by running
//! it): finds the header named `x-nango-hmac-sha256` in any case, else returns false (the legacy
//! header is never consulted); the key is `webhookSigningKey ?? secretKey`; the header value must
//! be a string of exactly 64 characters; then `timingSafeEqual` of both sides decoded as hex (so
//! uppercase hex passes, and a non-hex character fails). [`verify_hmac`] is that check.
//!
//! Knows nothing about delivery (HTTP, retries) or where the secret comes from.

use serde_json::{Map, Value};

use crate::js::{is_array_index, write_json};
use crate::prelude::*;
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
    /// `endUserEmail` (written as `null` when unknown).
    pub end_user_email: Option<String>,
    /// `organizationId` (left out when unknown).
    pub organization_id: Option<String>,
    /// `tags`: the end user's own (legacy) tags, left out when `None`.
    pub tags: Option<Map<String, Value>>,
}

/// The `error` of a failed operation (Nango's `ErrorPayload`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookError {
    /// `type`, e.g. `refresh_token_external_error`.
    pub kind: String,
    /// `description`.
    pub description: String,
}

/// An auth webhook: build it, then send [`AuthWebhook::body`] with [`sign`]ed headers.
///
/// Keys: `from: "nango"`, `type: "auth"`, `connectionId`, `providerConfigKey`, `authMode`,
/// `provider`, `environment`, `operation`, `success`, then `tags` (only when given), `endUser`
/// (only when given) and `error` (only when the operation failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthWebhook {
    /// `connectionId`.
    pub connection_id: String,
    /// `providerConfigKey`: the integration's unique key.
    pub provider_config_key: String,
    /// `authMode`, e.g. `API_KEY`.
    pub auth_mode: String,
    /// `provider` (Nango writes `unknown` when the integration cannot be found).
    pub provider: String,
    /// `environment`: the environment's name.
    pub environment: String,
    /// `operation`.
    pub operation: Operation,
    /// The connection's tags (the `tags` key is left out when `None`).
    pub tags: Option<Tags>,
    /// `endUser`, when the connection was made through a session with an `end_user`.
    pub end_user: Option<WebhookEndUser>,
    /// `success: false` with this `error` when `Some`, else `success: true`.
    pub error: Option<WebhookError>,
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
        if let Some(error) = &self.error {
            let mut body = Map::new();
            body.insert("type".into(), Value::from(error.kind.as_str()));
            body.insert(
                "description".into(),
                Value::from(error.description.as_str()),
            );
            put("error", Value::Object(body));
        }
        Value::Object(map)
    }

    /// The exact bytes to send and sign: [`stable_stringify`] of [`AuthWebhook::to_json`].
    pub fn body(&self) -> String {
        stable_stringify(&self.to_json())
    }
}

/// fast-safe-stringify's `stableStringify` (2.1.1) of a JSON value: compact, and the keys of
/// every object in JavaScript order after sorting: keys that are array indexes (`"2"`, `"10"`)
/// first in numeric order (a JavaScript object lists them so whatever the insertion order), then
/// the others sorted by UTF-16 code units (JavaScript's `<`). Strings are escaped as
/// `JSON.stringify` does and numbers written as JavaScript writes doubles (`1e+21`, `0.000001`).
pub fn stable_stringify(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, sorted_members, &mut out);
    out
}

/// An object's members in `stableStringify`'s order.
fn sorted_members(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_by(|(a, _), (b, _)| {
        let index = |k: &str| is_array_index(k).then(|| k.parse::<u64>().unwrap_or(0));
        match (index(a), index(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => core::cmp::Ordering::Less,
            (None, Some(_)) => core::cmp::Ordering::Greater,
            (None, None) => a.encode_utf16().cmp(b.encode_utf16()),
        }
    });
    members
}

#[cfg(feature = "hmac")]
pub use signing::{Signatures, sign, verify, verify_hmac};

#[cfg(feature = "hmac")]
mod signing {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    use crate::prelude::*;
    use crate::{ErrorCode, Issue, ValidationError};

    /// The two signature header values for one body.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Signatures {
        /// Value of `X-Nango-Hmac-Sha256`: hex HMAC-SHA256(key = secret, message = body).
        pub hmac_sha256: String,
        /// Value of the legacy `X-Nango-Signature`: hex SHA-256(secret followed by body).
        pub legacy: String,
    }

    impl Signatures {
        /// `(header name, value)` pairs, as Nango sends them.
        pub fn headers(&self) -> [(&'static str, &str); 2] {
            [
                (super::LEGACY_SIGNATURE_HEADER, self.legacy.as_str()),
                (super::HMAC_HEADER, self.hmac_sha256.as_str()),
            ]
        }
    }

    /// Signs `body` (the exact bytes sent) with the webhook signing `secret` (its UTF-8 bytes
    /// are the key, as in Node's `createHmac('sha256', secret)`).
    pub fn sign(secret: &str, body: &[u8]) -> Signatures {
        Signatures {
            hmac_sha256: hex(&hmac(secret, body)),
            legacy: hex(&legacy(secret, body)),
        }
    }

    /// Verifies the `X-Nango-Hmac-Sha256` header value over the raw `body`, exactly as
    /// `@nangohq/node`'s `verifyIncomingWebhookRequest` does: absent →
    /// `webhook_signature_missing`; anything but 64 hex digits (either case) equal to the HMAC →
    /// `webhook_signature_invalid`. Constant-time comparison; surrounding white space is ignored
    /// (HTTP servers strip it anyway).
    pub fn verify_hmac(
        secret: &str,
        body: &[u8],
        hmac_header: Option<&str>,
    ) -> Result<(), ValidationError> {
        verify(secret, body, hmac_header, None)
    }

    /// Verifies a received webhook: the HMAC header when present (as [`verify_hmac`]); only when
    /// it is absent, the legacy header (for Nango servers too old to send the HMAC one; Nango
    /// deprecates it as open to length extension, so prefer [`verify_hmac`] when the sender is
    /// a current Nango). A legacy header never rescues a bad HMAC header. Constant-time.
    pub fn verify(
        secret: &str,
        body: &[u8],
        hmac_header: Option<&str>,
        legacy_header: Option<&str>,
    ) -> Result<(), ValidationError> {
        let ok = match (hmac_header, legacy_header) {
            (Some(given), _) => matches(given, &hmac(secret, body)),
            (None, Some(given)) => matches(given, &legacy(secret, body)),
            (None, None) => return Err(error(ErrorCode::WebhookSignatureMissing)),
        };
        if ok {
            Ok(())
        } else {
            Err(error(ErrorCode::WebhookSignatureInvalid))
        }
    }

    /// True if `given` is the hex form (either case) of `expected`, compared in constant time.
    fn matches(given: &str, expected: &[u8]) -> bool {
        let given = given.trim().as_bytes();
        if given.len() != expected.len() * 2 {
            return false;
        }
        let mut diff = 0u8;
        let mut valid = true;
        for (pair, want) in given.chunks(2).zip(expected) {
            let digit = |b: u8| char::from(b).to_digit(16);
            match pair {
                [hi, lo] => match (digit(*hi), digit(*lo)) {
                    (Some(hi), Some(lo)) => diff |= (hi * 16 + lo) as u8 ^ want,
                    _ => valid = false,
                },
                _ => valid = false,
            }
        }
        valid && diff == 0
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
    fn stable_stringify_sorts_like_fast_safe_stringify() {
        let value = json!({"b": 1, "a": {"d": [true, null, {"z": 1, "y": "é\n"}], "c": 2.0}});
        assert_eq!(
            stable_stringify(&value),
            r#"{"a":{"c":2,"d":[true,null,{"y":"é\n","z":1}]},"b":1}"#
        );
        // Array-index keys first, numerically; then UTF-16 order (😀 is a surrogate pair < U+FB00).
        let value = json!({"b": 1, "10": 2, "2": 3, "01": 4, "ﬀ": 5, "😀": 6, "_": 7});
        assert_eq!(
            stable_stringify(&value),
            r#"{"2":3,"10":2,"01":4,"_":7,"b":1,"😀":6,"ﬀ":5}"#
        );
        let value =
            json!({"n": [1e21, 0.000001, 1e-7, -0.0], "s": "\u{0}\u{1f}\u{7f}\u{2028}\"\\/"});
        assert_eq!(
            stable_stringify(&value),
            "{\"n\":[1e+21,0.000001,1e-7,0],\"s\":\"\\u0000\\u001f\u{7f}\u{2028}\\\"\\\\/\"}"
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
        assert!(verify_hmac("secret", b"{}", Some(&sigs.hmac_sha256.to_uppercase())).is_ok());
        assert!(verify("secret", b"{}", None, Some(&sigs.legacy)).is_ok());
        let code = |r: Result<(), crate::ValidationError>| r.unwrap_err().issues()[0].code();
        let invalid = ErrorCode::WebhookSignatureInvalid;
        assert_eq!(
            code(verify("secret", b"{ }", Some(&sigs.hmac_sha256), None)),
            invalid
        );
        assert_eq!(
            code(verify("other", b"{}", Some(&sigs.hmac_sha256), None)),
            invalid
        );
        let not_hex = format!("{}zz", &sigs.hmac_sha256[..62]);
        assert_eq!(code(verify_hmac("secret", b"{}", Some(&not_hex))), invalid);
        assert_eq!(
            code(verify_hmac("secret", b"{}", None)),
            ErrorCode::WebhookSignatureMissing
        );
        assert_eq!(
            code(verify("secret", b"{}", None, None)),
            ErrorCode::WebhookSignatureMissing
        );
    }
}
