// SPDX-License-Identifier: MIT
// build.rs: an rpath to the library mixxengine-sys found (its `links` metadata), so this crate's tests and
// examples run without LD_LIBRARY_PATH.
fn main() {
    if let Ok(dir) = std::env::var("DEP_MIXXENGINE_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    }
}
