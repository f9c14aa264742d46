//! The `tasklens` command line: `check` and `rule`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod projects;
mod server;
mod watch;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use tasklens_checks::{Diagnostic, Severity, all_rules, counted, rule, tally};
use tasklens_db::PythonVersion;
use tasklens_project::config::Config;
use tasklens_project::with_large_stack;
use tasklens_render::OutputFormat;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "tasklens", version, about = "A type-flow checker for asyncio Futures and Tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a project for Futures that flow into code that needs a Task.
    Check(Box<CheckArgs>),
    /// Run as a language server over stdio (LSP), for editors: findings as you type, with
    /// the flow as related information.
    Server,
    /// Remove the lowering stores (`.tasklens_cache`) at and below the given paths, and the
    /// one `TASKLENS_CACHE_DIR` names.
    Clean {
        /// Directories to clean [default: .].
        paths: Vec<PathBuf>,
        /// A store kept elsewhere (`--cache-dir` of `check`).
        #[arg(long, value_name = "PATH", env = "TASKLENS_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
    },
    /// Explain a rule.
    Rule {
        /// A rule code (TL001) or name (future-flows-into-task).
        code: Option<String>,
        /// List every rule.
        #[arg(long)]
        all: bool,
        /// `text`, or `json` for tools (an editor showing a rule's documentation).
        #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
        output_format: RuleFormat,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = Format::Full)]
    output_format: Format,
    /// Exit with status 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// When to use colour in `full` output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// The oldest Python the project runs on (py38 ... py314); default: the lower bound of
    /// `requires-python` in the nearest pyproject.toml, else the oldest supported CPython.
    #[arg(long, value_parser = parse_target_version)]
    target_version: Option<PythonVersion>,
    /// Report `# tasklens: ignore` / `# noqa` comments that suppress nothing.
    #[arg(long)]
    warn_unused_ignores: bool,
    /// Rule codes or prefixes to report (comma-separated); replaces `select` and `ignore` of the configuration.
    #[arg(long, value_delimiter = ',', value_parser = tasklens_project::config::parse_code)]
    select: Option<Vec<String>>,
    /// Rule codes or prefixes not to report (comma-separated); overrides `ignore` in the configuration.
    #[arg(long, value_delimiter = ',', value_parser = tasklens_project::config::parse_code)]
    ignore: Option<Vec<String>>,
    /// Glob patterns of paths to skip (comma-separated), on top of the configuration's.
    #[arg(long, visible_alias = "extend-exclude", value_delimiter = ',')]
    exclude: Vec<String>,
    /// Apply the safe fixes and write the fixed files.
    #[arg(long)]
    fix: bool,
    /// Also offer and apply fixes whose safety cannot be proven (a loop may not be running).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Rule codes or prefixes whose fixes are offered (comma-separated); replaces `fixable` of the configuration.
    #[arg(long, value_delimiter = ',', value_parser = tasklens_project::config::parse_code)]
    fixable: Option<Vec<String>>,
    /// Rule codes or prefixes whose fixes are never offered (comma-separated), on top of the configuration's `unfixable`.
    #[arg(long, value_delimiter = ',', value_parser = tasklens_project::config::parse_code)]
    unfixable: Vec<String>,
    /// With `--fix`: exit 1 when anything was fixed, even if no finding remains (a
    /// pre-commit hook or CI step then fails on files it changed).
    #[arg(long, requires = "fix")]
    exit_non_zero_on_fix: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 if there are any).
    #[arg(long)]
    diff: bool,
    /// Check again whenever a file changes (Ctrl-C to stop).
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    watch: bool,
    /// Print how many findings each rule has instead of the findings.
    #[arg(long, conflicts_with_all = ["watch", "diff"])]
    statistics: bool,
    /// Read the source of this file from stdin (an editor's unsaved buffer): it is checked
    /// within its project in place of the file on disk, and only what concerns it is
    /// reported; with `--fix`, the fixed source goes to stdout and the report to stderr.
    #[arg(long, conflicts_with_all = ["watch"])]
    stdin_filename: Option<PathBuf>,
    /// The source read from stdin for `--stdin-filename`.
    #[arg(skip)]
    stdin_text: Option<String>,
    /// The encoding stdin's source came in, which a fixed source goes out in.
    #[arg(skip)]
    stdin_encoding: Option<tasklens_project::SourceEncoding>,
    /// Write the report to this file instead of stdout (a CI artifact such as GitLab's
    /// `gl-code-quality-report.json`).
    #[arg(short = 'o', long, conflicts_with_all = ["watch", "stdin_filename"])]
    output_file: Option<PathBuf>,
    /// Print the findings and nothing else (no counts).
    #[arg(short, long, conflicts_with_all = ["watch"])]
    quiet: bool,
    /// Print nothing but errors; the exit status still tells whether there are findings.
    #[arg(short, long, conflicts_with_all = ["watch", "quiet"])]
    silent: bool,
    /// Use this configuration file (a `pyproject.toml` or a `tasklens.toml`) instead of the
    /// one found from the checked paths upwards.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Ignore all configuration files: the defaults and the command line only.
    #[arg(long, conflicts_with = "config")]
    isolated: bool,
    /// Accept the current findings: add a `# tasklens: ignore[CODE]` comment on the line of
    /// each (or extend the one there), so that only new findings are reported from now on.
    #[arg(long, visible_alias = "add-ignore", conflicts_with_all = ["watch", "fix", "diff", "statistics", "stdin_filename"])]
    add_noqa: bool,
    /// Print the files that would be checked, one per line, and exit.
    #[arg(long, conflicts_with_all = ["watch", "fix", "diff", "statistics", "stdin_filename"])]
    show_files: bool,
    /// Print the settings each project is checked with (configuration file, target
    /// version, rules, excludes, where the lowering store is), and exit.
    #[arg(long, conflicts_with_all = ["watch", "fix", "diff", "statistics", "stdin_filename", "show_files", "add_noqa"])]
    show_settings: bool,
    /// Neither read nor write the lowering store (each module's parse kept between runs,
    /// in `.tasklens_cache` beside the project's configuration).
    #[arg(short = 'n', long, conflicts_with = "cache_dir")]
    no_cache: bool,
    /// Keep the lowering store in this directory instead.
    #[arg(long, value_name = "PATH", env = "TASKLENS_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

