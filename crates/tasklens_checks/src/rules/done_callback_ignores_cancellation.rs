//! TL023: a done-callback that reads its Task's outcome without asking whether it was
//! cancelled.

use tasklens_flow::UncheckedOutcome;

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds functions given to `add_done_callback` (directly, as a bound method, or
    /// through `functools.partial`, across modules) that call `result()` or `exception()`
    /// on the Task they are given, when a Task reaches them and nothing in the function
    /// asks whether it was cancelled: no `.cancelled()`, no `CancelledError`, no
    /// `BaseException` or bare `except:`. Not for a Task whose coroutine mentions
    /// cancellation itself (it may catch it and end normally).
    ///
    /// ## Why is this bad?
    /// A done-callback runs when the Task is done, and a cancelled Task is done too:
    /// `asyncio.run` cancels every Task still pending when the main coroutine returns,
    /// and `task.cancel()`, `wait_for` timeouts and `TaskGroup`s cancel others. On a
    /// cancelled Task both `result()` and `exception()` raise `CancelledError`, so the
    /// callback stops there (whatever cleanup follows never runs) and the loop logs
    /// "Exception in callback". Since Python 3.8 `CancelledError` is a `BaseException`:
    /// an `except Exception:` around the call does not catch it. CPython's own
    /// `asyncio.start_server` had this bug in its client callback until 3.12.
    ///
    /// ## Example
    /// ```python
    /// def _on_done(task):
    ///     if task.exception() is not None:
    ///         log.error("worker failed", exc_info=task.exception())
    ///     workers.discard(task)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def _on_done(task):
    ///     workers.discard(task)
    ///     if not task.cancelled() and task.exception() is not None:
    ///         log.error("worker failed", exc_info=task.exception())
    /// ```
    ///
    /// ## References
    /// - [`Task.exception`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.exception):
    ///   "If the Task has been cancelled, this method raises a CancelledError exception."
    pub static RULE = ("TL023", "done-callback-ignores-cancellation", Severity::Warning);
}

/// TL023 for one read.
pub(crate) fn diagnostic(db: &dyn salsa::Database, read: &UncheckedOutcome) -> Diagnostic {
    let call = &describe::shown(db, read.at.file, read.at.range);
    let message = format!(
        "`{call}` in `{}`, which `add_done_callback` calls when the Task is done ({}): if the Task was \
         cancelled, `{}()` raises CancelledError instead and the rest of the callback does not run; \
         check `{}.cancelled()` first",
        read.function,
        describe::place(db, read.registered),
        read.method,
        read.param
    );
    let trace = vec![
        Label {
            file: read.registered.file,
            range: read.registered.range,
            message: "registered as a done-callback here".into(),
        },
        Label {
            file: read.param_at.file,
            range: read.param_at.range,
            message: format!("`{}` gets the Task, which may have been cancelled", read.param),
        },
    ];
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: read.at.file,
            range: read.at.range,
            message: "raises CancelledError on a cancelled Task".into(),
        },
        trace,
        fix: None,
    }
}
