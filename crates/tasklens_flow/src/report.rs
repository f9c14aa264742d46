//! Reading the solved graph back: which plain Futures reach which Task sinks
//! (with the path of each), and which `ensure_future` calls only see coroutines.

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_db::File;
use tasklens_semantic::CallPositions;
use tasklens_semantic::facts::{Constraint, ContainerKind, FunctionKind, HopKind, Part, ReturnShape};

use crate::objects::{GNode, GSite, ModIdx, Obj, ObjId};
use crate::solver::link::{SinkAt, SinkKind as RawSink, SinkRecord};
use crate::solver::{DynHopKind, GUARD, HopAt, Label, NO_LABEL, NO_NODE, Solved};

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: File,
    pub range: TextRange,
}

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Producer {
    /// A call that returns a plain Future (`loop.create_future()`, `gather(...)`).
    Call { at: Location, callee: TextRange },
    /// A parameter whose annotation admits a plain Future.
    /// `elements`: the annotation admits Futures as its elements (`Iterable[Awaitable[T]]`).
    Parameter { at: Location, name: Name, function: Name, elements: bool },
    /// A call that returns a Task (`create_task(...)`, `ensure_future(coroutine)`).
    TaskCall { at: Location, callee: TextRange },
    /// An instance of a project class that defines `__await__` (awaitable, not a coroutine).
    Awaitable { at: Location, class: Name },
    /// A project function itself, not a call of it (`create_task(work)`).
    Function { at: Location, name: Name, is_async: bool },
    /// A call of a project function that yields: a generator (an async generator for an
    /// `async def`), not a coroutine.
    Generator { at: Location, name: Name, is_async: bool },
    /// A call of a plain `def` with no `return`: None (a forgotten `async`).
    NoneResult { at: Location, name: Name },
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
            | Producer::NoneResult { at, .. } => *at,
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
    ContainerLoad,
    Argument { param: Name, function: Name },
    CallResult { function: Name },
    PassThrough,
    Callback { function: Name },
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
    /// The positional arguments' ranges.
    pub args: Vec<TextRange>,
    /// The `loop=` keyword: the whole keyword and its value.
    pub loop_keyword: Option<(TextRange, TextRange)>,
    /// Other keyword arguments are present.
    pub other_keywords: bool,
    /// For a call at import time: a module variable that holds an event loop, whose
    /// `create_task` needs no running loop.
    pub loop_in_scope: Option<Name>,
    /// The argument is a parameter of a public function or method: code outside the
    /// project may call it with a Future, which `create_task` would refuse.
    pub public_parameter: Option<Name>,
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

impl CallContext {
    fn of(call: &tasklens_semantic::facts::CallSite, caller: Option<u32>, loop_functions: &FxHashSet<u32>) -> Self {
        match (call.in_coroutine, caller) {
            (true, _) => CallContext::Coroutine,
            (false, Some(func)) if loop_functions.contains(&func) => CallContext::LoopFunction,
            (false, Some(_)) => CallContext::Function,
            (false, None) => CallContext::Import,
        }
    }
}

/// The project-wide id of the function whose body holds the call site (`None` at import time).
fn caller_of(solved: &Solved, site: u32) -> Option<u32> {
    let module = solved.modules.site_module(site);
    let (_, call) = solved.modules.site(site);
    call.caller.map(|local| solved.modules.modules[module as usize].func_base + local)
}

/// Synchronous functions that only run inside a running loop: called at least once in
/// the project or called back by the loop (`loop.call_soon(f)`, a done-callback of an
/// asyncio Future or Task), and every call comes
/// from a coroutine or from another such function. A function whose object escapes to
/// code the analysis cannot follow may be called from anywhere, so it is never one.
fn loop_functions(solved: &Solved) -> FxHashSet<u32> {
    let caller_of = |site: u32| caller_of(solved, site);
    let mut callers: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for &(site, func) in &solved.calls {
        callers.entry(func).or_default().push(site);
    }
    let is_sync = |func: u32| solved.modules.func(func).1.runs_when_called();
    // A done-callback of an asyncio Future or Task is called by the loop too.
    let asyncio_future = |obj: &u32| match solved.objs[*obj as usize] {
        Obj::Task(_) => true,
        Obj::Future(site) => !solved.thread_futures.contains(&site),
        _ => false,
    };
    let done_callbacks = (solved.done_callbacks.iter())
        .filter(|(receiver, _)| {
            let objs = solved.sets.get(*receiver);
            !objs.is_empty() && objs.iter().all(asyncio_future)
        })
        .map(|(_, func)| func);
    let mut candidates: FxHashSet<u32> = (callers.keys().chain(&solved.loop_callbacks).chain(done_callbacks))
        .copied()
        .filter(|&f| is_sync(f) && !solved.escaped.contains(&f))
        .collect();
    // Greatest fixpoint: drop functions with a caller outside coroutines and candidates.
    // A worklist: dropping a function can only drop the functions it calls (a chain of
    // thousands of generated functions would otherwise take a pass per link).
    let mut callees: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for &(site, func) in &solved.calls {
        if let Some(caller) = caller_of(site) {
            callees.entry(caller).or_default().push(func);
        }
    }
    let mut queue: Vec<u32> = candidates.iter().copied().collect();
    queue.sort_unstable();
    while let Some(func) = queue.pop() {
        let outside = |site: &u32| {
            let in_coroutine = solved.modules.site(*site).1.in_coroutine;
            !in_coroutine && !caller_of(*site).is_some_and(|caller| candidates.contains(&caller))
        };
        if candidates.contains(&func) && callers.get(&func).into_iter().flatten().any(outside) {
            candidates.remove(&func);
            queue.extend(callees.get(&func).into_iter().flatten().filter(|f| candidates.contains(f)));
        }
    }
    candidates
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
}

/// `loop=` passed to an asyncio API that removed the parameter in Python 3.10.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedLoopArgument {
    /// The `loop=...` keyword.
    pub keyword: Location,
    pub context: CallContext,
    /// The API as asyncio spells it (`asyncio.sleep`, `asyncio.locks.Lock`).
    pub api: String,
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
    /// The last step returns it from a callback of the event loop, which drops it.
    pub returned_to_loop: bool,
}

