//! The widget's HTTP client: the Connect UI calls of spec §4.2 (session, integrations, provider)
//! and the auth calls of §3.3 (every mode a form submits, as connkit-core's `submit` builds
//! them), over `fetch` (gloo-net), with the connect
//! session token as Bearer (or as `connect_session_token` on auth endpoints); for OAUTH2 the
//! addresses the flow needs (the popup's `/oauth/connect` URL, the WebSocket) and the outcome
//! messages it reads (spec §3.5), and the redirect mode's result (§12.27).
//!
//! Types here are the wire shapes the widget reads; failures become [`ApiError`], whose `code()`
//! is stable. Answers are read by the browser's `JSON.parse` (`json.rs`), then field by field
//! into these types rather than by serde's derives, which would add about 13 KB (gzip) to the
//! widget's first load. Knows nothing about views.

use connkit_core::catalogue::Provider;
use connkit_core::field::Submission;
use connkit_core::form::{FieldGroup, Form};
use connkit_core::js::encode_uri_component;
use connkit_core::request::RETURN_URL_PARAM;
use connkit_core::submit::auth_call;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde_json::{Map, Value};
use std::pin::Pin;

use crate::json;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// `fetch` itself failed (server down, CORS, offline).
    Network,
    /// 401: the session token is unknown or expired.
    Expired,
    /// Any other non-2xx answer, or a body with `error`.
    Server {
        /// HTTP status.
        status: u16,
        /// `error.code` (Nango's code), or `http_<status>` when the body has none.
        code: String,
        /// `error.message`, when the server sent one.
        message: Option<String>,
        /// `error.errors` as `(code, path)`.
        errors: Vec<(String, Vec<String>)>,
    },
    /// A 2xx answer the widget cannot read.
    Invalid,
    /// An OAuth flow that failed: the server's or the provider's error (its WebSocket
    /// `error_type` and `error_desc`, spec §3.5), or the widget's own `blocked_by_browser` and
    /// `window_closed`.
    Flow {
        /// The error type.
        code: String,
        /// What the server said, when it said something.
        message: String,
    },
    /// The provider's auth mode has no endpoint this widget submits to (`auth_call` gives none).
    Unsupported(String),
}

impl ApiError {
    /// A stable code: `network_error`, `session_expired`, the server's code, `invalid_response`,
    /// the OAuth flow's error type or `unsupported_auth_mode`.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Network => "network_error",
            ApiError::Expired => "session_expired",
            ApiError::Server { code, .. } | ApiError::Flow { code, .. } => code,
            ApiError::Invalid => "invalid_response",
            ApiError::Unsupported(_) => "unsupported_auth_mode",
        }
    }
}

/// What `GET /connect/session` tells the widget.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    /// `allowed_integrations`, when the session restricts them.
    pub allowed_integrations: Option<Vec<String>>,
    /// `integrations_config_defaults[key].connection_config`.
    pub config_defaults: Map<String, Value>,
    /// `overrides[key].docs_connect`.
    pub overrides: Map<String, Value>,
    /// A reconnect session's `reconnect_connection_config`: what the form starts with (spec
    /// §12.35).
    pub reconnect: Map<String, Value>,
}

impl Session {
    /// The session's preconfigured connection_config for `key`.
    pub fn connection_config(&self, key: &str) -> Map<String, Value> {
        match self
            .config_defaults
            .get(key)
            .and_then(|e| e.get("connection_config"))
        {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        }
    }

    /// The session's docs link override for `key`.
    pub fn docs_connect(&self, key: &str) -> Option<String> {
        self.overrides
            .get(key)
            .and_then(|o| o.get("docs_connect"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// True when the session allows exactly one integration (Connect UI then skips the list).
    pub fn allows_one(&self) -> bool {
        self.allowed_integrations
            .as_ref()
            .is_some_and(|a| a.len() == 1)
    }
}

/// One entry of `GET /integrations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    /// `unique_key`: what the auth endpoints take.
    pub unique_key: String,
    /// The provider name.
    pub provider: String,
    /// The name shown.
    pub display_name: String,
    /// Logo URL.
    pub logo: Option<String>,
    /// `preconfigured_credentials`: credential fields the integration already holds (TWO_STEP),
    /// left out of the form.
    pub preconfigured_credentials: Vec<String>,
}

/// A successful auth call (`AuthResult`).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthResult {
    /// `providerConfigKey`.
    pub provider_config_key: String,
    /// `connectionId`.
    pub connection_id: String,
}

/// The client of one connect session.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    base: String,
    token: String,
}

