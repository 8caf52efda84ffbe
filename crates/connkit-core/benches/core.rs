//! Benchmarks of the rules on the paths that run per request or per keystroke (divan).
//!
//! `reference_parse_tags_3` parses the 3-tag JSON text with serde_json: every other figure is
//! reported by `cargo xtask bench` as a ratio to it, because absolute times on our machines are
//! noisy. Inputs are built once, outside the measured closures.

use connkit_core::tags::{nango_tag_errors, validate_tags};
use divan::black_box;
use serde_json::{Value, json};

fn main() {
    divan::main();
}

const TAGS_3: &str = r#"{"end_user_id":"u_123","Organization_Id":"org-9","plan":"Pro"}"#;

fn tags_10() -> Value {
    let mut map = serde_json::Map::new();
    for n in 0..10 {
        map.insert(
            format!("Key_{n}"),
            Value::String(format!("value number {n}")),
        );
    }
    map.insert("end_user_email".into(), json!("someone@example.com"));
    map.remove("Key_9");
    Value::Object(map)
}

fn tags_invalid() -> Value {
    json!({"1bad": "x", "ok": "", "End_User_Email": "nope", "END_USER_email": "a@b.co", "n": 5})
}

#[divan::bench]
fn reference_parse_tags_3(bencher: divan::Bencher<'_, '_>) {
    bencher.bench(|| serde_json::from_str::<Value>(black_box(TAGS_3)).map(|v| v.is_object()));
}

#[divan::bench]
fn validate_tags_valid_3(bencher: divan::Bencher<'_, '_>) {
    let input: Value = serde_json::from_str(TAGS_3).expect("valid JSON");
    assert!(validate_tags(&input).is_ok());
    bencher.bench(|| validate_tags(black_box(&input)).is_ok());
}

#[divan::bench]
fn validate_tags_valid_10(bencher: divan::Bencher<'_, '_>) {
    let input = tags_10();
    bencher.bench(|| validate_tags(black_box(&input)).is_ok());
}

#[divan::bench]
fn validate_tags_invalid(bencher: divan::Bencher<'_, '_>) {
    let input = tags_invalid();
    bencher.bench(|| validate_tags(black_box(&input)).is_err());
}

#[divan::bench]
fn nango_projection_invalid(bencher: divan::Bencher<'_, '_>) {
    let input = tags_invalid();
    let prefix = ["tags".to_owned()];
    bencher.bench(|| nango_tag_errors(black_box(&input), &prefix).len());
}

/// A Freshdesk-style BASIC provider with a subdomain (spec §5.5's typical example).
const FRESHDESK_YAML: &str = r#"
freshdesk:
  display_name: Freshdesk
  categories: [ticketing]
  auth_mode: BASIC
  docs: https://docs.nango.dev/integrations/all/freshdesk
  docs_connect: https://docs.nango.dev/integrations/all/freshdesk/connect
  proxy:
    base_url: https://${connectionConfig.subdomain}.freshdesk.com
  connection_config:
    subdomain:
      type: string
      title: Subdomain
      description: The subdomain of your Freshdesk account
      pattern: '^[a-z0-9_-]+$'
      prefix: https://
      suffix: .freshdesk.com
      example: domain
      doc_section: '#step-2-find-your-subdomain'
  credentials:
    username:
      type: string
      title: API Key
      description: Your Freshdesk API key
      secret: true
    password:
      type: string
      title: Password
      description: Not used
      hidden: true
      default_value: X
"#;

fn freshdesk() -> connkit_core::catalogue::Catalogue {
    connkit_core::catalogue::Catalogue::from_yaml_str(FRESHDESK_YAML)
        .expect("the benchmark catalogue parses")
}

#[divan::bench]
fn build_form_freshdesk(bencher: divan::Bencher<'_, '_>) {
    let catalogue = freshdesk();
    let provider = catalogue
        .find("freshdesk")
        .expect("freshdesk is in the catalogue");
    let options = connkit_core::form::FormOptions::default();
    bencher.bench(|| {
        connkit_core::form::build_form(black_box(provider), &options)
            .fields()
            .len()
    });
}

#[divan::bench]
fn validate_submission_freshdesk(bencher: divan::Bencher<'_, '_>) {
    let catalogue = freshdesk();
    let provider = catalogue
        .find("freshdesk")
        .expect("freshdesk is in the catalogue");
    let form =
        connkit_core::form::build_form(provider, &connkit_core::form::FormOptions::default());
    let matcher = connkit_core::pattern::EcmaRegex::new();
    let values = json!({"params": {"subdomain": "acme"}, "credentials": {"username": "key", "password": "X"}});
    assert!(connkit_core::field::validate_submission(&form, &values, &matcher).is_ok());
    bencher.bench(|| {
        connkit_core::field::validate_submission(&form, black_box(&values), &matcher).is_ok()
    });
}

#[divan::bench]
fn interpolate_authorization_url(bencher: divan::Bencher<'_, '_>) {
    use connkit_core::interpolate::{Encoding, interpolate_url};
    let template = "https://${connectionConfig.hostname}/services/oauth2/authorize || https://login.salesforce.com/services/oauth2/authorize";
    let config = json!({"hostname": "acme.my.salesforce.com"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(interpolate_url(template, &config, Encoding::Component).is_ok());
    bencher.bench(|| interpolate_url(black_box(template), &config, Encoding::Component).is_ok());
}
