//! Where a call runs, as far as an event loop is concerned: in a coroutine, in a synchronous
//! function that only runs inside a loop, in another function, at import time, in a
//! function run in another thread, or in one run as the interpreter exits.

use rustc_hash::{FxHashMap, FxHashSet};

use super::{CallContext, LooplessStart};
use crate::objects::{GNode, GSite, ModIdx, Obj};
use crate::solver::Solved;
use tasklens_semantic::facts::{Constraint, FunctionKind, ImportTarget, ParamKind, ReturnShape};

impl CallContext {
    pub(super) fn of(
        call: &tasklens_semantic::facts::CallSite,
        caller: Option<u32>,
        loop_functions: &FxHashSet<u32>,
    ) -> Self {
        match (call.in_coroutine, caller) {
            (true, _) => CallContext::Coroutine,
            (false, Some(func)) if loop_functions.contains(&func) => CallContext::LoopFunction,
            (false, Some(_)) => CallContext::Function,
            (false, None) => CallContext::Import,
        }
    }
}

/// The project-wide id of the function whose body holds the call site (`None` at import time).
pub(super) fn caller_of(solved: &Solved, site: u32) -> Option<u32> {
    let module = solved.modules.site_module(site);
    let (_, call) = solved.modules.site(site);
    call.caller.map(|local| solved.modules.modules[module as usize].func_base + local)
}

