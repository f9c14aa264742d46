//! Reading the solved graph back into what the rules report: which plain Futures reach
//! which Task sinks, which `ensure_future` calls only see coroutines, and the rest of
//! [`FlowReport`]. The types the rules read live here; how a value came to a node is in
//! `trace`, what made it in `producers`, where a call runs in `context`.

mod callbacks;
mod called_callbacks;
mod context;
mod loop_runs;
mod module_index;
mod newer_apis;
mod non_awaitables;
mod producers;
mod protocols;
mod trace;
mod unawaited;
mod waits;

pub use callbacks::{CallbackCaller, CoroutineCallback};
pub use called_callbacks::{CalledCallback, CalledResult};
use context::{caller_of, loop_functions, loopless_calls};
pub use loop_runs::NestedLoopRun;
use module_index::{ModuleIndexes, WayIn};
pub use newer_apis::{NewerApi, NewerApiUse};
pub use non_awaitables::AwaitOnNonAwaitable;
use producers::{producer, task_arguments};
pub use protocols::{MismatchedValue, ProtocolMismatch};
use trace::{future_origins, through_future_parameter};
pub use unawaited::UnawaitedCoroutine;
pub use waits::WaitOnCoroutine;

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_db::File;
use tasklens_semantic::CallPositions;
use tasklens_semantic::facts::Part;

use crate::objects::{GNode, GSite, ModIdx, Obj, ObjId};
use crate::solver::Solved;
use crate::solver::link::{SinkAt, SinkKind as RawSink, SinkRecord};

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: File,
    pub range: TextRange,
}

/// How a parameter annotated to admit plain Futures holds one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamShape {
    /// `fut: Awaitable[T]`: the parameter itself.
    Value,
    /// `futs: Iterable[Awaitable[T]]`: its elements.
    Elements,
    /// `make: Callable[..., Awaitable[T]]`: what calling it gives.
    Result,
}

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Producer {
    /// A call that returns a plain Future (`loop.create_future()`, `gather(...)`); for a
    /// call of a `functools.partial`, what the partial wraps (`loop.run_in_executor`).
    /// `concurrent`: the Future is a `concurrent.futures.Future` (an executor's `submit`,
    /// `run_coroutine_threadsafe`), which asyncio can neither await nor wrap in a Task.
    Call { at: Location, callee: TextRange, wraps: Option<Location>, concurrent: bool },
    /// A parameter whose annotation admits a plain Future (as itself, its elements or what
    /// calling it gives: `shape`).
    Parameter { at: Location, name: Name, function: Name, shape: ParamShape },
    /// A call that returns a Task (`create_task(...)`, `ensure_future(coroutine)`).
    TaskCall { at: Location, callee: TextRange },
    /// An instance of a project class that defines `__await__` (awaitable, not a coroutine).
    Awaitable { at: Location, class: Name },
    /// A project function itself, not a call of it (`create_task(work)`).
    /// `bare_call`: calling it with no argument fits its parameters (those without a
    /// default; a method read from an instance has its first bound), and no decorator may
    /// have changed them.
    Function { at: Location, name: Name, is_async: bool, bare_call: bool },
    /// A call of a project function that yields: a generator (an async generator for an
    /// `async def`), not a coroutine.
    Generator { at: Location, name: Name, is_async: bool },
    /// A call of a plain `def` whose `return`s give only None or literals (a forgotten
    /// `async`): `literal` when some `return` gives a literal other than None.
    PlainResult { at: Location, name: Name, literal: bool },
    /// A `functools.partial(...)` object (a callable, not a call of it).
    Partial { at: Location },
    /// One of asyncio's coroutine functions itself (`asyncio.sleep`), not a call of it;
    /// shown where it is passed.
    AsyncioFunction { at: Location, path: String },
}

