//! The SQLite backend: WAL mode, migrations from `migrations/sqlite`, runtime-checked queries.
//!
//! Tags live twice, written in one transaction: as JSON on the connection (returned as stored,
//! in order) and as `connection_tags(connection, key, value, created_at)` rows, so that a tag
//! filter walks the `(key, value, created_at DESC, connection DESC)` index of its rarest tag in
//! list order and probes the others by primary key. Writes go through a one-connection pool
//! and start with `BEGIN IMMEDIATE`, so writers queue instead of spinning on the lock.
//!
//! Knows nothing about HTTP, sealing (it stores the bytes it is given) or the rules.

mod connect;
mod copy;
mod files;
mod oauth;
mod outbox;

use std::sync::Arc;

use connkit_core::tags::Tags;
use serde_json::{Map, Value};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use super::group::BATCH_ROWS;
use super::{
    AuthOutcome, AuthWrite, ConnectionPatch, ConnectionRow, HealthWrite, ListFilter,
    MetadataOutcome, NewSession, Result, Session, StoreError, rows,
};
use crate::timestamp::Micros;
pub use connect::connect_sqlite;
pub(super) use connect::is_unavailable;
use connect::{migrate, options, pool};
use files::DbFiles;

const CONNECTION_COLUMNS: &str = "c.id, c.connection_id, c.provider_config_key, c.provider, \
    c.auth_mode, c.connection_config, c.metadata, c.tags, c.end_user, c.webhook_url_override, \
    c.created_at, c.updated_at, c.last_fetched_at";

const SESSION_COLUMNS: &str = "id, end_user, organization, allowed_integrations, \
    integrations_config_defaults, overrides, webhook_url_override, tags, reconnect_connection";

/// Two pools on one file: readers run side by side (WAL); writers queue for the one write
/// connection instead of racing for SQLite's write lock in its busy handler.
#[derive(Debug, Clone)]
pub(super) struct SqliteStore {
    pool: SqlitePool,
    /// Reached only through [`SqliteStore::writer`], which checks the files first.
    write_pool: SqlitePool,
    files: Arc<DbFiles>,
    health_write: HealthWrite,
}

impl SqliteStore {
    pub(super) async fn open(url: &str, max_bytes: Option<u64>) -> Result<SqliteStore> {
        let mut options = options(url)?;
        if let Some(bytes) = max_bytes {
            // SQLite counts pages; connkit databases use SQLite's default page size, 4 KiB.
            options = options.pragma("max_page_count", (bytes / 4096).max(1).to_string());
        }
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let files = Arc::new(DbFiles::prepare(options.get_filename(), in_memory)?);
        let write_pool = pool(options.clone(), 1).await?;
        migrate(&write_pool).await?;
        // Readers open the file the writer created, never a new one: a connection opened after
        // the files were deleted would otherwise find an empty database where the tables were
        // (and answer 500), instead of failing to open (503).
        let options = if in_memory {
            options
        } else {
            options.create_if_missing(false)
        };
        let pool = pool(options, 8).await?;
        files.opened()?;
        let store = SqliteStore {
            pool,
            write_pool,
            files,
            health_write: HealthWrite::default(),
        };
        store.end_webhook_leases().await?;
        Ok(store)
    }

    /// The write connection's pool, once the database files are known to be the ones opened:
    /// a write into deleted files would be acknowledged and lost.
    fn writer(&self) -> Result<&SqlitePool> {
        self.files.check()?;
        Ok(&self.write_pool)
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer()?.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Ok when the files are the ones opened (looked at on every call), a read answers and a
    /// write commits (see [`HealthWrite`]).
    pub(super) async fn health(&self, now: Micros) -> Result<()> {
        self.files.check_thoroughly()?;
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        self.health_write
            .check(async {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO settings (name, value) VALUES ('health_checked_at', ?) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(now.to_string())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            })
            .await
    }

    pub(super) async fn setting(&self, name: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = ?")
            .bind(name.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    pub(super) async fn put_setting(&self, name: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .bind(name.to_owned())
            .bind(value.to_owned())
            .execute(self.writer()?)
            .await?;
        Ok(())
    }

    /// Stores `value` under `name` unless a value is there already; returns the stored value
    /// (two processes starting together agree on the first one written).
    pub(super) async fn setting_or_put(&self, name: &str, value: &str) -> Result<String> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name.to_owned())
        .bind(value.to_owned())
        .execute(&mut *tx)
        .await?;
        let stored: String = sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
            .bind(name.to_owned())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stored)
    }

