//! Where each fact sits in the source, kept apart from the facts themselves: an edit that
//! only moves code (comments, blank lines, string contents, formatting) leaves a module's
//! facts equal, so the flow solution that depends on them is reused, while the report
//! reads the new positions from here.

use ruff_text_size::TextRange;

use crate::facts::Suppression;

/// The positions of a module's facts, index for index.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
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
    /// Each `ModuleFacts::unchecked_outcomes` entry's call.
    pub unchecked_outcomes: Vec<TextRange>,
    /// Each `ModuleFacts::newer_imports` entry's imported name.
    pub newer_imports: Vec<TextRange>,
    /// Each `ModuleFacts::newer_attribute_reads` entry's attribute expression.
    pub newer_attribute_reads: Vec<TextRange>,
    /// Each `ModuleFacts::awaited_references` entry's awaited expression.
    pub awaited_references: Vec<TextRange>,
    /// Each `ModuleFacts::discarded_awaits` entry's `await` expression.
    pub discarded_awaits: Vec<TextRange>,
    /// Each `ModuleFacts::protocol_uses` entry's value.
    pub protocol_uses: Vec<TextRange>,
    /// Each `ModuleFacts::truth_tests` entry's test.
    pub truth_tests: Vec<TextRange>,
    /// Each `ModuleFacts::value_uses` entry's value.
    pub value_uses: Vec<TextRange>,
    /// The `TimeoutError` of each handler `TimeoutAwait::catcher` names.
    pub timeout_catchers: Vec<TimeoutCatcher>,
    /// For each of them, where its statement starts when a fix may switch its kind (a
    /// `with` of one item or a `for`, directly in an `async def`).
    pub protocol_statements: Vec<Option<ruff_text_size::TextSize>>,
    /// Where a tree walk stopped because the code nests too deeply.
    pub too_deep: Option<TextRange>,
    /// `# tasklens: ignore[...]` and `# noqa: ...` comments.
    pub suppressions: Vec<Suppression>,
    /// `# type: ignore`, `# pyright: ignore`, `# ty: ignore` comments (TL007).
    pub type_ignores: Vec<TextRange>,
}

impl Positions {
    /// Frees the spare capacity lowering left (see [`crate::ModuleFacts`]'s).
    pub(crate) fn shrink_to_fit(&mut self) {
        crate::shrink_all!(
            self.functions,
            self.params,
            self.classes,
            self.call_sites,
            self.hops,
            self.annotated,
            self.task_method_calls,
            self.unchecked_outcomes,
            self.awaited_references,
            self.discarded_awaits,
            self.protocol_uses,
            self.protocol_statements,
            self.truth_tests,
            self.value_uses,
            self.timeout_catchers
        );
        self.params.iter_mut().for_each(Vec::shrink_to_fit);
        self.call_sites.iter_mut().for_each(|site| crate::shrink_all!(site.args, site.keywords));
    }
}

/// Where a handler names the builtin `TimeoutError` (see `Positions::timeout_catchers`).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutCatcher {
    pub range: TextRange,
    /// Among others where one more may follow (a tuple, `suppress(...)`'s arguments), not
    /// alone (`except TimeoutError:`, `pytest.raises(TimeoutError)`).
    pub listed: bool,
}

/// The parts of one call.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
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
