//! The Connect UI form model (spec §4.3, Connect UI's `Go.tsx`): which fields a provider asks
//! for, in which order, with which label, input kind, initial value and rule, given what the
//! connect session and the integration preconfigure.
//!
//! Pure data for a renderer (the widget) and for validation (`field.rs`), each field's
//! [`FieldRule`] included (`form/rule.rs`). Knows nothing about the DOM, i18n of UI strings,
//! HTTP or how values are checked.

mod reconnect;
mod render;
mod rule;

use alloc::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::catalogue::{AuthMode, FieldSchema, Provider};
use crate::prelude::*;
use render::{Ctx, OAUTH_OVERRIDES};

pub use reconnect::reconnect_values;

/// The connection_config key of AWS_SIGV4's External ID.
const AWS_EXTERNAL_ID: &str = "external_id";
pub use rule::FieldRule;

/// Where a field's value goes when the form is submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldGroup {
    /// `credentials.*`
    Credentials,
    /// `params.*`, i.e. connection_config.
    Params,
    /// `assertion_option.*`
    AssertionOption,
}

impl FieldGroup {
    /// Every group, in submission order.
    pub const ALL: [FieldGroup; 3] = [
        FieldGroup::Credentials,
        FieldGroup::Params,
        FieldGroup::AssertionOption,
    ];

    /// `"credentials"`, `"params"` or `"assertion_option"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldGroup::Credentials => "credentials",
            FieldGroup::Params => "params",
            FieldGroup::AssertionOption => "assertion_option",
        }
    }

    /// The group named `name`.
    pub fn parse(name: &str) -> Option<FieldGroup> {
        FieldGroup::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

/// One choice of a select input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    /// The submitted value (`''` for the "none" entry of an optional select).
    pub value: String,
    /// What the user sees.
    pub label: String,
}

/// How a field is entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A text input.
    Text,
    /// A password input (`secret`, or a built-in secret such as `apiKey` or `password`).
    Password,
    /// A select over the field's `enum`; an optional select starts with a "none" option (`''`).
    Select(Vec<SelectOption>),
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FormField {
    /// Where the value goes.
    pub group: FieldGroup,
    /// The key in its group.
    pub name: String,
    /// The integration's `credentials_label`, else `title`, else a built-in label ("API Key"…), else the name.
    pub label: String,
    /// `description`, unless the label is overridden.
    pub description: Option<String>,
    /// `example`, else `title`, else a built-in example; empty when the label is overridden.
    /// For a select: its title.
    pub placeholder: String,
    /// Shown with an "optional" badge instead of a required mark.
    pub optional: bool,
    /// Input kind.
    pub kind: FieldKind,
    /// The initial value: a preconfigured session value (any JSON, as given), else `default_value`,
    /// else nothing for a hidden field, else the first value of a required select, else `''`.
    pub initial: Option<Value>,
    /// Not shown (still submitted): `hidden`, `automated`, or preconfigured by the session.
    pub hidden: bool,
    /// The session's connection_config defaults set this field.
    pub preconfigured: bool,
    /// Decoration before the input (not part of the value).
    pub prefix: Option<String>,
    /// Decoration after the input (not part of the value).
    pub suffix: Option<String>,
    /// The help link: the session's docs override as is, else `docs_connect` + `doc_section`.
    pub doc_link: Option<String>,
    /// Sort key (base credentials 100, 101, …; a connection_config `order`).
    pub order: f64,
    /// What the field accepts.
    pub rule: FieldRule,
}

impl FormField {
    /// A field with only what checking values reads (`group`, `name`, `rule`; the rest empty):
    /// for a host that keeps a built form's rules rather than the form (`crate::field`'s
    /// `*_fields` functions take such fields).
    pub fn for_checking(group: FieldGroup, name: String, rule: FieldRule) -> FormField {
        FormField {
            group,
            name,
            label: String::new(),
            description: None,
            placeholder: String::new(),
            optional: false,
            kind: FieldKind::Text,
            initial: None,
            hidden: false,
            preconfigured: false,
            prefix: None,
            suffix: None,
            doc_link: None,
            order: 0.0,
            rule,
        }
    }

    /// `[group, name]`, the path issues about this field use.
    pub fn path(&self) -> Vec<String> {
        vec![self.group.as_str().to_owned(), self.name.clone()]
    }
}

/// Which `@nangohq/frontend` call submits the form (spec §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmitMode {
    /// `nango.create(key, {params})`: auth mode `NONE`.
    Create,
    /// `nango.auth(key, {...values})` in a popup: OAuth-style modes.
    Popup,
    /// `nango.auth(key, {params, credentials: {...credentials, type}, …})`: every other mode.
    Credentials,
}

