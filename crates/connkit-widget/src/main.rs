//! The demo binary (Trunk, `index.html`): mounts the demo page. The widget alone is the
//! `connkit-connect` binary. Nothing but mounting lives here.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(connkit_widget::demo::DemoApp);
}
