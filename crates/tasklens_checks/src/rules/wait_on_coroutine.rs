//! TL008: coroutines passed to `asyncio.wait`, which Python 3.11 refuses.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use tasklens_flow::{CallContext, Location, WaitOnCoroutine};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds coroutines that reach `asyncio.wait`, as elements of the collection it is
    /// given (`asyncio.wait([fetch(a), fetch(b)])`), however the collection was built
    /// (a literal, a comprehension, `append` in a loop, a list kept in an attribute or
    /// passed through functions and modules), and a coroutine passed on its own
    /// (`asyncio.wait(fetch(a))`). The coroutines of the project's `async def`s count, and
    /// asyncio's own (`event.wait()`, `queue.get()`, `asyncio.sleep(1)`). Values the
    /// analysis cannot follow never produce a finding.
    ///
    /// Reported whatever the target version (a project that supports 3.10 also runs on 3.11
    /// and later), except for a call under a version guard that only Pythons before 3.11
    /// take (`if sys.version_info < (3, 11):`); one in a `try` that catches `TypeError`, or in
    /// a test that expects it to fail, is left out too.
    ///
    /// ## Why is this bad?
    /// `asyncio.wait` waits for Futures and Tasks. Up to Python 3.10 it wrapped each
    /// coroutine in a Task itself (deprecated since 3.8, with a `DeprecationWarning`); from
    /// 3.11 it raises `TypeError: Passing coroutines is forbidden, use tasks explicitly.`
    /// A lone coroutine instead of a collection fails in every version (`TypeError: expect
    /// a list of futures, not coroutine`). mypy reports the first only with precise types,
    /// and only when it checks for 3.11 or later.
    ///
    /// ## Example
    /// ```python
    /// async def main():
    ///     done, pending = await asyncio.wait([fetch(a), fetch(b)], timeout=5)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main():
    ///     done, pending = await asyncio.wait(
    ///         [asyncio.create_task(fetch(a)), asyncio.create_task(fetch(b))], timeout=5
    ///     )
    /// ```
    ///
    /// ## Fix safety
    /// Where the argument is written in the call as a list, tuple or set of calls, or a
    /// comprehension or generator of a call, every value that reaches it is a coroutine,
    /// and the call runs in a coroutine (or in a function only coroutines call), each call
    /// is wrapped in `asyncio.create_task` (spelled as the module imports asyncio). Safe:
    /// this is what `asyncio.wait` did itself up to Python 3.10, and a loop is running.
    /// The Tasks now start in the order written rather than in the set's order.
    ///
    /// ## References
    /// - [`asyncio.wait`](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait)
    /// - [What's new in Python 3.11: asyncio](https://docs.python.org/3/whatsnew/3.11.html#removed)
    pub static RULE = ("TL008", "wait-on-coroutine", Severity::Error);
}

/// The version that stopped taking coroutines.
pub(crate) const REFUSED_FROM: tasklens_db::PythonVersion = tasklens_db::PythonVersion::new(3, 11);

/// TL008 for one `asyncio.wait` call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, wait: &WaitOnCoroutine) -> Diagnostic {
    let text = wait.at.file.text(db);
    let callee = &text[usize::from(wait.callee.start())..usize::from(wait.callee.end())];
    let mut names: Vec<String> = wait.functions.iter().map(|(name, _)| format!("`{name}()`")).collect();
    if wait.asyncio_coroutines {
        names.push("asyncio's own".into());
    }
    let of = names.join(", ");
    let message = if wait.bare {
        format!(
            "`{callee}` is given a coroutine (of {of}) instead of a collection of Tasks or Futures (TypeError in every Python version)"
        )
    } else {
        format!(
            "`{callee}` is given coroutines (of {of}), which Python 3.11 and later refuse (TypeError: Passing coroutines is forbidden, use tasks explicitly); wrap each in `asyncio.create_task`"
        )
    };
    let primary = Location { file: wait.at.file, range: wait.argument };
    let trace = (wait.functions.iter())
        .map(|(name, at)| Label {
            file: at.file,
            range: at.range,
            message: format!("`async def {name}`: a call of it gives a coroutine, not a Task"),
        })
        .chain(describe::step_labels_besides(&wait.steps, &primary))
        .collect();
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: wait.at.file,
            range: wait.argument,
            message: if wait.bare { "a coroutine".into() } else { "holds coroutines".into() },
        },
        trace,
        fix: wrap_in_tasks(db, wait),
    }
}