/// What the session and the integration preconfigure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormOptions {
    /// The session's `integrations_config_defaults[integration].connection_config`.
    pub connection_config: Map<String, Value>,
    /// The integration's `credentials_label` (field name → label).
    pub credentials_label: BTreeMap<String, String>,
    /// The integration's `preconfigured_credentials` (TWO_STEP fields set at integration level).
    pub preconfigured_credentials: Vec<String>,
    /// The session's `overrides[integration].docs_connect`.
    pub docs_connect: Option<String>,
    /// A reconnect session's values of the connection it reconnects ([`reconnect_values`]): a
    /// `params.*` field the session does not preconfigure starts with its value.
    pub reconnect: Map<String, Value>,
}

/// The built form.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    auth_mode: AuthMode,
    fields: Vec<FormField>,
    docs_connect: Option<String>,
    submit_mode: SubmitMode,
    external_id: Option<String>,
}

impl Form {
    /// The fields in display order (hidden ones included: they are submitted too).
    pub fn fields(&self) -> &[FormField] {
        &self.fields
    }

    /// One field.
    pub fn field(&self, group: FieldGroup, name: &str) -> Option<&FormField> {
        self.fields
            .iter()
            .find(|f| f.group == group && f.name == name)
    }

    /// The provider's auth mode.
    pub fn auth_mode(&self) -> &AuthMode {
        &self.auth_mode
    }

    /// True when every field is hidden (or there are none): Connect UI shows "We'll connect you
    /// to {provider}." and the user only clicks Connect. Not an automatic submit.
    pub fn connect_directly(&self) -> bool {
        self.fields.iter().all(|f| f.hidden)
    }

    /// The guide linked in the footer: the session override, else the provider's `docs_connect`.
    pub fn docs_connect(&self) -> Option<&str> {
        self.docs_connect.as_deref()
    }

    /// How the form is submitted.
    pub fn submit_mode(&self) -> SubmitMode {
        self.submit_mode
    }

    /// AWS_SIGV4 only: the preconfigured `external_id` (else, reconnecting, the connection's),
    /// if a non-empty string. When absent the host generates a random UUID (v4) to show and
    /// submit as `params.external_id`.
    pub fn aws_external_id(&self) -> Option<&str> {
        self.external_id.as_deref()
    }
}
/// The credentials every provider of a mode asks for, before providers.yaml adds its own.
fn base_fields(mode: &AuthMode) -> &'static [&'static str] {
    match mode {
        AuthMode::ApiKey => &["apiKey"],
        AuthMode::Basic | AuthMode::Signature => &["username", "password"],
        AuthMode::OAuth2Cc => &[
            "client_id",
            "client_secret",
            "client_certificate",
            "client_private_key",
        ],
        AuthMode::Tba => &[
            "oauth_client_id_override",
            "oauth_client_secret_override",
            "token_id",
            "token_secret",
        ],
        AuthMode::Bill => &["username", "password", "organization_id", "dev_key"],
        AuthMode::AwsSigV4 => &["role_arn"],
        _ => &[],
    }
}

