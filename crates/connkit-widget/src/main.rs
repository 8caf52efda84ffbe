//! The demo binary (Trunk, `index.html`): mounts the demo page. The widget alone is the
//! `connkit-connect` binary. Nothing but mounting lives here.

fn main() {
    connkit_widget::panic::report_to_console();
    leptos::mount::mount_to_body(connkit_widget::demo::DemoApp);
}