    pub(super) async fn delete_setting(&self, name: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE name = ?")
            .bind(name.to_owned())
            .execute(self.writer()?)
            .await?;
        Ok(())
    }

    /// The write connection, for the session writer to write batches on (`group.rs`).
    pub(super) async fn session_connection(&self) -> Result<PoolConnection<Sqlite>> {
        Ok(self.writer()?.acquire().await?)
    }

    /// Writes `sessions` (at most `BATCH_ROWS`) in one statement on `conn`, the write
    /// connection ([`SqliteStore::session_connection`]); returns how many rows it wrote. The
    /// `connect_sessions_purge` trigger drops expired sessions.
    pub(super) async fn create_sessions(
        &self,
        conn: &mut SqliteConnection,
        sessions: &[&NewSession],
    ) -> Result<u64> {
        self.files.check()?;
        if sessions.len() > BATCH_ROWS {
            return Err(StoreError::new("a session batch over BATCH_ROWS"));
        }
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
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
                .push_bind(columns.organization)
                .push_bind(columns.allowed_integrations)
                .push_bind(columns.integrations_config_defaults)
                .push_bind(columns.overrides)
                .push_bind(s.webhook_url_override.clone())
                .push_bind(columns.tags)
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
            "UPDATE connect_sessions SET last_access_at = ? WHERE token_hash IN (?, ?) \
             AND expires_at > ? RETURNING {SESSION_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(keys[0].clone())
            .bind(keys[1].clone())
            .bind(now)
            .fetch_optional(self.writer()?)
            .await?;
        row.map(|r| rows::session(&r)).transpose()
    }

