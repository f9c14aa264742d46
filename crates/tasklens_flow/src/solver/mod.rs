//! The solver: a worklist propagation of abstract objects over the project's
//! flow graph, with calls, attributes and containers resolved as objects
//! reach them (an on-the-fly call graph).

mod admits;
mod annotations;
mod attributes;
mod calls;
mod classes;
mod construct;
mod dispatch;
mod external;
mod filters;
mod fixtures;
mod generics;
mod init_stores;
pub(crate) mod link;
mod outside_calls;
mod parts;
mod propagate;
mod solution;
mod stats;
mod threads;

use std::collections::VecDeque;
use std::rc::Rc;

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{KeyId, Part};

use crate::modules::Modules;

use crate::objects::{GClass, GFunc, GNode, GSite, Interner, ModIdx, Obj, ObjId, ObjSet, PathId};
pub(crate) use classes::method_in;
pub(crate) use filters::{
    ASSUMED_FUTURES_STOP, AWAITABLES_ONLY, COROUTINE_FUNCTIONS_ONLY, COROUTINES_ONLY, NOT_COROUTINE_FUNCTIONS,
    NOT_COROUTINES, NOT_FUTURES_OR_COROUTINES, TypeFilter, is_shown,
};
pub use solution::{CallbackArgument, CallbackCaller, ClassProtocols};
pub(crate) use solution::{Solution, Solved};

/// An edge label: a hop shown in traces, a guard, or nothing.
pub(crate) type Label = u32;
pub(crate) const NO_LABEL: Label = u32::MAX;
/// The predecessor of a seeded object.
pub(crate) const NO_NODE: GNode = u32::MAX;
/// The node an attribute write goes to, and the nodes a read comes from.
pub(crate) type AttributeNodes = (GNode, Rc<[GNode]>);

/// The id of `Obj::Unknown`, interned first.
pub(crate) const UNKNOWN: ObjId = 0;
/// Dynamic edges of a node checked for duplicates by scanning; later ones by a set.
const SCANNED_EDGES: usize = 16;

/// How deep constraints added while applying others apply at once (see `complex_on`).
const MAX_NESTED_APPLICATIONS: u32 = 1_000;
/// The most objects a node holds before it widens to `Unknown`.
pub(super) const MAX_OBJECTS: usize = 16;
/// The most plain Futures a node holds one by one; more are summarised (see
/// [`Obj::FutureSummary`]) so that a registry of many Futures does not carry each of them
/// everywhere it is read.
pub(crate) const MAX_FUTURES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Edge {
    pub to: GNode,
    pub label: Label,
}

/// A hop created while solving (arguments, call results...).
#[derive(Clone, Debug)]
pub(crate) struct DynHop {
    pub module: ModIdx,
    pub at: HopAt,
    pub kind: DynHopKind,
}

/// Where a hop made while solving is shown: a part of a call site. The solver works on
/// facts without positions; the report turns this into a range from the real facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum HopAt {
    Call(GSite),
    Callee(GSite),
    Arg(GSite, u32),
    Keyword(GSite, u32),
    /// A function's parameter, by index (one that pytest fills with a fixture).
    Param(GFunc, u32),
}

#[derive(Clone, Debug)]
pub(crate) enum DynHopKind {
    Argument {
        param: Name,
        func: GFunc,
    },
    CallResult {
        func: GFunc,
    },
    PassThrough,
    Callback {
        func: GFunc,
    },
    ContainerStore,
    /// `fut.set_result(value)`.
    FutureResult,
    Field {
        field: Name,
    },
    /// pytest gives a test the fixture of its parameter's name.
    Fixture {
        name: Name,
    },
}

/// A call of a function that returns `ensure_future(param)` (or a list of `ensure_future`
/// of each element), waiting for the inner call to be resolved: if it is asyncio's, what
/// reaches `from` goes through it into `made`; if it never is, the function's own value
/// `own` reaches the call's `result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WrappedCall {
    pub from: GNode,
    pub made: GNode,
    pub own: GNode,
    pub result: GNode,
    pub label: Label,
}