/// `typing.cast(Task, value)` where the value can be a plain Future.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskedCast {
    pub at: Location,
    pub producer: Producer,
}

/// `asyncio.create_task` reached while no event loop runs (at import time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportTimeTask {
    /// The `create_task` call.
    pub at: Location,
    pub callee: TextRange,
    /// The calls that lead there from module-level code, outermost first.
    pub chain: Vec<Location>,
}

/// Everything the rules need from the flow analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowReport {
    pub future_flows: Vec<FutureFlow>,
    pub ensure_future_calls: Vec<EnsureFutureCall>,
    pub task_arguments: Vec<TaskArgumentFlow>,
    pub removed_loop_arguments: Vec<RemovedLoopArgument>,
    pub dropped_tasks: Vec<DroppedTask>,
    pub masked_casts: Vec<MaskedCast>,
    pub import_time_tasks: Vec<ImportTimeTask>,
}

const MAX_TRACE: usize = 256;

/// What the report needs that depends on the solution and the facts alone (not on
/// positions): computed once per solution, so an edit that only moves code skips it.
#[derive(Default)]
pub(crate) struct Derived {
    pub loop_functions: FxHashSet<u32>,
    /// Each dropped Task's creating site, with the farthest node it reaches (and the object),
    /// and whether that node is the return of a function only the event loop calls.
    pub dropped_tasks: Vec<(GSite, GNode, ObjId, bool)>,
    /// `create_task` calls reached at import time, each with the calls that lead there.
    pub import_time_tasks: Vec<(GSite, Vec<GSite>)>,
}

pub(crate) fn derive(solved: &Solved) -> Derived {
    Derived {
        loop_functions: loop_functions(solved),
        dropped_tasks: crate::dropped::dropped_tasks(solved),
        import_time_tasks: import_time_tasks(solved),
    }
}

