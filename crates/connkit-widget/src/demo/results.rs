//! What the demo shows after connecting: the received auth webhooks (tags shown), the
//! connections filtered by the user's tags (each under its end user's display name, email and
//! company, with "Reconnect"), and for a chosen connection a tags editor (fetch,
//! merge locally with connkit-core's `merge_tags`, PATCH the whole set) and a metadata editor
//! (checked by `validate_metadata`, then set or updated).
//!
//! Reads are resources (a panel keeps its last list while a read fails or runs again), the
//! editor's writes one action; what is shown is derived from them. Every value from the server
//! is rendered as text. Knows nothing about the widget.

use leptos::prelude::*;
use serde_json::Value;

use connkit_core::js::decode_uri_component;
use connkit_core::label::{Company, ConnectionLabel, connection_label};
use connkit_core::metadata::validate_metadata;
use connkit_core::tag_filter::merge_tags;
use connkit_core::tags::validate_tags;

use connkit_core::Issue;

use crate::api::ApiError;
use crate::demo::backend::{
    self, ConnectionItem, ConnectionRef, MetadataWrite, TagsObject, Webhook, WebhookBody,
};
use crate::demo::user::issue_text;
use crate::demo::words;
use crate::i18n::{I18n, use_i18n};
use crate::screens::error_text;

/// The last value `read` loaded without failing (`None` before the first): what a panel keeps
/// showing while the read fails or runs again.
pub fn latest_ok<T>(read: LocalResource<Result<T, ApiError>>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |last: Option<&Option<T>>| {
        read.with(|r| match r {
            Some(Ok(value)) => Some(value.clone()),
            _ => last.cloned().flatten(),
        })
    })
}

fn tags_list(tags: &TagsObject) -> impl IntoView + use<> {
    let pairs: Vec<(String, String)> = tags
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
        .collect();
    view! {
        <dl class="demo-tags">
            {pairs
                .into_iter()
                .map(|(k, v)| view! { <div class="demo-tag"><dt>{k}</dt><dd>{v}</dd></div> })
                .collect_view()}
        </dl>
    }
}

/// Who a connection is for, from its reserved UI tags (connkit-core's `connection_label`): the
/// company badge (initials and domain), the display name (else the connection id), the email.
fn who(connection_id: &str, tags: &TagsObject) -> impl IntoView + use<> {
    let ConnectionLabel {
        name,
        named,
        email,
        company,
    } = connection_label(connection_id, tags);
    view! {
        <span class="demo-who">
            {company
                .map(|Company { domain, initials }| {
                    let shown = domain.clone();
                    view! {
                        <span class="demo-company" data-domain=domain.clone()>
                            <span class="demo-initials" aria-hidden="true">{initials}</span>
                            {shown}
                        </span>
                    }
                })}
            <span class="demo-name" data-named=named.to_string()>{name}</span>
            {email.map(|email| view! { <span class="demo-email">{email}</span> })}
        </span>
    }
}

