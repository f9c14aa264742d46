//! `async def`s handed to code that calls them and never awaits the result (TL009).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::{FxHashMap, FxHashSet};

use super::coroutine_sinks::coroutine_producers;
use super::producers::function_location;
use super::trace::{trace, way_back};
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
    /// The plain function (a lambda, a `def`) that is given and returns the coroutine of a
    /// call of the `async def` instead of being one: its name, where it is, and the call
    /// that makes the coroutine.
    pub returned_by: Option<ReturningCallback>,
}

/// A plain function given as a callback that returns a coroutine ([`CoroutineCallback::returned_by`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturningCallback {
    pub name: Name,
    pub defined: Location,
    /// The call in it that makes the coroutine it returns.
    pub call: Location,
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
            || !callback_reported(solved, site)
            || !only_coroutine_functions(solved, node)
        {
            continue;
        }
        let Some(argument) = argument_giving(solved, site, node) else { continue };
        found.push(callback_found(solved, &threads, (site, func, node), argument, func, None));
    }
    // What the plain callbacks' functions return (and the others given with them), walked
    // back once each, and the calls that made those coroutines.
    let mut returns: Returns = FxHashMap::default();
    for &(_, func, node) in &solved.returning_callbacks {
        let given = solved.sets.get(node).iter().filter_map(|&obj| match solved.objs[obj as usize] {
            Obj::Function(f) | Obj::Bound(f) => Some(f),
            _ => None,
        });
        for f in std::iter::once(func).chain(given) {
            returns.entry(f).or_insert_with(|| returned_coroutines(solved, f));
        }
    }
    let made = returns.values().flatten().flatten().filter_map(|&(origin, _)| origin).collect();
    let producers = coroutine_producers(solved, made);
    let returned_coroutine = |func: GFunc| returned_coroutine(solved, &returns, &producers, func);
    let mut last = None;
    for &(site, func, node) in &solved.returning_callbacks {
        if last.replace((site, func)) == Some((site, func)) || !callback_reported(solved, site) {
            continue;
        }
        let Some(returned) = returned_coroutine(func) else { continue };
        // Every function given there drops a coroutine.
        let drops_coroutine = |value: Obj| match value {
            Obj::Function(f) | Obj::Bound(f) if f == func => true,
            Obj::Function(f) | Obj::Bound(f) => {
                let facts = solved.modules.func(f).1;
                (facts.makes_coroutine() && !facts.opaque) || returned_coroutine(f).is_some()
            }
            _ => false,
        };
        if !every_value(solved, node, drops_coroutine) {
            continue;
        }
        let Some(argument) = argument_giving(solved, site, node) else { continue };
        let (coroutine, call) = returned;
        let returned_by = ReturningCallback {
            name: solved.modules.func(func).1.name.clone(),
            defined: function_location(solved, func),
            call,
        };
        found.push(callback_found(solved, &threads, (site, func, node), argument, coroutine, Some(returned_by)));
    }
    found
}

/// Whether a callback given at `site` can be reported: not where the failure is expected or
/// `TypeError` handled, and for `add_done_callback`, only on asyncio's own Futures and Tasks.
fn callback_reported(solved: &Solved, site: GSite) -> bool {
    !failure_expected(solved, site)
        && !type_error_handled(solved, site)
        && (solved.done_callback_receivers.get(&site)).is_none_or(|&receiver| only_asyncio_futures(solved, receiver))
}

/// The argument of `site` that gives what `node` holds (or the `functools.partial(...)`
/// that wraps it).
fn argument_giving(solved: &Solved, site: GSite, node: GNode) -> Option<TextRange> {
    let (module, call) = solved.modules.site(site);
    let base = solved.modules.modules[module as usize].node_base;
    let at = call_at(solved, site);
    let given = |local: Option<u32>| local.is_some_and(|local| base + local == node);
    match call.args.iter().position(|arg| given(arg.node)) {
        Some(index) => Some(at.arg(index)),
        None => match call.keywords.iter().position(|keyword| given(keyword.node)) {
            Some(index) => Some(at.keyword_value(index)),
            // Through a `functools.partial`: only one made in the same function, where
            // no test of what it wraps can come between (a dispatcher may unwrap a
            // partial it is given and test the function inside).
            None => partial_made_beside(solved, site, node).map(|partial| call_at(solved, partial).range),
        },
    }
}

/// Per function, what [`returned_coroutines`] gives.
type Returns = FxHashMap<GFunc, Option<Vec<(Option<GNode>, GFunc)>>>;

/// For a plain function (not `async`, not a generator) whose return holds only coroutines:
/// each coroutine's `async def`, with the node it was made at (where it was seeded, on its
/// way back to the return).
fn returned_coroutines(solved: &Solved, func: GFunc) -> Option<Vec<(Option<GNode>, GFunc)>> {
    let (module, facts) = solved.modules.func(func);
    if facts.is_generator || facts.is_async {
        return None;
    }
    let ret = solved.modules.modules[module as usize].node_base + facts.ret;
    let values = solved.sets.get(ret);
    if values.is_empty() {
        return None;
    }
    (values.iter())
        .map(|&obj| match solved.objs[obj as usize] {
            Obj::Coro(Some(coroutine)) | Obj::CoroCall(_, coroutine) => {
                Some((way_back(solved, ret, obj).last(), coroutine))
            }
            _ => None,
        })
        .collect()
}

/// The `async def` whose coroutine the plain function `func` returns, and the call that
/// makes it, when everything `func` returns is such a coroutine, made by a call that only
/// ever runs `async def`s (TL011's producer test: not an override that is a plain `def`,
/// not under a decorator the analysis does not know), in `func` or in a helper it calls.
fn returned_coroutine(
    solved: &Solved,
    returns: &Returns,
    producers: &FxHashMap<GNode, (GSite, Vec<GFunc>)>,
    func: GFunc,
) -> Option<(GFunc, Location)> {
    let mut returned = None;
    for &(origin, coroutine) in returns.get(&func)?.as_ref()? {
        let &(site, _) = producers.get(&origin?)?;
        let at =
            Location { file: file_of(solved, solved.modules.site_module(site)), range: call_at(solved, site).range };
        returned.get_or_insert((coroutine, at));
    }
    returned
}

/// The finding for `func` given at `node` to `site` as `argument`: the `async def` itself
/// (`coroutine` is `func`), or a plain function that returns a coroutine of `coroutine`.
fn callback_found(
    solved: &Solved,
    threads: &FxHashSet<(GFunc, GSite)>,
    (site, func, node): (GSite, GFunc, GNode),
    argument: TextRange,
    coroutine: GFunc,
    returned_by: Option<ReturningCallback>,
) -> CoroutineCallback {
    let module = solved.modules.site_module(site);
    let at = call_at(solved, site);
    let given_function = (solved.sets.get(node).iter())
        .find(|&&obj| matches!(solved.objs[obj as usize], Obj::Function(f) | Obj::Bound(f) if f == func));
    CoroutineCallback {
        at: Location { file: file_of(solved, module), range: at.range },
        callee: at.callee,
        argument,
        function: solved.modules.func(coroutine).1.name.clone(),
        defined: function_location(solved, coroutine),
        steps: given_function.map(|&obj| trace(solved, node, obj)).unwrap_or_default(),
        caller: if threads.contains(&(func, site)) {
            CallbackCaller::Thread
        } else if let Some(&caller) = solved.plain_callback_sites.get(&site) {
            caller
        } else {
            CallbackCaller::Loop
        },
        below: runs_below(solved, site),
        returned_by,
    }
}
