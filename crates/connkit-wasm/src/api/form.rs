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
use crate::write::{failure, failure_of, issues, js_array, js_object, maybe, strings, text, to_js};

/// The Connect UI form for a resolved provider entry (`provider.name` names it). The form object
/// returned stands for the form afterwards: given to `validateConnectionConfig` in place of the
/// provider, it is checked without being built again (`js/forms.js` keeps its rules).
#[wasm_bindgen(js_name = buildForm)]
pub fn build_form_js(provider: JsValue, options: JsValue) -> JsValue {
    match read_form(&provider, &options) {
        Ok((provider, form)) => {
            let view = form_view(&form);
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

fn form_view(form: &Form) -> JsValue {
    let submit = match form.submit_mode() {
        SubmitMode::Create => "create",
        SubmitMode::Popup => "popup",
        SubmitMode::Credentials => "credentials",
    };
    js_object(&[
        ("authMode", text(form.auth_mode().as_str())),
        ("submit", text(submit)),
        ("connectDirectly", form.connect_directly().into()),
        ("docsConnect", maybe(form.docs_connect())),
        ("awsExternalId", maybe(form.aws_external_id())),
        ("fields", js_array(form.fields().iter().map(field_view))),
    ])
}

fn field_view(field: &FormField) -> JsValue {
    let (kind, options) = match &field.kind {
        FieldKind::Text => ("text", JsValue::NULL),
        FieldKind::Password => ("password", JsValue::NULL),
        FieldKind::Select(options) => (
            "select",
            js_array(
                options
                    .iter()
                    .map(|o| js_object(&[("value", text(&o.value)), ("label", text(&o.label))])),
            ),
        ),
    };
    let view = js_object(&[
        ("group", text(field.group.as_str())),
        ("name", text(&field.name)),
        ("label", text(&field.label)),
        ("description", maybe(field.description.as_deref())),
        ("placeholder", text(&field.placeholder)),
        ("optional", field.optional.into()),
        ("kind", text(kind)),
        ("options", options),
        ("hidden", field.hidden.into()),
        ("preconfigured", field.preconfigured.into()),
        ("prefix", maybe(field.prefix.as_deref())),
        ("suffix", maybe(field.suffix.as_deref())),
        ("docLink", maybe(field.doc_link.as_deref())),
        ("order", JsValue::from_f64(field.order)),
        ("rule", rule_view(&field.rule)),
    ]);
    if let Some(initial) = &field.initial {
        js::put(&view, &text("initial"), &to_js(initial));
    }
    view
}

fn rule_view(rule: &FieldRule) -> JsValue {
    match rule {
        FieldRule::AnyString => js_object(&[("kind", text("any"))]),
        FieldRule::OneOf { values, optional } => js_object(&[
            ("kind", text("oneOf")),
            ("values", js_array(values.iter().map(|v| text(v)))),
            ("optional", (*optional).into()),
        ]),
        FieldRule::Text {
            optional,
            non_empty,
            format,
            pattern,
        } => js_object(&[
            ("kind", text("text")),
            ("optional", (*optional).into()),
            ("nonEmpty", (*non_empty).into()),
            ("format", maybe(format.as_ref().map(|f| f.as_str()))),
            ("pattern", maybe(pattern.as_deref())),
        ]),
    }
}
