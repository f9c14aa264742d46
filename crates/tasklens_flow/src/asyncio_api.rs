//! What the analysis knows about code outside the project: asyncio's calls,
//! typing's annotation helpers, and builtins that copy containers.
//!
//! Facts here follow `shared/asyncio-facts.md`, checked against CPython 3.8–3.13.

use tasklens_semantic::facts::ContainerKind;

/// The effect of calling something outside the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalCall {
    /// `ensure_future(x)`: `x` itself when it is a Future, a new Task otherwise.
    EnsureFuture,
    /// Always a new Task (`create_task`, `Task(...)`).
    NewTask,
    /// A new plain Future (`gather`, `shield`, `Future()`...).
    NewFuture,
    /// `current_task()`: a Task or None.
    CurrentTask,
    /// `all_tasks()`: the running loop's Tasks (not followed).
    AllTasks,
    /// An event loop (`get_running_loop()`...).
    Loop,
    /// A coroutine object (`asyncio.sleep(...)`).
    Coroutine,
    /// A coroutine that opens something asyncio's own (see [`Opened`]): awaiting it gives
    /// objects whose waiting methods are followed.
    Opens(Opened),
    /// `asyncio.wait(fs)`: a coroutine that gives `(done, pending)` sets of `fs`'s elements.
    Wait,
    /// `stack.enter_context(cm)`: what `with cm as x` binds.
    Enter,
    /// `stack.enter_async_context(cm)`: a coroutine that gives what `async with cm as x` binds.
    EnterAsync,
    /// An instance of an external class we follow (`TaskGroup()`, `Lock()`, `Event()`...).
    Instance,
    /// `typing.cast(T, x)`: `x` itself.
    Cast,
    /// `list(x)`, `set(x)`, `sorted(x)`, `filter(f, x)`, `itertools.chain(x, y)`...: a new
    /// container of the elements of the positional arguments from `first` on.
    CopyContainer {
        first: u8,
    },
    /// `min(x)`, `max(a, b)`: an element of the one argument, or one of the arguments.
    Choice,
    /// `copy.copy(x)`, `copy.deepcopy(x)`: `x`'s objects (a copy holds the same elements).
    Same,
    /// `heapq.heappush(heap, item)` and friends: `item` joins `heap`'s elements, and the
    /// result (`heappop`, `heappushpop`, `heapreplace`) is one of them.
    HeapStore {
        stores: bool,
        returns: bool,
    },
    /// `asyncio.wait_for(x, timeout)`: a coroutine that awaits `x`.
    WaitFor,
    /// `asyncio.as_completed(fs)`: each element of `fs` goes through `ensure_future` at
    /// once (TypeError for what cannot be awaited); what it yields is not followed.
    AsCompleted,
    /// `next(iterator)`: an element.
    Element,
    /// `anext(iterator)`: what `iterator.__anext__()` gives (an async generator's step,
    /// or the coroutine of a project class's `async def __anext__`).
    AsyncNext,
    /// `getattr(obj, name, default)`: the attribute when the name is a string literal,
    /// else something not followed; or the default.
    GetAttr,
    /// `setattr(obj, name, value)`: a store of the attribute when the name is a string
    /// literal, else a call not followed.
    SetAttr,
    /// `enumerate(x)`: pairs of an index and an element.
    Enumerate,
    /// `zip(a, b)`: pairs of elements.
    Zip,
    /// `functools.partial(f, *args)`: `f` with its first arguments bound.
    Partial,
    /// A container of a kind whose methods are not a list's or a dict's: `asyncio.Queue()`
    /// (items come back from `get`), `queue.Queue()`, `weakref.WeakSet()` and
    /// `WeakValueDictionary()` (which keep nothing alive), `contextvars.ContextVar(name,
    /// default=...)` (one value per context), `weakref.ref(x)` (calling it gives `x`).
    NewContainer(ContainerKind),
    /// `OrderedDict()`, `OrderedDict(k=v)` and `dict(k=v)`: a dict with each keyword
    /// argument under its name. Not a bare `dict()` (see [`external_call`]), nor a copy
    /// of another mapping or of pairs (`dict(other)`, `dict(zip(...))`: unknown).
    NewDict {
        /// Whether a call without arguments makes a dict too (`OrderedDict()`).
        empty_call: bool,
    },
    /// `dict.fromkeys(keys, value)` (also `OrderedDict`'s): a dict of `value` under each key.
    FromKeys,
    /// `collections.defaultdict(factory)`: a dict whose missing keys read as a new
    /// container when `factory` is `list`, `set`, `dict` or `deque`.
    NewDefaultDict,
    /// `loop.call_soon(cb, *args)` and friends: the loop calls `cb` (argument `callback`)
    /// later, inside the running loop, with the arguments after it.
    LoopCallback {
        callback: u8,
    },
    /// `map(f, xs...)`: an iterator of what `f` returns for the elements.
    Map,
    /// `asyncio.run(coro)`, `loop.run_until_complete(aw)`: runs the awaitable to the end and
    /// gives what awaiting it gives.
    RunToCompletion,
    Unknown,
}

