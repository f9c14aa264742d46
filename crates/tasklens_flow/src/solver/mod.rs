//! The solver: a worklist propagation of abstract objects over the project's
//! flow graph, with calls, attributes and containers resolved as objects
//! reach them (an on-the-fly call graph).

mod annotations;
mod calls;
mod classes;
mod dispatch;
mod external;
pub(crate) mod link;

use std::collections::VecDeque;
use std::rc::Rc;

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{KeyId, Part};

use crate::modules::Modules;
use crate::objects::{GClass, GFunc, GNode, GSite, Interner, ModIdx, Obj, ObjId, ObjSet, PathId};

/// An edge label: a hop shown in traces, a guard, or nothing.
pub(crate) type Label = u32;
pub(crate) const NO_LABEL: Label = u32::MAX;
/// Drops plain Futures: the branch guarded by `isinstance(x, asyncio.Task)`.
pub(crate) const GUARD: Label = u32::MAX - 1;
/// Lets only what may be a coroutine through: the branch guarded by `iscoroutine(x)`.
pub(crate) const COROUTINES_ONLY: Label = u32::MAX - 2;
/// Lets only what may be awaited through: the branch guarded by `isawaitable(x)`.
pub(crate) const AWAITABLES_ONLY: Label = u32::MAX - 3;
/// Lets only what may be an `async def` function through: `iscoroutinefunction(x)`.
pub(crate) const COROUTINE_FUNCTIONS_ONLY: Label = u32::MAX - 4;

/// Whether a label names a hop to show in a trace (not a guard, not nothing).
pub(crate) fn is_shown(label: Label) -> bool {
    label < COROUTINE_FUNCTIONS_ONLY
}
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
const MAX_OBJECTS: usize = 16;
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
}

#[derive(Clone, Debug)]
pub(crate) enum DynHopKind {
    Argument { param: Name, func: GFunc },
    CallResult { func: GFunc },
    PassThrough,
    Callback { func: GFunc },
    ContainerStore,
    Field { field: Name },
}

/// Edges and complex constraints added to one node while solving.
#[derive(Default)]
pub(crate) struct DynLists {
    edges: Vec<Edge>,
    complex: Vec<u32>,
}

const NO_LIST: u32 = u32::MAX;
const NO_FILTER: u32 = u32::MAX;

/// A name interned by the solver.
pub(crate) type NameId = u32;

