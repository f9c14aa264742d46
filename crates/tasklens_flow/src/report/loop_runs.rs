//! Calls that run an event loop where one is already running (TL012).

use ruff_text_size::TextRange;

use tasklens_semantic::facts::Constraint;

use super::{CallContext, Location, call_at, failure_expected, file_of, runs_below};
use crate::objects::Obj;
use crate::solver::Solved;

/// `asyncio.run(...)`, `loop.run_until_complete(...)` or `loop.run_forever()` in a
/// coroutine, or in a plain function only coroutines call: a loop is running in the thread,
/// and CPython refuses to start another one (RuntimeError).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NestedLoopRun {
    pub at: Location,
    pub callee: TextRange,
    /// In a coroutine, or in a plain function only coroutines call.
    pub context: CallContext,
    /// For a plain function: a call of it (from a coroutine, or from another such function).
    pub called_from: Option<Location>,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// Each call that runs a loop where one is running. None in a project that imports
/// `nest_asyncio`, whose `apply()` makes loops re-entrant.
pub(super) fn nested_loop_runs(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<NestedLoopRun> {
    let reentrant = (solved.modules.modules.iter())
        .any(|module| module.facts.imports.iter().any(|(target, _)| target.module.as_str() == "nest_asyncio"));
    if reentrant {
        return Vec::new();
    }
    let mut found = Vec::new();
    for &site in &solved.loop_run_sites {
        let context = context_of(site);
        let (module, call) = solved.modules.site(site);
        // A plain function that coroutines call may test for a running loop first
        // (`try: get_running_loop() except RuntimeError: asyncio.run(...)`), so only its
        // unconditional calls count; a test may expect the failure.
        let running = match context {
            CallContext::Coroutine => true,
            CallContext::LoopFunction => !call.conditional && !call.guarded,
            CallContext::Function | CallContext::Import => false,
        };
        let func = call.caller.map(|caller| solved.modules.modules[module as usize].func_base + caller);
        if !running
            || failure_expected(solved, site)
            || func.is_some_and(|func| expected_by_every_caller(solved, func))
            || call.caller.is_some_and(|caller| forks(solved, module, caller))
        {
            continue;
        }
        // For a plain function, one call of it shows where the loop is running.
        let called_from = func.filter(|_| context == CallContext::LoopFunction).and_then(|func| {
            let &(caller_site, _) = solved.calls.iter().find(|&&(_, callee)| callee == func)?;
            let caller_module = solved.modules.site_module(caller_site);
            Some(Location { file: file_of(solved, caller_module), range: call_at(solved, caller_site).range })
        });
        let at = call_at(solved, site);
        found.push(NestedLoopRun {
            called_from,
            at: Location { file: file_of(solved, module), range: at.range },
            callee: at.callee,
            context,
            below: runs_below(solved, site),
        });
    }
    found
}

/// Whether every call of `func` is in a test's block that expects it to fail (the
/// coroutine a test runs to see the RuntimeError, `with self.assertRaises(RuntimeError):
/// outer.run_until_complete(runner(inner))`).
fn expected_by_every_caller(solved: &Solved, func: u32) -> bool {
    let mut callers = solved.calls.iter().filter(|&&(_, callee)| callee == func).map(|&(site, _)| site).peekable();
    callers.peek().is_some() && callers.all(|site| failure_expected(solved, site))
}

/// Whether the function (local id `caller` of `module`) calls `os.fork()` (any method
/// named `fork`: the module may be one the analysis does not follow): after it, the child
/// process has no running loop.
fn forks(solved: &Solved, module: u32, caller: u32) -> bool {
    let entry = &solved.modules.modules[module as usize];
    let in_caller = |site: &u32| entry.facts.call_sites[*site as usize].caller == Some(caller);
    entry.facts.constraints.iter().any(|constraint| match constraint {
        Constraint::MethodCall { site, name, .. } => in_caller(site) && entry.facts.name(*name).as_str() == "fork",
        Constraint::Call { site, callee, .. } => {
            in_caller(site)
                && super::every_value(
                    solved,
                    entry.node_base + callee,
                    |value| matches!(value, Obj::External(path) if solved.paths[path as usize] == "os.fork"),
                )
        }
        _ => false,
    })
}
