//! What the report says: the types the rules read, one per kind of finding, gathered in
//! [`FlowReport`].

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use tasklens_db::File;

use super::PublicParameter;
use super::{
    AwaitOnNonAwaitable, CalledCallback, CoroutineCallback, NestedLoopRun, NewerApiUse, ProtocolMismatch,
    UnawaitedCoroutine, WaitOnCoroutine,
};

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: File,
    pub range: TextRange,
}

/// How a parameter annotated to admit plain Futures holds one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamShape {
    /// `fut: Awaitable[T]`: the parameter itself.
    Value,
    /// `futs: Iterable[Awaitable[T]]`: its elements.
    Elements,
    /// `make: Callable[..., Awaitable[T]]`: what calling it gives.
    Result,
}

/// Where a value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Producer {
    /// A call that returns a plain Future (`loop.create_future()`, `gather(...)`); for a
    /// call of a `functools.partial`, what the partial wraps (`loop.run_in_executor`).
    /// `concurrent`: the Future is a `concurrent.futures.Future` (an executor's `submit`,
    /// `run_coroutine_threadsafe`), which asyncio can neither await nor wrap in a Task.
    Call { at: Location, callee: TextRange, wraps: Option<Location>, concurrent: bool },
    /// A parameter whose annotation admits a plain Future (as itself, its elements or what
    /// calling it gives: `shape`).
    Parameter { at: Location, name: Name, function: Name, shape: ParamShape },
    /// A call that returns a Task (`create_task(...)`, `ensure_future(coroutine)`).
    TaskCall { at: Location, callee: TextRange },
    /// An instance of a project class that defines `__await__` (awaitable, not a coroutine).
    Awaitable { at: Location, class: Name },
    /// A project function itself, not a call of it (`create_task(work)`).
    /// `bare_call`: calling it with no argument fits its parameters (those without a
    /// default; a method read from an instance has its first bound), and no decorator may
    /// have changed them.
    Function { at: Location, name: Name, is_async: bool, bare_call: bool },
    /// A call of a project function that yields: a generator (an async generator for an
    /// `async def`), not a coroutine.
    Generator { at: Location, name: Name, is_async: bool },
    /// A call of a plain `def` whose `return`s give only None or literals (a forgotten
    /// `async`): `literal` when some `return` gives a literal other than None.
    PlainResult { at: Location, name: Name, literal: bool },
    /// A `functools.partial(...)` object (a callable, not a call of it).
    Partial { at: Location },
    /// One of asyncio's coroutine functions itself (`asyncio.sleep`), not a call of it;
    /// shown where it is passed.
    AsyncioFunction { at: Location, path: String },
}

impl Producer {
    pub fn location(&self) -> Location {
        match self {
            Producer::Call { at, .. }
            | Producer::Parameter { at, .. }
            | Producer::TaskCall { at, .. }
            | Producer::Awaitable { at, .. }
            | Producer::Function { at, .. }
            | Producer::Generator { at, .. }
            | Producer::PlainResult { at, .. }
            | Producer::Partial { at }
            | Producer::AsyncioFunction { at, .. } => *at,
        }
    }
}

/// What needs a Task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// A call of a Task-only method.
    TaskMethod(Name),
    /// A call of a method every Future and Task has and a coroutine lacks (`cancel`).
    FutureMethod(Name),
    /// A return annotation.
    Return { function: Name },
    /// A generator's return annotation, for what it yields (`-> Iterator[Task]`).
    Yield { function: Name },
    /// A parameter annotation (the value is the argument at a call site).
    Parameter { function: Name, param: Name },
    /// An annotated assignment.
    Variable,
    /// An annotated attribute.
    Attribute { class: Name, attr: Name },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sink {
    pub at: Location,
    pub kind: SinkKind,
    /// The annotation is a container of Tasks and the Future is one of its elements.
    pub elements: bool,
}

/// One step of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    Assign(Name),
    Return(Name),
    Yield(Name),
    AttrStore(Name),
    AttrLoad(Name),
    ContainerStore,
    /// Set as the result of a Future (`fut.set_result(value)`), which awaiting it gives.
    FutureResult,
    ContainerLoad,
    Argument {
        param: Name,
        function: Name,
    },
    CallResult {
        function: Name,
    },
    PassThrough,
    Callback {
        function: Name,
    },
    Fixture {
        name: Name,
    },
}

impl StepKind {
    /// Whether the hop stays within one function: an assignment or a container.
    pub fn is_local(&self) -> bool {
        matches!(self, StepKind::Assign(_) | StepKind::ContainerStore | StepKind::ContainerLoad)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub at: Location,
    pub kind: StepKind,
}

/// A plain Future that reaches a place that needs a Task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FutureFlow {
    pub producer: Producer,
    pub sink: Sink,
    /// The hops from the producer to the sink, in order.
    pub steps: Vec<Step>,
    /// For a parameter annotated to admit a plain Future: the project's own plain Futures
    /// passed to it that reach the sink that way (real cases of the finding), in source order.
    pub passed: Vec<Producer>,
}

