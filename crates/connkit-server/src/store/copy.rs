//! `connkit-server copy --from … --to …`: every row of one database into another, SQLite or
//! PostgreSQL either way, then checked.
//!
//! Rows travel as they are stored: credentials, OAuth flows and the kept secret key stay sealed
//! under the encryption key both stores were opened with (the destination's key check is the
//! source's, so a destination written under another key refuses to open). Each table is read in
//! key order and written in batches, one transaction each, that skip rows already there: a copy
//! stopped half way is run again and finishes. What only one backend has is derived from the
//! rows on the way in (PostgreSQL's `tag_set` and end-user columns, SQLite's `connection_tags`).
//!
//! Not copied: rows the server drops anyway (sessions an hour past their expiry, expired OAuth
//! flows and redirect-mode results), the health probe's setting, the outbox's leases and
//! PostgreSQL's relayed WebSocket outcomes (both belong to running servers). Both databases are
//! then read again: each table's row count and a checksum of its rows must match.
//!
//! Knows nothing about HTTP or what the rows mean beyond their columns.

use std::ops::ControlFlow;

use sha2::{Digest, Sha256};
use sqlx::query_builder::Separated;
use sqlx::{ColumnIndex, Database, Encode, QueryBuilder, Type};

use super::rows::StoredRow;
use super::{Result, Store, StoreError, on_backend};
use crate::timestamp::Micros;

/// How a column is stored, which decides how it is read and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Int,
    Text,
    Bytes,
    /// JSON text, kept as written (`TEXT` on SQLite, `json` on PostgreSQL).
    Json,
    /// Text that may hold U+0000: `TEXT` on SQLite, its UTF-8 bytes on PostgreSQL.
    TextBytes,
}

/// A stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Cell {
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// A table as both backends have it: its key (the first column, unique), the columns that
/// travel, and which rows are still alive (SQL with `{now}`).
#[derive(Debug)]
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) columns: &'static [(&'static str, Kind)],
    pub(super) live: &'static str,
    /// True when PostgreSQL numbers its rows with an identity column to move past the copied ids.
    pub(super) identity: bool,
}

impl Table {
    pub(super) fn key(&self) -> &'static str {
        self.columns[0].0
    }

    /// The position of column `name` in a row (a name of [`TABLES`]' own).
    pub(super) fn at(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|(column, _)| *column == name)
            .unwrap_or(usize::MAX)
    }

    /// The `live` condition at `now`.
    pub(super) fn live_at(&self, now: Micros) -> String {
        self.live.replace("{now}", &now.to_string())
    }

    /// The query reading a batch: the rows live at `now` whose key is past `after`, in key
    /// order, at most `limit`. `columns` is the column list (PostgreSQL casts JSON to text in
    /// it) and `bind_key` binds a key as the backend does.
    pub(super) fn read_batch<DB: Database>(
        &self,
        columns: &str,
        after: Option<&Cell>,
        now: Micros,
        limit: usize,
        bind_key: impl FnOnce(&mut Separated<'_, DB, &'static str>, &Cell) -> Result<()>,
    ) -> Result<QueryBuilder<DB>>
    where
        DB::Arguments: Default,
        for<'t> i64: Encode<'t, DB> + Type<DB>,
    {
        let mut q = QueryBuilder::new(format!(
            "SELECT {columns} FROM {} WHERE ({})",
            self.name,
            self.live_at(now)
        ));
        if let Some(after) = after {
            q.push(format!(" AND {} > ", self.key()));
            bind_key(&mut q.separated(""), after)?;
        }
        q.push(format!(" ORDER BY {} LIMIT ", self.key()))
            .push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        Ok(q)
    }

    /// A row read back by its columns' kinds (JSON comes as text: PostgreSQL's column list casts
    /// it). Text that may hold U+0000 is read as bytes, which SQLite's `TEXT` gives too.
    pub(super) fn cells<R: StoredRow>(&self, row: &R) -> Result<Vec<Cell>>
    where
        for<'a> &'a str: ColumnIndex<R>,
    {
        self.columns
            .iter()
            .map(|(name, kind)| {
                Ok(match kind {
                    Kind::Int => row.int_opt(name)?.map(Cell::Int),
                    Kind::Text | Kind::Json => row.text_opt(name)?.map(Cell::Text),
                    Kind::Bytes => row.bytes_opt(name)?.map(Cell::Bytes),
                    Kind::TextBytes => match row.bytes_opt(name)? {
                        Some(bytes) => {
                            Some(Cell::Text(String::from_utf8(bytes).map_err(|_| {
                                StoreError::new(format!(
                                    "{}.{name} holds bytes that are no text",
                                    self.name
                                ))
                            })?))
                        }
                        None => None,
                    },
                }
                .unwrap_or(Cell::Null))
            })
            .collect()
    }
}

/// The most rows a batch holds (the widest table has 14 columns).
pub const MAX_BATCH: usize = 2000;

