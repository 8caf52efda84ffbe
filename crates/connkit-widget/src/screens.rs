//! The widget's small screens (loading skeleton, success, failure) and the one place where
//! codes become words: server and network failures (spec §4.5) and field issues each name a
//! catalogue key (`i18n.rs`), filled with the provider's name or the field's label.
//!
//! Knows nothing about HTTP; it only reads [`ApiError`] codes.

use leptos::either::Either;
use leptos::prelude::*;

use connkit_core::form::FormField;
use connkit_core::{ErrorCode, Issue};

use crate::api::{ApiError, AuthResult};
use crate::event::ConnectEvent;
use crate::i18n::{I18n, use_i18n};

/// What the user reads for a failed call. `provider` is the display name, when known.
pub fn error_text(t: I18n, err: &ApiError, provider: Option<&str>) -> String {
    let unknown;
    let provider = match provider {
        Some(name) => name,
        None => {
            unknown = t.text("error.provider_unknown");
            &unknown
        }
    };
    let key = match err {
        ApiError::Expired => "error.expired",
        ApiError::Network => "error.network",
        ApiError::Invalid => "error.invalid_response",
        ApiError::Unsupported(mode) => return t.fill("error.unsupported", &[("mode", mode)]),
        ApiError::Flow { code, message } => match code.as_str() {
            "blocked_by_browser" => "error.blocked_by_browser",
            "window_closed" => "error.window_closed",
            "return_url_err" => "error.return_url",
            _ if message.is_empty() => "error.not_completed",
            // The server's or the provider's words (spec §3.5), which name what failed.
            _ => return message.clone(),
        },
        ApiError::Server { code, message, .. } => match code.as_str() {
            "connection_test_failed" => "error.connection_test_failed",
            "resource_capped" => "error.resource_capped",
            "integration_not_allowed" => "error.integration_not_allowed",
            // The provider refused what was typed (spec §3.9); Nango's message carries the
            // provider's raw answer, not a sentence for the user.
            "client_credentials_fetch_error"
            | "two_step_credentials_fetch_error"
            | "bill_tokens_fetch_error"
            | "aws_sigv4_sts_request_failed" => "error.credentials_refused",
            "invalid_certificate_or_key_format" => "error.invalid_certificate",
            "invalid_body" | "invalid_query_params" => "error.invalid_values",
            "unknown_provider_config" | "not_found" => "error.integration_gone",
            // The server's own words, when it sent some.
            _ => match message.as_ref().filter(|m| !m.is_empty()) {
                Some(message) => return message.clone(),
                None => "error.generic",
            },
        },
    };
    t.fill(key, &[("provider", provider)])
}

/// The `error` event for a failure the user is shown: its code and [`error_text`].
pub fn error_event(t: I18n, err: &ApiError, provider: Option<&str>) -> ConnectEvent {
    ConnectEvent::Error {
        error_type: err.code().to_owned(),
        error_message: error_text(t, err, provider),
    }
}

/// What the user reads under a field for `issue`: core's code and the field's own label and
/// example, in the widget's words.
pub fn field_error_text(t: I18n, issue: &Issue, field: &FormField) -> String {
    let key = match issue.code() {
        ErrorCode::FieldRequired => "field.required",
        ErrorCode::FieldPatternMismatch if !field.placeholder.is_empty() => "field.pattern_example",
        ErrorCode::FieldPatternMismatch => "field.pattern",
        ErrorCode::FieldEnumMismatch => "field.enum",
        ErrorCode::FieldUriInvalid => "field.uri",
        ErrorCode::FieldEmailInvalid => "field.email",
        ErrorCode::FieldHostnameInvalid => "field.hostname",
        ErrorCode::FieldUuidInvalid => "field.uuid",
        // `field_not_string` (the form only sends text) and codes yet to come.
        _ => "field.invalid",
    };
    t.fill(
        key,
        &[("label", &field.label), ("example", &field.placeholder)],
    )
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
    let t = use_i18n();
    view! {
        <section class="ck-screen ck-skeleton" aria-busy="true" aria-labelledby="ck-title">
            <h2 id="ck-title" class="ck-visually-hidden" tabindex="-1" data-autofocus>{t.tr("loading.title")}</h2>
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
    let t = use_i18n();
    let end = match on_finish {
        Some(finish) => Either::Left(view! {
            <button type="button" class="ck-primary" on:click=crate::on_press(finish)>{t.tr("done.finish")}</button>
        }),
        None => Either::Right(view! { <p>{t.tr("done.close_tab")}</p> }),
    };
    view! {
        <section class="ck-screen ck-done" aria-labelledby="ck-title" data-connection-id=result.connection_id>
            <div class="ck-done-mark" aria-hidden="true">"✓"</div>
            <h2 id="ck-title" tabindex="-1" data-autofocus>{t.tr("done.title")}</h2>
            <p>{t.tr_with("done.text", vec![("provider", provider)])}</p>
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
    let t = use_i18n();
    let heading = match error {
        ApiError::Expired => "failed.expired",
        ApiError::Network => "failed.network",
        _ => "failed.generic",
    };
    view! {
        <section class="ck-screen ck-failed" aria-labelledby="ck-title" data-code=code_attr>
            <h2 id="ck-title" tabindex="-1" data-autofocus>{t.tr(heading)}</h2>
            <p role="alert">{Signal::derive(move || error_text(t, &error, None))}</p>
            <p class="ck-code">{t.tr("failed.code")} " " <code>{code}</code></p>
        </section>
    }
}
