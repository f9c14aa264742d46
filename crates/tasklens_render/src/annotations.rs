//! One line per finding in the formats CI systems read: GitHub Actions workflow commands,
//! Azure Pipelines logging commands, and pylint's `path:line: [CODE] message`.

use tasklens_checks::{Diagnostic, Severity, display_path};

use crate::line_column;

/// Where and what a finding is, as every line format needs it.
struct Line {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    level: &'static str,
}

fn line(db: &dyn salsa::Database, diagnostic: &Diagnostic) -> Line {
    let file = diagnostic.primary.file;
    let (line, column) = line_column(db, file, diagnostic.primary.range.start());
    let (end_line, end_column) = line_column(db, file, diagnostic.primary.range.end());
    let level = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    Line { path: display_path(db, file), line, column, end_line, end_column, level }
}

/// One `::error` or `::warning` workflow command per finding, which GitHub Actions shows
/// as an annotation on the line to change (with the one-line text as its message).
pub fn render_github(db: &dyn salsa::Database, diagnostics: &[Diagnostic]) -> String {
    // Workflow commands end at a newline; properties also at `,` and `:`.
    let data = |text: &str| text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let property = |text: &str| data(text).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for diagnostic in diagnostics {
        let Line { path, line, column, end_line, end_column, level } = line(db, diagnostic);
        out.push_str(&format!(
            "::{level} title={},file={},line={line},col={column},endLine={end_line},endColumn={end_column}::{}\n",
            property(&format!("tasklens ({})", diagnostic.code)),
            property(&path),
            data(&format!("{path}:{line}:{column}: {} {}", diagnostic.code, diagnostic.message)),
        ));
    }
    out
}

/// One `##vso[task.logissue ...]` logging command per finding, which Azure Pipelines
/// shows as an error or warning of the step, on the file and line.
pub fn render_azure(db: &dyn salsa::Database, diagnostics: &[Diagnostic]) -> String {
    // Logging commands end at a newline; properties at `;`, the command at `]`.
    let escape = |text: &str| {
        (text.replace('%', "%AZP25").replace('\r', "%0D").replace('\n', "%0A")).replace(';', "%3B").replace(']', "%5D")
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        let Line { path, line, column, level, .. } = line(db, diagnostic);
        out.push_str(&format!(
            "##vso[task.logissue type={level};sourcepath={};linenumber={line};columnnumber={column};code={};]{}\n",
            escape(&path),
            diagnostic.code,
            diagnostic.message.replace(['\r', '\n'], " "),
        ));
    }
    out
}

/// pylint's parseable format, `path:line: [CODE] message`, which editors and CI tools that
/// read pylint already understand.
pub fn render_pylint(db: &dyn salsa::Database, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let Line { path, line, .. } = line(db, diagnostic);
        out.push_str(&format!("{path}:{line}: [{}] {}\n", diagnostic.code, diagnostic.message));
    }
    out
}
