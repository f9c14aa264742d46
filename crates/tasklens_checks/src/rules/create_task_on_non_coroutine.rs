//! TL004: `create_task` called with something that is not a coroutine.

use ruff_text_size::TextRange;
use tasklens_flow::{Location, Producer, Step, TaskArgumentFlow, Wanted};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds values that can be a Future, a Task or an awaitable object that is not a
    /// coroutine and reach the argument of `asyncio.create_task`, `loop.create_task`,
    /// `TaskGroup.create_task`, `asyncio.Task(...)` or `asyncio.run_coroutine_threadsafe`
    /// (`TypeError: A coroutine object is required`, in the calling thread), following them across functions,
    /// attributes, containers and modules; and a function itself (`create_task(work)`
    /// instead of `create_task(work())`, also asyncio's own coroutine functions such as
    /// `asyncio.sleep`), a `functools.partial` object (a callable, not a call) or a generator (a call of a function that yields,
    /// `async def` ones included: an async generator is not a coroutine) reaching those
    /// calls or `ensure_future`, or the asyncio calls that wrap their arguments as it does:
    /// `gather(...)`, `shield(x)`, `wait_for(x, timeout)` and `loop.run_until_complete(x)`
    /// (not with `*args`, whose positions are unknown), and `as_completed(fs)` for each
    /// element of `fs` (it wraps them all when called, before anything is iterated). A `concurrent.futures.Future` (what an
    /// executor's `submit` or `run_coroutine_threadsafe` gives) is no asyncio Future: it is
    /// refused by all of these (`asyncio.wrap_future` makes one of it); `isawaitable(x)` and
    /// `isinstance(x, asyncio.Future)` rule it out. Generators under a decorator the analysis does not know
    /// are left alone (`@types.coroutine` makes them coroutines). Also the call of a plain
    /// `def` with no `return` at all (a forgotten `async`: the call gives None), or whose
    /// `return`s give only None or literals (`return 0`), when
    /// every function the call can run is such a module-level or nested function
    /// (methods are left out: a subclass outside the project may make them `async`).
    /// A call in a `try` that catches `TypeError` is left out (`try: create_task(x) except
    /// TypeError: ensure_future(x)` handles what it refuses). Tests in front of the call
    /// narrow what reaches it: `iscoroutine(x)`,
    /// `isawaitable(x)`, `iscoroutinefunction(f)` and `isinstance`, also through a name
    /// the test was assigned to (`is_coro = asyncio.iscoroutine(x)`, then `if is_coro:`),
    /// through a predicate function of the project that returns such a test of its
    /// argument (`def is_coro(obj): return asyncio.iscoroutine(obj)`, then `if is_coro(x):`),
    /// and in a nested function handed out only where the test holds (`if not
    /// iscoroutinefunction(handler): raise TypeError(...)`, then a `def wrapper()` that
    /// calls `create_task(handler())`).
    ///
    /// ## Why is this bad?
    /// Unlike `ensure_future`, `create_task` only accepts coroutines: anything else raises
    /// `TypeError: a coroutine was expected` at run time. This is the usual way a
    /// "replace ensure_future with create_task" change breaks code. A function that is
    /// passed instead of called, a partial, or a generator, is refused by `ensure_future` too
    /// (a plain generator since Python 3.12: up to 3.11 both took it for a generator-based
    /// coroutine, as `@asyncio.coroutine` made them).
    ///
    /// ## Example
    /// ```python
    /// async def main():
    ///     fut = asyncio.get_running_loop().run_in_executor(None, work)
    ///     task = asyncio.create_task(fut)  # TypeError: a coroutine was expected
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main():
    ///     fut = asyncio.get_running_loop().run_in_executor(None, work)
    ///     result = await fut  # or asyncio.ensure_future(fut) where a Future is fine
    /// ```
    ///
    /// ## Fix safety
    /// Where the argument names an `async def` directly (`create_task(work)`,
    /// `create_task(self.work)`), the function needs no argument (a method read from an
    /// instance has its first parameter bound) and no decorator may wrap it (`staticmethod`
    /// and `classmethod` do not), `--unsafe-fixes` calls it:
    /// `create_task(work())`. Unsafe: the call that raised `TypeError` now runs the coroutine.
    ///
    /// ## References
    /// - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
    pub static RULE = ("TL004", "create-task-on-non-coroutine", Severity::Error);
}

