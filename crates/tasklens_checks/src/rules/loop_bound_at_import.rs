//! TL020: an asyncio lock, event, condition, semaphore or queue made at import time, which
//! Python 3.8 and 3.9 bind to a loop the program does not run.

use tasklens_flow::LoopBoundObject;

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;
use crate::rules::create_task_without_running_loop::chain_labels;

declare_rule! {
    /// ## What it does
    /// Finds asyncio objects made without `loop=` in code that runs when a module is
    /// imported or a script starts (module level, `if __name__ == "__main__":`, class
    /// bodies, and the synchronous functions, methods and constructors they call, across
    /// modules): `asyncio.Future()` in any project, and `asyncio.Lock()`, `Event()`,
    /// `Condition()`, `Semaphore()`, `BoundedSemaphore()`, `Queue()`, `PriorityQueue()` and
    /// `LifoQueue()` (and project subclasses) when the project declares that it supports
    /// Python 3.8 or 3.9 (`requires-python`, `target-version`). Only where the project runs
    /// a loop of its own (`asyncio.run`, `asyncio.Runner`, `new_event_loop()`, not under a
    /// guard for 3.10 and later) and no loop object, or runs none at all (a library, whose
    /// users' `asyncio.run` makes one). Not where a loop is set first (as for TL017), not
    /// in a project that runs a loop object (`loop.run_until_complete(...)`, which may be
    /// the loop `get_event_loop()` gave at import time, as textual does on 3.9 for this
    /// very reason), and not, for the locks and queues, under `if sys.version_info >=
    /// (3, 10):`; calls that may not run (under a test, in a `try` that handles
    /// `RuntimeError`) are left out, as for TL003.
    ///
    /// ## Why is this bad?
    /// These objects ask `get_event_loop()` for their loop when they are made: a `Future`
    /// in every version, the locks, events, conditions, semaphores and queues before Python
    /// 3.10 (later ones bind the running loop on first use). At import time no loop runs,
    /// so they get the main thread's default loop; `asyncio.run(main())` then runs another
    /// one. The first time a coroutine has to wait on the object (a Future not yet done, a
    /// held lock, an event not yet set, an empty queue) it raises `RuntimeError: Task ...
    /// got Future ... attached to a different loop`, a failure that depends on timing and
    /// that no type checker reports.
    ///
    /// ## Example
    /// ```python
    /// _cache_lock = asyncio.Lock()
    ///
    /// async def refresh():
    ///     async with _cache_lock:  # RuntimeError on 3.8 and 3.9 when the lock is held
    ///         ...
    /// ```
    ///
    /// Use instead: make it where the loop runs, once.
    /// ```python
    /// _cache_lock: asyncio.Lock | None = None
    ///
    /// async def refresh():
    ///     global _cache_lock
    ///     if _cache_lock is None:
    ///         _cache_lock = asyncio.Lock()
    ///     async with _cache_lock:
    ///         ...
    /// ```
    /// or require Python 3.10 or later.
    ///
    /// ## References
    /// - [What's new in Python 3.10: asyncio's `loop` parameter removed](https://docs.python.org/3/whatsnew/3.10.html#changes-in-the-python-api)
    /// - [`asyncio.Lock`](https://docs.python.org/3/library/asyncio-sync.html#asyncio.Lock)
    pub static RULE = ("TL020", "loop-bound-at-import", Severity::Warning);
}

/// TL020 for one object made at import time.
pub(crate) fn diagnostic(
    db: &dyn salsa::Database,
    object: &LoopBoundObject,
    target: tasklens_db::PythonVersion,
) -> Diagnostic {
    let made = &object.made;
    let call = describe::call(db, made.at, made.callee);
    // `asyncio.Lock()` names what it makes; `Jobs()` or `super().__init__(n)` does not.
    let what = match call.contains(object.class.as_str()) {
        true => format!("`{call}` is made"),
        false => format!("`{call}` makes an `asyncio.{}`", object.class),
    };
    let when = match made.chain.first() {
        None => match made.start {
            tasklens_flow::LooplessStart::Script => "when the script starts".to_owned(),
            _ => "at import time".to_owned(),
        },
        Some(first) => match made.start {
            tasklens_flow::LooplessStart::Script => {
                format!("when the script starts, through the call in {}", describe::place(db, *first))
            }
            _ => format!("when the module is imported, through the call in {}", describe::place(db, *first)),
        },
    };
    let (versions, s) = match target < tasklens_db::PythonVersion::new(3, 9) {
        true => ("3.8 and 3.9", ""),
        false => ("3.9", "s"),
    };
    let message = match object.bound_in_every_version() {
        true => format!(
            "{what} {when}, bound to the loop `get_event_loop()` gives then, not the one `asyncio.run` runs: \
             awaiting it there raises RuntimeError (attached to a different loop) in every Python version; make it \
             inside a coroutine (`asyncio.get_running_loop().create_future()`)"
        ),
        false => format!(
            "{what} {when}, where Python {versions} bind{s} it to the loop `get_event_loop()` gives then, \
             not the one `asyncio.run` runs: waiting on it there raises RuntimeError (attached to a different loop); \
             make it inside a coroutine, or require Python 3.10"
        ),
    };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label { file: made.at.file, range: made.at.range, message: "bound to the loop of import time".into() },
        trace: chain_labels(&made.chain, made.start),
        fix: None,
    }
}
