//! The per-module facts: a small, comparable summary of one module that the
//! cross-module flow graph is built from.
//!
//! Node, function, class and call-site ids are local to the module; the flow
//! layer offsets them into project-wide ids. Values are not typed here: the
//! constraints say how values move, and the flow layer solves them.

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;

/// Methods a Task has and a plain Future lacks (CPython 3.9 to 3.13).
pub const TASK_ONLY_METHODS: &[&str] =
    &["get_name", "set_name", "get_coro", "get_stack", "print_stack", "get_context", "cancelling", "uncancel"];

/// A value slot in the module (a variable version, an expression result, a parameter...).
pub type NodeId = u32;
/// An index into [`ModuleFacts::functions`].
pub type FuncId = u32;
/// An index into [`ModuleFacts::classes`].
pub type ClassId = u32;
/// An index into [`ModuleFacts::call_sites`].
pub type SiteId = u32;
/// An index into [`ModuleFacts::hops`].
pub type HopId = u32;
/// An index into [`ModuleFacts::names`].
pub type NameId = u32;

/// Everything the flow analysis needs to know about one module. It holds no positions
/// (they are in [`crate::Positions`], index for index), so an edit that only moves code
/// leaves it equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleFacts {
    /// The code spells an asyncio name (see `spelling.rs`): a project where no module
    /// does can have no finding, and is not solved.
    pub spells_asyncio: bool,
    pub node_count: u32,
    /// The names that constraints and hops refer to by [`NameId`].
    pub names: Vec<Name>,
    pub functions: Vec<FunctionFacts>,
    pub classes: Vec<ClassFacts>,
    /// Module-level bindings, sorted by name.
    pub globals: Vec<(Name, Binding)>,
    /// Module-level names bound only by imports, by more than one (`try: from asyncio
    /// import Task` / `except ImportError: from asyncio.tasks import Task`, or the branches
    /// of a version test), sorted by name: as a type, the name is any of them.
    pub import_alternatives: Vec<(Name, Vec<ImportTarget>)>,
    /// `from m import *`, in source order.
    pub star_imports: Vec<ImportTarget>,
    /// The names listed in `__all__`, when it is a literal list or tuple.
    pub dunder_all: Option<Vec<Name>>,
    pub constraints: Vec<Constraint>,
    pub call_sites: Vec<CallSite>,
    pub hops: Vec<Hop>,
    /// Places whose annotation may make them a sink or a source.
    pub annotated: Vec<AnnotatedPlace>,
    /// Calls of Task-only methods: `receiver.get_name()` and friends.
    pub task_method_calls: Vec<TaskMethodCall>,
    /// Guards `isinstance(x, T)`: the guarded node is `to`.
    pub guards: Vec<Guard>,
    /// Nodes that collect every value of a variable read from elsewhere (globals, closures).
    pub summaries: Vec<NodeId>,
    /// Calls that look like `cast(T, value)`, with `T` as an annotation (TL007).
    pub casts: Vec<(SiteId, TypeExpr)>,
    /// Module-level type aliases (`TaskMap = dict[str, Task]`, `type TaskMap = ...`), sorted
    /// by name.
    pub type_aliases: Vec<(Name, TypeExpr)>,
    /// Constant dict keys, referred to by [`Part::Key`] and `key_args`.
    pub keys: Vec<DictKey>,
    /// Calls `d.get(K)`, `d.pop(K)`, `d.setdefault(K, v)`, `d.__getitem__(K)` with a
    /// constant key: the site and the key, by site.
    pub key_args: Vec<(SiteId, KeyId)>,
    /// Calls `getattr(x, "name", ...)` and `setattr(x, "name", v)` with a string literal
    /// for the name: the site and the name, by site.
    pub attr_args: Vec<(SiteId, NameId)>,
    /// Spread arguments `f(*xs)` and `f(**kw)`: the site, the spread value's node, and
    /// whether it is a `**` spread; by site.
    pub spread_args: Vec<(SiteId, NodeId, bool)>,
    /// Attribute names assigned `None` (or another literal), or a parameter that defaults to
    /// `None`, anywhere in the module (`self._loop = loop` in `__init__(self, loop=None)`);
    /// sorted, without repeats.
    pub none_attrs: Vec<Name>,
    /// Module-level calls in the body of `if __name__ == "__main__":` (they run when the
    /// file runs as a script); sorted.
    pub script_sites: Vec<SiteId>,
    /// Versions of names a test reads and nothing else (`if task:`, `assert task`, `task is
    /// None`): mentioning a Task there keeps it no longer than its function's frame.
    pub tested_names: Vec<NodeId>,
    /// Attribute reads (their `Load` targets) after an unconditional `if self.x is None:
    /// self.x = ...` in the same function: not `None` whatever `none_attrs` says; sorted.
    pub set_attribute_reads: Vec<NodeId>,
    /// Calls in a `try` body that catches `TypeError` (or under `suppress(TypeError)`): a
    /// `loop=` or a non-coroutine given to `create_task` there is compatibility code; by site.
    pub type_error_handled: Vec<SiteId>,
    /// Calls that run only on Pythons older than a version (under `if sys.version_info <
    /// (3, 10):` or the `else` of `>=`, also in functions defined there); by site.
    pub version_bounded: Vec<(SiteId, tasklens_db::PythonVersion)>,
    /// Calls of builtins that call a function with elements (`map(f, xs...)`, `filter(f,
    /// xs)`, `sorted(xs, key=f)`...): the site, the node of `f`, and the callee and result
    /// nodes of the call of `f` laid out for the elements (linked when the callee is the
    /// builtin); by site.
    pub map_calls: Vec<(SiteId, NodeId, NodeId, NodeId)>,
    /// Module-level names bound once to a string literal, with the string.
    pub string_constants: Vec<(Name, Name)>,
}

