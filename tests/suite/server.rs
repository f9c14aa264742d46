//! `tasklens server`: a real language-server session over stdio, as an editor drives it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

struct Session {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
}

impl Session {
    fn start(dir: &Path) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tasklens"))
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (sender, messages) = channel();
        // Frames are `Content-Length: n`, a blank line, then n bytes of JSON.
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length:") {
                        length = value.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                stdout.read_exact(&mut body).expect("a whole message");
                if sender.send(serde_json::from_slice(&body).expect("JSON")).is_err() {
                    return;
                }
            }
        });
        Session { child, stdin, messages }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    fn receive(&self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(60)).expect("a message from the server")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return message["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
        }
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn an_editor_session_gets_findings_with_their_flow() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().canonicalize().expect("canonical");
    std::fs::create_dir_all(root.join("app")).expect("mkdir");
    std::fs::write(root.join("app/__init__.py"), "").expect("write");
    std::fs::write(root.join("app/jobs.py"), "def submit(loop):\n    return loop.run_in_executor(None, print)\n")
        .expect("write");
    let main = "import asyncio\nfrom app.jobs import submit\n\nasync def main():\n    job = submit(asyncio.get_running_loop())\n    job.get_name()  # é\n";
    std::fs::write(root.join("app/main.py"), main).expect("write");
    let (jobs, main_uri) = (uri(&root.join("app/jobs.py")), uri(&root.join("app/main.py")));

    let mut session = Session::start(&root);
    session.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": uri(&root),
            "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}}));
    let initialized = session.receive();
    assert_eq!(initialized["id"], 1);
    assert_eq!(initialized["result"]["capabilities"]["textDocumentSync"], 1);
    session.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    // The server asks to hear of changes on disk.
    let register = session.receive();
    assert_eq!(register["method"], "client/registerCapability");
    let globs = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(globs.as_array().is_some_and(|w| w.iter().any(|g| g["globPattern"] == "**/*.py")), "{globs}");
    session.send(json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    // The first check: the TL001 at its producer in jobs.py, the flow into main.py beside it.
    let found = session.diagnostics_for(&jobs);
    assert_eq!(found.len(), 1, "{found:?}");
    let tl001 = &found[0];
    assert_eq!(
        (tl001["code"].as_str(), tl001["severity"].as_u64(), tl001["source"].as_str()),
        (Some("TL001"), Some(1), Some("tasklens"))
    );
    assert_eq!(tl001["range"], json!({"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 44}}));
    let related = tl001["relatedInformation"].as_array().expect("the flow");
    assert!(related.iter().any(|hop| hop["location"]["uri"] == main_uri.as_str()), "{related:?}");

    // An unsaved buffer counts: guarding the call clears the finding, a Task in its place too.
    let guarded = main.replace("    job.get_name()", "    if isinstance(job, asyncio.Task):\n        job.get_name()");
    session.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": main_uri, "languageId": "python", "version": 1, "text": guarded}}}));
    assert_eq!(session.diagnostics_for(&jobs), Vec::<Value>::new());
    // A finding in the buffer itself, with UTF-16 columns (`é` is one unit, two bytes).
    let dropped =
        format!("{guarded}    asyncio.create_task(main())  # é\n    é = asyncio.ensure_future(main()); await é\n");
    session.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": main_uri, "version": 2}, "contentChanges": [{"text": dropped}]}}));
    let in_main = session.diagnostics_for(&main_uri);
    let codes: Vec<&str> = in_main.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["TL005", "TL002"], "{in_main:?}");
    assert_eq!(in_main[1]["range"]["start"], json!({"line": 8, "character": 8}));
    // Code actions on that line: the migration's fix, and a comment that ignores the finding.
    session.send(json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": main_uri}, "range": {"start": {"line": 8, "character": 0}, "end": {"line": 8, "character": 0}},
        "context": {"diagnostics": []}}}));
    let actions = loop {
        let message = session.receive();
        if message["id"] == 3 {
            break message["result"].as_array().cloned().expect("actions");
        }
    };
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    let quick: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix").collect();
    assert_eq!(quick.len(), 2, "{titles:?}");
    let fix = &quick[0]["edit"]["changes"][main_uri.as_str()][0];
    assert_eq!(fix["newText"], "create_task");
    assert_eq!(fix["range"]["start"], json!({"line": 8, "character": 16}));
    assert_eq!(quick[0]["isPreferred"], true);
    assert_eq!(quick[1]["title"], "Ignore TL002 on this line");
    let line = "    é = asyncio.ensure_future(main()); await é";
    let end = json!({"line": 8, "character": line.encode_utf16().count()});
    let ignore = &quick[1]["edit"]["changes"][main_uri.as_str()][0];
    assert_eq!((&ignore["range"]["start"], &ignore["range"]["end"]), (&end, &end));
    assert_eq!(ignore["newText"], "  # tasklens: ignore[TL002]");
    // The dropped Task's fix is offered too, marked unsafe: the helper after the imports, and
    // the call passed through it.
    session.send(json!({"jsonrpc": "2.0", "id": 7, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": main_uri}, "range": {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 0}},
        "context": {"diagnostics": []}}}));
    let actions = loop {
        let message = session.receive();
        if message["id"] == 7 {
            break message["result"].as_array().cloned().expect("actions");
        }
    };
    let keep = actions.iter().find(|a| a["title"] == "Keep the Task until it finishes (unsafe)").expect("the fix");
    let edits = keep["edit"]["changes"][main_uri.as_str()].as_array().expect("edits");
    let at = |edit: &Value| (edit["range"]["start"]["line"].as_u64(), edit["range"]["start"]["character"].as_u64());
    let placed: Vec<_> = edits.iter().map(at).collect();
    assert_eq!(placed, [(Some(1), Some(27)), (Some(7), Some(4)), (Some(7), Some(31))], "{edits:?}");
    assert!(edits[0]["newText"].as_str().is_some_and(|text| text.contains("def _keep_task(task")), "{edits:?}");
    assert_eq!((&edits[1]["newText"], &edits[2]["newText"]), (&json!("_keep_task("), &json!(")")));
    // Hovering the finding shows its rule's documentation; elsewhere, nothing.
    let hover = |session: &mut Session, id: u32, line: u32, character: u32| {
        session.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": main_uri}, "position": {"line": line, "character": character}}}));
        loop {
            let message = session.receive();
            if message["id"] == id {
                break message["result"].clone();
            }
        }
    };
    let shown = hover(&mut session, 5, 8, 20);
    let text = shown["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("**TL002** (ensure-future-on-coroutine)") && text.contains("## Why is this bad?"),
        "{shown}"
    );
    assert_eq!(shown["contents"]["kind"], "markdown");
    assert!(hover(&mut session, 6, 0, 0).is_null());
    // Asked for source actions only: every safe fix of the file in one action (editors run
    // `source.fixAll` on save).
    session.send(json!({"jsonrpc": "2.0", "id": 4, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": main_uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll"]}}}));
    let fix_all = loop {
        let message = session.receive();
        if message["id"] == 4 {
            break message["result"].as_array().cloned().expect("actions");
        }
    };
    assert_eq!(fix_all.len(), 1, "{fix_all:?}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.tasklens");
    let edits = fix_all[0]["edit"]["changes"][main_uri.as_str()].as_array().expect("edits");
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (&edits[0]["newText"], &edits[0]["range"]["start"]),
        (&json!("create_task"), &json!({"line": 8, "character": 16}))
    );
    // Closing the buffer brings back the file on disk, and its finding.
    session.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": main_uri}}}),
    );
    assert_eq!(session.diagnostics_for(&jobs).len(), 1);
    // Changes on disk the editor reports: a configuration that ignores TL001, then none.
    std::fs::write(root.join("tasklens.toml"), "ignore = [\"TL001\"]\n").expect("write");
    let config_uri = uri(&root.join("tasklens.toml"));
    let changed = |session: &mut Session| {
        session.send(json!({"jsonrpc": "2.0", "method": "workspace/didChangeWatchedFiles",
            "params": {"changes": [{"uri": config_uri, "type": 2}]}}));
    };
    changed(&mut session);
    assert_eq!(session.diagnostics_for(&jobs), Vec::<Value>::new());
    std::fs::write(root.join("tasklens.toml"), "").expect("write");
    changed(&mut session);
    assert_eq!(session.diagnostics_for(&jobs).len(), 1);

    session.send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    loop {
        let message = session.receive();
        if message["id"] == 2 {
            break;
        }
    }
    session.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = session.child.wait().expect("the server exits");
    assert!(status.success());
}