/// Each call of the argument, wrapped in `create_task`: `[a(), b()]` -> `[create_task(a()),
/// create_task(b())]`, `[f(x) for x in xs]` -> `[create_task(f(x)) for x in xs]`.
fn wrap_in_tasks(db: &dyn salsa::Database, wait: &WaitOnCoroutine) -> Option<Fix> {
    if wait.bare || !wait.only_coroutines || !matches!(wait.context, CallContext::Coroutine | CallContext::LoopFunction)
    {
        return None;
    }
    let tree = crate::whole_tree(db, wait.at.file)?;
    let argument = expression_at(tree.syntax().body.as_slice(), wait.argument)?;
    let calls: Vec<TextRange> = match argument {
        Expr::List(list) => list.elts.iter().map(call_range).collect::<Option<_>>()?,
        Expr::Tuple(tuple) => tuple.elts.iter().map(call_range).collect::<Option<_>>()?,
        Expr::Set(set) => set.elts.iter().map(call_range).collect::<Option<_>>()?,
        Expr::ListComp(comp) => vec![call_range(&comp.elt)?],
        Expr::SetComp(comp) => vec![call_range(&comp.elt)?],
        Expr::Generator(generator) => vec![call_range(&generator.elt)?],
        _ => return None,
    };
    if calls.is_empty() {
        return None;
    }
    let create_task = create_task_spelling(db, wait)?;
    let edits = (calls.iter())
        .flat_map(|call| {
            [
                Edit { range: TextRange::empty(call.start()), content: format!("{create_task}(") },
                Edit { range: TextRange::empty(call.end()), content: ")".into() },
            ]
        })
        .collect();
    Some(Fix { applicability: Applicability::Safe, message: format!("Wrap each coroutine in `{create_task}`"), edits })
}

fn call_range(expr: &Expr) -> Option<TextRange> {
    matches!(expr, Expr::Call(_)).then(|| expr.range())
}

/// `create_task` as the module can call it: next to `wait` (`asyncio.wait` ->
/// `asyncio.create_task`), else a name the module imports from asyncio, else its `asyncio`.
fn create_task_spelling(db: &dyn salsa::Database, wait: &WaitOnCoroutine) -> Option<String> {
    let text = wait.at.file.text(db);
    let callee = &text[usize::from(wait.callee.start())..usize::from(wait.callee.end())];
    if let Some(module) = callee.strip_suffix(".wait")
        && module.split('.').all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        return Some(format!("{module}.create_task"));
    }
    crate::asyncio_imports::create_task_name(db, wait.at.file)
}

/// The expression of the module that spans exactly `range`, looking only into the
/// statements and expressions that contain it.
fn expression_at(body: &[Stmt], range: TextRange) -> Option<&Expr> {
    let mut finder = Finder { range, found: None, depth: 0 };
    for stmt in body {
        if stmt.range().contains_range(range) {
            finder.visit_stmt(stmt);
        }
    }
    finder.found
}

struct Finder<'a> {
    range: TextRange,
    found: Option<&'a Expr>,
    depth: u32,
}

impl<'a> Visitor<'a> for Finder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() || !stmt.range().contains_range(self.range) || self.depth > tasklens_semantic::MAX_DEPTH
        {
            return;
        }
        self.depth += 1;
        visitor::walk_stmt(self, stmt);
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() || !expr.range().contains_range(self.range) || self.depth > tasklens_semantic::MAX_DEPTH
        {
            return;
        }
        if expr.range() == self.range {
            self.found = Some(expr);
            return;
        }
        self.depth += 1;
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }
}
