//! The Connect widget, spec §4.2's flow: read the session, list the integrations (or go
//! straight to the only allowed one), load the provider, show the form built by connkit-core,
//! submit, then a success or error screen.
//!
//! This component owns what lives as long as the widget: the session token, the `ready` and
//! `close` events, the close button and focus trap, focus moving to each new screen's
//! heading, and the theme on its root (with the app's name and logo above the screens). The
//! session and integrations are one read keyed on the token (`read.rs`); once they are read,
//! [`Flow`] (`flow.rs`) takes over, created afresh for each token.
//!
//! When the page is the return of a redirect-mode OAuth flow (`oauth/redirect.rs`), the widget
//! resumes it: with the session the flow started under (kept by this tab, else the one it is
//! given), it reads the flow's result once and shows its outcome. Knows nothing about where it
//! is mounted (Leptos parent, `mountConnect`, iframe): it reports through [`ConnectEvent`]s.

use leptos::either::either;
use leptos::html;
use leptos::prelude::*;

use crate::api::Api;
use crate::event::ConnectEvent;
use crate::flow::{Flow, Start};
use crate::i18n::{I18n, WIDGET};
use crate::oauth::redirect::take_resume;
use crate::screens::{ErrorScreen, Skeleton, error_event};
use crate::theme::{Mode, Theme};