/// Sessions stay readable by id an hour past their expiry (`migrations/sqlite/0002_oauth.sql`,
/// `0006_purge_sessions_by_id.sql`).
const SESSION_GRACE: &str = "expires_at > {now} - 3600000000";

/// In the order they are written: a row's references come before it.
pub(super) const TABLES: &[Table] = &[
    Table {
        name: "settings",
        columns: &[("name", Kind::Text), ("value", Kind::Text)],
        live: "name <> 'health_checked_at'",
        identity: false,
    },
    Table {
        name: "connect_sessions",
        columns: &[
            ("id", Kind::Int),
            ("token_hash", Kind::Bytes),
            ("created_at", Kind::Int),
            ("expires_at", Kind::Int),
            ("last_access_at", Kind::Int),
            ("end_user", Kind::Json),
            ("organization", Kind::Json),
            ("allowed_integrations", Kind::Json),
            ("integrations_config_defaults", Kind::Json),
            ("overrides", Kind::Json),
            ("webhook_url_override", Kind::Text),
            ("tags", Kind::Json),
            ("reconnect_connection", Kind::Int),
        ],
        live: SESSION_GRACE,
        identity: true,
    },
    Table {
        name: "connections",
        columns: &[
            ("id", Kind::Int),
            ("connection_id", Kind::Text),
            ("provider_config_key", Kind::Text),
            ("provider", Kind::Text),
            ("auth_mode", Kind::Text),
            ("credentials", Kind::Bytes),
            ("connection_config", Kind::Json),
            ("metadata", Kind::Json),
            ("tags", Kind::Json),
            ("end_user", Kind::Json),
            ("webhook_url_override", Kind::Text),
            ("created_at", Kind::Int),
            ("updated_at", Kind::Int),
            ("last_fetched_at", Kind::Int),
        ],
        live: "true",
        identity: true,
    },
    Table {
        name: "connection_refresh_failures",
        columns: &[("connection", Kind::Int), ("failed_at", Kind::Int)],
        live: "true",
        identity: false,
    },
    Table {
        name: "oauth_flows",
        columns: &[
            ("id", Kind::Int),
            ("state_hash", Kind::Bytes),
            ("created_at", Kind::Int),
            ("expires_at", Kind::Int),
            ("connect_session", Kind::Int),
            ("provider_config_key", Kind::Text),
            ("provider", Kind::Text),
            ("connection_id", Kind::Text),
            ("ws_client_id", Kind::TextBytes),
            ("webhook_url_override", Kind::Text),
            ("sealed", Kind::Bytes),
        ],
        live: "expires_at > {now}",
        identity: true,
    },
    Table {
        name: "oauth_results",
        columns: &[
            ("id_hash", Kind::Bytes),
            ("connect_session", Kind::Int),
            ("message", Kind::Text),
            ("expires_at", Kind::Int),
        ],
        live: "expires_at > {now}",
        identity: false,
    },
    Table {
        name: "webhook_outbox",
        columns: &[
            ("id", Kind::Int),
            ("url", Kind::Text),
            ("body", Kind::Text),
            ("created_at", Kind::Int),
            ("attempts", Kind::Int),
            ("next_attempt_at", Kind::Int),
            ("last_error", Kind::Text),
            ("failed_at", Kind::Int),
        ],
        live: "true",
        identity: true,
    },
];

/// Where a copy stands, after each batch written.
#[derive(Debug, Clone, Copy)]
pub struct CopyProgress {
    pub table: &'static str,
    /// Rows of `table` read from the source so far (written, or already there).
    pub rows: u64,
}

/// A table copied and checked: its rows (alive, on both sides) and their checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: &'static str,
    pub rows: u64,
    /// SHA-256 of each row, summed (the order rows come in does not matter), in hex.
    pub checksum: String,
}

/// A table's rows summed up: their count, and their hashes added as four 64-bit lanes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    rows: u64,
    lanes: [u64; 4],
}

impl Tally {
    fn add(&mut self, row: &[Cell]) {
        let mut hash = Sha256::new();
        for cell in row {
            match cell {
                Cell::Null => hash.update([0]),
                Cell::Int(n) => {
                    hash.update([1]);
                    hash.update(n.to_be_bytes());
                }
                Cell::Text(text) => {
                    hash.update([2]);
                    hash.update((text.len() as u64).to_be_bytes());
                    hash.update(text.as_bytes());
                }
                Cell::Bytes(bytes) => {
                    hash.update([3]);
                    hash.update((bytes.len() as u64).to_be_bytes());
                    hash.update(bytes);
                }
            }
        }
        let digest = hash.finalize();
        for (lane, chunk) in self.lanes.iter_mut().zip(digest.chunks_exact(8)) {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            *lane = lane.wrapping_add(u64::from_be_bytes(word));
        }
        self.rows += 1;
    }

    fn checksum(&self) -> String {
        self.lanes
            .iter()
            .map(|lane| format!("{lane:016x}"))
            .collect()
    }
}

