//! The queries of the OAuth flow's two browser-facing routes (spec §3.2, §3.5):
//! `GET /oauth/connect/:providerConfigKey` and `GET /oauth/callback`.
//!
//! Nango's `oauthRequest` reads the connect query without a schema; connkit holds its
//! `connection_id` and `params` to the auth endpoints' schema (`check_auth_query`), and reads
//! the rest as Nango does: `authorization_params[…]` and `credentials[…]` keep string values,
//! the string `undefined` removing a parameter (`getAdditionalAuthorizationParams`);
//! `user_scope` and `ws_client_id` (read on its own, [`oauth_ws_client_id`]) count when they are
//! one string. The callback's parameters
//! are the plain strings of its query, and its `state` is `state`, else `payload`, else
//! `customField` (the names some providers use).
//!
//! Knows nothing about sessions, integrations or where the OAuth flow keeps its state.

use serde_json::{Map, Value};

use super::Rejection;
use super::auth::{AuthQuery, check_auth_query};
use super::query::{Query, Scalar};
use crate::oauth2::AuthParam;
use crate::prelude::*;

/// What `GET /oauth/connect/:providerConfigKey` carries besides the session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConnectQuery {
    auth: AuthQuery,
    authorization_params: Vec<AuthParam>,
    credentials: Vec<AuthParam>,
    user_scope: Option<String>,
}

/// A connection's own OAuth client, given in the connect query's `credentials[…]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientOverride {
    /// `oauth_client_id_override`.
    pub client_id: Option<String>,
    /// `oauth_client_secret_override`.
    pub client_secret: Option<String>,
}

impl OAuthConnectQuery {
    /// `connection_id` and the `params` (see [`AuthQuery`]).
    pub fn auth(&self) -> &AuthQuery {
        &self.auth
    }

    /// `authorization_params[…]`.
    pub fn authorization_params(&self) -> &[AuthParam] {
        &self.authorization_params
    }

    /// `user_scope` (comma-joined by the SDK).
    pub fn user_scope(&self) -> Option<&str> {
        self.user_scope.as_deref()
    }

    /// Applies `credentials[…]` as Nango does when an id or a secret override is given: each of
    /// `oauth_client_id_override`, `oauth_client_secret_override` and
    /// `oauth_refresh_token_override` that is set goes into `connection_config` under its own
    /// name, and the id and secret replace the integration's client for this flow.
    pub fn apply_credentials(&self, connection_config: &mut Map<String, Value>) -> ClientOverride {
        let get = |name: &str| {
            self.credentials
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .filter(|v| !v.is_empty())
        };
        let over = ClientOverride {
            client_id: get("oauth_client_id_override"),
            client_secret: get("oauth_client_secret_override"),
        };
        if over.client_id.is_none() && over.client_secret.is_none() {
            return ClientOverride::default();
        }
        for name in [
            "oauth_client_id_override",
            "oauth_client_secret_override",
            "oauth_refresh_token_override",
        ] {
            if let Some(value) = get(name) {
                connection_config.insert(name.to_owned(), Value::String(value));
            }
        }
        over
    }
}

/// The connect query: `connection_id` and `params` as the auth endpoints check them, the rest
/// as Nango reads it.
pub fn check_oauth_connect_query(query: &Query) -> Result<OAuthConnectQuery, Rejection> {
    let auth = check_auth_query(query)?;
    let object = |name: &str| query.string_map(name).unwrap_or_default();
    let string = |name: &str| match query.scalar(name) {
        Scalar::Str(value) => Some(value),
        Scalar::Absent | Scalar::Other(_) => None,
    };
    Ok(OAuthConnectQuery {
        auth,
        authorization_params: AuthParam::from_request(&object("authorization_params")),
        credentials: AuthParam::from_request(&object("credentials")),
        user_scope: string("user_scope").filter(|s| !s.is_empty()),
    })
}

/// The connect query's `ws_client_id` (the WebSocket to tell the outcome), read on its own: the
/// client is told even when the rest of the query is refused.
pub fn oauth_ws_client_id(query: &Query) -> Option<String> {
    match query.scalar("ws_client_id") {
        Scalar::Str(id) if !id.is_empty() => Some(id),
        _ => None,
    }
}

/// What `GET /oauth/callback` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthCallbackQuery {
    state: Option<String>,
    params: Map<String, Value>,
}

impl OAuthCallbackQuery {
    /// The flow's `state` (from `state`, `payload` or `customField`), when non-empty.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// Every parameter that is one string (`code`, `error`, the provider's metadata…).
    pub fn params(&self) -> &Map<String, Value> {
        &self.params
    }
}

/// Reads the callback's query.
pub fn read_oauth_callback_query(query: &Query) -> OAuthCallbackQuery {
    let params = query.strings();
    let state = ["state", "payload", "customField"]
        .iter()
        .filter_map(|name| params.get(*name).and_then(Value::as_str))
        .find(|s| !s.is_empty())
        .map(str::to_owned);
    OAuthCallbackQuery { state, params }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connect_query_as_nango_reads_it() {
        let query = Query::parse(Some(
            "connect_session_token=t&params[subdomain]=acme&params[n][x]=1&authorization_params[prompt]=consent\
             &authorization_params[audience]=undefined&user_scope=a,b&ws_client_id=w-1\
             &credentials[oauth_client_secret_override]=s&credentials[oauth_refresh_token_override]=r",
        ));
        let got = check_oauth_connect_query(&query).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            got.auth().params().get("subdomain"),
            Some(&Value::from("acme"))
        );
        assert_eq!(got.auth().params().len(), 1);
        assert_eq!(
            got.authorization_params(),
            [
                AuthParam {
                    name: "prompt".into(),
                    value: Some("consent".into())
                },
                AuthParam {
                    name: "audience".into(),
                    value: None
                },
            ]
        );
        assert_eq!(got.user_scope(), Some("a,b"));
        assert_eq!(oauth_ws_client_id(&query).as_deref(), Some("w-1"));
        assert_eq!(
            oauth_ws_client_id(&Query::parse(Some("ws_client_id[]=w"))),
            None
        );
        let mut config = Map::new();
        let over = got.apply_credentials(&mut config);
        assert_eq!(over.client_secret.as_deref(), Some("s"));
        assert_eq!(over.client_id, None);
        assert_eq!(
            config.keys().collect::<Vec<_>>(),
            [
                "oauth_client_secret_override",
                "oauth_refresh_token_override"
            ]
        );
        let bad = Query::parse(Some("params=x"));
        assert!(check_oauth_connect_query(&bad).is_err());
    }

    #[test]
    fn a_refresh_token_alone_overrides_nothing() {
        let query = Query::parse(Some("credentials[oauth_refresh_token_override]=r"));
        let got = check_oauth_connect_query(&query).unwrap_or_else(|e| panic!("{e:?}"));
        let mut config = Map::new();
        assert_eq!(
            got.apply_credentials(&mut config),
            ClientOverride::default()
        );
        assert!(config.is_empty());
    }

    #[test]
    fn the_callback_state_and_its_strings() {
        let got = read_oauth_callback_query(&Query::parse(Some(
            "code=c&state=&payload=p&x[y]=1&error=a&error=b",
        )));
        assert_eq!(got.state(), Some("p"));
        assert_eq!(
            got.params().keys().collect::<Vec<_>>(),
            ["code", "state", "payload"]
        );
    }
}
