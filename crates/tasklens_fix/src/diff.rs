//! Unified diffs of fixed files, for `--diff`.

use similar::TextDiff;

/// A unified diff of one file, with three lines of context.
pub fn unified_diff(path: &str, original: &str, fixed: &str) -> String {
    TextDiff::from_lines(original, fixed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
