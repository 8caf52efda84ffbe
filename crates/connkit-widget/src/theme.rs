//! The theme contract (docs/widget.md §2): `theme` (`light`, `dark` or `system`, which follows
//! `prefers-color-scheme` live), `primary` (any CSS colour; the text put on it is black or white,
//! whichever contrasts more: connkit-core's `colour::on_colour`; an opaque colour, as the text's
//! contrast is judged against it alone), and the app's `appName` and
//! `logo`. The same option names are read from `mountConnect`'s options, the custom element's
//! attributes (through `mountConnect`) and the `/connect/` page's query.
//!
//! The styles are CSS custom properties (`www/connkit.css`); this module only sets the widget
//! root's `data-theme` and its `--ck-primary` / `--ck-on-primary`. Knows nothing about where the
//! widget is mounted or about the flow.

use connkit_core::colour::{on_colour, parse_hex, to_hex};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Light, dark, or the system's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// `prefers-color-scheme`, followed live.
    System,
}

impl Mode {
    /// `light`, `dark` or `system`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "light" => Some(Mode::Light),
            "dark" => Some(Mode::Dark),
            "system" => Some(Mode::System),
            _ => None,
        }
    }

    /// The `data-theme` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Light => "light",
            Mode::Dark => "dark",
            Mode::System => "system",
        }
    }
}

/// What an app sets of the widget's look. Every part is optional: left out, the page's own
/// `data-theme` (or `color-scheme`) and connkit.css's colours apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    /// `theme`.
    pub mode: Option<Mode>,
    /// `primary`: a CSS colour, as given.
    pub primary: Option<String>,
    /// `appName`, shown above the screens.
    pub app_name: Option<String>,
    /// `logo`: an http(s) image URL shown beside the app name.
    pub logo: Option<String>,
}

impl Theme {
    /// Reads `theme`, `primary`, `appName` and `logo` through `get`; an unknown `theme`, an
    /// empty value or a logo that is no http(s) URL is left out.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Theme {
        let text = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        Theme {
            mode: text("theme").as_deref().and_then(Mode::parse),
            primary: text("primary"),
            app_name: text("appName"),
            logo: text("logo").filter(|url| crate::screens::is_http_url(url)),
        }
    }

    /// The root's inline style: `--ck-primary` and its on-colour, when the primary colour is
    /// an opaque colour the browser reads. Any other value is left out (the default stays).
    pub fn style(&self) -> Option<String> {
        let hex = self.primary.as_deref().and_then(read_colour)?;
        let rgb = parse_hex(&hex)?;
        let mut style = String::from("--ck-primary:");
        style.push_str(&hex);
        style.push_str(";--ck-on-primary:");
        style.extend(to_hex(on_colour(rgb)).map(char::from));
        Some(style)
    }
}

/// A CSS colour as the browser reads it: a canvas's `fillStyle` keeps its last valid value,
/// normalised to `#rrggbb` when opaque (`rgba(…)` otherwise). `None` when the browser does not
/// read it as a colour.
fn read_colour(colour: &str) -> Option<String> {
    let canvas = leptos::prelude::document().create_element("canvas").ok()?;
    let get_context = Reflect::get(&canvas, &"getContext".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let context = get_context.call1(&canvas, &"2d".into()).ok()?;
    let key = JsValue::from_str("fillStyle");
    let through = |start: &str| {
        Reflect::set(&context, &key, &start.into()).ok()?;
        Reflect::set(&context, &key, &colour.into()).ok()?;
        Reflect::get(&context, &key).ok()?.as_string()
    };
    // A colour the canvas refuses leaves each start value in place: the two readings differ.
    let read = through("#000000")?;
    (through("#ffffff")? == read).then_some(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_by_their_names() {
        let theme = Theme::read(|k| {
            let v = match k {
                "theme" => "system",
                "primary" => "rebeccapurple",
                "appName" => "Acme CRM",
                "logo" => "javascript:alert(1)",
                _ => "",
            };
            Some(v.to_owned())
        });
        assert_eq!(theme.mode, Some(Mode::System));
        assert_eq!(theme.primary.as_deref(), Some("rebeccapurple"));
        assert_eq!(theme.app_name.as_deref(), Some("Acme CRM"));
        assert_eq!(theme.logo, None, "only http(s) images");
        assert_eq!(Theme::read(|_| Some("sepia".to_owned())).mode, None);
        for mode in [Mode::Light, Mode::Dark, Mode::System] {
            assert_eq!(Mode::parse(mode.as_str()), Some(mode));
        }
    }
}
