//! Persistence: the one door handlers use to reach the database.
//!
//! [`Store`] hides the backend ([`Backend`]: SQLite in `sqlite.rs`, PostgreSQL in `postgres.rs`)
//! and seals credentials on the way in and opens them on the way out, so no backend ever sees
//! plaintext credentials. Values cross this boundary as plain data (JSON objects, core [`Tags`],
//! Unix microseconds). Each door of `Store` is one method of each backend, called through
//! [`on_backend!`]: a new door is a method on `SqliteStore`, one on `PgStore`, and a migration in
//! each of `migrations/sqlite/` and `migrations/postgres/`.
//!
//! Knows nothing about HTTP, Nango's JSON shapes or the rules: callers validate with core first.

/// One database copied into another (`connkit-server copy`).
mod copy;
/// Connect sessions written together.
mod group;
mod oauth;
/// The webhook outbox.
mod outbox;
mod postgres;
/// OAuth outcomes handed between servers sharing a PostgreSQL database.
mod relay;
/// Sessions and connections decoded from either backend's rows.
mod rows;
/// The generated secret key, sealed.
mod secret;
mod sqlite;

use connkit_core::tag_filter::TagFilter;
use connkit_core::tags::Tags;
use serde_json::{Map, Value};

use crate::crypto::Keyring;
use crate::timestamp::Micros;

pub use copy::{CopiedTable, CopyProgress, MAX_BATCH};
pub(crate) use oauth::{NewOAuthFlow, OAuthFlow};
pub(crate) use outbox::{AuthWebhookRows, FailedWebhook, NewWebhook, PendingWebhook};
use postgres::PgStore;
pub(crate) use relay::RelayListener;
use sqlite::SqliteStore;
pub use sqlite::connect_sqlite;

/// Calls `$call` on whichever backend `$store` has, bound to `$db`.
macro_rules! on_backend {
    ($store:expr, $db:ident => $call:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($db) => $call,
            $crate::store::Backend::Postgres($db) => $call,
        }
    };
}
pub(crate) use on_backend;

/// A database or decoding failure (never the client's fault).
#[derive(Debug)]
pub struct StoreError {
    message: String,
    unavailable: bool,
}

impl StoreError {
    /// The same failure again (for each call of a batch that failed).
    pub(crate) fn same(&self) -> StoreError {
        StoreError {
            message: self.message.clone(),
            unavailable: self.unavailable,
        }
    }

    /// A failure of this request only (a query, stored data that does not decode).
    pub(crate) fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            unavailable: false,
        }
    }

    /// The database cannot take writes or answer now (full, read-only, locked too long, its
    /// files gone): the operator has to act, and the client may try again later.
    pub(crate) fn unavailable(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            unavailable: true,
        }
    }

    /// True when the database as a whole is unavailable, rather than this request failing.
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> StoreError {
        let message = format!("database: {err}");
        // No connection to be had (I/O, the pool), or the backend's own codes for a database
        // that cannot take requests.
        let unreachable = matches!(
            err,
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
        );
        if unreachable || sqlite::is_unavailable(&err) || postgres::is_unavailable(&err) {
            StoreError::unavailable(message)
        } else {
            StoreError::new(message)
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::new(format!("migration: {err}"))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> StoreError {
        StoreError::new(format!("stored JSON: {err}"))
    }
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connect session to store.
#[derive(Debug, Clone)]
pub(crate) struct NewSession {
    /// The key the session is found by ([`Keyring::session_key`]), stored as `token_hash`.
    pub(crate) token_key: Vec<u8>,
    pub(crate) created_at: Micros,
    pub(crate) expires_at: Micros,
    pub(crate) end_user: Option<Value>,
    pub(crate) organization: Option<Value>,
    pub(crate) allowed_integrations: Option<Vec<String>>,
    pub(crate) integrations_config_defaults: Option<Value>,
    pub(crate) overrides: Option<Value>,
    pub(crate) webhook_url_override: Option<String>,
    pub(crate) tags: Tags,
    pub(crate) reconnect_connection: Option<i64>,
}

/// A stored, unexpired connect session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) id: i64,
    pub(crate) end_user: Option<Value>,
    pub(crate) organization: Option<Value>,
    pub(crate) allowed_integrations: Option<Vec<String>>,
    pub(crate) integrations_config_defaults: Option<Value>,
    pub(crate) overrides: Option<Value>,
    pub(crate) webhook_url_override: Option<String>,
    pub(crate) tags: Map<String, Value>,
    pub(crate) reconnect_connection: Option<i64>,
}

/// A connection without its credentials (what lists and lookups return).
#[derive(Debug, Clone)]
pub(crate) struct ConnectionRow {
    pub(crate) id: i64,
    pub(crate) connection_id: String,
    pub(crate) provider_config_key: String,
    pub(crate) provider: String,
    pub(crate) auth_mode: String,
    pub(crate) connection_config: Map<String, Value>,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) tags: Map<String, Value>,
    pub(crate) end_user: Option<Value>,
    pub(crate) webhook_url_override: Option<String>,
    pub(crate) created_at: Micros,
    pub(crate) updated_at: Micros,
    pub(crate) last_fetched_at: Option<Micros>,
}

