//! JWTs signed with a private key, as jsonwebtoken 9 signs them for Nango (spec §3.9): RS256/384/512
//! (RSASSA-PKCS1-v1_5), PS256/384/512 (RSASSA-PSS, salt as long as the digest) and ES256
//! (P-256, the signature as `r‖s`), with the key read the way each of Nango's callers reads it:
//!
//! * [`pem_key`]: the JWT client's (`packages/shared/lib/auth/jwt.ts`; JWT mode and TWO_STEP's
//!   `signature`): `formatPem(key, <the key's own BEGIN label, else PRIVATE KEY>)`, then
//!   OpenSSL's reading of that label: `PRIVATE KEY` holds PKCS#8 only, `RSA PRIVATE KEY` PKCS#1
//!   (or PKCS#8), `EC PRIVATE KEY` SEC1 (or PKCS#8).
//! * [`assertion_key`]: `generatePrivateKey` of `auth/assertion.ts` (TWO_STEP's `assertion`):
//!   `\n` escapes become newlines, armour and white space go, a body whose decoded text starts
//!   with `MII` (base64 twice) is decoded once more, and the result is read under `PRIVATE
//!   KEY`: PKCS#8 only.
//! * [`jwk_key`]: `private_key_jwt` (`connection.service.ts`): an RSA private JWK.
//!
//! jsonwebtoken's checks are kept: RS* needs an RSA key of at least 2048 bits, PS* an RSA key,
//! ES256 a P-256 key; anything else cannot sign. [`fingerprint`] is Nango's
//! `${fingerprint(…)}`: `SHA256:` and the base64 SHA-256 of the key's public SPKI DER.
//!
//! ECDSA nonces are RFC 6979's (deterministic; Node's are random, and either verifies); the
//! PSS salt and the RSA blinding come from [`SaltRng`], a SHA-256 stream over the context's
//! random UUID and the signing input. `rsa` 0.9's private-key operation is not constant-time
//! (RUSTSEC-2023-0071, no fixed release yet; the Marvin attack targets decryption): every RSA
//! signature here goes through the blinded path (`*_with_rng`), which narrows the timing
//! leak but does not remove it; connkit never decrypts with these keys.
//!
//! Knows nothing about HTTP, providers or templates.

use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding};
use p256::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::pem::{format_pem, strip_armour};
use crate::js::{base64, base64_decode, base64url, json_stringify};
use crate::prelude::*;

/// A private key that can sign a JWT.
#[derive(Clone)]
pub(crate) enum PrivateKey {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::SecretKey),
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            PrivateKey::Rsa(_) => "PrivateKey::Rsa(..)",
            PrivateKey::P256(_) => "PrivateKey::P256(..)",
        })
    }
}

/// Why a key did not sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignError {
    /// The algorithm is not one connkit signs with (nor, for `none`, one Nango's callers use).
    Algorithm,
    /// The key does not suit the algorithm (type, curve or size), as jsonwebtoken refuses it.
    KeyMismatch,
}

/// The JWT client's key: `formatPem` under the text's own label, read as OpenSSL reads it.
/// `None` where `formatPem` throws or the DER is not a key of that label.
pub(crate) fn pem_key(text: &str) -> Option<PrivateKey> {
    let label = begin_label(text).unwrap_or("PRIVATE KEY");
    let der = der_of(&format_pem(text, label)?)?;
    let pkcs8 = || pkcs8_key(&der);
    match label {
        "PRIVATE KEY" => pkcs8(),
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der)
            .ok()
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .or_else(pkcs8),
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&der)
            .ok()
            .map(PrivateKey::P256)
            .or_else(pkcs8),
        _ => None,
    }
}

/// `generatePrivateKey(text)` of Nango's assertions: PKCS#8 only, base64 twice accepted.
pub(crate) fn assertion_key(text: &str) -> Option<PrivateKey> {
    let text = text.replace("\\n", "\n");
    let mut body = strip_armour(&text);
    body.retain(|c| !c.is_whitespace());
    if let Some(decoded) = base64_decode(&body) {
        let inner = String::from_utf8_lossy(&decoded);
        if inner.starts_with("MII") {
            let mut twice = inner.into_owned();
            twice.retain(|c| !c.is_whitespace());
            body = base64(&base64_decode(&twice)?);
        }
    }
    pkcs8_key(&der_of(&format_pem(&body, "PRIVATE KEY")?)?)
}