/// Synchronous functions that only run inside a running loop: called at least once in
/// the project or called back by the loop (`loop.call_soon(f)`, a done-callback of an
/// asyncio Future or Task), and every call comes
/// from a coroutine or from another such function. A function whose object escapes to
/// code the analysis cannot follow may be called from anywhere, so it is never one.
pub(super) fn loop_functions(solved: &Solved) -> FxHashSet<u32> {
    let caller_of = |site: u32| caller_of(solved, site);
    let mut callers: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for &(site, func) in &solved.calls {
        callers.entry(func).or_default().push(site);
    }
    let is_sync = |func: u32| solved.modules.func(func).1.runs_when_called();
    // A done-callback of an asyncio Future or Task is called by the loop too.
    let asyncio_future = |value: Obj| match value {
        Obj::Task(_) => true,
        Obj::Future(site) => !solved.thread_futures.contains(&site),
        _ => false,
    };
    let done_callbacks = (solved.done_callbacks.iter())
        .filter(|(receiver, _)| super::every_value(solved, *receiver, asyncio_future))
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

/// Calls in code that runs where no event loop is running: at import time (module level,
/// class bodies, and the synchronous functions they call, transitively) and in functions
/// run in another thread (`run_in_executor`, `threading.Thread(target=...)`, and what they
/// call) or as the interpreter exits (`atexit.register(f)`), through calls that always run in their function. First the `asyncio.create_task`
/// calls (and others that need a running loop) and the `get_event_loop()` calls in
/// threads that set no loop, then the `ensure_future` calls in functions reached that way,
/// each with the calls that lead there.
pub(super) fn loopless_calls(solved: &Solved) -> LooplessCalls {
    if solved.running_loop_sites.is_empty()
        && solved.ensure_future_sites.is_empty()
        && solved.current_loop_sites.is_empty()
        && solved.loop_asking_arguments.is_empty()
        && solved.loop_bound_sites.is_empty()
    {
        return Default::default();
    }
    let in_loop = imported_in_loop(solved);
    let reached = loopless_functions(solved, &in_loop);
    let path = |site: GSite| loopless_path(solved, &reached, &in_loop, site);
    let mut calls: Vec<Loopless> = (solved.running_loop_sites.iter())
        .filter_map(|&site| path(site).map(|(chain, start)| (site, chain, start)))
        .collect();
    let ensure_futures: FxHashMap<GSite, LooplessPath> = (solved.ensure_future_sites.iter().map(|&(site, _)| site))
        .filter(|&site| caller_of(solved, site).is_some())
        .filter_map(|site| path(site).map(|path| (site, path)))
        .collect();
    // `get_event_loop()` (and `ensure_future(coro)`, which calls it) fail only in a thread
    // that never sets a loop. At exit, whether a loop is still set depends on how the
    // program ran its loop (`asyncio.run` unsets it), so those are left alone.
    let asks_for_loop = (solved.loop_asking_arguments.iter())
        .filter(|(_, first)| first.is_none_or(|node| super::every_value(solved, node, Obj::is_coroutine)))
        .map(|(site, _)| site);
    let current_loop: FxHashMap<GSite, LooplessPath> = (solved.current_loop_sites.iter().chain(asks_for_loop))
        .filter_map(|&site| path(site).filter(|(_, start)| *start != LooplessStart::Exit).map(|path| (site, path)))
        .collect();
    // A project that sets its own event loop policy may give every thread a loop
    // (tornado's `AnyThreadEventLoopPolicy`). The scan for setters only when needed.
    let in_threads =
        (ensure_futures.values().chain(current_loop.values())).any(|(_, start)| *start == LooplessStart::Thread);
    // `ensure_future(coro)` asks `get_event_loop()` for the loop to run it on.
    let import_ensure_futures: FxHashMap<GSite, LooplessPath> = (solved.ensure_future_sites.iter())
        .filter_map(|&(site, _)| path(site).filter(|(_, start)| start.at_import()).map(|path| (site, path)))
        .collect();
    let at_import = !import_ensure_futures.is_empty() || current_loop.values().any(|(_, start)| start.at_import());
    // Locks and queues made at import time bind the loop `get_event_loop()` gives then
    // (before 3.10), which is not the one the program runs when it makes its own (on those
    // Pythons) and runs no loop object (which may be that one), or when it runs none at all
    // (a library: its users' `asyncio.run` makes one).
    let makes_new_loop = (solved.new_loop_sites.iter())
        .any(|&site| super::sites::site_from(solved, site).is_none_or(|from| from < super::LOOP_BOUND_UNTIL));
    let other_loop_runs = match solved.runs_loop_object {
        true => false,
        false => makes_new_loop || solved.loop_run_sites.is_empty(),
    };
    let made_at_import: FxHashMap<GSite, LooplessPath> = match other_loop_runs {
        true => (solved.loop_bound_sites.keys())
            .filter_map(|&site| path(site).filter(|(_, start)| start.at_import()).map(|path| (site, path)))
            .collect(),
        false => FxHashMap::default(),
    };
    let (setters, policy) =
        if in_threads || at_import || !made_at_import.is_empty() { loop_setters(solved) } else { Default::default() };
    let mut loop_bound_calls: Vec<Loopless> = (implicit_loop_paths(solved, &setters, &made_at_import).into_iter())
        .map(|(site, (chain, start))| (site, chain, start))
        .collect();
    loop_bound_calls.sort_unstable_by_key(|(site, _, _)| *site);
    let (mut implicit_loop_calls, implicit_loop_ensure_futures): (Vec<Loopless>, _) = match at_import && !policy {
        true => (
            implicit_loop_paths(solved, &setters, &current_loop)
                .into_iter()
                .map(|(site, (chain, start))| (site, chain, start))
                .collect(),
            implicit_loop_paths(solved, &setters, &import_ensure_futures),
        ),
        false => Default::default(),
    };
    implicit_loop_calls.sort_unstable_by_key(|(site, _, _)| *site);
    let no_loop = |paths: &FxHashMap<GSite, LooplessPath>| match in_threads && !policy {
        true => threads_without_loop(solved, &setters, paths),
        false => FxHashSet::default(),
    };
    let threads_without_loop = no_loop(&ensure_futures);
    let current_loop_calls = no_loop(&current_loop);
    let mut current: Vec<Loopless> = (current_loop.into_iter())
        .filter(|(site, _)| current_loop_calls.contains(site))
        .map(|(site, (chain, start))| (site, chain, start))
        .collect();
    current.sort_unstable_by_key(|(site, _, _)| *site);
    calls.extend(current);
    LooplessCalls {
        calls,
        ensure_futures,
        threads_without_loop,
        current_loop_calls,
        implicit_loop_calls,
        implicit_loop_ensure_futures,
        loop_bound_calls,
    }
}

/// The calls among `paths` (that ask for the current loop) reached as a module is imported
/// or a script starts, where nothing on the way, nor the module-level code the way starts
/// from, sets an event loop (`setters`): with no current loop, Python 3.12 and 3.13 warn
/// and 3.14 raises RuntimeError.
fn implicit_loop_paths(
    solved: &Solved,
    setters: &Setters,
    paths: &FxHashMap<GSite, LooplessPath>,
) -> FxHashMap<GSite, LooplessPath> {
    (paths.iter())
        .filter(|(_, (_, start))| start.at_import())
        .filter(|(site, (chain, _))| {
            let outermost = chain.first().copied().unwrap_or(**site);
            !sets_loop_first(solved, setters, solved.modules.site_module(outermost))
                && (chain.iter().skip(1).chain(std::iter::once(*site)))
                    .all(|&s| caller_of(solved, s).is_none_or(|func| !setters.functions.contains(&func)))
        })
        .map(|(site, path)| (*site, path.clone()))
        .collect()
}

/// Calls reached where no loop runs (see [`loopless_calls`]).
#[derive(Default)]
pub(crate) struct LooplessCalls {
    /// Calls that need a running loop, then `get_event_loop()` calls in threads without one.
    pub calls: Vec<Loopless>,
    /// `ensure_future` calls in functions reached where no loop runs.
    pub ensure_futures: FxHashMap<GSite, LooplessPath>,
    /// Those of them reached in another thread that sets no event loop.
    pub threads_without_loop: FxHashSet<GSite>,
    /// The `get_event_loop()` calls among `calls`.
    pub current_loop_calls: FxHashSet<GSite>,
    /// `get_event_loop()` calls at import time or as a script starts, where nothing sets a
    /// loop first (TL017).
    pub implicit_loop_calls: Vec<Loopless>,
    /// `ensure_future` calls there, which call `get_event_loop()` (TL017 for a coroutine).
    pub implicit_loop_ensure_futures: FxHashMap<GSite, LooplessPath>,
    /// Locks, events, conditions, semaphores and queues made at import time or as a script
    /// starts, where nothing sets a loop first, in a project that runs a loop of its own or
    /// none (TL020).
    pub loop_bound_calls: Vec<Loopless>,
}

/// The calls reached in another thread (`paths`) where no function on the way sets an
/// event loop for the thread (`setters`: `asyncio.set_event_loop`), nor an executor's
/// `initializer` before it: there
/// `get_event_loop()`, which `ensure_future(coro)` calls, raises RuntimeError in every
/// version.
fn threads_without_loop(
    solved: &Solved,
    setters: &Setters,
    paths: &FxHashMap<GSite, LooplessPath>,
) -> FxHashSet<GSite> {
    let setters = &setters.functions;
    // An executor's `initializer` that sets a loop prepares its threads; executors are not
    // told apart, so one such initializer covers every thread an executor of the project runs.
    let initialized = (solved.thread_targets.iter())
        .any(|(func, site)| solved.executor_initializer_sites.contains(site) && setters.contains(func));
    (paths.iter())
        .filter(|(_, (_, start))| *start == LooplessStart::Thread)
        .map(|(site, (chain, _))| (site, chain))
        .filter(|(_, chain)| !(initialized && chain.first().is_some_and(|s| solved.executor_thread_sites.contains(s))))
        .filter(|(site, chain)| {
            let mut functions = chain.iter().skip(1).chain(std::iter::once(*site)).map(|&s| caller_of(solved, s));
            functions.all(|caller| caller.is_some_and(|func| !setters.contains(&func)))
        })
        .map(|(site, _)| *site)
        .collect()
}

/// Whether the module-level code of `module`, or of a package above it (imported first),
/// sets an event loop.
fn sets_loop_first(solved: &Solved, setters: &Setters, module: u32) -> bool {
    let name = &solved.modules.modules[module as usize].name;
    setters.modules.iter().any(|&setter| {
        let setter_name = &solved.modules.modules[setter as usize].name;
        setter == module
            || (solved.modules.modules[setter as usize].is_package
                && name.strip_prefix(&**setter_name).is_some_and(|rest| rest.starts_with('.')))
    })
}

/// Where the project sets an event loop: functions, and modules in their module-level code.
#[derive(Default)]
struct Setters {
    functions: FxHashSet<u32>,
    modules: FxHashSet<u32>,
}

/// Functions and modules that call `set_event_loop` (asyncio's or a policy's, by any name),
/// and whether anything sets an event loop policy (`set_event_loop_policy`, `uvloop.install()`).
fn loop_setters(solved: &Solved) -> (Setters, bool) {
    let (mut setters, mut policy) = (Setters::default(), false);
    for module in &solved.modules.modules {
        let facts = &module.facts;
        policy |= facts.installs_loop_policy;
        for constraint in &facts.constraints {
            let (site, name) = match *constraint {
                Constraint::MethodCall { site, name, .. } => (site, facts.name(name).as_str()),
                Constraint::Call { site, callee, .. } => {
                    let external = solved.sets.get(module.node_base + callee).iter().find_map(|&obj| {
                        match solved.objs[obj as usize] {
                            Obj::External(path) => solved.paths[path as usize].rsplit('.').next(),
                            _ => None,
                        }
                    });
                    let Some(name) = external else { continue };
                    (site, name)
                }
                _ => continue,
            };
            match name {
                "set_event_loop_policy" => policy = true,
                "set_event_loop" => match caller_of(solved, module.site_base + site) {
                    Some(func) => _ = setters.functions.insert(func),
                    None => _ = setters.modules.insert(solved.modules.site_module(module.site_base + site)),
                },
                _ => {}
            }
        }
    }
    (setters, policy)
}

/// A call reached where no loop runs, the calls that lead there, and where they start.
pub(super) type Loopless = (GSite, Vec<GSite>, LooplessStart);

/// The calls that lead to code run where no loop runs (outermost first), and where they start.
pub(super) type LooplessPath = (Vec<GSite>, LooplessStart);

/// Functions run without a loop, each reached in states: with a class its `self` is an
/// instance of (standing for its subclasses too), or with any. Each state keeps the call
/// that first reached it, whether that call hands the function over (to another thread, or
/// to run at exit) rather than calling it, and the caller's state it
/// came from, so that a chain read back is a real path.
///
/// A method's calls on `self` keep its class: an override in a sibling class that no such
/// instance resolves to does not run there (`Base.schedule` calling `self.call_later` for
/// a `Sync` runs `Sync.call_later`, not `Async.call_later`). Other method calls take the
/// classes of the instances their receiver holds. The solve merges what every caller
/// hands a method; this walk follows each reaching call's receiver instead.
pub(super) struct Reached {
    /// Per function, the state it was first reached in.
    first: FxHashMap<u32, State>,
    states: FxHashMap<State, Reach>,
}

/// A function, and the class its `self` is an instance of (`None`: any).
type State = (u32, Option<u32>);

/// How a state was first reached.
#[derive(Clone, Copy)]
struct Reach {
    via: GSite,
    /// Where the function runs when `via` hands it over instead of calling it.
    handed: Option<LooplessStart>,
    from: Option<State>,
}

/// Past this many classes, a function is reached with any instead.
const MAX_SELF_CLASSES: usize = 16;

impl Reached {
    /// How `func` was first reached.
    fn get(&self, func: u32) -> Option<Reach> {
        self.first.get(&func).and_then(|state| self.states.get(state)).copied()
    }

    /// Enters `func` with `class` (unless it has that state, or any); whether it is new.
    fn enter(
        &mut self,
        func: u32,
        class: Option<u32>,
        reach: Reach,
        classes_of: &mut FxHashMap<u32, usize>,
    ) -> Option<State> {
        if self.states.contains_key(&(func, None)) {
            return None;
        }
        let class = class.filter(|_| classes_of.get(&func).copied().unwrap_or(0) < MAX_SELF_CLASSES);
        if self.states.contains_key(&(func, class)) {
            return None;
        }
        if class.is_some() {
            *classes_of.entry(func).or_default() += 1;
        }
        self.states.insert((func, class), reach);
        self.first.entry(func).or_insert((func, class));
        Some((func, class))
    }
}

fn loopless_functions(solved: &Solved, in_loop: &FxHashSet<ModIdx>) -> Reached {
    let caller_of = |site: u32| caller_of(solved, site);
    let runs_body = |func: u32| solved.modules.func(func).1.runs_when_called();
    let receivers = method_receivers(solved);
    let captured = captured_selves(solved);
    // A function nested in a method and calling methods on its `self` (`lambda:
    // self.fired()`), entered where `self` is an instance of `class` (or from a method of
    // `class`): that `self` is taken to be the same instance, when it can be.
    let closure_state = |func: u32, class: Option<u32>| {
        let captured_class = *captured.get(&func)?;
        class.filter(|&class| solved.mro[class as usize].contains(&captured_class))
    };
    let mut reached = Reached { first: FxHashMap::default(), states: FxHashMap::default() };
    let mut classes_of: FxHashMap<u32, usize> = FxHashMap::default();
    let mut queue: std::collections::VecDeque<State> = std::collections::VecDeque::new();
    // A module-level call under a test (`if loop.is_running():`) or a `RuntimeError`
    // handler may not run, or may not fail.
    let guarded = |site: u32| solved.modules.site(site).1.guarded;
    let import_roots = (solved.calls.iter())
        .filter(|&&(site, _)| caller_of(site).is_none() && !guarded(site) && !runs_in_loop(solved, in_loop, site))
        .map(|&(s, f)| (s, f, None));
    let spurious = wrappers_called_with_their_decorator(solved);
    let import_roots = import_roots.filter(|(site, func, _)| !spurious.contains(&(*site, *func)));
    let thread_roots = solved.thread_targets.iter().map(|&(func, site)| (site, func, Some(LooplessStart::Thread)));
    let exit_roots = solved.exit_targets.iter().map(|&(func, site)| (site, func, Some(LooplessStart::Exit)));
    for (site, func, handed) in import_roots.chain(thread_roots).chain(exit_roots) {
        if !runs_body(func) {
            continue;
        }
        let reach = Reach { via: site, handed, from: None };
        let callee = match handed {
            Some(_) => Callee::Any,
            None => callee_classes(solved, &receivers, site, None, None),
        };
        // A function handed over (a thread's target), made by a method of a class the
        // handing method's class derives from: run for an instance of the handing method's class.
        let starter = || {
            let (m, function) = solved.modules.func(caller_of(site)?);
            function.class.map(|local| solved.modules.modules[m as usize].class_base + local)
        };
        for class in callee.states_of(solved, func) {
            let class = class.or_else(|| closure_state(func, handed.and_then(|_| starter())));
            queue.extend(reached.enter(func, class, reach, &mut classes_of));
        }
    }
    // Inside functions, only calls that always run are followed: a call under a branch
    // often depends on state that import-time code does not have (`if self._running:`).
    let conditional = |site: u32| solved.modules.site(site).1.conditional;
    let mut calls_by_caller: FxHashMap<u32, Vec<(u32, u32)>> = FxHashMap::default();
    for &(site, func) in &solved.calls {
        if let Some(caller) = caller_of(site)
            && !conditional(site)
            && !spurious.contains(&(site, func))
        {
            calls_by_caller.entry(caller).or_default().push((site, func));
        }
    }
    while let Some(state) = queue.pop_front() {
        let (caller, own) = state;
        let Some(entry) = reached.states.get(&state).copied() else { continue };
        let via = entry.handed.is_none().then_some(entry.via);
        for &(site, func) in calls_by_caller.get(&caller).into_iter().flatten() {
            if !runs_body(func) || !gates_hold(solved, site, via) {
                continue;
            }
            let reach = Reach { via: site, handed: None, from: Some(state) };
            let callee = callee_classes(solved, &receivers, site, Some(caller), own);
            for class in callee.states_of(solved, func) {
                let class = class.or_else(|| closure_state(func, own));
                queue.extend(reached.enter(func, class, reach, &mut classes_of));
            }
        }
    }
    reached
}

/// Which classes a callee's `self` is an instance of at a call.
enum Callee<'a> {
    /// Not a method call, or a receiver that may hold other objects.
    Any,
    /// `super().name(...)`: the caller's own class, for the method the solve resolved.
    Same(Option<u32>),
    /// The classes the receiver's instances have (the caller's own for its `self`), and
    /// the method's name.
    Classes { classes: Vec<u32>, name: &'a str },
}

impl Callee<'_> {
    /// The states `func` is entered in: one per class that may run it, or any.
    fn states_of(&self, solved: &Solved, func: u32) -> Vec<Option<u32>> {
        match self {
            Callee::Any => vec![None],
            Callee::Same(class) => vec![*class],
            Callee::Classes { classes, name } => match method_of(solved, name, func) {
                // A function held in an attribute, not a method of that name: any.
                None => vec![None],
                Some(owner) => (classes.iter())
                    .filter(|&&class| resolves_to(solved, class, owner, name, func))
                    .map(|&class| Some(class))
                    .collect(),
            },
        }
    }
}

