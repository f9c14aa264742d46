//! How a value came to a node: the predecessor chain the solver recorded, read back as
//! the steps a finding shows.

use ruff_text_size::TextRange;
use rustc_hash::FxHashSet;
use tasklens_semantic::facts::HopKind;

use super::{Location, Step, StepKind, call_at, file_of, func_name};
use crate::objects::{GNode, Obj, ObjId};
use crate::solver::{DynHopKind, HopAt, Label, NO_NODE, Solved, is_shown};

const MAX_TRACE: usize = 256;

/// The parameter annotated to admit a plain Future through which `obj` came to `node`,
/// when that parameter's own `ParamFuture` reaches `node` too: that parameter's finding
/// names the line to change (the function that promised to take a Future), and the
/// caller that passed `obj` is a real case of it.
pub(super) fn through_future_parameter(solved: &Solved, node: GNode, obj: ObjId) -> Option<GNode> {
    if solved.future_params.is_empty() || !matches!(solved.objs[obj as usize], Obj::Future(_)) {
        return None;
    }
    let at_node = solved.sets.get(node);
    predecessors(solved, node, obj).map(|(from, _)| from).find(|&from| {
        solved.future_params.contains(&from)
            && at_node.iter().any(|&o| solved.objs[o as usize] == Obj::ParamFuture(from))
    })
}

/// The plain Futures that `obj` at `node` is, each with the hops it took to `node`: the
/// object itself, or for an `Obj::FutureSummary` every Future it stands for (their hops to
/// the node that summarised them, then the summary's).
pub(super) fn future_origins(solved: &Solved, node: GNode, obj: ObjId) -> Vec<(ObjId, Vec<Step>)> {
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
pub(super) fn trace(solved: &Solved, node: GNode, obj: ObjId) -> Vec<Step> {
    let mut steps: Vec<Step> =
        predecessors(solved, node, obj).filter_map(|(_, label)| step(solved, label)).take(MAX_TRACE).collect();
    steps.reverse();
    steps.dedup();
    steps
}

/// The nodes `obj` went through to `node`, from `node` back to where it was made (a call's
/// result, for the object a call makes).
pub(super) fn way_back(solved: &Solved, node: GNode, obj: ObjId) -> impl Iterator<Item = GNode> + '_ {
    std::iter::once(node)
        .chain(predecessors(solved, node, obj).map(|(from, _)| from).take_while(|&from| from != NO_NODE))
}

/// The node `obj` was last passed from as a call's argument on its way to `node` (the
/// argument at the call site), if it was passed to a parameter on the way.
pub(super) fn last_argument(solved: &Solved, node: GNode, obj: ObjId) -> Option<GNode> {
    let is_argument = |label: Label| {
        is_shown(label)
            && label >= solved.modules.hop_count
            && matches!(solved.dyn_hops[(label - solved.modules.hop_count) as usize].kind, DynHopKind::Argument { .. })
    };
    predecessors(solved, node, obj).find(|&(from, label)| from != NO_NODE && is_argument(label)).map(|(from, _)| from)
}

/// The links by which `obj` came to `node`, from `node` back to where it was made: each
/// predecessor and the label of the edge from it.
fn predecessors(solved: &Solved, node: GNode, obj: ObjId) -> impl Iterator<Item = (GNode, Label)> + '_ {
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
    if !is_shown(label) {
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
        return Some(Step { at: hop_location(solved, label), kind });
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
        DynHopKind::FutureResult => StepKind::FutureResult,
        DynHopKind::Field { field } => StepKind::AttrStore(field.clone()),
        DynHopKind::Fixture { name } => StepKind::Fixture { name: name.clone() },
    };
    Some(Step { at: Location { file: file_of(solved, hop.module), range: hop_range(solved, hop.at) }, kind })
}

/// The range a hop made while solving points at, from the positioned facts.
fn hop_range(solved: &Solved, at: HopAt) -> TextRange {
    match at {
        HopAt::Call(site) => call_at(solved, site).range,
        HopAt::Callee(site) => call_at(solved, site).callee,
        HopAt::Arg(site, index) => call_at(solved, site).arg(index as usize),
        HopAt::Keyword(site, index) => call_at(solved, site).keyword_value(index as usize),
        HopAt::Param(func, index) => {
            let (module, _) = solved.modules.func(func);
            let local = func - solved.modules.modules[module as usize].func_base;
            solved.positions[module as usize].params[local as usize][index as usize]
        }
    }
}

/// Where a hop of the facts (`label < hop_count`) is.
pub(super) fn hop_location(solved: &Solved, label: Label) -> Location {
    let (module, _) = solved.modules.hop(label);
    let local = label - solved.modules.modules[module as usize].hop_base;
    Location { file: file_of(solved, module), range: solved.positions[module as usize].hops[local as usize] }
}