fn parse_target_version(text: &str) -> Result<PythonVersion, String> {
    tasklens_project::config::parse_target_version(text)
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Full,
    Concise,
    Json,
    /// GitHub Actions annotations
    Github,
    /// SARIF 2.1.0, for GitHub code scanning (the flow as a code flow)
    Sarif,
    /// One JSON object per finding and line
    JsonLines,
    /// GitLab Code Quality report
    Gitlab,
    /// JUnit XML test report
    Junit,
    /// Azure Pipelines logging commands
    Azure,
    /// pylint's `path:line: [CODE] message`
    Pylint,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RuleFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    tasklens_project::disable_transparent_huge_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => {
            // A bug in the checker must not look like findings: report it and exit 2.
            std::panic::catch_unwind(|| with_large_stack(move || check(*args)))
                .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error (a bug in tasklens); please report it")))
        }
        Command::Server => std::panic::catch_unwind(|| with_large_stack(server::serve))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error (a bug in tasklens); please report it"))),
        Command::Rule { code, all, output_format } => explain(code.as_deref(), all, output_format),
        Command::Clean { paths, cache_dir } => clean(paths, cache_dir),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tasklens: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// `tasklens clean`: removes the stores; exit 2 if one could not be removed.
fn clean(mut paths: Vec<PathBuf>, cache_dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    paths.extend(cache_dir);
    let (mut removed, mut failed) = (0, false);
    for path in &paths {
        let (gone, kept) = tasklens_project::remove_stores(path);
        for dir in gone {
            eprintln!("Removed {}", dir.display());
            removed += 1;
        }
        for (dir, error) in kept {
            eprintln!("tasklens: error: cannot remove {}: {error}", dir.display());
            failed = true;
        }
    }
    if removed == 0 && !failed {
        eprintln!("No store to remove.");
    }
    Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// The output format and whether `full` output is coloured.
fn output_style(args: &CheckArgs) -> (OutputFormat, bool) {
    let format = match args.output_format {
        Format::Full => OutputFormat::Full,
        Format::Concise => OutputFormat::Concise,
        Format::Json => OutputFormat::Json,
        Format::Github => OutputFormat::Github,
        Format::Sarif => OutputFormat::Sarif,
        Format::JsonLines => OutputFormat::JsonLines,
        Format::Gitlab => OutputFormat::Gitlab,
        Format::Junit => OutputFormat::Junit,
        Format::Azure => OutputFormat::Azure,
        Format::Pylint => OutputFormat::Pylint,
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output_file.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    (format, color)
}

/// The configuration file's settings for `paths` with the command line's overrides.
fn configure(args: &CheckArgs, paths: &[PathBuf]) -> anyhow::Result<Config> {
    let mut config = match &args.config {
        _ if args.isolated => Config::default(),
        Some(path) => tasklens_project::config::load_file(path)?,
        None => tasklens_project::config::load(paths)?,
    };
    if let Some(select) = &args.select {
        // An explicit selection on the command line is what the user wants to see now.
        config.select = select.clone();
        config.ignore.clear();
    }
    if let Some(ignore) = &args.ignore {
        config.ignore = ignore.clone();
    }
    config.extend_exclude.extend(args.exclude.iter().cloned());
    if let Some(fixable) = &args.fixable {
        config.fixes.fixable = fixable.clone();
    }
    config.fixes.unfixable.extend(args.unfixable.iter().cloned());
    Ok(config)
}

fn check(mut args: CheckArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.stdin_filename {
        args.paths = vec![path.clone()];
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).context("cannot read the source from stdin")?;
        let decoded = tasklens_project::decode_source(&bytes)
            .map_err(|message| anyhow::anyhow!("cannot read the source from stdin: {message}"))?;
        args.stdin_text = Some(decoded.text);
        args.stdin_encoding = Some(decoded.encoding);
    }
    let units = tasklens_project::units(&args.paths);
    if args.watch {
        return watch::watch(&args, &units);
    }
    if args.show_files {
        return show_files(&args, &units);
    }
    if args.show_settings {
        return show_settings(&args, &units);
    }
    let (format, _) = output_style(&args);
    // Opened first: a report that cannot be written is an error before any work.
    let report_file = (args.output_file.as_ref())
        .map(|path| {
            std::fs::File::create(path).with_context(|| format!("cannot write the report to {}", path.display()))
        })
        .transpose()?;
    let totals = projects::check_all(&args, &units)?;
    for message in &totals.messages {
        eprintln!("{message}");
    }
    if let Some(source) = &totals.fixed_source {
        // `--fix` of stdin: the source is the output; the report goes beside it, to stderr.
        let mut stdout = std::io::stdout().lock();
        let encoding = args.stdin_encoding.unwrap_or(tasklens_project::SourceEncoding::Utf8 { bom: false });
        let bytes = encoding.encode(source).context("the fixed source has characters its encoding cannot hold")?;
        write_or_pipe(&mut stdout, &bytes)?;
        let _ = stdout.flush();
        for output in &totals.outputs {
            eprint!("{output}");
        }
        eprint!("{}", summary(&args, &totals, format));
        return Ok(exit_code(&args, &totals));
    }
    if args.add_noqa {
        if !args.silent {
            eprintln!(
                "Added {} in {}.",
                counted(totals.ignores_added, "`# tasklens: ignore` comment"),
                counted(totals.written, "file")
            );
        }
        let failed = totals.failed || totals.problems > 0;
        return Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS });
    }
    let mut out: Box<dyn Write> = match report_file {
        Some(file) => Box::new(std::io::BufWriter::new(file)),
        None => Box::new(std::io::stdout().lock()),
    };
    if args.silent {
        // The exit status alone tells.
    } else if args.statistics {
        write_or_pipe(&mut out, statistics(&totals, format).as_bytes())?;
    } else {
        for output in &totals.outputs {
            write_or_pipe(&mut out, output.as_bytes())?;
        }
        let summary = summary(&args, &totals, format);
        if format.is_document() {
            write_or_pipe(&mut out, summary.as_bytes())?;
        } else if args.quiet {
            // Findings only.
        } else if format.is_for_people() {
            write_or_pipe(&mut out, summary.as_bytes())?;
        } else {
            // Lines for tools (`github`, `azure`, `pylint`): the counts go beside them.
            eprint!("{summary}");
        }
    }
    out.flush().or_else(|error| match error.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(error),
    })?;
    Ok(exit_code(&args, &totals))
}

