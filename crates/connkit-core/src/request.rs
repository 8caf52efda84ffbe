//! The requests of Nango's HTTP API as a server receives them (spec §2, §3.2–3.5, §5.1,
//! §6.2–6.5, §11.17): query strings read the way Express and qs read them, the strict query
//! schemas with zod's coercions, path parameters, empty queries and bodies, and the bodies whose
//! rules live in the rule modules (sessions, credentials, metadata, PATCH /connections).
//!
//! Every entry point is a `check_*` function that returns the normalised request or a
//! [`Rejection`]: connkit's issues and Nango's projection of the same input, decided together.
//! One call returns both (rather than a `validate_x` and a `nango_x_errors` for the host to
//! combine) because deciding that a request is refused, and with which list, is itself a rule:
//! connkit refuses what Nango refuses even where its own rules would accept, and answers with its
//! own issues where only its stricter rules refuse. A host maps a [`Rejection`] to its envelope
//! and decides nothing.
//!
//! connkit has no rule of its own for the type, length or coercion of a query parameter, for
//! unknown query keys, for empty queries or bodies, or for provider names: there its verdict is
//! Nango's zod schema and [`Rejection::issues`] is empty. Identifiers, tag filters and bodies
//! carry connkit's issues as well.
//!
//! Knows nothing about HTTP status codes, routers or which envelope (body, query or path) a host
//! reports a rejection in.

mod auth;
mod bodies;
mod connections;
#[cfg(feature = "oauth2")]
mod oauth;
mod oauth_return;
mod query;

use serde_json::Value;

use crate::ids::{
    check_connection_id, check_integration_key, nango_connection_id_errors,
    nango_integration_key_errors, nango_provider_name_errors,
};
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::{ErrorCode, Issue, JsonType, Severity, ValidationError};

pub use auth::{AuthEndpoint, AuthQuery, check_auth_body, check_auth_query};
pub use bodies::{
    check_connect_session_body, check_empty_body, check_metadata_body, check_reconnect_session_body,
};
pub use connections::{
    ConnectionPatch, ConnectionQuery, ListQuery, check_connection_get_query,
    check_connection_patch, check_connection_query, check_list_query,
};
#[cfg(feature = "oauth2")]
pub use oauth::{
    ClientOverride, OAuthCallbackQuery, OAuthConnectQuery, check_oauth_connect_query,
    oauth_ws_client_id, read_oauth_callback_query,
};
pub use oauth_return::{RESULT_PARAM, RETURN_URL_PARAM};
#[cfg(feature = "oauth2")]
pub use oauth_return::{
    check_return_url, oauth_return_url, return_origin, return_url_with_result, url_origin,
};
pub use query::{Query, Scalar};

/// Why a request is refused: connkit's issues and Nango's projection of the same input (the
/// `errors` list Nango's 400 carries, in zod's order and words). At least one of the two holds
/// an error: `issues` is empty where connkit has no rule beyond Nango's schema, `nango` where
/// only connkit's stricter rules refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    issues: Vec<Issue>,
    nango: Vec<NangoIssue>,
}

impl Rejection {
    /// connkit's issues (errors, and the warnings found with them).
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Nango's projection; empty when Nango would accept the request.
    pub fn nango(&self) -> &[NangoIssue] {
        &self.nango
    }

    /// Consumes the rejection: connkit's issues, then Nango's projection.
    pub fn into_parts(self) -> (Vec<Issue>, Vec<NangoIssue>) {
        (self.issues, self.nango)
    }

    /// True when Nango accepts the body and connkit's only error is `tags_too_many` at
    /// `["tags"]`: the tags generated from `end_user` / `organization` and the explicit `tags`
    /// are valid alone but too many once merged. Nango fails later, with a 500.
    pub fn is_merged_tags_overflow(&self) -> bool {
        let mut errors = self
            .issues
            .iter()
            .filter(|it| it.severity() == Severity::Error)
            .peekable();
        self.nango.is_empty()
            && errors.peek().is_some()
            && errors.all(|it| it.code() == ErrorCode::TagsTooMany && it.path() == ["tags"])
    }

    /// connkit's verdict and Nango's projection for one input, decided together: the value
    /// only when both accept it.
    pub(crate) fn judge<T>(
        verdict: Result<T, ValidationError>,
        nango: Vec<NangoIssue>,
    ) -> Result<T, Rejection> {
        match verdict {
            Ok(value) if nango.is_empty() => Ok(value),
            Ok(_) => Err(Rejection {
                issues: Vec::new(),
                nango,
            }),
            Err(err) => Err(Rejection {
                issues: err.into_issues(),
                nango,
            }),
        }
    }

