//! Group commit for connect sessions: concurrent `POST /connect/sessions` calls are written
//! together, in one transaction, instead of one commit each. A call hands its row to the store's
//! session writer over a channel and waits for the answer; the writer takes every row waiting
//! (at most [`BATCH_ROWS`]), writes them as one statement, answers each call, and takes what
//! arrived meanwhile. A call is answered only once its row is committed, so an acknowledged
//! session survives a crash; a batch that fails fails each of its calls.
//!
//! The writer runs on a thread of its own, with a one-thread runtime: under load the server's
//! runtime has a queue of request tasks, and a writer task waiting its turn behind them kept
//! every call of its batch waiting too. Being a thread of its own, a call dropped by its client
//! cannot cancel a write that other calls wait on; the thread ends once the last handle of the
//! store is dropped. It writes one batch at a time on both backends: with the writer's wake-ups
//! no longer queued, a second PostgreSQL batch in flight only split the rows into more, smaller
//! commits for the database's CPU to plan and run.
//!
//! The writer keeps its connection from one batch to the next while rows keep coming, because
//! a connection given back to its pool costs a round trip to the database (sqlx pings it).
//! SQLite's one write connection goes back as soon as no row waits, or after [`SQLITE_TURN`]
//! batches, so that other writes queue behind at most that; PostgreSQL's writer has a
//! connection of its own and gives it back after [`KEEP_IDLE`] without rows.
//!
//! Knows nothing about SQL (each backend writes a batch) or HTTP.

use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::PgPool;
use sqlx::{Postgres, Sqlite};
use tokio::sync::{mpsc, oneshot};

use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::{Backend, NewSession, Result, Store, StoreError};

/// The most sessions a batch writes, in one statement (11 parameters each, under SQLite's
/// 32766); more waiting go in the next batch.
pub(super) const BATCH_ROWS: usize = 500;

/// The most batches in a row the session writer writes on SQLite's write connection before it
/// gives the connection back to the other writes waiting for it.
const SQLITE_TURN: usize = 16;

/// How long PostgreSQL's session writer keeps its connections without rows to write.
const KEEP_IDLE: Duration = Duration::from_secs(1);

/// A row waiting for the writer, and where its outcome goes once committed.
type Pending = (NewSession, oneshot::Sender<Result<()>>);

/// The way to the session writer.
#[derive(Debug)]
pub(super) struct SessionQueue {
    rows: mpsc::UnboundedSender<Pending>,
}

impl SessionQueue {
    /// Starts the session writer of `backend` on a thread of its own.
    pub(super) fn start(backend: Backend) -> Result<SessionQueue> {
        let failed = |err: std::io::Error| StoreError::new(format!("the session writer: {err}"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(failed)?;
        let (rows, waiting) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("connkit-sessions".to_owned())
            .spawn(move || runtime.block_on(write_sessions(backend, waiting)))
            .map_err(failed)?;
        Ok(SessionQueue { rows })
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
/// every sender is gone. Each batch is written in a task of its own, so that a batch that
/// panicked fails its own calls (their answers dropped) and not the writer.
async fn write_sessions(backend: Backend, mut waiting: mpsc::UnboundedReceiver<Pending>) {
    let source = Arc::new(Source::new(backend));
    let mut held: Option<Held> = None;
    let mut turn = 0;
    loop {
        if held.is_some() && source.gives_back(waiting.is_empty(), turn) {
            held = None;
            turn = 0;
        }
        let next = if held.is_none() {
            waiting.recv().await
        } else {
            match tokio::time::timeout(KEEP_IDLE, waiting.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    held = None;
                    waiting.recv().await
                }
            }
        };
        let Some(first) = next else {
            break;
        };
        let mut batch = vec![first];
        while batch.len() < BATCH_ROWS {
            match waiting.try_recv() {
                Ok(pending) => batch.push(pending),
                Err(_) => break,
            }
        }
        turn += usize::from(held.is_some());
        let source = source.clone();
        let written = tokio::spawn(async move { write_batch(&source, held, batch).await });
        held = written.await.ok().flatten();
    }
}

/// Where the writer's connections come from: SQLite's write pool, or the writer's own
/// PostgreSQL pool (made on the writer's runtime, so that its reactor drives their sockets).
enum Source {
    Sqlite(SqliteStore),
    Postgres(PgStore, PgPool),
}

impl Source {
    fn new(backend: Backend) -> Source {
        match backend {
            Backend::Sqlite(db) => Source::Sqlite(db),
            Backend::Postgres(db) => {
                let pool = db.session_pool();
                Source::Postgres(db, pool)
            }
        }
    }

    /// True when the kept connection goes back to its pool now: SQLite's when no row waits or
    /// its turn is over, as other writes queue for it.
    fn gives_back(&self, nothing_waits: bool, turn: usize) -> bool {
        match self {
            Source::Sqlite(_) => nothing_waits || turn >= SQLITE_TURN,
            Source::Postgres(..) => false,
        }
    }

    async fn connect(&self) -> Result<Held> {
        Ok(match self {
            Source::Sqlite(db) => Held::Sqlite(db.clone(), db.session_connection().await?),
            Source::Postgres(db, pool) => Held::Postgres(db.clone(), pool.acquire().await?),
        })
    }
}

/// A connection the writer holds, with the backend that writes on it.
enum Held {
    Sqlite(SqliteStore, PoolConnection<Sqlite>),
    Postgres(PgStore, PoolConnection<Postgres>),
}

impl Held {
    async fn write(&mut self, rows: &[&NewSession]) -> Result<u64> {
        match self {
            Held::Sqlite(db, conn) => db.create_sessions(conn, rows).await,
            Held::Postgres(db, conn) => db.create_sessions(conn, rows).await,
        }
    }
}

/// Writes `batch` in one transaction, on `held` or a new connection, and answers each of its
/// calls; hands the connection back to be kept when the batch was written.
async fn write_batch(source: &Source, held: Option<Held>, batch: Vec<Pending>) -> Option<Held> {
    let rows: Vec<&NewSession> = batch.iter().map(|(session, _)| session).collect();
    let mut held = match held {
        Some(held) => Ok(held),
        None => source.connect().await,
    };
    let written = match &mut held {
        Ok(held) => held.write(&rows).await,
        Err(err) => Err(err.same()),
    };
    let kept = match (&written, held) {
        (Ok(_), Ok(held)) => Some(held),
        _ => None,
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
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keyring;
    use connkit_core::tags::Tags;
    use std::future::Future;

    fn session(n: usize) -> NewSession {
        NewSession {
            token_key: n.to_be_bytes().to_vec(),
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
            answered.push(session(n).token_key);
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
        assert_eq!(rows, [session(1).token_key, session(2).token_key]);
    }
}
