//! The solution the solver hands over: what the report and the rules read, with no
//! positions, and how it is drawn from the solver's state once the fixpoint is reached.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{ContainerKind, HopKind, Part};

use super::{Complex, DynHop, Label, NO_LIST, NameId, Solver, link};
use crate::modules::Modules;
use crate::objects::{GClass, GFunc, GNode, GSite, Obj, ObjId};

/// Which protocols a project class's instances support, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassProtocols(pub u8);

impl ClassProtocols {
    /// `__enter__`: `with`.
    pub const ENTER: u8 = 1;
    /// `__aenter__`: `async with`.
    pub const AENTER: u8 = 2;
    /// `__iter__` or `__getitem__`: `for`.
    pub const ITER: u8 = 4;
    /// `__aiter__`: `async for`.
    pub const AITER: u8 = 8;
    /// A base from outside the project, which may bring any of them.
    pub const OUTSIDE_BASE: u8 = 16;
    /// `__aiter__` is an `async def`: it gives a coroutine, not an async iterator.
    pub const ASYNC_AITER: u8 = 32;

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// What calls back a function handed over as an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallbackCaller {
    /// The event loop (`call_soon`, `add_done_callback`...).
    Loop,
    /// Another thread (`Thread(target=...)`, `run_in_executor`...).
    Thread,
    /// Plain code: a signal handler (`signal.signal`), an exit handler (`atexit.register`).
    Plain,
    /// The builtin `filter`, which calls it on each element and tests what it returns
    /// (`None` in its place keeps the true elements).
    Filter,
    /// The `key=` of `sorted`, `min`, `max` or a list's `sort`, which calls it on each
    /// element and compares what it returns (`None` in its place compares the elements).
    SortKey,
}

/// An argument of a call that hands it over to be called back later as a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallbackArgument {
    pub site: GSite,
    /// The argument's node.
    pub node: GNode,
    pub caller: CallbackCaller,
    /// Whether the call passes its later positional arguments on to the callback
    /// (`call_soon(f, a)`, `run_in_executor(None, f, a)`, `atexit.register(f, a)`).
    pub forwards: bool,
}

