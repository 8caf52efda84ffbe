//! The OAuth tests' harness: the app on a loopback port, its built-in catalogue pointing the demo
//! OAuth provider (`demo-oauth2`) at a local provider on a port of its own, a webhook receiver,
//! a browser-like HTTP client (no redirect followed, `<tenant>.localhost` resolved to loopback)
//! and WebSocket clients, as @nangohq/frontend opens them.
//!
//! Knows no rule; the test modules assert those.

use std::net::SocketAddr;
use std::time::Duration;

use connkit_core::js::encode_uri_component;
use connkit_server::Settings;
use connkit_server::config::{builtin_integrations, builtin_providers};
use connkit_server::local_provider::{LocalProvider, PREFIX};
use connkit_server::webhook::RetryPolicy;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{KEY, Receiver, TestApp, receiver, serve};

/// The tenants (subdomains) tests use; the browser resolves `<tenant>.localhost` for these.
pub(crate) const TENANTS: [&str; 4] = ["acme", "beta", "gamma", "coop-acme"];

/// A WebSocket client.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One OAuth test's world.
pub(crate) struct OAuthEnv {
    pub(crate) app: TestApp,
    /// `http://127.0.0.1:PORT` of the app.
    pub(crate) base: String,
    pub(crate) provider: LocalProvider,
    pub(crate) hooks: Receiver,
    /// A client that follows no redirect.
    pub(crate) browser: reqwest::Client,
    /// What another server on this world's database is built from.
    catalogue: String,
    integrations: String,
    settings: Settings,
}

impl OAuthEnv {
    pub(crate) async fn new() -> OAuthEnv {
        OAuthEnv::with(|_| {}).await
    }

    /// The world with adjusted settings.
    pub(crate) async fn with(adjust: impl FnOnce(&mut Settings)) -> OAuthEnv {
        OAuthEnv::build(adjust, None).await
    }

    /// The world on the database at `db_url` (with the suite's own database when `None`).
    pub(crate) async fn build(
        adjust: impl FnOnce(&mut Settings),
        db_url: Option<String>,
    ) -> OAuthEnv {
        let provider = LocalProvider::new(vec![(
            "demo-client-id".to_owned(),
            "demo-client-secret".to_owned(),
        )]);
        let provider_url = serve(provider.router()).await;
        let provider_port: u16 = provider_url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port");
        let hooks = receiver(0, false).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let mut settings = Settings::new(KEY);
        settings.public_url = base.clone();
        settings.webhook_url = Some(hooks.url.clone());
        settings.webhook_retry = RetryPolicy {
            attempts: 4,
            first_backoff: Duration::from_millis(20),
        };
        adjust(&mut settings);
        let catalogue = builtin_providers(provider_port);
        let integrations = builtin_integrations(provider_port);
        let app = match db_url {
            Some(url) => {
                let dir = tempfile::tempdir().unwrap();
                TestApp::on(dir, url, &catalogue, &integrations, settings.clone()).await
            }
            None => TestApp::from_settings(&catalogue, &integrations, settings.clone()).await,
        };
        let router = app.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        OAuthEnv {
            app,
            base,
            provider,
            hooks,
            browser: browser(),
            catalogue,
            integrations,
            settings,
        }
    }

    /// Another server on this world's database, with the same catalogue, provider, receiver
    /// and settings (a second instance behind the same public URL), served on a port of its
    /// own; returns it and its base URL.
    pub(crate) async fn another_server(&self) -> (TestApp, String) {
        let dir = tempfile::tempdir().unwrap();
        let app = TestApp::on(
            dir,
            self.app.db_url.clone(),
            &self.catalogue,
            &self.integrations,
            self.settings.clone(),
        )
        .await;
        let base = serve(app.router()).await;
        (app, base)
    }

    /// A WebSocket client at `/` and the `ws_client_id` of its `connection_ack`.
    pub(crate) async fn socket(&self) -> (Socket, String) {
        let url = format!("{}/", self.base.replacen("http://", "ws://", 1));
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let ack = next_message(&mut socket).await;
        assert_eq!(ack["message_type"], "connection_ack", "{ack}");
        let id = ack["ws_client_id"].as_str().unwrap().to_owned();
        assert!(
            uuid::Uuid::parse_str(&id).is_ok_and(|u| u.get_version_num() == 4),
            "{id}"
        );
        (socket, id)
    }

    /// GET `url` without following redirects.
    pub(crate) async fn get(&self, url: &str) -> reqwest::Response {
        self.browser.get(url).send().await.unwrap()
    }

    /// `GET /oauth/connect/<key>?connect_session_token=<token><extra>`.
    pub(crate) async fn connect(&self, key: &str, token: &str, extra: &str) -> reqwest::Response {
        let url = format!(
            "{}/oauth/connect/{key}?connect_session_token={token}{extra}",
            self.base
        );
        self.get(&url).await
    }

