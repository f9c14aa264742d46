//! Whether a module spells an asyncio name in its code: identifiers, strings that read as
//! annotations, and type comments; prose in other comments and docstrings does not count.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::Ranged;

/// Words one of which every source of a finding spells: asyncio itself (imports, dotted
/// names, `from asyncio import *`), the loop methods taken as a loop's on receivers that
/// resolve to nothing (`create_task`, `create_future`, `run_in_executor`), the types
/// whose annotations make values (`Future`, `Task`, `TaskGroup` backports, `Awaitable`,
/// `Coroutine` parameters), and the keyword `async`: an `async def` makes coroutines that
/// may be left unawaited or used as values without asyncio being named anywhere (an
/// application on a framework that runs the loop for it).
const TRIGGERS: &[&str] = &[
    "asyncio",
    "create_task",
    "create_future",
    "run_in_executor",
    "Future",
    "Task",
    "Awaitable",
    "Coroutine",
    ASYNC_KEYWORD,
];

/// The one trigger that counts only as the keyword (`is_async` is no coroutine).
const ASYNC_KEYWORD: &str = "async";

/// Finds the triggers in the whole text in one pass, then asks of each the token it lies
/// in: most modules spell none, and those that do are settled at the first that counts.
pub(crate) fn spells_asyncio(tokens: &Tokens, source: &str) -> bool {
    static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
        // Longest first: `asyncio` is found as itself, not as the keyword's letters.
        let builder = AhoCorasick::builder().match_kind(aho_corasick::MatchKind::LeftmostLongest).build(TRIGGERS);
        builder.expect("the trigger words build a matcher")
    });
    MATCHER.find_iter(source).any(|found| {
        let index = tokens.partition_point(|token| usize::from(token.end()) <= found.start());
        let Some(token) = tokens.get(index) else {
            return false;
        };
        let range = token.range();
        if usize::from(range.start()) > found.start() || usize::from(range.end()) < found.end() {
            return false;
        }
        let Some(text) = source.get(usize::from(range.start())..usize::from(range.end())) else {
            return false;
        };
        match token.kind() {
            TokenKind::Async => true,
            _ if TRIGGERS[found.pattern().as_usize()] == ASYNC_KEYWORD => false,
            TokenKind::Name => true,
            TokenKind::String => reads_as_annotation(text),
            TokenKind::Comment => text.trim_start_matches('#').trim_start().starts_with("type:"),
            _ => false,
        }
    })
}

/// A string with no whitespace except next to `|`, `,`, `[` or `]` (`"Optional[Task]"`,
/// `"Task | None"`, `"dict[str, Task]"`), unlike a sentence.
fn reads_as_annotation(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).all(|pair| pair[0].ends_with(['|', ',', '[']) || pair[1].starts_with(['|', ']']))
}

#[cfg(test)]
mod tests {
    use super::spells_asyncio;

    fn spells(source: &str) -> bool {
        let parsed = ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
        spells_asyncio(parsed.tokens(), source)
    }

    #[test]
    fn code_annotations_and_type_comments_count() {
        assert!(spells("import asyncio as aio\n"));
        assert!(spells("def f(loop):\n    return loop.create_future()\n"));
        assert!(spells("from typing import Awaitable as A\n"));
        assert!(spells("def f(t: \"Optional[Task] | None\"): ...\n"));
        assert!(spells("x = f()  # type: asyncio.Task\n"));
        assert!(spells("# a Task comment\nprint(\"see the Task list\")\nx: Task = t\n"));
        assert!(spells("import math\n\nasync def area(r):\n    return math.pi * r * r\n"));
    }

    #[test]
    fn prose_does_not_count() {
        assert!(!spells("import math\n\ndef is_async(r):\n    return math.pi * r * r\n"));
        assert!(!spells("# Future versions may change this.\nx = 1\n"));
        assert!(!spells("def f():\n    \"\"\"Future versions may use a Task.\"\"\"\n"));
        assert!(!spells("print(\"see the Task list\")\n"));
    }
}
