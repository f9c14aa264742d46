//! Renders diagnostics: `full` (code frames with the flow, via
//! codespan-reporting), `concise` (one line each), `json` (ruff's fields
//! plus `severity` and `trace`) and `json-lines`, `sarif` (SARIF 2.1.0 with the flow as a
//! code flow), and the formats of CI systems: `github`, `azure` and `pylint` lines,
//! GitLab's Code Quality report and JUnit XML.

mod annotations;
mod json;
mod reports;
mod sarif;

use codespan_reporting::diagnostic::{Diagnostic as Frame, Label as FrameLabel};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};
use tasklens_checks::{Diagnostic, Severity, display_path};
use tasklens_db::File;

pub use annotations::{render_azure, render_github, render_pylint};
pub use json::{json_values, render_json_lines, render_json_values};
pub use reports::{render_gitlab_values, render_junit_values};
pub use sarif::render_sarif_values;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    /// GitHub Actions workflow commands: an annotation on the line of each finding.
    Github,
    /// SARIF 2.1.0 (GitHub code scanning): one document for the whole run.
    Sarif,
    /// One JSON object per line (as `json`'s elements).
    JsonLines,
    /// GitLab's Code Quality report: one document for the whole run.
    Gitlab,
    /// A JUnit XML test report: one document for the whole run.
    Junit,
    /// Azure Pipelines logging commands: an issue on the line of each finding.
    Azure,
    /// pylint's `path:line: [CODE] message`.
    Pylint,
}

impl OutputFormat {
    /// Whether findings are gathered into one document printed at the end (`json`,
    /// `sarif`...) instead of being printed project by project.
    pub fn is_document(self) -> bool {
        matches!(
            self,
            OutputFormat::Json
                | OutputFormat::Sarif
                | OutputFormat::JsonLines
                | OutputFormat::Gitlab
                | OutputFormat::Junit
        )
    }

    /// Whether the output is for people (`full`, `concise`), who also get the closing
    /// counts on stdout; the other formats are for tools, whose stdout holds findings only.
    pub fn is_for_people(self) -> bool {
        matches!(self, OutputFormat::Full | OutputFormat::Concise)
    }

    /// The document of the findings' JSON values ([`json_values`]); pretty over several
    /// lines unless `one_line` (watch mode prints one document per line).
    pub fn document(self, values: &[serde_json::Value], one_line: bool) -> String {
        let base = std::env::current_dir().ok();
        match self {
            OutputFormat::Sarif => render_sarif_values(values, base.as_deref(), !one_line),
            OutputFormat::JsonLines => render_json_lines(values),
            OutputFormat::Gitlab => {
                // A GitLab job runs in a checkout at `$CI_PROJECT_DIR`; paths are relative to it.
                let project = std::env::var_os("CI_PROJECT_DIR").map(std::path::PathBuf::from);
                render_gitlab_values(values, project.as_deref().or(base.as_deref()), !one_line)
            }
            OutputFormat::Junit => render_junit_values(values, base.as_deref()),
            _ => render_json_values(values, !one_line),
        }
    }
}

/// One-based line and column (in characters) of an offset.
pub(crate) fn line_column(db: &dyn salsa::Database, file: File, offset: ruff_text_size::TextSize) -> (usize, usize) {
    let position = tasklens_db::line_index(db, file).line_column(offset, file.text(db));
    (position.line.get(), position.column.get())
}

/// Renders in the given format; `color` applies to `full` only.
pub fn render(db: &dyn salsa::Database, diagnostics: &[Diagnostic], format: OutputFormat, color: bool) -> String {
    match format {
        OutputFormat::Full => render_full(db, diagnostics, color),
        OutputFormat::Concise => render_concise(db, diagnostics),
        OutputFormat::Json
        | OutputFormat::Sarif
        | OutputFormat::JsonLines
        | OutputFormat::Gitlab
        | OutputFormat::Junit => format.document(&json_values(db, diagnostics), false),
        OutputFormat::Github => render_github(db, diagnostics),
        OutputFormat::Azure => render_azure(db, diagnostics),
        OutputFormat::Pylint => render_pylint(db, diagnostics),
    }
}