/// A solution read together with the modules' positions.
pub(crate) struct Solved {
    /// Each module's positions, by module index.
    pub positions: Vec<Arc<tasklens_semantic::Positions>>,
    pub solution: Arc<Solution>,
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
    /// Solving stopped at its growth limit ([`super::Growth`]): the sets are partial, and
    /// nothing may be concluded from them.
    pub incomplete: bool,
    /// Conclusions drawn from the rest, filled in once solved.
    pub derived: crate::report::Derived,
    pub objs: Vec<Obj>,
    /// The dotted paths of `Obj::External` objects, by id.
    pub paths: Vec<String>,
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
    /// Project classes whose instances `asyncio.iscoroutine` accepts (see
    /// `ClassTable::is_coroutine_class`).
    pub coroutine_classes: FxHashSet<GClass>,
    /// Per class, which of `with`, `async with`, `for` and `async for` its instances
    /// support (TL015).
    pub class_protocols: Vec<ClassProtocols>,
    pub ensure_future_sites: Vec<(GSite, Option<GNode>)>,
    /// `asyncio.wait(fs)` calls and the node of `fs`, by site.
    pub wait_sites: Vec<(GSite, GNode)>,
    /// `async def`s the event loop or another thread calls back, which only makes their
    /// coroutines: the calling site, the function, and the node it was given at.
    pub coroutine_callbacks: Vec<(GSite, GFunc, GNode)>,
    /// Plain functions (a lambda, a `def`) the event loop, a thread or plain code calls
    /// back and drops what they return (not an executor, whose Future gives it): the
    /// calling site, the function, and the node it was given at. One that returns a
    /// coroutine drops it (TL009).
    pub returning_callbacks: Vec<(GSite, GFunc, GNode)>,
    /// `functools.partial` objects the loop or a thread calls back: (calling site, the
    /// partial's site).
    pub partial_callbacks: Vec<(GSite, GSite)>,
    /// `signal.signal(sig, f)`, `atexit.register(f)`, `filter(f, xs)`, `sorted(xs, key=f)`:
    /// calls that give a callback to plain code, with how it calls it.
    pub plain_callback_sites: FxHashMap<GSite, CallbackCaller>,
    /// Every argument that is called back later as a function (by the loop, another
    /// thread or plain code), sorted: where TL014 looks for a call's result.
    pub callback_arguments: Vec<CallbackArgument>,
    /// `x.add_done_callback(cb)` calls, with the node of `x`.
    pub done_callback_receivers: FxHashMap<GSite, GNode>,
    /// `create_task`-like calls and the node of their coroutine argument, by site.
    pub task_argument_sites: Vec<(GSite, GNode)>,
    /// Arguments asyncio wraps with `ensure_future` (`gather`, `shield`, `wait_for`,
    /// `run_until_complete`): site, position, node.
    pub awaitable_argument_sites: Vec<(GSite, u8, GNode)>,
    /// `asyncio.run(main)` calls and the node of `main`, which must be a coroutine
    /// (ValueError otherwise), by site.
    pub main_coroutine_sites: Vec<(GSite, GNode)>,
    /// Calls that run an event loop in the calling thread: `asyncio.run(...)`, a `Runner`'s
    /// `run`, and an event loop's `run_until_complete` and `run_forever` (on receivers that
    /// are only loops); sorted.
    pub loop_run_sites: Vec<GSite>,
    /// `loop=` passed to APIs that removed it: the keyword and the API's dotted path.
    pub removed_loop_sites: Vec<(GSite, u32, String)>,
    /// Calls whose only callee is an asyncio API that later Pythons added (`asyncio.TaskGroup()`),
    /// with its path.
    pub newer_api_sites: Vec<(GSite, String)>,
    /// Calls whose only callee is `asyncio.as_completed`, whose result only Python 3.13 and
    /// later take in `async for`; sorted.
    pub as_completed_sites: Vec<GSite>,
    /// Calls whose only callee is `asyncio.gather` or `asyncio.shield`, whose Future is what
    /// keeps the Tasks they make for coroutines; sorted.
    pub gathering_sites: Vec<GSite>,
    /// Calls whose only callee is an asyncio API given a keyword argument that a later
    /// Python added (`asyncio.run(main(), loop_factory=...)`): the keyword's index, the
    /// API's path and the keyword; sorted.
    pub newer_keyword_sites: Vec<(GSite, u32, String, ruff_python_ast::name::Name)>,
    /// Task-creating sites whose Task is known to be kept.
    pub kept_tasks: FxHashSet<GSite>,
    /// Task-creating sites whose Task reached a node already full (widening): where it goes
    /// from there is not followed, so it counts as kept; with the nodes it came from there
    /// (`NO_NODE` for a Task seeded into a full node).
    pub widened_tasks: FxHashMap<GSite, Vec<GNode>>,
    /// Tasks the event loop makes by calling a callback (`loop.call_soon(loop.create_task,
    /// coro)`): the site, and which argument is the callback (it names the Task's maker).
    pub loop_made_tasks: FxHashMap<GSite, u8>,
    /// The nodes of the Tasks `current_task()` gives in each `async def` (see
    /// `Solver::current_tasks`): what is reached from them is the Task's own code holding it.
    pub current_task_nodes: FxHashSet<GNode>,
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
    /// Calls of a `functools.partial` of an outside callable, with the partial's site.
    pub partial_calls: FxHashMap<GSite, GSite>,
    /// `typing.cast(Task, value)` sites and the value's node.
    pub masked_casts: Vec<(GSite, GNode)>,
    /// Calls that need a running loop: `asyncio.create_task(...)`, `get_running_loop()`, and
    /// `current_task()` and `all_tasks()` without a loop given.
    pub running_loop_sites: Vec<GSite>,
    /// Calls that ask for the thread's current loop (`get_event_loop()`, `Future()`...).
    pub current_loop_sites: Vec<GSite>,
    /// Calls that ask for it when their first argument is a coroutine (`gather(coro)`), with
    /// that argument's node (`None`: always); sorted.
    pub loop_asking_arguments: Vec<(GSite, Option<GNode>)>,
    /// Which project function each call site can run.
    pub calls: Vec<(GSite, GFunc)>,
    /// Functions whose objects reach code the analysis cannot follow.
    pub escaped: FxHashSet<GFunc>,
    /// Functions the event loop calls back (`loop.call_soon(f)`...): they run in a running loop.
    pub loop_callbacks: FxHashSet<GFunc>,
    /// `fut.add_done_callback(f)`: the node of `fut` and `f`. The loop calls `f` when `fut`
    /// is an asyncio Future or Task (a `concurrent.futures` one calls it in its thread).
    pub done_callbacks: Vec<(GNode, GFunc)>,
    /// The parameters done-callbacks get their Future in, and the first
    /// `add_done_callback` call that registers each.
    pub done_callback_params: FxHashMap<GNode, GSite>,
    /// Sites that make `concurrent.futures` Futures (`run_coroutine_threadsafe`...).
    pub thread_futures: FxHashSet<GSite>,
    /// Functions run in another thread, where no loop is running, and the call that does it.
    pub thread_targets: Vec<(GFunc, GSite)>,
    /// Calls that make an asyncio lock, event, condition, semaphore or queue without `loop=`,
    /// which before Python 3.10 binds the loop `get_event_loop()` gives then, with the
    /// class's name (`Queue`).
    pub loop_bound_sites: FxHashMap<GSite, String>,
    /// Calls of `asyncio.wait_for`, which raises asyncio's `TimeoutError` (TL021); sorted.
    pub timeout_sites: Vec<GSite>,
    /// Modules where a star import binds `TimeoutError` (`from asyncio import *`): their
    /// handlers do not catch the builtin.
    pub timeout_error_rebound: FxHashSet<crate::objects::ModIdx>,
    /// Calls that make an event loop (`asyncio.run`, `Runner`, `new_event_loop()`): not the
    /// one `get_event_loop()` gave at import time.
    pub new_loop_sites: Vec<GSite>,
    /// Whether the project runs an event loop object (`loop.run_until_complete`,
    /// `run_forever`), which may be the one `get_event_loop()` gave at import time.
    pub runs_loop_object: bool,
    /// Functions registered to run as the interpreter exits (`atexit.register(f)`), after
    /// the program's event loop has stopped, and the call that registers each.
    pub exit_targets: Vec<(GFunc, GSite)>,
    /// Calls that run a function in a thread of an executor the project made
    /// (`executor.submit(f)`), which that executor's `initializer` prepared.
    pub executor_thread_sites: FxHashSet<GSite>,
    /// `ensure_future` calls that are the whole argument of an event loop's
    /// `run_until_complete` (and of nothing else's): the loop would wrap a coroutine itself.
    pub run_by_loop: FxHashSet<GSite>,
    /// Executors made with an `initializer` (`ThreadPoolExecutor(initializer=f)`): `f` is
    /// among [`Solution::thread_targets`] with this site.
    pub executor_initializer_sites: FxHashSet<GSite>,
    /// Nodes whose values are read by some constraint (complex or dynamic) that may keep
    /// them: on a call's bare result, calls of a Future's own methods do not.
    pub read_nodes: Vec<bool>,
    /// Nodes (names) given only methods that keep no Task (`t.add_done_callback(cb)`), or
    /// only tested (`assert t`): they keep one only while their function is suspended (see
    /// `CallSite::suspends_after`).
    pub named_only: Vec<bool>,
    /// Nodes nothing reads and that pass nothing on (no constraint or edge starts there):
    /// a name assigned and never used.
    pub unread: Vec<bool>,
    /// Nodes whose value is assigned to a name (a static edge with an assignment's hop
    /// leaves them): a container literal bound to a local, `tasks = []`.
    pub assigned_to_name: Vec<bool>,
    /// Lists and sets made at a node whose only way on is an assignment to a name: the
    /// node, the name's node and the assignment's hop (`pending = [fetch(u) for u in urls]`).
    pub named_containers: Vec<(GNode, GNode, Label)>,
    pub attr_nodes: FxHashMap<(GClass, NameId), GNode>,
    /// Each project class's method resolution order, itself first.
    pub mro: Vec<Vec<GClass>>,
    /// Nodes with outgoing edges added while solving (returns that reach a caller).
    pub has_dyn_edges: Vec<bool>,
}

