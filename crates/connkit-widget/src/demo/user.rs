//! The demo's end-user panel: end_user_id, end_user_display_name, end_user_email,
//! organization_id and free extra tags, validated live by connkit-core (`validate_tags`) as the
//! user types. Each issue is shown next to the input its path points at, with `aria-invalid` /
//! `aria-describedby`.
//!
//! What was typed is kept in the tab's `sessionStorage` when a session is asked for, and comes
//! back when the page is the return of an OAuth flow in redirect mode (the page left for the
//! provider and was loaded again): the person finds their tags, and the list filtered by them.
//!
//! Knows nothing about sessions; the parent reads [`TagsInput::validated`].

use leptos::prelude::*;
use serde_json::{Map, Value};

use connkit_core::tags::{Tags, validate_tags};
use connkit_core::{Detail, ErrorCode, Issue, Severity};

use crate::demo::words;
use crate::i18n::I18n;

/// The `sessionStorage` entry that keeps the typed tags across a redirect.
const KEPT: &str = "connkit.demo.tags";

/// The named tags the panel always shows, with their label's key (`end_user_display_name` and
/// `end_user_email` are the reserved UI tags the connection list shows).
pub const NAMED: [(&str, &str); 4] = [
    ("end_user_id", "demo.tag.end_user_id"),
    ("end_user_display_name", "demo.tag.end_user_display_name"),
    ("end_user_email", "demo.tag.end_user_email"),
    ("organization_id", "demo.tag.organization_id"),
];

/// One free tag row.
#[derive(Debug, Clone, Copy)]
pub struct ExtraRow {
    id: usize,
    key: RwSignal<String>,
    value: RwSignal<String>,
}

/// Everything the user typed, and what core makes of it.
#[derive(Debug, Clone, Copy)]
pub struct TagsInput {
    named: [RwSignal<String>; 4],
    extra: RwSignal<Vec<ExtraRow>>,
    next_id: StoredValue<usize>,
    /// Core's verdict on the tags object built from the inputs.
    pub validated: Memo<Result<Tags, Vec<Issue>>>,
    /// Show issues (after the first attempt to connect, or once the user typed).
    pub show_issues: RwSignal<bool>,
}

impl TagsInput {
    /// Starts with `end_user_id = "user-1"`, `organization_id = "acme"` and no extra row, or,
    /// on the return of a redirect-mode OAuth flow, with what was typed before it.
    pub fn new() -> TagsInput {
        let named = [
            RwSignal::new("user-1".to_owned()),
            RwSignal::new(String::new()),
            RwSignal::new(String::new()),
            RwSignal::new("acme".to_owned()),
        ];
        let extra = RwSignal::new(Vec::<ExtraRow>::new());
        let validated = Memo::new(move |_| {
            let raw = raw_tags(&named, &extra.get());
            validate_tags(&raw).map_err(|e| e.into_issues())
        });
        let input = TagsInput {
            named,
            extra,
            next_id: StoredValue::new(0),
            validated,
            show_issues: RwSignal::new(false),
        };
        if crate::oauth::returning() {
            input.restore();
        }
        input
    }

    /// Keeps what was typed for the page's return from a redirect-mode OAuth flow.
    pub fn keep(&self) {
        let raw = raw_tags(&self.named, &self.extra.get_untracked()).to_string();
        if let Ok(Some(storage)) = window().session_storage() {
            let _ = storage.set_item(KEPT, &raw);
        }
    }

    /// Puts back what [`TagsInput::keep`] kept.
    fn restore(&self) {
        let Ok(Some(storage)) = window().session_storage() else {
            return;
        };
        let kept = storage.get_item(KEPT).ok().flatten();
        let Some(Value::Object(tags)) = kept.and_then(|t| serde_json::from_str(&t).ok()) else {
            return;
        };
        for ((key, _), value) in NAMED.iter().zip(self.named) {
            let text = tags.get(*key).and_then(Value::as_str).unwrap_or_default();
            value.set(text.to_owned());
        }
        for (key, value) in tags
            .iter()
            .filter(|(k, _)| !NAMED.iter().any(|(n, _)| n == k))
        {
            self.add_row();
            if let Some(row) = self.extra.get_untracked().last() {
                row.key.set(key.clone());
                row.value.set(value.as_str().unwrap_or_default().to_owned());
            }
        }
    }

