//! TL015: `with`/`for` used where only `async with`/`async for` works, or the reverse.

use tasklens_flow::{MismatchedValue, ProtocolMismatch};
use tasklens_semantic::facts::ProtocolUse;

use crate::describe;
use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds a `with`, `async with`, `for` or `async for` (also in a comprehension) whose
    /// value is only ever of the other kind, followed across functions, attributes and
    /// modules: `with` on an `asyncio.Lock`, `Semaphore`, `Condition`, `Barrier` or
    /// `TaskGroup`, or on an instance of a project class that defines `__aenter__` and not
    /// `__enter__`; `async with` on a `threading` lock, a file from `open()` or a class with
    /// only `__enter__` (and `async for` over such a file);
    /// `with` on what an `@asynccontextmanager` function makes and `async with` on what a
    /// `@contextmanager` one makes; `for` over an async generator (a call of an `async def`
    /// that yields) or an instance
    /// with only `__aiter__`; `async for` over a generator or an instance with only
    /// `__iter__`, or whose `__aiter__` is an `async def` (it must be a plain `def` that
    /// returns the async iterator). A class with a base from outside the
    /// project, or a function under a decorator the analysis does not know
    /// (`@asynccontextmanager` makes an `async def` something `async with` enters), is left
    /// alone, as are a statement in a `try` that catches `TypeError` or in
    /// a test that expects it, and one under an `if` (a test such as `hasattr(x,
    /// "__aiter__")` or `inspect.isasyncgen(x)` may choose the right kind). So is a value
    /// read from a place annotated with a type the statement takes (a parameter, an
    /// annotated variable, or `self.attr` declared `Union[AsyncIterable[T], Iterable[T]]`):
    /// the code means to hold either kind there, and a type checker checks what reaches it.
    ///
    /// ## Why is this bad?
    /// The statement raises `TypeError` when it runs ("does not support the asynchronous
    /// context manager protocol", "'async_generator' object is not iterable", "'async for'
    /// requires an object with __aiter__ method"; `AttributeError: __enter__` or
    /// `__aenter__` before Python 3.11). asyncio's locks lost their plain `__enter__` in
    /// Python 3.9. A type checker reports it only where the value's type is known at the
    /// statement, and mypy does not check unannotated functions at all by default.
    ///
    /// ## Example
    /// ```python
    /// class Cache:
    ///     def __init__(self):
    ///         self.lock = asyncio.Lock()
    ///
    ///     async def refresh(self):
    ///         with self.lock:  # TypeError: 'Lock' object does not support the context manager protocol
    ///             ...
    /// ```
    ///
    /// Use instead:
    /// ```python
    ///     async def refresh(self):
    ///         async with self.lock:
    ///             ...
    /// ```
    /// (the fix, unsafe, in an `async def` for a `with` of one item or a `for`; not for a
    /// thread's lock under `async with`, where `with` would block the event loop).
    ///
    /// ## References
    /// - [The `async with` statement](https://docs.python.org/3/reference/compound_stmts.html#the-async-with-statement)
    /// - [The `async for` statement](https://docs.python.org/3/reference/compound_stmts.html#the-async-for-statement)
    pub static RULE = ("TL015", "sync-async-mismatch", Severity::Error);
}

