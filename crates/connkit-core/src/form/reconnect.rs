//! What a reconnect form starts with (connkit's addition; Nango's Connect UI opens a reconnect
//! session's form empty): the values of the connection being reconnected that its provider's
//! form asks the end user for and may show again. A value is kept when it belongs to one of the
//! provider's `connection_config` fields that the form renders as a plain input (not `hidden`,
//! not `automated`, not `secret`) and is a string; and AWS_SIGV4's `external_id`, which the
//! role's trust policy names, so a reconnection must keep it (it is shown to the user anyway).
//! Anything else the connection holds (values obtained from the provider, client overrides,
//! tokens) stays on the server.
//!
//! Knows nothing about sessions, HTTP or how the values are sent.

use serde_json::{Map, Value};

use super::AWS_EXTERNAL_ID;
use crate::catalogue::{AuthMode, Provider};
use crate::prelude::*;

/// The entries of `connection_config` a reconnect form of `provider` may start with.
pub fn reconnect_values(
    provider: &Provider,
    connection_config: &Map<String, Value>,
) -> Map<String, Value> {
    let aws = (*provider.auth_mode() == AuthMode::AwsSigV4).then_some(AWS_EXTERNAL_ID);
    provider
        .connection_config()
        .iter()
        .filter(|f| !f.hidden && !f.automated && !f.secret)
        .map(|f| f.name.as_str())
        .chain(aws)
        .filter_map(|name| match connection_config.get(name) {
            Some(Value::String(s)) => Some((name.to_owned(), Value::String(s.clone()))),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::form::{FieldGroup, FormOptions, build_form};

    fn provider() -> Provider {
        let value = json!({"display_name": "P", "auth_mode": "API_KEY", "connection_config": {
            "subdomain": {"type": "string", "title": "Subdomain"},
            "region": {"type": "string", "enum": ["eu", "us"]},
            "token": {"type": "string", "secret": true},
            "tenant": {"type": "string", "hidden": true},
            "instance": {"type": "string", "automated": true},
            "count": {"type": "string"}
        }});
        Provider::from_json("p", &value).expect("a valid provider")
    }

    #[test]
    fn only_shown_plain_string_fields_are_kept() {
        let stored = json!({"subdomain": "acme", "region": "eu", "token": "s3cret", "tenant": "t",
            "instance": "i", "count": 5, "oauth_client_secret_override": "x"});
        let kept = reconnect_values(&provider(), stored.as_object().expect("an object"));
        assert_eq!(
            Value::Object(kept),
            json!({"subdomain": "acme", "region": "eu"})
        );
    }

    #[test]
    fn an_aws_connection_keeps_its_external_id() {
        let value = json!({"display_name": "A", "auth_mode": "AWS_SIGV4",
            "credentials": {"role_arn": {"type": "string"}}});
        let aws = Provider::from_json("a", &value).expect("a valid provider");
        let stored = json!({"external_id": "e-1", "role_session": "x"});
        let kept = reconnect_values(&aws, stored.as_object().expect("an object"));
        assert_eq!(Value::Object(kept.clone()), json!({"external_id": "e-1"}));
        let options = FormOptions {
            reconnect: kept,
            ..FormOptions::default()
        };
        assert_eq!(build_form(&aws, &options).aws_external_id(), Some("e-1"));
        let other = reconnect_values(&provider(), stored.as_object().expect("an object"));
        assert!(other.is_empty(), "only AWS_SIGV4's");
    }

    #[test]
    fn a_reconnect_form_starts_with_them_and_the_session_still_wins() {
        let reconnect: Map<String, Value> = [
            ("subdomain".to_owned(), json!("acme")),
            ("region".to_owned(), json!("us")),
        ]
        .into_iter()
        .collect();
        let options = FormOptions {
            connection_config: [("region".to_owned(), json!("eu"))].into_iter().collect(),
            reconnect,
            ..FormOptions::default()
        };
        let form = build_form(&provider(), &options);
        let initial = |name: &str| {
            form.field(FieldGroup::Params, name)
                .map(|f| (f.initial.clone(), f.hidden))
        };
        assert_eq!(initial("subdomain"), Some((Some(json!("acme")), false)));
        assert_eq!(
            initial("region"),
            Some((Some(json!("eu")), true)),
            "preconfigured"
        );
        assert_eq!(initial("count"), Some((Some(json!("")), false)));
    }
}