/// What awaiting one of asyncio's opening coroutines gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opened {
    /// `open_connection()`, `open_unix_connection()`: `(StreamReader, StreamWriter)`.
    Streams,
    /// `create_subprocess_exec()`, `create_subprocess_shell()`: a `Process`.
    Process,
    /// `start_server(cb)`, `start_unix_server(cb)`: a `Server`; the loop calls `cb` with a
    /// `StreamReader` and a `StreamWriter` for each connection.
    Server,
    /// `loop.create_server(factory)`, `loop.create_unix_server(factory)`: a `Server`; the
    /// loop calls `factory` for each connection.
    ProtocolServer,
}

/// The streams of a connection, as `open_connection` gives them and the loop hands a
/// server's callback: (position, class).
pub(crate) const CONNECTION_STREAMS: [(u8, &str); 2] = [(0, "asyncio.StreamReader"), (1, "asyncio.StreamWriter")];

/// Splits an external dotted path into its top-level package and last name.
pub(crate) fn split(path: &str) -> (&str, &str) {
    let top = path.split('.').next().unwrap_or(path);
    let last = path.rsplit('.').next().unwrap_or(path);
    (top, last)
}

/// The effect of calling the external object at `path`.
pub fn external_call(path: &str) -> ExternalCall {
    let (top, last) = split(path);
    match top {
        "asyncio" => match last {
            "ensure_future" => ExternalCall::EnsureFuture,
            "create_task" | "Task" => ExternalCall::NewTask,
            "Future" | "gather" | "shield" | "wrap_future" | "run_coroutine_threadsafe" => ExternalCall::NewFuture,
            "current_task" => ExternalCall::CurrentTask,
            "all_tasks" => ExternalCall::AllTasks,
            "get_running_loop" | "get_event_loop" | "new_event_loop" => ExternalCall::Loop,
            "wait" => ExternalCall::Wait,
            "wait_for" => ExternalCall::WaitFor,
            "as_completed" => ExternalCall::AsCompleted,
            "run" => ExternalCall::RunToCompletion,
            "sleep" | "to_thread" => ExternalCall::Coroutine,
            "open_connection" | "open_unix_connection" => ExternalCall::Opens(Opened::Streams),
            "create_subprocess_exec" | "create_subprocess_shell" => ExternalCall::Opens(Opened::Process),
            "start_server" | "start_unix_server" => ExternalCall::Opens(Opened::Server),
            _ if last == "TaskGroup" || is_followed_asyncio_class(path) => ExternalCall::Instance,
            "Queue" | "LifoQueue" | "PriorityQueue" => ExternalCall::NewContainer(ContainerKind::Queue),
            _ => ExternalCall::Unknown,
        },
        "concurrent" if last == "Future" => ExternalCall::NewFuture,
        // Task groups for Pythons before 3.11: the `taskgroup` backport and `aiotools`.
        "taskgroup" | "aiotools" if is_backported_task_group(last) => ExternalCall::Instance,
        // Threads' locks are followed for what enters them (`async with` cannot, TL015).
        "threading" if is_thread_lock(last) => ExternalCall::Instance,
        // Exit stacks are followed for the context managers they enter.
        "contextlib" if matches!(last, "ExitStack" | "AsyncExitStack") => ExternalCall::Instance,
        // Executors are followed for what their `submit` and `map` run in a worker thread.
        "concurrent" if matches!(last, "ThreadPoolExecutor" | "ProcessPoolExecutor") => ExternalCall::Instance,
        "typing" | "typing_extensions" if last == "cast" => ExternalCall::Cast,
        "builtins" | "collections" if last == "fromkeys" && path.matches('.').count() == 2 => ExternalCall::FromKeys,
        "builtins" => match last {
            "list" | "tuple" | "set" | "frozenset" | "sorted" | "reversed" | "iter" => {
                ExternalCall::CopyContainer { first: 0 }
            }
            "filter" => ExternalCall::CopyContainer { first: 1 },
            // Not a bare `dict()`: a dict made that way is often a project-wide registry
            // (Home Assistant's `hass.data`), and without telling keys apart every value
            // would reach every reader.
            "dict" => ExternalCall::NewDict { empty_call: false },
            "min" | "max" => ExternalCall::Choice,
            "next" => ExternalCall::Element,
            "anext" => ExternalCall::AsyncNext,
            "getattr" => ExternalCall::GetAttr,
            "setattr" => ExternalCall::SetAttr,
            "enumerate" => ExternalCall::Enumerate,
            "map" => ExternalCall::Map,
            "zip" => ExternalCall::Zip,
            _ => ExternalCall::Unknown,
        },
        "collections" if last == "deque" => ExternalCall::CopyContainer { first: 0 },
        "collections" if last == "defaultdict" => ExternalCall::NewDefaultDict,
        "collections" if last == "OrderedDict" => ExternalCall::NewDict { empty_call: true },
        "copy" if matches!(last, "copy" | "deepcopy") => ExternalCall::Same,
        "weakref" if last == "WeakSet" => ExternalCall::NewContainer(ContainerKind::WeakSet),
        "weakref" if last == "WeakValueDictionary" => ExternalCall::NewContainer(ContainerKind::WeakValueDict),
        "contextvars" if last == "ContextVar" => ExternalCall::NewContainer(ContainerKind::ContextVar),
        "weakref" if last == "ref" => ExternalCall::NewContainer(ContainerKind::WeakRef),
        "queue" if is_thread_queue(last) => ExternalCall::NewContainer(ContainerKind::ThreadQueue),
        "heapq" => match last {
            "heappush" => ExternalCall::HeapStore { stores: true, returns: false },
            "heappop" => ExternalCall::HeapStore { stores: false, returns: true },
            "heappushpop" | "heapreplace" => ExternalCall::HeapStore { stores: true, returns: true },
            _ => ExternalCall::Unknown,
        },
        "itertools" if matches!(last, "chain" | "islice" | "cycle") => ExternalCall::CopyContainer { first: 0 },
        "functools" if last == "partial" => ExternalCall::Partial,
        _ => ExternalCall::Unknown,
    }
}

