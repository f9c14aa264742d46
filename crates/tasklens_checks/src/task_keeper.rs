//! The helper that TL005's fix adds to a module to keep Tasks until they finish, where it
//! goes, and the calls of the module whose value the fix can pass through it.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use tasklens_db::File;

use crate::diagnostic::Edit;

/// The helper's name, called around the expression that gives the Task.
pub(crate) const HELPER: &str = "_keep_task";
/// Every name the helper's text binds (a module that uses one as a name, not as an
/// attribute such as `self._background_tasks`, gets no fix).
const BOUND: &[&str] = &[HELPER, "_background_tasks", "_Kept", "_keep_asyncio", "_keep_typing"];
/// Expressions nested deeper than this are not searched (no fix in such a module).
const MAX_DEPTH: u32 = 400;

/// The helper's own imports, under names nothing else uses.
const IMPORTS: &[&str] = &["import asyncio as _keep_asyncio", "import typing as _keep_typing"];

/// The helper (the pattern the asyncio documentation gives for `create_task`, typed for
/// `mypy --strict`).
const HELPER_LINES: &[&str] = &[
    "# The event loop keeps only weak references to Tasks: these are kept until they finish.",
    "_background_tasks: \"set[_keep_asyncio.Future[_keep_typing.Any]]\" = set()",
    "_Kept = _keep_typing.TypeVar(\"_Kept\", bound=\"_keep_asyncio.Future[_keep_typing.Any]\")",
    "",
    "",
    "def _keep_task(task: _Kept) -> _Kept:",
    "    _background_tasks.add(task)",
    "    task.add_done_callback(_background_tasks.discard)",
    "    return task",
];

/// What a module offers TL005's fix.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TaskKeeper {
    /// The edit that adds the helper, or `None` when the module has it already.
    pub helper: Option<Edit>,
    /// False when no fix can be made here: syntax errors, code too deep to search, or one
    /// of the helper's names used for something else.
    pub usable: bool,
    /// Every call of the module, by range, with the `await` around it, if any.
    pub calls: Vec<(TextRange, Option<TextRange>)>,
}

impl TaskKeeper {
    /// What the fix passes to the helper for a Task that the call at `call` gives: the
    /// `await` around it if there is one (the Task comes out of awaiting an `async def`
    /// helper; a Task that is itself awaited is never dropped), else the call.
    pub(crate) fn wrapped(&self, call: TextRange) -> Option<TextRange> {
        let at = self.calls.binary_search_by_key(&(call.start(), call.end()), |(r, _)| (r.start(), r.end())).ok()?;
        Some(self.calls[at].1.unwrap_or(call))
    }
}

/// How `file` can keep Tasks.
#[salsa::tracked(returns(ref))]
pub fn task_keeper(db: &dyn salsa::Database, file: File) -> TaskKeeper {
    let Some(tree) = crate::whole_tree(db, file) else {
        return TaskKeeper::default();
    };
    let text = file.text(db);
    let body = &tree.syntax().body;
    let mut calls = Calls { calls: Vec::new(), awaited: None, depth: 0, too_deep: false };
    for stmt in body {
        calls.visit_stmt(stmt);
    }
    if calls.too_deep {
        return TaskKeeper::default();
    }
    calls.calls.sort_by_key(|(range, _)| (range.start(), range.end()));
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if text.contains(&HELPER_LINES.join(newline)) {
        return TaskKeeper { helper: None, usable: true, calls: calls.calls };
    }
    if uses_bound_name(&tree, text) {
        return TaskKeeper::default();
    }
    let helper = helper_edit(text, body, newline);
    TaskKeeper { usable: helper.is_some(), helper, calls: calls.calls }
}

