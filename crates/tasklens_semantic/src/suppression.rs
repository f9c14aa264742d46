//! Suppression comments: `# tasklens: ignore`, `# tasklens: ignore[TL001, TL005]`,
//! and ruff-style `# noqa` / `# noqa: TL005` (ruff's `RUF006` counts as TL005).

use ruff_python_ast::name::Name;
use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::facts::Suppression;

/// Each comment of a module, with its text.
pub(crate) fn comments<'a>(tokens: &'a Tokens, source: &'a str) -> impl Iterator<Item = (TextRange, &'a str)> {
    tokens.iter().filter(|t| t.kind() == TokenKind::Comment).filter_map(|token| {
        let range = token.range();
        Some((range, source.get(usize::from(range.start())..usize::from(range.end()))?))
    })
}

/// The suppression directives in a module's comments.
pub fn suppressions(tokens: &Tokens, source: &str) -> Vec<Suppression> {
    comments(tokens, source).flat_map(|(range, text)| parse_comment(text, range.start())).collect()
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

/// The directives in one comment that starts at `start`.
fn parse_comment(text: &str, start: TextSize) -> Vec<Suppression> {
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    for (marker, bracketed) in [("tasklens: ignore", true), ("noqa", false)] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(marker) {
            let begin = from + at;
            let rest = &text[begin + marker.len()..];
            let (codes, length) = if bracketed { bracket_codes(rest) } else { colon_codes(rest) };
            // A `noqa` that names only other tools' codes suppresses nothing of ours.
            let ours: Vec<Name> = codes.iter().filter_map(|c| our_code(c)).map(Name::new).collect();
            if codes.is_empty() || !ours.is_empty() {
                let end = begin + marker.len() + length;
                let range = TextRange::new(start + offset(begin), start + offset(end));
                found.push(Suppression { range, codes: ours });
            }
            from = begin + marker.len();
        }
    }
    found
}

fn offset(n: usize) -> TextSize {
    TextSize::try_from(n).unwrap_or_default()
}

/// Our code for a code in a comment: `TL005`, or ruff's `RUF006` (asyncio-dangling-task),
/// which already marks a deliberately dropped Task as accepted.
fn our_code(code: &str) -> Option<&str> {
    if code == "RUF006" {
        return Some("TL005");
    }
    (code.len() == 5 && code.starts_with("TL") && code[2..].bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

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
        parse_comment(comment, TextSize::from(0))
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
