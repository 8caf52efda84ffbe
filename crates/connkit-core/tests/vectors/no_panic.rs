//! No validator panics: deterministic random inputs, biased towards the edges the rules care
//! about, fed to every public rule. The count is `CONNKIT_FUZZ_ITERS` (default 100,000 per rule
//! family); the seed is fixed, so a failure reproduces.

use serde_json::{Map, Value};

/// xorshift64*: small, deterministic, good enough to spread inputs.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub(crate) fn iterations() -> usize {
    std::env::var("CONNKIT_FUZZ_ITERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

const PIECES: &[&str] = &[
    "a",
    "Z",
    "k",
    "0",
    "9",
    "_",
    "-",
    ".",
    "/",
    ":",
    "@",
    " ",
    "+",
    "'",
    "\"",
    "\\",
    "$",
    "{",
    "}",
    "[",
    "]",
    "%",
    "%5B",
    "%5D",
    "%zz",
    "&",
    "=",
    "#",
    "?",
    "é",
    "ü",
    "😀",
    "\u{10FFFF}",
    "\n",
    "\t",
    "\0",
    "||",
    " || ",
    "${",
    "${connectionConfig.subdomain}",
    "connectionConfig.",
    "credentials.",
    "https://",
    "http://x",
    ".io",
    "..",
    "x.co",
    "a@b.co",
    "end_user_email",
    "__proto__",
    "tags",
];

const KEYS: &[&str] = &[
    "end_user_email",
    "END_USER_EMAIL",
    "end_user_id",
    "organization_id",
    "__proto__",
    "0",
    "12",
    "01",
    "",
    "a",
    "B",
    "subdomain",
    "apiKey",
    "password",
    "tags",
    "end_user",
    "organization",
    "id",
    "email",
    "display_name",
    "allowed_integrations",
    "integrations_config_defaults",
    "connection_config",
    "overrides",
    "docs_connect",
    "webhook_url_override",
    "metadata",
    "connection_id",
    "provider_config_key",
    "oauth_scopes_override",
    "user_scopes",
    "authorization_params",
    "auth_mode",
    "alias",
    "credentials",
    "pattern",
    "format",
    "enum",
    "order",
    "optional",
    "default_value",
    "hidden",
    "automated",
    "secret",
    "display_name",
    "docs",
    "proxy",
    "base_url",
    "authorization_url",
    "token_url",
];

pub(crate) fn string(rng: &mut Rng) -> String {
    let len = match rng.below(10) {
        0 => 0,
        1 => *rng.pick(&[63, 64, 65, 127, 128, 254, 255, 256]),
        _ => rng.below(12),
    };
    let mut out = String::new();
    if rng.chance(10) {
        let ch = *rng.pick(&["a", "😀", "é"]);
        out.push_str(&ch.repeat(len));
        return out;
    }
    for _ in 0..len {
        out.push_str(PIECES[rng.below(PIECES.len())]);
    }
    out
}

pub(crate) fn key(rng: &mut Rng) -> String {
    if rng.chance(50) {
        (*rng.pick(KEYS)).to_owned()
    } else {
        string(rng)
    }
}

pub(crate) fn value(rng: &mut Rng, depth: usize) -> Value {
    let kinds = if depth == 0 { 4 } else { 7 };
    match rng.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => serde_json::json!(*rng.pick(&[0.0, -1.0, 1.5, 1e308, 255.0, 10.0])),
        3 => Value::String(string(rng)),
        4 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth - 1)).collect()),
        _ => Value::Object(object(rng, depth - 1)),
    }
}

pub(crate) fn object(rng: &mut Rng, depth: usize) -> Map<String, Value> {
    let n = if rng.chance(10) {
        rng.below(14)
    } else {
        rng.below(5)
    };
    (0..n).map(|_| (key(rng), value(rng, depth))).collect()
}

#[test]
fn tag_and_email_rules_never_panic() {
    let mut rng = Rng::new(0x7A65_5F73);
    let prefix = ["tags".to_owned()];
    for _ in 0..iterations() {
        let input = if rng.chance(80) {
            Value::Object(object(&mut rng, 2))
        } else {
            value(&mut rng, 2)
        };
        let verdict = connkit_core::tags::validate_tags(&input);
        let nango = connkit_core::tags::nango_tag_errors(&input, &prefix);
        // Nango never rejects what connkit accepts: connkit reports a superset.
        assert!(verdict.is_err() || nango.is_empty(), "{input}");
        let s = string(&mut rng);
        let _ = connkit_core::email::is_valid_email(&s);
    }
}

