//! The diagnostic type every rule produces: plain data, ready to render.

use ruff_text_size::TextRange;
use tasklens_db::File;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A range in a file with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: File,
    pub range: TextRange,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// `TL001`, or `syntax-error` / `io-error` for input problems.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The line to change.
    pub primary: Label,
    /// The flow that proves it: each hop, then the sink.
    pub trace: Vec<Label>,
    /// A change that resolves the finding, when one is known.
    pub fix: Option<Fix>,
}

/// Whether a fix may be applied without review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Provably keeps the program's behaviour.
    Safe,
    /// Probably right, but depends on something the analysis cannot prove.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace `range` with `content` (insertions and deletions are the empty cases).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

/// Edits to one file that resolve a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}