/// Edges and complex constraints added to one node while solving.
#[derive(Default)]
pub(crate) struct DynLists {
    edges: Vec<Edge>,
    complex: Vec<u32>,
}

const NO_LIST: u32 = u32::MAX;

/// A name interned by the solver.
pub(crate) type NameId = u32;

/// A constraint that depends on the objects of its base node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Complex {
    Load {
        attr: NameId,
        to: GNode,
        label: Label,
    },
    Store {
        attr: NameId,
        from: GNode,
        label: Label,
    },
    LoadPart {
        part: Part,
        to: GNode,
        label: Label,
    },
    StorePart {
        part: Part,
        from: GNode,
        label: Label,
    },
    Call {
        site: GSite,
        result: GNode,
    },
    MethodCall {
        site: GSite,
        name: NameId,
        result: GNode,
    },
    Await {
        to: GNode,
    },
    /// On the coroutine a Task is made of at `site`: a coroutine of a function of the
    /// project runs in that Task, which `current_task()` in the function gives.
    MakesTask {
        site: GSite,
    },
    Enter {
        to: GNode,
    },
    /// On the receiver of an attribute read at import time: a property getter of an
    /// instance there is called at `site` (its result comes through the `Load`).
    PropertyRead {
        site: GSite,
        name: NameId,
    },
    /// On the value a `with` enters or a `for` iterates: the special method `name` of an
    /// instance there is called at `site` (what it gives comes through `Enter` and the loop).
    ImplicitCall {
        site: GSite,
        name: NameId,
    },
    /// On an operand of `+`, `*`, `|`...: a container of `kind` made at `to` once the
    /// operand may be a container.
    Concat {
        to: GNode,
        kind: tasklens_semantic::facts::ContainerKind,
    },
    /// On a callback argument: the receiver's values reach the callback's parameter.
    Callback {
        receiver: GNode,
        site: GSite,
    },
    /// On the function of a `functools.partial` used as a done-callback: the receiver's
    /// values reach the parameter after the bound ones.
    PartialCallback {
        receiver: GNode,
        partial: GSite,
        site: GSite,
    },
    /// On the function of a `functools.partial` that is called: the partial's own
    /// arguments, then the call's, reach the function's parameters.
    PartialCall {
        partial: GSite,
        site: GSite,
        result: GNode,
    },
    /// On a callback argument of `loop.call_soon(cb, *args)` and friends: the call's
    /// arguments from position `first` on reach the callback's parameters.
    Forward {
        site: GSite,
        first: u8,
    },
    /// On the function of `partial` forwarded to (`loop.call_soon(partial(f, a), b)`,
    /// `run_in_executor(None, partial(f, a))`): its bound arguments, then the call's own from
    /// position `first` on, reach the function's parameters.
    PartialForward {
        partial: GSite,
        site: GSite,
        first: u8,
    },
    /// On the function an executor's `map(f, xs, ys...)` runs per element: the elements of
    /// the call's iterables from position `first` on reach its parameters.
    ForwardElements {
        site: GSite,
        first: u8,
    },
    /// On the function a thread runs with a tuple of arguments (`Thread(target=f,
    /// args=(a, b))`): the tuple's positions reach its parameters.
    ForwardTuple {
        tuple: GNode,
    },
    /// On an argument of a call the analysis cannot follow: functions escape.
    Escape,
    /// On the object of `setattr(object, name, value)` with a computed name: any name of
    /// an outside module it holds may be replaced.
    PatchAny,
    /// On the callback of `asyncio.start_server(cb)`: the loop calls it with a
    /// `StreamReader` and a `StreamWriter`.
    ClientConnected,
    /// On a decorator of an opaque `func`: a call of `func` depends on what it returns.
    Decorated {
        site: GSite,
        func: GFunc,
        result: GNode,
        /// Which decorator, counted from the outermost.
        depth: u8,
    },
    /// On the argument a function's `return param.get(key)` reads (`ReturnPath::Read`): a
    /// container is read at `site` into `result`; anything else gives `value`, the
    /// function's own call's result.
    Read {
        site: GSite,
        method: tasklens_semantic::facts::ReadMethod,
        value: GNode,
        result: GNode,
    },
    /// On the factory of a dataclass field (`field(default_factory=f)`) that a construction
    /// at `site` does not pass: `f` is called there and its result goes to the field.
    FieldFactory {
        site: GSite,
        slot: GNode,
    },
    /// On the return node of a synchronous decorator wrapper: Futures and Tasks created
    /// in its body reach the decorated call's result.
    WrapperResult {
        wrapper: GFunc,
        result: GNode,
    },
    /// On the callback argument (positional `callback`) of `loop.call_soon(cb)` and friends
    /// at `site`.
    LoopCallback {
        site: GSite,
        callback: u8,
    },
    /// On the function argument of a call at `site` that runs it in another thread
    /// (`loop.run_in_executor(None, f)`, `threading.Thread(target=f)`).
    ThreadTarget {
        site: GSite,
    },
    /// On the callback a call at `site` registers with code that calls it as a plain
    /// function and drops the result (`signal.signal(sig, handler)`,
    /// `atexit.register(f)`): an `async def` there never runs (TL009).
    PlainCallback {
        site: GSite,
    },
    /// On the factory of `collections.defaultdict(factory)` made at `dict`: a missing key
    /// reads as a new container of the factory's kind.
    DefaultFactory {
        dict: GNode,
    },
    /// On the argument of `ensure_future`.
    EnsureFutureArg {
        site: GSite,
        result: GNode,
    },
}