/// `private_key_jwt`'s key: the JSON text of an RSA private JWK (`kty: RSA` with `n`, `e`, `d`,
/// `p`, `q`, `dp`, `dq`, `qi`, as Node's JWK import needs), and its `kid`. `None` where Node's
/// `createPrivateKey({format: 'jwk'})` (or `JSON.parse`) throws, or for EC keys, which RS256
/// cannot use either.
pub(crate) fn jwk_key(text: &str) -> Option<(PrivateKey, Option<Value>)> {
    let jwk: Value = serde_json::from_str(text).ok()?;
    let jwk = jwk.as_object()?;
    if jwk.get("kty").and_then(Value::as_str) != Some("RSA") {
        return None;
    }
    let part = |name: &str| -> Option<BigUint> {
        let bytes = base64_decode(jwk.get(name)?.as_str()?)?;
        Some(BigUint::from_bytes_be(&bytes))
    };
    for name in ["dp", "dq", "qi"] {
        part(name)?;
    }
    let key = RsaPrivateKey::from_components(
        part("n")?,
        part("e")?,
        part("d")?,
        vec![part("p")?, part("q")?],
    )
    .ok()?;
    key.validate().ok()?;
    Some((PrivateKey::Rsa(Box::new(key)), jwk.get("kid").cloned()))
}

/// Nango's `getFingerprint(text)`: `SHA256:` + base64(SHA-256(the public key's SPKI DER)), the
/// key read as PKCS#8 under `formatPem(text, 'PRIVATE KEY')`.
pub(crate) fn fingerprint(text: &str) -> Option<String> {
    let key = pkcs8_key(&der_of(&format_pem(text, "PRIVATE KEY")?)?)?;
    let spki = match &key {
        PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der().ok()?,
        PrivateKey::P256(k) => k.public_key().to_public_key_der().ok()?,
    };
    Some(format!(
        "SHA256:{}",
        base64(&Sha256::digest(spki.as_bytes()))
    ))
}

/// jsonwebtoken's header: `{alg, typ: "JWT", kid}` (`kid` from the `keyid` option, left out
/// when `None`), then `extra`'s members over them.
pub(crate) fn jws_header(
    alg: &str,
    kid: Option<Value>,
    extra: &Map<String, Value>,
) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("alg".to_owned(), Value::from(alg));
    header.insert("typ".to_owned(), Value::from("JWT"));
    if let Some(kid) = kid {
        header.insert("kid".to_owned(), kid);
    } else if extra.contains_key("kid") {
        // `kid: undefined` holds the third place until the header's own value fills it.
        header.insert("kid".to_owned(), Value::Null);
    }
    for (k, v) in extra {
        header.insert(k.clone(), v.clone());
    }
    header
}

/// `jwt.sign(payload, key, {header})`: the token for the header (its `alg` names the
/// algorithm) and payload. `seed`: the request's random value, for the PSS salt and blinding.
pub(crate) fn sign_jwt(
    header: &Map<String, Value>,
    payload: &Map<String, Value>,
    key: &PrivateKey,
    seed: &str,
) -> Result<String, SignError> {
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let input = format!(
        "{}.{}",
        base64url(json_stringify(&Value::Object(header.clone())).as_bytes()),
        base64url(json_stringify(&Value::Object(payload.clone())).as_bytes())
    );
    let signature = sign(alg, key, input.as_bytes(), seed)?;
    Ok(format!("{input}.{}", base64url(&signature)))
}

