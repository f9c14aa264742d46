//! Incrementality: which salsa queries run after an edit.

use tasklens_db::RootDatabase;
use tasklens_project::Workspace;

const A: &str = "import asyncio\n\ndef make():\n    return asyncio.Future()\n";
const B: &str = "from a import make\n\ndef use():\n    make().get_name()\n";
const C: &str = "def unrelated():\n    return 1\n";

fn ran(log: &[String], query: &str) -> Vec<String> {
    log.iter().filter(|entry| entry.starts_with(&format!("{query}("))).cloned().collect()
}

#[test]
fn editing_one_module_reparses_only_that_module() {
    let (db, log) = RootDatabase::with_query_log();
    let mut workspace = Workspace::from_sources_into(db, &[("a.py", A), ("b.py", B), ("c.py", C)]);
    let first = workspace.check();
    assert_eq!(first.len(), 1, "{first:?}");
    let initial = log.take();
    assert_eq!(ran(&initial, "parsed_module").len(), 3, "{initial:?}");
    assert_eq!(ran(&initial, "module_facts").len(), 3, "{initial:?}");

    let c = workspace.files()[2];
    let edited = format!("{C}\ndef more():\n    return 2\n");
    workspace.set_text(c, &edited);
    let second = workspace.check();
    assert_eq!(second, first);
    let after = log.take();
    let parsed = ran(&after, "parsed_module");
    assert_eq!(parsed.len(), 1, "only c.py is parsed again: {after:?}");
    assert!(parsed[0].contains(&format!("{:?}", salsa::plumbing::AsId::as_id(&c))), "{after:?}");
    assert_eq!(ran(&after, "module_facts").len(), 1, "{after:?}");

    // An edit that leaves the facts equal stops there: the project flow is not re-run.
    let a = workspace.files()[0];
    workspace.set_text(a, &format!("{A}# a comment at the end\n"));
    workspace.check();
    let after_comment = log.take();
    assert_eq!(ran(&after_comment, "module_facts").len(), 1, "{after_comment:?}");
    assert!(ran(&after_comment, "project_flow").is_empty(), "facts were equal: {after_comment:?}");

    // Editing one function body: that file is parsed and lowered again, the project flow
    // and the diagnostics that depend on it are recomputed, nothing of the other files.
    let b = workspace.files()[1];
    workspace.set_text(b, "from a import make\n\ndef use():\n    task = make()\n    task.get_name()\n");
    let third = workspace.check();
    assert_eq!(third.len(), 1, "{third:?}");
    let after_body = log.take();
    let b_id = format!("{:?}", salsa::plumbing::AsId::as_id(&b));
    for query in ["parsed_module", "module_facts", "syntax_problems"] {
        let runs = ran(&after_body, query);
        assert!(runs.iter().all(|entry| entry.contains(&b_id)), "{query} ran for another file: {after_body:?}");
    }
    assert_eq!(ran(&after_body, "module_facts").len(), 1, "{after_body:?}");
    assert_eq!(ran(&after_body, "project_flow").len(), 1, "{after_body:?}");
    assert_eq!(ran(&after_body, "project_diagnostics").len(), 1, "{after_body:?}");
}

#[test]
fn an_edit_that_only_moves_code_reuses_the_solution() {
    let (db, log) = RootDatabase::with_query_log();
    let mut workspace = Workspace::from_sources_into(db, &[("a.py", A), ("b.py", B), ("c.py", C)]);
    let first = workspace.check();
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(ran(&log.take(), "project_solution").len(), 1);

    // Two lines above everything in both modules of the flow, and a longer string: every
    // position moves, nothing else changes.
    let (a, b) = (workspace.files()[0], workspace.files()[1]);
    workspace.set_text(a, &format!("# moved\n\n{A}"));
    workspace.set_text(b, &format!("'''A docstring.'''\n\n{B}"));
    let moved = workspace.check();
    let after = log.take();
    assert_eq!(ran(&after, "module_facts").len(), 2, "{after:?}");
    assert!(ran(&after, "project_solution").is_empty(), "the solution is reused: {after:?}");
    assert_eq!(ran(&after, "project_flow").len(), 1, "the report is read again: {after:?}");
    // The finding and its trace moved with the code.
    assert_eq!(moved.len(), 1, "{moved:?}");
    let start = |d: &tasklens_checks::Diagnostic| u32::from(d.primary.range.start());
    assert_eq!(start(&moved[0]), start(&first[0]) + "# moved\n\n".len() as u32, "{moved:?}");
    let labels = |d: &tasklens_checks::Diagnostic| d.trace.iter().map(|l| (l.file, l.range)).collect::<Vec<_>>();
    assert_ne!(labels(&moved[0]), labels(&first[0]));
    let fresh = Workspace::from_sources(&[
        ("a.py", &format!("# moved\n\n{A}")),
        ("b.py", &format!("'''A docstring.'''\n\n{B}")),
        ("c.py", C),
    ])
    .check();
    let ranges = |ds: &[tasklens_checks::Diagnostic]| {
        ds.iter()
            .map(|d| (d.code, d.primary.range, d.trace.iter().map(|l| l.range).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ranges(&moved), ranges(&fresh));
}

#[test]
fn an_edit_cancels_a_running_check() {
    // Enough modules that a debug-build check is still running when the edit arrives.
    let sources: Vec<(String, String)> = (0..120u32)
        .map(|i| {
            let text = format!(
                "import asyncio\nfrom m{prev} import make{prev}\n\ndef make{i}():\n    return make{prev}() or asyncio.Future()\n\nasync def use{i}():\n    make{i}().get_name()\n",
                prev = i.saturating_sub(1)
            );
            (format!("m{i}.py"), text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = sources.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut workspace = Workspace::from_sources(&refs);
    let job = workspace.job();
    let (started, running) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        started.send(()).expect("signal");
        salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| job.run().len()))
    });
    running.recv().expect("the worker started");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let file = workspace.files()[0];
    // The setter cancels the worker's queries and waits until its clone is dropped.
    workspace.set_text(file, "import asyncio\n");
    assert!(worker.join().expect("no other panic").is_err(), "the running check was not cancelled");
    let fresh_sources: Vec<(&str, &str)> =
        refs.iter().map(|&(p, t)| if p == "m0.py" { (p, "import asyncio\n") } else { (p, t) }).collect();
    let fresh = Workspace::from_sources(&fresh_sources);
    let render = |w: &Workspace| tasklens_render::render_concise(&w.db, &w.check());
    assert_eq!(render(&workspace), render(&fresh));
}
