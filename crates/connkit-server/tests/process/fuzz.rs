//! A fuzz test over every endpoint (the API, the OAuth flow and its WebSocket, the operator
//! routes, the demo routes and local provider, the static files) of a real process: random methods, path parameters, query strings, headers and
//! bodies (JSON shaped like the real ones, broken JSON, bytes, bodies over the limit), plus
//! malformed HTTP on raw sockets. It fails on any 5xx and on any request without an answer in
//! time. The generator is seeded (`CONNKIT_FUZZ_SEED`, fixed by default), so a failure names
//! the request that caused it and repeats; another seed explores other inputs.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::support::{KEY, Start, data_dir, json_of, session_token};

/// splitmix64: small, seeded, good enough to spread inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// What the server knows, so that some requests reach past the first checks.
struct Known {
    token: String,
    connections: Vec<String>,
}

const KEYS: [&str; 6] = [
    "demo-api-key",
    "demo-basic",
    "unauthenticated",
    "demo-oauth2",
    "nope",
    "a b",
];

const FIELDS: [&str; 24] = [
    "tags",
    "end_user",
    "organization",
    "id",
    "email",
    "display_name",
    "metadata",
    "connection_id",
    "provider_config_key",
    "apiKey",
    "username",
    "password",
    "allowed_integrations",
    "integrations_config_defaults",
    "connection_config",
    "webhook_url_override",
    "overrides",
    "docs_connect",
    "end_user_id",
    "__proto__",
    "constructor",
    "",
    "tags[a]",
    "é",
];

/// Text of every kind: empty, long, escapes, control characters, non-ASCII.
fn text(rng: &mut Rng) -> String {
    let pieces = [
        "a",
        "Z",
        "0",
        "9",
        "-",
        "_",
        ".",
        "~",
        " ",
        "%",
        "%00",
        "%zz",
        "%2F",
        "%25",
        "/",
        "..",
        "\\",
        "\"",
        "'",
        "<",
        ">",
        "&",
        "=",
        "?",
        "#",
        "[",
        "]",
        "{",
        "}",
        "é",
        "😀",
        "\u{202e}",
        "\u{0}",
        "\t",
        "\n",
        "null",
        "true",
        "-1",
        "1e999",
        "NaN",
        "__proto__",
    ];
    let len = match rng.below(10) {
        0 => 0,
        1 => 300 + rng.below(3000),
        _ => 1 + rng.below(12),
    };
    (0..len).map(|_| *rng.pick(&pieces)).collect()
}