    pub(super) async fn delete_session(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM connect_sessions WHERE id = ?")
            .bind(id)
            .execute(self.writer()?)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn find_connection(
        &self,
        key: &str,
        connection_id: &str,
    ) -> Result<Option<(ConnectionRow, Vec<u8>)>> {
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS}, c.credentials FROM connections c \
             WHERE c.provider_config_key = ? AND c.connection_id = ?"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key.to_owned())
            .bind(connection_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((rows::connection(&r)?, r.try_get("credentials")?))),
        }
    }

    pub(super) async fn connection_by_row(&self, id: i64) -> Result<Option<ConnectionRow>> {
        let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections c WHERE c.id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| rows::connection(&r)).transpose()
    }

    pub(super) async fn touch_fetched(&self, id: i64, now: Micros) -> Result<()> {
        sqlx::query("UPDATE connections SET last_fetched_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(self.writer()?)
            .await?;
        Ok(())
    }

    pub(super) async fn list_connections(&self, f: &ListFilter) -> Result<Vec<ConnectionRow>> {
        // With tags, the rarest tag drives: its index entries come in list order, every other
        // tag is a primary-key probe, and the LIMIT ends the walk early. `CROSS JOIN` fixes that
        // loop order (SQLite's planner has no statistics on how rare a value is).
        let mut tags: Vec<(&str, &str)> = f.tags.iter().collect();
        if tags.len() > 1 {
            let mut counted = Vec::with_capacity(tags.len());
            for (key, value) in tags {
                counted.push((self.tag_count_capped(key, value).await?, key, value));
            }
            counted.sort_by_key(|(count, _, _)| *count);
            tags = counted.into_iter().map(|(_, k, v)| (k, v)).collect();
        }
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!("SELECT {CONNECTION_COLUMNS}"));
        let order = if tags.is_empty() {
            q.push(" FROM connections c WHERE 1 = 1");
            " ORDER BY c.created_at DESC, c.id DESC LIMIT "
        } else {
            q.push(" FROM connection_tags t0");
            for i in 1..tags.len() {
                q.push(format!(
                    " CROSS JOIN connection_tags t{i} ON t{i}.connection = t0.connection"
                ));
            }
            q.push(" CROSS JOIN connections c ON c.id = t0.connection WHERE 1 = 1");
            for (i, (key, value)) in tags.iter().enumerate() {
                q.push(format!(" AND t{i}.key = "))
                    .push_bind((*key).to_owned())
                    .push(format!(" AND t{i}.value = "))
                    .push_bind((*value).to_owned());
            }
            " ORDER BY t0.created_at DESC, t0.connection DESC LIMIT "
        };
        if let Some(ids) = &f.integration_ids {
            // One JSON parameter, however long the list (SQLite limits bound variables).
            q.push(" AND c.provider_config_key IN (SELECT value FROM json_each(")
                .push_bind(Value::from(ids.clone()).to_string())
                .push("))");
        }
        if let Some(id) = &f.connection_id {
            q.push(" AND c.connection_id = ").push_bind(id.clone());
        }
        if let Some(id) = &f.end_user_id {
            q.push(" AND json_extract(c.end_user, '$.id') = ")
                .push_bind(id.clone());
        }
        if let Some(id) = &f.end_user_organization_id {
            q.push(" AND json_extract(c.end_user, '$.organization.id') = ")
                .push_bind(id.clone());
        }
        if let Some(search) = &f.search {
            // A literal, ASCII-case-insensitive substring over every byte: LIKE would read its
            // pattern only up to a NUL (`%\0%` matching everything) and need its wildcards
            // escaped; `instr` on BLOBs compares whole byte strings.
            let needle = search.to_ascii_lowercase().into_bytes();
            q.push(" AND (");
            for (i, column) in [
                "c.connection_id",
                "json_extract(c.end_user, '$.display_name')",
                "json_extract(c.end_user, '$.email')",
            ]
            .into_iter()
            .enumerate()
            {
                if i > 0 {
                    q.push(" OR ");
                }
                q.push(format!("instr(CAST(lower({column}) AS BLOB), "))
                    .push_bind(needle.clone())
                    .push(") > 0");
            }
            q.push(")");
        }
        q.push(order)
            .push_bind(f.limit)
            .push(" OFFSET ")
            .push_bind(f.offset);
        let found = q.build().fetch_all(&self.pool).await?;
        found.iter().map(rows::connection).collect()
    }

    /// How many connections carry `key = value`, counted up to 1,000 (an index-only read).
    async fn tag_count_capped(&self, key: &str, value: &str) -> Result<i64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT 1 FROM connection_tags WHERE key = ? AND value = ? LIMIT 1000)",
        )
        .bind(key.to_owned())
        .bind(value.to_owned())
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }

    pub(super) async fn write_auth(
        &self,
        w: &AuthWrite,
        seal: &(dyn Fn(&str, &str) -> Vec<u8> + Sync),
    ) -> Result<(AuthOutcome, Option<ConnectionRow>)> {
        let mut tx = self.begin_write().await?;
        let existing = match w.reconnect_connection {
            Some(id) => {
                let row = sqlx::query(
                    "SELECT id, provider_config_key, connection_id FROM connections WHERE id = ?",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                if row.is_none() {
                    return Ok((AuthOutcome::TargetMissing, None));
                }
                row
            }
            None => {
                sqlx::query("SELECT id, provider_config_key, connection_id FROM connections WHERE provider_config_key = ? AND connection_id = ?")
                    .bind(w.provider_config_key.clone())
                    .bind(w.connection_id.clone())
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        let config = Value::Object(w.connection_config.clone()).to_string();
        let tags = w.tags.to_json().to_string();
        let (outcome, id) = match existing {
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let key: String = row.try_get("provider_config_key")?;
                let connection_id: String = row.try_get("connection_id")?;
                sqlx::query(
                    "UPDATE connections SET provider = ?, auth_mode = ?, credentials = ?, \
                     connection_config = ?, metadata = CASE WHEN ? THEN '{}' ELSE metadata END, \
                     tags = ?, end_user = COALESCE(?, end_user), webhook_url_override = ?, \
                     updated_at = ? WHERE id = ?",
                )
                .bind(w.provider.clone())
                .bind(w.auth_mode.clone())
                .bind(seal(&key, &connection_id))
                .bind(config)
                .bind(w.reset_metadata)
                .bind(tags)
                .bind(rows::json_opt(w.end_user.as_ref()))
                .bind(w.webhook_url_override.clone())
                .bind(w.now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                (AuthOutcome::Overridden, id)
            }
            None => {
                let id: i64 = sqlx::query(
                    "INSERT INTO connections (connection_id, provider_config_key, provider, auth_mode, \
                     credentials, connection_config, metadata, tags, end_user, webhook_url_override, \
                     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(w.connection_id.clone())
                .bind(w.provider_config_key.clone())
                .bind(w.provider.clone())
                .bind(w.auth_mode.clone())
                .bind(seal(&w.provider_config_key, &w.connection_id))
                .bind(config)
                .bind(tags)
                .bind(rows::json_opt(w.end_user.as_ref()))
                .bind(w.webhook_url_override.clone())
                .bind(w.now)
                .bind(w.now)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                (AuthOutcome::Created, id)
            }
        };
        replace_tags(&mut tx, id, &w.tags).await?;
        let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections c WHERE c.id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let row = rows::connection(&row)?;
        if let Some(hooks) = &w.webhook {
            outbox::insert(&mut tx, hooks.for_outcome(outcome), w.now).await?;
        }
        tx.commit().await?;
        Ok((outcome, Some(row)))
    }

    pub(super) async fn patch_connection(
        &self,
        key: &str,
        connection_id: &str,
        p: &ConnectionPatch,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let Some(id) = row_id(&mut tx, key, connection_id).await? else {
            return Ok(false);
        };
        if let Some(tags) = &p.tags {
            sqlx::query("UPDATE connections SET tags = ? WHERE id = ?")
                .bind(tags.to_json().to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            replace_tags(&mut tx, id, tags).await?;
        }
        if let Some(end_user) = &p.end_user {
            sqlx::query("UPDATE connections SET end_user = ? WHERE id = ?")
                .bind(end_user.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(url) = &p.webhook_url_override {
            sqlx::query("UPDATE connections SET webhook_url_override = ? WHERE id = ?")
                .bind(url.clone())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE connections SET updated_at = ? WHERE id = ?")
            .bind(p.now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn delete_connection(&self, key: &str, connection_id: &str) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM connections WHERE provider_config_key = ? AND connection_id = ?",
        )
        .bind(key.to_owned())
        .bind(connection_id.to_owned())
        .execute(self.writer()?)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn write_metadata<E>(
        &self,
        key: &str,
        connection_ids: &[String],
        mut next: impl FnMut(Option<&Map<String, Value>>) -> std::result::Result<Map<String, Value>, E>,
        now: Micros,
    ) -> Result<MetadataOutcome<E>> {
        let mut tx = self.begin_write().await?;
        for connection_id in connection_ids {
            let row = sqlx::query(
                "SELECT id, metadata FROM connections WHERE provider_config_key = ? AND connection_id = ?",
            )
            .bind(key.to_owned())
            .bind(connection_id.clone())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Ok(MetadataOutcome::Missing(connection_id.clone()));
            };
            let id: i64 = row.try_get("id")?;
            let current = rows::object_opt(row.try_get("metadata")?)?;
            let metadata = match next(current.as_ref()) {
                Ok(metadata) => metadata,
                Err(refusal) => return Ok(MetadataOutcome::Refused(refusal)),
            };
            sqlx::query("UPDATE connections SET metadata = ?, updated_at = ? WHERE id = ?")
                .bind(Value::Object(metadata).to_string())
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(MetadataOutcome::Written)
    }
}

async fn row_id(
    tx: &mut Transaction<'static, Sqlite>,
    key: &str,
    connection_id: &str,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT id FROM connections WHERE provider_config_key = ? AND connection_id = ?",
    )
    .bind(key.to_owned())
    .bind(connection_id.to_owned())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

async fn replace_tags(tx: &mut Transaction<'static, Sqlite>, id: i64, tags: &Tags) -> Result<()> {
    sqlx::query("DELETE FROM connection_tags WHERE connection = ?")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (key, value) in tags.iter() {
        sqlx::query(
            "INSERT INTO connection_tags (connection, key, value, created_at) \
             SELECT id, ?, ?, created_at FROM connections WHERE id = ?",
        )
        .bind(key.to_owned())
        .bind(value.to_owned())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
