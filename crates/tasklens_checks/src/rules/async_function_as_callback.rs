//! TL009: an `async def` handed over as a plain callback, whose coroutine nothing awaits.

use tasklens_flow::{CallbackCaller, CoroutineCallback, Location, ReturningCallback};

use crate::describe;
use ruff_text_size::TextRange;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;
use crate::task_keeper::{HELPER, task_keeper};

declare_rule! {
    /// ## What it does
    /// Finds `async def` functions (and methods) given to code that calls them as plain
    /// functions and throws the result away: the event loop's callbacks
    /// (`loop.call_soon`, `call_soon_threadsafe`, `call_later`, `call_at`,
    /// `add_signal_handler`, `add_reader`, `add_writer`, and the `add_done_callback` of an
    /// asyncio Future or Task) and the functions other threads
    /// run (`threading.Thread(target=...)`, `threading.Timer`, `loop.run_in_executor`,
    /// `asyncio.to_thread`, an executor's `submit` and `map`, its `initializer`), and plain
    /// code's callbacks (`signal.signal(sig, handler)`, `atexit.register(f)`,
    /// `weakref.finalize(obj, f)`, an `ExitStack`'s or `AsyncExitStack`'s `callback(f)`:
    /// `push_async_callback` is the one that awaits), the builtin `filter(f, xs)`, which
    /// tests each coroutine for its truth and keeps every element, and the `key=` of
    /// `sorted`, `min`, `max` and a list's `sort`, which compare coroutines (TypeError), however
    /// the function reached the call (an attribute, a parameter, a container, another
    /// module), also in a `functools.partial` made in the same function as the call, and
    /// plain functions given there that return such a coroutine instead of being one
    /// (`loop.add_signal_handler(SIGTERM, lambda: shutdown())`, `atexit.register(lambda:
    /// client.close())`, a `def` that ends in `return self.close()`): the caller drops what
    /// they return just the same (only where everything they return is a coroutine of a
    /// call that runs nothing but `async def`s). An `async def` under a
    /// decorator the analysis does not know may have been made a plain function, and is
    /// left alone, as is a call where some value other than an `async def` may be given
    /// too (a dispatcher that tests `iscoroutinefunction(f)` first: where the test is
    /// false no `async def` gets by), or in a `try` that catches `TypeError`, and a
    /// runner the project replaces (`threading.Thread = LoopThread`, or `setattr` on
    /// `threading` with a computed name), which may await what the function returns. An
    /// executor's Future gives what the function returned: where the caller awaits the
    /// coroutine it gets (`await (await loop.run_in_executor(None, f))`, `await
    /// future.result()`) or wraps it in a Task, the body runs and nothing is reported.
    ///
    /// ## Why is this bad?
    /// Calling an `async def` only creates a coroutine; its body runs when the coroutine
    /// is awaited or wrapped in a Task. The loop and the thread call the function, drop
    /// the coroutine, and the work silently never happens: Python only prints
    /// `RuntimeWarning: coroutine '...' was never awaited` when the coroutine is collected
    /// (for `run_in_executor` and `to_thread`, awaiting the call gives that coroutine back
    /// instead of the result). `add_signal_handler` refuses a coroutine function with
    /// `TypeError`, and so do `call_soon` and the others in asyncio's debug mode
    /// (`PYTHONASYNCIODEBUG=1`, `python -X dev`); otherwise nothing fails. Type checkers
    /// accept it: these APIs take any callable.
    ///
    /// ## Example
    /// ```python
    /// async def reconnect():
    ///     ...
    ///
    /// loop.call_later(5, reconnect)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// loop.call_later(5, lambda: background.add(asyncio.ensure_future(reconnect())))
    /// ```
    /// (a Task kept in a set), or make `reconnect` a plain `def`. In another thread, run
    /// the coroutine in the loop with `asyncio.run_coroutine_threadsafe(reconnect(), loop)`,
    /// or in a loop of the thread's own with `asyncio.run(reconnect())`.
    ///
    /// ## Fix
    /// Unsafe, for a lambda given to the event loop that returns a coroutine: `lambda:
    /// shutdown()` becomes `lambda: _keep_task(asyncio.create_task(shutdown()))`, with
    /// TL005's helper that keeps the Task until it finishes (the body that never ran now
    /// runs).
    ///
    /// ## References
    /// - [Coroutines and Tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
    /// - [`loop.call_soon`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.call_soon)
    pub static RULE = ("TL009", "async-function-as-callback", Severity::Error);
}

