//! Rebuild when a file of the embedded case-type folders changes (`include_dir!` does not tell
//! cargo on stable Rust).
fn main() {
    println!("cargo:rerun-if-changed=../../case_types");
}