/// An `ensure_future` call whose argument is always a coroutine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnsureFutureCall {
    pub at: Location,
    pub callee: TextRange,
    /// Task sinks that the returned Task reaches.
    pub task_sinks: Vec<Sink>,
    /// Where the call runs, which decides whether `create_task` can replace it.
    pub context: CallContext,
    /// At import time: under `if __name__ == "__main__":`, when the file runs as a script.
    pub in_script: bool,
    /// The positional arguments' ranges.
    pub args: Vec<TextRange>,
    /// The `loop=` keyword: the whole keyword and its value.
    pub loop_keyword: Option<(TextRange, TextRange)>,
    /// The `loop=` value is a parameter of the calling function that defaults to `None`:
    /// `loop.create_task(...)` would fail where `ensure_future` uses the current loop.
    pub loop_may_be_none: bool,
    /// The argument given by keyword (`coro_or_future=...`): the whole keyword and its value.
    pub argument_keyword: Option<(TextRange, TextRange)>,
    /// Other keyword arguments are present.
    pub other_keywords: bool,
    /// For a call at import time: a module variable that holds an event loop, whose
    /// `create_task` needs no running loop.
    pub loop_in_scope: Option<Name>,
    /// The argument is a parameter of a public function or method, or what calling one
    /// gives: code outside the project may pass a Future (or a function that returns one),
    /// which `create_task` would refuse.
    pub public_parameter: Option<PublicParameter>,
    /// For a call in a function: the calls that reach it where no loop is running
    /// (outermost first), and where they start.
    pub loopless: Option<(Vec<Location>, LooplessStart)>,
    /// Reached in another thread where nothing sets an event loop: `ensure_future(coro)`
    /// (without `loop=`) raises RuntimeError there.
    pub no_current_loop: bool,
    /// Reached at import time or as a script starts where nothing sets an event loop: the
    /// calls that lead there and where they start (TL017 without `loop=`).
    pub implicit_loop: Option<(Vec<Location>, LooplessStart)>,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// The call is the whole argument of an event loop's `run_until_complete`, which
    /// wraps a coroutine in a Task itself.
    pub run_by_loop: bool,
}

/// Where a call runs, as far as an event loop is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallContext {
    /// Inside an `async def`: a loop is running.
    Coroutine,
    /// In a synchronous function that is only ever called, directly or through other such
    /// functions, from coroutines: a loop is running.
    LoopFunction,
    /// In a synchronous function: a loop may or may not be running.
    Function,
    /// At module level or in a class body: runs at import time, no loop is running.
    Import,
}

/// A value that is not a coroutine reaching the argument of `create_task` (or `Task(...)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskArgumentFlow {
    pub producer: Producer,
    /// The `create_task(...)` call.
    pub call: Location,
    pub callee: TextRange,
    /// The argument.
    pub argument: Location,
    pub steps: Vec<Step>,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// What the call needs its argument to be.
    pub wanted: Wanted,
}

/// What a call that runs or wraps its argument needs it to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A coroutine, a Future or an awaitable: `ensure_future`, `gather`, `shield`,
    /// `wait_for`, `run_until_complete` (TypeError otherwise).
    Awaitable,
    /// A coroutine: `create_task`, `Task(...)` (TypeError otherwise).
    Coroutine,
    /// A coroutine to run: `asyncio.run` (ValueError otherwise).
    MainCoroutine,
}

/// `loop=` passed to an asyncio API that removed the parameter in Python 3.10.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedLoopArgument {
    /// The `loop=...` keyword.
    pub keyword: Location,
    /// The keyword's value, and the called expression (`asyncio.create_task`).
    pub value: TextRange,
    pub callee: TextRange,
    pub context: CallContext,
    /// The API as asyncio spells it (`asyncio.sleep`, `asyncio.locks.Lock`).
    pub api: String,
    /// The API never took `loop=` (`create_task`, `run`, `timeout`...): TypeError in every
    /// version.
    pub never_accepted: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// A Task whose handle nothing keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedTask {
    /// The call that creates the Task.
    pub at: Location,
    pub callee: TextRange,
    /// Where the Task goes before it is dropped (its longest path), empty when the call's
    /// result itself is dropped.
    pub steps: Vec<Step>,
    /// The last step returns it from a callback of the event loop, which drops it (or, with
    /// no steps, the loop made it by calling the callback: `loop.call_soon(loop.create_task, c)`).
    pub returned_to_loop: bool,
    /// A helper made the Task and `at` is a call of it that throws the Task away: the steps
    /// end where the Task leaves the helper, not after `at`.
    pub thrown_away_by_caller: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// Not a Task: the Future of `asyncio.gather(...)` or `asyncio.shield(...)`, written as
    /// a statement of its own.
    pub gathered: Option<Gathered>,
}

