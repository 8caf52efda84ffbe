//! Runner for `"kind": "fields"` vectors: a form is built as in the `form` runner (`provider`,
//! `options`), then `values` is validated with the native regex engine: the whole submission
//! `{"credentials": {…}, "params": {…}, "assertion_option": {…}}`, or, when `group` is given,
//! that group's object alone. `expect` is `{"ok": normalised values, "issues": [warnings]}`
//! (`issues` defaults to `[]`) or `{"issues": [...]}` with at least one error. Skipped without
//! the `ecmascript-regex` feature (the native engine).

use serde_json::Value;

#[cfg(not(feature = "ecmascript-regex"))]
pub(crate) fn check(_case: &Value) -> Result<(), String> {
    Ok(())
}

#[cfg(feature = "ecmascript-regex")]
pub(crate) fn check(case: &Value) -> Result<(), String> {
    use connkit_core::field::{validate_group, validate_submission};
    use connkit_core::form::{FieldGroup, build_form};
    use connkit_core::pattern::EcmaRegex;
    use serde_json::json;

    let provider = crate::form::provider(case)
        .map_err(|err| format!("provider rejected: {:?}", err.issues()))?;
    let form = build_form(&provider, &crate::form::options(case));
    let matcher = EcmaRegex::new();
    let values = &case["values"];
    let result = match case.get("group").and_then(Value::as_str) {
        Some(name) => validate_group(
            &form,
            FieldGroup::parse(name).ok_or("unknown group")?,
            values,
            &matcher,
        ),
        None => validate_submission(&form, values, &matcher),
    };
    let expect = &case["expect"];
    match (result, expect.get("ok")) {
        (Ok(submission), Some(want)) => {
            let got = submission.to_json();
            if &got != want {
                return Err(format!("value differs\n  want {want}\n  got  {got}"));
            }
            crate::compare_issues(
                submission.warnings(),
                expect.get("issues").unwrap_or(&json!([])),
            )
        }
        (Err(err), None) => crate::compare_issues(err.issues(), &expect["issues"]),
        (Ok(submission), None) => Err(format!("expected issues, got ok {}", submission.to_json())),
        (Err(err), Some(_)) => Err(format!("expected ok, got issues {:?}", err.issues())),
    }
}
