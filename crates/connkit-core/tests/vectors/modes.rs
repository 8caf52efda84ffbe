//! Runner for `"kind": "modes"` vectors (see the file's `about`).

use connkit_core::catalogue::Provider;
use connkit_core::interpolate::Generated;
use connkit_core::modes::{
    AwsSettings, BillLogin, ClientCredentials, ClientCredentialsProvider, Context, HttpRequest,
    HttpResponse, ModeError, TwoStepFlow, TwoStepNext, TwoStepProvider, aws_connect_target,
    aws_request, aws_response, bill_request, bill_response, build_xml, client_credentials_config,
    client_credentials_request, client_credentials_response, jwt_credentials, parse_xml,
    signature_credentials, tba_credentials, two_step_stored_inputs,
};
use connkit_core::pattern::EcmaRegex;
use serde_json::{Map, Value, json};

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    let input = &case["input"];
    if let Some(mode @ ("xml_build" | "xml_parse")) = case["mode"].as_str() {
        return xml(mode, input, expect);
    }
    let name = case["provider_name"].as_str().unwrap_or("demo");
    let entry = Provider::from_json(name, &case["provider"]).map_err(|e| e.to_string())?;
    let now_ms = input["now_ms"].as_i64().unwrap_or(1_787_306_400_000);
    let config = object(&input["connection_config"]);
    let generated = Generated {
        random: input["random"].as_str().unwrap_or("random-uuid"),
        now: input["now"].as_str().unwrap_or("2026-08-21T10:00:00.000Z"),
    };
    let result: Result<Value, ModeError> = match case["mode"].as_str() {
        Some("cc_config") => Ok(Value::Object(client_credentials_config(
            config,
            input["integration_scopes"].as_str().unwrap_or(""),
        ))),
        Some("cc_request") => {
            let provider = ClientCredentialsProvider::from_provider(&entry);
            provider.and_then(|provider| {
                let client = ClientCredentials::from_body(&input["body"])?;
                let matcher = EcmaRegex::new();
                client_credentials_request(&provider, &client, &config, generated, &matcher)
                    .map(|r| request_json(&r))
            })
        }
        Some("cc_response") => {
            let provider = ClientCredentialsProvider::from_provider(&entry);
            provider.and_then(|provider| {
                let client = ClientCredentials::from_body(&input["body"])?;
                let response = response(&input["response"]);
                client_credentials_response(&provider, &client, &response, now_ms)
                    .map(|o| json!({"credentials": o.credentials, "metadata": o.metadata}))
            })
        }
        Some("two_step") => {
            let (requests, result) = two_step(&entry, input, config, now_ms, generated.random);
            let want: &[Value] = expect["requests"].as_array().map_or(&[], Vec::as_slice);
            if requests != want {
                return Err(format!(
                    "requests differ\n  want {}\n  got  {}",
                    Value::from(want.to_vec()),
                    Value::from(requests)
                ));
            }
            result
        }
        Some("signature") => signature_credentials(
            &entry,
            input["username"].as_str().unwrap_or(""),
            input["password"].as_str().unwrap_or(""),
            now_ms,
            input["nonce"].as_str().unwrap_or(""),
        ),
        Some("tba") => Ok(tba_credentials(&object(&input["body"]))),
        Some("aws") => {
            let mut config = config;
            let previous = input.get("previous").and_then(Value::as_object);
            let fresh = input["fresh_uuid"].as_str().unwrap_or("");
            let target = AwsSettings::from_custom(&object(&input["custom"])).and_then(|s| {
                aws_connect_target(&s, &object(&input["body"]), &mut config, previous, fresh)
                    .map(|t| (s, t))
            });
            let (settings, target) = match target {
                Ok(found) => found,
                Err(err) => return compare(Err(err), expect),
            };
            let request = request_json(&aws_request(&settings, &target));
            if expect["requests"] != json!([request]) || expect["config"] != json!(config) {
                return Err(format!("request or config differs: {request} {config:?}"));
            }
            aws_response(&settings, &target, &response(&input["response"]), now_ms)
        }
        Some("jwt") => {
            let ctx = Context {
                now_ms,
                random: generated.random,
            };
            jwt_credentials(&entry, object(&input["body"]), &config, &ctx)
        }
        Some("bill") => {
            let login = BillLogin::from_values(&input["body"]);
            let request = match bill_request(entry.json(), &login) {
                Ok(request) => request,
                Err(err) => return compare(Err(err), expect),
            };
            let want = &expect["requests"];
            if *want != json!([request_json(&request)]) {
                return Err(format!("request differs: {}", request_json(&request)));
            }
            bill_response(&login, &response(&input["response"]), now_ms)
        }
        other => return Err(format!("unknown mode {other:?}")),
    };
    compare(result, expect)
}

