//! TL019: a coroutine used as the value it gives once awaited: a missing `await`.

use ruff_text_size::TextRange;
use tasklens_flow::{CallContext, CoroutineUse, MissingAwait};
use tasklens_semantic::facts::{ProtocolUse, ValueUse};

use crate::describe;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds calls that make a coroutine (of the project's `async def`, or asyncio's own
    /// such as `reader.read(100)`) whose coroutine has an attribute read or a method called
    /// on it, is subscripted, is iterated by `for` or `async for`, is entered by `with` or
    /// `async with` (`async with connect() as conn:` of an `async def connect()`), is an
    /// element that `any()` or `all()` tests (`all(ready(h) for h in hosts)`, collected in
    /// the same function: always true; no automatic fix, since a generator expression that
    /// awaits is an async generator `all()` cannot iterate), is an operand of an
    /// arithmetic operator (also augmented, not the right of `%`, which formats anything) or
    /// of an ordering comparison, is what `in` searches, is unpacked (`a, b = value`,
    /// `f(*value)`), is given to a builtin that iterates, measures or converts it (`len`,
    /// `list`, `tuple`, `set`, `dict`, `sorted`, `sum`, `min`, `max`, `any`, `all`,
    /// `enumerate`, `zip`, `map`, `filter`, `iter`, `next`, `int`, `float`), or, right where
    /// it is made, is tested for its truth (`if`, `while`, `assert`, a conditional
    /// expression, `not`) or compared with `==`, `!=`, `is` or `is not`, where nothing but
    /// such coroutines can be: `user = self.fetch_user(id)`, then `user.name`;
    /// `self.load().items()`; `data = load()`, then `data["id"]`; `for row in rows():`;
    /// `obj, created = repo.get_or_create(key)`; `total = self.count() + 1`;
    /// `if self.is_ready():`. Uses where a `TypeError` is caught, or under a test, are
    /// left alone. asyncio's own coroutines are followed only within the function that
    /// makes them (the class of a receiver such as `reader` is assumed from annotations,
    /// which `isinstance` tests of outside classes narrow where the analysis does not).
    /// The coroutine is followed as TL001 follows a Future (assignments, attributes,
    /// containers, calls, returns, modules), and only
    /// where every function the call can run is an `async def` the call names, not under a
    /// decorator the analysis does not know. What a coroutine has (`send`, `throw`,
    /// `close`, `cr_*`, dunders) is fine, and so is a generator's `gi_*` (code that reads it holds the coroutine on purpose); a Future's or Task's methods are TL018's. Values
    /// tested for their kind on the way (`inspect.iscoroutine`, `isinstance`, a predicate of
    /// the project), or given to a function that tests kinds, are left alone, and so are
    /// coroutines made under an `if` that switches on a kind (`if
    /// iscoroutinefunction(self.fn): return self.fn()`) and calls of a name a test patches.
    ///
    /// ## Why is this bad?
    /// The call only made a coroutine: the body never ran, and the object has none of the
    /// attributes of what it would return (`AttributeError: 'coroutine' object has no
    /// attribute 'name'`, `TypeError: 'coroutine' object is not subscriptable`, `... is
    /// not iterable`, `cannot unpack non-iterable coroutine object`, `unsupported operand
    /// type(s) for +`, then `RuntimeWarning: coroutine ... was never awaited`). Tested, a
    /// coroutine is always true: `if self.is_ready():` takes its branch whatever the
    /// coroutine would have returned; compared, it equals nothing it would return. mypy
    /// checks this only in annotated code, and type checkers not at all through `Any` or
    /// unannotated returns across modules.
    ///
    /// ## Example
    /// ```python
    /// async def fetch_user(user_id):
    ///     ...
    ///
    /// async def greet(user_id):
    ///     user = fetch_user(user_id)
    ///     print(user.name)  # AttributeError
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// async def greet(user_id):
    ///     user = await fetch_user(user_id)
    ///     print(user.name)
    /// ```
    ///
    /// ## Fix safety
    /// In a coroutine, `tasklens check --fix --unsafe-fixes` awaits the call (parenthesized
    /// where the attribute is read from the call itself: `(await self.load()).items()`;
    /// `await` binds tighter than every operator, so `await self.count() + 1` needs none).
    /// It is unsafe: the coroutine now runs there, and the caller waits for it.
    ///
    /// ## References
    /// - [Coroutines](https://docs.python.org/3/library/asyncio-task.html#coroutines)
    pub static RULE = ("TL019", "missing-await", Severity::Error);
}

