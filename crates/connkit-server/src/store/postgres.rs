//! The PostgreSQL backend: migrations from `migrations/postgres`, runtime-checked queries, one
//! pool shared by reads and writes, several servers on one database.
//!
//! Servers sharing the database see each other's rows at once; where SQLite serialises writers
//! (`BEGIN IMMEDIATE`), writes here lock the rows they read before writing (`FOR UPDATE`), and
//! two writers creating the same connection meet on its unique index. JSON columns are `json`
//! (returned as written); values PostgreSQL's text cannot hold are handled in `text.rs`.
//! Statements are planned for their own parameters (`connect.rs`).
//!
//! Knows nothing about HTTP, sealing (it stores the bytes it is given) or the rules.

mod connect;
mod connections;
mod copy;
mod oauth;
mod outbox;
mod relay;
mod text;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool};
use sqlx::{Postgres, QueryBuilder};

use super::group::BATCH_ROWS;
use super::{HealthWrite, NewSession, Result, Session, StoreError, rows};
use crate::timestamp::Micros;
pub(super) use connect::is_unavailable;
use connect::{migrate, options, pool, session_options, session_pool};
pub(super) use relay::PgRelayListener;

/// Connections a server opens at most: every request holds one for a statement or a
/// transaction, and several servers share the database's `max_connections` (100 by default).
const POOL_SIZE: u32 = 16;

const SESSION_COLUMNS: &str = "id, end_user::text AS end_user, organization::text AS organization, \
    allowed_integrations::text AS allowed_integrations, \
    integrations_config_defaults::text AS integrations_config_defaults, \
    overrides::text AS overrides, webhook_url_override, tags::text AS tags, reconnect_connection";

#[derive(Debug, Clone)]
pub(super) struct PgStore {
    pool: PgPool,
    /// What the session writer connects with (see [`PgStore::session_pool`]), boxed as it is
    /// large and read once per writer.
    session_options: Box<PgConnectOptions>,
    health_write: HealthWrite,
}

impl PgStore {
    pub(super) async fn open(url: &str) -> Result<PgStore> {
        let pool = pool(options(url)?, POOL_SIZE).await?;
        migrate(&pool).await?;
        Ok(PgStore {
            pool,
            session_options: Box::new(session_options(url)?),
            health_write: HealthWrite::default(),
        })
    }

    /// The session writer's own pool (`group.rs`), connecting on first use from the runtime
    /// that calls this: a server holds its connection besides [`POOL_SIZE`].
    pub(super) fn session_pool(&self) -> PgPool {
        session_pool((*self.session_options).clone())
    }

    /// Ok when a read answers and a write commits (see [`HealthWrite`]).
    pub(super) async fn health(&self, now: Micros) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        self.health_write
            .check(async {
                self.put_setting("health_checked_at", &now.to_string())
                    .await
            })
            .await
    }

    pub(super) async fn setting(&self, name: &str) -> Result<Option<String>> {
        let value = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value)
    }

    pub(super) async fn put_setting(&self, name: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores `value` under `name` unless a value is there already; returns the stored value.
    /// A second server inserting at the same moment waits for the first one's commit, finds
    /// the name taken, and reads the first one's value in its next statement.
    pub(super) async fn setting_or_put(&self, name: &str, value: &str) -> Result<String> {
        let inserted: Option<String> = sqlx::query_scalar(
            "INSERT INTO settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO NOTHING RETURNING value",
        )
        .bind(name)
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(value) = inserted {
            return Ok(value);
        }
        self.setting(name)
            .await?
            .ok_or_else(|| StoreError::new("a setting vanished while it was read"))
    }

    pub(super) async fn delete_setting(&self, name: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Writes `sessions` (at most `BATCH_ROWS`) in one statement; returns how many rows it
    /// wrote. The `connect_sessions_purge` trigger drops expired sessions.
    pub(super) async fn create_sessions(
        &self,
        conn: &mut PgConnection,
        sessions: &[&NewSession],
    ) -> Result<u64> {
        if sessions.len() > BATCH_ROWS {
            return Err(StoreError::new("a session batch over BATCH_ROWS"));
        }
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO connect_sessions (token_hash, created_at, expires_at, end_user, \
                 organization, allowed_integrations, integrations_config_defaults, overrides, \
                 webhook_url_override, tags, reconnect_connection) ",
        );
        q.push_values(sessions, |mut b, s| {
            let columns = rows::session_columns(s);
            b.push_bind(s.token_key.clone())
                .push_bind(s.created_at)
                .push_bind(s.expires_at)
                .push_bind(columns.end_user)
                .push_unseparated("::json")
                .push_bind(columns.organization)
                .push_unseparated("::json")
                .push_bind(columns.allowed_integrations)
                .push_unseparated("::json")
                .push_bind(columns.integrations_config_defaults)
                .push_unseparated("::json")
                .push_bind(columns.overrides)
                .push_unseparated("::json")
                .push_bind(s.webhook_url_override.clone())
                .push_bind(columns.tags)
                .push_unseparated("::json")
                .push_bind(s.reconnect_connection);
        });
        Ok(q.build().execute(conn).await?.rows_affected())
    }

    /// The unexpired session stored under either of `keys`.
    pub(super) async fn find_session(
        &self,
        keys: &[Vec<u8>; 2],
        now: Micros,
    ) -> Result<Option<Session>> {
        let sql = format!(
            "UPDATE connect_sessions SET last_access_at = $1 WHERE token_hash IN ($2, $3) \
             AND expires_at > $1 RETURNING {SESSION_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(&keys[0])
            .bind(&keys[1])
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| rows::session(&r)).transpose()
    }

    pub(super) async fn delete_session(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM connect_sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