/// Outside types that no plain `asyncio.Future` is an instance of (`isinstance(x, str)`
/// is false for every Future, and a place annotated `str | Task` admits no Future):
/// builtins, the ABCs a Future does not implement, `Callable`, and asyncio's handles,
/// transports, protocols, servers, streams and synchronisation primitives. (A Future is
/// iterable and awaitable, so `Iterable` and `Awaitable` are not here.)
pub fn excludes_futures(path: &str) -> bool {
    let (top, last) = split(path);
    match top {
        "builtins" => last != "object",
        "typing" | "typing_extensions" | "collections" => matches!(
            last,
            "Generator"
                | "AsyncGenerator"
                | "Coroutine"
                | "Iterator"
                | "AsyncIterator"
                | "Mapping"
                | "MutableMapping"
                | "Sequence"
                | "MutableSequence"
                | "Set"
                | "MutableSet"
                | "Callable"
        ),
        "types" => matches!(last, "GeneratorType" | "CoroutineType" | "FunctionType"),
        "asyncio" => matches!(
            last,
            "Handle"
                | "TimerHandle"
                | "AbstractServer"
                | "Server"
                | "BaseTransport"
                | "Transport"
                | "ReadTransport"
                | "WriteTransport"
                | "DatagramTransport"
                | "SubprocessTransport"
                | "BaseProtocol"
                | "Protocol"
                | "DatagramProtocol"
                | "SubprocessProtocol"
                | "StreamReader"
                | "StreamWriter"
                | "Event"
                | "Lock"
                | "Semaphore"
                | "Condition"
                | "Queue"
        ),
        _ => false,
    }
}

