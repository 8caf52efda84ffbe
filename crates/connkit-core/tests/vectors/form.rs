//! Runner for `"kind": "form"` vectors: `provider` is one resolved providers.yaml entry (keys
//! `display_name` and `auth_mode` default to `"Test"` and `"NONE"` when absent), `options` the
//! session/integration settings, `expect` either `{"issues": [...]}` (the provider is rejected)
//! or the form: `fields` (same length and order; each field object is compared on the keys it
//! lists), `connect_directly`, `docs_connect`, `submit`, `aws_external_id`, `issues` (provider
//! warnings, default `[]`). Also shared with the `fields` runner.

use std::collections::BTreeMap;

use connkit_core::catalogue::Provider;
use connkit_core::form::{
    FieldKind, FieldRule, Form, FormField, FormOptions, SubmitMode, build_form,
};
use serde_json::{Map, Value, json};

/// The case's provider, with the defaults described above.
pub(crate) fn provider(case: &Value) -> Result<Provider, connkit_core::ValidationError> {
    let mut entry = case.get("provider").cloned().unwrap_or_else(|| json!({}));
    if let Value::Object(map) = &mut entry {
        map.entry("display_name").or_insert_with(|| json!("Test"));
        map.entry("auth_mode").or_insert_with(|| json!("NONE"));
    }
    Provider::from_json(case["provider_name"].as_str().unwrap_or("test"), &entry)
}

