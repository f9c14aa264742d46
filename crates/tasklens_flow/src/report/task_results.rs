//! Tasks whose result is set from outside (`task.set_result(v)`, `task.set_exception(e)`):
//! a Task refuses both with `RuntimeError` (TL022).

use ruff_text_size::TextRange;
use rustc_hash::{FxHashMap, FxHashSet};

use super::sites::holds_made_futures;
use super::trace::{last_argument, trace};
use super::{Location, Sink, Step, call_at, every_value, failure_expected, file_of, runs_below, sink};
use crate::objects::{GNode, GSite, Obj};
use crate::solver::Solved;
use crate::solver::link::{SinkAt, SinkKind as RawSink};

/// The methods of `asyncio.Future` that `asyncio.Task` overrides to raise `RuntimeError`.
const REFUSED_BY_TASKS: [&str; 2] = ["set_result", "set_exception"];

/// A call that makes a Task, and a `set_result` or `set_exception` called on that Task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskResultSet {
    /// The call that makes the Task.
    pub at: Location,
    pub callee: TextRange,
    /// The `set_result` or `set_exception` call.
    pub sink: Sink,
    /// How the Task came from the call to the method.
    pub steps: Vec<Step>,
    /// The Task is made only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// Each Task-making call whose Task reaches a call of a method Tasks refuse, once per
/// call and method call, by call site. Not where the method call handles `RuntimeError`
/// (a test that expects it, or code that tries), nor where the Task is made in a block
/// that expects a failure, nor for an `ensure_future` that may be given something other
/// than a coroutine (a Future it hands back, or a value the analysis does not know).
/// Where the project's plain Futures reach the same call too, the Task may have been
/// merged in by a read the analysis cannot tell apart (an attribute of instances of one
/// class that hold different things): only a Task passed to a parameter on its way, from
/// an argument that can be nothing but a Task there (a helper that settles Futures, given
/// a Task), is reported.
pub(super) fn task_results_set(solved: &Solved) -> Vec<TaskResultSet> {
    // `ensure_future(x)` makes a Task only of a coroutine.
    let ensure_futures: FxHashMap<GSite, Option<GNode>> = solved.ensure_future_sites.iter().copied().collect();
    let surely_task = |site: GSite| match ensure_futures.get(&site) {
        Some(&argument) => argument.is_some_and(|argument| every_value(solved, argument, Obj::is_coroutine)),
        None => true,
    };
    let mut seen: FxHashSet<(GSite, usize)> = FxHashSet::default();
    let mut found: Vec<(GSite, TaskResultSet)> = Vec::new();
    for (index, (record, _)) in
        solved.sinks.iter().zip(&solved.shadowed_sinks).enumerate().filter(|(_, (_, shadowed))| !**shadowed)
    {
        let (RawSink::FutureMethod(method), SinkAt::TaskMethodCall(call)) = (&record.kind, record.at) else {
            continue;
        };
        if !REFUSED_BY_TASKS.contains(&method.as_str()) || !record.path.is_empty() {
            continue;
        }
        let facts = &solved.modules.modules[record.module as usize].facts;
        let call = &facts.task_method_calls[call as usize];
        if !call.called || call.runtime_error_handled {
            continue;
        }
        let mixed = holds_made_futures(solved, record.node);
        for &obj in solved.sets.get(record.node) {
            let Obj::Task(Some(site)) = solved.objs[obj as usize] else { continue };
            if failure_expected(solved, site) || !surely_task(site) || !seen.insert((site, index)) {
                continue;
            }
            if mixed && last_argument(solved, record.node, obj).is_none_or(|passed| holds_made_futures(solved, passed))
            {
                continue;
            }
            let module = solved.modules.site_module(site);
            let at = call_at(solved, site);
            found.push((
                site,
                TaskResultSet {
                    at: Location { file: file_of(solved, module), range: at.range },
                    callee: at.callee,
                    sink: sink(solved, record),
                    steps: trace(solved, record.node, obj),
                    below: runs_below(solved, site),
                },
            ));
        }
    }
    // Call sites are numbered in module order, then source order.
    found.sort_by_key(|(site, flow)| (*site, flow.sink.at.range.start()));
    found.into_iter().map(|(_, flow)| flow).collect()
}
