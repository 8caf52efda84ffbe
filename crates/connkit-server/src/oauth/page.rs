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
//! The page speaks the language of the request's `Accept-Language` header (the popup's own
//! navigation: the browser's languages), chosen by core's `best_language` among connkit's ten;
//! its words are `oauth/i18n/{lang}.json`, compiled in, with English for any key one lacks.
//! The widget's `lang` option does not reach it: Nango's `/oauth/connect` query has no place
//! for it.
//!
//! Knows nothing about flows, sessions or WebSockets.

use std::sync::OnceLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use connkit_core::lang::{LANGUAGES, accept_language, best_language};
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

/// The page's words in each language, as `{"key": "text"}`; English first, the fallback.
const CATALOGUES: [(&str, &str); 10] = [
    ("en", include_str!("i18n/en.json")),
    ("fr", include_str!("i18n/fr.json")),
    ("de", include_str!("i18n/de.json")),
    ("es", include_str!("i18n/es.json")),
    ("ja", include_str!("i18n/ja.json")),
    ("it", include_str!("i18n/it.json")),
    ("pt-BR", include_str!("i18n/pt-BR.json")),
    ("nl", include_str!("i18n/nl.json")),
    ("pl", include_str!("i18n/pl.json")),
    ("zh-CN", include_str!("i18n/zh-CN.json")),
];

/// The page's language for a request's `Accept-Language` header (English without one).
pub(crate) fn page_language(accept: Option<&str>) -> &'static str {
    let preferred = accept.map(accept_language).unwrap_or_default();
    best_language(preferred, &LANGUAGES).unwrap_or(LANGUAGES[0])
}

/// The text of `key` in `lang`, else in English, HTML-escaped.
fn text(lang: &str, key: &str) -> String {
    let find = |lang: &str| {
        let (_, json) = CATALOGUES.iter().find(|(l, _)| *l == lang)?;
        let words: Map<String, Value> = serde_json::from_str(json).ok()?;
        words.get(key)?.as_str().map(escape_html)
    };
    find(lang)
        .or_else(|| find(LANGUAGES[0]))
        .unwrap_or_default()
}

/// The flow a page is about, when the callback found it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageFlow<'a> {
    pub(crate) provider_config_key: &'a str,
    pub(crate) connection_id: &'a str,
    pub(crate) ws_client_id: Option<&'a str>,
}

/// The page for a flow's outcome, in `lang` ([`page_language`]); `query` is the request's
/// query (the provider's error parameters, if any, become the message).
pub(crate) fn callback_page(
    status: StatusCode,
    outcome: Result<(), &FlowError>,
    flow: Option<PageFlow<'_>>,
    query: &Map<String, Value>,
    lang: &str,
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
    let t = |key: &str| text(lang, key);
    let body = match &error {
        None => format!("<h1>{}</h1>\n<p>{}</p>", t("page.success"), t("page.close")),
        Some((message, _)) => format!(
            "<h1>{}</h1>\n<p>{}</p>\n<pre>{}</pre>\n<p>{}</p>",
            t("page.failed"),
            t("page.failed_text"),
            escape_html(message),
            t("page.close")
        ),
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <main>\n<noscript>{}</noscript>\n{body}\n</main>\n\
         <script type=\"application/json\" id=\"nango-oauth-outcome\">{}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape_html(lang),
        t("page.title"),
        t("page.noscript"),
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
    fn the_page_speaks_the_browser_language() {
        assert_eq!(page_language(Some("sv, pt;q=0.9, en;q=0.5")), "pt-BR");
        assert_eq!(page_language(Some("zh-TW")), "en");
        assert_eq!(page_language(None), "en");
        // Every catalogue has every key English has, and no other.
        let keys = |json: &str| -> Vec<String> {
            let words: Map<String, Value> = serde_json::from_str(json).unwrap_or_default();
            words.keys().cloned().collect()
        };
        let english = keys(CATALOGUES[0].1);
        assert!(!english.is_empty());
        for (lang, json) in CATALOGUES {
            assert_eq!(keys(json), english, "{lang}");
        }
        assert_eq!(
            CATALOGUES.map(|(lang, _)| lang),
            LANGUAGES,
            "one catalogue per language, in core's order"
        );
    }

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
