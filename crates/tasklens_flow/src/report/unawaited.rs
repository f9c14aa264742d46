//! Calls whose result is a coroutine that nothing reads: the `await` was forgotten (TL011).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use tasklens_semantic::facts::{Constraint, ContainerKind, HopKind, Part};

use rustc_hash::FxHashSet;

use super::producers::named_functions;
use super::trace::way_back;
use super::{CallContext, Location, call_at, every_value, failure_expected, file_of, runs_below, type_error_handled};
use crate::asyncio_api::ExternalCall;
use crate::modules::Module;
use crate::objects::{GFunc, GNode, Obj};
use crate::solver::{NO_NODE, Solved, is_shown};

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
    /// Where the coroutine is thrown away when that is not the call itself: an `await` on a
    /// line of its own whose value it is (`await wrapper()` of an `async def wrapper()` that
    /// ends in `return inner()`).
    pub handed_back: Option<Location>,
    /// The name the coroutine is assigned to and that nothing reads (`result = inner()`).
    pub unread_name: Option<Location>,
    /// With `unread_name`: the coroutine is collected in a list or set bound to the name
    /// (`pending = [fetch(u) for u in urls]`).
    pub collected: bool,
}

/// Each call whose result nothing reads and every value of which is a coroutine.
pub(super) fn unawaited_coroutines(
    solved: &Solved,
    context_of: &dyn Fn(u32) -> CallContext,
) -> Vec<UnawaitedCoroutine> {
    let mut found = Vec::new();
    for (index, module) in solved.modules.modules.iter().enumerate() {
        for constraint in &module.facts.constraints {
            let Some((_, result)) = constraint.call_result() else { continue };
            if module.facts.discarded.binary_search(&result).is_err() {
                continue;
            }
            if let Some((_, call)) = made_coroutine(solved, context_of, index as u32, constraint, true) {
                found.push(call);
            }
        }
    }
    found.extend(handed_back_coroutines(solved, context_of));
    found.extend(unread_coroutines(solved, context_of));
    found
}

