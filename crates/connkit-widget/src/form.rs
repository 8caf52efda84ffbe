//! The provider form: connkit-core's form model rendered (spec §4.3) and validated live by
//! connkit-core with the browser's `RegExp`. Labels are bound to inputs; a field shows its
//! issue once touched (blurred, or after a submit attempt) with `aria-invalid` and
//! `aria-describedby`; a failed submit keeps every value and focuses the first invalid field.
//!
//! All provider text (titles, descriptions, examples, prefixes) is rendered as text; links are
//! only rendered for http(s) URLs. Knows nothing about HTTP (the submit is its caller's) or
//! where the widget is mounted.

use leptos::either::{Either, either};
use leptos::html;
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsCast;

use connkit_core::catalogue::{AuthMode, Provider};
use connkit_core::field::{
    Submission, SubmittedObject, SubmittedRef, SubmittedValues, to_submission, validate_field,
};
use connkit_core::form::{FieldGroup, FieldKind, Form, FormField, FormOptions, build_form};

use crate::api::{ApiError, Integration, Session};
use crate::i18n::{I18n, use_i18n};
use crate::regexp::JsRegExp;
use crate::screens::{error_text, field_error_text, is_http_url};

/// An integration with the form connkit-core builds for it: what [`ProviderForm`] shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IntegrationForm {
    /// The integration.
    pub(crate) integration: Integration,
    /// The provider's display name.
    pub(crate) provider_name: String,
    /// The form model.
    pub(crate) form: Form,
    /// AWS_SIGV4's External ID: the session's, else one made here (shown, and sent as a param).
    pub(crate) external_id: Option<String>,
}

impl IntegrationForm {
    /// Builds the form of `integration` from its provider and what the session preconfigures
    /// for it (spec §4.3).
    pub(crate) fn build(
        integration: Integration,
        provider: &Provider,
        session: &Session,
    ) -> IntegrationForm {
        let key = &integration.unique_key;
        let options = FormOptions {
            connection_config: session.connection_config(key),
            docs_connect: session.docs_connect(key),
            preconfigured_credentials: integration.preconfigured_credentials.clone(),
            reconnect: session.reconnect.clone(),
            // `credentials_label` is left out: connkit-server sends none, and reading it would
            // add 1.2 KB (gzip) to the first load.
            ..FormOptions::default()
        };
        let form = build_form(provider, &options);
        let external_id = (*form.auth_mode() == AuthMode::AwsSigV4).then(|| {
            form.aws_external_id()
                .map_or_else(random_uuid, |id| Some(id.to_owned()))
        });
        IntegrationForm {
            external_id: external_id.flatten(),
            form,
            provider_name: provider.display_name().to_owned(),
            integration,
        }
    }
}

/// A random UUID (v4) from the browser (`crypto.randomUUID`, which only secure pages have).
fn random_uuid() -> Option<String> {
    let window = web_sys::window().filter(web_sys::Window::is_secure_context)?;
    Some(window.crypto().ok()?.random_uuid())
}

/// One field with its state.
#[derive(Clone)]
struct FieldState {
    index: usize,
    field: FormField,
    value: RwSignal<String>,
    touched: RwSignal<bool>,
}

impl FieldState {
    fn id(&self) -> String {
        format!("ck-field-{}", self.index)
    }
}

