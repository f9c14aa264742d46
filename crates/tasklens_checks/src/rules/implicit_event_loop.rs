//! TL017: `asyncio.get_event_loop()` where no event loop is running or set.

use ruff_text_size::TextRange;
use tasklens_flow::{Location, LooplessStart};

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;
use crate::rules::create_task_without_running_loop::chain_labels;

declare_rule! {
    /// ## What it does
    /// Finds `asyncio.get_event_loop()`, and the calls that ask it for a loop without
    /// `loop=` (`asyncio.Future()`, `asyncio.Task(coro)`, `wrap_future(f)`, and
    /// `ensure_future`, `gather` and `shield` given a coroutine first), in code that runs
    /// when a module is imported or a
    /// script starts (module level, `if __name__ == "__main__":`, class bodies, and the
    /// synchronous functions, methods and constructors they call, across modules), where
    /// no event loop is running and none has been set: the loop it returns is one it makes
    /// up on the spot. Not where the module-level code the call is reached from (or of a
    /// package above that module, imported first), or a function on the way, calls
    /// `asyncio.set_event_loop(...)`, nor in a project that
    /// sets an event loop policy (`asyncio.set_event_loop_policy`, `uvloop.install()`, `nest_asyncio.apply()`, whose
    /// policy makes a loop when asked);
    /// calls that may not run (under a test, in a `try` that handles `RuntimeError`) are
    /// left out, as for TL003. The loop the first ask makes up is set, so later asks of
    /// the same script start or import find it: after the first in a module's own code,
    /// its later ones are not reported.
    ///
    /// ## Why is this bad?
    /// Creating a loop implicitly is deprecated: Python 3.12 and 3.13 emit
    /// `DeprecationWarning: There is no current event loop`, and Python 3.14 raises
    /// `RuntimeError` instead (no current event loop). The usual script start,
    /// `loop = asyncio.get_event_loop(); loop.run_until_complete(main())`, stops working,
    /// and type checkers see nothing wrong with it.
    ///
    /// ## Example
    /// ```python
    /// loop = asyncio.get_event_loop()
    /// loop.run_until_complete(main())
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// asyncio.run(main())
    /// ```
    /// or, where the loop must outlive one call, make and set it explicitly:
    /// ```python
    /// loop = asyncio.new_event_loop()
    /// asyncio.set_event_loop(loop)
    /// loop.run_until_complete(main())
    /// ```
    ///
    /// ## References
    /// - [`asyncio.get_event_loop`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.get_event_loop)
    /// - [What's new in Python 3.14: asyncio](https://docs.python.org/3.14/whatsnew/3.14.html#id7)
    pub static RULE = ("TL017", "implicit-event-loop", Severity::Warning);
}

/// How the call asks for the current loop.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asks {
    /// `asyncio.get_event_loop()` itself.
    GetEventLoop,
    /// `asyncio.ensure_future(coro)` without `loop=`, which calls it.
    EnsureFuture,
}

/// TL017 for one call (`at`, its callee `callee`) reached through `chain` from `start`.
pub(crate) fn diagnostic(
    db: &dyn salsa::Database,
    at: Location,
    callee: TextRange,
    chain: &[Location],
    start: LooplessStart,
    asks: Asks,
) -> Diagnostic {
    let what = format!("`{}`", describe::call(db, at, callee));
    let when = match (chain.first(), start) {
        (None, LooplessStart::Script) => "runs when the script starts".to_owned(),
        (None, _) => "runs at import time".to_owned(),
        (Some(first), LooplessStart::Script) => {
            format!("runs when the script starts, through the call in {}", describe::place(db, *first))
        }
        (Some(first), _) => {
            format!("runs when the module is imported, through the call in {}", describe::place(db, *first))
        }
    };
    let how = match asks {
        Asks::GetEventLoop => "",
        Asks::EnsureFuture => ", and asks `get_event_loop()` for one",
    };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "{what} {when}, where no event loop is running or set{how}: DeprecationWarning on Python 3.12 and 3.13, \
             RuntimeError from 3.14 (no current event loop); use `asyncio.run(...)`, or `asyncio.new_event_loop()` \
             with `asyncio.set_event_loop(loop)`"
        ),
        primary: Label { file: at.file, range: at.range, message: "makes up a loop where none is set".into() },
        trace: chain_labels(chain, start),
        fix: None,
    }
}
