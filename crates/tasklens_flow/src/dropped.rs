//! Which Tasks nothing keeps (TL005): the nodes that keep what they hold, and for each
//! Task created at a site, whether any node that holds it keeps it.

use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{Constraint, ContainerKind, HopKind};

use crate::objects::{GFunc, GNode, GSite, Obj, ObjId};
use crate::solver::{DynHopKind, Label, NO_NODE, Solved, is_shown};

/// Methods of lists, sets and dicts that store their arguments and keep nothing else.
pub(crate) const CONTAINER_STORES: &[&str] =
    &["append", "add", "extend", "insert", "appendleft", "extendleft", "update", "setdefault"];

/// How a Task is lost where a finding shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Lost {
    /// Nothing keeps the node it reaches last.
    Dropped,
    /// The node it reaches last is the return of a function only the event loop calls,
    /// which drops what its callbacks return.
    ReturnedToLoop,
    /// A helper hands it back and this call of the helper throws it away (the finding's
    /// site is the call, not where the Task is made).
    ThrownAwayByCaller,
}

/// Tasks that no node keeps: every node that can hold one is a dead end.
///
/// A node keeps what it holds when a constraint reads it (method call, await, attribute
/// read...), when it is a call argument, stored into an attribute or a slot (of any
/// object), an attribute, a container slot, a global or a closure variable, a generator's
/// yield, or the return of a function that nothing in the project calls (its callers are
/// outside). A variable whose only reads are methods that keep nothing (`add_done_callback`,
/// `set_name`...) keeps a Task only if its function suspends after the creating call.
///
/// Each comes with the node it reaches by the most shown hops, and whether that node is the
/// return of a function only the event loop calls (which drops what it gets back).
pub(crate) fn dropped_tasks(solved: &Solved) -> Vec<(GSite, GNode, ObjId, Lost)> {
    // The creating site of each Task object (most objects are not Tasks: a dense table is
    // cheaper to consult in the scan over every node than the objects themselves).
    let task_sites: Vec<Option<GSite>> = (solved.objs.iter())
        .map(|obj| match obj {
            Obj::Task(Some(site)) => Some(*site),
            _ => None,
        })
        .collect();
    if task_sites.iter().all(Option::is_none) {
        return Vec::new();
    }
    let mut used = vec![false; solved.read_nodes.len()];
    // Where values are stored (an attribute, a slot, a global's store): what keeps a Task
    // its own code reaches (see `from_own_code`), unlike passing it to a call.
    let mut stores = vec![false; solved.read_nodes.len()];
    let mut mark = |node: GNode| {
        if let Some(slot) = used.get_mut(node as usize) {
            *slot = true;
        }
    };
    // A `WeakSet` or `WeakValueDictionary` keeps nothing alive: neither its slots nor what
    // `add`, `d[k] = v` or `setdefault` hands it.
    let weak = |container: GNode| {
        let objs = solved.sets.get(container);
        !objs.is_empty()
            && objs.iter().all(|&o| matches!(solved.objs[o as usize], Obj::Container(_, kind) if kind.is_weak()))
    };
    // The node holds the list, tuple, set or dict it creates (a literal, a comprehension,
    // `list(...)`). A generator expression is left out: thrown away, it never runs.
    let kept_with_holder = |obj: ObjId| {
        use ContainerKind::{Dict, List, Set, Tuple};
        matches!(solved.objs[obj as usize], Obj::Container(_, List | Tuple | Set | Dict))
    };
    let made_here = |node: GNode| {
        (solved.sets.get(node).iter())
            .any(|&o| kept_with_holder(o) && matches!(solved.objs[o as usize], Obj::Container(at, _) if at == node))
    };
    let only_project_containers = |node: GNode| {
        let objs = solved.sets.get(node);
        !objs.is_empty() && objs.iter().all(|&o| kept_with_holder(o))
    };
    let mut loop_returns: FxHashSet<GNode> = FxHashSet::default();
    let loop_called: FxHashSet<GFunc> =
        solved.loop_callbacks.iter().copied().chain(solved.done_callbacks.iter().map(|(_, func)| *func)).collect();
    for module in &solved.modules.modules {
        let base = module.node_base;
        // `add` to a WeakSet keeps nothing; `tasks.append(t)` and its kin into a list, set or
        // dict the project makes keep `t` only while the container is kept (its slots).
        let weak_adds: FxHashSet<u32> = (module.facts.constraints.iter())
            .filter_map(|constraint| match constraint {
                Constraint::MethodCall { site, receiver, name, .. }
                    if matches!(module.facts.name(*name).as_str(), "add" | "setdefault" | "update")
                        && weak(base + receiver) =>
                {
                    Some(*site)
                }
                Constraint::MethodCall { site, receiver, name, .. }
                    if CONTAINER_STORES.contains(&module.facts.name(*name).as_str())
                        && only_project_containers(base + receiver) =>
                {
                    Some(*site)
                }
                _ => None,
            })
            .collect();
        // `weakref.ref(t)` refers to `t` without keeping it (its callback it keeps).
        let weak_refs: FxHashSet<u32> = (module.facts.constraints.iter())
            .filter_map(|constraint| match constraint {
                Constraint::Call { site, result, .. } | Constraint::MethodCall { site, result, .. } => {
                    let result = base + result;
                    let objs = solved.sets.get(result);
                    let makes_weak_ref = !objs.is_empty()
                        && objs.iter().all(|&o| {
                            matches!(solved.objs[o as usize], Obj::Container(at, ContainerKind::WeakRef) if at == result)
                        });
                    makes_weak_ref.then_some(*site)
                }
                _ => None,
            })
            .collect();
        for (index, call) in module.facts.call_sites.iter().enumerate() {
            if weak_adds.contains(&(index as u32)) {
                continue;
            }
            let skipped = usize::from(weak_refs.contains(&(index as u32)));
            let nodes = call.args.iter().skip(skipped).map(|a| a.node).chain(call.keywords.iter().map(|k| k.node));
            nodes.flatten().for_each(|node| mark(base + node));
        }
        module.facts.spread_args.iter().for_each(|&(_, node, _)| mark(base + node));
        module.facts.summaries.iter().for_each(|&node| mark(base + node));
        // Stored into an attribute or a slot, even of an object the analysis does not follow.
        // A slot of a container the project makes keeps it only while the container is kept.
        for constraint in &module.facts.constraints {
            match constraint {
                Constraint::StorePart { base: into, from, .. }
                    if only_project_containers(base + into) || weak(base + into) => {}
                Constraint::Store { from, .. }
                | Constraint::StorePart { from, .. }
                | Constraint::ClassStore { from, .. } => {
                    mark(base + from);
                    stores[(base + from) as usize] = true;
                }
                _ => {}
            }
        }
        for (index, function) in module.facts.functions.iter().enumerate() {
            mark(base + function.yields);
            // Called in the project: its result goes to the callers (from `own_ret`, and from
            // the arguments for parameters it passes through). Called by the event loop
            // only (`call_soon(f)`, `add_done_callback(f)`): the loop drops what it returns.
            // Called from code the analysis does not see: that code may keep it.
            let ret = base + function.ret;
            let called = |node: GNode| solved.has_dyn_edges[node as usize];
            let func = module.func_base + index as GFunc;
            let loop_only = loop_called.contains(&func) && !solved.escaped.contains(&func);
            if !called(ret) && !called(base + function.own_ret) {
                if loop_only {
                    loop_returns.insert(ret);
                } else {
                    mark(ret);
                }
            }
        }
    }
    solved.attr_nodes.values().for_each(|&node| {
        mark(node);
        stores[node as usize] = true;
    });
    let mut weak_slots: FxHashSet<GNode> = FxHashSet::default();
    let mut container_slots: FxHashMap<GNode, Vec<GNode>> = FxHashMap::default();
    // Slots of containers made here and bound to a name (`tasks = []`): the frame keeps them
    // while the function runs the loop (see `kept_by_unread_name`).
    let mut named_slots: FxHashSet<GNode> = FxHashSet::default();
    // Per container node (a container has several slots): weak, made here, or neither.
    let mut kinds: FxHashMap<GNode, (bool, bool)> = FxHashMap::default();
    for (&(container, _), &node) in &solved.part_nodes {
        let (is_weak, is_made_here) = *kinds.entry(container).or_insert_with(|| {
            let is_weak = weak(container);
            (is_weak, !is_weak && made_here(container))
        });
        if is_weak {
            weak_slots.insert(node);
        } else if is_made_here {
            container_slots.entry(container).or_default().push(node);
            if solved.assigned_to_name[container as usize] {
                named_slots.insert(node);
            }
        } else {
            mark(node);
            stores[node as usize] = true;
        }
    }
    // Marked for more than being read: stored, passed, returned, yielded.
    let marked = used.clone();
    for (slot, &read) in used.iter_mut().zip(&solved.read_nodes) {
        *slot |= read;
    }
    keep_slots_of_kept_containers(solved, &mut used, &container_slots);
    // What keeps a Task from its own code (`self.tasks.add(asyncio.current_task())`): a store,
    // or a slot of a container that is kept; not a name of the coroutine's frame, which the
    // Task itself holds, nor a call it is passed to while the frame runs.
    let stored = |node: GNode| {
        let index = node as usize;
        stores[index] || (used[index] && !marked[index] && !solved.read_nodes[index])
    };
    let mut ancestries: WaysIn<Ancestry> = WaysIn::new();
    let ancestry_step = |ancestry: Ancestry, from: GNode, label: Label| Ancestry {
        shown: ancestry.shown + usize::from(is_shown(label)),
        through_callback: ancestry.through_callback || is_callback_hop(solved, label),
        through_weak_set: ancestry.through_weak_set || weak_slots.contains(&from),
        from_own_code: ancestry.from_own_code || solved.current_task_nodes.contains(&from),
    };
    // Per creating site, the node the Task reaches by the most shown hops (ties: the lowest).
    let mut farthest: FxHashMap<GSite, (usize, std::cmp::Reverse<GNode>, ObjId)> = FxHashMap::default();
    // A Task widened away somewhere is kept there as far as anyone knows.
    let mut kept = solved.kept_tasks.clone();
    kept.extend(solved.widened_tasks.keys());
    // Every node that holds a Task (not through a done-callback or a WeakSet).
    let mut holders: FxHashMap<ObjId, Vec<GNode>> = FxHashMap::default();
    for (node, set) in solved.sets.iter() {
        for &obj in set {
            if let Some(site) = task_sites[obj as usize] {
                // A done-callback that gets the Task does not keep it, nor is it where it was
                // lost; nor does code that finds it in a WeakSet (what is read back out of
                // one may be gone by then).
                if solved.kept_tasks.contains(&site) {
                    continue;
                }
                let ancestry = ancestries.fold(solved, node, obj, ancestry_step);
                if ancestry.through_callback || ancestry.through_weak_set {
                    continue;
                }
                // Given to the Task's own code by `current_task()`: kept only where stored.
                if ancestry.from_own_code || solved.current_task_nodes.contains(&node) {
                    if stored(node) {
                        kept.insert(site);
                    }
                    continue;
                }
                holders.entry(obj).or_default().push(node);
                if kept.contains(&site) {
                    continue;
                }
                // A name the Task is only named or given callbacks through keeps it while its
                // function is suspended: dropped only when nothing suspends after the call.
                if used[node as usize]
                    || (solved.named_only[node as usize] && suspends_after(solved, site))
                    || kept_by_unread_name(solved, node, obj, site)
                    || (named_slots.contains(&node) && runs_loop_after(solved, site))
                {
                    kept.insert(site);
                    continue;
                }
                let entry = (ancestry.shown, std::cmp::Reverse(node), obj);
                let best = farthest.entry(site).or_insert(entry);
                *best = (*best).max(entry);
            }
        }
    }
    let mut dropped: Vec<(GSite, GNode, ObjId, Lost)> = (farthest.into_iter())
        .filter(|(site, _)| !kept.contains(site))
        .map(|(site, (_, std::cmp::Reverse(node), obj))| {
            let lost = if loop_returns.contains(&node) { Lost::ReturnedToLoop } else { Lost::Dropped };
            (site, node, obj, lost)
        })
        .collect();
    // A helper's Task that some callers keep: each caller that throws the result away
    // drops it, at its own call.
    let keeps = |node: GNode, site: GSite| {
        used[node as usize] || (solved.named_only[node as usize] && suspends_after(solved, site))
    };
    dropped.extend(dropped_by_callers(solved, &holders, &task_sites, &kept, &keeps));
    // `create_task(fut)` raises TypeError (TL004): there is no Task to keep.
    dropped.retain(|&(site, ..)| !never_given_a_coroutine(solved, site));
    dropped.sort_unstable();
    dropped
}

