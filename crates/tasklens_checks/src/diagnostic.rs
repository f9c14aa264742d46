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
}
