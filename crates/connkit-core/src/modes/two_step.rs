//! TWO_STEP: credentials the provider issues for what the form posted, as Nango's
//! `getTwoStepCredentials` and `parseRawCredentials` make them
//! (`packages/shared/lib/services/connection.service.ts`; spec §3.9).
//!
//! A flow ([`TwoStepFlow`]) sends the token request, then each of the provider's
//! `additional_steps`, and reads the last answer. The token request goes to `token_url` (with
//! `refresh_url` and `refresh_token_params`/`refresh_token_headers` instead when the provider has
//! those and a refresh token is stored), filled in from the connection_config and the posted
//! values. Its parameters and headers are the provider's `token_params` and `token_headers`,
//! `credentials.` stripped and filled in from the posted values (`${…}` as `interpolateString`,
//! `template.rs`), then the parameters' strings from the connection_config (`${connectionConfig.…}`);
//! `body_format` `json` (the default), `form` or `xml` (`xml_write.rs`; the `additional_steps`
//! send JSON then, as Nango's do); `token_request_method: GET` sends none. axios's
//! defaults are kept: `Accept: application/json, text/plain, */*`, and a POST without a
//! `Content-Type` is sent as `application/x-www-form-urlencoded`.
//!
//! With `body_format: xml`, a first answer that is not JSON is read as XML (`xml_read.rs`;
//! XML the reader refuses is `two_step_credentials_fetch_error`). The token is at
//! `token_response.token` (a lodash path), the refresh token at
//! `token_response.refresh_token`; the expiry is `token_response.token_expiration` read as a
//! date (`expireAt`, the default) or a duration (`expireIn`: seconds, or `ms` text such as
//! `1h`), else `token_expires_in_ms` (`0`: none), else 99 years; a JWT token or refresh token
//! whose `exp` comes 15 minutes sooner wins. The credentials are `{type: "TWO_STEP", token,
//! expires_at?, refresh_token?, raw}`, then every posted value but `token`, `refresh_token` and
//! `assertionOption`, then the `token_response_headers` values (cookies as `name: value` and
//! `_cookies`).
//!
//! A provider with a `signature` signs a JWT first as the JWT mode does (`jwt.rs`) and adds it
//! to the values as `token`; one with an `assertion` makes it, a JWT (`assertion.rs`) or a
//! signed SAML assertion (`saml.rs`), unless the values hold one good for more than a minute,
//! or a refresh token, and adds it as `assertion`.
//!
//! The integration's preconfigured `integration_config` values
//! ([`TwoStepProvider::with_integration_config`]) replace the posted ones and are not stored.
//!
//! Knows nothing about HTTP clients, storage or sessions.

use serde_json::{Map, Value};

use super::Context;
use super::assertion::{assertion_fresh, jwt_assertion};
use super::expiry::{duration_expiry, jwt_exp};
use super::failure::{Failure, ModeError, incomplete, invalid, issue, missing_token_url};
use super::http::{BodyFormat, HttpRequest, HttpResponse, axios_request, header_values};
use super::jwt::jwt_from_entry;
use super::oauth2_cc::{Obtained, token_url_href};
use super::saml::{saml_assertion, saml_fresh};
use super::template::{fill, interpolate, step_number, strip_credentials, strip_step_prefixes};
use super::xml_read::parse_xml;
use crate::catalogue::{AuthMode, FieldSchema, Provider};
use crate::field::check_template_values;
use crate::interpolate::{Generated, interpolate_param};
use crate::js::url::{ParsedUrl, parse};
use crate::js::{to_iso_string, to_js_string};
use crate::limits::{OAUTH2_REFRESH_MARGIN_SECS, TWO_STEP_DEFAULT_EXPIRES_MS};
use crate::oauth2::{parse_expiration_date, time, token_metadata, truthy, value_at_path};
use crate::pattern::PatternMatcher;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue};

/// One request of a provider's `additional_steps`.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    token_url: String,
    token_params: Option<Map<String, Value>>,
    token_headers: Option<Map<String, Value>>,
    get: bool,
}

