//! TL014: a call's result handed over where a function to call back is meant.

use ruff_text_size::TextRange;
use tasklens_flow::{CallbackCaller, CalledCallback, CalledResult, Location};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds a call of a project function written where a function to call later is
    /// meant: as the callback of the event loop (`loop.call_soon(f())`, `call_later`,
    /// `call_at`, `call_soon_threadsafe`, `add_signal_handler`, `add_reader`,
    /// `add_writer`, an asyncio Future's `add_done_callback`), as the function another
    /// thread runs (`loop.run_in_executor(None, f(x))`, `asyncio.to_thread`,
    /// `threading.Thread(target=f())`, `threading.Timer`, an executor's `submit`, `map` or
    /// `initializer`), or as plain code's callback (`atexit.register`, `signal.signal`,
    /// `weakref.finalize`, an `ExitStack`'s `callback`), when what the call gives is never
    /// callable: the coroutine of an `async def` (no decorator the analysis does not know),
    /// or what a plain module-level or nested `def` with no `return` (None) or only
    /// `return` of constants gives. A call in a `try` that catches `TypeError`, or in a
    /// test that expects the failure, is left alone.
    ///
    /// ## Why is this bad?
    /// The parentheses run the function at once, in the calling thread, and hand over
    /// its result. The function that was meant to run later (in a worker thread, so as
    /// not to block the event loop, or when the loop gets to it) runs now; then its result
    /// is called: `TypeError: 'NoneType' object is not callable` where the executor's
    /// result is awaited, or in the loop's exception handler, which only logs it; a
    /// `Thread` given `target=None` does nothing. A coroutine given that way is never
    /// awaited, so the `async def`'s body never runs. Type checkers see a value that is not
    /// callable only when the function is annotated (`-> None`); an unannotated `def`
    /// returns `Any` to them.
    ///
    /// ## Example
    /// ```python
    /// def save(path):
    ///     ...
    ///
    /// async def main():
    ///     await asyncio.get_running_loop().run_in_executor(None, save(path))
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main():
    ///     await asyncio.get_running_loop().run_in_executor(None, save, path)
    /// ```
    /// (the fix, unsafe: the function then runs later, in the worker thread or when the
    /// loop calls it, instead of now). For a coroutine, schedule it as a Task (and keep
    /// the Task), or from another thread with `asyncio.run_coroutine_threadsafe`.
    ///
    /// ## References
    /// - [`loop.run_in_executor`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor)
    /// - [`loop.call_soon`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.call_soon)
    pub static RULE = ("TL014", "call-result-as-callback", Severity::Error);
}

/// TL014 for one call given as a callback.
pub(crate) fn diagnostic(db: &dyn salsa::Database, called: &CalledCallback) -> Diagnostic {
    let text = called.at.file.text(db);
    let slice = |range: TextRange| &text[usize::from(range.start())..usize::from(range.end())];
    let callee = slice(called.callee);
    let call = describe::one_line(slice(called.call));
    let function = slice(called.call_callee);
    let name = &called.function;
    let (what, type_name) = match called.result {
        CalledResult::Coroutine => ("a coroutine".to_string(), "coroutine"),
        CalledResult::None => (format!("None (`{name}` has no `return`)"), "NoneType"),
        CalledResult::Literal => (format!("a constant (`{name}` returns only constants)"), "..."),
    };
    // A thread or an executor's initializer given None just runs nothing.
    let own_thread = callee.ends_with("Thread") || callee.ends_with("Timer");
    let takes_none =
        called.result == CalledResult::None && (callee.ends_with("Thread") || callee.ends_with("Executor"));
    let consequence = match called.caller {
        _ if takes_none => "given None, it runs nothing".to_string(),
        // It refuses a coroutine at once, and a plain function's None only when called.
        CallbackCaller::Loop if called.result == CalledResult::Coroutine && callee.ends_with("add_signal_handler") => {
            "TypeError: coroutines cannot be used with add_signal_handler(), raised here".to_string()
        }
        CallbackCaller::Loop => format!(
            "TypeError: '{type_name}' object is not callable when the loop calls it, which the loop's exception handler only logs (asyncio's debug mode raises TypeError here)"
        ),
        CallbackCaller::Thread if own_thread => {
            format!("TypeError: '{type_name}' object is not callable in the thread, which prints it")
        }
        CallbackCaller::Thread => format!(
            "TypeError: '{type_name}' object is not callable in the worker thread, raised where its result is awaited or read"
        ),
        CallbackCaller::Plain => {
            "TypeError: it is not callable (raised here by `atexit.register` and `signal.signal`, when called back by the others)"
                .to_string()
        }
        CallbackCaller::Filter | CallbackCaller::SortKey => "TypeError: it is not callable".to_string(),
    };
    let fix = forward_arguments(db, called);
    let advice = match (called.result, called.caller) {
        (CalledResult::Coroutine, CallbackCaller::Loop) => {
            "schedule the coroutine as a Task instead (and keep the Task)".to_string()
        }
        (CalledResult::Coroutine, CallbackCaller::Thread) => {
            "await the coroutine, or run it in the loop from another thread with `asyncio.run_coroutine_threadsafe`"
                .to_string()
        }
        (CalledResult::Coroutine, CallbackCaller::Plain) => "register a plain function".to_string(),
        _ if fix.is_some() => format!("pass `{function}` and its arguments instead of calling it"),
        _ => format!("pass `{function}` itself (with its arguments apart, or in a `functools.partial`)"),
    };
    let message = match called.result {
        CalledResult::Coroutine => format!(
            "`{call}` hands `{callee}` a coroutine where a function to call later is meant: {consequence}, and the body of the `async def` `{name}` never runs; {advice}"
        ),
        _ => format!(
            "`{call}` runs now and hands `{callee}` {what} where a function to call later is meant: {consequence}; {advice}"
        ),
    };
    let primary = Location { file: called.at.file, range: called.call };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: primary.file,
            range: primary.range,
            message: match called.result {
                CalledResult::Coroutine => format!("`{name}` is called here: only its coroutine is passed"),
                _ => format!("`{name}` runs here, and its result is passed"),
            },
        },
        trace: vec![Label {
            file: called.defined.file,
            range: called.defined.range,
            message: match called.result {
                CalledResult::Coroutine => format!("`async def {name}`: a call of it gives a coroutine"),
                CalledResult::None => format!("`{name}` returns nothing"),
                CalledResult::Literal => format!("`{name}` returns only constants"),
            },
        }],
        fix,
    }
}

/// `call_soon(f(a, b))` -> `call_soon(f, a, b)`: where the call passes its later positional
/// arguments on to the callback, and the inner call's arguments are plain positional ones.
fn forward_arguments(db: &dyn salsa::Database, called: &CalledCallback) -> Option<Fix> {
    if !called.forwardable || called.result == CalledResult::Coroutine {
        return None;
    }
    let text = called.at.file.text(db);
    let (start, end) = (called.call_callee.end(), called.call.end());
    let parenthesized = text.get(usize::from(start)..usize::from(end))?.trim();
    let inside = parenthesized.strip_prefix('(')?.strip_suffix(')')?;
    // A comment would swallow what follows once the parentheses go.
    if inside.contains('#') {
        return None;
    }
    let inside = inside.trim();
    let inside = inside.strip_suffix(',').unwrap_or(inside).trim_end();
    let content = if inside.is_empty() { String::new() } else { format!(", {inside}") };
    let function = text.get(usize::from(called.call_callee.start())..usize::from(start))?;
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: format!("Pass `{function}` and its arguments"),
        edits: vec![Edit { range: TextRange::new(start, end), content }],
    })
}
