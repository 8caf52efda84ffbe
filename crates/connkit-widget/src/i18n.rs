//! The widget's words, in the languages of `connkit_core::lang::LANGUAGES`. Every string a
//! person reads goes through one lookup, [`I18n::text`] (or [`I18n::fill`] for one with
//! `{placeholders}`), by key; provider-supplied text (names, field titles and descriptions)
//! never does, as in Nango's Connect UI.
//!
//! A set of catalogues is one small JSON object per language, `{"key": "text"}`, served as a
//! static file (`www/connect/i18n/{lang}.json` for the widget, `www/i18n/` for the demo page)
//! and fetched when that language is chosen, so the wasm carries none of them but English,
//! compiled in as the fallback of every key a catalogue lacks (or of all of them, when the file
//! cannot be read). `cargo xtask tidy` holds the sets together: every key in every language,
//! no key the code does not use, the same placeholders everywhere.
//!
//! The language is the host's `lang` option, else the first of `navigator.languages` connkit
//! speaks (core's `best_language`: `pt` → pt-BR, `zh-Hans` → zh-CN), else English. Numbers go
//! through the browser's `Intl` ([`I18n::number`]).
//!
//! Knows nothing about the flow or where the widget is mounted.

use std::sync::OnceLock;

use gloo_net::http::Request;
use leptos::prelude::*;
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

use connkit_core::lang::{LANGUAGES, best_language};

use crate::api::fetch;

/// One set of catalogues: English, compiled in, and where the other languages' files are.
#[derive(Debug)]
pub struct Catalogues {
    english: &'static str,
    parsed: OnceLock<Map<String, Value>>,
    /// The directory (URL) of the `{lang}.json` files when the host names none.
    default_dir: &'static str,
}

impl Catalogues {
    const fn new(english: &'static str, default_dir: &'static str) -> Catalogues {
        Catalogues {
            english,
            parsed: OnceLock::new(),
            default_dir,
        }
    }

    /// English, read once.
    fn english(&self) -> &Map<String, Value> {
        self.parsed
            .get_or_init(|| match crate::json::parse(self.english) {
                Some(Value::Object(map)) => map,
                _ => Map::new(),
            })
    }
}

/// The widget's catalogues: served beside the `/connect/` page.
pub static WIDGET: Catalogues = Catalogues::new(
    include_str!("../../../www/connect/i18n/en.json"),
    "/connect/i18n/",
);

/// The demo page's catalogues.
#[cfg(feature = "demo")]
pub static DEMO: Catalogues = Catalogues::new(include_str!("../../../www/i18n/en.json"), "/i18n/");