/// TL009 for one function handed over at one call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, callback: &CoroutineCallback) -> Diagnostic {
    let text = callback.at.file.text(db);
    let callee = &text[usize::from(callback.callee.start())..usize::from(callback.callee.end())];
    if let Some(returned_by) = &callback.returned_by {
        let mut diagnostic = returning_diagnostic(callback, callee, returned_by);
        diagnostic.fix = keep_returned_task(db, callback, returned_by);
        return diagnostic;
    }
    let name = &callback.function;
    let message = match callback.caller {
        CallbackCaller::Filter => format!(
            "`filter` calls the `async def` `{name}` as a plain function and tests what it returns: a coroutine, \
             which is always true, so every element is kept and the body of `{name}` never runs (RuntimeWarning: \
             coroutine '{name}' was never awaited); await each test in a comprehension: `[x for x in xs if await \
             {name}(x)]`"
        ),
        CallbackCaller::SortKey => {
            format!(
                "`{callee}` calls the `async def` `{name}` as its `key`, a plain function, and compares what it \
             returns: coroutines, which cannot be ordered (TypeError: '<' not supported between instances of \
             'coroutine' and 'coroutine'), and the body of `{name}` never runs (RuntimeWarning: coroutine \
             '{name}' was never awaited); await the keys first: `keys = [await {name}(x) for x in xs]`"
            )
        }
        CallbackCaller::Plain => {
            let advice = if callee.ends_with(".callback") {
                "with an `AsyncExitStack`, `push_async_callback` awaits it".to_string()
            } else if callee.ends_with("signal") {
                format!(
                    "register a plain function (for a signal, `loop.add_signal_handler` with one that schedules `{name}(...)` as a Task)"
                )
            } else {
                "register a plain function".to_string()
            };
            format!(
                "`{callee}` registers the `async def` `{name}`, which will be called as a plain function: the call only makes a coroutine that nothing awaits, so its body never runs (RuntimeWarning: coroutine '{name}' was never awaited); {advice}"
            )
        }
        CallbackCaller::Thread => format!(
            "`{callee}` runs the `async def` `{name}` in another thread as a plain function: the call only makes a coroutine that nothing awaits, so its body never runs (RuntimeWarning: coroutine '{name}' was never awaited); use `asyncio.run_coroutine_threadsafe({name}(...), loop)` to run it in the event loop"
        ),
        CallbackCaller::Loop => format!(
            "`{callee}` calls the `async def` `{name}` back as a plain function: the call only makes a coroutine that nothing awaits, so its body never runs (RuntimeWarning: coroutine '{name}' was never awaited); schedule `{name}(...)` as a Task, or make it a plain `def` (asyncio's debug mode raises TypeError here)"
        ),
    };
    let label = format!("`{name}` is called here without being awaited");
    callback_diagnostic(callback, message, label, vec![async_def_label(callback)])
}

/// TL009 at the argument that hands the function over, with `trace` and then the way the
/// function came there.
fn callback_diagnostic(callback: &CoroutineCallback, message: String, label: String, trace: Vec<Label>) -> Diagnostic {
    let primary = Location { file: callback.at.file, range: callback.argument };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label { file: primary.file, range: primary.range, message: label },
        trace: trace.into_iter().chain(describe::step_labels_besides(&callback.steps, &primary)).collect(),
        fix: None,
    }
}

