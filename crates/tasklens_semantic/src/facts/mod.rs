//! The per-module facts: a small, comparable summary of one module that the
//! cross-module flow graph is built from.
//!
//! Node, function, class and call-site ids are local to the module; the flow
//! layer offsets them into project-wide ids. Values are not typed here: the
//! constraints say how values move, and the flow layer solves them.
//!
//! Here: the module's summary, its ids, module-level bindings and imports, classes and
//! suppression comments; `functions.rs` what it says of functions, `flow.rs` how values
//! move (constraints, containers, call sites, hops), `types.rs` annotations, Task-only
//! method calls and the tests that narrow.

mod flow;
mod functions;
mod types;

pub use flow::*;
pub use functions::*;
pub use types::*;

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;

/// Methods a Task has and a plain Future lacks (CPython 3.9 to 3.13).
pub const TASK_ONLY_METHODS: &[&str] =
    &["get_name", "set_name", "get_coro", "get_stack", "print_stack", "get_context", "cancelling", "uncancel"];

/// Methods every Future and Task has and a coroutine lacks (a coroutine has `close`, `send`
/// and `throw`, which Futures lack).
pub const FUTURE_METHODS: &[&str] = &[
    "cancel",
    "cancelled",
    "done",
    "result",
    "exception",
    "add_done_callback",
    "remove_done_callback",
    "get_loop",
    "set_result",
    "set_exception",
];

/// Whether a coroutine lacks the method `name` that a Task has.
pub fn task_method(name: &str) -> bool {
    TASK_ONLY_METHODS.contains(&name) || FUTURE_METHODS.contains(&name)
}

/// A value slot in the module (a variable version, an expression result, a parameter...).
pub type NodeId = u32;
/// An index into [`ModuleFacts::functions`].
pub type FuncId = u32;
/// An index into [`ModuleFacts::classes`].
pub type ClassId = u32;
/// `self.attr` read in a method: the method's class and the attribute's name.
pub type SelfAttribute = (ClassId, Name);
/// An index into [`ModuleFacts::call_sites`].
pub type SiteId = u32;
/// An index into [`ModuleFacts::hops`].
pub type HopId = u32;
/// An index into [`ModuleFacts::names`].
pub type NameId = u32;