/// What a call site's receiver is: a node and the method's name, or `super()` (the same
/// `self` as the caller's).
enum Receiver<'a> {
    Node(GNode, &'a str),
    Super,
}

/// The receiver of every method call (`obj.name(...)`, `super().name(...)`), by site.
fn method_receivers(solved: &Solved) -> FxHashMap<GSite, Receiver<'_>> {
    let mut receivers = FxHashMap::default();
    for module in &solved.modules.modules {
        for constraint in &module.facts.constraints {
            match *constraint {
                Constraint::MethodCall { site, receiver, name, .. } => {
                    let name = module.facts.name(name).as_str();
                    receivers.insert(module.site_base + site, Receiver::Node(module.node_base + receiver, name));
                }
                Constraint::SuperCall { site, .. } => _ = receivers.insert(module.site_base + site, Receiver::Super),
                _ => {}
            }
        }
    }
    receivers
}

/// What a call's receiver says of the callee's `self`: the caller's own class (`own`) for
/// a call on its `self` or on `super()`, else the project classes whose instances the
/// receiver holds.
fn callee_classes<'a>(
    solved: &Solved,
    receivers: &FxHashMap<GSite, Receiver<'a>>,
    site: GSite,
    caller: Option<u32>,
    own: Option<u32>,
) -> Callee<'a> {
    let is_own_self = |node: GNode| {
        caller.is_some_and(|caller| {
            let (m, function) = solved.modules.func(caller);
            let first = function.params.first().map(|p| solved.modules.modules[m as usize].node_base + p.node);
            matches!(function.kind, FunctionKind::Method | FunctionKind::Property) && first == Some(node)
        })
    };
    let on_captured_self = solved.modules.site(site).1.captured_self.is_some();
    match receivers.get(&site) {
        None => Callee::Any,
        Some(Receiver::Super) => Callee::Same(own),
        Some(&Receiver::Node(node, name)) if is_own_self(node) || on_captured_self => match own {
            Some(class) => Callee::Classes { classes: vec![class], name },
            None => Callee::Any,
        },
        Some(&Receiver::Node(node, name)) => {
            let objs = solved.sets.get(node);
            let classes = objs.iter().map(|&o| match solved.objs[o as usize] {
                Obj::Instance(class) => Some(class),
                _ => None,
            });
            match classes.collect::<Option<Vec<u32>>>() {
                Some(mut classes) if !classes.is_empty() => {
                    classes.sort_unstable();
                    classes.dedup();
                    Callee::Classes { classes, name }
                }
                _ => Callee::Any,
            }
        }
    }
}