/// Whether the argument of the `create_task`-like call at `site` is never a coroutine:
/// everything that reaches it is something asyncio refuses (a plain Future, a Task, a
/// function not called, a class, a module, a loop, a list...). Unknown values, outside
/// objects, instances (a class may derive from `collections.abc.Coroutine`) and generators
/// (generator-based coroutines before 3.12) may be accepted.
fn never_given_a_coroutine(solved: &Solved, site: GSite) -> bool {
    let Ok(index) = solved.task_argument_sites.binary_search_by_key(&site, |&(site, _)| site) else { return false };
    let objs = solved.sets.get(solved.task_argument_sites[index].1);
    !objs.is_empty()
        && objs.iter().all(|&obj| match solved.objs[obj as usize] {
            Obj::Container(_, kind) => kind != ContainerKind::Iterator,
            Obj::Future(_)
            | Obj::FutureSummary(_)
            | Obj::Task(_)
            | Obj::Function(_)
            | Obj::Bound(_)
            | Obj::Class(_)
            | Obj::Module(_)
            | Obj::Loop => true,
            _ => false,
        })
}

/// Tasks made in a helper that returns them (`def spawn(c): return
/// asyncio.create_task(c)`), always gives one of them and keeps them no other way, and
/// that some caller keeps (else the Task is reported where it is made): each call of the
/// helper whose result is thrown away (nothing reads it, it goes nowhere), with the Task
/// and the call's result node.
fn dropped_by_callers(
    solved: &Solved,
    holders: &FxHashMap<ObjId, Vec<GNode>>,
    task_sites: &[Option<GSite>],
    kept: &FxHashSet<GSite>,
    keeps: &dyn Fn(GNode, GSite) -> bool,
) -> Vec<(GSite, GNode, ObjId, Lost)> {
    // The helper of each kept Task that reaches its helper's return, and only that way.
    let mut returned: FxHashMap<GFunc, Vec<ObjId>> = FxHashMap::default();
    let mut through_return: WaysIn<bool> = WaysIn::new();
    for (&obj, nodes) in holders {
        let Some(site) = task_sites[obj as usize].filter(|site| kept.contains(site)) else { continue };
        let (m, call) = solved.modules.site(site);
        let Some(caller) = call.caller else { continue };
        let module = &solved.modules.modules[m as usize];
        let function = &module.facts.functions[caller as usize];
        let returns = [module.node_base + function.ret, module.node_base + function.own_ret];
        if !nodes.iter().any(|node| returns.contains(node)) {
            continue;
        }
        // Only a helper that always gives a new Task of its own is a `create_task` of its
        // own: one that may give back something else (`return cb()` in another branch) may
        // give a given caller no Task at all.
        let func = module.func_base + caller as GFunc;
        let own_task = |o: &ObjId| {
            task_sites[*o as usize].is_some_and(|made| {
                let (made_in, call) = solved.modules.site(made);
                made_in == m && call.caller == Some(caller)
            })
        };
        if !returns.iter().all(|&node| solved.sets.get(node).iter().all(own_task)) {
            continue;
        }
        // Kept on a way that does not go through the return: the helper keeps it itself.
        // Widened away where it came from a node off that way: it may be kept there too.
        let mut off_return = |node: GNode| {
            !returns.contains(&node)
                && !through_return.fold(solved, node, obj, |through, from, _| through || returns.contains(&from))
        };
        let widened_inside =
            (solved.widened_tasks.get(&site).into_iter().flatten()).any(|&from| from == NO_NODE || off_return(from));
        let kept_inside = widened_inside
            || nodes
                .iter()
                .any(|&node| (keeps(node, site) || kept_by_unread_name(solved, node, obj, site)) && off_return(node));
        if !kept_inside {
            returned.entry(func).or_default().push(obj);
        }
    }
    if returned.is_empty() {
        return Vec::new();
    }
    // A call that may run several functions (a callback registry's `self.handler(...)`) is
    // not where a given helper's Task is lost: only calls of the helper alone count. Another
    // `async def` among them runs nothing there (the call of a function a decorator wraps
    // in a helper runs the helper); an `async def` helper's Task comes out of the `await`.
    let mut callees: FxHashMap<GSite, u32> = FxHashMap::default();
    for &(call, func) in &solved.calls {
        if returned.contains_key(&func) {
            callees.insert(call, 0);
        }
    }
    for &(call, func) in &solved.calls {
        if let Some(count) = callees.get_mut(&call)
            && (returned.contains_key(&func) || !solved.modules.func(func).1.makes_coroutine())
        {
            *count += 1;
        }
    }
    let mut dropped = Vec::new();
    for &(call, func) in &solved.calls {
        let Some(objs) = returned.get(&func) else { continue };
        if callees.get(&call) != Some(&1) {
            continue;
        }
        let Some(result) = discarded_result(solved, call) else { continue };
        if keeps(result, call) || solved.has_dyn_edges[result as usize] {
            continue;
        }
        // One finding per call, for the first Task of the helper that gets there.
        let held = solved.sets.get(result);
        if let Some(&obj) = objs.iter().filter(|obj| held.contains(obj)).min() {
            dropped.push((call, result, obj, Lost::ThrownAwayByCaller));
        }
    }
    dropped.sort_unstable();
    dropped.dedup_by_key(|entry| entry.0);
    dropped
}