/// A JSON value shaped like the bodies the endpoints take.
fn value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 4 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(i64::try_from(rng.next() >> 1).unwrap() - (1 << 62)),
        3 => json!(f64::from(u32::try_from(rng.next() >> 40).unwrap()) / 7.0),
        4 => Value::String(text(rng)),
        5 => Value::Array((0..rng.below(5)).map(|_| value(rng, depth + 1)).collect()),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(6) {
                let key = if rng.chance(70) {
                    (*rng.pick(&FIELDS)).to_owned()
                } else {
                    text(rng)
                };
                map.insert(key, value(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

/// A body: none, JSON, broken JSON, raw bytes, deep nesting, or over the 2 MiB limit.
fn body(rng: &mut Rng, known: &Known) -> Option<Vec<u8>> {
    match rng.below(12) {
        0 | 1 => None,
        2 => Some(b"{\"tags\":".to_vec()),
        3 => Some(
            (0..rng.below(64))
                .map(|_| u8::try_from(rng.below(256)).unwrap())
                .collect(),
        ),
        4 => Some("[".repeat(5000).into_bytes()),
        5 if rng.chance(10) => Some(vec![b' '; 2 * 1024 * 1024 + 10]),
        6 => Some(
            json!({"connection_id": rng.pick(&known.connections), "provider_config_key":
                   "unauthenticated", "metadata": value(rng, 1)})
            .to_string()
            .into_bytes(),
        ),
        7 => Some(
            json!({"tags": value(rng, 2), "end_user": {"id": text(rng), "email": text(rng)},
                   "organization": value(rng, 2), "allowed_integrations": [rng.pick(&KEYS)]})
            .to_string()
            .into_bytes(),
        ),
        _ => Some(value(rng, 0).to_string().into_bytes()),
    }
}

/// `text` percent-encoded for a URL (some characters left raw, as clients get them wrong).
fn encoded(rng: &mut Rng, raw: &str) -> String {
    let mut out = String::new();
    for ch in raw.chars() {
        if ch.is_ascii_alphanumeric() || (rng.chance(30) && "%[]-_.~".contains(ch)) {
            out.push(ch);
        } else {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn path_param(rng: &mut Rng, known: &Known) -> String {
    match rng.below(4) {
        0 => rng.pick(&known.connections).clone(),
        1 => (*rng.pick(&KEYS)).to_owned(),
        _ => {
            let raw = text(rng);
            encoded(rng, &raw)
        }
    }
}

fn query(rng: &mut Rng, known: &Known) -> String {
    const NAMES: [&str; 26] = [
        "tags[plan]",
        "tags[a][b]",
        "tags[]",
        "tags",
        "connect_session_token",
        "provider_config_key",
        "limit",
        "page",
        "search",
        "integrationId",
        "connectionId",
        "endUserId",
        "endUserOrganizationId",
        "params[subdomain]",
        "params[x][y]",
        "refresh_token",
        "public_key",
        "ws_client_id",
        "state",
        "code",
        "error",
        "redirect_uri",
        "client_id",
        "response_type",
        "code_challenge",
        "x",
    ];
    let mut parts = Vec::new();
    for _ in 0..rng.below(5) {
        let name = if rng.chance(80) {
            (*rng.pick(&NAMES)).to_owned()
        } else {
            text(rng)
        };
        let value = match (name.as_str(), rng.below(3)) {
            ("connect_session_token", 0 | 1) => known.token.clone(),
            ("provider_config_key", 0 | 1) => (*rng.pick(&KEYS)).to_owned(),
            _ => text(rng),
        };
        let name = encoded(rng, &name);
        let value = encoded(rng, &value);
        parts.push(format!("{name}={value}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A method and path over every endpoint, known and not.
fn route(rng: &mut Rng, known: &Known) -> (reqwest::Method, String) {
    use reqwest::Method;
    let p = path_param(rng, known);
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, "/health".into()),
        (Method::POST, "/connect/sessions".into()),
        (Method::POST, "/connect/sessions/reconnect".into()),
        (Method::GET, "/connect/session".into()),
        (Method::DELETE, "/connect/session".into()),
        (Method::GET, "/integrations".into()),
        (Method::GET, "/providers".into()),
        (Method::GET, format!("/providers/{p}")),
        (Method::POST, format!("/api-auth/api-key/{p}")),
        (Method::POST, format!("/api-auth/basic/{p}")),
        (Method::POST, format!("/auth/unauthenticated/{p}")),
        (Method::GET, "/connections".into()),
        (Method::GET, format!("/connections/{p}")),
        (Method::PATCH, format!("/connections/{p}")),
        (Method::DELETE, format!("/connections/{p}")),
        (Method::POST, "/connections/metadata".into()),
        (Method::PATCH, "/connections/metadata".into()),
        (Method::GET, "/connkit/webhooks".into()),
        (Method::POST, "/connkit/webhooks/retry".into()),
        (Method::POST, "/demo/api/sessions".into()),
        (Method::GET, "/demo/api/connections".into()),
        (Method::PATCH, format!("/demo/api/connections/{p}")),
        (Method::DELETE, format!("/demo/api/connections/{p}")),
        (Method::POST, "/demo/api/connections/metadata".into()),
        (Method::GET, "/demo/api/integrations".into()),
        (Method::POST, "/demo/api/webhooks".into()),
        (Method::GET, "/demo/api/webhooks".into()),
        (Method::GET, format!("/oauth/connect/{p}")),
        (Method::GET, "/oauth/callback".into()),
        (Method::GET, "/demo/provider/authorize".into()),
        (Method::POST, "/demo/provider/authorize".into()),
        (Method::POST, "/demo/provider/token".into()),
        (Method::GET, "/".into()),
        (Method::GET, "/connect/".into()),
        (Method::GET, format!("/{p}")),
        (Method::GET, format!("/connect/{p}")),
    ];
    let (method, path) = rng.pick(&routes).clone();
    let method = if rng.chance(10) {
        rng.pick(&[
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::HEAD,
            Method::OPTIONS,
        ])
        .clone()
    } else {
        method
    };
    (method, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_requests_to_every_endpoint_never_get_a_5xx_or_hang() {
    let (tmp, dir) = data_dir();
    let www = tmp.path().join("www");
    std::fs::create_dir_all(www.join("connect")).unwrap();
    std::fs::write(www.join("index.html"), "<script>1</script>").unwrap();
    std::fs::write(www.join("connect/index.html"), "<p>connect</p>").unwrap();
    let server = Start::new(&dir)
        .with_key()
        .args(&["--demo", "--static-dir", www.to_str().unwrap()])
        .args(&["--header-timeout", "2"])
        .spawn()
        .unwrap();
    // A connection per request: a server may close a keep-alive connection right after an
    // answer that left the request body unread, and a client reusing it would see a broken
    // connection that says nothing about the server.
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let base = server.base.clone();
    // A session and a few connections, for requests that get past the first checks.
    let token = session_token(&http, &base, KEY, json!({"tags": {"plan": "pro"}})).await;
    let mut connections = Vec::new();
    for _ in 0..3 {
        let made = json_of(http.post(format!(
            "{base}/auth/unauthenticated/unauthenticated?connect_session_token={token}"
        )))
        .await;
        connections.push(made["connectionId"].as_str().unwrap().to_owned());
    }
    let known = std::sync::Arc::new(Known { token, connections });

    let seed: u64 = std::env::var("CONNKIT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xC0FF_EE00);
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..8u64 {
        let (http, base, known) = (http.clone(), base.clone(), known.clone());
        tasks.spawn(async move {
            let mut rng = Rng(seed.wrapping_add(worker));
            for n in 0..400 {
                let (method, path) = route(&mut rng, &known);
                let url = format!("{base}{path}{}", query(&mut rng, &known));
                let mut request = http.request(method.clone(), &url);
                match rng.below(6) {
                    0 => {}
                    1 => request = request.bearer_auth(&known.token),
                    2 => request = request.header("authorization", text(&mut rng)),
                    _ => request = request.bearer_auth(KEY),
                }
                match rng.below(5) {
                    0 => {}
                    1 => request = request.header("content-type", "text/plain"),
                    2 => request = request.header("content-type", text(&mut rng)),
                    _ => request = request.header("content-type", "application/json"),
                }
                if rng.chance(10) {
                    request = request.header("origin", format!("http://{}", text(&mut rng)));
                }
                if rng.chance(5) {
                    request = request.header("host", text(&mut rng));
                }
                if rng.chance(10) {
                    request = request.header("x-fuzz", text(&mut rng));
                }
                if rng.chance(3) {
                    // A WebSocket handshake, complete or not.
                    request = request
                        .header("upgrade", "websocket")
                        .header("connection", "upgrade")
                        .header("sec-websocket-version", "13");
                    if rng.chance(50) {
                        request = request.header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
                    }
                }
                let body = body(&mut rng, &known);
                let sends_body = body.is_some();
                if let Some(body) = body {
                    request = request.body(body);
                }
                let what = format!("seed {seed}, worker {worker} request {n}: {method} {url}");
                match request.timeout(Duration::from_secs(10)).send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        let text = resp.text().await.unwrap_or_default();
                        assert!(status.as_u16() < 500, "{what} answered {status}: {text}");
                    }
                    // An invalid header value is refused by the client, never sent.
                    Err(err) if err.is_builder() => {}
                    // An answer that needs no body (a 401, a 413, a route that reads none) comes
                    // before the body is all sent, and the connection closes under the rest.
                    Err(err) if sends_body && !err.is_timeout() => {}
                    Err(err) => panic!("{what}: no answer ({err:?})"),
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }

    // Malformed HTTP on raw sockets: every one gets a 4xx or a closed connection (a head that
    // never ends: after --header-timeout), never a hang.
    let malformed: [&[u8]; 8] = [
        b"GARBAGE\r\n\r\n",
        b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /connections/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"POST /connect/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /connect/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: \x01\x02\r\n\r\n",
        b"GET /health HTTP/1.1\r\n\r\n",
        b"\r\n\r\n\r\n",
    ];
    let big_header = format!(
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    for raw in malformed.iter().copied().chain([big_header.as_bytes()]) {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = stream.write_all(raw);
        // An answer, or the connection closed; waiting out the read timeout is a hang.
        let mut answer = [0u8; 4096];
        let shown = String::from_utf8_lossy(&raw[..raw.len().min(60)]).into_owned();
        match stream.read(&mut answer) {
            Ok(n) => assert!(
                !answer[..n].starts_with(b"HTTP/1.1 5"),
                "{shown:?}: {}",
                String::from_utf8_lossy(&answer[..n])
            ),
            Err(err) => assert!(
                !matches!(
                    err.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "{shown:?}: no answer and no close within 5 s"
            ),
        }
    }
    let health = http.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), 200, "still healthy after the fuzz");
}
