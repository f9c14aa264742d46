//! `tasklens server`: a language server over stdio for editors. It keeps one database per
//! project of the editor's workspace (as `check --watch` does), takes the editor's unsaved
//! buffers as the files' texts, checks again after each burst of changes, and publishes each
//! file's findings with the flow to the sink as related information.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use lsp_server::{Connection, ErrorCode, Message, Notification, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, Diagnostic as LspDiagnostic, InitializeParams,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};
use tasklens_checks::Diagnostic;
use tasklens_project::config::Config;
use tasklens_project::{Unit, Workspace};

mod findings;
use findings::{code_actions, hover, to_lsp};

/// One project of the editor's workspace and the files it last published findings for.
struct Project {
    unit: Unit,
    workspace: Workspace,
    config: Config,
    published: BTreeSet<PathBuf>,
    /// The findings of the last check (code actions are offered for them).
    findings: Vec<Diagnostic>,
    /// Counts the changes; a check's findings are published only if none came since.
    generation: u64,
}

/// A change the editor reported: a buffer's new text, or `None` when the file on disk is
/// the truth again (closed, or changed on disk while not open).
type Change = (PathBuf, Option<String>);

pub(crate) fn serve() -> anyhow::Result<ExitCode> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection.initialize_start().context("the editor did not initialize the server")?;
    let params: InitializeParams = serde_json::from_value(params).context("bad initialize parameters")?;
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        code_action_provider: Some(CodeActionProviderCapability::Options(lsp_types::CodeActionOptions {
            code_action_kinds: Some(vec![
                lsp_types::CodeActionKind::QUICKFIX,
                lsp_types::CodeActionKind::from(findings::FIX_ALL),
            ]),
            ..lsp_types::CodeActionOptions::default()
        })),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "tasklens", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result)?;
    watch_files(&connection, &params)?;
    let mut projects = load(&workspace_roots(&params));
    let (checked, results) = crossbeam_channel::unbounded::<Checked>();
    for (index, project) in projects.iter().enumerate() {
        start_check(index, project, &checked);
    }
    let mut open: BTreeSet<PathBuf> = BTreeSet::new();
    loop {
        crossbeam_channel::select! {
            recv(connection.receiver) -> first => {
                let Ok(first) = first else { break };
                let mut changes: Vec<Change> = Vec::new();
                let mut message = Some(first);
                // A burst of edits ends in one check: take every message already waiting.
                while let Some(current) = message.take() {
                    match current {
                        Message::Request(request) => {
                            if connection.handle_shutdown(&request)? {
                                drop(connection);
                                io_threads.join()?;
                                return Ok(ExitCode::SUCCESS);
                            }
                            connection.sender.send(Message::Response(answer(&projects, request)))?;
                        }
                        Message::Notification(notification) => changes.extend(changes_of(notification, &mut open)),
                        Message::Response(_) => {}
                    }
                    message = connection.receiver.try_recv().ok();
                }
                let configured = changes.iter().any(|(path, _)| {
                    path.file_name().is_some_and(|name| tasklens_project::CONFIG_FILES.iter().any(|config| name == *config))
                });
                for (index, project) in projects.iter_mut().enumerate() {
                    let mine: Vec<&Change> = changes.iter().filter(|(path, _)| contains(&project.unit, path)).collect();
                    // Setting inputs cancels this project's running check and waits for it.
                    let mut any = false;
                    if configured {
                        match tasklens_project::config::load(&project.unit.paths) {
                            Ok(config) => {
                                any |= config != project.config;
                                any |= project.workspace.reconfigure(&config, None);
                                project.config = config;
                            }
                            Err(error) => eprintln!("tasklens: error: {error} (the previous configuration is kept)"),
                        }
                    }
                    for (path, text) in mine {
                        any |= match text {
                            Some(text) => {
                                project.workspace.set_source(path, text);
                                true
                            }
                            None => project.workspace.sync(std::slice::from_ref(path)),
                        };
                    }
                    if any {
                        project.generation += 1;
                        start_check(index, project, &checked);
                    }
                }
            }
            recv(results) -> done => {
                let Ok(done) = done else { break };
                let project = &mut projects[done.project];
                if done.generation == project.generation {
                    publish(&connection, project, done)?;
                }
            }
        }
    }
    drop(connection);
    io_threads.join()?;
    Ok(ExitCode::SUCCESS)
}