impl Solver {
    /// See [`Solution::named_containers`].
    fn named_containers(&self) -> Vec<(GNode, GNode, Label)> {
        let mut found = Vec::new();
        for node in 0..self.static_nodes {
            let made_here = self.sets[node as usize].as_slice().iter().any(|&obj| {
                matches!(self.objs[obj as usize], Obj::Container(at, ContainerKind::List | ContainerKind::Set) if at == node)
            });
            let (start, end) = (self.edge_start[node as usize] as usize, self.edge_start[node as usize + 1] as usize);
            // The literal's own stores are constraints on it; no edge may leave it but one.
            let list = self.dyn_index[node as usize];
            let dyn_edges = list != NO_LIST && !self.dyn_lists[list as usize].edges.is_empty();
            if !made_here || end - start != 1 || dyn_edges {
                continue;
            }
            let edge = self.edges[start];
            if super::is_shown(edge.label)
                && edge.label < self.modules.hop_count
                && matches!(self.modules.hop(edge.label).1.kind, HopKind::Assign(_))
            {
                found.push((node, edge.to, edge.label));
            }
        }
        found
    }

    /// See [`Solution::run_by_loop`].
    fn run_by_loop(&self) -> FxHashSet<GSite> {
        let run_arguments: FxHashSet<GNode> = (self.run_sites.iter())
            .filter(|(_, (by_loop, by_other))| *by_loop && !*by_other)
            .filter_map(|(&site, _)| self.site_args(site).arg(0))
            .collect();
        (self.ensure_future_results.iter())
            .filter(|(_, result)| run_arguments.contains(result))
            .map(|(&site, _)| site)
            .collect()
    }

