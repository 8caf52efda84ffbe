//! One connect session's flow (spec §4.2 from step 4): the integration list, or the only
//! allowed integration straight away; the chosen integration's provider and form; the submit;
//! then the success screen, or the screen of a failure that ends the flow.
//!
//! The user's choice is a signal; reading the chosen integration's provider is an `Action` (a
//! pick sends it), and so is the submit. The screen is a `Memo` of the three, never written,
//! so a failed submit, which changes no screen, leaves the form and what was typed in it
//! alone. Each read or write that fails or connects tells the host once, when it finishes.
//!
//! An OAUTH2 submit opens its popup in the submit's own handler, before the action runs
//! (`oauth/`); the action is then the attempt. A flow that starts from the page's return of a
//! redirect-mode OAuth flow shows its outcome as if its submit had just finished.
//!
//! Knows nothing about the session token, where the widget is mounted or how focus moves.

use leptos::either::either;
use leptos::prelude::*;

use connkit_core::field::Submission;
use connkit_core::form::SubmitMode;
use web_sys::Window;

use crate::api::{Api, ApiError, AuthResult, Integration, Outcome, Session};
use crate::event::ConnectEvent;
use crate::form::{IntegrationForm, ProviderForm};
use crate::i18n::use_i18n;
use crate::integrations::IntegrationList;
use crate::oauth::{OAuthControl, OAuthPanel, Phase};
use crate::screens::{ErrorScreen, Skeleton, SuccessScreen, error_event};

/// What a flow starts from: the session and its integrations (spec §4.2 steps 3 and 4), and
/// the outcome of the OAuth flow the page returns from, if it does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Start {
    /// `GET /connect/session`.
    pub(crate) session: Session,
    /// `GET /integrations`, in server order.
    pub(crate) integrations: Vec<Integration>,
    /// `GET /oauth/result/:id` of the page's return (spec §12.27).
    pub(crate) resumed: Option<Outcome>,
}

impl Start {
    /// Reads the session, then the integrations, as Connect UI does; then the result `resume`
    /// names, if any (a result that cannot be read is a failure of its own).
    pub(crate) async fn load(api: &Api, resume: Option<String>) -> Result<Start, ApiError> {
        let session = api.session().await?;
        let integrations = api.integrations().await?;
        let resumed = match resume {
            Some(id) => Some(api.oauth_result(&id).await.unwrap_or_else(|err| Outcome {
                key: None,
                result: Err(err),
            })),
            None => None,
        };
        Ok(Start {
            session,
            integrations,
            resumed,
        })
    }

    /// The integration opened without a list: the only one, when the session allows only one.
    fn only(&self) -> Option<Integration> {
        match self.integrations.as_slice() {
            [only] if self.session.allows_one() => Some(only.clone()),
            _ => None,
        }
    }
}

/// A press of "Connect" on a form whose every field passed; an OAUTH2 press carries the popup
/// its handler opened.
#[derive(Debug, Clone)]
struct Attempt {
    model: IntegrationForm,
    values: Submission,
    popup: Option<Window>,
}

/// A connection made.
#[derive(Debug, Clone, PartialEq)]
struct Connected {
    result: AuthResult,
    /// The provider's display name.
    provider: String,
}

/// What the flow shows.
#[derive(Debug, Clone, PartialEq)]
enum Screen {
    /// Reading the chosen integration's provider.
    Loading,
    /// Choosing an integration.
    List,
    /// Filling in the form of one integration.
    Form(Box<IntegrationForm>),
    /// Connected.
    Done(Connected),
    /// A failure that ends the flow (expired session, failed read).
    Failed(ApiError),
}