/// Which connections GET /connections wants; every part is ANDed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListFilter {
    pub(crate) tags: TagFilter,
    pub(crate) integration_ids: Option<Vec<String>>,
    pub(crate) connection_id: Option<String>,
    /// Substring of the connection id, end-user display name or email (case-insensitive ASCII).
    pub(crate) search: Option<String>,
    pub(crate) end_user_id: Option<String>,
    pub(crate) end_user_organization_id: Option<String>,
    pub(crate) limit: i64,
    pub(crate) offset: i64,
}

/// What an auth endpoint writes (spec §3.4 step 12).
#[derive(Debug, Clone)]
pub(crate) struct AuthWrite {
    /// `Some(row id)` when a reconnect session names the connection to override.
    pub(crate) reconnect_connection: Option<i64>,
    pub(crate) connection_id: String,
    pub(crate) provider_config_key: String,
    pub(crate) provider: String,
    pub(crate) auth_mode: String,
    pub(crate) credentials: Value,
    pub(crate) connection_config: Map<String, Value>,
    pub(crate) tags: Tags,
    pub(crate) end_user: Option<Value>,
    pub(crate) webhook_url_override: Option<String>,
    /// On re-auth, set metadata to `{}` (API_KEY, BASIC) instead of keeping it (NONE).
    pub(crate) reset_metadata: bool,
    /// The auth webhook, queued in the same transaction, as the outcome says (none when the
    /// target is missing).
    pub(crate) webhook: Option<AuthWebhookRows>,
    pub(crate) now: Micros,
}

/// How an auth write went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthOutcome {
    /// A new connection.
    Created,
    /// An existing connection re-authorised.
    Overridden,
    /// The reconnect target no longer exists.
    TargetMissing,
}

/// A PATCH /connections/:id change; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionPatch {
    pub(crate) tags: Option<Tags>,
    pub(crate) end_user: Option<Value>,
    /// `Some(None)` clears the override.
    pub(crate) webhook_url_override: Option<Option<String>>,
    pub(crate) now: Micros,
}

/// How a metadata write went (all or nothing).
#[derive(Debug, PartialEq)]
pub(crate) enum MetadataOutcome<E> {
    /// Every connection was written.
    Written,
    /// This connection id does not exist under the key; nothing was written.
    Missing(String),
    /// The new metadata for some connection was refused; nothing was written.
    Refused(E),
}

/// The database, whichever it is.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    keys: Keyring,
    sessions: std::sync::Arc<group::SessionQueue>,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Backend {
    /// Opens the database at `url` (`sqlite:…`, `postgres://…`, `postgresql://…`) and runs its
    /// migrations; nothing is sealed or opened at this level.
    async fn open(url: &str, max_bytes: Option<u64>) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            return Ok(Backend::Sqlite(SqliteStore::open(url, max_bytes).await?));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            if max_bytes.is_some() {
                return Err(StoreError::new(
                    "--max-database-size applies to SQLite only (PostgreSQL has its own quotas)",
                ));
            }
            return Ok(Backend::Postgres(PgStore::open(url).await?));
        }
        Err(StoreError::new(
            "unsupported database URL (sqlite://PATH, postgres://… or postgresql://…)",
        ))
    }
}

impl Store {
    /// Opens (creating if needed) the database at `url` (`sqlite://path`, `sqlite::memory:`),
    /// runs the migrations and checks that `keys` is the key the stored credentials use.
    pub async fn open(url: &str, keys: Keyring) -> Result<Store> {
        Store::open_capped(url, keys, None).await
    }

    /// [`Store::open`], with the database kept under `max_bytes` (writes that would grow it
    /// past fail as on a full disk; 503 to clients) when given.
    pub async fn open_capped(url: &str, keys: Keyring, max_bytes: Option<u64>) -> Result<Store> {
        let backend = Backend::open(url, max_bytes).await?;
        let store = Store {
            sessions: std::sync::Arc::new(group::SessionQueue::start(backend.clone())?),
            backend,
            keys,
        };
        store.check_key().await?;
        Ok(store)
    }

    /// True when other servers may share this database (PostgreSQL): what one server keeps in
    /// its process (a waiting WebSocket client) must then be reachable through the database.
    pub(crate) fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    async fn check_key(&self) -> Result<()> {
        let check = self.keys.check_value();
        if self.setting_or_put("encryption_key_check", check).await? != check {
            return Err(StoreError::new(
                "the encryption key is not the one this database was written with",
            ));
        }
        Ok(())
    }

    /// A value the server keeps between runs (e.g. a generated secret key).
    pub async fn setting(&self, name: &str) -> Result<Option<String>> {
        on_backend!(self, db => db.setting(name).await)
    }

    /// Stores a value the server keeps between runs.
    pub async fn put_setting(&self, name: &str, value: &str) -> Result<()> {
        on_backend!(self, db => db.put_setting(name, value).await)
    }

    /// Stores `value` under `name` unless a value is there already; returns the stored value.
    pub async fn setting_or_put(&self, name: &str, value: &str) -> Result<String> {
        on_backend!(self, db => db.setting_or_put(name, value).await)
    }

