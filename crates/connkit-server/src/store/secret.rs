//! The generated secret key, kept between runs sealed with the credentials encryption key: a
//! copy of the database alone does not give it away. The demo backend and webhook signing
//! (whose key defaults to the secret key) need the key itself, so a hash would not do.
//!
//! Knows nothing about where the key is printed or how callers present it.

use super::{Result, Store, StoreError};
use crate::crypto::{base64, from_base64};

/// The setting holding the sealed key (base64).
const SEALED: &str = "secret_key_sealed";
/// The setting an older connkit kept the key in, in clear; sealed and removed when found.
const CLEAR: &str = "secret_key";
/// What the sealed key is bound to.
const CONTEXT: &[u8] = b"connkit settings\0secret_key";

impl Store {
    /// The kept secret key, keeping `candidate` when there is none; true when the key returned
    /// is `candidate`. Two processes starting together keep the same key: the first one
    /// stored wins and both read it back.
    pub async fn kept_secret_key(&self, candidate: &str) -> Result<(String, bool)> {
        let clear = self.setting(CLEAR).await?;
        let offered = clear.as_deref().unwrap_or(candidate);
        let sealed = base64(&self.keys.seal(offered.as_bytes(), CONTEXT));
        let stored = self.setting_or_put(SEALED, &sealed).await?;
        if clear.is_some() {
            self.delete_setting(CLEAR).await?;
        }
        let key = self.open_secret_key(&stored)?;
        let is_candidate = clear.is_none() && stored == sealed;
        Ok((key, is_candidate))
    }

    /// The kept secret key, if one was kept (nothing is written).
    pub async fn secret_key_if_kept(&self) -> Result<Option<String>> {
        if let Some(sealed) = self.setting(SEALED).await? {
            return self.open_secret_key(&sealed).map(Some);
        }
        self.setting(CLEAR).await
    }

    fn open_secret_key(&self, sealed: &str) -> Result<String> {
        let bad = || StoreError::new("the kept secret key does not open under the encryption key");
        let bytes = from_base64(sealed).ok_or_else(bad)?;
        let plain = self.keys.open(&bytes, CONTEXT).map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }
}
