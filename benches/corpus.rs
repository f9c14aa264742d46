//! Times a whole-project check of each corpus project against parse-only of the
//! same files, in one run, and the check again with a lowering store that a run before
//! filled (`stored ms`: reading the store back and checking); reports peak memory.
//!
//! `cargo bench --bench corpus [-- NAME...]`, with the corpora fetched by
//! `../shared/corpora/fetch.sh target/corpora` (or `TASKLENS_CORPORA=dir`).
//! `-- --whole` checks the whole corpus directory as one project.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tasklens_project::{Store, Workspace, with_large_stack};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn lines(workspace: &Workspace) -> usize {
    workspace.files().iter().map(|f| f.text(&workspace.db).lines().count()).sum()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    tasklens_project::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let whole = args.iter().any(|a| a == "--whole");
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let root = PathBuf::from(std::env::var("TASKLENS_CORPORA").unwrap_or_else(|_| "target/corpora".into()));
    let mut projects: Vec<PathBuf> = match std::fs::read_dir(&root) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(['_', '.'])))
            .filter(|p| names.is_empty() || names.iter().any(|n| p.ends_with(n.as_str())))
            .collect(),
        Err(error) => {
            eprintln!("no corpora at {} ({error}); run ../shared/corpora/fetch.sh target/corpora", root.display());
            return;
        }
    };
    projects.sort();
    if whole {
        projects = vec![root.clone()];
    }
    with_large_stack(move || {
        println!(
            "{:<28} {:>7} {:>9} {:>9} {:>10} {:>10} {:>10} {:>6} {:>6}",
            "project", "files", "lines", "read ms", "parse ms", "check ms", "stored ms", "TL001", "TL002"
        );
        let (mut total_parse, mut total_check, mut total_lines, mut total_files) = (0.0, 0.0, 0, 0);
        let mut total_stored = 0.0;
        let store_dir = std::env::temp_dir().join(format!("tasklens-bench-store-{}", std::process::id()));
        for project in &projects {
            let start = Instant::now();
            let parse_only = Workspace::load(std::slice::from_ref(project));
            let read = start.elapsed();
            let start = Instant::now();
            parse_only.parse_only();
            let parse = start.elapsed();
            let (files, line_count) = (parse_only.files().len(), lines(&parse_only));
            drop(parse_only);

            let checked = Workspace::load(std::slice::from_ref(project));
            let start = Instant::now();
            let diagnostics = checked.check();
            let check = start.elapsed();
            drop(checked);
            // With a lowering store filled by a run before: reading it back and checking.
            let store = || Store::new(&store_dir, std::slice::from_ref(project));
            let mut filling = Workspace::load(std::slice::from_ref(project));
            filling.read_store(store());
            filling.check();
            drop(filling);
            let mut warm = Workspace::load(std::slice::from_ref(project));
            let start = Instant::now();
            warm.read_store(store());
            let warm_diagnostics = warm.check();
            let stored = start.elapsed();
            assert_eq!(warm_diagnostics, diagnostics, "a stored run finds what a fresh one does");
            drop(warm);
            let count = |code: &str| diagnostics.iter().filter(|d| d.code == code).count();
            let name = project.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            println!(
                "{name:<28} {files:>7} {line_count:>9} {:>9.0} {:>10.0} {:>10.0} {:>10.0} {:>6} {:>6}",
                ms(read),
                ms(parse),
                ms(check),
                ms(stored),
                count("TL001"),
                count("TL002")
            );
            total_parse += ms(parse);
            total_check += ms(check);
            total_stored += ms(stored);
            total_lines += line_count;
            total_files += files;
        }
        let _ = std::fs::remove_dir_all(&store_dir);
        println!(
            "{:<28} {total_files:>7} {total_lines:>9} {:>9} {total_parse:>10.0} {total_check:>10.0} {total_stored:>10.0}",
            "total", ""
        );
        println!("peak RSS: {} MB", peak_rss_mb());
    });
}
