//! The outcomes of redirect-mode flows (spec §12.27), kept until the page they return to reads
//! them: each under a random id that the return URL carries, bound to the flow's connect
//! session, answered once, forgotten after [`LIFETIME`]. The outcome is the WebSocket message the
//! flow would have sent (`oauth/ws.rs`), so a client reads both the same way.
//!
//! They live in this process, like the WebSocket clients: a return that reaches another process
//! finds nothing (404), and only [`Results`] would change to share them. Knows nothing about
//! sessions beyond their row id, or about HTTP.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::crypto::random_hex;

/// How long a result waits to be read: the return is one redirect away, so minutes are plenty.
const LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The results waiting to be read, by id.
#[derive(Debug, Default)]
pub(crate) struct Results {
    held: Mutex<HashMap<String, Held>>,
}

#[derive(Debug)]
struct Held {
    /// The connect session's row id; `None` when the flow failed before its session was known
    /// (such a result is never answered: reading needs a session).
    session: Option<i64>,
    message: Value,
    expires: Instant,
}

impl Results {
    /// Keeps `message` for `session`; returns its id (32 random bytes, hex).
    pub(crate) fn put(&self, session: Option<i64>, message: Value) -> String {
        let id = random_hex(32);
        let now = Instant::now();
        let mut held = self.lock();
        held.retain(|_, it| it.expires > now);
        held.insert(
            id.clone(),
            Held {
                session,
                message,
                expires: now + LIFETIME,
            },
        );
        id
    }

    /// The message kept under `id` for `session`, which is then gone; `None` for an unknown,
    /// used or expired id, or another session's (which stays for its own).
    pub(crate) fn take(&self, id: &str, session: i64) -> Option<Value> {
        let mut held = self.lock();
        let found = held.get(id)?;
        if found.session != Some(session) {
            return None;
        }
        let found = held.remove(id)?;
        (found.expires > Instant::now()).then_some(found.message)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_read_once_and_only_by_its_session() {
        let results = Results::default();
        let id = results.put(Some(7), Value::from("outcome"));
        assert_eq!(id.len(), 64);
        assert_eq!(results.take(&id, 8), None, "another session");
        assert_eq!(results.take(&id, 7), Some(Value::from("outcome")));
        assert_eq!(results.take(&id, 7), None, "used");
        let unbound = results.put(None, Value::Null);
        assert_eq!(results.take(&unbound, 7), None);
    }
}