/// The queues of module `queue`, for threads.
pub fn is_thread_queue(last: &str) -> bool {
    matches!(last, "Queue" | "LifoQueue" | "PriorityQueue" | "SimpleQueue")
}

/// Whether `path` is one of asyncio's classes whose instances the analysis follows
/// (their waiting methods make coroutines: see [`external_method`]), so that a place
/// annotated with it holds one.
pub fn is_followed_asyncio_class(path: &str) -> bool {
    let (top, last) = split(path);
    top == "asyncio"
        && matches!(
            last,
            "Lock"
                | "Event"
                | "Condition"
                | "Semaphore"
                | "BoundedSemaphore"
                | "Barrier"
                | "StreamReader"
                | "StreamWriter"
                | "Process"
                | "Server"
                | "AbstractServer"
                | "Runner"
        )
}

/// The classes of `threading` that `with` enters and `async with` cannot.
fn is_thread_lock(name: &str) -> bool {
    matches!(name, "Lock" | "RLock" | "Semaphore" | "BoundedSemaphore" | "Condition")
}

/// What an instance of the outside class at `path` supports of `with` and `async with`:
/// `(with, async with)`, when known. asyncio's locks and task groups are entered only by
/// `async with` (their `__enter__` went in Python 3.9); threads' locks only by `with`.
pub fn outside_context_manager(path: &str) -> Option<(bool, bool)> {
    match split(path) {
        ("asyncio", "Lock" | "Semaphore" | "BoundedSemaphore" | "Condition" | "Barrier" | "TaskGroup") => {
            Some((false, true))
        }
        ("asyncio", "Event") => Some((false, false)),
        ("threading", name) if is_thread_lock(name) => Some((true, false)),
        _ => None,
    }
}

/// Whether the outside class at `path` is generic: `path[T]` is an alias that makes
/// what the class makes when called (`asyncio.Future[None]()`, `dict[str, int]()`).
pub fn is_generic_class(path: &str) -> bool {
    let (top, last) = split(path);
    match top {
        "asyncio" => matches!(last, "Future" | "Task" | "Queue" | "LifoQueue" | "PriorityQueue"),
        "concurrent" => last == "Future",
        "builtins" => matches!(last, "list" | "dict" | "set" | "frozenset" | "tuple"),
        "collections" => matches!(last, "deque" | "defaultdict" | "OrderedDict"),
        "weakref" => matches!(last, "WeakSet" | "WeakValueDictionary" | "ref"),
        "contextvars" => last == "ContextVar",
        "queue" => is_thread_queue(last),
        _ => false,
    }
}

/// The effect of calling `method` on an event loop.
pub fn loop_method(method: &str) -> ExternalCall {
    if let Some(callback) = loop_callback_index(method) {
        return ExternalCall::LoopCallback { callback };
    }
    match method {
        "create_future" | "run_in_executor" => ExternalCall::NewFuture,
        "create_task" => ExternalCall::NewTask,
        "run_until_complete" => ExternalCall::RunToCompletion,
        "create_server" | "create_unix_server" => ExternalCall::Opens(Opened::ProtocolServer),
        // The event loop's `async def` methods (CPython 3.8-3.13; uvloop has the same).
        "connect_accepted_socket"
        | "connect_read_pipe"
        | "connect_write_pipe"
        | "create_connection"
        | "create_datagram_endpoint"
        | "create_unix_connection"
        | "getaddrinfo"
        | "getnameinfo"
        | "sendfile"
        | "shutdown_asyncgens"
        | "shutdown_default_executor"
        | "sock_accept"
        | "sock_connect"
        | "sock_recv"
        | "sock_recv_into"
        | "sock_recvfrom"
        | "sock_recvfrom_into"
        | "sock_sendall"
        | "sock_sendfile"
        | "sock_sendto"
        | "start_tls"
        | "subprocess_exec"
        | "subprocess_shell" => ExternalCall::Coroutine,
        _ => ExternalCall::Unknown,
    }
}

/// Methods of a Future or Task that neither store it nor hand it to anything that runs
/// before it is done: a Task whose handle is used only for these is still dropped
/// (`create_task(c).add_done_callback(cb)`: `cb` gets it only once it has finished; `t =
/// create_task(c); t.set_name(n)` and nothing else: the name dies with the frame).
/// `cancel` is not one: a Task cancelled at once has nothing left to lose.
pub const NON_KEEPING_TASK_METHODS: &[&str] = &[
    "add_done_callback",
    "remove_done_callback",
    "get_name",
    "set_name",
    "get_coro",
    "get_context",
    "get_stack",
    "print_stack",
];

