//! What the facts and the solution say of one call site (its positions, the guards and
//! handlers around it, the functions it runs) or one node, for every part of the report.

use ruff_python_ast::name::Name;
use tasklens_db::File;
use tasklens_semantic::CallPositions;

use crate::objects::{GNode, GSite, Obj};
use crate::solver::Solved;

/// Whether a call is in a `try` body that catches `TypeError`: what it raises that way is
/// handled (compatibility code such as `try: Queue(loop=loop) except TypeError: Queue()`).
pub(super) fn type_error_handled(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.type_error_handled)
}

/// Whether a `TypeError` the call at `site` raises is expected or handled, or the call may
/// not run (under a test at module level): what a newer Python's API does there is fine.
pub(super) fn type_error_excused(solved: &Solved, site: GSite) -> bool {
    failure_expected(solved, site) || type_error_handled(solved, site) || solved.modules.site(site).1.guarded
}

/// Whether a call is where a `ValueError` it raises is handled or expected by name.
pub(super) fn value_error_handled(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.value_error_handled)
}

/// The project functions a call site can run.
pub(super) fn callees(solved: &Solved, site: GSite) -> impl Iterator<Item = u32> + '_ {
    let start = solved.calls.partition_point(|&(s, _)| s < site);
    solved.calls[start..].iter().take_while(move |&&(s, _)| s == site).map(|&(_, func)| func)
}

/// Whether `site` is among the module-local sites a module's facts list (sorted).
pub(super) fn site_listed(
    solved: &Solved,
    site: GSite,
    list: impl Fn(&tasklens_semantic::facts::ModuleFacts) -> &Vec<tasklens_semantic::facts::SiteId>,
) -> bool {
    let entry = &solved.modules.modules[solved.modules.site_module(site) as usize];
    list(&entry.facts).binary_search(&(site - entry.site_base)).is_ok()
}

/// Whether `node` holds plain Futures the project makes (not one a parameter's annotation
/// only assumes).
pub(super) fn holds_made_futures(solved: &Solved, node: GNode) -> bool {
    (solved.sets.get(node).iter())
        .any(|&obj| matches!(solved.objs[obj as usize], Obj::Future(_) | Obj::FutureSummary(_)))
}

/// Whether `node` holds some value and every value passes `test`.
pub(super) fn every_value(solved: &Solved, node: GNode, test: impl Fn(Obj) -> bool) -> bool {
    let values = solved.sets.get(node);
    !values.is_empty() && values.iter().all(|&obj| test(solved.objs[obj as usize]))
}

/// Whether a call is in a test's block that expects it to fail (`with pytest.raises(...)`).
pub(super) fn failure_expected(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.failure_expected)
}

/// Whether a test replaces what the call names around it (`with patch("app.api.fetch"):`):
/// a mock runs, not the function the name resolves to.
pub(super) fn patched(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.patched_calls)
}

/// Whether the call is made under an `if` that switches on the kind of a value
/// (`if inspect.iscoroutinefunction(self.fn): return call(...)`), whose other branches give
/// the other kinds.
pub(super) fn kind_switched(solved: &Solved, site: GSite) -> bool {
    site_listed(solved, site, |facts| &facts.kind_switched_calls)
}

/// Whether what the call gives may be other than what its callee resolves to gives: a
/// test's mock ([`patched`]), or the other kind a switch on kinds hands the same callers
/// ([`kind_switched`]).
pub(super) fn gives_stand_in(solved: &Solved, site: GSite) -> bool {
    patched(solved, site) || kind_switched(solved, site)
}

/// The version a call runs below, when it is under a version guard or in a function that
/// only such calls run (`guards.rs`).
pub(super) fn runs_below(solved: &Solved, site: GSite) -> Option<tasklens_db::PythonVersion> {
    let own = site_below(solved, site);
    let caller = super::caller_of(solved, site).and_then(|func| solved.derived.guards.below.get(func as usize));
    match (own, caller.copied().flatten()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The version a call runs from on, when it is under a version guard or in a function
/// that only such calls run (`guards.rs`).
pub(super) fn runs_from(solved: &Solved, site: GSite) -> Option<tasklens_db::PythonVersion> {
    let own = site_from(solved, site);
    let caller = super::caller_of(solved, site).and_then(|func| solved.derived.guards.from.get(func as usize));
    own.max(caller.copied().flatten())
}

/// The version a call runs below by the guards around it in its own function.
pub(super) fn site_below(solved: &Solved, site: GSite) -> Option<tasklens_db::PythonVersion> {
    site_version(solved, site, |facts| &facts.version_bounded)
}

/// The version a call runs from by the guards around it in its own function.
pub(super) fn site_from(solved: &Solved, site: GSite) -> Option<tasklens_db::PythonVersion> {
    site_version(solved, site, |facts| &facts.version_floor)
}

/// The version a module's facts list for `site` (by module-local site, sorted).
fn site_version(
    solved: &Solved,
    site: GSite,
    list: impl Fn(
        &tasklens_semantic::facts::ModuleFacts,
    ) -> &Vec<(tasklens_semantic::facts::SiteId, tasklens_db::PythonVersion)>,
) -> Option<tasklens_db::PythonVersion> {
    let entry = &solved.modules.modules[solved.modules.site_module(site) as usize];
    let versions = list(&entry.facts);
    let index = versions.binary_search_by_key(&(site - entry.site_base), |&(site, _)| site).ok()?;
    Some(versions[index].1)
}

pub(super) fn file_of(solved: &Solved, module: u32) -> File {
    solved.modules.modules[module as usize].file
}

pub(super) fn func_name(solved: &Solved, func: u32) -> Name {
    solved.modules.func(func).1.name.clone()
}

/// The positions of call `site`.
pub(super) fn call_at(solved: &Solved, site: u32) -> &CallPositions {
    let module = solved.modules.site_module(site);
    let local = site - solved.modules.modules[module as usize].site_base;
    &solved.positions[module as usize].call_sites[local as usize]
}

/// Adds to `values` the nodes that only copy one of them (`pending = as_completed(fs)`,
/// then `async for t in pending`), with the same call.
pub(super) fn follow_copies(
    constraints: &[tasklens_semantic::facts::Constraint],
    values: &mut rustc_hash::FxHashMap<u32, GSite>,
) {
    let mut sources: rustc_hash::FxHashMap<u32, Vec<u32>> = rustc_hash::FxHashMap::default();
    for constraint in constraints {
        if let tasklens_semantic::facts::Constraint::Copy { from, to, .. } = constraint {
            sources.entry(*to).or_default().push(*from);
        }
    }
    loop {
        let before = values.len();
        for (to, from) in &sources {
            if values.contains_key(to) {
                continue;
            }
            let mut sites = from.iter().map(|node| values.get(node).copied());
            if let Some(Some(site)) = sites.next()
                && sites.all(|other| other == Some(site))
            {
                values.insert(*to, site);
            }
        }
        if values.len() == before {
            return;
        }
    }
}
