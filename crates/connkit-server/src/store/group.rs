//! Group commit for connect sessions: concurrent `POST /connect/sessions` calls are written
//! together, in one transaction, instead of one commit each. A call joins the waiting rows
//! with a ticket, then waits for its turn at the writer; at its turn, a call whose row an
//! earlier batch already took steps aside, and any other writes every row waiting then (its
//! own, and those that joined while the previous batch was being written) and answers each. A
//! call is answered only once its row is committed, so an acknowledged session survives a crash
//! as before; a batch that fails fails each of its calls.
//!
//! The write runs in a task of its own: a call dropped by its client cannot cancel the write
//! that other calls wait on. Knows nothing about SQL (each backend writes a batch) or HTTP.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use tokio::sync::oneshot;

use super::{NewSession, Result, Store, StoreError, on_backend};

/// The most sessions a batch writes, in one statement (11 parameters each, under SQLite's
/// 32766); more waiting go in the next batch.
pub(super) const BATCH_ROWS: usize = 500;

/// The sessions waiting to be written, and the turn at the writer.
#[derive(Debug, Default)]
pub(super) struct SessionQueue {
    waiting: Mutex<Waiting>,
    /// Every ticket below this one was taken by a batch.
    taken: AtomicU64,
    turn: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct Waiting {
    next_ticket: u64,
    rows: Vec<(NewSession, oneshot::Sender<Result<i64>>)>,
}

impl Store {
    /// Stores a new session; returns its row id once it is committed.
    pub(crate) async fn create_session(&self, session: &NewSession) -> Result<i64> {
        let (done, answer) = oneshot::channel();
        let ticket = {
            let mut waiting = self.waiting();
            waiting.rows.push((session.clone(), done));
            waiting.next_ticket += 1;
            waiting.next_ticket - 1
        };
        let store = self.clone();
        tokio::spawn(async move { store.write_waiting_sessions(ticket).await })
            .await
            .map_err(|_| StoreError::new("the session write stopped"))?;
        answer
            .await
            .map_err(|_| StoreError::new("the session write stopped"))?
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.sessions
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// At the writer's turn, writes batches of waiting sessions, in ticket order, until one
    /// has taken `ticket` (none when an earlier batch took it already). Looping, not writing
    /// one batch, matters when more than a batch is waiting: turns need not come in ticket
    /// order, and a call whose row a batch left behind must not return while its row waits.
    async fn write_waiting_sessions(&self, ticket: u64) {
        let _turn = self.sessions.turn.lock().await;
        while self.sessions.taken.load(Ordering::Acquire) <= ticket {
            if !self.write_one_batch().await {
                return;
            }
        }
    }

    /// Writes up to `BATCH_ROWS` waiting sessions in one transaction and answers each; false
    /// when none was waiting.
    async fn write_one_batch(&self) -> bool {
        let batch = {
            let mut waiting = self.waiting();
            let take = waiting.rows.len().min(BATCH_ROWS);
            // The waiting rows hold the tickets just below `next_ticket`, in order.
            let first = waiting.next_ticket - waiting.rows.len() as u64;
            self.sessions
                .taken
                .store(first + take as u64, Ordering::Release);
            waiting.rows.drain(..take).collect::<Vec<_>>()
        };
        if batch.is_empty() {
            return false;
        }
        let rows: Vec<&NewSession> = batch.iter().map(|(session, _)| session).collect();
        match on_backend!(self, db => db.create_sessions(&rows).await) {
            Ok(ids) if ids.len() == batch.len() => {
                for ((_, done), id) in batch.into_iter().zip(ids) {
                    let _ = done.send(Ok(id));
                }
            }
            Ok(_) => {
                for (_, done) in batch {
                    let _ = done.send(Err(StoreError::new("a session batch wrote another count")));
                }
            }
            Err(err) => {
                for (_, done) in batch {
                    let _ = done.send(Err(err.same()));
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keyring;
    use connkit_core::tags::Tags;

    fn session(n: usize) -> NewSession {
        NewSession {
            token_hash: n.to_be_bytes().to_vec(),
            created_at: 1,
            expires_at: i64::MAX,
            end_user: None,
            organization: None,
            allowed_integrations: None,
            integrations_config_defaults: None,
            overrides: None,
            webhook_url_override: None,
            tags: Tags::default(),
            reconnect_connection: None,
        }
    }

    /// Turns need not come in ticket order: the call holding the last of more than two
    /// batches' worth of waiting rows may get the writer first, and must not return (leaving
    /// its caller waiting for ever) before its own row is written.
    #[tokio::test]
    async fn a_turn_writes_batches_until_its_own_row_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db").display());
        let store = Store::open(&url, Keyring::from_bytes(&[1; 32]))
            .await
            .unwrap();
        let count = 2 * BATCH_ROWS + 1;
        let mut answers = Vec::new();
        for n in 0..count {
            let (done, answer) = oneshot::channel();
            let mut waiting = store.waiting();
            waiting.rows.push((session(n), done));
            waiting.next_ticket += 1;
            answers.push(answer);
        }
        store.write_waiting_sessions(count as u64 - 1).await;
        assert_eq!(store.sessions.taken.load(Ordering::Acquire), count as u64);
        let last = answers.pop().unwrap().await.unwrap().unwrap();
        assert!(last > 0, "the last row has an id");
        for answer in answers {
            assert!(answer.await.unwrap().is_ok());
        }
    }
}
