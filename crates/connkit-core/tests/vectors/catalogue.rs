//! Runner for `"kind": "catalogue"` vectors: the catalogue is `json` (the providers.yaml document
//! as JSON) or `yaml` (text; skipped without the `yaml` feature). `expect` is `{"issues": [...]}`
//! when loading fails, else `{"ok": {"names": [...], "providers": {name: view}}, "issues":
//! [warnings]}`: `names` in order, and each listed provider compared on the keys its view lists
//! (`display_name`, `auth_mode`, `alias_of`, `docs`, `docs_connect`, `installation`,
//! `require_client_certificate`, `token_request_auth_method`, `json` (the resolved entry), and
//! `credentials` / `connection_config` / `integration_config` / `assertion_option` as lists of
//! field objects holding `name` and every attribute that is set). `lookup` lists names to get:
//! `{"name": …, "issues": [...]}` for an unknown one, `{"name": …}` for a known one.

use connkit_core::catalogue::{Catalogue, FieldSchema, Provider};
use serde_json::{Map, Value, json};

fn load(case: &Value) -> Option<Result<Catalogue, connkit_core::ValidationError>> {
    if let Some(text) = case.get("yaml").and_then(Value::as_str) {
        #[cfg(feature = "yaml")]
        return Some(Catalogue::from_yaml_str(text));
        #[cfg(not(feature = "yaml"))]
        return {
            let _ = text;
            None
        };
    }
    Some(Catalogue::from_json(&case["json"]))
}

fn field_view(field: &FieldSchema) -> Value {
    let mut map = Map::new();
    map.insert("name".into(), json!(field.name));
    let texts = [
        ("title", &field.title),
        ("description", &field.description),
        ("example", &field.example),
        ("pattern", &field.pattern),
        ("default_value", &field.default_value),
        ("prefix", &field.prefix),
        ("suffix", &field.suffix),
        ("doc_section", &field.doc_section),
    ];
    for (key, value) in texts {
        if let Some(value) = value {
            map.insert(key.into(), json!(value));
        }
    }
    if let Some(format) = &field.format {
        map.insert("format".into(), json!(format.as_str()));
    }
    if !field.enum_values.is_empty() {
        map.insert("enum".into(), json!(field.enum_values));
    }
    if let Some(order) = field.order {
        map.insert(
            "order".into(),
            if order.fract() == 0.0 {
                json!(order as i64)
            } else {
                json!(order)
            },
        );
    }
    for (key, set) in [
        ("optional", field.optional),
        ("hidden", field.hidden),
        ("automated", field.automated),
        ("secret", field.secret),
    ] {
        if set {
            map.insert(key.into(), json!(true));
        }
    }
    Value::Object(map)
}

fn provider_view(p: &Provider) -> Value {
    let fields = |list: &[FieldSchema]| list.iter().map(field_view).collect::<Vec<_>>();
    json!({
        "display_name": p.display_name(),
        "auth_mode": p.auth_mode().as_str(),
        "alias_of": p.alias_of(),
        "docs": p.docs(),
        "docs_connect": p.docs_connect(),
        "installation": p.installation(),
        "require_client_certificate": p.require_client_certificate(),
        "token_request_auth_method": p.token_request_auth_method(),
        "json": Value::Object(p.json().clone()),
        "credentials": fields(p.credentials()),
        "connection_config": fields(p.connection_config()),
        "integration_config": fields(p.integration_config()),
        "assertion_option": fields(p.assertion_option()),
    })
}

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let Some(result) = load(case) else {
        return Ok(());
    };
    let expect = &case["expect"];
    let catalogue = match (result, expect.get("ok")) {
        (Ok(catalogue), Some(_)) => catalogue,
        (Err(err), None) => return crate::compare_issues(err.issues(), &expect["issues"]),
        (Ok(_), None) => return Err("expected the catalogue to be rejected".to_owned()),
        (Err(err), Some(_)) => return Err(format!("catalogue rejected: {:?}", err.issues())),
    };
    crate::compare_issues(
        catalogue.issues(),
        expect.get("issues").unwrap_or(&json!([])),
    )?;
    let ok = &expect["ok"];
    if let Some(names) = ok.get("names") {
        let got: Vec<&str> = catalogue.iter().map(Provider::name).collect();
        if &json!(got) != names {
            return Err(format!("names differ\n  want {names}\n  got  {got:?}"));
        }
    }
    for (name, want) in ok["providers"].as_object().into_iter().flatten() {
        let provider = catalogue
            .find(name)
            .ok_or_else(|| format!("provider {name} missing"))?;
        crate::form::compare_subset(name, &provider_view(provider), want)?;
    }
    for lookup in case["lookup"].as_array().into_iter().flatten() {
        let name = lookup["name"]
            .as_str()
            .ok_or("lookup.name must be a string")?;
        match (catalogue.get(name), lookup.get("issues")) {
            (Ok(_), None) => {}
            (Err(err), Some(want)) => crate::compare_issues(err.issues(), want)?,
            (Ok(_), Some(_)) => return Err(format!("lookup {name}: expected issues")),
            (Err(err), None) => return Err(format!("lookup {name}: {:?}", err.issues())),
        }
    }
    Ok(())
}

#[test]
fn catalogue_loading_never_panics() {
    use crate::no_panic::{Rng, iterations, key, object, string, value};
    let mut rng = Rng::new(0x6361_7461);
    let names = ["a", "b", "c", "7", "jira", ""];
    for _ in 0..iterations() / 20 {
        let mut doc = Map::new();
        for _ in 0..rng.below(6) {
            let mut entry = object(&mut rng, 2);
            if rng.chance(40) {
                entry.insert("alias".into(), json!(*rng.pick(&names)));
            }
            if rng.chance(60) {
                entry.insert("display_name".into(), json!("D"));
                entry.insert(
                    "auth_mode".into(),
                    json!(*rng.pick(&["API_KEY", "OAUTH2", "TWO_STEP", "?"])),
                );
            }
            if rng.chance(50) {
                entry.insert(key(&mut rng), value(&mut rng, 2));
            }
            doc.insert((*rng.pick(&names)).to_owned(), Value::Object(entry));
        }
        let doc = if rng.chance(90) {
            Value::Object(doc)
        } else {
            value(&mut rng, 2)
        };
        if let Ok(catalogue) = Catalogue::from_json(&doc) {
            for provider in catalogue.iter() {
                let _ = provider_view(provider);
            }
            let _ = catalogue.get(&string(&mut rng));
        }
        #[cfg(feature = "yaml")]
        {
            let _ = Catalogue::from_yaml_str(&string(&mut rng));
            let _ = Catalogue::from_yaml_str(&doc.to_string());
        }
    }
}
