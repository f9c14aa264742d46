//! `await` of what a plain `def` gives: None or a constant, which nothing can await (TL013).

use ruff_text_size::TextRange;
use tasklens_semantic::facts::Constraint;

use super::producers::{CallResults, plain_result};
use super::{Location, Producer, call_at, failure_expected, file_of, runs_below, type_error_handled};
use crate::solver::Solved;

/// `await f()` where every function the call runs is a plain `def` with no `return`, or
/// whose `return`s give only constants: `await` raises TypeError.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitOnNonAwaitable {
    /// The awaited call.
    pub at: Location,
    pub callee: TextRange,
    /// The plain function (a `Producer::PlainResult`).
    pub producer: Producer,
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
        let awaited: Vec<u32> = awaited.collect();
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
                below: runs_below(solved, site),
            });
        }
    }
    found
}
