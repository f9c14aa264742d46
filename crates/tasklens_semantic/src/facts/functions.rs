//! What a module says of its functions: kinds, parameters, what returns hand back, what
//! an `__init__` stores, and what a predicate function or a test on a parameter says.

use ruff_python_ast::name::Name;

use super::{ClassId, ContainerKind, FuncId, GuardTest, NameId, NodeId, Part, SiteId};

/// What a function returns, as far as using it as a decorator goes.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReturnShape {
    /// No `return` with a value seen (yet).
    #[default]
    Unset,
    /// Always its first parameter (`def register(fn): ...; return fn`).
    FirstParam,
    /// Always the same function defined in its body (a wrapper, or a decorator a factory makes).
    Nested(FuncId),
    /// Always what a call of the enclosing function's first parameter gives: a wrapper
    /// (`def wrapper(*args): return func(*args)` in `def deco(func)`) that keeps the result
    /// of the function it wraps. Returns of constants (`return`, `return None`) do not count.
    WrappedCall,
    /// Anything else.
    Other,
}

impl ReturnShape {
    /// The shape after one more `return`.
    pub fn and(self, next: ReturnShape) -> ReturnShape {
        match self {
            ReturnShape::Unset => next,
            _ if next == ReturnShape::Unset => self,
            same if same == next => same,
            _ => ReturnShape::Other,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    Function,
    Method,
    StaticMethod,
    ClassMethod,
    Property,
    Lambda,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FunctionFacts {
    pub name: Name,
    pub is_async: bool,
    pub is_generator: bool,
    pub kind: FunctionKind,
    /// The class whose body defines this function directly.
    pub class: Option<ClassId>,
    pub params: Vec<Param>,
    /// The node that collects every returned value.
    pub ret: NodeId,
    /// Parameters that some `return` hands back unchanged, whole or one step into them
    /// (`return job`, `return holder.task`, `return jobs[0]`): a call gives back what that
    /// call passed, not what every call passed.
    pub passed_through: Vec<PassedThrough>,
    /// The node that collects the other returned values (`ret` itself when nothing is
    /// passed through).
    pub own_ret: NodeId,
    /// The node that collects every yielded value (generators).
    pub yields: NodeId,
    /// Decorated by something that may wrap the function: calls may see other
    /// results and pass other arguments.
    pub opaque: bool,
    /// For an opaque function, the nodes of its decorators of unknown kinds, outermost
    /// first (the function `d` of `@d`, or the result of `@d(...)`); empty when one of them
    /// is not a value the analysis follows.
    pub decorated: Vec<NodeId>,
    /// What the function returns, for judging it as a decorator.
    pub returns: ReturnShape,
    /// Some `return` gives a literal other than None (`return 1`, `return "done"`), which
    /// [`ReturnShape`] leaves out.
    pub returns_literal: bool,
    /// A call of it can end normally: it has a `return`, or the end of its body is
    /// reachable (not a body that always raises).
    pub completes: bool,
    /// The body does nothing: only a docstring, `pass` or `...` (a hook for subclasses to
    /// fill in, or a stub).
    pub stub: bool,
    /// The body mentions cancellation (`.cancelled`, `CancelledError`, `BaseException`, a
    /// bare `except:`): a coroutine that may catch its own cancellation and end normally, a
    /// done-callback that asks whether its Task was cancelled (TL023).
    pub mentions_cancellation: bool,
    /// In an `__init__`: `self.attr = param` stores of a parameter as given. Each
    /// construction stores its own argument for its own class (a subclass constructed with
    /// a Task does not see the Futures another subclass was constructed with).
    pub init_stores: Vec<InitStore>,
    /// Decorated `@fixture` or `@x.fixture(...)`: perhaps a pytest fixture (the flow layer
    /// resolves the decorator).
    pub fixture: Option<FixtureDecl>,
    /// A function that tests its first argument (after `self` or `cls`): what holds of
    /// the argument where a call of it is true, and where it is false.
    pub predicate: Option<Box<Predicate>>,
}

/// What a predicate function says of its first argument (`def is_task(x): return
/// isinstance(x, Task)`, `-> TypeGuard[Task]`, `-> TypeIs[Task]`): the tests that hold
/// where its call is true, and those that hold where it is false. Never a
/// [`GuardTest::Predicate`] itself.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Predicate {
    pub when_true: Vec<GuardTest>,
    pub when_false: Vec<GuardTest>,
}

/// A decorator that may declare a pytest fixture: its dotted name, and the name tests
/// request the fixture by (`name="..."`, else the function's).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FixtureDecl {
    pub decorator: Vec<Name>,
    pub name: Name,
}

/// `self.attr = param` in an `__init__`: the attribute, the parameter's index, and the
/// `Store` constraint (by index in the module's constraints), which carries only what no
/// construction passes (see the flow layer).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitStore {
    pub attr: NameId,
    pub param: u32,
    pub constraint: u32,
}

