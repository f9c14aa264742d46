//! Calls whose result is a coroutine that nothing reads: the `await` was forgotten (TL011).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::FxHashSet;
use tasklens_semantic::facts::{Constraint, ContainerKind, HopKind, Part, ValueUse};

use super::coroutine_sinks::coroutine_producers;
use super::producers::named_functions;
use super::trace::{hop_location, way_back};
use super::{CallContext, Location, call_at, every_value, failure_expected, file_of, runs_below, type_error_handled};
use crate::asyncio_api::ExternalCall;
use crate::modules::Module;
use crate::objects::{GFunc, GNode, GSite, Obj, ObjId};
use crate::solver::{Label, NO_NODE, Solved, is_shown};

/// A call that makes a coroutine and throws it away: the function's body never runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnawaitedCoroutine {
    /// The call.
    pub at: Location,
    pub callee: TextRange,
    /// The project's `async def`s it can run (overrides of one method, say), with where
    /// each is defined, in source order; none for asyncio's own coroutine functions
    /// (`asyncio.sleep(1)`, `event.wait()`).
    pub functions: Vec<(Name, Location)>,
    pub context: CallContext,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// Where the coroutine is thrown away when that is not the call itself.
    pub dropped_at: Option<DroppedAt>,
}

/// Where a coroutine a call makes is thrown away, when that is not the call itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DroppedAt {
    /// An `await` on a line of its own whose value it is (`await wrapper()` of an `async
    /// def wrapper()` that ends in `return inner()`).
    HandedBack(Location),
    /// The name it is assigned to, which nothing reads (`result = inner()`).
    Unread(Location),
    /// The name of the list or set it is collected in, which nothing reads (`pending =
    /// [fetch(u) for u in urls]`).
    Collected(Location),
}

/// Each call whose result nothing reads and every value of which is a coroutine.
pub(super) fn unawaited_coroutines(
    solved: &Solved,
    context_of: &dyn Fn(u32) -> CallContext,
) -> Vec<UnawaitedCoroutine> {
    let mut found = Vec::new();
    for module in &solved.modules.modules {
        for constraint in &module.facts.constraints {
            let Some((site, result)) = constraint.call_result() else { continue };
            if module.facts.discarded.binary_search(&result).is_err() {
                continue;
            }
            let Some(callees) = coroutine_call(solved, module, constraint) else { continue };
            if let Some(call) = reported_call(solved, context_of, module.site_base + site, &callees) {
                found.push(call);
            }
        }
    }
    found.extend(dropped_elsewhere(solved, context_of));
    found
}

