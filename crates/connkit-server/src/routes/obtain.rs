//! The auth modes whose credentials come from the provider at connection time (OAUTH2_CC,
//! TWO_STEP, BILL, AWS_SIGV4) or that connkit makes (TBA, SIGNATURE, JWT; spec §3.3, §3.9): the body's first check, obtaining the credentials when a connection is made,
//! and again when a read finds them expired (`refresh.rs`). Core builds every request and reads
//! every answer (`connkit_core::modes`); this module sends them through the token-endpoint
//! client (`oauth/http.rs`) and answers core's failures.
//!
//! Knows nothing about SQL, sessions or webhooks (`auth.rs` writes the connection).

use connkit_core::catalogue::Provider;
use connkit_core::interpolate::Generated;
use connkit_core::js::to_iso_string;
use connkit_core::modes::{
    AwsSettings, BillLogin, ClientCredentials, ClientCredentialsProvider, Context, ModeError,
    TwoStepFlow, TwoStepNext, TwoStepProvider, aws_connect_target, aws_request, aws_response,
    aws_stored_target, aws_unreachable, bill_request, bill_response, bill_unreachable,
    client_credentials_config, client_credentials_request, client_credentials_response,
    client_credentials_unreachable, jwt_credentials, jwt_stored_inputs, signature_credentials,
    tba_credentials, two_step_stored_inputs, two_step_unreachable,
};
use connkit_core::request::AuthEndpoint;
use serde_json::{Map, Value};

use crate::crypto::random_hex;
use crate::error::{ApiError, Part};
use crate::integrations::Integration;
use crate::oauth::send;
use crate::state::AppState;
use crate::timestamp;

/// What a mode's endpoint read from its body before anything else (Nango checks the client of
/// an OAUTH2_CC body before the session and the integration).
#[derive(Debug)]
pub(super) enum ModeBody {
    /// OAUTH2_CC's client.
    ClientCredentials(ClientCredentials),
    /// TWO_STEP's posted values (any object).
    TwoStep(Map<String, Value>),
    /// TBA's checked body.
    Tba(Map<String, Value>),
    /// BILL's login.
    Bill(BillLogin),
    /// SIGNATURE's user and password.
    Signature(String, String),
    /// JWT's posted values (any object).
    Jwt(Map<String, Value>),
    /// AWS_SIGV4's checked body (`role_arn`, `region`).
    Aws(Map<String, Value>),
}