    /// The solution, once solved: the solver's working tables go.
    pub(super) fn into_solution(mut self) -> Solution {
        let timeout_sites = self.timeout_site_list();
        let mut ensure_future_sites: Vec<_> =
            self.ensure_future_sites.iter().map(|(site, arg)| (*site, *arg)).collect();
        ensure_future_sites.sort_unstable();
        // A coroutine an executor's thread handed back runs where the project awaits it, or
        // gives it to what wraps it in a Task (`ensure_future`, `gather`).
        let mut awaited = std::mem::take(&mut self.awaited_thread_coroutines);
        for &(_, _, node) in &self.awaitable_argument_sites {
            for &obj in self.sets[node as usize].as_slice() {
                if let Obj::CoroCall(site, func) = self.objs[obj as usize]
                    && self.result_runner_sites.contains(&site)
                {
                    awaited.insert((site, func));
                }
            }
        }
        // An outside runner the project replaces (`threading.Thread = AsyncioThread`, or by a
        // computed name) may await what it is given.
        let replaced = |site: &GSite| {
            self.outside_callback_callees.get(site).is_some_and(|&path| {
                let path = self.paths[path as usize].as_str();
                self.patched_externals.contains(path)
                    || (self.patched_modules.iter())
                        .any(|module| path.strip_prefix(module.as_str()).is_some_and(|rest| rest.starts_with('.')))
            })
        };
        let mut coroutine_callbacks: Vec<_> = (self.coroutine_callbacks.iter().copied())
            .filter(|(site, func, _)| !replaced(site) && !awaited.contains(&(*site, *func)))
            .collect();
        coroutine_callbacks.sort_unstable();
        let mut returning_callbacks: Vec<_> =
            (self.returning_callbacks.iter().copied()).filter(|(site, ..)| !replaced(site)).collect();
        returning_callbacks.sort_unstable();
        let mut callback_arguments: Vec<_> = self.callback_arguments.iter().copied().collect();
        callback_arguments.sort_unstable();
        let mut partial_callbacks: Vec<_> = self.partial_callbacks.iter().copied().collect();
        partial_callbacks.sort_unstable();
        let mut wait_sites: Vec<_> = self.wait_sites.iter().map(|(site, fs)| (*site, *fs)).collect();
        wait_sites.sort_unstable();
        let run_by_loop = self.run_by_loop();
        let mut task_argument_sites: Vec<_> = self.task_argument_sites.iter().map(|(s, n)| (*s, *n)).collect();
        task_argument_sites.sort_unstable();
        let mut awaitable_argument_sites: Vec<_> = self.awaitable_argument_sites.iter().copied().collect();
        awaitable_argument_sites.sort_unstable();
        let mut main_coroutine_sites: Vec<_> = self.main_coroutine_sites.iter().map(|(s, n)| (*s, *n)).collect();
        main_coroutine_sites.sort_unstable();
        let mut loop_run_sites: Vec<GSite> = (self.run_sites.iter())
            .filter(|(_, (by_loop, by_other))| *by_loop && !*by_other)
            .map(|(&site, _)| site)
            .chain(main_coroutine_sites.iter().map(|&(site, _)| site))
            .collect();
        loop_run_sites.sort_unstable();
        loop_run_sites.dedup();
        // Per method name: does it not keep a Task it is called on (the result of a call, a
        // name), does it store into a container.
        let method_kinds: Vec<MethodKind> = (self.names.iter())
            .map(|name| {
                let name = name.as_str();
                let keeps_no_name = crate::asyncio_api::NON_KEEPING_TASK_METHODS.contains(&name);
                MethodKind {
                    keeps_no_result: keeps_no_name || crate::asyncio_api::POLLING_TASK_METHODS.contains(&name),
                    keeps_no_name,
                    stores: crate::dropped::CONTAINER_STORES.contains(&name),
                }
            })
            .collect();
        let mut call_results = vec![false; self.sets.len()];
        for complex in &self.complex {
            if let Complex::Call { result, .. } | Complex::MethodCall { result, .. } = *complex {
                call_results[result as usize] = true;
            }
        }
        let read_nodes: Vec<bool> =
            (0..self.sets.len()).map(|node| self.keeps_values(node, call_results[node], &method_kinds)).collect();
        // Names a test only mentions (`if task:`, `assert task`) keep no more than names.
        let mut tested = vec![false; self.sets.len()];
        for module in &self.modules.modules {
            for &node in &module.facts.tested_names {
                tested[(module.node_base + node) as usize] = true;
            }
        }
        let named_only: Vec<bool> = (0..self.sets.len())
            .map(|node| !read_nodes[node] && !call_results[node] && (tested[node] || self.named(node, &method_kinds)))
            .collect();
        let unread: Vec<bool> = (0..self.sets.len())
            .map(|node| {
                let list = self.dyn_index[node];
                let static_empty = node >= self.static_nodes as usize
                    || (self.edge_start[node] == self.edge_start[node + 1]
                        && self.complex_start[node] == self.complex_start[node + 1]);
                static_empty
                    && (list == NO_LIST
                        || (self.dyn_lists[list as usize].edges.is_empty()
                            && self.dyn_lists[list as usize].complex.is_empty()))
            })
            .collect();
        // What a node holds is assigned to a name (`tasks = []`): a static edge with an
        // assignment's hop leaves it.
        let assigned_to_name: Vec<bool> = (0..self.sets.len())
            .map(|node| {
                node < self.static_nodes as usize
                    && self.edges[self.edge_start[node] as usize..self.edge_start[node + 1] as usize].iter().any(
                        |edge| {
                            super::is_shown(edge.label)
                                && edge.label < self.modules.hop_count
                                && matches!(self.modules.hop(edge.label).1.kind, HopKind::Assign(_))
                        },
                    )
            })
            .collect();
        let named_containers = self.named_containers();
        let mut loop_callbacks = std::mem::take(&mut self.loop_callbacks);
        loop_callbacks.extend(self.protocol_callbacks());
        let has_dyn_edges: Vec<bool> = (0..self.sets.len())
            .map(|node| {
                let list = self.dyn_index[node];
                list != NO_LIST && !self.dyn_lists[list as usize].edges.is_empty()
            })
            .collect();
        let shadowed_sinks: Vec<bool> = (self.sinks.iter())
            .map(|sink| match &sink.kind {
                link::SinkKind::TaskMethod(method) | link::SinkKind::FutureMethod(method) => {
                    self.sets[sink.node as usize].as_slice().iter().any(|&o| {
                        matches!(self.objs[o as usize], Obj::Instance(class)
                    if self.classes.find_method(&self.modules, class, method).is_some())
                    })
                }
                _ => false,
            })
            .collect();
        let coroutine_classes =
            (0..self.modules.class_count as GClass).filter(|&class| self.classes.coroutine[class as usize]).collect();
        let class_protocols = self.class_protocols();
        let mut removed_loop_sites: Vec<_> =
            self.removed_loop_sites.iter().map(|(s, (keyword, path))| (*s, *keyword, path.clone())).collect();
        removed_loop_sites.sort_unstable_by_key(|(site, _, _)| *site);
        // A call that may run something else too (a backport imported where asyncio lacks
        // the name) is compatibility code, and so is a name the project assigns itself.
        let mut newer_api_sites: Vec<_> = (self.newer_api_sites.iter())
            .filter(|(site, _)| !self.several_callees.contains(site))
            .filter(|(_, path)| !self.patched_externals.contains(path.as_str()))
            .map(|(site, path)| (*site, path.clone()))
            .collect();
        newer_api_sites.sort_unstable();
        let mut newer_keyword_sites: Vec<_> = (self.newer_keyword_sites.iter())
            .filter(|(site, _)| !self.several_callees.contains(site))
            .map(|(site, (keyword, path, name))| (*site, *keyword, path.clone(), name.clone()))
            .collect();
        newer_keyword_sites.sort_unstable();
        Solution {
            incomplete: self.growth.exceeded,
            derived: Default::default(),
            objs: self.objs.into_items(),
            paths: std::mem::take(&mut self.paths).into_items(),
            sets: crate::objects::FlatSets::new(std::mem::take(&mut self.sets)),
            preds: self.preds,
            dyn_hops: self.dyn_hops,
            part_nodes: self.part_nodes,
            sinks: self.sinks,
            shadowed_sinks,
            coroutine_classes,
            class_protocols,
            ensure_future_sites,
            wait_sites,
            coroutine_callbacks,
            returning_callbacks,
            partial_callbacks,
            plain_callback_sites: self.plain_callback_sites,
            callback_arguments,
            done_callback_receivers: self.done_callback_receivers,
            task_argument_sites,
            awaitable_argument_sites,
            main_coroutine_sites,
            loop_run_sites,
            removed_loop_sites,
            newer_api_sites,
            as_completed_sites: sorted_without(&self.as_completed_sites, &self.several_callees),
            gathering_sites: sorted_without(&self.gathering_sites, &self.several_callees),
            newer_keyword_sites,
            kept_tasks: self.kept_tasks,
            widened_tasks: (self.widened_tasks.into_iter())
                .map(|(site, mut from)| {
                    from.sort_unstable();
                    from.dedup();
                    (site, from)
                })
                .collect(),
            loop_made_tasks: self.loop_made_tasks,
            current_task_nodes: self.current_tasks.values().copied().collect(),
            kept_containers: self.kept_containers,
            summarised: self.summarised,
            element_future_params: self.element_future_params,
            result_future_params: std::mem::take(&mut self.result_future_params),
            future_params: std::mem::take(&mut self.future_params),
            masked_casts: self.masked_casts,
            partial_calls: std::mem::take(&mut self.partial_calls),
            escaped: std::mem::take(&mut self.escaped),
            loop_callbacks,
            done_callbacks: std::mem::take(&mut self.done_callbacks),
            done_callback_params: std::mem::take(&mut self.done_callback_params),
            thread_futures: {
                // What a replaced method gives is whatever the replacement returns.
                let mut futures = std::mem::take(&mut self.thread_futures);
                for (site, path, name) in &self.thread_future_methods {
                    if self.patched_methods.contains(&(*path, *name)) {
                        futures.remove(site);
                    }
                }
                futures
            },
            thread_targets: {
                let mut targets: Vec<(GFunc, GSite)> = self.thread_targets.drain().collect();
                targets.sort_unstable();
                targets
            },
            loop_bound_sites: {
                let mut sites = std::mem::take(&mut self.loop_bound_sites);
                sites.retain(|site, _| !self.several_callees.contains(site));
                sites
            },
            new_loop_sites: sorted_without(&self.new_loop_sites, &self.several_callees),
            timeout_sites,
            timeout_error_rebound: std::mem::take(&mut self.timeout_error_rebound),
            runs_loop_object: self.run_sites.values().any(|&(by_loop, _)| by_loop),
            exit_targets: {
                let mut targets: Vec<(GFunc, GSite)> = self.exit_targets.drain().collect();
                targets.sort_unstable();
                targets
            },
            executor_thread_sites: std::mem::take(&mut self.executor_thread_sites),
            run_by_loop,
            executor_initializer_sites: std::mem::take(&mut self.executor_initializer_sites),
            // A call of a value that may also be something else (a callback attribute given
            // `asyncio.current_task` by one constructor and a lambda by another) may run the
            // other where no loop runs: it is left out.
            running_loop_sites: sorted_without(&self.running_loop_sites, &self.several_callees),
            current_loop_sites: sorted_without(&self.current_loop_sites, &self.several_callees),
            loop_asking_arguments: {
                let mut sites: Vec<(GSite, Option<GNode>)> = (self.loop_asking_arguments.iter())
                    .filter(|(site, _)| !self.several_callees.contains(site))
                    .map(|(&site, &node)| (site, node))
                    .collect();
                sites.sort_unstable();
                sites
            },
            calls: {
                let mut calls: Vec<(GSite, GFunc)> = self.bound.iter().map(|(site, func, _)| (*site, *func)).collect();
                calls.sort_unstable();
                calls.dedup();
                calls
            },
            read_nodes,
            named_only,
            unread,
            assigned_to_name,
            named_containers,
            attr_nodes: self.attr_nodes,
            mro: self.classes.mro.clone(),
            has_dyn_edges,
            modules: self.modules,
        }
    }