pub(crate) struct Solver {
    pub modules: Modules,
    objs: Interner<Obj>,
    paths: Interner<String>,
    sets: Vec<ObjSet>,
    static_nodes: u32,
    edge_start: Vec<u32>,
    edges: Vec<Edge>,
    complex_start: Vec<u32>,
    complex_ids: Vec<u32>,
    complex: Vec<Complex>,
    /// Per node, an index into `dyn_lists` (or `NO_LIST`): edges and constraints added while solving.
    dyn_index: Vec<u32>,
    dyn_lists: Vec<DynLists>,
    dyn_edge_set: FxHashSet<(GNode, Edge)>,
    worklist: VecDeque<(GNode, ObjId)>,
    preds: FxHashMap<(GNode, ObjId), (GNode, Label)>,
    dyn_hops: Vec<DynHop>,
    attr_nodes: FxHashMap<(GClass, NameId), GNode>,
    /// Names of attributes and methods, interned project-wide.
    names: Interner<Name>,
    /// Constant dict keys, project-wide ([`Part::Key`] in the solver).
    dict_keys: Interner<link::KeyIdentity>,
    /// Per module, its facts' dict keys as project-wide ids (`None`: not a constant after all).
    module_keys: Vec<Box<[Option<KeyId>]>>,
    part_nodes: FxHashMap<(GNode, Part), GNode>,
    applied: FxHashSet<(GSite, ObjId)>,
    /// Constraints passed on to the function a `functools.partial` wraps, once each: a
    /// partial may be among its own function's values (`cb = partial(cb, self)`).
    passed_to_wrapped: FxHashSet<(GNode, Complex)>,
    escaped: FxHashSet<GFunc>,
    loop_callbacks: FxHashSet<GFunc>,
    /// See [`Solution::coroutine_callbacks`].
    coroutine_callbacks: FxHashSet<(GSite, GFunc, GNode)>,
    /// See [`Solution::returning_callbacks`].
    returning_callbacks: FxHashSet<(GSite, GFunc, GNode)>,
    /// See [`Solution::partial_callbacks`].
    partial_callbacks: FxHashSet<(GSite, GSite)>,
    /// See [`Solution::plain_callback_sites`].
    plain_callback_sites: FxHashMap<GSite, CallbackCaller>,
    /// See [`Solution::callback_arguments`].
    callback_arguments: FxHashSet<CallbackArgument>,
    /// See [`Solution::done_callback_receivers`].
    done_callback_receivers: FxHashMap<GSite, GNode>,
    done_callbacks: Vec<(GNode, GFunc)>,
    /// See [`Solution::done_callback_params`].
    done_callback_params: FxHashMap<GNode, GSite>,
    thread_futures: FxHashSet<GSite>,
    /// `concurrent.futures` Futures made by a method of an outside instance: the site, the
    /// instance's class and the method's name.
    thread_future_methods: Vec<(GSite, ObjId, NameId)>,
    /// Methods the project replaces on outside instances (`executor.submit = wrapper`).
    patched_methods: FxHashSet<(ObjId, NameId)>,
    thread_targets: FxHashSet<(GFunc, GSite)>,
    /// See [`Solution::loop_bound_sites`].
    loop_bound_sites: FxHashMap<GSite, String>,
    /// See [`Solution::timeout_sites`].
    timeout_sites: FxHashSet<GSite>,
    /// See [`Solution::timeout_error_rebound`].
    timeout_error_rebound: FxHashSet<ModIdx>,
    /// See [`Solution::new_loop_sites`].
    new_loop_sites: FxHashSet<GSite>,
    /// `atexit.register(f)` calls, and the functions they register (see [`Solution::exit_targets`]).
    exit_sites: FxHashSet<GSite>,
    exit_targets: FxHashSet<(GFunc, GSite)>,
    /// See [`Solution::executor_thread_sites`].
    executor_thread_sites: FxHashSet<GSite>,
    /// `run_until_complete` and `run_forever` calls: whether an event loop receives them,
    /// and whether something else (not unknown) may (see [`Solution::run_by_loop`],
    /// [`Solution::loop_run_sites`]).
    run_sites: FxHashMap<GSite, (bool, bool)>,
    /// The result node of each `ensure_future` call.
    ensure_future_results: FxHashMap<GSite, GNode>,
    /// See [`Solution::executor_initializer_sites`].
    executor_initializer_sites: FxHashSet<GSite>,
    classes: classes::ClassTable,
    sinks: Vec<link::SinkRecord>,
    ensure_future_sites: FxHashMap<GSite, Option<GNode>>,
    /// `asyncio.wait(fs)` sites and the node of `fs` (see [`Solution::wait_sites`]).
    wait_sites: FxHashMap<GSite, GNode>,
    task_argument_sites: FxHashMap<GSite, GNode>,
    /// See [`Solution::awaitable_argument_sites`].
    awaitable_argument_sites: FxHashSet<(GSite, u8, GNode)>,
    /// See [`Solution::main_coroutine_sites`].
    main_coroutine_sites: FxHashMap<GSite, GNode>,
    /// The argument of each `create_task`, `Task(...)`, `ensure_future`, `wait_for` and
    /// `shield` site: what the Task made there runs (or the `wait_for` coroutine or the
    /// `shield` Future waits for), so awaiting it (or the Task's `result()`) gives what
    /// awaiting the argument gives.
    awaited_arguments: FxHashMap<GSite, GNode>,
    /// `asyncio.gather(...)` sites, and the list awaiting one gives (made when first awaited).
    gather_sites: FxHashMap<GSite, Option<GNode>>,
    /// The node of what `set_result` puts on the plain Futures made at a site, made when
    /// first set or read.
    future_results: FxHashMap<GSite, GNode>,
    removed_loop_sites: FxHashMap<GSite, (u32, String)>,
    /// Outside names the project assigns (`asyncio.run = run`), as dotted paths.
    patched_externals: FxHashSet<String>,
    /// Outside modules the project may replace any name of (`setattr(threading, name,
    /// value)` with a computed name), as dotted paths.
    patched_modules: FxHashSet<String>,
    /// Calls of outside callables that call a function back (thread runners, plain
    /// callbacks), with the callable's path: a name the project replaces may do otherwise.
    outside_callback_callees: FxHashMap<GSite, u32>,
    /// Calls that run a function in an executor's thread and hand back a Future of what it
    /// returns (`loop.run_in_executor`, `executor.submit`): an `async def` run there
    /// returns its coroutine through the Future (`Obj::CoroCall(site, func)`).
    result_runner_sites: FxHashSet<GSite>,
    /// The coroutines such a thread handed back that the project awaits after all (it
    /// awaits what `result()` or the Future gives): their `async def` runs (no TL009).
    awaited_thread_coroutines: FxHashSet<(GSite, GFunc)>,
    /// Calls of asyncio APIs that later Pythons added (see [`Solution::newer_api_sites`]).
    newer_api_sites: FxHashMap<GSite, String>,
    /// `asyncio.as_completed(...)` sites (see [`Solution::as_completed_sites`]).
    as_completed_sites: FxHashSet<GSite>,
    /// `asyncio.gather(...)` and `asyncio.shield(...)` sites (see [`Solution::gathering_sites`]).
    gathering_sites: FxHashSet<GSite>,
    /// Keyword arguments that later Pythons added to the asyncio API called at a site (see
    /// [`Solution::newer_keyword_sites`]).
    newer_keyword_sites: FxHashMap<GSite, (u32, String, ruff_python_ast::name::Name)>,
    /// Task-creating sites whose Task is known to be kept (a TaskGroup's, or made by a
    /// project method of a loop-only name).
    kept_tasks: FxHashSet<GSite>,
    /// Task-creating sites whose Task was widened away, with the nodes that held it where it
    /// was (see [`Solution::widened_tasks`]).
    widened_tasks: FxHashMap<GSite, Vec<GNode>>,
    /// See [`Solution::loop_made_tasks`].
    loop_made_tasks: FxHashMap<GSite, u8>,
    /// Per `async def` function, the node of the Tasks of the project its coroutines run
    /// in (made of them directly), which `current_task()` in it gives.
    current_tasks: FxHashMap<GFunc, GNode>,
    /// The Tasks made of a function's coroutines before it was found to call
    /// `current_task()`, by creating site.
    tasks_made_of: FxHashMap<GFunc, Vec<GSite>>,
    /// Containers widened away somewhere (see [`Solution::kept_containers`]).
    kept_containers: FxHashSet<GNode>,
    /// See [`Solution::summarised`].
    summarised: FxHashMap<GNode, Vec<ObjId>>,
    /// `asyncio.create_task(...)` and `asyncio.get_running_loop()` sites: they need a running loop.
    running_loop_sites: FxHashSet<GSite>,
    /// The first value each call of a value (`f()`, `self.callback()`) called, and the sites
    /// that called more than one: those may run something else where no loop runs.
    first_callee: FxHashMap<GSite, ObjId>,
    several_callees: FxHashSet<GSite>,
    /// Sites of calls that ask for the thread's current loop: `asyncio.get_event_loop()`,
    /// `asyncio.Future()`, `asyncio.Task(coro)`, `wrap_future(f)` (without `loop=`).
    current_loop_sites: FxHashSet<GSite>,
    /// `gather(...)` and `shield(x)` without `loop=`, with their first argument's node
    /// (`None`: `gather()` given none): given a coroutine first, they ask for the thread's
    /// current loop to run it on, as `ensure_future(coro)` does.
    loop_asking_arguments: FxHashMap<GSite, Option<GNode>>,
    /// `cast(Task, ...)` call sites, and the ones resolved to typing's with their value node.
    task_casts: FxHashSet<GSite>,
    /// What each `cast` lets through of the values assumed from annotations (see
    /// `cast_label`); casts not here let everything through.
    cast_labels: FxHashMap<GSite, Label>,
    /// Calls of a `functools.partial` of something outside the project (an asyncio function
    /// or a loop's method), with the partial's site: what a Future made there is named by.
    partial_calls: FxHashMap<GSite, GSite>,
    masked_casts: Vec<(GSite, GNode)>,
    /// What each `cast` to project classes (or asyncio's own) gives, applied once the call
    /// is found to be typing's (see `Solver::cast_instances`).
    cast_instances: FxHashMap<GSite, annotations::CastInstances>,
    /// Method calls of loop-only methods, for the unresolved-receiver fallback.
    loop_method_calls: Vec<(GNode, u32)>,
    /// The hop "returned unchanged by ensure_future", one per call site.
    pass_through: FxHashMap<GSite, Label>,
    /// Parameters annotated to admit a plain Future.
    pub(crate) future_params: FxHashSet<GNode>,
    /// See [`Solution::element_future_params`].
    pub(crate) element_future_params: FxHashSet<GNode>,
    /// See [`Solution::result_future_params`].
    pub(crate) result_future_params: FxHashSet<GNode>,
    /// Calls of functions that return `ensure_future(param)`, waiting for that inner call
    /// to be resolved: by inner site, (argument, call result, inner result, label).
    wrapped_ensure_future: FxHashMap<GSite, Vec<WrappedCall>>,
    /// Calls of `async def`s that pass parameters through: how many parameters each binds
    /// before its arguments, for awaiting its `Obj::CoroCall`.
    coro_bindings: FxHashMap<(GSite, GFunc), usize>,
    /// How deep `complex_on` is nested in applications, and the applications it queued.
    nesting: u32,
    deferred: Vec<(u32, GNode, ObjId)>,
    /// How far nodes, objects and constraints may grow while solving (see [`Growth`]).
    growth: Growth,
    /// `__iter__`/`__next__`/`__getitem__` results already read into a node: (method, node).
    protocol_reads: FxHashSet<(GFunc, GNode)>,
    /// Calls already bound: (site, function, shift).
    bound: FxHashSet<(GSite, GFunc, usize)>,
    /// Methods a call on an instance of a class may run, by (class, name).
    dispatch_cache: FxHashMap<(GClass, NameId), Rc<[GFunc]>>,
    /// Nodes that read a name imported from outside the project that the analysis does
    /// not follow: a module, a class or a function there, not an event loop.
    outside_imports: FxHashSet<GNode>,
    /// Property setters by (class, attribute).
    setter_cache: FxHashMap<(GClass, NameId), Option<GFunc>>,
    /// Attribute nodes an instance of a class may read, and the one it writes.
    attribute_cache: FxHashMap<(GClass, NameId), AttributeNodes>,
    /// Per class, the attribute names its body declares, interned when first asked.
    class_attributes: Vec<Option<Box<[NameId]>>>,
    /// Per class, once asked: whether its MRO in the project defines `__getattribute__`.
    intercepts: Vec<Option<bool>>,
    /// Places holding a `TypedDict`'s dicts whose Task fields are sinks already.
    typed_dict_places: FxHashSet<(GNode, GClass)>,
    /// Per `TypedDict`, the sinks of its Task fields (see `typed_dict_task_fields`).
    typed_dict_fields: FxHashMap<GClass, std::rc::Rc<[link::SinkRecord]>>,
    /// Per node (indexed up to the nodes made while linking), an index into `filter_classes`
    /// or `NO_FILTER`: a place annotated with project classes only lets in no other
    /// project objects (see [`Solver::admitted`]).
    type_filters: Vec<u32>,
    filter_classes: Vec<TypeFilter>,
    /// Parameter stores of `__init__`s, per constructed class.
    init: init_stores::InitStores,
    /// Attributes declared with a type parameter of their class, and classes' parameters.
    generics: generics::Generics,
}

