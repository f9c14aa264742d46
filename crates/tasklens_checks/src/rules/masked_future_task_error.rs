//! TL007: a type checker's suppression or a `cast` hides a Future-into-Task bug.

use tasklens_db::line_index;
use tasklens_flow::{FutureFlow, MaskedCast, SinkKind};
use tasklens_semantic::module_positions;

use crate::describe;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds `# type: ignore[...]`, `# pyright: ignore` and `# ty: ignore` comments on a
    /// line where a type checker reports a plain Future reaching code that needs a Task (a
    /// TL001 flow): the Task-only method call, or the `return`, argument or assignment that
    /// hands the value to a Task annotation; and
    /// `typing.cast(asyncio.Task, value)` applied to a value that can be a plain Future.
    ///
    /// ## Why is this bad?
    /// The type checker was right: the value can be a plain Future, which lacks the
    /// Task-only methods. The suppression or the cast silences the warning and leaves an
    /// `AttributeError` for run time.
    ///
    /// ## Example
    /// ```python
    /// task = cast(asyncio.Task, asyncio.ensure_future(fut))
    /// task.get_name()
    /// ```
    ///
    /// Use instead: create the Task with `asyncio.create_task(coroutine)`, or check
    /// `isinstance(value, asyncio.Task)` before using Task-only methods.
    ///
    /// ## References
    /// - [mypy: silencing type errors](https://mypy.readthedocs.io/en/stable/common_issues.html#spurious-errors-and-locally-silencing-the-checker)
    pub static RULE = ("TL007", "masked-future-task-error", Severity::Warning);
}

/// TL007 for type-checker suppressions on a line where a type checker reports a TL001
/// flow: the Task-only method call, or, for an annotation, the line that hands the value
/// over (the `return`, the argument, the assignment), which is the flow's last step.
pub(crate) fn suppressed_sinks(db: &dyn salsa::Database, flows: &[FutureFlow]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for flow in flows {
        let mut places = vec![flow.sink.at];
        if !matches!(flow.sink.kind, SinkKind::TaskMethod(_))
            && let Some(last) = flow.steps.last()
        {
            places.push(last.at);
        }
        for place in places {
            let file = place.file;
            let facts = module_positions(db, file);
            if facts.type_ignores.is_empty() {
                continue;
            }
            let index = line_index(db, file);
            let line = index.line_index(place.range.start());
            for &comment in &facts.type_ignores {
                if index.line_index(comment.start()) != line
                    || diagnostics.iter().any(|d: &Diagnostic| d.primary.file == file && d.primary.range == comment)
                {
                    continue;
                }
                diagnostics.push(suppression(db, flow, file, comment));
            }
        }
    }
    diagnostics
}

fn suppression(
    db: &dyn salsa::Database,
    flow: &FutureFlow,
    file: tasklens_db::File,
    comment: ruff_text_size::TextRange,
) -> Diagnostic {
    let producer = describe::producer(db, &flow.producer);
    let at = describe::place(db, flow.producer.location());
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!(
            "`{}` hides a real error: {producer} ({at}) and reaches this line, which needs a Task",
            describe::shown(db, file, comment)
        ),
        primary: Label { file, range: comment, message: "this suppression hides it".into() },
        trace: vec![
            Label {
                file: flow.producer.location().file,
                range: flow.producer.location().range,
                message: "the plain Future comes from here".into(),
            },
            Label { file: flow.sink.at.file, range: flow.sink.at.range, message: describe::sink_label(db, &flow.sink) },
        ],
        fix: None,
    }
}

/// TL007 for `cast(Task, value)` where the value can be a plain Future.
pub(crate) fn cast(db: &dyn salsa::Database, cast: &MaskedCast) -> Diagnostic {
    let producer = describe::producer(db, &cast.producer);
    let at = describe::place(db, cast.producer.location());
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!("this cast claims a Task, but {producer} ({at}) and reaches it"),
        primary: Label { file: cast.at.file, range: cast.at.range, message: "the value can be a plain Future".into() },
        trace: vec![Label {
            file: cast.producer.location().file,
            range: cast.producer.location().range,
            message: "the plain Future comes from here".into(),
        }],
        fix: None,
    }
}