/// One TWO_STEP catalogue entry's attributes, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoStepProvider {
    token_url: Option<String>,
    refresh_url: Option<String>,
    token_params: Option<Map<String, Value>>,
    refresh_token_params: Option<Map<String, Value>>,
    token_headers: Option<Map<String, Value>>,
    refresh_token_headers: Option<Map<String, Value>>,
    body_format: BodyFormat,
    get: bool,
    token_response: Option<Map<String, Value>>,
    token_expires_in_ms: Option<f64>,
    steps: Vec<Step>,
    response_headers: Vec<String>,
    token_response_metadata: Vec<String>,
    expiration_buffer_secs: Option<f64>,
    fields: Vec<FieldSchema>,
    /// `signature`: the entry's name and attributes, for the JWT signed first.
    signer: Option<(String, Map<String, Value>)>,
    /// An `assertion`: a JWT (`type: jwt`) or, as Nango reads any other type, SAML.
    assertion: Option<Map<String, Value>>,
    /// `integration_config`'s field names.
    integration_fields: Vec<String>,
    /// The values the integration preconfigures for them
    /// ([`TwoStepProvider::with_integration_config`]).
    preconfigured: Map<String, Value>,
}

fn object(json: &Map<String, Value>, key: &str) -> Option<Map<String, Value>> {
    json.get(key).and_then(Value::as_object).cloned()
}

fn strings(json: &Map<String, Value>, key: &str) -> Vec<String> {
    json.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

impl TwoStepProvider {
    /// Reads a TWO_STEP entry. Errors: `auth_provider_incomplete` at `["auth_mode"]` for any
    /// other mode.
    pub fn from_provider(provider: &Provider) -> Result<TwoStepProvider, ModeError> {
        if *provider.auth_mode() != AuthMode::TwoStep {
            let message = "The provider's auth mode is not TWO_STEP.";
            return Err(incomplete("invalid_auth_mode", message, "auth_mode").into());
        }
        let json = provider.json();
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
        let assertion = object(json, "assertion");
        let signer = json
            .get("signature")
            .is_some_and(truthy)
            .then(|| (provider.name().to_owned(), json.clone()));
        let steps = json
            .get("additional_steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|step| Step {
                token_url: step
                    .get("token_url")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                token_params: object(step, "token_params"),
                token_headers: object(step, "token_headers"),
                get: step.get("token_request_method").and_then(Value::as_str) == Some("GET"),
            })
            .collect();
        Ok(TwoStepProvider {
            token_url: text("token_url"),
            refresh_url: text("refresh_url"),
            token_params: object(json, "token_params"),
            refresh_token_params: object(json, "refresh_token_params"),
            token_headers: object(json, "token_headers"),
            refresh_token_headers: object(json, "refresh_token_headers"),
            body_format: BodyFormat::from_attribute(text("body_format").as_deref()),
            get: text("token_request_method").as_deref() == Some("GET"),
            token_response: object(json, "token_response"),
            token_expires_in_ms: json.get("token_expires_in_ms").and_then(Value::as_f64),
            steps,
            response_headers: strings(json, "token_response_headers"),
            token_response_metadata: strings(json, "token_response_metadata"),
            expiration_buffer_secs: json
                .get("token_expiration_buffer")
                .and_then(Value::as_f64)
                .filter(|n| *n != 0.0 && n.is_finite()),
            fields: provider.connection_config().to_vec(),
            signer,
            assertion,
            integration_fields: json
                .get("integration_config")
                .and_then(Value::as_object)
                .map(|fields| fields.keys().cloned().collect())
                .unwrap_or_default(),
            preconfigured: Map::new(),
        })
    }

    /// The entry with the integration's preconfigured values (its `custom` settings): each
    /// `integration_config` field the integration gives a truthy value replaces the posted one
    /// and stays out of the stored credentials (`getPreconfiguredTwoStepFields`,
    /// `applyIntegrationConfigToTwoStepCredentials`).
    pub fn with_integration_config(mut self, custom: &Map<String, Value>) -> TwoStepProvider {
        self.preconfigured = self
            .integration_fields
            .iter()
            .filter_map(|field| {
                let value = custom.get(field).filter(|v| truthy(v))?;
                Some((field.clone(), value.clone()))
            })
            .collect();
        self
    }

    /// `token_expiration_buffer` in seconds (`None`: the default margin).
    pub fn expiration_buffer_secs(&self) -> Option<f64> {
        self.expiration_buffer_secs
    }
}