    /// Per class, the protocols its instances support, found through its bases.
    fn class_protocols(&self) -> Vec<ClassProtocols> {
        (0..self.modules.class_count as GClass)
            .map(|class| {
                // A method, or a class attribute (`__enter__ = acquire`).
                let has = |name: &str| {
                    self.classes.find_method(&self.modules, class, name).is_some()
                        || self.classes.mro[class as usize].iter().any(|&c| self.modules.class(c).1.has_attribute(name))
                };
                let mut protocols = ClassProtocols::default();
                for (bit, names) in [
                    (ClassProtocols::ENTER, &["__enter__"][..]),
                    (ClassProtocols::AENTER, &["__aenter__"][..]),
                    (ClassProtocols::ITER, &["__iter__", "__getitem__"][..]),
                    (ClassProtocols::AITER, &["__aiter__"][..]),
                ] {
                    if names.iter().any(|name| has(name)) {
                        protocols.0 |= bit;
                    }
                }
                // A base from outside may bring any of them (not `typing.Generic`, an ABC
                // or `object`).
                let outside = self.classes.has_external_base(class, |path| {
                    let top = path.split('.').next().unwrap_or(path);
                    !matches!(top, "typing" | "typing_extensions" | "abc") && path != "builtins.object"
                });
                if outside || self.classes.has_unknown_base(class) {
                    protocols.0 |= ClassProtocols::OUTSIDE_BASE;
                }
                let aiter = self.classes.find_method(&self.modules, class, "__aiter__");
                if aiter.is_some_and(|func| {
                    let facts = self.modules.func(func).1;
                    facts.makes_coroutine() && !facts.opaque
                }) {
                    protocols.0 |= ClassProtocols::ASYNC_AITER;
                }
                protocols
            })
            .collect()
    }