/// The form of one integration. The submit itself is the caller's (an action); the form shows
/// its progress and a refusal only for submits it sent, so a form opened afresh starts clean.
#[component]
#[allow(unreachable_pub)] // `#[component]` makes the props struct `pub`
pub(crate) fn ProviderForm(
    /// The integration and its built form.
    model: IntegrationForm,
    /// Whether a "Back" button leads to the integration list.
    can_go_back: bool,
    /// Back to the list.
    on_back: Callback<()>,
    /// A submit of values that passed every field check.
    on_submit: Callback<Submission>,
    /// Whether a submit is in flight.
    #[prop(into)]
    pending: Signal<bool>,
    /// The last submit's failure when it leaves the form open (a refused value, a network
    /// failure); `None` while one is in flight.
    #[prop(into)]
    refused: Signal<Option<ApiError>>,
    /// Shows `refused` at once: the form is the page's return from a redirect-mode OAuth flow,
    /// whose failure it reports.
    #[prop(optional)]
    resumed: bool,
) -> impl IntoView {
    let t = use_i18n();
    let IntegrationForm {
        integration,
        provider_name,
        form,
        external_id,
    } = model;
    let fields: Vec<FieldState> = form
        .fields()
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let initial = match &field.initial {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => crate::json::stringify(other).unwrap_or_default(),
            };
            FieldState {
                index,
                field: field.clone(),
                value: RwSignal::new(initial),
                touched: RwSignal::new(false),
            }
        })
        .collect();
    // Whether this form has sent a submit: the caller's action outlives the form.
    let sent = RwSignal::new(resumed);
    let submitting = move || sent.get() && pending.get();
    let root = NodeRef::<html::Form>::new();

    let submit = {
        let fields = fields.clone();
        let form = form.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if sent.get_untracked() && pending.get_untracked() {
                return;
            }
            for state in &fields {
                state.touched.set(true);
            }
            match check_values(&form, &fields) {
                Ok(submission) => {
                    sent.set(true);
                    on_submit.run(submission);
                }
                Err(_) => focus_first_invalid(root.get_untracked()),
            }
        }
    };

    let visible: Vec<FieldState> = fields.iter().filter(|s| !s.field.hidden).cloned().collect();
    let direct = visible.is_empty();
    let docs = form
        .docs_connect()
        .filter(|d| is_http_url(d))
        .map(str::to_owned);
    let name = integration.display_name;
    let title = t.tr_with("form.title", vec![("provider", name.clone())]);

    view! {
        <section class="ck-screen" aria-labelledby="ck-title">
            {can_go_back
                .then(|| {
                    view! {
                        <button type="button" class="ck-back" on:click=crate::on_press(on_back)>
                            {t.tr("form.back")}
                        </button>
                    }
                })}
            <h2 id="ck-title" tabindex="-1" data-autofocus>{title}</h2>
            <form class="ck-form" node_ref=root novalidate on:submit=submit>
                {direct
                    .then(|| {
                        view! {
                            <p class="ck-desc">{t.tr_with("form.direct", vec![("provider", name.clone())])}</p>
                        }
                    })}
                {visible.into_iter().map(|f| field_view(t, f)).collect_view()}
                {external_id.map(|id| external_id_view(t, id))}
                <div class="ck-banner" role="alert" aria-live="assertive">
                    {move || {
                        sent.get().then(|| refused.get()).flatten().map(|err| {
                            let code = err.code().to_owned();
                            let provider = provider_name.clone();
                            let text = Signal::derive(move || error_text(t, &err, Some(&provider)));
                            view! { <p class="ck-banner-text" data-code=code>{text}</p> }
                        })
                    }}
                </div>
                <button type="submit" class="ck-primary" aria-busy=Signal::derive(move || submitting().to_string())>
                    {Signal::derive(move || t.text(if submitting() { "form.connecting" } else { "form.connect" }))}
                </button>
            </form>
            {docs
                .map(|href| {
                    view! {
                        <p class="ck-footer">
                            {t.tr("form.help")}
                            " "
                            <a href=href target="_blank" rel="noopener noreferrer">{t.tr("form.guide")}</a>
                        </p>
                    }
                })}
        </section>
    }
}

/// The form's values checked as a submission, read from the fields' strings (no JSON built).
fn check_values(
    form: &Form,
    fields: &[FieldState],
) -> Result<Submission, connkit_core::ValidationError> {
    let values: Vec<String> = fields.iter().map(|s| s.value.get_untracked()).collect();
    let groups = FieldGroup::ALL.map(|group| {
        fields
            .iter()
            .zip(&values)
            .filter(|(s, _)| s.field.group == group)
            .map(|(s, value)| (s.field.name.as_str(), SubmittedRef::Str(value)))
            .collect::<Vec<_>>()
    });
    let top: Vec<_> = FieldGroup::ALL
        .iter()
        .zip(&groups)
        .map(|(group, pairs)| (group.as_str(), SubmittedObject::Object(pairs)))
        .collect();
    to_submission(
        form.fields(),
        SubmittedValues::Submission(Ok(&top)),
        &JsRegExp,
    )
}