impl Api {
    /// Calls `api_url` (a path prefix is kept) with `token`.
    pub fn new(api_url: &str, token: &str) -> Api {
        Api {
            base: api_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        Request::get(&format!("{}{path}", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
    }

    /// `GET /connect/session`.
    pub async fn session(&self) -> Result<Session, ApiError> {
        let data = data(self.get("/connect/session").build()).await?;
        let object = |v: Option<&Value>| match v {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        };
        Ok(Session {
            allowed_integrations: list(data.get("allowed_integrations")),
            config_defaults: object(data.get("integrations_config_defaults")),
            overrides: object(data.get("overrides")),
            reconnect: object(data.get("reconnect_connection_config")),
        })
    }

    /// `GET /integrations`.
    pub async fn integrations(&self) -> Result<Vec<Integration>, ApiError> {
        let data = data(self.get("/integrations").build()).await?;
        let items = data.as_array().ok_or(ApiError::Invalid)?;
        Ok(items
            .iter()
            .filter_map(|item| {
                let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
                let unique_key = text("unique_key")?;
                let provider = text("provider")?;
                Some(Integration {
                    display_name: text("display_name").unwrap_or_else(|| provider.clone()),
                    logo: text("logo"),
                    preconfigured_credentials: list(item.get("preconfigured_credentials"))
                        .unwrap_or_default(),
                    unique_key,
                    provider,
                })
            })
            .collect())
    }

    /// `GET /providers/:provider`, read by connkit-core.
    pub async fn provider(&self, name: &str) -> Result<Provider, ApiError> {
        let path = format!("/providers/{}", encode_uri_component(name));
        let data = data(self.get(&path).build()).await?;
        Provider::from_json(name, &data).map_err(|_| ApiError::Invalid)
    }

    /// The API's origin (`scheme://host[:port]`), from which the callback page's messages come.
    pub(crate) fn origin(&self) -> Option<String> {
        web_sys::Url::new(&self.base).ok().map(|u| u.origin())
    }

    /// The WebSocket of the OAuth flow: the API's path with `/` (Nango's `websocketsPath`
    /// default), `http` → `ws`, `https` → `wss` (spec §3.5).
    pub(crate) fn websocket_url(&self) -> String {
        let url = format!("{}/", self.base);
        match url.strip_prefix("https://") {
            Some(rest) => format!("wss://{rest}"),
            None => url.replacen("http://", "ws://", 1),
        }
    }

    /// `GET /oauth/connect/:key` with the token, the form's connection_config (`params[…]`) and
    /// its OAuth client override (`credentials[…]`), as the popup's first address (the
    /// `ws_client_id` comes after the WebSocket's ack).
    pub(crate) fn oauth_connect_url(&self, key: &str, values: &Submission) -> String {
        let params = values.group(FieldGroup::Params);
        let mut url = self.auth_url("/oauth/connect/", key, params);
        for (name, value) in values.group(FieldGroup::Credentials) {
            push_param(&mut url, &format!("credentials[{name}]"), value);
        }
        url
    }

    /// `url` (an OAuth connect URL) in redirect mode, returning to `return_url` (spec §12.27).
    pub(crate) fn with_return_url(url: &str, return_url: &str) -> String {
        let mut url = url.to_owned();
        push_param(&mut url, RETURN_URL_PARAM, return_url);
        url
    }

    /// `GET /oauth/result/:id`: a redirect-mode flow's outcome, read once with the token.
    pub(crate) async fn oauth_result(&self, id: &str) -> Result<Outcome, ApiError> {
        let path = format!("/oauth/result/{}", encode_uri_component(id));
        let message = fetch(self.get(&path).build()).await?;
        read_outcome(&message).ok_or(ApiError::Invalid)
    }

    /// `<base><path><key>?connect_session_token=…&params[…]=…`.
    fn auth_url(&self, path: &str, key: &str, params: &[(String, String)]) -> String {
        let mut url = format!(
            "{}{path}{}?connect_session_token={}",
            self.base,
            encode_uri_component(key),
            encode_uri_component(&self.token)
        );
        for (name, value) in params {
            push_param(&mut url, &format!("params[{name}]"), value);
        }
        url
    }

    /// The session token (the redirect mode keeps it across the page's round trip).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// The API base URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Submits a validated form to the auth endpoint of its mode (spec §3.3, §4.4): the endpoint,
    /// body and params are connkit-core's [`auth_call`]; `external_id` is AWS_SIGV4's.
    pub async fn auth(
        &self,
        key: &str,
        form: &Form,
        values: &Submission,
        external_id: Option<&str>,
    ) -> Result<AuthResult, ApiError> {
        let Some(call) = auth_call(form, values, external_id) else {
            return Err(ApiError::Unsupported(form.auth_mode().as_str().to_owned()));
        };
        let path = format!("{}/", call.endpoint.path());
        let url = self.auth_url(&path, key, &call.params);
        let request = Request::post(&url);
        let request = match call.body {
            Some(body) => {
                let text = json::stringify(&Value::Object(body)).ok_or(ApiError::Invalid)?;
                let request = request.header("content-type", "application/json");
                Ok(request.body(text).map_err(|_| ApiError::Invalid)?)
            }
            None => request.build(),
        };
        let body = fetch(request).await?;
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
        Ok(AuthResult {
            provider_config_key: text("providerConfigKey").ok_or(ApiError::Invalid)?,
            connection_id: text("connectionId").ok_or(ApiError::Invalid)?,
        })
    }
}

/// How an OAuth flow ended, as its WebSocket message (or the redirect mode's result) tells it:
/// the key it was for (when known), and the connection or the error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// `provider_config_key`.
    pub(crate) key: Option<String>,
    /// The connection, or the flow's error.
    pub(crate) result: Result<AuthResult, ApiError>,
}

/// Reads a `success` or `error` message (spec §3.5); `None` for any other.
pub(crate) fn read_outcome(message: &Value) -> Option<Outcome> {
    let text = |k: &str| message.get(k).and_then(Value::as_str).map(str::to_owned);
    let key = text("provider_config_key");
    let result = match message.get("message_type").and_then(Value::as_str)? {
        "success" => Ok(AuthResult {
            provider_config_key: key.clone()?,
            connection_id: text("connection_id")?,
        }),
        "error" => Err(ApiError::Flow {
            code: text("error_type").unwrap_or_else(|| "unknown_err".to_owned()),
            message: text("error_desc").unwrap_or_default(),
        }),
        _ => return None,
    };
    Some(Outcome { key, result })
}

/// The strings of a JSON array.
fn list(v: Option<&Value>) -> Option<Vec<String>> {
    Some(
        v?.as_array()?
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
    )
}

/// Appends `&name=value` to `url`, both encoded.
fn push_param(url: &mut String, name: &str, value: &str) {
    url.push('&');
    url.push_str(&encode_uri_component(name));
    url.push('=');
    url.push_str(&encode_uri_component(value));
}

/// The `data` of a 200 answer to `request`.
async fn data(request: Result<Request, gloo_net::Error>) -> Result<Value, ApiError> {
    let mut body = fetch(request).await?;
    body.get_mut("data")
        .map(Value::take)
        .ok_or(ApiError::Invalid)
}

/// [`json_ok`] of `request`'s answer, as one boxed future: the calls share one copy of the
/// fetch and its reading, where each `async` caller would otherwise inline its own.
pub(crate) fn fetch(
    request: Result<Request, gloo_net::Error>,
) -> Pin<Box<dyn Future<Output = Result<Value, ApiError>>>> {
    Box::pin(async move {
        let request = request.map_err(|_| ApiError::Network)?;
        json_ok(request.send().await).await
    })
}

/// The JSON body of a 2xx answer without `error`; anything else as an [`ApiError`] (spec §4.2:
/// "any status other than 200, or a JSON body containing `error`, is a failure").
pub(crate) async fn json_ok(sent: Result<Response, gloo_net::Error>) -> Result<Value, ApiError> {
    let response = sent.map_err(|_| ApiError::Network)?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let body = json::parse(&text).unwrap_or(Value::Null);
    if (200..300).contains(&status) && body.get("error").is_none() {
        return if body.is_object() {
            Ok(body)
        } else {
            Err(ApiError::Invalid)
        };
    }
    if status == 401 {
        return Err(ApiError::Expired);
    }
    Err(server_error(status, &body))
}

/// Reads Nango's `{"error":{"code","message","errors"}}`.
pub(crate) fn server_error(status: u16, body: &Value) -> ApiError {
    let error = &body["error"];
    let code = error["code"]
        .as_str()
        .map_or_else(|| format!("http_{status}"), str::to_owned);
    let errors = error["errors"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|it| {
                    let path = it["path"]
                        .as_array()
                        .map(|p| {
                            p.iter()
                                .map(|s| s.as_str().unwrap_or("").to_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                    (it["code"].as_str().unwrap_or("").to_owned(), path)
                })
                .collect()
        })
        .unwrap_or_default();
    ApiError::Server {
        status,
        code,
        message: error["message"].as_str().map(str::to_owned),
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_websocket_is_the_apis_path_with_its_scheme_turned() {
        let ws = |base: &str| Api::new(base, "t").websocket_url();
        assert_eq!(ws("http://127.0.0.1:3003"), "ws://127.0.0.1:3003/");
        assert_eq!(ws("https://api.example/nango/"), "wss://api.example/nango/");
    }

    #[test]
    fn outcomes_are_read_from_the_flows_messages() {
        let success = json!({"message_type": "success", "provider_config_key": "k",
                             "connection_id": "c", "is_pending": false});
        let read = read_outcome(&success).map(|o| (o.key, o.result));
        let done = AuthResult {
            provider_config_key: "k".into(),
            connection_id: "c".into(),
        };
        assert_eq!(read, Some((Some("k".into()), Ok(done))));
        let error =
            json!({"message_type": "error", "error_type": "callback_err", "error_desc": "d"});
        let read = read_outcome(&error).map(|o| (o.key, o.result.map_err(|e| e.code().to_owned())));
        assert_eq!(read, Some((None, Err("callback_err".to_owned()))));
        for other in [
            json!({"message_type": "connection_ack", "ws_client_id": "w"}),
            json!({"message_type": "success", "provider_config_key": "k"}),
            json!("text"),
        ] {
            assert_eq!(read_outcome(&other), None, "{other}");
        }
    }

    #[test]
    fn a_redirect_mode_url_names_its_return() {
        assert_eq!(
            Api::with_return_url("http://a/oauth/connect/k?x=1", "http://b/p?q=1#f"),
            "http://a/oauth/connect/k?x=1&return_url=http%3A%2F%2Fb%2Fp%3Fq%3D1%23f"
        );
    }
}
