//! Connections on PostgreSQL: lookups, the list with its filters, and the writes (auth, PATCH,
//! DELETE, metadata), each in one transaction that locks the rows it reads before writing them.
//!
//! A tag filter is `tag_set @> $filter` on the GIN index `connections_tag_set`, ordered as the
//! list is (`created_at DESC, id DESC`); the planner weighs the index against a walk of
//! `connections_created` that stops at the LIMIT, with the filter's own values (see
//! `connect.rs`). Knows nothing about HTTP, sealing or the rules.

use serde_json::{Map, Value};
use sqlx::{Postgres, QueryBuilder, Row, Transaction};

use super::text::{self, EndUserColumns, storable};
use super::{PgStore, outbox, rows};
use crate::store::{
    AuthOutcome, AuthWrite, ConnectionPatch, ConnectionRow, ListFilter, MetadataOutcome, Result,
};
use crate::timestamp::Micros;

/// The columns [`rows::connection`] decodes, JSON as text.
const COLUMNS: &str = "c.id, c.connection_id, c.provider_config_key, c.provider, c.auth_mode, \
    c.connection_config::text AS connection_config, c.metadata::text AS metadata, \
    c.tags::text AS tags, c.end_user::text AS end_user, c.webhook_url_override, c.created_at, \
    c.updated_at, c.last_fetched_at";

/// `translate` arguments that lowercase ASCII letters only (`lower` follows the locale).
const ASCII_LOWER: &str =
    "translate(c.connection_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";