/// The node of what the call at `site` gives when nothing in its module reads it: the call's
/// result when no copy, guard or other constraint starts from it (a call written as a
/// statement of its own), or what awaiting it gives when its only reader is an `await`
/// that nothing reads in turn (`await helper()` as a statement).
fn discarded_result(solved: &Solved, site: GSite) -> Option<GNode> {
    let m = solved.modules.site_module(site);
    let module = &solved.modules.modules[m as usize];
    let local = site - module.site_base;
    let facts = &module.facts;
    let result = facts.constraints.iter().find_map(|constraint| match *constraint {
        Constraint::Call { site, result, .. } | Constraint::MethodCall { site, result, .. } if site == local => {
            Some(result)
        }
        _ => None,
    })?;
    let mut awaits = Vec::new();
    let mut read = facts.guards.iter().any(|guard| guard.from == result);
    for constraint in &facts.constraints {
        match *constraint {
            Constraint::Await { value, to } if value == result => awaits.push(to),
            ref other => read |= reads(other, result),
        }
    }
    let unread = |node: u32| {
        !facts.constraints.iter().any(|constraint| reads(constraint, node))
            && !facts.guards.iter().any(|guard| guard.from == node)
    };
    match awaits[..] {
        _ if read => None,
        [] => Some(module.node_base + result),
        [to] if unread(to) => Some(module.node_base + to),
        _ => None,
    }
}

