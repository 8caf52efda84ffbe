//! Group commit for connect sessions: concurrent `POST /connect/sessions` calls are written
//! together, in one transaction, instead of one commit each. A call joins the waiting rows,
//! then waits for its turn at the writer; whoever gets the turn writes every row waiting then
//! (its own, and those that joined while the previous batch was being written) and answers
//! each. A call is answered only once its row is committed, so an acknowledged session
//! survives a crash as before; a batch that fails fails each of its calls.
//!
//! The write runs in a task of its own: a call dropped by its client cannot cancel the write
//! that other calls wait on. Knows nothing about SQL (each backend writes a batch) or HTTP.

use std::sync::{Mutex, PoisonError};

use tokio::sync::oneshot;

use super::{NewSession, Result, Store, StoreError, on_backend};

/// The most sessions one statement writes (11 parameters each, under SQLite's 32766).
pub(super) const BATCH_ROWS: usize = 500;

/// The sessions waiting to be written, and the turn at the writer.
#[derive(Debug, Default)]
pub(super) struct SessionQueue {
    waiting: Mutex<Vec<Waiting>>,
    turn: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Waiting {
    session: NewSession,
    done: oneshot::Sender<Result<i64>>,
}

impl Store {
    /// Stores a new session; returns its row id once it is committed.
    pub(crate) async fn create_session(&self, session: &NewSession) -> Result<i64> {
        let (done, answer) = oneshot::channel();
        self.sessions
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Waiting {
                session: session.clone(),
                done,
            });
        let store = self.clone();
        tokio::spawn(async move { store.write_waiting_sessions().await })
            .await
            .map_err(|_| StoreError::new("the session write stopped"))?;
        answer
            .await
            .map_err(|_| StoreError::new("the session write stopped"))?
    }

    /// At the writer's turn: writes every waiting session in one transaction and answers each.
    async fn write_waiting_sessions(&self) {
        let _turn = self.sessions.turn.lock().await;
        let batch = std::mem::take(
            &mut *self
                .sessions
                .waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        if batch.is_empty() {
            return;
        }
        let rows: Vec<&NewSession> = batch.iter().map(|w| &w.session).collect();
        match on_backend!(self, db => db.create_sessions(&rows).await) {
            Ok(ids) if ids.len() == batch.len() => {
                for (waiting, id) in batch.into_iter().zip(ids) {
                    let _ = waiting.done.send(Ok(id));
                }
            }
            Ok(_) => {
                for waiting in batch {
                    let _ = waiting
                        .done
                        .send(Err(StoreError::new("a session batch wrote another count")));
                }
            }
            Err(err) => {
                for waiting in batch {
                    let _ = waiting.done.send(Err(err.same()));
                }
            }
        }
    }
}
