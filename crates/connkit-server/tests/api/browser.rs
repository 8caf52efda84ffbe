//! What browsers get: the demo routes answer no other page (no CORS, a loopback `Host`, the
//! same origin), static files stay inside their directory (no symbolic link out, no dotfile, no
//! protocol-relative redirect), and every answer carries security headers, with only the
//! widget's `/connect/` page frameable.

use std::path::Path;

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::{Resp, TestApp};

fn header<'a>(resp: &'a Resp, name: &str) -> Option<&'a str> {
    resp.headers.get(name).and_then(|v| v.to_str().ok())
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn demo_routes_send_no_cors_and_refuse_other_origins() {
    let app = TestApp::with(|s| s.demo = true).await;
    let evil = [("origin", "https://evil.example")];
    for (method, uri) in [
        ("GET", "/demo/api/connections"),
        ("GET", "/demo/api/webhooks"),
        ("POST", "/demo/api/sessions"),
        (
            "DELETE",
            "/demo/api/connections/x?provider_config_key=unauthenticated",
        ),
    ] {
        let resp = app.raw(method, uri, &evil, "").await;
        resp.assert(403, "forbidden_origin");
        assert_eq!(header(&resp, "access-control-allow-origin"), None, "{uri}");
    }
    // A preflight from another origin gets nothing that would let the browser go on.
    let preflight = app
        .raw(
            "OPTIONS",
            "/demo/api/connections/x",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "DELETE"),
            ],
            "",
        )
        .await;
    assert_eq!(header(&preflight, "access-control-allow-origin"), None);
    // The page of the server itself (same origin) is served.
    let own = app
        .raw(
            "GET",
            "/demo/api/connections",
            &[
                ("host", "127.0.0.1:3003"),
                ("origin", "http://127.0.0.1:3003"),
            ],
            "",
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.json);
    // Another local origin is another page: refused.
    app.raw(
        "GET",
        "/demo/api/connections",
        &[
            ("host", "127.0.0.1:3003"),
            ("origin", "http://localhost:5173"),
        ],
        "",
    )
    .await
    .assert(403, "forbidden_origin");
    // A page sent with `Referrer-Policy: no-referrer` posts its forms with `Origin: null`: its
    // own site passes by `Sec-Fetch-Site`, any other page (or none said) is refused.
    for (site, status) in [
        (Some("same-origin"), 200),
        (Some("same-site"), 403),
        (Some("cross-site"), 403),
        (None, 403),
    ] {
        let mut headers = vec![("host", "127.0.0.1:3003"), ("origin", "null")];
        headers.extend(site.map(|s| ("sec-fetch-site", s)));
        let resp = app.raw("GET", "/demo/api/connections", &headers, "").await;
        assert_eq!(resp.status, status, "{site:?}: {}", resp.json);
        if status == 403 {
            resp.assert(403, "forbidden_origin");
        }
    }
    // The API keeps Nango's open CORS.
    let api = app.raw("GET", "/health", &evil, "").await;
    assert_eq!(header(&api, "access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn demo_routes_and_pages_answer_only_local_host_names() {
    let root = tempfile::tempdir().unwrap();
    write(&root.path().join("index.html"), "<p>demo</p>");
    let dir = root.path().to_owned();
    let app = TestApp::with(move |s| {
        s.demo = true;
        s.static_dir = Some(dir);
        s.public_url = "https://Demo.Example".to_owned();
    })
    .await;
    for host in [
        "127.0.0.1:3003",
        "localhost:3003",
        "app.localhost:3003",
        "[::1]:3003",
        "demo.example",
    ] {
        for uri in ["/demo/api/connections", "/"] {
            let resp = app.raw("GET", uri, &[("host", host)], "").await;
            assert_eq!(resp.status, 200, "{host} {uri}: {}", resp.json);
        }
    }
    // A name rebound to 127.0.0.1 still arrives with its own name.
    for host in [
        "evil.example",
        "evil.example:3003",
        "127.0.0.1.nip.io",
        "10.0.0.5:3003",
    ] {
        for uri in [
            "/demo/api/connections",
            "/demo/api/webhooks",
            "/",
            "/index.html",
        ] {
            app.raw("GET", uri, &[("host", host)], "")
                .await
                .assert(403, "forbidden_host");
        }
        // The API itself answers any host, as Nango's does.
        let health = app.raw("GET", "/health", &[("host", host)], "").await;
        assert_eq!(health.status, 200);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn static_files_stay_inside_their_directory() {
    let root = tempfile::tempdir().unwrap();
    let www = root.path().join("www");
    write(&www.join("index.html"), "<p>demo</p>");
    write(&www.join("connect/index.html"), "<p>connect</p>");
    write(&www.join("assets/app.js"), "1");
    write(&www.join(".env"), "SECRET=1");
    write(&www.join(".git/config"), "[core]");
    write(&www.join("assets/.hidden.js"), "2");
    write(&root.path().join("outside/secret.txt"), "outside");
    write(&root.path().join("outside/index.html"), "outside");
    std::os::unix::fs::symlink(root.path().join("outside/secret.txt"), www.join("leak.txt"))
        .unwrap();
    std::os::unix::fs::symlink(root.path().join("outside"), www.join("away")).unwrap();
    std::os::unix::fs::symlink(www.join("assets/app.js"), www.join("inside.js")).unwrap();
    let dir = www.clone();
    let app = TestApp::with(move |s| s.static_dir = Some(dir)).await;
    let get = |uri: &'static str| {
        let app = &app;
        async move { app.call("GET", uri, None, None).await }
    };
    for uri in [
        "/leak.txt",
        "/away/secret.txt",
        "/away/",
        "/.env",
        "/.git/config",
        "/assets/.hidden.js",
        "/%2eenv",
        "/assets/%2Ehidden.js",
        "/..%2f..%2foutside/secret.txt",
        "//connect",
        "//connect/",
        "/assets//app.js",
    ] {
        let resp = get(uri).await;
        resp.assert(404, "not_found");
        assert_eq!(header(&resp, "location"), None, "{uri}");
    }
    assert_eq!(get("/inside.js").await.status, 200, "a link inside is fine");
    assert_eq!(get("/assets/app.js").await.status, 200);
    let redirect = get("/connect").await;
    assert!(
        redirect.status == 307 || redirect.status == 308,
        "{}",
        redirect.status
    );
    let location = header(&redirect, "location").unwrap();
    assert!(
        location.starts_with('/') && !location.starts_with("//"),
        "{location}"
    );
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_only_connect_is_frameable() {
    let root = tempfile::tempdir().unwrap();
    let script = "\nimport init from '/app.js';\nawait init();\n";
    write(
        &root.path().join("index.html"),
        &format!("<html><head><script type=\"module\">{script}</script></head></html>"),
    );
    write(
        &root.path().join("connect/index.html"),
        &format!("<html><head><script type=\"module\">{script}</script></head></html>"),
    );
    let dir = root.path().to_owned();
    let app = TestApp::with(move |s| s.static_dir = Some(dir)).await;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script));

    for resp in [
        app.call("GET", "/health", None, None).await,
        app.call("GET", "/connections", None, None).await,
        app.call("GET", "/nope", None, None).await,
        app.call("POST", "/connect/sessions", None, Some(&json!({})))
            .await,
    ] {
        assert_eq!(header(&resp, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&resp, "referrer-policy"), Some("no-referrer"));
        assert_eq!(header(&resp, "x-frame-options"), Some("DENY"));
        let csp = header(&resp, "content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    }

    let page = app.call("GET", "/", None, None).await;
    assert_eq!(page.status, 200);
    let csp = header(&page, "content-security-policy").unwrap();
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let scripts = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(
        !scripts.contains("unsafe-inline"),
        "inline scripts only by hash: {csp}"
    );
    assert_eq!(header(&page, "x-frame-options"), Some("DENY"));
    assert_eq!(header(&page, "x-content-type-options"), Some("nosniff"));

    let connect = app.call("GET", "/connect/", None, None).await;
    assert_eq!(connect.status, 200);
    let csp = header(&connect, "content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert_eq!(header(&connect, "x-frame-options"), None);
}
