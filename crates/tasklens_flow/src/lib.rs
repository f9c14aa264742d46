//! The cross-module flow graph: links every module's facts into one graph,
//! solves which values reach which places, and reports the flows the rules
//! need.
//!
//! Invariant: the result is a pure function of the project's module facts;
//! it only re-runs when some module's facts change.

mod asyncio_api;
mod dropped;
mod modules;
mod objects;
mod report;
mod solver;
mod stdlib;

use std::sync::Arc;

use tasklens_db::{FileStatus, Project};
use tasklens_semantic::{module_facts, module_positions};

pub use report::{
    AwaitOnNonAwaitable, CallContext, CallbackCaller, CalledCallback, CalledResult, CoroutineCallback, CoroutineFlow,
    CoroutineUse, DroppedAt, DroppedTask, EnsureFutureCall, FlowReport, FutureFlow, Gathered, LOOP_BOUND_UNTIL,
    Location, LoopBoundObject, LooplessCall, LooplessStart, MaskedCast, MismatchedValue, MissingAwait, NestedLoopRun,
    NewerApi, NewerApiUse, ParamShape, Producer, ProtocolMismatch, RaisedTimeout, RemovedLoopArgument,
    ReturningCallback, Sink, SinkKind, Step, StepKind, TIMEOUT_ERROR_UNIFIED, TaskArgumentFlow, TaskResultSet,
    UnawaitedCoroutine, UncaughtTimeout, UncheckedOutcome, WaitOnCoroutine, Wanted,
};

/// Resident and peak memory of this process (Linux), for statistics.
pub fn memory_status() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM")).collect::<Vec<_>>().join(", ")
}

/// Solves the project's flow graph. It reads only the modules' facts, which carry no
/// positions: an edit that only moves code (comments, blank lines, strings, formatting)
/// leaves every module's facts equal, and this solution is reused.
#[salsa::tracked(returns(ref), no_eq)]
fn project_solution(db: &dyn salsa::Database, project: Project) -> Arc<solver::Solution> {
    let mut entries: Vec<_> = project
        .files(db)
        .iter()
        .filter(|file| *file.status(db) == FileStatus::Exists)
        .map(|&file| (file, file.module_name(db).clone(), *file.is_package(db), module_facts(db, file).clone()))
        .collect();
    // No module spells an asyncio name: no value the rules look for can exist, so the
    // solve (seconds on a large project) is skipped and the solution is empty.
    if !entries.iter().any(|(_, _, _, facts)| facts.spells_asyncio) {
        entries.clear();
    }
    let start = std::time::Instant::now();
    let solution = solver::Solver::solve(modules::Modules::new(entries), &|| db.unwind_if_revision_cancelled());
    let solved_at = start.elapsed();
    let mut solved = solver::Solved { positions: Vec::new(), solution: Arc::new(solution) };
    let derived = report::derive(&solved);
    if std::env::var_os("TASKLENS_SOLVER_STATS").is_some() {
        eprintln!("solution built by {solved_at:?}, derived by {:?}", start.elapsed());
    }
    if let Some(solution) = Arc::get_mut(&mut solved.solution) {
        solution.derived = derived;
    }
    solved.solution
}

/// The flows the rules need: the solution, located with its modules' positions.
#[salsa::tracked(returns(ref))]
pub fn project_flow(db: &dyn salsa::Database, project: Project) -> Arc<FlowReport> {
    let solution = project_solution(db, project).clone();
    let positions = solution.modules.modules.iter().map(|m| module_positions(db, m.file).clone()).collect();
    let start = std::time::Instant::now();
    let report = report::extract(&solver::Solved { positions, solution });
    if std::env::var_os("TASKLENS_SOLVER_STATS").is_some() {
        eprintln!("report {:?}", start.elapsed());
    }
    Arc::new(report)
}
