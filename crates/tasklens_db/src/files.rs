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

/// A Python version, `3.10` and so on.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonVersion {
    pub major: u8,
    pub minor: u8,
}

impl PythonVersion {
    /// The oldest CPython still supported upstream (3.9 reached its end of life in October 2025).
    pub const OLDEST_SUPPORTED: PythonVersion = PythonVersion { major: 3, minor: 10 };

    pub const fn new(major: u8, minor: u8) -> Self {
        PythonVersion { major, minor }
    }

    /// Parses `py310` (ruff's spelling) or `3.10`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(digits) = text.strip_prefix("py") {
            let (major, minor) = digits.split_at_checked(1)?;
            return Some(PythonVersion::new(major.parse().ok()?, minor.parse().ok()?));
        }
        let mut parts = text.split('.');
        let major = parts.next()?.trim().parse().ok()?;
        let minor = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
        Some(PythonVersion::new(major, minor))
    }
}

impl std::fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The set of files that make up the checked project, and the settings that apply to them.
#[salsa::input(singleton, debug)]
pub struct Project {
    #[returns(ref)]
    pub files: Arc<[File]>,
    /// The oldest Python version the project must run on.
    pub target_version: PythonVersion,
    /// Report suppression comments that suppress nothing.
    pub warn_unused_ignores: bool,
    /// The target version was chosen (`--target-version`, the configuration or
    /// `requires-python`), not assumed: rules about APIs newer than the target need it.
    pub target_declared: bool,
}
