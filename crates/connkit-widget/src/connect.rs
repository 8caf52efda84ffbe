//! The Connect widget: the flow of spec §4.2 as one component. Read the session, list the
//! integrations (or go straight to the only allowed one), load the provider, show the form
//! built by connkit-core, submit, then a success or error screen.
//!
//! The step is one signal; each screen is its own component and keeps its own state, so a
//! failed submit leaves the form as typed. Knows nothing about where it is mounted (Leptos
//! parent, `mountConnect`, iframe): it reports through [`ConnectEvent`]s.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use connkit_core::form::{FormOptions, build_form};

use crate::api::{Api, ApiError, AuthResult, Integration, Session};
use crate::event::ConnectEvent;
use crate::form::ProviderForm;
use crate::integrations::IntegrationList;
use crate::screens::{ErrorScreen, Skeleton, SuccessScreen};

/// Where the flow is.
#[derive(Clone)]
enum Step {
    /// Waiting for a session token.
    NoToken,
    /// Reading the session and integrations, or a provider.
    Loading,
    /// Choosing an integration.
    List(Vec<Integration>),
    /// Filling in the form of one integration.
    Form(Box<Chosen>),
    /// Connected.
    Done(AuthResult, String),
    /// A failure that ends the flow (expired session, failed load).
    Failed(ApiError),
}

/// An integration with its provider's form.
#[derive(Clone)]
pub(crate) struct Chosen {
    pub(crate) integration: Integration,
    pub(crate) provider_name: String,
    pub(crate) form: connkit_core::form::Form,
    /// Whether "Back" leads to a list.
    pub(crate) can_go_back: bool,
}

