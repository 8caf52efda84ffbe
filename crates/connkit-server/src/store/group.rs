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

    /// At the writer's turn, unless a batch took `ticket` already: writes every waiting
    /// session in one transaction and answers each.
    async fn write_waiting_sessions(&self, ticket: u64) {
        let _turn = self.sessions.turn.lock().await;
        if self.sessions.taken.load(Ordering::Acquire) > ticket {
            return;
        }
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
            return;
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
    }
}
