//! Checking the projects of [`tasklens_project::units`]: each in a database of its own,
//! two at a time when their estimated memory fits a budget, the reports merged in order.

use std::sync::{Condvar, Mutex};

use tasklens_fix::{FixOptions, fix_workspace, unified_diff, write_fixed};
use tasklens_project::config::Config;
use tasklens_project::{Discovered, Unit, Workspace};
use tasklens_render::{json_values, render};

use crate::{CheckArgs, configure, output_style, severity_counts};
use tasklens_checks::display_path;

/// How much memory projects checked side by side may take, estimated from their sources.
const MEMORY_BUDGET: u64 = 1 << 30;
/// Peak memory of an analysis per byte of source (homeassistant: 55 MB of Python, 830 MB;
/// the CPython standard library: 30 MB, 520 MB).
const MEMORY_PER_SOURCE_BYTE: u64 = 16;

/// What the checks of all projects add up to.
#[derive(Default)]
pub(crate) struct Totals {
    /// What to print for each project, in order.
    pub outputs: Vec<String>,
    /// Errors and warnings for stderr, in order.
    pub messages: Vec<String>,
    pub diagnostics: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Fixes offered: applicable with the chosen options, and hidden (unsafe).
    pub fixable: usize,
    pub hidden: usize,
    pub files: usize,
    pub problems: usize,
    /// Findings fixed, by code, and files written.
    pub fixed: usize,
    pub fixed_by_code: std::collections::BTreeMap<&'static str, usize>,
    pub written: usize,
    /// `--add-noqa`: comments added or extended.
    pub ignores_added: usize,
    /// `--diff`: files that would change.
    pub diffed_files: usize,
    pub json: Vec<serde_json::Value>,
    /// The fixed source of the file read from stdin (`--fix --stdin-filename`).
    pub fixed_source: Option<String>,
    /// A project could not be checked (bad configuration).
    pub failed: bool,
    /// Per code: findings, and how many of them have a fix that applies.
    pub by_code: std::collections::BTreeMap<&'static str, (usize, usize)>,
}

impl Totals {
    fn merge(&mut self, other: Totals) {
        self.outputs.extend(other.outputs);
        self.messages.extend(other.messages);
        self.diagnostics += other.diagnostics;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.fixable += other.fixable;
        self.hidden += other.hidden;
        self.files += other.files;
        self.problems += other.problems;
        self.fixed += other.fixed;
        for (code, n) in other.fixed_by_code {
            *self.fixed_by_code.entry(code).or_default() += n;
        }
        self.written += other.written;
        self.ignores_added += other.ignores_added;
        self.diffed_files += other.diffed_files;
        self.json.extend(other.json);
        self.fixed_source = self.fixed_source.take().or(other.fixed_source);
        self.failed |= other.failed;
        for (code, (count, fixable)) in other.by_code {
            let entry = self.by_code.entry(code).or_default();
            entry.0 += count;
            entry.1 += fixable;
        }
    }
}

/// Checks every project and adds up the results, in the order of `units`.
pub(crate) fn check_all(args: &CheckArgs, units: &[Unit]) -> anyhow::Result<Totals> {
    let configs: Vec<anyhow::Result<Config>> = units.iter().map(|unit| configure(args, &unit.paths)).collect();
    if let [Err(_)] = configs.as_slice() {
        // With one project a bad configuration is the whole run's error.
        return Err(configs
            .into_iter()
            .next()
            .and_then(Result::err)
            .unwrap_or_else(|| anyhow::anyhow!("configuration")));
    }
    let results: Vec<Mutex<Option<anyhow::Result<Totals>>>> = units.iter().map(|_| Mutex::new(None)).collect();
    let run = |index: usize, last: bool, discovered: Option<Discovered>| {
        let mut totals = Totals::default();
        let result = match &configs[index] {
            Ok(config) => check_unit(args, &units[index], config, discovered, &mut totals, last).map(|()| totals),
            Err(error) => {
                let messages = vec![format!("tasklens: error: {error:#}")];
                Ok(Totals { failed: true, messages, ..Totals::default() })
            }
        };
        *results[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
    };
    if units.len() == 1 {
        run(0, true, None);
    } else {
        // Each project's files are found on all cores; the projects' walks overlap too.
        use rayon::prelude::*;
        let found: Vec<(Option<Discovered>, u64)> = units
            .par_iter()
            .zip(&configs)
            .map(|(unit, config)| match config {
                Ok(config) => {
                    let found = Discovered::new(unit, config);
                    let bytes = found.source_bytes();
                    (Some(found), bytes * MEMORY_PER_SOURCE_BYTE)
                }
                Err(_) => (None, 0),
            })
            .collect();
        let (found, estimates): (Vec<_>, Vec<_>) = found.into_iter().unzip();
        // Each project's files, found once: for the schedule, then to load.
        let discovered: Vec<Mutex<Option<Discovered>>> = found.into_iter().map(Mutex::new).collect();
        let schedule = Schedule::new(estimates);
        // Two at most: the solve is single-threaded, and parsing uses every core already.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                std::thread::Builder::new()
                    .stack_size(tasklens_db::STACK_SIZE)
                    .spawn_scoped(scope, || {
                        while let Some(index) = schedule.next() {
                            let found = discovered[index].lock().unwrap_or_else(|e| e.into_inner()).take();
                            run(index, false, found);
                            schedule.done(index);
                        }
                    })
                    .expect("spawn a checker thread");
            }
        });
    }
    let mut totals = Totals::default();
    for result in results {
        let result = result.into_inner().unwrap_or_else(|e| e.into_inner());
        totals.merge(result.unwrap_or_else(|| Err(anyhow::anyhow!("a project was not checked")))?);
    }
    Ok(totals)
}

