//! A small OAuth 2 provider, part of connkit so that the demo and the tests can run the whole
//! authorization-code flow offline. It is not a product: it keeps everything in memory and
//! knows one kind of account.
//!
//! Routes, under `/demo/provider` (the server mounts them with `--demo`; tests serve
//! [`LocalProvider::router`] on their own listener):
//! * `GET /authorize`: the consent page (`consent.rs`) for `response_type=code`, a known
//!   `client_id` and an absolute `redirect_uri`; `POST /authorize` (Approve or Deny) redirects
//!   back with `code` and `state`, or `error=access_denied`.
//! * `POST /token` (form or JSON body): checks the client (body or HTTP Basic, both methods
//!   Nango uses), then `grant_type=authorization_code` (the code is single-use and short-lived,
//!   and bound to the `redirect_uri`, the PKCE S256 challenge and the tenant) or
//!   `grant_type=refresh_token` (the refresh token is rotated) or `grant_type=client_credentials`
//!   (OAUTH2_CC: the client alone, no refresh token); answers RFC 6749's JSON (`access_token`,
//!   `refresh_token`, `token_type`, `expires_in`, `scope`) or its errors.
//! * `POST /session` (JSON `{"user", "password"}`, a known client's id and secret): a session
//!   token for TWO_STEP, `{"session": {"token", "expires_in"}}`, or 401.
//! * `POST /bill/login` (JSON `{"username", "password", "organizationId", "devKey"}`): a
//!   bill.com-like session for a known client's id and secret, `{"sessionId", "organizationId",
//!   "userId"}`, or 401.
//! * `POST /sts` (JSON `{"role_arn", "external_id", "region", "service"}`, header
//!   `x-api-key: demo-sts-key`): an STS-like endpoint for AWS_SIGV4, `{"credentials":
//!   {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}}` (seconds), or 403.
//!
//! * `POST /jwt-bearer` (`jwt_bearer.rs`; form or JSON): a JWT bearer grant (`assertion`, RFC 7523) or a JWT
//!   client assertion (`client_assertion`): the JWT's RS256, PS256 or ES256 signature must
//!   verify with a public key the provider trusts ([`LocalProvider::trust_public_key`]; none by
//!   default) and its `exp` lie ahead; answers `{"access_token", "token_type", "expires_in"}`
//!   or 401 `invalid_grant` (also when a posted `client_id` is not the JWT's `iss` and `sub`).
//!   The claims of the last JWT accepted are kept
//!   ([`LocalProvider::last_jwt_claims`]). Verified with RustCrypto's `rsa` and `p256`.
//! * `POST /xml-gateway` (`xml_gateway.rs`): a Sage Intacct-like XML gateway, an API session
//!   for a known client as sender and the demo user, in Intacct's XML `<response>`.
//! * `POST /saml2-bearer` (`saml_bearer.rs`): an SAP SuccessFactors-like token for a SAML
//!   assertion whose XML-DSig signature verifies with a trusted RSA key.
//!
//! The tenant is the host's first label under `localhost` (`acme.localhost` is `acme`), so a
//! code issued at one tenant's authorize URL works only at the same tenant's token URL: a test
//! that succeeds proves the subdomain reached both. PKCE is checked with its own SHA-256
//! (`sha2`), not with the server's. Knobs for tests ([`LocalProvider::fail_token_requests`],
//! ...) and counters ([`LocalProvider::code_exchanges`], [`LocalProvider::refreshes`],
//! [`LocalProvider::client_grants`], [`LocalProvider::sessions`]).
//! Knows nothing about connkit's API, sessions or store.

mod consent;
mod jwt_bearer;
mod saml_bearer;
mod xml_gateway;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use connkit_core::js::{form_decode, form_parse};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::crypto::random_hex;

pub use saml_bearer::{SAML_AUDIENCE, SAML_ISSUER};
pub use xml_gateway::{DEMO_COMPANY, DEMO_USER, DEMO_USER_PASSWORD};

/// Where the provider's routes live.
pub const PREFIX: &str = "/demo/provider";

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(60);

/// The `expires_in` of access tokens unless a test sets another.
const DEFAULT_EXPIRES_IN: u64 = 3600;

