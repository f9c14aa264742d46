//! TL005: a Task whose handle is dropped.

use ruff_text_size::TextRange;
use tasklens_flow::{CallContext, DroppedTask, Gathered, StepKind};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;
use crate::task_keeper::{HELPER, task_keeper};

declare_rule! {
    /// ## What it does
    /// Finds Tasks from `asyncio.create_task`, `loop.create_task`, `asyncio.Task(...)` or
    /// `ensure_future` whose handle nothing keeps: the call is a statement of its own, its
    /// result is assigned to `_` or to a variable that is never read, or it is returned
    /// from a helper whose callers (across modules) all drop it, or only its own methods
    /// are called on the bare result (`create_task(c).add_done_callback(log)`: a
    /// done-callback gets the Task once it has finished, so it keeps nothing alive before
    /// then). A helper that returns a new Task and keeps it no other way (`def spawn(c):
    /// return asyncio.create_task(c)`) is a `create_task` of its own: a call of it written
    /// as a statement drops its Task even when other callers keep theirs (for an `async def`
    /// helper, `await helper()` as a statement). A variable that is only named or given done-callbacks (`t.set_name(...)`,
    /// `t.add_done_callback(log)`), or only tested (`assert t`, `if t is None:`), keeps the
    /// Task only while its function is suspended: it
    /// is dropped when nothing is awaited (or yielded) after the call, and no call after it
    /// runs the loop in the same frame (`loop.run_forever()`, `loop.run_until_complete(...)`,
    /// `asyncio.run(...)`, aiohttp's `web.run_app(...)`, Twisted's `reactor.run()`). Such a
    /// call also lets a variable nothing reads keep its Task (`_ = loop.create_task(main())`
    /// before `loop.run_forever()`), or a local list that holds it (`tasks.append(...)`);
    /// an `await` does not. A handle that is awaited,
    /// stored in an attribute, a global or a container that is itself kept, or passed on
    /// to other code is kept, also by the coroutine it runs when that stores it
    /// (`self.handlers.add(asyncio.current_task())`; a local of the coroutine's own frame,
    /// or a call it is passed to there, does not keep it); a list, set or dict built and thrown away
    /// (`[asyncio.create_task(c) for c in coros]` as a statement, or a local list that
    /// `append` fills and nothing reads) keeps none of its Tasks.
    /// A Task the event loop makes itself, from a callback (`loop.call_soon_threadsafe(
    /// loop.create_task, coro)`, `loop.call_later(1, asyncio.create_task, coro)`), is dropped
    /// too: the loop throws away what its callbacks return.
    /// A call in a test's `with pytest.raises(RuntimeError):` (or `assertRaises`) is
    /// expected to fail for want of a loop, and makes no Task.
    /// `TaskGroup.create_task` keeps its own reference. A `create_task` called on what
    /// is not known to be an event loop is not taken for the loop's: the project's own
    /// method of that name is followed into its body, and one of a class with an outside
    /// base (other than the standard library's) or of a name imported from an outside
    /// module (`scheduling.create_task(...)`, a library's helper) may keep its Task, so it
    /// is left alone. A `weakref.WeakSet` (or a
    /// `WeakValueDictionary`, or a `weakref.ref(task)`) keeps nothing (it is the usual
    /// wrong fix): adding the Task to one, or reading it back from one, does not count. When the Task travels
    /// before it is dropped (returned from a helper, assigned on), the finding shows the
    /// longest way it takes, up to the last step after which nothing keeps it.
    ///
    /// Also finds `asyncio.gather(...)` and `asyncio.shield(...)` written as a statement of
    /// their own (in a coroutine, usually a missing `await`): their Future is all that keeps
    /// the Tasks they make for coroutines, and nothing retrieves what those raise. Passed
    /// on, assigned, returned or awaited, it is not reported.
    ///
    /// ## Why is this bad?
    /// The event loop only keeps a weak reference to a running Task. A Task that nothing
    /// else references can be garbage-collected before it finishes, and its exceptions are
    /// lost. `gather` even turns off the "Task was destroyed but it is pending!" warning for
    /// the Tasks it makes, so a dropped `gather` loses its work without a trace.
    ///
    /// ## Example
    /// ```python
    /// async def main():
    ///     asyncio.create_task(background_work())
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// background_tasks = set()
    ///
    /// async def main():
    ///     task = asyncio.create_task(background_work())
    ///     background_tasks.add(task)
    ///     task.add_done_callback(background_tasks.discard)
    /// ```
    ///
    /// ## Fix safety
    /// `tasklens check --fix --unsafe-fixes` passes the Task through a helper it adds once
    /// to the module, after its imports: `_keep_task(asyncio.create_task(work()))` (for an
    /// `async def` helper, `_keep_task(await spawn())`), where `_keep_task` adds the Task
    /// to a module-level set and removes it when it is done, as the example above does.
    /// The fix is unsafe: Tasks then live until they finish, which is what was meant, but
    /// it changes when they are collected (a Task that never finishes is now kept for
    /// good). A callback that makes the Task and returns it to the loop keeps it the same way
    /// (`lambda: _keep_task(asyncio.ensure_future(stop()))`); where the loop calls
    /// `create_task` itself, it is handed a function that keeps what that returns
    /// (`loop.call_soon(lambda *args, make=loop.create_task: _keep_task(make(*args)), coro)`).
    /// No fix is offered where the module already uses one of the helper's names. A dropped
    /// `gather` or `shield` in a coroutine is awaited instead (unsafe: the coroutine now
    /// waits for it, and what it raises now propagates). `unfixable = ["TL005"]` in
    /// the configuration (or `--unfixable TL005`) keeps `--unsafe-fixes` from adding it.
    ///
    /// ## References
    /// - [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
    pub static RULE = ("TL005", "dangling-task", Severity::Warning);
}

