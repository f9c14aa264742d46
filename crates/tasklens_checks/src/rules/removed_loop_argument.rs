//! TL006: `loop=` passed to an asyncio API that removed it in Python 3.10.

use ruff_text_size::{TextRange, TextSize};
use tasklens_db::PythonVersion;
use tasklens_flow::{CallContext, RemovedLoopArgument};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds `loop=` passed to the asyncio APIs that removed the parameter in Python 3.10:
    /// `sleep`, `gather`, `wait`, `wait_for`, `as_completed`, `shield`, the `Queue`
    /// classes, `Lock`, `Event`, `Condition`, `Semaphore`, `BoundedSemaphore`,
    /// `open_connection`, `start_server`, `open_unix_connection`, `start_unix_server`,
    /// `create_subprocess_exec` and `create_subprocess_shell`, however they are imported
    /// or aliased. Reported when the target version is 3.10 or newer (`--target-version`,
    /// else the oldest Python the project declares, else the oldest CPython still supported).
    ///
    /// `asyncio.create_task`, `asyncio.run` and the APIs added later (`timeout`,
    /// `timeout_at`, `Timeout`, `TaskGroup`, `Barrier`, `Runner`,
    /// `create_eager_task_factory`) never accepted `loop=` and are reported whatever the
    /// target (`create_task(coro, loop=loop)` is what a hand-made rename of
    /// `ensure_future(coro, loop=loop)` gives).
    ///
    /// A call under a version guard that only older Pythons take (`if sys.version_info <
    /// (3, 10):`, the `else` of `>= (3, 10)`, a name bound to such a test) is reported only
    /// if some targeted version where it fails runs it; one in a `try` that catches
    /// `TypeError` (or under `suppress(TypeError)`), or in the `except TypeError:` handler
    /// that falls back to it when the call without `loop=` failed, is compatibility code
    /// and is left out.
    ///
    /// `ensure_future`, `wrap_future`, `run_coroutine_threadsafe`, `Future()`, `Task()`,
    /// `all_tasks`, `current_task` and the stream classes still accept `loop=` and are never
    /// reported.
    ///
    /// ## Why is this bad?
    /// From Python 3.10 the call raises `TypeError: ... got an unexpected keyword argument
    /// 'loop'`. These APIs use the running loop anyway.
    ///
    /// ## Example
    /// ```python
    /// async def main(loop):
    ///     await asyncio.sleep(1, loop=loop)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def main(loop):
    ///     await asyncio.sleep(1)
    /// ```
    ///
    /// ## Fix safety
    /// Removing the argument is safe in a coroutine (a loop is running, and it is the one the
    /// API uses) and unsafe elsewhere. `asyncio.create_task(coro, loop=loop)` becomes
    /// `loop.create_task(coro)`, which needs no running loop: safe wherever the call is.
    ///
    /// ## References
    /// - [What's new in Python 3.10: asyncio](https://docs.python.org/3/whatsnew/3.10.html#removed)
    pub static RULE = ("TL006", "removed-loop-argument", Severity::Error);
}

/// The version that removed the parameter.
pub(crate) const REMOVED_IN: PythonVersion = PythonVersion::new(3, 10);

/// TL006 for one call, with the fix that removes the argument (safe inside a coroutine).
pub(crate) fn diagnostic(
    db: &dyn salsa::Database,
    argument: &RemovedLoopArgument,
    target: PythonVersion,
) -> Diagnostic {
    let api = argument.api.rsplit('.').next().unwrap_or(&argument.api);
    let text = argument.keyword.file.text(db);
    let slice = |range: TextRange| &text[usize::from(range.start())..usize::from(range.end())];
    let applicability = match argument.context {
        CallContext::Coroutine | CallContext::LoopFunction => Applicability::Safe,
        CallContext::Function | CallContext::Import => Applicability::Unsafe,
    };
    let message = if argument.never_accepted {
        format!("`asyncio.{api}` does not accept `loop=` in any Python version: TypeError at run time")
    } else {
        format!(
            "`asyncio.{api}` no longer accepts `loop=` (removed in Python 3.10; the target is {target}): TypeError at run time"
        )
    };
    let removal = Edit { range: argument_with_comma(text, argument.keyword.range), content: String::new() };
    let loop_value = slice(argument.value);
    let fix = if api == "create_task" && loop_value != "None" {
        // `asyncio.create_task(coro, loop=l)` meant `l.create_task(coro)`, which needs no
        // running loop: safe wherever the call is.
        let callee = Edit { range: argument.callee, content: format!("{}.create_task", as_receiver(loop_value)) };
        Fix {
            applicability: Applicability::Safe,
            message: "Use `loop.create_task`".into(),
            edits: vec![callee, removal],
        }
    } else {
        Fix { applicability, message: "Remove the `loop` argument".into(), edits: vec![removal] }
    };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label {
            file: argument.keyword.file,
            range: argument.keyword.range,
            message: "remove this argument".into(),
        },
        trace: Vec::new(),
        fix: Some(fix),
    }
}

