//! Watch-mode latency: edits one file of a corpus project again and again, each time
//! setting its text, re-checking incrementally and rendering the report (what
//! `tasklens check --watch` does after its 30 ms quiet period), and prints the p50 and p95
//! edit-to-report latency and peak memory.
//!
//! `cargo bench --bench watch [-- PROJECT FILE EDITS [moves]]`; default: homeassistant,
//! `homeassistant/core.py`, 100 edits that change the code. With `moves`, the edits only
//! move code (a comment line added at the top, a blank line, the original back): the flow
//! solution is reused and only the report is read again. Corpora from `../shared/corpora/fetch.sh
//! target/corpora` (or `TASKLENS_CORPORA=dir`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tasklens_project::{Workspace, with_large_stack};
use tasklens_render::{OutputFormat, render};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn memory_mb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// The `n`th edit of `text`: a new function with a call and a Future, a changed body,
/// or the original back, in turn, so that facts really change; with `moves`, edits that
/// only shift positions.
fn edit(text: &str, n: usize, moves: bool) -> String {
    if moves {
        return match n % 3 {
            0 => format!("# edit {n}\n{text}"),
            1 => format!("\n\n{text}"),
            _ => text.to_string(),
        };
    }
    match n % 3 {
        0 => format!("{text}\n\nasync def _tasklens_edit_{n}(loop):\n    fut = loop.create_future()\n    return fut\n"),
        1 => format!("{text}\n\ndef _tasklens_edit_{n}():\n    return {n}\n"),
        _ => text.to_string(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn main() {
    tasklens_project::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let project = args.first().cloned().unwrap_or_else(|| "homeassistant".into());
    let target = args.get(1).cloned().unwrap_or_else(|| "homeassistant/core.py".into());
    let edits: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100);
    let moves = args.get(3).is_some_and(|kind| kind == "moves");
    let root = PathBuf::from(std::env::var("TASKLENS_CORPORA").unwrap_or_else(|_| "target/corpora".into()));
    let dir = root.join(&project);
    if !dir.is_dir() {
        eprintln!("no corpus at {} ; run ../shared/corpora/fetch.sh target/corpora", dir.display());
        return;
    }
    with_large_stack(move || {
        let start = Instant::now();
        let mut workspace = Workspace::load(std::slice::from_ref(&dir));
        let first = workspace.check();
        println!(
            "{project}: {} files, first check {:.0} ms, {} findings, RSS {} MB",
            workspace.files().len(),
            start.elapsed().as_secs_f64() * 1000.0,
            first.len(),
            memory_mb("VmRSS:")
        );
        let wanted = dir.join(&target);
        let Some(file) = workspace.files().iter().copied().find(|f| *f.path(&workspace.db) == wanted) else {
            eprintln!("{} is not in the project", wanted.display());
            return;
        };
        let original = file.text(&workspace.db).to_string();
        let mut latencies = Vec::with_capacity(edits);
        let mut rss = Vec::new();
        for n in 0..edits {
            let text = edit(&original, n, moves);
            let start = Instant::now();
            workspace.set_text(file, &text);
            let diagnostics = workspace.check();
            let report = render(&workspace.db, &diagnostics, OutputFormat::Concise, false);
            latencies.push(start.elapsed());
            std::hint::black_box(report);
            if (n + 1) % (edits / 10).max(1) == 0 {
                rss.push(memory_mb("VmRSS:"));
            }
        }
        latencies.sort();
        println!(
            "{edits} {}edits of {target}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            if moves { "position-only " } else { "" },
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95),
            percentile(&latencies, 1.0)
        );
        println!("RSS every {} edits (MB): {rss:?}; peak {} MB", (edits / 10).max(1), memory_mb("VmHWM:"));
    });
}