/// TL009 for a plain function (a lambda, a `def`) handed over that returns the coroutine of
/// an `async def` to a caller that drops it.
fn returning_diagnostic(callback: &CoroutineCallback, callee: &str, returned_by: &ReturningCallback) -> Diagnostic {
    let name = &callback.function;
    let given = match returned_by.name.as_str() {
        "<lambda>" => "a lambda".to_string(),
        function => format!("`{function}`"),
    };
    let (who, advice) = match callback.caller {
        CallbackCaller::Loop => (
            "the event loop",
            format!("schedule it as a Task instead (`asyncio.create_task({name}(...))`, kept in a set)"),
        ),
        CallbackCaller::Thread => (
            "the thread",
            format!("run it with `asyncio.run_coroutine_threadsafe({name}(...), loop)` or `asyncio.run`"),
        ),
        CallbackCaller::Plain => {
            ("its caller", format!("run it with `asyncio.run({name}(...))` or schedule it in the loop"))
        }
        // Tested or compared instead of awaited: await each one first.
        CallbackCaller::Filter | CallbackCaller::SortKey => {
            (callee, format!("await each one first, in a list: `[await {name}(x) for x in xs]`"))
        }
    };
    let message = format!(
        "`{callee}` calls back {given}, which returns the coroutine of the `async def` `{name}` without awaiting it: {who} drops it, so the body of `{name}` never runs (RuntimeWarning: coroutine '{name}' was never awaited); {advice}"
    );
    let mut trace = vec![Label {
        file: returned_by.call.file,
        range: returned_by.call.range,
        message: format!("makes a coroutine of `{name}` and returns it"),
    }];
    if returned_by.defined.file != callback.at.file || !callback.argument.contains_range(returned_by.defined.range) {
        trace.push(Label {
            file: returned_by.defined.file,
            range: returned_by.defined.range,
            message: format!("{given} is a plain function: what it returns is dropped"),
        });
    }
    trace.push(async_def_label(callback));
    callback_diagnostic(callback, message, format!("{given} is called here and its coroutine dropped"), trace)
}

/// The coroutine a lambda given to the event loop returns, made a Task the module keeps
/// until it finishes: `lambda: shutdown()` -> `lambda: _keep_task(asyncio.create_task(shutdown()))`
/// (TL005's helper, added once). The loop runs its callbacks where a loop is running, so
/// `create_task` works there. Unsafe: the body that never ran now runs. Not for a named
/// function (its other callers may await what it returns), nor for a thread or plain
/// code, where no loop runs.
fn keep_returned_task(
    db: &dyn salsa::Database,
    callback: &CoroutineCallback,
    returned_by: &ReturningCallback,
) -> Option<Fix> {
    let call = returned_by.call.range;
    let in_argument = returned_by.name.as_str() == "<lambda>"
        && returned_by.call.file == callback.at.file
        && callback.argument.contains_range(call);
    if callback.caller != CallbackCaller::Loop || !in_argument {
        return None;
    }
    let file = callback.at.file;
    let keeper = task_keeper(db, file);
    if !keeper.usable {
        return None;
    }
    let create_task = crate::asyncio_imports::create_task_name(db, file)?;
    let mut edits = Vec::with_capacity(3);
    if let Some(helper) = &keeper.helper {
        // Code before the helper (on the line of the last import) runs before it exists.
        if call.start() <= helper.range.start() {
            return None;
        }
        edits.push(helper.clone());
    }
    edits.push(Edit { range: TextRange::empty(call.start()), content: format!("{HELPER}({create_task}(") });
    edits.push(Edit { range: TextRange::empty(call.end()), content: "))".into() });
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: format!("Run the coroutine as a Task the module keeps (`{create_task}`)"),
        edits,
    })
}

/// Where the `async def` whose coroutine is dropped is defined.
fn async_def_label(callback: &CoroutineCallback) -> Label {
    Label {
        file: callback.defined.file,
        range: callback.defined.range,
        message: format!("`async def {}`: a call of it gives a coroutine", callback.function),
    }
}