/// TL004 for one value reaching one `create_task` call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, flow: &TaskArgumentFlow) -> Diagnostic {
    let callee = &describe::shown(db, flow.call.file, flow.callee);
    let producer = describe::producer(db, &flow.producer);
    let at = describe::place(db, flow.producer.location());
    let since = since(flow);
    // From 3.12 `wait_for` awaits its argument itself, with a message of its own.
    let awaitable = flow.wanted == Wanted::Awaitable;
    // `as_completed(fs)` wraps each element of `fs`.
    let elements = awaitable && callee.ends_with("as_completed");
    let message = if elements {
        format!(
            "`{callee}` needs coroutines, Futures or awaitables, but among them: {producer} ({at}) (TypeError{since}: An asyncio.Future, a coroutine or an awaitable is required)"
        )
    } else if awaitable && callee.ends_with("wait_for") {
        format!(
            "`{callee}` needs a coroutine, a Future or an awaitable, but {producer} ({at}) reaches it (TypeError{since}: it cannot be awaited)"
        )
    } else if awaitable {
        format!(
            "`{callee}` needs a coroutine, a Future or an awaitable, but {producer} ({at}) reaches it (TypeError{since}: An asyncio.Future, a coroutine or an awaitable is required)"
        )
    } else {
        // `run_coroutine_threadsafe` words its refusal differently.
        let raised = if callee.ends_with("run_coroutine_threadsafe") {
            "A coroutine object is required"
        } else {
            "a coroutine was expected"
        };
        format!("`{callee}` needs a coroutine, but {producer} ({at}) reaches it (TypeError{since}: {raised})")
    };
    let what = describe::produced(&flow.producer);
    let trace = flow_labels(&flow.producer, &flow.steps);
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: flow.argument.file,
            range: flow.argument.range,
            message: if elements {
                format!("{what} is among what is passed, where each must be awaitable")
            } else if awaitable {
                format!("{what} is passed where an awaitable is required")
            } else {
                format!("{what} is passed where a coroutine is required")
            },
        },
        trace,
        fix: call_it(db, &flow.producer, &flow.steps, flow.argument),
    }
}

/// " since Python 3.12" for a plain generator, which asyncio still ran up to 3.11 as a
/// generator-based coroutine; else nothing.
pub(crate) fn since(flow: &TaskArgumentFlow) -> &'static str {
    match flow.producer {
        Producer::Generator { is_async: false, .. } => " since Python 3.12",
        _ => "",
    }
}

/// The producer of the value that is no coroutine, and the hops it took to the argument.
pub(crate) fn flow_labels(producer: &Producer, steps: &[Step]) -> Vec<Label> {
    let what = describe::produced(producer);
    let mut trace = vec![Label {
        file: producer.location().file,
        range: producer.location().range,
        message: match producer {
            Producer::Parameter { name, shape, .. } => describe::parameter_may_be(name, *shape),
            Producer::Awaitable { .. } => "defines `__await__`: its instances are awaitable, not coroutines".into(),
            Producer::Function { is_async: true, .. } => "defined here: a call of it gives the coroutine".into(),
            Producer::Function { .. } => "defined here: the function object itself is passed, not a call of it".into(),
            Producer::Generator { .. } => format!("yields: a call of it gives {what}, not a coroutine"),
            Producer::PlainResult { literal: false, .. } => {
                "no `return`: a call of it gives None (make it `async def`?)".into()
            }
            Producer::PlainResult { literal: true, .. } => {
                "returns a constant: a call of it gives no coroutine (make it `async def`?)".into()
            }
            Producer::Partial { .. } => "makes a callable: a call of it gives the coroutine".into(),
            _ => format!("creates {what}"),
        },
    }];
    // Shown where it is passed: the primary label says it all.
    if let Producer::AsyncioFunction { .. } = producer {
        trace.clear();
    }
    trace.extend(describe::step_labels(steps));
    trace
}

/// `create_task(work)` -> `create_task(work())`: where the argument names an `async def`
/// that a call with no argument fits, and nothing else reaches it on the way.
pub(crate) fn call_it(db: &dyn salsa::Database, producer: &Producer, steps: &[Step], at: Location) -> Option<Fix> {
    let Producer::Function { is_async: true, bare_call: true, .. } = producer else { return None };
    if !steps.is_empty() {
        return None;
    }
    let text = at.file.text(db);
    let argument = text.get(usize::from(at.range.start())..usize::from(at.range.end()))?;
    let dotted = argument.split('.').all(|part| {
        part.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    dotted.then(|| Fix {
        applicability: Applicability::Unsafe,
        message: format!("Call it: `{argument}()`"),
        edits: vec![Edit { range: TextRange::empty(at.range.end()), content: "()".into() }],
    })
}