/// The flow of one session, from its loaded session and integrations.
#[component]
#[allow(unreachable_pub)] // `#[component]` makes the props struct `pub`
pub(crate) fn Flow(
    /// The session's client.
    api: Api,
    /// The session and its integrations.
    start: Start,
    /// Receives the `connect` and `error` events.
    on_event: Callback<ConnectEvent>,
    /// "Finish" on the success screen.
    on_finish: Callback<()>,
    /// Called whenever the screen changes (the caller moves focus to the new heading).
    on_screen: Callback<()>,
    /// OAuth without a popup: the page goes through the provider (the `redirect` option).
    #[prop(optional)]
    redirect: bool,
    /// No "Finish" on the success screen: nothing hosts the widget (a connect link).
    #[prop(optional)]
    standalone: bool,
) -> impl IntoView {
    let t = use_i18n();
    let only = start.only();
    let can_go_back = only.is_none();
    let Start {
        session,
        integrations,
        resumed,
    } = start;
    let oauth = OAuthControl::new(redirect);

    // Reading a provider into a form: an action, sent by each pick. Its value names the
    // integration it is for: the user may have gone back and picked another since.
    let open = {
        let api = api.clone();
        Action::new_local(move |integration: &Integration| {
            let (api, session, integration) = (api.clone(), session.clone(), integration.clone());
            async move {
                let key = integration.unique_key.clone();
                let read = api.provider(&integration.provider).await;
                let loaded = read.map(|p| IntegrationForm::build(integration, &p, &session));
                if let Err(err) = &loaded {
                    on_event.try_run(error_event(t, err, None));
                }
                (key, loaded)
            }
        })
    };
    // The key of the integration the user chose; the only allowed one is chosen without asking.
    let chosen = RwSignal::new(None::<String>);
    let pick = move |integration: Integration| {
        chosen.set(Some(integration.unique_key.clone()));
        open.dispatch_local(integration);
    };
    if let Some(only) = only {
        pick(only);
    }
    let (opened, opening) = (open.value(), open.pending());

    let submit = Action::new_local({
        let api = api.clone();
        move |attempt: &Attempt| {
            let (
                api,
                Attempt {
                    model,
                    values,
                    popup,
                },
            ) = (api.clone(), attempt.clone());
            async move {
                let key = &model.integration.unique_key;
                let done = match popup {
                    Some(popup) => oauth.run(popup).await,
                    None => {
                        let external_id = model.external_id.as_deref();
                        api.auth(key, &model.form, &values, external_id).await
                    }
                };
                let provider = model.provider_name;
                match done {
                    Ok(result) => {
                        on_event.try_run(ConnectEvent::Connect {
                            provider_config_key: result.provider_config_key.clone(),
                            connection_id: result.connection_id.clone(),
                        });
                        Ok(Connected { result, provider })
                    }
                    Err(err) => {
                        on_event.try_run(error_event(t, &err, Some(&provider)));
                        Err(err)
                    }
                }
            }
        }
    });
    // The page's return from a redirect-mode OAuth flow: its outcome, as a submit's. A failure
    // shows on its integration's form, or on its own screen when that is unknown (`lost`).
    let mut banner = false;
    let lost = resumed.and_then(|Outcome { key, result }| {
        let integration =
            key.and_then(|k| integrations.iter().find(|i| i.unique_key == k).cloned());
        let provider = integration.as_ref().map(|i| i.display_name.clone());
        match &result {
            Ok(done) => on_event.run(ConnectEvent::Connect {
                provider_config_key: done.provider_config_key.clone(),
                connection_id: done.connection_id.clone(),
            }),
            Err(err) => on_event.run(error_event(t, err, provider.as_deref())),
        }
        let lost = match (&result, &integration) {
            (Err(err), None) => Some(err.clone()),
            _ => None,
        };
        if let (Err(_), Some(integration)) = (&result, integration) {
            banner = true;
            pick(integration);
        }
        let provider = provider.unwrap_or_default();
        submit
            .value()
            .set(Some(result.map(|result| Connected { result, provider })));
        lost
    });
    // The first form shown after a return reports its failure at once.
    let resume_banner = StoredValue::new(banner);
    let (outcome, pending) = (submit.value(), submit.pending());
    // A submit still under way when the flow goes (the widget closed mid-flow) is dropped: an
    // OAuth attempt then lets go of its WebSocket and its popup, and tells no one.
    let running = StoredValue::new(None::<ActionAbortHandle>);
    on_cleanup(move || {
        if let Some(Some(handle)) = running.try_update_value(Option::take) {
            handle.abort();
        }
    });
    // A refusal that keeps the form open; an expired session ends the flow instead.
    let refused = Signal::derive(move || {
        if pending.get() {
            return None;
        }
        outcome.with(|v| match v {
            Some(Err(err)) if *err != ApiError::Expired => Some(err.clone()),
            _ => None,
        })
    });

    let screen = Memo::new(move |_| {
        // A connection, or a session that expired while submitting, ends the flow.
        let ended = outcome.with(|v| match v {
            Some(Ok(done)) => Some(Screen::Done(done.clone())),
            Some(Err(ApiError::Expired)) => Some(Screen::Failed(ApiError::Expired)),
            _ => None,
        });
        if let Some(ended) = ended {
            return ended;
        }
        chosen.with(|choice| {
            let Some(choice) = choice else {
                return match &lost {
                    Some(err) => Screen::Failed(err.clone()),
                    None => Screen::List,
                };
            };
            // While a read is under way, an earlier one's form is not shown.
            if opening.get() {
                return Screen::Loading;
            }
            opened.with(|read| match read {
                Some((key, loaded)) if key == choice => match loaded {
                    Ok(model) => Screen::Form(Box::new(model.clone())),
                    Err(err) => Screen::Failed(err.clone()),
                },
                _ => Screen::Loading,
            })
        })
    });
    crate::effect(move || {
        screen.track();
        on_screen.run(());
    });

    // A press of "Connect": an OAUTH2 press opens its popup here, in the submit's own handler,
    // before the action runs.
    let press = Callback::new(move |(model, values): (IntegrationForm, Submission)| {
        let popup = if model.form.submit_mode() == SubmitMode::Popup {
            let key = &model.integration.unique_key;
            let Some(popup) = oauth.press(&api, key, &values, &model.provider_name) else {
                if untrack(|| oauth.phase()) == Phase::Blocked {
                    let blocked = ApiError::Flow {
                        code: "blocked_by_browser".to_owned(),
                        message: String::new(),
                    };
                    on_event.run(error_event(t, &blocked, Some(&model.provider_name)));
                }
                return;
            };
            Some(popup)
        } else {
            None
        };
        let handle = submit.dispatch_local(Attempt {
            model,
            values,
            popup,
        });
        running.set_value(Some(handle));
    });

    let integrations = Signal::stored(integrations);
    let on_pick = Callback::new(pick);
    let on_back = Callback::new(move |()| chosen.set(None));
    let on_finish = (!standalone).then_some(on_finish);
    // The OAuth panel lives beside the screens (hidden while no press is under way) rather than
    // in the form: one copy of its view code, not one in every screen's.
    let screens = move || {
        either!(screen.get(),
            Screen::Loading => view! { <Skeleton /> },
            Screen::List => view! { <IntegrationList integrations=integrations on_pick=on_pick /> },
            Screen::Form(model) => {
                let model = *model;
                let attempted = model.clone();
                let on_submit = Callback::new(move |values| press.run((attempted.clone(), values)));
                let resumed = resume_banner.get_value();
                resume_banner.set_value(false);
                view! {
                    <ProviderForm
                        model=model
                        can_go_back=can_go_back
                        on_back=on_back
                        on_submit=on_submit
                        pending=pending
                        refused=refused
                        resumed=resumed
                    />
                }
            },
            Screen::Done(Connected { result, provider }) => {
                view! { <SuccessScreen result=result provider=provider on_finish=on_finish /> }
            },
            Screen::Failed(err) => view! { <ErrorScreen error=err /> },
        )
    };
    view! {
        {screens}
        <OAuthPanel control=oauth />
    }
}
