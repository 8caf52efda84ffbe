//! `cargo xtask bench`: the benchmarks. Never timed tests: figures are printed, with each one
//! as a ratio to a reference measured in the same run, because the machines are noisy. The
//! JavaScript benchmarks (`tests/bench/`) print what each page of the npm package loads against
//! its budget, and compare `validateTags` with zod, valibot and ajv and the connect form page
//! with Connect UI's own zod form schema.
//!
//! Every figure goes to one report, `target/bench/report.md`, printed again at the end: the
//! place to read figures from (ARCHITECTURE.md and README carry none).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cmd::{
    cargo, ensure_npm_test_tooling, exec, exec_captured, output, program, root, step, target_dir,
};
use crate::tools::{CHROMIUM, ensure_chromium};
use crate::{npm, postgres};
use connkit_pgcluster::Durability;

/// The benchmark every other core figure is divided by: parsing the 3-tag JSON text.
const CORE_REFERENCE: &str = "reference_parse_tags_3";

/// One titled section of the report.
struct Section {
    title: &'static str,
    body: String,
}

/// `cargo xtask bench server`: the server's section alone (both backends), into the same report.
pub(crate) fn run_server() -> Result<()> {
    let report = [Section {
        title: SERVER_TITLE,
        body: server_benchmark()?,
    }];
    let path = write_report(&report)?;
    step(&format!("report ({})", path.display()));
    print!("{}", std::fs::read_to_string(&path)?);
    Ok(())
}

const SERVER_TITLE: &str = "connkit-server on SQLite and PostgreSQL: 1M tagged connections, tag-filter latency, session throughput";

pub(crate) fn run() -> Result<()> {
    let mut report = vec![
        Section {
            title: "connkit-core (divan medians, as a ratio to parsing the same 3-tag JSON text)",
            body: core_benchmarks()?,
        },
        Section {
            title: SERVER_TITLE,
            body: server_benchmark()?,
        },
        Section {
            title: "connkit-widget: first-load size, token to form, per-keystroke validation (Chromium)",
            body: widget_benchmark()?,
        },
    ];
    let package = installed_package()?;
    for (title, script) in [
        (
            "npm package: what each page loads, against its budget and the anchors",
            "tests/bench/sizes.mjs",
        ),
        (
            "npm package: validateTags against zod, valibot, ajv standalone",
            "tests/bench/validate-tags.bench.mjs",
        ),
        (
            "npm package: the connect form page against Connect UI's zod form schema",
            "tests/bench/connect-form.bench.mjs",
        ),
    ] {
        report.push(Section {
            title,
            body: js_benchmark(&package, script)?,
        });
    }
    let path = write_report(&report)?;
    step(&format!("report ({})", path.display()));
    print!("{}", std::fs::read_to_string(&path)?);
    Ok(())
}

/// Writes the report as Markdown; returns its path.
fn write_report(sections: &[Section]) -> Result<PathBuf> {
    let mut text = String::from("# connkit benchmark report\n");
    let _ = writeln!(
        text,
        "\nOne run of `cargo xtask bench`; compare ratios, not absolute figures (the machine's speed varies).",
    );
    for section in sections {
        let _ = write!(text, "\n## {}\n\n```\n{}```\n", section.title, section.body);
    }
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("report.md");
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The npm package, built and installed into a scratch project; returns its installed directory.
fn installed_package() -> Result<PathBuf> {
    ensure_npm_test_tooling()?;
    let pkg = npm::build()?;
    let consumer = npm::install_into_scratch_project(&pkg)?;
    Ok(consumer.join("node_modules/connkit"))
}

/// One JavaScript benchmark of `tests/bench/` on the installed package; returns what it printed.
fn js_benchmark(package: &Path, script: &str) -> Result<String> {
    step(script);
    exec_captured(
        program("node")
            .arg(script)
            .env("CONNKIT_PACKAGE", package)
            .env("CONNKIT_BENCH_OUT", root().join("target/npm/bench")),
    )
}

/// The divan benchmarks of connkit-core; returns the table of ratios.
fn core_benchmarks() -> Result<String> {
    step("connkit-core benchmarks (divan)");
    let text = output(cargo().args([
        "bench",
        "--locked",
        "-q",
        "-p",
        "connkit-core",
        "--bench",
        "core",
    ]))?;
    print!("{text}");
    let medians = divan_medians(&text);
    let reference = medians
        .iter()
        .find(|(name, _)| name == CORE_REFERENCE)
        .map(|(_, ns)| *ns)
        .context("the reference benchmark did not run")?;
    let mut table =
        format!("median time as a ratio to {CORE_REFERENCE} ({reference:.0} ns in this run):\n");
    for (name, ns) in &medians {
        let _ = writeln!(
            table,
            "  {name:<32} {:>6.2}×  ({:>9.0} ops/s)",
            ns / reference,
            1e9 / ns
        );
    }
    eprint!("\n{table}");
    Ok(table)
}

/// The server's load benchmark (`crates/connkit-server/benches/load.rs`) on SQLite and on a
/// PostgreSQL cluster that syncs its commits as a deployment's does; returns what it printed.
fn server_benchmark() -> Result<String> {
    step(SERVER_TITLE);
    let cluster = postgres::cluster(Durability::Durable)?;
    exec_captured(
        cargo()
            .args([
                "bench",
                "--locked",
                "-q",
                "-p",
                "connkit-server",
                "--bench",
                "load",
            ])
            .env("RUST_LOG", "warn")
            .env(postgres::ENV, cluster.url("postgres")),
    )
}

/// The widget in Chromium (`tests/browser/bench.mjs`); returns what it printed.
fn widget_benchmark() -> Result<String> {
    step("connkit-widget: first-load size, token → form, per-keystroke validation (Chromium)");
    let dist = crate::demo::build()?;
    ensure_chromium()?;
    exec(cargo().args(["build", "--locked", "-q", "-p", "connkit-server"]))?;
    exec_captured(
        program("node")
            .arg("tests/browser/bench.mjs")
            .env(
                "CONNKIT_SERVER_BIN",
                target_dir().join("debug/connkit-server"),
            )
            .env("CONNKIT_DIST", dist)
            .env("CHROMIUM", CHROMIUM),
    )
}

/// `(name, median ns)` for each row of divan's table.
fn divan_medians(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|line| {
            let row = line
                .strip_prefix("├─ ")
                .or_else(|| line.strip_prefix("╰─ "))?;
            let cells: Vec<&str> = row.split('│').collect();
            let mut first = cells.first()?.split_whitespace();
            let name = first.next()?.to_owned();
            // Columns: name + fastest, slowest, median, mean, samples, iters.
            let median = cells.get(2)?.trim();
            Some((name, parse_duration_ns(median)?))
        })
        .collect()
}

fn parse_duration_ns(cell: &str) -> Option<f64> {
    let (number, unit) = cell.split_once(' ')?;
    let value: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_medians_from_divan_rows() {
        let text = "\
core                  fastest       │ slowest       │ median        │ mean          │ samples │ iters
├─ reference_parse    620.4 ns      │ 7.403 µs      │ 820.4 ns      │ 879.3 ns      │ 100     │ 100
╰─ build_form         1.7 µs        │ 38.6 µs       │ 2.5 µs        │ 2.8 µs        │ 100     │ 100
";
        let medians = divan_medians(text);
        assert_eq!(medians.len(), 2);
        assert_eq!(medians[0].0, "reference_parse");
        assert!((medians[0].1 - 820.4).abs() < 1e-9);
        assert!((medians[1].1 - 2500.0).abs() < 1e-9);
        assert_eq!(parse_duration_ns("3 parsecs"), None);
    }
}