/// The coroutines thrown away somewhere other than the call that makes them: an `await` on
/// a line of its own gets one back (found on its way back to the `await`), or a name that
/// nothing reads holds it, alone or in a list or set (unless a `del` names it: `del coro`
/// throws it away on purpose, as a test of the warning does). Each is reported at the call
/// that made it, when that call only runs the project's `async def`s.
fn dropped_elsewhere(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<UnawaitedCoroutine> {
    // Where each coroutine was made (the node it was seeded at), and where it is dropped.
    let mut dropped: Vec<(GNode, DroppedAt)> = Vec::new();
    let made_at = |node: GNode, obj: ObjId| way_back(solved, node, obj).last();
    for (index, module) in solved.modules.modules.iter().enumerate() {
        for (at, &node) in module.facts.discarded_awaits.iter().enumerate() {
            let node = module.node_base + node;
            if every_value(solved, node, Obj::is_coroutine) {
                let range = solved.positions[index].discarded_awaits[at];
                let at = DroppedAt::HandedBack(Location { file: file_of(solved, index as u32), range });
                dropped.extend(solved.sets.get(node).iter().filter_map(|&obj| Some((made_at(node, obj)?, at))));
            }
        }
    }
    let deleted: FxHashSet<GNode> = (solved.modules.modules.iter())
        .flat_map(|module| module.facts.deleted_names.iter().map(move |&node| module.node_base + node))
        .collect();
    // A name used where a coroutine fails (`if n > 3:`, `for row in rows:`) is TL019's;
    // one only tested or compared (`assert job is not None`) still drops its coroutine.
    let mentioned: FxHashSet<GNode> = (solved.modules.modules.iter())
        .flat_map(|module| {
            let facts = &module.facts;
            let fails = |used: &ValueUse| !matches!(used, ValueUse::Compared(_) | ValueUse::EachTested(_));
            (facts.value_uses.iter().filter(move |(_, used)| fails(used)).map(|(node, _)| node))
                .chain(facts.protocol_uses.iter().map(|(node, ..)| node))
                .map(move |&node| module.node_base + node)
        })
        .collect();
    let unread = |node: GNode| solved.unread[node as usize] && !deleted.contains(&node) && !mentioned.contains(&node);
    for node in (0..solved.unread.len() as GNode).filter(|&node| unread(node)) {
        // One coroutine, assigned from the call that made it.
        let [obj] = solved.sets.get(node) else { continue };
        if !solved.objs[*obj as usize].is_coroutine() {
            continue;
        }
        let Some(&(made, label)) = solved.preds.get(&(node, *obj)) else { continue };
        let from_call = solved.preds.get(&(made, *obj)).is_some_and(|&(from, _)| from == NO_NODE);
        if let Some(name) = assignment(solved, label).filter(|_| from_call) {
            dropped.push((made, DroppedAt::Unread(name)));
        }
    }
    for &(made, name, label) in &solved.named_containers {
        let only_this = matches!(solved.sets.get(name), [obj] if matches!(solved.objs[*obj as usize], Obj::Container(at, _) if at == made));
        let Some(&slot) = solved.part_nodes.get(&(made, Part::Values)) else { continue };
        let Some(name) = assignment(solved, label).filter(|_| only_this && unread(name)) else { continue };
        if every_value(solved, slot, Obj::is_coroutine) {
            let at = DroppedAt::Collected(name);
            dropped.extend(solved.sets.get(slot).iter().filter_map(|&obj| Some((made_at(slot, obj)?, at))));
        }
    }
    let producers = coroutine_producers(solved, dropped.iter().map(|&(made, _)| made).collect());
    let mut seen: FxHashSet<(GSite, std::mem::Discriminant<DroppedAt>)> = FxHashSet::default();
    let mut found = Vec::new();
    for (made, at) in dropped {
        let Some((site, callees)) = producers.get(&made).filter(|(_, callees)| !callees.is_empty()) else { continue };
        if !seen.insert((*site, std::mem::discriminant(&at))) {
            continue;
        }
        if let Some(mut call) = reported_call(solved, context_of, *site, callees) {
            call.dropped_at = Some(at);
            found.push(call);
        }
    }
    found
}

/// Where the name an assignment's hop binds is, when `label` is one.
fn assignment(solved: &Solved, label: Label) -> Option<Location> {
    let assigned = is_shown(label)
        && label < solved.modules.hop_count
        && matches!(solved.modules.hop(label).1.kind, HopKind::Assign(_));
    assigned.then(|| hop_location(solved, label))
}

/// TL011's finding for the call at `site`, which makes only coroutines of `callees` (none
/// for asyncio's own): unless a `TypeError` is handled or the failure expected there, or
/// plain code calls it under a test.
fn reported_call(
    solved: &Solved,
    context_of: &dyn Fn(u32) -> CallContext,
    site: GSite,
    callees: &[GFunc],
) -> Option<UnawaitedCoroutine> {
    if type_error_handled(solved, site) || failure_expected(solved, site) || super::sites::patched(solved, site) {
        return None;
    }
    // In plain code, an `async def` called under a test is most often one of a pair of sync
    // and async twins chosen at run time (`if not is_sync(): close(x)`).
    let context = context_of(site);
    if context != CallContext::Coroutine && solved.modules.site(site).1.guarded {
        return None;
    }
    let at = call_at(solved, site);
    Some(UnawaitedCoroutine {
        at: Location { file: file_of(solved, solved.modules.site_module(site)), range: at.range },
        callee: at.callee,
        functions: named_functions(solved, callees.iter().copied()),
        context,
        below: runs_below(solved, site),
        dropped_at: None,
    })
}

/// The project's `async def`s a call runs (none for asyncio's own coroutine functions),
/// when every value it gives is a coroutine and every function of the project it can run
/// is an `async def` (a call on `self` can run the overrides of the project's subclasses:
/// one that is a plain `def` rules it out), and not one under a decorator, which may wrap
/// it in a plain function that runs it (`@asynctest`). A call of nothing in the project
/// must be one of asyncio's coroutine functions: a coroutine an annotation promises
/// (`-> MaybeAwait[bool]`) may be none.
pub(super) fn coroutine_call(solved: &Solved, module: &Module, constraint: &Constraint) -> Option<Vec<GFunc>> {
    let (site, result) = constraint.call_result()?;
    if !every_value(solved, module.node_base + result, Obj::is_coroutine) {
        return None;
    }
    let callees: Vec<GFunc> = super::callees(solved, module.site_base + site).collect();
    let asyncio_call = || match constraint {
        Constraint::Call { callee, .. } => {
            every_value(solved, module.node_base + callee, |value| asyncio_coroutine_function(solved, value))
        }
        Constraint::MethodCall { receiver, name, .. } => {
            let name = module.facts.name(*name).as_str();
            every_value(solved, module.node_base + receiver, |value| asyncio_coroutine_method(solved, value, name))
        }
        _ => false,
    };
    let runs_coroutine = |func: GFunc| {
        let facts = solved.modules.func(func).1;
        facts.makes_coroutine() && !facts.opaque
    };
    let coroutines_only = match callees.is_empty() {
        true => asyncio_call(),
        false => callees.iter().all(|&func| runs_coroutine(func)),
    };
    coroutines_only.then_some(callees)
}

/// Whether `value`, called, gives one of asyncio's coroutines (`sleep` imported from
/// asyncio).
fn asyncio_coroutine_function(solved: &Solved, value: Obj) -> bool {
    let Obj::External(path) = value else { return false };
    asyncio_coroutine_path(&solved.paths[path as usize])
}

pub(super) fn asyncio_coroutine_path(path: &str) -> bool {
    path.starts_with("asyncio.")
        && matches!(
            crate::asyncio_api::external_call(path),
            ExternalCall::Coroutine | ExternalCall::Wait | ExternalCall::WaitFor | ExternalCall::Opens(_)
        )
}

/// Whether `value.name(...)` gives one of asyncio's coroutines: `asyncio.sleep`, an event
/// loop's `sock_sendall`, an `asyncio.Event`'s `wait`, an `asyncio.Queue`'s `put`.
fn asyncio_coroutine_method(solved: &Solved, value: Obj, name: &str) -> bool {
    match value {
        Obj::Container(_, ContainerKind::Queue) => matches!(name, "put" | "get" | "join"),
        Obj::External(path) => asyncio_coroutine_path(&format!("{}.{name}", solved.paths[path as usize])),
        Obj::Loop => crate::asyncio_api::loop_method(name) == ExternalCall::Coroutine,
        Obj::ExternalInstance(path) => {
            let path = &solved.paths[path as usize];
            path.starts_with("asyncio.") && crate::asyncio_api::external_method(path, name) == ExternalCall::Coroutine
        }
        _ => false,
    }
}
