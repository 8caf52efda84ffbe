//! The native conformance runner: every case in `tests/vectors/*.json` (repository root), one
//! `check` per vector kind, asserting codes and paths (never English text, except Nango's own
//! projected messages, which are the wire contract).
//!
//! The files are read through `connkit-vectors` (`tests/vectors/src/lib.rs`), which expands
//! their generated values; the wasm, Node and browser runners of the other crates read the same
//! files.

mod catalogue;
mod email;
mod fields;
mod filter;
mod form;
mod interpolation;
mod metadata;
mod modes;
mod no_panic;
mod oauth2;
mod requests;
mod session;
mod tags;
mod webhook;

use std::collections::BTreeSet;

use connkit_core::{ErrorCode, Issue};
use serde_json::Value;

/// Every vector file as `(file name, JSON with generated values expanded)`, sorted by name.
fn load_files() -> Vec<(String, Value)> {
    connkit_vectors::files()
}

fn cases(file: &Value) -> &[Value] {
    file["cases"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

#[test]
fn every_vector_passes() {
    let mut failures = Vec::new();
    let mut n_cases = 0;
    // CONNKIT_VECTOR_KIND=session runs one kind only (handy while writing a rule).
    let only = std::env::var("CONNKIT_VECTOR_KIND").ok();
    for (name, file) in load_files() {
        assert_eq!(file["format"], 1, "{name}: unknown format");
        let kind = file["kind"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no kind"));
        if only.as_deref().is_some_and(|only| only != kind) {
            continue;
        }
        let check: fn(&Value) -> Result<(), String> = match kind {
            "tags" => tags::check,
            "tag_filter" => filter::check,
            "email" => email::check,
            "form" => form::check,
            "fields" => fields::check,
            "interpolation" => interpolation::check,
            "metadata" => metadata::check,
            "modes" => modes::check,
            "session" => session::check,
            "requests" => requests::check,
            "webhook" => webhook::check,
            "catalogue" => catalogue::check,
            "oauth2" => oauth2::check,
            other => panic!("{name}: no runner for kind {other:?}"),
        };
        for case in cases(&file) {
            n_cases += 1;
            if let Err(why) = check(case) {
                failures.push(format!(
                    "{name} / {}: {why}",
                    case["name"].as_str().unwrap_or("<unnamed>")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n_cases} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn there_are_at_least_150_vectors_with_unique_names() {
    let mut names = BTreeSet::new();
    let mut n_cases = 0;
    for (file_name, file) in load_files() {
        for case in cases(&file) {
            n_cases += 1;
            let name = case["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{file_name}: a case without a name"));
            assert!(
                names.insert(format!("{file_name}/{name}")),
                "{file_name}: duplicate case name {name:?}"
            );
        }
    }
    assert!(n_cases >= 150, "only {n_cases} vectors");
}

/// Collects every `"code"` inside any `"issues"` or `"warnings"` array of a vector file.
fn collect_issue_codes(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "issues" || key == "warnings" {
                    for issue in child.as_array().into_iter().flatten() {
                        if let Some(code) = issue["code"].as_str() {
                            out.push(code.to_owned());
                        }
                    }
                }
                collect_issue_codes(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|it| collect_issue_codes(it, out)),
        _ => {}
    }
}

#[test]
fn every_error_code_appears_in_a_vector_and_every_vector_code_exists() {
    let mut named = Vec::new();
    for (_, file) in load_files() {
        collect_issue_codes(&file, &mut named);
    }
    for code in &named {
        assert!(
            ErrorCode::from_name(code).is_some(),
            "a vector names unknown code {code:?}"
        );
    }
    let missing: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !named.iter().any(|n| n == c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes that appear in no vector: {missing:?}"
    );
}

/// Compares issues with the expected `[{code, path, severity?}]` list, ignoring order.
/// `severity` defaults to `"error"`.
pub(crate) fn compare_issues(actual: &[Issue], expected: &Value) -> Result<(), String> {
    let render =
        |code: &str, path: &[String], severity: &str| format!("{code} @ {path:?} ({severity})");
    let mut want: Vec<String> = expected
        .as_array()
        .ok_or("expected issues must be an array")?
        .iter()
        .map(|it| {
            let path: Vec<String> = it["path"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p.as_str().unwrap_or("?").to_owned())
                .collect();
            render(
                it["code"].as_str().unwrap_or("?"),
                &path,
                it["severity"].as_str().unwrap_or("error"),
            )
        })
        .collect();
    let mut got: Vec<String> = actual
        .iter()
        .map(|it| render(it.code().as_str(), it.path(), it.severity().as_str()))
        .collect();
    want.sort();
    got.sort();
    if want == got {
        Ok(())
    } else {
        Err(format!("issues differ\n  want {want:?}\n  got  {got:?}"))
    }
}

/// Compares a validator's result with the case's `expect` (`{"ok": value}` or `{"issues": [...]}`),
/// where `to_json` renders the normalised value.
pub(crate) fn compare_result<T>(
    result: Result<T, connkit_core::ValidationError>,
    expect: &Value,
    to_json: impl FnOnce(&T) -> Value,
) -> Result<(), String> {
    match (result, expect.get("ok"), expect.get("issues")) {
        (Ok(value), Some(want), None) => {
            let got = to_json(&value);
            if &got == want {
                Ok(())
            } else {
                Err(format!("value differs\n  want {want}\n  got  {got}"))
            }
        }
        (Err(err), None, Some(want)) => compare_issues(err.issues(), want),
        (Ok(value), None, Some(_)) => Err(format!("expected issues, got ok {}", to_json(&value))),
        (Err(err), Some(_), None) => Err(format!("expected ok, got issues {:?}", err.issues())),
        _ => Err("expect must have exactly one of ok / issues".to_owned()),
    }
}

/// Compares Nango projection items with the expected `[{code, message, path}]` list, in order.
pub(crate) fn compare_nango(
    actual: &[connkit_core::nango::NangoIssue],
    expected: &Value,
) -> Result<(), String> {
    let got: Vec<Value> = actual
        .iter()
        .map(|it| serde_json::json!({"code": it.code, "message": it.message, "path": it.path}))
        .collect();
    let want = expected.as_array().ok_or("nango must be an array")?;
    if &got == want {
        Ok(())
    } else {
        Err(format!(
            "nango errors differ\n  want {}\n  got  {}",
            Value::Array(want.clone()),
            Value::Array(got)
        ))
    }
}
