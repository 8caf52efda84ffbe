//! Rebuilds the server when a migration is added: `sqlx::migrate!` embeds the migrations
//! folders, and cargo only sees a folder change through this.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