/// A suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The directive's range within the comment.
    pub range: TextRange,
    /// The codes it names; empty for a bare `# tasklens: ignore` or `# noqa`.
    pub codes: Vec<Name>,
    pub scope: SuppressionScope,
}

/// Where a suppression comment applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionScope {
    /// Its own line: a trailing `# tasklens: ignore`, `# noqa`, `# ruff: ignore[...]`.
    Line,
    /// The line after it: `# tasklens: ignore[...]` or `# ruff: ignore[...]` on a line of
    /// its own.
    NextLine,
    /// The whole file: `# tasklens: file-ignore[...]`, `# ruff: file-ignore[...]`,
    /// `# ruff: noqa: RUF006`.
    File,
    /// From its line to the matching `Enable` (or the end of the file): `# ruff:
    /// disable[...]`.
    Disable,
    /// Ends a `Disable` of the same codes: `# ruff: enable[...]`.
    Enable,
}

impl ModuleFacts {
    pub fn name(&self, id: NameId) -> &Name {
        &self.names[id as usize]
    }

    /// A module-level type alias by name.
    pub fn type_alias(&self, name: &str) -> Option<&TypeExpr> {
        let at = self.type_aliases.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok()?;
        Some(&self.type_aliases[at].1)
    }

    /// The imports that may bind a module-level name, when only imports bind it and more
    /// than one does.
    pub fn import_alternatives(&self, name: &str) -> Option<&[ImportTarget]> {
        let found = self.import_alternatives.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok()?;
        Some(&self.import_alternatives[found].1)
    }

    /// Looks up a module-level binding by name.
    pub fn global(&self, name: &str) -> Option<&Binding> {
        self.globals.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok().map(|i| &self.globals[i].1)
    }
}

/// What a module-level name is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    Function(FuncId),
    Class(ClassId),
    /// A variable: the node that collects every value ever assigned to it.
    Variable(NodeId),
    Import(ImportTarget),
}

/// The target of an import statement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportTarget {
    /// Number of leading dots of a relative import.
    pub level: u32,
    /// The dotted module path (empty for `from . import x`).
    pub module: Name,
    /// The imported name for `from m import name`; `None` for `import m`.
    pub name: Option<Name>,
}