/// The Connect widget.
///
/// Renders inline; put it in a dialog (as the iframe page does) to overlay it.
#[component]
pub fn Connect(
    /// The Nango-wire API base URL (connkit-server, or Nango), e.g. `http://127.0.0.1:3003`.
    #[prop(into)]
    api_url: String,
    /// The connect session token; `None` until the host provides one. A new token starts the
    /// flow again.
    #[prop(into)]
    session_token: Signal<Option<String>>,
    /// Receives `ready`, `close`, `connect` and `error` events.
    #[prop(optional, into)]
    on_event: Option<Callback<ConnectEvent>>,
    /// Show a close button (and close on Escape).
    #[prop(optional)]
    closable: bool,
    /// OAuth without a popup: the page goes through the provider and comes back (for webviews
    /// and mobile browsers where popups fail). Without it, a blocked popup offers the same.
    #[prop(optional)]
    redirect: bool,
    /// Nothing hosts the widget (a connect link opened at the top of its tab): no "Finish" on
    /// the success screen.
    #[prop(optional)]
    standalone: bool,
    /// Light, dark or system, the primary colour, the app's name and logo (`theme.rs`).
    #[prop(optional)]
    theme: Theme,
    /// The language, a BCP 47 tag (`fr`, `pt-BR`…); one connkit does not speak gives way to
    /// the browser's languages, then English. It may change while the widget is open.
    #[prop(optional, into)]
    lang: MaybeProp<String>,
    /// The URL of the directory holding the catalogues (`fr.json`…); `/connect/i18n/` when
    /// not given.
    #[prop(optional, into)]
    i18n_url: Option<String>,
) -> impl IntoView {
    let t = I18n::new(&WIDGET, Signal::derive(move || lang.get()), i18n_url);
    provide_context(t);
    let emit = Callback::new(move |event: ConnectEvent| {
        if let Some(cb) = on_event {
            cb.run(event);
        }
    });
    // The return of a redirect-mode OAuth flow: its result id is read once, with the token the
    // flow started with when this tab kept it.
    let resume = take_resume(&api_url);
    let resume_token = resume.as_ref().and_then(|r| r.token.clone());
    let resume_id = StoredValue::new(resume.map(|r| r.id));
    let api = Memo::new(move |_| {
        let token = resume_token.clone().or_else(|| session_token.get());
        token.map(|t| Api::new(&api_url, &t))
    });

    // The session and its integrations, read again for each token. The value names the client
    // it was read with: a resource keeps its last value while it reads the next one.
    let start = crate::read::follow(
        move || api.get(),
        move |api| {
            let api = api.clone();
            async move {
                let api = api?;
                let resume = resume_id.try_update_value(Option::take).flatten();
                let read = Start::load(&api, resume).await;
                if let Err(err) = &read {
                    // Untracked: the host's callback must not become a source of this read.
                    untrack(|| emit.try_run(error_event(t, err, None)));
                }
                Some((api, read))
            }
        },
    );
    crate::effect(move || emit.run(ConnectEvent::Ready));
    // At the top of its tab (a connect link), the tab's title is the widget's too.
    if standalone {
        crate::effect(move || document().set_title(&t.text("page.title")));
    }

    let root = NodeRef::<html::Div>::new();
    // Focus moves to the new screen's heading whenever the screen changes (screen readers
    // announce it; keyboard users continue from there).
    let focus_heading = Callback::new(move |()| {
        // After the new screen is in the DOM.
        request_animation_frame(move || {
            if let Some(root) = root.get_untracked()
                && let Ok(Some(h)) = root.query_selector("[data-autofocus]")
                && let Ok(h) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h)
            {
                let _ = h.focus();
            }
        });
    });
    crate::effect(move || {
        start.track();
        focus_heading.run(());
    });
    let close = Callback::new(move |()| emit.run(ConnectEvent::Close));

    let style = theme.style();
    let mode = theme.mode.map(Mode::as_str);
    let brand = (theme.app_name.is_some() || theme.logo.is_some()).then(|| {
        view! {
            <div class="ck-brand">
                {theme.logo.map(|src| view! { <img class="ck-brand-logo" src=src alt="" /> })}
                {theme.app_name.map(|name| view! { <span class="ck-brand-name">{name}</span> })}
            </div>
        }
    });
    view! {
        <div
            class="ck-widget"
            data-theme=mode
            style=style
            lang=Signal::derive(move || t.shown().to_owned())
            node_ref=root
            on:keydown=move |ev| {
                if !closable {
                    return;
                }
                match ev.key().as_str() {
                    "Escape" => {
                        ev.prevent_default();
                        close.run(());
                    }
                    // Overlaid: Tab cycles inside the widget (a focus trap).
                    "Tab" => {
                        if let Some(root) = root.get_untracked()
                            && trap_focus(&root, ev.shift_key())
                        {
                            ev.prevent_default();
                        }
                    }
                    _ => {}
                }
            }
        >
            {closable
                .then(|| {
                    view! {
                        <button type="button" class="ck-close" aria-label=t.tr("close") on:click=crate::on_press(close)>
                            "×"
                        </button>
                    }
                })}
            {brand}
            {move || {
                // Nothing read yet, or what was read for an earlier token: loading.
                // Nor before the first catalogue is in (or known missing): no English flash.
                let current = api.get().filter(|_| t.ready());
                let read = start.with(|read| match read {
                    Some(Some((api, read))) if current.as_ref() == Some(api) => Some(read.clone()),
                    _ => None,
                });
                either!((current, read),
                    (Some(api), Some(Ok(start))) => {
                        view! {
                            <Flow
                                api=api
                                start=start
                                on_event=emit
                                on_finish=close
                                on_screen=focus_heading
                                redirect=redirect
                                standalone=standalone
                            />
                        }
                    },
                    (_, Some(Err(err))) => view! { <ErrorScreen error=err /> },
                    _ => view! { <Skeleton /> },
                )
            }}
        </div>
    }
}

/// Moves focus from the last focusable element to the first (or, with Shift, from the first to
/// the last); true when it did.
fn trap_focus(root: &web_sys::HtmlDivElement, backwards: bool) -> bool {
    use wasm_bindgen::JsCast;
    const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return false;
    };
    // Only what is rendered: a button the style sheet hides takes no focus.
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return false;
    };
    let active = leptos::prelude::document().active_element();
    let at = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let outside = active.as_ref().is_none_or(|a| !root.contains(Some(a)));
    match (backwards, outside) {
        (false, _) if at(last) || outside => first.focus().is_ok(),
        (true, _) if at(first) || outside => last.focus().is_ok(),
        _ => false,
    }
}