/// Methods that read a Task's state. On a call's bare result they keep nothing either
/// (`create_task(c).done()`), but a name they are called on may poll the Task while its
/// frame waits (`while not t.done(): await ...`), so it keeps what it holds.
pub const POLLING_TASK_METHODS: &[&str] = &["cancelled", "done", "result", "exception", "cancelling", "uncancel"];

/// Whether the call at `path` makes a `concurrent.futures` Future, whose done-callbacks
/// run in the thread that finishes it rather than in the event loop.
pub fn makes_thread_future(path: &str) -> bool {
    let (top, last) = split(path);
    top == "concurrent" || last == "run_coroutine_threadsafe"
}

/// Where the callback is among the arguments of a loop method that calls it back later
/// (with the arguments that follow it).
pub fn loop_callback_index(method: &str) -> Option<u8> {
    match method {
        "call_soon" | "call_soon_threadsafe" => Some(0),
        "call_later" | "call_at" | "add_signal_handler" | "add_reader" | "add_writer" => Some(1),
        _ => None,
    }
}

/// Where the callback is among the arguments of a call that registers it with code that
/// calls it as a plain function and drops what it returns: a signal handler, an exit
/// handler, a finalizer (`weakref.finalize(obj, f)`).
pub fn plain_callback_index(path: &str) -> Option<u8> {
    match split(path) {
        ("signal", "signal") => Some(1),
        ("atexit", "register") => Some(0),
        ("weakref", "finalize") => Some(1),
        _ => None,
    }
}

/// As [`plain_callback_index`], for a method of an outside class's instance: an exit
/// stack's `callback(f)` (`AsyncExitStack` too, whose `push_async_callback` is the one
/// that awaits).
pub fn plain_callback_method_index(path: &str, method: &str) -> Option<u8> {
    match (split(path), method) {
        (("contextlib", "ExitStack" | "AsyncExitStack"), "callback") => Some(0),
        _ => None,
    }
}

/// A call that runs a function in another thread (or process), where no event loop is
/// running: where the function is among its arguments, and what it is called with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadRunner {
    /// The function's position.
    pub function: u8,
    /// The function's keyword, when it may be given by name (`Thread(target=f)`).
    pub keyword: Option<&'static str>,
    pub arguments: ThreadArguments,
    /// Which thread runs it.
    pub thread: WorkerThread,
}

/// The thread a [`ThreadRunner`] runs its function in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerThread {
    /// A thread of its own, or one of asyncio's default executor.
    Own,
    /// A thread of an executor the project made, which an `initializer` may have prepared
    /// (`executor.submit(f)`, `loop.run_in_executor(executor, f)` with an executor given).
    Executor,
    /// A thread of the executor given at this position, asyncio's default one when it is
    /// `None` (`loop.run_in_executor(executor, f)`).
    GivenExecutor { position: u8 },
    /// Each new thread of the executor being made, before anything else: its `initializer`.
    Initializer,
}

/// What a thread runner calls its function with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadArguments {
    /// The call's positional arguments after the function (`to_thread(f, *args)`).
    Following,
    /// The elements of the iterables after the function, a call per element (`executor.map`).
    Elements,
    /// A tuple, given as `keyword=` or at this position (`Thread(group, target, name, args)`).
    Tuple { position: u8, keyword: &'static str },
}

impl ThreadRunner {
    const fn new(function: u8, keyword: Option<&'static str>, arguments: ThreadArguments) -> Self {
        ThreadRunner { function, keyword, arguments, thread: WorkerThread::Own }
    }

    const fn in_thread(self, thread: WorkerThread) -> Self {
        ThreadRunner { thread, ..self }
    }
}