impl Producer {
    pub fn location(&self) -> Location {
        match self {
            Producer::Call { at, .. }
            | Producer::Parameter { at, .. }
            | Producer::TaskCall { at, .. }
            | Producer::Awaitable { at, .. }
            | Producer::Function { at, .. }
            | Producer::Generator { at, .. }
            | Producer::PlainResult { at, .. }
            | Producer::Partial { at }
            | Producer::AsyncioFunction { at, .. } => *at,
        }
    }
}

/// What needs a Task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// A call of a Task-only method.
    TaskMethod(Name),
    /// A return annotation.
    Return { function: Name },
    /// A generator's return annotation, for what it yields (`-> Iterator[Task]`).
    Yield { function: Name },
    /// A parameter annotation (the value is the argument at a call site).
    Parameter { function: Name, param: Name },
    /// An annotated assignment.
    Variable,
    /// An annotated attribute.
    Attribute { class: Name, attr: Name },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sink {
    pub at: Location,
    pub kind: SinkKind,
    /// The annotation is a container of Tasks and the Future is one of its elements.
    pub elements: bool,
}

/// One step of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    Assign(Name),
    Return(Name),
    Yield(Name),
    AttrStore(Name),
    AttrLoad(Name),
    ContainerStore,
    /// Set as the result of a Future (`fut.set_result(value)`), which awaiting it gives.
    FutureResult,
    ContainerLoad,
    Argument {
        param: Name,
        function: Name,
    },
    CallResult {
        function: Name,
    },
    PassThrough,
    Callback {
        function: Name,
    },
    Fixture {
        name: Name,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub at: Location,
    pub kind: StepKind,
}

/// A plain Future that reaches a place that needs a Task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FutureFlow {
    pub producer: Producer,
    pub sink: Sink,
    /// The hops from the producer to the sink, in order.
    pub steps: Vec<Step>,
    /// For a parameter annotated to admit a plain Future: the project's own plain Futures
    /// passed to it that reach the sink that way (real cases of the finding), in source order.
    pub passed: Vec<Producer>,
}

/// An `ensure_future` call whose argument is always a coroutine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnsureFutureCall {
    pub at: Location,
    pub callee: TextRange,
    /// Task sinks that the returned Task reaches.
    pub task_sinks: Vec<Sink>,
    /// Where the call runs, which decides whether `create_task` can replace it.
    pub context: CallContext,
    /// At import time: under `if __name__ == "__main__":`, when the file runs as a script.
    pub in_script: bool,
    /// The positional arguments' ranges.
    pub args: Vec<TextRange>,
    /// The `loop=` keyword: the whole keyword and its value.
    pub loop_keyword: Option<(TextRange, TextRange)>,
    /// The `loop=` value is a parameter of the calling function that defaults to `None`:
    /// `loop.create_task(...)` would fail where `ensure_future` uses the current loop.
    pub loop_may_be_none: bool,
    /// The argument given by keyword (`coro_or_future=...`): the whole keyword and its value.
    pub argument_keyword: Option<(TextRange, TextRange)>,
    /// Other keyword arguments are present.
    pub other_keywords: bool,
    /// For a call at import time: a module variable that holds an event loop, whose
    /// `create_task` needs no running loop.
    pub loop_in_scope: Option<Name>,
    /// The argument is a parameter of a public function or method, or what calling one
    /// gives: code outside the project may pass a Future (or a function that returns one),
    /// which `create_task` would refuse.
    pub public_parameter: Option<PublicParameter>,
    /// For a call in a function: the calls that reach it where no loop is running
    /// (outermost first), and where they start.
    pub loopless: Option<(Vec<Location>, LooplessStart)>,
    /// Reached in another thread where nothing sets an event loop: `ensure_future(coro)`
    /// (without `loop=`) raises RuntimeError there.
    pub no_current_loop: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// The call is the whole argument of an event loop's `run_until_complete`, which
    /// wraps a coroutine in a Task itself.
    pub run_by_loop: bool,
}

