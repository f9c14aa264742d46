//! Handlers of the builtin `TimeoutError` around awaits that raise asyncio's, which is
//! another class before Python 3.11 (TL021).

use rustc_hash::{FxHashMap, FxHashSet};

use tasklens_semantic::facts::Constraint;

use super::{Location, call_at, callees, caller_of, every_value, file_of, runs_below, runs_from};
use crate::objects::{GFunc, GSite, Obj};
use crate::solver::Solved;

/// The first Python whose asyncio `TimeoutError` is the builtin one.
pub const TIMEOUT_ERROR_UNIFIED: tasklens_db::PythonVersion = tasklens_db::PythonVersion::new(3, 11);

/// `except TimeoutError:` (or `suppress(TimeoutError)`, `pytest.raises(TimeoutError)`)
/// around an awaited call that may raise asyncio's `TimeoutError`, which it does not catch
/// before 3.11.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncaughtTimeout {
    /// The `TimeoutError` the handler names, and whether another class may follow it there
    /// (`tasklens_semantic::TimeoutCatcher::listed`).
    pub handler: Location,
    pub handler_listed: bool,
    /// The awaited call in its body, and what it calls.
    pub at: Location,
    pub callee: ruff_text_size::TextRange,
    /// The calls from there down to the `asyncio.wait_for` (or `async_timeout.timeout`)
    /// that raises, outermost first (empty when the awaited call is that one).
    pub chain: Vec<Location>,
    /// What the last call of `chain` calls.
    pub origin_callee: ruff_text_size::TextRange,
    /// Whose `TimeoutError` it is.
    pub raised: RaisedTimeout,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// Which `TimeoutError` a call raises, other than the builtin one before 3.11.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaisedTimeout {
    /// asyncio's: `asyncio.wait_for`.
    Asyncio,
    /// `concurrent.futures`': `future.result(timeout)` of a `concurrent.futures.Future`
    /// (`run_coroutine_threadsafe`, an executor's `submit`).
    ConcurrentFutures,
}

/// Each handler of the builtin `TimeoutError` only whose body awaits `asyncio.wait_for`,
/// or a project coroutine that lets its `TimeoutError` out, with the first such call.
pub(super) fn uncaught_timeouts(solved: &Solved) -> Vec<UncaughtTimeout> {
    let handled = |module: &crate::modules::Module| module.facts.timeout_awaits.iter().any(|a| a.catcher.is_some());
    if !solved.modules.modules.iter().any(handled) {
        return Vec::new();
    }
    let awaits: Vec<(GSite, Option<u32>, bool)> = (solved.modules.modules.iter())
        .flat_map(|module| {
            (module.facts.timeout_awaits.iter())
                .map(|entry| (module.site_base + entry.site, entry.catcher, entry.escapes))
        })
        .collect();
    // Per function that lets asyncio's `TimeoutError` out, the awaited call it comes from.
    let mut leaking: FxHashMap<GFunc, GSite> = FxHashMap::default();
    let raises = |site: GSite, leaking: &FxHashMap<GFunc, GSite>| {
        solved.timeout_sites.binary_search(&site).is_ok() || callees(solved, site).any(|f| leaking.contains_key(&f))
    };
    loop {
        let mut changed = false;
        for &(site, _, escapes) in &awaits {
            let Some(func) = caller_of(solved, site).filter(|_| escapes) else { continue };
            if !leaking.contains_key(&func) && raises(site, &leaking) {
                leaking.insert(func, site);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // `future.result(timeout)` on what is only ever a `concurrent.futures.Future`.
    let waits: FxHashSet<GSite> =
        awaits.iter().filter(|(_, catcher, _)| catcher.is_some()).map(|&(s, _, _)| s).collect();
    let mut thread_waits: FxHashSet<GSite> = FxHashSet::default();
    for module in solved.modules.modules.iter().filter(|module| handled(module)) {
        for constraint in &module.facts.constraints {
            let Constraint::MethodCall { site, receiver, name, .. } = *constraint else { continue };
            let site = module.site_base + site;
            if waits.contains(&site)
                && matches!(module.facts.name(name).as_str(), "result" | "exception")
                && every_value(
                    solved,
                    module.node_base + receiver,
                    |value| matches!(value, Obj::Future(made) if solved.thread_futures.contains(&made)),
                )
            {
                thread_waits.insert(site);
            }
        }
    }
    let location = |site: GSite| Location {
        file: file_of(solved, solved.modules.site_module(site)),
        range: call_at(solved, site).range,
    };
    let mut reported: FxHashSet<(u32, u32)> = FxHashSet::default();
    let mut found = Vec::new();
    for &(site, catcher, _) in &awaits {
        let Some(catcher) = catcher else { continue };
        let module = solved.modules.site_module(site);
        if solved.timeout_error_rebound.contains(&module) {
            continue;
        }
        let raised = match thread_waits.contains(&site) {
            true => RaisedTimeout::ConcurrentFutures,
            false => RaisedTimeout::Asyncio,
        };
        if reported.contains(&(module, catcher))
            || (raised == RaisedTimeout::Asyncio && !raises(site, &leaking))
            || runs_from(solved, site).is_some_and(|from| from >= TIMEOUT_ERROR_UNIFIED)
        {
            continue;
        }
        reported.insert((module, catcher));
        // Down the callees that let it out, to the `wait_for` call.
        let mut chain = Vec::new();
        let mut current = site;
        let mut origin = site;
        while solved.timeout_sites.binary_search(&current).is_err() && chain.len() < 32 {
            let Some(next) = callees(solved, current).find_map(|f| leaking.get(&f).copied()) else { break };
            chain.push(location(next));
            current = next;
            origin = next;
        }
        let named = solved.positions[module as usize].timeout_catchers[catcher as usize];
        found.push(UncaughtTimeout {
            handler: Location { file: file_of(solved, module), range: named.range },
            handler_listed: named.listed,
            at: location(site),
            callee: call_at(solved, site).callee,
            chain,
            origin_callee: call_at(solved, origin).callee,
            raised,
            below: runs_below(solved, site),
        });
    }
    found
}