/// The call a finding starts at: one finding per call to change.
pub(crate) fn line_to_change(used: &MissingAwait) -> (tasklens_db::File, TextRange) {
    (used.at.file, used.at.range)
}

/// TL019 for one call and the places that read attributes of its coroutine (the shortest
/// way first), unless the call names none of the functions it runs: a callable kept in
/// an attribute or a parameter (`self.factory()`) is whatever some caller gave.
pub(crate) fn diagnostic(
    db: &dyn salsa::Database,
    used: &MissingAwait,
    others: &[&MissingAwait],
) -> Option<Diagnostic> {
    let callee = &describe::shown(db, used.at.file, used.callee);
    if !describe::names_its_functions(callee, &used.functions) {
        return None;
    }
    let at = describe::place(db, used.used);
    let mut message = match &used.how {
        CoroutineUse::Attribute(attr) => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before `.{attr}` is read from it in {at} \
             (AttributeError: 'coroutine' object has no attribute '{attr}')"
        ),
        CoroutineUse::Subscript => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before it is subscripted in {at} \
             (TypeError: 'coroutine' object is not subscriptable)"
        ),
        CoroutineUse::Protocol(ProtocolUse::AsyncWith) => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before `async with` enters it in {at} \
             (TypeError: 'coroutine' object does not support the asynchronous context manager protocol; \
             AttributeError before Python 3.11)"
        ),
        CoroutineUse::Protocol(ProtocolUse::With) => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before `with` enters it in {at} \
             (TypeError: 'coroutine' object does not support the context manager protocol; AttributeError \
             before Python 3.11)"
        ),
        CoroutineUse::Protocol(ProtocolUse::AsyncFor) => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before `async for` iterates over it in {at} \
             (TypeError: 'async for' requires an object with __aiter__ method, got coroutine)"
        ),
        CoroutineUse::Protocol(ProtocolUse::For) => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before `for` iterates over it in {at} \
             (TypeError: 'coroutine' object is not iterable)"
        ),
        CoroutineUse::Tested => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before it is tested in {at}: a coroutine is \
             always true, whatever it would return, and its body never runs (RuntimeWarning: coroutine ... was \
             never awaited)"
        ),
        CoroutineUse::Value(ValueUse::Compared(operator)) => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before `{operator}` compares it in {at}: a \
             coroutine is never what it would return, and its body never runs (RuntimeWarning: coroutine ... was \
             never awaited)",
            operator = operator.as_str()
        ),
        CoroutineUse::Value(ValueUse::EachTested(builtin)) => format!(
            "`{callee}(...)` makes a coroutine, which nothing awaits before `{}()` tests it in {at}: a coroutine \
             is always true, whatever it would return, and its body never runs (RuntimeWarning: coroutine ... was \
             never awaited)",
            builtin.name()
        ),
        CoroutineUse::Value(used) => {
            format!(
                "`{callee}(...)` makes a coroutine, which nothing awaits before it is {} in {at} ({})",
                done_to(*used),
                raises(*used)
            )
        }
    };
    if !others.is_empty() {
        message.push_str(&describe::more_places(others.len(), "", ""));
    }
    // `all(await ready(x) for x in xs)` would make an async generator, which `all()`
    // cannot iterate: the elements are awaited in a list first.
    let each_tested = match used.how {
        CoroutineUse::Value(ValueUse::EachTested(builtin)) => Some(builtin.name()),
        _ => None,
    };
    match each_tested {
        Some(name) => message.push_str(&format!(
            "; await each one first, in a list: `{name}([await ... for ...])` (a generator expression that \
             awaits is an async generator, which `{name}()` cannot iterate)"
        )),
        None => message.push_str("; add `await`"),
    }
    let mut trace: Vec<Label> = describe::coroutine_function_label(&used.functions).into_iter().collect();
    trace.extend(describe::step_labels(&used.steps));
    trace.extend(std::iter::once(used).chain(others.iter().copied()).map(|other| Label {
        file: other.used.file,
        range: other.used.range,
        message: match &other.how {
            CoroutineUse::Attribute(attr) => format!("a coroutine has no `{attr}`"),
            CoroutineUse::Subscript => "a coroutine cannot be subscripted".into(),
            CoroutineUse::Protocol(ProtocolUse::With | ProtocolUse::AsyncWith) => {
                "a coroutine is no context manager".into()
            }
            CoroutineUse::Protocol(_) => "a coroutine cannot be iterated".into(),
            CoroutineUse::Tested | CoroutineUse::Value(ValueUse::EachTested(_)) => "a coroutine is always true".into(),
            CoroutineUse::Value(ValueUse::Compared(_)) => "a coroutine is never what it would return".into(),
            CoroutineUse::Value(used) => format!("a coroutine cannot be {}", done_to(*used)),
        },
    }));
    Some(Diagnostic {
        code: RULE.code,
        severity: RULE.severity,
        message,
        primary: Label { file: used.at.file, range: used.at.range, message: "makes a coroutine".into() },
        trace,
        fix: if each_tested.is_some() { None } else { awaited(db, used) },
    })
}

