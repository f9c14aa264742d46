//! Rules that turn the solved flow into diagnostics, and the diagnostics for
//! input problems (syntax errors, unreadable files).
//!
//! Invariant: rules read the flow report and the files; they never re-run the analysis.

pub mod asyncio_imports;
mod describe;
pub mod diagnostic;
pub mod registry;
pub mod rules;
mod suppress;
pub mod task_keeper;

use tasklens_db::{FileStatus, Project};
use tasklens_flow::project_flow;

pub use describe::{counted, display_path, tally};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
pub use registry::{Rule, all_rules, rule};
pub use suppress::UNUSED_IGNORE;

/// Code of a file that could not be parsed.
pub const SYNTAX_ERROR: &str = "syntax-error";
/// Syntax errors shown per file; a file of garbage would otherwise flood the report.
const MAX_SYNTAX_ERRORS_PER_FILE: usize = 10;

/// Code of code nested too deeply to analyse.
pub const TOO_DEEP: &str = "too-deep";
/// Code of a file that could not be read.
pub const IO_ERROR: &str = "io-error";
/// Code of a project whose flow analysis stopped at its growth limit (a defect).
pub const ANALYSIS_INCOMPLETE: &str = "analysis-incomplete";

/// The syntax tree of an existing file that parsed without problems: fixes that need more
/// of a module than its findings read it, and are made only where it is whole.
pub(crate) fn whole_tree(
    db: &dyn salsa::Database,
    file: tasklens_db::File,
) -> Option<std::sync::Arc<ruff_python_parser::Parsed<ruff_python_ast::ModModule>>> {
    if *file.status(db) != FileStatus::Exists {
        return None;
    }
    let parsed = tasklens_db::parsed_module(db, file);
    parsed.problems().is_empty().then(|| parsed.load())
}

