//! Findings in the editor's terms: diagnostics with UTF-16 ranges and the flow as related
//! information, and the code actions offered for them (a fix, an ignore comment).

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic as LspDiagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, TextEdit, Url,
    WorkspaceEdit,
};
use tasklens_checks::{Applicability, Diagnostic, Severity};

use super::{Project, absolute};

/// A finding for the editor: its range, the flow's hops as related information.
pub(super) fn to_lsp(db: &dyn salsa::Database, diagnostic: &Diagnostic) -> LspDiagnostic {
    let location = |label: &tasklens_checks::Label| {
        let uri = Url::from_file_path(absolute(label.file.path(db))).ok()?;
        Some(Location { uri, range: range(label.file.text(db), label.range) })
    };
    let related: Vec<DiagnosticRelatedInformation> = (diagnostic.trace.iter())
        .filter_map(|hop| Some(DiagnosticRelatedInformation { location: location(hop)?, message: hop.message.clone() }))
        .collect();
    LspDiagnostic {
        range: range(diagnostic.primary.file.text(db), diagnostic.primary.range),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        source: Some("tasklens".to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..LspDiagnostic::default()
    }
}

/// A range in the editor's terms: zero-based lines, columns in UTF-16 code units.
fn range(text: &str, range: ruff_text_size::TextRange) -> Range {
    Range { start: position(text, range.start().into()), end: position(text, range.end().into()) }
}

fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line = before.matches('\n').count();
    let character = before[line_start..].encode_utf16().count();
    Position { line: u32::try_from(line).unwrap_or(u32::MAX), character: u32::try_from(character).unwrap_or(u32::MAX) }
}

/// The kind of the action that applies every safe fix of a file (`source.fixAll` for editors
/// that run it on save).
pub(super) const FIX_ALL: &str = "source.fixAll.tasklens";

/// For each finding on the requested lines: its fix (when it has one), and a comment that
/// ignores it on its line (what `--add-noqa` writes); and, when the editor asks for source
/// actions, one that applies every safe fix of the file.
pub(super) fn code_actions(projects: &[Project], params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let Ok(path) = params.text_document.uri.to_file_path() else { return Vec::new() };
    let wants =
        |kind: &str| params.context.only.as_ref().is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())));
    let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
        changes: Some([(params.text_document.uri.clone(), edits)].into_iter().collect()),
        ..WorkspaceEdit::default()
    };
    let mut actions = Vec::new();
    for project in projects {
        let db = &project.workspace.db;
        let findings: Vec<&Diagnostic> = (project.findings.iter())
            .filter(|finding| finding.code.starts_with("TL") && absolute(finding.primary.file.path(db)) == path)
            .collect();
        let Some(first) = findings.first() else { continue };
        let text = first.primary.file.text(db);
        if wants(FIX_ALL) {
            let safe: Vec<&tasklens_checks::Fix> = (findings.iter())
                .filter_map(|finding| finding.fix.as_ref())
                .filter(|fix| fix.applicability == Applicability::Safe)
                .collect();
            if !safe.is_empty() {
                let fixed = tasklens_fix::apply_fixes(text, &safe).text;
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: "Apply every safe tasklens fix".to_string(),
                    kind: Some(CodeActionKind::from(FIX_ALL)),
                    edit: Some(edit(vec![changed_part(text, &fixed)])),
                    ..CodeAction::default()
                }));
            }
        }
        if !wants(CodeActionKind::QUICKFIX.as_str()) {
            continue;
        }
        for finding in findings {
            let diagnostic = to_lsp(db, finding);
            // The lines of the request (a cursor's, usually) and of the finding meet.
            if diagnostic.range.end.line < params.range.start.line
                || params.range.end.line < diagnostic.range.start.line
            {
                continue;
            }
            if let Some(fix) = &finding.fix {
                let safe = fix.applicability == Applicability::Safe;
                let edits = (fix.edits.iter())
                    .map(|e| TextEdit { range: range(text, e.range), new_text: e.content.clone() })
                    .collect();
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: if safe { fix.message.clone() } else { format!("{} (unsafe)", fix.message) },
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(edit(edits)),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }));
            }
            let ignored = tasklens_fix::add_ignores(db, std::slice::from_ref(finding));
            if let Some(changed) = ignored.files.first() {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Ignore {} on this line", finding.code),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic]),
                    edit: Some(edit(vec![changed_part(&changed.original, &changed.fixed)])),
                    ..CodeAction::default()
                }));
            }
        }
    }
    actions
}

/// Over a finding: its message and its rule's documentation.
pub(super) fn hover(projects: &[Project], params: &lsp_types::HoverParams) -> Option<lsp_types::Hover> {
    let at = &params.text_document_position_params;
    let path = at.text_document.uri.to_file_path().ok()?;
    for project in projects {
        let db = &project.workspace.db;
        for finding in &project.findings {
            if absolute(finding.primary.file.path(db)) != path {
                continue;
            }
            let diagnostic = to_lsp(db, finding);
            if at.position < diagnostic.range.start || diagnostic.range.end < at.position {
                continue;
            }
            let Some(rule) = tasklens_checks::rule(finding.code) else { continue };
            let value =
                format!("**{}** ({})\n\n{}\n\n---\n\n{}", rule.code, rule.name, finding.message, rule.markdown());
            return Some(lsp_types::Hover {
                contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                    kind: lsp_types::MarkupKind::Markdown,
                    value,
                }),
                range: Some(diagnostic.range),
            });
        }
    }
    None
}

/// One edit that turns `old` into `new`: the part between what the two share at each end.
fn changed_part(old: &str, new: &str) -> TextEdit {
    let prefix = floor_char(old, old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count());
    let mut suffix = old[prefix..].bytes().rev().zip(new[prefix..].bytes().rev()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(old.len() - suffix) {
        suffix -= 1;
    }
    let replaced = ruff_text_size::TextRange::new(
        ruff_text_size::TextSize::try_from(prefix).unwrap_or_default(),
        ruff_text_size::TextSize::try_from(old.len() - suffix).unwrap_or_default(),
    );
    TextEdit { range: range(old, replaced), new_text: new[prefix..new.len() - suffix].to_string() }
}

/// The largest character boundary of `text` at or before `at`.
fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