/// Everything the flow analysis needs to know about one module. It holds no positions
/// (they are in [`crate::Positions`], index for index), so an edit that only moves code
/// leaves it equal.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleFacts {
    /// The code spells an asyncio name or the keyword `async` (see `spelling.rs`): a
    /// project where no module does can have no finding, and is not solved.
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
    /// Calls (and reads) of Task methods a coroutine lacks: the Task-only ones
    /// (`receiver.get_name()`), sinks for plain Futures, and those of every Future
    /// (`receiver.cancel()`), sinks for coroutines.
    pub task_method_calls: Vec<TaskMethodCall>,
    /// Outcomes read from a parameter without a test for cancellation (TL023).
    pub unchecked_outcomes: Vec<UncheckedOutcome>,
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
    /// What each test of an `if`, `elif`, `while`, `assert`, conditional expression,
    /// comprehension filter or `not` evaluates for its truth (a coroutine is always true).
    pub truth_tests: Vec<NodeId>,
    /// Values used as what they hold where a coroutine fails or never equals (TL019): an
    /// operand, an unpacked value, the argument of a builtin that iterates or measures it;
    /// their ranges are `Positions::value_uses`.
    pub value_uses: Vec<(NodeId, ValueUse)>,
    /// Awaited calls (`await f(...)`) in `try` bodies (and `suppress(...)`, `pytest.raises(...)`
    /// blocks) that catch the builtin `TimeoutError` and not asyncio's, or where nothing in
    /// their function catches asyncio's, and `x.result(timeout)` / `x.exception(timeout)`
    /// calls in the first kind (TL021): asyncio's and `concurrent.futures`' are other classes
    /// before 3.11.
    pub timeout_awaits: Vec<TimeoutAwait>,
    /// The module star-imports names, and its handlers' `TimeoutError` was taken as the
    /// builtin: the flow layer checks that no star import binds that name.
    pub timeout_error_starred: bool,
    /// Attribute reads (their `Load` targets) after an unconditional `if self.x is None:
    /// self.x = ...` in the same function: not `None` whatever `none_attrs` says; sorted.
    pub set_attribute_reads: Vec<NodeId>,
    /// Calls in a `try` body that catches `TypeError` (or under `suppress(TypeError)`): a
    /// `loop=` or a non-coroutine given to `create_task` there is compatibility code; by site.
    pub type_error_handled: Vec<SiteId>,
    /// Calls in the body of an `except TypeError:` handler (named, alone or in a tuple):
    /// they run only where the `try` body raised `TypeError`, as a fallback of
    /// compatibility code does (`try: gather(*c) except TypeError: gather(*c, loop=loop)`);
    /// by site.
    pub type_error_fallbacks: Vec<SiteId>,
    /// Calls in the body of a test's `with pytest.raises(RuntimeError)` or
    /// `self.assertRaises(RuntimeError)`: the body is meant to fail the way `create_task`
    /// does without a usable loop, so a Task made there is not expected to exist; by site.
    pub failure_expected: Vec<SiteId>,
    /// Calls of a name a test replaces around them (`with patch("app.api.fetch"):`,
    /// `@patch.object(Client, "fetch")` on the test): what runs is a mock, whatever the
    /// name resolves to; by site.
    pub patched_calls: Vec<SiteId>,
    /// Calls under an `if` that switches on a kind test (`if iscoroutinefunction(self.fn):`)
    /// or a constant: the branches give values of different kinds on purpose, which a
    /// context-insensitive analysis merges; by site.
    pub kind_switched_calls: Vec<SiteId>,
    /// Calls in a `try` with an `except ValueError` (by that name), under
    /// `suppress(ValueError)`, or in a test's `pytest.raises(ValueError)` block: what
    /// `asyncio.run` raises for a non-coroutine is expected there; by site.
    pub value_error_handled: Vec<SiteId>,
    /// The values of expression statements that are calls (`close()` on a line of its
    /// own): what the call gives is thrown away; sorted.
    pub discarded: Vec<NodeId>,
    /// The values of expression statements that are `await`s (`await wrapper()` on a line
    /// of its own): what awaiting gives is thrown away; their ranges are
    /// `Positions::discarded_awaits`.
    pub discarded_awaits: Vec<NodeId>,
    /// The values of the names a `del` statement deletes (`del coro`: thrown away on
    /// purpose, as a test of the never-awaited warning does).
    pub deleted_names: Vec<NodeId>,
    /// `await name` and `await obj.attr` (a reference, not a call): the awaited value's node
    /// and the last name written; their ranges are `Positions::awaited_references`.
    pub awaited_references: Vec<(NodeId, Name)>,
    /// `with`, `async with`, `for` and `async for` (in comprehensions too): the node of the
    /// value entered or iterated, which of the four, and the attribute read when the value is
    /// `self.attr` of a method (its class and name); their ranges are
    /// `Positions::protocol_uses`.
    pub protocol_uses: Vec<(NodeId, ProtocolUse, Option<SelfAttribute>)>,
    /// Calls that run only on Pythons older than a version (under `if sys.version_info <
    /// (3, 10):` or the `else` of `>=`, also in functions defined there); by site.
    pub version_bounded: Vec<(SiteId, tasklens_db::PythonVersion)>,
    /// Calls that run only on a version or newer (under `if sys.version_info >= (3, 11):`,
    /// the `else` of `<`, `hasattr(asyncio, "TaskGroup")`, after `if ... < (3, 11): return`);
    /// by site.
    pub version_floor: Vec<(SiteId, tasklens_db::PythonVersion)>,
    /// Calls of names that imports under a version guard, or where `ImportError` is
    /// handled, bind (`if sys.version_info >= (3, 11): import asyncio as async_timeout`):
    /// what they call depends on the Python. By site.
    pub compat_calls: Vec<SiteId>,
    /// `from asyncio import TaskGroup` of a name some Pythons lack, where nothing handles
    /// the `ImportError` and no test guards it: the name, the version that added it, and
    /// the version the import runs from (a version guard). Positions: `newer_imports`.
    pub newer_imports: Vec<(Name, tasklens_db::PythonVersion, Option<tasklens_db::PythonVersion>)>,
    /// Calls through a name such an import binds (the import is the line to change); by site.
    pub calls_through_newer_imports: Vec<SiteId>,
    /// The module calls `uvloop.install()` or `nest_asyncio.apply()`, which set or patch
    /// the event loop policy (in code outside the project).
    pub installs_loop_policy: bool,
    /// Reads of an attribute named like an asyncio name some Pythons lack, other than as
    /// a call's callee (`loop.set_task_factory(asyncio.eager_task_factory)`), where no test
    /// or `AttributeError` handler guards them: the base, the name, the version that added
    /// it, the version the read runs from and the function whose body reads it.
    /// Positions: `newer_attribute_reads`.
    #[allow(clippy::type_complexity)]
    pub newer_attribute_reads:
        Vec<(NodeId, Name, tasklens_db::PythonVersion, Option<tasklens_db::PythonVersion>, Option<FuncId>)>,
    /// Calls of builtins that call a function with elements (`map(f, xs...)`, `filter(f,
    /// xs)`, `sorted(xs, key=f)`...): the site, the node of `f`, and the callee and result
    /// nodes of the call of `f` laid out for the elements (linked when the callee is the
    /// builtin); by site.
    pub map_calls: Vec<(SiteId, NodeId, NodeId, NodeId)>,
    /// Module-level names bound once to a string literal, with the string.
    pub string_constants: Vec<(Name, Name)>,
    /// Every import statement's modules (`import a.b.c` as the whole dotted path, `from m
    /// import x` as `m` and `x`), with the function whose body holds it (`None` at import
    /// time): where a module's own import-time code runs.
    pub imports: Vec<(ImportTarget, Option<FuncId>)>,
}

