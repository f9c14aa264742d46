//! Reading the solved graph back into what the rules report: which plain Futures reach
//! which Task sinks, which `ensure_future` calls only see coroutines, and the rest of
//! [`FlowReport`]. The types the rules read are in `types`, what the facts say of one call
//! site in `sites`; how a value came to a node is in `trace`, what made it in `producers`,
//! where a call runs in `context`.

mod callbacks;
mod called_callbacks;
mod context;
mod coroutine_sinks;
mod guards;
mod loop_runs;
mod missing_awaits;
mod module_index;
mod newer_apis;
mod non_awaitables;
mod outcomes;
mod producers;
mod protocols;
mod sites;
mod task_results;
mod timeouts;
mod trace;
mod types;
mod unawaited;
mod waits;

pub use callbacks::{CallbackCaller, CoroutineCallback, ReturningCallback};
pub use called_callbacks::{CalledCallback, CalledResult};
use context::{caller_of, loop_functions, loopless_calls};
pub use coroutine_sinks::CoroutineFlow;
pub use loop_runs::NestedLoopRun;
pub use missing_awaits::{CoroutineUse, MissingAwait};
use module_index::{ModuleIndexes, WayIn};
pub use newer_apis::{NewerApi, NewerApiUse};
pub use non_awaitables::AwaitOnNonAwaitable;
pub use outcomes::UncheckedOutcome;
use producers::{producer, task_arguments};
pub use protocols::{MismatchedValue, ProtocolMismatch};
use sites::{
    call_at, callees, every_value, failure_expected, file_of, func_name, runs_below, runs_from, site_listed,
    type_error_handled, value_error_handled,
};
pub use task_results::TaskResultSet;
pub use timeouts::{RaisedTimeout, TIMEOUT_ERROR_UNIFIED, UncaughtTimeout};
use trace::{future_origins, through_future_parameter};
pub use types::*;
pub use unawaited::{DroppedAt, UnawaitedCoroutine};
pub use waits::WaitOnCoroutine;

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::Part;

use crate::objects::{GNode, GSite, ModIdx, Obj, ObjId};
use crate::solver::Solved;
use crate::solver::link::{SinkAt, SinkKind as RawSink, SinkRecord};

/// What the report needs that depends on the solution and the facts alone (not on
/// positions): computed once per solution, so an edit that only moves code skips it.
#[derive(Default)]
pub(crate) struct Derived {
    pub loop_functions: FxHashSet<u32>,
    /// Each dropped Task's creating site, with the farthest node it reaches (and the object),
    /// and whether that node is the return of a function only the event loop calls.
    pub dropped_tasks: Vec<(GSite, GNode, ObjId, crate::dropped::Lost)>,
    /// Calls reached where no event loop runs (TL003, TL017) and the `ensure_future` calls
    /// among them.
    pub loopless: context::LooplessCalls,
    /// The versions each function runs on, by the guards of the calls that run it.
    pub guards: guards::FunctionGuards,
}

pub(crate) fn derive(solved: &Solved) -> Derived {
    if solved.incomplete {
        return Derived::default();
    }
    // Three independent reads of the solution, side by side.
    let ((dropped_tasks, guards), (loop_functions, loopless)) = rayon::join(
        || (crate::dropped::dropped_tasks(solved), guards::function_guards(solved)),
        || rayon::join(|| loop_functions(solved), || loopless_calls(solved)),
    );
    Derived { loop_functions, dropped_tasks, loopless, guards }
}

/// The calls of a path to where no loop runs, as locations, and where it starts.
fn path_locations(solved: &Solved, (chain, start): &context::LooplessPath) -> (Vec<Location>, LooplessStart) {
    let location = |via: &u32| Location {
        file: file_of(solved, solved.modules.site_module(*via)),
        range: call_at(solved, *via).range,
    };
    (chain.iter().map(location).collect(), *start)
}