/// A parameter handed back by a `return`: the parameter's index and what of it.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PassedThrough {
    pub param: u32,
    pub path: ReturnPath,
}

/// What of a parameter a `return` hands back.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReturnPath {
    Whole,
    /// `return param.attr`.
    Attr(NameId),
    /// `return param[...]`.
    Part(Part),
    /// `return ensure_future(param)`: the call at `site` (module-local), whose result is
    /// `value`. When it is asyncio's, each call of the function gets the Task or Future its
    /// own argument makes.
    EnsureFuture {
        site: SiteId,
        value: NodeId,
    },
    /// `return list(param)` (`tuple`, `set`, `sorted`...) or `return [x for x in param]`: a
    /// new container of `kind` holding what iterating the parameter gives; each call gets one
    /// of its own, holding what its own argument holds.
    Elements(ContainerKind),
    /// `return [ensure_future(x) for x in param]`: a new list of what the call at `site`
    /// (module-local) makes of each element; `value` is the list the function makes itself
    /// (what a call gets when that call is not asyncio's).
    EnsureFutureElements {
        site: SiteId,
        value: NodeId,
    },
    /// `return param.get(key)` (or `pop`, `setdefault`): the call at `site` (module-local),
    /// whose result is `value`. On a container, each call of the function reads its own
    /// argument; on anything else, it gets `value`.
    Read {
        site: SiteId,
        method: ReadMethod,
        value: NodeId,
    },
    /// `return self.name(...)` in a method, whose call's result is `value`. Called on an
    /// instance, each call of the method gets what that instance's own `name` returns
    /// (`Base.get` returning `self.make()` gives a subclass's `make` for that subclass, not
    /// every subclass's); on anything else, it gets `value`.
    Method {
        name: NameId,
        value: NodeId,
    },
}

/// A method that reads a container's value ([`ReturnPath::Read`]).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadMethod {
    Get,
    Pop,
    SetDefault,
}

impl ReadMethod {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "get" => Some(ReadMethod::Get),
            "pop" => Some(ReadMethod::Pop),
            "setdefault" => Some(ReadMethod::SetDefault),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReadMethod::Get => "get",
            ReadMethod::Pop => "pop",
            ReadMethod::SetDefault => "setdefault",
        }
    }
}

impl FunctionFacts {
    /// Whether a `return` hands back parameter `index` whole.
    pub fn passes_through(&self, index: u32) -> bool {
        self.passed_through.contains(&PassedThrough { param: index, path: ReturnPath::Whole })
    }

    /// A call of it gives a coroutine: an `async def` that does not yield.
    pub fn makes_coroutine(&self) -> bool {
        self.is_async && !self.is_generator
    }

    /// A call of it runs its body at once: neither an `async def` nor a generator.
    pub fn runs_when_called(&self) -> bool {
        !self.is_async && !self.is_generator
    }
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    Positional,
    VarArgs,
    KeywordOnly,
    KwArgs,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: Name,
    pub node: NodeId,
    pub kind: ParamKind,
    /// It has a default value.
    pub has_default: bool,
    /// Its default is `None` (`loop=None`).
    pub none_default: bool,
    /// Whether its default is a constant that is true (`True`, `1`, `"x"`) or false
    /// (`False`, `None`, `0`, `""`); `None` without a constant default.
    pub default_truth: Option<bool>,
}

/// What a test on a parameter says where a call runs: the call comes after `if p:
/// return` (the parameter is false there), in `if p is None:`...
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamGate {
    /// Index into the function's parameters.
    pub param: u32,
    pub holds: GateTest,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateTest {
    Truthy,
    Falsy,
    IsNone,
    NotNone,
}

impl GateTest {
    /// Whether the test holds for a parameter left to its default; `None` when the
    /// default is not a constant.
    pub fn holds_for_default(self, param: &Param) -> Option<bool> {
        let truth = param.default_truth?;
        Some(match self {
            GateTest::Truthy => truth,
            GateTest::Falsy => !truth,
            GateTest::IsNone => param.none_default,
            GateTest::NotNone => !param.none_default,
        })
    }
}