/// A bound on what solving may add, a guard against a defect that keeps adding nodes,
/// objects or constraints forever: past it, solving stops and the solution says so.
/// Real projects stay far below it (homeassistant's solve adds a fifth to its linked nodes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Growth {
    limit: usize,
    pub exceeded: bool,
}

impl Growth {
    pub(super) const UNBOUNDED: Growth = Growth { limit: usize::MAX, exceeded: false };

    /// Four times what linking made, plus room for small projects; `TASKLENS_GROWTH_FACTOR`
    /// (for tests) makes it that many times what linking made, without the room.
    fn after_link(nodes: usize, complex: usize) -> Self {
        let linked = nodes + complex;
        let limit = match std::env::var("TASKLENS_GROWTH_FACTOR").ok().and_then(|f| f.parse::<usize>().ok()) {
            Some(factor) => factor * linked,
            None => 4 * linked + 2_000_000,
        };
        Growth { limit, exceeded: false }
    }
}

impl Solver {
    /// Solves the linked graph. `check_cancelled` is called now and then; it unwinds when
    /// the database has a pending write (watch mode: a newer edit arrived).
    pub(crate) fn solve(modules: Modules, check_cancelled: &dyn Fn()) -> Solution {
        let start = std::time::Instant::now();
        let mut solver = link::link(modules);
        let linked = start.elapsed();
        let stats = std::env::var_os("TASKLENS_SOLVER_STATS").is_some();
        if stats {
            eprintln!("after linking: {}", crate::memory_status());
        }
        check_cancelled();
        solver.growth = Growth::after_link(solver.sets.len(), solver.complex.len());
        solver.run(check_cancelled);
        if !solver.growth.exceeded {
            solver.loop_fallback();
            solver.run(check_cancelled);
        }
        if !solver.growth.exceeded {
            solver.wrapped_fallback();
            solver.run(check_cancelled);
        }
        if stats {
            eprintln!("after solving: {}", crate::memory_status());
            eprintln!("link {linked:?}, solve {:?}", start.elapsed() - linked);
            if std::env::var_os("TASKLENS_STATS_QUICK").is_none() {
                solver.print_stats();
            }
        }
        solver.into_solution()
    }

