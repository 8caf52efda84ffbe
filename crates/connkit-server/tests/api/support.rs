//! Test harness: an `app()` over a real database (a SQLite file in a temporary directory, or a
//! PostgreSQL database: `db.rs`), called in process with `oneshot`, plus small real HTTP
//! servers (a webhook receiver, a provider API) on loopback.
//!
//! Knows no endpoint rules; the test modules assert those.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use clap::Parser;
use connkit_core::catalogue::Catalogue;
use connkit_server::config::{BUILTIN_INTEGRATIONS, BUILTIN_PROVIDERS, Config, builtin_providers};
use connkit_server::crypto::Keyring;
use connkit_server::integrations::Integrations;
use connkit_server::store::Store;
use connkit_server::webhook::RetryPolicy;
use connkit_server::{AppState, Settings, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};
use tower::ServiceExt;

use crate::db::{Db, new_database, new_postgres_database, sqlite_url};

pub(crate) const KEY: &str = "0c8f5a3e-1b2d-4c5e-9f60-7a8b9c0d1e2f";

/// One server under test.
pub(crate) struct TestApp {
    router: Router,
    pub(crate) db_url: String,
    _dir: tempfile::TempDir,
}

/// A response, body parsed as JSON (`Null` when empty).
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) json: Value,
}

impl Resp {
    /// `error.code`.
    pub(crate) fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }

    /// `error.errors` as `(code, path)`.
    pub(crate) fn errors(&self) -> Vec<(String, Vec<String>)> {
        pairs(&self.json["error"]["errors"])
    }

    /// `error.issues` (connkit's codes) as `(code, path)`.
    pub(crate) fn issues(&self) -> Vec<(String, Vec<String>)> {
        pairs(&self.json["error"]["issues"])
    }

    #[track_caller]
    pub(crate) fn assert(&self, status: u16, code: &str) -> &Self {
        assert_eq!((self.status, self.code()), (status, code), "{}", self.json);
        self
    }
}

