//! The OAuth 2 authorization-code flow as Nango runs it (spec §3.3, §3.5, §5.2, §5.4, §6.3),
//! as pure functions: the host passes in the time and the random values (`state`, the PKCE
//! verifier, `${random}`), and does the HTTP.
//!
//! In the order of a flow:
//! * [`OAuth2Provider`] (`provider.rs`): one catalogue entry's OAuth attributes, typed.
//! * [`check_before_redirect`] and [`authorization_url`] (`authorize.rs`): the checks before the
//!   redirect (connection_config values against their fields' rules, then Nango's missing-value
//!   check) and the provider's authorize URL with its parameters, scopes and PKCE challenge.
//! * [`callback_code`], [`callback_metadata`] (`response.rs`): what the provider's callback
//!   brings back.
//! * [`token_request`] and [`refresh_request`] (`token.rs`): the POST to the token endpoint,
//!   with the client authenticated in the body or by header.
//! * [`read_token_response`], [`finish_connection`], [`refreshed_credentials`]
//!   (`response.rs`): the OAUTH2 credentials and the connection_config a connection keeps.
//! * [`refresh_decision`] (`refresh.rs`): whether a read refreshes first.
//! * [`FlowError`] (`flow_error.rs`): failures in Nango's WebSocket vocabulary.
//! * [`code_challenge`] (`pkce.rs`): PKCE's S256.
//!
//! Needs the `oauth2` feature (SHA-256 for PKCE). Knows nothing about HTTP, storage, sessions
//! or WebSockets.

mod authorize;
mod flow_error;
mod pkce;
mod provider;
mod refresh;
mod response;
mod token;

pub use authorize::{AuthParam, AuthorizeRequest, authorization_url, check_before_redirect};
pub use flow_error::{FlowError, provider_error};
pub use pkce::code_challenge;
pub(crate) use provider::truthy;
pub use provider::{ClientAuth, OAuth2Provider};
pub use refresh::{
    RefreshCheck, RefreshDecision, RefreshFailure, expiry_decision, refresh_decision, refresh_token,
};
pub use response::{
    TokenResponse, callback_code, callback_metadata, finish_connection, read_token_response,
    refreshed_credentials, stored_client, token_stage_config,
};
pub(crate) use response::{parse_expiration_date, parse_int, time, token_metadata, value_at_path};
pub use token::{
    CodeExchange, OAuth2Client, RefreshExchange, TokenRequest, refresh_request, token_request,
};
