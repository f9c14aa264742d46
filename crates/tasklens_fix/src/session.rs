//! The fix loop over a workspace: check, apply the fixes of each file, check again,
//! until no fix is left or the pass limit is reached; then tidy the imports the fixes
//! left unused.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_checks::asyncio_imports::{AsyncioImports, asyncio_imports};
use tasklens_checks::{Applicability, Diagnostic, Fix};
use tasklens_db::{File, syntax_problem_count, syntax_problems};
use tasklens_project::Workspace;

use crate::apply::apply_fixes;
use crate::tidy::unused_import_fixes;

/// Fixes are re-run at most this often; each pass applies every non-conflicting fix.
const MAX_PASSES: usize = 10;

#[derive(Clone, Copy, Debug, Default)]
pub struct FixOptions {
    /// Also apply fixes whose safety the analysis cannot prove.
    pub unsafe_fixes: bool,
}

impl FixOptions {
    pub fn applies(&self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self.unsafe_fixes
    }
}

/// A file whose text the fixes changed.
#[derive(Clone, Debug)]
pub struct FixedFile {
    pub file: File,
    pub path: PathBuf,
    pub original: Arc<str>,
    pub fixed: Arc<str>,
}

/// A file left unchanged because its fixes would have broken it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct FixOutcome {
    pub files: Vec<FixedFile>,
    /// How many findings the applied fixes resolved.
    pub fixed: usize,
    /// The same count per rule code.
    pub fixed_by_code: BTreeMap<&'static str, usize>,
    pub rejected: Vec<Rejected>,
    /// The findings after fixing.
    pub remaining: Vec<Diagnostic>,
    /// False when fixes were still left after the last pass.
    pub converged: bool,
}

/// Applies the fixes of the reported findings to the texts in `workspace` (nothing is
/// written to disk) and returns the changed files and the findings that remain. Only files
/// under the paths the user named are edited, and only findings that involve them remain.
pub fn fix_workspace(
    workspace: &mut Workspace,
    options: FixOptions,
    reported: &dyn Fn(&Diagnostic, &std::path::Path) -> bool,
) -> FixOutcome {
    let mut outcome = FixOutcome::default();
    let mut before: FxHashMap<File, (Arc<str>, AsyncioImports)> = FxHashMap::default();
    let mut rejected: FxHashSet<File> = FxHashSet::default();
    for _ in 0..MAX_PASSES {
        let diagnostics = workspace.check();
        let mut by_file: FxHashMap<File, Vec<(&'static str, &Fix)>> = FxHashMap::default();
        for diagnostic in diagnostics.iter().filter(|d| reported(d, d.primary.file.path(&workspace.db))) {
            let file = diagnostic.primary.file;
            if let Some(fix) = diagnostic.fix.as_ref().filter(|fix| options.applies(fix))
                && !rejected.contains(&file)
                && workspace.in_scope(file)
            {
                by_file.entry(file).or_default().push((diagnostic.code, fix));
            }
        }
        let mut files: Vec<(File, Vec<(&'static str, &Fix)>)> = by_file.into_iter().collect();
        files.sort_by_cached_key(|(file, _)| file.path(&workspace.db).clone());
        let mut changed = false;
        for (file, fixes) in files {
            let text = file.text(&workspace.db).clone();
            let applied = apply_fixes(&text, &fixes.iter().map(|(_, fix)| *fix).collect::<Vec<_>>());
            if applied.fixes.is_empty() {
                continue;
            }
            if let Err(problem) = still_parses(workspace, file, &applied.text) {
                outcome.rejected.push(problem);
                rejected.insert(file);
                continue;
            }
            before.entry(file).or_insert_with(|| (text.clone(), asyncio_imports(&workspace.db, file).clone()));
            workspace.set_text(file, &applied.text);
            outcome.fixed += applied.fixes.len();
            for &index in &applied.fixes {
                *outcome.fixed_by_code.entry(fixes[index].0).or_default() += 1;
            }
            changed = true;
        }
        if !changed {
            outcome.converged = true;
            break;
        }
    }
    let mut changed: Vec<(File, Arc<str>, AsyncioImports)> =
        before.into_iter().map(|(file, (text, imports))| (file, text, imports)).collect();
    changed.sort_by_cached_key(|(file, ..)| file.path(&workspace.db).clone());
    for (file, original, imports) in changed {
        tidy_imports(workspace, file, &imports);
        let fixed = file.text(&workspace.db).clone();
        if fixed != original {
            let path = file.path(&workspace.db).clone();
            outcome.files.push(FixedFile { file, path, original, fixed });
        }
    }
    outcome.remaining = (workspace.check().into_iter())
        .filter(|d| reported(d, d.primary.file.path(&workspace.db)) && workspace.reports(d))
        .collect();
    outcome
}

/// Removes the asyncio names that the fixes left unread, a few rounds so that
/// neighbouring names in one list go one at a time.
fn tidy_imports(workspace: &mut Workspace, file: File, before: &AsyncioImports) {
    for _ in 0..MAX_PASSES {
        let fixes = unused_import_fixes(workspace, file, before);
        if fixes.is_empty() {
            return;
        }
        let text = file.text(&workspace.db).clone();
        let applied = apply_fixes(&text, &fixes.iter().collect::<Vec<_>>());
        if applied.fixes.is_empty() || still_parses(workspace, file, &applied.text).is_err() {
            return;
        }
        workspace.set_text(file, &applied.text);
    }
}

/// A fixed text may not have more syntax problems than the file's current text.
fn still_parses(workspace: &Workspace, file: File, fixed: &str) -> Result<(), Rejected> {
    if syntax_problem_count(fixed) <= syntax_problems(&workspace.db, file).len() {
        return Ok(());
    }
    Err(Rejected {
        path: file.path(&workspace.db).clone(),
        message: "applying its fixes would introduce a syntax error; the file was left unchanged".into(),
    })
}

#[cfg(test)]
mod tests {
    use tasklens_project::Workspace;

    use super::still_parses;

    #[test]
    fn a_fix_that_breaks_the_syntax_is_rejected() {
        let workspace = Workspace::from_sources(&[("m.py", "f(x)\n"), ("n.py", "f(:\n")]);
        let (good, broken) = (workspace.files()[0], workspace.files()[1]);
        assert!(still_parses(&workspace, good, "f(x\n").is_err());
        assert!(still_parses(&workspace, good, "g(x)\n").is_ok());
        // A file that was broken already may stay as broken as it was.
        assert!(still_parses(&workspace, broken, "g(:\n").is_ok());
        assert!(still_parses(&workspace, broken, "g(:\nx = = 1\ny = = 2\n").is_err());
    }
}