/// Asks the editor to report changes on disk to Python files, ignore files and
/// configuration (a `git checkout`, a file written by another tool), when it can.
fn watch_files(connection: &Connection, params: &InitializeParams) -> anyhow::Result<()> {
    let dynamic = (params.capabilities.workspace.as_ref())
        .and_then(|workspace| workspace.did_change_watched_files)
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false);
    if !dynamic {
        return Ok(());
    }
    let watchers: Vec<serde_json::Value> =
        ["**/*.py", "**/pyproject.toml", "**/tasklens.toml", "**/setup.cfg", "**/.gitignore"]
            .iter()
            .map(|glob| serde_json::json!({ "globPattern": glob }))
            .collect();
    let registration = serde_json::json!({ "registrations": [{
        "id": "tasklens-watched-files",
        "method": DidChangeWatchedFiles::METHOD,
        "registerOptions": { "watchers": watchers },
    }]});
    let request = lsp_server::Request::new(
        lsp_server::RequestId::from("tasklens-register-watchers".to_string()),
        "client/registerCapability".to_string(),
        registration,
    );
    connection.sender.send(Message::Request(request))?;
    Ok(())
}

/// The answer to a request: code actions, or an error for what tasklens does not answer.
fn answer(projects: &[Project], request: lsp_server::Request) -> Response {
    let id = request.id.clone();
    let invalid = |error: lsp_server::ExtractError<lsp_server::Request>| {
        Response::new_err(id.clone(), ErrorCode::InvalidParams as i32, error.to_string())
    };
    if request.method == CodeActionRequest::METHOD {
        return match request.extract::<CodeActionParams>(CodeActionRequest::METHOD) {
            Ok((id, params)) => Response::new_ok(id, code_actions(projects, &params)),
            Err(error) => invalid(error),
        };
    }
    if request.method == HoverRequest::METHOD {
        return match request.extract::<lsp_types::HoverParams>(HoverRequest::METHOD) {
            Ok((id, params)) => Response::new_ok(id, hover(projects, &params)),
            Err(error) => invalid(error),
        };
    }
    Response::new_err(
        request.id,
        ErrorCode::MethodNotFound as i32,
        format!("tasklens does not answer {}", request.method),
    )
}

/// A finished check of one project: its findings, for the editor per file, and as they are.
struct Checked {
    project: usize,
    generation: u64,
    by_file: std::collections::BTreeMap<PathBuf, Vec<LspDiagnostic>>,
    findings: Vec<Diagnostic>,
}

/// Checks a project on a worker thread with a database clone; a newer change cancels it
/// (salsa unwinds the worker), and nothing comes back.
fn start_check(index: usize, project: &Project, checked: &crossbeam_channel::Sender<Checked>) {
    let job = project.workspace.job();
    let (config, generation, checked) = (project.config.clone(), project.generation, checked.clone());
    let spawned = std::thread::Builder::new().stack_size(tasklens_db::STACK_SIZE).spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| {
                let mut findings = job.run();
                findings.retain(|d| config.reports_in(d.code, d.primary.file.path(&job.db)) && job.reports(d));
                let mut by_file: std::collections::BTreeMap<PathBuf, Vec<LspDiagnostic>> = Default::default();
                for finding in &findings {
                    let path = absolute(finding.primary.file.path(&job.db));
                    by_file.entry(path).or_default().push(to_lsp(&job.db, finding));
                }
                (by_file, findings)
            }))
        }));
        drop(job);
        match result {
            Ok(Ok((by_file, findings))) => {
                let _ = checked.send(Checked { project: index, generation, by_file, findings });
            }
            Ok(Err(_cancelled)) => {}
            Err(_) => eprintln!("tasklens: error: internal error (a bug in tasklens); please report it"),
        }
    });
    if let Err(error) = spawned {
        eprintln!("tasklens: error: cannot start a check: {error}");
    }
}

