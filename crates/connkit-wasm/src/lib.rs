//! connkit-wasm: the npm package `connkit`, a thin wasm-bindgen façade over connkit-core.
//!
//! No rule lives here. Each export reads its JavaScript arguments (`read.rs`), calls the core
//! and writes the result back (`write.rs`) in the shapes `npm/index.d.ts` declares (which
//! tests/node/contracts.test.mjs holds every result to). Exports never throw and never trap:
//! wrong argument types, proxies, cycles and getters that throw all come back as issues.
//! `pattern` fields run on the JavaScript engine's own `RegExp` (`regexp.rs`). `cargo xtask npm`
//! turns the build into the package.
#![deny(missing_docs)]
// Without std on wasm: std's panic hook and its formatting stay out of every module, and a panic,
// which no input can cause, traps (see `panic` below). Native builds (clippy, unit tests) link std.
#![cfg_attr(target_arch = "wasm32", no_std)]
// The package builds each wasm module with some of the features; the helpers that only the other
// modules' exports use are then unused. With every feature (the default, and what clippy checks)
// nothing is.
#![cfg_attr(
    not(all(
        feature = "tags",
        feature = "filter",
        feature = "form",
        feature = "catalogue",
        feature = "interpolate",
        feature = "query",
        feature = "metadata",
        feature = "session",
        feature = "webhook",
        feature = "reference"
    )),
    allow(dead_code, unused_imports)
)]

#[cfg_attr(target_arch = "wasm32", macro_use)]
extern crate alloc;

/// The exported functions, one file per feature (also callable from Rust, e.g. in wasm tests).
pub mod api {
    #[cfg(feature = "catalogue")]
    pub mod catalogue;
    #[cfg(feature = "filter")]
    pub mod filter;
    #[cfg(feature = "form")]
    pub mod form;
    #[cfg(feature = "interpolate")]
    pub mod interpolate;
    #[cfg(feature = "form")]
    mod kept_form;
    #[cfg(feature = "form")]
    mod keystroke;
    #[cfg(feature = "metadata")]
    pub mod metadata;
    #[cfg(feature = "tags")]
    pub mod protocol;
    #[cfg(feature = "query")]
    pub mod query;
    #[cfg(feature = "session")]
    pub mod session;
    #[cfg(feature = "tags")]
    pub mod tags_buffer;
    #[cfg(feature = "reference")]
    pub mod tags_reader;
    #[cfg(feature = "webhook")]
    pub mod webhook;
}
/// The allocator: talc, smaller and faster than Rust's default wasm allocator (dlmalloc).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// What a panic does without std: trap, as `panic = "abort"` does with it. The message is never
/// built, so no formatting code is linked for it.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

mod codes;
mod js;
mod prelude {
    //! What std's prelude gives, from `alloc`, for the modules built without std.
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec::Vec;
}
mod read;
mod regexp;
mod write;
