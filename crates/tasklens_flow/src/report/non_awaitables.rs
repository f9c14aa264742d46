//! `await` of what cannot be awaited: what a plain `def` gives (None or a constant), or a
//! function itself, not called (TL013).

use ruff_text_size::TextRange;
use tasklens_semantic::facts::Constraint;

use super::producers::{CallResults, function_producer, plain_result};
use super::{Location, Producer, call_at, failure_expected, file_of, runs_below, type_error_handled};
use crate::objects::Obj;
use crate::solver::Solved;

/// `await f()` where every function the call runs is a plain `def` with no `return`, or
/// whose `return`s give only constants, or `await f` of a function itself: `await` raises
/// TypeError.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitOnNonAwaitable {
    /// The awaited call (or, for a function awaited uncalled, the awaited expression).
    pub at: Location,
    pub callee: TextRange,
    /// The plain function (a `Producer::PlainResult`), or the function awaited uncalled (a
    /// `Producer::Function`).
    pub producer: Producer,
    /// The function awaited uncalled was read from an instance: a bound method.
    pub method: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

pub(super) fn awaits_on_non_awaitables(solved: &Solved) -> Vec<AwaitOnNonAwaitable> {
    let mut call_results = CallResults::default();
    let mut found = Vec::new();
    for (index, module) in solved.modules.modules.iter().enumerate() {
        let awaited = module.facts.constraints.iter().filter_map(|constraint| match constraint {
            Constraint::Await { value, .. } => Some(module.node_base + value),
            _ => None,
        });
        for node in awaited {
            let Some((site, producer)) = plain_result(solved, &mut call_results, index as u32, node) else { continue };
            if type_error_handled(solved, site) || failure_expected(solved, site) {
                continue;
            }
            let at = call_at(solved, site);
            found.push(AwaitOnNonAwaitable {
                at: Location { file: file_of(solved, index as u32), range: at.range },
                callee: at.callee,
                producer,
                method: false,
                below: runs_below(solved, site),
            });
        }
    }
    // `await self.close` (not called): a function or method object, never awaitable.
    for (index, module) in solved.modules.modules.iter().enumerate() {
        for (entry, (node, name)) in module.facts.awaited_references.iter().enumerate() {
            let node = module.node_base + node;
            let mut functions = solved.sets.get(node).iter().map(|&obj| match solved.objs[obj as usize] {
                Obj::Function(func) => Some((func, false)),
                Obj::Bound(func) => Some((func, true)),
                _ => None,
            });
            // The one function the name written there names (a callable kept under another
            // name is whatever some caller gave), and no decorator that may make it one.
            let Some(Some((func, bound))) = functions.next() else { continue };
            let facts = solved.modules.func(func).1;
            if facts.opaque || facts.name != *name || !functions.all(|other| other == Some((func, bound))) {
                continue;
            }
            let range = solved.positions[index].awaited_references[entry];
            found.push(AwaitOnNonAwaitable {
                at: Location { file: file_of(solved, index as u32), range },
                callee: range,
                producer: function_producer(solved, func, bound),
                method: bound,
                below: None,
            });
        }
    }
    found
}
