//! TL021: `except TimeoutError:` around an await of asyncio's `TimeoutError`, which is
//! another class before Python 3.11.

use tasklens_flow::{RaisedTimeout, UncaughtTimeout};

use crate::asyncio_imports::asyncio_imports;
use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds handlers that catch the builtin `TimeoutError` (`except TimeoutError:`, also
    /// in a tuple with other builtin exceptions, `contextlib.suppress(TimeoutError)`, a
    /// test's `pytest.raises(TimeoutError)`) and not `asyncio.TimeoutError`, around an
    /// `await` of `asyncio.wait_for(...)`, around an `async with async_timeout.timeout(...)`
    /// (or `timeout_at`; also through a name that is `async_timeout.timeout` before 3.11 and
    /// `asyncio.timeout` from then on), or around an `await` of a project coroutine that lets
    /// the `TimeoutError` of either out (followed across functions and modules), or around
    /// `future.result(timeout)` (or `exception(timeout)`) of what is only ever a
    /// `concurrent.futures.Future` (`asyncio.run_coroutine_threadsafe`, an executor's
    /// `submit`), whose `TimeoutError` is another class too, when the project declares that
    /// it supports a Python older than 3.11 (`requires-python`, `target-version`). Not where a handler around the `await`
    /// catches `Exception`, `asyncio.TimeoutError` or a class the analysis cannot place, nor
    /// under `if sys.version_info >= (3, 11):`.
    ///
    /// ## Why is this bad?
    /// Before Python 3.11, `asyncio.TimeoutError` is a class of its own that derives from
    /// `Exception`, not the builtin `TimeoutError` (an `OSError`). Python 3.11 made it an
    /// alias, so code written and tested there catches the timeout, and on 3.8, 3.9 and 3.10
    /// the same code lets `asyncio.exceptions.TimeoutError` escape the handler. Type
    /// checkers accept both spellings.
    ///
    /// ## Example
    /// ```python
    /// try:
    ///     await asyncio.wait_for(event.wait(), 5)
    /// except TimeoutError:  # does not catch it before 3.11
    ///     return False
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// try:
    ///     await asyncio.wait_for(event.wait(), 5)
    /// except asyncio.TimeoutError:  # an alias of TimeoutError from 3.11 on
    ///     return False
    /// ```
    ///
    /// ## Fix
    /// Adds `asyncio.TimeoutError` next to `TimeoutError` (`except (TimeoutError,
    /// asyncio.TimeoutError):`), spelled as the module imports asyncio, so that other
    /// builtin `TimeoutError`s the body raises stay caught; nothing changes on 3.11 and
    /// later, where both are one class. Offered where the module has `import asyncio` (or
    /// `import asyncio as name`, a name bound nowhere else).
    ///
    /// ## References
    /// - [`asyncio.TimeoutError`](https://docs.python.org/3/library/asyncio-exceptions.html#asyncio.TimeoutError)
    /// - [What's new in Python 3.11: asyncio](https://docs.python.org/3/whatsnew/3.11.html#asyncio)
    pub static RULE = ("TL021", "timeout-error-before-3-11", Severity::Error);
}

/// TL021 for one handler.
pub(crate) fn diagnostic(
    db: &dyn salsa::Database,
    uncaught: &UncaughtTimeout,
    target: tasklens_db::PythonVersion,
) -> Diagnostic {
    let call = describe::call(db, uncaught.at, uncaught.callee);
    let raised = match uncaught.chain.last() {
        None if uncaught.raised == RaisedTimeout::ConcurrentFutures => {
            format!("`{call}` of a `concurrent.futures.Future` raises `concurrent.futures.TimeoutError`")
        }
        None => format!("`{call}` raises `asyncio.TimeoutError`"),
        Some(last) => format!(
            "`{call}` lets out the `asyncio.TimeoutError` that `{}` raises in {}",
            describe::call(db, *last, uncaught.origin_callee),
            describe::place(db, *last)
        ),
    };
    let class = match uncaught.raised {
        RaisedTimeout::Asyncio => "asyncio.TimeoutError",
        RaisedTimeout::ConcurrentFutures => "concurrent.futures.TimeoutError",
    };
    let versions = if target < tasklens_db::PythonVersion::new(3, 9) {
        format!("Python {target} to 3.10")
    } else if target < tasklens_db::PythonVersion::new(3, 10) {
        "Python 3.9 and 3.10".to_owned()
    } else {
        "Python 3.10".to_owned()
    };
    let waited = match uncaught.raised {
        RaisedTimeout::Asyncio => "awaited here",
        RaisedTimeout::ConcurrentFutures => "waits here",
    };
    let mut trace = vec![Label { file: uncaught.at.file, range: uncaught.at.range, message: waited.into() }];
    trace.extend(uncaught.chain.iter().map(|at| Label {
        file: at.file,
        range: at.range,
        message: "which awaits".into(),
    }));
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "{raised}, which on {versions} (which the project supports) is not the builtin `TimeoutError` this handler catches, so it escapes; catch `{class}`, an alias of `TimeoutError` from 3.11 on"
        ),
        primary: Label {
            file: uncaught.handler.file,
            range: uncaught.handler.range,
            message: format!("does not catch `{class}` before 3.11"),
        },
        trace,
        fix: fix(db, uncaught),
    }
}

/// `TimeoutError` becomes `(TimeoutError, asyncio.TimeoutError)`, or gets `asyncio.TimeoutError`
/// after it where it is listed among others.
fn fix(db: &dyn salsa::Database, uncaught: &UncaughtTimeout) -> Option<Fix> {
    if uncaught.raised != RaisedTimeout::Asyncio {
        return None;
    }
    let imports = asyncio_imports(db, uncaught.handler.file);
    let module = imports.asyncio_module.as_deref().filter(|_| imports.complete && imports.asyncio_module_unique)?;
    let edit = match uncaught.handler_listed {
        true => Edit {
            range: ruff_text_size::TextRange::empty(uncaught.handler.range.end()),
            content: format!(", {module}.TimeoutError"),
        },
        false => Edit { range: uncaught.handler.range, content: format!("(TimeoutError, {module}.TimeoutError)") },
    };
    Some(Fix {
        applicability: Applicability::Safe,
        message: format!("Also catch `{module}.TimeoutError`"),
        edits: vec![edit],
    })
}