/// The `asyncio.gather(...)` and `asyncio.shield(...)` calls written as statements of
/// their own: nothing awaits their Future, which alone keeps the Tasks they make for
/// coroutines (gather even turns off the warning a pending Task gives when it is
/// collected), and nothing retrieves their exceptions.
pub(crate) fn dropped_gatherings(solved: &Solved) -> Vec<GSite> {
    let mut dropped = Vec::new();
    // One scan of each module that has any.
    for (m, results) in solved.modules.call_results(&solved.gathering_sites) {
        let facts = &solved.modules.modules[m as usize].facts;
        // The result node of each of those calls, and whether anything reads it.
        let mut results: FxHashMap<u32, (GSite, bool)> =
            results.into_iter().map(|(result, site)| (result, (site, false))).collect();
        let mut read = |node: u32| {
            if let Some(entry) = results.get_mut(&node) {
                entry.1 = true;
            }
        };
        for call in &facts.call_sites {
            call.args.iter().map(|a| a.node).chain(call.keywords.iter().map(|k| k.node)).flatten().for_each(&mut read);
        }
        facts.spread_args.iter().for_each(|&(_, node, _)| read(node));
        facts.guards.iter().for_each(|guard| read(guard.from));
        for constraint in &facts.constraints {
            constraint_reads(constraint).for_each(&mut read);
        }
        dropped.extend(results.values().filter(|(_, read)| !read).map(|&(site, _)| site));
    }
    dropped.sort_unstable();
    dropped
}

