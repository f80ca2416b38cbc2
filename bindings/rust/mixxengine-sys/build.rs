// SPDX-License-Identifier: MIT
// build.rs: finds libmixxengine (MIXX_LIB_DIR, else the pkg-config binary with PKG_CONFIG_PATH) and its header,
// links it (shared; MIXX_STATIC=1 for the archive and its private libraries), and compiles and runs
// layout_probe.c against the header so the tests can compare every struct's size and offsets with the Rust side.
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn pkg_config(args: &[&str]) -> Option<String> {
    let out = Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(args)
        .arg("mixxengine")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    for v in ["MIXX_LIB_DIR", "MIXX_INCLUDE_DIR", "MIXX_STATIC", "PKG_CONFIG_PATH", "PKG_CONFIG", "CC"] {
        println!("cargo:rerun-if-env-changed={}", v);
    }
    println!("cargo:rerun-if-changed=layout_probe.c");
    let statik = env::var("MIXX_STATIC").map(|v| v == "1").unwrap_or(false);

    // where the library and the header are
    let (lib_dir, include_dir, private_libs): (PathBuf, PathBuf, Vec<String>) =
        if let Ok(dir) = env::var("MIXX_LIB_DIR") {
            let lib = PathBuf::from(dir);
            let inc = env::var("MIXX_INCLUDE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|_| lib.join("..").join("include"));
            // the archive's own dependencies, as mixxengine.pc lists them (Libs.private)
            let private = if statik {
                pkg_config(&["--static", "--libs-only-l"])
                    .map(|s| s.split_whitespace().map(String::from).collect())
                    .unwrap_or_else(|| vec!["-lpthread".into(), "-lm".into(), "-ljack".into(), "-lportaudio".into()])
            } else {
                Vec::new()
            };
            (lib, inc, private)
        } else {
            let libs = pkg_config(&["--libs-only-L"]).unwrap_or_else(|| {
                panic!(
                    "mixxengine-sys: libmixxengine not found. Set MIXX_LIB_DIR (and MIXX_INCLUDE_DIR) to a build or \
                     install, or PKG_CONFIG_PATH to the directory holding mixxengine.pc"
                )
            });
            let lib = libs
                .split_whitespace()
                .find_map(|f| f.strip_prefix("-L"))
                .map(PathBuf::from)
                .or_else(|| pkg_config(&["--variable=libdir"]).map(PathBuf::from))
                .expect("mixxengine.pc gives no library directory");
            let inc = pkg_config(&["--variable=includedir"]).map(PathBuf::from).expect("mixxengine.pc: no includedir");
            let private = if statik {
                pkg_config(&["--static", "--libs-only-l"])
                    .map(|s| s.split_whitespace().map(String::from).collect())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            (lib, inc, private)
        };
    if !include_dir.join("mixxengine.h").exists() {
        panic!("mixxengine-sys: no mixxengine.h in {} (set MIXX_INCLUDE_DIR)", include_dir.display());
    }

    // a new header means a new layout to check; a new archive must be relinked
    println!("cargo:rerun-if-changed={}", include_dir.join("mixxengine.h").display());
    println!("cargo:rerun-if-changed={}", include_dir.join("mixxengine").join("version.h").display());
    if statik {
        println!("cargo:rerun-if-changed={}", lib_dir.join("libmixxengine.a").display());
    }
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    if statik {
        println!("cargo:rustc-link-lib=static=mixxengine");
        for l in private_libs.iter().filter_map(|f| f.strip_prefix("-l")) {
            if l != "mixxengine" {
                println!("cargo:rustc-link-lib={}", l);
            }
        }
    } else {
        println!("cargo:rustc-link-lib=dylib=mixxengine");
    }
    // for dependents' build scripts (DEP_MIXXENGINE_LIB_DIR): the safe crate sets an rpath from it
    println!("cargo:lib_dir={}", lib_dir.display());
    println!("cargo:include_dir={}", include_dir.display());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib_dir.display());

    probe_layout(&include_dir);
}

// Compile and run layout_probe.c with the system C compiler; its output is Rust source (OUT_DIR/c_layout.rs).
fn probe_layout(include_dir: &Path) {
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let exe = out_dir.join("layout_probe");
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .arg("-std=c11")
        .arg("-I")
        .arg(include_dir)
        .arg("layout_probe.c")
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap_or_else(|e| panic!("mixxengine-sys: cannot run the C compiler '{}': {}", cc, e));
    if !status.success() {
        panic!("mixxengine-sys: layout_probe.c does not compile against {}", include_dir.display());
    }
    let out = Command::new(&exe).output().expect("mixxengine-sys: cannot run layout_probe");
    if !out.status.success() {
        panic!("mixxengine-sys: layout_probe failed");
    }
    std::fs::write(out_dir.join("c_layout.rs"), out.stdout).expect("write c_layout.rs");
}
