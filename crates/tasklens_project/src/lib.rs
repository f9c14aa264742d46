//! The edge that does I/O: discovering files, reading them into the
//! database, and running the parallel check.

pub mod config;
mod discover;
mod encoding;
mod scope;
mod store;
mod sync;
pub mod target;
mod workspace;

pub use discover::{Found, discover, module_name, module_name_with};
/// Files whose change may change a project's configuration or the Python it declares.
pub const CONFIG_FILES: &[&str] = &["pyproject.toml", "tasklens.toml", "setup.cfg", "setup.py"];

pub use encoding::{Decoded, SourceEncoding, decode_source};
pub use scope::{Scope, Unit, context_roots, units};
pub use store::{DEFAULT_DIR as DEFAULT_STORE_DIR, Store, remove_stores};
pub use workspace::{CheckJob, Discovered, PathProblem, Workspace, read_source};

/// Asks Linux not to back this process with transparent huge pages. The allocator
/// advises huge pages for its arenas, and every first touch of one then zeroes 2 MiB:
/// on homeassistant that was 2.2-3.0 s of kernel time in a 5 s check (0.5-0.7 s
/// without), and 60 MB more resident memory. Does nothing elsewhere or on failure.
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
}

/// Runs `f` on a thread with a stack large enough for deeply nested code,
/// and sets up rayon's pool with the same stack size.
pub fn with_large_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let _ = rayon::ThreadPoolBuilder::new().stack_size(tasklens_db::STACK_SIZE).build_global();
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(tasklens_db::STACK_SIZE)
            .spawn_scoped(scope, f)
            .expect("spawn the checker thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