/// The external function at `path`, when it runs another in a thread.
pub fn thread_runner(path: &str) -> Option<ThreadRunner> {
    use ThreadArguments::{Following, Tuple};
    match split(path) {
        ("asyncio", "to_thread") => Some(ThreadRunner::new(0, None, Following)),
        ("_thread", "start_new_thread" | "start_new") => {
            Some(ThreadRunner::new(0, None, Tuple { position: 1, keyword: "args" }))
        }
        ("threading", "Thread") => Some(ThreadRunner::new(1, Some("target"), Tuple { position: 3, keyword: "args" })),
        ("threading", "Timer") => Some(ThreadRunner::new(1, Some("function"), Tuple { position: 2, keyword: "args" })),
        // `ThreadPoolExecutor(max_workers, thread_name_prefix, initializer, initargs)`, and
        // `ProcessPoolExecutor(max_workers, mp_context, initializer, initargs)`.
        ("concurrent", "ThreadPoolExecutor" | "ProcessPoolExecutor") => Some(
            ThreadRunner::new(2, Some("initializer"), Tuple { position: 3, keyword: "initargs" })
                .in_thread(WorkerThread::Initializer),
        ),
        _ => None,
    }
}

/// Whether the class at `path` runs its `run` method in a new thread on `start()`.
pub fn is_thread_class(path: &str) -> bool {
    split(path) == ("threading", "Thread")
}

/// The same for a method of an outside instance: `executor.submit(f, *args)`,
/// `executor.map(f, items)`.
pub fn thread_runner_method(path: &str, method: &str) -> Option<ThreadRunner> {
    let (top, last) = split(path);
    if top != "concurrent" || !matches!(last, "ThreadPoolExecutor" | "ProcessPoolExecutor") {
        return None;
    }
    match method {
        "submit" => Some(ThreadRunner::new(0, None, ThreadArguments::Following).in_thread(WorkerThread::Executor)),
        "map" => Some(ThreadRunner::new(0, None, ThreadArguments::Elements).in_thread(WorkerThread::Executor)),
        _ => None,
    }
}

/// The same for a method of an event loop: `loop.run_in_executor(executor, f, *args)`.
pub fn loop_thread_runner(method: &str) -> Option<ThreadRunner> {
    (method == "run_in_executor").then_some(
        ThreadRunner::new(1, None, ThreadArguments::Following).in_thread(WorkerThread::GivenExecutor { position: 0 }),
    )
}

/// The task groups of `taskgroup` (asyncio's, backported) and `aiotools`, which keep the
/// Tasks their `create_task` makes, as asyncio's `TaskGroup` does.
fn is_backported_task_group(name: &str) -> bool {
    matches!(name, "TaskGroup" | "PersistentTaskGroup")
}

/// Methods that only an event loop has: an unresolved receiver is taken as a loop.
pub const LOOP_ONLY_METHODS: &[&str] = &["create_future", "create_task", "run_in_executor"];

/// The effect of calling `method` on an instance of the external class at `path`.
pub fn external_method(path: &str, method: &str) -> ExternalCall {
    let (top, last) = split(path);
    match (top, last, method) {
        ("asyncio", "TaskGroup", "create_task") => ExternalCall::NewTask,
        ("taskgroup" | "aiotools", group, "create_task") if is_backported_task_group(group) => ExternalCall::NewTask,
        // The synchronisation primitives' waiting methods are coroutine functions.
        ("asyncio", "Lock" | "Semaphore" | "BoundedSemaphore" | "Condition", "acquire")
        | ("asyncio", "Event" | "Condition" | "Barrier", "wait")
        | ("asyncio", "Condition", "wait_for")
        | ("asyncio", "Barrier", "reset" | "abort")
        // Streams, subprocesses and servers: their waiting methods are coroutine functions.
        | ("asyncio", "StreamReader", "read" | "readline" | "readexactly" | "readuntil")
        | ("asyncio", "StreamWriter", "drain" | "wait_closed" | "start_tls")
        | ("asyncio", "Process", "wait" | "communicate")
        | ("asyncio", "Server" | "AbstractServer", "serve_forever" | "start_serving" | "wait_closed") => {
            ExternalCall::Coroutine
        }
        // `Runner.run(main)` wants a coroutine, as `asyncio.run` does.
        ("asyncio", "Runner", "run") => ExternalCall::RunToCompletion,
        // An executor's `submit` gives a `concurrent.futures.Future` (no `get_name`).
        ("concurrent", "ThreadPoolExecutor" | "ProcessPoolExecutor", "submit") => ExternalCall::NewFuture,
        ("contextlib", "ExitStack" | "AsyncExitStack", "enter_context") => ExternalCall::Enter,
        ("contextlib", "AsyncExitStack", "enter_async_context") => ExternalCall::EnterAsync,
        _ => ExternalCall::Unknown,
    }
}

