//! Coroutines used as the values they would give once awaited: an attribute read or a
//! method called on what only ever holds a coroutine (`user = self.fetch_user(id)`, then
//! `user.name`), which fails with AttributeError (TL019).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::FxHashSet;
use tasklens_semantic::facts::{Constraint, FUTURE_METHODS, TASK_ONLY_METHODS};

use super::coroutine_sinks::{coroutine_producers, kind_tested_nodes, made_at};
use super::producers::function_location;
use super::trace::trace;
use super::{CallContext, Location, Step, call_at, file_of, runs_below};
use crate::objects::{GNode, GSite, ObjId};
use crate::solver::Solved;

/// A call that makes a coroutine, and a place that reads an attribute of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingAwait {
    /// The call that makes the coroutine.
    pub at: Location,
    pub callee: TextRange,
    /// The project's `async def`s it runs, with where each is defined.
    pub functions: Vec<(Name, Location)>,
    /// The attribute read or method called on the coroutine (`user.name`).
    pub used: Location,
    pub attr: Name,
    /// How the coroutine came from the call to `used`.
    pub steps: Vec<Step>,
    pub context: CallContext,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// What a coroutine object has: reading anything else fails.
fn coroutine_has(attr: &str) -> bool {
    attr.starts_with("__")
        || attr.starts_with("cr_")
        || matches!(attr, "send" | "throw" | "close")
        // A Future's or Task's methods are TL018's.
        || FUTURE_METHODS.contains(&attr)
        || TASK_ONLY_METHODS.contains(&attr)
}

/// Each call whose coroutine has an attribute read or a method called on it where only
/// coroutines can be, once per place, by call site.
pub(super) fn missing_awaits(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<MissingAwait> {
    // The attribute uses on nodes that hold nothing but coroutines.
    let mut uses: Vec<(GNode, Name, Location)> = Vec::new();
    for (m, module) in solved.modules.modules.iter().enumerate() {
        let facts = &module.facts;
        let only_coroutines = |node: u32| {
            let objs = solved.sets.get(module.node_base + node);
            !objs.is_empty() && objs.iter().all(|&obj| solved.objs[obj as usize].is_coroutine())
        };
        for constraint in &facts.constraints {
            let (node, attr, range) = match *constraint {
                Constraint::Load { base, attr, hop: Some(hop), .. } => {
                    (base, attr, solved.positions[m].hops[hop as usize])
                }
                Constraint::MethodCall { site, receiver, name, .. } => {
                    (receiver, name, call_at(solved, module.site_base + site).callee)
                }
                _ => continue,
            };
            let attr = facts.name(attr);
            if coroutine_has(attr.as_str()) || !only_coroutines(node) {
                continue;
            }
            uses.push((module.node_base + node, attr.clone(), Location { file: module.file, range }));
        }
    }
    if uses.is_empty() {
        return Vec::new();
    }
    // As for TL018: not through a test of the value's kind, and from the call that made it.
    let tested = kind_tested_nodes(solved);
    let reached: Vec<(GNode, usize, ObjId)> = (uses.iter().enumerate())
        .flat_map(|(index, (node, ..))| solved.sets.get(*node).iter().map(move |&obj| (index, *node, obj)))
        .filter_map(|(index, node, obj)| Some((made_at(solved, &tested, node, obj)?, index, obj)))
        .collect();
    let producers = coroutine_producers(solved, reached.iter().map(|&(made, ..)| made).collect());
    let mut seen: FxHashSet<(GSite, usize)> = FxHashSet::default();
    let mut found: Vec<(GSite, usize, MissingAwait)> = Vec::new();
    for (made, index, obj) in reached {
        let Some((site, callees)) = producers.get(&made) else { continue };
        if !seen.insert((*site, index)) {
            continue;
        }
        let (node, attr, used) = &uses[index];
        let module = solved.modules.site_module(*site);
        let at = call_at(solved, *site);
        found.push((
            *site,
            index,
            MissingAwait {
                at: Location { file: file_of(solved, module), range: at.range },
                callee: at.callee,
                functions: (callees.iter())
                    .map(|&func| (solved.modules.func(func).1.name.clone(), function_location(solved, func)))
                    .collect(),
                used: *used,
                attr: attr.clone(),
                steps: trace(solved, *node, obj),
                context: context_of(*site),
                below: runs_below(solved, *site),
            },
        ));
    }
    // Uses are numbered in module order, then source order.
    found.sort_by_key(|&(site, index, _)| (site, index));
    found.into_iter().map(|(.., flow)| flow).collect()
}
