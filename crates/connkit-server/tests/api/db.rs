//! The database under the suite: `CONNKIT_TEST_BACKEND=postgres` runs every test on PostgreSQL
//! (a fresh database per app, on the cluster of `CONNKIT_TEST_POSTGRES` or one this process
//! starts), anything else on a SQLite file in the app's temporary directory. `cargo xtask test`
//! runs the suite both ways.
//!
//! [`Db`] is what a test may do to the database behind the API's back (expire a session, read
//! what is stored, inject a failure), written once per backend here so the tests stay one.
//!
//! Knows no endpoint rules.

use std::path::Path;

pub(crate) use crate::postgres::new_postgres_database;

/// The variable choosing the suite's backend.
pub(crate) const BACKEND: &str = "CONNKIT_TEST_BACKEND";

/// True when the suite runs on PostgreSQL.
pub(crate) fn on_postgres() -> bool {
    std::env::var(BACKEND).is_ok_and(|b| b == "postgres")
}

/// A new, empty database for one app: a SQLite file in `dir`, or a PostgreSQL database.
pub(crate) async fn new_database(dir: &Path) -> String {
    if on_postgres() {
        new_postgres_database().await
    } else {
        sqlite_url(dir)
    }
}

/// A SQLite file in `dir`.
pub(crate) fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("connkit.db").display())
}

/// The database behind an app, reached directly.
pub(crate) enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Db {
    pub(crate) async fn open(url: &str) -> Db {
        if url.starts_with("sqlite:") {
            Db::Sqlite(connkit_server::store::connect_sqlite(url).await.unwrap())
        } else {
            Db::Postgres(sqlx::PgPool::connect(url).await.unwrap())
        }
    }

    /// Runs `sql` (no parameters; the same text on both backends).
    pub(crate) async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Db::Sqlite(pool) => drop(sqlx::raw_sql(sql).execute(pool).await.unwrap()),
            Db::Postgres(pool) => drop(sqlx::raw_sql(sql).execute(pool).await.unwrap()),
        }
    }

    /// The one integer `sql` selects.
    pub(crate) async fn int(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// The first column of every row `sql` selects, as integers.
    pub(crate) async fn ints(&self, sql: &str) -> Vec<i64> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
    }

    /// The first column of every row `sql` selects, as bytes.
    pub(crate) async fn bytes(&self, sql: &str) -> Vec<Vec<u8>> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
    }

    /// Makes every connection write that stores tag `tag` fail inside its transaction, the
    /// way a full disk can: on SQLite with `RAISE(ROLLBACK)` (the database ends the whole
    /// transaction by itself) when `rollback`, else `RAISE(ABORT)`; on PostgreSQL an exception
    /// (the transaction can only be rolled back).
    pub(crate) async fn fail_writes_tagged(&self, tag: &str, rollback: bool) {
        let how = if rollback { "ROLLBACK" } else { "ABORT" };
        match self {
            Db::Sqlite(_) => {
                self.exec(&format!(
                    "CREATE TRIGGER inject_{tag} BEFORE INSERT ON connection_tags \
                     WHEN NEW.key = '{tag}' BEGIN SELECT RAISE({how}, 'injected failure'); END"
                ))
                .await;
            }
            Db::Postgres(_) => {
                self.exec(&format!(
                    "CREATE FUNCTION inject_{tag}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN IF NEW.tag_set ? '{tag}' THEN RAISE EXCEPTION 'injected failure'; \
                     END IF; RETURN NEW; END $$; \
                     CREATE TRIGGER inject_{tag} BEFORE INSERT OR UPDATE ON connections \
                     FOR EACH ROW EXECUTE FUNCTION inject_{tag}();"
                ))
                .await;
            }
        }
    }

    /// Makes writes of the setting `name` fail (`on`), or work again (`!on`).
    pub(crate) async fn refuse_setting(&self, name: &str, on: bool) {
        let sql = match (self, on) {
            (Db::Sqlite(_), true) => ["INSERT", "UPDATE"]
                .map(|event| {
                    format!(
                        "CREATE TRIGGER refuse_{event} BEFORE {event} ON settings \
                         WHEN NEW.name = '{name}' BEGIN SELECT RAISE(ABORT, 'injected'); END;"
                    )
                })
                .concat(),
            (Db::Sqlite(_), false) => {
                "DROP TRIGGER refuse_INSERT; DROP TRIGGER refuse_UPDATE;".into()
            }
            (Db::Postgres(_), true) => format!(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF NEW.name = '{name}' THEN RAISE EXCEPTION 'injected'; END IF; \
                 RETURN NEW; END $$; \
                 CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON settings \
                 FOR EACH ROW EXECUTE FUNCTION refuse();"
            ),
            (Db::Postgres(_), false) => {
                "DROP TRIGGER refuse ON settings; DROP FUNCTION refuse();".into()
            }
        };
        self.exec(&sql).await;
    }

    pub(crate) async fn close(self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
