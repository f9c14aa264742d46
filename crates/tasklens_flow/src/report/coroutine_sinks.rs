//! Coroutines that reach code that needs a Task or a Future: `create_task` was forgotten
//! where the coroutine was made (TL018).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{GuardTest, TypeExpr};

use super::producers::named_functions;
use super::sites::follow_copies;
use super::trace::{trace, way_back};
use super::unawaited::coroutine_call;
use super::{CallContext, Location, Sink, Step, call_at, failure_expected, file_of, runs_below, sink, sink_nodes};
use crate::objects::{GNode, GSite, ObjId};
use crate::solver::Solved;
use crate::solver::link::SinkKind as RawSink;

/// A call that makes a coroutine, and a place its coroutine reaches that needs a Task or
/// a Future: a method a coroutine lacks (`cancel()`, `get_name()`) or a Task annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoroutineFlow {
    /// The call that makes the coroutine.
    pub at: Location,
    pub callee: TextRange,
    /// The project's `async def`s it runs, with where each is defined; none for
    /// asyncio's own (`asyncio.sleep(1)`).
    pub functions: Vec<(Name, Location)>,
    pub sink: Sink,
    /// How the coroutine came from the call to the sink.
    pub steps: Vec<Step>,
    pub context: CallContext,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// The coroutines are what iterating the call's result with `for` gives
    /// (`asyncio.as_completed(fs)`), not the call's result itself.
    pub iterated: bool,
}

