//! connkit-server: Nango's connect-session, auth and connections API on SQLite, so that Nango's
//! own clients (`@nangohq/node`, `@nangohq/frontend`, Connect UI) work against it unchanged.
//!
//! The rules (tags, tag filters, request queries, paths and bodies, metadata, the provider
//! catalogue, webhook payloads and signatures, OAuth URLs, token requests and responses) are
//! `connkit_core`'s; this crate is the HTTP, SQL
//! and crypto glue around them. [`app`] builds the whole router from an [`AppState`], so tests drive it in
//! process; `main.rs` only reads flags, opens the database and serves. The OAuth 2 flow's
//! WebSocket listens at `/` next to the routes. In demo mode the router also holds the browser
//! demo's backend (`demo.rs`) and a local OAuth provider (`local_provider/`), and with a static
//! directory it serves the built demo for what no route matches.
//!
//! Modules, in reading order:

/// JSON bodies as Express reads them (415, 413, 408, `invalid_json`).
mod body;
/// Security headers, and the gate only this server's own pages pass.
mod browser;
/// Flags and environment variables → [`Settings`], files read at start-up.
pub mod config;
/// Sealing credentials, hashing session tokens, generating secrets.
pub mod crypto;
/// The browser demo's backend under `/demo/api/` (`--demo` only).
mod demo;
/// `ApiError` and Nango's error JSON.
mod error;
/// `integrations.toml`.
pub mod integrations;
/// A small OAuth 2 provider for the demo (`--demo`, under `/demo/provider/`) and the tests.
pub mod local_provider;
/// What the OAuth 2 flow keeps in the process: WebSocket clients, callback page, token client,
/// refresh locks.
mod oauth;
/// Who is calling: secret key or connect session token.
mod principal;
/// What of a URL a log line may show.
mod redact;
/// The HTTP API, one module per resource.
mod routes;
/// Serving over HTTP/1.1 with connection, header and idle limits.
pub mod serve;
/// `AppState`: settings, store, catalogue, integrations, webhook sender.
pub mod state;
/// `--static-dir`, confined, with the pages' security policy.
mod static_files;
/// Persistence behind one `Store` type (SQLite today).
pub mod store;
/// Unix microseconds and Nango's timestamp texts.
mod timestamp;
/// The opt-in credential test.
mod verify;
/// Auth webhooks: the outbox and its delivery worker.
pub mod webhook;

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, middleware};
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

pub use state::{AppState, Settings};

/// The whole API as a router (what `main` serves and tests call with `oneshot`): the API, the
/// static directory, if any, for GET/HEAD requests that no route matches (API routes always
/// win), and the demo routes when `settings.demo` is on. CORS is open on the API and the static
/// files (the widget's module is imported by other pages), never on the demo routes; those and
/// the static files answer only requests to a local name, the demo routes only this server's
/// own pages.
pub fn app(state: AppState) -> Router {
    let settings = state.settings();
    let hosts = browser::LocalHosts::new(&settings.public_url);
    let router = routes::router()
        .with_state(state.clone())
        .method_not_allowed_fallback(method_not_allowed);
    let router = match &settings.static_dir {
        Some(dir) => static_files::serve(router, dir, hosts.clone()),
        None => router.fallback(unknown_route),
    };
    // CORS and the stack below each wrap their router once, as one service behind a router's
    // fallback: `Router::layer` would wrap every route, and axum clones a route's service, box
    // by box, for each request. The demo routes are matched first; everything else is the
    // API's, with CORS.
    let open_api = ServiceBuilder::new().layer(cors()).service(router);
    let router = if settings.demo {
        demo::router(api(&state), settings)
            .merge(demo_provider(&state).router())
            .method_not_allowed_fallback(method_not_allowed)
            .route_layer(middleware::from_fn_with_state(hosts, browser::own_origin))
            .fallback_service(open_api)
    } else {
        Router::new().fallback_service(open_api)
    };
    Router::new().fallback_service(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http().make_span_with(request_span))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(middleware::from_fn_with_state(state, every_request))
            .service(router),
    )
}

/// What every request goes through, as one middleware (each `from_fn` layer boxes the rest of
/// the stack for each request): the OAuth WebSocket at `/` is taken before routing, every
/// answer gets the security headers, and the cause of an internal error is logged.
async fn every_request(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let mut response = match routes::ws::upgrade(&state, request).await {
        Ok(upgraded) => upgraded,
        Err(request) => next.run(request).await,
    };
    error::log_internal_error(&method, uri.path(), &response);
    browser::set_security_headers(response.headers_mut());
    response
}

/// The span of a request's log lines: its method and path, never its query, where auth
/// endpoints carry `connect_session_token` (and clients may put anything).
fn request_span(request: &axum::extract::Request) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}

/// The local provider of demo mode, knowing the OAuth client of every integration that has one.
fn demo_provider(state: &AppState) -> local_provider::LocalProvider {
    let clients = state
        .integrations()
        .iter()
        .filter_map(|i| Some((i.client_id.clone()?, i.client_secret.clone()?)))
        .collect();
    let provider = local_provider::LocalProvider::new(clients);
    // The built-in service-account and partner-API demos sign with connkit's published test
    // keys (tests/vectors/keys): a fake provider may trust them, nothing else does.
    provider.trust_public_key(include_str!("../../../tests/vectors/keys/rsa.spki.pem"));
    provider.trust_public_key(include_str!("../../../tests/vectors/keys/p256.spki.pem"));
    provider
}

/// The API routes alone, what the demo routes dispatch to.
fn api(state: &AppState) -> Router {
    routes::router()
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
}

/// CORS as Nango's public API sets it (spec §8).
fn cors() -> CorsLayer {
    const ALLOWED: [&str; 12] = [
        "authorization",
        "content-type",
        "accept",
        "origin",
        "x-requested-with",
        "nango-activity-log-id",
        "nango-is-dry-run",
        "nango-is-sync",
        "provider-config-key",
        "connection-id",
        "sentry-trace",
        "baggage",
    ];
    const EXPOSED: [&str; 8] = [
        "authorization",
        "etag",
        "content-type",
        "content-length",
        "x-nango-signature",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ];
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::PATCH,
            Method::POST,
            Method::DELETE,
        ])
        .allow_headers(ALLOWED.map(HeaderName::from_static))
        .expose_headers(EXPOSED.map(HeaderName::from_static))
        .max_age(Duration::from_secs(600))
}

/// The JSON 404 of a path no route or file answers.
async fn unknown_route() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": {"code": "not_found", "message": "Unknown route"}})),
    )
        .into_response()
}

async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({"error": {"code": "method_not_allowed"}})),
    )
        .into_response()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    tracing::error!(error_id = %id, "handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(error::generic_error_body(&id)),
    )
        .into_response()
}
