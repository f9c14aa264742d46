//! `--add-noqa`: a `# tasklens: ignore[...]` comment on the line of each finding, so that a
//! project adopting tasklens accepts what it has today and is told about what comes next.
//! Each comment goes at the end of the finding's first line (where suppressions are
//! looked for), after a comment already there or into its `tasklens: ignore[...]` list.

use std::collections::BTreeSet;
use std::sync::Arc;

use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextSize};
use tasklens_checks::Diagnostic;
use tasklens_db::{File, parsed_module};

use crate::FixedFile;

/// The marker the comments carry (as `suppression.rs` in the semantic crate reads it).
const MARKER: &str = "tasklens: ignore";

/// What `--add-noqa` would write.
#[derive(Debug, Default)]
pub struct AddedIgnores {
    /// Each changed file, before and after.
    pub files: Vec<FixedFile>,
    /// Comments added or extended.
    pub added: usize,
    /// Lines that cannot hold a comment: the file, the one-based line and why.
    pub skipped: Vec<(File, usize, &'static str)>,
}

/// One line to mark: where it ends (before its line break) and the codes to accept there.
struct Line {
    start: usize,
    end: usize,
    codes: BTreeSet<&'static str>,
}

/// The edits that accept every finding of `diagnostics` (the rules' findings; syntax and
/// reading errors are left alone) on its line.
pub fn add_ignores(db: &dyn salsa::Database, diagnostics: &[Diagnostic]) -> AddedIgnores {
    let mut by_file: Vec<(File, Vec<Line>)> = Vec::new();
    for diagnostic in diagnostics.iter().filter(|d| d.code.starts_with("TL")) {
        let file = diagnostic.primary.file;
        let text = file.text(db);
        let at = usize::from(diagnostic.primary.range.start()).min(text.len());
        let start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let end = text[at..].find('\n').map_or(text.len(), |newline| at + newline);
        let end = if text[..end].ends_with('\r') { end - 1 } else { end };
        let lines = match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, lines)) => lines,
            None => {
                by_file.push((file, Vec::new()));
                &mut by_file.last_mut().expect("just pushed").1
            }
        };
        match lines.iter_mut().find(|line| line.start == start) {
            Some(line) => _ = line.codes.insert(diagnostic.code),
            None => lines.push(Line { start, end, codes: BTreeSet::from([diagnostic.code]) }),
        }
    }
    let mut added = AddedIgnores::default();
    for (file, mut lines) in by_file {
        let original: Arc<str> = Arc::from(&**file.text(db));
        let tree = parsed_module(db, file).load();
        let tokens = tree.tokens();
        // From the end, so that earlier offsets stay valid.
        lines.sort_by_key(|line| std::cmp::Reverse(line.start));
        let mut fixed = original.to_string();
        for line in &lines {
            // Tokens are in source order: those of the line, and the one the line ends in.
            let (start, end) =
                (TextSize::try_from(line.start).unwrap_or_default(), TextSize::try_from(line.end).unwrap_or_default());
            let first = tokens.partition_point(|token| token.start() < start);
            let after = tokens.partition_point(|token| token.start() < end);
            let comment = tokens[first..after].iter().find(|token| token.kind() == TokenKind::Comment);
            let inside_token = after.checked_sub(1).is_some_and(|last| end < tokens[last].end());
            let codes: Vec<&str> = line.codes.iter().copied().collect();
            let content_end = line.start + original[line.start..line.end].trim_end().len();
            let edit = match comment {
                _ if inside_token => Err("the line ends inside a string"),
                Some(comment) => {
                    let (from, to) = (usize::from(comment.start()), usize::from(comment.end()));
                    Ok(match extend_comment(&original[from..to], &codes) {
                        Some(extended) => (from, to, extended),
                        // Ours follows the comment there.
                        None => (content_end, line.end, format!("  # {MARKER}[{}]", codes.join(", "))),
                    })
                }
                None if original[line.start..content_end].ends_with('\\') => Err("the line continues on the next one"),
                None => Ok((content_end, line.end, format!("  # {MARKER}[{}]", codes.join(", ")))),
            };
            match edit {
                Ok((from, to, new)) => {
                    fixed.replace_range(from..to, &new);
                    added.added += 1;
                }
                Err(reason) => {
                    let number = original[..line.start].matches('\n').count() + 1;
                    added.skipped.push((file, number, reason));
                }
            }
        }
        if fixed != *original {
            added.files.push(FixedFile { file, path: file.path(db).clone(), original, fixed: Arc::from(fixed) });
        }
    }
    added
}

/// A comment with `codes` added to the list of its `tasklens: ignore[...]` directive, or
/// `None` when it has none.
fn extend_comment(comment: &str, codes: &[&str]) -> Option<String> {
    let at = comment.to_ascii_lowercase().find(&format!("{MARKER}["))?;
    let open = at + MARKER.len() + 1;
    let close = open + comment[open..].find(']')?;
    let mut all: BTreeSet<String> =
        comment[open..close].split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    all.extend(codes.iter().map(|c| c.to_string()));
    let list: Vec<String> = all.into_iter().collect();
    Some(format!("{}{}{}", &comment[..open], list.join(", "), &comment[close..]))
}

#[cfg(test)]
mod tests {
    use super::extend_comment;

    #[test]
    fn an_existing_list_is_extended() {
        assert_eq!(
            extend_comment("# keep  # tasklens: ignore[TL002]", &["TL005"]).as_deref(),
            Some("# keep  # tasklens: ignore[TL002, TL005]")
        );
        assert_eq!(extend_comment("# just a comment", &["TL005"]), None);
    }
}
