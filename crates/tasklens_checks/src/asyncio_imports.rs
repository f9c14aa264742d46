//! How a module imports names from asyncio, for fixes that rename a call to a name
//! imported with `from asyncio import ...`, add `create_task` to such a list, or remove
//! a name the fixes left unused.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use tasklens_db::File;

use crate::diagnostic::Edit;

/// The names the fixes add to a module.
const ADDED_NAMES: &[&str] = &["create_task"];

/// One `from asyncio import ...` (or `from asyncio.tasks import ...`) statement at module level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromImport {
    pub range: TextRange,
    pub aliases: Vec<ImportAlias>,
    /// What to delete to remove the whole statement cleanly: its own lines, or the
    /// statement and the `;` that separates it from a neighbour on its line.
    pub removal: Option<TextRange>,
}

/// `name` or `name as bound` in an import list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportAlias {
    pub name: String,
    pub bound: String,
    pub range: TextRange,
}

/// The asyncio imports of a module and the uses of the names they bind.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AsyncioImports {
    /// False when the module could not be read completely (syntax errors, too deep):
    /// fixes that depend on it are not offered.
    pub complete: bool,
    pub from_asyncio: Vec<FromImport>,
    /// The name of a module-level `import asyncio [as name]`.
    pub asyncio_module: Option<String>,
    /// That name is bound nowhere else in the module (no other import, assignment,
    /// parameter...), so `name.create_task` means asyncio's wherever it is written.
    pub asyncio_module_unique: bool,
    /// How often each name bound by `from_asyncio` is read, sorted by name.
    pub loads: Vec<(String, u32)>,
    /// Names of [`ADDED_NAMES`] that something other than `from_asyncio` binds.
    pub bound_elsewhere: Vec<String>,
    /// The strings in a module-level `__all__`.
    pub exported: Vec<String>,
}

impl AsyncioImports {
    /// The alias that binds `bound`, when exactly one statement binds it.
    pub fn binding(&self, bound: &str) -> Option<(&FromImport, &ImportAlias)> {
        let mut found = self
            .from_asyncio
            .iter()
            .flat_map(|import| import.aliases.iter().map(move |alias| (import, alias)))
            .filter(|(_, alias)| alias.bound == bound);
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The local name under which asyncio's `name` is imported.
    pub fn local_name(&self, name: &str) -> Option<&str> {
        self.from_asyncio
            .iter()
            .flat_map(|import| &import.aliases)
            .find(|alias| alias.name == name)
            .map(|alias| alias.bound.as_str())
    }

    pub fn load_count(&self, bound: &str) -> u32 {
        self.loads.iter().find(|(name, _)| name == bound).map_or(0, |(_, count)| *count)
    }

    pub fn is_bound_elsewhere(&self, name: &str) -> bool {
        self.bound_elsewhere.iter().any(|n| n == name)
    }
}

/// The asyncio imports of `file`.
#[salsa::tracked(returns(ref))]
pub fn asyncio_imports(db: &dyn salsa::Database, file: File) -> AsyncioImports {
    let Some(tree) = crate::whole_tree(db, file) else {
        return AsyncioImports::default();
    };
    let text = file.text(db);
    let mut imports = AsyncioImports { complete: true, ..AsyncioImports::default() };
    for stmt in &tree.syntax().body {
        match stmt {
            Stmt::ImportFrom(import)
                if import.level == 0
                    && matches!(import.module.as_ref().map(|m| m.as_str()), Some("asyncio" | "asyncio.tasks")) =>
            {
                let aliases = import
                    .names
                    .iter()
                    .filter(|alias| alias.name.as_str() != "*")
                    .map(|alias| ImportAlias {
                        name: alias.name.to_string(),
                        bound: alias.asname.as_ref().unwrap_or(&alias.name).to_string(),
                        range: alias.range(),
                    })
                    .collect();
                imports.from_asyncio.push(FromImport {
                    range: import.range,
                    aliases,
                    removal: removal(text, import.range),
                });
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    if alias.name.as_str() == "asyncio" {
                        imports.asyncio_module = Some(alias.asname.as_ref().unwrap_or(&alias.name).to_string());
                    }
                }
            }
            Stmt::Assign(assign) if is_dunder_all(&assign.targets) => imports.exported.extend(strings(&assign.value)),
            _ => {}
        }
    }
    let mut bound: Vec<String> =
        imports.from_asyncio.iter().flat_map(|import| import.aliases.iter().map(|a| a.bound.clone())).collect();
    bound.sort();
    bound.dedup();
    let mut uses = Uses {
        watched: &bound,
        loads: vec![0; bound.len()],
        bound_elsewhere: Vec::new(),
        module: imports.asyncio_module.as_deref(),
        module_bindings: 0,
        depth: 0,
        too_deep: false,
    };
    for stmt in &tree.syntax().body {
        let is_asyncio_import = imports.from_asyncio.iter().any(|import| import.range == stmt.range())
            && matches!(stmt, Stmt::ImportFrom(_));
        if !is_asyncio_import {
            uses.visit_stmt(stmt);
        }
    }
    if uses.too_deep {
        return AsyncioImports::default();
    }
    imports.loads = bound.iter().cloned().zip(uses.loads).collect();
    uses.bound_elsewhere.sort();
    uses.bound_elsewhere.dedup();
    imports.bound_elsewhere = uses.bound_elsewhere;
    // The `import asyncio` statement itself is the one binding expected.
    imports.asyncio_module_unique = uses.module_bindings == 1;
    imports
}