/// The `integration_config` fields of a TWO_STEP provider that the integration's `custom`
/// settings preset, in the provider's order (`getPreconfiguredCredentials`): the integration
/// listing names them as `preconfigured_credentials`, and Connect UI leaves them out of the form
/// (spec §4.2, §4.3). None for another mode.
pub fn preconfigured_credentials(provider: &Provider, custom: &Map<String, Value>) -> Vec<String> {
    if *provider.auth_mode() != AuthMode::TwoStep {
        return Vec::new();
    }
    provider
        .integration_config()
        .iter()
        .filter(|field| custom.get(&field.name).is_some_and(truthy))
        .map(|field| field.name.clone())
        .collect()
}

/// What stored TWO_STEP credentials give a renewal: every member but `token`, `expires_at`,
/// `type` and `raw` (the posted values and the refresh token).
pub fn two_step_stored_inputs(credentials: &Value) -> Map<String, Value> {
    let mut out = credentials.as_object().cloned().unwrap_or_default();
    for key in ["token", "expires_at", "type", "raw"] {
        out.shift_remove(key);
    }
    out
}

/// What a flow does next.
#[derive(Debug, Clone, PartialEq)]
pub enum TwoStepNext {
    /// Send this request and hand its answer to [`TwoStepFlow::answer`].
    Send(HttpRequest),
    /// The credentials, and the `token_response_metadata` values for the connection_config.
    Done(Obtained),
}

/// One TWO_STEP attempt, between its requests.
#[derive(Debug, Clone)]
pub struct TwoStepFlow {
    provider: TwoStepProvider,
    inputs: Map<String, Value>,
    config: Map<String, Value>,
    responses: Vec<Value>,
    header_values: Map<String, Value>,
}

