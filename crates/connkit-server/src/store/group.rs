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
//! SQLite's one write connection, which the other writes queue for, goes back after
//! [`SQLITE_IDLE`] without rows or once the writer has held it for [`SQLITE_TURN`], so that
//! another write waits behind sessions for at most about that; PostgreSQL's writer has a
//! connection of its own and gives it back after [`PG_IDLE`] without rows.
//!
//! Knows nothing about SQL (each backend writes a batch) or HTTP.

use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// How long the session writer keeps SQLite's write connection without rows to write (a
/// millisecond, as tokio's timers count).
const SQLITE_IDLE: Duration = Duration::from_millis(1);

/// How long the session writer holds SQLite's write connection at most before it gives it
/// back to the other writes waiting for it.
const SQLITE_TURN: Duration = Duration::from_millis(5);

/// How long PostgreSQL's session writer keeps its connection without rows to write.
const PG_IDLE: Duration = Duration::from_secs(1);

/// A row waiting for the writer, and where its outcome goes once committed.
type Pending = (NewSession, oneshot::Sender<Answer>);

/// A batch's outcome for one call, with the call's row given back: the row is dropped by the
/// thread that allocated it. glibc's `free` of another thread's block locks that thread's
/// arena, and a writer freeing every row made the request threads wait on their own arenas.
type Answer = (Result<()>, NewSession);

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
        let (written, _row) = answer
            .await
            .map_err(|_| StoreError::new("the session writer stopped"))?;
        written
    }
}

/// The session writer: takes every waiting row into one batch, writes it, and again, until
/// every sender is gone. Each batch is written in a task of its own, so that a batch that
/// panicked fails its own calls (their answers dropped) and not the writer.
async fn write_sessions(backend: Backend, mut waiting: mpsc::UnboundedReceiver<Pending>) {
    let source = Arc::new(Source::new(backend));
    // The kept connection and when the writer took it.
    let mut held: Option<(Held, Instant)> = None;
    loop {
        if let Some((_, since)) = &held
            && source.turn().is_some_and(|turn| since.elapsed() >= turn)
        {
            held = None;
        }
        let next = if held.is_none() {
            waiting.recv().await
        } else {
            match tokio::time::timeout(source.keep_idle(), waiting.recv()).await {
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
        let since = held.as_ref().map_or_else(Instant::now, |(_, since)| *since);
        let conn = held.map(|(conn, _)| conn);
        let source = source.clone();
        let written = tokio::spawn(async move { write_batch(&source, conn, batch).await });
        held = written.await.ok().flatten().map(|conn| (conn, since));
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

    /// How long the writer keeps its connection without rows to write.
    fn keep_idle(&self) -> Duration {
        match self {
            Source::Sqlite(_) => SQLITE_IDLE,
            Source::Postgres(..) => PG_IDLE,
        }
    }

    /// How long the writer may hold its connection however many rows come: SQLite's is the
    /// one the other writes queue for.
    fn turn(&self) -> Option<Duration> {
        match self {
            Source::Sqlite(_) => Some(SQLITE_TURN),
            Source::Postgres(..) => None,
        }
    }

    async fn connect(&self) -> Result<Held> {
        Ok(match self {
            Source::Sqlite(db) => Held::Sqlite(db.clone(), db.session_connection().await?),
            Source::Postgres(db, pool) => Held::Postgres(db.clone(), pool.acquire().await?),
        })
    }
}

/// Writes `rows` on a new connection from `source`; returns the count and the connection.
async fn write_fresh(source: &Source, rows: &[&NewSession]) -> Result<(u64, Held)> {
    let mut held = source.connect().await?;
    let count = held.write(rows).await?;
    Ok((count, held))
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
    let written = match held {
        Some(mut held) => match held.write(&rows).await {
            Ok(count) => Ok((count, held)),
            // A kept connection can die while it waits (a database restarted, its backend
            // terminated): the batch goes once more on a fresh connection, which the pool tests.
            // Rows a lost answer had committed make the second try fail on the unique key. The
            // dead one goes back first: each pool has room for one.
            Err(_) => {
                drop(held);
                write_fresh(source, &rows).await
            }
        },
        None => write_fresh(source, &rows).await,
    };
    let (written, kept) = match written {
        Ok((count, held)) => (Ok(count), Some(held)),
        Err(err) => (Err(err), None),
    };
    let answer = match written {
        Ok(count) if usize::try_from(count).is_ok_and(|count| count == batch.len()) => Ok(()),
        Ok(_) => Err(StoreError::new("a session batch wrote another count")),
        Err(err) => Err(err),
    };
    for (session, done) in batch {
        let outcome = match &answer {
            Ok(()) => Ok(()),
            Err(err) => Err(err.same()),
        };
        let _ = done.send((outcome, session));
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
