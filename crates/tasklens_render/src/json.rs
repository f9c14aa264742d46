//! JSON output in ruff's shape, with `severity` and the flow's `trace`.

use serde::Serialize;
use tasklens_checks::{Diagnostic, Label};

use crate::line_column;

#[derive(Serialize)]
struct Position {
    row: usize,
    column: usize,
}

#[derive(Serialize)]
struct Hop {
    filename: String,
    location: Position,
    end_location: Position,
    message: String,
}

#[derive(Serialize)]
struct FixEdit {
    content: String,
    location: Position,
    end_location: Position,
}

#[derive(Serialize)]
struct FixJson {
    applicability: &'static str,
    message: String,
    edits: Vec<FixEdit>,
}

#[derive(Serialize)]
struct Message {
    code: &'static str,
    message: String,
    filename: String,
    location: Position,
    end_location: Position,
    fix: Option<FixJson>,
    url: Option<String>,
    severity: &'static str,
    trace: Vec<Hop>,
}

fn absolute(db: &dyn salsa::Database, file: tasklens_db::File) -> String {
    let path = file.path(db);
    std::path::absolute(path).unwrap_or_else(|_| path.clone()).display().to_string()
}

fn positions(db: &dyn salsa::Database, label: &Label) -> (Position, Position) {
    let (row, column) = line_column(db, label.file, label.range.start());
    let (end_row, end_column) = line_column(db, label.file, label.range.end());
    (Position { row, column }, Position { row: end_row, column: end_column })
}

/// One JSON array of findings gathered from several databases (one per project).
pub fn render_json_values(values: &[serde_json::Value], pretty: bool) -> String {
    let text = if pretty { serde_json::to_string_pretty(values) } else { serde_json::to_string(values) };
    text.unwrap_or_else(|_| "[]".into())
}

/// JSON lines: each finding's object on a line of its own (no trailing newline; empty
/// when there are none).
pub fn render_json_lines(values: &[serde_json::Value]) -> String {
    let lines: Vec<String> = values.iter().map(|value| serde_json::to_string(value).unwrap_or_default()).collect();
    lines.join("\n")
}

/// Each diagnostic as a JSON object (file names and positions need the database).
pub fn json_values(db: &dyn salsa::Database, diagnostics: &[Diagnostic]) -> Vec<serde_json::Value> {
    diagnostics
        .iter()
        .map(|d| {
            let (location, end_location) = positions(db, &d.primary);
            let trace = d
                .trace
                .iter()
                .map(|hop| {
                    let (location, end_location) = positions(db, hop);
                    Hop { filename: absolute(db, hop.file), location, end_location, message: hop.message.clone() }
                })
                .collect();
            Message {
                code: d.code,
                message: d.message.clone(),
                filename: absolute(db, d.primary.file),
                location,
                end_location,
                fix: d.fix.as_ref().map(|fix| FixJson {
                    applicability: fix.applicability.as_str(),
                    message: fix.message.clone(),
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| {
                            let (row, column) = line_column(db, d.primary.file, edit.range.start());
                            let (end_row, end_column) = line_column(db, d.primary.file, edit.range.end());
                            FixEdit {
                                content: edit.content.clone(),
                                location: Position { row, column },
                                end_location: Position { row: end_row, column: end_column },
                            }
                        })
                        .collect(),
                }),
                url: None,
                severity: d.severity.as_str(),
                trace,
            }
        })
        .map(|message| serde_json::to_value(message).unwrap_or_default())
        .collect()
}
