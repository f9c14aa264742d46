//! asyncio APIs that no longer take `loop=` (removed in Python 3.10), and those that never
//! did.

use super::split;

/// asyncio APIs whose `loop` parameter was removed in Python 3.10 (checked against
/// CPython 3.8-3.13 in `shared/asyncio-facts.md`): passing `loop=` raises TypeError there.
/// `ensure_future`, `wrap_future`, `run_coroutine_threadsafe`, `Future`, `Task`,
/// `all_tasks`, `current_task` and the stream classes still accept it.
pub const LOOP_REMOVED_IN_3_10: &[&str] = &[
    "sleep",
    "gather",
    "wait",
    "wait_for",
    "as_completed",
    "shield",
    "Queue",
    "LifoQueue",
    "PriorityQueue",
    "Lock",
    "Event",
    "Condition",
    "Semaphore",
    "BoundedSemaphore",
    "open_connection",
    "start_server",
    "open_unix_connection",
    "start_unix_server",
    "create_subprocess_exec",
    "create_subprocess_shell",
];

/// asyncio APIs that never took `loop=` (TypeError in every version): `create_task`, often
/// what `ensure_future(coro, loop=loop)` is renamed to by hand, `run`, and those added
/// after the removal (3.11: `timeout`, `timeout_at`, `Timeout`, `TaskGroup`, `Barrier`,
/// `Runner`; 3.12: `create_eager_task_factory`).
pub const LOOP_NEVER_ACCEPTED: &[&str] = &[
    "create_task",
    "run",
    "timeout",
    "timeout_at",
    "Timeout",
    "TaskGroup",
    "Barrier",
    "Runner",
    "create_eager_task_factory",
];

/// Whether `path` names an asyncio API that no longer takes `loop=`, or never did.
pub fn loop_removed(path: &str) -> bool {
    let (top, last) = split(path);
    top == "asyncio" && (LOOP_REMOVED_IN_3_10.contains(&last) || LOOP_NEVER_ACCEPTED.contains(&last))
}

/// Whether `path` names an asyncio API that never took `loop=`.
pub fn loop_never_accepted(path: &str) -> bool {
    let (top, last) = split(path);
    top == "asyncio" && LOOP_NEVER_ACCEPTED.contains(&last)
}