/// The signature of `message` with `alg`.
pub(crate) fn sign(
    alg: &str,
    key: &PrivateKey,
    message: &[u8],
    seed: &str,
) -> Result<Vec<u8>, SignError> {
    let mut rng = SaltRng::new(seed, message);
    macro_rules! rsa_sign {
        ($kind:ident, $hash:ty) => {{
            let PrivateKey::Rsa(k) = key else {
                return Err(SignError::KeyMismatch);
            };
            let signer = rsa::$kind::SigningKey::<$hash>::new((**k).clone());
            signer
                .try_sign_with_rng(&mut rng, message)
                .map(|s| s.to_vec())
                .map_err(|_| SignError::KeyMismatch)
        }};
    }
    let rsa_size_ok = match key {
        // jsonwebtoken: "secretOrPrivateKey has a minimum key size of 2048 bits for RS…".
        PrivateKey::Rsa(k) => k.size() * 8 >= 2048,
        PrivateKey::P256(_) => true,
    };
    match alg {
        "RS256" | "RS384" | "RS512" if !rsa_size_ok => Err(SignError::KeyMismatch),
        "RS256" => rsa_sign!(pkcs1v15, Sha256),
        "RS384" => rsa_sign!(pkcs1v15, Sha384),
        "RS512" => rsa_sign!(pkcs1v15, Sha512),
        "PS256" => rsa_sign!(pss, Sha256),
        "PS384" => rsa_sign!(pss, Sha384),
        "PS512" => rsa_sign!(pss, Sha512),
        "ES256" => {
            let PrivateKey::P256(k) = key else {
                return Err(SignError::KeyMismatch);
            };
            let signer = p256::ecdsa::SigningKey::from(k);
            let signature: p256::ecdsa::Signature = signer
                .try_sign_with_rng(&mut rng, message)
                .map_err(|_| SignError::KeyMismatch)?;
            Ok(signature.to_bytes().to_vec())
        }
        // jsonwebtoken: "secretOrPrivateKey must be a symmetric key when using HS256".
        "HS256" | "HS384" | "HS512" => Err(SignError::KeyMismatch),
        // ES384/512 (their curves are not read), `none`, names jsonwebtoken does not know.
        _ => Err(SignError::Algorithm),
    }
}

/// The label of the first `-----BEGIN <label>-----` (`/-----BEGIN ([A-Z0-9 ]+)-----/`).
fn begin_label(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(at) = rest.find("-----BEGIN ") {
        let after = rest.get(at + 11..)?;
        let len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' '))
            .unwrap_or(after.len());
        if len > 0 && after.get(len..)?.starts_with("-----") {
            return after.get(..len);
        }
        rest = after;
    }
    None
}

/// The DER of `format_pem`'s output (one armoured base64 body).
fn der_of(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    base64_decode(&body)
}

fn pkcs8_key(der: &[u8]) -> Option<PrivateKey> {
    if let Ok(k) = RsaPrivateKey::from_pkcs8_der(der) {
        return Some(PrivateKey::Rsa(Box::new(k)));
    }
    p256::SecretKey::from_pkcs8_der(der)
        .ok()
        .map(PrivateKey::P256)
}

/// A SHA-256 stream over a seed (the request's random UUID, from the host's CSPRNG) and the
/// message: the PSS salt, the RSA blinding factor and ECDSA's added entropy.
pub(crate) struct SaltRng {
    state: [u8; 32],
    counter: u64,
    buffer: Vec<u8>,
}

impl SaltRng {
    fn new(seed: &str, message: &[u8]) -> SaltRng {
        let mut hash = Sha256::new();
        hash.update(seed.as_bytes());
        hash.update([0]);
        hash.update(message);
        SaltRng {
            state: hash.finalize().into(),
            counter: 0,
            buffer: Vec::new(),
        }
    }
}

impl rand_core::RngCore for SaltRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.buffer.is_empty() {
                let mut hash = Sha256::new();
                hash.update(self.state);
                hash.update(self.counter.to_be_bytes());
                self.counter += 1;
                self.buffer = hash.finalize().to_vec();
            }
            *byte = self.buffer.pop().unwrap_or(0);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for SaltRng {}

#[cfg(test)]
mod tests {
    use connkit_vectors::keys;
    use p256::ecdsa::signature::Verifier;
    use p256::pkcs8::DecodePublicKey;

    use super::*;

    fn parts(jwt: &str) -> (String, Vec<u8>) {
        let (input, signature) = jwt.rsplit_once('.').unwrap();
        (input.to_owned(), base64_decode(signature).unwrap())
    }

    fn token(alg: &str, key: &PrivateKey) -> Result<String, SignError> {
        let header = jws_header(alg, None, &Map::new());
        let mut payload = Map::new();
        payload.insert("iss".to_owned(), Value::from("me"));
        sign_jwt(&header, &payload, key, "seed")
    }