/// The coroutines assigned to a name that nothing reads (`result = inner()`, `_ = inner()`),
/// made by a call that passes TL011's producer test, right where they are assigned.
fn unread_coroutines(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<UnawaitedCoroutine> {
    let mut found = Vec::new();
    // `del coro` throws the coroutine away on purpose (a test of the warning).
    let deleted: FxHashSet<GNode> = (solved.modules.modules.iter())
        .flat_map(|module| module.facts.deleted_names.iter().map(move |&node| module.node_base + node))
        .collect();
    for (node, &unread) in solved.unread.iter().enumerate() {
        let node = node as GNode;
        if !unread || deleted.contains(&node) || !every_value(solved, node, Obj::is_coroutine) {
            continue;
        }
        // One value, assigned from the call that made it.
        let [obj] = solved.sets.get(node) else { continue };
        let Some(&(made, label)) = solved.preds.get(&(node, *obj)) else { continue };
        let assigned = is_shown(label)
            && label < solved.modules.hop_count
            && matches!(solved.modules.hop(label).1.kind, HopKind::Assign(_))
            && solved.preds.get(&(made, *obj)).is_some_and(|&(from, _)| from == NO_NODE);
        if !assigned {
            continue;
        }
        let Some((module, constraint)) = call_made(solved, made) else { continue };
        let Some((_, mut call)) = made_coroutine(solved, context_of, module, constraint, false) else { continue };
        let (hop_module, _) = solved.modules.hop(label);
        let hop_range =
            solved.positions[hop_module as usize].hops[(label - entry_hop_base(solved, hop_module)) as usize];
        call.unread_name = Some(Location { file: file_of(solved, hop_module), range: hop_range });
        found.push(call);
    }
    // Lists and sets of coroutines bound to a name nothing reads.
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    for &(made, name, label) in &solved.named_containers {
        let only_this = matches!(solved.sets.get(name), [obj] if matches!(solved.objs[*obj as usize], Obj::Container(at, _) if at == made));
        if !solved.unread[name as usize] || deleted.contains(&name) || !only_this {
            continue;
        }
        let Some(&slot) = solved.part_nodes.get(&(made, Part::Values)) else { continue };
        if !every_value(solved, slot, Obj::is_coroutine) {
            continue;
        }
        let (hop_module, _) = solved.modules.hop(label);
        let hop_range =
            solved.positions[hop_module as usize].hops[(label - entry_hop_base(solved, hop_module)) as usize];
        for &obj in solved.sets.get(slot) {
            let Some((module, constraint)) = way_back(solved, slot, obj).filter_map(|n| call_made(solved, n)).last()
            else {
                continue;
            };
            let Some((site, mut call)) = made_coroutine(solved, context_of, module, constraint, false) else {
                continue;
            };
            if seen.insert(site) {
                call.unread_name = Some(Location { file: file_of(solved, hop_module), range: hop_range });
                call.collected = true;
                found.push(call);
            }
        }
    }
    found
}

fn entry_hop_base(solved: &Solved, module: u32) -> u32 {
    solved.modules.modules[module as usize].hop_base
}

/// The coroutines an `await` on a line of its own gets back and throws away: each made by
/// a call that only runs the project's `async def`s (found on its way back to the `await`,
/// the call result nearest to where it was made), reported at that call.
fn handed_back_coroutines(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<UnawaitedCoroutine> {
    let mut found = Vec::new();
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    for (index, module) in solved.modules.modules.iter().enumerate() {
        for (at, &node) in module.facts.discarded_awaits.iter().enumerate() {
            let node = module.node_base + node;
            if !every_value(solved, node, Obj::is_coroutine) {
                continue;
            }
            let dropped =
                Location { file: file_of(solved, index as u32), range: solved.positions[index].discarded_awaits[at] };
            for &obj in solved.sets.get(node) {
                let Some((made_in, constraint)) =
                    way_back(solved, node, obj).filter_map(|n| call_made(solved, n)).last()
                else {
                    continue;
                };
                let Some((site, mut call)) = made_coroutine(solved, context_of, made_in, constraint, false) else {
                    continue;
                };
                if seen.insert(site) {
                    call.handed_back = Some(dropped);
                    found.push(call);
                }
            }
        }
    }
    found
}

/// TL011's finding for the call of `constraint` in `module`, with its site: where it makes
/// only coroutines of the project's `async def`s (or of asyncio's own, with `asyncio_own`),
/// no `TypeError` is handled or failure expected, and plain code does not call it under a
/// test.
fn made_coroutine(
    solved: &Solved,
    context_of: &dyn Fn(u32) -> CallContext,
    module: u32,
    constraint: &Constraint,
    asyncio_own: bool,
) -> Option<(u32, UnawaitedCoroutine)> {
    let entry = &solved.modules.modules[module as usize];
    let callees = coroutine_call(solved, entry, constraint).filter(|callees| asyncio_own || !callees.is_empty())?;
    let site = entry.site_base + constraint.call_result()?.0;
    if type_error_handled(solved, site) || failure_expected(solved, site) {
        return None;
    }
    // In plain code, an `async def` called under a test is most often one of a pair of sync
    // and async twins chosen at run time (`if not is_sync(): close(x)`).
    let context = context_of(site);
    if context != CallContext::Coroutine && solved.modules.site(site).1.guarded {
        return None;
    }
    let at = call_at(solved, site);
    let call = UnawaitedCoroutine {
        at: Location { file: file_of(solved, module), range: at.range },
        callee: at.callee,
        functions: named_functions(solved, callees.iter().copied()),
        context,
        below: runs_below(solved, site),
        handed_back: None,
        unread_name: None,
        collected: false,
    };
    Some((site, call))
}

/// The call whose result `node` is, with its module.
pub(super) fn call_made(solved: &Solved, node: GNode) -> Option<(u32, &Constraint)> {
    let module = solved.modules.node_module(node);
    let entry = solved.modules.modules.get(module as usize)?;
    let local = node.checked_sub(entry.node_base).filter(|&local| local < entry.facts.node_count)?;
    let constraint = (entry.facts.constraints.iter())
        .find(|constraint| constraint.call_result().is_some_and(|(_, result)| result == local))?;
    Some((module, constraint))
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