/// Each call whose coroutine reaches a sink, once per sink, by call site.
pub(super) fn coroutine_flows(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<CoroutineFlow> {
    // Each coroutine at a sink: the sink's index, the node and the object.
    let mut at_sinks: Vec<(usize, GNode, ObjId)> = Vec::new();
    for (index, (record, _)) in
        solved.sinks.iter().zip(&solved.shadowed_sinks).enumerate().filter(|(_, (_, shadowed))| !**shadowed)
    {
        // What fails at run time: a method a coroutine lacks; and a function that promises
        // a Task to its callers. A container, variable or parameter annotated with Tasks
        // that is given coroutines is a wrong annotation more often than a bug (`jobs:
        // list[Task] = []`, `jobs.append(fetch())`, `await gather(*jobs)`), and an
        // annotation that takes a coroutine too is no sink for one.
        let fails = match record.kind {
            RawSink::TaskMethod(_) | RawSink::FutureMethod(_) => true,
            RawSink::Return { .. } => record.path.is_empty(),
            _ => false,
        };
        if !fails || record.takes_coroutine {
            continue;
        }
        for node in sink_nodes(solved, record) {
            for &obj in solved.sets.get(node) {
                if solved.objs[obj as usize].is_coroutine() {
                    at_sinks.push((index, node, obj));
                }
            }
        }
    }
    if at_sinks.is_empty() {
        return Vec::new();
    }
    // A value tested for its kind on the way (`isinstance`, `isawaitable`, a predicate of
    // the project), or given to a function that tests the kind of something, went through
    // code that may tell coroutines from Futures, as a helper that turns either into a
    // Future does (`if not isinstance(task, Future): task = create_task(task)`), however
    // well the analysis narrows there.
    // Otherwise the node it was made at ends its way back.
    let tested = kind_tested_nodes(solved);
    let reached: Vec<(GNode, usize, GNode, ObjId)> = (at_sinks.into_iter())
        .filter_map(|(index, node, obj)| Some((made_at(solved, &tested, node, obj)?, index, node, obj)))
        .collect();
    let producers = coroutine_producers(solved, reached.iter().map(|&(made, ..)| made).collect());
    let mut seen = FxHashSet::default();
    let mut found = Vec::new();
    for (made, index, node, obj) in reached {
        let Some((site, callees)) = producers.get(&made) else { continue };
        if !seen.insert((*site, index)) {
            continue;
        }
        let module = solved.modules.site_module(*site);
        let at = call_at(solved, *site);
        found.push((
            *site,
            CoroutineFlow {
                at: Location { file: file_of(solved, module), range: at.range },
                callee: at.callee,
                functions: named_functions(solved, callees.iter().copied()),
                sink: sink(solved, &solved.sinks[index]),
                steps: trace(solved, node, obj),
                context: context_of(*site),
                below: runs_below(solved, *site),
                iterated: false,
            },
        ));
    }
    // Call sites are numbered in module order, then source order.
    found.sort_by_key(|(site, flow)| (*site, flow.sink.at.range.start()));
    found.into_iter().map(|(_, flow)| flow).collect()
}

/// The node where the coroutine `obj` at `node` was made (where its way back ends), unless
/// the way passes a node in `tested` (a value tested for its kind).
pub(super) fn made_at(solved: &Solved, tested: &FxHashSet<GNode>, node: GNode, obj: ObjId) -> Option<GNode> {
    let mut made = node;
    for at in way_back(solved, node, obj) {
        if tested.contains(&at) {
            return None;
        }
        made = at;
    }
    Some(made)
}

/// The calls whose results are among `origins` and make only coroutines (TL011's test),
/// with the functions they run, by result node.
pub(super) fn coroutine_producers(
    solved: &Solved,
    origins: FxHashSet<GNode>,
) -> FxHashMap<GNode, (GSite, Vec<crate::objects::GFunc>)> {
    let mut modules: Vec<u32> = origins.iter().map(|&node| solved.modules.node_module(node)).collect();
    modules.sort_unstable();
    modules.dedup();
    let mut producers = FxHashMap::default();
    for m in modules {
        let module = &solved.modules.modules[m as usize];
        for constraint in &module.facts.constraints {
            let Some((site, result)) = constraint.call_result() else { continue };
            let (site, result) = (module.site_base + site, module.node_base + result);
            if !origins.contains(&result)
                || failure_expected(solved, site)
                || super::sites::gives_stand_in(solved, site)
            {
                continue;
            }
            if let Some(callees) = coroutine_call(solved, module, constraint) {
                producers.insert(result, (site, callees));
            }
        }
    }
    producers
}

/// The nodes of the values in branches that a test of their kind guards (not a test for
/// `None` alone), and the parameters of the functions that make such tests.
pub(super) fn kind_tested_nodes(solved: &Solved) -> FxHashSet<GNode> {
    fn tests_kind(test: &GuardTest) -> bool {
        match test {
            GuardTest::Is(types) | GuardTest::IsNot(types) => !types.iter().all(|t| matches!(t, TypeExpr::None)),
            GuardTest::AnyOf(alternatives) => alternatives.iter().flatten().any(tests_kind),
            _ => true,
        }
    }
    let mut tested = FxHashSet::default();
    for module in &solved.modules.modules {
        let mut functions: Vec<u32> = Vec::new();
        for guard in module.facts.guards.iter().filter(|guard| tests_kind(&guard.test)) {
            tested.insert(module.node_base + guard.to);
            functions.extend(guard.function);
        }
        functions.sort_unstable();
        functions.dedup();
        for function in functions {
            let params = &module.facts.functions[function as usize].params;
            tested.extend(params.iter().map(|param| module.node_base + param.node));
        }
    }
    tested
}

/// `for coro in asyncio.as_completed(fs):` gives coroutines, on every Python (only `async
/// for`, from 3.13 on, gives the awaitables themselves): a method only Futures and Tasks
/// have, called on what the loop binds (or a name that only copies it), fails (TL018).
pub(super) fn as_completed_flows(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<CoroutineFlow> {
    use tasklens_semantic::facts::{Constraint, Part, ProtocolUse};
    // Per module, the nodes that hold only what iterating a call's result gives, by call.
    let mut elements_by_module: FxHashMap<u32, FxHashMap<u32, GSite>> = FxHashMap::default();
    for (m, mut results) in solved.modules.call_results(&solved.as_completed_sites) {
        let facts = &solved.modules.modules[m as usize].facts;
        results.retain(|_, site| !failure_expected(solved, *site) && !super::sites::gives_stand_in(solved, *site));
        follow_copies(&facts.constraints, &mut results);
        let iterated: FxHashMap<u32, GSite> = (facts.protocol_uses.iter())
            .filter(|(_, used, _)| *used == ProtocolUse::For)
            .filter_map(|(local, ..)| results.get(local).map(|&site| (*local, site)))
            .collect();
        let mut elements: FxHashMap<u32, GSite> = (facts.constraints.iter())
            .filter_map(|constraint| match *constraint {
                Constraint::LoadPart { base, part: Part::Iter, to, .. } => iterated.get(&base).map(|&site| (to, site)),
                _ => None,
            })
            .collect();
        follow_copies(&facts.constraints, &mut elements);
        if !elements.is_empty() {
            elements_by_module.insert(m, elements);
        }
    }
    if elements_by_module.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (record, &shadowed) in solved.sinks.iter().zip(&solved.shadowed_sinks) {
        if shadowed || !matches!(record.at, crate::solver::link::SinkAt::TaskMethodCall(_)) {
            continue;
        }
        let Some(elements) = elements_by_module.get(&record.module) else { continue };
        let local = record.node - solved.modules.modules[record.module as usize].node_base;
        let Some(&site) = elements.get(&local) else { continue };
        let at = call_at(solved, site);
        found.push(CoroutineFlow {
            at: Location { file: file_of(solved, record.module), range: at.range },
            callee: at.callee,
            functions: Vec::new(),
            sink: sink(solved, record),
            steps: Vec::new(),
            context: context_of(site),
            below: runs_below(solved, site),
            iterated: true,
        });
    }
    found
}
