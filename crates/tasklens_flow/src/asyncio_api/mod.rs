//! What the analysis knows about code outside the project: asyncio's calls,
//! typing's annotation helpers, and builtins that copy containers. This module owns what
//! calling an outside name or method does; the submodules own who calls a function handed
//! over (`callbacks`), what outside names mean as types (`types`), and which APIs refuse
//! `loop=` (`loop_argument`).
//!
//! Facts here follow `shared/asyncio-facts.md`, checked against CPython 3.8–3.13.

mod added;
mod callbacks;
mod loop_argument;
mod types;

pub use added::*;
pub use callbacks::*;
pub use loop_argument::*;
pub use types::*;

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

/// Whether the asyncio class at `path` binds the loop `get_event_loop()` gives when it is
/// made without `loop=`: a `Future` in every version, the locks, events, conditions,
/// semaphores and queues before Python 3.10 (later ones bind the running loop on first use).
pub fn binds_loop_when_made(path: &str) -> bool {
    matches!(
        split(path),
        (
            "asyncio",
            "Future"
                | "Lock"
                | "Event"
                | "Condition"
                | "Semaphore"
                | "BoundedSemaphore"
                | "Queue"
                | "PriorityQueue"
                | "LifoQueue"
        )
    )
}

/// Whether an `await` of the call (`asyncio.wait_for`), or an `async with` of it
/// (`async_timeout.timeout`), raises asyncio's `TimeoutError` when its time is up: not the
/// builtin one before Python 3.11 (TL021). `asyncio.timeout` only counts as one of a
/// compatibility name's alternatives (`async_timeout.timeout` before 3.11): alone, it
/// exists only where the two are one class.
pub fn raises_asyncio_timeout(path: &str) -> bool {
    matches!(split(path), ("asyncio", "wait_for") | ("async_timeout", "timeout" | "timeout_at"))
}

/// [`raises_asyncio_timeout`], or one of the names a compatibility name for those may be
/// from Python 3.11 on (`asyncio.timeout`), where asyncio's `TimeoutError` is the builtin.
pub fn raises_timeout_error(path: &str) -> bool {
    raises_asyncio_timeout(path) || matches!(split(path), ("asyncio", "timeout" | "timeout_at"))
}

/// Whether calling the asyncio function or class at `path` makes a new event loop:
/// `asyncio.run`, `asyncio.Runner`, `asyncio.new_event_loop`.
pub fn makes_new_loop(path: &str) -> bool {
    matches!(split(path), ("asyncio", "run" | "Runner" | "new_event_loop"))
}

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
        // `concurrent.futures.as_completed(fs)` yields the Futures of `fs` as they finish.
        "concurrent" if last == "as_completed" => ExternalCall::CopyContainer { first: 0 },
        // Task groups for Pythons before 3.11: the `taskgroup` backport and `aiotools`.
        "taskgroup" | "aiotools" if is_backported_task_group(last) => ExternalCall::Instance,
        // Threads' locks are followed for what enters them (`async with` cannot, TL015).
        "threading" if is_thread_lock(last) => ExternalCall::Instance,
        // Exit stacks are followed for the context managers they enter.
        "contextlib" if matches!(last, "ExitStack" | "AsyncExitStack") => ExternalCall::Instance,
        // Files are followed for what enters or iterates them (`async with` cannot, TL015).
        "builtins" | "io" if last == "open" && path.matches('.').count() == 1 => ExternalCall::Instance,
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
        ("builtins" | "io", "open") => Some((true, false)),
        _ => None,
    }
}

/// What an instance of the outside class at `path` supports of `for` and `async for`:
/// `(for, async for)`, when known. A file gives its lines to `for` only.
pub fn outside_iterable(path: &str) -> Option<(bool, bool)> {
    match split(path) {
        ("builtins" | "io", "open") => Some((true, false)),
        _ => None,
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
            | "async_timeout"
    ) && path.matches('.').count() < 4
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
