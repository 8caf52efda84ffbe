//! Runner for `"kind": "oauth2"` vectors (see the file's `about`).

use connkit_core::catalogue::Provider;
use connkit_core::interpolate::Generated;
use connkit_core::oauth2::{
    AuthParam, AuthorizeRequest, CodeExchange, FlowError, OAuth2Client, OAuth2Provider,
    RefreshCheck, RefreshDecision, RefreshExchange, TokenRequest, authorization_url, callback_code,
    callback_metadata, code_challenge, finish_connection, read_token_response, refresh_decision,
    refresh_request, refreshed_credentials, token_request,
};
use connkit_core::pattern::EcmaRegex;
use connkit_core::request::{check_return_url, return_origin, return_url_with_result};
use serde_json::{Map, Value, json};

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    match case["mode"].as_str() {
        Some("pkce") => {
            let verifier = case["verifier"].as_str().ok_or("verifier")?;
            return same(&json!(code_challenge(verifier)), &expect["ok"]);
        }
        Some("return_origin") => {
            let text = case["text"].as_str().ok_or("text")?;
            return same(&json!(return_origin(text)), &expect["ok"]);
        }
        Some("return_url") => {
            let url = case["url"].as_str().ok_or("url")?;
            let allowed: Vec<String> = case["allowed"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o.as_str().map(str::to_owned))
                .collect();
            return same(&json!(check_return_url(url, &allowed)), &expect["ok"]);
        }
        Some("return_result") => {
            let href = case["href"].as_str().ok_or("href")?;
            let id = case["id"].as_str().ok_or("id")?;
            return same(&json!(return_url_with_result(href, id)), &expect["ok"]);
        }
        _ => {}
    }
    let name = case["provider_name"].as_str().unwrap_or("demo");
    let entry = Provider::from_json(name, &case["provider"]).map_err(|e| e.to_string())?;
    let provider = match OAuth2Provider::from_provider(&entry) {
        Ok(provider) => provider,
        Err(err) if case["mode"] == "provider" => {
            return crate::compare_issues(err.issues(), &expect["issues"]);
        }
        Err(err) => return Err(format!("provider refused: {err}")),
    };
    let matcher = EcmaRegex::new();
    let input = &case["input"];
    let config = object(&input["connection_config"]);
    let generated = Generated {
        random: input["random"].as_str().unwrap_or("random-uuid"),
        now: input["now"].as_str().unwrap_or("2026-08-21T10:00:00.000Z"),
    };
    let now_ms = input["now_ms"].as_i64().unwrap_or(1_787_306_400_000);
    match case["mode"].as_str() {
        Some("provider") => crate::compare_result(Ok(()), expect, |_: &()| Value::Null),
        Some("authorize") => {
            let params: Vec<AuthParam> = input["authorization_params"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| AuthParam {
                    name: p["name"].as_str().unwrap_or("").to_owned(),
                    value: p["value"].as_str().map(str::to_owned),
                })
                .collect();
            let request = AuthorizeRequest {
                client_id: text(input, "client_id"),
                redirect_uri: text(input, "redirect_uri"),
                scopes: text(input, "scopes"),
                state: text(input, "state"),
                code_verifier: text(input, "code_verifier"),
                connection_config: &config,
                authorization_params: &params,
                user_scope: input["user_scope"].as_str(),
                generated,
            };
            let result = authorization_url(&provider, &request, &matcher);
            if let (Err(err), Some(want)) = (&result, case["error_type"].as_str()) {
                let got = FlowError::from_authorize(&provider, err, &config);
                if got.error_type() != want {
                    return Err(format!("error_type {} != {want}", got.error_type()));
                }
            }
            crate::compare_result(result, expect, |url| json!(url))
        }
        Some("token_request") => {
            let exchange = CodeExchange {
                client: client(input),
                code: text(input, "code"),
                redirect_uri: text(input, "redirect_uri"),
                code_verifier: text(input, "code_verifier"),
                connection_config: &config,
                generated,
            };
            crate::compare_result(
                token_request(&provider, &exchange, &matcher),
                expect,
                request_json,
            )
        }
        Some("refresh_request") => {
            let exchange = RefreshExchange {
                client: client(input),
                refresh_token: text(input, "refresh_token"),
                connection_config: &config,
                generated,
            };
            crate::compare_result(
                refresh_request(&provider, &exchange, &matcher),
                expect,
                request_json,
            )
        }
        Some("token_response") => crate::compare_result(
            read_token_response(&provider, &input["body"], now_ms),
            expect,
            |r| json!({"credentials": r.credentials(), "metadata": r.metadata()}),
        ),
        Some("finish") => {
            let callback = callback_metadata(&provider, &object(&input["callback_query"]));
            let result = read_token_response(&provider, &input["body"], now_ms).map(|r| {
                let (credentials, config) = finish_connection(&r, &config, &callback);
                json!({"credentials": credentials, "connection_config": config})
            });
            crate::compare_result(result, expect, Clone::clone)
        }
        Some("refreshed") => crate::compare_result(
            refreshed_credentials(&provider, &input["old"], &input["body"], now_ms),
            expect,
            |c| Value::Object(c.clone()),
        ),
        Some("callback") => {
            let query = object(&input["query"]);
            let result = callback_code(&provider, &query).map(
                |code| json!({"code": code, "metadata": callback_metadata(&provider, &query)}),
            );
            if let (Err(_), Some(want)) = (&result, case["error_type"].as_str()) {
                let got = FlowError::invalid_callback(&query);
                if got.error_type() != want {
                    return Err(format!("error_type {} != {want}", got.error_type()));
                }
            }
            crate::compare_result(result, expect, Clone::clone)
        }
        Some("refresh_decision") => {
            let check = RefreshCheck {
                now_ms,
                force: input["force"] == true,
                last_failure_ms: input["last_failure_ms"].as_i64(),
            };
            let got = match refresh_decision(&provider, &input["credentials"], check) {
                RefreshDecision::Fresh => "fresh",
                RefreshDecision::Refresh => "refresh",
                RefreshDecision::BackOff => "back_off",
            };
            same(&json!(got), &expect["ok"])
        }
        other => Err(format!("unknown mode {other:?}")),
    }
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn text<'a>(input: &'a Value, key: &str) -> &'a str {
    input[key].as_str().unwrap_or("")
}

fn client(input: &Value) -> OAuth2Client<'_> {
    OAuth2Client {
        id: text(input, "client_id"),
        secret: text(input, "client_secret"),
    }
}

fn request_json(request: &TokenRequest) -> Value {
    let headers: Vec<Value> = request
        .headers
        .iter()
        .map(|(name, value)| json!([name, value]))
        .collect();
    json!({"url": request.url, "headers": headers, "body": request.body})
}

fn same(got: &Value, want: &Value) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("want {want}, got {got}"))
    }
}
