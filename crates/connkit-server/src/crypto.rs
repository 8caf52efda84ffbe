//! Secrets at rest: credentials sealed with XChaCha20-Poly1305 under the configured 256-bit key,
//! connect session tokens generated from the OS RNG and stored only under their HMAC-SHA256, and
//! generated secret keys and random values (OAuth states and PKCE verifiers).
//!
//! Knows nothing about HTTP, SQL or what the sealed bytes mean.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use connkit_core::auth::CONNECT_SESSION_TOKEN_PREFIX;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The format byte in front of every sealed value (bump it when the format changes).
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;
/// The hex digits of a connect session token (after its prefix) that order it: its creation
/// time (see [`new_session_token`]).
const SESSION_ORDER_DIGITS: usize = 16;

/// The credentials encryption key and the keys derived from it.
#[derive(Clone)]
pub struct Keyring {
    cipher: XChaCha20Poly1305,
    token_key: [u8; 32],
    check: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").finish_non_exhaustive()
    }
}

/// A key that is not 32 bytes of standard base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadKey;

impl std::fmt::Display for BadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the encryption key must be 32 bytes in standard base64 (44 characters)")
    }
}

impl std::error::Error for BadKey {}

/// Sealed bytes that do not open under this key (tampered, or another key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenFailed;

impl Keyring {
    /// A keyring from the base64 text of a 256-bit key (the form `--encryption-key` takes).
    pub fn from_base64(text: &str) -> Result<Keyring, BadKey> {
        let bytes = BASE64.decode(text.trim()).map_err(|_| BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| BadKey)?;
        Ok(Keyring::from_bytes(&key))
    }

    /// A keyring from raw key bytes.
    pub fn from_bytes(key: &[u8; 32]) -> Keyring {
        let token_key = hmac(key, b"connkit connect-session token hash v1");
        let check = hex(&hmac(key, b"connkit key check v1")[..8]);
        Keyring {
            cipher: XChaCha20Poly1305::new(Key::from_slice(key)),
            token_key,
            check,
        }
    }

    /// A fresh random key, as base64 text.
    pub fn generate_base64() -> String {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        BASE64.encode(key)
    }

    /// A short value identifying the key (stored to refuse a different key at start-up).
    pub(crate) fn check_value(&self) -> &str {
        &self.check
    }

    /// Seals `plaintext`, bound to `context` (e.g. the row's identity, so sealed values cannot
    /// be swapped between rows).
    pub(crate) fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plaintext,
            aad: context,
        };
        // Encryption fails only for inputs larger than the cipher's limit (256 GiB).
        let sealed = self.cipher.encrypt(&nonce, payload).unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`Keyring::seal`] produced with the same `context`.
    pub(crate) fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, OpenFailed> {
        let Some((&SEALED_V1, rest)) = sealed.split_first() else {
            return Err(OpenFailed);
        };
        if rest.len() < NONCE_LEN {
            return Err(OpenFailed);
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let payload = Payload {
            msg: body,
            aad: context,
        };
        self.cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| OpenFailed)
    }

    /// The stored form of a secret token (OAuth states, and connect session tokens stored
    /// before they were ordered: see [`Keyring::session_key`]).
    pub(crate) fn token_hash(&self, token: &str) -> Vec<u8> {
        hmac(&self.token_key, token.as_bytes()).to_vec()
    }

    /// The key a connect session is stored and found under: the token's ordering digits (its
    /// creation time, not secret) followed by the token's HMAC. Sessions created one after
    /// another get ascending keys, so a batch of new sessions appends to the key's index
    /// instead of writing a random page of it per session (which made SQLite's commits write
    /// several times more pages). A lookup also tries [`Keyring::token_hash`], the key of
    /// sessions a server stored without the digits, so that such sessions stay valid after an
    /// upgrade.
    pub(crate) fn session_key(&self, token: &str) -> Vec<u8> {
        let digits = token
            .strip_prefix(CONNECT_SESSION_TOKEN_PREFIX)
            .and_then(|rest| rest.get(..SESSION_ORDER_DIGITS))
            .unwrap_or_default();
        let mut key = Vec::with_capacity(digits.len() + 32);
        key.extend_from_slice(digits.as_bytes());
        key.extend_from_slice(&hmac(&self.token_key, token.as_bytes()));
        key
    }
}

