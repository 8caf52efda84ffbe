//! AWS_SIGV4: temporary AWS credentials for the IAM role the end user names, as Nango obtains
//! them (`packages/server/lib/controllers/auth/postAwsSigV4.ts`,
//! `packages/shared/lib/auth/aws-sigv4.ts`; spec §3.9), from the integration's STS endpoint
//! (`stsMode: custom`): a POST of `{role_arn, external_id, region, service}` as JSON, with the
//! integration's API key header or Basic credentials, answered `{accessKeyId, secretAccessKey,
//! sessionToken, expiresAt}` (or snake_case, or under `credentials`).
//!
//! The integration's settings are Nango's `custom` keys (`service`, `stsMode`,
//! `stsEndpointUrl`, `stsAuthType`, `stsApiKey`, `stsAuthHeader`, `stsAuthUsername`,
//! `stsAuthPassword`, `defaultRegion`). Not implemented (`auth_mode_unsupported`, spec §12):
//! `stsMode: builtin`, where Nango signs an STS `AssumeRole` at `sts.<region>.amazonaws.com`
//! with the integration's own AWS keys.
//!
//! Knows nothing about HTTP clients, storage or where the fresh UUID comes from.

use serde_json::{Map, Value};

use super::failure::{Failure, ModeError, issue};
use super::http::{HttpRequest, HttpResponse};
use crate::js::{base64, json_stringify, parse_date, to_iso_string};
use crate::limits::{AWS_DEFAULT_EXPIRES_MS, AWS_EXTERNAL_ID_LEN, AWS_REGION_MAX_LEN};
use crate::oauth2::{time, truthy};
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue};

/// How the STS endpoint authenticates connkit.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StsAuth {
    Header(String, String),
    Basic(String, String),
}

/// An AWS_SIGV4 integration's settings (`getAwsSigV4Settings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    service: String,
    url: String,
    auth: Option<StsAuth>,
    default_region: Option<String>,
}

/// Where the temporary credentials are for: the role, its external id and the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsTarget {
    role_arn: String,
    external_id: String,
    region: String,
}

fn failure(code: &'static str, message: &str, path: &[&str], error: ErrorCode) -> ModeError {
    let detail = Detail::Name(path.join("."));
    Failure::new(code, message, issue(error, path, detail)).into()
}