/// TL015 for one statement.
pub(crate) fn diagnostic(db: &dyn salsa::Database, mismatch: &ProtocolMismatch) -> Diagnostic {
    let value = &describe::shown(db, mismatch.at.file, mismatch.at.range);
    let (statement, other) = match mismatch.used {
        ProtocolUse::With => ("with", "async with"),
        ProtocolUse::AsyncWith => ("async with", "with"),
        ProtocolUse::For => ("for", "async for"),
        ProtocolUse::AsyncFor => ("async for", "for"),
    };
    let verb = match mismatch.used {
        ProtocolUse::With | ProtocolUse::AsyncWith => "enter",
        ProtocolUse::For | ProtocolUse::AsyncFor => "iterate over",
    };
    let (what, type_name, defined) = match &mismatch.value {
        MismatchedValue::Instance { class, defined } => {
            let (has, lacks) = match mismatch.used {
                ProtocolUse::With => ("__aenter__", "__enter__"),
                ProtocolUse::AsyncWith => ("__enter__", "__aenter__"),
                ProtocolUse::For => ("__aiter__", "__iter__"),
                ProtocolUse::AsyncFor => ("__iter__", "__aiter__"),
            };
            (
                format!("an instance of `{class}`, which defines `{has}` and not `{lacks}`"),
                Some(class.to_string()),
                Some((*defined, format!("`{class}` defines `{has}` only"))),
            )
        }
        MismatchedValue::AsyncAiter { class, defined } => (
            format!(
                "an instance of `{class}`, whose `__aiter__` is an `async def`: it gives a coroutine, not an async iterator"
            ),
            None,
            Some((*defined, format!("`{class}.__aiter__` must be a plain `def` that returns the iterator"))),
        ),
        MismatchedValue::Outside { path } if is_file(path) => ("a file object from `open()`".to_string(), None, None),
        MismatchedValue::Outside { path } => {
            let name = outside_name(path);
            let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            (format!("{article} `{name}`"), None, None)
        }
        MismatchedValue::Generator { function, defined, is_async }
            if matches!(mismatch.used, ProtocolUse::With | ProtocolUse::AsyncWith) =>
        {
            let decorator = if *is_async { "@asynccontextmanager" } else { "@contextmanager" };
            (
                format!(
                    "the context manager of the {}generator `{function}` (`{decorator}`)",
                    if *is_async { "async " } else { "" }
                ),
                None,
                Some((
                    *defined,
                    format!("`{function}` yields: `{decorator}` makes it a context manager for `{other}`"),
                )),
            )
        }
        MismatchedValue::Generator { function, defined, is_async } => {
            let kind = if *is_async { "async_generator" } else { "generator" };
            let article = if *is_async { "an async generator" } else { "a generator" };
            (
                format!("{article} from `{function}()`"),
                Some(kind.to_string()),
                Some((*defined, format!("`{function}` yields: a call of it gives {article}"))),
            )
        }
    };
    let quoted = |name: &Option<String>| name.as_ref().map_or_else(|| "the".to_string(), |n| format!("'{n}'"));
    let raised = match (&mismatch.value, mismatch.used) {
        (MismatchedValue::AsyncAiter { .. }, _) => {
            "TypeError: 'async for' received an object from __aiter__ that does not implement __anext__: coroutine"
                .to_string()
        }
        (_, used) => match used {
            ProtocolUse::With => format!(
                "TypeError: {} object does not support the context manager protocol; AttributeError: __enter__ before Python 3.11",
                quoted(&type_name)
            ),
            ProtocolUse::AsyncWith => format!(
                "TypeError: {} object does not support the asynchronous context manager protocol; AttributeError: __aenter__ before Python 3.11",
                quoted(&type_name)
            ),
            ProtocolUse::For => format!("TypeError: {} object is not iterable", quoted(&type_name)),
            ProtocolUse::AsyncFor => match &type_name {
                Some(name) => format!("TypeError: 'async for' requires an object with __aiter__ method, got {name}"),
                None => "TypeError: 'async for' requires an object with __aiter__ method".to_string(),
            },
        },
    };
    let advice = match (&mismatch.value, mismatch.used) {
        (MismatchedValue::AsyncAiter { .. }, _) => {
            "make `__aiter__` a plain `def` that returns the async iterator (`return self`)".to_string()
        }
        (MismatchedValue::Outside { path }, ProtocolUse::AsyncWith | ProtocolUse::AsyncFor) if is_file(path) => {
            format!("use `{other}` (file reads block the event loop: move slow ones to `asyncio.to_thread(...)`)")
        }
        (MismatchedValue::Outside { .. }, ProtocolUse::AsyncWith) => {
            "use `with` (it blocks the event loop while it waits), or an `asyncio` lock".to_string()
        }
        _ => format!("use `{other}`"),
    };
    Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message: format!("`{statement}` cannot {verb} `{value}`, {what} ({raised}); {advice}"),
        primary: Label {
            file: mismatch.at.file,
            range: mismatch.at.range,
            message: match mismatch.value {
                MismatchedValue::AsyncAiter { .. } => "its `__aiter__` gives a coroutine".to_string(),
                _ => format!("only `{other}` can {verb} this"),
            },
        },
        trace: defined.map(|(at, message)| Label { file: at.file, range: at.range, message }).into_iter().collect(),
        fix: switch_kind(db, mismatch),
    }
}

/// `with self.lock:` -> `async with self.lock:` in an `async def`, and `async for` over a
/// generator -> `for`. Not `async with` of a thread's lock: `with` would block the loop.
fn switch_kind(db: &dyn salsa::Database, mismatch: &ProtocolMismatch) -> Option<Fix> {
    let start = mismatch.statement?;
    let text = mismatch.at.file.text(db);
    let rest = text.get(usize::from(start)..)?;
    let (message, edit) = match mismatch.used {
        ProtocolUse::With | ProtocolUse::For => {
            let keyword = if mismatch.used == ProtocolUse::With { "with" } else { "for" };
            if !rest.starts_with(keyword) {
                return None;
            }
            (format!("Use `async {keyword}`"), Edit { range: TextRange::empty(start), content: "async ".into() })
        }
        ProtocolUse::AsyncWith | ProtocolUse::AsyncFor => {
            // A thread's lock is better swapped for asyncio's; a class whose `__aiter__`
            // is an `async def` needs that fixed, not the `async for`.
            if matches!(mismatch.value, MismatchedValue::Outside { .. } | MismatchedValue::AsyncAiter { .. }) {
                return None;
            }
            let after = rest.strip_prefix("async")?;
            let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
            if spaces == 0 {
                return None;
            }
            let keyword = if mismatch.used == ProtocolUse::AsyncWith { "with" } else { "for" };
            let end = start + TextSize::from(("async".len() + spaces) as u32);
            (format!("Use `{keyword}`"), Edit { range: TextRange::new(start, end), content: String::new() })
        }
    };
    // Only the kind changes; what the body does with it may still need an `await`.
    Some(Fix { applicability: Applicability::Unsafe, message, edits: vec![edit] })
}

/// `asyncio.Lock` for `asyncio.locks.Lock`.
/// Whether the outside value is a file from the builtin `open` (or `io.open`).
fn is_file(path: &str) -> bool {
    matches!(path, "builtins.open" | "io.open")
}

fn outside_name(path: &str) -> String {
    let top = path.split('.').next().unwrap_or(path);
    let last = path.rsplit('.').next().unwrap_or(path);
    format!("{top}.{last}")
}
