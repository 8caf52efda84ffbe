//! `cargo xtask bench` (server part): connkit-server on a real SQLite file and on a PostgreSQL
//! database, side by side, each driven over loopback HTTP by a load generator in the same
//! process.
//!
//! For each backend (`CONNKIT_BENCH_BACKENDS`, default `sqlite,postgres`):
//!
//! 1. Loads `CONNKIT_BENCH_CONNECTIONS` (default 1,000,000) connections with random tags
//!    (`end_user_id` unique, `organization_id` one of 20,000, `plan` one of 3, `region` one of 5)
//!    straight into the schema the server migrated, then reports p50/p99 latency of
//!    `GET /connections?tags[a]=..&tags[b]=..` for a selective pair (organization + plan), a
//!    single-row pair (end user + organization) and a broad pair (plan + region, ~67k matches,
//!    `limit=100`).
//! 2. Reports `POST /connect/sessions` requests/s with 32 concurrent keep-alive clients, and the
//!    same load generator against a hello-world axum route in the same process, the two taking
//!    turns: the ratio is the figure to read, this machine is noisy.
//!
//! PostgreSQL is the cluster of `CONNKIT_TEST_POSTGRES` (`cargo xtask bench` starts one that
//! syncs its commits, as a deployment's does), else a throwaway one without fsync (its session
//! throughput is then not a deployment's). A benchmark, not a test: it asserts only that every
//! response has the expected status. Knows both schemas (to bulk-load fast) but no endpoint
//! rules.

#![allow(clippy::print_stdout)] // the printed figures are the benchmark's output

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
use sqlx::Connection;

const KEY: &str = "0c8f5a3e-1b2d-4c5e-9f60-7a8b9c0d1e2f";
const ORGS: u64 = 20_000;
const PLANS: [&str; 3] = ["free", "pro", "enterprise"];
const REGIONS: [&str; 5] = ["eu", "us", "apac", "latam", "mena"];

/// A named query shape: makes the query string of one request.
type Shape = (&'static str, Box<dyn FnMut(&mut Rng) -> String>);

/// One backend's figures, for the side-by-side table.
struct Figures {
    backend: &'static str,
    load: String,
    shapes: Vec<(&'static str, f64, f64)>,
    sessions: f64,
    hello: f64,
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::var("CONNKIT_BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let backends =
        std::env::var("CONNKIT_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
    let mut all = Vec::new();
    for backend in backends.split(',') {
        let figures = match backend {
            "sqlite" => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("bench.db").display());
                measure("SQLite", &url, n).await
            }
            "postgres" => {
                let url = postgres::new_postgres_database().await;
                measure("PostgreSQL", &url, n).await
            }
            other => panic!("unknown backend {other} in CONNKIT_BENCH_BACKENDS"),
        };
        all.push(figures);
    }
    print_table(&all);
}

/// Loads `n` connections into the database at `url`, serves it and measures it.
async fn measure(backend: &'static str, url: &str, n: u64) -> Figures {
    let store = Store::open(url, Keyring::from_bytes(&[7; 32]))
        .await
        .expect("store opens");
    let started = Instant::now();
    let size = if url.starts_with("sqlite:") {
        bulk_load(url, n).await
    } else {
        bulk_load_postgres(url, n).await
    };
    let load = format!(
        "{:.1} s, {} MB",
        started.elapsed().as_secs_f64(),
        size / 1_000_000
    );
    println!("{backend}: loaded {n} connections in {load}");

    let catalogue = Catalogue::from_yaml_str(BUILTIN_PROVIDERS).expect("built-in catalogue");
    let integrations =
        Integrations::from_toml(BUILTIN_INTEGRATIONS, &catalogue).expect("built-in integrations");
    let state = AppState::new(Settings::new(KEY), store, catalogue, integrations).expect("state");
    let base = serve(app(state)).await;
    let client = reqwest::Client::new();

    let mut rng = Rng(0x5eed_1234);
    let shapes: [Shape; 3] = [
        (
            "organization_id + plan (~17 rows)",
            Box::new(|r: &mut Rng| {
                format!(
                    "tags[organization_id]=org-{}&tags[plan]={}",
                    r.below(ORGS),
                    PLANS[r.below(3) as usize]
                )
            }),
        ),
        (
            "end_user_id + organization_id (1 row)",
            Box::new(move |r: &mut Rng| {
                let i = r.below(n);
                format!(
                    "tags[end_user_id]=user-{i}&tags[organization_id]=org-{}",
                    org_of(i)
                )
            }),
        ),
        (
            "plan + region (~67k rows, limit=100)",
            Box::new(|r: &mut Rng| {
                format!(
                    "tags[plan]={}&tags[region]={}&limit=100",
                    PLANS[r.below(3) as usize],
                    REGIONS[r.below(5) as usize]
                )
            }),
        ),
    ];
    let mut figures = Figures {
        backend,
        load,
        shapes: Vec::new(),
        sessions: 0.0,
        hello: 0.0,
    };
    for (name, mut query) in shapes {
        let mut times = Vec::with_capacity(1000);
        let mut rows = 0usize;
        for i in 0..1100 {
            let url = format!("{base}/connections?{}", query(&mut rng));
            let t = Instant::now();
            let resp = client
                .get(&url)
                .bearer_auth(KEY)
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), StatusCode::OK, "{url}");
            let body: serde_json::Value = resp.json().await.expect("json");
            let elapsed = t.elapsed();
            if i >= 100 {
                times.push(elapsed);
                rows += body["connections"].as_array().map_or(0, Vec::len);
            }
        }
        times.sort();
        let (p50, p99) = (
            ms(times[times.len() / 2]),
            ms(times[times.len() * 99 / 100]),
        );
        println!(
            "{backend}: GET /connections {name}: p50 {p50:.2} ms, p99 {p99:.2} ms, mean rows {:.1}",
            rows as f64 / times.len() as f64
        );
        figures.shapes.push((name, p50, p99));
    }

    let body = json!({
        "end_user": {"id": "u1", "email": "ada@example.com"},
        "tags": {"plan": "pro", "organization_id": "org-1"},
        "allowed_integrations": ["demo-api-key"]
    })
    .to_string();
    let hello_base = serve(Router::new().route(
        "/hello",
        post(|| async {
            (
                StatusCode::CREATED,
                axum::Json(json!({"data": {"token": "x"}})),
            )
        }),
    ))
    .await;
    [figures.sessions, figures.hello] = throughput(
        &client,
        [
            &format!("{base}/connect/sessions"),
            &format!("{hello_base}/hello"),
        ],
        &body,
    )
    .await;
    println!(
        "{backend}: POST /connect/sessions: {:.0} req/s; hello-world axum route: {:.0} req/s; ratio {:.3}",
        figures.sessions,
        figures.hello,
        figures.sessions / figures.hello
    );
    figures
}

