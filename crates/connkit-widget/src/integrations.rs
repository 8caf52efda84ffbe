//! The integration list (spec §4.2 step 4), with a search box: a combobox over a listbox.
//! Typing filters by display name, provider or key (any case); ArrowUp/ArrowDown/Home/End move
//! the active option, Enter picks it; a click picks too.
//!
//! Names are rendered as text (never HTML). Knows nothing about HTTP.

use js_sys::JsString;
use leptos::prelude::*;

use crate::api::Integration;
use crate::i18n::use_i18n;

/// Lists `integrations`; `on_pick` gets the chosen one.
#[component]
pub fn IntegrationList(
    /// The session's integrations, in server order.
    #[prop(into)]
    integrations: Signal<Vec<Integration>>,
    /// Called with the integration the user picks.
    on_pick: Callback<Integration>,
) -> impl IntoView {
    let t = use_i18n();
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let shown = Memo::new(move |_| {
        let q = String::from(query.with(|q| lower(q.trim())));
        integrations
            .get()
            .into_iter()
            .filter(|i| {
                [&i.display_name, &i.provider, &i.unique_key]
                    .iter()
                    .any(|text| lower(text).includes(&q, 0))
            })
            .collect::<Vec<_>>()
    });
    // The active option never points past the list.
    let active_index = move || {
        let len = shown.with(Vec::len);
        active.get().min(len.saturating_sub(1))
    };
    let option_id = |i: usize| format!("ck-option-{i}");
    let pick = move |i: usize| {
        if let Some(item) = shown.with(|s| s.get(i).cloned()) {
            on_pick.run(item);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let len = shown.with(Vec::len);
        let handled = match ev.key().as_str() {
            "ArrowDown" if len > 0 => {
                active.set((active_index() + 1) % len);
                true
            }
            "ArrowUp" if len > 0 => {
                active.set((active_index() + len - 1) % len);
                true
            }
            "Home" if len > 0 => {
                active.set(0);
                true
            }
            "End" if len > 0 => {
                active.set(len - 1);
                true
            }
            "Enter" if len > 0 => {
                pick(active_index());
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };

    view! {
        <section class="ck-screen" aria-labelledby="ck-title">
            <h2 id="ck-title" tabindex="-1" data-autofocus>{t.tr("list.title")}</h2>
            <label class="ck-label" for="ck-search">{t.tr("list.search_label")}</label>
            <input
                id="ck-search"
                class="ck-input ck-search"
                type="search"
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-expanded="true"
                aria-controls="ck-integrations"
                aria-activedescendant=Signal::derive(move || {
                    if shown.with(Vec::is_empty) { String::new() } else { option_id(active_index()) }
                })
                placeholder=t.tr("list.search_placeholder")
                prop:value=Signal::derive(move || query.get())
                on:input:target=move |ev| {
                    query.set(ev.target().value());
                    active.set(0);
                }
                on:keydown=on_key
            />
            <ul id="ck-integrations" class="ck-list" role="listbox" aria-label=t.tr("list.label")>
                // Updated in place, position by position: an option's id is its position, so a
                // keyed `<For>` would gain nothing for its diffing code (5 KB gzip of the load).
                {move || {
                    shown
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let initial = item
                                .display_name
                                .chars()
                                .next()
                                .map(|c| c.to_ascii_uppercase().to_string())
                                .unwrap_or_default();
                            view! {
                                <li
                                    id=option_id(i)
                                    class="ck-option"
                                    role="option"
                                    aria-selected=Signal::derive(move || (active_index() == i).to_string())
                                    data-key=item.unique_key.clone()
                                    on:click=crate::on_press(Callback::new(move |()| pick(i)))
                                    on:mousemove=move |_| active.set(i)
                                >
                                    <span class="ck-logo" aria-hidden="true">{initial}</span>
                                    <span class="ck-option-name">{item.display_name.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                shown
                    .with(Vec::is_empty)
                    .then(|| view! { <p class="ck-empty" role="status">{t.tr("list.empty")}</p> })
            }}
        </section>
    }
}

/// `text.toLowerCase()`: the browser's own Unicode case tables rather than a copy of them in the
/// wasm (Rust's `to_lowercase` maps the same way).
fn lower(text: &str) -> JsString {
    JsString::from(text).to_lower_case()
}