/// Every diagnostic of the project, sorted by file and position.
#[salsa::tracked(returns(ref))]
pub fn project_diagnostics(db: &dyn salsa::Database, project: Project) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for &file in project.files(db).iter() {
        match file.status(db) {
            FileStatus::Exists => {}
            FileStatus::Unreadable(reason) => {
                let range = ruff_text_size::TextRange::default();
                diagnostics.push(Diagnostic {
                    code: IO_ERROR,
                    severity: Severity::Error,
                    message: reason.to_string(),
                    primary: Label { file, range, message: String::new() },
                    trace: Vec::new(),
                    fix: None,
                });
                continue;
            }
            FileStatus::Deleted => continue,
        }
        if let Some(range) = tasklens_semantic::module_positions(db, file).too_deep {
            diagnostics.push(Diagnostic {
                code: TOO_DEEP,
                severity: Severity::Error,
                message: format!(
                    "code nests more than {} levels deep here; the rest of this expression was not analysed",
                    tasklens_semantic::MAX_DEPTH
                ),
                primary: Label { file, range: ruff_text_size::TextRange::empty(range.start()), message: String::new() },
                trace: Vec::new(),
                fix: None,
            });
        }
        let problems = tasklens_semantic::module_syntax_problems(db, file);
        for problem in problems.iter().take(MAX_SYNTAX_ERRORS_PER_FILE) {
            diagnostics.push(Diagnostic {
                code: SYNTAX_ERROR,
                severity: Severity::Error,
                message: format!("syntax error: {}", printable(&problem.message)),
                primary: Label { file, range: problem.range, message: String::new() },
                trace: Vec::new(),
                fix: None,
            });
        }
        if let Some(first_hidden) = problems.get(MAX_SYNTAX_ERRORS_PER_FILE) {
            let hidden = problems.len() - MAX_SYNTAX_ERRORS_PER_FILE;
            diagnostics.push(Diagnostic {
                code: SYNTAX_ERROR,
                severity: Severity::Error,
                message: format!("{hidden} more syntax errors in this file are not shown"),
                primary: Label { file, range: first_hidden.range, message: String::new() },
                trace: Vec::new(),
                fix: None,
            });
        }
    }
    let report = project_flow(db, project);
    if report.incomplete
        && let Some(&file) = project.files(db).iter().find(|file| *file.status(db) == FileStatus::Exists)
    {
        diagnostics.push(Diagnostic {
            code: ANALYSIS_INCOMPLETE,
            severity: Severity::Error,
            message: "the flow analysis of this project grew past its limit and was stopped, so no TL \
                      finding is reported for it; this is a defect of tasklens, please report it"
                .to_string(),
            primary: Label { file, range: ruff_text_size::TextRange::default(), message: String::new() },
            trace: Vec::new(),
            fix: None,
        });
    }
    // One finding per line to change (the producer, or the hop that forwards a parameter):
    // the shortest flow proves it, other sinks are listed.
    let groups = by_line_to_change(&report.future_flows, |flow| {
        let at = rules::future_flows_into_task::line_to_change(flow);
        (at.file, at.range)
    });
    for group in groups {
        diagnostics.push(rules::future_flows_into_task::diagnostic(db, group[0], &group[1..]));
    }
    let target = *project.target_version(db);
    // Code under a version guard that no supported Python runs (`if sys.version_info <
    // (3, 7):` for a 3.8 target) keeps its `ensure_future`, and is not reported at all.
    let supported = |below: Option<tasklens_db::PythonVersion>| below.is_none_or(|below| target < below);
    for call in report.ensure_future_calls.iter().filter(|call| supported(call.below)) {
        // In a thread without an event loop it raises: that is the finding to fix first.
        diagnostics.push(match rules::create_task_without_running_loop::ensure_future_diagnostic(db, call) {
            Some(diagnostic) => diagnostic,
            None => rules::ensure_future_on_coroutine::diagnostic(db, call),
        });
    }
    for flow in report.task_arguments.iter().filter(|flow| supported(flow.below)) {
        diagnostics.push(match flow.wanted {
            tasklens_flow::Wanted::MainCoroutine => rules::run_on_non_coroutine::diagnostic(db, flow),
            _ => rules::create_task_on_non_coroutine::diagnostic(db, flow),
        });
    }
    for task in report.loopless_calls.iter().filter(|task| supported(task.below)) {
        diagnostics.push(rules::create_task_without_running_loop::diagnostic(db, task));
    }
    // Only Pythons from 3.12 on object, and every project may run on those.
    let runs_from_3_12 = |below: Option<tasklens_db::PythonVersion>| {
        below.is_none_or(|below| below > tasklens_db::PythonVersion::new(3, 12))
    };
    // The first call that asks for the current loop where none is set makes one and sets
    // it (Python 3.12 and 3.13 warn once): later asks as that module is imported or that
    // script starts find it. Only the first of each module's start is reported, in the order
    // of the calls that lead there. A call in another module may be reached from other
    // starts too (one way is shown for each call): it is always reported.
    let mut asks: Vec<(tasklens_flow::Location, Vec<u32>, Diagnostic)> = Vec::new();
    let mut ask = |at: tasklens_flow::Location, chain: &[tasklens_flow::Location], diagnostic: Diagnostic| {
        let outermost = chain.first().copied().unwrap_or(at);
        let order = chain.iter().chain(std::iter::once(&at)).map(|hop| hop.range.start().to_u32()).collect();
        asks.push((outermost, order, diagnostic));
    };
    for call in report.implicit_loop_calls.iter().filter(|call| runs_from_3_12(call.below)) {
        let asks = rules::implicit_event_loop::Asks::GetEventLoop;
        let diagnostic =
            rules::implicit_event_loop::diagnostic(db, call.at, call.callee, &call.chain, call.start, asks);
        ask(call.at, &call.chain, diagnostic);
    }
    // `ensure_future(coro)` without `loop=` asks `get_event_loop()` for the loop too.
    for call in
        report.ensure_future_calls.iter().filter(|call| call.loop_keyword.is_none() && runs_from_3_12(call.below))
    {
        if let Some((chain, start)) = &call.implicit_loop {
            let asks = rules::implicit_event_loop::Asks::EnsureFuture;
            let diagnostic = rules::implicit_event_loop::diagnostic(db, call.at, call.callee, chain, *start, asks);
            ask(call.at, chain, diagnostic);
        }
    }
    asks.sort_by(|a, b| a.1.cmp(&b.1));
    let mut started: Vec<tasklens_db::File> = Vec::new();
    for (outermost, _, diagnostic) in asks {
        if !started.contains(&outermost.file) || diagnostic.primary.file != outermost.file {
            started.push(outermost.file);
            diagnostics.push(diagnostic);
        }
    }
    // A `Future` fails in every version; the others only against a version the project
    // declares, as for TL016: 3.8 and 3.9 are past their end of life, and a project that
    // says nothing may well run on a newer one.
    let binds_when_made = *project.target_declared(db) && target < tasklens_flow::LOOP_BOUND_UNTIL;
    for made in report.loop_bound_at_import.iter().filter(|made| supported(made.made.below)) {
        if made.bound_in_every_version() || binds_when_made {
            diagnostics.push(rules::loop_bound_at_import::diagnostic(db, made, target));
        }
    }
    // Only against a declared version, as for TL016: code written for 3.11 and later, where
    // the two are one class, is right.
    if *project.target_declared(db) && target < tasklens_flow::TIMEOUT_ERROR_UNIFIED {
        for uncaught in report.uncaught_timeouts.iter().filter(|uncaught| supported(uncaught.below)) {
            diagnostics.push(rules::timeout_error_before_3_11::diagnostic(db, uncaught, target));
        }
    }
    // A call that is never given a coroutine raises instead of making a Task: nothing to keep.
    let never_a_task: Vec<tasklens_flow::Location> = (report.task_arguments.iter())
        .filter(|flow| {
            use tasklens_flow::Producer;
            matches!(
                flow.producer,
                Producer::Function { .. }
                    | Producer::Generator { .. }
                    | Producer::Awaitable { .. }
                    | Producer::PlainResult { .. }
                    | Producer::Partial { .. }
                    | Producer::AsyncioFunction { .. }
            )
        })
        .map(|flow| flow.call)
        .collect();
    for task in report.dropped_tasks.iter().filter(|task| !never_a_task.contains(&task.at) && supported(task.below)) {
        diagnostics.push(rules::dangling_task::diagnostic(db, task));
    }
    diagnostics.extend(rules::masked_future_task_error::suppressed_sinks(db, &report.future_flows));
    for cast in &report.masked_casts {
        diagnostics.push(rules::masked_future_task_error::cast(db, cast));
    }
    // Under a version guard a call runs only below `below`: one that fails from `since` (every
    // version: `None`) fails only if some supported version where it fails is below that.
    let fails_where_it_runs = |since: Option<tasklens_db::PythonVersion>, below: Option<tasklens_db::PythonVersion>| {
        let fails_from = since.map_or(target, |since| target.max(since));
        below.is_none_or(|below| fails_from < below)
    };
    for argument in &report.removed_loop_arguments {
        let since = (!argument.never_accepted).then_some(rules::removed_loop_argument::REMOVED_IN);
        let runs_there = fails_where_it_runs(since, argument.below);
        if (argument.never_accepted || target >= rules::removed_loop_argument::REMOVED_IN) && runs_there {
            diagnostics.push(rules::removed_loop_argument::diagnostic(db, argument, target));
        }
    }
    // Only against a version the project declares: an application that never says which
    // Python it runs on may well run on one that has the API.
    if *project.target_declared(db) {
        for used in report.newer_api_uses.iter().filter(|used| supported(used.below)) {
            // Under `if sys.version_info >= (3, 11):` it runs only where the API exists.
            if target.max(used.from_version.unwrap_or(target)) < used.since {
                diagnostics.push(rules::newer_asyncio_api::diagnostic(used, target));
            }
        }
    }
    for wait in &report.waits_on_coroutines {
        // Up to 3.10 `asyncio.wait` still wrapped coroutines in Tasks; a lone coroutine
        // fails everywhere. Reported whatever the target: a project that supports 3.10 runs
        // on 3.11 too.
        let since = (!wait.bare).then_some(rules::wait_on_coroutine::REFUSED_FROM);
        if fails_where_it_runs(since, wait.below) {
            diagnostics.push(rules::wait_on_coroutine::diagnostic(db, wait));
        }
    }
    for callback in report.coroutine_callbacks.iter().filter(|callback| supported(callback.below)) {
        diagnostics.push(rules::async_function_as_callback::diagnostic(db, callback));
    }
    for called in report.called_callbacks.iter().filter(|called| supported(called.below)) {
        diagnostics.push(rules::call_result_as_callback::diagnostic(db, called));
    }
    for mismatch in &report.protocol_mismatches {
        diagnostics.push(rules::sync_async_mismatch::diagnostic(db, mismatch));
    }
    for call in report.unawaited_coroutines.iter().filter(|call| supported(call.below)) {
        diagnostics.extend(rules::unawaited_coroutine::diagnostic(db, call));
    }
    // One finding per call that makes the coroutine: the shortest flow proves it.
    let supported_flows: Vec<&tasklens_flow::CoroutineFlow> =
        report.coroutine_flows.iter().filter(|flow| supported(flow.below)).collect();
    for group in by_line_to_change(supported_flows, rules::coroutine_used_as_task::line_to_change) {
        diagnostics.extend(rules::coroutine_used_as_task::diagnostic(db, group[0], &group[1..]));
    }
    let supported_sets: Vec<&tasklens_flow::TaskResultSet> =
        report.task_results_set.iter().filter(|flow| supported(flow.below)).collect();
    for group in by_line_to_change(supported_sets, rules::set_result_on_task::line_to_change) {
        diagnostics.push(rules::set_result_on_task::diagnostic(db, group[0], &group[1..]));
    }
    for read in report.unchecked_outcomes.iter().filter(|read| supported(read.below)) {
        diagnostics.push(rules::done_callback_ignores_cancellation::diagnostic(db, read));
    }
    let supported_uses: Vec<&tasklens_flow::MissingAwait> =
        report.missing_awaits.iter().filter(|used| supported(used.below)).collect();
    for group in by_line_to_change(supported_uses, rules::missing_await::line_to_change) {
        diagnostics.extend(rules::missing_await::diagnostic(db, group[0], &group[1..]));
    }
    for run in report.nested_loop_runs.iter().filter(|run| supported(run.below)) {
        diagnostics.push(rules::loop_run_in_running_loop::diagnostic(db, run));
    }
    for awaited in report.awaits_on_non_awaitables.iter().filter(|awaited| supported(awaited.below)) {
        diagnostics.extend(rules::await_on_non_awaitable::diagnostic(db, awaited));
    }
    suppress::apply(db, project.files(db), &mut diagnostics, *project.warn_unused_ignores(db));
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.primary.file.path(db).clone(), d.primary.range.start(), d.code);
        key(a).cmp(&key(b))
    });
    diagnostics
}