/// The functions nested in a method that call methods on its `self` (`lambda:
/// self.fired()`), with that method's class.
fn captured_selves(solved: &Solved) -> FxHashMap<u32, u32> {
    let mut captured = FxHashMap::default();
    for (index, module) in solved.modules.modules.iter().enumerate() {
        for call in &module.facts.call_sites {
            let (Some(caller), Some(method)) = (call.caller, call.captured_self) else { continue };
            if caller == method {
                continue;
            }
            let Some(class) = module.facts.functions[method as usize].class else { continue };
            captured.insert(module.func_base + caller, solved.modules.modules[index].class_base + class);
        }
    }
    captured
}

/// The class of `func` when it is a method named `name`.
fn method_of(solved: &Solved, name: &str, func: u32) -> Option<u32> {
    let (m, function) = solved.modules.func(func);
    let local = function.class.filter(|_| function.name.as_str() == name)?;
    Some(solved.modules.modules[m as usize].class_base + local)
}

/// Whether calling method `name` on an instance of `class` (or of a subclass) may run
/// `func`, a method of `owner`: `class` inherits it, or it overrides below `class`.
fn resolves_to(solved: &Solved, class: u32, owner: u32, name: &str, func: u32) -> bool {
    let below = solved.mro[owner as usize].contains(&class);
    below || crate::solver::method_in(&solved.modules, &solved.mro[class as usize], name) == Some(func)
}