pub(crate) fn extract(solved: &Solved) -> FlowReport {
    let mut report = FlowReport::default();
    let mut seen = FxHashSet::default();
    let mut task_sinks: FxHashMap<u32, Vec<Sink>> = FxHashMap::default();
    for (record, _) in solved.sinks.iter().zip(&solved.shadowed_sinks).filter(|(_, shadowed)| !**shadowed) {
        for node in sink_nodes(solved, record) {
            for &obj in solved.sets.get(node) {
                match solved.objs[obj as usize] {
                    value if value.is_plain_future() => {
                        for (future, steps) in future_origins(solved, node, obj) {
                            if !seen.insert((future, record.node, record.at))
                                || through_future_parameter(solved, node, obj)
                            {
                                continue;
                            }
                            let Some(producer) = producer(solved, solved.objs[future as usize]) else {
                                continue;
                            };
                            report.future_flows.push(FutureFlow { producer, sink: sink(solved, record), steps });
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
    let loop_functions = &solved.derived.loop_functions;
    let context_of = |site: u32| CallContext::of(solved.modules.site(site).1, caller_of(solved, site), loop_functions);
    for &(site, arg) in &solved.ensure_future_sites {
        let Some(arg) = arg else { continue };
        let objs = solved.sets.get(arg);
        let all_coroutines = !objs.is_empty() && objs.iter().all(|&o| solved.objs[o as usize].is_coroutine());
        if !all_coroutines {
            continue;
        }
        let (module, call) = solved.modules.site(site);
        let (at, context) = (call_at(solved, site), context_of(site));
        let loop_keyword = (call.keywords.iter().position(|k| k.name.as_str() == "loop"))
            .map(|index| (at.keyword_whole(index), at.keyword_value(index)));
        report.ensure_future_calls.push(EnsureFutureCall {
            at: Location { file: file_of(solved, module), range: at.range },
            callee: at.callee,
            task_sinks: task_sinks.remove(&site).unwrap_or_default(),
            context,
            args: at.args.clone(),
            loop_keyword,
            other_keywords: call.has_spread || call.keywords.iter().any(|k| k.name.as_str() != "loop"),
            loop_in_scope: (context == CallContext::Import).then(|| loop_global(solved, module)).flatten(),
            public_parameter: public_parameter(solved, module, call),
        });
    }
    report.future_flows.sort_by_key(|f| (f.producer.location().range.start(), f.sink.at.range.start()));
    report.task_arguments = task_arguments(solved);
    let location = |site: u32| Location {
        file: file_of(solved, solved.modules.site_module(site)),
        range: call_at(solved, site).range,
    };
    report.dropped_tasks = (solved.derived.dropped_tasks.iter())
        .map(|&(site, end, obj, returned_to_loop)| DroppedTask {
            at: location(site),
            callee: call_at(solved, site).callee,
            steps: trace(solved, end, obj),
            returned_to_loop,
        })
        .collect();
    report.import_time_tasks = (solved.derived.import_time_tasks.iter())
        .map(|(site, chain)| ImportTimeTask {
            at: location(*site),
            callee: call_at(solved, *site).callee,
            chain: chain.iter().map(|&via| location(via)).collect(),
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
        .map(|(site, keyword, api)| {
            let module = solved.modules.site_module(*site);
            let range = call_at(solved, *site).keyword_whole(*keyword as usize);
            RemovedLoopArgument {
                keyword: Location { file: file_of(solved, module), range },
                context: context_of(*site),
                api: api.clone(),
            }
        })
        .collect();
    report
}

/// The parameter that a call's first argument reads, when its function may be called from
/// outside the project: a public name (no leading underscore, or a dunder) in a public class.
fn public_parameter(solved: &Solved, module: ModIdx, call: &tasklens_semantic::facts::CallSite) -> Option<Name> {
    let facts = &solved.modules.modules[module as usize].facts;
    let function = &facts.functions[call.caller? as usize];
    let argument = call.args.first()?.node?;
    let param = function.params.iter().find(|p| p.node == argument)?;
    let public = |name: &str| !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__"));
    let class_public = function.class.is_none_or(|class| public(facts.classes[class as usize].name.as_str()));
    (public(function.name.as_str()) && class_public).then(|| param.name.clone())
}

/// A module variable that holds an event loop (the first in name order).
fn loop_global(solved: &Solved, module: ModIdx) -> Option<Name> {
    let entry = &solved.modules.modules[module as usize];
    entry.facts.globals.iter().find_map(|(name, binding)| match binding {
        tasklens_semantic::facts::Binding::Variable(node) => {
            let set = solved.sets.get(entry.node_base + node);
            set.iter().any(|&o| solved.objs[o as usize] == Obj::Loop).then(|| name.clone())
        }
        _ => None,
    })
}

/// `asyncio.create_task` calls in code that runs at import time: module level, class
/// bodies, and the synchronous functions they call, transitively, through calls that
/// always run in their function.
fn import_time_tasks(solved: &Solved) -> Vec<(GSite, Vec<GSite>)> {
    if solved.running_loop_sites.is_empty() {
        return Vec::new();
    }
    let caller_of = |site: u32| caller_of(solved, site);
    let runs_body = |func: u32| solved.modules.func(func).1.runs_when_called();
    // Functions run at import time, each with the call that first reaches it.
    let mut reached: FxHashMap<u32, u32> = FxHashMap::default();
    let mut queue: std::collections::VecDeque<u32> = std::collections::VecDeque::new();
    for &(site, func) in &solved.calls {
        if caller_of(site).is_none() && runs_body(func) && !reached.contains_key(&func) {
            reached.insert(func, site);
            queue.push_back(func);
        }
    }
    // Inside functions, only calls that always run are followed: a call under a branch
    // often depends on state that import-time code does not have (`if self._running:`).
    let conditional = |site: u32| solved.modules.site(site).1.conditional;
    let mut calls_by_caller: FxHashMap<u32, Vec<(u32, u32)>> = FxHashMap::default();
    for &(site, func) in &solved.calls {
        if let Some(caller) = caller_of(site)
            && !conditional(site)
        {
            calls_by_caller.entry(caller).or_default().push((site, func));
        }
    }
    while let Some(caller) = queue.pop_front() {
        for &(site, func) in calls_by_caller.get(&caller).into_iter().flatten() {
            if runs_body(func) && !reached.contains_key(&func) {
                reached.insert(func, site);
                queue.push_back(func);
            }
        }
    }
    let mut found = Vec::new();
    for &site in &solved.running_loop_sites {
        if caller_of(site).is_some() && conditional(site) {
            continue;
        }
        let mut chain = Vec::new();
        let mut caller = caller_of(site);
        let at_import = loop {
            match caller {
                None => break true,
                Some(func) => match reached.get(&func) {
                    Some(&via) if chain.len() < 64 => {
                        chain.push(via);
                        caller = caller_of(via);
                    }
                    _ => break false,
                },
            }
        };
        if at_import {
            chain.reverse();
            found.push((site, chain));
        }
    }
    found
}

/// Non-coroutines at the argument of each `create_task`-like call.
fn task_arguments(solved: &Solved) -> Vec<TaskArgumentFlow> {
    let mut flows = Vec::new();
    let mut call_results = CallResults::default();
    // `create_task` and its kin need a coroutine; `ensure_future` also takes Futures and
    // awaitables, but not a function (`ensure_future(work)`).
    let ensure_future = solved.ensure_future_sites.iter().filter_map(|&(site, node)| Some((site, node?, false)));
    let create_task = solved.task_argument_sites.iter().map(|&(site, node)| (site, node, true));
    for (site, node, needs_coroutine) in ensure_future.chain(create_task) {
        let (module, at) = (solved.modules.site_module(site), call_at(solved, site));
        let file = file_of(solved, module);
        let argument = at.arg(0);
        let objs = solved.sets.get(node);
        // An awaitable instance next to coroutines usually comes from dispatch over a
        // class and its subclasses (a `Pipeline` overriding a command that returns a
        // coroutine elsewhere): report it only when the argument is never a coroutine.
        let ever_coroutine = objs.iter().any(|&o| solved.objs[o as usize].is_coroutine());
        for &obj in objs {
            let value = solved.objs[obj as usize];
            if let (Obj::FutureSummary(_), true) = (value, needs_coroutine) {
                for (future, steps) in future_origins(solved, node, obj) {
                    let Some(producer) = producer(solved, solved.objs[future as usize]) else { continue };
                    let (call, argument) = (Location { file, range: at.range }, Location { file, range: argument });
                    flows.push(TaskArgumentFlow { producer, call, callee: at.callee, argument, steps });
                }
                continue;
            }
            let producer = match value {
                Obj::Function(func) | Obj::Bound(func) if !ever_coroutine => Some(function_producer(solved, func)),
                Obj::Container(yields, ContainerKind::Iterator) if !ever_coroutine => generator(solved, yields),
                _ if !needs_coroutine => None,
                Obj::Future(_) | Obj::ParamFuture(_) => producer(solved, value),
                Obj::Task(Some(task_site)) => {
                    let (task_module, task_at) = (solved.modules.site_module(task_site), call_at(solved, task_site));
                    Some(Producer::TaskCall {
                        at: Location { file: file_of(solved, task_module), range: task_at.range },
                        callee: task_at.callee,
                    })
                }
                Obj::Instance(class) if !ever_coroutine => awaitable_instance(solved, class),
                _ => None,
            };
            let Some(producer) = producer else { continue };
            flows.push(TaskArgumentFlow {
                producer,
                call: Location { file, range: at.range },
                callee: at.callee,
                argument: Location { file, range: argument },
                steps: trace(solved, node, obj),
            });
        }
        if objs.is_empty()
            && let Some(producer) = none_result(solved, &mut call_results, module, node)
        {
            flows.push(TaskArgumentFlow {
                producer,
                call: Location { file, range: at.range },
                callee: at.callee,
                argument: Location { file, range: argument },
                steps: Vec::new(),
            });
        }
    }
    flows
}

/// Per module, the call site whose result each node is (built when first needed).
type CallResults = FxHashMap<ModIdx, FxHashMap<GNode, GSite>>;

/// When the argument at `node` is the result of a call that runs only plain module-level
/// or nested `def`s without any `return` (not methods, which a subclass outside the
/// project may override with an `async def`): the first of them, whose call gives None.
fn none_result(solved: &Solved, call_results: &mut CallResults, module: ModIdx, node: GNode) -> Option<Producer> {
    let site = *call_results
        .entry(module)
        .or_insert_with(|| {
            let entry = &solved.modules.modules[module as usize];
            (entry.facts.constraints.iter())
                .filter_map(|constraint| match constraint {
                    Constraint::Call { site, result, .. } => Some((entry.node_base + result, entry.site_base + site)),
                    _ => None,
                })
                .collect()
        })
        .get(&node)?;
    let start = solved.calls.partition_point(|&(s, _)| s < site);
    let callees: Vec<u32> = solved.calls[start..].iter().take_while(|&&(s, _)| s == site).map(|&(_, f)| f).collect();
    let returns_none = |func: u32| {
        let (_, facts) = solved.modules.func(func);
        facts.kind == FunctionKind::Function
            && !facts.is_async
            && !facts.is_generator
            && !facts.opaque
            && facts.returns == ReturnShape::Unset
    };
    let &first = callees.first()?;
    if !callees.iter().all(|&func| returns_none(func)) {
        return None;
    }
    Some(Producer::NoneResult { at: function_location(solved, first), name: solved.modules.func(first).1.name.clone() })
}

/// Where a project function's name is.
fn function_location(solved: &Solved, func: u32) -> Location {
    let module = solved.modules.func(func).0;
    let local = func - solved.modules.modules[module as usize].func_base;
    Location { file: file_of(solved, module), range: solved.positions[module as usize].functions[local as usize] }
}

/// A project function passed where a call of it was meant.
fn function_producer(solved: &Solved, func: u32) -> Producer {
    let facts = solved.modules.func(func).1;
    Producer::Function {
        at: function_location(solved, func),
        name: facts.name.clone(),
        is_async: facts.makes_coroutine(),
    }
}

/// The generator function whose calls make the iterator of `yields`, if there is one (a
/// generator expression has none). Not one under a decorator the analysis does not know:
/// `@types.coroutine` and the old `@asyncio.coroutine` make generators into coroutines.
fn generator(solved: &Solved, yields: GNode) -> Option<Producer> {
    let module = solved.modules.node_module(yields);
    let entry = &solved.modules.modules[module as usize];
    let local = yields - entry.node_base;
    let (index, func) =
        (entry.facts.functions.iter().enumerate()).find(|(_, f)| f.yields == local && f.is_generator && !f.opaque)?;
    Some(Producer::Generator {
        at: Location { file: entry.file, range: solved.positions[module as usize].functions[index] },
        name: func.name.clone(),
        is_async: func.is_async,
    })
}

/// A project class whose instances are awaitable without being coroutines.
fn awaitable_instance(solved: &Solved, class: u32) -> Option<Producer> {
    let (module, facts) = solved.modules.class(class);
    facts.method("__await__")?;
    let local = class - solved.modules.modules[module as usize].class_base;
    Some(Producer::Awaitable {
        at: Location {
            file: file_of(solved, module),
            range: solved.positions[module as usize].classes[local as usize],
        },
        class: facts.name.clone(),
    })
}

/// The nodes whose values a sink checks.
fn sink_nodes(solved: &Solved, record: &SinkRecord) -> Vec<GNode> {
    if !record.elements {
        return vec![record.node];
    }
    solved
        .sets
        .get(record.node)
        .iter()
        .filter_map(|&obj| match solved.objs[obj as usize] {
            Obj::Container(container, _) => solved.part_nodes.get(&(container, Part::Values)).copied(),
            _ => None,
        })
        .collect()
}

fn file_of(solved: &Solved, module: u32) -> File {
    solved.modules.modules[module as usize].file
}

fn producer(solved: &Solved, value: Obj) -> Option<Producer> {
    match value {
        Obj::Future(site) => {
            let (module, at) = (solved.modules.site_module(site), call_at(solved, site));
            Some(Producer::Call { at: Location { file: file_of(solved, module), range: at.range }, callee: at.callee })
        }
        Obj::ParamFuture(node) => {
            let module = solved.modules.node_module(node);
            let entry = &solved.modules.modules[module as usize];
            let local = node - entry.node_base;
            entry.facts.functions.iter().enumerate().find_map(|(f, func)| {
                let (p, param) = func.params.iter().enumerate().find(|(_, p)| p.node == local)?;
                Some(Producer::Parameter {
                    at: Location { file: entry.file, range: solved.positions[module as usize].params[f][p] },
                    name: param.name.clone(),
                    function: func.name.clone(),
                    elements: solved.element_future_params.contains(&node),
                })
            })
        }
        _ => None,
    }
}

fn func_name(solved: &Solved, func: u32) -> Name {
    solved.modules.func(func).1.name.clone()
}

fn sink(solved: &Solved, record: &SinkRecord) -> Sink {
    let kind = match &record.kind {
        RawSink::TaskMethod(name) => SinkKind::TaskMethod(name.clone()),
        RawSink::Return { func } => SinkKind::Return { function: func_name(solved, *func) },
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
    Sink { at: Location { file: file_of(solved, record.module), range }, kind, elements: record.elements }
}

/// Whether `obj` came to `node` through a parameter annotated to admit a plain Future whose
/// own `ParamFuture` reaches `node` too: that parameter's finding names the line to change
/// (the function that promised to take a Future), not the caller that passed one.
fn through_future_parameter(solved: &Solved, node: GNode, obj: ObjId) -> bool {
    if solved.future_params.is_empty() || !matches!(solved.objs[obj as usize], Obj::Future(_)) {
        return false;
    }
    let at_node = solved.sets.get(node);
    predecessors(solved, node, obj).any(|(from, _)| {
        solved.future_params.contains(&from)
            && at_node.iter().any(|&o| solved.objs[o as usize] == Obj::ParamFuture(from))
    })
}

/// The plain Futures that `obj` at `node` is, each with the hops it took to `node`: the
/// object itself, or for an `Obj::FutureSummary` every Future it stands for (their hops to
/// the node that summarised them, then the summary's).
fn future_origins(solved: &Solved, node: GNode, obj: ObjId) -> Vec<(ObjId, Vec<Step>)> {
    let mut origins = Vec::new();
    let mut expanded = FxHashSet::default();
    let mut pending = vec![(node, obj, Vec::new())];
    while let Some((node, obj, after)) = pending.pop() {
        let mut steps = trace(solved, node, obj);
        steps.extend(after);
        match solved.objs[obj as usize] {
            Obj::FutureSummary(hub) => {
                if expanded.insert(hub) {
                    for &inner in solved.summarised.get(&hub).into_iter().flatten() {
                        pending.push((hub, inner, steps.clone()));
                    }
                }
            }
            _ => origins.push((obj, steps)),
        }
    }
    origins
}

/// The hops an object took to reach `node`, from its producer on.
fn trace(solved: &Solved, node: GNode, obj: ObjId) -> Vec<Step> {
    let mut steps: Vec<Step> =
        predecessors(solved, node, obj).filter_map(|(_, label)| step(solved, label)).take(MAX_TRACE).collect();
    steps.reverse();
    steps.dedup();
    steps
}

/// The links by which `obj` came to `node`, from `node` back to where it was made: each
/// predecessor and the label of the edge from it.
pub(crate) fn predecessors(solved: &Solved, node: GNode, obj: ObjId) -> impl Iterator<Item = (GNode, Label)> + '_ {
    let mut visited = FxHashSet::default();
    let mut current = Some(node);
    std::iter::from_fn(move || {
        let node = current.filter(|&node| visited.insert(node))?;
        let &(from, label) = solved.preds.get(&(node, obj))?;
        current = (from != NO_NODE).then_some(from);
        Some((from, label))
    })
}

fn step(solved: &Solved, label: Label) -> Option<Step> {
    if label == NO_LABEL || label == GUARD {
        return None;
    }
    if label < solved.modules.hop_count {
        let (module, hop) = solved.modules.hop(label);
        let facts = &solved.modules.modules[module as usize].facts;
        let kind = match &hop.kind {
            HopKind::Assign(name) => StepKind::Assign(facts.name(*name).clone()),
            HopKind::Return(name) => StepKind::Return(facts.name(*name).clone()),
            HopKind::Yield(name) => StepKind::Yield(facts.name(*name).clone()),
            HopKind::AttrStore(name) => StepKind::AttrStore(facts.name(*name).clone()),
            HopKind::AttrLoad(name) => StepKind::AttrLoad(facts.name(*name).clone()),
            HopKind::ContainerStore => StepKind::ContainerStore,
            HopKind::ContainerLoad => StepKind::ContainerLoad,
        };
        let local = label - solved.modules.modules[module as usize].hop_base;
        let range = solved.positions[module as usize].hops[local as usize];
        return Some(Step { at: Location { file: file_of(solved, module), range }, kind });
    }
    let hop = &solved.dyn_hops[(label - solved.modules.hop_count) as usize];
    let kind = match &hop.kind {
        DynHopKind::Argument { param, func } => {
            StepKind::Argument { param: param.clone(), function: func_name(solved, *func) }
        }
        DynHopKind::CallResult { func } => StepKind::CallResult { function: func_name(solved, *func) },
        DynHopKind::PassThrough => StepKind::PassThrough,
        DynHopKind::Callback { func } => StepKind::Callback { function: func_name(solved, *func) },
        DynHopKind::ContainerStore => StepKind::ContainerStore,
        DynHopKind::Field { field } => StepKind::AttrStore(field.clone()),
    };
    Some(Step { at: Location { file: file_of(solved, hop.module), range: hop_range(solved, hop.at) }, kind })
}

/// The range a hop made while solving points at, from the positioned facts.
fn hop_range(solved: &Solved, at: HopAt) -> TextRange {
    let site = match at {
        HopAt::Call(site) | HopAt::Callee(site) | HopAt::Arg(site, _) | HopAt::Keyword(site, _) => site,
    };
    let call = call_at(solved, site);
    match at {
        HopAt::Call(_) => call.range,
        HopAt::Callee(_) => call.callee,
        HopAt::Arg(_, index) => call.arg(index as usize),
        HopAt::Keyword(_, index) => call.keyword_value(index as usize),
    }
}

/// The positions of call `site`.
fn call_at(solved: &Solved, site: u32) -> &CallPositions {
    let module = solved.modules.site_module(site);
    let local = site - solved.modules.modules[module as usize].site_base;
    &solved.positions[module as usize].call_sites[local as usize]
}
