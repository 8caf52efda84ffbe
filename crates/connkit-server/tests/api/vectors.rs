//! The conformance vectors of `tests/vectors/` over HTTP: each case sent to the endpoint that
//! applies the rule gets the verdict core gives (accepted, or the same issue codes and paths),
//! Nango's projection as the `errors` list, and, when accepted, the normalised value stored.
//!
//! The files are read through `connkit-vectors`, which expands their generated values.
//!
//! Shapes not reachable over HTTP are left to core's own runner: session `build_tags` cases,
//! tag-filter encoding and merge cases, filter matches on raw pairs.

use connkit_core::js::decode_uri_component;
use connkit_core::session::{validate_connect_session, validate_reconnect_session};
use connkit_core::tag_filter::TagFilter;
use connkit_core::tags::validate_tags;
use serde_json::{Value, json};

use connkit_server::config::{BUILTIN_INTEGRATIONS, BUILTIN_PROVIDERS};

use crate::support::{Resp, TestApp, pairs};

/// `list` sorted (vectors give issues as a set; core's order depends on the entry point).
fn sorted(mut list: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    list.sort();
    list
}

/// Expected `(code, path)` error issues, each path under `prefix`.
fn expected(case: &Value, prefix: &[&str]) -> Vec<(String, Vec<String>)> {
    let issues: Vec<&Value> = case["expect"]["issues"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter(|it| it["severity"] != "warning")
                .collect()
        })
        .unwrap_or_default();
    pairs(&Value::Array(issues.into_iter().cloned().collect()))
        .into_iter()
        .map(|(code, path)| {
            let full = prefix.iter().map(|s| (*s).to_owned()).chain(path).collect();
            (code, full)
        })
        .collect()
}

/// Core's verdict as `(code, path)` error issues (none when it accepts).
fn core_issues<T>(verdict: Result<T, connkit_core::ValidationError>) -> Vec<(String, Vec<String>)> {
    match verdict {
        Ok(_) => Vec::new(),
        Err(err) => err
            .issues()
            .iter()
            .filter(|it| it.severity() == connkit_core::Severity::Error)
            .map(|it| (it.code().as_str().to_owned(), it.path().to_vec()))
            .collect(),
    }
}

/// The Nango errors exactly (code, message, path) when the vector gives a non-empty list.
#[track_caller]
fn assert_nango(resp: &Resp, case: &Value) {
    let nango = case["nango"].as_array().cloned().unwrap_or_default();
    if !nango.is_empty() {
        assert_eq!(
            resp.json["error"]["errors"],
            Value::Array(nango),
            "{}",
            case["name"]
        );
    }
}

#[tokio::test]
async fn tags_vectors() {
    let app = TestApp::new().await;
    for case in connkit_vectors::cases("tags.json") {
        let name = &case["name"];
        let body = json!({"tags": case["input"]});
        let resp = app.secret("POST", "/connect/sessions", Some(&body)).await;
        match case["expect"].get("ok") {
            Some(ok) => {
                assert_eq!(resp.status, 201, "{name}: {}", resp.json);
                let token = resp.json["data"]["token"].as_str().unwrap();
                let created = app
                    .auth("/auth/unauthenticated/unauthenticated", token, "", None)
                    .await;
                let id = created.json["connectionId"].as_str().unwrap();
                let stored = app.connection("unauthenticated", id).await;
                assert_eq!(&stored.json["tags"], ok, "{name}");
            }
            None => {
                resp.assert(400, "invalid_body");
                assert_eq!(
                    sorted(resp.issues()),
                    sorted(expected(&case, &["tags"])),
                    "{name}"
                );
                assert_eq!(
                    resp.issues(),
                    core_issues(validate_connect_session(&body)),
                    "{name}"
                );
                assert_nango(&resp, &case);
            }
        }
    }
}

#[tokio::test]
async fn session_vectors() {
    let mut toml = BUILTIN_INTEGRATIONS.to_owned();
    for key in ["g", "github", "h", "a~b:c.d@e f_g-h"] {
        toml.push_str(&format!(
            "\n[[integration]]\nunique_key = \"{key}\"\nprovider = \"unauthenticated\"\n"
        ));
    }
    let app = TestApp::build(BUILTIN_PROVIDERS, &toml, |_| {}).await;
    let mut checked = 0;
    for case in connkit_vectors::cases("session.json") {
        let Some(endpoint) = case["endpoint"].as_str() else {
            continue; // build_tags cases
        };
        checked += 1;
        let name = &case["name"];
        let body = &case["body"];
        let uri = match endpoint {
            "create" => "/connect/sessions",
            _ => "/connect/sessions/reconnect",
        };
        let resp = app.secret("POST", uri, Some(body)).await;
        if !(body.is_object() || body.is_array()) {
            // Express's JSON parser refuses such a body before any validation.
            assert!(case["expect"].get("issues").is_some(), "{name}");
            resp.assert(400, "invalid_json");
            continue;
        }
        match case["expect"].get("ok") {
            Some(ok) if ok["docs_connect_override"] == json!(true) => {
                resp.assert(403, "forbidden");
            }
            Some(_) if endpoint == "reconnect" => {
                // Valid: the server then looks the connection up, which does not exist.
                resp.assert(400, "invalid_body");
                assert!(
                    resp.json["error"].get("errors").is_none(),
                    "{name}: {}",
                    resp.json
                );
            }
            Some(_) => assert_eq!(resp.status, 201, "{name}: {}", resp.json),
            None => {
                resp.assert(400, "invalid_body");
                assert_eq!(
                    sorted(resp.issues()),
                    sorted(expected(&case, &[])),
                    "{name}"
                );
                let core = match endpoint {
                    "create" => validate_connect_session(body),
                    _ => validate_reconnect_session(body),
                };
                assert_eq!(resp.issues(), core_issues(core), "{name}");
                assert_nango(&resp, &case);
            }
        }
    }
    assert!(checked > 60);
}