/// Where a call runs, as far as an event loop is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallContext {
    /// Inside an `async def`: a loop is running.
    Coroutine,
    /// In a synchronous function that is only ever called, directly or through other such
    /// functions, from coroutines: a loop is running.
    LoopFunction,
    /// In a synchronous function: a loop may or may not be running.
    Function,
    /// At module level or in a class body: runs at import time, no loop is running.
    Import,
}

/// A value that is not a coroutine reaching the argument of `create_task` (or `Task(...)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskArgumentFlow {
    pub producer: Producer,
    /// The `create_task(...)` call.
    pub call: Location,
    pub callee: TextRange,
    /// The argument.
    pub argument: Location,
    pub steps: Vec<Step>,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// What the call needs its argument to be.
    pub wanted: Wanted,
}

/// What a call that runs or wraps its argument needs it to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A coroutine, a Future or an awaitable: `ensure_future`, `gather`, `shield`,
    /// `wait_for`, `run_until_complete` (TypeError otherwise).
    Awaitable,
    /// A coroutine: `create_task`, `Task(...)` (TypeError otherwise).
    Coroutine,
    /// A coroutine to run: `asyncio.run` (ValueError otherwise).
    MainCoroutine,
}

/// `loop=` passed to an asyncio API that removed the parameter in Python 3.10.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedLoopArgument {
    /// The `loop=...` keyword.
    pub keyword: Location,
    /// The keyword's value, and the called expression (`asyncio.create_task`).
    pub value: TextRange,
    pub callee: TextRange,
    pub context: CallContext,
    /// The API as asyncio spells it (`asyncio.sleep`, `asyncio.locks.Lock`).
    pub api: String,
    /// The API never took `loop=` (`create_task`, `run`, `timeout`...): TypeError in every
    /// version.
    pub never_accepted: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// A Task whose handle nothing keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedTask {
    /// The call that creates the Task.
    pub at: Location,
    pub callee: TextRange,
    /// Where the Task goes before it is dropped (its longest path), empty when the call's
    /// result itself is dropped.
    pub steps: Vec<Step>,
    /// The last step returns it from a callback of the event loop, which drops it (or, with
    /// no steps, the loop made it by calling the callback: `loop.call_soon(loop.create_task, c)`).
    pub returned_to_loop: bool,
    /// A helper made the Task and `at` is a call of it that throws the Task away: the steps
    /// end where the Task leaves the helper, not after `at`.
    pub thrown_away_by_caller: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// `typing.cast(Task, value)` where the value can be a plain Future.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskedCast {
    pub at: Location,
    pub producer: Producer,
}

/// `asyncio.create_task` (or `get_running_loop`) reached while no event loop runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LooplessCall {
    /// The `create_task` call.
    pub at: Location,
    pub callee: TextRange,
    /// The calls that lead there from where it starts, outermost first.
    pub chain: Vec<Location>,
    pub start: LooplessStart,
    /// `get_event_loop()` in a thread that sets no loop: it needs a current loop, not a
    /// running one.
    pub current_loop: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// Where a call that needs a running loop is reached from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LooplessStart {
    /// Module-level code or a class body, as the module is imported.
    Import,
    /// Module-level code under `if __name__ == "__main__":`, as the file runs as a script.
    Script,
    /// A function that the first call of the chain runs in another thread.
    Thread,
}

/// Everything the rules need from the flow analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowReport {
    pub future_flows: Vec<FutureFlow>,
    pub ensure_future_calls: Vec<EnsureFutureCall>,
    pub task_arguments: Vec<TaskArgumentFlow>,
    pub removed_loop_arguments: Vec<RemovedLoopArgument>,
    pub newer_api_uses: Vec<NewerApiUse>,
    pub dropped_tasks: Vec<DroppedTask>,
    pub masked_casts: Vec<MaskedCast>,
    pub loopless_calls: Vec<LooplessCall>,
    pub waits_on_coroutines: Vec<WaitOnCoroutine>,
    pub coroutine_callbacks: Vec<CoroutineCallback>,
    pub called_callbacks: Vec<CalledCallback>,
    pub protocol_mismatches: Vec<ProtocolMismatch>,
    pub unawaited_coroutines: Vec<UnawaitedCoroutine>,
    pub nested_loop_runs: Vec<NestedLoopRun>,
    pub awaits_on_non_awaitables: Vec<AwaitOnNonAwaitable>,
    /// The analysis stopped at its growth limit: no flow finding is reported.
    pub incomplete: bool,
}

