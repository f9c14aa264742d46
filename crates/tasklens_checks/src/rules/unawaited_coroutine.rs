//! TL011: a coroutine made and thrown away (a forgotten `await`).

use ruff_text_size::TextRange;
use tasklens_flow::{CallContext, DroppedAt, UnawaitedCoroutine};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds calls whose result is a coroutine that nothing uses: a call of the project's
    /// `async def` (a function or a method, however the call reaches it: an attribute, a
    /// parameter, another module) or of one of asyncio's coroutine functions
    /// (`asyncio.sleep(1)`, `event.wait()`, `lock.acquire()`, `queue.put(x)`,
    /// `loop.sock_sendall(...)`) made as a statement on its own. Only where every function
    /// the call can run is one: a call that may reach a plain `def` override, an unknown
    /// callable or an `async def` under a decorator the analysis does not know is left
    /// alone, as are calls in a `try` that catches `TypeError`, in a test that expects
    /// the call to fail, and of a name a test patches around the call (`with
    /// patch("app.api.fetch"):`, `@patch.object(Client, "close")`: a mock runs). Also such
    /// a call whose coroutine is handed back instead, to an
    /// `await` on a line of its own that throws it away: an `async def close(self): return
    /// self.flush()` awaited as `await client.close()`, or an executor's lambda that
    /// returns one (`await loop.run_in_executor(None, lambda: fetch())`); reported where the
    /// coroutine is made, where the `await` belongs. And such a call assigned to a name that
    /// nothing reads, or only tests or compares (`result = save()`, `_ = notify()`, `job =
    /// load()` then `assert job is not None`, or collected in a list or set bound
    /// to one: `pending = [fetch(u) for u in urls]`), unless a `del` of the name throws it
    /// away on purpose (a test of the warning).
    ///
    /// ## Why is this bad?
    /// Calling an `async def` only creates a coroutine; its body runs when the coroutine
    /// is awaited (or wrapped in a Task). Without `await`, the call does nothing: the
    /// connection is not closed, the sleep does not wait, the lock is not taken. Python
    /// only prints `RuntimeWarning: coroutine '...' was never awaited` when the coroutine
    /// is collected. mypy reports it only in functions it checks (annotated ones, by
    /// default), and only where it knows the callee.
    ///
    /// ## Example
    /// ```python
    /// async def stop(self):
    ///     self.writer.close()
    ///     self.writer.wait_closed()  # never runs
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def stop(self):
    ///     self.writer.close()
    ///     await self.writer.wait_closed()
    /// ```
    ///
    /// ## Fix safety
    /// In an `async def`, `--unsafe-fixes` adds the `await`. Unsafe: the body that never
    /// ran now runs, and the coroutine suspends there. Plain code cannot `await`: there is
    /// no fix, and the message says what to do instead (`queue.put_nowait(x)` for an
    /// `asyncio.Queue`'s `put`).
    ///
    /// ## References
    /// - [Coroutines](https://docs.python.org/3/library/asyncio-task.html#coroutines)
    pub static RULE = ("TL011", "unawaited-coroutine", Severity::Warning);
}

/// TL011 for one call, unless the call names none of the functions it runs: a callable
/// kept in an attribute or a parameter (`self.func()`, `hook(request)`) is whatever some
/// caller gave, and the mistake, if any, is where an `async def` was handed to plain code.
pub(crate) fn diagnostic(db: &dyn salsa::Database, call: &UnawaitedCoroutine) -> Option<Diagnostic> {
    let callee = &describe::shown(db, call.at.file, call.callee);
    let called = callee.rsplit('.').next().unwrap_or(callee).trim();
    if !call.functions.iter().all(|(name, _)| name.as_str() == called) {
        return None;
    }
    let what = match call.functions.as_slice() {
        [] => "it".to_string(),
        [(name, _)] => format!("the body of `{name}`"),
        [(name, _), _] => format!("the body of `{name}` (or of its override)"),
        [(name, _), others @ ..] => format!("the body of `{name}` (or of one of its {} overrides)", others.len()),
    };
    // Plain code cannot await: an `asyncio.Queue`'s `put` has a twin that needs none.
    let advice = if call.context == CallContext::Coroutine {
        "add `await`".to_string()
    } else if call.functions.is_empty() && called == "put" {
        let receiver = callee.trim().strip_suffix("put").unwrap_or(callee);
        format!("plain code cannot await it: use `{receiver}put_nowait(...)`")
    } else {
        "plain code cannot await it: await it in a coroutine, or schedule it with `asyncio.create_task(...)` where a loop runs".to_string()
    };
    let message = match call.dropped_at {
        None => format!(
            "`{callee}(...)` makes a coroutine that nothing awaits, so {what} never runs (RuntimeWarning: coroutine ... was never awaited); {advice}"
        ),
        Some(DroppedAt::Unread(name) | DroppedAt::Collected(name)) => format!(
            "`{callee}(...)` makes a coroutine that is {} `{}` and never awaited, so {what} never runs (RuntimeWarning: coroutine ... was never awaited); {advice}",
            if matches!(call.dropped_at, Some(DroppedAt::Collected(_))) { "collected in" } else { "assigned to" },
            describe::shown(db, name.file, name.range),
        ),
        Some(DroppedAt::HandedBack(dropped)) => {
            let advice = match call.context {
                CallContext::Coroutine => "add `await` where it is made",
                _ => "await what comes back there too, or make the function that returns it await it",
            };
            format!(
                "`{callee}(...)` makes a coroutine that is handed back without being awaited: `{}` in {} gets it and throws it away, so {what} never runs (RuntimeWarning: coroutine ... was never awaited); {advice}",
                describe::shown(db, dropped.file, dropped.range),
                describe::place(db, dropped),
            )
        }
    };
    // The first definition it may run (a method, before its overrides).
    let trace = (call.functions.iter().take(1))
        .map(|(name, at)| Label {
            file: at.file,
            range: at.range,
            message: format!("`async def {name}`: a call of it gives a coroutine"),
        })
        .chain(call.dropped_at.map(|dropped| match dropped {
            DroppedAt::HandedBack(at) => {
                Label { file: at.file, range: at.range, message: "gets the coroutine back and throws it away".into() }
            }
            DroppedAt::Unread(at) | DroppedAt::Collected(at) => {
                Label { file: at.file, range: at.range, message: "assigned here; nothing reads it".into() }
            }
        }))
        .collect();
    Some(Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: call.at.file,
            range: call.callee,
            message: match call.dropped_at {
                Some(DroppedAt::HandedBack(_)) => "the coroutine it makes is handed back, not awaited".into(),
                _ => "the coroutine it makes is thrown away".into(),
            },
        },
        trace,
        fix: (call.context == CallContext::Coroutine).then(|| Fix {
            applicability: Applicability::Unsafe,
            message: "Await it".into(),
            edits: vec![Edit { range: TextRange::empty(call.at.range.start()), content: "await ".into() }],
        }),
    })
}