/// The `connection_id`s of a GET /connections answer, in its order.
pub(crate) fn connection_ids(resp: &Resp) -> Vec<String> {
    resp.json["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["connection_id"].as_str().unwrap().to_owned())
        .collect()
}

/// `[{code, path}]` JSON as pairs.
pub(crate) fn pairs(list: &Value) -> Vec<(String, Vec<String>)> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|it| {
                    let code = it["code"].as_str().unwrap_or("").to_owned();
                    let path = it["path"]
                        .as_array()
                        .map(|p| {
                            p.iter()
                                .map(|s| s.as_str().unwrap_or("").to_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                    (code, path)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `(code, path)` from string slices.
pub(crate) fn cp(code: &str, path: &[&str]) -> (String, Vec<String>) {
    (
        code.to_owned(),
        path.iter().map(|s| (*s).to_owned()).collect(),
    )
}

impl TestApp {
    /// The built-in catalogue and integrations, default settings.
    pub(crate) async fn new() -> TestApp {
        TestApp::build(BUILTIN_PROVIDERS, BUILTIN_INTEGRATIONS, |_| {}).await
    }

    /// The built-in catalogue and integrations, adjusted settings.
    pub(crate) async fn with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::build(BUILTIN_PROVIDERS, BUILTIN_INTEGRATIONS, adjust).await
    }

    pub(crate) async fn build(
        providers: &str,
        integrations: &str,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let mut settings = test_settings();
        adjust(&mut settings);
        TestApp::from_settings(providers, integrations, settings).await
    }

    /// An app with exactly these settings, on the suite's backend.
    pub(crate) async fn from_settings(
        providers: &str,
        integrations: &str,
        settings: Settings,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_url = new_database(dir.path()).await;
        TestApp::on(dir, db_url, providers, integrations, settings).await
    }

    /// The built-in catalogue and integrations, default settings, on a SQLite file whatever the
    /// suite's backend (for what only SQLite has: its files).
    pub(crate) async fn on_sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_url = sqlite_url(dir.path());
        TestApp::on_database(dir, db_url).await
    }

    /// [`TestApp::on_sqlite`] on a PostgreSQL database (for what only PostgreSQL has).
    pub(crate) async fn on_postgres() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_url = new_postgres_database().await;
        TestApp::on_database(dir, db_url).await
    }

    /// The built-in catalogue and integrations, default settings, on the database at `db_url`
    /// (a copy of another app's).
    pub(crate) async fn on_database(dir: tempfile::TempDir, db_url: String) -> TestApp {
        TestApp::on(
            dir,
            db_url,
            BUILTIN_PROVIDERS,
            BUILTIN_INTEGRATIONS,
            test_settings(),
        )
        .await
    }

    /// An app on the database at `db_url` (another app's, for two servers on one database).
    pub(crate) async fn on(
        dir: tempfile::TempDir,
        db_url: String,
        providers: &str,
        integrations: &str,
        settings: Settings,
    ) -> TestApp {
        let catalogue = Catalogue::from_yaml_str(providers).unwrap();
        let integrations = Integrations::from_toml(integrations, &catalogue).unwrap();
        let store = Store::open(&db_url, Keyring::from_bytes(&[7; 32]))
            .await
            .unwrap();
        let state = AppState::new(settings, store, catalogue, integrations).unwrap();
        TestApp {
            router: app(state),
            db_url,
            _dir: dir,
        }
    }

    /// An app configured from command-line `flags` (as `main` does: `Config::settings` with
    /// the bound address), also served on a loopback port so that what it sends to itself
    /// (webhooks) really travels over HTTP. Returns the app and its base URL.
    pub(crate) async fn served(flags: &[&str]) -> (TestApp, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let args = std::iter::once("connkit-server").chain(flags.iter().copied());
        let config = Config::try_parse_from(args).unwrap();
        let mut settings = config.settings(KEY.to_owned(), addr).unwrap();
        settings.webhook_retry = fast_retry();
        // As `main` does: the built-in catalogue names the bound port (its local OAuth provider).
        let providers = builtin_providers(addr.port());
        let app = TestApp::from_settings(&providers, BUILTIN_INTEGRATIONS, settings).await;
        let router = app.router.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        (app, format!("http://{addr}"))
    }

    /// The router under test (to serve it on a listener of one's own).
    pub(crate) fn router(&self) -> Router {
        self.router.clone()
    }

    /// Sends a request; without a `Host` header it gets `127.0.0.1`, as every HTTP/1.1 client
    /// sends one.
    pub(crate) async fn send(&self, mut request: Request<Body>) -> Resp {
        if !request.headers().contains_key("host") {
            request
                .headers_mut()
                .insert("host", axum::http::HeaderValue::from_static("127.0.0.1"));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp {
            status,
            headers,
            json,
        }
    }

    /// A request with optional `Authorization` and JSON body.
    pub(crate) async fn call(
        &self,
        method: &str,
        uri: &str,
        auth: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(auth) = auth {
            builder = builder.header("authorization", auth);
        }
        let body = match body {
            Some(value) => {
                builder = builder.header("content-type", "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }

    /// A request with the secret key.
    pub(crate) async fn secret(&self, method: &str, uri: &str, body: Option<&Value>) -> Resp {
        self.call(method, uri, Some(&format!("Bearer {KEY}")), body)
            .await
    }

    /// GET /connect/session with the session `token` (spec §3.2).
    pub(crate) async fn session_of(&self, token: &str) -> Resp {
        self.call(
            "GET",
            "/connect/session",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await
    }

    /// A request with raw headers and body bytes.
    pub(crate) async fn raw(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Resp {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(body.into()).unwrap()).await
    }

    /// Creates a connect session; returns its token.
    pub(crate) async fn session(&self, body: Value) -> String {
        let resp = self.secret("POST", "/connect/sessions", Some(&body)).await;
        assert_eq!(resp.status, 201, "{}", resp.json);
        resp.json["data"]["token"].as_str().unwrap().to_owned()
    }

    /// POSTs to an auth endpoint (`path` like `/api-auth/api-key/demo-api-key`) with a token.
    pub(crate) async fn auth(
        &self,
        path: &str,
        token: &str,
        extra_query: &str,
        body: Option<&Value>,
    ) -> Resp {
        let uri = format!("{path}?connect_session_token={token}{extra_query}");
        self.call("POST", &uri, None, body).await
    }

    /// A new API_KEY connection through a session with `session`; returns its connection id.
    pub(crate) async fn api_key_connection(&self, session: Value, subdomain: &str) -> String {
        let token = self.session(session).await;
        let resp = self
            .auth(
                "/api-auth/api-key/demo-api-key",
                &token,
                &format!("&params[subdomain]={subdomain}"),
                Some(&json!({"apiKey": "k-secret-1"})),
            )
            .await;
        assert_eq!(resp.status, 200, "{}", resp.json);
        resp.json["connectionId"].as_str().unwrap().to_owned()
    }

    /// A new NONE connection with these session tags; returns its connection id.
    pub(crate) async fn tagged_connection(&self, tags: Value) -> String {
        let token = self.session(json!({"tags": tags})).await;
        let resp = self
            .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
            .await;
        assert_eq!(resp.status, 200, "{}", resp.json);
        resp.json["connectionId"].as_str().unwrap().to_owned()
    }

    /// GET /connections/:id of `key`.
    pub(crate) async fn connection(&self, key: &str, id: &str) -> Resp {
        self.secret(
            "GET",
            &format!("/connections/{id}?provider_config_key={key}"),
            None,
        )
        .await
    }

    /// The database, reached directly (for what the API cannot do: expiring a session,
    /// reading what is stored, injecting a failure).
    pub(crate) async fn sql(&self) -> Db {
        Db::open(&self.db_url).await
    }
}

/// The default settings with [`KEY`] and [`fast_retry`].
pub(crate) fn test_settings() -> Settings {
    let mut settings = Settings::new(KEY);
    settings.webhook_retry = fast_retry();
    settings
}

/// Webhook retries quick enough for tests.
pub(crate) fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        first_backoff: Duration::from_millis(20),
    }
}

/// One request a test server received.
#[derive(Debug)]
pub(crate) struct Hit {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A loopback HTTP server recording POST /hook requests.
pub(crate) struct Receiver {
    pub(crate) url: String,
    hits: Mutex<mpsc::UnboundedReceiver<Hit>>,
    pub(crate) count: Arc<AtomicUsize>,
}

struct ReceiverState {
    tx: mpsc::UnboundedSender<Hit>,
    count: Arc<AtomicUsize>,
    fail_first: usize,
    hang: bool,
}

async fn hook(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let n = state.count.fetch_add(1, Ordering::SeqCst) + 1;
    let _ = state.tx.send(Hit { headers, body });
    if state.hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if n <= state.fail_first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// Starts a receiver answering 500 to the first `fail_first` requests (or never, if `hang`).
pub(crate) async fn receiver(fail_first: usize, hang: bool) -> Receiver {
    let (tx, rx) = mpsc::unbounded_channel();
    let count = Arc::new(AtomicUsize::new(0));
    let state = Arc::new(ReceiverState {
        tx,
        count: count.clone(),
        fail_first,
        hang,
    });
    let router = Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(state);
    let url = serve(router).await;
    Receiver {
        url: format!("{url}/hook"),
        hits: Mutex::new(rx),
        count,
    }
}

impl Receiver {
    /// The next request, waiting at most 10 s.
    pub(crate) async fn next(&self) -> Hit {
        let mut hits = self.hits.lock().await;
        tokio::time::timeout(Duration::from_secs(10), hits.recv())
            .await
            .expect("no webhook within 10 s")
            .expect("receiver closed")
    }

    /// True if no request arrives within `wait`.
    pub(crate) async fn silent_for(&self, wait: Duration) -> bool {
        let mut hits = self.hits.lock().await;
        tokio::time::timeout(wait, hits.recv()).await.is_err()
    }
}

/// Serves `router` on a free loopback port; returns `http://127.0.0.1:PORT`.
pub(crate) async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// True for `YYYY-MM-DDTHH:MM:SS` followed by `.` and `digits` fraction digits (`0` = none) and `tail`.
pub(crate) fn is_timestamp(
    text: &str,
    digits: std::ops::RangeInclusive<usize>,
    tail: &str,
) -> bool {
    let Some(body) = text.strip_suffix(tail) else {
        return false;
    };
    let (date, fraction) = match body.split_once('.') {
        Some((d, f)) => (d, f),
        None => (body, ""),
    };
    let shape = date.len() == 19
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    shape && digits.contains(&fraction.len()) && fraction.bytes().all(|b| b.is_ascii_digit())
}