/// A constraint that depends on the objects of its base node.
#[derive(Clone, Copy, Debug)]
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
    Enter {
        to: GNode,
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
    /// On an argument of a call the analysis cannot follow: functions escape.
    Escape,
    /// On a decorator of an opaque `func`: a call of `func` depends on what it returns.
    Decorated {
        site: GSite,
        func: GFunc,
        result: GNode,
        /// Which decorator, counted from the outermost.
        depth: u8,
    },
    /// On the return node of a synchronous decorator wrapper: Futures and Tasks created
    /// in its body reach the decorated call's result.
    WrapperResult {
        wrapper: GFunc,
        result: GNode,
    },
    /// On the callback argument of `loop.call_soon(cb)` and friends.
    LoopCallback,
    /// On the function argument of a call at `site` that runs it in another thread
    /// (`loop.run_in_executor(None, f)`, `threading.Thread(target=f)`).
    ThreadTarget {
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

/// A solution read together with the modules' positions.
pub(crate) struct Solved {
    /// Each module's positions, by module index.
    pub positions: Vec<std::sync::Arc<tasklens_semantic::Positions>>,
    pub solution: std::sync::Arc<Solution>,
}

impl std::ops::Deref for Solved {
    type Target = Solution;

    fn deref(&self) -> &Solution {
        &self.solution
    }
}

/// What the solver found, for the report. It depends only on the modules' facts, which
/// have no positions, so an edit that only moves code keeps it.
pub(crate) struct Solution {
    /// The modules (their facts) the solution was computed from.
    pub modules: Modules,
    /// Conclusions drawn from the rest, filled in once solved.
    pub derived: crate::report::Derived,
    pub objs: Vec<Obj>,
    pub sets: crate::objects::FlatSets,
    pub preds: FxHashMap<(GNode, ObjId), (GNode, Label)>,
    pub dyn_hops: Vec<DynHop>,
    pub part_nodes: FxHashMap<(GNode, Part), GNode>,
    pub sinks: Vec<link::SinkRecord>,
    /// Per sink: a Task-only method call whose receiver may also be an instance of a
    /// project class that defines the method. Then the receiver is most likely that
    /// object, and a Future there comes from merging unrelated values (a registry read
    /// by everyone), so the sink is not reported.
    pub shadowed_sinks: Vec<bool>,
    pub ensure_future_sites: Vec<(GSite, Option<GNode>)>,
    /// `create_task`-like calls and the node of their coroutine argument, by site.
    pub task_argument_sites: Vec<(GSite, GNode)>,
    /// `loop=` passed to APIs that removed it: the keyword and the API's dotted path.
    pub removed_loop_sites: Vec<(GSite, u32, String)>,
    /// Task-creating sites whose Task is known to be kept.
    pub kept_tasks: FxHashSet<GSite>,
    /// Parameters whose annotation admits Futures as its elements (`Iterable[Awaitable[T]]`):
    /// their `Obj::ParamFuture` sits in a stand-in container's slot.
    pub element_future_params: FxHashSet<GNode>,
    /// Parameters annotated to be callables that return what admits a plain Future
    /// (`Callable[..., Awaitable[T]]`): their `Obj::ParamFuture` comes from calling them.
    pub result_future_params: FxHashSet<GNode>,
    /// Parameters (or their `*args` slots) whose annotation admits a plain Future.
    pub future_params: FxHashSet<GNode>,
    /// Containers (by creating node) that reached a node past widening: where they went
    /// from there is not followed, so they count as kept.
    pub kept_containers: FxHashSet<GNode>,
    /// By node, the plain Futures its `Obj::FutureSummary` stands for (their ways in are
    /// in `preds` under the node).
    pub summarised: FxHashMap<GNode, Vec<ObjId>>,
    /// `typing.cast(Task, value)` sites and the value's node.
    pub masked_casts: Vec<(GSite, GNode)>,
    /// `asyncio.create_task(...)` sites.
    pub running_loop_sites: Vec<GSite>,
    /// Which project function each call site can run.
    pub calls: Vec<(GSite, GFunc)>,
    /// Functions whose objects reach code the analysis cannot follow.
    pub escaped: FxHashSet<GFunc>,
    /// Functions the event loop calls back (`loop.call_soon(f)`...): they run in a running loop.
    pub loop_callbacks: FxHashSet<GFunc>,
    /// `fut.add_done_callback(f)`: the node of `fut` and `f`. The loop calls `f` when `fut`
    /// is an asyncio Future or Task (a `concurrent.futures` one calls it in its thread).
    pub done_callbacks: Vec<(GNode, GFunc)>,
    /// Sites that make `concurrent.futures` Futures (`run_coroutine_threadsafe`...).
    pub thread_futures: FxHashSet<GSite>,
    /// Functions run in another thread, where no loop is running, and the call that does it.
    pub thread_targets: Vec<(GFunc, GSite)>,
    /// Nodes whose values are read by some constraint (complex or dynamic) that may keep
    /// them: on a call's bare result, calls of a Future's own methods do not.
    pub read_nodes: Vec<bool>,
    pub attr_nodes: FxHashMap<(GClass, NameId), GNode>,
    /// Nodes with outgoing edges added while solving (returns that reach a caller).
    pub has_dyn_edges: Vec<bool>,
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
    escaped: FxHashSet<GFunc>,
    loop_callbacks: FxHashSet<GFunc>,
    done_callbacks: Vec<(GNode, GFunc)>,
    thread_futures: FxHashSet<GSite>,
    thread_targets: FxHashSet<(GFunc, GSite)>,
    classes: classes::ClassTable,
    sinks: Vec<link::SinkRecord>,
    ensure_future_sites: FxHashMap<GSite, Option<GNode>>,
    task_argument_sites: FxHashMap<GSite, GNode>,
    removed_loop_sites: FxHashMap<GSite, (u32, String)>,
    /// Task-creating sites whose Task is known to be kept (TaskGroup, widened away).
    kept_tasks: FxHashSet<GSite>,
    /// Containers widened away somewhere (see [`Solution::kept_containers`]).
    kept_containers: FxHashSet<GNode>,
    /// See [`Solution::summarised`].
    summarised: FxHashMap<GNode, Vec<ObjId>>,
    /// `asyncio.create_task(...)` and `asyncio.get_running_loop()` sites: they need a running loop.
    running_loop_sites: FxHashSet<GSite>,
    /// `cast(Task, ...)` call sites, and the ones resolved to typing's with their value node.
    task_casts: FxHashSet<GSite>,
    masked_casts: Vec<(GSite, GNode)>,
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
    wrapped_ensure_future: FxHashMap<GSite, Vec<(GNode, GNode, GNode, Label)>>,
    /// Calls of `async def`s that pass parameters through: how many parameters each binds
    /// before its arguments, for awaiting its `Obj::CoroCall`.
    coro_bindings: FxHashMap<(GSite, GFunc), usize>,
    /// How deep `complex_on` is nested in applications, and the applications it queued.
    nesting: u32,
    deferred: Vec<(u32, GNode, ObjId)>,
    /// `__iter__`/`__next__`/`__getitem__` results already read into a node: (method, node).
    protocol_reads: FxHashSet<(GFunc, GNode)>,
    /// Calls already bound: (site, function, shift).
    bound: FxHashSet<(GSite, GFunc, usize)>,
    /// Methods a call on an instance of a class may run, by (class, name).
    dispatch_cache: FxHashMap<(GClass, NameId), Rc<[GFunc]>>,
    /// Property setters by (class, attribute).
    setter_cache: FxHashMap<(GClass, NameId), Option<GFunc>>,
    /// Attribute nodes an instance of a class may read, and the one it writes.
    attribute_cache: FxHashMap<(GClass, NameId), AttributeNodes>,
    /// Per node (indexed up to the nodes made while linking), an index into `filter_classes`
    /// or `NO_FILTER`: a place annotated with project classes only lets in no other
    /// project objects (see [`Solver::admitted`]).
    type_filters: Vec<u32>,
    filter_classes: Vec<TypeFilter>,
}

/// What an annotated place lets in of the project's own objects (see [`Solver::admitted`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeFilter {
    /// Instances of these classes and their subclasses.
    pub classes: Box<[GClass]>,
    /// Instances of project classes derived from an outside class (a `str` subclass).
    pub outside_instances: bool,
    /// Containers, and any instance or class (which may implement the container protocols).
    pub containers: bool,
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
        solver.run(check_cancelled);
        solver.loop_fallback();
        solver.run(check_cancelled);
        solver.wrapped_fallback();
        solver.run(check_cancelled);
        if stats {
            eprintln!("after solving: {}", crate::memory_status());
            eprintln!("link {linked:?}, solve {:?}", start.elapsed() - linked);
            if std::env::var_os("TASKLENS_STATS_QUICK").is_none() {
                solver.print_stats();
            }
        }
        let mut ensure_future_sites: Vec<_> =
            solver.ensure_future_sites.iter().map(|(site, arg)| (*site, *arg)).collect();
        ensure_future_sites.sort_unstable();
        let mut task_argument_sites: Vec<_> = solver.task_argument_sites.iter().map(|(s, n)| (*s, *n)).collect();
        task_argument_sites.sort_unstable();
        // Per method name: (does not keep a Task it is called on, stores into a container).
        let method_kinds: Vec<(bool, bool)> = (solver.names.iter())
            .map(|name| {
                let name = name.as_str();
                (
                    crate::asyncio_api::NON_KEEPING_TASK_METHODS.contains(&name),
                    crate::dropped::CONTAINER_STORES.contains(&name),
                )
            })
            .collect();
        let mut call_results = vec![false; solver.sets.len()];
        for complex in &solver.complex {
            if let Complex::Call { result, .. } | Complex::MethodCall { result, .. } = *complex {
                call_results[result as usize] = true;
            }
        }
        let read_nodes: Vec<bool> =
            (0..solver.sets.len()).map(|node| solver.keeps_values(node, call_results[node], &method_kinds)).collect();
        let has_dyn_edges: Vec<bool> = (0..solver.sets.len())
            .map(|node| {
                let list = solver.dyn_index[node];
                list != NO_LIST && !solver.dyn_lists[list as usize].edges.is_empty()
            })
            .collect();
        let shadowed_sinks: Vec<bool> = (solver.sinks.iter())
            .map(|sink| match &sink.kind {
                link::SinkKind::TaskMethod(method) => solver.sets[sink.node as usize].as_slice().iter().any(|&o| {
                    matches!(solver.objs[o as usize], Obj::Instance(class)
                        if solver.classes.find_method(&solver.modules, class, method).is_some())
                }),
                _ => false,
            })
            .collect();
        let mut removed_loop_sites: Vec<_> =
            solver.removed_loop_sites.iter().map(|(s, (keyword, path))| (*s, *keyword, path.clone())).collect();
        removed_loop_sites.sort_unstable_by_key(|(site, _, _)| *site);
        Solution {
            derived: Default::default(),
            objs: solver.objs.into_items(),
            sets: crate::objects::FlatSets::new(std::mem::take(&mut solver.sets)),
            preds: solver.preds,
            dyn_hops: solver.dyn_hops,
            part_nodes: solver.part_nodes,
            sinks: solver.sinks,
            shadowed_sinks,
            ensure_future_sites,
            task_argument_sites,
            removed_loop_sites,
            kept_tasks: solver.kept_tasks,
            kept_containers: solver.kept_containers,
            summarised: solver.summarised,
            element_future_params: solver.element_future_params,
            result_future_params: std::mem::take(&mut solver.result_future_params),
            future_params: std::mem::take(&mut solver.future_params),
            masked_casts: solver.masked_casts,
            escaped: std::mem::take(&mut solver.escaped),
            loop_callbacks: std::mem::take(&mut solver.loop_callbacks),
            done_callbacks: std::mem::take(&mut solver.done_callbacks),
            thread_futures: std::mem::take(&mut solver.thread_futures),
            thread_targets: {
                let mut targets: Vec<(GFunc, GSite)> = solver.thread_targets.drain().collect();
                targets.sort_unstable();
                targets
            },
            running_loop_sites: {
                let mut sites: Vec<GSite> = solver.running_loop_sites.iter().copied().collect();
                sites.sort_unstable();
                sites
            },
            calls: {
                let mut calls: Vec<(GSite, GFunc)> =
                    solver.bound.iter().map(|(site, func, _)| (*site, *func)).collect();
                calls.sort_unstable();
                calls.dedup();
                calls
            },
            read_nodes,
            attr_nodes: solver.attr_nodes,
            has_dyn_edges,
            modules: solver.modules,
        }
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

    // ---- propagation ----------------------------------------------------------

    /// Adds `obj` to `node`, remembering where it came from.
    ///
    /// Widening: a node that already holds [`MAX_OBJECTS`] objects gets `Unknown`
    /// instead of more of them. Plain Futures are kept, so TL001 stays sound: past
    /// [`MAX_FUTURES`] of them, a node gets its `Obj::FutureSummary` instead and remembers
    /// which Futures (and how) it stands for.
    pub(crate) fn add(&mut self, node: GNode, mut obj: ObjId, from: GNode, label: Label) {
        let mut value = self.objs[obj as usize];
        if let Some(&filter) = self.type_filters.get(node as usize)
            && filter != NO_FILTER
            && !self.admitted(filter, value)
        {
            return;
        }
        if value.is_plain_future()
            && value != Obj::FutureSummary(node)
            && self.futures_full(node)
            && !self.sets[node as usize].as_slice().contains(&obj)
        {
            // A Future summarised here before already has its way in recorded.
            if !self.preds.contains_key(&(node, obj)) {
                self.summarised.entry(node).or_default().push(obj);
                self.preds.insert((node, obj), (from, label));
            }
            value = Obj::FutureSummary(node);
            obj = self.obj(value);
            // The summary starts here: the Futures it stands for keep their own ways in.
            if self.sets[node as usize].insert(obj) {
                self.worklist.push_back((node, obj));
            }
            return;
        }
        if self.sets[node as usize].len() >= MAX_OBJECTS && !value.is_plain_future() {
            // Where it goes from here is no longer followed: do not call it dropped.
            match value {
                Obj::Task(Some(site)) => _ = self.kept_tasks.insert(site),
                Obj::Container(container, _) | Obj::View(container, ..) => _ = self.kept_containers.insert(container),
                _ => {}
            }
            obj = UNKNOWN;
        }
        // A parameter that admits a Future stands for every Future passed to it.
        if let Obj::ParamFuture(param) = value
            && param != node
            && self.future_params.contains(&node)
        {
            return;
        }
        if self.sets[node as usize].insert(obj) {
            if self.traced(obj) {
                self.preds.insert((node, obj), (from, label));
            }
            self.worklist.push_back((node, obj));
        }
    }

    /// Whether an annotated place lets `value` in. The annotation is trusted only about
    /// the project's own objects: asyncio values and outside objects always pass, so a
    /// Future is followed whatever a wrong annotation says. What it keeps out is what a
    /// context-insensitive analysis merges in from other callers: an instance of an
    /// unrelated class, a container, a function. `Unknown` passes only into containers:
    /// an unknown value given as a `Job` is one of the `Job`s whose attributes the project
    /// writes (the annotation's own instance stands for it), and one given as a `str` is
    /// nothing to follow.
    fn admitted(&self, filter: u32, value: Obj) -> bool {
        let filter = &self.filter_classes[filter as usize];
        match value {
            Obj::Instance(class) => {
                let mro = &self.classes.mro[class as usize];
                filter.containers
                    || filter.classes.iter().any(|c| mro.contains(c))
                    || (filter.outside_instances && self.classes.external_base[class as usize])
            }
            Obj::Container(..) | Obj::View(..) => filter.containers,
            Obj::Class(class) => filter.containers && self.classes.external_base[class as usize],
            Obj::Function(_) | Obj::Bound(_) | Obj::Partial(_) | Obj::Module(_) => false,
            Obj::Unknown => filter.containers,
            _ => true,
        }
    }

    /// Whether `inspect.isawaitable` may be true of the value: not of a function, class,
    /// module or container, nor of an instance of a project class without `__await__`.
    fn may_be_awaitable(&self, value: Obj) -> bool {
        match value {
            Obj::Instance(class) => {
                self.classes.external_base[class as usize]
                    || self.classes.find_method(&self.modules, class, "__await__").is_some()
            }
            Obj::Function(_)
            | Obj::Bound(_)
            | Obj::Partial(_)
            | Obj::Class(_)
            | Obj::Module(_)
            | Obj::Container(..)
            | Obj::View(..)
            | Obj::FutureFactory(_) => false,
            _ => true,
        }
    }

    /// Whether `inspect.iscoroutinefunction` may be true of the value: an `async def`
    /// (not an async generator), or something the analysis does not follow.
    fn may_be_coroutine_function(&self, value: Obj) -> bool {
        match value {
            Obj::Function(func) | Obj::Bound(func) => {
                let facts = self.modules.func(func).1;
                facts.is_async && !facts.is_generator
            }
            Obj::Partial(_) | Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => true,
            Obj::Instance(class) => self.classes.external_base[class as usize],
            _ => false,
        }
    }

    /// Whether `asyncio.iscoroutine` may be true of the value.
    fn may_be_coroutine(&self, value: Obj) -> bool {
        match value {
            Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => true,
            Obj::Instance(class) => self.classes.external_base[class as usize],
            other => other.is_coroutine(),
        }
    }

    /// Installs the annotated places' filters (several on one node admit what any admits).
    pub(super) fn freeze_type_filters(&mut self, filters: Vec<(GNode, TypeFilter)>) {
        let mut by_node: FxHashMap<GNode, TypeFilter> = FxHashMap::default();
        for (node, filter) in filters {
            let merged = by_node.entry(node).or_default();
            merged.classes = merged.classes.iter().chain(filter.classes.iter()).copied().collect();
            merged.outside_instances |= filter.outside_instances;
            merged.containers |= filter.containers;
        }
        if by_node.is_empty() {
            return;
        }
        self.type_filters = vec![NO_FILTER; self.sets.len()];
        let mut nodes: Vec<(GNode, TypeFilter)> = by_node.into_iter().collect();
        nodes.sort_unstable_by_key(|(node, _)| *node);
        for (node, filter) in nodes {
            self.type_filters[node as usize] = self.filter_classes.len() as u32;
            self.filter_classes.push(filter);
        }
    }

    pub(crate) fn seed(&mut self, node: GNode, obj: Obj) {
        let id = self.obj(obj);
        self.add(node, id, NO_NODE, NO_LABEL);
    }

    fn traced(&self, obj: ObjId) -> bool {
        matches!(
            self.objs[obj as usize],
            Obj::Future(_) | Obj::ParamFuture(_) | Obj::FutureSummary(_) | Obj::Task(Some(_))
        )
    }

    /// Whether `node` already holds [`MAX_FUTURES`] plain Futures (not counting its summary).
    fn futures_full(&self, node: GNode) -> bool {
        let objs = self.sets[node as usize].as_slice();
        objs.len() >= MAX_FUTURES
            && objs.iter().filter(|&&o| self.objs[o as usize].is_plain_future()).count() >= MAX_FUTURES
    }

    fn pass(&mut self, edge: Edge, from: GNode, obj: ObjId) {
        if edge.label == GUARD && self.objs[obj as usize].is_plain_future() {
            return;
        }
        if edge.label >= COROUTINE_FUNCTIONS_ONLY && edge.label <= COROUTINES_ONLY {
            let value = self.objs[obj as usize];
            let passes = match edge.label {
                COROUTINES_ONLY => self.may_be_coroutine(value),
                AWAITABLES_ONLY => self.may_be_awaitable(value),
                _ => self.may_be_coroutine_function(value),
            };
            if !passes {
                return;
            }
        }
        self.add(edge.to, obj, from, edge.label);
    }

    /// Adds an edge while solving; the objects already at `from` flow at once.
    pub(crate) fn edge(&mut self, from: GNode, to: GNode, label: Label) {
        let edge = Edge { to, label };
        if from == to {
            return;
        }
        // Most nodes get a few edges: scan those; a long list also keeps a set.
        let edges = &self.dyn_lists(from).edges;
        let (scanned, long) = (edges.len().min(SCANNED_EDGES), edges.len() >= SCANNED_EDGES);
        if edges[..scanned].contains(&edge) || (long && !self.dyn_edge_set.insert((from, edge))) {
            return;
        }
        self.dyn_lists(from).edges.push(edge);
        // `pass` never adds to `from` (no self edges), so its set stays as it is.
        for i in 0..self.sets[from as usize].len() {
            let obj = self.sets[from as usize].as_slice()[i];
            self.pass(edge, from, obj);
        }
    }

    /// Adds a complex constraint while solving; it sees the objects already at `node`.
    pub(crate) fn complex_on(&mut self, node: GNode, complex: Complex) {
        let id = self.complex.len() as u32;
        self.complex.push(complex);
        self.dyn_lists(node).complex.push(id);
        // Objects that `apply` adds to `node` itself are queued and see this constraint then.
        let objs: smallvec::SmallVec<[ObjId; 16]> = self.sets[node as usize].as_slice().into();
        // Applying a constraint may add others that apply at once: past a depth, queue
        // them instead, so that no input can grow the stack without bound.
        if self.nesting >= MAX_NESTED_APPLICATIONS {
            self.deferred.extend(objs.into_iter().map(|obj| (id, node, obj)));
            return;
        }
        self.nesting += 1;
        for obj in objs {
            self.apply(id, node, obj);
        }
        self.nesting -= 1;
    }

    /// Whether a constraint on `node` may keep its values alive (for dropped Tasks). A
    /// variable keeps its Task while its function uses it; the bare result of a call
    /// (`create_task(c).add_done_callback(cb)`) is gone once its own methods have run.
    fn keeps_values(&self, node: usize, call_result: bool, method_kinds: &[(bool, bool)]) -> bool {
        let static_ids = if node < self.static_nodes as usize {
            &self.complex_ids[self.complex_start[node] as usize..self.complex_start[node + 1] as usize]
        } else {
            &[]
        };
        let list = self.dyn_index[node];
        let dyn_ids = if list == NO_LIST { &[][..] } else { &self.dyn_lists[list as usize].complex[..] };
        static_ids.iter().chain(dyn_ids).any(|&id| match self.complex[id as usize] {
            Complex::MethodCall { name, .. } if call_result => !method_kinds[name as usize].0,
            // Storing into a container does not keep the container.
            Complex::StorePart { .. } => false,
            Complex::MethodCall { name, .. } if method_kinds[name as usize].1 => false,
            _ => true,
        })
    }

    /// Prints where the solver spent its effort (for `TASKLENS_SOLVER_STATS=1`).
    fn print_stats(&self) {
        let pairs: usize = self.sets.iter().map(|s| s.as_slice().len()).sum();
        let mut kinds: FxHashMap<String, usize> = FxHashMap::default();
        for obj in self.objs.iter() {
            let kind = format!("{obj:?}");
            *kinds.entry(kind.split('(').next().unwrap_or("").to_string()).or_default() += 1;
        }
        let mut biggest: Vec<(usize, usize)> =
            self.sets.iter().enumerate().map(|(i, s)| (s.as_slice().len(), i)).collect();
        biggest.sort_unstable_by(|a, b| b.cmp(a));
        let mut per_obj: FxHashMap<ObjId, usize> = FxHashMap::default();
        for set in &self.sets {
            for &o in set.as_slice() {
                *per_obj.entry(o).or_default() += 1;
            }
        }
        let mut pairs_by_kind: FxHashMap<String, usize> = FxHashMap::default();
        for (&o, &n) in &per_obj {
            let kind = format!("{:?}", self.objs[o as usize]);
            *pairs_by_kind.entry(kind.split('(').next().unwrap_or("").to_string()).or_default() += n;
        }
        eprintln!("pairs by object kind: {pairs_by_kind:?}");
        let mut spread: Vec<(usize, ObjId)> = per_obj.into_iter().map(|(o, n)| (n, o)).collect();
        spread.sort_unstable_by(|a, b| b.cmp(a));
        eprintln!(
            "nodes {} (static {}), pairs {pairs}, objects {}, static edges {}, dyn edges {}, complex {}",
            self.sets.len(),
            self.static_nodes,
            self.objs.len(),
            self.edges.len(),
            self.dyn_edge_set.len(),
            self.complex.len()
        );
        let (mut constraints, mut hops, mut sites, mut args, mut annotated) = (0, 0, 0, 0, 0);
        for module in &self.modules.modules {
            constraints += module.facts.constraints.len();
            hops += module.facts.hops.len();
            sites += module.facts.call_sites.len();
            args += module.facts.call_sites.iter().map(|c| c.args.len() + c.keywords.len()).sum::<usize>();
            annotated += module.facts.annotated.len();
        }
        use std::mem::size_of;
        use tasklens_semantic::facts as f;
        eprintln!(
            "facts: {constraints} constraints x {} B, {hops} hops x {} B, {sites} call sites x {} B, {args} arguments, {annotated} annotations",
            size_of::<f::Constraint>(),
            size_of::<f::Hop>(),
            size_of::<f::CallSite>()
        );
        eprintln!(
            "solver: {} complex x {} B, {} preds, {} dyn hops x {} B, {} applied, {} dyn edge set",
            self.complex.len(),
            size_of::<Complex>(),
            self.preds.len(),
            self.dyn_hops.len(),
            size_of::<DynHop>(),
            self.applied.len(),
            self.dyn_edge_set.len()
        );
        eprintln!("object kinds: {kinds:?}");
        {
            fn vec<T>(v: &[T], cap: usize) -> usize {
                let _ = v;
                cap * std::mem::size_of::<T>() / 1_000_000
            }
            fn map<K, V>(len: usize) -> usize {
                len * (std::mem::size_of::<K>() + std::mem::size_of::<V>() + 1) * 8 / 7 / 1_000_000
            }
            let many: usize = (self.sets.iter())
                .map(|s| match s {
                    ObjSet::Many(v) => v.capacity() * 4 + 24,
                    _ => 0,
                })
                .sum();
            let dyn_lists: usize = (self.dyn_lists.iter())
                .map(|l| l.edges.capacity() * size_of::<Edge>() + l.complex.capacity() * 4)
                .sum();
            eprintln!(
                "capacity in MB: sets {} + many {}, edge_start {}, edges {}, complex_start {}, complex_ids {}, complex {}, dyn_index {}, dyn_lists {} + {}, dyn_edge_set {}, preds {}, dyn_hops {}, part_nodes {}, applied {}, bound {}, attribute_cache {}, worklist {}",
                vec(&self.sets, self.sets.capacity()),
                many / 1_000_000,
                vec(&self.edge_start, self.edge_start.capacity()),
                vec(&self.edges, self.edges.capacity()),
                vec(&self.complex_start, self.complex_start.capacity()),
                vec(&self.complex_ids, self.complex_ids.capacity()),
                vec(&self.complex, self.complex.capacity()),
                vec(&self.dyn_index, self.dyn_index.capacity()),
                vec(&self.dyn_lists, self.dyn_lists.capacity()),
                dyn_lists / 1_000_000,
                map::<(GNode, Edge), ()>(self.dyn_edge_set.capacity()),
                map::<(GNode, ObjId), (GNode, Label)>(self.preds.capacity()),
                vec(&self.dyn_hops, self.dyn_hops.capacity()),
                map::<(GNode, Part), GNode>(self.part_nodes.capacity()),
                map::<(GSite, ObjId), ()>(self.applied.capacity()),
                map::<(GSite, GFunc, usize), ()>(self.bound.capacity()),
                map::<(GClass, NameId), AttributeNodes>(self.attribute_cache.capacity()),
                self.worklist.capacity() * 8 / 1_000_000,
            );
        }
        eprintln!("biggest sets: {:?}", &biggest[..biggest.len().min(10)]);
        let top: Vec<String> = (spread.iter().take(10))
            .map(|(n, o)| match self.objs[*o as usize] {
                Obj::Future(site) => {
                    let (m, call) = self.modules.site(site);
                    let module = &self.modules.modules[m as usize];
                    let caller = call.caller.map(|f| module.facts.functions[f as usize].name.to_string());
                    format!("Future({}:{caller:?})x{n}", module.name)
                }
                obj => format!("{obj:?}x{n}"),
            })
            .collect();
        eprintln!("most spread objects: {top:?}");
        // `TASKLENS_DEBUG_SPREAD=Container` (or `Future`, `Instance`...): the most spread object
        // of that kind.
        if let Some(kind) = std::env::var_os("TASKLENS_DEBUG_SPREAD") {
            let kind = kind.to_string_lossy().into_owned();
            let object = spread.iter().find(|(_, o)| format!("{:?}", self.objs[*o as usize]).starts_with(&kind));
            self.print_spread_chain(object);
        }
    }

    /// Debugging aid: the modules holding most of the nodes an object reaches, and its
    /// longest predecessor chain (recorded for Futures and Tasks only).
    fn print_spread_chain(&self, top: Option<&(usize, ObjId)>) {
        let Some(&(_, obj)) = top else { return };
        let mut parts: FxHashMap<GNode, String> = FxHashMap::default();
        for (&(container, part), &node) in &self.part_nodes {
            parts.insert(node, format!("part {part:?} of {container}"));
        }
        for (&(class, name), &node) in &self.attr_nodes {
            parts.insert(node, format!("attr {} of class {class}", self.name(name)));
        }
        let describe = |node: GNode| {
            if node < self.static_nodes {
                format!("{node} in {}", self.modules.modules[self.modules.node_module(node) as usize].name)
            } else {
                format!("{node} {}", parts.get(&node).cloned().unwrap_or_default())
            }
        };
        let chain = |mut node: GNode| {
            let mut chain = vec![node];
            while let Some(&(pred, _)) = self.preds.get(&(node, obj)) {
                if pred == NO_NODE || chain.len() > 400 {
                    break;
                }
                chain.push(pred);
                node = pred;
            }
            chain
        };
        let reached: Vec<GNode> =
            (0..self.sets.len() as GNode).filter(|&n| self.sets[n as usize].as_slice().contains(&obj)).collect();
        let mut by_module: FxHashMap<&str, usize> = FxHashMap::default();
        for &node in &reached {
            if node < self.static_nodes {
                *by_module.entry(&self.modules.modules[self.modules.node_module(node) as usize].name).or_default() += 1;
            }
        }
        let mut by_module: Vec<(usize, &str)> = by_module.into_iter().map(|(m, n)| (n, m)).collect();
        by_module.sort_unstable_by(|a, b| b.cmp(a));
        eprintln!("{:?} reaches most nodes in {:?}", self.objs[obj as usize], &by_module[..by_module.len().min(12)]);
        let longest = reached.iter().map(|&n| chain(n)).max_by_key(Vec::len).unwrap_or_default();
        eprintln!("{} nodes; longest chain {}:", reached.len(), longest.len());
        for node in longest.iter().rev() {
            eprintln!("  {}", describe(*node));
        }
    }

    fn run(&mut self, check_cancelled: &dyn Fn()) {
        let mut steps = 0u32;
        loop {
            if let Some((id, node, obj)) = self.deferred.pop() {
                self.apply(id, node, obj);
                continue;
            }
            let Some((node, obj)) = self.worklist.pop_front() else { break };
            steps = steps.wrapping_add(1);
            if steps.is_multiple_of(65_536) {
                check_cancelled();
            }
            if node < self.static_nodes {
                let (start, end) = (self.edge_start[node as usize], self.edge_start[node as usize + 1]);
                for i in start..end {
                    let edge = self.edges[i as usize];
                    self.pass(edge, node, obj);
                }
                let (start, end) = (self.complex_start[node as usize], self.complex_start[node as usize + 1]);
                for i in start..end {
                    let id = self.complex_ids[i as usize];
                    self.apply(id, node, obj);
                }
            }
            let list = self.dyn_index[node as usize];
            if list != NO_LIST {
                // Lists may grow while they are walked; new entries see `obj` when added.
                let count = self.dyn_lists[list as usize].edges.len();
                for i in 0..count {
                    let edge = self.dyn_lists[list as usize].edges[i];
                    self.pass(edge, node, obj);
                }
                let count = self.dyn_lists[list as usize].complex.len();
                for i in 0..count {
                    let id = self.dyn_lists[list as usize].complex[i];
                    self.apply(id, node, obj);
                }
            }
        }
    }
}