    fn add_row(&self) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let row = ExtraRow {
            id,
            key: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
        };
        self.extra.update(|rows| rows.push(row));
    }

    /// The error issues located at tag key `key` (a raw key as typed).
    fn issues_at(&self, key: &str) -> Vec<Issue> {
        self.validated.with(|v| match v {
            Err(issues) => issues
                .iter()
                .filter(|i| i.severity() == Severity::Error)
                .filter(|i| i.path().first().map(String::as_str) == Some(key))
                .cloned()
                .collect(),
            Ok(_) => Vec::new(),
        })
    }

    /// Issues not tied to one key (e.g. too many tags).
    fn general_issues(&self) -> Vec<Issue> {
        self.validated.with(|v| match v {
            Err(issues) => issues
                .iter()
                .filter(|i| i.path().is_empty())
                .cloned()
                .collect(),
            Ok(_) => Vec::new(),
        })
    }
}

impl Default for TagsInput {
    fn default() -> TagsInput {
        TagsInput::new()
    }
}

/// The tags object the inputs describe: named tags when filled in, extra rows when either cell
/// is (so a half-filled row is reported, not dropped).
fn raw_tags(named: &[RwSignal<String>; 4], extra: &[ExtraRow]) -> Value {
    let mut map = Map::new();
    for ((key, _), value) in NAMED.iter().zip(named) {
        let value = value.get();
        if !value.is_empty() {
            map.insert((*key).to_owned(), Value::String(value));
        }
    }
    for row in extra {
        let (key, value) = (row.key.get(), row.value.get());
        if !key.is_empty() || !value.is_empty() {
            map.insert(key, Value::String(value));
        }
    }
    Value::Object(map)
}

