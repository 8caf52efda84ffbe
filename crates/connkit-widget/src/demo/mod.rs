//! The browser demo: a "your app" page around the widget. The signed-in user's tags are checked
//! live by connkit-core; "Connect an integration" asks the demo backend for a session with those
//! tags (only when they are valid: invalid tags never leave the page), a listed connection's
//! "Reconnect" for a reconnect session keeping its tags, and either opens the widget in a
//! dialog; afterwards the page shows the auth webhooks received, the connections filtered by the
//! user's tags, and editors for a connection's tags and metadata. A theme choice (light, dark,
//! system) and a primary colour picker show the widget's theme contract.
//!
//! The inbox and the connection list are resources, the session an action; the dialog is open
//! while the session made last stands, or, when the page is the return of an OAuth flow in
//! redirect mode, while the widget resumes it. Knows the demo backend's routes (`backend`),
//! nothing about the server's internals.

/// Calls to `/demo/api/*` and their wire shapes.
pub mod backend;
/// Webhooks, connections, editors.
pub mod results;
/// The end-user panel.
pub mod user;

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use serde_json::Value;

use connkit_core::tag_filter::TagFilter;

use crate::connect::Connect;
use crate::event::ConnectEvent;
use crate::i18n::{DEMO, I18n, WIDGET, use_i18n};
use crate::screens::error_text;
use crate::theme::{Mode, Theme};
use backend::{ConnectionItem, ConnectionRef};
use results::{ConnectionEditor, ConnectionsPanel, WebhooksPanel, latest_ok};
use user::{EndUserPanel, TagsInput};

/// The languages of the switch, each named in itself (so the same in every language).
const LANGUAGE_NAMES: [(&str, &str); 10] = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("ja", "日本語"),
    ("it", "Italiano"),
    ("pt-BR", "Português (Brasil)"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("zh-CN", "简体中文"),
];

/// The demo page's words (its own catalogues), which the page provides.
#[derive(Debug, Clone, Copy)]
struct DemoWords(I18n);

/// The demo page's words.
pub(crate) fn words() -> I18n {
    use_context::<DemoWords>().map_or_else(|| I18n::new(&DEMO, Signal::stored(None), None), |w| w.0)
}

/// How often the page reads the webhook inbox again.
const WEBHOOKS_EVERY: Duration = Duration::from_millis(1500);

/// The session the page asks its backend for.
#[derive(Debug, Clone)]
enum Ask {
    /// A new connection with these tags.
    New(Value),
    /// The reconnection of this connection (its tags kept).
    Reconnect(ConnectionItem),
}

