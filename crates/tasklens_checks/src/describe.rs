//! Words for the parts of a flow: producers, hops and sinks.

use tasklens_db::File;
use tasklens_flow::{Location, ParamShape, Producer, Sink, SinkKind, Step, StepKind};

/// Text a range covers.
pub(crate) fn source(db: &dyn salsa::Database, file: File, range: ruff_text_size::TextRange) -> &str {
    file.text(db).get(usize::from(range.start())..usize::from(range.end())).unwrap_or("")
}

/// Code a range covers, on one line, for a message (see [`one_line`]).
pub(crate) fn shown(db: &dyn salsa::Database, file: File, range: ruff_text_size::TextRange) -> String {
    one_line(source(db, file, range))
}

/// `path:line` for a location.
pub(crate) fn place(db: &dyn salsa::Database, at: Location) -> String {
    let index = tasklens_db::line_index(db, at.file);
    let line = index.line_column(at.range.start(), at.file.text(db)).line;
    format!("{}:{line}", display_path(db, at.file))
}

/// A file's path as shown to the user.
pub fn display_path(db: &dyn salsa::Database, file: File) -> String {
    let path = file.path(db);
    let path = path.strip_prefix(".").unwrap_or(path);
    path.display().to_string().replace('\\', "/")
}

/// A call as `loop.create_future()` (no arguments) or `asyncio.gather(...)`.
pub(crate) fn call(db: &dyn salsa::Database, at: Location, callee: ruff_text_size::TextRange) -> String {
    let whole = source(db, at.file, at.range);
    let args = if whole.trim_end().ends_with("()") { "()" } else { "(...)" };
    format!("{}{args}", one_line(source(db, at.file, callee)))
}

/// The call that made a producer's value, quoted (`loop.create_future()`), or what it is.
pub(crate) fn produced_call(db: &dyn salsa::Database, producer: &Producer) -> String {
    match producer {
        Producer::Call { at, callee, .. } | Producer::TaskCall { at, callee } => {
            format!("`{}`", call(db, *at, *callee))
        }
        other => produced(other).to_string(),
    }
}

/// `loop.create_future()` or `asyncio.gather(...)`, as written.
pub(crate) fn producer(db: &dyn salsa::Database, producer: &Producer) -> String {
    match producer {
        Producer::Call { at, callee, concurrent: true, .. } => {
            format!("`{}` returns a `concurrent.futures.Future`", call(db, *at, *callee))
        }
        Producer::Call { at, callee, wraps: None, .. } => {
            format!("`{}` returns a plain Future", call(db, *at, *callee))
        }
        Producer::Call { at, callee, wraps: Some(wrapped), .. } => format!(
            "`{}` (a `functools.partial` of `{}`) returns a plain Future",
            call(db, *at, *callee),
            shown(db, wrapped.file, wrapped.range)
        ),
        Producer::Parameter { name, function, shape: ParamShape::Value, .. } => {
            format!("parameter `{name}` of `{function}` is annotated to accept a plain Future")
        }
        Producer::Parameter { name, function, shape: ParamShape::Elements, .. } => {
            format!("parameter `{name}` of `{function}` is annotated to hold plain Futures")
        }
        Producer::Parameter { name, function, shape: ParamShape::Result, .. } => {
            format!("parameter `{name}` of `{function}` is annotated to return a plain Future when called")
        }
        Producer::TaskCall { at, callee } => format!("`{}` returns a Task", call(db, *at, *callee)),
        Producer::Awaitable { class, .. } => format!("an instance of `{class}` (awaitable, not a coroutine)"),
        Producer::Function { name, is_async: true, .. } => {
            format!("the `async def` `{name}` itself, not a coroutine (call it: `{name}()`)")
        }
        Producer::Function { name, .. } => format!("the function `{name}` itself"),
        Producer::Generator { name, is_async: true, .. } => format!("an async generator from `{name}()`"),
        Producer::Generator { name, .. } => format!("a generator from `{name}()`"),
        Producer::PlainResult { name, literal: false, .. } => {
            format!("None from `{name}()` (a plain `def` with no `return`)")
        }
        Producer::PlainResult { name, literal: true, .. } => {
            format!("the constant `{name}()` returns (a plain `def`)")
        }
        Producer::Partial { .. } => "a `functools.partial` object, not a coroutine (call it)".into(),
        Producer::AsyncioFunction { path, .. } => {
            format!("the coroutine function `{path}` itself, not a coroutine (call it)")
        }
    }
}

/// What a parameter that admits Futures may be, for a trace label.
pub(crate) fn parameter_may_be(name: &str, shape: ParamShape) -> String {
    match shape {
        ParamShape::Value => format!("`{name}` may be a plain Future"),
        ParamShape::Elements => format!("`{name}` may hold plain Futures"),
        ParamShape::Result => format!("`{name}(...)` may return a plain Future"),
    }
}

