//! A fresh PostgreSQL database for a test, on the cluster of `CONNKIT_TEST_POSTGRES` or one
//! this test process starts (`connkit-pgcluster`); shared by the API and process test binaries.
//!
//! Knows nothing about connkit's schema: the server migrates the database it is given.

use sqlx::Connection;

/// A new, empty database on the test cluster; returns its URL.
pub(crate) async fn new_postgres_database() -> String {
    let admin = tokio::task::spawn_blocking(connkit_pgcluster::shared)
        .await
        .unwrap()
        .unwrap_or_else(|err| panic!("no PostgreSQL for the tests: {err}"));
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    connkit_pgcluster::with_database(&admin, &name)
}