    // ---- objects and nodes --------------------------------------------------

    pub(crate) fn obj(&mut self, obj: Obj) -> ObjId {
        self.objs.intern(obj)
    }

    pub(crate) fn path(&mut self, path: &str) -> PathId {
        self.paths.intern(path.to_string())
    }

    pub(crate) fn new_node(&mut self) -> GNode {
        self.sets.push(ObjSet::Empty);
        self.dyn_index.push(NO_LIST);
        (self.sets.len() - 1) as GNode
    }

    /// The dynamic lists of a node, created on first use.
    fn dyn_lists(&mut self, node: GNode) -> &mut DynLists {
        let index = &mut self.dyn_index[node as usize];
        if *index == NO_LIST {
            *index = self.dyn_lists.len() as u32;
            self.dyn_lists.push(DynLists::default());
        }
        &mut self.dyn_lists[*index as usize]
    }

    pub(crate) fn name_id(&mut self, name: &Name) -> NameId {
        self.names.intern(name.clone())
    }

    pub(crate) fn name(&self, id: NameId) -> &Name {
        self.names.get(id)
    }

    pub(crate) fn attr_node(&mut self, class: GClass, attr: NameId) -> GNode {
        if let Some(&node) = self.attr_nodes.get(&(class, attr)) {
            return node;
        }
        let node = self.new_node();
        self.attr_nodes.insert((class, attr), node);
        node
    }

