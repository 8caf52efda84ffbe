//! Connect UI's submit (spec §4.4) as the auth call it becomes through `@nangohq/frontend`
//! (spec §3.3): a validated form's values turned into the endpoint, the JSON body and the
//! `params[…]` the request carries.
//!
//! Connect UI calls `nango.auth(key, {params, credentials: {...credentials, type: auth_mode},
//! assertionOption})` (`create` for NONE); the SDK (`convertCredentialsToConfig`, `customAuth`,
//! `triggerAuth` in `packages/frontend/lib/index.ts`, NangoHQ/nango at 2f4c0af6) picks the
//! endpoint and keeps, per mode, only the members its body takes: `type` stays for JWT,
//! SIGNATURE and TWO_STEP; TWO_STEP's non-empty `assertion_option` joins the body as
//! `assertionOption`; AWS_SIGV4 sends `role_arn` and a non-empty `region`, and Connect UI adds
//! the External ID to the params.
//!
//! Knows nothing about HTTP, URLs, the session token or how the host makes the External ID.

use serde_json::{Map, Value};

use crate::catalogue::AuthMode;
use crate::field::Submission;
use crate::form::{FieldGroup, Form, SubmitMode};
use crate::prelude::*;
use crate::request::AuthEndpoint;

/// The `params` key of AWS_SIGV4's External ID.
pub const EXTERNAL_ID_PARAM: &str = "external_id";

/// The auth call of one submit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthCall {
    /// The endpoint (its path is [`AuthEndpoint::path`] followed by `/<key>`).
    pub endpoint: AuthEndpoint,
    /// The JSON body; `None` when the SDK sends none (NONE).
    pub body: Option<Map<String, Value>>,
    /// The `params[name]=value` pairs of the query (the connection_config), in form order.
    pub params: Vec<(String, String)>,
}

/// The auth call Connect UI makes for `values` (validated against `form`), or `None` for the
/// modes submitted through a popup (OAUTH2 and the other browser flows) and the modes with no
/// endpoint. `external_id` is AWS_SIGV4's External ID, the form's
/// ([`Form::aws_external_id`]) or one the host made; other modes ignore it.
pub fn auth_call(form: &Form, values: &Submission, external_id: Option<&str>) -> Option<AuthCall> {
    let mode = form.auth_mode();
    let endpoint = match form.submit_mode() {
        SubmitMode::Popup => return None,
        SubmitMode::Create => AuthEndpoint::Unauthenticated,
        SubmitMode::Credentials => AuthEndpoint::for_mode(mode)?,
    };
    let mut params: Vec<(String, String)> = values.group(FieldGroup::Params).to_vec();
    if let (AuthEndpoint::AwsSigV4, Some(id)) = (endpoint, external_id) {
        params.retain(|(k, _)| k != EXTERNAL_ID_PARAM);
        params.push((EXTERNAL_ID_PARAM.to_owned(), id.to_owned()));
    }
    Some(AuthCall {
        endpoint,
        body: body(endpoint, mode, values),
        params,
    })
}

/// The body the SDK posts to `endpoint` for Connect UI's `credentials`.
fn body(
    endpoint: AuthEndpoint,
    mode: &AuthMode,
    values: &Submission,
) -> Option<Map<String, Value>> {
    let mut body = Map::new();
    let b = &mut body;
    match endpoint {
        AuthEndpoint::Unauthenticated => return None,
        AuthEndpoint::ApiKey => take(b, values, &["apiKey"], true),
        AuthEndpoint::Basic => take(b, values, &["username", "password"], true),
        AuthEndpoint::OAuth2Cc => take(
            b,
            values,
            &[
                "client_id",
                "client_secret",
                "client_certificate",
                "client_private_key",
            ],
            false,
        ),
        AuthEndpoint::Tba => take(
            b,
            values,
            &[
                "token_id",
                "token_secret",
                "oauth_client_id_override",
                "oauth_client_secret_override",
            ],
            false,
        ),
        AuthEndpoint::Bill => take(
            b,
            values,
            &["username", "password", "organization_id", "dev_key"],
            false,
        ),
        AuthEndpoint::AwsSigV4 => {
            take(b, values, &["role_arn"], false);
            let region = values.get(FieldGroup::Credentials, "region");
            if let Some(region) = region.filter(|r| !r.is_empty()) {
                b.insert("region".to_owned(), region.into());
            }
        }
        AuthEndpoint::Signature => {
            b.insert("type".to_owned(), mode.as_str().into());
            take(b, values, &["username", "password"], false);
        }
        AuthEndpoint::Jwt | AuthEndpoint::TwoStep => {
            for (name, value) in values.group(FieldGroup::Credentials) {
                b.insert(name.clone(), value.as_str().into());
            }
            b.insert("type".to_owned(), mode.as_str().into());
            let assertion = values.group(FieldGroup::AssertionOption);
            if endpoint == AuthEndpoint::TwoStep && !assertion.is_empty() {
                let option = assertion
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                b.insert("assertionOption".to_owned(), Value::Object(option));
            }
        }
    }
    Some(body)
}

