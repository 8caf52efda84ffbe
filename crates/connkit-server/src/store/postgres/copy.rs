//! The PostgreSQL side of `store/copy.rs`: a table's rows read in key order (JSON cast to text)
//! and written in one transaction per batch, skipping rows already there; a connection's
//! `tag_set` and end-user columns are derived from its row as `connections.rs` writes them, and
//! the identity columns move past the copied ids.
//!
//! Knows nothing about sealing (rows travel sealed) or the other backend.

use serde_json::{Map, Value};
use sqlx::query_builder::Separated;
use sqlx::{Postgres, QueryBuilder};

use super::super::copy::{Cell, Kind, Table};
use super::super::{Result, StoreError};
use super::PgStore;
use super::text::{self, EndUserColumns};
use crate::timestamp::Micros;

/// The columns PostgreSQL derives from a connection row (`connections.rs`).
const CONNECTION_DERIVED: &str =
    "tag_set, end_user_id, end_user_organization_id, end_user_name_lower, end_user_email_lower";

impl PgStore {
    pub(in crate::store) async fn copy_read(
        &self,
        table: &Table,
        after: Option<&Cell>,
        now: Micros,
        limit: usize,
    ) -> Result<Vec<Vec<Cell>>> {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|(name, kind)| match kind {
                Kind::Json => format!("{name}::text AS {name}"),
                _ => (*name).to_owned(),
            })
            .collect();
        let mut q =
            table.read_batch::<Postgres>(&columns.join(", "), after, now, limit, |b, key| {
                bind(b, table.columns[0].1, key)
            })?;
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(|row| table.cells(row)).collect()
    }

    pub(in crate::store) async fn copy_write(
        &self,
        table: &Table,
        rows: &[Vec<Cell>],
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let connections = table.name == "connections";
        let mut columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        if connections {
            columns.push(CONNECTION_DERIVED);
        }
        let derived = if connections {
            rows.iter()
                .map(|row| derive(table, row))
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(format!(
            "INSERT INTO {} ({}) ",
            table.name,
            columns.join(", ")
        ));
        let mut failed = None;
        q.push_values(rows.iter().enumerate(), |mut b, (n, row)| {
            for ((_, kind), cell) in table.columns.iter().zip(row) {
                if let Err(err) = bind(&mut b, *kind, cell) {
                    failed = Some(err);
                }
            }
            if let Some(d) = derived.get(n) {
                b.push_bind(d.0.clone()).push_unseparated("::jsonb");
                b.push_bind(d.1.id.clone())
                    .push_bind(d.1.organization_id.clone())
                    .push_bind(d.1.name_lower.clone())
                    .push_bind(d.1.email_lower.clone());
            }
        });
        if let Some(err) = failed {
            return Err(err);
        }
        q.push(" ON CONFLICT DO NOTHING");
        let mut tx = self.pool.begin().await?;
        q.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an identity column past the largest id (never back: ids a deleted row had are not
    /// handed out again).
    pub(in crate::store) async fn copy_finish(&self, table: &Table) -> Result<()> {
        if !table.identity {
            return Ok(());
        }
        let t = table.name;
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST( \
             (SELECT COALESCE(max(id), 0) FROM {t}), \
             COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{t}', 'id')::regclass), 0), 1))"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A connection row's `tag_set` and end-user columns.
fn derive(table: &Table, row: &[Cell]) -> Result<(String, EndUserColumns)> {
    let tags = row
        .get(table.at("tags"))
        .and_then(Cell::text)
        .ok_or_else(|| StoreError::new("a connection row without tags"))?;
    let tags: Map<String, Value> = serde_json::from_str(tags)?;
    let pairs = tags
        .iter()
        .map(|(key, value)| value.as_str().map(|value| (key.as_str(), value)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| StoreError::new("a connection's tag that is not a string"))?;
    let end_user = match row.get(table.at("end_user")).and_then(Cell::text) {
        Some(text) => Some(serde_json::from_str::<Value>(text)?),
        None => None,
    };
    Ok((
        text::tag_set(pairs.into_iter()),
        EndUserColumns::of(end_user.as_ref()),
    ))
}

/// Binds `cell` as a value of a `kind` column (a NULL typed as the column is).
fn bind(b: &mut Separated<'_, Postgres, &'static str>, kind: Kind, cell: &Cell) -> Result<()> {
    let mismatch = || StoreError::new("a value of another type than its column");
    match (kind, cell) {
        (Kind::Int, Cell::Null) => b.push_bind(None::<i64>),
        (Kind::Int, Cell::Int(n)) => b.push_bind(*n),
        (Kind::Text, Cell::Null) => b.push_bind(None::<String>),
        (Kind::Text, Cell::Text(text)) => b.push_bind(text.clone()),
        (Kind::Json, Cell::Null) => b.push_bind(None::<String>).push_unseparated("::json"),
        (Kind::Json, Cell::Text(text)) => b.push_bind(text.clone()).push_unseparated("::json"),
        (Kind::Bytes | Kind::TextBytes, Cell::Null) => b.push_bind(None::<Vec<u8>>),
        (Kind::Bytes, Cell::Bytes(bytes)) => b.push_bind(bytes.clone()),
        (Kind::TextBytes, Cell::Text(text)) => b.push_bind(text.clone().into_bytes()),
        _ => return Err(mismatch()),
    };
    Ok(())
}
