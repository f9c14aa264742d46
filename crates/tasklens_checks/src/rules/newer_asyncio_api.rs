//! TL016: an asyncio API or Task method newer than the oldest Python the project supports.

use tasklens_db::PythonVersion;
use tasklens_flow::{NewerApi, NewerApiUse};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds asyncio APIs that the oldest Python the project declares it supports does not
    /// have: `asyncio.run`, `create_task`, `get_running_loop`, `current_task` and
    /// `all_tasks` (3.7), `asyncio.to_thread` (3.9), `asyncio.TaskGroup`, `timeout`,
    /// `timeout_at`, `Timeout`, `Runner`, `Barrier` and `BrokenBarrierError` (3.11),
    /// `create_eager_task_factory` and `eager_task_factory` (3.12), `QueueShutDown` (3.13),
    /// however they are imported or aliased, called or only read
    /// (`loop.set_task_factory(asyncio.eager_task_factory)`, `except
    /// asyncio.QueueShutDown:`); the event loop's `shutdown_default_executor()` (3.9); and the Task
    /// methods `cancelling()` and `uncancel()` (3.11) and `get_context()` (3.12) called on a
    /// value that can be a Task, followed across functions, attributes and modules as
    /// TL001 follows Futures, and a message given to `cancel()` (3.9) of a value that can
    /// be a Task or a Future; keyword arguments added later (`context=` of `create_task`
    /// and `Task` in 3.11, `eager_start=` of `Task` and `loop_factory=` of `asyncio.run` in
    /// 3.12); and `async for` (or an async comprehension) over `asyncio.as_completed(...)`,
    /// directly or through a name, which only 3.13 made an async iterator (before, it is a
    /// plain generator). `from asyncio import TaskGroup` is reported at the import,
    /// which fails when the module is imported (`ImportError`), even if nothing uses the
    /// name; calls through the imported name are not reported again. An import under
    /// `if TYPE_CHECKING:` or another `if`, or where `ImportError` is handled, is left alone.
    ///
    /// Reported only where the project declares its oldest Python (`--target-version`,
    /// `target-version` in the configuration, `requires-python`, Poetry's `python`, or
    /// `python_requires` in `setup.cfg` or `setup.py`), not for the default
    /// assumed without one. A use under a version guard that only newer Pythons take
    /// (`if sys.version_info >= (3, 11):`, the `else` of `<`, `hasattr(asyncio,
    /// "TaskGroup")`, after `if sys.version_info < (3, 11): return`, or a `raise`,
    /// `sys.exit(...)`, `pytest.skip(...)` or `self.skipTest(...)` there, or in a function
    /// that only calls under such a guard run, directly or through other functions), a call whose
    /// callee may also be something else (`try: from asyncio import timeout` with a
    /// backport imported under `except ImportError:`), a test or test class under
    /// `@pytest.mark.skipif(sys.version_info < (3, 11), ...)` (or `@unittest.skipIf`,
    /// `skipUnless`, a module-level name bound to such a marker, or the module's
    /// `pytestmark`), a use under an `if` that may
    /// test for it some other way (`if getattr(task, "cancelling", None):`, a flag set
    /// from the version), a Task method call where `AttributeError` is caught, and a
    /// keyword, a `cancel()` message or an `async for` where `TypeError` is caught are left
    /// alone.
    ///
    /// ## Why is this bad?
    /// On the older Pythons the project says it supports, the name does not exist:
    /// `AttributeError: module 'asyncio' has no attribute 'TaskGroup'` (an `ImportError`
    /// where it is imported by name), or `AttributeError: '_asyncio.Task' object has no
    /// attribute 'cancelling'`; a newer keyword is `TypeError: run() got an unexpected
    /// keyword argument 'loop_factory'`, a message `TypeError: cancel() takes no arguments
    /// (1 given)`, and `async for` over `as_completed` is `TypeError: 'async for' requires
    /// an object with __aiter__ method, got generator`. Type checkers run for the
    /// interpreter they are installed in unless told otherwise, so a developer on a newer Python sees nothing; and they
    /// check Task methods only where the value's type is known at the call.
    ///
    /// ## Example
    /// ```toml
    /// [project]
    /// requires-python = ">=3.9"
    /// ```
    /// ```python
    /// async def main():
    ///     async with asyncio.TaskGroup() as group:  # AttributeError on 3.9 and 3.10
    ///         group.create_task(work())
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main():
    ///     await asyncio.gather(work())
    /// ```
    /// or guard the newer code with `if sys.version_info >= (3, 11):`, or raise
    /// `requires-python`.
    ///
    /// ## References
    /// - [What's new in Python 3.11: asyncio](https://docs.python.org/3/whatsnew/3.11.html#asyncio)
    /// - [`Task.cancelling`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.cancelling)
    pub static RULE = ("TL016", "newer-asyncio-api", Severity::Error);
}

/// TL016 for one use.
pub(crate) fn diagnostic(used: &NewerApiUse, target: PythonVersion) -> Diagnostic {
    let since = used.since;
    let missing = missing_versions(target, since);
    let (message, label) = match &used.api {
        NewerApi::LoopMethod { method } => (
            format!(
                "the event loop's `{method}()` was added in Python {since}, but the project supports Python \
                 {target}: AttributeError on {missing}"
            ),
            format!("event loops have no `{method}` before Python {since}"),
        ),
        NewerApi::Function { path } => {
            let name = path.rsplit('.').next().unwrap_or(path);
            (
                format!(
                    "`asyncio.{name}` was added in Python {since}, but the project supports Python {target}: \
                     AttributeError on {missing}"
                ),
                format!("`asyncio.{name}` does not exist before Python {since}"),
            )
        }
        NewerApi::TaskMethod { method } => (
            format!(
                "`Task.{method}()` was added in Python {since}, but the project supports Python {target}: \
                 AttributeError on {missing}"
            ),
            format!("Tasks have no `{method}` before Python {since}"),
        ),
        NewerApi::Import { name } => (
            format!(
                "`from asyncio import {name}` fails on Python {missing}: `asyncio.{name}` was added in Python \
                 {since}, but the project supports Python {target} (ImportError when the module is imported)"
            ),
            format!("asyncio has no `{name}` before Python {since}"),
        ),
        NewerApi::AsyncIteration { path } => (
            format!(
                "`async for` over `{path}(...)` needs Python {since}, but the project supports Python {target}: \
                 TypeError on {missing} ('async for' requires an object with __aiter__ method, got generator); \
                 use `for` and await each item it gives"
            ),
            format!("a plain iterator before Python {since}"),
        ),
        NewerApi::CancelMessage => (
            format!(
                "`cancel()` takes a message from Python {since} on, but the project supports Python {target}: \
                 TypeError on {missing}, where Tasks and Futures cancel without arguments"
            ),
            format!("no arguments before Python {since}"),
        ),
        NewerApi::Keyword { path, keyword } => {
            let name = path.rsplit('.').next().unwrap_or(path);
            (
                format!(
                    "`asyncio.{name}(..., {keyword}=...)` needs Python {since}, but the project supports Python \
                     {target}: TypeError on {missing}, where it takes no `{keyword}` argument"
                ),
                format!("`{keyword}` is not accepted before Python {since}"),
            )
        }
    };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label { file: used.at.file, range: used.at.range, message: label },
        trace: Vec::new(),
        fix: None,
    }
}

/// The supported versions that lack the API: "3.9 and 3.10", "3.10".
fn missing_versions(target: PythonVersion, since: PythonVersion) -> String {
    let versions: Vec<String> = (target.minor..since.minor).map(|minor| format!("3.{minor}")).collect();
    match versions.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
