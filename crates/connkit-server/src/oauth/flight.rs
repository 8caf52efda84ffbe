//! One refresh at a time per connection: a lock per connection, holding the last attempt it
//! saw, so that a read that waited while another refreshed can take that attempt's outcome
//! instead of refreshing again (`routes/refresh.rs` uses it).
//!
//! Knows nothing about providers, tokens or the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use connkit_core::oauth2::RefreshFailure;

/// A finished refresh attempt: when it ended, and its failure if it failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    pub(crate) ended: Instant,
    pub(crate) failure: Option<RefreshFailure>,
}

/// One connection's lock.
pub(crate) type Lock = Arc<tokio::sync::Mutex<Option<Attempt>>>;

/// The per-connection locks.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    locks: Mutex<HashMap<i64, Lock>>,
}

impl InFlight {
    /// The lock of connection row `id`.
    pub(crate) fn lock_for(&self, id: i64) -> Lock {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        locks.entry(id).or_default().clone()
    }

    /// Drops the lock of `id` once no read holds or waits for it.
    pub(crate) fn release(&self, id: i64, lock: &Lock) {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        // The map's reference and the caller's: nobody else waits.
        if Arc::strong_count(lock) <= 2 {
            locks.remove(&id);
        }
    }
}
