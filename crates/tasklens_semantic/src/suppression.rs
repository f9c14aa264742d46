//! Suppression comments: `# tasklens: ignore`, `# tasklens: ignore[TL001, TL005]`,
//! `# tasklens: file-ignore[...]`, ruff-style `# noqa` / `# noqa: TL005`, and ruff's own
//! `# ruff: ignore[...]`, `# ruff: file-ignore[...]`, `# ruff: noqa: ...`, `# ruff:
//! disable[...]` / `# ruff: enable[...]` (ruff's `RUF006`, `asyncio-dangling-task`, counts
//! as TL005; rule names count as their codes).

use ruff_python_ast::name::Name;
use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::facts::{Suppression, SuppressionScope};

/// Each comment of a module, with its text.
pub(crate) fn comments<'a>(tokens: &'a Tokens, source: &'a str) -> impl Iterator<Item = (TextRange, &'a str)> {
    tokens.iter().filter(|t| t.kind() == TokenKind::Comment).filter_map(|token| {
        let range = token.range();
        Some((range, source.get(usize::from(range.start())..usize::from(range.end()))?))
    })
}

/// The suppression directives in a module's comments.
pub fn suppressions(tokens: &Tokens, source: &str) -> Vec<Suppression> {
    comments(tokens, source)
        .flat_map(|(range, text)| {
            let start = usize::from(range.start());
            let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |at| at + 1);
            let own_line = source[line_start..start].trim().is_empty();
            parse_comment(text, range.start(), own_line)
        })
        .collect()
}

/// The type checkers' suppression comments: `# type: ignore[...]`, `# pyright: ignore`,
/// `# ty: ignore`.
pub fn type_ignores(tokens: &Tokens, source: &str) -> Vec<TextRange> {
    let mut found = Vec::new();
    for (range, text) in comments(tokens, source) {
        for (at, end) in type_ignores_in(text) {
            found.push(TextRange::new(range.start() + offset(at), range.start() + offset(end)));
        }
    }
    found
}

/// The spans of `type: ignore[...]`, `pyright: ignore[...]` and `ty: ignore` in one comment,
/// with any spaces after the colon (`# type:ignore` counts for mypy too).
fn type_ignores_in(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for tool in ["type:", "pyright:", "ty:"] {
        let mut from = 0;
        while let Some(position) = text[from..].find(tool) {
            let at = from + position;
            from = at + tool.len();
            // As mypy reads them: right after a `#` (`# why # type: ignore` too), and
            // `ignore` ends the directive (or its `[codes]` do).
            if !text[..at].trim_end_matches([' ', '\t']).ends_with('#') {
                continue;
            }
            let after = text[from..].trim_start_matches([' ', '\t']);
            if !after.starts_with("ignore") {
                continue;
            }
            let marker_end = text.len() - after.len() + "ignore".len();
            let end = if text[marker_end..].starts_with('[') {
                text[marker_end..].find(']').map_or(marker_end, |close| marker_end + close + 1)
            } else {
                marker_end
            };
            if text[end..].chars().next().is_some_and(|c| !c.is_whitespace() && c != '#') {
                continue;
            }
            found.push((at, end));
            break;
        }
    }
    found
}

/// How a directive is written: its marker, whether its codes are in brackets (else after
/// a colon), whether it needs codes, and where it applies (`None`: its line, or the next
/// one when the comment is on a line of its own).
const DIRECTIVES: [(&str, bool, bool, Option<SuppressionScope>); 7] = [
    ("tasklens: ignore", true, false, None),
    ("tasklens: file-ignore", true, true, Some(SuppressionScope::File)),
    ("ruff: ignore", true, true, None),
    ("ruff: file-ignore", true, true, Some(SuppressionScope::File)),
    ("ruff: disable", true, true, Some(SuppressionScope::Disable)),
    ("ruff: enable", true, true, Some(SuppressionScope::Enable)),
    ("noqa", false, false, Some(SuppressionScope::Line)),
];

