//! How one Connect UI field is presented (spec §4.3 "Rendering of each field"): label,
//! description, placeholder, input kind, initial value, visibility and help link, from the
//! field's schema, Connect UI's built-in credential defaults and the session's settings.
//!
//! Knows nothing about ordering or which fields a form has; `form.rs` decides that.

use serde_json::Value;

use super::{FieldGroup, FieldKind, FieldRule, FormField, FormOptions, SelectOption};
use crate::catalogue::{AuthMode, FieldSchema, Provider};
use crate::prelude::*;

/// The connection_config keys an OAUTH2 session may preconfigure to let the end user bring their own app.
pub(super) const OAUTH_OVERRIDES: [&str; 3] = [
    "oauth_client_id_override",
    "oauth_client_secret_override",
    "oauth_refresh_token_override",
];

/// Connect UI's built-in credential fields: (name, label, placeholder, secret).
const BUILT_IN: &[(&str, &str, &str, bool)] = &[
    ("apiKey", "API Key", "Your API Key", true),
    ("username", "User Name", "Your user name", false),
    ("password", "Password", "Your password", true),
    ("pat_name", "Personal App Token", "Your PAT", false),
    (
        "pat_secret",
        "Personal App Token Secret",
        "Your PAT Secret",
        true,
    ),
    ("content_url", "Content URL", "Your content URL", true),
    ("client_id", "Client ID", "Your Client ID", false),
    ("client_secret", "Client Secret", "Your Client Secret", true),
    (
        "client_certificate",
        "Client Certificate",
        "Your Client Certificate",
        true,
    ),
    (
        "client_private_key",
        "Private Key",
        "Your Private Key",
        true,
    ),
    (
        "oauth_client_id_override",
        "OAuth Client ID",
        "Your OAuth Client ID",
        false,
    ),
    (
        "oauth_client_secret_override",
        "OAuth Client Secret",
        "Your OAuth Client Secret",
        true,
    ),
    (
        "oauth_refresh_token_override",
        "Refresh Token",
        "Your Refresh Token",
        true,
    ),
    ("token_id", "Token ID", "Your Token ID", true),
    ("token_secret", "Token Secret", "Token Secret", true),
    (
        "organization_id",
        "Organization ID",
        "Your Organization ID",
        false,
    ),
    ("dev_key", "Developer Key", "Your Developer Key", true),
    (
        "role_arn",
        "IAM Role ARN",
        "arn:aws:iam::123456789012:role/NangoAccessRole",
        false,
    ),
    ("issuerId", "Issuer ID", "Your Issuer ID", false),
    ("privateKeyId", "Key ID", "Your Key ID", false),
    ("privateKey", "Private Key", "Your Private Key", true),
];

pub(super) fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// What every field's rendering needs.
pub(super) struct Ctx<'a> {
    options: &'a FormOptions,
    mode: &'a AuthMode,
    /// The guide URL and whether it is the session's override (which gets no `doc_section`).
    pub(super) docs: Option<(&'a str, bool)>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(provider: &'a Provider, options: &'a FormOptions) -> Ctx<'a> {
        let docs = match non_empty(&options.docs_connect) {
            Some(url) => Some((url, true)),
            None => provider.docs_connect().map(|url| (url, false)),
        };
        Ctx {
            options,
            mode: provider.auth_mode(),
            docs,
        }
    }

    pub(super) fn render(
        &self,
        group: FieldGroup,
        name: &str,
        definition: Option<&FieldSchema>,
        rule: FieldRule,
        order: f64,
    ) -> FormField {
        let creds = group == FieldGroup::Credentials;
        let built_in = BUILT_IN.iter().find(|b| creds && b.0 == name);
        let label_override = self
            .options
            .credentials_label
            .get(name)
            .filter(|l| creds && !l.is_empty())
            .map(String::as_str);
        let preset = if group == FieldGroup::Params {
            self.options.connection_config.get(name)
        } else {
            None
        };
        let attr =
            |get: fn(&FieldSchema) -> &Option<String>| definition.and_then(|d| non_empty(get(d)));
        let title = attr(|d| &d.title);
        let optional = definition.is_some_and(|d| d.optional);
        let enum_values = definition.map_or(&[][..], |d| d.enum_values.as_slice());
        let label = label_override
            .or(title)
            .or(built_in.map(|b| b.1))
            .unwrap_or(name)
            .to_owned();

        let (kind, placeholder) = if enum_values.is_empty() {
            let secret = definition.is_some_and(|d| d.secret) || built_in.is_some_and(|b| b.3);
            let placeholder = match label_override {
                Some(_) => "",
                None => attr(|d| &d.example)
                    .or(title)
                    .or(built_in.map(|b| b.2))
                    .unwrap_or(""),
            };
            (
                if secret {
                    FieldKind::Password
                } else {
                    FieldKind::Text
                },
                placeholder.to_owned(),
            )
        } else {
            let placeholder = title.unwrap_or(&label).to_owned();
            let none = optional.then(|| SelectOption {
                value: String::new(),
                label: placeholder.clone(),
            });
            let options = none
                .into_iter()
                .chain(enum_values.iter().map(|v| SelectOption {
                    value: v.clone(),
                    label: v.clone(),
                }))
                .collect();
            (FieldKind::Select(options), placeholder)
        };

        let hidden_attr = definition.is_some_and(|d| d.hidden);
        let reconnected = if group == FieldGroup::Params {
            self.options.reconnect.get(name)
        } else {
            None
        };
        let initial = match (
            preset.or(reconnected),
            definition.and_then(|d| d.default_value.as_ref()),
        ) {
            (Some(value), _) => Some(value.clone()),
            (None, Some(default)) => Some(Value::String(default.clone())),
            (None, None) if hidden_attr => None,
            (None, None) => Some(Value::String(
                if optional { None } else { enum_values.first() }
                    .cloned()
                    .unwrap_or_default(),
            )),
        };
        // An OAUTH2 override preconfigured as '' stays visible so the end user can fill it in.
        let open_override = *self.mode == AuthMode::OAuth2
            && preset.and_then(Value::as_str) == Some("")
            && OAUTH_OVERRIDES.contains(&name);
        let hidden = (preset.is_some() && !open_override)
            || hidden_attr
            || definition.is_some_and(|d| d.automated);
        let doc_link = self
            .docs
            .map(|(url, overridden)| match attr(|d| &d.doc_section) {
                Some(section) if !overridden => [url, section].concat(),
                _ => url.to_owned(),
            });

        FormField {
            group,
            name: name.to_owned(),
            label,
            description: if label_override.is_some() {
                None
            } else {
                attr(|d| &d.description).map(str::to_owned)
            },
            placeholder,
            optional,
            kind,
            initial,
            hidden,
            preconfigured: preset.is_some(),
            prefix: attr(|d| &d.prefix).map(str::to_owned),
            suffix: attr(|d| &d.suffix).map(str::to_owned),
            doc_link,
            order,
            rule,
        }
    }
}