    /// `Err` when `nango` is not empty or `issues` holds an error.
    pub(crate) fn unless_empty(
        issues: Vec<Issue>,
        nango: Vec<NangoIssue>,
    ) -> Result<(), Rejection> {
        let refused = !nango.is_empty() || issues.iter().any(|it| it.severity() == Severity::Error);
        if refused {
            Err(Rejection { issues, nango })
        } else {
            Ok(())
        }
    }
}

fn p(key: &str) -> Vec<String> {
    vec![key.to_owned()]
}

/// The `:connectionId` path parameter (spec §6.1): connkit's connection-id issues and Nango's
/// at `["connectionId"]`.
pub fn check_connection_id_param(id: &str) -> Result<(), Rejection> {
    let path = p("connectionId");
    let mut issues = Vec::new();
    check_connection_id(
        Some(&Value::String(id.to_owned())),
        path.clone(),
        &mut issues,
    );
    Rejection::unless_empty(issues, nango_connection_id_errors(id, &path))
}

/// An integration unique key in the path (the auth endpoints' `:providerConfigKey`, spec §3.4).
pub fn check_integration_key_param(key: &str) -> Result<(), Rejection> {
    let path = p("providerConfigKey");
    let mut issues = Vec::new();
    check_integration_key(
        Some(&Value::String(key.to_owned())),
        path.clone(),
        &mut issues,
    );
    Rejection::unless_empty(issues, nango_integration_key_errors(key, &path))
}

/// The `:provider` path parameter of GET /providers/:provider (spec §5.1): Nango's pattern and
/// length only.
pub fn check_provider_param(name: &str) -> Result<(), Rejection> {
    Rejection::unless_empty(Vec::new(), nango_provider_name_errors(name, &p("provider")))
}

/// A path parameter that does not decode to text (percent escapes that are not UTF-8): zod's
/// `invalid_type` for a string, at the parameters' root.
pub fn path_param_not_text() -> Rejection {
    Rejection {
        issues: Vec::new(),
        nango: vec![NangoIssue::invalid_type(
            JsonType::String,
            JsonType::Other,
            Vec::new(),
        )],
    }
}

/// A query that must be empty (`requireEmptyQuery`, spec §11.17): `unrecognized_keys` otherwise.
pub fn check_empty_query(query: &Query) -> Result<(), Rejection> {
    Rejection::unless_empty(
        Vec::new(),
        query::unknown_keys(query, &[]).into_iter().collect(),
    )
}

/// The query of GET /providers: strict, `search` its only key; the search text when it is one
/// string.
pub fn check_providers_query(query: &Query) -> Result<Option<String>, Rejection> {
    let nango: Vec<NangoIssue> = query::unknown_keys(query, &["search"])
        .into_iter()
        .collect();
    Rejection::unless_empty(Vec::new(), nango)?;
    Ok(match query.scalar("search") {
        Scalar::Str(search) => Some(search),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judging_refuses_when_either_side_refuses() {
        let nango = vec![NangoIssue::custom("no", Vec::new())];
        let accepted: Result<u8, ValidationError> = Ok(1);
        assert_eq!(Rejection::judge(accepted.clone(), Vec::new()), Ok(1));
        let refused = Rejection::judge(accepted, nango.clone()).unwrap_err();
        assert!(refused.issues().is_empty() && refused.nango() == nango.as_slice());
        let err = ValidationError::from_issues(vec![Issue::new(ErrorCode::StringEmpty, p("a"))])
            .unwrap_err();
        let refused = Rejection::judge::<u8>(Err(err), Vec::new()).unwrap_err();
        assert_eq!(refused.issues().len(), 1);
        assert!(refused.nango().is_empty());
    }

    #[test]
    fn warnings_alone_refuse_nothing() {
        let warning = Issue::warning(ErrorCode::FieldUnknown, p("x"));
        assert_eq!(Rejection::unless_empty(vec![warning], Vec::new()), Ok(()));
    }

    #[test]
    fn merged_overflow_is_only_tags_too_many_at_tags() {
        let overflow = |issues: Vec<Issue>, nango: Vec<NangoIssue>| {
            Rejection { issues, nango }.is_merged_tags_overflow()
        };
        let too_many = Issue::new(ErrorCode::TagsTooMany, p("tags"));
        assert!(overflow(vec![too_many.clone()], Vec::new()));
        let nango = vec![NangoIssue::custom("x", p("tags"))];
        assert!(!overflow(vec![too_many.clone()], nango.clone()));
        assert!(!overflow(Vec::new(), nango));
        let other = Issue::new(ErrorCode::TagValueEmpty, vec!["tags".into(), "a".into()]);
        assert!(!overflow(vec![too_many, other], Vec::new()));
    }
}