/// The Connect widget.
///
/// Renders inline; put it in a dialog (as the iframe page does) to overlay it.
#[component]
pub fn Connect(
    /// The Nango-wire API base URL (connkit-server, or Nango), e.g. `http://127.0.0.1:3003`.
    #[prop(into)]
    api_url: String,
    /// The connect session token; `None` until the host provides one.
    #[prop(into)]
    session_token: Signal<Option<String>>,
    /// Receives `ready`, `close`, `connect` and `error` events.
    #[prop(optional, into)]
    on_event: Option<Callback<ConnectEvent>>,
    /// Show a close button (and close on Escape).
    #[prop(optional)]
    closable: bool,
) -> impl IntoView {
    let emit = move |event: ConnectEvent| {
        if let Some(cb) = on_event {
            cb.run(event);
        }
    };
    let step = RwSignal::new(Step::NoToken);
    let session = RwSignal::new(Session::default());
    let api = Memo::new(move |_| session_token.get().map(|t| Api::new(&api_url, &t)));
    let fail = move |err: ApiError| {
        emit(ConnectEvent::Error {
            error_type: err.code().to_owned(),
            error_message: crate::screens::error_text(&err, None),
        });
        step.set(Step::Failed(err));
    };

    // Load the provider of `integration` and show its form.
    let open = move |integration: Integration, can_go_back: bool| {
        let Some(api) = api.get_untracked() else {
            return;
        };
        step.set(Step::Loading);
        spawn_local(async move {
            match api.provider(&integration.provider).await {
                Ok(provider) => {
                    let options = session.with_untracked(|s| FormOptions {
                        connection_config: s.connection_config(&integration.unique_key),
                        docs_connect: s.docs_connect(&integration.unique_key),
                        ..FormOptions::default()
                    });
                    let form = build_form(&provider, &options);
                    step.set(Step::Form(Box::new(Chosen {
                        integration,
                        provider_name: provider.display_name().to_owned(),
                        form,
                        can_go_back,
                    })));
                }
                Err(err) => fail(err),
            }
        });
    };

    // A new token (re)starts the flow.
    Effect::new(move |_| {
        let Some(api) = api.get() else { return };
        step.set(Step::Loading);
        spawn_local(async move {
            let loaded = async {
                let s = api.session().await?;
                let list = api.integrations().await?;
                Ok::<_, ApiError>((s, list))
            };
            match loaded.await {
                Ok((s, list)) => {
                    let single = s
                        .allowed_integrations
                        .as_ref()
                        .is_some_and(|a| a.len() == 1);
                    session.set(s);
                    match list.as_slice() {
                        [only] if single => open(only.clone(), false),
                        _ => step.set(Step::List(list)),
                    }
                }
                Err(err) => fail(err),
            }
        });
    });
    Effect::new(move |_| emit(ConnectEvent::Ready));

    let heading = NodeRef::<html::Div>::new();
    // Move focus to the new screen's heading whenever the step changes (screen readers
    // announce it; keyboard users continue from there).
    Effect::new(move |_| {
        step.track();
        // After the new screen is in the DOM.
        request_animation_frame(move || {
            if let Some(root) = heading.get_untracked()
                && let Ok(Some(h)) = root.query_selector("[data-autofocus]")
                && let Ok(h) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h)
            {
                let _ = h.focus();
            }
        });
    });

    let list = move || {
        step.with(|s| match s {
            Step::List(list) => Some(list.clone()),
            _ => None,
        })
    };
    let on_pick = Callback::new(move |i: Integration| open(i, true));
    let on_back = Callback::new(move |()| {
        let Some(api) = api.get_untracked() else {
            return;
        };
        step.set(Step::Loading);
        spawn_local(async move {
            match api.integrations().await {
                Ok(list) => step.set(Step::List(list)),
                Err(err) => fail(err),
            }
        });
    });
    let on_connected = Callback::new(move |(result, name): (AuthResult, String)| {
        emit(ConnectEvent::Connect {
            provider_config_key: result.provider_config_key.clone(),
            connection_id: result.connection_id.clone(),
        });
        step.set(Step::Done(result, name));
    });
    let on_expired = Callback::new(fail);
    let on_error = Callback::new(move |(code, text): (String, String)| {
        emit(ConnectEvent::Error {
            error_type: code,
            error_message: text,
        });
    });
    let close = move || emit(ConnectEvent::Close);

    view! {
        <div
            class="ck-widget"
            node_ref=heading
            on:keydown=move |ev| {
                if !closable {
                    return;
                }
                match ev.key().as_str() {
                    "Escape" => {
                        ev.prevent_default();
                        close();
                    }
                    // Overlaid: Tab cycles inside the widget (a focus trap).
                    "Tab" => {
                        if let Some(root) = heading.get_untracked()
                            && trap_focus(&root, ev.shift_key())
                        {
                            ev.prevent_default();
                        }
                    }
                    _ => {}
                }
            }
        >
            <Show when=move || closable>
                <button type="button" class="ck-close" aria-label="Close" on:click=move |_| close()>
                    "×"
                </button>
            </Show>
            {move || match step.get() {
                Step::NoToken | Step::Loading => view! { <Skeleton /> }.into_any(),
                Step::List(_) => {
                    view! { <IntegrationList integrations=Signal::derive(move || list().unwrap_or_default()) on_pick=on_pick /> }
                        .into_any()
                }
                Step::Form(chosen) => {
                    let api = api.get_untracked();
                    match api {
                        Some(api) => {
                            view! {
                                <ProviderForm
                                    chosen=*chosen
                                    api=api
                                    on_back=on_back
                                    on_connected=on_connected
                                    on_expired=on_expired
                                    on_error=on_error
                                />
                            }
                                .into_any()
                        }
                        None => view! { <Skeleton /> }.into_any(),
                    }
                }
                Step::Done(result, name) => {
                    view! { <SuccessScreen result=result provider=name on_finish=Callback::new(move |()| close()) /> }
                        .into_any()
                }
                Step::Failed(err) => view! { <ErrorScreen error=err /> }.into_any(),
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
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
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
