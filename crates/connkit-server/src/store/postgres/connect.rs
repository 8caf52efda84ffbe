//! Opening PostgreSQL: connkit's connection settings, the pool, migrations several servers can
//! run at once, and which failures mean the database as a whole is unavailable.
//!
//! Knows nothing about the tables beyond running their migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgDatabaseError, PgPool, PgPoolOptions};

use crate::store::Result;

/// The SQLSTATE classes that mean the database failed rather than the statement: connection
/// exceptions (08), insufficient resources such as a full disk (53), operator intervention such
/// as a shutdown (57P), system errors such as I/O (58), and a read-only transaction (25006).
const UNAVAILABLE_CLASSES: [&str; 4] = ["08", "53", "57P", "58"];
const READ_ONLY: &str = "25006";

/// connkit's options on `url`: every connection plans each statement for its own parameters.
///
/// With sqlx's cached prepared statements, PostgreSQL switches a statement to a generic plan
/// after five runs; for `tag_set @> $1` a generic plan cannot see how rare the filter's tags
/// are, and after a burst of inserts the same filter took 100 times longer.
/// `plan_cache_mode = force_custom_plan` keeps the statements prepared and their plans fitted.
pub(super) fn options(url: &str) -> Result<PgConnectOptions> {
    Ok(PgConnectOptions::from_str(url)?
        .options([("plan_cache_mode", "force_custom_plan")])
        .application_name("connkit-server"))
}

/// What the session writer connects with: no `force_custom_plan`, as its one statement, an
/// INSERT of values, plans the same for any values, and planning it for every batch cost the
/// database's CPU that the server's requests share.
pub(super) fn session_options(url: &str) -> Result<PgConnectOptions> {
    Ok(PgConnectOptions::from_str(url)?.application_name("connkit-server"))
}

/// The session writer's pool: one connection (it writes one batch at a time), opened when first
/// acquired (on the writer's runtime) and closed after a minute idle, as [`pool`]'s are.
pub(super) fn session_pool(options: PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(60))
        .connect_lazy_with(options)
}

/// A pool of at most `connections` on `options`; a connection is never kept idle for long, so
/// that several servers do not hold the database's connection slots for nothing.
pub(super) async fn pool(options: PgConnectOptions, connections: u32) -> Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(60))
        .connect_with(options)
        .await?)
}

/// Runs the migrations of `migrations/postgres`: sqlx's migrator holds an advisory lock, so
/// servers starting together on an empty database migrate it once.
pub(super) async fn migrate(pool: &PgPool) -> Result<()> {
    sqlx::migrate!("./migrations/postgres").run(pool).await?;
    Ok(())
}

/// True for PostgreSQL failures of the database as a whole (see [`UNAVAILABLE_CLASSES`]).
pub(crate) fn is_unavailable(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() else {
        return false;
    };
    let code = pg.code();
    code == READ_ONLY || UNAVAILABLE_CLASSES.iter().any(|c| code.starts_with(c))
}
