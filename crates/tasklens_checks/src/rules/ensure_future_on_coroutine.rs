//! TL002: `ensure_future` called where only coroutines reach its argument.

use ruff_text_size::{TextRange, TextSize};
use tasklens_flow::{CallContext, EnsureFutureCall, LooplessStart};

use crate::asyncio_imports::asyncio_imports;
use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;
use crate::rules::removed_loop_argument::{argument_with_comma, as_receiver};

declare_rule! {
    /// ## What it does
    /// Finds `asyncio.ensure_future(x)` calls where every value that can reach `x` is a
    /// coroutine, including values passed in through parameters from every call site in the
    /// project. Coroutines come from `async def` functions and methods, asyncio's own coroutine
    /// functions, and the waiting methods of asyncio's objects (`Event.wait`, `Lock.acquire`,
    /// `Queue.get`, `StreamReader.readline`, `StreamWriter.drain`, `Process.wait`,
    /// `Server.serve_forever`...): made by asyncio (`asyncio.Event()`, what awaiting
    /// `open_connection`, `create_subprocess_exec`, `start_server` or `loop.create_server`
    /// gives, the streams the loop hands a server's callback) or known only by an annotation
    /// (`stop: asyncio.Event`, `jobs: asyncio.Queue[Job]`) or a cast (`cast(Job, x)`), which
    /// the analysis trusts. A call of a name that may also be something else (a compatibility
    /// name such as `spawn = getattr(asyncio, "create_task", asyncio.ensure_future)`) is left
    /// alone, and so is one in a branch for Pythons older than the target
    /// (`if sys.version_info < (3, 7):`). The argument of a project class's
    /// `run_until_complete` comes from asyncio as well (`asyncio.run` hands the loop a Task
    /// since Python 3.11), so the `ensure_future` an event loop applies to it stays.
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
    /// ## Fix safety
    /// `tasklens check --fix` rewrites the call, spelled the way the file spells asyncio
    /// (`asyncio.`, an alias, or a `from asyncio import` list that gains `create_task` and
    /// loses `ensure_future` once nothing reads it; another name for it, such as `ensure_future
    /// = asyncio.ensure_future`, becomes the module's `asyncio.create_task` when nothing else
    /// binds `asyncio`); `ensure_future(coro, loop=loop)` becomes `loop.create_task(coro)`. The
    /// fix is safe in a coroutine and in a sync function reached only from coroutines or loop
    /// callbacks (`call_soon`, done-callbacks of asyncio Futures, the callbacks of asyncio
    /// protocols such as `connection_made` and `datagram_received`, which the loop's transports
    /// call); elsewhere it is unsafe (`--unsafe-fixes`), because `create_task` raises
    /// `RuntimeError` when no loop is running. It is also unsafe when the argument is a
    /// parameter of a public function or method, an element of one (`for a in aws`,
    /// `map(ensure_future, aws)`), or what calling one gives
    /// (`ensure_future(callback())`, also past an `isawaitable` test), or one that a public
    /// function keeps in an attribute (`self.factory()` after `self.factory = factory` in
    /// `__init__`): callers outside the project may pass a Future (or a function that returns
    /// one), which `create_task` refuses; past `iscoroutine` or `iscoroutinefunction` it is a
    /// coroutine whoever passed it. Calls that run at import time (also in a function that
    /// module-level code calls) or in another thread get no fix. `ensure_future(coro,
    /// loop=loop)` is the exception to both: its rewrite `loop.create_task(coro)` is what
    /// CPython runs anyway and needs no running loop, so it is safe wherever the call is; but
    /// not when `loop` is a parameter that defaults to `None` (`def start(loop=None)`), where
    /// `ensure_future` takes the current loop and `loop.create_task` would raise. There,
    /// where a loop runs, the fix is `asyncio.create_task(coro)` on the running loop, unsafe
    /// since `loop` may be another one; elsewhere there is no fix.
    /// A call that is the whole argument of an event loop's `run_until_complete`
    /// (`loop.run_until_complete(ensure_future(coro))`) gets a safe fix wherever it is: the
    /// call goes, since the loop wraps a coroutine in a Task itself.
    ///
    /// ## References
    /// - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
    pub static RULE = ("TL002", "ensure-future-on-coroutine", Severity::Warning);
}