/// The value a producer makes, in a few words.
pub(crate) fn produced(producer: &Producer) -> &'static str {
    match producer {
        Producer::Call { concurrent: true, .. } => "a `concurrent.futures.Future`",
        Producer::Call { .. } | Producer::Parameter { .. } => "a plain Future",
        Producer::TaskCall { .. } => "a Task",
        Producer::Awaitable { .. } => "an awaitable that is not a coroutine",
        Producer::Function { .. } => "a function",
        Producer::Generator { is_async: true, .. } => "an async generator",
        Producer::Generator { .. } => "a generator",
        Producer::PlainResult { literal: false, .. } => "None",
        Producer::PlainResult { literal: true, .. } => "a constant",
        Producer::Partial { .. } => "a callable",
        Producer::AsyncioFunction { .. } => "a function",
    }
}

/// Code on one line: runs of whitespace become one space, or none next to brackets and
/// before a `.` (`item["resource"]` and `.get` on two lines read `item["resource"].get`).
pub(crate) fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let joined = line.ends_with(['(', '[', '{', '.']) || word.starts_with(['.', ')', ']', '}']);
        if !line.is_empty() && !joined {
            line.push(' ');
        }
        line.push_str(word);
    }
    line
}

/// What the sink is, for the message.
pub(crate) fn sink(db: &dyn salsa::Database, sink: &Sink) -> String {
    let at = place(db, sink.at);
    let what = if sink.elements { "a container of Tasks" } else { "a Task" };
    match &sink.kind {
        SinkKind::TaskMethod(method) => {
            let method = task_method(db, sink, method);
            format!("it reaches `{method}` in {at}, which only a Task has (AttributeError at run time)")
        }
        SinkKind::FutureMethod(method) => {
            let method = task_method(db, sink, method);
            format!("it reaches `{method}` in {at}, which only Futures and Tasks have (AttributeError at run time)")
        }
        SinkKind::Return { function } => {
            format!("it is returned from `{function}`, annotated to return {what} ({at})")
        }
        SinkKind::Yield { function } => {
            let what = if sink.elements { "containers of Tasks" } else { "Tasks" };
            format!("it is yielded by `{function}`, annotated to yield {what} ({at})")
        }
        SinkKind::Parameter { function, param } if sink.elements => {
            format!("it is stored in the container of parameter `{param}` of `{function}`, annotated as {what} ({at})")
        }
        SinkKind::Parameter { function, param } => {
            format!("it is passed to parameter `{param}` of `{function}`, annotated as {what} ({at})")
        }
        // What goes into the container a variable holds is not assigned to the variable.
        SinkKind::Variable if sink.elements => {
            format!("it is stored in the container of a variable annotated as {what} ({at})")
        }
        SinkKind::Variable => format!("it is assigned to a variable annotated as {what} ({at})"),
        SinkKind::Attribute { class, attr } => {
            format!("it is stored in `{class}.{attr}`, annotated as {what} ({at})")
        }
    }
}

/// `.get_name()` when the method is called there, `.get_name` when it is only read.
fn task_method(db: &dyn salsa::Database, sink: &Sink, method: &str) -> String {
    let text = sink.at.file.text(db);
    let after = text.get(usize::from(sink.at.range.end())..).unwrap_or("");
    if after.trim_start().starts_with('(') { format!(".{method}()") } else { format!(".{method}") }
}

/// The label on a sink in a trace.
pub(crate) fn sink_label(db: &dyn salsa::Database, sink: &Sink) -> String {
    match &sink.kind {
        SinkKind::TaskMethod(method) => format!("`{}` exists only on Task", task_method(db, sink, method)),
        SinkKind::FutureMethod(method) => {
            format!("`{}` exists only on Futures and Tasks", task_method(db, sink, method))
        }
        _ if sink.elements => "annotated as a container of Tasks".to_string(),
        _ => "annotated as a Task".to_string(),
    }
}

/// The labels on a flow's sink and on the other sinks it reaches too.
pub(crate) fn sink_labels<'a>(
    db: &'a dyn salsa::Database,
    sink: &'a Sink,
    others: impl Iterator<Item = &'a Sink> + 'a,
) -> impl Iterator<Item = crate::diagnostic::Label> + 'a {
    let first = crate::diagnostic::Label { file: sink.at.file, range: sink.at.range, message: sink_label(db, sink) };
    std::iter::once(first).chain(others.map(move |other| crate::diagnostic::Label {
        file: other.at.file,
        range: other.at.range,
        message: format!("also reaches: {}", sink_label(db, other)),
    }))
}

