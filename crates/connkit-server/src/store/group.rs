//! Group commit for connect sessions: concurrent `POST /connect/sessions` calls are written
//! together, in one transaction, instead of one commit each. A call hands its row to the store's
//! session writer over a channel and waits for the answer; the writer takes every row waiting
//! (at most [`BATCH_ROWS`]), writes them as one statement, answers each call, and takes what
//! arrived meanwhile. A call is answered only once its row is committed, so an acknowledged
//! session survives a crash; a batch that fails fails each of its calls.
//!
//! SQLite writes one batch at a time (it has one writer anyway); PostgreSQL two, so that the
//! writer does not stall while a commit waits for the disk (see [`in_flight`]).
//!
//! The writer is a task of its own, so a call dropped by its client cannot cancel a write that
//! other calls wait on; it ends once the last handle of the store is dropped. Knows nothing
//! about SQL (each backend writes a batch) or HTTP.

use tokio::sync::{mpsc, oneshot};

use super::{Backend, NewSession, Result, Store, StoreError};

/// The most sessions a batch writes, in one statement (11 parameters each, under SQLite's
/// 32766); more waiting go in the next batch.
pub(super) const BATCH_ROWS: usize = 500;

/// A row waiting for the writer, and where its outcome goes once committed.
type Pending = (NewSession, oneshot::Sender<Result<()>>);

/// The way to the session writer.
#[derive(Debug)]
pub(super) struct SessionQueue {
    rows: mpsc::UnboundedSender<Pending>,
}

impl SessionQueue {
    /// Starts the session writer of `backend`, on the current tokio runtime.
    pub(super) fn start(backend: Backend) -> SessionQueue {
        let (rows, waiting) = mpsc::unbounded_channel();
        tokio::spawn(write_sessions(backend, waiting));
        SessionQueue { rows }
    }
}

impl Store {
    /// Stores a new session; returns once it is committed. No caller reads a new session's row
    /// id (a session is found by its token), so a batch returns no rows.
    pub(crate) async fn create_session(&self, session: NewSession) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.sessions
            .rows
            .send((session, done))
            .map_err(|_| StoreError::new("the session writer stopped"))?;
        answer
            .await
            .map_err(|_| StoreError::new("the session writer stopped"))?
    }
}

/// The session writer: takes every waiting row into one batch, writes it, and again, until
/// every sender is gone, with at most [`in_flight`] batches written at once. Each batch is
/// written in a task of its own, so that a batch that panicked fails its own calls (their
/// answers dropped) and not the writer.
async fn write_sessions(backend: Backend, mut waiting: mpsc::UnboundedReceiver<Pending>) {
    let limit = in_flight(&backend);
    let mut writing = tokio::task::JoinSet::new();
    loop {
        // A free slot first, so that rows arriving meanwhile wait for the next batch.
        while writing.len() >= limit {
            let _ = writing.join_next().await;
        }
        let Some(first) = waiting.recv().await else {
            break;
        };
        let mut batch = vec![first];
        while batch.len() < BATCH_ROWS {
            match waiting.try_recv() {
                Ok(pending) => batch.push(pending),
                Err(_) => break,
            }
        }
        let backend = backend.clone();
        writing.spawn(async move { write_batch(&backend, batch).await });
    }
    while writing.join_next().await.is_some() {}
}

/// How many batches are written at once. SQLite has one writer. PostgreSQL flushes its log for
/// every commit: with a second batch in flight, its commit waits on the same flush as the
/// first's instead of after it, and the writer no longer stalls while the disk syncs.
fn in_flight(backend: &Backend) -> usize {
    match backend {
        Backend::Sqlite(_) => 1,
        Backend::Postgres(_) => 2,
    }
}

/// Writes `batch` in one transaction and answers each of its calls.
async fn write_batch(backend: &Backend, batch: Vec<Pending>) {
    let rows: Vec<&NewSession> = batch.iter().map(|(session, _)| session).collect();
    let written = match backend {
        Backend::Sqlite(db) => db.create_sessions(&rows).await,
        Backend::Postgres(db) => db.create_sessions(&rows).await,
    };
    match written {
        Ok(count) if usize::try_from(count).is_ok_and(|count| count == batch.len()) => {
            for (_, done) in batch {
                let _ = done.send(Ok(()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keyring;
    use connkit_core::tags::Tags;
    use std::future::Future;

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

    /// A store on a new SQLite file, and the file's URL.
    async fn sqlite_store(dir: &tempfile::TempDir) -> (Store, String) {
        let url = format!("sqlite://{}", dir.path().join("db").display());
        let store = Store::open(&url, Keyring::from_bytes(&[1; 32]))
            .await
            .unwrap();
        (store, url)
    }

    /// Each stored session's token hash, in the order the rows were written, read straight
    /// from the file.
    async fn stored(url: &str) -> Vec<Vec<u8>> {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query_scalar("SELECT token_hash FROM connect_sessions ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap()
    }

    /// More calls at once than a batch holds: every call is answered once its own row is
    /// stored, and each row is stored once.
    #[tokio::test]
    async fn calls_over_a_batch_each_get_their_own_row() {
        let dir = tempfile::tempdir().unwrap();
        let (store, url) = sqlite_store(&dir).await;
        let count = 2 * BATCH_ROWS + 1;
        let calls: Vec<_> = (0..count)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move { (n, store.create_session(session(n)).await) })
            })
            .collect();
        let mut answered = Vec::new();
        for call in calls {
            let (n, done) = call.await.unwrap();
            done.unwrap();
            answered.push(session(n).token_hash);
        }
        let mut rows = stored(&url).await;
        rows.sort();
        answered.sort();
        assert_eq!(rows, answered);
    }

    /// A call its client drops once its row is handed over still has the row written.
    #[tokio::test]
    async fn a_dropped_call_does_not_stop_its_write() {
        let dir = tempfile::tempdir().unwrap();
        let (store, url) = sqlite_store(&dir).await;
        let mut dropped = Box::pin(store.create_session(session(1)));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        // Polled once, the call has handed its row over and waits for the answer.
        assert!(dropped.as_mut().poll(&mut cx).is_pending());
        drop(dropped);
        store.create_session(session(2)).await.unwrap();
        let rows = stored(&url).await;
        assert_eq!(rows, [session(1).token_hash, session(2).token_hash]);
    }
}
