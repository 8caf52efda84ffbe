//! The auth-mode coverage of the real catalogue (spec §3.3, §3.9): per auth mode, how many
//! providers render a form (core's form model), how many an endpoint connkit serves takes
//! (`AuthEndpoint::for_mode`, every one of which connkit-server routes, or the OAuth popup
//! for OAUTH2), and, for the modes that
//! obtain or make their credentials at connection time (OAUTH2_CC, TWO_STEP, BILL, SIGNATURE,
//! JWT),
//! how many first requests (or credentials) core builds from the form's sample values, and which providers need a part of their mode
//! connkit does not implement (none since TWO_STEP's XML bodies and SAML assertions).
//!
//! Knows nothing about the server; `catalogue_check.rs` prints the counts.

use std::collections::BTreeMap;

use connkit_core::ErrorCode;
use connkit_core::catalogue::{AuthMode, Catalogue, Provider};
use connkit_core::form::{Form, FormOptions, build_form};
use connkit_core::interpolate::Generated;
use connkit_core::modes::{
    BillLogin, ClientCredentials, ClientCredentialsProvider, Context, ModeError, TwoStepFlow,
    TwoStepProvider, bill_request, client_credentials_request, jwt_credentials,
    signature_credentials,
};
use connkit_core::pattern::PatternMatcher;
use connkit_core::request::AuthEndpoint;
use connkit_vectors::keys;
use serde_json::{Map, Value, json};

/// One auth mode's counts.
#[derive(Debug, Default)]
pub(crate) struct ModeRow {
    pub(crate) providers: usize,
    pub(crate) forms: usize,
    pub(crate) served: usize,
    /// First requests built (modes that obtain credentials only).
    pub(crate) built: usize,
    /// The endpoint, when connkit serves one.
    pub(crate) endpoint: Option<&'static str>,
}

/// The whole catalogue's coverage.
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    pub(crate) modes: BTreeMap<String, ModeRow>,
    /// Providers of a served mode that connkit can connect.
    pub(crate) connectable: usize,
    pub(crate) total: usize,
    /// `provider: attribute` of a served mode's part connkit does not implement.
    pub(crate) unsupported: Vec<String>,
    /// `provider: why` of a served mode's provider whose catalogue entry cannot connect in
    /// Nango either: no token URL, or a URL value only a hidden field with an empty default
    /// gives and no value the app passes makes it build.
    pub(crate) incomplete: Vec<String>,
    /// `provider: why the form alone cannot` of a provider connectable only through the API,
    /// with a `params` value the form hides (counted as connectable).
    pub(crate) through_api: Vec<String>,
    /// `provider: why` of a served mode's provider whose first request did not build for
    /// another reason.
    pub(crate) refused: Vec<String>,
}

/// Counts every provider; `sample` gives the form's sample submission (`{credentials, params}`).
pub(crate) fn check(
    catalogue: &Catalogue,
    matcher: &dyn PatternMatcher,
    sample: &dyn Fn(&Provider) -> Value,
) -> Coverage {
    let mut out = Coverage::default();
    for provider in catalogue.iter() {
        let mode = provider.auth_mode();
        let row = out.modes.entry(mode.as_str().to_owned()).or_default();
        row.providers += 1;
        out.total += 1;
        let form = build_form(provider, &FormOptions::default());
        row.forms += usize::from(!form.fields().is_empty() || form.connect_directly());
        let endpoint = match mode {
            AuthMode::OAuth2 => Some("/oauth/connect"),
            other => AuthEndpoint::for_mode(other).map(AuthEndpoint::path),
        };
        row.endpoint = endpoint;
        if endpoint.is_none() {
            continue;
        }
        row.served += 1;
        let values = with_test_keys(provider, sample(provider));
        let outcome = attempt(provider, mode, &values, matcher);
        // A value the form hides with an empty default, which the app passes in `params`
        // through the API (`nango.auth(key, {params})`), as Nango's own endpoints take it.
        let through_api = match &outcome {
            Some(Err(err @ ModeError::Config(_))) if incomplete(err, &form) => {
                attempt(provider, mode, &passed_by_app(values.clone(), err), matcher)
            }
            _ => None,
        };
        match (outcome, through_api) {
            (None, _) => out.connectable += 1,
            (Some(Ok(())), _) => {
                row.built += 1;
                out.connectable += 1;
            }
            (Some(Err(err)), Some(Ok(()))) => {
                row.built += 1;
                out.connectable += 1;
                out.through_api
                    .push(format!("{}: {}", provider.name(), why(&err)));
            }
            (Some(Err(ModeError::Failed(failure))), _)
                if failure.code() == "auth_mode_unsupported" =>
            {
                let path = failure.issue().path().join(".");
                out.unsupported.push(format!("{}: {path}", provider.name()));
            }
            (Some(Err(err)), _) if incomplete(&err, &form) => {
                out.incomplete
                    .push(format!("{}: {}", provider.name(), why(&err)));
            }
            (Some(Err(err)), _) => out
                .refused
                .push(format!("{}: {}", provider.name(), why(&err))),
        }
    }
    out
}