pub(crate) fn options(case: &Value) -> FormOptions {
    let o = &case["options"];
    let mut options = FormOptions::default();
    if let Some(map) = o["connection_config"].as_object() {
        options.connection_config = map.clone();
    }
    if let Some(map) = o["credentials_label"].as_object() {
        options.credentials_label = map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect::<BTreeMap<_, _>>();
    }
    if let Some(list) = o["preconfigured_credentials"].as_array() {
        options.preconfigured_credentials = list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    options.docs_connect = o["docs_connect"].as_str().map(str::to_owned);
    options
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

pub(crate) fn rule_view(rule: &FieldRule) -> Value {
    match rule {
        FieldRule::AnyString => json!({"kind": "any"}),
        FieldRule::OneOf { values, optional } => {
            json!({"kind": "one_of", "values": values, "optional": optional})
        }
        FieldRule::Text {
            optional,
            non_empty,
            format,
            pattern,
        } => {
            json!({"kind": "text", "optional": optional, "non_empty": non_empty, "format": format.as_ref().map(|f| f.as_str()), "pattern": pattern})
        }
    }
}

fn field_view(field: &FormField) -> Value {
    let (kind, options) = match &field.kind {
        FieldKind::Text => ("text", Value::Null),
        FieldKind::Password => ("password", Value::Null),
        FieldKind::Select(options) => (
            "select",
            options.iter().map(|o| json!([o.value, o.label])).collect(),
        ),
    };
    let mut view = json!({
        "id": format!("{}.{}", field.group.as_str(), field.name),
        "label": field.label,
        "description": field.description,
        "placeholder": field.placeholder,
        "optional": field.optional,
        "kind": kind,
        "options": options,
        "initial_undefined": field.initial.is_none(),
        "hidden": field.hidden,
        "preconfigured": field.preconfigured,
        "prefix": field.prefix,
        "suffix": field.suffix,
        "doc_link": field.doc_link,
        "order": number(field.order),
        "rule": rule_view(&field.rule),
    });
    if let (Some(initial), Value::Object(map)) = (&field.initial, &mut view) {
        map.insert("initial".to_owned(), initial.clone());
    }
    view
}

/// Compares `actual` with `want` on the keys `want` lists.
pub(crate) fn compare_subset(what: &str, actual: &Value, want: &Value) -> Result<(), String> {
    let want = want
        .as_object()
        .ok_or_else(|| format!("{what}: expected an object"))?;
    for (key, value) in want {
        let got = actual.get(key).unwrap_or(&Value::Null);
        if actual.get(key).is_none() && key != "initial_undefined" {
            return Err(format!("{what}.{key}: missing, want {value}"));
        }
        if got != value {
            return Err(format!("{what}.{key}: want {value}, got {got}"));
        }
    }
    Ok(())
}

fn submit(mode: SubmitMode) -> &'static str {
    match mode {
        SubmitMode::Create => "create",
        SubmitMode::Popup => "popup",
        SubmitMode::Credentials => "credentials",
    }
}

fn form_view(form: &Form) -> Value {
    json!({
        "fields": form.fields().iter().map(field_view).collect::<Vec<_>>(),
        "connect_directly": form.connect_directly(),
        "docs_connect": form.docs_connect(),
        "submit": submit(form.submit_mode()),
        "aws_external_id": form.aws_external_id(),
    })
}

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    let provider = match (provider(case), expect.get("fields")) {
        (Ok(provider), Some(_)) => provider,
        (Err(err), None) => return crate::compare_issues(err.issues(), &expect["issues"]),
        (Ok(_), None) => return Err("expected the provider to be rejected".to_owned()),
        (Err(err), Some(_)) => return Err(format!("provider rejected: {:?}", err.issues())),
    };
    crate::compare_issues(
        provider.issues(),
        expect.get("issues").unwrap_or(&json!([])),
    )?;
    let view = form_view(&build_form(&provider, &options(case)));
    let got_fields = view["fields"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let want_fields = expect["fields"]
        .as_array()
        .ok_or("expect.fields must be an array")?;
    let ids = |fields: &[Value]| {
        fields
            .iter()
            .map(|f| f["id"].as_str().unwrap_or("?").to_owned())
            .collect::<Vec<_>>()
    };
    if ids(got_fields) != ids(want_fields) {
        return Err(format!(
            "fields differ\n  want {:?}\n  got  {:?}",
            ids(want_fields),
            ids(got_fields)
        ));
    }
    for (got, want) in got_fields.iter().zip(want_fields) {
        compare_subset(want["id"].as_str().unwrap_or("?"), got, want)?;
    }
    let mut rest = expect.as_object().cloned().unwrap_or_else(Map::new);
    rest.remove("fields");
    rest.remove("issues");
    compare_subset("form", &view, &Value::Object(rest))
}

#[cfg(feature = "ecmascript-regex")]
#[test]
fn form_building_never_panics() {
    use crate::no_panic::{Rng, object, string, value};
    let mut rng = Rng::new(0x666f_726d);
    let matcher = connkit_core::pattern::EcmaRegex::new();
    let keys = [
        "credentials",
        "connection_config",
        "integration_config",
        "assertion_option",
    ];
    let modes = [
        "API_KEY",
        "BASIC",
        "OAUTH2",
        "OAUTH2_CC",
        "TWO_STEP",
        "TBA",
        "BILL",
        "AWS_SIGV4",
        "NONE",
        "X",
    ];
    for _ in 0..crate::no_panic::iterations() / 20 {
        let mut entry = object(&mut rng, 1);
        entry.insert("display_name".into(), json!("T"));
        entry.insert("auth_mode".into(), json!(*rng.pick(&modes)));
        for key in keys {
            if rng.chance(60) {
                let fields: Map<String, Value> = (0..rng.below(4))
                    .map(|_| {
                        let mut schema = object(&mut rng, 1);
                        for attr in [
                            "pattern",
                            "format",
                            "enum",
                            "optional",
                            "hidden",
                            "default_value",
                            "order",
                            "automated",
                            "secret",
                        ] {
                            if rng.chance(30) {
                                schema.insert(attr.into(), value(&mut rng, 1));
                            }
                        }
                        (crate::no_panic::key(&mut rng), Value::Object(schema))
                    })
                    .collect();
                entry.insert(key.into(), Value::Object(fields));
            }
        }
        let Ok(provider) = Provider::from_json(&string(&mut rng), &Value::Object(entry)) else {
            continue;
        };
        let mut opts = FormOptions {
            connection_config: object(&mut rng, 1),
            ..FormOptions::default()
        };
        opts.docs_connect = rng.chance(20).then(|| string(&mut rng));
        let form = build_form(&provider, &opts);
        let submission = json!({"credentials": value(&mut rng, 2), "params": Value::Object(object(&mut rng, 1))});
        let _ = connkit_core::field::validate_submission(&form, &submission, &matcher);
    }
}
