//! TL018: a coroutine used where a Task or a Future is needed (a forgotten `create_task`).

use ruff_text_size::TextRange;
use tasklens_flow::{CallContext, CoroutineFlow};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds calls that make a coroutine (of the project's `async def`, or one of
    /// asyncio's own such as `asyncio.sleep(1)` or `event.wait()`) whose coroutine reaches
    /// code that needs a Task or a Future: a method that Futures and Tasks have and a
    /// coroutine lacks (`cancel`, `cancelled`, `done`, `result`, `exception`,
    /// `add_done_callback`, `remove_done_callback`, `get_loop`, `set_result`,
    /// `set_exception`, called or read), a Task-only method (`get_name`, `set_name`,
    /// `get_coro`...), or a return, parameter, variable or attribute annotated as a Task,
    /// followed as TL001 follows a Future: across assignments, attributes, containers,
    /// calls, returns and modules. Only where every function the call can run is an
    /// `async def` the call names, not under a decorator the analysis does not know;
    /// `hasattr(x, "cancel")`, `isinstance(x, asyncio.Future)` and `not iscoroutine(x)`
    /// rule the coroutine out, and a `try` that catches `AttributeError` leaves the
    /// method alone. Also what `for` binds over `asyncio.as_completed(...)` (directly or
    /// through a name): coroutines on every Python, unlike `concurrent.futures.as_completed`,
    /// which gives Futures (`for f in as_completed(tasks): f.result()`); only `async for`,
    /// from 3.13 on, gives the awaitables themselves.
    ///
    /// ## Why is this bad?
    /// A call of an `async def` makes a coroutine, not a Task: its body does not run until
    /// it is awaited or wrapped in a Task. Code that keeps it as a handle to cancel or
    /// inspect later (`self._task = self._run()`, then `self._task.cancel()`) fails with
    /// `AttributeError: 'coroutine' object has no attribute 'cancel'`, and the work it
    /// was meant to start never started (Python prints `RuntimeWarning: coroutine ... was
    /// never awaited` when it is collected). mypy reports it only where both ends are
    /// annotated and it checks the function; across unannotated attributes and modules
    /// nothing does.
    ///
    /// ## Example
    /// ```python
    /// class Poller:
    ///     async def start(self):
    ///         self._task = self._poll()
    ///
    ///     async def stop(self):
    ///         self._task.cancel()
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// class Poller:
    ///     async def start(self):
    ///         self._task = asyncio.create_task(self._poll())
    ///
    ///     async def stop(self):
    ///         self._task.cancel()
    /// ```
    ///
    /// ## Fix safety
    /// In an `async def` (where a loop runs), `--unsafe-fixes` wraps the call in
    /// `asyncio.create_task(...)` (spelled as the module imports asyncio). Unsafe: the
    /// body that never ran now runs, concurrently with the code that made it.
    ///
    /// ## References
    /// - [Coroutines and Tasks](https://docs.python.org/3/library/asyncio-task.html#creating-tasks)
    pub static RULE = ("TL018", "coroutine-used-as-task", Severity::Error);
}

/// The call a flow starts at: one finding per call to change.
pub(crate) fn line_to_change(flow: &CoroutineFlow) -> (tasklens_db::File, TextRange) {
    (flow.at.file, flow.at.range)
}

/// TL018 for one call and the sinks its coroutine reaches (the shortest flow first),
/// unless the call names none of the functions it runs: a callable kept in an attribute
/// or a parameter (`self.factory()`) is whatever some caller gave.
pub(crate) fn diagnostic(
    db: &dyn salsa::Database,
    flow: &CoroutineFlow,
    others: &[&CoroutineFlow],
) -> Option<Diagnostic> {
    let callee = &describe::shown(db, flow.at.file, flow.callee);
    if !describe::names_its_functions(callee, &flow.functions) {
        return None;
    }
    let mut message = match flow.iterated {
        true => format!(
            "iterated with `for`, `{callee}(...)` gives coroutines, not Futures or Tasks; {}",
            describe::sink(db, &flow.sink)
        ),
        false => format!("`{callee}(...)` makes a coroutine, not a Task; {}", describe::sink(db, &flow.sink)),
    };
    if !others.is_empty() {
        message.push_str(&describe::more_places(others.len(), " that need a Task", " that needs a Task"));
    }
    message.push_str(match flow.iterated {
        true => "; await each one for its result (`result = await coro`)",
        false => "; wrap the call in `asyncio.create_task(...)`",
    });
    let mut trace: Vec<Label> = describe::coroutine_function_label(&flow.functions).into_iter().collect();
    trace.extend(describe::step_labels(&flow.steps));
    trace.extend(describe::sink_labels(db, &flow.sink, others.iter().map(|other| &other.sink)));
    Some(Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: flow.at.file,
            range: flow.at.range,
            message: match flow.iterated {
                true => "gives a coroutine for each awaitable, in the order they finish".into(),
                false => "makes a coroutine".into(),
            },
        },
        trace,
        fix: (!flow.iterated).then(|| wrap_in_task(db, flow)).flatten(),
    })
}

/// `self._poll()` -> `asyncio.create_task(self._poll())`, in a coroutine.
fn wrap_in_task(db: &dyn salsa::Database, flow: &CoroutineFlow) -> Option<Fix> {
    if flow.context != CallContext::Coroutine {
        return None;
    }
    let create_task = crate::asyncio_imports::create_task_name(db, flow.at.file)?;
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: format!("Wrap the call in `{create_task}`"),
        edits: vec![
            Edit { range: TextRange::empty(flow.at.range.start()), content: format!("{create_task}(") },
            Edit { range: TextRange::empty(flow.at.range.end()), content: ")".into() },
        ],
    })
}
