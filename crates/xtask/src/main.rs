//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! `demo` builds and serves the browser demo; `test` runs every check CI runs; `diff` runs the
//! zod differential test at full size; `bench` runs the benchmarks; `npm` builds and tests the
//! npm package; `codegen` writes the package's contracts generated from Rust. Setup (wasm target, npm packages) happens inside these
//! commands, never by hand. Knows nothing about the rules themselves.

// xtask is a command-line program: printing to stdout is its job.
#![allow(clippy::print_stdout)]

mod bench;
mod cmd;
mod codegen;
mod demo;
mod minify;
mod npm;
mod postgres;
mod shrink;
mod test;
mod tidy;
mod tools;
mod wasm_binary;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  demo [--listen ADDR]  the browser demo: builds the widget and demo page, serves them with
                  connkit-server on embedded SQLite (default 127.0.0.1:3003)
  test            every check CI runs: fmt, clippy, tests (the server's on SQLite and PostgreSQL),
                  tidy, vectors, real catalogue, zod differential
  diff [N]        the zod 4.0.5 differential test on N random inputs (default 2000000)
  bench [server]  benchmarks (divan), figures as ratios to a reference measured in the same run;
                  connkit's validateTags against zod, valibot and ajv in Node (`server`: only
                  the server's, on SQLite and PostgreSQL side by side)
  npm [build]     build the npm package into target/npm/connkit/ and run its tests (`build`:
                  only build it and print its files' sizes)
  codegen         write the npm package's ErrorCode union and tags-buffer protocol constants
                  from their Rust definitions (tidy fails when the committed ones are stale)
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => test::run(),
        Some("diff") => {
            let n = match args.get(1) {
                Some(n) => n.parse()?,
                None => 2_000_000,
            };
            test::zod_differential(n)
        }
        Some("demo") => demo::run(&args[1..]),
        Some("bench") => match args.get(1).map(String::as_str) {
            None => bench::run(),
            Some("server") => bench::run_server(),
            Some(other) => bail!("unknown bench command {other:?}\n{USAGE}"),
        },
        Some("tidy") => tidy::run(),
        Some("npm") => match args.get(1).map(String::as_str) {
            None => npm::run(),
            Some("build") => npm::build().map(|_| ()),
            Some(other) => bail!("unknown npm command {other:?}\n{USAGE}"),
        },
        Some("codegen") => codegen::run(),
        Some("help" | "--help" | "-h") | None => {
            eprint!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n{USAGE}"),
    }
}