    /// The callbacks of project classes derived from asyncio's protocols
    /// (`connection_made`, `data_received`...): the loop's transports call them.
    fn protocol_callbacks(&self) -> Vec<GFunc> {
        let mut callbacks = Vec::new();
        for class in 0..self.modules.class_count {
            if !self.classes.has_external_base(class, crate::asyncio_api::is_asyncio_protocol) {
                continue;
            }
            let (m, facts) = self.modules.class(class);
            let func_base = self.modules.modules[m as usize].func_base;
            let methods = facts
                .methods
                .iter()
                .filter(|(name, _)| crate::asyncio_api::PROTOCOL_CALLBACKS.contains(&name.as_str()));
            callbacks.extend(methods.map(|(_, local)| func_base + local));
        }
        callbacks
    }

    /// Whether a method that keeps nothing of a name is called on the node.
    fn named(&self, node: usize, method_kinds: &[MethodKind]) -> bool {
        let static_ids = if node < self.static_nodes as usize {
            &self.complex_ids[self.complex_start[node] as usize..self.complex_start[node + 1] as usize]
        } else {
            &[]
        };
        static_ids.iter().any(|&id| match self.complex[id as usize] {
            Complex::MethodCall { name, .. } => method_kinds[name as usize].keeps_no_name,
            _ => false,
        })
    }

