//! TL012: an event loop run where one is already running.

use tasklens_flow::{CallContext, NestedLoopRun};

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds `asyncio.run(...)`, an `asyncio.Runner`'s `run(...)`, and an event loop's
    /// `run_until_complete(...)` or `run_forever()` called in an `async def`, or in a plain
    /// function that only coroutines call (directly or through other such functions): a
    /// loop is running in that thread. In such a plain function only calls that always run
    /// count: one under a test, in a loop, a `try` or its handlers is left alone (code that
    /// checks for a running loop first), as are tests that expect the failure (also in a
    /// coroutine that every caller runs that way), functions that call `os.fork()` (the
    /// child has no running loop) and projects that import `nest_asyncio`, whose `apply()`
    /// makes loops re-entrant.
    ///
    /// ## Why is this bad?
    /// asyncio runs one loop per thread: `asyncio.run` raises `RuntimeError: asyncio.run()
    /// cannot be called from a running event loop`, and `run_until_complete` raises `This
    /// event loop is already running` (or `Cannot run the event loop while another loop is
    /// running`), in every Python version. A sync helper that wraps `asyncio.run` works in
    /// scripts and breaks once async code calls it.
    ///
    /// ## Example
    /// ```python
    /// def fetch_all(urls):
    ///     return asyncio.run(gather_pages(urls))
    ///
    /// async def handler(request):
    ///     pages = fetch_all(request.urls)  # RuntimeError
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def handler(request):
    ///     pages = await gather_pages(request.urls)
    /// ```
    ///
    /// ## References
    /// - [`asyncio.run`](https://docs.python.org/3/library/asyncio-runner.html#asyncio.run)
    pub static RULE = ("TL012", "loop-run-in-running-loop", Severity::Error);
}

/// TL012 for one call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, run: &NestedLoopRun) -> Diagnostic {
    let callee = &describe::shown(db, run.at.file, run.callee);
    let error = if callee.ends_with("run_until_complete") || callee.ends_with("run_forever") {
        "RuntimeError: This event loop is already running"
    } else if callee == "run" || callee.ends_with("asyncio.run") {
        "RuntimeError: asyncio.run() cannot be called from a running event loop"
    } else {
        "RuntimeError: Runner.run() cannot be called from a running event loop"
    };
    let (where_, label) = match run.context {
        CallContext::Coroutine => ("in a coroutine", "runs a loop inside the running one"),
        _ => (
            "in a function that only coroutines call",
            "runs a loop inside the running one (its callers are coroutines)",
        ),
    };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "`{callee}` is called {where_}, where an event loop is already running ({error}); await the coroutine instead"
        ),
        primary: Label { file: run.at.file, range: run.callee, message: label.into() },
        trace: (run.called_from.iter())
            .map(|at| Label { file: at.file, range: at.range, message: "called here, where a loop is running".into() })
            .collect(),
        fix: None,
    }
}