/// What an external name means in an annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalType {
    Task,
    /// A type that admits a plain Future (`Future`, `Awaitable`).
    FutureLike,
    Coroutine,
    Loop,
    /// `Optional[X]`.
    Optional,
    /// `Union[...]`.
    Union,
    /// A container whose last type argument is its element (or value) type.
    Container,
    /// `Annotated[X, ...]`, `ClassVar[X]`, `Final[X]`: the first argument.
    Wrapper,
    /// `tuple[A, B]`, `tuple[X, ...]`: a container of any of its arguments.
    Tuple,
    /// `Generator[Y, S, R]`, `AsyncIterator[Y]`...: what it yields is its first argument.
    Generator,
    /// `Any`, `object`: anything.
    Any,
    Other,
}

/// Classifies an external dotted path used in an annotation.
pub fn external_type(path: &str) -> ExternalType {
    let (top, last) = split(path);
    match (top, last) {
        ("asyncio", "Task") => ExternalType::Task,
        ("asyncio", "Future") | ("concurrent", "Future") => ExternalType::FutureLike,
        ("asyncio", "AbstractEventLoop" | "BaseEventLoop" | "SelectorEventLoop" | "ProactorEventLoop") => {
            ExternalType::Loop
        }
        ("typing" | "typing_extensions" | "collections", "Awaitable") => ExternalType::FutureLike,
        ("typing" | "typing_extensions" | "collections", "Coroutine") => ExternalType::Coroutine,
        ("typing" | "typing_extensions", "Optional") => ExternalType::Optional,
        ("typing" | "typing_extensions", "Union") => ExternalType::Union,
        ("typing" | "typing_extensions", "Annotated" | "ClassVar" | "Final" | "Required" | "NotRequired") => {
            ExternalType::Wrapper
        }
        ("typing" | "typing_extensions", "Any") | ("builtins", "object") => ExternalType::Any,
        ("asyncio", "Queue" | "LifoQueue" | "PriorityQueue") | ("contextvars", "ContextVar") => ExternalType::Container,
        ("queue", last) if is_thread_queue(last) => ExternalType::Container,
        ("builtins", "tuple") | ("typing" | "typing_extensions", "Tuple") => ExternalType::Tuple,
        (
            "typing" | "typing_extensions" | "collections",
            "Generator" | "AsyncGenerator" | "AsyncIterator" | "AsyncIterable",
        ) => ExternalType::Generator,
        (
            "typing" | "typing_extensions" | "collections" | "builtins" | "weakref",
            "List"
            | "list"
            | "Dict"
            | "dict"
            | "Set"
            | "set"
            | "FrozenSet"
            | "frozenset"
            | "Sequence"
            | "MutableSequence"
            | "Mapping"
            | "MutableMapping"
            | "Iterable"
            | "Iterator"
            | "Collection"
            | "Deque"
            | "deque"
            | "DefaultDict"
            | "defaultdict"
            | "OrderedDict"
            | "AbstractSet"
            | "MutableSet"
            | "WeakSet"
            | "WeakValueDictionary"
            | "ValuesView",
        ) => ExternalType::Container,
        ("weakref", "ref") => ExternalType::Container,
        _ => ExternalType::Other,
    }
}

/// Whether an external path is worth following as an object: only the packages
/// this module knows about, and only a few levels deep (`x = x.parent` in a loop
/// would otherwise make new paths forever).
pub fn is_followed(path: &str) -> bool {
    let top = path.split('.').next().unwrap_or(path);
    matches!(
        top,
        "asyncio"
            | "typing"
            | "typing_extensions"
            | "concurrent"
            | "contextlib"
            | "builtins"
            | "collections"
            | "functools"
            | "copy"
            | "heapq"
            | "itertools"
            | "weakref"
            | "contextvars"
            | "queue"
            | "threading"
            | "_thread"
            | "signal"
            | "atexit"
            | "taskgroup"
            | "aiotools"
    ) && path.matches('.').count() < 4
}