/// What the person reads for `issues` (tags, or a connection's metadata): core's codes and
/// limits, in the demo's words.
pub(crate) fn issue_text(t: I18n, issues: &[Issue]) -> Option<String> {
    (!issues.is_empty()).then(|| {
        issues
            .iter()
            .map(|issue| one_issue(t, issue))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn one_issue(t: I18n, issue: &Issue) -> String {
    let key = match issue.code() {
        ErrorCode::TagKeyInvalid => "demo.issue.tag_key_invalid",
        ErrorCode::TagKeyTooLong => "demo.issue.tag_key_too_long",
        ErrorCode::TagValueNotString => "demo.issue.tag_value_not_string",
        ErrorCode::TagValueEmpty => "demo.issue.tag_value_empty",
        ErrorCode::TagValueTooLong => "demo.issue.tag_value_too_long",
        ErrorCode::TagsTooMany => "demo.issue.tags_too_many",
        ErrorCode::TagKeyDuplicate => "demo.issue.tag_key_duplicate",
        ErrorCode::TagEndUserEmailInvalid => "demo.issue.tag_end_user_email_invalid",
        ErrorCode::TagKeyReserved => "demo.issue.tag_key_reserved",
        _ => "demo.issue.other",
    };
    let max = match issue.detail() {
        Detail::Limit(n) => t.number(*n),
        _ => String::new(),
    };
    let name = match issue.detail() {
        Detail::Name(name) => name.as_str(),
        _ => "",
    };
    t.fill(
        key,
        &[
            ("max", &max),
            ("name", name),
            ("code", issue.code().as_str()),
        ],
    )
}

/// The panel.
#[component]
pub fn EndUserPanel(
    /// The inputs (owned by the page, which also reads the verdict).
    input: TagsInput,
) -> impl IntoView {
    let t = words();
    let named = NAMED
        .iter()
        .zip(input.named)
        .map(|((key, label), value)| {
            let (key, label) = (*key, *label);
            let id = format!("tag-{key}");
            let err_id = format!("{id}-err");
            let issue = move || input.show_issues.get().then(|| issue_text(t, &input.issues_at(key))).flatten();
            let err_for_attr = err_id.clone();
            view! {
                <div class="demo-field">
                    <label for=id.clone()>{t.tr(label)} " " <code>{key}</code></label>
                    <input
                        id=id
                        class="ck-input"
                        type=if key == "end_user_email" { "email" } else { "text" }
                        data-tag=key
                        aria-invalid=move || issue().is_some().to_string()
                        aria-describedby=move || if issue().is_some() { err_for_attr.clone() } else { String::new() }
                        prop:value=move || value.get()
                        on:input:target=move |ev| {
                            value.set(ev.target().value());
                            input.show_issues.set(true);
                        }
                    />
                    <p id=err_id class="ck-error" aria-live="polite">{issue}</p>
                </div>
            }
        })
        .collect_view();

    let rows = move || {
        input
            .extra
            .get()
            .into_iter()
            .map(|row| {
                let key_id = format!("extra-key-{}", row.id);
                let value_id = format!("extra-value-{}", row.id);
                let err_id = format!("extra-err-{}", row.id);
                let issue = move || {
                    input.show_issues.get().then(|| issue_text(t, &input.issues_at(&row.key.get()))).flatten()
                };
                let err_attr = err_id.clone();
                let described = move || if issue().is_some() { err_attr.clone() } else { String::new() };
                let described2 = described.clone();
                view! {
                    <div class="demo-extra" data-row=row.id>
                        <label class="ck-visually-hidden" for=key_id.clone()>{t.tr("demo.extra.key_label")}</label>
                        <input
                            id=key_id
                            class="ck-input"
                            placeholder=t.tr("demo.extra.key")
                            data-extra="key"
                            aria-invalid=move || issue().is_some().to_string()
                            aria-describedby=described
                            prop:value=move || row.key.get()
                            on:input:target=move |ev| {
                                row.key.set(ev.target().value());
                                input.show_issues.set(true);
                            }
                        />
                        <label class="ck-visually-hidden" for=value_id.clone()>{t.tr("demo.extra.value_label")}</label>
                        <input
                            id=value_id
                            class="ck-input"
                            placeholder=t.tr("demo.extra.value")
                            data-extra="value"
                            aria-invalid=move || issue().is_some().to_string()
                            aria-describedby=described2
                            prop:value=move || row.value.get()
                            on:input:target=move |ev| {
                                row.value.set(ev.target().value());
                                input.show_issues.set(true);
                            }
                        />
                        <button
                            type="button"
                            class="demo-small"
                            aria-label=t.tr("demo.extra.remove_label")
                            on:click=move |_| input.extra.update(|rows| rows.retain(|r| r.id != row.id))
                        >
                            {t.tr("demo.extra.remove")}
                        </button>
                        <p id=err_id class="ck-error" aria-live="polite">{issue}</p>
                    </div>
                }
            })
            .collect_view()
    };
    let general = move || {
        input
            .show_issues
            .get()
            .then(|| issue_text(t, &input.general_issues()))
            .flatten()
    };

    view! {
        <section class="demo-card" aria-labelledby="user-title">
            <h2 id="user-title">{t.tr("demo.user.title")}</h2>
            <p class="demo-hint">{t.tr("demo.user.hint")}</p>
            {named}
            <fieldset class="demo-extras">
                <legend>{t.tr("demo.extra.title")}</legend>
                {rows}
                <button type="button" class="demo-small" on:click=move |_| input.add_row()>{t.tr("demo.extra.add")}</button>
            </fieldset>
            <p class="ck-error" aria-live="polite">{general}</p>
        </section>
    }
}
