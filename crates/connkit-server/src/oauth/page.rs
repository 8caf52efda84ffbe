//! The page an OAuth popup (or tab) ends on (spec §3.5, Nango's `utils/html.ts`): 200 on
//! success, 4xx on failure. Its script sets `window.__nangoOAuthError` (`{message, errorType}`
//! or `null`), posts `{type: 'nango_oauth_callback_success'}` or `{type:
//! 'nango_oauth_callback_error', payload: {message, errorType}}` to `window.opener` (target
//! origin `*`) and on `BroadcastChannel('nango-oauth-callback')`, closes the window when it
//! receives `{type: 'nango_oauth_callback_ack'}`, and on success also after 500 ms.
//!
//! The message is the flow's, or, when the provider's callback carried error parameters, those
//! as JSON (as Nango shows them). `errorType` is the flow's error type (Nango always writes
//! `connection_validation_failed`). When the flow is known, the messages also carry its
//! `wsClientId`, and the success message a `payload` of `{providerConfigKey, connectionId,
//! wsClientId}` (spec §12.27): a client whose WebSocket was lost can still finish, and tells its
//! own flow's page from another's; Nango's clients ignore both. Safety: the outcome travels as JSON in a
//! `<script type="application/json">` block (`<`, `>`, `&` and the line separators escaped), read
//! by a fixed script; text shown is HTML-escaped; a Content-Security-Policy allows only that
//! script and style (by hash), and no framing.
//!
//! Knows nothing about flows, sessions or WebSockets.

use std::sync::OnceLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use connkit_core::oauth2::{FlowError, provider_error};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The page's only script: reads the outcome and tells the opener.
const SCRIPT: &str = r#"(function () {
  var outcome = JSON.parse(document.getElementById('nango-oauth-outcome').textContent);
  window.__nangoOAuthError = outcome.error;
  function closeWindow() {
    try { window.close(); } catch (e) {}
    try { window.open('', '_self').close(); } catch (e) {}
  }
  function notifyOpener(type, payload) {
    var message = payload ? { type: type, payload: payload } : { type: type };
    try { if (window.opener) { window.opener.postMessage(message, '*'); } } catch (e) {}
    try {
      if (typeof BroadcastChannel !== 'undefined') {
        var channel = new BroadcastChannel('nango-oauth-callback');
        channel.postMessage(message);
        channel.close();
      }
    } catch (e) {}
  }
  window.addEventListener('message', function (evt) {
    if (evt.data && evt.data.type === 'nango_oauth_callback_ack') { closeWindow(); }
  });
  if (outcome.error) {
    notifyOpener('nango_oauth_callback_error', outcome.error);
  } else {
    notifyOpener('nango_oauth_callback_success', outcome.success);
    window.setTimeout(closeWindow, 500);
  }
})();"#;

/// The page's only style.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;min-height:100vh;display:flex;\
align-items:center;justify-content:center;background:#0a0a0a;color:#e5e5e5}\
main{max-width:30rem;padding:2rem;text-align:center}\
pre{white-space:pre-wrap;word-break:break-word;text-align:left;background:#1f1f1f;color:#fca5a5;\
padding:1rem;border-radius:.5rem}";

/// The flow a page is about, when the callback found it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageFlow<'a> {
    pub(crate) provider_config_key: &'a str,
    pub(crate) connection_id: &'a str,
    pub(crate) ws_client_id: Option<&'a str>,
}

/// The page for a flow's outcome; `query` is the request's query (the provider's error
/// parameters, if any, become the message).
pub(crate) fn callback_page(
    status: StatusCode,
    outcome: Result<(), &FlowError>,
    flow: Option<PageFlow<'_>>,
    query: &Map<String, Value>,
) -> Response {
    let error = outcome.err().map(|err| {
        let message = match provider_error(query) {
            Some(found) => Value::Object(found).to_string(),
            None => err.message().to_owned(),
        };
        (message, err.error_type().to_owned())
    });
    let ws_client_id = flow.and_then(|f| f.ws_client_id);
    let data = match (&error, flow) {
        (Some((message, kind)), _) => {
            let mut error = json!({"message": message, "errorType": kind});
            if let Some(id) = ws_client_id {
                error["wsClientId"] = Value::from(id);
            }
            json!({ "error": error })
        }
        (None, Some(flow)) => json!({
            "error": null,
            "success": {
                "providerConfigKey": flow.provider_config_key,
                "connectionId": flow.connection_id,
                "wsClientId": ws_client_id,
            },
        }),
        (None, None) => json!({"error": null, "success": null}),
    };
    let body = match &error {
        None => "<h1>Successful connection</h1>\n<p>You can close this window.</p>".to_owned(),
        Some((message, _)) => format!(
            "<h1>Connection failed</h1>\n<p>An error occurred during authorization.</p>\n<pre>{}</pre>\n<p>You can close this window.</p>",
            escape_html(message)
        ),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Authorization callback</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main>\n<noscript>JavaScript is required to finish the authorization.</noscript>\n{body}\n</main>\n\
         <script type=\"application/json\" id=\"nango-oauth-outcome\">{}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        script_json(&data)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if let Ok(csp) = HeaderValue::from_str(policy()) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// The Content-Security-Policy: the fixed script and style by hash, nothing else.
fn policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = |text: &str| BASE64.encode(Sha256::digest(text.as_bytes()));
        format!(
            "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'",
            hash(SCRIPT),
            hash(STYLE)
        )
    })
}

/// JSON that can sit inside a `<script>` element: nothing in it can end the element or start a
/// comment, and the line separators JavaScript once rejected are escaped.
fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `text` safe to place in HTML text and attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_stays_data() {
        let evil = "</script><script>alert(1)</script>\u{2028}&";
        let json = script_json(&json!({"error": {"message": evil}}));
        assert!(!json.contains('<') && !json.contains('\u{2028}'), "{json}");
        let back: Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back["error"]["message"], evil);
        assert_eq!(
            escape_html("<b a=\"x\">'&"),
            "&lt;b a=&quot;x&quot;&gt;&#39;&amp;"
        );
    }
}