/// What a use does to the coroutine: "(it is | a coroutine cannot be) unpacked".
fn done_to(used: ValueUse) -> String {
    match used {
        ValueUse::Arithmetic(operator) | ValueUse::Ordered(operator) | ValueUse::Compared(operator) => {
            format!("an operand of `{}`", operator.as_str())
        }
        ValueUse::Searched => "searched by `in`".into(),
        ValueUse::Unpacked => "unpacked".into(),
        ValueUse::Consumed(builtin) => format!("given to `{}()`", builtin.name()),
        ValueUse::EachTested(builtin) => format!("tested by `{}()`", builtin.name()),
    }
}

/// What CPython raises for the use (checked under 3.8 to 3.13).
fn raises(used: ValueUse) -> String {
    match used {
        ValueUse::Arithmetic(operator) => format!("TypeError: unsupported operand type(s) for {}", operator.as_str()),
        ValueUse::Ordered(operator) => {
            format!("TypeError: '{}' not supported between instances of 'coroutine' and ...", operator.as_str())
        }
        ValueUse::Searched => "TypeError: argument of type 'coroutine' is not iterable".into(),
        ValueUse::Unpacked => "TypeError: cannot unpack non-iterable coroutine object".into(),
        ValueUse::Consumed(builtin) => match builtin.name() {
            "len" => "TypeError: object of type 'coroutine' has no len()".into(),
            "next" => "TypeError: 'coroutine' object is not an iterator".into(),
            name @ ("int" | "float") => format!("TypeError: {name}() argument must be ..., not 'coroutine'"),
            _ => "TypeError: 'coroutine' object is not iterable".into(),
        },
        // Reported with their own messages.
        ValueUse::Compared(_) | ValueUse::EachTested(_) => String::new(),
    }
}

/// `self.fetch(id)` -> `await self.fetch(id)`, or `(await self.fetch(id))` where the
/// attribute is read from the call itself, in a coroutine.
fn awaited(db: &dyn salsa::Database, used: &MissingAwait) -> Option<Fix> {
    if used.context != CallContext::Coroutine {
        return None;
    }
    let text = used.at.file.text(db);
    // The attribute is read from the call itself: `await` would bind looser than `.attr`.
    let primary = matches!(used.how, CoroutineUse::Attribute(_) | CoroutineUse::Subscript)
        && used.steps.is_empty()
        && used.used.file == used.at.file
        && used.used.range.start() == used.at.range.start();
    let edits = match primary {
        true => vec![
            Edit { range: TextRange::empty(used.at.range.start()), content: "(await ".into() },
            Edit { range: TextRange::empty(used.at.range.end()), content: ")".into() },
        ],
        false => vec![Edit { range: TextRange::empty(used.at.range.start()), content: "await ".into() }],
    };
    // Already awaited somewhere the analysis did not see: leave it.
    if text[..usize::from(used.at.range.start())].trim_end().ends_with("await") {
        return None;
    }
    Some(Fix { applicability: Applicability::Unsafe, message: "Await the call".into(), edits })
}