/// A query string made of the pieces qs cares about.
fn query(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "tags",
        "[",
        "]",
        "=",
        "&",
        "%5B",
        "%5D",
        "%5b",
        "+",
        "%",
        "%2",
        "%zz",
        "a",
        "A",
        "0",
        "100",
        "end_user_email",
        "constructor",
        "__proto__",
        ".",
        "?",
        "tags[a]=1",
        "tags[]=x",
        "tags=",
        "é",
        "%C3%A9",
        "%FF",
    ];
    let n = rng.below(16);
    (0..n).map(|_| PARTS[rng.below(PARTS.len())]).collect()
}

#[test]
fn filter_session_interpolation_metadata_and_webhook_rules_never_panic() {
    use connkit_core::{interpolate, metadata, session, tag_filter, webhook};
    let mut rng = Rng::new(0x5E55_1011);
    let existing = connkit_core::tags::validate_tags(&serde_json::json!({"a": "1", "b": "2"}))
        .expect("valid tags");
    for _ in 0..iterations() {
        let q = query(&mut rng);
        let filter = tag_filter::parse_tag_filter(&q);
        let nango = tag_filter::nango_tag_filter_errors(&q);
        assert!(filter.is_err() || nango.is_empty(), "{q}");
        if let Ok(filter) = filter {
            let again = tag_filter::parse_tag_filter(&filter.to_query_string());
            assert_eq!(
                again.ok().map(|f| f.to_json()),
                Some(filter.to_json()),
                "round trip of {q}"
            );
        }
        let body = if rng.chance(85) {
            Value::Object(object(&mut rng, 3))
        } else {
            value(&mut rng, 3)
        };
        let verdict = session::validate_connect_session(&body);
        let nango = session::nango_connect_session_errors(&body);
        assert!(verdict.is_err() || nango.is_empty(), "{body}");
        let _ = session::validate_reconnect_session(&body);
        let _ = session::nango_reconnect_session_errors(&body);
        let _ = tag_filter::merge_tags(&existing, &body);
        let _ = metadata::validate_metadata(&body);
        let _ = metadata::validate_metadata_request(&body);
        let config = object(&mut rng, 2);
        let template = string(&mut rng);
        let _ = interpolate::interpolate_url(&template, &config, interpolate::Encoding::Component);
        let _ = interpolate::missing_keys(&template, &config);
        let _ = interpolate::missing_interpolation_params(&template, &config);
        let _ = interpolate::interpolate_proxy_base_url(&template, &config, &config);
        let _ = interpolate::referenced_keys(&template);
        let _ = metadata::merge_metadata(&config, &body);
        let text = webhook::stable_stringify(&body);
        let sigs = webhook::sign(&template, text.as_bytes());
        assert!(webhook::verify(&template, text.as_bytes(), Some(&sigs.hmac_sha256), None).is_ok());
        let _ = webhook::verify(&template, text.as_bytes(), Some(&template), Some(&template));
        assert!(webhook::verify_hmac(&template, text.as_bytes(), Some(&sigs.hmac_sha256)).is_ok());
        let _ = webhook::verify_hmac(&template, text.as_bytes(), Some(&template));
    }
}