/// Calls of a decorator's wrapper from a site that also calls the decorator itself. A
/// decorator usable with and without arguments (`def deco(func=None, *, timeout=None)`,
/// returning `wrap(func)` or `wrap`) makes `@deco()` seem to call both `wrap` and the
/// wrapper `wrap` returns; applying it runs `wrap` alone, the wrapper runs when the
/// decorated function is called.
fn wrappers_called_with_their_decorator(solved: &Solved) -> FxHashSet<(u32, u32)> {
    let mut callees: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for &(site, func) in &solved.calls {
        callees.entry(site).or_default().push(func);
    }
    // The functions a decorator returns: the one nested function its shape names, or
    // those that reach its return (`return async_wrapper` or `return sync_wrapper`).
    let wrappers_of = |func: u32| {
        let (module, facts) = solved.modules.func(func);
        let module = &solved.modules.modules[module as usize];
        let returned =
            solved.sets.get(module.node_base + facts.ret).iter().filter_map(|&obj| match solved.objs[obj as usize] {
                Obj::Function(wrapper) if wrapper != func => Some(wrapper),
                _ => None,
            });
        let nested = match facts.returns {
            ReturnShape::Nested(local) => Some(module.func_base + local),
            _ => None,
        };
        nested.into_iter().chain(returned).collect::<Vec<u32>>()
    };
    let mut spurious = FxHashSet::default();
    for (site, funcs) in callees.iter().filter(|(_, funcs)| funcs.len() > 1) {
        for wrapper in funcs.iter().flat_map(|&func| wrappers_of(func)) {
            if funcs.contains(&wrapper) {
                spurious.insert((*site, wrapper));
            }
        }
    }
    spurious
}

