//! TL002: `ensure_future` called where only coroutines reach its argument.

use ruff_text_size::{TextRange, TextSize};
use tasklens_flow::{CallContext, EnsureFutureCall};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds `asyncio.ensure_future(x)` calls where every value that can reach `x` is a
    /// coroutine, including values passed in through parameters from every call site in
    /// the project.
    ///
    /// ## Why is this bad?
    /// `ensure_future` exists to normalise "a coroutine or a Future" into something
    /// awaitable; its return type depends on its argument. For a coroutine,
    /// `asyncio.create_task` says what happens, always returns a Task, and is the call the
    /// asyncio documentation recommends. Calls whose argument can be a Future, a
    /// non-coroutine awaitable or something unknown are left alone: there,
    /// `create_task` would raise `TypeError`.
    ///
    /// ## Example
    /// ```python
    /// async def main():
    ///     task = asyncio.ensure_future(work())
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main():
    ///     task = asyncio.create_task(work())
    /// ```
    ///
    /// ## References
    /// - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
    pub static RULE = ("TL002", "ensure-future-on-coroutine", Severity::Warning);
}

/// TL002 for one call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, call: &EnsureFutureCall) -> Diagnostic {
    let callee = describe::source(db, call.at.file, call.callee);
    let mut message = format!(
        "`{callee}` is only ever called with a coroutine here; use `asyncio.create_task`, which always returns a Task"
    );
    if !call.task_sinks.is_empty() {
        let sinks: Vec<String> = call.task_sinks.iter().map(|s| describe::place(db, s.at)).collect();
        message.push_str(&format!(" (its result reaches code that needs a Task: {})", sinks.join(", ")));
    }
    if call.context == CallContext::Import {
        message.push_str(
            "; no automatic fix: this runs at import time, where no loop is running and `create_task` would raise RuntimeError",
        );
    }
    let fix = fix(db, call);
    let trace = call
        .task_sinks
        .iter()
        .map(|sink| Label { file: sink.at.file, range: sink.at.range, message: describe::sink_label(sink) })
        .collect();
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: call.at.file,
            range: call.at.range,
            message: "the argument is always a coroutine".into(),
        },
        trace,
        fix,
    }
}

/// `x.ensure_future(coro)` -> `x.create_task(coro)`; `ensure_future(coro, loop=l)` ->
/// `l.create_task(coro)`. Safe in a coroutine or a function only reached from coroutines
/// (a loop is running), unsafe in other functions, none at import time.
fn fix(db: &dyn salsa::Database, call: &EnsureFutureCall) -> Option<Fix> {
    let applicability = match call.context {
        CallContext::Coroutine | CallContext::LoopFunction => Applicability::Safe,
        CallContext::Function => Applicability::Unsafe,
        CallContext::Import => return None,
    };
    let text = call.at.file.text(db);
    let slice = |range: TextRange| &text[usize::from(range.start())..usize::from(range.end())];
    if call.other_keywords || call.args.len() != 1 {
        return None;
    }
    if let Some((_, loop_value)) = call.loop_keyword {
        let content = format!("{}.create_task({})", slice(loop_value), slice(call.args[0]));
        return Some(Fix {
            applicability,
            message: "Use `loop.create_task`".into(),
            edits: vec![Edit { range: call.at.range, content }],
        });
    }
    // Only the attribute spelling for now (`asyncio.ensure_future`, `aio.ensure_future`).
    let callee = slice(call.callee);
    callee.strip_suffix(".ensure_future")?;
    let end = call.callee.end();
    let name = TextRange::new(end - TextSize::from("ensure_future".len() as u32), end);
    Some(Fix {
        applicability,
        message: "Use `create_task`".into(),
        edits: vec![Edit { range: name, content: "create_task".into() }],
    })
}