/// The auth webhooks the demo backend received.
#[component]
pub fn WebhooksPanel(
    /// The webhooks, newest first.
    #[prop(into)]
    webhooks: Signal<Vec<Webhook>>,
) -> impl IntoView {
    let t = words();
    view! {
        <section class="demo-card" aria-labelledby="hooks-title">
            <h2 id="hooks-title">{t.tr("demo.hooks.title")}</h2>
            <Show when=move || webhooks.with(Vec::is_empty)>
                <p class="demo-hint">{t.tr("demo.hooks.none")}</p>
            </Show>
            <ul class="demo-hooks">
                {move || {
                    webhooks
                        .get()
                        .into_iter()
                        .map(|Webhook { verified, body }| {
                            let WebhookBody { operation, provider_config_key, connection_id, tags } = body;
                            let hook_id = connection_id.clone();
                            let hook_operation = operation.clone();
                            view! {
                                <li class="demo-hook" data-connection-id=hook_id data-operation=hook_operation>
                                    <p>
                                        <strong>{operation}</strong>
                                        " · "
                                        {provider_config_key}
                                        " · "
                                        <code>{connection_id}</code>
                                        " "
                                        <span class=if verified { "demo-ok" } else { "demo-bad" }>
                                            {t.tr(if verified { "demo.hooks.verified" } else { "demo.hooks.not_verified" })}
                                        </span>
                                    </p>
                                    {tags_list(&tags)}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

/// Connections whose tags match the user's tags.
#[component]
pub fn ConnectionsPanel(
    /// The matching connections (GET /connections answer items).
    #[prop(into)]
    connections: Signal<Vec<ConnectionItem>>,
    /// The tag filter, as shown to the user.
    #[prop(into)]
    filter: Signal<String>,
    /// The chosen connection.
    picked: RwSignal<Option<ConnectionRef>>,
    /// "Reconnect" on a connection.
    on_reconnect: Callback<ConnectionItem>,
) -> impl IntoView {
    let t = words();
    view! {
        <section class="demo-card" aria-labelledby="conns-title">
            <h2 id="conns-title">{t.tr("demo.conns.title")}</h2>
            <p class="demo-hint">
                "GET /connections?"
                <code>{move || { let f = filter.get(); decode_uri_component(&f).unwrap_or(f) }}</code>
            </p>
            <Show when=move || connections.with(Vec::is_empty)>
                <p class="demo-hint">{t.tr("demo.conns.none")}</p>
            </Show>
            <ul class="demo-conns">
                {move || {
                    connections
                        .get()
                        .into_iter()
                        .map(|c| {
                            let pick = c.reference();
                            let reconnect = c.clone();
                            let ConnectionItem { connection_id: id, provider_config_key: key, tags } = c;
                            let is_picked = {
                                let pick = pick.clone();
                                move || picked.get().as_ref() == Some(&pick)
                            };
                            view! {
                                <li class="demo-conn" data-connection-id=id.clone()>
                                    <button
                                        type="button"
                                        class="demo-link"
                                        data-action="pick"
                                        aria-pressed=move || is_picked().to_string()
                                        on:click=move |_| picked.set(Some(pick.clone()))
                                    >
                                        {who(&id, &tags)}
                                        " · "
                                        {key.clone()}
                                    </button>
                                    <button
                                        type="button"
                                        class="demo-small"
                                        data-action="reconnect"
                                        on:click=move |_| on_reconnect.run(reconnect.clone())
                                    >
                                        {t.tr("demo.conns.reconnect")}
                                    </button>
                                    {tags_list(&tags)}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

/// A write the connection editor sends.
#[derive(Debug, Clone)]
enum Write {
    /// Tag changes (a string sets, `null` removes), merged into the connection's tags.
    Tags(Value),
    /// A metadata object, set or merged.
    Metadata(Value, MetadataWrite),
}

/// What the editor's status line says: a catalogue key, a failed call, or core's issues (words
/// looked up when shown, so that they follow the language).
#[derive(Debug, Clone)]
enum Said {
    Key(&'static str),
    Failed(ApiError),
    Issues(Vec<Issue>),
}

impl Said {
    fn text(&self, t: I18n, widget: I18n) -> String {
        match self {
            Said::Key(key) => t.text(key),
            Said::Failed(err) => error_text(widget, err, None),
            Said::Issues(issues) => issue_text(t, issues).unwrap_or_default(),
        }
    }
}

/// Fetches the connection's tags, merges `changes` into them with connkit-core's `merge_tags`,
/// and sends the whole set.
async fn merge_into_tags(at: &ConnectionRef, changes: &Value) -> Result<(), Said> {
    let fresh = backend::connection(at).await.map_err(Said::Failed)?;
    let existing =
        validate_tags(&Value::Object(fresh.tags)).map_err(|err| Said::Issues(err.into_issues()))?;
    let merged = merge_tags(&existing, changes).map_err(|err| Said::Issues(err.into_issues()))?;
    backend::patch_tags(at, &merged.to_json())
        .await
        .map_err(Said::Failed)
}

/// Tags and metadata of the picked connection.
#[component]
pub fn ConnectionEditor(
    /// The connection.
    at: ConnectionRef,
    /// Called after its tags were saved (lists show tags).
    on_saved: Callback<()>,
) -> impl IntoView {
    let changes = RwSignal::new(String::from("{\n  \"plan\": \"pro\"\n}"));
    let metadata = RwSignal::new(String::from("{\n  \"team\": \"support\"\n}"));
    // Why the page sent nothing (not JSON, not valid metadata).
    let refused = RwSignal::new(None::<Said>);
    let (t, widget) = (words(), use_i18n());

    let current = {
        let at = at.clone();
        LocalResource::new(move || {
            let at = at.clone();
            async move { backend::connection(&at).await }
        })
    };
    // Each save that succeeds reads the connection again (every one: a later write may finish
    // first). The value is what the status line says.
    let save = {
        let at = at.clone();
        Action::new_local(move |write: &Write| {
            let (at, write) = (at.clone(), write.clone());
            async move {
                let saved = match write {
                    Write::Tags(changes) => merge_into_tags(&at, &changes).await.map(|()| {
                        on_saved.try_run(());
                        Said::Key("demo.edit.tags_saved")
                    }),
                    Write::Metadata(value, how) => backend::save_metadata(&at, &value, how)
                        .await
                        .map(|()| Said::Key("demo.edit.metadata_saved"))
                        .map_err(Said::Failed),
                };
                if saved.is_ok() {
                    current.refetch();
                }
                saved
            }
        })
    };
    let send = move |write: Result<Write, Said>| match write {
        Ok(write) => {
            refused.set(None);
            save.dispatch_local(write);
        }
        Err(why) => refused.set(Some(why)),
    };
    let save_tags = move |_| {
        let parsed = serde_json::from_str(&changes.get_untracked());
        send(
            parsed
                .map(Write::Tags)
                .map_err(|_| Said::Key("demo.edit.changes_not_json")),
        );
    };
    let save_metadata = move |how: MetadataWrite| {
        let write = match serde_json::from_str::<Value>(&metadata.get_untracked()) {
            Err(_) => Err(Said::Key("demo.edit.metadata_not_json")),
            Ok(parsed) => match validate_metadata(&parsed) {
                Err(err) => Err(Said::Issues(err.into_issues())),
                Ok(_) => Ok(Write::Metadata(parsed, how)),
            },
        };
        send(write);
    };
    let saved = save.value();
    let status = move || {
        if let Some(why) = refused.get() {
            return Some((false, why.text(t, widget)));
        }
        match saved.get() {
            Some(Ok(said)) => Some((true, said.text(t, widget))),
            Some(Err(why)) => Some((false, why.text(t, widget))),
            None => current.with(|read| match read {
                Some(Err(err)) => Some((false, error_text(widget, err, None))),
                _ => None,
            }),
        }
    };

    let id = at.connection_id.clone();
    view! {
        <section class="demo-card" aria-labelledby="edit-title">
            <h2 id="edit-title">{t.tr("demo.edit.title")} " " <code>{at.connection_id.clone()}</code></h2>
            <Transition fallback=|| ()>
                {move || {
                    let id = id.clone();
                    Suspend::new(async move {
                        current
                            .await
                            .ok()
                            .map(|c| {
                                view! {
                                    <p class="demo-detail-who">{who(&id, &c.tags)}</p>
                                    <p>"connection_config: " <code data-field="connection_config">{c.connection_config.to_string()}</code></p>
                                    <p>"metadata: " <code data-field="metadata">{c.metadata.to_string()}</code></p>
                                    {tags_list(&c.tags)}
                                }
                            })
                    })
                }}
            </Transition>
            <label for="tag-changes">{t.tr("demo.edit.tag_changes")}</label>
            <textarea
                id="tag-changes"
                class="ck-input demo-json"
                rows="4"
                prop:value=move || changes.get()
                on:input:target=move |ev| changes.set(ev.target().value())
            ></textarea>
            <button type="button" class="ck-primary" on:click=save_tags>{t.tr("demo.edit.save_tags")}</button>
            <label for="metadata-json">{t.tr("demo.edit.metadata")}</label>
            <textarea
                id="metadata-json"
                class="ck-input demo-json"
                rows="4"
                prop:value=move || metadata.get()
                on:input:target=move |ev| metadata.set(ev.target().value())
            ></textarea>
            <div class="demo-row">
                <button type="button" class="ck-primary" on:click=move |_| save_metadata(MetadataWrite::Set)>{t.tr("demo.edit.set_metadata")}</button>
                <button type="button" class="demo-small" on:click=move |_| save_metadata(MetadataWrite::Update)>{t.tr("demo.edit.update_metadata")}</button>
            </div>
            <p role="status" class="demo-status">
                {move || {
                    status()
                        .map(|(ok, text)| {
                            view! { <span class=if ok { "demo-ok" } else { "demo-bad" }>{text}</span> }
                        })
                }}
            </p>
        </section>
    }
}
