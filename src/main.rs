//! The `tasklens` command line: `check` and `rule`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tasklens_checks::{Severity, all_rules, rule};
use tasklens_db::PythonVersion;
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

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut config = tasklens_project::config::load(&args.paths)?;
    if let Some(select) = args.select {
        // An explicit selection on the command line is what the user wants to see now.
        config.select = select;
        config.ignore.clear();
    }
    if let Some(ignore) = args.ignore {
        config.ignore = ignore;
    }
    let mut workspace = Workspace::load_configured(&args.paths, &config, args.target_version);
    workspace.set_warn_unused_ignores(args.warn_unused_ignores);
    let mut diagnostics = workspace.check();
    diagnostics.retain(|diagnostic| config.reports(diagnostic.code));
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
    let mut stdout = std::io::stdout().lock();
    let rendered = render(&workspace.db, &diagnostics, format, color);
    for problem in &workspace.problems {
        eprintln!("tasklens: error: {}: {}", problem.path.display(), problem.message);
    }
    let result = (|| -> std::io::Result<()> {
        stdout.write_all(rendered.as_bytes())?;
        if format != OutputFormat::Json {
            let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            let warnings = diagnostics.len() - errors;
            match diagnostics.len() {
                0 => writeln!(stdout, "All checks passed! ({} files)", workspace.files().len())?,
                _ => writeln!(stdout, "Found {errors} error(s) and {warnings} warning(s).")?,
            }
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
    let code = if workspace.files().is_empty() && !workspace.problems.is_empty() {
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
