//! connkit-wasm: the npm package `connkit`, a thin wasm-bindgen façade over connkit-core.
//!
//! No rule lives here. Each export reads its JavaScript arguments (`read.rs`), calls the core
//! and writes the result back (`write.rs`) in the shapes `npm/index.d.ts` declares (which
//! tests/node/contracts.test.mjs holds every result to). Exports never throw and never trap:
//! wrong argument types, proxies, cycles and getters that throw all come back as issues.
//! `pattern` fields run on the JavaScript engine's own `RegExp` (`regexp.rs`). `cargo xtask npm`
//! turns the build into the package.
#![deny(missing_docs)]
// The package builds each wasm module with one feature; the helpers the other modules' exports
// use are then unused. With every feature (the default, and what clippy checks) nothing is.
#![cfg_attr(
    not(all(feature = "tags", feature = "filter", feature = "connect")),
    allow(dead_code, unused_imports)
)]

/// The exported functions, by subject (also callable from Rust, e.g. in wasm tests).
pub mod api {
    #[cfg(feature = "connect")]
    pub mod connect;
    #[cfg(feature = "connect")]
    pub mod data;
    #[cfg(feature = "filter")]
    pub mod filter;
    #[cfg(feature = "tags")]
    pub mod protocol;
    #[cfg(feature = "tags")]
    pub mod tags_buffer;
    #[cfg(feature = "filter")]
    pub mod tags_reader;
}
/// The allocator: talc, smaller and faster than Rust's default wasm allocator (dlmalloc).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod js;
mod read;
mod regexp;
mod write;