/// The edit that removes `alias` from `import`, keeping the list well-formed.
pub fn remove_alias(import: &FromImport, alias: &ImportAlias) -> Edit {
    let at = import.aliases.iter().position(|a| a == alias).unwrap_or(0);
    let range = if import.aliases.len() == 1 {
        match import.removal {
            Some(range) => range,
            None => return Edit { range: import.range, content: "pass".into() },
        }
    } else if at + 1 < import.aliases.len() {
        TextRange::new(alias.range.start(), import.aliases[at + 1].range.start())
    } else {
        TextRange::new(import.aliases[at - 1].range.end(), alias.range.end())
    };
    Edit { range, content: String::new() }
}

/// The range that removes the statement at `range`: see [`FromImport::removal`].
fn removal(text: &str, range: TextRange) -> Option<TextRange> {
    if let Some(lines) = own_lines(text, range) {
        return Some(lines);
    }
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    let before = text[..start].trim_end_matches([' ', '\t']);
    if before.ends_with(';') {
        return Some(TextRange::new(TextSize::try_from(before.len() - 1).ok()?, range.end()));
    }
    let after = &text[end..];
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    if after[gap..].starts_with(';') {
        let rest = &after[gap + 1..];
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        return Some(TextRange::new(range.start(), TextSize::try_from(end + gap + 1 + spaces).ok()?));
    }
    None
}

/// The full lines of `range` (with the final line break), when only whitespace and a
/// comment share them.
fn own_lines(text: &str, range: TextRange) -> Option<TextRange> {
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |at| at + 1);
    if !text[line_start..start].trim().is_empty() {
        return None;
    }
    let rest = &text[end..];
    let line_end = rest.find(['\n', '\r']).map_or(text.len(), |at| end + at);
    let tail = text[end..line_end].trim_start();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    let after = match &text[line_end..] {
        rest if rest.starts_with("\r\n") => line_end + 2,
        rest if rest.starts_with(['\n', '\r']) => line_end + 1,
        _ => line_end,
    };
    Some(TextRange::new(TextSize::try_from(line_start).ok()?, TextSize::try_from(after).ok()?))
}

fn is_dunder_all(targets: &[Expr]) -> bool {
    matches!(targets, [Expr::Name(name)] if name.id.as_str() == "__all__")
}

fn strings(value: &Expr) -> Vec<String> {
    match value {
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            elts.iter().filter_map(|elt| elt.as_string_literal_expr().map(|s| s.value.to_str().to_string())).collect()
        }
        _ => Vec::new(),
    }
}

/// Counts reads of the watched names and finds other bindings of the added names.
struct Uses<'w> {
    watched: &'w [String],
    loads: Vec<u32>,
    bound_elsewhere: Vec<String>,
    /// The name `import asyncio` binds at module level, and how often anything binds it.
    module: Option<&'w str>,
    module_bindings: u32,
    depth: u32,
    too_deep: bool,
}

impl Uses<'_> {
    fn bind(&mut self, name: &str) {
        if ADDED_NAMES.contains(&name) {
            self.bound_elsewhere.push(name.to_string());
        }
        if self.module == Some(name) {
            self.module_bindings += 1;
        }
    }
}

impl<'a> Visitor<'a> for Uses<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth > tasklens_semantic::MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        match stmt {
            Stmt::FunctionDef(def) => self.bind(def.name.as_str()),
            Stmt::ClassDef(class) => self.bind(class.name.as_str()),
            Stmt::Import(import) => {
                for alias in &import.names {
                    self.bind(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    self.bind(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            Stmt::Global(global) => global.names.iter().for_each(|n| self.bind(n.as_str())),
            Stmt::Nonlocal(nonlocal) => nonlocal.names.iter().for_each(|n| self.bind(n.as_str())),
            _ => {}
        }
        self.depth += 1;
        visitor::walk_stmt(self, stmt);
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth > tasklens_semantic::MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        if let Expr::Name(name) = expr {
            match name.ctx {
                ExprContext::Load => {
                    if let Ok(at) = self.watched.binary_search_by(|w| w.as_str().cmp(name.id.as_str())) {
                        self.loads[at] += 1;
                    }
                }
                _ => self.bind(name.id.as_str()),
            }
        }
        self.depth += 1;
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }

    fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
        self.bind(parameter.name.as_str());
        visitor::walk_parameter(self, parameter);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(inner) = handler;
        if let Some(name) = &inner.name {
            self.bind(name.as_str());
        }
        visitor::walk_except_handler(self, handler);
    }
}

/// `create_task` as a module can call it: a name it imports from asyncio, else through its
/// `import asyncio` (`None` when it has neither, or the module could not be read whole).
pub(crate) fn create_task_name(db: &dyn salsa::Database, file: File) -> Option<String> {
    let imports = asyncio_imports(db, file);
    if !imports.complete {
        return None;
    }
    if let Some(local) = imports.local_name("create_task") {
        return Some(local.to_string());
    }
    let module = imports.asyncio_module.as_deref().filter(|_| imports.asyncio_module_unique)?;
    Some(format!("{module}.create_task"))
}