/// What the report needs that depends on the solution and the facts alone (not on
/// positions): computed once per solution, so an edit that only moves code skips it.
#[derive(Default)]
pub(crate) struct Derived {
    pub loop_functions: FxHashSet<u32>,
    /// Each dropped Task's creating site, with the farthest node it reaches (and the object),
    /// and whether that node is the return of a function only the event loop calls.
    pub dropped_tasks: Vec<(GSite, GNode, ObjId, crate::dropped::Lost)>,
    /// `create_task` calls reached where no loop runs, each with the calls that lead there.
    pub loopless_calls: Vec<context::Loopless>,
    /// `ensure_future` calls in functions reached where no loop runs, the same way.
    pub loopless_ensure_futures: FxHashMap<GSite, context::LooplessPath>,
    /// Those of them reached in another thread that sets no event loop.
    pub threads_without_loop: FxHashSet<GSite>,
    /// The `get_event_loop()` calls among `loopless_calls` (in threads without a loop).
    pub current_loop_calls: FxHashSet<GSite>,
}

pub(crate) fn derive(solved: &Solved) -> Derived {
    if solved.incomplete {
        return Derived::default();
    }
    // Three independent reads of the solution, side by side.
    let (dropped_tasks, (loop_functions, loopless_calls)) = rayon::join(
        || crate::dropped::dropped_tasks(solved),
        || rayon::join(|| loop_functions(solved), || loopless_calls(solved)),
    );
    let context::LooplessCalls { calls, ensure_futures, threads_without_loop, current_loop_calls } = loopless_calls;
    Derived {
        loop_functions,
        dropped_tasks,
        loopless_calls: calls,
        loopless_ensure_futures: ensure_futures,
        threads_without_loop,
        current_loop_calls,
    }
}

pub(crate) fn extract(solved: &Solved) -> FlowReport {
    let mut report = FlowReport::default();
    if solved.incomplete {
        report.incomplete = true;
        return report;
    }
    let mut seen = FxHashSet::default();
    let mut task_sinks: FxHashMap<u32, Vec<Sink>> = FxHashMap::default();
    // Per Future-admitting parameter, the Futures passed to it that reach a sink through it.
    let mut passed: FxHashMap<GNode, Vec<ObjId>> = FxHashMap::default();
    let mut parameter_flows: Vec<(usize, GNode)> = Vec::new();
    for (record, _) in solved.sinks.iter().zip(&solved.shadowed_sinks).filter(|(_, shadowed)| !**shadowed) {
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
            loopless: solved.derived.loopless_ensure_futures.get(&site).map(|(chain, start)| {
                let location = |via: &u32| Location {
                    file: file_of(solved, solved.modules.site_module(*via)),
                    range: call_at(solved, *via).range,
                };
                (chain.iter().map(location).collect(), *start)
            }),
            no_current_loop: solved.derived.threads_without_loop.contains(&site),
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
        })
        .collect();
    report.loopless_calls = (solved.derived.loopless_calls.iter())
        .map(|(site, chain, start)| LooplessCall {
            at: location(*site),
            callee: call_at(solved, *site).callee,
            chain: chain.iter().map(|&via| location(via)).collect(),
            start: *start,
            current_loop: solved.derived.current_loop_calls.contains(site),
            below: runs_below(solved, *site),
        })
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
        .filter(|(site, _, _)| !type_error_handled(solved, *site))
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
    report.nested_loop_runs = loop_runs::nested_loop_runs(solved, &context_of);
    report.awaits_on_non_awaitables = non_awaitables::awaits_on_non_awaitables(solved);
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
            (&[WayIn::Copy { from }], _) | (&[], Some(from)) => node = from,
            (&[WayIn::Load { attr }], _) => {
                return index.param_attr(attr).map(|name| PublicParameter { name: name.clone(), called });
            }
            _ => return None,
        }
    }
    None
}