/// The backends side by side (targets: p50 ≤ 5 ms, sessions ≥ 0.3× the hello-world route).
fn print_table(all: &[Figures]) {
    println!();
    let names: Vec<&str> = all.iter().map(|f| f.backend).collect();
    println!("| | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(all.len()));
    let row = |label: &str, cell: &dyn Fn(&Figures) -> String| {
        let cells: Vec<String> = all.iter().map(cell).collect();
        println!("| {label} | {} |", cells.join(" | "));
    };
    row("bulk load", &|f| f.load.clone());
    for (i, (name, _, _)) in all
        .first()
        .map_or(&[][..], |f| &f.shapes[..])
        .iter()
        .enumerate()
    {
        row(&format!("GET /connections {name}: p50 / p99"), &|f| {
            let (_, p50, p99) = f.shapes[i];
            format!("{p50:.2} / {p99:.2} ms")
        });
    }
    row("POST /connect/sessions (× hello-world route)", &|f| {
        format!("{:.0} req/s ({:.3}×)", f.sessions, f.sessions / f.hello)
    });
}

/// Serves `router` on a free loopback port; returns its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    format!("http://{addr}")
}

/// Requests/s of `POST` to each of `urls` with 32 concurrent keep-alive clients: the urls take
/// turns, 0.5 s each for 10 rounds (the first 0.1 s of each turn not counted), so that each
/// meets the same share of whatever else the machine runs.
async fn throughput<const N: usize>(
    client: &reqwest::Client,
    urls: [&str; N],
    body: &str,
) -> [f64; N] {
    const ROUNDS: u32 = 10;
    let mut done = [0u64; N];
    let mut counted = [Duration::ZERO; N];
    for _ in 0..ROUNDS {
        for (i, url) in urls.iter().enumerate() {
            let (count, time) = turn(client, url, body).await;
            done[i] += count;
            counted[i] += time;
        }
    }
    std::array::from_fn(|i| done[i] as f64 / counted[i].as_secs_f64())
}

/// One turn of [`throughput`]: 32 clients for 0.1 s uncounted, then 0.4 s counted; returns the
/// requests completed in the counted time, and its length.
async fn turn(client: &reqwest::Client, url: &str, body: &str) -> (u64, Duration) {
    const CLIENTS: usize = 32;
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, body) = (client.clone(), url.to_owned(), body.to_owned());
        let (counting, stop, done) = (counting.clone(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let resp = client
                    .post(&url)
                    .bearer_auth(KEY)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("request");
                assert_eq!(resp.status(), StatusCode::CREATED);
                resp.bytes().await.expect("body");
                if counting.load(Ordering::Relaxed) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    counting.store(true, Ordering::Relaxed);
    let t = Instant::now();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let count = done.load(Ordering::Relaxed);
    let time = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("client task");
    }
    (count, time)
}

