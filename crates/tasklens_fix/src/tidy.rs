//! Removes names imported from asyncio that the fixes left unread (`ensure_future` once
//! every call became `create_task`), unless the module exports them (`__all__`, or it is a
//! package's `__init__.py`) or another module may import them from it.

use tasklens_checks::asyncio_imports::{AsyncioImports, asyncio_imports, remove_alias};
use tasklens_checks::{Applicability, Fix};
use tasklens_db::File;
use tasklens_project::Workspace;

/// One fix per name that was read before fixing and is read nowhere now.
pub(crate) fn unused_import_fixes(workspace: &Workspace, file: File, before: &AsyncioImports) -> Vec<Fix> {
    let now = asyncio_imports(&workspace.db, file);
    // A package's `__init__.py` is where names are re-exported for users outside the
    // project: leave its imports alone.
    if !now.complete || *file.is_package(&workspace.db) {
        return Vec::new();
    }
    let mut fixes = Vec::new();
    for import in &now.from_asyncio {
        for alias in &import.aliases {
            let bound = alias.bound.as_str();
            let unread = before.load_count(bound) > 0 && now.load_count(bound) == 0;
            if !unread || now.exported.iter().any(|name| name == bound) || imported_elsewhere(workspace, file, bound) {
                continue;
            }
            fixes.push(Fix {
                applicability: Applicability::Safe,
                message: format!("Remove the unused import of `{bound}`"),
                edits: vec![remove_alias(import, alias)],
            });
        }
    }
    fixes
}

/// Whether another module might import `name` from `file`'s module: it mentions the name
/// and has an import line that names the module. Deliberately generous: keeping an unused
/// import is harmless, removing a re-exported one breaks the importer.
fn imported_elsewhere(workspace: &Workspace, file: File, name: &str) -> bool {
    let db = &workspace.db;
    let module = file.module_name(db);
    let last = module.rsplit('.').next().unwrap_or_default();
    workspace.files().iter().filter(|&&other| other != file).any(|&other| {
        let text = other.text(db);
        text.contains(name) && text.lines().any(|line| line.contains("import") && contains_word(line, last))
    })
}

fn contains_word(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}
