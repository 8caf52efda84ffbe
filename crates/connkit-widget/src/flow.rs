//! One connect session's flow (spec §4.2 from step 4): the integration list, or the only
//! allowed integration straight away; the chosen integration's provider and form; the submit;
//! then the success screen, or the screen of a failure that ends the flow.
//!
//! The user's choice is a signal; reading the chosen integration's provider is an `Action` (a
//! pick sends it), and so is the submit. The screen is a `Memo` of the three, never written,
//! so a failed submit, which changes no screen, leaves the form and what was typed in it
//! alone. Each read or write that fails or connects tells the host once, when it finishes.
//!
//! Knows nothing about the session token, where the widget is mounted or how focus moves.

use leptos::either::either;
use leptos::prelude::*;

use connkit_core::field::Submission;

use crate::api::{Api, ApiError, AuthResult, Integration, Session};
use crate::event::ConnectEvent;
use crate::form::{IntegrationForm, ProviderForm};
use crate::integrations::IntegrationList;
use crate::screens::{ErrorScreen, Skeleton, SuccessScreen, error_event};

/// What a flow starts from: the session and its integrations (spec §4.2 steps 3 and 4).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Start {
    /// `GET /connect/session`.
    pub(crate) session: Session,
    /// `GET /integrations`, in server order.
    pub(crate) integrations: Vec<Integration>,
}

impl Start {
    /// Reads the session, then the integrations, as Connect UI does.
    pub(crate) async fn load(api: &Api) -> Result<Start, ApiError> {
        let session = api.session().await?;
        let integrations = api.integrations().await?;
        Ok(Start {
            session,
            integrations,
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

/// A press of "Connect" on a form whose every field passed.
#[derive(Debug, Clone)]
struct Attempt {
    model: IntegrationForm,
    values: Submission,
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
    Form(IntegrationForm),
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
) -> impl IntoView {
    let only = start.only();
    let can_go_back = only.is_none();
    let Start {
        session,
        integrations,
    } = start;

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
                    on_event.try_run(error_event(err, None));
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

    let submit = Action::new_local(move |attempt: &Attempt| {
        let (api, Attempt { model, values }) = (api.clone(), attempt.clone());
        async move {
            let key = &model.integration.unique_key;
            let done = api.auth(key, &model.form, &values).await;
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
                    on_event.try_run(error_event(&err, Some(&provider)));
                    Err(err)
                }
            }
        }
    });
    let (outcome, pending) = (submit.value(), submit.pending());
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
                return Screen::List;
            };
            // While a read is under way, an earlier one's form is not shown.
            if opening.get() {
                return Screen::Loading;
            }
            opened.with(|read| match read {
                Some((key, loaded)) if key == choice => match loaded {
                    Ok(model) => Screen::Form(model.clone()),
                    Err(err) => Screen::Failed(err.clone()),
                },
                _ => Screen::Loading,
            })
        })
    });
    Effect::new(move |_| {
        screen.track();
        on_screen.run(());
    });

    let integrations = Signal::stored(integrations);
    let on_pick = Callback::new(pick);
    let on_back = Callback::new(move |()| chosen.set(None));
    move || {
        either!(screen.get(),
            Screen::Loading => view! { <Skeleton /> },
            Screen::List => view! { <IntegrationList integrations=integrations on_pick=on_pick /> },
            Screen::Form(model) => {
                let attempted = model.clone();
                let on_submit = Callback::new(move |values: Submission| {
                    let model = attempted.clone();
                    submit.dispatch_local(Attempt { model, values });
                });
                view! {
                    <ProviderForm
                        model=model
                        can_go_back=can_go_back
                        on_back=on_back
                        on_submit=on_submit
                        pending=pending
                        refused=refused
                    />
                }
            },
            Screen::Done(Connected { result, provider }) => {
                view! { <SuccessScreen result=result provider=provider on_finish=on_finish /> }
            },
            Screen::Failed(err) => view! { <ErrorScreen error=err /> },
        )
    }
}
