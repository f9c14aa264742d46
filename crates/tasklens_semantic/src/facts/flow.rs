//! How values move: container slots and kinds, seeds, the constraints between nodes, call
//! sites and the hops traces show.

use ruff_python_ast::name::Name;

use super::{ClassId, FuncId, HopId, ImportTarget, NameId, NodeId, ParamGate, SiteId};

/// How a value reaches a slot of a container.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq, Hash)]
pub enum DictKey {
    /// A string literal.
    Str(Name),
    /// A module-level name (a constant defined or imported at module level).
    Global(Name),
}

/// Tuple positions tracked separately; later ones only as plain elements.
pub const MAX_TUPLE_INDEX: usize = 8;

#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
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
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
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
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
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
    /// Inside a branch, loop, `try` that has handlers, or conditional expression of its
    /// function: it may not run.
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

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub node: Option<NodeId>,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Keyword {
    pub name: Name,
    pub node: Option<NodeId>,
}

/// A step of a flow, shown in traces.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    pub kind: HopKind,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum HopKind {
    Assign(NameId),
    Return(NameId),
    Yield(NameId),
    AttrStore(NameId),
    AttrLoad(NameId),
    ContainerStore,
    ContainerLoad,
}

impl Constraint {
    /// The site and the result node of a call (of a value, a method, or `super()`'s).
    pub fn call_result(&self) -> Option<(SiteId, NodeId)> {
        match self {
            Constraint::Call { site, result, .. }
            | Constraint::MethodCall { site, result, .. }
            | Constraint::SuperCall { site, result, .. } => Some((*site, *result)),
            _ => None,
        }
    }
}
