//! What a panic tells the browser's console: its message and where it happened, as one
//! `console.error` (the console adds the JavaScript stack). The widget should never panic; when
//! it does, this is what a developer reads. It is not `console_error_panic_hook`, which also
//! builds a JavaScript `Error` for its stack and writes the message through its own formatting:
//! about 0.4 KB gzip of the first load for what the console already shows.
//!
//! Knows nothing about the widget.

/// Sends every later panic's message and place to `console.error`.
pub fn report_to_console() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or_default();
        let (file, line) = info
            .location()
            .map(|at| (at.file(), at.line()))
            .unwrap_or_default();
        web_sys::console::error_4(
            &"connkit panicked:".into(),
            &message.into(),
            &file.into(),
            &line.into(),
        );
    }));
}