/// The local provider: clone it freely, every clone is the same provider.
#[derive(Debug, Clone)]
pub struct LocalProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    clients: Vec<(String, String)>,
    grants: Mutex<Grants>,
    code_exchanges: AtomicUsize,
    refreshes: AtomicUsize,
    client_grants: AtomicUsize,
    sessions: AtomicUsize,
    fail_token_requests: AtomicBool,
    fail_refreshes: AtomicBool,
    expires_in: AtomicU64,
    delay_ms: AtomicU64,
    trusted_keys: Mutex<Vec<String>>,
    last_jwt_claims: Mutex<Option<Value>>,
    saml_assertions: Mutex<Vec<String>>,
}

#[derive(Debug, Default)]
struct Grants {
    codes: HashMap<String, Code>,
    refresh_tokens: HashMap<String, Account>,
}

/// What a code was issued for.
#[derive(Debug, Clone)]
struct Code {
    account: Account,
    redirect_uri: String,
    challenge: Option<(String, String)>,
    expires: Instant,
}

/// Who tokens are for: a client at a tenant, with scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Account {
    client_id: String,
    tenant: Option<String>,
    scope: String,
}

impl LocalProvider {
    /// A provider knowing these `(client_id, client_secret)` pairs.
    pub fn new(clients: Vec<(String, String)>) -> LocalProvider {
        LocalProvider {
            inner: Arc::new(Inner {
                clients,
                grants: Mutex::new(Grants::default()),
                code_exchanges: AtomicUsize::new(0),
                refreshes: AtomicUsize::new(0),
                client_grants: AtomicUsize::new(0),
                sessions: AtomicUsize::new(0),
                fail_token_requests: AtomicBool::new(false),
                fail_refreshes: AtomicBool::new(false),
                expires_in: AtomicU64::new(DEFAULT_EXPIRES_IN),
                delay_ms: AtomicU64::new(0),
                trusted_keys: Mutex::new(Vec::new()),
                last_jwt_claims: Mutex::new(None),
                saml_assertions: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The provider's routes, under [`PREFIX`].
    pub fn router(&self) -> Router {
        Router::new()
            .route(
                &format!("{PREFIX}/authorize"),
                get(consent::page).post(consent::decide),
            )
            .route(&format!("{PREFIX}/token"), post(token))
            .route(&format!("{PREFIX}/session"), post(session))
            .route(&format!("{PREFIX}/bill/login"), post(bill_login))
            .route(&format!("{PREFIX}/sts"), post(sts))
            .route(
                &format!("{PREFIX}/jwt-bearer"),
                post(jwt_bearer::jwt_bearer),
            )
            .route(
                &format!("{PREFIX}/xml-gateway"),
                post(xml_gateway::xml_gateway),
            )
            .route(
                &format!("{PREFIX}/saml2-bearer"),
                post(saml_bearer::saml2_bearer),
            )
            .with_state(self.clone())
    }

    /// Code exchanges answered so far (successful or not).
    pub fn code_exchanges(&self) -> usize {
        self.inner.code_exchanges.load(Ordering::SeqCst)
    }

    /// Refresh requests answered so far (successful or not).
    pub fn refreshes(&self) -> usize {
        self.inner.refreshes.load(Ordering::SeqCst)
    }

    /// Client-credentials grants answered so far (successful or not).
    pub fn client_grants(&self) -> usize {
        self.inner.client_grants.load(Ordering::SeqCst)
    }

    /// TWO_STEP session requests answered so far (successful or not).
    pub fn sessions(&self) -> usize {
        self.inner.sessions.load(Ordering::SeqCst)
    }

    /// Makes every token request (exchange, refresh, client grant or session) answer 500.
    pub fn fail_token_requests(&self, on: bool) {
        self.inner.fail_token_requests.store(on, Ordering::SeqCst);
    }

    /// Makes refresh requests answer 400 `invalid_grant`.
    pub fn fail_refreshes(&self, on: bool) {
        self.inner.fail_refreshes.store(on, Ordering::SeqCst);
    }

    /// The `expires_in` of the next tokens, in seconds.
    pub fn set_expires_in(&self, seconds: u64) {
        self.inner.expires_in.store(seconds, Ordering::SeqCst);
    }

    /// Makes the token endpoint wait before answering (so that concurrent requests overlap).
    pub fn set_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.inner.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// Trusts JWTs signed by the private half of this public key (SPKI PEM, RSA or P-256).
    pub fn trust_public_key(&self, pem: &str) {
        self.inner
            .trusted_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(pem.to_owned());
    }

    /// The claims of the last JWT `POST /jwt-bearer` accepted.
    pub fn last_jwt_claims(&self) -> Option<Value> {
        self.inner
            .last_jwt_claims
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every assertion `POST /saml2-bearer` was given (base64, as posted), in order.
    pub fn saml_assertions(&self) -> Vec<String> {
        self.inner
            .saml_assertions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn grants(&self) -> std::sync::MutexGuard<'_, Grants> {
        self.inner
            .grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn knows_client(&self, id: &str) -> bool {
        self.inner.clients.iter().any(|(known, _)| known == id)
    }

    fn client_secret_ok(&self, id: &str, secret: &str) -> bool {
        self.inner
            .clients
            .iter()
            .any(|(known, known_secret)| known == id && known_secret == secret)
    }
}

/// The tenant a request's `Host` names: the first label of `<tenant>.localhost`.
fn tenant(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(HOST)?.to_str().ok()?;
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let tenant = name
        .to_ascii_lowercase()
        .strip_suffix(".localhost")?
        .to_owned();
    (!tenant.is_empty()).then_some(tenant)
}

/// RFC 6749's error answer.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description});
    (status, no_store(), axum::Json(body)).into_response()
}

fn no_store() -> [(axum::http::HeaderName, HeaderValue); 1] {
    [(CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

/// `POST /token`.
async fn token(State(provider): State<LocalProvider>, headers: HeaderMap, body: Bytes) -> Response {
    let delay = provider.inner.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let params = read_params(&headers, &body);
    let grant_type = params.get("grant_type").map(String::as_str);
    match grant_type {
        Some("refresh_token") => provider.inner.refreshes.fetch_add(1, Ordering::SeqCst),
        Some("client_credentials") => provider.inner.client_grants.fetch_add(1, Ordering::SeqCst),
        _ => provider.inner.code_exchanges.fetch_add(1, Ordering::SeqCst),
    };
    if provider.inner.fail_token_requests.load(Ordering::SeqCst) {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The token endpoint failed on purpose.",
        );
    }
    let Some(client_id) = authenticated_client(&provider, &headers, &params) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client or wrong secret.",
        );
    };
    let tenant = tenant(&headers);
    let account = match grant_type {
        Some("authorization_code") => {
            exchange_code(&provider, &params, &client_id, tenant.as_deref())
        }
        Some("refresh_token") => {
            if provider.inner.fail_refreshes.load(Ordering::SeqCst) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Refresh refused on purpose.",
                );
            }
            let token = params
                .get("refresh_token")
                .map(String::as_str)
                .unwrap_or("");
            match provider.grants().refresh_tokens.remove(token) {
                Some(account) if account.client_id == client_id && account.tenant == tenant => {
                    Ok(account)
                }
                _ => Err("Unknown or used refresh token."),
            }
        }
        Some("client_credentials") => Ok(Account {
            client_id: client_id.clone(),
            tenant: tenant.clone(),
            scope: params.get("scope").cloned().unwrap_or_default(),
        }),
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Use authorization_code, refresh_token or client_credentials.",
            );
        }
    };
    let account = match account {
        Ok(account) => account,
        Err(why) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why),
    };
    let access_token = format!("demo-at-{}", random_hex(16));
    let expires_in = provider.inner.expires_in.load(Ordering::SeqCst);
    if grant_type == Some("client_credentials") {
        let body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": account.scope,
        });
        return (StatusCode::OK, no_store(), axum::Json(body)).into_response();
    }
    let refresh_token = format!("demo-rt-{}", random_hex(16));
    let scope = account.scope.clone();
    provider
        .grants()
        .refresh_tokens
        .insert(refresh_token.clone(), account);
    let body = json!({
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": scope,
    });
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