/// A dropped `asyncio.gather(...)` or `asyncio.shield(...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gathered {
    /// Where the call runs (a fix awaits it in a coroutine).
    pub context: CallContext,
    /// Every argument is a Task or a Future already: no Task is made, and only what they
    /// raise goes unretrieved.
    pub only_futures: bool,
}

/// `typing.cast(Task, value)` where the value can be a plain Future.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskedCast {
    pub at: Location,
    pub producer: Producer,
}

/// `asyncio.create_task` (or `get_running_loop`) reached while no event loop runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LooplessCall {
    /// The `create_task` call.
    pub at: Location,
    pub callee: TextRange,
    /// The calls that lead there from where it starts, outermost first.
    pub chain: Vec<Location>,
    pub start: LooplessStart,
    /// `get_event_loop()` in a thread that sets no loop: it needs a current loop, not a
    /// running one.
    pub current_loop: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// The first Python whose asyncio locks, events, conditions, semaphores and queues bind
/// the running loop on first use instead of `get_event_loop()`'s when they are made.
pub const LOOP_BOUND_UNTIL: tasklens_db::PythonVersion = tasklens_db::PythonVersion::new(3, 10);

/// An asyncio lock, event, condition, semaphore or queue made where no loop runs (TL020).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopBoundObject {
    /// The call that makes it (a project subclass's construction, or its `super().__init__`),
    /// and how it is reached.
    pub made: LooplessCall,
    /// The asyncio class's name (`Queue`).
    pub class: String,
}

impl LoopBoundObject {
    /// A `Future` binds its loop when made in every version; the others before
    /// [`LOOP_BOUND_UNTIL`].
    pub fn bound_in_every_version(&self) -> bool {
        self.class == "Future"
    }
}

/// Where a call that needs a running loop is reached from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LooplessStart {
    /// Module-level code or a class body, as the module is imported.
    Import,
    /// Module-level code under `if __name__ == "__main__":`, as the file runs as a script.
    Script,
    /// A function that the first call of the chain runs in another thread.
    Thread,
    /// A function that the first call of the chain registers to run as the interpreter
    /// exits (`atexit.register(f)`), after the program's event loop has stopped.
    Exit,
}

impl LooplessStart {
    /// Whether the chain starts as a module is imported or a script starts.
    pub fn at_import(self) -> bool {
        matches!(self, LooplessStart::Import | LooplessStart::Script)
    }
}

/// Everything the rules need from the flow analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowReport {
    pub future_flows: Vec<FutureFlow>,
    pub ensure_future_calls: Vec<EnsureFutureCall>,
    pub task_arguments: Vec<TaskArgumentFlow>,
    pub removed_loop_arguments: Vec<RemovedLoopArgument>,
    pub newer_api_uses: Vec<NewerApiUse>,
    pub dropped_tasks: Vec<DroppedTask>,
    pub masked_casts: Vec<MaskedCast>,
    pub loopless_calls: Vec<LooplessCall>,
    /// `asyncio.get_event_loop()` reached as a module is imported or a script starts, where
    /// nothing sets an event loop first (TL017).
    pub implicit_loop_calls: Vec<LooplessCall>,
    /// asyncio locks, events, conditions, semaphores and queues made at import time, which
    /// Pythons before [`LOOP_BOUND_UNTIL`] bind to the loop `get_event_loop()` gives then
    /// (TL020).
    pub loop_bound_at_import: Vec<LoopBoundObject>,
    /// Handlers of the builtin `TimeoutError` around awaits of asyncio's (TL021).
    pub uncaught_timeouts: Vec<super::UncaughtTimeout>,
    pub waits_on_coroutines: Vec<WaitOnCoroutine>,
    pub coroutine_callbacks: Vec<CoroutineCallback>,
    pub called_callbacks: Vec<CalledCallback>,
    pub protocol_mismatches: Vec<ProtocolMismatch>,
    pub unawaited_coroutines: Vec<UnawaitedCoroutine>,
    /// Coroutines that reach code that needs a Task or a Future (TL018).
    pub coroutine_flows: Vec<super::CoroutineFlow>,
    /// Tasks whose result is set from outside (TL022).
    pub task_results_set: Vec<super::TaskResultSet>,
    /// Done-callbacks that read a Task's outcome without a test for cancellation (TL023).
    pub unchecked_outcomes: Vec<super::UncheckedOutcome>,
    pub missing_awaits: Vec<super::MissingAwait>,
    pub nested_loop_runs: Vec<NestedLoopRun>,
    pub awaits_on_non_awaitables: Vec<AwaitOnNonAwaitable>,
    /// The analysis stopped at its growth limit: no flow finding is reported.
    pub incomplete: bool,
}