    /// Walks the provider's consent page at `authorize_url` and submits `decision` (`approve`
    /// or `deny`); returns where the provider sends the browser back to.
    pub(crate) async fn consent(&self, authorize_url: &str, decision: &str) -> String {
        consent(&self.browser, authorize_url, decision).await
    }
    /// A session, a socket and the whole flow for `subdomain`, approved: the socket's outcome
    /// message and the callback's status.
    pub(crate) async fn connect_flow(&self, session: Value, subdomain: &str) -> (Value, u16) {
        let token = self.app.session(session).await;
        let (mut socket, ws) = self.socket().await;
        let extra = format!("&params[subdomain]={subdomain}&ws_client_id={ws}");
        let answer = self.connect("demo-oauth2", &token, &extra).await;
        assert_eq!(answer.status(), 302, "{:?}", answer.text().await);
        let callback = self.consent(&location(&answer), "approve").await;
        let page = self.get(&callback).await;
        let status = page.status().as_u16();
        (next_message(&mut socket).await, status)
    }
}

/// A client that follows no redirect and resolves `<tenant>.localhost` to loopback, as
/// browsers do.
pub(crate) fn browser() -> reqwest::Client {
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    for tenant in TENANTS {
        builder = builder.resolve(
            &format!("{tenant}.localhost"),
            SocketAddr::from(([127, 0, 0, 1], 0)),
        );
    }
    builder.build().unwrap()
}

/// Walks the provider's consent page at `authorize_url` with `browser` and submits `decision`;
/// returns where the provider sends the browser back to.
pub(crate) async fn consent(
    browser: &reqwest::Client,
    authorize_url: &str,
    decision: &str,
) -> String {
    let page = browser.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "consent page of {authorize_url}");
    let html = page.text().await.unwrap();
    let mut fields = hidden_fields(&html);
    fields.push(("decision".to_owned(), decision.to_owned()));
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v)))
        .collect();
    let origin = authorize_url
        .split(PREFIX)
        .next()
        .expect("the provider's origin");
    let answer = browser
        .post(format!("{origin}{PREFIX}/authorize"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.join("&"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302, "the consent form redirects");
    location(&answer)
}

/// The next text message of `socket` as JSON (within 10 s).
pub(crate) async fn next_message(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a WebSocket message within 10 s")
            .expect("the socket is open")
            .expect("a readable message");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// True when the server closes `socket` (within 10 s) with no other message.
pub(crate) async fn closes(socket: &mut Socket) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(None | Some(Ok(Message::Close(_)) | Err(_))) => return true,
            Ok(Some(Ok(Message::Text(_)))) | Err(_) => return false,
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// The `Location` of a redirect.
pub(crate) fn location(answer: &reqwest::Response) -> String {
    answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_owned()
}

/// The outcome a callback page carries (`{"error": null}` or `{"error": {message, errorType}}`).
pub(crate) fn page_outcome(html: &str) -> Value {
    let start = html
        .find("id=\"nango-oauth-outcome\">")
        .map(|at| at + "id=\"nango-oauth-outcome\">".len())
        .expect("the outcome block");
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end]).unwrap()
}

/// A callback page's status and outcome.
pub(crate) async fn read_page(answer: reqwest::Response) -> (u16, Value) {
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let html = answer.text().await.unwrap();
    assert!(
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html")),
        "a page: {html}"
    );
    assert!(
        headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("script-src 'sha256-")),
        "a CSP"
    );
    (status, page_outcome(&html))
}

/// The `error.errorType` of a page outcome.
pub(crate) fn error_type(outcome: &Value) -> &str {
    outcome["error"]["errorType"].as_str().unwrap_or("")
}

/// A query parameter of `url`.
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    connkit_core::js::form_parse(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The `<input type="hidden">` fields of a form, values unescaped.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    let marker = "<input type=\"hidden\" name=\"";
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let name_end = rest.find('"').unwrap();
        let name = rest[..name_end].to_owned();
        let value_at = rest.find("value=\"").unwrap() + "value=\"".len();
        let value_end = value_at + rest[value_at..].find('"').unwrap();
        let value = rest[value_at..value_end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        out.push((name, value));
        rest = &rest[value_end..];
    }
    out
}

/// The session body most tests use: an end user, tags, a connection_config default.
pub(crate) fn session_body() -> Value {
    json!({
        "end_user": {"id": "u-1", "email": "u1@example.com", "display_name": "U One"},
        "tags": {"plan": "pro"},
        "integrations_config_defaults": {
            "demo-oauth2": {"connection_config": {"region": "eu"}}
        }
    })
}