/// A new connect session token: the prefix and 32 bytes as lowercase hex (spec §2.1), the
/// creation time in microseconds (8 bytes, big-endian: the ordering digits of
/// [`Keyring::session_key`]) then 24 random bytes. 192 random bits keep the token unguessable;
/// the time is no secret (the answer carries `expires_at`).
pub(crate) fn new_session_token(created_at: i64) -> String {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&u64::try_from(created_at).unwrap_or(0).to_be_bytes());
    OsRng.fill_bytes(&mut bytes[8..]);
    let mut token = String::with_capacity(CONNECT_SESSION_TOKEN_PREFIX.len() + 64);
    token.push_str(CONNECT_SESSION_TOKEN_PREFIX);
    push_hex(&mut token, &bytes);
    token
}

/// `bytes` random bytes as lowercase hex (OAuth `state`s and PKCE verifiers).
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex(&buf)
}

/// A new secret key: a random UUID v4 (Nango's environment key format, spec §9).
pub fn new_secret_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Constant-time equality of two byte strings.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The standard base64 text of `bytes`.
pub(crate) fn base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// The bytes of standard base64 `text`, if it is that.
pub(crate) fn from_base64(text: &str) -> Option<Vec<u8>> {
    BASE64.decode(text).ok()
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC accepts keys of any length.
        Err(_) => return [0; 32],
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connkit_core::auth::is_valid_connect_session_token;

    #[test]
    fn sealing_round_trips_and_binds_context() {
        let keys = Keyring::from_bytes(&[7; 32]);
        let sealed = keys.seal(b"{\"apiKey\":\"k\"}", b"a\0b");
        assert_eq!(
            keys.open(&sealed, b"a\0b"),
            Ok(b"{\"apiKey\":\"k\"}".to_vec())
        );
        assert_eq!(keys.open(&sealed, b"a\0c"), Err(OpenFailed));
        assert_eq!(
            Keyring::from_bytes(&[8; 32]).open(&sealed, b"a\0b"),
            Err(OpenFailed)
        );
        assert_eq!(keys.open(&sealed[..10], b"a\0b"), Err(OpenFailed));
        assert_ne!(
            keys.seal(b"x", b""),
            keys.seal(b"x", b""),
            "fresh nonce each time"
        );
    }

    #[test]
    fn keys_parse_from_base64_only_at_32_bytes() {
        let text = Keyring::generate_base64();
        assert!(Keyring::from_base64(&text).is_ok());
        assert_eq!(Keyring::from_base64("c2hvcnQ=").err(), Some(BadKey));
        assert_eq!(Keyring::from_base64("not base64!").err(), Some(BadKey));
    }

    #[test]
    fn tokens_have_nangos_format_and_hash_per_key() {
        let token = new_session_token(1_760_000_000_000_000);
        assert!(is_valid_connect_session_token(&token));
        assert_ne!(token, new_session_token(1_760_000_000_000_000));
        let a = Keyring::from_bytes(&[1; 32]);
        let b = Keyring::from_bytes(&[2; 32]);
        assert_eq!(a.token_hash(&token), a.token_hash(&token));
        assert_ne!(a.token_hash(&token), b.token_hash(&token));
        assert_eq!(a.session_key(&token), a.session_key(&token));
        assert_ne!(a.session_key(&token), b.session_key(&token));
        assert_ne!(a.check_value(), b.check_value());
        assert!(connkit_core::auth::is_valid_secret_key(&new_secret_key()));
    }

    /// Keys of sessions created later sort after earlier ones, whatever their random bytes.
    #[test]
    fn session_keys_ascend_with_creation_time() {
        let keys = Keyring::from_bytes(&[1; 32]);
        let times = [
            1,
            255,
            256,
            1_760_000_000_000_000,
            1_760_000_000_000_001,
            i64::MAX,
        ];
        let ordered: Vec<Vec<u8>> = times
            .iter()
            .map(|&t| keys.session_key(&new_session_token(t)))
            .collect();
        assert!(ordered.windows(2).all(|pair| pair[0] < pair[1]));
        // A token of another shape still gets a key (its lookup just finds nothing).
        assert_eq!(keys.session_key("short").len(), 32);
    }
}
