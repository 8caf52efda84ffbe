//! The widget's small screens (loading skeleton, success, failure) and the one place where
//! codes become English: server and network failures (spec §4.5) and field issues.
//!
//! Knows nothing about HTTP; it only reads [`ApiError`] codes.

use leptos::either::Either;
use leptos::prelude::*;

use connkit_core::form::FormField;
use connkit_core::{ErrorCode, Issue};

use crate::api::{ApiError, AuthResult};
use crate::event::ConnectEvent;

/// What the user reads for a failed call. `provider` is the display name, when known.
pub fn error_text(err: &ApiError, provider: Option<&str>) -> String {
    let provider = provider.unwrap_or("The provider");
    match err {
        ApiError::Expired => "Your session has expired. Please close this window and start again.".into(),
        ApiError::Network => "The server could not be reached. Check your connection and try again.".into(),
        ApiError::Invalid => "The server sent an answer this widget cannot read.".into(),
        ApiError::Unsupported(mode) => format!("This widget cannot connect {mode} integrations yet."),
        ApiError::Flow { code, message } => match code.as_str() {
            "blocked_by_browser" => "Your browser blocked the sign-in window.".into(),
            "window_closed" => {
                "The sign-in window was closed before the end of the process. Please try again.".into()
            }
            "return_url_err" => "This server does not allow coming back to this page after signing in.".into(),
            _ if message.is_empty() => format!("{provider} did not complete the authorization. Please try again."),
            // The server's or the provider's words (spec §3.5), which name what failed.
            _ => message.clone(),
        },
        ApiError::Server { code, message, .. } => match code.as_str() {
            "connection_test_failed" => {
                format!("{provider} did not validate your credentials. Please check the values and try again.")
            }
            "resource_capped" => {
                "You have reached the maximum number of connections allowed. Please reach out to the admin.".into()
            }
            "integration_not_allowed" => "This session does not allow this integration.".into(),
            // The provider refused what was typed (spec §3.9); Nango's message carries the
            // provider's raw answer, not a sentence for the user.
            "client_credentials_fetch_error"
            | "two_step_credentials_fetch_error"
            | "bill_tokens_fetch_error"
            | "aws_sigv4_sts_request_failed" => {
                format!("{provider} refused these credentials. Please check the values and try again.")
            }
            "invalid_certificate_or_key_format" => {
                "The client certificate or private key is not in a format the server can read.".into()
            }
            "invalid_body" | "invalid_query_params" => {
                "Some values were refused by the server. Please check them and try again.".into()
            }
            "unknown_provider_config" | "not_found" => "This integration no longer exists.".into(),
            _ => message
                .clone()
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "Something went wrong. Please try again.".into()),
        },
    }
}

/// The `error` event for a failure the user is shown: its code and [`error_text`].
pub fn error_event(err: &ApiError, provider: Option<&str>) -> ConnectEvent {
    ConnectEvent::Error {
        error_type: err.code().to_owned(),
        error_message: error_text(err, provider),
    }
}

/// What the user reads under a field for `issue`.
pub fn field_error_text(issue: &Issue, field: &FormField) -> String {
    match issue.code() {
        ErrorCode::FieldRequired => format!("{} is required.", field.label),
        ErrorCode::FieldPatternMismatch if !field.placeholder.is_empty() => format!(
            "{} does not have the expected format (for example: {}).",
            field.label, field.placeholder
        ),
        ErrorCode::FieldPatternMismatch => {
            format!("{} does not have the expected format.", field.label)
        }
        ErrorCode::FieldEnumMismatch => "Choose one of the listed values.".into(),
        ErrorCode::FieldUriInvalid => "Enter a valid URL.".into(),
        ErrorCode::FieldEmailInvalid => "Enter a valid email address.".into(),
        ErrorCode::FieldHostnameInvalid => "Enter a valid host name.".into(),
        ErrorCode::FieldUuidInvalid => "Enter a valid UUID.".into(),
        // `field_not_string` (the form only sends text) and codes yet to come: the widget's own
        // sentence, not core's message, whose table of every code's text would come along.
        _ => format!("{} is not valid.", field.label),
    }
}

/// True for `http:` and `https:` URLs: the only links the widget renders (a provider or session
/// text must never become a `javascript:` link).
pub fn is_http_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Placeholder blocks while data loads.
#[component]
pub fn Skeleton() -> impl IntoView {
    view! {
        <section class="ck-screen ck-skeleton" aria-busy="true" aria-labelledby="ck-title">
            <h2 id="ck-title" class="ck-visually-hidden" tabindex="-1" data-autofocus>"Loading"</h2>
            <div class="ck-bone ck-bone-title"></div>
            <div class="ck-bone"></div>
            <div class="ck-bone"></div>
            <div class="ck-bone"></div>
        </section>
    }
}

/// The connection was made.
#[component]
pub fn SuccessScreen(
    /// The auth result.
    result: AuthResult,
    /// The provider's display name.
    provider: String,
    /// "Finish"; without it (a connect link, nothing hosts the widget) the screen says the tab
    /// can be closed, as Connect UI's does.
    #[prop(optional_no_strip)]
    on_finish: Option<Callback<()>>,
) -> impl IntoView {
    let end = match on_finish {
        Some(finish) => Either::Left(view! {
            <button type="button" class="ck-primary" on:click=move |_| finish.run(())>"Finish"</button>
        }),
        None => Either::Right(view! { <p>"You can now close this tab."</p> }),
    };
    view! {
        <section class="ck-screen ck-done" aria-labelledby="ck-title" data-connection-id=result.connection_id>
            <div class="ck-done-mark" aria-hidden="true">"✓"</div>
            <h2 id="ck-title" tabindex="-1" data-autofocus>"Connected"</h2>
            <p>{format!("You are connected to {provider}.")}</p>
            {end}
        </section>
    }
}

/// A failure that ends the flow.
#[component]
pub fn ErrorScreen(
    /// What failed.
    error: ApiError,
) -> impl IntoView {
    let code = error.code().to_owned();
    let code_attr = code.clone();
    let heading = match error {
        ApiError::Expired => "Session expired",
        ApiError::Network => "Cannot reach the server",
        _ => "Something went wrong",
    };
    view! {
        <section class="ck-screen ck-failed" aria-labelledby="ck-title" data-code=code_attr>
            <h2 id="ck-title" tabindex="-1" data-autofocus>{heading}</h2>
            <p role="alert">{error_text(&error, None)}</p>
            <p class="ck-code">"Code: " <code>{code}</code></p>
        </section>
    }
}