/// The label on one hop of a trace.
/// A label per hop, in order.
pub(crate) fn step_labels(steps: &[Step]) -> impl Iterator<Item = crate::diagnostic::Label> + '_ {
    steps.iter().map(|hop| crate::diagnostic::Label { file: hop.at.file, range: hop.at.range, message: step(hop) })
}

/// A label per hop, in order, leaving out hops at the primary location (the argument
/// that is a list literal is where its elements were stored), which its label speaks for.
pub(crate) fn step_labels_besides<'a>(
    steps: &'a [Step],
    primary: &'a Location,
) -> impl Iterator<Item = crate::diagnostic::Label> + 'a {
    step_labels(steps).filter(move |label| (label.file, label.range) != (primary.file, primary.range))
}

pub(crate) fn step(step: &Step) -> String {
    match &step.kind {
        StepKind::Assign(name) => format!("assigned to `{name}`"),
        StepKind::Return(function) => format!("returned from `{function}`"),
        StepKind::Yield(function) => format!("yielded from `{function}`"),
        StepKind::AttrStore(attr) => format!("stored in `.{attr}`"),
        StepKind::AttrLoad(attr) => format!("read from `.{attr}`"),
        StepKind::ContainerStore => "stored in a container".to_string(),
        StepKind::FutureResult => "set as a Future's result".to_string(),
        StepKind::ContainerLoad => "taken from a container".to_string(),
        StepKind::Argument { param, function } => {
            format!("passed to parameter `{param}` of `{function}`")
        }
        StepKind::CallResult { function } => format!("returned by this call of `{function}`"),
        StepKind::PassThrough => "`ensure_future` returns a Future argument unchanged".to_string(),
        StepKind::Callback { function } => format!("passed to callback `{function}`"),
        StepKind::Fixture { name } => format!("given by pytest's fixture `{name}`"),
    }
}

/// Whether the call's callee names every `async def` it runs (`self._poll()` runs
/// `_poll`): a callable kept in an attribute or a parameter (`self.factory()`) is whatever
/// some caller gave, and is left alone.
pub(crate) fn names_its_functions(callee: &str, functions: &[(ruff_python_ast::name::Name, Location)]) -> bool {
    let called = callee.rsplit('.').next().unwrap_or(callee).trim();
    functions.iter().all(|(name, _)| name.as_str() == called)
}

/// The first `async def` a call runs, as the first label of a coroutine's way.
pub(crate) fn coroutine_function_label(
    functions: &[(ruff_python_ast::name::Name, Location)],
) -> Option<crate::diagnostic::Label> {
    functions.first().map(|(name, at)| crate::diagnostic::Label {
        file: at.file,
        range: at.range,
        message: format!("`async def {name}`: a call of it gives a coroutine"),
    })
}

/// `n` and a noun in the number it needs: `1 place`, `2 places`, `1 comment`.
pub fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// "1 error", "2 warnings", "1 error and 2 warnings": a report's findings by severity, as
/// ruff counts them (a severity with none is left out; "0 errors" when there is nothing).
pub fn tally(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (_, 0) => counted(errors, "error"),
        (0, _) => counted(warnings, "warning"),
        _ => format!("{} and {}", counted(errors, "error"), counted(warnings, "warning")),
    }
}

/// ` (and 1 more place that needs ...)`, ` (and 2 more places that need ...)`: what a
/// finding adds for the other sinks of one producer (`many`/`one` end the sentence).
pub(crate) fn more_places(n: usize, many: &str, one: &str) -> String {
    match n {
        1 => format!(" (and 1 more place{one})"),
        _ => format!(" (and {n} more places{many})"),
    }
}

#[cfg(test)]
mod tests {
    use super::{counted, more_places, one_line};

    #[test]
    fn code_on_several_lines_reads_as_written_on_one() {
        assert_eq!(one_line("item[\"resource\"]\n            .get"), "item[\"resource\"].get");
        assert_eq!(one_line("gather(\n    a,\n    b,\n)"), "gather(a, b,)");
        assert_eq!(one_line("self.loop.create_task"), "self.loop.create_task");
        assert_eq!(one_line("x  if  y else z"), "x if y else z");
    }

    #[test]
    fn counts_take_the_number_of_their_noun() {
        assert_eq!(counted(1, "error"), "1 error");
        assert_eq!(counted(0, "warning"), "0 warnings");
        assert_eq!(counted(2, "file"), "2 files");
        assert_eq!(more_places(1, " that need a Task", " that needs a Task"), " (and 1 more place that needs a Task)");
        assert_eq!(more_places(3, "", ""), " (and 3 more places)");
    }
}
