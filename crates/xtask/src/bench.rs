//! `cargo xtask bench`: the benchmarks. Never timed tests: figures are printed, with a
//! reference measured in the same run, because the machines are noisy.

use anyhow::Result;

use crate::cmd::{cargo, exec, step};

pub(crate) fn run() -> Result<()> {
    step("connkit-core benchmarks (divan)");
    exec(cargo().args(["bench", "--locked", "-p", "connkit-core", "--bench", "core"]))
}