/// `POST /session`: a session token for a known client's id and secret.
async fn session(
    State(provider): State<LocalProvider>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    provider.inner.sessions.fetch_add(1, Ordering::SeqCst);
    if provider.inner.fail_token_requests.load(Ordering::SeqCst) {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The session endpoint failed on purpose.",
        );
    }
    let params = read_params(&headers, &body);
    let (user, password) = (params.get("user"), params.get("password"));
    let known = matches!((user, password), (Some(u), Some(p)) if provider.client_secret_ok(u, p));
    if !known {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "Unknown user or wrong password.",
        );
    }
    let body = json!({"session": {
        "token": format!("demo-st-{}", random_hex(16)),
        "expires_in": provider.inner.expires_in.load(Ordering::SeqCst),
    }});
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

/// `POST /bill/login`: a bill.com-like session (counted with [`LocalProvider::sessions`]).
async fn bill_login(
    State(provider): State<LocalProvider>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    provider.inner.sessions.fetch_add(1, Ordering::SeqCst);
    let params = read_params(&headers, &body);
    let (user, password) = (params.get("username"), params.get("password"));
    let known = matches!((user, password), (Some(u), Some(p)) if provider.client_secret_ok(u, p));
    if provider.inner.fail_token_requests.load(Ordering::SeqCst) || !known {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "BDC_1109",
            "Invalid user name or password.",
        );
    }
    let body = json!({
        "sessionId": format!("demo-bill-{}", random_hex(16)),
        "organizationId": params.get("organizationId").cloned().unwrap_or_default(),
        "userId": "demo-user",
    });
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

