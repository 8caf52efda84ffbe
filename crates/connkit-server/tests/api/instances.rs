//! Two servers on one PostgreSQL database, as behind a load balancer: what one creates the
//! other uses (sessions, connections, metadata, OAuth flows), the OAuth outcome reaches the
//! WebSocket client whichever server handles the provider's callback (by notification, or by
//! looking when a notification was missed), a redirect-mode flow's result is read back on
//! another server than the callback's, once, and each auth webhook is sent once.
//!
//! These run on PostgreSQL whatever the suite's backend (SQLite is one server per database).

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::oauth_support::{OAuthEnv, location, next_message, query_param, session_body};
use crate::postgres::new_postgres_database;
use crate::support::TestApp;

/// The origin a redirect-mode flow may return to.
const APP: &str = "https://app.example";

/// Two servers on a fresh database; outcomes no notification announced are looked for every
/// `look`.
async fn two_servers(look: Duration) -> (OAuthEnv, TestApp, String) {
    let url = new_postgres_database().await;
    let env = OAuthEnv::build(
        |s| {
            s.oauth_relay_look = look;
            s.oauth_return_origins = vec![APP.to_owned()];
        },
        Some(url),
    )
    .await;
    let (other, base) = env.another_server().await;
    (env, other, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_server_creates_the_other_uses_and_an_oauth_callback_reaches_either() {
    // Only a notification can bring the outcome in time: nobody looks for an hour.
    let (env, b, b_base) = two_servers(Duration::from_secs(3600)).await;
    let a = &env.app;

    // A session made on A authorises on B; the connection is A's to read.
    let token = a
        .session(json!({"end_user": {"id": "u-7"}, "tags": {"team": "red"}}))
        .await;
    let made = b
        .auth(
            "/api-auth/api-key/demo-api-key",
            &token,
            "&params[subdomain]=acme",
            Some(&json!({"apiKey": "k-secret-1"})),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.json);
    let id = made.json["connectionId"].as_str().unwrap().to_owned();
    let read = a.connection("demo-api-key", &id).await;
    assert_eq!(read.status, 200, "{}", read.json);
    assert_eq!(read.json["credentials"]["apiKey"], "k-secret-1");
    assert_eq!(read.json["tags"]["team"], "red");
    let listed = a.secret("GET", "/connections?tags[team]=red", None).await;
    assert_eq!(listed.json["connections"][0]["connection_id"], id.as_str());

    // Metadata written on B, tags patched on A: each reads the other's write.
    let metadata = json!({"connection_id": id, "provider_config_key": "demo-api-key",
                          "metadata": {"seats": 3}});
    let resp = b
        .secret("POST", "/connections/metadata", Some(&metadata))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.json);
    assert_eq!(
        a.connection("demo-api-key", &id).await.json["metadata"],
        json!({"seats": 3})
    );
    let one = format!("/connections/{id}?provider_config_key=demo-api-key");
    let patch = a
        .secret("PATCH", &one, Some(&json!({"tags": {"team": "blue"}})))
        .await;
    assert_eq!(patch.status, 200, "{}", patch.json);
    assert_eq!(
        b.connection("demo-api-key", &id).await.json["tags"],
        json!({"team": "blue"})
    );

    // The OAuth flow: WebSocket on A, redirect from B, provider's callback on B.
    let token = a.session(session_body()).await;
    let (mut socket, ws) = env.socket().await;
    let answer = env
        .get(&format!(
            "{b_base}/oauth/connect/demo-oauth2?connect_session_token={token}\
             &params[subdomain]=acme&ws_client_id={ws}"
        ))
        .await;
    assert_eq!(answer.status(), 302);
    let callback = env.consent(&location(&answer), "approve").await;
    let on_b = callback.replacen(&env.base, &b_base, 1);
    assert_ne!(on_b, callback, "the callback goes to B");
    assert_eq!(env.get(&on_b).await.status(), 200);
    let message = tokio::time::timeout(Duration::from_secs(10), next_message(&mut socket))
        .await
        .expect("the outcome in time");
    assert_eq!(message["message_type"], "success", "{message}");
    let oauth_id = message["connection_id"].as_str().unwrap().to_owned();
    assert_eq!(a.connection("demo-oauth2", &oauth_id).await.status, 200);

    // One webhook per connection made, whichever server made it.
    let mut announced = Vec::new();
    for _ in 0..2 {
        let hit = env.hooks.next().await;
        let body: Value = serde_json::from_slice(&hit.body).unwrap();
        announced.push(body["connectionId"].as_str().unwrap().to_owned());
    }
    announced.sort();
    let mut expected = vec![id.clone(), oauth_id];
    expected.sort();
    assert_eq!(announced, expected);
    assert!(env.hooks.silent_for(Duration::from_millis(500)).await);

    // A session ended on B is gone for A.
    let bearer = format!("Bearer {token}");
    assert_eq!(
        b.call("DELETE", "/connect/session", Some(&bearer), None)
            .await
            .status,
        204
    );
    a.call("GET", "/connect/session", Some(&bearer), None)
        .await
        .assert(401, "unknown_connect_session_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_mode_result_made_on_one_server_is_read_once_on_the_other() {
    let (env, b, b_base) = two_servers(Duration::from_secs(3600)).await;
    let token = env.app.session(session_body()).await;
    let answer = env
        .connect(
            "demo-oauth2",
            &token,
            "&params[subdomain]=acme&return_url=https%3A%2F%2Fapp.example%2Fback",
        )
        .await;
    assert_eq!(answer.status(), 302);
    let callback = env.consent(&location(&answer), "approve").await;
    let on_b = callback.replacen(&env.base, &b_base, 1);
    let back = env.get(&on_b).await;
    assert_eq!(back.status(), 303);
    let id = query_param(&location(&back), "connkit_oauth_result").expect("a result id");

    let bearer = format!("Bearer {token}");
    let uri = format!("/oauth/result/{id}");
    let read = env.app.call("GET", &uri, Some(&bearer), None).await;
    assert_eq!(read.status, 200, "{}", read.json);
    assert_eq!(read.json["message_type"], "success");
    b.call("GET", &uri, Some(&bearer), None)
        .await
        .assert(404, "unknown_oauth_result");
}

#[tokio::test]
async fn an_outcome_no_notification_announced_is_found_by_looking() {
    let (env, _b, _) = two_servers(Duration::from_millis(200)).await;
    let (mut socket, ws) = env.socket().await;
    // What a server stores for a client of another one, without the NOTIFY (as when the
    // listener was reconnecting).
    let message = json!({"message_type": "success", "provider_config_key": "demo-oauth2",
                         "connection_id": "c-missed", "is_pending": false});
    env.app
        .sql()
        .await
        .exec(&format!(
            "INSERT INTO oauth_outcomes (ws_client_id, message, created_at) \
             VALUES ('{ws}', '{message}', 0)"
        ))
        .await;
    assert_eq!(next_message(&mut socket).await, message);
    assert_eq!(
        env.app
            .sql()
            .await
            .int("SELECT count(*) FROM oauth_outcomes")
            .await,
        0,
        "taken once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_sharing_the_outbox_send_each_webhook_once() {
    let (env, b, _) = two_servers(Duration::from_secs(3600)).await;
    let servers = [&env.app, &b];
    // Writes on both servers at once, so both workers claim from the outbox together.
    let made = futures_util::future::join_all((0..24).map(|n| {
        let server = servers[n % 2];
        async move { server.tagged_connection(json!({"n": n.to_string()})).await }
    }))
    .await;
    let mut seen = Vec::new();
    for _ in 0..made.len() {
        let hit = env.hooks.next().await;
        let body: Value = serde_json::from_slice(&hit.body).unwrap();
        seen.push(body["connectionId"].as_str().unwrap().to_owned());
    }
    assert!(
        env.hooks.silent_for(Duration::from_secs(1)).await,
        "no repeat"
    );
    let seen: HashSet<_> = seen.into_iter().collect();
    assert_eq!(seen, made.into_iter().collect::<HashSet<_>>());
    for server in servers {
        let outbox = server.secret("GET", "/connkit/webhooks", None).await;
        assert_eq!(outbox.json, json!({"pending": 0, "failed": []}));
    }
}
