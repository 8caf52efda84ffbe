//! A read that follows a reactive source: each change of the source starts a read, and the
//! latest read's value is kept until the next one is in (what a `LocalResource` gives). It is
//! an `Action` dispatched by an `Effect`: a `LocalResource` is built on `AsyncDerived`, which
//! registers every read with Leptos's `AsyncTransition`, a global `std::sync::mpsc` channel
//! that brings std's channel and thread code into the first load, though a client-rendered
//! widget never starts a transition.
//!
//! Knows nothing about what is read.

use leptos::prelude::*;

/// The value of the latest read for `source`'s current value (`None` before the first is in);
/// a read that a later one overtook is dropped, as an `Action` drops it.
pub(crate) fn follow<K, O, Fu>(
    source: impl Fn() -> K + 'static,
    read: impl Fn(&K) -> Fu + 'static,
) -> MappedSignal<Option<O>>
where
    K: 'static,
    O: Send + Sync + 'static,
    Fu: Future<Output = O> + 'static,
{
    let action = Action::new_local(read);
    crate::effect(move || {
        action.dispatch_local(source());
    });
    action.value()
}