    /// Whether a constraint on `node` may keep its values alive (for dropped Tasks). A
    /// variable keeps its Task while its function uses it; the bare result of a call
    /// (`create_task(c).add_done_callback(cb)`) is gone once its own methods have run.
    fn keeps_values(&self, node: usize, call_result: bool, method_kinds: &[MethodKind]) -> bool {
        let static_ids = if node < self.static_nodes as usize {
            &self.complex_ids[self.complex_start[node] as usize..self.complex_start[node + 1] as usize]
        } else {
            &[]
        };
        let list = self.dyn_index[node];
        let dyn_ids = if list == NO_LIST { &[][..] } else { &self.dyn_lists[list as usize].complex[..] };
        static_ids.iter().chain(dyn_ids).any(|&id| match self.complex[id as usize] {
            Complex::MethodCall { name, .. } if call_result => !method_kinds[name as usize].keeps_no_result,
            // Storing into a container does not keep the container, nor does noting which
            // coroutine a Task is made of keep the argument.
            Complex::StorePart { .. } | Complex::MakesTask { .. } => false,
            Complex::MethodCall { name, .. } => {
                let kind = method_kinds[name as usize];
                !(kind.stores || kind.keeps_no_name)
            }
            _ => true,
        })
    }
}

/// What calling a method of a given name does to the receiver's values (TL005).
#[derive(Clone, Copy)]
struct MethodKind {
    /// Called on a call's result, it does not keep a Task (`create_task(c).done()`).
    keeps_no_result: bool,
    /// Called on a name, it does not keep a Task (`t.add_done_callback(cb)`).
    keeps_no_name: bool,
    /// It stores its arguments into the receiver (`append`), keeping nothing of it.
    stores: bool,
}