/// The nodes whose values `constraint` reads (see [`reads`]).
fn constraint_reads(constraint: &Constraint) -> impl Iterator<Item = u32> {
    let (first, second) = match *constraint {
        Constraint::Copy { from, .. } | Constraint::ClassStore { from, .. } => (Some(from), None),
        Constraint::Load { base, .. } | Constraint::LoadPart { base, .. } => (Some(base), None),
        Constraint::Store { base, from, .. } | Constraint::StorePart { base, from, .. } => (Some(base), Some(from)),
        Constraint::Call { callee, .. } => (Some(callee), None),
        Constraint::MethodCall { receiver, .. }
        | Constraint::PropertyRead { receiver, .. }
        | Constraint::ImplicitCall { receiver, .. } => (Some(receiver), None),
        Constraint::Concat { operand, .. } => (Some(operand), None),
        Constraint::Await { value, .. } | Constraint::Enter { value, .. } => (Some(value), None),
        _ => (None, None),
    };
    first.into_iter().chain(second)
}

/// Whether `constraint` reads what `node` holds.
fn reads(constraint: &Constraint, node: u32) -> bool {
    constraint_reads(constraint).any(|read| read == node)
}

/// Marks the slots of every container that something keeps: a container is kept when a
/// node that keeps values holds it (or a view of it), when it sits in a slot of a kept
/// container, or when widening stopped following it. A list built and thrown away
/// (`[asyncio.create_task(c) for c in coros]` as a statement) keeps none of its Tasks.
fn keep_slots_of_kept_containers(solved: &Solved, used: &mut [bool], slots: &FxHashMap<GNode, Vec<GNode>>) {
    // The container node each object is or views (most objects are neither).
    let container_of: Vec<Option<GNode>> = (solved.objs.iter())
        .map(|obj| match *obj {
            Obj::Container(container, _) | Obj::View(container, ..) => Some(container),
            _ => None,
        })
        .collect();
    // Each container is queued once, however many nodes hold it.
    let mut queued = vec![false; used.len()];
    let mut pending: Vec<GNode> = Vec::new();
    let mut queue = |container: GNode, pending: &mut Vec<GNode>| {
        if let Some(seen) = queued.get_mut(container as usize)
            && !*seen
        {
            *seen = true;
            pending.push(container);
        }
    };
    for &container in &solved.kept_containers {
        queue(container, &mut pending);
    }
    let held = |node: usize, pending: &mut Vec<GNode>, queue: &mut dyn FnMut(GNode, &mut Vec<GNode>)| {
        for &obj in solved.sets.get(node as GNode) {
            if let Some(container) = container_of[obj as usize] {
                queue(container, pending);
            }
        }
    };
    for node in (0..used.len()).filter(|&node| used[node]) {
        held(node, &mut pending, &mut queue);
    }
    while let Some(container) = pending.pop() {
        for &slot in slots.get(&container).into_iter().flatten() {
            if !used[slot as usize] {
                used[slot as usize] = true;
                held(slot as usize, &mut pending, &mut queue);
            }
        }
    }
}