    #[test]
    fn keys_read_under_their_labels() {
        assert!(matches!(pem_key(keys::RSA_PKCS8), Some(PrivateKey::Rsa(_))));
        assert!(matches!(pem_key(keys::RSA_PKCS1), Some(PrivateKey::Rsa(_))));
        assert!(matches!(
            pem_key(keys::P256_PKCS8),
            Some(PrivateKey::P256(_))
        ));
        assert!(matches!(
            pem_key(keys::P256_SEC1),
            Some(PrivateKey::P256(_))
        ));
        // OpenSSL reads PKCS#8 only under `PRIVATE KEY`.
        let relabelled = keys::RSA_PKCS1.replace("RSA PRIVATE KEY", "PRIVATE KEY");
        assert!(pem_key(&relabelled).is_none());
        assert!(assertion_key(keys::RSA_PKCS1).is_none());
        assert!(assertion_key(keys::RSA_PKCS8).is_some());
        // Base64 twice (sap-success-factors' keys).
        let body: String = keys::RSA_PKCS8
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert!(assertion_key(&base64(body.as_bytes())).is_some());
        let (_, kid) = jwk_key(keys::RSA_JWK).unwrap();
        assert_eq!(kid, Some(Value::from("test-key-1")));
        assert!(jwk_key("{\"kty\":\"EC\"}").is_none());
    }

    #[test]
    fn es256_and_ps256_verify_with_the_public_keys() {
        let ec = pem_key(keys::P256_SEC1).unwrap();
        let jwt = token("ES256", &ec).unwrap();
        let (input, signature) = parts(&jwt);
        let public =
            p256::ecdsa::VerifyingKey::from_public_key_der(&der_of(keys::P256_PUBLIC).unwrap())
                .unwrap();
        let signature = p256::ecdsa::Signature::from_slice(&signature).unwrap();
        assert!(public.verify(input.as_bytes(), &signature).is_ok());

        let rsa_key = pem_key(keys::RSA_PKCS8).unwrap();
        let public =
            rsa::RsaPublicKey::from_public_key_der(&der_of(keys::RSA_PUBLIC).unwrap()).unwrap();
        let jwt = token("PS256", &rsa_key).unwrap();
        let (input, signature) = parts(&jwt);
        let verifier = rsa::pss::VerifyingKey::<Sha256>::new(public.clone());
        let signature = rsa::pss::Signature::try_from(signature.as_slice()).unwrap();
        assert!(verifier.verify(input.as_bytes(), &signature).is_ok());

        let jwt = token("RS256", &rsa_key).unwrap();
        let (input, signature) = parts(&jwt);
        let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public);
        let signature = rsa::pkcs1v15::Signature::try_from(signature.as_slice()).unwrap();
        assert!(verifier.verify(input.as_bytes(), &signature).is_ok());
    }

    #[test]
    fn jsonwebtoken_refusals() {
        let rsa_key = pem_key(keys::RSA_PKCS8).unwrap();
        let ec = pem_key(keys::P256_PKCS8).unwrap();
        let small = pem_key(keys::RSA_1024_PKCS8).unwrap();
        assert_eq!(token("ES256", &rsa_key), Err(SignError::KeyMismatch));
        assert_eq!(token("RS256", &ec), Err(SignError::KeyMismatch));
        assert_eq!(token("RS256", &small), Err(SignError::KeyMismatch));
        assert!(token("PS256", &small).is_ok());
        assert_eq!(token("HS256", &rsa_key), Err(SignError::KeyMismatch));
        assert_eq!(token("ES384", &ec), Err(SignError::Algorithm));
    }

    #[test]
    fn header_order_and_fingerprint() {
        let mut extra = Map::new();
        extra.insert("x5t".to_owned(), Value::from("t"));
        extra.insert("kid".to_owned(), Value::from("k"));
        extra.insert("alg".to_owned(), Value::from("RS256"));
        let header = jws_header("HS256", None, &extra);
        assert_eq!(
            json_stringify(&Value::Object(header)),
            r#"{"alg":"RS256","typ":"JWT","kid":"k","x5t":"t"}"#
        );
        // Node: SHA-256 of the SPKI DER of the test key's public half.
        assert_eq!(
            fingerprint(&keys::RSA_PKCS8.replace('\n', "\\n")).as_deref(),
            Some("SHA256:dfM4LO8GDqeLxAfRQWe6DrhhwjbIJV84Is0y0LLIplc=")
        );
        assert_eq!(fingerprint(keys::RSA_PKCS1), None);
    }
}
