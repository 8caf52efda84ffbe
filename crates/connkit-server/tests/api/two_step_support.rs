//! What the TWO_STEP tests share: the auth call in a connect session for end user `u-2`
//! tagged `team: ops`, a read through `GET /connections/:id`, and the token a read holds.
//!
//! Knows no rule; the test modules assert those.

use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;
use crate::support::Resp;

/// `POST /auth/two-step/<key>?…<params>` with `body`, in a new connect session.
pub(crate) async fn create(env: &OAuthEnv, key: &str, params: &str, body: &Value) -> Resp {
    let token = env
        .app
        .session(json!({"end_user": {"id": "u-2"}, "tags": {"team": "ops"}}))
        .await;
    env.app
        .auth(&format!("/auth/two-step/{key}"), &token, params, Some(body))
        .await
}

/// `GET /connections/<id>?provider_config_key=<key><flags>` with the secret key.
pub(crate) async fn read(env: &OAuthEnv, key: &str, id: &str, flags: &str) -> Resp {
    let uri = format!("/connections/{id}?provider_config_key={key}{flags}");
    env.app.secret("GET", &uri, None).await
}

/// The `credentials.token` of a read.
pub(crate) fn token(resp: &Resp) -> String {
    resp.json["credentials"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", resp.json))
        .to_owned()
}
