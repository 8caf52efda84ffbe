//! The OAuth popup as Nango's SDK opens it (spec §3.5): blank, synchronously in the click
//! handler (a popup opened after an `await` has lost the click's user activation and is
//! blocked), 500×600 centred on the screen and clamped to it, without toolbars; the attempt
//! navigates it once the WebSocket has acknowledged.
//!
//! Knows nothing about the flow.

use leptos::prelude::window;
use web_sys::Window;

/// The popup's size (Nango's defaults), in CSS pixels.
const WIDTH: i32 = 500;
const HEIGHT: i32 = 600;

/// Opens the blank popup; `None` when the browser refused it (a popup blocker, a webview that
/// opens no window).
pub(crate) fn open_blank() -> Option<Window> {
    let win = window();
    // Integers: formatting a float would bring its whole printing code into the first load.
    let (screen_width, screen_height) = win
        .screen()
        .map(|s| (s.width().unwrap_or(WIDTH), s.height().unwrap_or(HEIGHT)))
        .unwrap_or((WIDTH, HEIGHT));
    let features = format!(
        "width={},height={},left={},top={},scrollbars=yes,resizable=yes,status=no,toolbar=no,\
         location=no,copyhistory=no,menubar=no,directories=no",
        WIDTH.min(screen_width),
        HEIGHT.min(screen_height),
        (screen_width / 2 - WIDTH / 2).max(0),
        (screen_height / 2 - HEIGHT / 2).max(0),
    );
    let popup = win
        .open_with_url_and_target_and_features("", "_blank", &features)
        .ok()
        .flatten()?;
    // Nango's SDK counts a window that reads closed at once as blocked too.
    (!popup.closed().unwrap_or(true)).then_some(popup)
}