impl TwoStepFlow {
    /// Starts a flow with the posted values (`inputs`: a POST /auth/two-step body, or
    /// [`two_step_stored_inputs`] for a renewal) and the connection_config. Errors:
    /// connection_config values the token URL, parameters and headers use (missing or refused
    /// by their field's rule), `missing_token_url`, an assertion that cannot be made, and a body
    /// the XML writer refuses (`two_step_credentials_fetch_error`).
    pub fn start(
        provider: &TwoStepProvider,
        mut inputs: Map<String, Value>,
        config: Map<String, Value>,
        ctx: &Context<'_>,
        matcher: &dyn PatternMatcher,
    ) -> Result<(TwoStepFlow, HttpRequest), ModeError> {
        if provider.token_response.is_none() {
            let message = "Token response structure is missing for TWO_STEP.";
            return Err(incomplete("incomplete_provider", message, "token_response").into());
        }
        inputs.extend(provider.preconfigured.clone());
        if let Some((name, json)) = &provider.signer {
            let signed = jwt_from_entry(name, json, inputs.clone(), &config, ctx)?;
            let token = signed.get("token").cloned().unwrap_or(Value::Null);
            inputs.insert("token".to_owned(), token);
        }
        // Made on the first connection, and on a renewal without a refresh token, unless the
        // one held is good for more than a minute.
        if let Some(assertion) = &provider.assertion
            && !inputs.get("refresh_token").is_some_and(truthy)
        {
            let jwt = assertion.get("type").and_then(Value::as_str) == Some("jwt");
            let held = inputs.get("assertion").unwrap_or(&Value::Null);
            let fresh = match jwt {
                true => assertion_fresh(held, ctx.now_ms),
                false => saml_fresh(held, ctx.now_ms),
            };
            if !fresh {
                let mut credentials = inputs.clone();
                let option = credentials
                    .shift_remove("assertionOption")
                    .and_then(|v| v.as_object().cloned())
                    .unwrap_or_default();
                let make = if jwt { jwt_assertion } else { saml_assertion };
                let signed = make(assertion, &credentials, &config, &option, ctx)?;
                inputs.insert("assertion".to_owned(), Value::String(signed));
            }
        }
        let refresh = (provider.refresh_token_params.is_some()
            || provider.refresh_token_headers.is_some())
            && inputs.get("refresh_token").is_some_and(truthy);
        let (url, params, headers) = if refresh {
            (
                provider
                    .refresh_url
                    .as_ref()
                    .or(provider.token_url.as_ref()),
                provider.refresh_token_params.as_ref(),
                provider
                    .refresh_token_headers
                    .as_ref()
                    .or(provider.token_headers.as_ref()),
            )
        } else {
            (
                provider.token_url.as_ref(),
                provider.token_params.as_ref(),
                provider.token_headers.as_ref(),
            )
        };
        let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
            return Err(missing_token_url().into());
        };
        let templates = core::iter::once(url.as_str())
            .chain(
                params
                    .into_iter()
                    .flat_map(|m| m.values())
                    .filter_map(Value::as_str),
            )
            .chain(
                headers
                    .into_iter()
                    .flat_map(|m| m.values())
                    .filter_map(Value::as_str),
            );
        let issues = check_template_values(&provider.fields, templates, &config, matcher);
        if !issues.is_empty() {
            return Err(ModeError::Config(invalid(issues)));
        }
        let mut values = config.clone();
        values.extend(inputs.clone());
        let url = token_url_href(url, &values)?;
        let mut body = Map::new();
        if let Some(params) = params {
            for (name, value) in params {
                body.insert(name.clone(), fill(&strip_credentials(value), &inputs, ctx));
            }
            body = config_values(body, &config, ctx);
        }
        let mut header_list = Vec::new();
        for (name, value) in headers.into_iter().flatten() {
            let filled = fill(&strip_credentials(value), &inputs, ctx);
            header_list.push((name.clone(), to_js_string(&filled)));
        }
        let Some(text) = provider.body_format.encode(&body) else {
            return Err(fetch_error(String::from("Maximum nested tags exceeded")).into());
        };
        let request = axios_request(provider.get, url, header_list, text);
        let flow = TwoStepFlow {
            provider: provider.clone(),
            inputs,
            config,
            responses: Vec::new(),
            header_values: Map::new(),
        };
        Ok((flow, request))
    }

    /// Reads the answer to the last request: the next request, or the credentials. Errors:
    /// `two_step_credentials_fetch_error` for a status outside 2xx (and a step URL that does
    /// not parse, and a first answer of an XML provider that is not XML), `invalid_two_step_credentials` for a 2xx other than 200 and 201 (a step:
    /// `invalid_two_step_credentials_step_N` for anything but 200), `incomplete_raw_credentials`
    /// without a token, and an expiry that is no duration.
    pub fn answer(
        &mut self,
        response: &HttpResponse,
        ctx: &Context<'_>,
    ) -> Result<TwoStepNext, ModeError> {
        let step = self.responses.len();
        if !(200..300).contains(&response.status) {
            return Err(fetch_error(format!(
                "Request failed with status code {}",
                response.status
            ))
            .into());
        }
        let accepted = match step {
            0 => matches!(response.status, 200 | 201),
            _ => response.status == 200,
        };
        if !accepted {
            // Nango's `invalid_two_step_credentials_step_${N}`; the catalogue's providers
            // have at most two additional steps.
            let code = match step {
                1 => "invalid_two_step_credentials_step_1",
                2 => "invalid_two_step_credentials_step_2",
                3 => "invalid_two_step_credentials_step_3",
                _ => "invalid_two_step_credentials",
            };
            let message = "Invalid credentials provided to create a Two Step connection";
            return Err(refused(code, message, response.status).into());
        }
        let data = match (response.data(), self.provider.body_format) {
            (Value::String(text), BodyFormat::Xml) if step == 0 => {
                parse_xml(&text).map_err(|e| fetch_error(e.describe()))?
            }
            (data, _) => data,
        };
        self.responses.push(data);
        for (name, value) in header_values(response, &self.provider.response_headers) {
            let joined = match (name.as_str(), self.header_values.get("_cookies")) {
                ("_cookies", Some(Value::String(old))) => format!("{old}; {value}"),
                _ => value,
            };
            self.header_values.insert(name, Value::String(joined));
        }
        match self.provider.steps.get(step) {
            Some(next) => Ok(TwoStepNext::Send(self.step_request(next, ctx)?)),
            None => self.finish(ctx),
        }
    }

    /// The request of an `additional_steps` entry, its values taken from an earlier answer
    /// (`${stepN.path}`) or the posted values, whichever fills it in completely.
    fn step_request(&self, step: &Step, ctx: &Context<'_>) -> Result<HttpRequest, ModeError> {
        // `resolveStepValue`: the text filled in from the answer it names, else from the
        // posted values, whichever leaves no `${…}`; the answer's try when neither does.
        let resolve = |value: &Value| -> Value {
            let Value::String(text) = value else {
                return value.clone();
            };
            let source = self.step_source(step_number(text));
            let from_step = interpolate(&strip_step_prefixes(text), &source, ctx);
            if !from_step.contains("${") {
                return Value::String(from_step);
            }
            let from_inputs = interpolate(&text.replace("credentials.", ""), &self.inputs, ctx);
            if !from_inputs.contains("${") {
                return Value::String(from_inputs);
            }
            Value::String(from_step)
        };
        let mut body = Map::new();
        if let Some(params) = &step.token_params {
            for (name, value) in params {
                body.insert(name.clone(), resolve(value));
            }
            body = config_values(body, &self.config, ctx);
        }
        let mut values = self.step_source(step_number(&step.token_url));
        values.insert(
            "connectionConfig".to_owned(),
            Value::Object(self.config.clone()),
        );
        let text = interpolate(&strip_step_prefixes(&step.token_url), &values, ctx);
        let url = match parse(&text) {
            Some(ParsedUrl::Special(url)) => url.href,
            _ => return Err(fetch_error(String::from("Invalid URL")).into()),
        };
        let headers = step
            .token_headers
            .iter()
            .flatten()
            .map(|(name, value)| (name.clone(), to_js_string(&resolve(value))))
            .collect();
        // Nango writes a step's body as a form or JSON, never XML.
        let format = match self.provider.body_format {
            BodyFormat::Form => BodyFormat::Form,
            _ => BodyFormat::Json,
        };
        let text = format.encode(&body).unwrap_or_default();
        Ok(axios_request(step.get, url, headers, text))
    }

    /// `getStepResponse(n, responses)`: the nth answer when it is an object, else `{}`.
    fn step_source(&self, n: Option<usize>) -> Map<String, Value> {
        n.and_then(|n| self.responses.get(n.checked_sub(1)?))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    fn finish(&self, ctx: &Context<'_>) -> Result<TwoStepNext, ModeError> {
        let raw = self.responses.last().cloned().unwrap_or(Value::Null);
        let shape = self.provider.token_response.clone().unwrap_or_default();
        // An empty path is no path (JavaScript's falsy `''`).
        let path = |key: &str| {
            shape
                .get(key)
                .and_then(Value::as_str)
                .filter(|p| !p.is_empty())
        };
        let at = |key: &str| -> Option<Value> {
            let path = path(key)?;
            raw.as_object()
                .and_then(|m| value_at_path(m, path))
                .cloned()
        };
        let token = match path("token") {
            Some(_) => at("token"),
            None => Some(raw.clone()),
        };
        let Some(token) = token.filter(truthy) else {
            return Err(Failure::new(
                "incomplete_raw_credentials",
                "The provider's answer holds no token where token_response.token points.",
                Issue::new(ErrorCode::AuthTokenMissing, Vec::new()),
            )
            .into());
        };
        let refresh_token = at("refresh_token");
        let expiration = at("token_expiration").filter(truthy);
        let expire_in = path("token_expiration_strategy") == Some("expireIn");
        let now = ctx.now_ms;
        // `None`: no expiry; `Some(None)`: an invalid date.
        let mut expires_at: Option<Option<i64>> = match (&expiration, expire_in) {
            (Some(value), false) => Some(parse_expiration_date(value)),
            (Some(value), true) => Some(duration_expiry(value, now)?),
            (None, _) => match self.provider.token_expires_in_ms {
                Some(ms) if ms > 0.0 => Some(time(now as f64 + ms)),
                Some(_) => None,
                None => Some(now.checked_add(TWO_STEP_DEFAULT_EXPIRES_MS)),
            },
        };
        let margin = OAUTH2_REFRESH_MARGIN_SECS as i64 * 1000;
        let jwt_limits = [
            expiration.is_none().then_some(&token),
            refresh_token.as_ref().filter(|v| truthy(v)),
        ];
        for value in jwt_limits.into_iter().flatten() {
            if let Some(exp) = value.as_str().and_then(jwt_exp) {
                let limit = time(exp * 1000.0 - margin as f64);
                let sooner = match expires_at {
                    Some(Some(current)) => limit.is_some_and(|l| l < current),
                    _ => true,
                };
                if sooner && limit.is_some() {
                    expires_at = Some(limit);
                }
            }
        }
        let mut credentials = Map::new();
        credentials.insert("type".to_owned(), Value::from("TWO_STEP"));
        credentials.insert("token".to_owned(), token);
        if let Some(at) = expires_at {
            let text = at
                .and_then(to_iso_string)
                .map_or(Value::Null, Value::String);
            credentials.insert("expires_at".to_owned(), text);
        }
        if let Some(token) = refresh_token.filter(|v| !v.is_null()) {
            credentials.insert("refresh_token".to_owned(), token);
        }
        credentials.insert("raw".to_owned(), raw.clone());
        for (key, value) in &self.inputs {
            if !matches!(key.as_str(), "token" | "refresh_token" | "assertionOption")
                && !self.provider.preconfigured.contains_key(key)
            {
                credentials.insert(key.clone(), value.clone());
            }
        }
        for (key, value) in &self.header_values {
            if !matches!(
                key.as_str(),
                "type" | "token" | "refresh_token" | "expires_at" | "raw"
            ) {
                credentials.insert(key.clone(), value.clone());
            }
        }
        let metadata = match &raw {
            Value::Object(map) => token_metadata(map, &self.provider.token_response_metadata),
            _ => Map::new(),
        };
        Ok(TwoStepNext::Done(Obtained {
            credentials,
            metadata,
        }))
    }
}

