//! The authorize URL of every OAUTH2 provider of the catalogue (spec §5.4), from sample
//! connection_config values: each field's `example`, else its `default_value`, its first `enum`
//! value, or a value its format and pattern accept. Each URL must be an absolute http(s) URL
//! with the host the provider's template gives, the client id, the state, the default scopes
//! and the template's parameters, and no unresolved `${…}`; or the refusal must name what is
//! missing (a value the authorize step cannot have, such as one the token response brings).
//!
//! Knows nothing about the server; core builds the URLs exactly as connkit-server does.

use std::collections::BTreeMap;

use connkit_core::catalogue::{AuthMode, Catalogue, FieldFormat, FieldSchema, Provider};
use connkit_core::field::check_value;
use connkit_core::form::FieldRule;
use connkit_core::interpolate::{Encoding, Generated, interpolate_url};
use connkit_core::js::encode_uri_component;
use connkit_core::oauth2::{AuthorizeRequest, OAuth2Provider, authorization_url};
use connkit_core::pattern::PatternMatcher;
use connkit_core::{ErrorCode, Issue, Severity};
use serde_json::{Map, Value};

const CLIENT_ID: &str = "connkit-client";
const STATE: &str = "connkit-state-0123456789";

/// Values tried, in order, for a field without an example its rule accepts.
const CANDIDATES: [&str; 12] = [
    "acme",
    "acme-1",
    "acme_1",
    "12345",
    "1",
    "abc123",
    "ACME",
    "eu",
    "us",
    "acme.example.com",
    "https://acme.example.com",
    "123e4567-e89b-12d3-a456-426614174000",
];

/// What the check found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) providers: usize,
    pub(crate) built: usize,
    pub(crate) with_config: usize,
    /// Refusals that name missing values, by key.
    pub(crate) missing: BTreeMap<String, usize>,
    /// Providers whose catalogue lacks an authorize or token URL.
    pub(crate) incomplete: Vec<String>,
    /// Providers no sample value could satisfy (their own field rule refused every try).
    pub(crate) unsatisfiable: Vec<String>,
    /// Anything else: a bad URL, or a refusal that names nothing.
    pub(crate) failures: Vec<String>,
}

pub(crate) fn check(catalogue: &Catalogue, matcher: &dyn PatternMatcher) -> Report {
    let mut report = Report::default();
    let oauth2 = catalogue
        .iter()
        .filter(|p| *p.auth_mode() == AuthMode::OAuth2 && p.installation() != Some("outbound"));
    for provider in oauth2 {
        report.providers += 1;
        let oauth = match OAuth2Provider::from_provider(provider) {
            Ok(oauth) => oauth,
            Err(_) => {
                report.incomplete.push(provider.name().to_owned());
                continue;
            }
        };
        let (config, satisfiable) = sample_config(provider, matcher);
        if !satisfiable {
            report.unsatisfiable.push(provider.name().to_owned());
        }
        report.with_config += usize::from(!config.is_empty());
        let scopes = oauth.integration_scopes(&[]);
        let request = AuthorizeRequest {
            client_id: CLIENT_ID,
            redirect_uri: "https://connkit.example/oauth/callback",
            scopes: &scopes,
            state: STATE,
            code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            connection_config: &config,
            authorization_params: &[],
            user_scope: None,
            generated: Generated {
                random: "0b0f5e8e-7c3a-4d1e-9a51-5b7e0f6c2d11",
                now: "2026-08-21T10:00:00.000Z",
            },
        };
        match authorization_url(&oauth, &request, matcher) {
            Ok(url) => match url_problem(provider, &oauth, &config, &url) {
                None => report.built += 1,
                Some(why) => report
                    .failures
                    .push(format!("{}: {why}: {url}", provider.name())),
            },
            Err(err) => {
                let missing: Vec<&Issue> = err
                    .issues()
                    .iter()
                    .filter(|it| it.code() == ErrorCode::InterpolationValueMissing)
                    .collect();
                if missing.len() == err.issues().len() {
                    for issue in missing {
                        let key = issue.path().get(1).cloned().unwrap_or_default();
                        *report.missing.entry(key).or_default() += 1;
                    }
                } else if !satisfiable {
                    // Already counted: no sample passes the provider's own rule.
                } else {
                    report.failures.push(format!("{}: {err}", provider.name()));
                }
            }
        }
    }
    report
}

