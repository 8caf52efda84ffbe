//! The demo binary (Trunk): mounts the Connect page at `/connect/`, the demo everywhere else.
//! Nothing but mounting lives here.

fn main() {
    console_error_panic_hook::set_once();
    let path = leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default();
    if path.starts_with("/connect") {
        leptos::mount::mount_to_body(connkit_widget::ConnectPage);
    } else {
        leptos::mount::mount_to_body(connkit_widget::demo::DemoApp);
    }
}
