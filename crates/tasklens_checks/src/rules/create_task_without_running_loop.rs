//! TL003: `asyncio.create_task` where no event loop is running.

use tasklens_flow::ImportTimeTask;

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds `asyncio.create_task(...)`, and `asyncio.get_running_loop()` (as in
    /// `asyncio.get_running_loop().create_task(...)`), in code that runs when no event loop
    /// is running:
    /// at module level (including `if __name__ == "__main__":` before `asyncio.run`), in
    /// class bodies, and in synchronous functions and methods that are called,
    /// transitively and across modules, from those places. A synchronous helper that is
    /// only called from coroutines or loop callbacks is fine.
    ///
    /// ## Why is this bad?
    /// `asyncio.create_task` schedules the coroutine on the *running* loop. With none
    /// running it raises `RuntimeError: no running event loop` (and the coroutine is never
    /// awaited). `loop.create_task` on a loop object that is not running yet is fine.
    ///
    /// ## Example
    /// ```python
    /// def start():
    ///     return asyncio.create_task(serve())
    ///
    /// server = start()  # RuntimeError: no running event loop
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main():
    ///     server = asyncio.create_task(serve())
    ///     ...
    ///
    /// asyncio.run(main())
    /// ```
    ///
    /// ## References
    /// - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
    pub static RULE = ("TL003", "create-task-without-running-loop", Severity::Error);
}

/// TL003 for one call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, task: &ImportTimeTask) -> Diagnostic {
    let callee = describe::source(db, task.at.file, task.callee);
    let message = match task.chain.first() {
        None => format!(
            "`{callee}(...)` runs at import time, where no event loop is running (RuntimeError: no running event loop)"
        ),
        Some(first) => format!(
            "`{callee}(...)` runs when the module is imported, through the call in {}, where no event loop is running (RuntimeError: no running event loop)",
            describe::place(db, *first)
        ),
    };
    let trace = task
        .chain
        .iter()
        .enumerate()
        .map(|(index, at)| Label {
            file: at.file,
            range: at.range,
            message: if index == 0 { "called at import time".into() } else { "which calls".into() },
        })
        .collect();
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label { file: task.at.file, range: task.at.range, message: "needs a running event loop".into() },
        trace,
        fix: None,
    }
}