/// The sites of `sites` not in `left_out`, in order.
impl Solver {
    /// The calls that raise asyncio's `TimeoutError`, without those whose callee may also
    /// be something else (a compatibility name), unless every callee it may be raises it
    /// (`async_timeout.timeout` on older Pythons, `asyncio.timeout` on newer ones).
    fn timeout_site_list(&self) -> Vec<GSite> {
        let mut ambiguous: FxHashSet<GSite> = self.timeout_sites.intersection(&self.several_callees).copied().collect();
        if !ambiguous.is_empty() {
            let raises = |obj: u32| {
                matches!(self.objs[obj as usize], Obj::External(path)
                    if crate::asyncio_api::raises_timeout_error(&self.paths[path as usize]))
            };
            // Past the objects are the marks of what a call has done once (`ESCAPE_MARK`).
            for &(site, obj) in self.applied.iter().filter(|(_, obj)| (*obj as usize) < self.objs.len()) {
                if !raises(obj) {
                    ambiguous.remove(&site);
                }
            }
        }
        // What is left of `ambiguous` has only callees that raise it.
        let mut kept: Vec<GSite> = (self.timeout_sites.iter().copied())
            .filter(|site| !self.several_callees.contains(site) || ambiguous.contains(site))
            .collect();
        kept.sort_unstable();
        kept
    }
}

fn sorted_without(sites: &FxHashSet<GSite>, left_out: &FxHashSet<GSite>) -> Vec<GSite> {
    let mut kept: Vec<GSite> = sites.iter().copied().filter(|site| !left_out.contains(site)).collect();
    kept.sort_unstable();
    kept
}