/// TL002 for one call.
pub(crate) fn diagnostic(db: &dyn salsa::Database, call: &EnsureFutureCall) -> Diagnostic {
    let callee = &describe::shown(db, call.at.file, call.callee);
    let mut message = format!(
        "`{callee}` is only ever called with a coroutine here; use `asyncio.create_task`, which always returns a Task"
    );
    if !call.task_sinks.is_empty() {
        let sinks: Vec<String> = call.task_sinks.iter().map(|s| describe::place(db, s.at)).collect();
        message.push_str(&format!(" (its result reaches code that needs a Task: {})", sinks.join(", ")));
    }
    if let Some(param) = &call.public_parameter {
        let passed = if param.called { "a function that returns a Future" } else { "a Future" };
        message.push_str(&format!(
            " (`{}` is a parameter of a public function: callers outside the project may still pass {passed}, so the fix is unsafe)",
            param.name
        ));
    }
    let fix = fix(db, call);
    let mut trace: Vec<Label> = call
        .task_sinks
        .iter()
        .map(|sink| Label { file: sink.at.file, range: sink.at.range, message: describe::sink_label(db, sink) })
        .collect();
    // `loop=value` where the value may be None: `value.create_task` would fail there.
    let loop_may_be_none = call
        .loop_keyword
        .map(|(_, value)| describe::shown(db, call.at.file, value))
        .filter(|value| *value != "None" && call.loop_may_be_none);
    if let Some(value) = &loop_may_be_none {
        let receiver = crate::rules::removed_loop_argument::as_receiver(value);
        message.push_str(&match fix {
            None => format!(
                "; no automatic fix: `{value}` may be None (a parameter that defaults to None, or an attribute set from one), where `ensure_future` takes the current event loop but `{receiver}.create_task` would raise AttributeError"
            ),
            Some(_) => format!(
                "; `{value}` may be None (a parameter that defaults to None, or an attribute set from one), so the fix is `asyncio.create_task` on the running loop, which is unsafe if `{value}` is another loop"
            ),
        });
    } else if call.context == CallContext::Import && fix.is_none() {
        message.push_str(match call.in_script {
            true => {
                "; no automatic fix: this runs when the script starts (under `if __name__ == \"__main__\":`), where no loop is running and `create_task` would raise RuntimeError"
            }
            false => {
                "; no automatic fix: this runs at import time, where no loop is running and `create_task` would raise RuntimeError"
            }
        });
        if let (Some(name), None) = (&call.loop_in_scope, call.loop_keyword) {
            message
                .push_str(&format!("; `{name}` holds an event loop: `{name}.create_task(...)` needs no running loop"));
        }
    } else if let (CallContext::Function, Some((chain, start)), None) = (call.context, &call.loopless, &fix) {
        let first = chain.first().map(|at| describe::place(db, *at)).unwrap_or_default();
        message.push_str(&match start {
            LooplessStart::Script => format!(
                "; no automatic fix: this runs when the script starts, through the call in {first} (under `if __name__ == \"__main__\":`)"
            ),
            LooplessStart::Import => {
                format!("; no automatic fix: this runs when the module is imported, through the call in {first}")
            }
            LooplessStart::Thread => {
                format!("; no automatic fix: this runs in another thread, started by the call in {first}")
            }
            LooplessStart::Exit => {
                format!("; no automatic fix: this runs as the interpreter exits, registered by the call in {first}")
            }
        });
        message.push_str(", where no loop is running and `create_task` would raise RuntimeError");
        trace.extend(crate::rules::create_task_without_running_loop::chain_labels(chain, *start));
    }
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

/// `x.ensure_future(coro)` -> `x.create_task(coro)`; `ensure_future(coro)` imported from
/// asyncio -> `create_task(coro)`, adding `create_task` to that import list;
/// `ensure_future(coro, loop=l)` -> `l.create_task(coro)`; `loop=None` is dropped and
/// `coro_or_future=coro` becomes `coro`. Safe in a coroutine or a function
/// only reached from coroutines (a loop is running), unsafe in other functions, none at
/// import time. `ensure_future(coro, loop=l)` is `l.create_task(coro)` in every CPython,
/// running loop or not, so that rewrite is safe wherever the call is.
fn fix(db: &dyn salsa::Database, call: &EnsureFutureCall) -> Option<Fix> {
    if call.other_keywords || call.args.len() + usize::from(call.argument_keyword.is_some()) != 1 {
        return None;
    }
    let text = call.at.file.text(db);
    let slice = |range: TextRange| &text[usize::from(range.start())..usize::from(range.end())];
    // `coro_or_future=c` becomes `c`: `create_task` names its parameter `coro`.
    let positional =
        call.argument_keyword.map(|(whole, value)| Edit { range: whole, content: slice(value).to_string() });
    // A public function's parameter may get a Future from outside the project.
    let outside = |applicability| if call.public_parameter.is_some() { Applicability::Unsafe } else { applicability };
    // `loop=None` is the default: it goes, and the call is rewritten as without it.
    let mut default_loop = None;
    let mut running_loop_instead = false;
    if let Some((keyword, loop_value)) = call.loop_keyword {
        let loop_argument = Edit { range: argument_with_comma(text, keyword), content: String::new() };
        if slice(loop_value) == "None" {
            default_loop = Some(loop_argument);
        } else if call.loop_may_be_none {
            // `def f(loop=None)`: `loop.create_task` fails on the default, where
            // `ensure_future` takes the current loop. Where a loop runs, that is the
            // running one, which `create_task` takes: the same unless `loop` is another
            // loop, so that rewrite is unsafe.
            if !matches!(call.context, CallContext::Coroutine | CallContext::LoopFunction) {
                return None;
            }
            default_loop = Some(loop_argument);
            running_loop_instead = true;
        } else {
            // `loop.create_task` needs no running loop, wherever the call is.
            let applicability = outside(Applicability::Safe);
            // Two edits, so that comments and layout inside the call stay as they are.
            let callee =
                Edit { range: call.callee, content: format!("{}.create_task", as_receiver(slice(loop_value))) };
            let mut edits = vec![callee, loop_argument];
            edits.extend(positional);
            return Some(Fix { applicability, message: "Use `loop.create_task`".into(), edits });
        }
    }
    if call.run_by_loop
        && let Some(fix) = unwrapped_for_loop(text, call)
    {
        return Some(fix);
    }
    let applicability = outside(match call.context {
        CallContext::Coroutine | CallContext::LoopFunction if running_loop_instead => Applicability::Unsafe,
        CallContext::Coroutine | CallContext::LoopFunction => Applicability::Safe,
        CallContext::Function if call.loopless.is_some() => return None,
        CallContext::Function => Applicability::Unsafe,
        CallContext::Import => return None,
    });
    let callee = slice(call.callee);
    let mut edits = if callee.strip_suffix(".ensure_future").is_some() {
        let end = call.callee.end();
        let name = TextRange::new(end - TextSize::from("ensure_future".len() as u32), end);
        vec![Edit { range: name, content: "create_task".into() }]
    } else {
        imported_name_edits(db, call, callee)?
    };
    edits.extend(default_loop);
    edits.extend(positional);
    Some(Fix { applicability, message: "Use `create_task`".into(), edits })
}

/// `loop.run_until_complete(ensure_future(coro))` -> `loop.run_until_complete(coro)`: the
/// loop wraps a coroutine in a Task of its own, and hands a Future back unchanged, as
/// `ensure_future` does; where the original worked (the current loop is `loop`) the two
/// are the same, and no running loop is needed. Safe; none when a comment would go.
fn unwrapped_for_loop(text: &str, call: &EnsureFutureCall) -> Option<Fix> {
    let argument = call.argument_keyword.map(|(_, value)| value).or_else(|| call.args.first().copied())?;
    let before = TextRange::new(call.at.range.start(), argument.start());
    let after = TextRange::new(argument.end(), call.at.range.end());
    let slice = |range: TextRange| &text[usize::from(range.start())..usize::from(range.end())];
    if slice(before).contains('#') || slice(after).contains('#') {
        return None;
    }
    let edits = vec![Edit { range: before, content: String::new() }, Edit { range: after, content: String::new() }];
    Some(Fix {
        applicability: Applicability::Safe,
        message: "Pass the coroutine to `run_until_complete`".into(),
        edits,
    })
}

/// The edits for a callee that is a name imported with `from asyncio import ensure_future`:
/// call the module's `create_task`, importing it next to `ensure_future` when the name is
/// free (or through `import asyncio` when it is not). `ensure_future` itself is removed by
/// the fix engine once nothing reads it. Any other name the analysis found to be asyncio's
/// `ensure_future` is replaced by `asyncio.create_task`, spelled as the module imports it.
fn imported_name_edits(db: &dyn salsa::Database, call: &EnsureFutureCall, callee: &str) -> Option<Vec<Edit>> {
    let imports = asyncio_imports(db, call.at.file);
    if !imports.complete {
        return None;
    }
    let rename = |content: String| Edit { range: call.callee, content };
    if imports.binding(callee).is_none() {
        // Another name for asyncio's `ensure_future` (`ensure_future = asyncio.ensure_future`,
        // a function's own `from asyncio import ensure_future`): the module's `asyncio`.
        let module = imports.asyncio_module.as_deref().filter(|_| imports.asyncio_module_unique)?;
        return Some(vec![rename(format!("{module}.create_task"))]);
    }
    imports.binding(callee).filter(|(_, alias)| alias.name == "ensure_future")?;
    if let Some(local) = imports.local_name("create_task") {
        return Some(vec![rename(local.to_string())]);
    }
    if !imports.is_bound_elsewhere("create_task") {
        // One place per module (after the last name of the first list), so that the fixes
        // of several calls share one identical insertion and `create_task` comes once.
        let first = imports.from_asyncio.iter().find_map(|import| import.aliases.last())?;
        let insert = Edit { range: TextRange::empty(first.range.end()), content: ", create_task".into() };
        return Some(vec![rename("create_task".into()), insert]);
    }
    let module = imports.asyncio_module.as_deref()?;
    Some(vec![rename(format!("{module}.create_task"))])
}