    /// Forgets a kept value.
    pub async fn delete_setting(&self, name: &str) -> Result<()> {
        on_backend!(self, db => db.delete_setting(name).await)
    }

    /// Ok when the database files are the ones opened, a read answers and a write commits.
    pub(crate) async fn health(&self) -> Result<()> {
        on_backend!(self, db => db.health(crate::timestamp::now()).await)
    }

    /// The key ring (token hashing happens before lookups).
    pub(crate) fn keys(&self) -> &Keyring {
        &self.keys
    }

    /// The unexpired session whose token is `token` (its last access is recorded).
    pub(crate) async fn find_session(&self, token: &str, now: Micros) -> Result<Option<Session>> {
        let keys = [self.keys.session_key(token), self.keys.token_hash(token)];
        on_backend!(self, db => db.find_session(&keys, now).await)
    }

    pub(crate) async fn delete_session(&self, id: i64) -> Result<bool> {
        on_backend!(self, db => db.delete_session(id).await)
    }

    /// The connection `connection_id` of integration `key`, with its credentials opened.
    pub(crate) async fn find_connection(
        &self,
        key: &str,
        connection_id: &str,
    ) -> Result<Option<(ConnectionRow, Value)>> {
        let found = on_backend!(self, db => db.find_connection(key, connection_id).await?);
        let Some((row, sealed)) = found else {
            return Ok(None);
        };
        let context = seal_context(&row.provider_config_key, &row.connection_id);
        let plain = self
            .keys
            .open(&sealed, &context)
            .map_err(|_| StoreError::new("credentials do not open under the configured key"))?;
        let credentials = serde_json::from_slice(&plain)?;
        Ok(Some((row, credentials)))
    }

    /// The connection with row id `id`, without credentials.
    pub(crate) async fn connection_by_row(&self, id: i64) -> Result<Option<ConnectionRow>> {
        on_backend!(self, db => db.connection_by_row(id).await)
    }

    pub(crate) async fn touch_fetched(&self, id: i64, now: Micros) -> Result<()> {
        on_backend!(self, db => db.touch_fetched(id, now).await)
    }

    pub(crate) async fn list_connections(&self, filter: &ListFilter) -> Result<Vec<ConnectionRow>> {
        on_backend!(self, db => db.list_connections(filter).await)
    }

    /// Creates or re-authorises a connection; returns the stored row and what happened.
    pub(crate) async fn write_auth(
        &self,
        write: &AuthWrite,
    ) -> Result<(AuthOutcome, Option<ConnectionRow>)> {
        let keys = &self.keys;
        let plain = serde_json::to_vec(&write.credentials)?;
        let seal = |key: &str, id: &str| keys.seal(&plain, &seal_context(key, id));
        on_backend!(self, db => db.write_auth(write, &seal).await)
    }

    /// Applies `patch`; false if there is no such connection.
    pub(crate) async fn patch_connection(
        &self,
        key: &str,
        connection_id: &str,
        patch: &ConnectionPatch,
    ) -> Result<bool> {
        on_backend!(self, db => db.patch_connection(key, connection_id, patch).await)
    }

    /// Deletes a connection and its tags; false if there is no such connection.
    pub(crate) async fn delete_connection(&self, key: &str, connection_id: &str) -> Result<bool> {
        on_backend!(self, db => db.delete_connection(key, connection_id).await)
    }

    /// Writes metadata on every listed connection in one transaction: `next` gets a
    /// connection's current metadata and gives the metadata to store, or refuses.
    pub(crate) async fn write_metadata<E>(
        &self,
        key: &str,
        connection_ids: &[String],
        next: impl FnMut(Option<&Map<String, Value>>) -> Result<Map<String, Value>, E>,
        now: Micros,
    ) -> Result<MetadataOutcome<E>> {
        on_backend!(self, db => db.write_metadata(key, connection_ids, next, now).await)
    }
}

/// The write of a health check, which a committed one stands for a second: polling `/health`
/// never turns into a stream of writes. Checks run one at a time.
#[derive(Debug, Clone, Default)]
struct HealthWrite {
    /// When the last write committed.
    last: std::sync::Arc<tokio::sync::Mutex<Option<std::time::Instant>>>,
}

impl HealthWrite {
    const FRESH: std::time::Duration = std::time::Duration::from_secs(1);

    /// Runs `write` unless one committed less than [`HealthWrite::FRESH`] ago.
    async fn check(&self, write: impl std::future::Future<Output = Result<()>>) -> Result<()> {
        let mut last = self.last.lock().await;
        if last.is_some_and(|at| at.elapsed() < HealthWrite::FRESH) {
            return Ok(());
        }
        *last = None;
        write.await?;
        *last = Some(std::time::Instant::now());
        Ok(())
    }
}

/// What sealed credentials are bound to: the connection's integration key and id.
fn seal_context(key: &str, connection_id: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + connection_id.len() + 1);
    out.extend_from_slice(key.as_bytes());
    out.push(0);
    out.extend_from_slice(connection_id.as_bytes());
    out
}
