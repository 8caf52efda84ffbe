//! The connections endpoints' requests (spec §6.2–6.4): the strict query of GET /connections
//! (filters, the tag filter, paging), the strict query of GET, PATCH and DELETE
//! /connections/:connectionId, and the PATCH body (the session rules on three keys,
//! [`crate::session::validate_connection_patch`]).
//!
//! Knows nothing about how a host stores or looks up connections.

use serde_json::Value;

use crate::JsonType;
use crate::ids::{check_integration_key, nango_integration_key_errors};
use crate::limits::{
    LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_LIMIT_MIN, LIST_QUERY_STRING_MAX_LEN,
};
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::session::{nango_connection_patch_errors, validate_connection_patch};
use crate::tag_filter::{TagFilter, nango_tag_filter_errors, parse_tag_filter};
use crate::tags::Tags;

use super::bodies::judge_body;
use super::query::{Query, Scalar, number_param, string_param, stringbool_param, unknown_keys};
use super::{Rejection, p};

/// A valid GET /connections query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    connection_id: Option<String>,
    search: Option<String>,
    end_user_id: Option<String>,
    integration_ids: Option<Vec<String>>,
    end_user_organization_id: Option<String>,
    tags: TagFilter,
    limit: u64,
    offset: u64,
}

impl ListQuery {
    /// `connectionId`: an exact connection id.
    pub fn connection_id(&self) -> Option<&str> {
        self.connection_id.as_deref()
    }

    /// `search`: text to look for in connection ids and end users' names and emails.
    pub fn search(&self) -> Option<&str> {
        self.search.as_deref()
    }

    /// `endUserId` (deprecated by Nango).
    pub fn end_user_id(&self) -> Option<&str> {
        self.end_user_id.as_deref()
    }

    /// `integrationId`: the comma-separated integration keys, each trimmed.
    pub fn integration_ids(&self) -> Option<&[String]> {
        self.integration_ids.as_deref()
    }

    /// `endUserOrganizationId` (deprecated by Nango).
    pub fn end_user_organization_id(&self) -> Option<&str> {
        self.end_user_organization_id.as_deref()
    }

    /// The `tags[key]=value` filter (empty when the query has none).
    pub fn tags(&self) -> &TagFilter {
        &self.tags
    }

    /// How many rows: `limit` rounded as Postgres rounds a fractional `LIMIT`, else
    /// [`LIST_LIMIT_DEFAULT`].
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// How many rows to skip: `page × limit`, rounded (saturating).
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

/// The GET /connections query (spec §6.2), in Nango's schema order; the tag filter is
/// [`crate::tag_filter`]'s, and the only part with connkit issues of its own.
pub fn check_list_query(query: &Query) -> Result<ListQuery, Rejection> {
    const KEYS: [&str; 8] = [
        "connectionId",
        "search",
        "endUserId",
        "integrationId",
        "endUserOrganizationId",
        "tags",
        "limit",
        "page",
    ];
    let max = LIST_QUERY_STRING_MAX_LEN;
    let mut nango = Vec::new();
    let connection_id = string_param(query, "connectionId", max, &mut nango);
    let search = string_param(query, "search", max, &mut nango);
    let end_user_id = string_param(query, "endUserId", max, &mut nango);
    let integration_ids = string_param(query, "integrationId", usize::MAX, &mut nango)
        .map(|ids| ids.split(',').map(|id| id.trim().to_owned()).collect());
    let end_user_organization_id = string_param(query, "endUserOrganizationId", max, &mut nango);
    nango.extend(nango_tag_filter_errors(query.raw()));
    let limit = number_param(
        query,
        "limit",
        LIST_LIMIT_MIN,
        Some(LIST_LIMIT_MAX),
        &mut nango,
    );
    // `page` is zero-based.
    let page = number_param(query, "page", 0, None, &mut nango);
    nango.extend(unknown_keys(query, &KEYS));
    let tags = Rejection::judge(parse_tag_filter(query.raw()), nango)?;
    let limit = limit.map_or(LIST_LIMIT_DEFAULT as u64, |n| crate::js::round(n) as u64);
    // `as` saturates: an offset past u64 (or infinite) is the largest one.
    let offset = crate::js::round(page.unwrap_or(0.0) * limit as f64) as u64;
    Ok(ListQuery {
        connection_id,
        search,
        end_user_id,
        integration_ids,
        end_user_organization_id,
        tags,
        limit,
        offset,
    })
}

/// A valid query of /connections/:connectionId.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionQuery {
    provider_config_key: String,
    refresh_token: bool,
    force_refresh: bool,
}

impl ConnectionQuery {
    /// `provider_config_key`: the connection's integration.
    pub fn provider_config_key(&self) -> &str {
        &self.provider_config_key
    }