pub(crate) fn extract(solved: &Solved) -> FlowReport {
    let mut report = FlowReport::default();
    if solved.incomplete {
        report.incomplete = true;
        return report;
    }
    let loopless = &solved.derived.loopless;
    let mut seen = FxHashSet::default();
    let mut task_sinks: FxHashMap<u32, Vec<Sink>> = FxHashMap::default();
    // Per Future-admitting parameter, the Futures passed to it that reach a sink through it.
    let mut passed: FxHashMap<GNode, Vec<ObjId>> = FxHashMap::default();
    let mut parameter_flows: Vec<(usize, GNode)> = Vec::new();
    for (record, _) in solved.sinks.iter().zip(&solved.shadowed_sinks).filter(|(_, shadowed)| !**shadowed) {
        // A plain Future has the methods every Future has.
        if matches!(record.kind, RawSink::FutureMethod(_)) {
            continue;
        }
        for node in sink_nodes(solved, record) {
            for &obj in solved.sets.get(node) {
                match solved.objs[obj as usize] {
                    value if value.is_plain_future() => {
                        if let Some(param) = through_future_parameter(solved, node, obj) {
                            passed.entry(param).or_default().push(obj);
                            continue;
                        }
                        for (future, steps) in future_origins(solved, node, obj) {
                            if !seen.insert((future, record.node, record.at)) {
                                continue;
                            }
                            let Some(producer) = producer(solved, solved.objs[future as usize]) else {
                                continue;
                            };
                            if let Obj::ParamFuture(param) = solved.objs[future as usize] {
                                parameter_flows.push((report.future_flows.len(), param));
                            }
                            let sink = sink(solved, record);
                            report.future_flows.push(FutureFlow { producer, sink, steps, passed: Vec::new() });
                        }
                    }
                    Obj::Task(Some(site)) => {
                        let entry = task_sinks.entry(site).or_default();
                        let sink = sink(solved, record);
                        if !entry.contains(&sink) {
                            entry.push(sink);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for (index, param) in parameter_flows {
        let Some(futures) = passed.get(&param) else { continue };
        // Call sites are numbered in module order, then source order.
        let mut sites: Vec<u32> = (futures.iter())
            .filter_map(|&future| match solved.objs[future as usize] {
                Obj::Future(site) => Some(site),
                _ => None,
            })
            .collect();
        sites.sort_unstable();
        sites.dedup();
        report.future_flows[index].passed =
            sites.into_iter().filter_map(|site| producer(solved, Obj::Future(site))).collect();
    }
    let loop_functions = &solved.derived.loop_functions;
    let context_of = |site: u32| CallContext::of(solved.modules.site(site).1, caller_of(solved, site), loop_functions);
    let mut indexes = ModuleIndexes::new(solved);
    // `TASKLENS_DEBUG_ENSURE_FUTURE=module.name` (or `*`): what reaches each `ensure_future` there.
    let debugged = std::env::var("TASKLENS_DEBUG_ENSURE_FUTURE").ok();
    for &(site, arg) in &solved.ensure_future_sites {
        let Some(arg) = arg else { continue };
        let objs = solved.sets.get(arg);
        if let Some(wanted) = &debugged
            && let module_name = &solved.modules.modules[solved.modules.site_module(site) as usize].name
            && (wanted == "*" || **module_name == **wanted)
        {
            let values: Vec<&Obj> = objs.iter().map(|&o| &solved.objs[o as usize]).collect();
            eprintln!("ensure_future in {module_name} at byte {:?}: {values:?}", call_at(solved, site).range.start());
        }
        let all_coroutines = every_value(solved, arg, Obj::is_coroutine);
        // A test of `ensure_future` that expects it to fail is left as it is.
        if !all_coroutines || !only_ensure_future(solved, &mut indexes, site) || failure_expected(solved, site) {
            continue;
        }
        let (module, call) = solved.modules.site(site);
        let (at, context) = (call_at(solved, site), context_of(site));
        let keyword = |name: &str| {
            (call.keywords.iter().position(|k| k.name.as_str() == name))
                .map(|index| (at.keyword_whole(index), at.keyword_value(index)))
        };
        let (loop_keyword, argument_keyword) = (keyword("loop"), keyword("coro_or_future"));
        report.ensure_future_calls.push(EnsureFutureCall {
            at: Location { file: file_of(solved, module), range: at.range },
            callee: at.callee,
            task_sinks: task_sinks.remove(&site).unwrap_or_default(),
            context,
            in_script: context::module_level_start(solved, site) == LooplessStart::Script,
            args: at.args.clone(),
            loop_keyword,
            loop_may_be_none: loop_may_be_none(solved, &mut indexes, module, call),
            argument_keyword,
            other_keywords: call.has_spread
                || call.keywords.iter().any(|k| !matches!(k.name.as_str(), "loop" | "coro_or_future")),
            loop_in_scope: (context == CallContext::Import).then(|| indexes.of(module).loop_global.clone()).flatten(),
            public_parameter: public_parameter(solved, &mut indexes, module, call),
            loopless: loopless.ensure_futures.get(&site).map(|path| path_locations(solved, path)),
            no_current_loop: loopless.threads_without_loop.contains(&site),
            implicit_loop: loopless.implicit_loop_ensure_futures.get(&site).map(|path| path_locations(solved, path)),
            below: runs_below(solved, site),
            run_by_loop: solved.run_by_loop.contains(&site),
        });
    }
    report.future_flows.sort_by_key(|f| (f.producer.location().range.start(), f.sink.at.range.start()));
    report.task_arguments = task_arguments(solved);
    let location = |site: u32| Location {
        file: file_of(solved, solved.modules.site_module(site)),
        range: call_at(solved, site).range,
    };
    report.dropped_tasks = (solved.derived.dropped_tasks.iter())
        // A test that expects the call to fail (`with pytest.raises(...)`) makes no Task.
        .filter(|&&(site, ..)| !failure_expected(solved, site))
        .map(|&(site, end, obj, lost)| DroppedTask {
            at: location(site),
            // A Task the loop makes through a callback is named by the callback.
            callee: match solved.loop_made_tasks.get(&site) {
                Some(&callback) => call_at(solved, site).arg(usize::from(callback)),
                None => call_at(solved, site).callee,
            },
            steps: trace::trace(solved, end, obj),
            returned_to_loop: lost == crate::dropped::Lost::ReturnedToLoop
                || solved.loop_made_tasks.contains_key(&site),
            thrown_away_by_caller: lost == crate::dropped::Lost::ThrownAwayByCaller,
            below: runs_below(solved, site),
            gathered: None,
        })
        .collect();
    let gatherings = crate::dropped::dropped_gatherings(solved);
    report.dropped_tasks.extend(gatherings.into_iter().filter(|&site| !failure_expected(solved, site)).map(|site| {
        DroppedTask {
            at: location(site),
            callee: call_at(solved, site).callee,
            steps: Vec::new(),
            returned_to_loop: false,
            thrown_away_by_caller: false,
            below: runs_below(solved, site),
            gathered: Some(Gathered { context: context_of(site), only_futures: gathers_only_futures(solved, site) }),
        }
    }));
    let loopless_call = |(site, chain, start): &context::Loopless, current_loop: bool| LooplessCall {
        at: location(*site),
        callee: call_at(solved, *site).callee,
        chain: chain.iter().map(|&via| location(via)).collect(),
        start: *start,
        current_loop,
        below: runs_below(solved, *site),
    };
    report.implicit_loop_calls = loopless.implicit_loop_calls.iter().map(|call| loopless_call(call, true)).collect();
    // Under `if sys.version_info >= (3, 10):` nothing binds a loop when made.
    let binds_when_made = |site: GSite| runs_from(solved, site).is_none_or(|from| from < LOOP_BOUND_UNTIL);
    report.loop_bound_at_import = (loopless.loop_bound_calls.iter())
        .filter_map(|call| {
            let class = solved.loop_bound_sites.get(&call.0).cloned().unwrap_or_default();
            let object = LoopBoundObject { made: loopless_call(call, true), class };
            (object.bound_in_every_version() || binds_when_made(call.0)).then_some(object)
        })
        .collect();
    report.loopless_calls = (loopless.calls.iter())
        .map(|call| loopless_call(call, loopless.current_loop_calls.contains(&call.0)))
        .collect();
    for &(site, node) in &solved.masked_casts {
        let module = solved.modules.site_module(site);
        for &obj in solved.sets.get(node) {
            if !solved.objs[obj as usize].is_plain_future() {
                continue;
            }
            for (future, _) in future_origins(solved, node, obj) {
                if let Some(producer) = producer(solved, solved.objs[future as usize]) {
                    let at = Location { file: file_of(solved, module), range: call_at(solved, site).range };
                    report.masked_casts.push(MaskedCast { at, producer });
                }
            }
        }
    }
    report.removed_loop_arguments = solved
        .removed_loop_sites
        .iter()
        .filter(|(site, _, _)| {
            !type_error_handled(solved, *site) && !site_listed(solved, *site, |facts| &facts.type_error_fallbacks)
        })
        .map(|(site, keyword, api)| {
            let module = solved.modules.site_module(*site);
            let at = call_at(solved, *site);
            let range = at.keyword_whole(*keyword as usize);
            RemovedLoopArgument {
                keyword: Location { file: file_of(solved, module), range },
                value: at.keyword_value(*keyword as usize),
                callee: at.callee,
                context: context_of(*site),
                api: api.clone(),
                never_accepted: crate::asyncio_api::loop_never_accepted(api),
                below: runs_below(solved, *site),
            }
        })
        .collect();
    report.newer_api_uses = newer_apis::newer_api_uses(solved);
    report.waits_on_coroutines = waits::waits_on_coroutines(solved, &context_of);
    report.coroutine_callbacks = callbacks::coroutine_callbacks(solved);
    report.called_callbacks = called_callbacks::called_callbacks(solved);
    report.protocol_mismatches = protocols::protocol_mismatches(solved);
    report.unawaited_coroutines = unawaited::unawaited_coroutines(solved, &context_of);
    report.coroutine_flows = coroutine_sinks::coroutine_flows(solved, &context_of);
    report.coroutine_flows.extend(coroutine_sinks::as_completed_flows(solved, &context_of));
    report.task_results_set = task_results::task_results_set(solved);
    report.unchecked_outcomes = outcomes::unchecked_outcomes(solved);
    report.missing_awaits = missing_awaits::missing_awaits(solved, &context_of);
    report.nested_loop_runs = loop_runs::nested_loop_runs(solved, &context_of);
    report.awaits_on_non_awaitables = non_awaitables::awaits_on_non_awaitables(solved);
    report.uncaught_timeouts = timeouts::uncaught_timeouts(solved);
    report
}

/// A parameter of a public function that an `ensure_future` argument comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicParameter {
    pub name: Name,
    /// The argument is what calling the parameter gives (`ensure_future(callback())`).
    pub called: bool,
}

/// The parameter of a public function (see [`module_index::is_public`]) that a call's first
/// argument comes from: the calling function's own (through copies and tests, or by
/// calling it), or one that a public function of the module stores in the attribute it is
/// read or called from (`self.factory()` after `self.factory = factory` in `__init__`;
/// attributes are told apart by name only, which at worst leaves a fix unsafe).
fn public_parameter(
    solved: &Solved,
    indexes: &mut ModuleIndexes,
    module: ModIdx,
    call: &tasklens_semantic::facts::CallSite,
) -> Option<PublicParameter> {
    let facts = &solved.modules.modules[module as usize].facts;
    let function = &facts.functions[call.caller? as usize];
    let own_params_public = module_index::is_public(facts, function);
    let (mut node, mut called) = (call.args.first()?.node?, false);
    let index = indexes.of(module);
    for _ in 0..8 {
        if let Some(param) = function.params.iter().find(|p| p.node == node).filter(|_| own_params_public) {
            return Some(PublicParameter { name: param.name.clone(), called });
        }
        if let Some(callee) = index.callee_of_result(node).filter(|_| !called) {
            (node, called) = (callee, true);
            continue;
        }
        // `self.factory()`: a method call of what the attribute holds.
        if let Some(method) = index.method_of_result(node).filter(|_| !called) {
            return index.param_attr(method).map(|name| PublicParameter { name: name.clone(), called: true });
        }
        match (index.ways_in(node), index.narrowed_from(node)) {
            // An element of what a parameter holds comes from the callers just the same.
            (&[WayIn::Copy { from } | WayIn::Element { from }], _) | (&[], Some(from)) => node = from,
            (&[WayIn::Load { attr }], _) => {
                return index.param_attr(attr).map(|name| PublicParameter { name: name.clone(), called });
            }
            _ => return None,
        }
    }
    None
}

/// Whether a call of a name runs `ensure_future` and nothing else: a compatibility name
/// (`create_task = getattr(asyncio, "create_task", asyncio.ensure_future)`) may be
/// `create_task` itself. Calls of attributes (`asyncio.ensure_future(...)`) are taken as
/// they are written.
fn only_ensure_future(solved: &Solved, indexes: &mut ModuleIndexes, site: GSite) -> bool {
    let module = solved.modules.site_module(site);
    let entry = &solved.modules.modules[module as usize];
    let Some(callee) = indexes.of(module).callee(site - entry.site_base) else { return true };
    solved.sets.get(entry.node_base + callee).iter().all(|&obj| {
        matches!(solved.objs[obj as usize], Obj::External(path) if solved.paths[path as usize].ends_with(".ensure_future"))
    })
}

/// Whether the `loop=` of `call` may be `None`: a parameter of the calling function that
/// defaults to `None` (and has not been given another value since), or an attribute read
/// (`self._loop`) of a name that some module assigns `None` or such a parameter (unless an
/// `if self._loop is None: self._loop = ...` before it in the function set it); also
/// through locals copied from those (`loop = self._loop`).
fn loop_may_be_none(
    solved: &Solved,
    indexes: &mut ModuleIndexes,
    module: ModIdx,
    call: &tasklens_semantic::facts::CallSite,
) -> bool {
    let facts = &solved.modules.modules[module as usize].facts;
    let Some(start) = call.keywords.iter().find(|k| k.name.as_str() == "loop").and_then(|k| k.node) else {
        return false;
    };
    let none_default = |node| {
        let function = call.caller.map(|caller| &facts.functions[caller as usize]);
        function.is_some_and(|function| function.params.iter().any(|p| p.node == node && p.none_default))
    };
    // Walk back over plain copies (the locals between the value and the call), a few
    // steps; not past a node with several ways in (`loop or get_event_loop()` is no None).
    let mut node = start;
    for _ in 0..8 {
        if none_default(node) {
            return true;
        }
        let ways: Vec<WayIn> = indexes.of(module).ways_in(node).to_vec();
        let mut copied = Vec::new();
        for way in ways {
            match way {
                WayIn::Load { attr }
                    if indexes.none_attr(facts.name(attr))
                        && facts.set_attribute_reads.binary_search(&node).is_err() =>
                {
                    return true;
                }
                WayIn::Copy { from } => copied.push(from),
                WayIn::Load { .. } | WayIn::Element { .. } => {}
            }
        }
        match copied.as_slice() {
            [from] => node = *from,
            _ => return false,
        }
    }
    false
}

/// The nodes whose values a sink checks.
fn sink_nodes(solved: &Solved, record: &SinkRecord) -> Vec<GNode> {
    let parts = |node: GNode, part: Part| -> Vec<GNode> {
        (solved.sets.get(node).iter())
            .filter_map(|&obj| match solved.objs[obj as usize] {
                Obj::Container(container, _) => solved.part_nodes.get(&(container, part)).copied(),
                _ => None,
            })
            .collect()
    };
    let mut nodes = vec![record.node];
    for &part in &record.path {
        nodes = nodes.into_iter().flat_map(|node| parts(node, part)).collect();
        nodes.sort_unstable();
        nodes.dedup();
    }
    nodes
}

fn sink(solved: &Solved, record: &SinkRecord) -> Sink {
    let kind = match &record.kind {
        RawSink::TaskMethod(name) => SinkKind::TaskMethod(name.clone()),
        RawSink::FutureMethod(name) => SinkKind::FutureMethod(name.clone()),
        RawSink::Return { func } => SinkKind::Return { function: func_name(solved, *func) },
        RawSink::Yield { func } => SinkKind::Yield { function: func_name(solved, *func) },
        RawSink::Param { func, index } => {
            let facts = solved.modules.func(*func).1;
            let param = facts.params.get(*index as usize).map(|p| p.name.clone()).unwrap_or_default();
            SinkKind::Parameter { function: facts.name.clone(), param }
        }
        RawSink::Variable => SinkKind::Variable,
        RawSink::Attribute { class, attr } => {
            SinkKind::Attribute { class: solved.modules.class(*class).1.name.clone(), attr: attr.clone() }
        }
    };
    let positions = &solved.positions[record.module as usize];
    let range = match record.at {
        SinkAt::Annotation(index) => positions.annotated[index as usize],
        SinkAt::TaskMethodCall(index) => positions.task_method_calls[index as usize],
    };
    Sink { at: Location { file: file_of(solved, record.module), range }, kind, elements: record.in_elements() }
}

/// Whether every argument of the `gather` or `shield` call at `site` is a Task or a Future
/// (none spread): the call makes no Task of its own.
fn gathers_only_futures(solved: &Solved, site: GSite) -> bool {
    if call_at(solved, site).args.is_empty() {
        return false;
    }
    let sites = &solved.awaitable_argument_sites;
    let arguments = &sites[sites.partition_point(|&(s, ..)| s < site)..sites.partition_point(|&(s, ..)| s <= site)];
    let future = |obj: &ObjId| {
        matches!(solved.objs[*obj as usize], Obj::Task(_)) || solved.objs[*obj as usize].is_plain_future()
    };
    arguments.len() == call_at(solved, site).args.len()
        && arguments
            .iter()
            .all(|&(_, _, node)| !solved.sets.get(node).is_empty() && solved.sets.get(node).iter().all(future))
}