/// `POST /sts`: temporary credentials for a role (counted with [`LocalProvider::sessions`]).
async fn sts(State(provider): State<LocalProvider>, headers: HeaderMap, body: Bytes) -> Response {
    provider.inner.sessions.fetch_add(1, Ordering::SeqCst);
    let params = read_params(&headers, &body);
    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    let complete = ["role_arn", "external_id", "region", "service"]
        .iter()
        .all(|k| params.get(*k).is_some_and(|v| !v.is_empty()));
    if provider.inner.fail_token_requests.load(Ordering::SeqCst)
        || key != Some("demo-sts-key")
        || !complete
    {
        return oauth_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Not authorized to assume the role.",
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let body = json!({"credentials": {
        "accessKeyId": format!("ASIA{}", random_hex(8).to_uppercase()),
        "secretAccessKey": random_hex(20),
        "sessionToken": format!("demo-sts-{}", random_hex(16)),
        "expiration": now + provider.inner.expires_in.load(Ordering::SeqCst),
    }});
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

/// Checks a code exchange; the code is gone afterwards, whatever the verdict.
fn exchange_code(
    provider: &LocalProvider,
    params: &HashMap<String, String>,
    client_id: &str,
    tenant: Option<&str>,
) -> Result<Account, &'static str> {
    let code = params.get("code").map(String::as_str).unwrap_or("");
    let Some(grant) = provider.grants().codes.remove(code) else {
        return Err("Unknown or used authorization code.");
    };
    if grant.expires < Instant::now() {
        return Err("The authorization code has expired.");
    }
    if grant.account.client_id != client_id || grant.account.tenant.as_deref() != tenant {
        return Err("The code was issued to another client or tenant.");
    }
    if params.get("redirect_uri") != Some(&grant.redirect_uri) {
        return Err("The redirect_uri differs from the authorization request's.");
    }
    if let Some((challenge, method)) = &grant.challenge {
        let verifier = params
            .get("code_verifier")
            .map(String::as_str)
            .unwrap_or("");
        let computed = match method.as_str() {
            "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            _ => verifier.to_owned(),
        };
        if verifier.is_empty() || computed != *challenge {
            return Err("The PKCE code_verifier does not match the code_challenge.");
        }
    }
    Ok(grant.account)
}

/// The client a token request authenticates as: HTTP Basic (id and secret form-urlencoded, as
/// RFC 6749 says; raw ones decode to themselves) and/or `client_id` and `client_secret` in the
/// body. When both are sent, they must agree.
fn authenticated_client(
    provider: &LocalProvider,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Option<String> {
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| BASE64.decode(v.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            Some((form_decode(id), form_decode(secret)))
        });
    let body = match (params.get("client_id"), params.get("client_secret")) {
        (Some(id), Some(secret)) => Some((id.clone(), secret.clone())),
        _ => None,
    };
    let (id, secret) = match (basic, body) {
        (Some(a), Some(b)) if a != b => return None,
        (Some(pair), _) | (None, Some(pair)) => pair,
        (None, None) => return None,
    };
    provider.client_secret_ok(&id, &secret).then_some(id)
}

/// A form or JSON body's string parameters.
fn read_params(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        let map: Map<String, Value> = serde_json::from_slice(body).unwrap_or_default();
        return map
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s)),
                Value::Number(n) => Some((k, n.to_string())),
                _ => None,
            })
            .collect();
    }
    form_parse(&String::from_utf8_lossy(body))
        .into_iter()
        .collect()
}