/// Whether the module-level call at `site` runs as the module is imported or, under `if
/// __name__ == "__main__":`, as the file runs as a script.
pub(super) fn module_level_start(solved: &Solved, site: GSite) -> LooplessStart {
    let module = &solved.modules.modules[solved.modules.site_module(site) as usize];
    match module.facts.script_sites.binary_search(&(site - module.site_base)) {
        Ok(_) => LooplessStart::Script,
        Err(_) => LooplessStart::Import,
    }
}

/// Whether the module-level call at `site` runs inside a loop: its module is imported only
/// where a loop runs (see [`imported_in_loop`]) and the call is not a script's.
fn runs_in_loop(solved: &Solved, in_loop: &FxHashSet<ModIdx>, site: GSite) -> bool {
    in_loop.contains(&solved.modules.site_module(site)) && module_level_start(solved, site) == LooplessStart::Import
}

/// Modules whose own import-time code runs only inside a running loop: the project imports
/// them, and only in the bodies of `async def`s (`async def main(): import plugin`) or at
/// import time of other such modules. A module the project never imports may be run or
/// imported from anywhere (a script, a test runner, another project), so it is never one;
/// nor is one imported in a plain function or at the import time of any other module.
/// Importing `a.b.c` imports `a` and `a.b` too.
pub(super) fn imported_in_loop(solved: &Solved) -> FxHashSet<ModIdx> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Where {
        ImportTime(ModIdx),
        Coroutine,
        Function,
    }
    let mut sites: FxHashMap<ModIdx, Vec<Where>> = FxHashMap::default();
    for (m, module) in solved.modules.modules.iter().enumerate() {
        let m = m as ModIdx;
        for (target, func) in &module.facts.imports {
            let place = match func {
                None => Where::ImportTime(m),
                Some(f) if module.facts.functions[*f as usize].is_async => Where::Coroutine,
                Some(_) => Where::Function,
            };
            for imported in imported_modules(solved, m, target) {
                if imported != m {
                    sites.entry(imported).or_default().push(place);
                }
            }
        }
    }
    // Least fixpoint: a module joins once every import of it is known to run in a loop.
    let mut in_loop: FxHashSet<ModIdx> = FxHashSet::default();
    loop {
        let joining: Vec<ModIdx> = (sites.iter())
            .filter(|(module, _)| !in_loop.contains(*module))
            .filter(|(_, places)| {
                places.iter().all(|place| match place {
                    Where::Coroutine => true,
                    Where::ImportTime(importer) => in_loop.contains(importer),
                    Where::Function => false,
                })
            })
            .map(|(&module, _)| module)
            .collect();
        if joining.is_empty() {
            return in_loop;
        }
        in_loop.extend(joining);
    }
}