/// What a function returns, as far as using it as a decorator goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    Function,
    Method,
    StaticMethod,
    ClassMethod,
    Property,
    Lambda,
}

#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predicate {
    pub when_true: Vec<GuardTest>,
    pub when_false: Vec<GuardTest>,
}

/// A decorator that may declare a pytest fixture: its dotted name, and the name tests
/// request the fixture by (`name="..."`, else the function's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureDecl {
    pub decorator: Vec<Name>,
    pub name: Name,
}

/// `self.attr = param` in an `__init__`: the attribute, the parameter's index, and the
/// `Store` constraint (by index in the module's constraints), which carries only what no
/// construction passes (see the flow layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitStore {
    pub attr: NameId,
    pub param: u32,
    pub constraint: u32,
}

/// A parameter handed back by a `return`: the parameter's index and what of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PassedThrough {
    pub param: u32,
    pub path: ReturnPath,
}

/// What of a parameter a `return` hands back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    Positional,
    VarArgs,
    KeywordOnly,
    KwArgs,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: Name,
    pub node: NodeId,
    pub kind: ParamKind,
    /// Its default is `None` (`loop=None`).
    pub none_default: bool,
    /// Whether its default is a constant that is true (`True`, `1`, `"x"`) or false
    /// (`False`, `None`, `0`, `""`); `None` without a constant default.
    pub default_truth: Option<bool>,
}

/// What a test on a parameter says where a call runs: the call comes after `if p:
/// return` (the parameter is false there), in `if p is None:`...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamGate {
    /// Index into the function's parameters.
    pub param: u32,
    pub holds: GateTest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassFacts {
    pub name: Name,
    /// Base class expressions, as dotted names.
    pub bases: Vec<TypeExpr>,
    /// Type parameters declared with the class (`class Box[T]:`), in order.
    pub type_params: Vec<Name>,
    /// Methods defined in the body, sorted by name.
    pub methods: Vec<(Name, FuncId)>,
    /// Property setters (`@name.setter`) defined in the body, sorted by name.
    pub setters: Vec<(Name, FuncId)>,
    /// Attribute names assigned or declared on the class or its instances, sorted.
    pub attributes: Vec<Name>,
    /// Annotated class-body names in order: the fields of a dataclass-like class.
    pub fields: Vec<Name>,
    /// Decorated as a dataclass (or attrs class): the constructor takes the fields.
    pub dataclass: bool,
    /// Instances are tuples of the fields (`NamedTuple`, `namedtuple`): indexing,
    /// unpacking and iteration read them.
    pub tuple_fields: bool,
    /// Fields declared with a factory (`x: T = field(default_factory=f)`, attrs'
    /// `factory=f`) and the node of `f`: a construction that does not pass the field calls
    /// `f` there.
    pub field_factories: Vec<(Name, NodeId)>,
}

impl ClassFacts {
    pub fn method(&self, name: &str) -> Option<FuncId> {
        self.methods.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok().map(|i| self.methods[i].1)
    }

    pub fn setter(&self, name: &str) -> Option<FuncId> {
        self.setters.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok().map(|i| self.setters[i].1)
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.binary_search_by(|n| n.as_str().cmp(name)).is_ok()
    }
}

/// An annotation, reduced to what decides Task, Future, loop and class types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

/// How a value reaches a slot of a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// List, set and tuple elements; dict values.
    Values,
    /// Dict keys.
    Keys,
    /// What iteration yields: keys of a dict, elements of anything else.
    Iter,
    /// The element at a position of a tuple (elements of anything else).
    Index(u8),
    /// A dict value stored or read under a constant key. In facts, an index into
    /// [`ModuleFacts::keys`]; the flow layer renumbers keys project-wide.
    Key(KeyId),
    /// Dict values stored under keys that are not constants (made by the flow layer).
    Unkeyed,
    /// The node that stands for the container a `defaultdict` makes for a missing key (made
    /// by the flow layer; an identity, never read as a slot).
    Missing,
    /// What a `case {K: p}` pattern reads: a dict's value under a constant key (or any
    /// value, without one). Nothing else matches a mapping pattern.
    MappingValue(Option<KeyId>),
    /// What a `case [p, ...]` pattern reads at a position: a list's or tuple's element.
    /// Nothing else matches a sequence pattern (not strings, dicts, sets or iterators).
    SequenceItem(u8),
}