/// The directives in one comment that starts at `start`.
fn parse_comment(text: &str, start: TextSize, own_line: bool) -> Vec<Suppression> {
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    for (marker, bracketed, needs_codes, scope) in DIRECTIVES {
        let mut from = 0;
        while let Some(at) = lower[from..].find(marker) {
            let begin = from + at;
            from = begin + marker.len();
            // `# ruff: noqa: ...` and `# flake8: noqa` exempt the whole file.
            let file_wide =
                marker == "noqa" && ["ruff:", "flake8:"].iter().any(|t| lower[..begin].trim_end().ends_with(t));
            let rest = &text[begin + marker.len()..];
            let (codes, length) = if bracketed { bracket_codes(rest) } else { colon_codes(rest) };
            // A directive that names only other tools' codes suppresses nothing of ours.
            let ours: Vec<Name> = codes.iter().filter_map(|c| our_code(c)).map(Name::new).collect();
            if (codes.is_empty() && !needs_codes) || !ours.is_empty() {
                let end = begin + marker.len() + length;
                let range = TextRange::new(start + offset(begin), start + offset(end));
                let scope = match scope {
                    _ if file_wide => SuppressionScope::File,
                    Some(scope) => scope,
                    None if own_line => SuppressionScope::NextLine,
                    None => SuppressionScope::Line,
                };
                found.push(Suppression { range, codes: ours, scope });
            }
        }
    }
    found
}

fn offset(n: usize) -> TextSize {
    TextSize::try_from(n).unwrap_or_default()
}