/// The folders the editor opened (or its root), else the current directory.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let folders = params.workspace_folders.iter().flatten().map(|folder| &folder.uri);
    #[allow(deprecated)] // Older editors send only `rootUri`.
    let uris: Vec<&Url> = folders.chain(params.root_uri.as_ref()).collect();
    let mut roots: Vec<PathBuf> = uris.into_iter().filter_map(|uri| uri.to_file_path().ok()).collect();
    roots.dedup();
    if roots.is_empty() {
        roots.push(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")));
    }
    roots
}

/// A database per project found below the roots.
fn load(roots: &[PathBuf]) -> Vec<Project> {
    let mut projects = Vec::new();
    for unit in tasklens_project::units(roots) {
        let config = match tasklens_project::config::load(&unit.paths) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("tasklens: error: {error} (that project is checked with the defaults)");
                Config::default()
            }
        };
        let mut workspace = Workspace::load_unit(&unit, &config, None);
        // What an earlier `tasklens check` stored spares the first check its parsing
        // (`TASKLENS_CACHE_DIR` as for the command line).
        let dir = std::env::var_os("TASKLENS_CACHE_DIR").map(PathBuf::from);
        if let Some(store) = crate::projects::store_in(dir.as_deref(), &workspace) {
            workspace.read_store(store);
        }
        projects.push(Project {
            unit,
            workspace,
            config,
            published: BTreeSet::new(),
            findings: Vec::new(),
            generation: 0,
        });
    }
    projects
}

/// Whether `path` lies in one of the unit's paths.
fn contains(unit: &Unit, path: &Path) -> bool {
    let path = absolute(path);
    unit.paths.iter().any(|root| path.starts_with(absolute(root)))
}

/// The files a notification changes.
fn changes_of(notification: Notification, open: &mut BTreeSet<PathBuf>) -> Vec<Change> {
    let path = |uri: &Url| uri.to_file_path().ok();
    match notification.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(params) = notification.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
            else {
                return Vec::new();
            };
            let Some(path) = path(&params.text_document.uri) else { return Vec::new() };
            open.insert(path.clone());
            vec![(path, Some(params.text_document.text))]
        }
        DidChangeTextDocument::METHOD => {
            let Ok(params) =
                notification.extract::<lsp_types::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
            else {
                return Vec::new();
            };
            // Full synchronisation: the last change holds the whole text.
            match (path(&params.text_document.uri), params.content_changes.into_iter().last()) {
                (Some(path), Some(change)) => vec![(path, Some(change.text))],
                _ => Vec::new(),
            }
        }
        DidCloseTextDocument::METHOD => {
            let Ok(params) =
                notification.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
            else {
                return Vec::new();
            };
            let Some(path) = path(&params.text_document.uri) else { return Vec::new() };
            open.remove(&path);
            vec![(path, None)]
        }
        DidChangeWatchedFiles::METHOD => {
            let Ok(params) =
                notification.extract::<lsp_types::DidChangeWatchedFilesParams>(DidChangeWatchedFiles::METHOD)
            else {
                return Vec::new();
            };
            // An open file's buffer is what counts, not the disk.
            (params.changes.iter())
                .filter_map(|change| path(&change.uri))
                .filter(|path| !open.contains(path))
                .map(|path| (path, None))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Publishes each file's findings, and an empty list for files that had some before and
/// have none now.
fn publish(connection: &Connection, project: &mut Project, checked: Checked) -> anyhow::Result<()> {
    let Checked { mut by_file, findings, .. } = checked;
    let stale: Vec<PathBuf> = project.published.iter().filter(|path| !by_file.contains_key(*path)).cloned().collect();
    for path in stale {
        by_file.insert(path, Vec::new());
    }
    project.published = by_file.iter().filter(|(_, found)| !found.is_empty()).map(|(path, _)| path.clone()).collect();
    project.findings = findings;
    for (path, diagnostics) in by_file {
        let Ok(uri) = Url::from_file_path(&path) else { continue };
        let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        connection.sender.send(Message::Notification(notification))?;
    }
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