pub fn render_concise(db: &dyn salsa::Database, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let file = diagnostic.primary.file;
        let (line, column) = line_column(db, file, diagnostic.primary.range.start());
        let fixable = diagnostic.fix.as_ref().is_some_and(|f| f.applicability == tasklens_checks::Applicability::Safe);
        out.push_str(&format!(
            "{}:{line}:{column}: {}{} {}\n",
            display_path(db, file),
            diagnostic.code,
            if fixable { " [*]" } else { "" },
            diagnostic.message
        ));
    }
    out
}

/// Lines longer than this are not shown in a code frame.
const MAX_SHOWN_LINE: usize = 1_000;

/// The first line a label of `diagnostic` starts or ends on that is longer than
/// [`MAX_SHOWN_LINE`] characters: its file, one-based number and length.
fn long_line(db: &dyn salsa::Database, diagnostic: &Diagnostic) -> Option<(File, usize, usize)> {
    let places = std::iter::once((diagnostic.primary.file, diagnostic.primary.range))
        .chain(diagnostic.trace.iter().map(|hop| (hop.file, hop.range)));
    for (file, range) in places {
        let text = file.text(db);
        for at in [range.start(), range.end()] {
            let offset = usize::from(at);
            let (Some(before), Some(after)) = (text.get(..offset), text.get(offset..)) else { continue };
            let start = before.rfind('\n').map_or(0, |at| at + 1);
            let end = after.find('\n').map_or(text.len(), |at| offset + at);
            let length = text[start..end].chars().count();
            if length > MAX_SHOWN_LINE {
                let (line, _) = line_column(db, file, at);
                return Some((file, line, length));
            }
        }
    }
    None
}

pub fn render_full(db: &dyn salsa::Database, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    // Each file's text is added once, however many findings it has.
    let mut ids: std::collections::HashMap<File, usize> = std::collections::HashMap::new();
    let mut id_of = |file: File| -> usize {
        *ids.entry(file).or_insert_with(|| files.add(display_path(db, file), file.text(db).to_string()))
    };
    let mut frames = Vec::new();
    for diagnostic in diagnostics {
        let frame = match diagnostic.severity {
            Severity::Error => Frame::error(),
            Severity::Warning => Frame::warning(),
        };
        let mut labels = vec![
            FrameLabel::primary(id_of(diagnostic.primary.file), diagnostic.primary.range)
                .with_message(diagnostic.primary.message.clone()),
        ];
        let numbered = diagnostic.trace.len() > 1;
        for (index, hop) in diagnostic.trace.iter().enumerate() {
            let message = if numbered { format!("{}. {}", index + 1, hop.message) } else { hop.message.clone() };
            labels.push(FrameLabel::secondary(id_of(hop.file), hop.range).with_message(message));
        }
        let notes = diagnostic
            .fix
            .iter()
            .map(|fix| format!("help: {} ({} fix)", fix.message, fix.applicability.as_str()))
            .collect();
        frames.push(
            frame
                .with_code(diagnostic.code)
                .with_message(diagnostic.message.clone())
                .with_labels(labels)
                .with_notes(notes),
        );
    }
    let config = term::Config::default();
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    let mut fallback = String::new();
    for (frame, diagnostic) in frames.iter().zip(diagnostics) {
        if let Some((file, line, length)) = long_line(db, diagnostic) {
            // A minified or generated line would fill the screen: name the place instead.
            let text = format!(
                "{}  = note: {}:{line} is {length} characters long; the code frame is left out\n\n",
                render_concise(db, std::slice::from_ref(diagnostic)),
                display_path(db, file)
            );
            let _ = std::io::Write::write_all(&mut buffer, text.as_bytes());
            continue;
        }
        if term::emit_to_write_style(&mut buffer, &config, &files, frame).is_err() {
            // A label outside its file's text: show the finding on one line instead.
            fallback.push_str(&render_concise(db, std::slice::from_ref(diagnostic)));
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned() + &fallback
}