/// Flows grouped by the line to change (first seen first), each group's shortest flow
/// (fewest steps) first: it proves the finding, the others' sinks are listed.
fn by_line_to_change<'a, F: FlowSteps + 'a>(
    flows: impl IntoIterator<Item = &'a F>,
    line: impl Fn(&F) -> (tasklens_db::File, ruff_text_size::TextRange),
) -> Vec<Vec<&'a F>> {
    let mut groups: Vec<Vec<&F>> = Vec::new();
    let mut group_of: rustc_hash::FxHashMap<_, usize> = rustc_hash::FxHashMap::default();
    for flow in flows {
        match group_of.get(&line(flow)) {
            Some(&index) => groups[index].push(flow),
            None => {
                group_of.insert(line(flow), groups.len());
                groups.push(vec![flow]);
            }
        }
    }
    for group in &mut groups {
        group.sort_by_key(|flow| flow.step_count());
    }
    groups
}

/// A flow whose steps a finding shows.
trait FlowSteps {
    fn step_count(&self) -> usize;
}

impl FlowSteps for tasklens_flow::FutureFlow {
    fn step_count(&self) -> usize {
        self.steps.len()
    }
}

impl FlowSteps for tasklens_flow::MissingAwait {
    fn step_count(&self) -> usize {
        self.steps.len()
    }
}

impl FlowSteps for tasklens_flow::TaskResultSet {
    fn step_count(&self) -> usize {
        self.steps.len()
    }
}

impl FlowSteps for tasklens_flow::CoroutineFlow {
    fn step_count(&self) -> usize {
        self.steps.len()
    }
}

/// `message` with control characters escaped (`\u{0}`, `\u{1b}`): a parser message may quote
/// the token it choked on, and a raw NUL or escape byte would go to the terminal.
fn printable(message: &str) -> String {
    message.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}
