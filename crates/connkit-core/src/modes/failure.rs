//! How a mode fails: connkit's issue and Nango's answer together ([`ModeError`]).
//!
//! Nango answers a failed mode through `errorManager.errResFromNangoErr`, as
//! `{"error":{"message","code","payload"}}` with the `NangoError`'s code and text
//! (`packages/shared/lib/utils/error.ts`). connkit keeps Nango's codes, writes a sentence where
//! Nango has none, and leaves the status to the host (connkit-server answers every one with
//! 400).
//!
//! Knows nothing about HTTP.

use serde_json::{Map, Value};

use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, ValidationError};

/// Why a mode could not connect or refresh.
#[derive(Debug, Clone, PartialEq)]
pub enum ModeError {
    /// The body lacks what the mode needs (issues at the body's paths; Nango would answer too,
    /// in its own words, or only later).
    Body(ValidationError),
    /// connection_config values the requests need are missing or fail their fields' rules
    /// (issues at `["connection_config", key]`, as the OAuth flow reports them).
    Config(ValidationError),
    /// The mode failed: the provider refused, a key cannot sign, the catalogue entry or the
    /// integration lacks something.
    Failed(Box<Failure>),
}

/// A failure in Nango's words, with connkit's issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    code: &'static str,
    message: String,
    payload: Value,
    issue: Issue,
}

impl Failure {
    /// A failure answered with Nango's `code` and `message`, reported as `issue`.
    pub(crate) fn new(code: &'static str, message: impl Into<String>, issue: Issue) -> Failure {
        Failure {
            code,
            message: message.into(),
            payload: Value::Object(Map::new()),
            issue,
        }
    }

    /// The same failure with Nango's `payload` (the provider's error, as text).
    pub(crate) fn with_payload(mut self, payload: Value) -> Failure {
        self.payload = payload;
        self
    }

    /// Nango's error code (`client_credentials_fetch_error`, `invalid_two_step_credentials`…).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Nango's message, or connkit's sentence where Nango answers with its code alone.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Nango's `payload` (`{}` unless the failure carries the provider's error).
    pub fn payload(&self) -> &Value {
        &self.payload
    }

    /// connkit's issue: its code and where the problem is.
    pub fn issue(&self) -> &Issue {
        &self.issue
    }
}

impl From<Failure> for ModeError {
    fn from(failure: Failure) -> ModeError {
        ModeError::Failed(Box::new(failure))
    }
}

/// An error-severity issue at `path` with `detail`.
pub(crate) fn issue(code: ErrorCode, path: &[&str], detail: Detail) -> Issue {
    Issue::new(code, path.iter().map(|p| (*p).to_owned()).collect()).with_detail(detail)
}

/// The catalogue entry lacks `attribute`, or holds an unusable one (`missing_token_url` and
/// the like in Nango).
pub(crate) fn incomplete(code: &'static str, message: &str, attribute: &str) -> Failure {
    Failure::new(
        code,
        message,
        issue(
            ErrorCode::AuthProviderIncomplete,
            &[attribute],
            Detail::Name(attribute.to_owned()),
        ),
    )
}

/// `missing_token_url`: "Token URL is missing or invalid."
pub(crate) fn missing_token_url() -> Failure {
    incomplete(
        "missing_token_url",
        "Token URL is missing or invalid.",
        "token_url",
    )
}

/// The one-issue `ValidationError` of a [`ModeError::Body`] or [`ModeError::Config`].
pub(crate) fn invalid(issues: Vec<Issue>) -> ValidationError {
    match ValidationError::from_issues(issues) {
        Err(err) => err,
        Ok(_) => invalid(vec![Issue::new(ErrorCode::ValueRequired, Vec::new())]),
    }
}