/// `interpolateObjectValues(body, connectionConfig)`: string values filled in from the
/// connection_config, the others as they are.
fn config_values(
    body: Map<String, Value>,
    config: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Map<String, Value> {
    let now = to_iso_string(ctx.now_ms).unwrap_or_default();
    let generated = Generated {
        random: ctx.random,
        now: &now,
    };
    body.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => (k, Value::String(interpolate_param(&s, config, generated))),
            other => (k, other),
        })
        .collect()
}

/// `two_step_credentials_fetch_error`: "Error fetching Two Step credentials Error: " and what
/// went wrong.
fn fetch_error(what: String) -> Failure {
    Failure::new(
        "two_step_credentials_fetch_error",
        format!("Error fetching Two Step credentials Error: {what}"),
        Issue::new(ErrorCode::AuthProviderRefused, Vec::new()),
    )
    .with_payload(Value::String(what))
}

fn refused(code: &'static str, message: &str, status: u16) -> Failure {
    Failure::new(
        code,
        message,
        issue(
            ErrorCode::AuthProviderRefused,
            &[],
            Detail::Limit(usize::from(status)),
        ),
    )
}

/// The provider gave no answer.
pub fn two_step_unreachable() -> ModeError {
    fetch_error(String::from("The token endpoint could not be reached.")).into()
}