/// `text`, an expression, written so that `.create_task(...)` can follow it: as it is when it
/// is a name, an attribute, a call or a subscript (`loop`, `self.loop`, `get_loop()`), in
/// parentheses otherwise (`(self.loop or get_loop())`).
pub(crate) fn as_receiver(text: &str) -> String {
    let mut depth = 0usize;
    let mut chars = text.chars();
    let mut primary = !text.is_empty();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => match depth.checked_sub(1) {
                Some(outer) => depth = outer,
                None => primary = false,
            },
            // A string inside brackets: skip it, so that its brackets do not count.
            '"' | '\'' if depth > 0 => loop {
                match chars.next() {
                    Some('\\') => _ = chars.next(),
                    Some(end) if end == c => break,
                    Some(_) => {}
                    None => {
                        primary = false;
                        break;
                    }
                }
            },
            c if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == '.') => primary = false,
            _ => {}
        }
    }
    if primary && depth == 0 { text.to_string() } else { format!("({text})") }
}

/// The range of a keyword argument together with the comma that separates it.
pub(crate) fn argument_with_comma(text: &str, keyword: TextRange) -> TextRange {
    let (start, end) = (usize::from(keyword.start()), usize::from(keyword.end()));
    let at = |offset: usize| TextSize::try_from(offset).unwrap_or_default();
    let before = text[..start].trim_end();
    if before.ends_with(',') && !before.ends_with("(,") {
        // `f(a, loop=x)`: from the comma after `a`.
        return TextRange::new(at(before.len() - 1), keyword.end());
    }
    let after = &text[end..];
    let trimmed = after.trim_start();
    if trimmed.starts_with(',') {
        // `f(loop=x, a)`: through the comma and the space after it.
        let comma = end + (after.len() - trimmed.len());
        let rest = &text[comma + 1..];
        let space = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        // `loop=x,` alone on its line (after a comment, say): the whole line.
        let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
        if text[line_start..start].trim().is_empty() && rest[space..].starts_with(['\n', '\r']) {
            let newline = if rest[space..].starts_with("\r\n") { 2 } else { 1 };
            return TextRange::new(at(line_start), at(comma + 1 + space + newline));
        }
        return TextRange::new(keyword.start(), at(comma + 1 + space));
    }
    keyword
}

#[cfg(test)]
mod tests {
    use super::argument_with_comma;
    use ruff_text_size::{TextRange, TextSize};

    fn removed(text: &str) -> String {
        let start = text.find("loop=").unwrap();
        let end = start + "loop=loop".len();
        let range = argument_with_comma(text, TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32)));
        format!("{}{}", &text[..usize::from(range.start())], &text[usize::from(range.end())..])
    }

    #[test]
    fn receivers_are_parenthesised_unless_primary() {
        use super::as_receiver;
        for primary in ["loop", "self._loop", "get_loop()", "loops[0].loop", "pick(\")\", loops)"] {
            assert_eq!(as_receiver(primary), primary);
        }
        for compound in ["a or b", "a if c else b", "await get()", "-x", "a +b", "x)(", ""] {
            assert_eq!(as_receiver(compound), format!("({compound})"));
        }
    }

    #[test]
    fn removes_the_separating_comma() {
        assert_eq!(removed("sleep(1, loop=loop)"), "sleep(1)");
        assert_eq!(removed("Lock(loop=loop)"), "Lock()");
        assert_eq!(removed("wait_for(loop=loop, fut=f)"), "wait_for(fut=f)");
        assert_eq!(removed("gather(a,\n    loop=loop,\n)"), "gather(a,\n)");
        assert_eq!(removed("gather(\n    a,  # first\n    loop=loop,\n)"), "gather(\n    a,  # first\n)");
        assert_eq!(removed("gather(\r\n    a,  # first\r\n    loop=loop,\r\n)"), "gather(\r\n    a,  # first\r\n)");
    }
}
