//! The cross-module flow graph: links every module's facts into one graph,
//! solves which values reach which places, and reports the flows the rules
//! need.
//!
//! Invariant: the result is a pure function of the project's module facts;
//! it only re-runs when some module's facts change.

mod asyncio_api;
mod modules;
mod objects;
mod report;
mod solver;

use std::sync::Arc;

use tasklens_db::{FileStatus, Project};
use tasklens_semantic::module_facts;

pub use report::{
    CallContext, DroppedTask, EnsureFutureCall, FlowReport, FutureFlow, ImportTimeTask, Location, MaskedCast, Producer,
    RemovedLoopArgument, Sink, SinkKind, Step, StepKind, TaskArgumentFlow,
};

/// Resident and peak memory of this process (Linux), for statistics.
pub fn memory_status() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM")).collect::<Vec<_>>().join(", ")
}

/// Solves the project's flow graph.
#[salsa::tracked(returns(ref))]
pub fn project_flow(db: &dyn salsa::Database, project: Project) -> Arc<FlowReport> {
    let entries = project
        .files(db)
        .iter()
        .filter(|file| *file.status(db) == FileStatus::Exists)
        .map(|&file| (file, file.module_name(db).clone(), *file.is_package(db), module_facts(db, file).clone()))
        .collect();
    let solved = solver::Solver::solve(modules::Modules::new(entries), &|| db.unwind_if_revision_cancelled());
    let start = std::time::Instant::now();
    let report = report::extract(&solved);
    if std::env::var_os("TASKLENS_SOLVER_STATS").is_some() {
        eprintln!("report {:?}", start.elapsed());
    }
    // Freeing the solver's millions of small allocations takes a noticeable time: do it
    // off the path to the report.
    std::thread::spawn(move || drop(solved));
    Arc::new(report)
}