/// A suppression comment.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The directive's range within the comment.
    pub range: TextRange,
    /// The codes it names; empty for a bare `# tasklens: ignore` or `# noqa`.
    pub codes: Vec<Name>,
    pub scope: SuppressionScope,
}

/// Where a suppression comment applies.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Frees the spare capacity lowering left in the long-lived lists (they live as long
    /// as the database; growth by doubling leaves up to half of each unused).
    pub(crate) fn shrink_to_fit(&mut self) {
        crate::shrink_all!(
            self.names,
            self.functions,
            self.classes,
            self.globals,
            self.constraints,
            self.call_sites,
            self.hops,
            self.annotated,
            self.task_method_calls,
            self.unchecked_outcomes,
            self.guards,
            self.summaries,
            self.keys,
            self.imports,
            self.tested_names,
            self.truth_tests,
            self.value_uses,
            self.timeout_awaits,
            self.set_attribute_reads,
            self.protocol_uses,
        );
        self.functions.iter_mut().for_each(|function| function.params.shrink_to_fit());
        self.call_sites.iter_mut().for_each(|site| crate::shrink_all!(site.args, site.keywords));
    }

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
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    Function(FuncId),
    Class(ClassId),
    /// A variable: the node that collects every value ever assigned to it.
    Variable(NodeId),
    Import(ImportTarget),
}

/// The target of an import statement.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportTarget {
    /// Number of leading dots of a relative import.
    pub level: u32,
    /// The dotted module path (empty for `from . import x`).
    pub module: Name,
    /// The imported name for `from m import name`; `None` for `import m`.
    pub name: Option<Name>,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
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
    /// The attributes among them that methods store on `self` (which an instance then holds
    /// in its own dict, before any method of that name), sorted.
    pub stored: Vec<Name>,
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

    /// Whether a method stores `name` on `self`.
    pub fn stores(&self, name: &str) -> bool {
        self.stored.binary_search_by(|n| n.as_str().cmp(name)).is_ok()
    }
}

/// An awaited call and the handlers around it, as far as asyncio's `TimeoutError` goes
/// (see `ModuleFacts::timeout_awaits`).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeoutAwait {
    pub site: SiteId,
    /// The innermost handler that catches the builtin `TimeoutError` only, inside any that
    /// catches asyncio's: an index into `Positions::timeout_catchers`.
    pub catcher: Option<u32>,
    /// Nothing in the function catches asyncio's `TimeoutError` here (nor might).
    pub escapes: bool,
}

