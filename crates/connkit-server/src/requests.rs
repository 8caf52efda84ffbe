//! The request shapes of connkit-server's own endpoints: strict query schemas (spec §6.2, §6.3,
//! §11.17), path parameters, and which auth body each endpoint takes. These are wire types of
//! the server's edge (which keys, which types, zod's coercions of query strings); every value
//! rule they apply is core's: identifiers (core's reconnect-body validator run on a one-field
//! body, so that both connkit's issues and Nango's projection come from core), tag filters,
//! credentials bodies (`connkit_core::credentials`) and Nango's issue texts (`connkit_core::nango`).

use connkit_core::credentials::{CredentialsKind, nango_credentials_errors, validate_credentials};
use connkit_core::ids::matches_provider_name_pattern;
use connkit_core::js::{js_len, to_number};
use connkit_core::limits::NAME_MAX_LEN;
use connkit_core::nango::NangoIssue;
use connkit_core::session::{nango_reconnect_session_errors, validate_reconnect_session};
use connkit_core::tag_filter::{nango_tag_filter_errors, parse_tag_filter};
use connkit_core::{Issue, JsonType};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Part};
use crate::query::{Query, Scalar, unknown_keys_error};
use crate::store::ListFilter;

/// GET /connections without `limit` (Nango's default).
const LIST_DEFAULT_LIMIT: i64 = 10_000;
/// The largest `limit` GET /connections accepts.
const LIST_MAX_LIMIT: f64 = 2000.0;
/// Longest string query parameter of GET /connections.
const QUERY_STRING_MAX_LEN: usize = 255;

fn p(key: &str) -> Vec<String> {
    vec![key.to_owned()]
}

/// 400 `invalid_query_params` unless the query is empty (spec §11.17).
pub(crate) fn empty_query(query: &Query) -> Result<(), ApiError> {
    match unknown_keys_error(query, &[]) {
        None => Ok(()),
        Some(issue) => Err(ApiError::nango(Part::Query, vec![issue])),
    }
}

/// 400 `invalid_body` unless the body is absent or `{}` (GET/DELETE /connect/session, NONE auth).
pub(crate) fn empty_body(body: Option<&Value>) -> Result<(), ApiError> {
    match body {
        None => Ok(()),
        Some(Value::Object(map)) => match unrecognized(map, &[]) {
            None => Ok(()),
            Some(issue) => Err(ApiError::nango(Part::Body, vec![issue])),
        },
        Some(other) => Err(ApiError::nango(
            Part::Body,
            vec![NangoIssue::invalid_type(
                JsonType::Object,
                JsonType::of(other),
                Vec::new(),
            )],
        )),
    }
}

fn unrecognized(map: &Map<String, Value>, allowed: &[&str]) -> Option<NangoIssue> {
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| !allowed.contains(k))
        .collect();
    (!unknown.is_empty()).then(|| NangoIssue::unrecognized_keys(&unknown, Vec::new()))
}

/// Issues for `value` as a connection id (`field = "connection_id"`) or integration key
/// (`field = "integration_id"`) at `path`, from core's reconnect-body rules.
fn id_issues(field: &str, value: &Value, path: &[String]) -> (Vec<NangoIssue>, Vec<Issue>) {
    let mut body = json!({"connection_id": "x", "integration_id": "x"});
    body[field] = value.clone();
    let repath = |old: &[String]| -> Option<Vec<String>> {
        let (first, rest) = old.split_first()?;
        (first == field).then(|| path.iter().chain(rest).cloned().collect())
    };
    let nango = nango_reconnect_session_errors(&body)
        .into_iter()
        .filter_map(|mut it| {
            it.path = repath(&it.path)?;
            Some(it)
        })
        .collect();
    let issues = match validate_reconnect_session(&body) {
        Ok(_) => Vec::new(),
        Err(err) => err
            .into_issues()
            .into_iter()
            .filter_map(|it| {
                let path = repath(it.path())?;
                Some(Issue::new(it.code(), path).with_detail(it.detail().clone()))
            })
            .collect(),
    };
    (nango, issues)
}

fn check_id(field: &str, value: &str, path: &[String], part: Part) -> Result<(), ApiError> {
    let (nango, issues) = id_issues(field, &Value::String(value.to_owned()), path);
    if nango.is_empty() && issues.is_empty() {
        return Ok(());
    }
    Err(ApiError::Validation {
        part,
        nango,
        issues,
    })
}

/// The `:connectionId` path parameter (400 `invalid_uri_params`).
pub(crate) fn connection_id_param(id: &str) -> Result<(), ApiError> {
    check_id("connection_id", id, &p("connectionId"), Part::Uri)
}

/// An integration key in the path (400 `invalid_uri_params`).
pub(crate) fn integration_key_param(key: &str) -> Result<(), ApiError> {
    check_id("integration_id", key, &p("providerConfigKey"), Part::Uri)
}

