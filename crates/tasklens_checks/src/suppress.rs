//! Applies suppression comments to findings, and reports the ones that suppress nothing.

use rustc_hash::FxHashSet;
use tasklens_db::{File, line_index};
use tasklens_semantic::module_positions;

use crate::diagnostic::{Diagnostic, Label, Severity};

/// Code of a suppression comment that suppresses nothing.
pub const UNUSED_IGNORE: &str = "unused-ignore";

fn line_of(db: &dyn salsa::Database, file: File, offset: ruff_text_size::TextSize) -> usize {
    line_index(db, file).line_index(offset).get()
}

/// Drops the findings suppressed on their primary line; with `warn_unused`, adds one
/// diagnostic per suppression comment that matched nothing.
pub(crate) fn apply(db: &dyn salsa::Database, files: &[File], diagnostics: &mut Vec<Diagnostic>, warn_unused: bool) {
    let mut used: FxHashSet<(File, usize)> = FxHashSet::default();
    diagnostics.retain(|diagnostic| {
        if !diagnostic.code.starts_with("TL") {
            return true;
        }
        let file = diagnostic.primary.file;
        let suppressions = &module_positions(db, file).suppressions;
        if suppressions.is_empty() {
            return true;
        }
        let line = line_of(db, file, diagnostic.primary.range.start());
        let matching = suppressions.iter().enumerate().find(|(_, s)| {
            line_of(db, file, s.range.start()) == line
                && (s.codes.is_empty() || s.codes.iter().any(|c| c.as_str() == diagnostic.code))
        });
        match matching {
            Some((index, _)) => {
                used.insert((file, index));
                false
            }
            None => true,
        }
    });
    if !warn_unused {
        return;
    }
    for &file in files {
        for (index, suppression) in module_positions(db, file).suppressions.iter().enumerate() {
            if used.contains(&(file, index)) {
                continue;
            }
            let what = if suppression.codes.is_empty() {
                "this suppression comment".to_string()
            } else {
                let codes: Vec<&str> = suppression.codes.iter().map(|c| c.as_str()).collect();
                format!("the suppression of {}", codes.join(", "))
            };
            diagnostics.push(Diagnostic {
                code: UNUSED_IGNORE,
                severity: Severity::Warning,
                message: format!("{what} matches no finding on its line"),
                primary: Label { file, range: suppression.range, message: "unused".into() },
                trace: Vec::new(),
                fix: None,
            });
        }
    }
}
