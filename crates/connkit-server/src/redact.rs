//! What of a URL may be written to a log: its scheme, host, port and path. Never its userinfo
//! (`user:password@`), query or fragment, where webhook and provider URLs carry credentials
//! (`?token=…`, `?connect_session_token=…`, a proxy's `?api_key=${apiKey}`).
//!
//! Knows nothing about what the URL is for.

/// `text` without userinfo, query and fragment; `-` when it is not a URL.
pub(crate) fn url(text: &str) -> String {
    let Ok(url) = reqwest::Url::parse(text) else {
        return "-".to_owned();
    };
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push(':');
        shown.push_str(&port.to_string());
    }
    shown.push_str(url.path());
    shown
}

/// What went wrong with an outbound request, in words without the URL (reqwest's own text
/// includes it, credentials and all).
pub(crate) fn request_error(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_redirect() {
        "too many redirects"
    } else if err.is_builder() {
        "bad URL"
    } else {
        "request failed"
    }
}

#[cfg(test)]
mod tests {
    use super::url;

    #[test]
    fn userinfo_query_and_fragment_are_left_out() {
        assert_eq!(
            url("https://user:pa55@hooks.example:8443/in/x?token=s3cret#frag"),
            "https://hooks.example:8443/in/x"
        );
        assert_eq!(url("http://[::1]/"), "http://[::1]/");
        assert_eq!(url("not a url ?token=s3cret"), "-");
    }
}