/// The id of a constant dict key, in 24 bits so that a [`Part`] stays four bytes (facts
/// and constraints hold millions of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyId([u8; 3]);

impl KeyId {
    /// `None` past 2^24 keys.
    pub fn new(id: u32) -> Option<KeyId> {
        let [a, b, c, high] = id.to_le_bytes();
        (high == 0).then_some(KeyId([a, b, c]))
    }

    pub fn get(self) -> u32 {
        let [a, b, c] = self.0;
        u32::from_le_bytes([a, b, c, 0])
    }
}

/// A dict key whose value is known without running the code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DictKey {
    /// A string literal.
    Str(Name),
    /// A module-level name (a constant defined or imported at module level).
    Global(Name),
}

/// Tuple positions tracked separately; later ones only as plain elements.
pub const MAX_TUPLE_INDEX: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    List,
    Tuple,
    Set,
    Dict,
    /// A generator expression or other iterator.
    Iterator,
    /// An `asyncio.Queue` (or `LifoQueue`, `PriorityQueue`): `put` and `get` are coroutines.
    Queue,
    /// A `queue.Queue` (or `LifoQueue`, `PriorityQueue`, `SimpleQueue`), for threads: `put`
    /// stores an item and `get` gives one back, both plain calls.
    ThreadQueue,
    /// A `weakref.WeakSet`: it holds its elements without keeping them alive.
    WeakSet,
    /// A `contextvars.ContextVar`: `set(value)` stores its value, `get()` gives it back.
    ContextVar,
    /// A `weakref.ref(x)`: calling it gives `x` back, which it does not keep alive.
    WeakRef,
    /// A `weakref.WeakValueDictionary`: a dict that holds its values without keeping them
    /// alive.
    WeakValueDict,
}

impl ContainerKind {
    /// A mapping: read by key, iterated over its keys.
    pub fn is_dict(self) -> bool {
        matches!(self, ContainerKind::Dict | ContainerKind::WeakValueDict)
    }

    /// Holds what it is given without keeping it alive.
    pub fn is_weak(self) -> bool {
        matches!(self, ContainerKind::WeakSet | ContainerKind::WeakValueDict | ContainerKind::WeakRef)
    }
}

/// Something the flow layer places into a node before solving.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seed {
    /// A value the analysis cannot follow (a literal, an operator result...).
    Unknown,
    Function(FuncId),
    Class(ClassId),
    /// An instance of the class and of every subclass (`self`).
    SelfOf(ClassId),
    /// The class and every subclass (`cls`).
    ClsOf(ClassId),
    /// A new container, identified by the node that holds it.
    Container(ContainerKind),
}

