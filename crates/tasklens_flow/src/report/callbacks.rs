//! `async def`s handed to code that calls them and never awaits the result (TL009).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::FxHashSet;

use super::producers::function_location;
use super::trace::trace;
use super::{Location, Step, call_at, every_value, failure_expected, file_of, runs_below, type_error_handled};
use crate::objects::{GFunc, GNode, GSite, Obj};
use crate::solver::Solved;

/// An `async def` given to the event loop as a callback (`loop.call_soon(f)`,
/// `call_later`, `add_signal_handler`, a Future's `add_done_callback`...) or to another thread as its function
/// (`threading.Thread(target=f)`, `run_in_executor(None, f)`, `executor.submit(f)`): the
/// call makes a coroutine that nothing awaits, so the function's body never runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoroutineCallback {
    /// The call that hands the function over.
    pub at: Location,
    pub callee: TextRange,
    /// The argument that gives the function (or the `functools.partial(...)` that wraps it).
    pub argument: TextRange,
    pub function: Name,
    /// Where the `async def` is.
    pub defined: Location,
    /// How the function came to the argument.
    pub steps: Vec<Step>,
    /// Who calls it.
    pub caller: CallbackCaller,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

pub use crate::solver::CallbackCaller;

/// Whether every value given at `node` is an `async def` no decorator may have wrapped: a
/// helper that hands every caller's function to `call_soon` or `run_in_executor` after
/// testing which kind it is (`if iscoroutinefunction(f): ... else: loop.call_soon(f)`)
/// gets both kinds there, and is left alone.
fn only_coroutine_functions(solved: &Solved, node: GNode) -> bool {
    every_value(solved, node, |value| match value {
        Obj::Function(func) | Obj::Bound(func) => {
            let facts = solved.modules.func(func).1;
            facts.makes_coroutine() && !facts.opaque
        }
        _ => false,
    })
}

/// The `functools.partial` made in the function (or module code) that holds `site` and
/// given to it, whose function is given at `node`.
fn partial_made_beside(solved: &Solved, site: GSite, node: GNode) -> Option<GSite> {
    let (module, call) = solved.modules.site(site);
    let start = solved.partial_callbacks.partition_point(|&(s, _)| s < site);
    let given = solved.partial_callbacks[start..].iter().take_while(|&&(s, _)| s == site);
    given.map(|&(_, partial)| partial).find(|&partial| {
        let (partial_module, made) = solved.modules.site(partial);
        let base = solved.modules.modules[partial_module as usize].node_base;
        partial_module == module
            && made.caller == call.caller
            && made.args.first().and_then(|arg| arg.node).is_some_and(|local| base + local == node)
    })
}

/// Whether every value at `node` is a Future or Task of asyncio's (a project class may
/// define an `add_done_callback` of its own that awaits what it is given).
fn only_asyncio_futures(solved: &Solved, node: GNode) -> bool {
    every_value(solved, node, |value| {
        matches!(value, Obj::Task(_) | Obj::Future(_) | Obj::FutureSummary(_) | Obj::ParamFuture(_))
    })
}

pub(super) fn coroutine_callbacks(solved: &Solved) -> Vec<CoroutineCallback> {
    let threads: FxHashSet<(GFunc, GSite)> = solved.thread_targets.iter().copied().collect();
    let mut found = Vec::new();
    let mut last = None;
    for &(site, func, node) in &solved.coroutine_callbacks {
        // Once per call and function (a partial gives it at its own node as well).
        if last.replace((site, func)) == Some((site, func))
            || failure_expected(solved, site)
            || type_error_handled(solved, site)
            || !only_coroutine_functions(solved, node)
            || (solved.done_callback_receivers.get(&site))
                .is_some_and(|&receiver| !only_asyncio_futures(solved, receiver))
        {
            continue;
        }
        let (module, call) = solved.modules.site(site);
        let base = solved.modules.modules[module as usize].node_base;
        let at = call_at(solved, site);
        let given = |local: Option<u32>| local.is_some_and(|local| base + local == node);
        let argument = match call.args.iter().position(|arg| given(arg.node)) {
            Some(index) => at.arg(index),
            None => match call.keywords.iter().position(|keyword| given(keyword.node)) {
                Some(index) => at.keyword_value(index),
                // Through a `functools.partial`: only one made in the same function, where
                // no test of what it wraps can come between (a dispatcher may unwrap a
                // partial it is given and test the function inside).
                None => match partial_made_beside(solved, site, node) {
                    Some(partial) => call_at(solved, partial).range,
                    None => continue,
                },
            },
        };
        let given_function = (solved.sets.get(node).iter())
            .find(|&&obj| matches!(solved.objs[obj as usize], Obj::Function(f) | Obj::Bound(f) if f == func));
        found.push(CoroutineCallback {
            at: Location { file: file_of(solved, module), range: at.range },
            callee: at.callee,
            argument,
            function: solved.modules.func(func).1.name.clone(),
            defined: function_location(solved, func),
            steps: given_function.map(|&obj| trace(solved, node, obj)).unwrap_or_default(),
            caller: if threads.contains(&(func, site)) {
                CallbackCaller::Thread
            } else if solved.plain_callback_sites.contains(&site) {
                CallbackCaller::Plain
            } else {
                CallbackCaller::Loop
            },
            below: runs_below(solved, site),
        });
    }
    found
}
