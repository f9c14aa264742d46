//! TL001: a plain Future reaches code that needs a Task.

use tasklens_flow::{FutureFlow, Producer, Step, StepKind};

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds values that can be a plain `asyncio.Future` and reach code that needs an
    /// `asyncio.Task`: a Task-only method (`get_name`, `set_name`, `get_coro`, `get_stack`,
    /// `print_stack`, `get_context`, `cancelling`, `uncancel`; also read by `getattr(t,
    /// "get_name")` without a default), or a return, parameter,
    /// variable or attribute annotated as a Task (also in a string annotation, a
    /// container such as `dict[str, Task]`, `asyncio.Queue[Task]`, `queue.Queue[Task]` or
    /// `ContextVar[Task]`, a position of a tuple (`tuple[str, Task]`, also nested:
    /// `dict[str, tuple[Task, float]]`), a `TypedDict` field, or a PEP 484 type comment:
    /// `x = None  # type: Optional[Task]`, `# type: (Awaitable[T]) -> Task[T]`).
    /// A union that admits a Task and nothing a plain Future may be (`str | Task`,
    /// `Task | asyncio.TimerHandle | None`) needs a Task too.
    /// The value is followed across assignments, calls, returns, attributes (also through
    /// property setters), containers, queues (asyncio's and threads'), context variables,
    /// the results set on Futures (`fut.set_result(v)`, then `await fut`) and modules. `isinstance(x, asyncio.Task)` stops it where the test holds, also for
    /// an attribute (`if isinstance(self.task, asyncio.Task): self.task.get_name()`) until
    /// the attribute is assigned, and so does a predicate function or method of the
    /// project called on it (`def is_task(obj): return isinstance(obj, asyncio.Task)`, or
    /// one annotated `-> TypeGuard[asyncio.Task]` or `-> TypeIs[asyncio.Task]`, then `if
    /// is_task(job):` or `if self._is_task(job):`); `filter` keeps only what its function
    /// tests (`filter(lambda t: isinstance(t, asyncio.Task), jobs)`).
    ///
    /// A parameter annotated to take a Future (`aw: Awaitable[T]`, or as elements:
    /// `aws: Iterable[Awaitable[T]]`) counts as one even if no caller in the project passes
    /// a Future: a function that promises a Task and hands such a parameter back through
    /// `ensure_future` is reported at that `ensure_future` (typeshed types its result as a
    /// Task, so type checkers accept it). A caller's Future that reaches the sink only
    /// through such a parameter is that parameter's finding, which shows where it is made.
    ///
    /// ## Why is this bad?
    /// `asyncio.ensure_future(x)` returns `x` itself when `x` is already a Future, and
    /// `gather`, `shield`, `loop.create_future()`, `run_in_executor`, `wrap_future` and
    /// `run_coroutine_threadsafe` return plain Futures. A plain Future has none of the
    /// Task-only methods, so the code raises `AttributeError` at run time. Type checkers
    /// miss it when the value passes through `Awaitable`, `Any`, unannotated code or
    /// unannotated returns across modules.
    ///
    /// ## Example
    /// ```python
    /// import asyncio
    ///
    /// def start(loop):
    ///     return asyncio.ensure_future(loop.create_future())
    ///
    /// async def main():
    ///     task = start(asyncio.get_running_loop())
    ///     print(task.get_name())  # AttributeError: '_asyncio.Future' object has no attribute 'get_name'
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main():
    ///     task = asyncio.create_task(work())
    ///     print(task.get_name())
    /// ```
    ///
    /// ## References
    /// - [`asyncio.ensure_future`](https://docs.python.org/3/library/asyncio-future.html#asyncio.ensure_future)
    /// - [`asyncio.Task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task)
    pub static RULE = ("TL001", "future-flows-into-task", Severity::Error);
}

/// Where the finding for `flow` points: the producer, or for a parameter the
/// `ensure_future` (else the first hop) that forwards it.
pub(crate) fn line_to_change(flow: &FutureFlow) -> tasklens_flow::Location {
    match (&flow.producer, forwarding_step(flow)) {
        (Producer::Parameter { .. }, Some(index)) => flow.steps[index].at,
        (producer, _) => producer.location(),
    }
}

/// For a parameter that admits a Future, the step that forwards it where a Task is
/// expected: the `ensure_future` that hands it back unchanged, or else the first hop.
fn forwarding_step(flow: &FutureFlow) -> Option<usize> {
    if flow.steps.is_empty() {
        return None;
    }
    Some(flow.steps.iter().position(|step| step.kind == StepKind::PassThrough).unwrap_or(0))
}

/// TL001 for one flow.
///
/// `others` are flows from the same producer to other sinks.
pub(crate) fn diagnostic(db: &dyn salsa::Database, flow: &FutureFlow, others: &[&FutureFlow]) -> Diagnostic {
    let mut message = format!("{}; {}", describe::producer(db, &flow.producer), describe::sink(db, &flow.sink));
    if !others.is_empty() {
        message.push_str(&describe::more_places(others.len(), " that need a Task", " that needs a Task"));
    }
    // The project's own Futures passed to the parameter: the finding is not only possible.
    if let (Producer::Parameter { name, .. }, Some(first)) = (&flow.producer, flow.passed.first()) {
        let more = match flow.passed.len() - 1 {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        message.push_str(&format!(
            "; `{name}` is given one: {} ({}){more}",
            describe::produced_call(db, first),
            describe::place(db, first.location())
        ));
    }
    // A parameter is not the line to change: the first hop that forwards it is.
    let (primary, rest) = match (&flow.producer, forwarding_step(flow)) {
        (Producer::Parameter { .. }, Some(index)) => {
            let forward = &flow.steps[index];
            let label = Label { file: forward.at.file, range: forward.at.range, message: describe::step(forward) };
            let rest: Vec<Step> =
                (flow.steps.iter().enumerate()).filter(|(i, _)| *i != index).map(|(_, step)| step.clone()).collect();
            (label, rest)
        }
        (producer, _) => {
            let at = producer.location();
            let text = match producer {
                Producer::Parameter { name, shape, .. } => describe::parameter_may_be(name, *shape),
                other => format!("creates {}", describe::produced(other)),
            };
            (Label { file: at.file, range: at.range, message: text }, flow.steps.clone())
        }
    };
    // A parameter's flow starts at the Futures the project passes to it, if any.
    let mut trace: Vec<Label> = match &flow.producer {
        Producer::Parameter { name, .. } => (flow.passed.iter())
            .map(|passed| {
                let at = passed.location();
                Label { file: at.file, range: at.range, message: format!("a plain Future that reaches `{name}`") }
            })
            .collect(),
        // The partial whose call made it, where it was made.
        Producer::Call { wraps: Some(wrapped), .. } => vec![Label {
            file: wrapped.file,
            range: wrapped.range,
            message: "wrapped by `functools.partial` here".into(),
        }],
        _ => Vec::new(),
    };
    if let Producer::Parameter { at, name, shape, .. } = &flow.producer
        && !flow.steps.is_empty()
    {
        let message = describe::parameter_may_be(name, *shape);
        trace.push(Label { file: at.file, range: at.range, message });
    }
    trace.extend(describe::step_labels(&rest));
    trace.extend(describe::sink_labels(db, &flow.sink, others.iter().map(|other| &other.sink)));
    Diagnostic { code: RULE.code, severity: RULE.severity, message, primary, trace, fix: None }
}
