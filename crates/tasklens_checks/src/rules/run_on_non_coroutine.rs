//! TL010: `asyncio.run` given something that is not a coroutine.

use tasklens_flow::TaskArgumentFlow;

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;
use crate::rules::create_task_on_non_coroutine::{call_it, flow_labels, since};

declare_rule! {
    /// ## What it does
    /// Finds values that are not coroutines reaching the argument of `asyncio.run` (or of
    /// `run` of an `asyncio.Runner`), followed across functions, attributes and modules as for TL004: the `async def`
    /// itself instead of a call of it (`asyncio.run(main)`), a Future, a Task or what
    /// `gather(...)` gives, an object that is awaitable without being a coroutine (a class
    /// with `__await__`), a `functools.partial`, a generator (since Python 3.12) or an
    /// async generator, and the call of a plain `def` with no `return` (a forgotten
    /// `async`). A call in a `try` that catches `ValueError` by name, or in a test's
    /// `with pytest.raises(ValueError):`, is left out.
    ///
    /// ## Why is this bad?
    /// `asyncio.run` only runs coroutines: anything else raises `ValueError: a coroutine
    /// was expected, got ...` in every Python version, before anything runs. Type
    /// checkers see it only where every step is annotated.
    ///
    /// ## Example
    /// ```python
    /// async def main():
    ///     await serve()
    ///
    /// asyncio.run(main)  # ValueError: a coroutine was expected
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// asyncio.run(main())
    /// ```
    /// To wait for Futures or `gather(...)`, await them in a coroutine:
    /// `async def main(): await asyncio.gather(a(), b())`.
    ///
    /// ## Fix safety
    /// Where the argument names an `async def` that needs no argument,
    /// `--unsafe-fixes` calls it: `asyncio.run(main())`. Unsafe: the call that raised
    /// `ValueError` now runs the program.
    ///
    /// ## References
    /// - [`asyncio.run`](https://docs.python.org/3/library/asyncio-runner.html#asyncio.run)
    pub static RULE = ("TL010", "run-on-non-coroutine", Severity::Error);
}

/// TL010 for one value reaching one `asyncio.run` call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, flow: &TaskArgumentFlow) -> Diagnostic {
    let callee = &describe::shown(db, flow.call.file, flow.callee);
    let producer = describe::producer(db, &flow.producer);
    let at = describe::place(db, flow.producer.location());
    let since = since(flow);
    let what = describe::produced(&flow.producer);
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "`{callee}` runs only a coroutine, but {producer} ({at}) reaches it (ValueError{since}: a coroutine was expected)"
        ),
        primary: Label {
            file: flow.argument.file,
            range: flow.argument.range,
            message: format!("{what} is passed where a coroutine is required"),
        },
        trace: flow_labels(&flow.producer, &flow.steps),
        fix: call_it(db, &flow.producer, &flow.steps, flow.argument),
    }
}