/// True when `query` has a top-level parameter GET /connections does not know.
fn has_foreign_key(query: &str) -> bool {
    const KNOWN: [&str; 8] = [
        "connectionId",
        "search",
        "endUserId",
        "endUserOrganizationId",
        "integrationId",
        "tags",
        "limit",
        "page",
    ];
    query.split('&').filter(|p| !p.is_empty()).any(|part| {
        let raw = part.split('=').next().unwrap_or("").replace('+', " ");
        let key = decode_uri_component(&raw).unwrap_or(raw);
        let name = match key.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or("").to_owned(),
            None => key.split('[').next().unwrap_or("").to_owned(),
        };
        !name.is_empty() && !KNOWN.contains(&name.as_str())
    })
}

#[tokio::test]
async fn tag_filter_vectors() {
    let app = TestApp::new().await;
    let mut matched = 0;
    for case in connkit_vectors::cases("tag_filter.json") {
        let name = &case["name"];
        if let Some(query) = case["query"].as_str() {
            let query = query.strip_prefix('?').unwrap_or(query);
            let resp = app
                .secret("GET", &format!("/connections?{query}"), None)
                .await;
            let ok = case["expect"].get("ok").is_some();
            let foreign = has_foreign_key(query);
            assert_eq!(
                sorted(resp.issues()),
                sorted(expected(&case, &[])),
                "{name}: {}",
                resp.json
            );
            if ok && !foreign {
                assert_eq!(resp.status, 200, "{name}: {}", resp.json);
            } else {
                resp.assert(400, "invalid_query_params");
                assert_nango(&resp, &case);
                if foreign {
                    let last = resp.errors().last().cloned().unwrap_or_default();
                    assert_eq!(last.0, "unrecognized_keys", "{name}");
                }
            }
        } else if let (Some(filter), Some(tags)) = (case.get("filter"), case.get("tags")) {
            // A real connection with these tags, looked up through the tag index.
            let id = app.tagged_connection(tags.clone()).await;
            let filter = TagFilter::from_tags(validate_tags(filter).unwrap());
            let uri = format!(
                "/connections?connectionId={id}&{}",
                filter.to_query_string()
            );
            let resp = app.secret("GET", &uri, None).await;
            assert_eq!(resp.status, 200, "{name}: {}", resp.json);
            let found = resp.json["connections"].as_array().map_or(0, Vec::len) == 1;
            assert_eq!(Value::Bool(found), case["matches"], "{name}");
            matched += 1;
        }
    }
    assert!(matched > 0);
}

#[tokio::test]
async fn metadata_vectors() {
    let app = TestApp::new().await;
    let id = app.tagged_connection(json!({})).await;
    let target = |metadata: &Value| json!({"connection_id": id, "provider_config_key": "unauthenticated", "metadata": metadata});
    for case in connkit_vectors::cases("metadata.json") {
        let name = &case["name"];
        let input = &case["input"];
        let ok = case["expect"].get("ok");
        match case["mode"].as_str().unwrap() {
            "request" => {
                let resp = app
                    .secret("POST", "/connections/metadata", Some(input))
                    .await;
                if !(input.is_object() || input.is_array()) {
                    resp.assert(400, "invalid_json");
                } else if ok.is_some() {
                    assert!(
                        resp.status == 201 || resp.code() == "unknown_connection",
                        "{name}: {}",
                        resp.json
                    );
                } else {
                    resp.assert(400, "invalid_body");
                    assert_eq!(
                        sorted(resp.issues()),
                        sorted(expected(&case, &[])),
                        "{name}"
                    );
                }
            }
            mode => {
                if mode == "update" {
                    let existing = target(&case["existing"]);
                    let resp = app
                        .secret("POST", "/connections/metadata", Some(&existing))
                        .await;
                    assert_eq!(resp.status, 201, "{name}: {}", resp.json);
                }
                let method = if mode == "update" { "PATCH" } else { "POST" };
                let resp = app
                    .secret(method, "/connections/metadata", Some(&target(input)))
                    .await;
                match ok {
                    Some(ok) => {
                        assert_eq!(
                            resp.status,
                            if mode == "update" { 200 } else { 201 },
                            "{name}: {}",
                            resp.json
                        );
                        let stored = app.connection("unauthenticated", &id).await;
                        assert!(&stored.json["metadata"] == ok, "{name}");
                    }
                    None => {
                        resp.assert(400, "invalid_body");
                        assert_eq!(
                            sorted(resp.issues()),
                            sorted(expected(&case, &["metadata"])),
                            "{name}"
                        );
                    }
                }
            }
        }
    }
}