/// Copies the submitted credentials `names` into `body`, in the SDK's order; with `or_empty`,
/// a missing one as `''` (the SDK's `credentials.x || ''`).
fn take(body: &mut Map<String, Value>, values: &Submission, names: &[&str], or_empty: bool) {
    for &name in names {
        match values.get(FieldGroup::Credentials, name) {
            Some(v) => {
                body.insert(name.to_owned(), v.into());
            }
            None if or_empty => {
                body.insert(name.to_owned(), "".into());
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalogue::Provider;
    use crate::field::validate_submission;
    use crate::form::{FormOptions, build_form};
    use crate::pattern::PatternMatcher;

    /// Patterns match everything: these tests are about where values go.
    struct Any;
    impl PatternMatcher for Any {
        fn test(&self, _: &str, _: &str) -> Result<bool, crate::pattern::PatternUnusable> {
            Ok(true)
        }
    }

    fn call(mut provider: Value, values: Value, external_id: Option<&str>) -> Option<AuthCall> {
        provider["display_name"] = json!("P");
        let provider = Provider::from_json("p", &provider).expect("provider");
        let form = build_form(&provider, &FormOptions::default());
        let values = validate_submission(&form, &values, &Any).expect("valid");
        auth_call(&form, &values, external_id)
    }

    fn sent(provider: Value, values: Value) -> (&'static str, Value, Vec<(String, String)>) {
        let call = call(provider, values, Some("ext-1")).expect("a call");
        let body = call.body.map_or(Value::Null, Value::Object);
        (call.endpoint.path(), body, call.params)
    }

    #[test]
    fn oauth2_cc_posts_the_client_and_the_params() {
        let provider = json!({"auth_mode": "OAUTH2_CC",
            "connection_config": {"subdomain": {"type": "string"}}});
        let values = json!({"credentials": {"client_id": "i", "client_secret": "s"},
            "params": {"subdomain": "acme"}});
        assert_eq!(
            sent(provider, values),
            (
                "/oauth2/auth",
                json!({"client_id": "i", "client_secret": "s"}),
                vec![("subdomain".to_owned(), "acme".to_owned())]
            )
        );
    }

    #[test]
    fn two_step_keeps_every_credential_its_type_and_the_assertion_option() {
        let provider = json!({"auth_mode": "TWO_STEP",
            "credentials": {"username": {"type": "string"}, "password": {"type": "string"}},
            "assertion_option": {"scope": {"type": "string"}}});
        let values = json!({"credentials": {"username": "u", "password": "p"},
            "assertion_option": {"scope": "all"}});
        let (path, body, _) = sent(provider, values);
        assert_eq!(path, "/auth/two-step");
        assert_eq!(
            body,
            json!({"username": "u", "password": "p", "type": "TWO_STEP",
                   "assertionOption": {"scope": "all"}})
        );
    }

    #[test]
    fn each_mode_posts_what_its_endpoint_takes() {
        let cases = [
            (
                "API_KEY",
                json!({"apiKey": "k"}),
                "/api-auth/api-key",
                json!({"apiKey": "k"}),
            ),
            (
                "BASIC",
                json!({"username": "u", "password": "p"}),
                "/api-auth/basic",
                json!({"username": "u", "password": "p"}),
            ),
            (
                "TBA",
                json!({"oauth_client_id_override": "ci", "oauth_client_secret_override": "cs",
                       "token_id": "ti", "token_secret": "ts"}),
                "/auth/tba",
                json!({"token_id": "ti", "token_secret": "ts",
                       "oauth_client_id_override": "ci", "oauth_client_secret_override": "cs"}),
            ),
            (
                "BILL",
                json!({"username": "u", "password": "p", "organization_id": "o", "dev_key": "d"}),
                "/auth/bill",
                json!({"username": "u", "password": "p", "organization_id": "o", "dev_key": "d"}),
            ),
            (
                "SIGNATURE",
                json!({"username": "u", "password": "p"}),
                "/auth/signature",
                json!({"type": "SIGNATURE", "username": "u", "password": "p"}),
            ),
            (
                "JWT",
                json!({"key": "k"}),
                "/auth/jwt",
                json!({"key": "k", "type": "JWT"}),
            ),
            (
                "AWS_SIGV4",
                json!({"role_arn": "r"}),
                "/auth/aws-sigv4",
                json!({"role_arn": "r"}),
            ),
        ];
        for (mode, credentials, path, body) in cases {
            let got = sent(
                json!({"auth_mode": mode}),
                json!({ "credentials": credentials }),
            );
            assert_eq!((got.0, got.1), (path, body), "{mode}");
        }
    }

    #[test]
    fn aws_sends_a_region_only_when_given_and_the_external_id_as_a_param() {
        let provider = json!({"auth_mode": "AWS_SIGV4",
            "credentials": {"region": {"type": "string", "optional": true}}});
        let (_, body, params) = sent(
            provider.clone(),
            json!({"credentials": {"role_arn": "r", "region": ""}}),
        );
        assert_eq!(body, json!({"role_arn": "r"}));
        assert_eq!(params, vec![("external_id".to_owned(), "ext-1".to_owned())]);
        let (_, body, _) = sent(
            provider,
            json!({"credentials": {"role_arn": "r", "region": "eu-west-1"}}),
        );
        assert_eq!(body, json!({"role_arn": "r", "region": "eu-west-1"}));
    }

    #[test]
    fn none_posts_no_body_and_popup_modes_make_no_call() {
        let (path, body, _) = sent(json!({"auth_mode": "NONE"}), json!({}));
        assert_eq!((path, body), ("/auth/unauthenticated", Value::Null));
        assert_eq!(call(json!({"auth_mode": "OAUTH2"}), json!({}), None), None);
        assert_eq!(call(json!({"auth_mode": "OAUTH1"}), json!({}), None), None);
    }
}
