//! Values entered or iterated the wrong way (TL015): `with` on what only `async with`
//! enters and the reverse, `for` over an async generator and `async for` over a plain
//! one. (A coroutine there, meant to be awaited first, is left out: followed through
//! names, aliases made by helpers and replaced methods it was mostly not what runs.)

use ruff_python_ast::name::Name;
use tasklens_semantic::facts::{ContainerKind, ModuleFacts, NodeId, Place, ProtocolUse, SelfAttribute, TypeExpr};

use super::producers::generator;
use super::{Location, Producer, file_of};
use crate::objects::Obj;
use crate::solver::{ClassProtocols, Solved};

/// A value that cannot be used the way a `with`, `async with`, `for` or `async for` uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolMismatch {
    /// The value entered or iterated.
    pub at: Location,
    pub used: ProtocolUse,
    pub value: MismatchedValue,
    /// Where the statement starts, when switching its kind fixes it (one item, in an
    /// `async def`).
    pub statement: Option<ruff_text_size::TextSize>,
}

/// What the value is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MismatchedValue {
    /// An instance of a project class that supports the other kind only.
    Instance { class: Name, defined: Location },
    /// An instance of a project class whose `__aiter__` is an `async def` (`async for`).
    AsyncAiter { class: Name, defined: Location },
    /// An instance of an outside class (`asyncio.Lock`, `threading.Lock`).
    Outside { path: String },
    /// A generator object of a project function (async or not).
    Generator { function: Name, defined: Location, is_async: bool },
}

pub(super) fn protocol_mismatches(solved: &Solved) -> Vec<ProtocolMismatch> {
    let mut found = Vec::new();
    for (module, entry) in solved.modules.modules.iter().enumerate() {
        let uses = &entry.facts.protocol_uses;
        for (index, (local, used, attribute)) in uses.iter().enumerate() {
            let (local, used) = (*local, *used);
            let values = solved.sets.get(entry.node_base + local);
            let Some(&first) = values.first() else { continue };
            if !values.iter().all(|&obj| mismatched(solved, solved.objs[obj as usize], used).is_some()) {
                continue;
            }
            // A place declared to hold what the statement takes is the type checkers' to
            // check (`Union[AsyncIterable[T], Iterable[T]]` kept for a strategy chosen by
            // `isinstance`): the code expects both kinds there.
            if declared_for(&entry.facts, local, attribute.as_ref(), used) {
                continue;
            }
            let Some(value) = mismatched(solved, solved.objs[first as usize], used) else { continue };
            let positions = &solved.positions[module];
            let (range, statement) = (positions.protocol_uses[index], positions.protocol_statements[index]);
            found.push(ProtocolMismatch { at: Location { file: entry.file, range }, used, value, statement });
        }
    }
    found
}

