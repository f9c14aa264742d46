//! TL003: `asyncio.create_task` where no event loop is running.

use tasklens_flow::{EnsureFutureCall, Location, LooplessCall, LooplessStart};

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds `asyncio.create_task(...)`, and `asyncio.get_running_loop()` (as in
    /// `asyncio.get_running_loop().create_task(...)`), `asyncio.current_task()` and
    /// `asyncio.all_tasks()` (which ask for the running loop when not given one), in code
    /// that runs when no event loop is running:
    /// at module level (including `if __name__ == "__main__":` before `asyncio.run`), in
    /// class bodies, and in synchronous functions, methods and property getters (read at
    /// module level) that are called (also as decorators, a new class's `__init_subclass__`,
    /// or the metaclass a `class` statement names),
    /// transitively and across modules, from those places; and in functions run in another
    /// thread (`loop.run_in_executor(None, f)`, `asyncio.to_thread(f)`,
    /// `threading.Thread(target=f)`, `threading.Timer`, a `concurrent.futures` executor's
    /// `submit(f)` and `map(f, ...)`, the `run` method of a
    /// `threading.Thread` subclass that is started) and what they call; and in functions
    /// registered with `atexit.register(f)` (also as a decorator), which run as the
    /// interpreter exits, after `asyncio.run` has returned, and what they call. A synchronous helper
    /// that is only called from coroutines or loop callbacks is fine, and so is a thread
    /// that runs its own loop (`asyncio.run(main())`). `asyncio.get_event_loop()`, and
    /// `asyncio.ensure_future(coro)`, `asyncio.Future()`, `asyncio.Task(coro)`,
    /// `asyncio.wrap_future(f)`, and `gather` or `shield` given a coroutine first, without
    /// `loop=`, in such a thread fail too, unless
    /// something on the way sets an event loop for the thread (`asyncio.set_event_loop`) or
    /// the project sets an event loop policy (which may give every thread a loop). Calls
    /// that may not run are left
    /// out: inside functions, those under a branch, loop or `try`, and those after a test
    /// on a parameter (`if sync: return`) that the caller does not decide by leaving the
    /// parameter to its constant default; at module level, those under a test (other than
    /// `if __name__ == "__main__":`) or in a `try` that handles `RuntimeError`. So is a call
    /// of a value that may also be something else (a callback attribute that one
    /// constructor sets to `asyncio.current_task` and another to a lambda). A module that the
    /// project imports only inside coroutines (`async def main(): import plugin`), or at
    /// the import time of such modules, runs its module-level code in the loop; a module the
    /// project never imports may be run or imported from anywhere, so its code counts as
    /// running at import time.
    ///
    /// ## Why is this bad?
    /// `asyncio.create_task` schedules the coroutine on the *running* loop of the current
    /// thread. With none running it raises `RuntimeError: no running event loop` (and the
    /// coroutine is never awaited); a worker thread never has one, even while the main
    /// thread's loop runs (use `asyncio.run_coroutine_threadsafe(coro, loop)` there). `loop.create_task` on a loop object that is not running yet is fine.
    /// `get_event_loop()`, which `ensure_future(coro)` calls, asks for the thread's loop, and in a thread
    /// that never set one that raises `RuntimeError: There is no current event loop in
    /// thread ...` in every Python version.
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
pub(crate) fn diagnostic(db: &dyn salsa::Database, task: &LooplessCall) -> Diagnostic {
    let call = describe::call(db, task.at, task.callee);
    if task.current_loop
        && let Some(diagnostic) = thread_without_loop(
            db,
            task.at,
            &format!("`{call}`"),
            &task.chain,
            task.start,
            "pass the main thread's loop to the thread instead",
        )
    {
        return diagnostic;
    }
    let message = match (task.chain.first(), task.start) {
        (None, LooplessStart::Script) => format!(
            "`{call}` runs when the script starts (under `if __name__ == \"__main__\":`), where no event loop is running (RuntimeError: no running event loop)"
        ),
        (None, _) => format!(
            "`{call}` runs at import time, where no event loop is running (RuntimeError: no running event loop)"
        ),
        (Some(first), LooplessStart::Script) => format!(
            "`{call}` runs when the script starts, through the call in {} (under `if __name__ == \"__main__\":`), where no event loop is running (RuntimeError: no running event loop)",
            describe::place(db, *first)
        ),
        (Some(first), LooplessStart::Import) => format!(
            "`{call}` runs when the module is imported, through the call in {}, where no event loop is running (RuntimeError: no running event loop)",
            describe::place(db, *first)
        ),
        (Some(first), LooplessStart::Thread) => format!(
            "`{call}` runs in another thread, started by the call in {}, where no event loop is running (RuntimeError: no running event loop)",
            describe::place(db, *first)
        ),
        (Some(first), LooplessStart::Exit) => format!(
            "`{call}` runs as the interpreter exits, registered by the call in {}, after the event loop has stopped (RuntimeError: no running event loop); clean up before the loop stops, or run a coroutine there with `asyncio.run(...)`",
            describe::place(db, *first)
        ),
    };
    let trace = chain_labels(&task.chain, task.start);
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label { file: task.at.file, range: task.at.range, message: "needs a running event loop".into() },
        trace,
        fix: None,
    }
}

/// TL003 for `ensure_future(coro)` (without `loop=`) in a function run in another thread
/// where nothing sets an event loop: it calls `get_event_loop()`, which raises there.
pub(crate) fn ensure_future_diagnostic(db: &dyn salsa::Database, call: &EnsureFutureCall) -> Option<Diagnostic> {
    let (chain, start) = call.loopless.as_ref()?;
    if !call.no_current_loop || call.loop_keyword.is_some() {
        return None;
    }
    let what = format!("`{}`", describe::call(db, call.at, call.callee));
    let advice = "use `asyncio.run_coroutine_threadsafe(coro, loop)` with the main thread's loop";
    thread_without_loop(db, call.at, &what, chain, *start, advice)
}

/// TL003 for a call (`what`) that asks for the current event loop in a function run in
/// another thread that never sets one; `None` unless the chain starts a thread.
fn thread_without_loop(
    db: &dyn salsa::Database,
    at: Location,
    what: &str,
    chain: &[Location],
    start: LooplessStart,
    advice: &str,
) -> Option<Diagnostic> {
    if start != LooplessStart::Thread {
        return None;
    }
    let first = describe::place(db, *chain.first()?);
    Some(Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "{what} runs in another thread, started by the call in {first}, which has no event loop (RuntimeError: There is no current event loop in thread); {advice}"
        ),
        primary: Label { file: at.file, range: at.range, message: "needs an event loop in this thread".into() },
        trace: chain_labels(chain, start),
        fix: None,
    })
}

/// The calls that reach code where no loop runs, outermost first, as labels.
pub(crate) fn chain_labels(chain: &[Location], start: LooplessStart) -> Vec<Label> {
    let first_label = match start {
        LooplessStart::Import => "called at import time",
        LooplessStart::Script => "called when the script starts",
        LooplessStart::Thread => "runs it in another thread",
        LooplessStart::Exit => "registers it to run at exit",
    };
    (chain.iter().enumerate())
        .map(|(index, at)| Label {
            file: at.file,
            range: at.range,
            message: if index == 0 { first_label.into() } else { "which calls".into() },
        })
        .collect()
}
