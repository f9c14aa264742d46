//! Applies suppression comments to findings, and reports the ones that suppress nothing.

use std::ops::RangeInclusive;

use rustc_hash::FxHashSet;
use tasklens_db::{File, line_index};
use tasklens_semantic::facts::{Suppression, SuppressionScope};
use tasklens_semantic::module_positions;

use crate::diagnostic::{Diagnostic, Label, Severity};

/// Code of a suppression comment that suppresses nothing.
pub const UNUSED_IGNORE: &str = "unused-ignore";

fn line_of(db: &dyn salsa::Database, file: File, offset: ruff_text_size::TextSize) -> usize {
    line_index(db, file).line_index(offset).get()
}

/// The lines each suppression of a file covers, index for index: its own, the next, all
/// of them, or from a `disable` to the `enable` of the same codes after it (or the end).
fn covered_lines(
    db: &dyn salsa::Database,
    file: File,
    suppressions: &[Suppression],
) -> Vec<Option<RangeInclusive<usize>>> {
    let line = |s: &Suppression| line_of(db, file, s.range.start());
    (suppressions.iter().enumerate())
        .map(|(index, s)| match s.scope {
            SuppressionScope::Line => Some(line(s)..=line(s)),
            SuppressionScope::NextLine => Some(line(s) + 1..=line(s) + 1),
            SuppressionScope::File => Some(0..=usize::MAX),
            SuppressionScope::Disable => {
                let end = (suppressions[index + 1..].iter())
                    .find(|e| e.scope == SuppressionScope::Enable && e.codes == s.codes)
                    .map_or(usize::MAX, line);
                Some(line(s)..=end)
            }
            // Ends a range; covers nothing of its own.
            SuppressionScope::Enable => None,
        })
        .collect()
}

/// Drops the findings suppressed where their primary label is; with `warn_unused`, adds one
/// diagnostic per suppression comment that matched nothing.
pub(crate) fn apply(db: &dyn salsa::Database, files: &[File], diagnostics: &mut Vec<Diagnostic>, warn_unused: bool) {
    let mut used: FxHashSet<(File, usize)> = FxHashSet::default();
    let mut covered: rustc_hash::FxHashMap<File, Vec<Option<RangeInclusive<usize>>>> = Default::default();
    diagnostics.retain(|diagnostic| {
        if !diagnostic.code.starts_with("TL") {
            return true;
        }
        let file = diagnostic.primary.file;
        let suppressions = &module_positions(db, file).suppressions;
        if suppressions.is_empty() {
            return true;
        }
        let lines = covered.entry(file).or_insert_with(|| covered_lines(db, file, suppressions));
        let line = line_of(db, file, diagnostic.primary.range.start());
        let matching = suppressions.iter().zip(lines.iter()).position(|(s, covered)| {
            covered.as_ref().is_some_and(|lines| lines.contains(&line))
                && (s.codes.is_empty() || s.codes.iter().any(|c| c.as_str() == diagnostic.code))
        });
        match matching {
            Some(index) => {
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
            if used.contains(&(file, index)) || suppression.scope == SuppressionScope::Enable {
                continue;
            }
            let what = if suppression.codes.is_empty() {
                "this suppression comment".to_string()
            } else {
                let codes: Vec<&str> = suppression.codes.iter().map(|c| c.as_str()).collect();
                format!("the suppression of {}", codes.join(", "))
            };
            let place = match suppression.scope {
                SuppressionScope::Line => "on its line",
                SuppressionScope::NextLine => "on the next line",
                SuppressionScope::File => "in this file",
                SuppressionScope::Disable | SuppressionScope::Enable => "before it is enabled again",
            };
            diagnostics.push(Diagnostic {
                code: UNUSED_IGNORE,
                severity: Severity::Warning,
                message: format!("{what} matches no finding {place}"),
                primary: Label { file, range: suppression.range, message: "unused".into() },
                trace: Vec::new(),
                fix: None,
            });
        }
    }
}