/// A catalogue as read: its language, and its words (`None` for English, or when the file could
/// not be read: every key then falls back to English).
type Loaded = (&'static str, Option<Map<String, Value>>);

/// The words of one set in the chosen language; a `Copy` handle, reactive: a change of language
/// re-renders every text read through it once the new catalogue is in.
#[derive(Clone, Copy)]
pub struct I18n {
    set: &'static Catalogues,
    chosen: Memo<&'static str>,
    loaded: MappedSignal<Option<Loaded>>,
    ready: Memo<bool>,
}

impl I18n {
    /// The words of `set` in the language `requested` names (else the browser's, else English),
    /// fetched from `dir` (else the set's default directory).
    pub fn new(
        set: &'static Catalogues,
        requested: Signal<Option<String>>,
        dir: Option<String>,
    ) -> I18n {
        let chosen = Memo::new(move |_| requested.with(|r| choose(r.as_deref())));
        let dir = dir.unwrap_or_else(|| set.default_dir.to_owned());
        let loaded = crate::read::follow(
            move || chosen.get(),
            move |&lang| {
                let url = format!("{}/{lang}.json", dir.trim_end_matches('/'));
                async move {
                    if lang == LANGUAGES[0] {
                        return (lang, None);
                    }
                    let read = fetch(Request::get(&url).build()).await;
                    (lang, read.ok().and_then(|v| v.as_object().cloned()))
                }
            },
        );
        // The read keeps its value while it reads the next language: ready stays true.
        let ready = Memo::new(move |_| loaded.with(Option::is_some));
        I18n {
            set,
            chosen,
            loaded,
            ready,
        }
    }

    /// The language chosen (tracked), whose catalogue may still be on its way.
    pub fn chosen(&self) -> &'static str {
        self.chosen.try_get().unwrap_or(LANGUAGES[0])
    }

    /// The language of the words shown (tracked): the chosen one once its catalogue is in.
    pub fn shown(&self) -> &'static str {
        self.loaded
            .try_with(|l| l.as_ref().map(|(lang, _)| *lang))
            .flatten()
            .unwrap_or(LANGUAGES[0])
    }

    /// True once the first catalogue was read, or found missing (tracked; it changes once).
    pub fn ready(&self) -> bool {
        self.ready.try_get().unwrap_or(true)
    }

    /// The text of `key` in the language shown (tracked); English when the catalogue lacks it,
    /// the key itself when English does too.
    pub fn text(&self, key: &str) -> String {
        // `try_`: an event may be told after the widget is gone.
        let own = self.loaded.try_with(|l| {
            l.as_ref()
                .and_then(|(_, words)| words.as_ref())
                .and_then(|words| words.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        own.flatten()
            .or_else(|| {
                self.set
                    .english()
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| key.to_owned())
    }

    /// [`I18n::text`] as a view or an attribute value that follows the language: a
    /// `Signal<String>`, the one type of every reactive text the widget renders (each distinct
    /// closure rendered would bring its own copy of the rendering code into the wasm).
    pub fn tr(self, key: &'static str) -> Signal<String> {
        Signal::derive(move || self.text(key))
    }

    /// [`I18n::fill`] as a view or an attribute value that follows the language (a
    /// `Signal<String>`, as [`I18n::tr`]).
    pub fn tr_with(self, key: &'static str, args: Vec<(&'static str, String)>) -> Signal<String> {
        Signal::derive(move || {
            let args: Vec<(&str, &str)> = args.iter().map(|(n, v)| (*n, v.as_str())).collect();
            self.fill(key, &args)
        })
    }

    /// [`I18n::text`] with each `{name}` of `args` replaced by its value (values are put in as
    /// they are: a placeholder inside a value is not expanded again).
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let text = self.text(key);
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                let (_, value) = args.iter().find(|(n, _)| *n == name)?;
                Some((value, close))
            });
            match value {
                Some((value, close)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// `n` written for the language shown, by the browser's `Intl.NumberFormat`.
    pub fn number(&self, n: usize) -> String {
        // Exact as f64 for every count a message shows.
        #[allow(clippy::cast_precision_loss)]
        let n = js_sys::Number::from(n as f64);
        String::from(n.to_locale_string(self.shown()))
    }
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field("chosen", &self.chosen)
            .finish()
    }
}

/// The widget's words where the widget provided them (always, under [`crate::Connect`]);
/// English elsewhere.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::new(&WIDGET, Signal::stored(None), None))
}

/// The language for `requested` (a `lang` option): it, when connkit speaks it or its language,
/// else the first of the browser's languages connkit speaks, else English.
pub fn choose(requested: Option<&str>) -> &'static str {
    let browser = browser_languages();
    let preferences = requested
        .into_iter()
        .chain(browser.iter().map(String::as_str));
    best_language(preferences, &LANGUAGES).unwrap_or(LANGUAGES[0])
}

/// `navigator.languages`, most preferred first (read without web-sys's `Navigator` binding,
/// which would only bring this).
fn browser_languages() -> Vec<String> {
    let navigator = js_sys::Reflect::get(&window(), &JsValue::from_str("navigator"));
    let languages = navigator
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("languages")))
        .ok()
        .and_then(|l| l.dyn_into::<js_sys::Array>().ok());
    languages
        .map(|list| list.iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default()
}