/// Whether the hop `label` hands a Future to a done-callback (`fut.add_done_callback(cb)`
/// calls `cb` only once it has finished, so `cb` keeping it keeps nothing alive).
fn is_callback_hop(solved: &Solved, label: Label) -> bool {
    let hops = solved.modules.hop_count;
    is_shown(label)
        && label >= hops
        && matches!(solved.dyn_hops[(label - hops) as usize].kind, DynHopKind::Callback { .. })
}

/// What the way an object took to a node shows: how many shown hops, and whether it went
/// through a done-callback or out of a WeakSet.
#[derive(Clone, Copy, Default)]
struct Ancestry {
    shown: usize,
    through_callback: bool,
    through_weak_set: bool,
    /// Given by `current_task()` in a coroutine the Task runs.
    from_own_code: bool,
}

/// A fold over the way an object took to a node (its predecessor links, from its start
/// on), worked out once per (node, object): an object comes to a node from one
/// predecessor, so the nodes of a chain of copies share the walk. Walking the chain again
/// from every node took quadratic time (50,000 chained names ran for minutes).
struct WaysIn<T> {
    known: FxHashMap<(GNode, ObjId), T>,
}

impl<T: Copy + Default> WaysIn<T> {
    fn new() -> Self {
        WaysIn { known: FxHashMap::default() }
    }

