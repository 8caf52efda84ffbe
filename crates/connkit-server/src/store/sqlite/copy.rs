//! The SQLite side of `store/copy.rs`: a table's rows read in key order and written in one
//! transaction per batch, skipping rows already there; a connection's `connection_tags` rows
//! are derived from its `tags` on the way in, as `replace_tags` writes them.
//!
//! Knows nothing about sealing (rows travel sealed) or the other backend.

use serde_json::{Map, Value};
use sqlx::{QueryBuilder, Sqlite};

use super::super::copy::{Cell, Table};
use super::super::{Result, StoreError};
use super::SqliteStore;
use crate::timestamp::Micros;

/// Tag rows per statement (four parameters each, under SQLite's 32766).
const TAG_ROWS: usize = 4000;

impl SqliteStore {
    pub(in crate::store) async fn copy_read(
        &self,
        table: &Table,
        after: Option<&Cell>,
        now: Micros,
        limit: usize,
    ) -> Result<Vec<Vec<Cell>>> {
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let mut q =
            table.read_batch::<Sqlite>(&columns.join(", "), after, now, limit, |b, key| {
                push_value(b, key);
                Ok(())
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
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let mut tx = self.begin_write().await?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "INSERT INTO {} ({}) ",
            table.name,
            columns.join(", ")
        ));
        q.push_values(rows, |mut b, row| {
            for cell in row {
                push_value(&mut b, cell);
            }
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut *tx).await?;
        if table.name == "connections" {
            let tags = tag_rows(table, rows)?;
            for chunk in tags.chunks(TAG_ROWS) {
                let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                    "INSERT INTO connection_tags (connection, key, value, created_at) ",
                );
                q.push_values(chunk, |mut b, (id, key, value, created_at)| {
                    b.push_bind(*id)
                        .push_bind(key.clone())
                        .push_bind(value.clone())
                        .push_bind(*created_at);
                });
                q.push(" ON CONFLICT DO NOTHING");
                q.build().execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// SQLite's AUTOINCREMENT moves past the ids written already.
    pub(in crate::store) async fn copy_finish(&self, _table: &Table) -> Result<()> {
        Ok(())
    }
}

/// `(connection, key, value, created_at)` for each tag of each connection row (`tags` holds the
/// pairs in order; the rows are the connection's creation time, as `replace_tags` writes them).
fn tag_rows(table: &Table, rows: &[Vec<Cell>]) -> Result<Vec<(i64, String, String, i64)>> {
    let (id, tags, created_at) = (table.at("id"), table.at("tags"), table.at("created_at"));
    let mut out = Vec::new();
    for row in rows {
        let (Some(Cell::Int(id)), Some(Some(tags)), Some(Cell::Int(created_at))) = (
            row.get(id),
            row.get(tags).map(Cell::text),
            row.get(created_at),
        ) else {
            return Err(StoreError::new(
                "a connection row without id, tags or creation time",
            ));
        };
        let tags: Map<String, Value> = serde_json::from_str(tags)?;
        for (key, value) in tags {
            let Value::String(value) = value else {
                return Err(StoreError::new("a connection's tag that is not a string"));
            };
            out.push((*id, key, value, *created_at));
        }
    }
    Ok(out)
}

fn push_value(b: &mut sqlx::query_builder::Separated<'_, Sqlite, &'static str>, cell: &Cell) {
    match cell {
        Cell::Null => b.push("NULL"),
        Cell::Int(n) => b.push_bind(*n),
        Cell::Text(text) => b.push_bind(text.clone()),
        Cell::Bytes(bytes) => b.push_bind(bytes.clone()),
    };
}