#[test]
fn oauth2_rules_never_panic() {
    use connkit_core::catalogue::Provider;
    use connkit_core::interpolate::{Generated, interpolate_param};
    use connkit_core::js::{parse_date, querystring_stringify, to_iso_string};
    use connkit_core::oauth2::{
        AuthParam, AuthorizeRequest, CodeExchange, FlowError, OAuth2Client, OAuth2Provider,
        RefreshCheck, RefreshExchange, authorization_url, callback_code, callback_metadata,
        finish_connection, read_token_response, refresh_decision, refresh_request,
        refreshed_credentials, token_request,
    };
    use connkit_core::pattern::EcmaRegex;
    use connkit_core::request::{check_return_url, return_origin, return_url_with_result};
    let matcher = EcmaRegex::new();
    let mut rng = Rng::new(0x0A07_2222);
    const ATTRIBUTES: [&str; 16] = [
        "authorization_params",
        "token_params",
        "refresh_params",
        "scope_separator",
        "disable_pkce",
        "authorization_url_skip_encode",
        "authorization_url_replacements",
        "authorization_url_fragment",
        "authorization_url_skip_empty",
        "authorization_code_param_in_callback",
        "token_request_auth_method",
        "authorization_method",
        "body_format",
        "alternate_access_token_response_path",
        "token_response_metadata",
        "token_expiration_buffer",
    ];
    let generated = Generated {
        random: "r",
        now: "2026-08-21T10:00:00.000Z",
    };
    for _ in 0..iterations() / 4 {
        let mut entry = object(&mut rng, 2);
        entry.insert("display_name".into(), Value::from("P"));
        entry.insert("auth_mode".into(), Value::from("OAUTH2"));
        for name in ["authorization_url", "token_url", "refresh_url"] {
            let url = format!("https://{}.example/{}", string(&mut rng), string(&mut rng));
            entry.insert(name.into(), Value::from(url));
        }
        for name in ATTRIBUTES {
            if rng.chance(30) {
                entry.insert(name.into(), value(&mut rng, 2));
            }
        }
        let Ok(provider) = Provider::from_json("p", &Value::Object(entry)) else {
            continue;
        };
        let Ok(oauth) = OAuth2Provider::from_provider(&provider) else {
            continue;
        };
        let config = object(&mut rng, 2);
        let text = string(&mut rng);
        let params = [AuthParam {
            name: text.clone(),
            value: rng.chance(50).then(|| string(&mut rng)),
        }];
        let request = AuthorizeRequest {
            client_id: &text,
            redirect_uri: &text,
            scopes: &text,
            state: &text,
            code_verifier: &text,
            connection_config: &config,
            authorization_params: &params,
            user_scope: Some(&text),
            generated,
        };
        if let Err(err) = authorization_url(&oauth, &request, &matcher) {
            let _ = FlowError::from_authorize(&oauth, &err, &config);
        }
        let client = OAuth2Client {
            id: &text,
            secret: &text,
        };
        let exchange = CodeExchange {
            client,
            code: &text,
            redirect_uri: &text,
            code_verifier: &text,
            connection_config: &config,
            generated,
        };
        let _ = token_request(&oauth, &exchange, &matcher);
        let refresh = RefreshExchange {
            client,
            refresh_token: &text,
            connection_config: &config,
            generated,
        };
        let _ = refresh_request(&oauth, &refresh, &matcher);
        let body = if rng.chance(80) {
            Value::Object(object(&mut rng, 3))
        } else {
            value(&mut rng, 3)
        };
        let now = i64::try_from(rng.next_u64() >> 18).unwrap_or(0) - (1 << 44);
        if let Ok(read) = read_token_response(&oauth, &body, now) {
            let _ = finish_connection(&read, &config, &config);
        }
        let _ = refreshed_credentials(&oauth, &body, &body, now);
        let _ = callback_code(&oauth, &config);
        let _ = callback_metadata(&oauth, &config);
        let check = RefreshCheck {
            now_ms: now,
            force: rng.chance(50),
            last_failure_ms: rng.chance(50).then_some(now),
        };
        let _ = refresh_decision(&oauth, &body, check);
        let _ = FlowError::invalid_callback(&config);
        let _ = interpolate_param(&text, &config, generated);
        let _ = parse_date(&text);
        let _ = to_iso_string(now);
        let _ = querystring_stringify(config.iter().map(|(k, v)| (k.as_str(), v)));
        // The redirect mode's return URL, with the random text in each part a URL has.
        let url = format!(
            "http{}://{text}:{text}@{text}/{text}?{text}#{text}",
            "s".repeat(usize::from(rng.chance(50)))
        );
        for candidate in [&text, &url] {
            let origins: Vec<String> = return_origin(candidate).into_iter().collect();
            if let Some(href) = check_return_url(candidate, &origins) {
                let _ = return_url_with_result(&href, &text);
            }
            let _ = return_url_with_result(candidate, &text);
        }
    }
}