/// What `value` is when `used` cannot take it.
fn mismatched(solved: &Solved, value: Obj, used: ProtocolUse) -> Option<MismatchedValue> {
    use ProtocolUse::{AsyncFor, AsyncWith, For, With};
    match value {
        Obj::Instance(class) => {
            let protocols = solved.class_protocols[class as usize];
            if protocols.has(ClassProtocols::OUTSIDE_BASE) {
                return None;
            }
            let (module, facts) = solved.modules.class(class);
            let local = class - solved.modules.modules[module as usize].class_base;
            let range = solved.positions[module as usize].classes[local as usize];
            let defined = Location { file: file_of(solved, module), range };
            if used == AsyncFor && protocols.has(ClassProtocols::ASYNC_AITER) {
                return Some(MismatchedValue::AsyncAiter { class: facts.name.clone(), defined });
            }
            // Only the other kind: a class that supports neither may get them elsewhere.
            let (wanted, other) = match used {
                With => (ClassProtocols::ENTER, ClassProtocols::AENTER),
                AsyncWith => (ClassProtocols::AENTER, ClassProtocols::ENTER),
                For => (ClassProtocols::ITER, ClassProtocols::AITER),
                AsyncFor => (ClassProtocols::AITER, ClassProtocols::ITER),
            };
            if protocols.has(wanted) || !protocols.has(other) {
                return None;
            }
            Some(MismatchedValue::Instance { class: facts.name.clone(), defined })
        }
        Obj::ExternalInstance(path) => {
            let path = &solved.paths[path as usize];
            let refused = match used {
                With | AsyncWith => {
                    let (with, async_with) = crate::asyncio_api::outside_context_manager(path)?;
                    if used == With { !with && async_with } else { !async_with && with }
                }
                For | AsyncFor => {
                    let (sync, async_) = crate::asyncio_api::outside_iterable(path)?;
                    if used == For { !sync && async_ } else { !async_ && sync }
                }
            };
            refused.then(|| MismatchedValue::Outside { path: path.clone() })
        }
        Obj::Container(yields, ContainerKind::Iterator) => {
            let Some(Producer::Generator { name: function, at: defined, is_async }) = generator(solved, yields) else {
                return None;
            };
            // A generator under `with` comes from `@contextmanager` (an async one from
            // `@asynccontextmanager`), which the other kind of statement cannot enter.
            let refused = match used {
                For | With => is_async,
                AsyncFor | AsyncWith => !is_async,
            };
            refused.then_some(MismatchedValue::Generator { function, defined, is_async })
        }
        _ => None,
    }
}

/// Whether the place the value is read from (a parameter, an annotated variable, or
/// `self.attr` of a class of the module) is annotated with a type that `used` takes.
fn declared_for(facts: &ModuleFacts, node: NodeId, attribute: Option<&SelfAttribute>, used: ProtocolUse) -> bool {
    (facts.annotated.iter())
        .filter(|annotated| match (&annotated.place, attribute) {
            (Place::Attribute { class, attr }, Some((read_class, read_attr))) => {
                class == read_class && attr == read_attr
            }
            (Place::Param { .. } | Place::Variable, None) => annotated.node == Some(node),
            _ => false,
        })
        .any(|annotated| admits(&annotated.annotation, used))
}

/// Whether an annotation names a type that `used` takes: an iterable for `for`, an async
/// iterable for `async for`, a context manager for `with`, an async one for `async with`.
fn admits(annotation: &TypeExpr, used: ProtocolUse) -> bool {
    let names: &[&str] = match used {
        ProtocolUse::For => &[
            "Iterable",
            "Iterator",
            "Generator",
            "Collection",
            "Sequence",
            "MutableSequence",
            "Reversible",
            "List",
            "list",
            "Tuple",
            "tuple",
            "Set",
            "set",
            "AbstractSet",
            "MutableSet",
            "FrozenSet",
            "frozenset",
            "Dict",
            "dict",
            "Mapping",
            "MutableMapping",
            "Deque",
            "deque",
        ],
        ProtocolUse::AsyncFor => &["AsyncIterable", "AsyncIterator", "AsyncGenerator"],
        ProtocolUse::With => &["ContextManager", "AbstractContextManager"],
        ProtocolUse::AsyncWith => &["AsyncContextManager", "AbstractAsyncContextManager"],
    };
    match annotation {
        // Names are not resolved yet: `Union[A, B]` and `Optional[A]` still read as generics.
        TypeExpr::Generic(path, members) if matches!(last_segment(path), "Union" | "Optional") => {
            members.iter().any(|member| admits(member, used))
        }
        TypeExpr::Generic(path, members) if last_segment(path) == "Annotated" => {
            members.first().is_some_and(|member| admits(member, used))
        }
        TypeExpr::Name(path) | TypeExpr::Generic(path, _) => names.contains(&last_segment(path)),
        TypeExpr::Union(members) => members.iter().any(|member| admits(member, used)),
        TypeExpr::None | TypeExpr::Other => false,
    }
}

fn last_segment(path: &[Name]) -> &str {
    path.last().map_or("", Name::as_str)
}
