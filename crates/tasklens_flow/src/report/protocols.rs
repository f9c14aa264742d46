//! Values entered or iterated the wrong way (TL015): `with` on what only `async with`
//! enters and the reverse, `for` over an async generator and `async for` over a plain
//! one. (A coroutine there, meant to be awaited first, is left out: followed through
//! names, aliases made by helpers and replaced methods it was mostly not what runs.)

use ruff_python_ast::name::Name;
use tasklens_semantic::facts::{ContainerKind, ProtocolUse};

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
        for (index, &(local, used)) in uses.iter().enumerate() {
            let values = solved.sets.get(entry.node_base + local);
            let Some(&first) = values.first() else { continue };
            if !values.iter().all(|&obj| mismatched(solved, solved.objs[obj as usize], used).is_some()) {
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
            let (with, async_with) = crate::asyncio_api::outside_context_manager(path)?;
            let refused = match used {
                With => !with && async_with,
                AsyncWith => !async_with && with,
                For | AsyncFor => false,
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