    /// `step(value so far, predecessor, hop label)` folded from the start to `node`.
    fn fold(&mut self, solved: &Solved, node: GNode, obj: ObjId, step: impl Fn(T, GNode, Label) -> T) -> T {
        // The steps back to the object's start, to a node already worked out, or (as in
        // `predecessors`) to a node the walk has seen.
        let mut steps: Vec<(GNode, GNode, Label)> = Vec::new();
        let mut visited: FxHashSet<GNode> = FxHashSet::default();
        let mut current = node;
        let mut value = T::default();
        loop {
            if let Some(&known) = self.known.get(&(current, obj)) {
                value = known;
                break;
            }
            if !visited.insert(current) {
                break;
            }
            let Some(&(from, label)) = solved.preds.get(&(current, obj)) else { break };
            steps.push((current, from, label));
            if from == NO_NODE {
                break;
            }
            current = from;
        }
        for &(at, from, label) in steps.iter().rev() {
            value = step(value, from, label);
            self.known.insert((at, obj), value);
        }
        value
    }
}

/// A name the creating call is assigned to (`_ = loop.create_task(main())`) and that
/// nothing reads keeps the Task while the same function then runs the loop
/// (`loop.run_forever()`): the frame outlives the loop's run. Not across an `await`: the
/// function may return while the Task still runs. A name bound again later (in a loop
/// body, say) passes its value to the join of its versions, so it is not unread.
fn kept_by_unread_name(solved: &Solved, node: GNode, obj: ObjId, site: GSite) -> bool {
    let Some(&(from, label)) = solved.preds.get(&(node, obj)) else { return false };
    let assigned = solved.unread[node as usize]
        && is_shown(label)
        && label < solved.modules.hop_count
        && matches!(solved.modules.hop(label).1.kind, HopKind::Assign(_))
        && solved.preds.get(&(from, obj)).is_some_and(|&(made, _)| made == NO_NODE);
    assigned && runs_loop_after(solved, site)
}

/// Whether the function of the call at `site` runs the loop in its frame after it
/// (see `CallSite::runs_loop_after`).
fn runs_loop_after(solved: &Solved, site: GSite) -> bool {
    solved.modules.site(site).1.runs_loop_after
}

/// Whether the function of the call at `site` suspends after it (see `CallSite::suspends_after`).
fn suspends_after(solved: &Solved, site: GSite) -> bool {
    let module = &solved.modules.modules[solved.modules.site_module(site) as usize];
    (module.facts.call_sites.get((site - module.site_base) as usize)).is_some_and(|call| call.suspends_after)
}