/// Whether a name token of the module (not an attribute after a `.`) is one of the names the
/// helper binds: a variable, parameter, function, import or keyword of that name.
fn uses_bound_name(tree: &ruff_python_parser::Parsed<ruff_python_ast::ModModule>, text: &str) -> bool {
    use ruff_python_ast::token::TokenKind;
    let mut after_dot = false;
    for token in tree.tokens().iter() {
        let kind = token.kind();
        if kind == TokenKind::Name && !after_dot {
            let name = text.get(usize::from(token.start())..usize::from(token.end())).unwrap_or("");
            if BOUND.contains(&name) {
                return true;
            }
        }
        if !kind.is_trivia() {
            after_dot = kind == TokenKind::Dot;
        }
    }
    false
}

/// The edit that adds the helper: its imports on the lines after the module's leading
/// imports (or docstring), the rest two blank lines below them; else all of it before the
/// first statement's line (after comments such as a shebang). Two blank lines follow it.
fn helper_edit(text: &str, body: &[Stmt], newline: &str) -> Option<Edit> {
    let imports = IMPORTS.join(newline);
    let helper = HELPER_LINES.join(newline);
    let (at, content) = match leading_imports_end(body) {
        Some((end, after_block)) => {
            let end = usize::from(end);
            let at = text[end..].find(['\r', '\n']).map_or(text.len(), |i| end + i);
            let before = newline.repeat(1 + usize::from(after_block));
            (at, format!("{before}{imports}{}{helper}", newline.repeat(3)))
        }
        None => {
            let first = body.first().map_or(text.len(), |stmt| usize::from(stmt.start()));
            let at = text[..first].rfind('\n').map_or(0, |i| i + 1);
            (at, format!("{imports}{}{helper}{newline}", newline.repeat(3)))
        }
    };
    // Lines after the insertion that are already blank count towards the two after it.
    let rest = &text[at..];
    let rest = if content.starts_with(newline) { rest.strip_prefix(newline).unwrap_or(rest) } else { rest };
    let blank = rest.split(newline).take_while(|line| line.trim().is_empty()).count().min(2);
    let after = if rest.trim().is_empty() { 0 } else { 2 - blank };
    let content = format!("{content}{}", newline.repeat(after));
    Some(Edit { range: TextRange::empty(TextSize::try_from(at).ok()?), content })
}

/// The end of the module's last import before its first function or class (an import in
/// a top-level `try` or `if`, such as `if TYPE_CHECKING:`, counts), else of its docstring:
/// code the helper adds there puts no import below code that was not already. True when
/// that is the end of a block (a blank line then sets the helper's imports apart).
fn leading_imports_end(body: &[Stmt]) -> Option<(TextSize, bool)> {
    let docstring = match body.first() {
        Some(Stmt::Expr(e)) if matches!(*e.value, Expr::StringLiteral(_)) => Some(e.end()),
        _ => None,
    };
    let definitions = body.iter().position(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)));
    let before = &body[..definitions.unwrap_or(body.len())];
    let last = before.iter().rev().find(|stmt| imports(stmt));
    last.map(|stmt| (stmt.end(), !matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_))))
        .or(docstring.map(|end| (end, false)))
}

/// An import, or a `try` or `if` whose first block imports.
fn imports(stmt: &Stmt) -> bool {
    let first_block = match stmt {
        Stmt::Import(_) | Stmt::ImportFrom(_) => return true,
        Stmt::Try(block) => &block.body,
        Stmt::If(block) => &block.body,
        _ => return false,
    };
    first_block.iter().any(|stmt| matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)))
}

/// Collects every call with the `await` directly around it.
struct Calls {
    calls: Vec<(TextRange, Option<TextRange>)>,
    /// The `await` whose operand is being visited.
    awaited: Option<TextRange>,
    depth: u32,
    too_deep: bool,
}

impl<'a> Visitor<'a> for Calls {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
        } else {
            visitor::walk_stmt(self, stmt);
        }
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.too_deep {
            return;
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
            self.depth -= 1;
            return;
        }
        let around = self.awaited.take();
        match expr {
            Expr::Call(call) => {
                self.calls.push((call.range(), around));
                visitor::walk_expr(self, expr);
            }
            Expr::Await(await_expr) => {
                self.awaited = Some(await_expr.range());
                self.visit_expr(&await_expr.value);
                self.awaited = None;
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.depth -= 1;
    }
}
