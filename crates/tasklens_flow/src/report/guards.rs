//! The Python versions each function runs on, from the version guards of every call that
//! runs it: a helper called only under `if sys.version_info >= (3, 11):` runs only from
//! 3.11 on, as the code in that block does.

use tasklens_db::PythonVersion;

use super::context::caller_of;
use super::sites::{site_below, site_from};
use crate::objects::GFunc;
use crate::solver::Solved;

/// Per function, the version it runs from and the version it runs below (`None`: no
/// bound). A function that may run from elsewhere (its object escapes to code the
/// analysis cannot follow, the loop, a thread or plain code calls it back, or no call in
/// the project runs it: an entry point, a test, a method the framework calls) has none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FunctionGuards {
    pub from: Vec<Option<PythonVersion>>,
    pub below: Vec<Option<PythonVersion>>,
}

/// A bound not yet known (every call seen so far comes from a function whose bound is not
/// known either): the optimistic start of a greatest fixpoint, so that a recursive helper
/// keeps the guard of its first call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Unknown,
    Known(Option<PythonVersion>),
}

pub(super) fn function_guards(solved: &Solved) -> FunctionGuards {
    let count: usize = solved.modules.modules.iter().map(|module| module.facts.functions.len()).sum();
    let mut sites_of: Vec<Vec<u32>> = vec![Vec::new(); count];
    for &(site, func) in &solved.calls {
        if let Some(sites) = sites_of.get_mut(func as usize) {
            sites.push(site);
        }
    }
    let mut open = vec![false; count];
    let called_back = (solved.escaped.iter().copied())
        .chain(solved.loop_callbacks.iter().copied())
        .chain(solved.done_callbacks.iter().map(|&(_, func)| func))
        .chain(solved.thread_targets.iter().map(|&(func, _)| func))
        .chain(solved.exit_targets.iter().map(|&(func, _)| func))
        .chain(solved.coroutine_callbacks.iter().map(|&(_, func, _)| func));
    for func in called_back {
        if let Some(slot) = open.get_mut(func as usize) {
            *slot = true;
        }
    }
    for (func, sites) in sites_of.iter().enumerate() {
        open[func] |= sites.is_empty();
    }
    let callers: Vec<Vec<(u32, Option<GFunc>)>> =
        (sites_of.iter()).map(|sites| sites.iter().map(|&site| (site, caller_of(solved, site))).collect()).collect();
    let from = fixpoint(
        &open,
        &callers,
        |site| site_from(solved, site),
        |a, b| a.max(b),
        |a, b| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        },
    );
    let below = fixpoint(
        &open,
        &callers,
        |site| site_below(solved, site),
        |a, b| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        },
        |a, b| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        },
    );
    FunctionGuards { from, below }
}

/// Per function, the bound every call that runs it has: `along` joins a call's own guard
/// with its caller's bound, `across` the calls of one function.
fn fixpoint(
    open: &[bool],
    callers: &[Vec<(u32, Option<GFunc>)>],
    own: impl Fn(u32) -> Option<PythonVersion>,
    along: impl Fn(Option<PythonVersion>, Option<PythonVersion>) -> Option<PythonVersion>,
    across: impl Fn(Option<PythonVersion>, Option<PythonVersion>) -> Option<PythonVersion>,
) -> Vec<Option<PythonVersion>> {
    let mut bounds: Vec<Bound> =
        open.iter().map(|&open| if open { Bound::Known(None) } else { Bound::Unknown }).collect();
    let guards: Vec<Vec<(Option<PythonVersion>, Option<GFunc>)>> =
        callers.iter().map(|sites| sites.iter().map(|&(site, caller)| (own(site), caller)).collect()).collect();
    // Who to look at again when a function's bound changes: the functions it calls.
    let mut callees: Vec<Vec<GFunc>> = vec![Vec::new(); bounds.len()];
    for (func, sites) in guards.iter().enumerate() {
        for caller in sites.iter().filter_map(|&(_, caller)| caller) {
            callees[caller as usize].push(func as GFunc);
        }
    }
    // Bounds only loosen from `Unknown`, through a few distinct versions: this ends.
    let mut queued = vec![true; bounds.len()];
    let mut worklist: Vec<GFunc> = (0..bounds.len() as GFunc).rev().collect();
    while let Some(func) = worklist.pop() {
        let func = func as usize;
        queued[func] = false;
        if open[func] {
            continue;
        }
        let mut bound = Bound::Unknown;
        for &(guard, caller) in &guards[func] {
            let caller_bound = match caller.map(|caller| bounds[caller as usize]) {
                Some(Bound::Unknown) => continue,
                Some(Bound::Known(known)) => known,
                // Module-level code runs on every version but for its own guards.
                None => None,
            };
            let here = along(guard, caller_bound);
            bound = match bound {
                Bound::Unknown => Bound::Known(here),
                Bound::Known(so_far) => Bound::Known(across(so_far, here)),
            };
        }
        if bound != bounds[func] {
            bounds[func] = bound;
            for &callee in &callees[func] {
                if !std::mem::replace(&mut queued[callee as usize], true) {
                    worklist.push(callee);
                }
            }
        }
    }
    bounds
        .into_iter()
        .map(|bound| match bound {
            Bound::Known(known) => known,
            Bound::Unknown => None,
        })
        .collect()
}