/// Which project to check next: the largest one whose estimated memory fits beside the
/// ones being checked (any one when nothing else runs).
struct Schedule {
    estimates: Vec<u64>,
    state: Mutex<(Vec<bool>, u64)>,
    changed: Condvar,
}

impl Schedule {
    fn new(estimates: Vec<u64>) -> Self {
        let started = vec![false; estimates.len()];
        Schedule { estimates, state: Mutex::new((started, 0)), changed: Condvar::new() }
    }

    fn next(&self) -> Option<usize> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let (started, in_use) = &mut *state;
            let waiting = (0..started.len()).filter(|&i| !started[i]);
            let fits = waiting.clone().filter(|&i| *in_use == 0 || *in_use + self.estimates[i] <= MEMORY_BUDGET);
            if let Some(index) = fits.max_by_key(|&i| (self.estimates[i], std::cmp::Reverse(i))) {
                started[index] = true;
                *in_use += self.estimates[index];
                return Some(index);
            }
            if waiting.count() == 0 {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn done(&self, index: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1 -= self.estimates[index];
        self.changed.notify_all();
    }
}

/// Checks (or fixes) one project in a database of its own and returns what to print for
/// it; the database is dropped before the next project is loaded (the last one is leaked).
pub(crate) fn check_unit(
    args: &CheckArgs,
    unit: &tasklens_project::Unit,
    config: &Config,
    discovered: Option<Discovered>,
    totals: &mut Totals,
    last: bool,
) -> anyhow::Result<()> {
    let (format, color) = output_style(args);
    let mut workspace = match discovered {
        Some(found) => Workspace::load_discovered(found, unit, config, args.target_version),
        None => Workspace::load_unit(unit, config, args.target_version),
    };
    if let Some(store) = store_for(args, &workspace) {
        workspace.read_store(store);
    }
    let stdin = match (&args.stdin_filename, &args.stdin_text) {
        (Some(path), Some(text)) => Some((workspace.set_source(path, text), text)),
        _ => None,
    };
    workspace.set_warn_unused_ignores(args.warn_unused_ignores);
    for problem in &workspace.problems {
        totals.messages.push(format!("tasklens: error: {}: {}", problem.path.display(), problem.message));
    }
    totals.problems += workspace.problems.len();
    totals.files += workspace.scoped_file_count();
    let options = FixOptions { unsafe_fixes: args.unsafe_fixes };
    let diagnostics = if args.fix || args.diff {
        let outcome = fix_workspace(&mut workspace, options, &|d, path| config.reports_in(d.code, path));
        for rejected in &outcome.rejected {
            totals.messages.push(format!("tasklens: error: {}: {}", rejected.path.display(), rejected.message));
        }
        if !outcome.converged {
            totals
                .messages
                .push("tasklens: warning: fixes were still left after the last pass; run `--fix` again".into());
        }
        totals.fixed += outcome.fixed;
        if args.diff {
            totals.diffed_files += outcome.files.len();
            let mut out = String::new();
            for file in &outcome.files {
                let path = display_path(&workspace.db, file.file);
                out.push_str(&unified_diff(&path, &file.original, &file.fixed));
            }
            totals.outputs.push(out);
            release(workspace, last);
            return Ok(());
        }
        if let Some((stdin_file, text)) = stdin {
            // Stdin's source is printed, never written; nothing else is named, so nothing
            // else is fixed.
            let fixed = outcome.files.iter().find(|file| file.file == stdin_file);
            totals.written += usize::from(fixed.is_some());
            totals.fixed_source = Some(fixed.map_or_else(|| text.clone(), |file| file.fixed.to_string()));
        }
        for file in outcome.files.iter().filter(|file| stdin.is_none_or(|(stdin_file, _)| file.file != stdin_file)) {
            match write_fixed(&file.path, &file.original, &file.fixed) {
                Ok(()) => totals.written += 1,
                Err(error) => totals.messages.push(format!("tasklens: error: {error}")),
            }
        }
        totals.fixed_by_code = outcome.fixed_by_code.clone();
        outcome.remaining
    } else {
        let mut diagnostics = workspace.check();
        diagnostics.retain(|diagnostic| {
            let path = diagnostic.primary.file.path(&workspace.db);
            config.reports_in(diagnostic.code, path) && workspace.reports(diagnostic)
        });
        diagnostics
    };
    if args.add_noqa {
        // Only the named files are edited, as with `--fix`.
        let mut diagnostics = diagnostics;
        diagnostics.retain(|d| workspace.in_scope(d.primary.file));
        let added = tasklens_fix::add_ignores(&workspace.db, &diagnostics);
        for &(file, line, reason) in &added.skipped {
            let path = display_path(&workspace.db, file);
            totals.messages.push(format!("tasklens: warning: {path}:{line}: no comment added: {reason}"));
        }
        for file in &added.files {
            match write_fixed(&file.path, &file.original, &file.fixed) {
                Ok(()) => totals.written += 1,
                Err(error) => totals.messages.push(format!("tasklens: error: {error}")),
            }
        }
        totals.ignores_added += added.added;
        release(workspace, last);
        return Ok(());
    }
    let (errors, warnings) = severity_counts(&diagnostics);
    totals.diagnostics += diagnostics.len();
    totals.errors += errors;
    totals.warnings += warnings;
    for diagnostic in &diagnostics {
        let entry = totals.by_code.entry(diagnostic.code).or_default();
        entry.0 += 1;
        entry.1 += usize::from(diagnostic.fix.as_ref().is_some_and(|fix| options.applies(fix)));
    }
    let fixes = || diagnostics.iter().filter_map(|d| d.fix.as_ref());
    let fixable = fixes().filter(|fix| options.applies(fix)).count();
    totals.fixable += fixable;
    totals.hidden += fixes().count() - fixable;
    let out = if format.is_document() {
        totals.json.extend(json_values(&workspace.db, &diagnostics));
        String::new()
    } else {
        render(&workspace.db, &diagnostics, format, color)
    };
    totals.outputs.push(out);
    release(workspace, last);
    Ok(())
}

/// Frees a checked project's database: the last one is leaked (the process ends soon and
/// tearing it down would only cost time), others are torn down on another thread.
fn release(workspace: Workspace, last: bool) {
    if last {
        std::mem::forget(workspace);
    } else {
        std::thread::spawn(move || drop(workspace));
    }
}

/// Where a project's lowerings are stored between runs: `--cache-dir` (or
/// `TASKLENS_CACHE_DIR`), else `.tasklens_cache` in the project's directory (the directory
/// of its configuration, else the first directory checked); none with `--no-cache`.
pub(crate) fn store_for(args: &CheckArgs, workspace: &Workspace) -> Option<tasklens_project::Store> {
    if args.no_cache {
        return None;
    }
    store_in(args.cache_dir.as_deref(), workspace)
}

/// The store in `dir`, else in the project's own `.tasklens_cache`.
pub(crate) fn store_in(dir: Option<&std::path::Path>, workspace: &Workspace) -> Option<tasklens_project::Store> {
    let roots = workspace.roots();
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => {
            let first = roots.first()?;
            let base = if first.is_dir() { first.as_path() } else { first.parent()? };
            base.join(tasklens_project::DEFAULT_STORE_DIR)
        }
    };
    Some(tasklens_project::Store::new(&dir, roots))
}
