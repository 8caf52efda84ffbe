//! `AppState`, what every handler can reach: settings, the store, the provider catalogue, the
//! configured integrations, the webhook sender, an outbound HTTP client and the OAuth flow's
//! machinery.
//!
//! Cheap to clone (one `Arc`). Knows nothing about routes or flags: `config.rs` turns flags into
//! [`Settings`], tests build them directly.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use connkit_core::catalogue::Catalogue;
use connkit_core::webhook::AuthWebhook;

use crate::integrations::Integrations;
use crate::oauth::OAuth;
use crate::redact;
use crate::store::Store;
use crate::timestamp::{self, Micros};
use crate::webhook::{RetryPolicy, Webhooks};

/// How the server behaves; every field has a flag (see `config.rs`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The environment secret key (a UUID v4) API clients send as `Authorization: Bearer`.
    pub secret_key: String,
    /// Connect UI base URL used in `connect_link` (a trailing `/` is forced).
    pub connect_url: String,
    /// This server's public base URL (logo URLs).
    pub public_url: String,
    /// Where auth webhooks go when a connection has no `webhook_url_override`.
    pub webhook_url: Option<String>,
    /// Key of the webhook signatures (Nango's webhook signing key).
    pub webhook_secret: String,
    /// Retries of webhook deliveries.
    pub webhook_retry: RetryPolicy,
    /// The `environment` field of webhooks.
    pub environment: String,
    /// Test API_KEY/BASIC credentials against the provider before storing them (spec §3.4 step 11).
    pub verify_credentials: bool,
    /// Answer a merged-tags overflow on session creation as Nango does (500 `server_error`)
    /// instead of connkit's 400 `invalid_body`.
    pub nango_merged_tags_500: bool,
    /// Largest accepted request body, in bytes (larger: 413).
    pub body_limit: usize,
    /// The longest a request body may take to arrive (slower: 408).
    pub body_timeout: Duration,
    /// How long an OAuth flow may take between its redirect and its callback (and how long a
    /// WebSocket client waits for its outcome).
    pub oauth_flow_ttl: Duration,
    /// The origins a redirect-mode OAuth flow may return to (spec §12.27), normalised
    /// (`https://app.example.com`): `--oauth-return-origin`, and the server's own in demo mode.
    pub oauth_return_origins: Vec<String>,
    /// Demo mode: the browser demo's backend under `/demo/api/`, acting with the secret key for
    /// any caller (see `demo.rs`), and the local OAuth provider under `/demo/provider/`.
    pub demo: bool,
    /// A directory served for GET/HEAD requests that no API route matches (the built demo).
    pub static_dir: Option<PathBuf>,
}

impl Settings {
    /// Settings with connkit's defaults around `secret_key`.
    pub fn new(secret_key: impl Into<String>) -> Settings {
        let secret_key = secret_key.into();
        Settings {
            webhook_secret: secret_key.clone(),
            secret_key,
            connect_url: "http://localhost:3009/".to_owned(),
            public_url: "http://localhost:3003".to_owned(),
            webhook_url: None,
            webhook_retry: RetryPolicy {
                attempts: 10,
                first_backoff: Duration::from_secs(1),
            },
            environment: "dev".to_owned(),
            verify_credentials: false,
            nango_merged_tags_500: false,
            body_limit: 2 * 1024 * 1024,
            body_timeout: Duration::from_secs(30),
            oauth_flow_ttl: Duration::from_secs(60 * 60),
            oauth_return_origins: Vec::new(),
            demo: false,
            static_dir: None,
        }
    }
}

/// Shared state of the app.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Settings,
    store: Store,
    catalogue: Catalogue,
    integrations: Integrations,
    webhooks: Webhooks,
    http: reqwest::Client,
    oauth: OAuth,
    started_at: Micros,
}

impl AppState {
    /// Builds the state and starts the webhook sender (needs a Tokio runtime).
    pub fn new(
        settings: Settings,
        store: Store,
        catalogue: Catalogue,
        integrations: Integrations,
    ) -> Result<AppState, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("connkit-server/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let webhooks = Webhooks::spawn(
            store.clone(),
            http.clone(),
            settings.webhook_retry,
            settings.webhook_secret.clone(),
        );
        Ok(AppState {
            inner: Arc::new(Inner {
                settings,
                store,
                catalogue,
                integrations,
                webhooks,
                http,
                oauth: OAuth::new()?,
                started_at: timestamp::now(),
            }),
        })
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    pub(crate) fn integrations(&self) -> &Integrations {
        &self.inner.integrations
    }

    pub(crate) fn webhooks(&self) -> &Webhooks {
        &self.inner.webhooks
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn oauth(&self) -> &OAuth {
        &self.inner.oauth
    }

    /// Queues an auth webhook for `override_url`, else `--webhook-url` (nothing without either),
    /// in the outbox on its own: for what is no connection write of the store's (a failed OAuth
    /// flow, a failed refresh). One that cannot be queued is logged.
    pub(crate) async fn queue_auth_webhook(
        &self,
        override_url: Option<&str>,
        webhook: &AuthWebhook,
    ) {
        let settings = self.settings();
        if let Some(url) = override_url.or(settings.webhook_url.as_deref())
            && let Err(err) = self.webhooks().enqueue(url, webhook).await
        {
            tracing::error!(url = %redact::url(url), "an auth webhook was not queued: {err}");
        }
    }

    /// Stops the webhook worker after delivering what is due, within `deadline` (shutdown).
    pub async fn drain_webhooks(&self, deadline: Duration) {
        self.inner.webhooks.drain(deadline).await;
    }

    /// When the state was built (the integrations' `created_at`).
    pub(crate) fn started_at(&self) -> Micros {
        self.inner.started_at
    }
}
