//! What outside names mean as types: in annotations, in `isinstance` tests, and the
//! builtins a bare name may resolve to.

use super::{is_thread_queue, split};

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