/// One visible field: label, description, decorated input, doc link, live issue.
fn field_view(t: I18n, state: FieldState) -> impl IntoView {
    let id = state.id();
    let desc_id = format!("{id}-desc");
    let err_id = format!("{id}-err");
    let field = state.field.clone();
    let FieldState { value, touched, .. } = state;
    let issue = {
        let field = field.clone();
        Memo::new(move |_| {
            let issues = validate_field(&field, Some(&Value::String(value.get())), &JsRegExp);
            issues
                .into_iter()
                .find(|i| i.severity() == connkit_core::Severity::Error)
                .map(|i| field_error_text(t, &i, &field))
        })
    };
    let shown = move || touched.get().then(|| issue.get()).flatten();
    let described = {
        let has_desc = field.description.is_some();
        let (desc_id, err_id) = (desc_id.clone(), err_id.clone());
        Signal::derive(move || {
            let mut ids = Vec::new();
            if has_desc {
                ids.push(desc_id.clone());
            }
            if shown().is_some() {
                ids.push(err_id.clone());
            }
            ids.join(" ")
        })
    };
    let required = !field.optional;
    // What both controls carry, one attribute list: each list rendered brings its own code.
    let common = view! {
        <{..}
            id=id.clone()
            class="ck-input"
            aria-required=required.to_string()
            aria-invalid=Signal::derive(move || shown().is_some().to_string())
            aria-describedby=described
            prop:value=Signal::derive(move || value.get())
        />
    };
    let input = either!(&field.kind,
        FieldKind::Select(options) => {
            let options = options.clone();
            view! {
                <select
                    {..common}
                    on:change:target=move |ev| {
                        value.set(ev.target().value());
                        touched.set(true);
                    }
                >
                    {options
                        .into_iter()
                        .map(|o| view! { <option value=o.value>{o.label}</option> })
                        .collect_view()}
                </select>
            }
        },
        kind => {
            let kind = if *kind == FieldKind::Password {
                "password"
            } else {
                "text"
            };
            view! {
                <input
                    {..common}
                    type=kind
                    name=field.name.clone()
                    autocomplete=if kind == "password" { "new-password" } else { "off" }
                    spellcheck="false"
                    placeholder=field.placeholder.clone()
                    on:input:target=move |ev| value.set(ev.target().value())
                    on:blur=move |_| touched.set(true)
                />
            }
        },
    );
    let doc = field.doc_link.clone().filter(|l| is_http_url(l));
    let group = match field.group {
        FieldGroup::Credentials => "credentials",
        FieldGroup::Params => "params",
        FieldGroup::AssertionOption => "assertion_option",
    };
    view! {
        <div class="ck-field" data-group=group data-name=field.name.clone()>
            <div class="ck-label-row">
                <label class="ck-label" for=id>
                    {field.label.clone()}
                    {if field.optional {
                        Either::Left(view! { <span class="ck-badge">" " {t.tr("form.optional")}</span> })
                    } else {
                        Either::Right(view! { <span class="ck-required" aria-hidden="true">" *"</span> })
                    }}
                </label>
                {doc
                    .map(|href| {
                        let label = t.tr_with("form.doc_label", vec![("label", field.label.clone())]);
                        view! {
                            <a class="ck-doc" href=href target="_blank" rel="noopener noreferrer" aria-label=label>
                                "?"
                            </a>
                        }
                    })}
            </div>
            {field
                .description
                .clone()
                .filter(|d| !d.is_empty())
                .map(|d| view! { <p id=desc_id class="ck-desc">{d}</p> })}
            <div class="ck-decorated">
                {field.prefix.clone().map(|p| view! { <span class="ck-affix" aria-hidden="true">{p}</span> })}
                {input}
                {field.suffix.clone().map(|s| view! { <span class="ck-affix" aria-hidden="true">{s}</span> })}
            </div>
            <p id=err_id class="ck-error" aria-live="polite">{Signal::derive(move || shown().unwrap_or_default())}</p>
        </div>
    }
}

/// AWS_SIGV4's External ID, read-only so that it can be copied into the role's trust policy.
fn external_id_view(t: I18n, id: String) -> impl IntoView {
    view! {
        <div class="ck-field" data-name="external_id">
            <label class="ck-label" for="ck-external-id">{t.tr("form.external_id")}</label>
            <p id="ck-external-id-desc" class="ck-desc">
                {t.tr("form.external_id_help")}
            </p>
            <input
                id="ck-external-id"
                class="ck-input"
                type="text"
                readonly
                value=id
                aria-describedby="ck-external-id-desc"
            />
        </div>
    }
}

/// Focuses the first field marked invalid.
fn focus_first_invalid(form: Option<web_sys::HtmlFormElement>) {
    let Some(form) = form else { return };
    if let Ok(Some(el)) = form.query_selector("[aria-invalid=true]")
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}
