//! Where each fact sits in the source, kept apart from the facts themselves: an edit that
//! only moves code (comments, blank lines, string contents, formatting) leaves a module's
//! facts equal, so the flow solution that depends on them is reused, while the report
//! reads the new positions from here.

use ruff_text_size::TextRange;

use crate::facts::{ModuleFacts, Suppression};

/// The positions of a module's facts, index for index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    /// Each function's name (or `lambda` keyword).
    pub functions: Vec<TextRange>,
    /// Each function's parameter names.
    pub params: Vec<Vec<TextRange>>,
    pub classes: Vec<TextRange>,
    pub call_sites: Vec<CallPositions>,
    pub hops: Vec<TextRange>,
    /// Each annotated place's annotation.
    pub annotated: Vec<TextRange>,
    /// Each Task-only method call's attribute name.
    pub task_method_calls: Vec<TextRange>,
    /// Where a tree walk stopped because the code nests too deeply.
    pub too_deep: Option<TextRange>,
    /// `# tasklens: ignore[...]` and `# noqa: ...` comments.
    pub suppressions: Vec<Suppression>,
    /// `# type: ignore`, `# pyright: ignore`, `# ty: ignore` comments (TL007).
    pub type_ignores: Vec<TextRange>,
}

/// The parts of one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallPositions {
    /// The whole call expression.
    pub range: TextRange,
    pub callee: TextRange,
    pub args: Vec<TextRange>,
    /// Each keyword argument's value and the whole `name=value`.
    pub keywords: Vec<(TextRange, TextRange)>,
}

impl CallPositions {
    /// Positional argument `index` (the call when there is none).
    pub fn arg(&self, index: usize) -> TextRange {
        self.args.get(index).copied().unwrap_or(self.range)
    }

    /// The value of keyword argument `index`.
    pub fn keyword_value(&self, index: usize) -> TextRange {
        self.keywords.get(index).map_or(self.range, |k| k.0)
    }

    /// The whole `name=value` of keyword argument `index`.
    pub fn keyword_whole(&self, index: usize) -> TextRange {
        self.keywords.get(index).map_or(self.range, |k| k.1)
    }
}

/// Takes every position out of `facts` (leaving empty ranges) into a [`Positions`].
pub fn split(mut facts: ModuleFacts) -> (ModuleFacts, Positions) {
    let none = TextRange::default();
    let mut positions = Positions {
        too_deep: facts.too_deep.take(),
        suppressions: std::mem::take(&mut facts.suppressions),
        type_ignores: std::mem::take(&mut facts.type_ignores),
        ..Positions::default()
    };
    for function in &mut facts.functions {
        positions.functions.push(std::mem::replace(&mut function.range, none));
        positions.params.push(function.params.iter_mut().map(|p| std::mem::replace(&mut p.range, none)).collect());
    }
    positions.classes = facts.classes.iter_mut().map(|c| std::mem::replace(&mut c.range, none)).collect();
    for call in &mut facts.call_sites {
        positions.call_sites.push(CallPositions {
            range: std::mem::replace(&mut call.range, none),
            callee: std::mem::replace(&mut call.callee_range, none),
            args: call.args.iter_mut().map(|a| std::mem::replace(&mut a.range, none)).collect(),
            keywords: (call.keywords.iter_mut())
                .map(|k| (std::mem::replace(&mut k.range, none), std::mem::replace(&mut k.whole, none)))
                .collect(),
        });
    }
    positions.hops = facts.hops.iter_mut().map(|h| std::mem::replace(&mut h.range, none)).collect();
    positions.annotated = facts.annotated.iter_mut().map(|a| std::mem::replace(&mut a.range, none)).collect();
    positions.task_method_calls =
        facts.task_method_calls.iter_mut().map(|t| std::mem::replace(&mut t.range, none)).collect();
    (facts, positions)
}