/// `--show-files`: the files each project would check (the paths named, within their
/// projects), sorted, one per line.
fn show_files(args: &CheckArgs, units: &[tasklens_project::Unit]) -> anyhow::Result<ExitCode> {
    let mut paths = Vec::new();
    let mut problems = 0;
    for unit in units {
        let config = configure(args, &unit.paths)?;
        let workspace = tasklens_project::Workspace::load_unit(unit, &config, args.target_version);
        for problem in &workspace.problems {
            eprintln!("tasklens: error: {}: {}", problem.path.display(), problem.message);
        }
        problems += workspace.problems.len();
        paths.extend(
            (workspace.files().iter())
                .filter(|&&file| workspace.in_scope(file))
                .map(|&file| tasklens_checks::display_path(&workspace.db, file)),
        );
    }
    paths.sort();
    let mut stdout = std::io::stdout().lock();
    for path in paths {
        write_or_pipe(&mut stdout, format!("{path}\n").as_bytes())?;
    }
    Ok(if problems > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// `--show-settings`: what each project is checked with, as the check would resolve it.
fn show_settings(args: &CheckArgs, units: &[tasklens_project::Unit]) -> anyhow::Result<ExitCode> {
    use std::fmt::Write as _;
    let list = |items: &[String], none: &str| if items.is_empty() { none.to_string() } else { items.join(", ") };
    let mut out = String::new();
    for unit in units {
        let config = configure(args, &unit.paths)?;
        let workspace = tasklens_project::Workspace::load_unit(unit, &config, args.target_version);
        let roots: Vec<String> = workspace.roots().iter().map(|root| root.display().to_string()).collect();
        let store = match projects::store_for(args, &workspace) {
            Some(store) => store.dir().display().to_string(),
            None => "off (--no-cache)".into(),
        };
        let configuration = match (&config.path, args.isolated) {
            (_, true) => "none (--isolated)".to_string(),
            (Some(path), false) => path.display().to_string(),
            (None, false) => "none found (the defaults)".to_string(),
        };
        let src: Vec<String> = config.src.iter().map(|dir| dir.display().to_string()).collect();
        let _ = writeln!(out, "project: {}", roots.join(", "));
        let _ = writeln!(out, "  configuration: {configuration}");
        let project = workspace.project();
        let origin = if *project.target_declared(&workspace.db) { "" } else { " (assumed: the project declares none)" };
        let _ = writeln!(out, "  target-version: {}{origin}", project.target_version(&workspace.db));
        let _ = writeln!(out, "  select: {}", list(&config.select, "every rule"));
        let _ = writeln!(out, "  ignore: {}", list(&config.ignore, "none"));
        let _ = writeln!(out, "  extend-exclude: {}", list(&config.extend_exclude, "none"));
        let _ = writeln!(out, "  src: {}", list(&src, "the project's directory"));
        let _ = writeln!(out, "  fixable: {}", list(&config.fixes.fixable, "every rule"));
        let _ = writeln!(out, "  unfixable: {}", list(&config.fixes.unfixable, "none"));
        for ignore in &config.per_file_ignores {
            let _ = writeln!(out, "  per-file-ignores: {} = {}", ignore.pattern, ignore.codes.join(", "));
        }
        let _ = writeln!(out, "  lowering store: {store}");
        let _ = writeln!(out, "  files: {}", workspace.scoped_file_count());
    }
    write_or_pipe(&mut std::io::stdout().lock(), out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// 2 when something could not be checked (a path named but missing or unreadable, a bad
/// configuration), else 1 when there are findings (or, with `--diff`, changes to show).
fn exit_code(args: &CheckArgs, totals: &projects::Totals) -> ExitCode {
    if totals.failed || totals.problems > 0 {
        ExitCode::from(2)
    } else if args.diff {
        ExitCode::from(u8::from(totals.diffed_files > 0))
    } else if args.exit_non_zero_on_fix && totals.fixed > 0 {
        ExitCode::from(1)
    } else if totals.diagnostics == 0 || args.exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_or_pipe(out: &mut impl Write, bytes: &[u8]) -> anyhow::Result<()> {
    match out.write_all(bytes) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}

/// The closing lines: the JSON array, or counts of findings, fixes and files.
fn summary(args: &CheckArgs, totals: &projects::Totals, format: OutputFormat) -> String {
    if args.diff {
        if args.quiet || args.silent {
            return String::new();
        }
        if totals.diffed_files == 0 {
            eprintln!("No fixes to apply ({} files).", totals.files);
        } else {
            eprintln!("Would fix {} in {}.", counted(totals.fixed, "finding"), counted(totals.diffed_files, "file"));
        }
        return String::new();
    }
    if format.is_document() {
        let document = format.document(&totals.json, false);
        return if document.is_empty() { document } else { format!("{document}\n") };
    }
    let fixed = args.fix.then(|| {
        let counts: Vec<String> = totals.fixed_by_code.iter().map(|(code, n)| format!("{code} x{n}")).collect();
        (totals.fixed, format!("{} in {}", counts.join(", "), counted(totals.written, "file")))
    });
    let (errors, warnings) = (totals.errors, totals.warnings);
    let mut out = match (totals.diagnostics, &fixed) {
        // A project that could not be checked (bad configuration) is no pass.
        (0, None | Some((0, _))) if totals.failed => {
            format!("No findings in the projects that could be checked ({}).\n", counted(totals.files, "file"))
        }
        // Nothing could be read (a path that does not exist): no pass either.
        (0, None | Some((0, _))) if totals.files == 0 && totals.problems > 0 => "No files were checked.\n".into(),
        // Nor when some path could not be read.
        (0, None | Some((0, _))) if totals.problems > 0 => {
            format!("No findings in the files that could be read ({}).\n", counted(totals.files, "file"))
        }
        (0, None | Some((0, _))) => format!("All checks passed! ({})\n", counted(totals.files, "file")),
        (0, Some((fixed, what))) => format!("Fixed {} ({what}); all checks passed.\n", counted(*fixed, "finding")),
        (_, Some((fixed, what))) if *fixed > 0 => {
            let verb = if errors + warnings == 1 { "remains" } else { "remain" };
            format!("Fixed {} ({what}); {} {verb}.\n", counted(*fixed, "finding"), tally(errors, warnings))
        }
        _ => format!("Found {}.\n", tally(errors, warnings)),
    };
    out.push_str(&fixable_summary(totals.fixable, totals.hidden));
    out
}

/// `--statistics`: per code, how many findings and how many of them a fix resolves, as
/// ruff prints it (a JSON array with `--output-format json`).
fn statistics(totals: &projects::Totals, format: OutputFormat) -> String {
    let name = |code: &str| {
        let rule = tasklens_checks::all_rules().iter().find(|rule| rule.code == code);
        rule.map_or(code.to_string(), |rule| rule.name.to_string())
    };
    if format == OutputFormat::Json {
        let rows: Vec<serde_json::Value> = (totals.by_code.iter())
            .map(|(code, (count, fixable))| {
                serde_json::json!({"code": code, "name": name(code), "count": count, "fixable": *fixable > 0, "fixable_count": fixable})
            })
            .collect();
        return format!("{}\n", serde_json::Value::Array(rows));
    }
    let mut rows: Vec<(&&str, &(usize, usize))> = totals.by_code.iter().collect();
    rows.sort_by_key(|(code, (count, _))| (std::cmp::Reverse(*count), **code));
    let width = rows.iter().map(|(_, (count, _))| count.to_string().len()).max().unwrap_or(1);
    let code_width = rows.iter().map(|(code, _)| code.len()).max().unwrap_or(5);
    let mut out = String::new();
    for (code, (count, fixable)) in rows {
        let mark = if *fixable > 0 { "[*]" } else { "[ ]" };
        out.push_str(&format!("{count:>width$}\t{code:<code_width$}\t{mark} {}\n", name(code)));
    }
    if totals.by_code.is_empty() && totals.files == 0 && totals.problems > 0 {
        out.push_str("No files were checked.\n");
    } else if totals.by_code.is_empty() && totals.problems > 0 {
        out.push_str(&format!("No findings in the files that could be read ({}).\n", counted(totals.files, "file")));
    } else if totals.by_code.is_empty() {
        out.push_str(&format!("All checks passed! ({})\n", counted(totals.files, "file")));
    }
    out
}

/// How many findings are errors and how many warnings.
fn severity_counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    (errors, diagnostics.len() - errors)
}

/// `[*] N fixable with --fix (M hidden fixes can be enabled with --unsafe-fixes)`.
fn fixable_summary(fixable: usize, hidden: usize) -> String {
    let hidden_fixes = match hidden {
        1 => "1 hidden fix can".to_string(),
        _ => format!("{hidden} hidden fixes can"),
    };
    match (fixable, hidden) {
        (0, 0) => String::new(),
        (0, _) => format!("No fixes available ({hidden_fixes} be enabled with `--unsafe-fixes`).\n"),
        (fixable, 0) => format!("[*] {fixable} fixable with `--fix`.\n"),
        (fixable, _) => {
            format!("[*] {fixable} fixable with `--fix` ({hidden_fixes} be enabled with `--unsafe-fixes`).\n")
        }
    }
}

fn explain(code: Option<&str>, all: bool, format: RuleFormat) -> anyhow::Result<ExitCode> {
    if format == RuleFormat::Json {
        let rules: Vec<&tasklens_checks::Rule> = match code {
            Some(code) if !all => {
                vec![rule(code).ok_or_else(|| anyhow::anyhow!("unknown rule `{code}`; see `tasklens rule --all`"))?]
            }
            _ => all_rules().to_vec(),
        };
        let values: Vec<serde_json::Value> = (rules.iter())
            .map(|rule| {
                serde_json::json!({
                    "code": rule.code,
                    "name": rule.name,
                    "severity": rule.severity.as_str(),
                    "explanation": rule.markdown(),
                })
            })
            .collect();
        let text = match (code, all) {
            (Some(_), false) => serde_json::to_string_pretty(&values[0]),
            _ => serde_json::to_string_pretty(&values),
        };
        print_or_pipe(&format!("{}\n", text.unwrap_or_default()))?;
        return Ok(ExitCode::SUCCESS);
    }
    if all || code.is_none() {
        let lines: String = (all_rules().iter())
            .map(|rule| format!("{} {} ({})\n", rule.code, rule.name, rule.severity.as_str()))
            .collect();
        print_or_pipe(&lines)?;
        return Ok(ExitCode::SUCCESS);
    }
    let code = code.unwrap_or_default();
    let rule = rule(code).ok_or_else(|| anyhow::anyhow!("unknown rule `{code}`; see `tasklens rule --all`"))?;
    print_or_pipe(&format!("# {} ({})\n\n{}\n", rule.name, rule.code, rule.markdown()))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `text` to stdout; a closed pipe (`tasklens rule TL001 | head`) is not an error.
fn print_or_pipe(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    write_or_pipe(&mut out, text.as_bytes())?;
    match out.flush() {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}
