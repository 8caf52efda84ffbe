//! The Connect form's exports: `buildForm` (Connect UI's form model for a provider) and
//! `validateConnectionConfig` (what the user typed, checked against that form).
//!
//! Glue only: arguments are read as JSON, core decides, results are written back. Form objects
//! use camelCase (they are connkit's own shape); values that go to Nango keep Nango's names.
//! Knows nothing about tags, sessions or metadata.

use connkit_core::catalogue::Provider;
use connkit_core::field::{check_submitted, with_json_values};
use connkit_core::form::{
    FieldGroup, FieldKind, FieldRule, Form, FormField, FormOptions, SubmitMode, build_form,
};
use connkit_core::{Issue, JsonType};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::kept_form;
use super::keystroke::{self, Keystroke};
use crate::js;
use crate::prelude::*;
use crate::read::{json, object_arg, option, option_issue};
use crate::regexp::JsRegExp;
use crate::write::{failure, failure_of, issues, object, string_array, strings, to_js};

/// The Connect UI form for a resolved provider entry (`provider.name` names it). The form object
/// returned stands for the form afterwards: given to `validateConnectionConfig` in place of the
/// provider, it is checked without being built again (`js/forms.js` keeps its rules).
#[wasm_bindgen(js_name = buildForm)]
pub fn build_form_js(provider: JsValue, options: JsValue) -> JsValue {
    match read_form(&provider, &options) {
        Ok((provider, form)) => {
            let view = to_js(&form_view(&form));
            js::keep_form(
                &view,
                &kept_form::encode(form.fields()),
                &wasm_bindgen::memory(),
            );
            js::ok_warn(view, issues(provider.issues()))
        }
        Err(issue_list) => js::fail(issues(&issue_list)),
    }
}

/// Validates a Connect UI submission `{ credentials, params, assertion_option }` (or, with
/// `options.group`, one group's object such as a connection_config) against the provider's form.
/// `provider` may be a form `buildForm` returned: the values are then checked against that form
/// as it was built, and `options` is read for `group` only.
#[wasm_bindgen(js_name = validateConnectionConfig)]
pub fn validate_connection_config(provider: JsValue, values: JsValue, options: JsValue) -> JsValue {
    match keystroke::check(&provider, &values, &options) {
        Keystroke::Answer(answer) => return answer,
        Keystroke::Json(fields) => return check(&fields, &values, &options),
        Keystroke::NotKept => {}
    }
    match read_form(&provider, &options) {
        Ok((_, form)) => check(form.fields(), &values, &options),
        Err(issue_list) => js::fail(issues(&issue_list)),
    }
}

/// `values` (a submission, or one group's object with `options.group`) checked against a form's
/// `fields`.
fn check(fields: &[FormField], values: &JsValue, options: &JsValue) -> JsValue {
    let group = match option(options, "group").map(|g| g.as_string()) {
        None => None,
        Some(Some(name)) if FieldGroup::parse(&name).is_some() => FieldGroup::parse(&name),
        Some(_) => return failure_of(&option_issue("group", JsonType::String)),
    };
    let values = match json(values) {
        Ok(it) => it,
        Err(issue) => return failure_of(&issue),
    };
    with_json_values(&values, group, |values| {
        let mut kept = Vec::new();
        match check_submitted(fields, values, &JsRegExp, &mut |group, _, key, value| {
            kept.push((group, key, value));
        }) {
            Ok(warnings) => js::ok_warn(submission_view(&kept), issues(&warnings)),
            Err(err) => failure(&err),
        }
    })
}

/// The values a submission keeps (`(group, key, value)`, in order) as Connect UI submits them:
/// `{ credentials, params, assertion_option }`, non-empty groups only.
fn submission_view(kept: &[(FieldGroup, &str, &str)]) -> JsValue {
    let out = js_sys::Object::new().into();
    for group in FieldGroup::ALL {
        let pairs = kept.iter().filter(|(g, _, _)| *g == group);
        if pairs.clone().next().is_some() {
            let values = strings(pairs.map(|(_, k, v)| (*k, *v)));
            js::put(&out, &JsValue::from_str(group.as_str()), &values);
        }
    }
    out
}

/// The provider (named by its `name` key) and its form, or the issues that prevent them.
fn read_form(provider: &JsValue, options: &JsValue) -> Result<(Provider, Form), Vec<Issue>> {
    let entry = json(provider).map_err(|it| vec![it])?;
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let provider = Provider::from_json(&name, &entry).map_err(|e| e.into_issues())?;
    let options = form_options(options)?;
    let form = build_form(&provider, &options);
    Ok((provider, form))
}

