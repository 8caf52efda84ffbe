//! `POST /jwt-bearer` (form or JSON): a JWT bearer grant (`assertion`, RFC 7523) or a JWT
//! client assertion (`client_assertion`) whose RS256, PS256 or ES256 signature verifies with a
//! key the provider trusts; verified with RustCrypto's `rsa` and `p256`, not connkit's signer.
//!
//! Knows nothing about connkit's API, sessions or store.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::Sha256;

use super::{LocalProvider, no_store, oauth_error, read_params};
use crate::crypto::random_hex;

/// `POST /jwt-bearer`: a token for a JWT one of the trusted keys signed.
pub(super) async fn jwt_bearer(
    State(provider): State<LocalProvider>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = read_params(&headers, &body);
    let jwt = params
        .get("assertion")
        .or_else(|| params.get("client_assertion"));
    let trusted = provider
        .inner
        .trusted_keys
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let claims = jwt.and_then(|jwt| trusted.iter().find_map(|pem| verified_claims(jwt, pem)));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // A client assertion names the client posted beside it.
    let client = params.get("client_id");
    let Some(claims) = claims.filter(|c| {
        c["exp"].as_u64().is_some_and(|exp| exp > now)
            && client.is_none_or(|id| c["iss"] == id.as_str() && c["sub"] == id.as_str())
    }) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "The JWT is not signed by a trusted key, or has expired.",
        );
    };
    *provider
        .inner
        .last_jwt_claims
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(claims);
    let body = json!({
        "access_token": format!("demo-jb-{}", random_hex(16)),
        "token_type": "Bearer",
        "expires_in": provider.inner.expires_in.load(Ordering::SeqCst),
    });
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

/// The claims of `jwt` when its signature verifies with `pem` (SPKI) for its header's `alg`.
fn verified_claims(jwt: &str, pem: &str) -> Option<Value> {
    use p256::ecdsa::signature::Verifier;
    use p256::pkcs8::DecodePublicKey;
    let (input, signature) = jwt.rsplit_once('.')?;
    let (header, payload) = input.split_once('.')?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let der_text: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = BASE64.decode(der_text).ok()?;
    let message = input.as_bytes();
    let ok = match header["alg"].as_str()? {
        "RS256" => {
            let key = rsa::RsaPublicKey::from_public_key_der(&der).ok()?;
            let signature = rsa::pkcs1v15::Signature::try_from(signature.as_slice()).ok()?;
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
                .verify(message, &signature)
                .is_ok()
        }
        "PS256" => {
            let key = rsa::RsaPublicKey::from_public_key_der(&der).ok()?;
            let signature = rsa::pss::Signature::try_from(signature.as_slice()).ok()?;
            rsa::pss::VerifyingKey::<Sha256>::new(key)
                .verify(message, &signature)
                .is_ok()
        }
        "ES256" => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&der).ok()?;
            let signature = p256::ecdsa::Signature::from_slice(&signature).ok()?;
            key.verify(message, &signature).is_ok()
        }
        _ => false,
    };
    ok.then(|| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok())
        .flatten()
}
