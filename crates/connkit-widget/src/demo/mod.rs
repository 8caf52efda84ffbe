//! The browser demo: a "your app" page around the widget. The signed-in user's tags are checked
//! live by connkit-core; "Connect an integration" asks the demo backend for a session with those
//! tags (only when they are valid: invalid tags never leave the page) and opens the widget in a
//! dialog; afterwards the page shows the auth webhooks received, the connections filtered by the
//! user's tags, and editors for a connection's tags and metadata. A theme switch and a primary
//! colour picker show the widget's CSS custom properties.
//!
//! Knows the demo backend's routes (`backend`), nothing about the server's internals.

/// Calls to `/demo/api/*`.
pub mod backend;
/// Webhooks, connections, editors.
pub mod results;
/// The end-user panel.
pub mod user;

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use connkit_core::tag_filter::TagFilter;

use crate::connect::Connect;
use crate::event::ConnectEvent;
use crate::screens::error_text;
use results::{ConnectionEditor, ConnectionsPanel, Picked, WebhooksPanel};
use user::{EndUserPanel, TagsInput};

/// The demo page.
#[component]
pub fn DemoApp() -> impl IntoView {
    let input = TagsInput::new();
    let token = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let webhooks = RwSignal::new(Vec::<Value>::new());
    let connections = RwSignal::new(Vec::<Value>::new());
    let picked = RwSignal::new(None::<Picked>);
    let opener = NodeRef::<html::Button>::new();
    let filter = Memo::new(move |_| {
        input.validated.with(|v| match v {
            Ok(tags) => TagFilter::from_tags(tags.clone()).to_query_string(),
            Err(_) => String::new(),
        })
    });

    let refresh_hooks = move || {
        spawn_local(async move {
            if let Ok(list) = backend::webhooks().await {
                webhooks.set(list);
            }
        });
    };
    let refresh_connections = move || {
        let query = filter.get_untracked();
        if query.is_empty() {
            connections.set(Vec::new());
            return;
        }
        spawn_local(async move {
            match backend::connections(&query).await {
                Ok(list) => connections.set(list),
                Err(err) => problem.set(Some(error_text(&err, None))),
            }
        });
    };
    // The list follows the user's (valid) tags.
    Effect::new(move |_| {
        filter.track();
        refresh_connections();
    });
    refresh_hooks();
    let _ = set_interval_with_handle(refresh_hooks, Duration::from_millis(1500));

    let connect = move |_| {
        input.show_issues.set(true);
        problem.set(None);
        let tags = match input.validated.get_untracked() {
            Ok(tags) => tags.to_json(),
            Err(_) => {
                problem.set(Some("Fix the tags first: nothing was sent.".into()));
                return;
            }
        };
        spawn_local(async move {
            match backend::create_session(tags).await {
                Ok(t) => token.set(Some(t)),
                Err(err) => problem.set(Some(error_text(&err, None))),
            }
        });
    };
    let on_event = Callback::new(move |event: ConnectEvent| match event {
        ConnectEvent::Connect { .. } => {
            refresh_connections();
            refresh_hooks();
        }
        ConnectEvent::Close => {
            token.set(None);
            if let Some(button) = opener.get_untracked() {
                let _ = button.focus();
            }
        }
        ConnectEvent::Ready | ConnectEvent::Error { .. } => {}
    });

    let theme = RwSignal::new("light".to_owned());
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", &theme.get());
        }
    });
    let primary = RwSignal::new("#0b63ce".to_owned());
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("style", &format!("--ck-primary: {}", primary.get()));
        }
    });

    view! {
        <header class="demo-header">
            <h1>"Acme CRM " <span class="demo-muted">"(your app)"</span></h1>
            <div class="demo-row">
                <button
                    type="button"
                    class="demo-small"
                    data-testid="theme"
                    aria-label=move || format!("Switch to {} theme", if theme.get() == "dark" { "light" } else { "dark" })
                    on:click=move |_| theme.update(|t| *t = if t == "dark" { "light".into() } else { "dark".into() })
                >
                    {move || if theme.get() == "dark" { "Light theme" } else { "Dark theme" }}
                </button>
                <label for="primary">"Primary colour"</label>
                <input
                    id="primary"
                    type="color"
                    prop:value=move || primary.get()
                    on:input:target=move |ev| primary.set(ev.target().value())
                />
            </div>
        </header>
        <main class="demo-main">
            <EndUserPanel input=input />
            <section class="demo-card" aria-labelledby="connect-title">
                <h2 id="connect-title">"Integrations"</h2>
                <button type="button" class="ck-primary" node_ref=opener on:click=connect>
                    "Connect an integration"
                </button>
                <p class="ck-error" role="alert">{move || problem.get()}</p>
            </section>
            <WebhooksPanel webhooks=webhooks />
            <ConnectionsPanel connections=connections filter=filter picked=picked />
            {move || {
                picked
                    .get()
                    .map(|p| {
                        view! { <ConnectionEditor picked=p on_saved=Callback::new(move |()| refresh_connections()) /> }
                    })
            }}
        </main>
        {move || {
            token
                .get()
                .map(|t| {
                    view! {
                        <div class="ck-backdrop">
                            <div class="ck-dialog" role="dialog" aria-modal="true" aria-labelledby="ck-title">
                                <Connect
                                    api_url=window().location().origin().unwrap_or_default()
                                    session_token=Signal::stored(Some(t))
                                    on_event=on_event
                                    closable=true
                                />
                            </div>
                        </div>
                    }
                })
        }}
    }
}
