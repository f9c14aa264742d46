//! Calls that hand a function over to be called later as a plain function: by the event
//! loop, by another thread, or by plain code's handlers (signals, exit, finalizers).

use super::split;

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

/// How a builtin calls the function it is given on each element, and uses what it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementCallback {
    /// `filter(f, xs)`: tests it for its truth, which a coroutine always has.
    Tests,
    /// The `key=` of `sorted`, `min` and `max` (and a list's `sort`): compares it, which
    /// coroutines cannot be.
    Orders,
}

/// The builtin at `path`, when it calls a function it is given on each element.
pub fn element_callback(path: &str) -> Option<ElementCallback> {
    match path {
        "builtins.filter" => Some(ElementCallback::Tests),
        "builtins.sorted" | "builtins.min" | "builtins.max" => Some(ElementCallback::Orders),
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
