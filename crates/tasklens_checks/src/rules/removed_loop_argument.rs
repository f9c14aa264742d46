//! TL006: `loop=` passed to an asyncio API that removed it in Python 3.10.

use tasklens_db::PythonVersion;
use tasklens_flow::RemovedLoopArgument;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds `loop=` passed to the asyncio APIs that removed the parameter in Python 3.10:
    /// `sleep`, `gather`, `wait`, `wait_for`, `as_completed`, `shield`, the `Queue`
    /// classes, `Lock`, `Event`, `Condition`, `Semaphore`, `BoundedSemaphore`,
    /// `open_connection`, `start_server`, `open_unix_connection`, `start_unix_server`,
    /// `create_subprocess_exec` and `create_subprocess_shell`, however they are imported
    /// or aliased. Reported when the target version is 3.10 or newer (`--target-version`,
    /// else `requires-python`, else the oldest CPython still supported).
    ///
    /// `ensure_future`, `wrap_future`, `run_coroutine_threadsafe`, `Future()`, `Task()`,
    /// `all_tasks`, `current_task` and the stream classes still accept `loop=` and are never
    /// reported.
    ///
    /// ## Why is this bad?
    /// From Python 3.10 the call raises `TypeError: ... got an unexpected keyword argument
    /// 'loop'`. These APIs use the running loop anyway.
    ///
    /// ## Example
    /// ```python
    /// async def main(loop):
    ///     await asyncio.sleep(1, loop=loop)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main(loop):
    ///     await asyncio.sleep(1)
    /// ```
    ///
    /// ## References
    /// - [What's new in Python 3.10: asyncio](https://docs.python.org/3/whatsnew/3.10.html#removed)
    pub static RULE = ("TL006", "removed-loop-argument", Severity::Error);
}

/// The version that removed the parameter.
pub(crate) const REMOVED_IN: PythonVersion = PythonVersion::new(3, 10);

/// TL006 for one call.
pub(crate) fn diagnostic(argument: &RemovedLoopArgument, target: PythonVersion) -> Diagnostic {
    let api = argument.api.rsplit('.').next().unwrap_or(&argument.api);
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "`asyncio.{api}` no longer accepts `loop=` (removed in Python 3.10; the target is {target}): TypeError at run time"
        ),
        primary: Label {
            file: argument.keyword.file,
            range: argument.keyword.range,
            message: "remove this argument".into(),
        },
        trace: Vec::new(),
    }
}
