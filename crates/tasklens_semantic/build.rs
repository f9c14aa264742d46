//! Names the format of stored lowerings (`stored.rs`): a hash of everything a lowering's
//! bytes depend on (this crate's and the database crate's sources, which define and make
//! the facts, and `Cargo.lock`, which pins the parser and the encoding), so that builds
//! from the same sources share a store and any other build never reads it.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

fn files_below(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let inputs = [manifest.join("src"), manifest.join("../tasklens_db/src"), manifest.join("../../Cargo.lock")];
    let mut files = Vec::new();
    for input in &inputs {
        println!("cargo:rerun-if-changed={}", input.display());
        if input.is_dir() {
            files_below(input, &mut files);
        } else {
            files.push(input.clone());
        }
    }
    files.sort();
    let mut hasher = siphasher::sip::SipHasher13::new();
    for file in &files {
        let name = file.strip_prefix(&manifest).unwrap_or(file);
        hasher.write(name.to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(file).unwrap_or_default());
    }
    println!("cargo:rustc-env=TASKLENS_FACTS_FORMAT={:016x}", hasher.finish());
}
