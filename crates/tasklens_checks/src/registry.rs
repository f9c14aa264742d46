//! The rule registry: codes, names, severities and the documentation that
//! `tasklens rule CODE` prints, taken from each rule's doc comment.

use crate::diagnostic::Severity;

/// A rule's metadata.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The rule's documentation, as its doc comment lines (each after `///`, so with the
    /// space that follows it).
    pub doc: &'static str,
}

impl Rule {
    /// The rule's documentation, in Markdown (each doc comment line without its first space).
    pub fn markdown(&self) -> String {
        let lines: Vec<&str> = self.doc.trim_end().lines().map(|line| line.strip_prefix(' ').unwrap_or(line)).collect();
        lines.join("\n")
    }
}

/// Declares a rule from its doc comment.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* $vis:vis static $ident:ident = ($code:literal, $name:literal, $severity:expr);) => {
        $vis static $ident: $crate::registry::Rule = $crate::registry::Rule {
            code: $code,
            name: $name,
            severity: $severity,
            doc: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in code order.
pub fn all_rules() -> &'static [&'static Rule] {
    static RULES: [&Rule; 23] = [
        &crate::rules::future_flows_into_task::RULE,
        &crate::rules::ensure_future_on_coroutine::RULE,
        &crate::rules::create_task_without_running_loop::RULE,
        &crate::rules::create_task_on_non_coroutine::RULE,
        &crate::rules::dangling_task::RULE,
        &crate::rules::removed_loop_argument::RULE,
        &crate::rules::masked_future_task_error::RULE,
        &crate::rules::wait_on_coroutine::RULE,
        &crate::rules::async_function_as_callback::RULE,
        &crate::rules::run_on_non_coroutine::RULE,
        &crate::rules::unawaited_coroutine::RULE,
        &crate::rules::loop_run_in_running_loop::RULE,
        &crate::rules::await_on_non_awaitable::RULE,
        &crate::rules::call_result_as_callback::RULE,
        &crate::rules::sync_async_mismatch::RULE,
        &crate::rules::newer_asyncio_api::RULE,
        &crate::rules::implicit_event_loop::RULE,
        &crate::rules::coroutine_used_as_task::RULE,
        &crate::rules::missing_await::RULE,
        &crate::rules::loop_bound_at_import::RULE,
        &crate::rules::timeout_error_before_3_11::RULE,
        &crate::rules::set_result_on_task::RULE,
        &crate::rules::done_callback_ignores_cancellation::RULE,
    ];
    &RULES
}

/// Looks a rule up by code (`TL001`) or name (`future-flows-into-task`).
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    all_rules().iter().copied().find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn suppression_comments_know_every_rule_by_name() {
        let registered: Vec<(&str, &str)> = super::all_rules().iter().map(|rule| (rule.code, rule.name)).collect();
        assert_eq!(registered, tasklens_semantic::RULE_NAMES);
    }
}
