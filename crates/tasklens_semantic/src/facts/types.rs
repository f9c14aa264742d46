//! What the code says of types: annotations and where they sit, Task-only method calls,
//! and the tests that narrow a value in a guarded branch.

use ruff_python_ast::name::Name;

use super::{ClassId, FuncId, NodeId};

/// An annotation, reduced to what decides Task, Future, loop and class types.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// A dotted name such as `asyncio.Task`.
    Name(Vec<Name>),
    /// `base[args]`.
    Generic(Vec<Name>, Vec<TypeExpr>),
    /// `A | B`, `Union[A, B]`, `Optional[A]` (with `None`).
    Union(Vec<TypeExpr>),
    None,
    /// Anything else (literals, calls...).
    Other,
}

/// Where an annotation sits, which decides what it means.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A parameter (the node is the parameter's).
    Param { func: FuncId, index: u32 },
    /// The return annotation (the node is the function's return node).
    Return { func: FuncId },
    /// `x: T = value` (the node is the assigned version).
    Variable,
    /// `attr: T` in a class body, or `self.attr: T = ...` in a method.
    Attribute { class: ClassId, attr: Name },
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AnnotatedPlace {
    pub place: Place,
    pub node: Option<NodeId>,
    pub annotation: TypeExpr,
}

/// `fut.result()` or `fut.exception()` on a parameter of a function that never asks whether
/// it was cancelled (no `.cancelled()`, no `CancelledError`, no `BaseException` or bare
/// `except:` in its body): as a done-callback, a cancelled Task makes either raise
/// `CancelledError` (TL023).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UncheckedOutcome {
    pub func: FuncId,
    /// The parameter's index among the function's parameters.
    pub param: u32,
    pub method: Name,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TaskMethodCall {
    pub receiver: NodeId,
    pub method: Name,
    /// The call runs only on this Python or newer (a version guard).
    pub from_version: Option<tasklens_db::PythonVersion>,
    /// Under an `if` or a conditional expression (which may test what the Task can do).
    pub under_test: bool,
    /// A call that passes arguments (`task.cancel("stopping")`), where no handler takes
    /// the TypeError an older Python raises for them.
    pub arguments: bool,
    /// Called, not only read (`task.set_result(v)`, not `cb = task.set_result`).
    pub called: bool,
    /// In a block that handles `RuntimeError` (a `try`, `pytest.raises`, `assertRaises`).
    pub runtime_error_handled: bool,
    /// The function whose body makes the call (`None`: module level, a class body).
    pub function: Option<crate::facts::FuncId>,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub from: NodeId,
    pub to: NodeId,
    pub test: GuardTest,
    /// The function whose body makes the test.
    pub function: Option<FuncId>,
}

/// What holds in a guarded branch.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum GuardTest {
    /// `isinstance(x, T)` holds: plain Futures stop when `T` only admits Tasks.
    Is(Vec<TypeExpr>),
    /// `isinstance(x, T)` does not hold: plain Futures stop when `T` admits them.
    IsNot(Vec<TypeExpr>),
    /// `x` is not a plain Future: `hasattr(x, "get_name")`, `not isfuture(x)`.
    NotFuture,
    /// `x` is a coroutine: `asyncio.iscoroutine(x)`, `inspect.iscoroutine(x)`.
    Coroutine,
    /// `x` is no coroutine: where `iscoroutine(x)` is false.
    NotCoroutine,
    /// `x` can be awaited: `inspect.isawaitable(x)`.
    Awaitable,
    /// `x` cannot be awaited: where `inspect.isawaitable(x)` is false (no Future, Task or
    /// coroutine).
    NotAwaitable,
    /// `x` is no `async def` function: where `iscoroutinefunction(x)` is false.
    NotCoroutineFunction,
    /// `x` is an `async def` function: `inspect.iscoroutinefunction(x)` (or asyncio's).
    CoroutineFunction,
    /// One of the alternatives holds, each being all of its tests: `A or B` when true,
    /// `A and B` when false (`not isinstance(x, Future) or isinstance(x, Task)`).
    AnyOf(Vec<Vec<GuardTest>>),
    /// `f(x)` comes out `holds`: `x` is what `f`'s [`Predicate`] says, when `f` resolves
    /// to one of the project's (linking resolves it; anything else narrows nothing).
    Predicate { callee: PredicateCallee, holds: bool },
}

/// The function a predicate call names.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PredicateCallee {
    /// A dotted name: `is_task`, `checks.is_task`.
    Dotted(Vec<Name>),
    /// `self.name` (or `cls.name`) in a method of `class`.
    Method { class: ClassId, name: Name },
}
