//! Runs Nango's real providers.yaml through connkit-core: loads it, builds the Connect UI form of
//! every provider, validates an empty and a filled-in submission (from each field's `example`)
//! with the native regex engine, compiles every pattern, builds the authorize URL of every
//! OAUTH2 provider from sample connection_config values (`catalogue_check/oauth2.rs`), counts
//! per auth mode the forms, the endpoints connkit serves and the first token requests of the
//! modes that obtain credentials (`catalogue_check/modes.rs`), and prints counts.
//!
//! `cargo run --release -p connkit-test-drivers --bin catalogue_check -- path/to/providers.yaml`
//! (the file ships in the npm package `@nangohq/providers`; `cargo xtask test` runs it on that).
//! Exits non-zero when loading fails or a count looks wrong. Knows nothing about the server or
//! the widget.
#![allow(clippy::print_stdout)]

#[path = "catalogue_check/modes.rs"]
mod modes;
#[path = "catalogue_check/oauth2.rs"]
mod oauth2;

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::time::Instant;

use connkit_core::catalogue::{Catalogue, FieldFormat, Provider};
use connkit_core::field::validate_submission;
use connkit_core::form::{
    FieldGroup, FieldKind, FieldRule, Form, FormField, FormOptions, build_form,
};
use connkit_core::pattern::{EcmaRegex, PatternMatcher};
use connkit_core::{ErrorCode, Severity};
use serde_json::{Map, Value};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: catalogue_check <providers.yaml>");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("cannot read {path}: {err}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let catalogue = match Catalogue::from_yaml_str(&text) {
        Ok(catalogue) => catalogue,
        Err(err) => {
            eprintln!("loading failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    let load_time = started.elapsed();
    let mut problems: Vec<String> = catalogue
        .issues()
        .iter()
        .map(|it| format!("catalogue warning: {it}"))
        .collect();

    let matcher = EcmaRegex::new();
    let started = Instant::now();
    let mut modes: BTreeMap<String, usize> = BTreeMap::new();
    let (mut n_fields, mut n_hidden, mut n_selects, mut n_direct) = (0, 0, 0, 0);
    let (mut empty_rejected, mut filled_ok) = (0, 0);
    let (mut n_examples, mut n_made_up, mut made_up_rejected, mut masked_rejected) = (0, 0, 0, 0);
    let mut example_failures: Vec<String> = Vec::new();
    let mut warnings: BTreeMap<ErrorCode, usize> = BTreeMap::new();
    let mut patterns: BTreeSet<String> = BTreeSet::new();
    for provider in catalogue.iter() {
        *modes
            .entry(provider.auth_mode().as_str().to_owned())
            .or_default() += 1;
        let groups = [
            provider.credentials(),
            provider.connection_config(),
            provider.integration_config(),
            provider.assertion_option(),
        ];
        patterns.extend(
            groups
                .iter()
                .flat_map(|g| g.iter())
                .filter_map(|f| f.pattern.clone()),
        );

        let form = build_form(provider, &FormOptions::default());
        n_fields += form.fields().len();
        n_hidden += form.fields().iter().filter(|f| f.hidden).count();
        n_selects += form
            .fields()
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Select(_)))
            .count();
        n_direct += usize::from(form.connect_directly());

        // Empty: rejected exactly when some visible field refuses ''.
        let must_reject = form
            .fields()
            .iter()
            .any(|f| !f.hidden && !f.rule.accepts_empty());
        let empty = validate_submission(&form, &Value::Object(Map::new()), &matcher);
        empty_rejected += usize::from(empty.is_err());
        if empty.is_err() != must_reject {
            problems.push(format!(
                "{}: empty submission {} unexpectedly",
                provider.name(),
                if must_reject { "accepted" } else { "rejected" }
            ));
        }

        let (values, made_up) = filled(provider, &form);
        n_examples += form.fields().iter().filter(|f| !f.hidden).count() - made_up.len();
        n_made_up += made_up.len();
        let issues = match validate_submission(&form, &values, &matcher) {
            Ok(ok) => {
                filled_ok += 1;
                ok.warnings().to_vec()
            }
            Err(err) => err.into_issues(),
        };
        for it in issues {
            match it.severity() {
                Severity::Warning => *warnings.entry(it.code()).or_default() += 1,
                Severity::Error if made_up.contains(&it.path().to_vec()) => made_up_rejected += 1,
                Severity::Error if masked(&values, it.path()) => masked_rejected += 1,
                Severity::Error => example_failures.push(format!("{}: {it}", provider.name())),
            }
        }
    }
    let forms_time = started.elapsed();

    // A fresh engine, so that every pattern is compiled (not served from the cache).
    let fresh = EcmaRegex::new();
    let started = Instant::now();
    let unusable: Vec<&String> = patterns
        .iter()
        .filter(|p| fresh.check(p).is_err())
        .collect();
    let compile_time = started.elapsed();

    let aliases = catalogue.iter().filter(|p| p.alias_of().is_some()).count();
    println!("providers.yaml: {path}");
    println!(
        "providers: {} ({aliases} aliases), loaded in {load_time:?}",
        catalogue.len()
    );
    println!(
        "auth modes: {}",
        modes
            .iter()
            .map(|(m, n)| format!("{m} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("catalogue warnings: {}", catalogue.issues().len());
    println!(
        "form fields: {n_fields} ({n_hidden} hidden, {n_selects} selects); forms that connect directly: {n_direct}"
    );
    println!(
        "empty submissions rejected: {empty_rejected} of {}",
        catalogue.len()
    );
    println!(
        "filled-in submissions accepted: {filled_ok} of {}",
        catalogue.len()
    );
    println!(
        "  visible values taken from `example` or a select: {n_examples}, rejected: {} masked examples (with `*` or `...`), {} others",
        masked_rejected,
        example_failures.len()
    );
    println!(
        "  visible values made up (no example; `x` or a sample of the format): {n_made_up}, rejected: {made_up_rejected}"
    );
    println!(
        "validation warnings: {}",
        warnings
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("forms built and validated twice in {forms_time:?}");
    println!(
        "distinct patterns: {}, compiled: {}, unusable: {} (compiled in {compile_time:?})",
        patterns.len(),
        patterns.len() - unusable.len(),
        unusable.len()
    );
    for pattern in &unusable {
        println!("  unusable pattern: {pattern}");
    }
    println!(
        "unmasked examples rejected by their own field's rule ({}):",
        example_failures.len()
    );
    for failure in &example_failures {
        println!("  {failure}");
    }

    let started = Instant::now();
    let oauth = oauth2::check(&catalogue, &matcher);
    let oauth_time = started.elapsed();
    println!(
        "OAUTH2 providers: {}, authorize URLs built: {} ({} from sample connection_config values), in {oauth_time:?}",
        oauth.providers, oauth.built, oauth.with_config
    );
    println!(
        "  refused naming missing values: {} ({})",
        oauth.missing.values().sum::<usize>(),
        oauth
            .missing
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  without an authorize or token URL: {} ({}); a field no sample satisfies: {} ({})",
        oauth.incomplete.len(),
        oauth.incomplete.join(", "),
        oauth.unsatisfiable.len(),
        oauth.unsatisfiable.join(", ")
    );
    println!("  other failures: {}", oauth.failures.len());
    for failure in &oauth.failures {
        println!("  {failure}");
    }
    if !oauth.failures.is_empty() {
        problems.push(format!(
            "{} OAUTH2 authorize URLs failed",
            oauth.failures.len()
        ));
    }
    if oauth.providers < 300 || oauth.built < oauth.providers * 9 / 10 {
        problems.push("OAUTH2 counts look wrong (providers or URLs built)".to_owned());
    }

    let sample = |p: &Provider| filled(p, &build_form(p, &FormOptions::default())).0;
    let coverage = modes::check(&catalogue, &matcher, &sample);
    println!(
        "auth modes (providers / forms / taken by an endpoint connkit serves / first requests built):"
    );
    for (mode, row) in &coverage.modes {
        println!(
            "  {mode}: {} / {} / {} {} / {}",
            row.providers,
            row.forms,
            row.served,
            row.endpoint.unwrap_or("(no endpoint)"),
            row.built
        );
    }
    let share = coverage.connectable as f64 * 100.0 / coverage.total.max(1) as f64;
    println!(
        "connectable: {} of {} providers ({share:.1}%)",
        coverage.connectable, coverage.total
    );
    println!(
        "  needing a part of their mode connkit does not implement ({}): {}",
        coverage.unsupported.len(),
        coverage.unsupported.join(", ")
    );
    println!(
        "  whose catalogue entry cannot connect in Nango either ({}): {}",
        coverage.incomplete.len(),
        coverage.incomplete.join("; ")
    );
    println!(
        "  connectable through the API only, with a value the form hides ({}): {}",
        coverage.through_api.len(),
        coverage.through_api.join("; ")
    );
    for refused in &coverage.refused {
        println!("  refused: {refused}");
    }
    if !coverage.refused.is_empty() {
        problems.push(format!(
            "{} providers of a served mode refused",
            coverage.refused.len()
        ));
    }
    let served_modes = [
        "API_KEY",
        "BASIC",
        "NONE",
        "OAUTH2",
        "OAUTH2_CC",
        "TWO_STEP",
    ];
    for mode in served_modes {
        let row = coverage.modes.get(mode);
        if row.is_none_or(|r| r.served != r.providers || r.forms != r.providers) {
            problems.push(format!(
                "{mode}: not every provider has a form and an endpoint"
            ));
        }
    }
    // Every provider of a served mode connects, but the one whose entry cannot connect in
    // Nango either (certn-partner: OAUTH2_CC without a token_url); veeva-vault's token_url
    // needs the hidden `version`, whose default is empty, so only an app passing
    // `params.version` through the API connects it.
    if share < 96.6
        || !coverage.unsupported.is_empty()
        || coverage.incomplete.len() > 1
        || coverage.through_api.len() > 1
    {
        problems.push("coverage counts look wrong (connectable share or unsupported)".to_owned());
    }

    if catalogue.len() < 900 {
        problems.push(format!("only {} providers", catalogue.len()));
    }
    if aliases < 50
        || patterns.len() < 200
        || unusable.len() > 5
        || n_examples < 500
        || example_failures.len() > n_examples / 10
    {
        problems.push("counts look wrong (aliases, patterns or rejected examples)".to_owned());
    }
    if problems.is_empty() {
        println!("OK");
        ExitCode::SUCCESS
    } else {
        for problem in &problems {
            println!("PROBLEM: {problem}");
        }
        ExitCode::FAILURE
    }
}

/// Whether the submitted value at `path` is a masked example such as `sk_****` or `MIIE...`.
fn masked(values: &Value, path: &[String]) -> bool {
    let value = path
        .iter()
        .try_fold(values, |v, key| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("");
    value.contains('*') || value.contains("...") || value.contains('…')
}

/// What a user following the placeholders would submit: hidden fields keep their initial
/// value; visible ones get their `example`, the first option, or a value of their format.
/// Also returns the paths of the values made up for want of an example.
fn filled(provider: &Provider, form: &Form) -> (Value, Vec<Vec<String>>) {
    let mut out = Map::new();
    let mut made_up = Vec::new();
    for field in form.fields() {
        let value = if field.hidden {
            field.initial.clone()
        } else {
            let (value, from_example) = sample(provider, field);
            if !from_example {
                made_up.push(field.path());
            }
            Some(Value::String(value))
        };
        if let Some(value) = value {
            let group = out
                .entry(field.group.as_str())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(group) = group {
                group.insert(field.name.clone(), value);
            }
        }
    }
    (Value::Object(out), made_up)
}

fn sample(provider: &Provider, field: &FormField) -> (String, bool) {
    if let FieldKind::Select(options) = &field.kind {
        return (
            options
                .iter()
                .map(|o| o.value.clone())
                .find(|v| !v.is_empty())
                .unwrap_or_default(),
            true,
        );
    }
    let groups = match field.group {
        FieldGroup::Credentials => [provider.credentials(), provider.integration_config()],
        FieldGroup::Params => [provider.connection_config(), &[]],
        FieldGroup::AssertionOption => [provider.assertion_option(), &[]],
    };
    let example = groups
        .iter()
        .flat_map(|g| g.iter())
        .find(|f| f.name == field.name)
        .and_then(|f| f.example.clone());
    if let Some(example) = example.filter(|e| !e.is_empty()) {
        return (example, true);
    }
    let made_up = match &field.rule {
        FieldRule::Text {
            format: Some(FieldFormat::Hostname),
            ..
        } => "example.com",
        FieldRule::Text {
            format: Some(FieldFormat::Uri),
            ..
        } => "https://example.com",
        FieldRule::Text {
            format: Some(FieldFormat::Uuid),
            ..
        } => "123e4567-e89b-12d3-a456-426614174000",
        FieldRule::Text {
            format: Some(FieldFormat::Email),
            ..
        } => "user@example.com",
        _ => "x",
    };
    (made_up.to_owned(), false)
}
