//! The `tasklens` command line: `check` and `rule`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod watch;

use clap::{Parser, Subcommand, ValueEnum};
use tasklens_checks::{Diagnostic, Severity, all_rules, display_path, rule};
use tasklens_db::PythonVersion;
use tasklens_fix::{FixOptions, FixOutcome, fix_workspace, unified_diff, write_fixed};
use tasklens_project::config::Config;
use tasklens_project::{Workspace, with_large_stack};
use tasklens_render::{OutputFormat, render};

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
    Check(CheckArgs),
    /// Explain a rule.
    Rule {
        /// A rule code (TL001) or name (future-flows-into-task).
        code: Option<String>,
        /// List every rule.
        #[arg(long)]
        all: bool,
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
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rule codes or prefixes not to report (comma-separated); overrides `ignore` in the configuration.
    #[arg(long, value_delimiter = ',')]
    ignore: Option<Vec<String>>,
    /// Apply the safe fixes and write the fixed files.
    #[arg(long)]
    fix: bool,
    /// Also offer and apply fixes whose safety cannot be proven (a loop may not be running).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 if there are any).
    #[arg(long)]
    diff: bool,
    /// Check again whenever a file changes (Ctrl-C to stop).
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    watch: bool,
}

fn parse_target_version(text: &str) -> Result<PythonVersion, String> {
    tasklens_project::config::parse_target_version(text)
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Full,
    Concise,
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
            std::panic::catch_unwind(|| with_large_stack(move || check(args)))
                .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error (a bug in tasklens); please report it")))
        }
        Command::Rule { code, all } => explain(code.as_deref(), all),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tasklens: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// The output format and whether `full` output is coloured.
fn output_style(args: &CheckArgs) -> (OutputFormat, bool) {
    let format = match args.output_format {
        Format::Full => OutputFormat::Full,
        Format::Concise => OutputFormat::Concise,
        Format::Json => OutputFormat::Json,
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    (format, color)
}

/// The configuration file's settings with the command line's overrides.
fn configure(args: &CheckArgs) -> anyhow::Result<Config> {
    let mut config = tasklens_project::config::load(&args.paths)?;
    if let Some(select) = &args.select {
        // An explicit selection on the command line is what the user wants to see now.
        config.select = select.clone();
        config.ignore.clear();
    }
    if let Some(ignore) = &args.ignore {
        config.ignore = ignore.clone();
    }
    Ok(config)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let config = configure(&args)?;
    if args.watch {
        return watch::watch(&args, config);
    }
    let mut workspace = Workspace::load_configured(&args.paths, &config, args.target_version);
    workspace.set_warn_unused_ignores(args.warn_unused_ignores);
    for problem in &workspace.problems {
        eprintln!("tasklens: error: {}: {}", problem.path.display(), problem.message);
    }
    let options = FixOptions { unsafe_fixes: args.unsafe_fixes };
    let mut fixed = None;
    let diagnostics = if args.fix || args.diff {
        let outcome = fix_workspace(&mut workspace, options, &|d| config.reports(d.code));
        for rejected in &outcome.rejected {
            eprintln!("tasklens: error: {}: {}", rejected.path.display(), rejected.message);
        }
        if !outcome.converged {
            eprintln!("tasklens: warning: fixes were still left after the last pass; run `--fix` again");
        }
        if args.diff {
            let code = print_diff(&workspace, &outcome)?;
            std::mem::forget(workspace);
            return Ok(code);
        }
        let mut written = 0;
        for file in &outcome.files {
            match write_fixed(&file.path, &file.original, &file.fixed) {
                Ok(()) => written += 1,
                Err(error) => eprintln!("tasklens: error: {error}"),
            }
        }
        let counts: Vec<String> = outcome.fixed_by_code.iter().map(|(code, n)| format!("{code} x{n}")).collect();
        fixed = Some((outcome.fixed, format!("{} in {written} file(s)", counts.join(", "))));
        outcome.remaining
    } else {
        let mut diagnostics = workspace.check();
        diagnostics.retain(|diagnostic| config.reports(diagnostic.code) && workspace.reports(diagnostic));
        diagnostics
    };
    let (format, color) = output_style(&args);
    let mut stdout = std::io::stdout().lock();
    let rendered = render(&workspace.db, &diagnostics, format, color);
    let result = (|| -> std::io::Result<()> {
        stdout.write_all(rendered.as_bytes())?;
        if format != OutputFormat::Json {
            let (errors, warnings) = severity_counts(&diagnostics);
            match (diagnostics.len(), &fixed) {
                (0, None | Some((0, _))) => {
                    writeln!(stdout, "All checks passed! ({} files)", workspace.scoped_file_count())?
                }
                (0, Some((fixed, what))) => writeln!(stdout, "Fixed {fixed} finding(s) ({what}); all checks passed.")?,
                (_, Some((fixed, what))) if *fixed > 0 => writeln!(
                    stdout,
                    "Fixed {fixed} finding(s) ({what}); {errors} error(s) and {warnings} warning(s) remain."
                )?,
                _ => writeln!(stdout, "Found {errors} error(s) and {warnings} warning(s).")?,
            }
            write_fixable_summary(&mut stdout, &diagnostics, options)?;
        } else {
            writeln!(stdout)?;
        }
        stdout.flush()
    })();
    if let Err(error) = result
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(error.into());
    }
    let code = if workspace.scoped_file_count() == 0 && !workspace.problems.is_empty() {
        ExitCode::from(2)
    } else if diagnostics.is_empty() || args.exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    // The process ends here: tearing down the database would only cost time.
    std::mem::forget(workspace);
    Ok(code)
}

