//! Where an OAuth press stands, under the form: the popup is open (finish there), it
//! has read closed for a while (open it again, continue in this tab, or cancel: never an error
//! by itself, see `attempt.rs`), the browser blocked it (continue in this tab), or the page is
//! leaving for the provider. The panel is a live region; when it offers choices, the focus moves
//! to the first, so that keyboard and screen-reader users meet the choice where their press left
//! them.
//!
//! Knows nothing about the attempt's machinery; it reads the phase and calls the control.

use leptos::html;
use leptos::prelude::*;

use super::{OAuthControl, Phase};
use crate::i18n::{I18n, use_i18n};

/// The panel for `control`'s presses (hidden while there is none). One element
/// tree whose text follows the phase and whose buttons the style sheet shows by the phase
/// (`data-phase`), rather than a view per phase: each would bring its own build and rebuild
/// code into the first load.
#[component]
#[allow(unreachable_pub)] // `#[component]` makes the props struct `pub`
pub(crate) fn OAuthPanel(
    /// The control of the form's presses.
    control: OAuthControl,
) -> impl IntoView {
    let t = use_i18n();
    let first = NodeRef::<html::Button>::new();
    let here = NodeRef::<html::Button>::new();
    crate::effect(move || {
        let target = match control.phase() {
            Phase::Closed => first,
            Phase::Blocked => here,
            _ => return,
        };
        request_animation_frame(move || {
            if let Some(button) = target.get_untracked() {
                let _ = button.focus();
            }
        });
    });
    let text = Signal::derive(move || say(t, control.phase(), &control.provider()));
    let name = Signal::derive(move || {
        match control.phase() {
            Phase::Idle => "idle",
            Phase::Waiting => "waiting",
            Phase::Closed => "closed",
            Phase::Blocked => "blocked",
            Phase::Redirecting => "redirecting",
        }
        .to_owned()
    });
    view! {
        <div class="ck-oauth" role="status" data-phase=name>
            <p>{text}</p>
            <div class="ck-oauth-actions">
                <button type="button" class="ck-choice ck-if-closed" node_ref=first on:click=crate::on_press(Callback::new(move |()| control.reopen()))>
                    {t.tr("oauth.reopen")}
                </button>
                <button type="button" class="ck-choice" node_ref=here on:click=crate::on_press(Callback::new(move |()| control.continue_here()))>
                    {t.tr("oauth.continue_here")}
                </button>
                <button type="button" class="ck-choice ck-if-closed" on:click=crate::on_press(Callback::new(move |()| control.cancel()))>
                    {t.tr("oauth.cancel")}
                </button>
            </div>
        </div>
    }
}

/// What the panel says in `phase` about the press for `provider`.
fn say(t: I18n, phase: Phase, provider: &str) -> String {
    let key = match phase {
        Phase::Idle => return String::new(),
        Phase::Waiting => "oauth.waiting",
        Phase::Closed => "oauth.closed",
        Phase::Blocked => "oauth.blocked",
        Phase::Redirecting => "oauth.redirecting",
    };
    t.fill(key, &[("provider", provider)])
}