impl AwsSettings {
    /// Reads the integration's `custom` settings. Errors: `missing_aws_sigv4_service`,
    /// `missing_aws_sigv4_sts_endpoint`, `invalid_aws_sigv4_config` (an auth type without its
    /// secret), and `auth_mode_unsupported` for `stsMode: builtin`.
    pub fn from_custom(custom: &Map<String, Value>) -> Result<AwsSettings, ModeError> {
        let text = |key: &str| {
            custom
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let incomplete = ErrorCode::AuthProviderIncomplete;
        let Some(service) = text("service") else {
            let message = "AWS SigV4 integration is missing the target AWS service.";
            return Err(failure(
                "missing_aws_sigv4_service",
                message,
                &["service"],
                incomplete,
            ));
        };
        if text("stsMode").as_deref() == Some("builtin") {
            let message = "connkit does not sign STS AssumeRole requests (stsMode builtin).";
            let unsupported = ErrorCode::AuthModeUnsupported;
            return Err(failure(
                "auth_mode_unsupported",
                message,
                &["stsMode"],
                unsupported,
            ));
        }
        let Some(url) = text("stsEndpointUrl") else {
            let message = "AWS SigV4 integration is missing the STS endpoint configuration.";
            return Err(failure(
                "missing_aws_sigv4_sts_endpoint",
                message,
                &["stsEndpointUrl"],
                incomplete,
            ));
        };
        let invalid = |secret: &str| {
            let message = "AWS SigV4 integration configuration is invalid.";
            failure("invalid_aws_sigv4_config", message, &[secret], incomplete)
        };
        let auth = match text("stsAuthType").as_deref() {
            Some("api_key") => {
                let key = text("stsApiKey").ok_or_else(|| invalid("stsApiKey"))?;
                let header = text("stsAuthHeader").unwrap_or_else(|| "x-api-key".to_owned());
                Some(StsAuth::Header(header, key))
            }
            Some("basic") => {
                let password = text("stsAuthPassword").ok_or_else(|| invalid("stsAuthPassword"))?;
                Some(StsAuth::Basic(
                    text("stsAuthUsername").unwrap_or_default(),
                    password,
                ))
            }
            _ => None,
        };
        Ok(AwsSettings {
            service,
            url,
            auth,
            default_region: text("defaultRegion"),
        })
    }
}

/// `^[a-z0-9-]{1,64}$`.
fn is_region(text: &str) -> bool {
    (1..=AWS_REGION_MAX_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// 2–1224 characters of letters, digits and `+=,.@:/-`.
fn is_external_id(text: &str) -> bool {
    let (min, max) = AWS_EXTERNAL_ID_LEN;
    (min..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@:/-".contains(&b))
}

/// The `uuid` package's `validate`: versions 1–8 (and the nil and max UUIDs), any letter case.
fn is_uuid(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower == "00000000-0000-0000-0000-000000000000"
        || lower == "ffffffff-ffff-ffff-ffff-ffffffffffff"
    {
        return true;
    }
    let groups: Vec<&str> = lower.split('-').collect();
    let shape = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    let hex = groups
        .iter()
        .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
    let version = groups.get(2).and_then(|g| g.bytes().next());
    let variant = groups.get(3).and_then(|g| g.bytes().next());
    shape
        && hex
        && version.is_some_and(|v| (b'1'..=b'8').contains(&v))
        && variant.is_some_and(|v| b"89ab".contains(&v))
}

/// The target of a new connection, and the connection_config it keeps (`external_id`,
/// `role_arn`, `region`, `service` added). The region is a re-authorised connection's own
/// (`previous`), else the body's, else the connection_config's, else the integration's
/// default; the external id the previous one, else the connection_config's when it is a UUID,
/// else `fresh_uuid`. Errors: `missing_aws_sigv4_region`, and Nango's `invalid_body` for a
/// region or an external id out of their shapes.
pub fn aws_connect_target(
    settings: &AwsSettings,
    body: &Map<String, Value>,
    config: &mut Map<String, Value>,
    previous: Option<&Map<String, Value>>,
    fresh_uuid: &str,
) -> Result<AwsTarget, ModeError> {
    let text = |map: Option<&Map<String, Value>>, key: &str| {
        map.and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let Some(region) = text(previous, "region")
        .or_else(|| text(Some(body), "region"))
        .or_else(|| text(Some(config), "region"))
        .or_else(|| settings.default_region.clone())
    else {
        return Err(missing_region());
    };
    if !is_region(&region) {
        let message = "AWS region must contain only lowercase letters, digits, and hyphens";
        return Err(failure(
            "invalid_body",
            message,
            &["region"],
            ErrorCode::FieldPatternMismatch,
        ));
    }
    let from_config = text(Some(config), "external_id")
        .map(|id| id.trim().to_owned())
        .filter(|id| is_uuid(id));
    let external_id = text(previous, "external_id")
        .or(from_config)
        .unwrap_or_else(|| fresh_uuid.to_owned());
    if !is_external_id(&external_id) {
        let message = "External ID must be 2-1224 characters, alphanumeric or +=,.@:/-";
        let path = ["external_id"];
        return Err(failure(
            "invalid_body",
            message,
            &path,
            ErrorCode::FieldPatternMismatch,
        ));
    }
    let role_arn = text(Some(body), "role_arn").unwrap_or_default();
    config.insert("external_id".to_owned(), Value::from(external_id.clone()));
    config.insert("role_arn".to_owned(), Value::from(role_arn.clone()));
    config.insert("region".to_owned(), Value::from(region.clone()));
    config.insert("service".to_owned(), Value::from(settings.service.clone()));
    Ok(AwsTarget {
        role_arn,
        external_id,
        region,
    })
}

/// The target of a renewal: the connection_config's role, external id and region, else the
/// credentials', else (the region) the integration's default. Errors:
/// `missing_aws_sigv4_role_arn`, `missing_aws_sigv4_external_id`, `missing_aws_sigv4_region`.
pub fn aws_stored_target(
    settings: &AwsSettings,
    credentials: &Value,
    config: &Map<String, Value>,
) -> Result<AwsTarget, ModeError> {
    let text = |key: &str| {
        config
            .get(key)
            .or_else(|| credentials.get(key))
            .filter(|v| truthy(v))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let missing = |code, message, key| failure(code, message, &[key], ErrorCode::ValueRequired);
    let role_arn = text("role_arn").ok_or_else(|| {
        let message = "AWS SigV4 credentials are missing the IAM role ARN.";
        missing("missing_aws_sigv4_role_arn", message, "role_arn")
    })?;
    let external_id = text("external_id").ok_or_else(|| {
        let message = "AWS SigV4 credentials are missing the external ID.";
        missing("missing_aws_sigv4_external_id", message, "external_id")
    })?;
    let region = text("region")
        .or_else(|| settings.default_region.clone())
        .ok_or_else(missing_region)?;
    Ok(AwsTarget {
        role_arn,
        external_id,
        region,
    })
}

fn missing_region() -> ModeError {
    let message = "AWS SigV4 requests require a region.";
    failure(
        "missing_aws_sigv4_region",
        message,
        &["region"],
        ErrorCode::ValueRequired,
    )
}

/// The request to the integration's STS endpoint.
pub fn aws_request(settings: &AwsSettings, target: &AwsTarget) -> HttpRequest {
    let mut body = Map::new();
    body.insert("role_arn".to_owned(), Value::from(target.role_arn.clone()));
    body.insert(
        "external_id".to_owned(),
        Value::from(target.external_id.clone()),
    );
    body.insert("region".to_owned(), Value::from(target.region.clone()));
    body.insert("service".to_owned(), Value::from(settings.service.clone()));
    let mut headers = vec![
        (
            "Accept".to_owned(),
            "application/json, text/plain, */*".to_owned(),
        ),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    match &settings.auth {
        Some(StsAuth::Header(name, value)) => headers.push((name.clone(), value.clone())),
        Some(StsAuth::Basic(user, password)) => {
            let pair = format!("{user}:{password}");
            headers.push((
                "authorization".to_owned(),
                format!("Basic {}", base64(pair.as_bytes())),
            ));
        }
        None => {}
    }
    HttpRequest::post(
        settings.url.clone(),
        headers,
        Some(json_stringify(&Value::Object(body))),
    )
}

/// The STS endpoint's answer read into AWS_SIGV4 credentials at `now_ms`. Errors:
/// `aws_sigv4_sts_request_failed` for a status outside 2xx or an answer without the three keys.
pub fn aws_response(
    settings: &AwsSettings,
    target: &AwsTarget,
    response: &HttpResponse,
    now_ms: i64,
) -> Result<Value, ModeError> {
    let failed = |error: Issue| -> ModeError {
        Failure::new(
            "aws_sigv4_sts_request_failed",
            "Failed to retrieve AWS credentials from the configured STS endpoint.",
            error,
        )
        .into()
    };
    if !(200..300).contains(&response.status) {
        let detail = Detail::Limit(usize::from(response.status));
        return Err(failed(
            Issue::new(ErrorCode::AuthProviderRefused, Vec::new()).with_detail(detail),
        ));
    }
    let data = response.data();
    let payload = data.get("credentials").unwrap_or(&data);
    let pick = |a: &str, b: &str| {
        payload
            .get(a)
            .filter(|v| truthy(v))
            .or_else(|| payload.get(b).filter(|v| truthy(v)))
            .cloned()
    };
    let (Some(key_id), Some(secret), Some(session)) = (
        pick("accessKeyId", "access_key_id"),
        pick("secretAccessKey", "secret_access_key"),
        pick("sessionToken", "session_token"),
    ) else {
        return Err(failed(Issue::new(ErrorCode::AuthTokenMissing, Vec::new())));
    };
    let raw_expiry = pick("expiresAt", "expires_at").or_else(|| pick("expiration", "expiration"));
    let expires_at = match raw_expiry {
        None | Some(Value::Null) => now_ms.checked_add(AWS_DEFAULT_EXPIRES_MS),
        Some(Value::Number(n)) => n
            .as_f64()
            .and_then(|n| time(if n < 1e12 { n * 1000.0 } else { n })),
        Some(Value::String(s)) => parse_date(&s),
        Some(_) => None,
    };
    let expires = expires_at
        .and_then(to_iso_string)
        .map_or(Value::Null, Value::String);
    let mut raw = Map::new();
    raw.insert("access_key_id".to_owned(), key_id.clone());
    raw.insert("secret_access_key".to_owned(), secret.clone());
    raw.insert("session_token".to_owned(), session.clone());
    raw.insert("expires_at".to_owned(), expires.clone());
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::from("AWS_SIGV4"));
    out.insert("raw".to_owned(), Value::Object(raw));
    out.insert("role_arn".to_owned(), Value::from(target.role_arn.clone()));
    out.insert("region".to_owned(), Value::from(target.region.clone()));
    out.insert("service".to_owned(), Value::from(settings.service.clone()));
    out.insert("access_key_id".to_owned(), key_id);
    out.insert("secret_access_key".to_owned(), secret);
    out.insert("session_token".to_owned(), session);
    out.insert("expires_at".to_owned(), expires);
    out.insert(
        "external_id".to_owned(),
        Value::from(target.external_id.clone()),
    );
    Ok(Value::Object(out))
}

/// The STS endpoint gave no answer.
pub fn aws_unreachable() -> ModeError {
    Failure::new(
        "aws_sigv4_sts_request_failed",
        "Failed to retrieve AWS credentials from the configured STS endpoint.",
        Issue::new(ErrorCode::AuthProviderRefused, Vec::new()),
    )
    .into()
}