    /// `refresh_token=true` (GET only): keep refresh tokens in the answer.
    pub fn refresh_token(&self) -> bool {
        self.refresh_token
    }

    /// `force_refresh=true` (GET only): refresh OAuth credentials even when they are fresh.
    pub fn force_refresh(&self) -> bool {
        self.force_refresh
    }
}

/// The strict query of PATCH and DELETE /connections/:connectionId (spec §6.4, §6.6):
/// `provider_config_key` only.
pub fn check_connection_query(query: &Query) -> Result<ConnectionQuery, Rejection> {
    connection_query(query, &[])
}

/// The strict query of GET /connections/:connectionId (spec §6.3): `provider_config_key` and
/// the `z.stringbool()` flags `refresh_token`, `force_refresh`, `refresh_github_app_jwt_token`.
pub fn check_connection_get_query(query: &Query) -> Result<ConnectionQuery, Rejection> {
    connection_query(
        query,
        &[
            "refresh_token",
            "force_refresh",
            "refresh_github_app_jwt_token",
        ],
    )
}

fn connection_query(query: &Query, flags: &[&str]) -> Result<ConnectionQuery, Rejection> {
    let mut nango = Vec::new();
    let mut issues = Vec::new();
    let key = match query.scalar("provider_config_key") {
        Scalar::Str(key) => {
            let path = p("provider_config_key");
            let as_value = Value::String(key.clone());
            check_integration_key(Some(&as_value), path.clone(), &mut issues);
            nango.extend(nango_integration_key_errors(&key, &path));
            Some(key)
        }
        Scalar::Absent => {
            nango.push(not_a_string(JsonType::Undefined));
            None
        }
        Scalar::Other(received) => {
            nango.push(not_a_string(received));
            None
        }
    };
    let (mut refresh_token, mut force_refresh) = (false, false);
    for &flag in flags {
        let on = stringbool_param(query, flag, &mut nango);
        refresh_token |= flag == "refresh_token" && on;
        force_refresh |= flag == "force_refresh" && on;
    }
    let mut keys = vec!["provider_config_key"];
    keys.extend(flags);
    nango.extend(unknown_keys(query, &keys));
    // Without a key, `nango` already holds its issue.
    let Some(provider_config_key) = key else {
        return Err(Rejection { issues, nango });
    };
    Rejection::unless_empty(issues, nango)?;
    Ok(ConnectionQuery {
        provider_config_key,
        refresh_token,
        force_refresh,
    })
}

fn not_a_string(received: JsonType) -> NangoIssue {
    NangoIssue::invalid_type(JsonType::String, received, p("provider_config_key"))
}

/// A valid PATCH /connections/:connectionId body: what changes on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionPatch {
    end_user: Option<Value>,
    tags: Option<Tags>,
    webhook_url_override: Option<Option<String>>,
}

impl ConnectionPatch {
    /// `end_user` as given (valid), when given: the connection's end user becomes it.
    pub fn end_user(&self) -> Option<&Value> {
        self.end_user.as_ref()
    }

    /// The connection's new tags when `end_user` or `tags` is given (even `{}`): they replace
    /// the old ones whole (`{...buildTagsFromEndUser(end_user, null), ...tags}`, spec §6.4).
    pub fn tags(&self) -> Option<&Tags> {
        self.tags.as_ref()
    }

    /// The new webhook URL override when `webhook_url_override` is given: `Some(None)` clears
    /// it (`""`), `Some(Some(url))` sets the normalised URL.
    pub fn webhook_url_override(&self) -> Option<Option<&str>> {
        self.webhook_url_override.as_ref().map(Option::as_deref)
    }
}

/// The PATCH /connections/:connectionId body (spec §6.4; `None`: no body was sent).
pub fn check_connection_patch(body: Option<&Value>) -> Result<ConnectionPatch, Rejection> {
    let request = judge_body(
        body,
        validate_connection_patch,
        nango_connection_patch_errors,
    )?;
    let given = |key: &str| body.and_then(|b| b.get(key));
    let replaces_tags = given("end_user").is_some() || given("tags").is_some();
    Ok(ConnectionPatch {
        end_user: request.end_user().and(given("end_user")).cloned(),
        tags: replaces_tags.then(|| request.tags().clone()),
        webhook_url_override: given("webhook_url_override")
            .map(|_| request.webhook_url_override().map(str::to_owned)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_past_u64_saturate() {
        let list = |text: &str| check_list_query(&Query::parse(Some(text)));
        let huge = list("limit=2000&page=1e300").map(|q| (q.limit(), q.offset()));
        assert_eq!(huge, Ok((2000, u64::MAX)));
        let first = list("page=0").map(|q| (q.limit(), q.offset()));
        assert_eq!(first, Ok((LIST_LIMIT_DEFAULT as u64, 0)));
    }
}
