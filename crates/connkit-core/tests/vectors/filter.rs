//! Runner for `"kind": "tag_filter"` vectors (see the file's `about`): query parsing with its
//! Nango projection and qs view, matching, query-string encoding, and `merge_tags`.

use connkit_core::tag_filter::{
    TagFilter, merge_tags, nango_tag_filter_errors, parse_tag_filter, qs_tags_value,
};
use connkit_core::tags::validate_tags;
use serde_json::Value;

pub(crate) fn check(case: &Value) -> Result<(), String> {
    if let Some(query) = case.get("query") {
        return check_parse(case, query.as_str().ok_or("query must be a string")?);
    }
    if case.get("matches").is_some() {
        return check_match(case);
    }
    if case.get("encoded").is_some() {
        return check_encode(case);
    }
    if case.get("changes").is_some() {
        let existing =
            validate_tags(&case["existing"]).map_err(|e| format!("bad existing tags: {e}"))?;
        return crate::compare_result(
            merge_tags(&existing, &case["changes"]),
            &case["expect"],
            |t| t.to_json(),
        );
    }
    Err("unknown case shape".to_owned())
}

fn check_parse(case: &Value, query: &str) -> Result<(), String> {
    crate::compare_result(parse_tag_filter(query), &case["expect"], TagFilter::to_json)?;
    crate::compare_nango(&nango_tag_filter_errors(query), &case["nango"])?;
    if let Some(want) = case.get("qs") {
        let got = qs_tags_value(query).unwrap_or(Value::Null);
        if &got != want {
            return Err(format!("qs view differs\n  want {want}\n  got  {got}"));
        }
    }
    Ok(())
}

fn filter_of(case: &Value) -> Result<TagFilter, String> {
    validate_tags(&case["filter"])
        .map(TagFilter::from_tags)
        .map_err(|e| format!("bad filter: {e}"))
}

fn check_match(case: &Value) -> Result<(), String> {
    let filter = filter_of(case)?;
    let want = case["matches"]
        .as_bool()
        .ok_or("matches must be a boolean")?;
    let got = if let Some(pairs) = case.get("pairs") {
        let pairs: Vec<(&str, &str)> = pairs
            .as_array()
            .ok_or("pairs must be an array")?
            .iter()
            .map(|p| (p[0].as_str().unwrap_or(""), p[1].as_str().unwrap_or("")))
            .collect();
        filter.matches_pairs(pairs)
    } else {
        let tags = validate_tags(&case["tags"]).map_err(|e| format!("bad tags: {e}"))?;
        filter.matches(&tags)
    };
    if got == want {
        Ok(())
    } else {
        Err(format!("matches: want {want}, got {got}"))
    }
}

fn check_encode(case: &Value) -> Result<(), String> {
    let filter = filter_of(case)?;
    let encoded = filter.to_query_string();
    if case["encoded"] != encoded.as_str() {
        return Err(format!(
            "encoding differs\n  want {}\n  got  {encoded}",
            case["encoded"]
        ));
    }
    let back = parse_tag_filter(&encoded).map_err(|e| format!("round trip failed: {e}"))?;
    if back != filter {
        return Err(format!("round trip gave {}", back.to_json()));
    }
    Ok(())
}
