//! The Connect widget alone (Trunk, `connect/index.html`): the `/connect/` iframe page, and
//! `mountConnect` for any web page. Nothing but mounting lives here.

fn main() {
    connkit_widget::panic::report_to_console();
    let path = leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default();
    if path.starts_with("/connect") {
        leptos::mount::mount_to_body(connkit_widget::ConnectPage);
    }
}
