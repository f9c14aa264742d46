//! Salsa inputs: one `File` per source path, and the `Project` that lists them.

use std::path::PathBuf;
use std::sync::Arc;

/// Whether a file could be read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileStatus {
    /// The text was read and decoded.
    Exists,
    /// The file could not be read or decoded; the message says why.
    Unreadable(Arc<str>),
    /// The file was removed (salsa inputs cannot be deleted).
    Deleted,
}

/// A Python source file. The path never changes; text and status do.
#[salsa::input(debug)]
pub struct File {
    #[returns(ref)]
    pub path: PathBuf,
    /// The dotted module name derived from the package structure (`pkg.sub.mod`).
    #[returns(ref)]
    pub module_name: Arc<str>,
    /// Whether this is a package's `__init__.py`.
    pub is_package: bool,
    #[returns(ref)]
    pub text: Arc<str>,
    #[returns(ref)]
    pub status: FileStatus,
}

/// The set of files that make up the checked project.
#[salsa::input(singleton, debug)]
pub struct Project {
    #[returns(ref)]
    pub files: Arc<[File]>,
}
