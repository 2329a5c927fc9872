//! Rebuilds the store when a migration is added or changed: `sqlx::migrate!`
//! embeds the folders at compile time, and cargo watches only Rust sources
//! unless told.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