/// The demo page.
#[component]
pub fn DemoApp() -> impl IntoView {
    // The switch's language; none chosen yet: the browser's.
    let lang = RwSignal::new(None::<String>);
    let t = I18n::new(&DEMO, lang.into(), None);
    provide_context(DemoWords(t));
    // The widget's words, for the failures the page itself shows.
    provide_context(I18n::new(&WIDGET, lang.into(), None));
    let widget_words = use_i18n();
    // The widget follows the switch (and the browser, as the page does, until it is used).
    let widget_lang = Signal::derive(move || Some(t.chosen().to_owned()));
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", t.shown());
        }
    });
    let input = TagsInput::new();
    let picked = RwSignal::new(None::<ConnectionRef>);
    let opener = NodeRef::<html::Button>::new();
    let filter = Memo::new(move |_| {
        input.validated.with(|v| match v {
            Ok(tags) => TagFilter::from_tags(tags.clone()).to_query_string(),
            Err(_) => String::new(),
        })
    });

    // Reads: the inbox, polled; the connections matching the user's (valid) tags, read again
    // whenever they change. A failed read keeps the last list shown.
    let webhooks = LocalResource::new(backend::webhooks);
    let _ = set_interval_with_handle(move || webhooks.refetch(), WEBHOOKS_EVERY);
    let connections = LocalResource::new(move || {
        let query = filter.get();
        async move {
            if query.is_empty() {
                return Ok(Vec::new());
            }
            backend::connections(&query).await
        }
    });
    let webhooks_shown = latest_ok(webhooks);
    let connections_shown = latest_ok(connections);

    // The write: a session for the user's tags. The widget is open while the last one made
    // stands; closing it clears it.
    let create_session = Action::new_local(|ask: &Ask| {
        let ask = ask.clone();
        async move {
            match ask {
                Ask::New(tags) => backend::create_session(&tags).await,
                Ask::Reconnect(connection) => backend::reconnect_session(&connection).await,
            }
        }
    });
    let (session, requesting) = (create_session.value(), create_session.pending());
    let token = Memo::new(move |_| {
        session.with(|made| made.as_ref().and_then(|m| m.as_ref().ok()).cloned())
    });
    // The page came back from the provider (redirect mode): the widget resumes the flow.
    let resuming = RwSignal::new(crate::oauth::returning());
    // Connecting was refused on the page: the tags have issues, nothing was sent.
    let blocked = RwSignal::new(false);
    let problem = move || {
        if blocked.get() {
            return Some(t.text("demo.fix_tags"));
        }
        let made = if requesting.get() {
            None
        } else {
            session.get()
        };
        match made {
            Some(Err(err)) => Some(error_text(widget_words, &err, None)),
            _ => connections.with(|read| match read {
                Some(Err(err)) => Some(error_text(widget_words, err, None)),
                _ => None,
            }),
        }
    };

    let connect = move |_| {
        input.show_issues.set(true);
        match input.validated.get_untracked() {
            Ok(tags) => {
                blocked.set(false);
                input.keep();
                create_session.dispatch_local(Ask::New(tags.to_json()));
            }
            Err(_) => blocked.set(true),
        }
    };
    let on_event = Callback::new(move |event: ConnectEvent| match event {
        ConnectEvent::Connect { .. } => {
            connections.refetch();
            webhooks.refetch();
        }
        ConnectEvent::Close => {
            create_session.clear();
            resuming.set(false);
            if let Some(button) = opener.get_untracked() {
                let _ = button.focus();
            }
        }
        ConnectEvent::Ready | ConnectEvent::Error { .. } => {}
    });

    let theme = RwSignal::new(Mode::Light);
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.get().as_str());
        }
    });
    let primary = RwSignal::new("#0b63ce".to_owned());
    // The page's own buttons use the primary colour too: it and its on-colour go on <html>.
    Effect::new(move |_| {
        let theme = Theme {
            primary: Some(primary.get()),
            ..Theme::default()
        };
        if let Some(root) = document().document_element()
            && let Some(style) = theme.style()
        {
            let _ = root.set_attribute("style", &style);
        }
    });

    view! {
        <header class="demo-header">
            <h1>"Acme CRM " <span class="demo-muted">{t.tr("demo.your_app")}</span></h1>
            <div class="demo-row">
                <label for="lang">{t.tr("demo.language")}</label>
                <select
                    id="lang"
                    data-testid="lang"
                    prop:value=move || t.chosen()
                    on:change:target=move |ev| lang.set(Some(ev.target().value()))
                >
                    {LANGUAGE_NAMES
                        .iter()
                        .map(|(tag, name)| view! { <option value=*tag lang=*tag>{*name}</option> })
                        .collect_view()}
                </select>
                <label for="theme">{t.tr("demo.theme")}</label>
                <select
                    id="theme"
                    class="demo-small"
                    data-testid="theme"
                    on:change:target=move |ev| {
                        if let Some(mode) = Mode::parse(&ev.target().value()) {
                            theme.set(mode);
                        }
                    }
                >
                    {[(Mode::Light, "demo.theme.light"), (Mode::Dark, "demo.theme.dark"), (Mode::System, "demo.theme.system")]
                        .into_iter()
                        .map(|(mode, label)| {
                            view! {
                                <option value=mode.as_str() selected=move || theme.get() == mode>
                                    {t.tr(label)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <label for="primary">{t.tr("demo.primary")}</label>
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
                <h2 id="connect-title">{t.tr("demo.integrations")}</h2>
                <button type="button" class="ck-primary" node_ref=opener on:click=connect>
                    {t.tr("demo.connect")}
                </button>
                <p class="ck-error" role="alert">{problem}</p>
            </section>
            <WebhooksPanel webhooks=Signal::derive(move || webhooks_shown.get().unwrap_or_default()) />
            <ConnectionsPanel
                connections=Signal::derive(move || connections_shown.get().unwrap_or_default())
                filter=filter
                picked=picked
                on_reconnect=Callback::new(move |connection| {
                    create_session.dispatch_local(Ask::Reconnect(connection));
                })
            />
            {move || {
                picked
                    .get()
                    .map(|at| {
                        view! { <ConnectionEditor at=at on_saved=Callback::new(move |()| connections.refetch()) /> }
                    })
            }}
        </main>
        {move || {
            // A session made here, or none while the widget resumes with the one it kept.
            let shown = match token.get() {
                Some(t) => Some(Some(t)),
                None => resuming.get().then_some(None),
            };
            shown
                .map(|t| {
                    view! {
                        <div class="ck-backdrop">
                            <div class="ck-dialog" role="dialog" aria-modal="true" aria-labelledby="ck-title">
                                <Connect
                                    api_url=window().location().origin().unwrap_or_default()
                                    session_token=Signal::stored(t)
                                    on_event=on_event
                                    closable=true
                                    lang=widget_lang
                                />
                            </div>
                        </div>
                    }
                })
        }}
    }
}