impl Store {
    /// Copies every table into `to` in batches of `batch` rows, telling `progress` after each
    /// (which may stop the copy: running it again goes on where it stopped), then reads both
    /// databases again and compares each table's rows. `to` must have been opened with this
    /// store's encryption key, and must hold nothing the source does not (a fresh database, or
    /// an earlier copy of this one).
    pub async fn copy_to(
        &self,
        to: &Store,
        batch: usize,
        progress: &mut dyn FnMut(CopyProgress) -> ControlFlow<()>,
    ) -> Result<Vec<CopiedTable>> {
        // One time for both sides' reads: a row alive for one is alive for the other.
        let now = crate::timestamp::now();
        if self.keys.check_value() != to.keys.check_value() {
            return Err(StoreError::new(
                "the two databases must be opened with the same encryption key",
            ));
        }
        // A batch is one statement: its parameters stay under SQLite's limit (32766).
        let batch = batch.clamp(1, MAX_BATCH);
        let mut copied = Vec::new();
        for table in TABLES {
            let from = self.walk(table, batch, now, |rows| async move {
                on_backend!(to, db => db.copy_write(table, &rows).await)?;
                Ok(rows)
            });
            let source = from
                .run(|rows| {
                    progress(CopyProgress {
                        table: table.name,
                        rows,
                    })
                })
                .await?;
            on_backend!(to, db => db.copy_finish(table).await)?;
            let destination = to
                .walk(table, batch, now, |rows| async move { Ok(rows) })
                .run(|_| ControlFlow::Continue(()))
                .await?;
            if source != destination {
                return Err(StoreError::new(format!(
                    "{}: the source has {} rows (checksum {}), the destination {} (checksum {}): \
                     copy into an empty database, or one only an earlier copy of this one wrote",
                    table.name,
                    source.rows,
                    source.checksum(),
                    destination.rows,
                    destination.checksum(),
                )));
            }
            copied.push(CopiedTable {
                table: table.name,
                rows: source.rows,
                checksum: source.checksum(),
            });
        }
        Ok(copied)
    }

    /// A walk over `table`'s live rows in key order, `batch` at a time, each batch passed
    /// through `step` before it is counted.
    fn walk<'a, F, Fut>(
        &'a self,
        table: &'a Table,
        batch: usize,
        now: Micros,
        step: F,
    ) -> Walk<'a, F>
    where
        F: FnMut(Vec<Vec<Cell>>) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<Vec<Cell>>>>,
    {
        Walk {
            store: self,
            table,
            batch,
            now,
            step,
        }
    }
}

struct Walk<'a, F> {
    store: &'a Store,
    table: &'a Table,
    batch: usize,
    now: Micros,
    step: F,
}

impl<F, Fut> Walk<'_, F>
where
    F: FnMut(Vec<Vec<Cell>>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Vec<Cell>>>>,
{
    /// Walks to the end, or until `after_batch` (told the rows so far) breaks.
    async fn run(mut self, mut after_batch: impl FnMut(u64) -> ControlFlow<()>) -> Result<Tally> {
        let mut tally = Tally::default();
        let mut after: Option<Cell> = None;
        loop {
            let (table, batch, now) = (self.table, self.batch, self.now);
            let rows = on_backend!(self.store, db => db.copy_read(table, after.as_ref(), now, batch).await)?;
            let full = rows.len() == batch;
            let rows = (self.step)(rows).await?;
            for row in &rows {
                tally.add(row);
            }
            after = rows.last().map(|row| row[0].clone());
            if after_batch(tally.rows).is_break() {
                return Err(StoreError::new(
                    "the copy was stopped before it finished: run it again to go on",
                ));
            }
            if !full || after.is_none() {
                return Ok(tally);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_ignores_the_order_of_rows_and_sees_each_cell() {
        let rows = [
            vec![Cell::Int(1), Cell::Text("a".into()), Cell::Null],
            vec![Cell::Int(2), Cell::Bytes(b"a".to_vec()), Cell::Null],
        ];
        let (mut one, mut other) = (Tally::default(), Tally::default());
        one.add(&rows[0]);
        one.add(&rows[1]);
        other.add(&rows[1]);
        other.add(&rows[0]);
        assert_eq!(one, other);
        let mut changed = Tally::default();
        changed.add(&rows[0]);
        changed.add(&[Cell::Int(2), Cell::Text("a".into()), Cell::Null]);
        assert_ne!(one.checksum(), changed.checksum(), "text and bytes differ");
        assert_eq!(one.rows, 2);
    }

    #[test]
    fn every_table_is_keyed_by_its_first_column_and_references_come_first() {
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
        assert!(at("connections") < at("connection_refresh_failures"));
        assert_eq!(TABLES[2].key(), "id");
        assert_eq!(
            TABLES[1].live_at(7200000000),
            "expires_at > 7200000000 - 3600000000"
        );
    }
}