/// The `:provider` path parameter: `^[a-zA-Z0-9_-]+$`, at most 255 (spec §5.1).
pub(crate) fn provider_param(name: &str) -> Result<(), ApiError> {
    let path = p("provider");
    let mut nango = Vec::new();
    if !matches_provider_name_pattern(name) {
        nango.push(NangoIssue::pattern_mismatch(
            "^[a-zA-Z0-9_-]+$",
            path.clone(),
        ));
    }
    if js_len(name) > NAME_MAX_LEN {
        nango.push(NangoIssue::string_too_big(NAME_MAX_LEN, path));
    }
    if nango.is_empty() {
        Ok(())
    } else {
        Err(ApiError::nango(Part::Uri, nango))
    }
}

/// A `z.string().min(1).max(max)` query parameter.
fn query_string(
    query: &Query,
    name: &str,
    max: usize,
    out: &mut Vec<NangoIssue>,
) -> Option<String> {
    match query.scalar(name) {
        Scalar::Absent => None,
        Scalar::Other(received) => {
            out.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                p(name),
            ));
            None
        }
        Scalar::Str(s) if s.is_empty() => {
            out.push(NangoIssue::string_too_small(1, p(name)));
            None
        }
        Scalar::Str(s) if js_len(&s) > max => {
            out.push(NangoIssue::string_too_big(max, p(name)));
            None
        }
        Scalar::Str(s) => Some(s),
    }
}

/// A `z.coerce.number().min(min)[.max(max)]` query parameter.
fn query_number(
    query: &Query,
    name: &str,
    min: f64,
    max: Option<f64>,
    out: &mut Vec<NangoIssue>,
) -> Option<f64> {
    let n = match query.scalar(name) {
        Scalar::Absent => return None,
        Scalar::Str(s) => to_number(&Value::String(s)),
        Scalar::Other(_) => f64::NAN,
    };
    if n.is_nan() {
        out.push(NangoIssue::new(
            "invalid_type",
            "Invalid input: expected number, received NaN",
            p(name),
        ));
        return None;
    }
    if n < min {
        out.push(NangoIssue::new(
            "too_small",
            format!("Too small: expected number to be >={min}"),
            p(name),
        ));
        return None;
    }
    if let Some(max) = max.filter(|max| n > *max) {
        out.push(NangoIssue::new(
            "too_big",
            format!("Too big: expected number to be <={max}"),
            p(name),
        ));
        return None;
    }
    Some(n)
}

/// The GET /connections query (spec §6.2), validated; the tag filter is core's.
pub(crate) fn list_query(query: &Query) -> Result<ListFilter, ApiError> {
    const KEYS: &[&str] = &[
        "connectionId",
        "search",
        "endUserId",
        "endUserOrganizationId",
        "integrationId",
        "tags",
        "limit",
        "page",
    ];
    let mut nango = Vec::new();
    let connection_id = query_string(query, "connectionId", QUERY_STRING_MAX_LEN, &mut nango);
    let search = query_string(query, "search", QUERY_STRING_MAX_LEN, &mut nango);
    let end_user_id = query_string(query, "endUserId", QUERY_STRING_MAX_LEN, &mut nango);
    let end_user_organization_id = query_string(
        query,
        "endUserOrganizationId",
        QUERY_STRING_MAX_LEN,
        &mut nango,
    );
    let integration_ids = query_string(query, "integrationId", usize::MAX, &mut nango)
        .map(|ids| ids.split(',').map(|id| id.trim().to_owned()).collect());
    nango.extend(nango_tag_filter_errors(query.raw()));
    let limit = query_number(query, "limit", 1.0, Some(LIST_MAX_LIMIT), &mut nango);
    let page = query_number(query, "page", 0.0, None, &mut nango);
    nango.extend(unknown_keys_error(query, KEYS));
    let tags = parse_tag_filter(query.raw());
    let tags = match (tags, nango.is_empty()) {
        (Ok(tags), true) => tags,
        (Ok(_), false) => return Err(ApiError::nango(Part::Query, nango)),
        (Err(err), _) => return Err(ApiError::validation(Part::Query, nango, err)),
    };
    // Postgres rounds a fractional LIMIT / OFFSET; so does connkit.
    let limit = limit.map_or(LIST_DEFAULT_LIMIT, |n| n.round() as i64);
    let offset = (page.unwrap_or(0.0) * limit as f64).round();
    Ok(ListFilter {
        tags,
        integration_ids,
        connection_id,
        search,
        end_user_id,
        end_user_organization_id,
        limit,
        offset: if offset.is_finite() {
            offset as i64
        } else {
            i64::MAX
        },
    })
}

/// The query of GET/PATCH/DELETE /connections/:id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectionQuery {
    pub(crate) provider_config_key: String,
    /// `refresh_token=true`: keep refresh tokens in the answer.
    pub(crate) refresh_token: bool,
}

