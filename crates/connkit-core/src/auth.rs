//! Credential formats on Nango's wire (spec §2.1, §2.3, §9): environment secret keys (UUID v4),
//! connect session tokens, and how an `Authorization` header is read.
//!
//! Pure string rules; generating tokens, hashing and looking them up is the server's job.

/// The prefix of every connect session token.
pub const CONNECT_SESSION_TOKEN_PREFIX: &str = "nango_connect_session_";

/// What an `Authorization` header holds, read the way Nango reads it: the value is split on the
/// literal `"Bearer "` and the last piece is taken. So `Bearer <key>` and a bare `<key>` both work,
/// while a lowercase `bearer <key>` is taken whole (and then fails the format check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bearer<'a> {
    /// No header, or an empty one (401 `missing_auth_header`).
    Missing,
    /// A header with nothing after `Bearer ` (401 `malformed_auth_header`).
    Malformed,
    /// The credential to check.
    Value(&'a str),
}

/// Reads an `Authorization` header value (`None` when the header is absent).
pub fn read_bearer(header: Option<&str>) -> Bearer<'_> {
    // Express's `req.get` gives "" for an empty header, which Nango treats as missing.
    let Some(header) = header.filter(|h| !h.is_empty()) else {
        return Bearer::Missing;
    };
    let value = header.rsplit("Bearer ").next().unwrap_or("");
    if value.is_empty() {
        Bearer::Malformed
    } else {
        Bearer::Value(value)
    }
}

/// True if `key` is a UUID v4 in any letter case: Nango's format for environment secret keys
/// (`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`, case-insensitive).
pub fn is_valid_secret_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    if bytes.len() != 36 {
        return false;
    }
    bytes.iter().enumerate().all(|(idx, &b)| match idx {
        8 | 13 | 18 | 23 => b == b'-',
        14 => b == b'4',
        19 => matches!(b.to_ascii_uppercase(), b'8' | b'9' | b'A' | b'B'),
        _ => b.is_ascii_hexdigit(),
    })
}

/// True if `token` is `nango_connect_session_` followed by 64 lowercase hex digits.
pub fn is_valid_connect_session_token(token: &str) -> bool {
    token
        .strip_prefix(CONNECT_SESSION_TOKEN_PREFIX)
        .is_some_and(|hex| {
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_reading_follows_nango_quirks() {
        assert_eq!(read_bearer(None), Bearer::Missing);
        assert_eq!(read_bearer(Some("Bearer ")), Bearer::Malformed);
        assert_eq!(read_bearer(Some("")), Bearer::Missing);
        assert_eq!(read_bearer(Some("Bearer abc")), Bearer::Value("abc"));
        assert_eq!(read_bearer(Some("abc")), Bearer::Value("abc"));
        assert_eq!(read_bearer(Some("bearer abc")), Bearer::Value("bearer abc"));
        assert_eq!(read_bearer(Some("Bearer a Bearer b")), Bearer::Value("b"));
    }

    #[test]
    fn secret_keys_are_uuid_v4_any_case() {
        assert!(is_valid_secret_key("0c8f5a3e-1b2d-4c5e-9f60-7a8b9c0d1e2f"));
        assert!(is_valid_secret_key("0C8F5A3E-1B2D-4C5E-AF60-7A8B9C0D1E2F"));
        assert!(
            !is_valid_secret_key("0c8f5a3e-1b2d-3c5e-9f60-7a8b9c0d1e2f"),
            "version 3"
        );
        assert!(
            !is_valid_secret_key("0c8f5a3e-1b2d-4c5e-cf60-7a8b9c0d1e2f"),
            "variant c"
        );
        assert!(!is_valid_secret_key("0c8f5a3e1b2d4c5e9f607a8b9c0d1e2f"));
        assert!(!is_valid_secret_key("0c8f5a3e-1b2d-4c5e-9f60-7a8b9c0d1e2g"));
    }

    #[test]
    fn session_tokens_are_prefix_and_64_lowercase_hex() {
        let hex = "0123456789abcdef".repeat(4);
        assert!(is_valid_connect_session_token(&format!(
            "nango_connect_session_{hex}"
        )));
        assert!(!is_valid_connect_session_token(&format!(
            "nango_connect_session_{}",
            hex.to_uppercase()
        )));
        assert!(!is_valid_connect_session_token(&format!(
            "nango_connect_session_{}",
            &hex[1..]
        )));
        assert!(!is_valid_connect_session_token(&hex));
    }
}
