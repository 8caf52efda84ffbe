//! connkit-server as a process: what only shows from outside (start-up, files on disk, what it
//! prints and logs, signals, sockets) and the fault suite (SIGKILL under load, webhooks across
//! restarts, a receiver that is down, a full database, slow clients, a fuzz over every
//! endpoint). Every server listens on 127.0.0.1 only and is killed when its test ends; every
//! test is bounded in time. The durability and first-start tests run on SQLite and on
//! PostgreSQL (`common/postgres.rs`).

#[path = "common/postgres.rs"]
mod postgres;
#[path = "process/support.rs"]
mod support;

#[path = "process/faults.rs"]
mod faults;
#[path = "process/first_start.rs"]
mod first_start;
#[path = "process/fuzz.rs"]
mod fuzz;
#[path = "process/logs.rs"]
mod logs;
#[path = "process/slow_clients.rs"]
mod slow_clients;
#[path = "process/webhooks.rs"]
mod webhooks;