/// `z.stringbool()` (spec §6.3).
fn stringbool(query: &Query, name: &str, out: &mut Vec<NangoIssue>) -> bool {
    const TRUTHY: &[&str] = &["true", "1", "yes", "on", "y", "enabled"];
    const FALSY: &[&str] = &["false", "0", "no", "off", "n", "disabled"];
    let value = match query.scalar(name) {
        Scalar::Absent => return false,
        Scalar::Str(s) => s.to_ascii_lowercase(),
        Scalar::Other(received) => {
            out.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                p(name),
            ));
            return false;
        }
    };
    if TRUTHY.contains(&value.as_str()) {
        return true;
    }
    if !FALSY.contains(&value.as_str()) {
        let all: Vec<String> = TRUTHY
            .iter()
            .chain(FALSY)
            .map(|v| format!("\"{v}\""))
            .collect();
        out.push(NangoIssue::new(
            "invalid_value",
            format!("Invalid option: expected one of {}", all.join("|")),
            p(name),
        ));
    }
    false
}

/// The strict query of /connections/:id; `flags` allows GET's refresh flags.
pub(crate) fn connection_query(query: &Query, flags: bool) -> Result<ConnectionQuery, ApiError> {
    const GET_KEYS: &[&str] = &[
        "provider_config_key",
        "refresh_token",
        "force_refresh",
        "refresh_github_app_jwt_token",
    ];
    let mut nango = Vec::new();
    let mut issues = Vec::new();
    let key = match query.scalar("provider_config_key") {
        Scalar::Str(key) => {
            let (n, i) = id_issues(
                "integration_id",
                &Value::String(key.clone()),
                &p("provider_config_key"),
            );
            nango.extend(n);
            issues.extend(i);
            Some(key)
        }
        Scalar::Absent => {
            nango.push(NangoIssue::invalid_type(
                JsonType::String,
                JsonType::Undefined,
                p("provider_config_key"),
            ));
            None
        }
        Scalar::Other(received) => {
            nango.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                p("provider_config_key"),
            ));
            None
        }
    };
    let mut refresh_token = false;
    if flags {
        refresh_token = stringbool(query, "refresh_token", &mut nango);
        stringbool(query, "force_refresh", &mut nango);
        stringbool(query, "refresh_github_app_jwt_token", &mut nango);
    }
    let allowed = if flags { GET_KEYS } else { &GET_KEYS[..1] };
    nango.extend(unknown_keys_error(query, allowed));
    match key {
        Some(provider_config_key) if nango.is_empty() && issues.is_empty() => Ok(ConnectionQuery {
            provider_config_key,
            refresh_token,
        }),
        _ => Err(ApiError::Validation {
            part: Part::Query,
            nango,
            issues,
        }),
    }
}

/// What an auth endpoint's query carries besides the session token (spec §3.2).
#[derive(Debug, Clone)]
pub(crate) struct AuthQuery {
    pub(crate) connection_id: Option<String>,
    /// The string `params[…]`, without `webhook_url` (Nango's `getConnectionConfig`).
    pub(crate) params: Map<String, Value>,
}

/// The (non-strict) query of the auth endpoints.
pub(crate) fn auth_query(query: &Query) -> Result<AuthQuery, ApiError> {
    let mut nango = Vec::new();
    let mut issues = Vec::new();
    let connection_id = match query.scalar("connection_id") {
        Scalar::Absent => None,
        Scalar::Str(id) => {
            let (n, i) = id_issues(
                "connection_id",
                &Value::String(id.clone()),
                &p("connection_id"),
            );
            nango.extend(n);
            issues.extend(i);
            Some(id)
        }
        Scalar::Other(received) => {
            nango.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                p("connection_id"),
            ));
            None
        }
    };
    let params = match query.string_map("params") {
        Ok(mut params) => {
            params.remove("webhook_url");
            params
        }
        Err(received) => {
            nango.push(NangoIssue::invalid_type(
                JsonType::Record,
                received,
                p("params"),
            ));
            Map::new()
        }
    };
    if let Scalar::Other(received) = query.scalar("user_scope") {
        nango.push(NangoIssue::invalid_type(
            JsonType::String,
            received,
            p("user_scope"),
        ));
    }
    if nango.is_empty() && issues.is_empty() {
        Ok(AuthQuery {
            connection_id,
            params,
        })
    } else {
        Err(ApiError::Validation {
            part: Part::Query,
            nango,
            issues,
        })
    }
}

/// The credentials an auth body carries, as stored (core's `credentials` rules).
pub(crate) fn auth_body(mode: AuthBody, body: Option<&Value>) -> Result<Value, ApiError> {
    let kind = match mode {
        AuthBody::None => {
            empty_body(body)?;
            return Ok(json!({}));
        }
        AuthBody::ApiKey => CredentialsKind::ApiKey,
        AuthBody::Basic => CredentialsKind::Basic,
    };
    validate_credentials(kind, body)
        .map_err(|err| ApiError::validation(Part::Body, nango_credentials_errors(kind, body), err))
}

/// Which auth endpoint a body belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthBody {
    ApiKey,
    Basic,
    None,
}