/// Our code for a code or rule name in a comment (upper case): `TL005`, ruff's `RUF006`
/// (`asyncio-dangling-task`), which already marks a deliberately dropped Task as accepted,
/// or one of our rule names (`DANGLING-TASK`).
fn our_code(code: &str) -> Option<&str> {
    if code == "RUF006" || code == "ASYNCIO-DANGLING-TASK" {
        return Some("TL005");
    }
    if let Some(&(code, _)) = RULE_NAMES.iter().find(|(_, name)| name.eq_ignore_ascii_case(code)) {
        return Some(code);
    }
    (code.len() == 5 && code.starts_with("TL") && code[2..].bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The rules' names, as comments may name them (the checks' registry holds the same
/// pairs; a test there compares them).
pub const RULE_NAMES: [(&str, &str); 23] = [
    ("TL001", "future-flows-into-task"),
    ("TL002", "ensure-future-on-coroutine"),
    ("TL003", "create-task-without-running-loop"),
    ("TL004", "create-task-on-non-coroutine"),
    ("TL005", "dangling-task"),
    ("TL006", "removed-loop-argument"),
    ("TL007", "masked-future-task-error"),
    ("TL008", "wait-on-coroutine"),
    ("TL009", "async-function-as-callback"),
    ("TL010", "run-on-non-coroutine"),
    ("TL011", "unawaited-coroutine"),
    ("TL012", "loop-run-in-running-loop"),
    ("TL013", "await-on-non-awaitable"),
    ("TL014", "call-result-as-callback"),
    ("TL015", "sync-async-mismatch"),
    ("TL016", "newer-asyncio-api"),
    ("TL017", "implicit-event-loop"),
    ("TL018", "coroutine-used-as-task"),
    ("TL019", "missing-await"),
    ("TL020", "loop-bound-at-import"),
    ("TL021", "timeout-error-before-3-11"),
    ("TL022", "set-result-on-task"),
    ("TL023", "done-callback-ignores-cancellation"),
];

/// `[TL001, TL005]` right after the marker.
fn bracket_codes(rest: &str) -> (Vec<String>, usize) {
    let Some(inner) = rest.strip_prefix('[') else { return (Vec::new(), 0) };
    let Some(close) = inner.find(']') else { return (Vec::new(), 0) };
    let codes = inner[..close].split(',').map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()).collect();
    (codes, close + 2)
}

/// `: TL001, E501` right after `noqa`.
fn colon_codes(rest: &str) -> (Vec<String>, usize) {
    let Some(list) = rest.strip_prefix(':') else { return (Vec::new(), 0) };
    let mut length = 1;
    let mut codes = Vec::new();
    for part in list.split(',') {
        let code = part.trim();
        let token: String = code.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if token.is_empty() {
            break;
        }
        length += part.len() + 1;
        codes.push(token.to_ascii_uppercase());
        if token.len() != code.len() {
            break;
        }
    }
    (codes, length.min(rest.len()))
}

#[cfg(test)]
mod tests {
    use super::parse_comment;
    use ruff_text_size::TextSize;

    fn codes(comment: &str) -> Vec<Vec<String>> {
        parse_comment(comment, TextSize::from(0), false)
            .into_iter()
            .map(|s| s.codes.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn directives() {
        assert_eq!(codes("# tasklens: ignore"), vec![Vec::<String>::new()]);
        assert_eq!(codes("# tasklens: ignore[TL001, tl005]"), vec![vec!["TL001".to_string(), "TL005".into()]]);
        assert_eq!(codes("# noqa"), vec![Vec::<String>::new()]);
        assert_eq!(codes("# noqa: TL002,E501"), vec![vec!["TL002".to_string()]]);
        assert!(codes("# noqa: E501").is_empty());
        assert_eq!(codes("# noqa: RUF006"), vec![vec!["TL005".to_string()]]);
        assert_eq!(codes("# type: ignore  # noqa: TL001").len(), 1);
        assert!(codes("# an ordinary comment").is_empty());
        assert_eq!(codes("# ruff: ignore[asyncio-dangling-task]"), vec![vec!["TL005".to_string()]]);
        assert_eq!(codes("# ruff: ignore[RUF006, E501]"), vec![vec!["TL005".to_string()]]);
        assert!(codes("# ruff: ignore[unused-import]").is_empty());
        assert!(codes("# ruff: ignore").is_empty());
        assert_eq!(codes("# tasklens: ignore[dangling-task]"), vec![vec!["TL005".to_string()]]);
    }

    #[test]
    fn scopes() {
        use crate::facts::SuppressionScope::*;
        let scopes = |comment: &str, own_line: bool| -> Vec<_> {
            parse_comment(comment, TextSize::from(0), own_line).into_iter().map(|s| s.scope).collect()
        };
        assert_eq!(scopes("# tasklens: ignore[TL001]", false), [Line]);
        assert_eq!(scopes("# tasklens: ignore[TL001]", true), [NextLine]);
        assert_eq!(scopes("# ruff: ignore[RUF006]", true), [NextLine]);
        assert_eq!(scopes("# noqa: TL001", true), [Line]);
        assert_eq!(scopes("# ruff: noqa: RUF006", true), [File]);
        assert_eq!(scopes("# tasklens: file-ignore[TL005]", true), [File]);
        assert_eq!(scopes("# ruff: file-ignore[asyncio-dangling-task]", true), [File]);
        assert_eq!(scopes("# ruff: disable[RUF006]", true), [Disable]);
        assert_eq!(scopes("# ruff: enable[RUF006]", true), [Enable]);
    }

    #[test]
    fn type_checker_ignores() {
        fn spans(text: &str) -> Vec<&str> {
            super::type_ignores_in(text).into_iter().map(|(start, end)| &text[start..end]).collect()
        }
        assert_eq!(spans("# type: ignore[return-value]  # why"), ["type: ignore[return-value]"]);
        assert_eq!(spans("# type:ignore"), ["type:ignore"]);
        assert_eq!(spans("# pyright: ignore[reportReturnType]"), ["pyright: ignore[reportReturnType]"]);
        assert_eq!(spans("# ty: ignore"), ["ty: ignore"]);
        assert_eq!(spans("# why  #type: ignore"), ["type: ignore"]);
        assert!(spans("# pretty: ignore this").is_empty());
        assert!(spans("# the type: ignore").is_empty());
        assert!(spans("# type: ignored").is_empty());
        assert!(spans("# type: str").is_empty());
    }
}