impl PgStore {
    pub(in crate::store) async fn find_connection(
        &self,
        key: &str,
        connection_id: &str,
    ) -> Result<Option<(ConnectionRow, Vec<u8>)>> {
        let (Some(key), Some(connection_id)) = (storable(key), storable(connection_id)) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {COLUMNS}, c.credentials FROM connections c \
             WHERE c.provider_config_key = $1 AND c.connection_id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .bind(connection_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((rows::connection(&r)?, r.try_get("credentials")?))),
        }
    }

    pub(in crate::store) async fn connection_by_row(
        &self,
        id: i64,
    ) -> Result<Option<ConnectionRow>> {
        let sql = format!("SELECT {COLUMNS} FROM connections c WHERE c.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| rows::connection(&r)).transpose()
    }

    pub(in crate::store) async fn touch_fetched(&self, id: i64, now: Micros) -> Result<()> {
        sqlx::query("UPDATE connections SET last_fetched_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn list_connections(
        &self,
        f: &ListFilter,
    ) -> Result<Vec<ConnectionRow>> {
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new(format!("SELECT {COLUMNS} FROM connections c WHERE true"));
        if !f.tags.is_empty() {
            q.push(" AND c.tag_set @> ")
                .push_bind(text::tag_set(f.tags.iter()))
                .push("::jsonb");
        }
        if let Some(ids) = &f.integration_ids {
            // Keys holding a NUL name no integration; one array parameter, however many.
            let ids: Vec<&str> = ids.iter().filter_map(|id| storable(id)).collect();
            q.push(" AND c.provider_config_key = ANY(")
                .push_bind(ids)
                .push(")");
        }
        if let Some(id) = &f.connection_id {
            let Some(id) = storable(id) else {
                return Ok(Vec::new());
            };
            q.push(" AND c.connection_id = ").push_bind(id.to_owned());
        }
        if let Some(id) = &f.end_user_id {
            q.push(" AND c.end_user_id = ")
                .push_bind(id.as_bytes().to_vec());
        }
        if let Some(id) = &f.end_user_organization_id {
            q.push(" AND c.end_user_organization_id = ")
                .push_bind(id.as_bytes().to_vec());
        }
        if let Some(search) = &f.search {
            // A literal, ASCII-case-insensitive substring over bytes, as on SQLite: `position`
            // on bytea has no wildcard and no end at a NUL.
            let needle = search.to_ascii_lowercase().into_bytes();
            q.push(" AND (position(")
                .push_bind(needle.clone())
                .push(format!(" IN convert_to({ASCII_LOWER}, 'UTF8')) > 0"))
                .push(" OR position(")
                .push_bind(needle.clone())
                .push(" IN c.end_user_name_lower) > 0 OR position(")
                .push_bind(needle)
                .push(" IN c.end_user_email_lower) > 0)");
        }
        q.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ")
            .push_bind(f.limit)
            .push(" OFFSET ")
            .push_bind(f.offset);
        let found = q.build().fetch_all(&self.pool).await?;
        found.iter().map(rows::connection).collect()
    }

    pub(in crate::store) async fn write_auth(
        &self,
        w: &AuthWrite,
        seal: &(dyn Fn(&str, &str) -> Vec<u8> + Sync),
    ) -> Result<(AuthOutcome, Option<ConnectionRow>)> {
        let mut tx = self.pool.begin().await?;
        let (outcome, id) = loop {
            let existing = match w.reconnect_connection {
                Some(id) => {
                    let row = locked(&mut tx, "id = $1", |q| q.bind(id)).await?;
                    if row.is_none() {
                        return Ok((AuthOutcome::TargetMissing, None));
                    }
                    row
                }
                None => {
                    locked(
                        &mut tx,
                        "provider_config_key = $1 AND connection_id = $2",
                        |q| {
                            q.bind(w.provider_config_key.as_str())
                                .bind(w.connection_id.as_str())
                        },
                    )
                    .await?
                }
            };
            if let Some((id, key, connection_id)) = existing {
                override_connection(&mut tx, w, id, &seal(&key, &connection_id)).await?;
                break (AuthOutcome::Overridden, id);
            }
            // Another server may create the same connection between the lookup and the insert:
            // the unique index turns the second insert into nothing, and the loop overrides
            // the row the first one committed.
            if let Some(id) = insert_connection(&mut tx, w, seal).await? {
                break (AuthOutcome::Created, id);
            }
        };
        let sql = format!("SELECT {COLUMNS} FROM connections c WHERE c.id = $1");
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

    pub(in crate::store) async fn patch_connection(
        &self,
        key: &str,
        connection_id: &str,
        p: &ConnectionPatch,
    ) -> Result<bool> {
        let (Some(key), Some(connection_id)) = (storable(key), storable(connection_id)) else {
            return Ok(false);
        };
        let mut tx = self.pool.begin().await?;
        let found = locked(
            &mut tx,
            "provider_config_key = $1 AND connection_id = $2",
            |q| q.bind(key).bind(connection_id),
        )
        .await?;
        let Some((id, _, _)) = found else {
            return Ok(false);
        };
        if let Some(tags) = &p.tags {
            sqlx::query(
                "UPDATE connections SET tags = $1::json, tag_set = $2::jsonb WHERE id = $3",
            )
            .bind(tags.to_json().to_string())
            .bind(text::tag_set(tags.iter()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(end_user) = &p.end_user {
            let columns = EndUserColumns::of(Some(end_user));
            sqlx::query(
                "UPDATE connections SET end_user = $1::json, end_user_id = $2, \
                 end_user_organization_id = $3, end_user_name_lower = $4, \
                 end_user_email_lower = $5 WHERE id = $6",
            )
            .bind(end_user.to_string())
            .bind(columns.id)
            .bind(columns.organization_id)
            .bind(columns.name_lower)
            .bind(columns.email_lower)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(url) = &p.webhook_url_override {
            sqlx::query("UPDATE connections SET webhook_url_override = $1 WHERE id = $2")
                .bind(url.as_deref())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE connections SET updated_at = $1 WHERE id = $2")
            .bind(p.now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(in crate::store) async fn delete_connection(
        &self,
        key: &str,
        connection_id: &str,
    ) -> Result<bool> {
        let (Some(key), Some(connection_id)) = (storable(key), storable(connection_id)) else {
            return Ok(false);
        };
        let done = sqlx::query(
            "DELETE FROM connections WHERE provider_config_key = $1 AND connection_id = $2",
        )
        .bind(key)
        .bind(connection_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(in crate::store) async fn write_metadata<E>(
        &self,
        key: &str,
        connection_ids: &[String],
        mut next: impl FnMut(Option<&Map<String, Value>>) -> std::result::Result<Map<String, Value>, E>,
        now: Micros,
    ) -> Result<MetadataOutcome<E>> {
        let mut tx = self.pool.begin().await?;
        for connection_id in connection_ids {
            let row = match (storable(key), storable(connection_id)) {
                (Some(key), Some(id)) => {
                    sqlx::query(
                        "SELECT id, metadata::text AS metadata FROM connections \
                         WHERE provider_config_key = $1 AND connection_id = $2 FOR UPDATE",
                    )
                    .bind(key)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                }
                _ => None,
            };
            let Some(row) = row else {
                return Ok(MetadataOutcome::Missing(connection_id.clone()));
            };
            let id: i64 = row.try_get("id")?;
            let current = rows::object_opt(row.try_get("metadata")?)?;
            let metadata = match next(current.as_ref()) {
                Ok(metadata) => metadata,
                Err(refusal) => return Ok(MetadataOutcome::Refused(refusal)),
            };
            sqlx::query(
                "UPDATE connections SET metadata = $1::json, updated_at = $2 WHERE id = $3",
            )
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

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

/// The connection matching `condition` (with its parameters bound by `bind`), locked until the
/// transaction ends: `(id, provider_config_key, connection_id)`.
async fn locked<'q>(
    tx: &mut Transaction<'static, Postgres>,
    condition: &str,
    bind: impl FnOnce(PgQuery<'q>) -> PgQuery<'q>,
) -> Result<Option<(i64, String, String)>> {
    let sql = format!(
        "SELECT id, provider_config_key, connection_id FROM connections WHERE {condition} FOR UPDATE"
    );
    let row = bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .transpose()
}

/// Re-authorises connection `id` (its credentials sealed for it).
async fn override_connection(
    tx: &mut Transaction<'static, Postgres>,
    w: &AuthWrite,
    id: i64,
    sealed: &[u8],
) -> Result<()> {
    let columns = EndUserColumns::of(w.end_user.as_ref());
    let keep_end_user = w.end_user.is_none();
    sqlx::query(
        "UPDATE connections SET provider = $1, auth_mode = $2, credentials = $3, \
         connection_config = $4::json, metadata = CASE WHEN $5 THEN '{}'::json ELSE metadata END, \
         tags = $6::json, tag_set = $7::jsonb, webhook_url_override = $8, updated_at = $9, \
         end_user = CASE WHEN $10 THEN end_user ELSE $11::json END, \
         end_user_id = CASE WHEN $10 THEN end_user_id ELSE $12 END, \
         end_user_organization_id = CASE WHEN $10 THEN end_user_organization_id ELSE $13 END, \
         end_user_name_lower = CASE WHEN $10 THEN end_user_name_lower ELSE $14 END, \
         end_user_email_lower = CASE WHEN $10 THEN end_user_email_lower ELSE $15 END \
         WHERE id = $16",
    )
    .bind(&w.provider)
    .bind(&w.auth_mode)
    .bind(sealed)
    .bind(Value::Object(w.connection_config.clone()).to_string())
    .bind(w.reset_metadata)
    .bind(w.tags.to_json().to_string())
    .bind(text::tag_set(w.tags.iter()))
    .bind(&w.webhook_url_override)
    .bind(w.now)
    .bind(keep_end_user)
    .bind(rows::json_opt(w.end_user.as_ref()))
    .bind(columns.id)
    .bind(columns.organization_id)
    .bind(columns.name_lower)
    .bind(columns.email_lower)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts the connection `w` names; `None` when another transaction holds that key and id.
async fn insert_connection(
    tx: &mut Transaction<'static, Postgres>,
    w: &AuthWrite,
    seal: &(dyn Fn(&str, &str) -> Vec<u8> + Sync),
) -> Result<Option<i64>> {
    let columns = EndUserColumns::of(w.end_user.as_ref());
    let id = sqlx::query_scalar(
        "INSERT INTO connections (connection_id, provider_config_key, provider, auth_mode, \
         credentials, connection_config, metadata, tags, tag_set, end_user, end_user_id, \
         end_user_organization_id, end_user_name_lower, end_user_email_lower, \
         webhook_url_override, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::json, \
         NULL, $7::json, $8::jsonb, $9::json, $10, $11, $12, $13, $14, $15, $15) \
         ON CONFLICT (provider_config_key, connection_id) DO NOTHING RETURNING id",
    )
    .bind(&w.connection_id)
    .bind(&w.provider_config_key)
    .bind(&w.provider)
    .bind(&w.auth_mode)
    .bind(seal(&w.provider_config_key, &w.connection_id))
    .bind(Value::Object(w.connection_config.clone()).to_string())
    .bind(w.tags.to_json().to_string())
    .bind(text::tag_set(w.tags.iter()))
    .bind(rows::json_opt(w.end_user.as_ref()))
    .bind(columns.id)
    .bind(columns.organization_id)
    .bind(columns.name_lower)
    .bind(columns.email_lower)
    .bind(&w.webhook_url_override)
    .bind(w.now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(id)
}