/// Where the Task went before nobody held it (the longest way it takes).
fn trace(task: &DroppedTask) -> Vec<Label> {
    let count = task.steps.len();
    (task.steps.iter().enumerate())
        .map(|(index, step)| {
            let mut message = describe::step(step);
            // Thrown away by a call of the helper: the step at that call (a plain helper's
            // result) ends the way; an awaited helper's last step is its `return`, after
            // which the caller still has it, so the primary label alone says where it is lost.
            let at_the_call = !task.thrown_away_by_caller || step.at == task.at;
            if index + 1 == count && at_the_call {
                message.push_str(match (task.returned_to_loop, &step.kind) {
                    (true, _) => " to the event loop, which drops it",
                    // A local holds it while its function runs (nothing awaits it there).
                    (false, StepKind::Assign(_)) => ", which holds it at most until its function returns",
                    (false, _) => "; nothing keeps it after this",
                });
            }
            Label { file: step.at.file, range: step.at.range, message }
        })
        .collect()
}

/// TL005 for one dropped Task.
pub(crate) fn diagnostic(db: &dyn salsa::Database, task: &DroppedTask) -> Diagnostic {
    let callee = &describe::shown(db, task.at.file, task.callee);
    if let Some(gathered) = task.gathered {
        return gathering_diagnostic(task, callee, gathered);
    }
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "the Task from `{callee}(...)` is never kept: the event loop holds it only weakly, so it can be garbage-collected before it finishes; store the handle or await it"
        ),
        primary: Label {
            file: task.at.file,
            range: task.at.range,
            message: match (task.steps.is_empty(), task.returned_to_loop) {
                (true, true) => format!("the event loop calls `{callee}` later and drops the Task it returns"),
                (true, false) => "this Task's handle is dropped".into(),
                (false, _) => "creates a Task that nothing keeps".into(),
            },
        },
        trace: trace(task),
        fix: fix(db, task),
    }
}

/// TL005 for `asyncio.gather(...)` or `asyncio.shield(...)` written as a statement: in a
/// coroutine, the fix awaits it (unsafe: the coroutine now waits for what it gathers).
fn gathering_diagnostic(task: &DroppedTask, callee: &str, gathered: Gathered) -> Diagnostic {
    let fix = (gathered.context == CallContext::Coroutine).then(|| Fix {
        applicability: Applicability::Unsafe,
        message: "Await it".into(),
        edits: vec![Edit { range: TextRange::empty(task.at.range.start()), content: "await ".into() }],
    });
    let lost = match gathered.only_futures {
        true => "nothing waits for what it gathers, and what that raises is never retrieved",
        false => {
            "any Task it makes for a coroutine can be garbage-collected before it finishes (without a warning), and \
             what its awaitables raise is never retrieved"
        }
    };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!("the Future from `{callee}(...)` is dropped: nothing awaits it, so {lost}; await it"),
        primary: Label { file: task.at.file, range: task.at.range, message: "nothing awaits this Future".into() },
        trace: Vec::new(),
        fix,
    }
}

/// `call(...)` -> `_keep_task(call(...))`, adding the helper to the module if it is not
/// there yet (the same edit for every fix of the module, so it is made once).
fn fix(db: &dyn salsa::Database, task: &DroppedTask) -> Option<Fix> {
    let keeper = task_keeper(db, task.at.file);
    if !keeper.usable {
        return None;
    }
    // The loop makes the Task by calling what it was handed (`loop.call_soon(loop.create_task,
    // coro)`, `task.callee`): hand it a function that keeps what that returns, the original
    // bound as it was, when the call is made (a default value: no late binding).
    let loop_made = task.returned_to_loop && task.steps.is_empty();
    let wrapped = if loop_made { task.callee } else { keeper.wrapped(task.at.range)? };
    // Never twice: a Task the helper already has is not the analysis's to wrap again.
    let text = task.at.file.text(db);
    if text[..usize::from(wrapped.start())].trim_end().ends_with(&format!("{HELPER}(")) {
        return None;
    }
    let mut edits = Vec::with_capacity(3);
    if let Some(helper) = &keeper.helper {
        // Code before the helper (on the line of the last import) runs before it exists.
        if wrapped.start() <= helper.range.start() {
            return None;
        }
        edits.push(helper.clone());
    }
    if loop_made {
        edits.push(Edit { range: TextRange::empty(wrapped.start()), content: "lambda *args, make=".into() });
        edits.push(Edit { range: TextRange::empty(wrapped.end()), content: format!(": {HELPER}(make(*args))") });
    } else {
        edits.push(Edit { range: TextRange::empty(wrapped.start()), content: format!("{HELPER}(") });
        edits.push(Edit { range: TextRange::empty(wrapped.end()), content: ")".into() });
    }
    Some(Fix { applicability: Applicability::Unsafe, message: "Keep the Task until it finishes".into(), edits })
}