/// `xml_build` (a body written by `build_xml`) and `xml_parse` (a text read by `parse_xml`),
/// against `{ok}` or `{error: <reason>}`.
fn xml(mode: &str, input: &Value, expect: &Value) -> Result<(), String> {
    match mode {
        "xml_build" => {
            let built = build_xml(&object(&input["body"]));
            match (built, expect.get("ok")) {
                (Some(text), Some(want)) if *want == text => Ok(()),
                (None, None) if expect["error"] == "too_deep" => Ok(()),
                (got, _) => Err(format!("built {got:?}, want {expect}")),
            }
        }
        _ => {
            let text = input["text"].as_str().unwrap_or("");
            match (parse_xml(text), expect.get("ok")) {
                (Ok(tree), Some(want)) if *want == tree => Ok(()),
                (Err(e), None) if expect["error"] == e.reason => Ok(()),
                (got, _) => Err(format!("read {got:?}, want {expect}")),
            }
        }
    }
}

/// A TWO_STEP flow fed `input.responses` in order: the requests it made, and its outcome (`ok`
/// is `{credentials, metadata}`). `input.stored`, when given, are credentials to renew
/// (`two_step_stored_inputs`) instead of `input.body`.
fn two_step(
    entry: &Provider,
    input: &Value,
    config: Map<String, Value>,
    now_ms: i64,
    random: &str,
) -> (Vec<Value>, Result<Value, ModeError>) {
    let ctx = Context { now_ms, random };
    let mut requests = Vec::new();
    let inputs = match input.get("stored") {
        Some(stored) => two_step_stored_inputs(stored),
        None => object(&input["body"]),
    };
    let custom = object(&input["integration_custom"]);
    let started = TwoStepProvider::from_provider(entry).and_then(|provider| {
        let provider = provider.with_integration_config(&custom);
        TwoStepFlow::start(&provider, inputs, config, &ctx, &EcmaRegex::new())
    });
    let (mut flow, first) = match started {
        Ok(started) => started,
        Err(err) => return (requests, Err(err)),
    };
    requests.push(request_json(&first));
    for answer in input["responses"].as_array().into_iter().flatten() {
        match flow.answer(&response(answer), &ctx) {
            Ok(TwoStepNext::Send(request)) => requests.push(request_json(&request)),
            Ok(TwoStepNext::Done(o)) => {
                let ok = json!({"credentials": o.credentials, "metadata": o.metadata});
                return (requests, Ok(ok));
            }
            Err(err) => return (requests, Err(err)),
        }
    }
    (requests, Ok(Value::Null))
}

/// `expect` is `{ok}`, `{issues}` (a body or connection_config refusal) or `{failure: {code,
/// message, payload?, issues: [{code, path}]}}` (Nango's code and message, connkit's issue).
fn compare(result: Result<Value, ModeError>, expect: &Value) -> Result<(), String> {
    match result {
        Ok(value) => match expect.get("ok") {
            Some(want) if *want == value => Ok(()),
            Some(want) => Err(format!("value differs\n  want {want}\n  got  {value}")),
            None => Err(format!("expected a failure, got ok {value}")),
        },
        Err(ModeError::Body(err) | ModeError::Config(err)) => match expect.get("issues") {
            Some(want) => crate::compare_issues(err.issues(), want),
            None => Err(format!("expected {expect}, got issues {:?}", err.issues())),
        },
        Err(ModeError::Failed(failure)) => {
            let Some(want) = expect.get("failure") else {
                return Err(format!("expected {expect}, got failure {failure:?}"));
            };
            if want["code"] != failure.code() {
                return Err(format!(
                    "failure code {} ≠ {}",
                    failure.code(),
                    want["code"]
                ));
            }
            // Nango's message is the wire contract where Nango writes one.
            if let Some(message) = want.get("message")
                && message != failure.message()
            {
                return Err(format!("message {:?} ≠ {message}", failure.message()));
            }
            if let Some(payload) = want.get("payload")
                && payload != failure.payload()
            {
                return Err(format!("payload {} ≠ {payload}", failure.payload()));
            }
            crate::compare_issues(std::slice::from_ref(failure.issue()), &want["issues"])
        }
    }
}

fn request_json(request: &HttpRequest) -> Value {
    let headers: Vec<Value> = request.headers.iter().map(|(k, v)| json!([k, v])).collect();
    let mut out = json!({
        "method": request.method.as_str(),
        "url": request.url,
        "headers": headers,
        "body": request.body,
    });
    if let Some(identity) = &request.client_identity {
        out["client_identity"] = json!({
            "certificate_pem": identity.certificate_pem,
            "private_key_pem": identity.private_key_pem,
        });
    }
    out
}

fn response(value: &Value) -> HttpResponse {
    let body = match &value["body"] {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let headers = value["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pair| Some((pair[0].as_str()?.to_owned(), pair[1].as_str()?.to_owned())))
        .collect();
    HttpResponse {
        status: value["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(200),
        headers,
        body,
    }
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}
