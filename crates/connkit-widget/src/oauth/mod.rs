//! OAuth 2 in the widget (spec §3.5, §12.27). A press of "Connect" on an OAUTH2 form, once
//! every field passed connkit-core's checks, opens a blank popup in the click handler
//! (`popup.rs`) and starts an attempt (`attempt.rs`, run by `www/connect/oauth.js`, loaded
//! then): the WebSocket's ack sends the popup to `/oauth/connect`, and the WebSocket's or the
//! callback page's outcome ends it. When the popup
//! is blocked, or with the `redirect` option from the start, the page goes through the provider
//! itself (`redirect.rs`) and resumes on its return. `view.rs` shows where the attempt stands
//! and the person's choices: open the window again, continue in this tab, cancel.
//!
//! [`OAuthControl`] is what the flow and the form share: the phase shown, the attempt under way
//! and the last press's connect URL. Knows nothing about forms, screens or events.

mod attempt;
mod popup;
pub(crate) mod redirect;
mod view;

use leptos::prelude::*;
use web_sys::Window;

use connkit_core::field::Submission;

use crate::api::{Api, ApiError, AuthResult};
use attempt::Attempt;
pub use redirect::returning;
pub(crate) use view::OAuthPanel;

/// Where an OAuth press stands, as the widget shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// No attempt.
    Idle,
    /// The popup is open (or was, less than the grace period ago): the person signs in there.
    Waiting,
    /// The popup has read closed for the grace period; the attempt still listens.
    Closed,
    /// The browser refused the popup.
    Blocked,
    /// The page is on its way to the provider.
    Redirecting,
}

/// What the flow and the form share about OAuth presses; a `Copy` handle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OAuthControl {
    phase: RwSignal<Phase>,
    press: StoredValue<Press, LocalStorage>,
    /// The `redirect` option: no popup, the page goes through the provider at once.
    redirect: bool,
}

/// The last press: its client and connect URL ("Continue in this tab" goes there), its
/// provider's display name, and its attempt while one runs.
#[derive(Default)]
struct Press {
    last: Option<(Api, String)>,
    provider: String,
    attempt: Option<Attempt>,
}

impl std::fmt::Debug for Press {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Press").field("last", &self.last).finish()
    }
}

impl OAuthControl {
    /// A control; `redirect` skips the popup.
    pub(crate) fn new(redirect: bool) -> OAuthControl {
        OAuthControl {
            phase: RwSignal::new(Phase::Idle),
            press: StoredValue::new_local(Press::default()),
            redirect,
        }
    }

    /// The phase shown (tracked).
    pub(crate) fn phase(&self) -> Phase {
        self.phase.get()
    }

    /// A press of "Connect" on the form of `key` (for `provider`, its display name), in its
    /// click handler: the popup to start an attempt in, or `None` when there is none (the page
    /// is leaving in redirect mode, or the browser blocked it: the phase tells which).
    pub(crate) fn press(
        &self,
        api: &Api,
        key: &str,
        values: &Submission,
        provider: &str,
    ) -> Option<Window> {
        let url = api.oauth_connect_url(key, values);
        self.press.update_value(|p| {
            p.last = Some((api.clone(), url));
            provider.clone_into(&mut p.provider);
        });
        if self.redirect {
            self.continue_here();
            return None;
        }
        let popup = popup::open_blank();
        if popup.is_none() {
            self.phase.set(Phase::Blocked);
        }
        popup
    }

    /// Runs an attempt of the last press in `popup`; its outcome.
    pub(crate) async fn run(self, popup: Window) -> Result<AuthResult, ApiError> {
        let Some((api, url)) = self.last() else {
            return Err(ApiError::Invalid);
        };
        let outcome = attempt::run(
            &api.websocket_url(),
            &url,
            api.origin(),
            popup,
            self.phase,
            |attempt| {
                self.press.try_update_value(|p| p.attempt = Some(attempt));
            },
        )
        .await;
        self.press.try_update_value(|p| p.attempt = None);
        self.phase.set(Phase::Idle);
        outcome
    }

    /// "Open the window again", in its click handler.
    pub(crate) fn reopen(&self) {
        if let (Some(attempt), Some(popup)) = (self.attempt(), popup::open_blank()) {
            attempt.reopen(popup);
        }
    }

    /// "Continue in this tab", in its click handler: the page goes through the provider.
    pub(crate) fn continue_here(&self) {
        let Some((api, url)) = self.last() else {
            return;
        };
        self.phase.set(Phase::Redirecting);
        if redirect::go(&api, &url).is_err() {
            self.phase.set(Phase::Blocked);
        }
    }

    /// "Cancel": ends the attempt (`window_closed`), or forgets a blocked press.
    pub(crate) fn cancel(&self) {
        match self.attempt() {
            Some(attempt) => attempt.cancel(),
            None => self.phase.set(Phase::Idle),
        }
    }

    /// The provider of the last press (its display name).
    pub(crate) fn provider(&self) -> String {
        self.press
            .try_with_value(|p| p.provider.clone())
            .unwrap_or_default()
    }

    fn last(&self) -> Option<(Api, String)> {
        self.press.try_with_value(|p| p.last.clone()).flatten()
    }

    fn attempt(&self) -> Option<Attempt> {
        self.press.try_with_value(|p| p.attempt.clone()).flatten()
    }
}