/// The project's modules an import statement of module `m` imports: each package on the
/// way to the named module, the module, and for `from m import x` the submodule `x` if
/// there is one (found as `Modules::resolve_import` finds them).
fn imported_modules(solved: &Solved, m: ModIdx, target: &ImportTarget) -> Vec<ModIdx> {
    let Some(path) = solved.modules.absolute_module(m, target) else { return Vec::new() };
    let find = |path: &str| solved.modules.find_module(m, path, target.level == 0);
    let ends = path.match_indices('.').map(|(at, _)| at).chain([path.len()]);
    let mut found: Vec<ModIdx> = ends.filter(|&end| end > 0).filter_map(|end| find(&path[..end])).collect();
    if let Some(name) = &target.name {
        let full = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
        found.extend(find(&full));
    }
    found
}

/// How `site` is reached where no loop runs: the calls that lead there, outermost first,
/// and where they start. `None` when it always runs in a loop, may not run there, or is
/// under a branch or a guard.
fn loopless_path(solved: &Solved, reached: &Reached, in_loop: &FxHashSet<ModIdx>, site: GSite) -> Option<LooplessPath> {
    let call = solved.modules.site(site).1;
    if (caller_of(solved, site).is_some() && call.conditional) || call.guarded {
        return None;
    }
    let mut chain = Vec::new();
    let Some(func) = caller_of(solved, site) else {
        return (!runs_in_loop(solved, in_loop, site)).then(|| (chain, module_level_start(solved, site)));
    };
    let mut reach = reached.get(func)?;
    if !gates_hold(solved, site, reach.handed.is_none().then_some(reach.via)) {
        return None;
    }
    let start = loop {
        if chain.len() >= 64 {
            return None;
        }
        chain.push(reach.via);
        if let Some(start) = reach.handed {
            break start;
        }
        match reach.from {
            Some(state) => reach = reached.states.get(&state).copied()?,
            // The module-level call the chain starts from.
            None => break module_level_start(solved, reach.via),
        }
    };
    chain.reverse();
    Some((chain, start))
}

