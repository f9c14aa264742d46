//! TL013: `await` of what a plain `def` gives, of a function not called, or of a
//! `concurrent.futures.Future`.

use tasklens_flow::{AwaitOnNonAwaitable, Producer};

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;
use crate::rules::create_task_on_non_coroutine::{call_it, flow_labels};

declare_rule! {
    /// ## What it does
    /// Finds `await f(...)` where every function the call can run is a plain `def`
    /// (module-level or nested) with no `return`, or whose `return`s give only literal
    /// values (`0`, `"done"`, a dict or list display, a comprehension): the call gives None
    /// or that value, not something to await. A method counts when it returns a literal
    /// value and is called on the caller's own `self` or `cls` (`await self.load()`); one
    /// giving None may be a hook a subclass elsewhere makes `async`. Only where the call names that function (not a
    /// callable picked at run time, `getattr(obj, name, fallback)`), and the function can
    /// end normally (not a body that always raises). Functions under a decorator the
    /// analysis does not know are left alone, as are calls in a `try` that catches
    /// `TypeError` and tests that expect the failure. Also `await f` and `await obj.method`
    /// of a function that is not called, where every value there is the function the name
    /// names, one of asyncio's coroutine functions too (`await asyncio.sleep`). And `await` of a `concurrent.futures.Future` (what an executor's `submit` or
    /// `asyncio.run_coroutine_threadsafe` gives), however it got there, where every value
    /// awaited is one.
    ///
    /// ## Why is this bad?
    /// `await` needs a coroutine, a Future or an object with `__await__`: awaiting None
    /// raises `TypeError: object NoneType can't be used in 'await' expression` in every
    /// Python version, after the function has already run. It is the mirror of a forgotten
    /// `await`: a forgotten `async` on the function's definition.
    ///
    /// ## Example
    /// ```python
    /// def notify(user):
    ///     queue.put_nowait(user)
    ///
    /// async def handler(user):
    ///     await notify(user)  # TypeError
    /// ```
    ///
    /// Use instead: `async def notify(user): ...`, or call it without `await`.
    ///
    /// ```python
    /// async def digest(pool, data):
    ///     return await pool.submit(hashlib.sha256, data)  # TypeError
    /// ```
    ///
    /// Use instead: `await asyncio.wrap_future(pool.submit(hashlib.sha256, data))`, or
    /// `await loop.run_in_executor(pool, hashlib.sha256, data)`.
    ///
    /// ## Fix safety
    /// For an `async def` awaited uncalled that needs no argument, `--unsafe-fixes` calls
    /// it: `await self.close()`. Unsafe: the body now runs.
    ///
    /// ## References
    /// - [Await expression](https://docs.python.org/3/reference/expressions.html#await)
    pub static RULE = ("TL013", "await-on-non-awaitable", Severity::Error);
}

/// TL013 for one awaited call, unless the call names another function than the plain
/// `def` it runs: a callable picked at run time (`func = getattr(self, name, not_found)`,
/// a dispatch table, a flag that says which kind it is) is whatever some code gave.
pub(crate) fn diagnostic(db: &dyn salsa::Database, awaited: &AwaitOnNonAwaitable) -> Option<Diagnostic> {
    let callee = &describe::shown(db, awaited.at.file, awaited.callee);
    if let Producer::Function { .. } | Producer::AsyncioFunction { .. } = awaited.producer {
        return Some(uncalled(db, awaited));
    }
    if let Producer::Call { concurrent: true, .. } = awaited.producer {
        return Some(concurrent_future(db, awaited));
    }
    let Producer::PlainResult { name, literal, .. } = &awaited.producer else { return None };
    if callee.rsplit('.').next().unwrap_or(callee).trim() != name.as_str() {
        return None;
    }
    let literal = *literal;
    let (gives, error) = if literal {
        ("a constant", "TypeError: object ... can't be used in 'await' expression")
    } else {
        ("None", "TypeError: object NoneType can't be used in 'await' expression")
    };
    let at = awaited.producer.location();
    Some(Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "`{callee}(...)` is awaited, but `{name}` is a plain `def` and its call gives {gives} ({error}); make `{name}` an `async def`, or drop the `await`"
        ),
        primary: Label {
            file: awaited.at.file,
            range: awaited.at.range,
            message: format!("gives {gives}, which cannot be awaited"),
        },
        trace: vec![Label {
            file: at.file,
            range: at.range,
            message: if literal {
                "a plain `def` whose `return`s give constants".into()
            } else {
                "a plain `def` with no `return`".into()
            },
        }],
        fix: None,
    })
}

/// `await pool.submit(f)`: a `concurrent.futures.Future`, which only threads can wait for.
fn concurrent_future(db: &dyn salsa::Database, awaited: &AwaitOnNonAwaitable) -> Diagnostic {
    let expression = &describe::shown(db, awaited.at.file, awaited.at.range);
    let producer = describe::producer(db, &awaited.producer);
    let at = describe::place(db, awaited.producer.location());
    let made_here = awaited.producer.location() == awaited.at;
    let message = if made_here {
        format!(
            "`{expression}` is awaited, but it returns a `concurrent.futures.Future`, which asyncio cannot await (TypeError: object Future can't be used in 'await' expression); wrap it: `await asyncio.wrap_future(...)`"
        )
    } else {
        format!(
            "`{expression}` is awaited, but {producer} ({at}) reaches it, which asyncio cannot await (TypeError: object Future can't be used in 'await' expression); wrap it: `await asyncio.wrap_future(...)`"
        )
    };
    let trace = if made_here { Vec::new() } else { flow_labels(&awaited.producer, &awaited.steps) };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: awaited.at.file,
            range: awaited.at.range,
            message: "a `concurrent.futures.Future`, which cannot be awaited".into(),
        },
        trace,
        fix: None,
    }
}

/// `await self.close`: the function awaited without being called.
fn uncalled(db: &dyn salsa::Database, awaited: &AwaitOnNonAwaitable) -> Diagnostic {
    let expression = &describe::shown(db, awaited.at.file, awaited.callee);
    let object = if awaited.method { "method" } else { "function" };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "`{expression}` is awaited without being called: a {object} is not awaitable (TypeError: object {object} can't be used in 'await' expression); call it: `await {expression}(...)`"
        ),
        primary: Label {
            file: awaited.at.file,
            range: awaited.at.range,
            message: format!("the {object} itself, not a call of it"),
        },
        trace: flow_labels(&awaited.producer, &[]),
        fix: call_it(db, &awaited.producer, &[], awaited.at),
    }
}