/// How many findings are errors and how many warnings.
fn severity_counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    (errors, diagnostics.len() - errors)
}

/// `[*] N fixable with --fix (M hidden fixes can be enabled with --unsafe-fixes)`.
fn write_fixable_summary(out: &mut impl Write, diagnostics: &[Diagnostic], options: FixOptions) -> std::io::Result<()> {
    let fixes = || diagnostics.iter().filter_map(|d| d.fix.as_ref());
    let fixable = fixes().filter(|fix| options.applies(fix)).count();
    let hidden = fixes().count() - fixable;
    match (fixable, hidden) {
        (0, 0) => Ok(()),
        (0, hidden) => {
            writeln!(out, "No fixes available ({hidden} hidden fixes can be enabled with `--unsafe-fixes`).")
        }
        (fixable, 0) => writeln!(out, "[*] {fixable} fixable with `--fix`."),
        (fixable, hidden) => writeln!(
            out,
            "[*] {fixable} fixable with `--fix` ({hidden} hidden fixes can be enabled with `--unsafe-fixes`)."
        ),
    }
}

/// `--diff`: the fixes as unified diffs on stdout, a count on stderr; exit 1 if any.
fn print_diff(workspace: &Workspace, outcome: &FixOutcome) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    for file in &outcome.files {
        let path = display_path(&workspace.db, file.file);
        if let Err(error) = stdout.write_all(unified_diff(&path, &file.original, &file.fixed).as_bytes())
            && error.kind() != std::io::ErrorKind::BrokenPipe
        {
            return Err(error.into());
        }
    }
    let _ = stdout.flush();
    if outcome.files.is_empty() {
        eprintln!("No fixes to apply ({} files).", workspace.scoped_file_count());
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("Would fix {} finding(s) in {} file(s).", outcome.fixed, outcome.files.len());
    Ok(ExitCode::from(1))
}

fn explain(code: Option<&str>, all: bool) -> anyhow::Result<ExitCode> {
    if all || code.is_none() {
        for rule in all_rules() {
            println!("{} {} ({})", rule.code, rule.name, rule.severity.as_str());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let code = code.unwrap_or_default();
    let rule = rule(code).ok_or_else(|| anyhow::anyhow!("unknown rule `{code}`; see `tasklens rule --all`"))?;
    println!("# {} ({})\n\n{}", rule.name, rule.code, rule.doc.trim_end());
    Ok(ExitCode::SUCCESS)
}
