//! TL022: a Task's result set from outside (`task.set_result(v)`), which Tasks refuse.

use ruff_text_size::TextRange;
use tasklens_flow::{SinkKind, TaskResultSet};

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds calls that make a Task (`asyncio.create_task`, `loop.create_task`,
    /// `TaskGroup.create_task`, `asyncio.Task(...)`, `asyncio.ensure_future(coro)`) whose
    /// Task reaches a call of `set_result(...)` or `set_exception(...)`, followed as TL001
    /// follows a Future: across assignments, attributes, containers, calls, returns and
    /// modules. Not where the call handles `RuntimeError` (a `try`, `pytest.raises`,
    /// `assertRaises`), and `isinstance(x, asyncio.Task)` tests rule the Task out where
    /// they fail.
    ///
    /// ## Why is this bad?
    /// `asyncio.Task` is a subclass of `asyncio.Future`, so every type checker accepts a
    /// Task where a `Future` is annotated, and a Task has both methods. But a Task's
    /// result is what its coroutine returns: `Task.set_result` and `Task.set_exception`
    /// raise `RuntimeError: Task does not support set_result operation`, on every Python.
    /// Code that settles "its future" from a callback or another task (a waiter, a
    /// response slot, a shutdown signal) fails there once that future is a Task, which is
    /// what `ensure_future(coro)` returns.
    ///
    /// ## Example
    /// ```python
    /// class Request:
    ///     def __init__(self, send):
    ///         self.done = asyncio.ensure_future(send())
    ///
    ///     def answer(self, value):
    ///         self.done.set_result(value)
    /// ```
    ///
    /// Use instead: a plain Future to settle, apart from the Task that does the work:
    /// ```python
    /// class Request:
    ///     def __init__(self, send):
    ///         self.sending = asyncio.ensure_future(send())
    ///         self.done = asyncio.get_running_loop().create_future()
    ///
    ///     def answer(self, value):
    ///         self.done.set_result(value)
    /// ```
    /// or, to stop the Task early, `task.cancel()`.
    ///
    /// ## References
    /// - [`Task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task):
    ///   "`Task` ... supports all methods of `Future` except `set_result()` and `set_exception()`"
    pub static RULE = ("TL022", "set-result-on-task", Severity::Error);
}

/// The call that makes the Task: one finding per call to change.
pub(crate) fn line_to_change(flow: &TaskResultSet) -> (tasklens_db::File, TextRange) {
    (flow.at.file, flow.at.range)
}

/// TL022 for one Task-making call and the calls that set its result (the shortest flow first).
pub(crate) fn diagnostic(db: &dyn salsa::Database, flow: &TaskResultSet, others: &[&TaskResultSet]) -> Diagnostic {
    let callee = &describe::shown(db, flow.at.file, flow.callee);
    let method = refused_method(&flow.sink.kind);
    let mut message = format!(
        "`{callee}(...)` makes a Task; it reaches `.{method}()` in {}, which a Task refuses \
         (RuntimeError: Task does not support {method} operation)",
        describe::place(db, flow.sink.at)
    );
    if !others.is_empty() {
        let calls = if others.len() == 1 { "call" } else { "calls" };
        message.push_str(&format!(" (and {} more such {calls})", others.len()));
    }
    message.push_str("; settle a plain Future (`loop.create_future()`) instead, or cancel the Task");
    let mut trace: Vec<Label> = describe::step_labels(&flow.steps).collect();
    trace.extend(std::iter::once(&flow.sink).chain(others.iter().map(|other| &other.sink)).map(|sink| Label {
        file: sink.at.file,
        range: sink.at.range,
        message: format!("`Task.{}()` raises RuntimeError", refused_method(&sink.kind)),
    }));
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label { file: flow.at.file, range: flow.at.range, message: "makes a Task".into() },
        trace,
        fix: None,
    }
}

fn refused_method(kind: &SinkKind) -> &str {
    match kind {
        SinkKind::FutureMethod(method) | SinkKind::TaskMethod(method) => method.as_str(),
        _ => "set_result",
    }
}
