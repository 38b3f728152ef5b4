//! `embed_migrations!` reads `migrations/` at compile time: rebuild when it
//! changes, or an incremental build keeps the migrations it saw first.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