/// Whether the tests on its function's parameters that `site` runs under (`if sync:
/// return` before it) hold when the function is called from `via`: a parameter `via`
/// leaves to a constant default decides; one it passes (or may pass, or a call from a
/// thread) is unknown, and unknown never leads to a finding.
fn gates_hold(solved: &Solved, site: GSite, via: Option<GSite>) -> bool {
    let call = solved.modules.site(site).1;
    if call.param_gates.is_empty() {
        return true;
    }
    let (Some(func), Some(via)) = (caller_of(solved, site), via) else { return false };
    let function = solved.modules.func(func).1;
    let entry = solved.modules.site(via).1;
    if entry.has_spread {
        return false;
    }
    // A method's first parameter is bound by the call (`obj.m(a)`); `Class.m(obj, a)`
    // counts as passing one more (it only makes the answer unknown more often).
    let first_passed = usize::from(function.class.is_some());
    call.param_gates.iter().all(|gate| {
        let Some(param) = function.params.get(gate.param as usize) else { return false };
        let by_keyword = entry.keywords.iter().any(|keyword| keyword.name == param.name);
        let by_position = matches!(param.kind, ParamKind::PositionalOnly | ParamKind::Positional)
            && entry.args.len() + first_passed > gate.param as usize;
        let variadic = matches!(param.kind, ParamKind::VarArgs | ParamKind::KwArgs);
        !(by_keyword || by_position || variadic) && gate.holds.holds_for_default(param) == Some(true)
    })
}