/// asyncio APIs whose `loop` parameter was removed in Python 3.10 (checked against
/// CPython 3.8-3.13 in `shared/asyncio-facts.md`): passing `loop=` raises TypeError there.
/// `ensure_future`, `wrap_future`, `run_coroutine_threadsafe`, `Future`, `Task`,
/// `all_tasks`, `current_task` and the stream classes still accept it.
pub const LOOP_REMOVED_IN_3_10: &[&str] = &[
    "sleep",
    "gather",
    "wait",
    "wait_for",
    "as_completed",
    "shield",
    "Queue",
    "LifoQueue",
    "PriorityQueue",
    "Lock",
    "Event",
    "Condition",
    "Semaphore",
    "BoundedSemaphore",
    "open_connection",
    "start_server",
    "open_unix_connection",
    "start_unix_server",
    "create_subprocess_exec",
    "create_subprocess_shell",
];

/// asyncio APIs that never took `loop=` (TypeError in every version): `create_task`, often
/// what `ensure_future(coro, loop=loop)` is renamed to by hand, `run`, and those added
/// after the removal (3.11: `timeout`, `timeout_at`, `Timeout`, `TaskGroup`, `Barrier`,
/// `Runner`; 3.12: `create_eager_task_factory`).
pub const LOOP_NEVER_ACCEPTED: &[&str] = &[
    "create_task",
    "run",
    "timeout",
    "timeout_at",
    "Timeout",
    "TaskGroup",
    "Barrier",
    "Runner",
    "create_eager_task_factory",
];

/// Whether `path` names an asyncio API that no longer takes `loop=`, or never did.
pub fn loop_removed(path: &str) -> bool {
    let (top, last) = split(path);
    top == "asyncio" && (LOOP_REMOVED_IN_3_10.contains(&last) || LOOP_NEVER_ACCEPTED.contains(&last))
}

/// Whether `path` names an asyncio API that never took `loop=`.
pub fn loop_never_accepted(path: &str) -> bool {
    let (top, last) = split(path);
    top == "asyncio" && LOOP_NEVER_ACCEPTED.contains(&last)
}

/// Builtin scalar types, by path: no project container, function or class is one of them.
pub fn is_builtin_scalar(path: &str) -> bool {
    matches!(
        path,
        "builtins.str" | "builtins.int" | "builtins.float" | "builtins.bool" | "builtins.bytes" | "builtins.complex"
    )
}

/// Names that resolve to builtins when nothing else binds them.
pub fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "list"
            | "tuple"
            | "set"
            | "frozenset"
            | "dict"
            | "sorted"
            | "reversed"
            | "next"
            | "anext"
            | "iter"
            | "object"
            | "isinstance"
            | "hasattr"
            | "getattr"
            | "setattr"
            | "len"
            | "print"
            | "super"
            | "type"
            | "str"
            | "int"
            | "float"
            | "bool"
            | "bytes"
            | "range"
            | "enumerate"
            | "zip"
            | "map"
            | "filter"
            | "callable"
            | "id"
            | "repr"
            | "min"
            | "max"
            | "sum"
            | "any"
            | "all"
            | "open"
            | "property"
            | "staticmethod"
            | "classmethod"
    )
}

/// The methods of asyncio's protocols that the loop's transports call.
pub(crate) const PROTOCOL_CALLBACKS: &[&str] = &[
    "connection_made",
    "connection_lost",
    "data_received",
    "eof_received",
    "datagram_received",
    "error_received",
    "pause_writing",
    "resume_writing",
    "get_buffer",
    "buffer_updated",
    "pipe_data_received",
    "pipe_connection_lost",
    "process_exited",
];

/// One of asyncio's protocol classes (`asyncio.Protocol`, `asyncio.DatagramProtocol`,
/// `asyncio.protocols.BaseProtocol`...).
pub(crate) fn is_asyncio_protocol(path: &str) -> bool {
    path.starts_with("asyncio.") && path.ends_with("Protocol")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asyncio_submodules_resolve_like_the_package() {
        assert_eq!(external_call("asyncio.tasks.ensure_future"), ExternalCall::EnsureFuture);
        assert_eq!(external_call("asyncio.futures.Future"), ExternalCall::NewFuture);
        assert_eq!(external_type("asyncio.tasks.Task"), ExternalType::Task);
        assert_eq!(external_type("collections.abc.Awaitable"), ExternalType::FutureLike);
        assert_eq!(external_call("trio.sleep"), ExternalCall::Unknown);
    }
}