/// Writes `n` connections and their four tags with SQL alone (a recursive CTE), in the shape
/// the server writes them. Tag values come from a multiplicative hash of the row number. The
/// load ends with a checkpoint, as a database grown by the server's own writes is checkpointed
/// along the way: otherwise the load's one transaction leaves its whole size in the WAL (700 MB
/// at a million connections), which the first session batches' commits would then copy.
async fn bulk_load(url: &str, n: u64) -> u64 {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;
         BEGIN;
         CREATE TEMP TABLE seed AS
           WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {n})
           SELECT i,
                  'user-' || i AS end_user_id,
                  'org-' || ((i * 2654435761) % 4294967296 % {ORGS}) AS organization_id,
                  CASE (i * 40503) % 65536 % 3 WHEN 0 THEN 'free' WHEN 1 THEN 'pro' ELSE 'enterprise' END AS plan,
                  CASE (i * 69069) % 4294967296 / 7 % 5 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' WHEN 2 THEN 'apac'
                       WHEN 3 THEN 'latam' ELSE 'mena' END AS region
           FROM n;
         INSERT INTO connections (id, connection_id, provider_config_key, provider, auth_mode,
             credentials, connection_config, tags, created_at, updated_at)
           SELECT i + 1, 'conn-' || i, 'demo-api-key', 'demo-api-key', 'API_KEY', zeroblob(48),
             '{{\"subdomain\":\"acme\"}}',
             json_object('end_user_id', end_user_id, 'organization_id', organization_id,
                         'plan', plan, 'region', region),
             1760000000000000 + i, 1760000000000000 + i
           FROM seed;
         INSERT INTO connection_tags (connection, key, value, created_at)
           SELECT i + 1, 'end_user_id', end_user_id, 1760000000000000 + i FROM seed
           UNION ALL SELECT i + 1, 'organization_id', organization_id, 1760000000000000 + i FROM seed
           UNION ALL SELECT i + 1, 'plan', plan, 1760000000000000 + i FROM seed
           UNION ALL SELECT i + 1, 'region', region, 1760000000000000 + i FROM seed;
         DROP TABLE seed;
         COMMIT;
         PRAGMA synchronous = NORMAL;
         PRAGMA wal_checkpoint(TRUNCATE);"
    )))
    .execute(&mut conn)
    .await
    .expect("bulk load");
    let pages: i64 = sqlx::query_scalar(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
    )
    .fetch_one(&mut conn)
    .await
    .expect("size");
    u64::try_from(pages).unwrap_or(0)
}

/// The same rows on PostgreSQL, in one statement from `generate_series`, the tag index built
/// once afterwards (faster than growing it row by row), then a checkpoint (as for SQLite);
/// returns the database's size.
async fn bulk_load_postgres(url: &str, n: u64) -> u64 {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET synchronous_commit = off; SET maintenance_work_mem = '256MB';
         DROP INDEX connections_tag_set;
         INSERT INTO connections (id, connection_id, provider_config_key, provider, auth_mode,
             credentials, connection_config, tags, tag_set, created_at, updated_at)
           SELECT i + 1, 'conn-' || i, 'demo-api-key', 'demo-api-key', 'API_KEY',
             decode(repeat('00', 48), 'hex'), '{{\"subdomain\":\"acme\"}}',
             json_build_object('end_user_id', u, 'organization_id', o, 'plan', p, 'region', r),
             jsonb_build_object('end_user_id', u, 'organization_id', o, 'plan', p, 'region', r),
             1760000000000000 + i, 1760000000000000 + i
           FROM (SELECT i, 'user-' || i AS u,
                        'org-' || ((i * 2654435761) % 4294967296 % {ORGS}) AS o,
                        (ARRAY['free', 'pro', 'enterprise'])[(i * 40503) % 65536 % 3 + 1] AS p,
                        (ARRAY['eu', 'us', 'apac', 'latam', 'mena'])[(i * 69069) % 4294967296 / 7 % 5 + 1] AS r
                 FROM generate_series(0::bigint, {n} - 1) AS i) AS seed;
         CREATE INDEX connections_tag_set ON connections USING gin (tag_set jsonb_path_ops);
         SELECT setval(pg_get_serial_sequence('connections', 'id'), {n} + 1);
         ANALYZE connections;
         CHECKPOINT;"
    )))
    .execute(&mut conn)
    .await
    .expect("bulk load");
    let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&mut conn)
        .await
        .expect("size");
    u64::try_from(size).unwrap_or(0)
}

/// The organization the bulk load gives row `i` (same hash as the SQL).
fn org_of(i: u64) -> u64 {
    (i * 2_654_435_761) % 4_294_967_296 % ORGS
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// xorshift64*: deterministic query parameters.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}
