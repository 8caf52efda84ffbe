//! scratch: session load only, for perf.
#[path = "../tests/common/postgres.rs"]
mod postgres;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use connkit_core::catalogue::Catalogue;
use connkit_server::config::{BUILTIN_INTEGRATIONS, BUILTIN_PROVIDERS};
use connkit_server::crypto::Keyring;
use connkit_server::integrations::Integrations;
use connkit_server::store::Store;
use connkit_server::{AppState, Settings, app};
use serde_json::json;
const KEY: &str = "0c8f5a3e-1b2d-4c5e-9f60-7a8b9c0d1e2f";

#[tokio::main]
async fn main() {
    let which = std::env::var("WHICH").unwrap_or("sqlite".into());
    let secs: u64 = std::env::var("SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let url = match which.as_str() {
        "postgres" => postgres::new_postgres_database().await,
        _ => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let base = if which == "hello" {
        serve(Router::new().route("/connect/sessions", post(|| async { (StatusCode::CREATED, axum::Json(json!({"data": {"token": "x"}}))) }))).await
    } else {
        let store = Store::open(&url, Keyring::from_bytes(&[7; 32])).await.unwrap();
        let catalogue = Catalogue::from_yaml_str(BUILTIN_PROVIDERS).unwrap();
        let integrations = Integrations::from_toml(BUILTIN_INTEGRATIONS, &catalogue).unwrap();
        let state = AppState::new(Settings::new(KEY), store, catalogue, integrations).unwrap();
        serve(app(state)).await
    };
    let body = json!({"end_user": {"id": "u1", "email": "ada@example.com"}, "tags": {"plan": "pro", "organization_id": "org-1"}, "allowed_integrations": ["demo-api-key"]}).to_string();
    let client = reqwest::Client::new();
    let url = format!("{base}/connect/sessions");
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (client, url, body, stop, done) = (client.clone(), url.clone(), body.clone(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let resp = client.post(&url).bearer_auth(KEY).header("content-type", "application/json").body(body.clone()).send().await.unwrap();
                assert_eq!(resp.status(), StatusCode::CREATED);
                resp.bytes().await.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let d0 = done.load(Ordering::Relaxed);

    let t = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let n = done.load(Ordering::Relaxed) - d0;
    println!("{which}: {:.0} req/s", n as f64 / t.elapsed().as_secs_f64());
    println!("n {n}");
    stop.store(true, Ordering::Relaxed);
    for t in tasks { t.await.unwrap(); }
}
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}
