//! `tasklens check --watch`: a file watcher feeds changed paths into the workspace, each
//! check runs on a worker thread with a database clone, a newer change cancels a running
//! check (salsa cancellation), and every finished check prints its report.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use anyhow::Context;
use notify::{EventKind, RecursiveMode, Watcher};
use tasklens_project::config::Config;
use tasklens_project::{PathProblem, Unit, Workspace};
use tasklens_render::{OutputFormat, json_values, render};

use crate::{CheckArgs, configure, output_style, severity_counts};

/// A burst of events ends after this much quiet...
const QUIET: Duration = Duration::from_millis(30);
/// ...or after this long, so a long `git checkout` still ends in a report.
const MAX_DELAY: Duration = Duration::from_millis(500);

enum Message {
    Changed(Vec<PathBuf>),
    WatchError(String),
    /// A check of project `unit` finished (`None`: cancelled by a newer change).
    Report {
        unit: usize,
        generation: u64,
        output: Option<String>,
    },
    Interrupt,
}

/// One project being watched: its database, configuration, the generation of its latest
/// check and that check's report.
struct Watched {
    unit: Unit,
    workspace: Workspace,
    config: Config,
    generation: u64,
    output: Option<String>,
}

pub(crate) fn watch(args: &CheckArgs, units: &[Unit]) -> anyhow::Result<ExitCode> {
    let (sender, receiver) = channel();
    let interrupts = sender.clone();
    ctrlc::set_handler(move || {
        let _ = interrupts.send(Message::Interrupt);
    })
    .context("cannot handle Ctrl-C")?;
    let events = sender.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let message = match event {
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => return,
            Ok(event) => Message::Changed(event.paths.into_iter().filter(|p| !is_tool_state(p)).collect()),
            Err(error) => Message::WatchError(error.to_string()),
        };
        let _ = events.send(message);
    })
    .context("cannot start the file watcher")?;
    // The projects around the named paths: a change anywhere in them can change a flow.
    for path in &tasklens_project::context_roots(&args.paths) {
        // Editors replace a file by renaming a new one over it, which ends a watch on the
        // file itself: watch a file's directory instead.
        let (target, mode) = match path.parent() {
            Some(parent) if path.is_file() => (
                if parent.as_os_str().is_empty() { std::path::Path::new(".") } else { parent },
                RecursiveMode::NonRecursive,
            ),
            _ => (path.as_path(), RecursiveMode::Recursive),
        };
        watcher.watch(target, mode).with_context(|| format!("cannot watch {}", path.display()))?;
    }
    let (format, color) = output_style(args);
    let mut watched = Vec::new();
    for unit in units {
        let config = configure(args, &unit.paths)?;
        let mut workspace = Workspace::load_unit(unit, &config, args.target_version);
        // What an earlier `tasklens check` stored spares the first check its parsing.
        if let Some(store) = crate::projects::store_for(args, &workspace) {
            workspace.read_store(store);
        }
        workspace.set_warn_unused_ignores(args.warn_unused_ignores);
        watched.push(Watched { unit: unit.clone(), workspace, config, generation: 0, output: None });
    }
    for (index, project) in watched.iter().enumerate() {
        start_check(index, project, &sender, format, color);
    }
    loop {
        let Ok(message) = receiver.recv() else { return Ok(ExitCode::SUCCESS) };
        match message {
            Message::Interrupt => return Ok(ExitCode::SUCCESS),
            Message::WatchError(error) => eprintln!("tasklens: watch error: {error}"),
            Message::Report { unit, generation: done, output } => {
                let project = &mut watched[unit];
                if let (true, Some(output)) = (done == project.generation, output) {
                    if format.is_document() {
                        // One document per line per check.
                        print_report(&[&output], format);
                    }
                    project.output = Some(output);
                    // Print once every project has reported, then after each new report.
                    if !format.is_document() && watched.iter().all(|p| p.output.is_some()) {
                        let outputs: Vec<&str> = watched.iter().filter_map(|p| p.output.as_deref()).collect();
                        print_report(&outputs, format);
                    }
                }
            }
            Message::Changed(paths) => {
                let Some(changed) = debounce(paths, &receiver) else { return Ok(ExitCode::SUCCESS) };
                let changed: Vec<PathBuf> = changed.into_iter().collect();
                let config_changed = changed.iter().any(|path| {
                    path.file_name()
                        .is_some_and(|name| tasklens_project::CONFIG_FILES.iter().any(|config| name == *config))
                });
                for (index, project) in watched.iter_mut().enumerate() {
                    let mut any = false;
                    if config_changed {
                        match configure(args, &project.unit.paths) {
                            Ok(new) => {
                                any |= new != project.config;
                                project.config = new;
                                any |= project.workspace.reconfigure(&project.config, args.target_version);
                            }
                            Err(error) => {
                                eprintln!("tasklens: error: {error:#} (the previous configuration is kept)")
                            }
                        }
                    }
                    // Setting inputs cancels the running check and waits for its database clone.
                    any |= project.workspace.sync(&changed);
                    if any {
                        project.generation += 1;
                        start_check(index, project, &sender, format, color);
                    }
                }
            }
        }
    }
}

