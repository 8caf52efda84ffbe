//! PKCE (RFC 7636): the S256 challenge of a verifier.
//!
//! Nango's verifier is 24 random bytes as hex (48 characters); the host makes it. Knows nothing
//! about where verifiers are kept.

use sha2::{Digest, Sha256};

use crate::js::base64url;
use crate::prelude::*;

/// The S256 `code_challenge` of `verifier`: base64url of its SHA-256, without padding (what
/// Nango computes with Node's `createHash('sha256')` and the `+/=` replacements).
pub fn code_challenge(verifier: &str) -> String {
    let digest = Sha256::digest(verifier.as_bytes());
    base64url(&digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