/// How a value is used as what it holds (see `ModuleFacts::value_uses`).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueUse {
    /// An operand of an arithmetic operator (`+`, `-`, `*`, `/`, `//`, `%` on its left,
    /// `**`, `@`, `<<`, `>>`, `&`, `|`, `^`), also augmented (`total += x`).
    Arithmetic(Operator),
    /// An operand of an ordering comparison (`<`, `<=`, `>`, `>=`).
    Ordered(Operator),
    /// What `in` or `not in` searches (`key in value`).
    Searched,
    /// An operand of `==`, `!=`, `is` or `is not`: no error, but never what was meant.
    Compared(Operator),
    /// The value of an assignment to several targets (`a, b = value`, `[a, *b] = value`).
    Unpacked,
    /// The argument of the builtin of this name that iterates it (`list`, `sorted`, `sum`,
    /// `enumerate`, `zip`, `map`, ..., `next`), measures it (`len`) or converts it (`int`,
    /// `float`).
    Consumed(Builtin),
    /// An element of the argument of `any` or `all`, each of which it tests for its truth
    /// (a coroutine is always true).
    EachTested(Builtin),
}

/// An operator as it is spelled (`+`, `>=`, `is not`), as an index into [`Operator::SPELLINGS`].
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operator(u8);

impl Operator {
    const SPELLINGS: [&'static str; 23] = [
        "+", "-", "*", "@", "/", "%", "**", "<<", ">>", "|", "^", "&", "//", "==", "!=", "<", "<=", ">", ">=", "is",
        "is not", "in", "not in",
    ];

    /// The operator spelled `spelling` (as ruff's `Operator::as_str` and `CmpOp::as_str` give it).
    pub fn spelled(spelling: &str) -> Option<Operator> {
        Operator::SPELLINGS.iter().position(|&s| s == spelling).map(|index| Operator(index as u8))
    }

    pub fn as_str(self) -> &'static str {
        Operator::SPELLINGS[self.0 as usize]
    }
}

/// A builtin that iterates, measures or converts an argument at once (see
/// [`ValueUse::Consumed`]), as an index into [`Builtin::CONSUMING`].
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Builtin(u8);

impl Builtin {
    /// Each builtin's name and the positional arguments it consumes: from the first, up to
    /// the second (`None`: all of them).
    const CONSUMING: [(&'static str, usize, Option<usize>); 20] = [
        ("len", 0, Some(1)),
        ("next", 0, Some(1)),
        ("int", 0, Some(1)),
        ("float", 0, Some(1)),
        ("list", 0, Some(1)),
        ("tuple", 0, Some(1)),
        ("set", 0, Some(1)),
        ("frozenset", 0, Some(1)),
        ("dict", 0, Some(1)),
        ("sorted", 0, Some(1)),
        ("sum", 0, Some(1)),
        ("min", 0, None),
        ("max", 0, None),
        ("any", 0, Some(1)),
        ("all", 0, Some(1)),
        ("enumerate", 0, Some(1)),
        ("zip", 0, None),
        ("map", 1, None),
        ("filter", 1, Some(2)),
        ("iter", 0, Some(1)),
    ];

    /// The builtin `name` calls, and which of its positional arguments it consumes.
    pub fn named(name: &str) -> Option<(Builtin, usize, Option<usize>)> {
        let index = Builtin::CONSUMING.iter().position(|&(n, ..)| n == name)?;
        let (_, first, end) = Builtin::CONSUMING[index];
        Some((Builtin(index as u8), first, end))
    }

    pub fn name(self) -> &'static str {
        Builtin::CONSUMING[self.0 as usize].0
    }
}

/// How a value is entered or iterated.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProtocolUse {
    /// `with value:`: `__enter__`.
    With,
    /// `async with value:`: `__aenter__`.
    AsyncWith,
    /// `for x in value:`: `__iter__`.
    For,
    /// `async for x in value:`: `__aiter__`.
    AsyncFor,
}
