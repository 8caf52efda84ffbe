//! Opening SQLite: connkit's connection settings, pools that replace a connection left in a
//! broken transaction, migrations two processes can run at once, and which failures mean the
//! database as a whole is unavailable.
//!
//! Knows nothing about the tables beyond running their migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::error::DatabaseError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteError, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use crate::store::Result;

/// SQLite's primary result codes (the low byte of an extended code) that mean the database
/// failed rather than the statement: BUSY (5), LOCKED (6), NOMEM (7), READONLY (8), IOERR (10),
/// FULL (13), CANTOPEN (14).
const UNAVAILABLE_CODES: [i64; 7] = [5, 6, 7, 8, 10, 13, 14];

/// Opens a pool on `url` with connkit's settings (WAL, foreign keys, a busy timeout).
pub async fn connect_sqlite(url: &str) -> Result<SqlitePool> {
    pool(options(url)?, 8).await
}

pub(super) fn options(url: &str) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

pub(super) async fn pool(options: SqliteConnectOptions, connections: u32) -> Result<SqlitePool> {
    Ok(SqlitePoolOptions::new()
        .max_connections(connections)
        // No ping on acquire: sqlx pings every connection when it is given back, and a
        // connection to a file does not go stale while idle as a network one does. Each ping is
        // a round trip to the connection's thread.
        .test_before_acquire(false)
        // SQLite ends a transaction by itself on some failures (a full disk, `RAISE(ROLLBACK)`);
        // sqlx then still counts it open, its ROLLBACK fails, and every later `BEGIN IMMEDIATE`
        // on that connection would fail with "non-zero transaction depth". A connection whose
        // transaction did not end cleanly is closed when next acquired, and the pool opens a
        // fresh one. sqlx pings every connection given back to the pool, after the rollback a
        // dropped transaction queued, so the depth is settled by then and reading it costs no
        // second round trip to the connection's thread.
        .before_acquire(|conn, _| {
            Box::pin(async move {
                let clean = !conn.is_in_transaction();
                if !clean {
                    tracing::warn!(
                        "a database connection left in a broken transaction is replaced"
                    );
                }
                Ok(clean)
            })
        })
        .connect_with(options)
        .await?)
}

/// Runs the migrations inside one `BEGIN IMMEDIATE` transaction, so that two processes opening
/// a new database together migrate it once: the second waits for the write lock (the busy
/// timeout), then finds every migration applied.
pub(super) async fn migrate(writer: &SqlitePool) -> Result<()> {
    let mut conn = writer.acquire().await?;
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::migrate!("./migrations/sqlite").run(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// True for SQLite failures of the database as a whole rather than of one statement: full,
/// read-only, I/O errors, locked past the busy timeout.
pub(crate) fn is_unavailable(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    db.try_downcast_ref::<SqliteError>()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i64>().ok())
        .is_some_and(|code| UNAVAILABLE_CODES.contains(&(code & 0xff)))
}