/// The mode's own first check of `body` (already checked by `check_auth_body`); `None` for the
/// endpoints that store their body's credentials as they are.
pub(super) fn mode_body(
    endpoint: AuthEndpoint,
    body: &Value,
) -> Result<Option<ModeBody>, ApiError> {
    match endpoint {
        AuthEndpoint::OAuth2Cc => ClientCredentials::from_body(body)
            .map(|client| Some(ModeBody::ClientCredentials(client)))
            .map_err(answer),
        AuthEndpoint::TwoStep => Ok(Some(ModeBody::TwoStep(
            body.as_object().cloned().unwrap_or_default(),
        ))),
        AuthEndpoint::Tba => Ok(Some(ModeBody::Tba(
            body.as_object().cloned().unwrap_or_default(),
        ))),
        AuthEndpoint::Bill => Ok(Some(ModeBody::Bill(BillLogin::from_values(body)))),
        AuthEndpoint::AwsSigV4 => Ok(Some(ModeBody::Aws(
            body.as_object().cloned().unwrap_or_default(),
        ))),
        AuthEndpoint::Jwt => Ok(Some(ModeBody::Jwt(
            body.as_object().cloned().unwrap_or_default(),
        ))),
        AuthEndpoint::Signature => {
            let text = |key: &str| {
                body.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            Ok(Some(ModeBody::Signature(
                text("username"),
                text("password"),
            )))
        }
        _ => Ok(None),
    }
}

/// Credentials obtained for a new or re-authorised connection, and its connection_config.
#[derive(Debug)]
pub(super) struct Obtained {
    pub(super) credentials: Value,
    pub(super) connection_config: Map<String, Value>,
}

/// Obtains the credentials `body` leads to from the provider. Errors: core's refusals (the
/// connection_config as `invalid_query_params`, where its `params` came from) and the mode's
/// failures in Nango's words (400).
pub(super) async fn obtain(
    state: &AppState,
    provider: &Provider,
    integration: &Integration,
    body: ModeBody,
    connection_config: Map<String, Value>,
    previous: Option<&Map<String, Value>>,
) -> Result<Obtained, ApiError> {
    match body {
        ModeBody::Aws(body) => {
            let settings = AwsSettings::from_custom(&integration.custom).map_err(answer)?;
            let mut config = connection_config;
            let fresh = uuid::Uuid::new_v4().to_string();
            let target = aws_connect_target(&settings, &body, &mut config, previous, &fresh)
                .map_err(answer)?;
            let credentials = aws(state, &settings, &target).await.map_err(answer)?;
            Ok(Obtained {
                credentials,
                connection_config: config,
            })
        }
        ModeBody::ClientCredentials(client) => {
            let provider = ClientCredentialsProvider::from_provider(provider).map_err(answer)?;
            let scopes: Vec<&str> = integration
                .scopes
                .iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            let mut config = client_credentials_config(connection_config, &scopes.join(","));
            let obtained = client_credentials(state, &provider, &client, &config)
                .await
                .map_err(answer)?;
            config.extend(obtained.metadata);
            Ok(Obtained {
                credentials: Value::Object(obtained.credentials),
                connection_config: config,
            })
        }
        ModeBody::Tba(body) => {
            let mut config = connection_config;
            if let Some(id) = &integration.client_id {
                config.insert("oauth_client_id".to_owned(), Value::from(id.clone()));
            }
            Ok(Obtained {
                credentials: tba_credentials(&body),
                connection_config: config,
            })
        }
        ModeBody::Bill(login) => Ok(Obtained {
            credentials: bill(state, provider, &login).await.map_err(answer)?,
            connection_config,
        }),
        ModeBody::Signature(username, password) => Ok(Obtained {
            credentials: signature(provider, &username, &password).map_err(answer)?,
            connection_config,
        }),
        ModeBody::Jwt(inputs) => Ok(Obtained {
            credentials: jwt(provider, inputs, &connection_config).map_err(answer)?,
            connection_config,
        }),
        ModeBody::TwoStep(inputs) => {
            let provider = TwoStepProvider::from_provider(provider)
                .map_err(answer)?
                .with_integration_config(&integration.custom);
            let obtained = two_step(state, &provider, inputs, connection_config.clone())
                .await
                .map_err(answer)?;
            let mut config = connection_config;
            config.extend(obtained.metadata);
            Ok(Obtained {
                credentials: Value::Object(obtained.credentials),
                connection_config: config,
            })
        }
    }
}

/// Credentials made again for a connection of a mode that has no refresh token (BILL,
/// SIGNATURE, JWT) from what it stored; `None` when the provider refused.
pub(crate) async fn remake(
    state: &AppState,
    provider: &Provider,
    integration_key: &str,
    credentials: &Value,
    connection_config: &Map<String, Value>,
) -> Option<Value> {
    match provider.auth_mode() {
        connkit_core::catalogue::AuthMode::AwsSigV4 => {
            let integration = state.integrations().get(integration_key)?;
            let settings = AwsSettings::from_custom(&integration.custom).ok()?;
            let target = aws_stored_target(&settings, credentials, connection_config).ok()?;
            aws(state, &settings, &target).await.ok()
        }
        connkit_core::catalogue::AuthMode::Jwt => {
            jwt(provider, jwt_stored_inputs(credentials), connection_config).ok()
        }
        connkit_core::catalogue::AuthMode::Bill => {
            bill(state, provider, &BillLogin::from_values(credentials))
                .await
                .ok()
        }
        connkit_core::catalogue::AuthMode::Signature => {
            let text = |key: &str| credentials.get(key).and_then(Value::as_str).unwrap_or("");
            signature(provider, text("username"), text("password")).ok()
        }
        _ => None,
    }
}

async fn bill(
    state: &AppState,
    provider: &Provider,
    login: &BillLogin,
) -> Result<Value, ModeError> {
    let request = bill_request(provider.json(), login)?;
    let Some(response) = send(state.oauth().http(), &request).await else {
        return Err(bill_unreachable());
    };
    bill_response(login, &response, timestamp::now() / 1000)
}

async fn aws(
    state: &AppState,
    settings: &AwsSettings,
    target: &connkit_core::modes::AwsTarget,
) -> Result<Value, ModeError> {
    let request = aws_request(settings, target);
    let Some(response) = send(state.oauth().http(), &request).await else {
        return Err(aws_unreachable());
    };
    aws_response(settings, target, &response, timestamp::now() / 1000)
}

fn jwt(
    provider: &Provider,
    inputs: Map<String, Value>,
    config: &Map<String, Value>,
) -> Result<Value, ModeError> {
    let random = uuid::Uuid::new_v4().to_string();
    let ctx = Context {
        now_ms: timestamp::now() / 1000,
        random: &random,
    };
    jwt_credentials(provider, inputs, config, &ctx)
}

fn signature(provider: &Provider, username: &str, password: &str) -> Result<Value, ModeError> {
    let nonce = random_hex(16);
    signature_credentials(
        provider,
        username,
        password,
        timestamp::now() / 1000,
        &nonce,
    )
}

/// A TWO_STEP connection's credentials obtained again from what it stored (the posted values
/// and the refresh token); `None` when the provider refused.
pub(crate) async fn refresh_two_step(
    state: &AppState,
    provider: &TwoStepProvider,
    credentials: &Value,
    connection_config: &Map<String, Value>,
) -> Option<Value> {
    let inputs = two_step_stored_inputs(credentials);
    let obtained = two_step(state, provider, inputs, connection_config.clone())
        .await
        .ok()?;
    Some(Value::Object(obtained.credentials))
}

/// One TWO_STEP flow: each request core builds, sent, until core has the credentials. The
/// flow's requests are bounded by the provider's `additional_steps`.
async fn two_step(
    state: &AppState,
    provider: &TwoStepProvider,
    inputs: Map<String, Value>,
    config: Map<String, Value>,
) -> Result<connkit_core::modes::Obtained, ModeError> {
    let random = uuid::Uuid::new_v4().to_string();
    let ctx = Context {
        now_ms: timestamp::now() / 1000,
        random: &random,
    };
    let matcher = state.oauth().matcher();
    let (mut flow, mut request) = TwoStepFlow::start(provider, inputs, config, &ctx, matcher)?;
    loop {
        let Some(response) = send(state.oauth().http(), &request).await else {
            return Err(two_step_unreachable());
        };
        match flow.answer(&response, &ctx)? {
            TwoStepNext::Send(next) => request = next,
            TwoStepNext::Done(obtained) => return Ok(obtained),
        }
    }
}

/// An OAUTH2_CC connection's credentials obtained again with the client it stored; `None` when
/// the provider refused or the stored credentials name no client.
pub(crate) async fn refresh_client_credentials(
    state: &AppState,
    provider: &ClientCredentialsProvider,
    credentials: &Value,
    connection_config: &Map<String, Value>,
) -> Option<Value> {
    let client = ClientCredentials::from_stored(credentials)?;
    let obtained = client_credentials(state, provider, &client, connection_config)
        .await
        .ok()?;
    Some(Value::Object(obtained.credentials))
}

/// One client-credentials grant: the request core builds, sent, and its answer read.
async fn client_credentials(
    state: &AppState,
    provider: &ClientCredentialsProvider,
    client: &ClientCredentials,
    config: &Map<String, Value>,
) -> Result<connkit_core::modes::Obtained, ModeError> {
    let now_ms = timestamp::now() / 1000;
    let random = uuid::Uuid::new_v4().to_string();
    let now = to_iso_string(now_ms).unwrap_or_default();
    let generated = Generated {
        random: &random,
        now: &now,
    };
    let matcher = state.oauth().matcher();
    let request = client_credentials_request(provider, client, config, generated, matcher)?;
    let Some(response) = send(state.oauth().http(), &request).await else {
        return Err(client_credentials_unreachable());
    };
    client_credentials_response(provider, client, &response, timestamp::now() / 1000)
}

/// Core's refusal or failure as the endpoint answers it.
fn answer(err: ModeError) -> ApiError {
    match err {
        ModeError::Body(err) => ApiError::validation(Part::Body, err),
        ModeError::Config(err) => ApiError::validation(Part::Query, err),
        ModeError::Failed(failure) => ApiError::Mode(failure),
    }
}