/// Collects the paths of a burst of events; `None` on Ctrl-C.
fn debounce(first: Vec<PathBuf>, receiver: &Receiver<Message>) -> Option<BTreeSet<PathBuf>> {
    let mut changed: BTreeSet<PathBuf> = first.into_iter().collect();
    let deadline = Instant::now() + MAX_DELAY;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Some(changed);
        }
        match receiver.recv_timeout(QUIET.min(left)) {
            Ok(Message::Changed(paths)) => changed.extend(paths),
            Ok(Message::Interrupt) => return None,
            Ok(Message::WatchError(error)) => eprintln!("tasklens: watch error: {error}"),
            // A report finished meanwhile is already out of date.
            Ok(Message::Report { .. }) => {}
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return Some(changed),
        }
    }
}

/// Paths that tools, not people, change (version control, bytecode caches).
fn is_tool_state(path: &std::path::Path) -> bool {
    path.components().any(|c| matches!(c.as_os_str().to_str(), Some(".git" | "__pycache__" | ".mypy_cache")))
}

/// Runs one check on a worker thread; its report (or `None` when a newer change
/// cancelled it) comes back as a message.
fn start_check(unit: usize, project: &Watched, sender: &Sender<Message>, format: OutputFormat, color: bool) {
    let job = project.workspace.job();
    let (sender, config, generation) = (sender.clone(), project.config.clone(), project.generation);
    let problems = project.workspace.problems.clone();
    let spawned = std::thread::Builder::new().stack_size(tasklens_db::STACK_SIZE).spawn(move || {
        let started = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            salsa::Cancelled::catch(AssertUnwindSafe(|| {
                let mut diagnostics = job.run();
                diagnostics.retain(|d| config.reports_in(d.code, d.primary.file.path(&job.db)) && job.reports(d));
                report(&job, &diagnostics, &problems, format, color, started.elapsed())
            }))
        }));
        let output = match result {
            Ok(Ok(output)) => Some(output),
            Ok(Err(_cancelled)) => None,
            Err(_) => Some("tasklens: error: internal error (a bug in tasklens); please report it\n".into()),
        };
        drop(job);
        let _ = sender.send(Message::Report { unit, generation, output });
    });
    if let Err(error) = spawned {
        eprintln!("tasklens: error: cannot start a check: {error}");
    }
}

/// The text printed after a check: the findings and a summary (one JSON line for `json`).
fn report(
    job: &tasklens_project::CheckJob,
    diagnostics: &[tasklens_checks::Diagnostic],
    problems: &[PathProblem],
    format: OutputFormat,
    color: bool,
    took: Duration,
) -> String {
    if format.is_document() {
        return format!("{}\n", format.document(&json_values(&job.db, diagnostics), true));
    }
    let mut out = render(&job.db, diagnostics, format, color);
    for problem in problems {
        out.push_str(&format!("tasklens: error: {}: {}\n", problem.path.display(), problem.message));
    }
    let (errors, warnings) = severity_counts(diagnostics);
    match diagnostics.len() {
        0 => out.push_str("All checks passed!"),
        _ => out.push_str(&format!("Found {}.", tasklens_checks::tally(errors, warnings))),
    }
    out.push_str(&format!(" Checked in {} ms; watching for file changes.\n", took.as_millis()));
    out
}

/// Prints the latest report of every project (one JSON line each for `json`).
fn print_report(outputs: &[&str], format: OutputFormat) {
    let mut stdout = std::io::stdout().lock();
    if !format.is_document() && stdout.is_terminal() {
        // Clear the screen and go home, as `ruff check --watch` does.
        let _ = stdout.write_all(b"\x1b[2J\x1b[H");
    }
    for output in outputs {
        let _ = stdout.write_all(output.as_bytes());
    }
    let _ = stdout.flush();
}
