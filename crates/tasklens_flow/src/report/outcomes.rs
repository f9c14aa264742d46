//! Done-callbacks that read their Task's outcome without asking whether it was cancelled
//! (TL023).

use ruff_python_ast::name::Name;

use super::sites::holds_made_futures;
use super::{Location, call_at, every_value, file_of, func_name, runs_below};
use crate::objects::{GNode, GSite, Obj};
use crate::solver::Solved;

/// `task.result()` or `task.exception()` in a function `add_done_callback` calls with a
/// Task, where the function never asks whether the Task was cancelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncheckedOutcome {
    /// The `result()` or `exception()` call.
    pub at: Location,
    pub method: Name,
    /// The callback and its parameter that gets the Task.
    pub function: Name,
    pub param: Name,
    /// Where its parameter's name is written.
    pub param_at: Location,
    /// The `add_done_callback(...)` call that registers it (the first one met).
    pub registered: Location,
    /// The registration runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// The first such read of each callback's parameter, where the callback is registered as a
/// done-callback and a Task (which `asyncio.run` cancels at exit, and anything may cancel)
/// is among what it gets. Where plain Futures reach the parameter too, a Task may have been
/// merged in by a helper that registers callbacks for every caller (`def
/// on_done(fut, cb): fut.add_done_callback(cb)`): then only a Task from a receiver that
/// holds no plain Future counts. A Task whose coroutines all mention cancellation may catch
/// it and end normally (`except CancelledError: return`): it does not count.
pub(super) fn unchecked_outcomes(solved: &Solved) -> Vec<UncheckedOutcome> {
    let mut found = Vec::new();
    if solved.done_callback_params.is_empty() {
        return found;
    }
    // The coroutine each `create_task`-like call wraps.
    let coroutines: rustc_hash::FxHashMap<GSite, GNode> = solved.task_argument_sites.iter().copied().collect();
    let may_end_cancelled = |site: Option<GSite>| {
        let Some(&coroutine) = site.and_then(|site| coroutines.get(&site)) else { return true };
        !every_value(
            solved,
            coroutine,
            |value| matches!(value, Obj::Coro(Some(func)) if solved.modules.func(func).1.mentions_cancellation),
        )
    };
    for (m, module) in solved.modules.modules.iter().enumerate() {
        let facts = &module.facts;
        let mut seen = rustc_hash::FxHashSet::default();
        for (index, read) in facts.unchecked_outcomes.iter().enumerate() {
            if !seen.insert((read.func, read.param)) {
                continue;
            }
            let function = &facts.functions[read.func as usize];
            let Some(param) = function.params.get(read.param as usize) else { continue };
            let node = module.node_base + param.node;
            let Some(&site) = solved.done_callback_params.get(&node) else { continue };
            let mixed = holds_made_futures(solved, node);
            let gets_task = solved.sets.get(node).iter().any(|&obj| {
                matches!(solved.objs[obj as usize], Obj::Task(site) if may_end_cancelled(site))
                    && (!mixed
                        || solved.preds.get(&(node, obj)).is_some_and(|&(from, _)| !holds_made_futures(solved, from)))
            });
            if !gets_task {
                continue;
            }
            let positions = &solved.positions[m];
            let registered_module = solved.modules.site_module(site);
            let registration = call_at(solved, site);
            found.push(UncheckedOutcome {
                at: Location { file: file_of(solved, m as u32), range: positions.unchecked_outcomes[index] },
                method: read.method.clone(),
                function: func_name(solved, module.func_base + read.func),
                param: param.name.clone(),
                param_at: Location {
                    file: file_of(solved, m as u32),
                    range: positions.params[read.func as usize][read.param as usize],
                },
                registered: Location { file: file_of(solved, registered_module), range: registration.range },
                below: runs_below(solved, site),
            });
        }
    }
    found
}