/// How values move between nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constraint {
    Copy {
        from: NodeId,
        to: NodeId,
        hop: Option<HopId>,
    },
    Seed {
        node: NodeId,
        seed: Seed,
    },
    /// The module-level binding `name`, resolved by the flow layer.
    Global {
        name: NameId,
        to: NodeId,
    },
    /// An import evaluated in a function body or elsewhere.
    Import {
        target: Box<ImportTarget>,
        to: NodeId,
    },
    Load {
        base: NodeId,
        attr: NameId,
        to: NodeId,
        hop: Option<HopId>,
    },
    Store {
        base: NodeId,
        attr: NameId,
        from: NodeId,
        hop: Option<HopId>,
    },
    /// A class-body assignment `attr = value`.
    ClassStore {
        class: ClassId,
        attr: NameId,
        from: NodeId,
        hop: Option<HopId>,
    },
    LoadPart {
        base: NodeId,
        part: Part,
        to: NodeId,
        hop: Option<HopId>,
    },
    StorePart {
        base: NodeId,
        part: Part,
        from: NodeId,
        hop: Option<HopId>,
    },
    Call {
        site: SiteId,
        callee: NodeId,
        result: NodeId,
    },
    MethodCall {
        site: SiteId,
        receiver: NodeId,
        name: NameId,
        result: NodeId,
    },
    /// `super().name(...)` inside a method of `class`.
    SuperCall {
        site: SiteId,
        class: ClassId,
        name: NameId,
        result: NodeId,
    },
    Await {
        value: NodeId,
        to: NodeId,
    },
    /// `with value as to` / `async with`.
    Enter {
        value: NodeId,
        to: NodeId,
    },
    /// `receiver.name` read at import time (module level, class bodies): a property's
    /// getter runs there, recorded as a call at `site`.
    PropertyRead {
        site: SiteId,
        receiver: NodeId,
        name: NameId,
    },
    /// A method the language calls on the receiver without a call in the source: `with`
    /// runs `__enter__` and `__exit__`, `for` runs `__iter__`; recorded as a call at `site`.
    ImplicitCall {
        site: SiteId,
        receiver: NodeId,
        name: NameId,
    },
    /// `operand + other` (or `*`, `|`, `-`...): `to` holds a new container of `kind`, made at
    /// `to`, once `operand` holds something that may be a container. Most such expressions
    /// add strings or numbers, and a container made for each of them would carry their
    /// elements wherever strings go.
    Concat {
        operand: NodeId,
        to: NodeId,
        kind: ContainerKind,
    },
}

/// One call in the source, shared by the constraints that dispatch it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    pub args: Vec<Arg>,
    pub keywords: Vec<Keyword>,
    /// Has `*args` or `**kwargs` spread arguments.
    pub has_spread: bool,
    /// The call is lexically inside an `async def`.
    pub in_coroutine: bool,
    /// The function whose body holds the call; `None` at module level and in class bodies
    /// (code that runs when the module is imported).
    pub caller: Option<FuncId>,
    /// Inside a branch, loop, `try` or conditional expression of its function: it may not run.
    pub conditional: bool,
    /// Under a test, or where a failure is handled: in an `if` (other than
    /// `if __name__ == "__main__":`), a conditional expression or a `case`, or in a `try`
    /// body with a handler that catches `RuntimeError`. At module level such a call may not
    /// run, or may not fail.
    pub guarded: bool,
    /// Its function suspends after it (an `await`, `async for`, `async with` or `yield`
    /// later in the body, or a call that runs the loop in the same frame:
    /// `loop.run_until_complete(...)`, `loop.run_forever()`, `asyncio.run(...)`, aiohttp's
    /// `web.run_app(...)`, `reactor.run()`): names the
    /// function holds may outlive what the call starts.
    pub suspends_after: bool,
    /// Tests on its function's parameters that hold where it runs (after `if p: return`),
    /// from `if` statements of the function's own body.
    pub param_gates: Box<[ParamGate]>,
    /// A later call in its function runs the event loop in the same frame
    /// (`loop.run_forever()`, `loop.run_until_complete(...)`, `asyncio.run(...)`).
    pub runs_loop_after: bool,
    /// A method call on the `self` of an enclosing method, from a function nested in it
    /// (`lambda: self.fired()`): that method.
    pub captured_self: Option<FuncId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub node: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyword {
    pub name: Name,
    pub node: Option<NodeId>,
}

/// A step of a flow, shown in traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    pub kind: HopKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HopKind {
    Assign(NameId),
    Return(NameId),
    Yield(NameId),
    AttrStore(NameId),
    AttrLoad(NameId),
    ContainerStore,
    ContainerLoad,
}

/// Where an annotation sits, which decides what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotatedPlace {
    pub place: Place,
    pub node: Option<NodeId>,
    pub annotation: TypeExpr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskMethodCall {
    pub receiver: NodeId,
    pub method: Name,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub from: NodeId,
    pub to: NodeId,
    pub test: GuardTest,
}

/// What holds in a guarded branch.
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PredicateCallee {
    /// A dotted name: `is_task`, `checks.is_task`.
    Dotted(Vec<Name>),
    /// `self.name` (or `cls.name`) in a method of `class`.
    Method { class: ClassId, name: Name },
}