#[test]
fn mode_rules_never_panic() {
    use connkit_core::catalogue::Provider;
    use connkit_core::interpolate::Generated;
    use connkit_core::modes::{
        BillLogin, ClientCredentials, ClientCredentialsProvider, Context, HttpResponse,
        TwoStepFlow, TwoStepNext, TwoStepProvider, bill_request, bill_response,
        client_credentials_request, client_credentials_response, jwt_credentials,
        signature_credentials, tba_credentials, two_step_stored_inputs,
    };
    use connkit_core::pattern::EcmaRegex;
    let matcher = EcmaRegex::new();
    let mut rng = Rng::new(0x0D0E_5555);
    const ATTRIBUTES: [&str; 20] = [
        "token_url",
        "token_params",
        "token_headers",
        "refresh_url",
        "refresh_token_params",
        "body_format",
        "token_request_method",
        "token_response",
        "token_expires_in_ms",
        "additional_steps",
        "token_response_headers",
        "token_request_auth_method",
        "scope_separator",
        "expires_in_unit",
        "token_response_metadata",
        "signature",
        "token",
        "token_expiration_buffer",
        "assertion",
        "integration_config",
    ];
    let generated = Generated {
        random: "r",
        now: "2026-08-21T10:00:00.000Z",
    };
    // Text with the template shapes the modes read: placeholders, calls, step references.
    let template = |rng: &mut Rng| -> Value {
        let pieces = [
            "${",
            "}",
            "${step1.",
            "${base64(",
            ")}",
            "${now:YYYY}",
            "||",
            ".",
            "credentials.",
        ];
        let mut text = string(rng);
        for _ in 0..rng.below(4) {
            text.push_str(pieces[rng.below(pieces.len())]);
            text.push_str(&string(rng));
        }
        Value::String(text)
    };
    for _ in 0..iterations() / 4 {
        let mode = ["OAUTH2_CC", "TWO_STEP", "JWT", "BILL", "SIGNATURE", "TBA"][rng.below(6)];
        let mut entry = object(&mut rng, 2);
        entry.insert("display_name".into(), Value::from("P"));
        entry.insert("auth_mode".into(), Value::from(mode));
        for name in ATTRIBUTES {
            if rng.chance(40) {
                let value = if rng.chance(50) {
                    template(&mut rng)
                } else {
                    value(&mut rng, 3)
                };
                entry.insert(name.into(), value);
            }
        }
        if rng.chance(60) {
            // A usable entry, so that the flows get past their first checks.
            let strategy = ["expireIn", "expireAt"][rng.below(2)];
            let shape = serde_json::json!({"token": "a.b", "refresh_token": "r",
                "token_expiration": "e", "token_expiration_strategy": strategy});
            entry.insert("token_response".into(), shape);
            entry.insert("token_url".into(), Value::from("https://x.example/t"));
            let step = serde_json::json!([{"token_url": "${step1.u}/x",
                "token_params": {"a": "${step1.b}", "c": "${credentials.username}"}}]);
            entry.insert("additional_steps".into(), step);
        }
        let Ok(provider) = Provider::from_json("p", &Value::Object(entry)) else {
            continue;
        };
        let mut body = object(&mut rng, 2);
        for key in [
            "client_id",
            "client_secret",
            "username",
            "password",
            "refresh_token",
        ] {
            if rng.chance(50) {
                body.insert(key.into(), template(&mut rng));
            }
        }
        let config = object(&mut rng, 2);
        let now = i64::try_from(rng.next_u64() >> 18).unwrap_or(0) - (1 << 44);
        let ctx = Context {
            now_ms: now,
            random: "r",
        };
        let response = |rng: &mut Rng| HttpResponse {
            status: [200, 201, 204, 301, 400, 500][rng.below(6)],
            headers: vec![("set-cookie".into(), string(rng))],
            body: if rng.chance(70) {
                value(rng, 3).to_string()
            } else {
                string(rng)
            },
        };
        let body_value = Value::Object(body.clone());
        if let (Ok(cc), Ok(client)) = (
            ClientCredentialsProvider::from_provider(&provider),
            ClientCredentials::from_body(&body_value),
        ) {
            let _ = client_credentials_request(&cc, &client, &config, generated, &matcher);
            let _ = client_credentials_response(&cc, &client, &response(&mut rng), now);
        }
        if let Ok(two) = TwoStepProvider::from_provider(&provider) {
            let _ = two_step_stored_inputs(&body_value);
            if let Ok((mut flow, _)) =
                TwoStepFlow::start(&two, body.clone(), config.clone(), &ctx, &matcher)
            {
                for _ in 0..4 {
                    match flow.answer(&response(&mut rng), &ctx) {
                        Ok(TwoStepNext::Send(_)) => {}
                        _ => break,
                    }
                }
            }
        }
        let _ = jwt_credentials(&provider, body.clone(), &config, &ctx);
        let _ = signature_credentials(&provider, &string(&mut rng), &string(&mut rng), now, "00");
        let _ = tba_credentials(&body);
        let login = BillLogin::from_values(&body_value);
        let _ = bill_request(provider.json(), &login);
        let _ = bill_response(&login, &response(&mut rng), now);
    }
}