fn submit_mode(provider: &Provider) -> SubmitMode {
    match provider.auth_mode() {
        AuthMode::None => SubmitMode::Create,
        AuthMode::OAuth2 if provider.installation().is_none() => SubmitMode::Popup,
        AuthMode::OAuth1
        | AuthMode::Custom
        | AuthMode::App
        | AuthMode::McpOAuth2
        | AuthMode::McpOAuth2Generic
        | AuthMode::InstallPlugin => SubmitMode::Popup,
        _ => SubmitMode::Credentials,
    }
}
/// Builds the form for `provider` (spec §4.3):
/// 1. the mode's base credentials (`client_certificate`/`client_private_key` only with
///    `require_client_certificate`, no `client_secret` with `private_key_jwt`), ordered 100, 101, …;
/// 2. `credentials` (for TWO_STEP also `integration_config` fields missing from it, required),
///    replacing a base field of the same name or added next; `automated` ones and the
///    integration's `preconfigured_credentials` are left out;
/// 3. `connection_config` (not `automated`) as `params`, at their `order` when non-zero;
/// 4. `assertion_option` (not `automated`);
/// 5. OAUTH2: an optional credentials field per OAuth override key the session preconfigures.
///
/// Then a stable sort by order.
///
/// Where connkit departs from Connect UI on purpose: a field without `doc_section` links to
/// `docs_connect` itself (Connect UI appends the text `undefined`); the OAuth override fields are
/// marked optional, as their rule is (Connect UI shows a required mark on them); a label falls
/// back to the field name; `automated` assertion_option fields are left out like the others.
pub fn build_form(provider: &Provider, options: &FormOptions) -> Form {
    let mode = provider.auth_mode();
    let fallback: Vec<FieldSchema> = if *mode == AuthMode::TwoStep {
        let creds = provider.credentials();
        provider
            .integration_config()
            .iter()
            .filter(|f| !creds.iter().any(|c| c.name == f.name))
            .map(|f| FieldSchema {
                optional: false,
                ..f.clone()
            })
            .collect()
    } else {
        Vec::new()
    };
    let definition = |name: &str| {
        provider
            .credentials()
            .iter()
            .chain(fallback.iter())
            .find(|f| f.name == name)
    };
    let ctx = Ctx::new(provider, options);
    let mut fields: Vec<FormField> = Vec::new();
    let mut counter = 99.0;
    let mut next = || {
        counter += 1.0;
        counter
    };

    for &name in base_fields(mode) {
        let is_cert = name == "client_certificate" || name == "client_private_key";
        if (is_cert && !provider.require_client_certificate())
            || (name == "client_secret"
                && provider.token_request_auth_method() == Some("private_key_jwt"))
        {
            continue;
        }
        fields.push(ctx.render(
            FieldGroup::Credentials,
            name,
            definition(name),
            FieldRule::required(),
            next(),
        ));
    }
    for schema in provider.credentials().iter().chain(fallback.iter()) {
        if schema.automated || options.preconfigured_credentials.contains(&schema.name) {
            continue;
        }
        let rule = FieldRule::from_schema(schema);
        match fields
            .iter_mut()
            .find(|f| f.group == FieldGroup::Credentials && f.name == schema.name)
        {
            Some(existing) => {
                *existing = ctx.render(
                    FieldGroup::Credentials,
                    &schema.name,
                    Some(schema),
                    rule,
                    existing.order,
                )
            }
            None => fields.push(ctx.render(
                FieldGroup::Credentials,
                &schema.name,
                Some(schema),
                rule,
                next(),
            )),
        }
    }
    for schema in provider.connection_config().iter().filter(|f| !f.automated) {
        let order = match schema.order {
            Some(n) if n != 0.0 => n,
            _ => next(),
        };
        fields.push(ctx.render(
            FieldGroup::Params,
            &schema.name,
            Some(schema),
            FieldRule::from_schema(schema),
            order,
        ));
    }
    for schema in provider.assertion_option().iter().filter(|f| !f.automated) {
        fields.push(ctx.render(
            FieldGroup::AssertionOption,
            &schema.name,
            Some(schema),
            FieldRule::from_schema(schema),
            next(),
        ));
    }
    if *mode == AuthMode::OAuth2 {
        for key in OAUTH_OVERRIDES {
            let taken = fields
                .iter()
                .any(|f| f.name == key && f.group != FieldGroup::AssertionOption);
            if options.connection_config.contains_key(key) && !taken {
                let mut field = ctx.render(
                    FieldGroup::Credentials,
                    key,
                    None,
                    FieldRule::AnyString,
                    next(),
                );
                field.optional = true;
                fields.push(field);
            }
        }
    }
    // By `order`, as `f64::total_cmp` orders it; a stable sort.
    let keys: Vec<(u8, u64)> = fields.iter().map(|f| (0, total_order(f.order))).collect();
    let mut slots: Vec<Option<FormField>> = fields.into_iter().map(Some).collect();
    let fields: Vec<FormField> = crate::js::stable_order(&keys)
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect();

    // The session's, else (reconnecting) the connection's own.
    let external_id = (*mode == AuthMode::AwsSigV4)
        .then(|| {
            [&options.connection_config, &options.reconnect]
                .into_iter()
                .find_map(|values| values.get(AWS_EXTERNAL_ID).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
        .flatten();
    Form {
        auth_mode: mode.clone(),
        fields,
        docs_connect: ctx.docs.map(|(url, _)| url.to_owned()),
        submit_mode: submit_mode(provider),
        external_id,
    }
}
/// A key whose unsigned order is `f64::total_cmp`'s order: negative numbers (and NaNs with
/// the sign bit) have every bit flipped, the rest only the sign bit.
fn total_order(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn provider(entry: Value) -> Provider {
        Provider::from_json("p", &entry).unwrap_or_else(|err| panic!("{err}"))
    }

    fn ids(form: &Form) -> Vec<String> {
        form.fields().iter().map(|f| f.path().join(".")).collect()
    }

    #[test]
    fn total_order_keys_sort_like_total_cmp() {
        let values = [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            1.0,
            -1.0,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            2.5,
            -2.5,
        ];
        for a in values {
            for b in values {
                assert_eq!(
                    total_order(a).cmp(&total_order(b)),
                    a.total_cmp(&b),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn base_fields_per_mode() {
        let cases: [(&str, &[&str]); 6] = [
            ("API_KEY", &["credentials.apiKey"]),
            ("BASIC", &["credentials.username", "credentials.password"]),
            (
                "OAUTH2_CC",
                &["credentials.client_id", "credentials.client_secret"],
            ),
            ("AWS_SIGV4", &["credentials.role_arn"]),
            ("JWT", &[]),
            ("MCP_OAUTH2", &[]),
        ];
        for (mode, want) in cases {
            let form = build_form(
                &provider(json!({"display_name": "P", "auth_mode": mode})),
                &FormOptions::default(),
            );
            assert_eq!(ids(&form), want, "{mode}");
            assert!(
                form.fields()
                    .iter()
                    .all(|f| f.rule == FieldRule::required())
            );
        }
    }

    #[test]
    fn ordered_params_go_first_and_ties_keep_declaration_order() {
        let p = provider(
            json!({"display_name": "P", "auth_mode": "API_KEY", "connection_config": {
            "c": {"title": "C"}, "b": {"order": 5}, "a": {"order": 5}, "z": {"order": 0}}}),
        );
        let form = build_form(&p, &FormOptions::default());
        assert_eq!(
            ids(&form),
            [
                "params.b",
                "params.a",
                "credentials.apiKey",
                "params.c",
                "params.z"
            ]
        );
        let orders: Vec<f64> = form.fields().iter().map(|f| f.order).collect();
        assert_eq!(orders, [5.0, 5.0, 100.0, 101.0, 102.0]);
    }

    #[test]
    fn session_defaults_hide_params_and_open_oauth_overrides() {
        let p = provider(
            json!({"display_name": "P", "auth_mode": "OAUTH2", "connection_config": {"subdomain": {"title": "S"}}}),
        );
        let mut options = FormOptions::default();
        options
            .connection_config
            .insert("subdomain".into(), json!("acme"));
        let form = build_form(&p, &options);
        assert!(form.connect_directly());
        assert_eq!(
            form.field(FieldGroup::Params, "subdomain")
                .and_then(|f| f.initial.clone()),
            Some(json!("acme"))
        );
        options
            .connection_config
            .insert("oauth_refresh_token_override".into(), json!(""));
        let form = build_form(&p, &options);
        let field = form.field(FieldGroup::Credentials, "oauth_refresh_token_override");
        assert_eq!(
            field.map(|f| (f.optional, f.hidden, &f.kind, &f.rule)),
            Some((true, false, &FieldKind::Password, &FieldRule::AnyString))
        );
        assert!(!form.connect_directly());
        assert_eq!(form.submit_mode(), SubmitMode::Popup);
    }

    #[test]
    fn doc_links_and_labels() {
        let p = provider(
            json!({"display_name": "P", "auth_mode": "API_KEY", "docs_connect": "https://d",
            "credentials": {"apiKey": {"title": "Token", "description": "help", "doc_section": "#a"}}}),
        );
        let field = |options: &FormOptions| build_form(&p, options).fields().first().cloned();
        let plain = field(&FormOptions::default());
        assert_eq!(
            plain.as_ref().and_then(|f| f.doc_link.clone()).as_deref(),
            Some("https://d#a")
        );
        assert_eq!(
            plain
                .as_ref()
                .map(|f| (f.label.as_str(), f.description.as_deref())),
            Some(("Token", Some("help")))
        );
        let options = FormOptions {
            docs_connect: Some("https://o".into()),
            credentials_label: [("apiKey".to_owned(), "Mine".to_owned())]
                .into_iter()
                .collect(),
            ..FormOptions::default()
        };
        let custom = field(&options);
        assert_eq!(
            custom.as_ref().map(|f| (
                f.label.as_str(),
                f.description.as_deref(),
                f.placeholder.as_str()
            )),
            Some(("Mine", None, ""))
        );
        assert_eq!(
            custom.and_then(|f| f.doc_link).as_deref(),
            Some("https://o")
        );
        let none = provider(json!({"display_name": "P", "auth_mode": "API_KEY"}));
        assert_eq!(
            build_form(&none, &FormOptions::default())
                .fields()
                .first()
                .map(|f| f.doc_link.clone()),
            Some(None)
        );
    }

    #[test]
    fn group_names_round_trip() {
        for group in FieldGroup::ALL {
            assert_eq!(FieldGroup::parse(group.as_str()), Some(group));
        }
        assert_eq!(FieldGroup::parse("connection_config"), None);
    }
}