/// The first request (or credentials) of the modes that obtain them, from `values`
/// (`{credentials, params, assertion_option}`); `None` for the other modes.
fn attempt(
    provider: &Provider,
    mode: &AuthMode,
    values: &Value,
    matcher: &dyn PatternMatcher,
) -> Option<Result<(), ModeError>> {
    let group = |name: &str| values[name].as_object().cloned().unwrap_or_default();
    match mode {
        AuthMode::OAuth2Cc => Some(client_credentials(provider, group("params"), matcher)),
        AuthMode::Signature => {
            Some(signature_credentials(provider, "user", "password", 0, "00").map(|_| ()))
        }
        AuthMode::Jwt => Some(jwt(provider, group("credentials"), group("params"))),
        AuthMode::Bill => {
            Some(bill_request(provider.json(), &BillLogin::from_values(&json!({}))).map(|_| ()))
        }
        AuthMode::TwoStep => {
            // The SDK posts the assertion options beside the credentials.
            let mut inputs = group("credentials");
            inputs.insert(
                "assertionOption".to_owned(),
                Value::Object(group("assertion_option")),
            );
            Some(two_step(provider, inputs, group("params"), matcher))
        }
        _ => None,
    }
}

/// `values` with a value of the app's in each `params` member the issues name (the form
/// hides those fields, so only an app calling the API can give them).
fn passed_by_app(mut values: Value, err: &ModeError) -> Value {
    let ModeError::Config(e) = err else {
        return values;
    };
    for issue in e.issues() {
        if let Some(name) = issue.path().get(1)
            && let Some(params) = values.get_mut("params").and_then(Value::as_object_mut)
        {
            params.insert(name.clone(), Value::String("v1".to_owned()));
        }
    }
    values
}

/// The sample with a real test key in place of each private key field's example (the
/// examples are truncated PEM): the JWT's algorithm decides which kind (`ES*`: P-256, `RS*`
/// and `PS*`: RSA), so the whole signing path runs.
fn with_test_keys(provider: &Provider, mut values: Value) -> Value {
    let json = provider.json();
    let alg = ["token", "assertion"]
        .iter()
        .find_map(|key| json.get(*key)?.get("header")?.get("alg")?.as_str())
        .unwrap_or("");
    // A SAML assertion (any `assertion.type` but `jwt`) is signed with RSA-SHA256.
    let saml = json
        .get("assertion")
        .and_then(|a| a.get("type"))
        .is_some_and(|t| t.as_str() != Some("jwt"));
    let key = match alg.get(..2) {
        _ if saml => keys::RSA_PKCS8,
        Some("ES") => keys::P256_PKCS8,
        Some("RS" | "PS") => keys::RSA_PKCS8,
        // HMAC keys (ghost-admin's `id:secret`) and entries that sign nothing keep theirs.
        _ => return values,
    };
    for group in ["credentials", "assertion_option"] {
        if let Some(Value::Object(fields)) = values.get_mut(group) {
            for (name, value) in fields.iter_mut() {
                if name
                    .to_ascii_lowercase()
                    .replace('_', "")
                    .contains("privatekey")
                {
                    *value = Value::String(key.to_owned());
                }
            }
        }
    }
    values
}

/// The catalogue entry's own defect: a provider lacking what its mode needs, or a connection_config
/// value every issue names that the form only holds as a hidden field.
fn incomplete(err: &ModeError, form: &Form) -> bool {
    match err {
        ModeError::Failed(f) => f.issue().code() == ErrorCode::AuthProviderIncomplete,
        ModeError::Config(e) => e.issues().iter().all(|it| {
            let key = it.path().get(1).map(String::as_str);
            form.fields()
                .iter()
                .any(|f| f.hidden && Some(f.name.as_str()) == key)
        }),
        ModeError::Body(_) => false,
    }
}

fn why(err: &ModeError) -> String {
    match err {
        ModeError::Body(e) | ModeError::Config(e) => e.to_string(),
        ModeError::Failed(f) => format!("{} ({})", f.code(), f.issue().path().join(".")),
    }
}

fn client_credentials(
    provider: &Provider,
    config: Map<String, Value>,
    matcher: &dyn PatternMatcher,
) -> Result<(), ModeError> {
    let cc = ClientCredentialsProvider::from_provider(provider)?;
    // A private JWK for `private_key_jwt` (a PEM key stands beside a client certificate
    // otherwise, which no sample has).
    let body =
        json!({"client_id": "cid", "client_secret": "secret", "client_private_key": keys::RSA_JWK});
    let client = ClientCredentials::from_body(&body)?;
    let generated = Generated {
        random: "random-uuid",
        now: "2026-08-21T10:00:00.000Z",
    };
    client_credentials_request(&cc, &client, &config, generated, matcher).map(|_| ())
}

fn two_step(
    provider: &Provider,
    inputs: Map<String, Value>,
    config: Map<String, Value>,
    matcher: &dyn PatternMatcher,
) -> Result<(), ModeError> {
    let two = TwoStepProvider::from_provider(provider)?;
    let ctx = Context {
        now_ms: 1_787_306_400_000,
        random: "random-uuid",
    };
    TwoStepFlow::start(&two, inputs, config, &ctx, matcher).map(|_| ())
}

fn jwt(
    provider: &Provider,
    inputs: Map<String, Value>,
    config: Map<String, Value>,
) -> Result<(), ModeError> {
    let ctx = Context {
        now_ms: 1_787_306_400_000,
        random: "random-uuid",
    };
    jwt_credentials(provider, inputs, &config, &ctx).map(|_| ())
}
