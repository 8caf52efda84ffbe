//! PostgreSQL for the server's tests and benchmarks: installed when missing (Debian's
//! `postgresql`), and a throwaway cluster (`connkit-pgcluster`) that stops, and is removed,
//! when its guard drops, whatever ended the step, or with the process that started it.
//!
//! Knows nothing about what runs on the cluster.

use anyhow::{Result, anyhow};
use connkit_pgcluster::{Cluster, Durability, bin_dir};

use crate::cmd::{exec, program, step};

pub(crate) use connkit_pgcluster::ENV;

/// Starts a cluster, installing PostgreSQL first if it is missing.
pub(crate) fn cluster(durability: Durability) -> Result<Cluster> {
    if bin_dir().is_none() {
        step("PostgreSQL is missing: installing Debian's postgresql");
        exec(program("apt-get").args(["update", "-qq"]))?;
        exec(program("apt-get").args(["install", "-y", "-qq", "postgresql"]))?;
    }
    let started = std::time::Instant::now();
    let cluster = Cluster::start(durability).map_err(|e| anyhow!("PostgreSQL cluster: {e}"))?;
    eprintln!(
        "  (a throwaway PostgreSQL cluster in {:.1}s: {})",
        started.elapsed().as_secs_f64(),
        cluster.url("postgres")
    );
    Ok(cluster)
}
