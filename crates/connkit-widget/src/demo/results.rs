//! What the demo shows after connecting: the received auth webhooks (tags shown), the
//! connections filtered by the user's tags, and for a chosen connection a tags editor (fetch,
//! merge locally with connkit-core's `merge_tags`, PATCH the whole set) and a metadata editor
//! (checked by `validate_metadata`, then set or updated).
//!
//! Every value from the server is rendered as text. Knows nothing about the widget.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use connkit_core::js::decode_uri_component;
use connkit_core::metadata::validate_metadata;
use connkit_core::tag_filter::merge_tags;
use connkit_core::tags::validate_tags;

use super::backend;
use crate::screens::error_text;

/// A connection the user picked: `(connection_id, provider_config_key)`.
pub type Picked = (String, String);

fn tags_list(tags: &Value) -> impl IntoView + use<> {
    let pairs: Vec<(String, String)> = tags
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    view! {
        <dl class="demo-tags">
            {pairs
                .into_iter()
                .map(|(k, v)| view! { <div class="demo-tag"><dt>{k}</dt><dd>{v}</dd></div> })
                .collect_view()}
        </dl>
    }
}

/// The auth webhooks the demo backend received.
#[component]
pub fn WebhooksPanel(
    /// The webhooks, newest first.
    #[prop(into)]
    webhooks: Signal<Vec<Value>>,
) -> impl IntoView {
    view! {
        <section class="demo-card" aria-labelledby="hooks-title">
            <h2 id="hooks-title">"Auth webhooks received"</h2>
            <Show when=move || webhooks.with(Vec::is_empty)>
                <p class="demo-hint">"None yet. Connect an integration to receive one."</p>
            </Show>
            <ul class="demo-hooks">
                {move || {
                    webhooks
                        .get()
                        .into_iter()
                        .map(|hook| {
                            let body = hook["body"].clone();
                            let verified = hook["verified"].as_bool().unwrap_or(false);
                            let text = |k: &str| body[k].as_str().unwrap_or("").to_owned();
                            view! {
                                <li class="demo-hook" data-connection-id=text("connectionId")>
                                    <p>
                                        <strong>{text("operation")}</strong>
                                        " · "
                                        {text("providerConfigKey")}
                                        " · "
                                        <code>{text("connectionId")}</code>
                                        " "
                                        <span class=if verified { "demo-ok" } else { "demo-bad" }>
                                            {if verified { "signature verified" } else { "signature NOT verified" }}
                                        </span>
                                    </p>
                                    {tags_list(&body["tags"])}
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
    connections: Signal<Vec<Value>>,
    /// The tag filter, as shown to the user.
    #[prop(into)]
    filter: Signal<String>,
    /// The chosen connection.
    picked: RwSignal<Option<Picked>>,
) -> impl IntoView {
    view! {
        <section class="demo-card" aria-labelledby="conns-title">
            <h2 id="conns-title">"Connections with your tags"</h2>
            <p class="demo-hint">
                "GET /connections?"
                <code>{move || { let f = filter.get(); decode_uri_component(&f).unwrap_or(f) }}</code>
            </p>
            <Show when=move || connections.with(Vec::is_empty)>
                <p class="demo-hint">"No connection matches."</p>
            </Show>
            <ul class="demo-conns">
                {move || {
                    connections
                        .get()
                        .into_iter()
                        .map(|c| {
                            let id = c["connection_id"].as_str().unwrap_or("").to_owned();
                            let key = c["provider_config_key"].as_str().unwrap_or("").to_owned();
                            let pick = (id.clone(), key.clone());
                            let is_picked = {
                                let pick = pick.clone();
                                move || picked.get().as_ref() == Some(&pick)
                            };
                            view! {
                                <li class="demo-conn" data-connection-id=id.clone()>
                                    <button
                                        type="button"
                                        class="demo-link"
                                        aria-pressed=move || is_picked().to_string()
                                        on:click=move |_| picked.set(Some(pick.clone()))
                                    >
                                        {key.clone()}
                                        " · "
                                        <code>{id.clone()}</code>
                                    </button>
                                    {tags_list(&c["tags"])}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

/// Tags and metadata of the picked connection.
#[component]
pub fn ConnectionEditor(
    /// The connection.
    picked: Picked,
    /// Called after a successful save (to refresh lists).
    on_saved: Callback<()>,
) -> impl IntoView {
    let (id, key) = picked;
    let changes = RwSignal::new(String::from("{\n  \"plan\": \"pro\"\n}"));
    let metadata = RwSignal::new(String::from("{\n  \"team\": \"support\"\n}"));
    let status = RwSignal::new(None::<(bool, String)>);
    let current = RwSignal::new(None::<Value>);
    let load = {
        let (id, key) = (id.clone(), key.clone());
        move || {
            let (id, key) = (id.clone(), key.clone());
            spawn_local(async move {
                match backend::connection(&id, &key).await {
                    Ok(c) => current.set(Some(c)),
                    Err(err) => status.set(Some((false, error_text(&err, None)))),
                }
            });
        }
    };
    load();

    let save_tags = {
        let (id, key, load) = (id.clone(), key.clone(), load.clone());
        move |_| {
            let (id, key, load) = (id.clone(), key.clone(), load.clone());
            let parsed: Result<Value, _> = serde_json::from_str(&changes.get_untracked());
            let Ok(parsed) = parsed else {
                status.set(Some((false, "The changes are not valid JSON.".into())));
                return;
            };
            spawn_local(async move {
                // Fetch the current tags, merge locally, send the whole set.
                let fresh = match backend::connection(&id, &key).await {
                    Ok(c) => c,
                    Err(err) => return status.set(Some((false, error_text(&err, None)))),
                };
                let existing = match validate_tags(&fresh["tags"]) {
                    Ok(tags) => tags,
                    Err(err) => return status.set(Some((false, err.to_string()))),
                };
                let merged = match merge_tags(&existing, &parsed) {
                    Ok(tags) => tags,
                    Err(err) => return status.set(Some((false, err.to_string()))),
                };
                match backend::patch_tags(&id, &key, merged.to_json()).await {
                    Ok(()) => {
                        status.set(Some((true, "Tags saved.".into())));
                        load();
                        on_saved.run(());
                    }
                    Err(err) => status.set(Some((false, error_text(&err, None)))),
                }
            });
        }
    };
    let save_metadata = {
        let (id, key) = (id.clone(), key.clone());
        move |merge: bool| {
            let (id, key, load) = (id.clone(), key.clone(), load.clone());
            let parsed: Result<Value, _> = serde_json::from_str(&metadata.get_untracked());
            let Ok(parsed) = parsed else {
                status.set(Some((false, "The metadata is not valid JSON.".into())));
                return;
            };
            if let Err(err) = validate_metadata(&parsed) {
                status.set(Some((false, err.to_string())));
                return;
            }
            spawn_local(async move {
                match backend::save_metadata(&id, &key, parsed, merge).await {
                    Ok(()) => {
                        status.set(Some((true, "Metadata saved.".into())));
                        load();
                    }
                    Err(err) => status.set(Some((false, error_text(&err, None)))),
                }
            });
        }
    };
    let save_metadata2 = save_metadata.clone();

    view! {
        <section class="demo-card" aria-labelledby="edit-title">
            <h2 id="edit-title">"Connection " <code>{id.clone()}</code></h2>
            {move || {
                current
                    .get()
                    .map(|c| {
                        let config = c["connection_config"].to_string();
                        let meta = c["metadata"].to_string();
                        view! {
                            <p>"connection_config: " <code data-field="connection_config">{config}</code></p>
                            <p>"metadata: " <code data-field="metadata">{meta}</code></p>
                            {tags_list(&c["tags"])}
                        }
                    })
            }}
            <label for="tag-changes">"Tag changes (a string sets, null removes)"</label>
            <textarea
                id="tag-changes"
                class="ck-input demo-json"
                rows="4"
                prop:value=move || changes.get()
                on:input:target=move |ev| changes.set(ev.target().value())
            ></textarea>
            <button type="button" class="ck-primary" on:click=save_tags>"Save tags"</button>
            <label for="metadata-json">"Metadata (JSON object)"</label>
            <textarea
                id="metadata-json"
                class="ck-input demo-json"
                rows="4"
                prop:value=move || metadata.get()
                on:input:target=move |ev| metadata.set(ev.target().value())
            ></textarea>
            <div class="demo-row">
                <button type="button" class="ck-primary" on:click=move |_| save_metadata(false)>"Set metadata"</button>
                <button type="button" class="demo-small" on:click=move |_| save_metadata2(true)>"Update metadata"</button>
            </div>
            <p role="status" class="demo-status">
                {move || {
                    status
                        .get()
                        .map(|(ok, text)| {
                            view! { <span class=if ok { "demo-ok" } else { "demo-bad" }>{text}</span> }
                        })
                }}
            </p>
        </section>
    }
}