    /// The node of a container's slot. A dict's values are in a slot per constant key
    /// and one for values stored under other keys; a read under a constant key sees both,
    /// and the `Values` slot sees them all.
    pub(crate) fn part_node(&mut self, container: GNode, part: Part) -> GNode {
        if let Some(&node) = self.part_nodes.get(&(container, part)) {
            return node;
        }
        let node = self.new_node();
        self.part_nodes.insert((container, part), node);
        match part {
            Part::Key(_) => {
                let unkeyed = self.part_node(container, Part::Unkeyed);
                self.edge(unkeyed, node, NO_LABEL);
                let values = self.part_node(container, Part::Values);
                self.edge(node, values, NO_LABEL);
            }
            // A tuple's item at a position also holds what went in at no known position
            // (`f(*xs)` into `*args`); what goes in at a position goes to its values too.
            Part::Index(_) => {
                let unkeyed = self.part_node(container, Part::Unkeyed);
                self.edge(unkeyed, node, NO_LABEL);
            }
            Part::Unkeyed => {
                let values = self.part_node(container, Part::Values);
                self.edge(node, values, NO_LABEL);
            }
            _ => {}
        }
        node
    }

    /// The project-wide id of dict key `local` of `module`'s facts.
    pub(crate) fn dict_key(&self, module: ModIdx, local: KeyId) -> Option<KeyId> {
        self.module_keys[module as usize].get(local.get() as usize).copied().flatten()
    }

    pub(crate) fn dyn_hop(&mut self, module: ModIdx, at: HopAt, kind: DynHopKind) -> Label {
        self.dyn_hops.push(DynHop { module, at, kind });
        self.modules.hop_count + (self.dyn_hops.len() - 1) as Label
    }
}