/// `{ connectionConfig, credentialsLabel, preconfiguredCredentials, docsConnect }`, all optional.
fn form_options(options: &JsValue) -> Result<FormOptions, Vec<Issue>> {
    let mut out = FormOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(out);
    }
    let map = object_arg(options, "options", false).map_err(|it| vec![it])?;
    let mut problems = Vec::new();
    let mut wrong = |key: &str, expected| problems.push(option_issue(key, expected));
    for (key, value) in &map {
        match (key.as_str(), value) {
            ("connectionConfig", Value::Object(config)) => out.connection_config = config.clone(),
            ("credentialsLabel", Value::Object(labels)) => {
                for (field, label) in labels {
                    match label.as_str() {
                        Some(label) => {
                            out.credentials_label
                                .insert(field.clone(), label.to_owned());
                        }
                        None => wrong("credentialsLabel", JsonType::String),
                    }
                }
            }
            ("preconfiguredCredentials", Value::Array(names)) => {
                for name in names {
                    match name.as_str() {
                        Some(name) => out.preconfigured_credentials.push(name.to_owned()),
                        None => wrong("preconfiguredCredentials", JsonType::String),
                    }
                }
            }
            ("docsConnect", Value::String(docs)) => out.docs_connect = Some(docs.clone()),
            ("docsConnect" | "connectionConfig" | "credentialsLabel", Value::Null) => {}
            ("connectionConfig" | "credentialsLabel", _) => wrong(key, JsonType::Object),
            ("preconfiguredCredentials", _) => wrong(key, JsonType::Array),
            ("docsConnect", _) => wrong(key, JsonType::String),
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn form_view(form: &Form) -> Value {
    let submit = match form.submit_mode() {
        SubmitMode::Create => "create",
        SubmitMode::Popup => "popup",
        SubmitMode::Credentials => "credentials",
    };
    object(vec![
        ("authMode", form.auth_mode().as_str().into()),
        ("submit", submit.into()),
        ("connectDirectly", form.connect_directly().into()),
        ("docsConnect", form.docs_connect().into()),
        ("awsExternalId", form.aws_external_id().into()),
        (
            "fields",
            Value::Array(form.fields().iter().map(field_view).collect()),
        ),
    ])
}

fn field_view(field: &FormField) -> Value {
    let (kind, options) = match &field.kind {
        FieldKind::Text => ("text", Value::Null),
        FieldKind::Password => ("password", Value::Null),
        FieldKind::Select(options) => (
            "select",
            options
                .iter()
                .map(|o| {
                    object(vec![
                        ("value", o.value.as_str().into()),
                        ("label", o.label.as_str().into()),
                    ])
                })
                .collect(),
        ),
    };
    let mut view = object(vec![
        ("group", field.group.as_str().into()),
        ("name", field.name.as_str().into()),
        ("label", field.label.as_str().into()),
        ("description", field.description.as_deref().into()),
        ("placeholder", field.placeholder.as_str().into()),
        ("optional", field.optional.into()),
        ("kind", kind.into()),
        ("options", options),
        ("hidden", field.hidden.into()),
        ("preconfigured", field.preconfigured.into()),
        ("prefix", field.prefix.as_deref().into()),
        ("suffix", field.suffix.as_deref().into()),
        ("docLink", field.doc_link.as_deref().into()),
        ("order", field.order.into()),
        ("rule", rule_view(&field.rule)),
    ]);
    if let (Some(initial), Value::Object(map)) = (&field.initial, &mut view) {
        map.insert("initial".to_owned(), initial.clone());
    }
    view
}

fn rule_view(rule: &FieldRule) -> Value {
    match rule {
        FieldRule::AnyString => object(vec![("kind", "any".into())]),
        FieldRule::OneOf { values, optional } => object(vec![
            ("kind", "oneOf".into()),
            ("values", string_array(values)),
            ("optional", (*optional).into()),
        ]),
        FieldRule::Text {
            optional,
            non_empty,
            format,
            pattern,
        } => object(vec![
            ("kind", "text".into()),
            ("optional", (*optional).into()),
            ("nonEmpty", (*non_empty).into()),
            ("format", format.as_ref().map(|f| f.as_str()).into()),
            ("pattern", pattern.as_deref().into()),
        ]),
    }
}