/// What is wrong with a built URL, if anything.
fn url_problem(
    provider: &Provider,
    oauth: &OAuth2Provider,
    config: &Map<String, Value>,
    url: &str,
) -> Option<String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Some("not an http(s) URL".to_owned());
    }
    if url.contains("${") {
        return Some("an unresolved placeholder".to_owned());
    }
    let template_url = interpolate_url(
        oauth.authorization_url_template(),
        config,
        Encoding::Component,
    )
    .ok()?;
    if host(url) != host(&template_url) {
        return Some(format!(
            "the host is not the template's ({})",
            host(&template_url)
        ));
    }
    for needed in [CLIENT_ID, STATE] {
        if !url.contains(needed) {
            return Some(format!("{needed} is missing"));
        }
    }
    for scope in oauth.default_scopes() {
        let encoded = form_encode(scope);
        if !(url.contains(scope.as_str())
            || url.contains(&encoded)
            || url.contains(&encode_uri_component(scope)))
        {
            return Some(format!("the default scope {scope} is missing"));
        }
    }
    let params = provider
        .json()
        .get("authorization_params")
        .and_then(Value::as_object);
    let replaced: Vec<&str> = provider
        .json()
        .get("authorization_url_replacements")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for (name, value) in params.into_iter().flatten() {
        let empty = value.as_str() == Some("");
        if !empty
            && !replaced.iter().any(|r| r.contains(name.as_str()))
            && !url.contains(&format!("{}=", form_encode(name)))
        {
            return Some(format!("the parameter {name} is missing"));
        }
    }
    None
}

/// The host of an `http(s)://` URL, lowercased.
fn host(url: &str) -> String {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_ascii_lowercase()
}

/// `URLSearchParams`' encoding of a name or value.
fn form_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => out.push(char::from(b)),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Sample values for the fields a user fills in (not the `automated` ones); false when some
/// field's own rule refused every try.
fn sample_config(provider: &Provider, matcher: &dyn PatternMatcher) -> (Map<String, Value>, bool) {
    let mut config = Map::new();
    let mut satisfiable = true;
    for field in provider.connection_config().iter().filter(|f| !f.automated) {
        match sample(field, matcher) {
            Some(value) => {
                config.insert(field.name.clone(), Value::String(value));
            }
            None => satisfiable = false,
        }
    }
    (config, satisfiable)
}

fn sample(field: &FieldSchema, matcher: &dyn PatternMatcher) -> Option<String> {
    let rule = FieldRule::from_schema(field);
    let accepted = |value: &str| {
        check_value(&rule, Some(&Value::from(value)), &[], matcher)
            .iter()
            .all(|it| it.severity() == Severity::Warning)
    };
    let format_sample = match &field.format {
        Some(FieldFormat::Hostname) => Some("acme.example.com"),
        Some(FieldFormat::Uri) => Some("https://acme.example.com"),
        Some(FieldFormat::Uuid) => Some("123e4567-e89b-12d3-a456-426614174000"),
        Some(FieldFormat::Email) => Some("user@example.com"),
        _ => None,
    };
    let tries = [
        field.example.as_deref(),
        field.default_value.as_deref(),
        field.enum_values.first().map(String::as_str),
        format_sample,
    ]
    .into_iter()
    .flatten()
    .filter(|v| !v.is_empty())
    .chain(CANDIDATES);
    tries.into_iter().find(|v| accepted(v)).map(str::to_owned)
}