/// Whether a call is in a `try` body that catches `TypeError`: what it raises that way is
/// handled (compatibility code such as `try: Queue(loop=loop) except TypeError: Queue()`).
pub(super) fn type_error_handled(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.type_error_handled)
}

/// Whether a call is where a `ValueError` it raises is handled or expected by name.
pub(super) fn value_error_handled(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.value_error_handled)
}

/// The project functions a call site can run.
pub(super) fn callees(solved: &Solved, site: GSite) -> impl Iterator<Item = u32> + '_ {
    let start = solved.calls.partition_point(|&(s, _)| s < site);
    solved.calls[start..].iter().take_while(move |&&(s, _)| s == site).map(|&(_, func)| func)
}

/// Whether `site` is among the module-local sites a module's facts list (sorted).
pub(super) fn site_listed(
    solved: &Solved,
    site: GSite,
    list: impl Fn(&tasklens_semantic::facts::ModuleFacts) -> &Vec<tasklens_semantic::facts::SiteId>,
) -> bool {
    let entry = &solved.modules.modules[solved.modules.site_module(site) as usize];
    list(&entry.facts).binary_search(&(site - entry.site_base)).is_ok()
}

/// Whether `node` holds some value and every value passes `test`.
pub(super) fn every_value(solved: &Solved, node: GNode, test: impl Fn(Obj) -> bool) -> bool {
    let values = solved.sets.get(node);
    !values.is_empty() && values.iter().all(|&obj| test(solved.objs[obj as usize]))
}

/// Whether a call is in a test's block that expects it to fail (`with pytest.raises(...)`).
pub(super) fn failure_expected(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.failure_expected)
}

/// The version a call runs below, when it is under a version guard.
pub(super) fn runs_below(solved: &Solved, site: GSite) -> Option<tasklens_db::PythonVersion> {
    site_version(solved, site, |facts| &facts.version_bounded)
}

/// The version a call runs from on, when it is under a version guard.
pub(super) fn runs_from(solved: &Solved, site: GSite) -> Option<tasklens_db::PythonVersion> {
    site_version(solved, site, |facts| &facts.version_floor)
}

/// The version a module's facts list for `site` (by module-local site, sorted).
fn site_version(
    solved: &Solved,
    site: GSite,
    list: impl Fn(
        &tasklens_semantic::facts::ModuleFacts,
    ) -> &Vec<(tasklens_semantic::facts::SiteId, tasklens_db::PythonVersion)>,
) -> Option<tasklens_db::PythonVersion> {
    let entry = &solved.modules.modules[solved.modules.site_module(site) as usize];
    let versions = list(&entry.facts);
    let index = versions.binary_search_by_key(&(site - entry.site_base), |&(site, _)| site).ok()?;
    Some(versions[index].1)
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
                WayIn::Load { .. } => {}
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

fn file_of(solved: &Solved, module: u32) -> File {
    solved.modules.modules[module as usize].file
}

fn func_name(solved: &Solved, func: u32) -> Name {
    solved.modules.func(func).1.name.clone()
}

fn sink(solved: &Solved, record: &SinkRecord) -> Sink {
    let kind = match &record.kind {
        RawSink::TaskMethod(name) => SinkKind::TaskMethod(name.clone()),
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

/// The positions of call `site`.
fn call_at(solved: &Solved, site: u32) -> &CallPositions {
    let module = solved.modules.site_module(site);
    let local = site - solved.modules.modules[module as usize].site_base;
    &solved.positions[module as usize].call_sites[local as usize]
}
