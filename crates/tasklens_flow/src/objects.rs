//! Abstract objects: what a node can hold, and small sets of them.

use std::hash::Hash;

use rustc_hash::FxHashMap;
use tasklens_semantic::facts::{ContainerKind, Part};

/// A project-wide node id.
pub type GNode = u32;
/// A project-wide function id.
pub type GFunc = u32;
/// A project-wide class id.
pub type GClass = u32;
/// A project-wide call-site id.
pub type GSite = u32;
/// An index into the module table.
pub type ModIdx = u32;
/// An interned dotted path of something outside the project.
pub type PathId = u32;
/// An interned object.
pub type ObjId = u32;

/// An abstract value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Obj {
    /// Anything the analysis does not follow.
    Unknown,
    /// An asyncio event loop.
    Loop,
    /// A method of the event loop read without calling it (`loop.create_task`), by name.
    LoopMethod(u32),
    /// A Task; created by `ensure_future` at a call site when the site is known.
    Task(Option<GSite>),
    /// A coroutine object of a project `async def` (or of an asyncio coroutine function).
    Coro(Option<GFunc>),
    /// The coroutine of one call of a project `async def` that returns a parameter (or
    /// `ensure_future` of one): awaiting it gives what that call passed.
    CoroCall(GSite, GFunc),
    /// The coroutine of `asyncio.wait(fs)` at a call site: awaiting it gives `(done, pending)`,
    /// sets of the objects in `fs`.
    WaitCoro(GSite),
    /// The coroutine of `asyncio.wait_for(x, timeout)` at a call site: awaiting it gives
    /// what awaiting `x` gives.
    WaitForCoro(GSite),
    /// The coroutine of `stack.enter_async_context(cm)` at a site: awaiting it enters `cm`.
    EnterCoro(GSite),
    /// A coroutine that gives an item of the container made at the node when awaited:
    /// `queue.get()` of an `asyncio.Queue`; `agen.__anext__()`, `agen.asend(v)` and
    /// `agen.athrow(e)` of an async generator (asyncio takes those for coroutines).
    ItemCoro(GNode),
    /// A plain Future created at a call site.
    Future(GSite),
    /// A value of a parameter whose annotation admits a plain Future (or, for a callable
    /// parameter annotated `Callable[..., Awaitable[T]]`, what calling it may give).
    ParamFuture(GNode),
    /// The callable a parameter annotated `Callable[..., Awaitable[T]]` may be given from
    /// outside the project: calling it gives that parameter's `ParamFuture`.
    FutureFactory(GNode),
    /// The plain Futures that reached the node past [`MAX_FUTURES`](crate::solver) of them:
    /// one object stands for them all from there on (the solution lists them by node).
    FutureSummary(GNode),
    Function(GFunc),
    /// A method read from an instance: calls pass the instance first.
    Bound(GFunc),
    Class(GClass),
    Instance(GClass),
    Module(ModIdx),
    /// A module, class or function outside the project.
    External(PathId),
    /// An instance of a class outside the project.
    ExternalInstance(PathId),
    /// A container created by the expression at the node.
    Container(GNode, ContainerKind),
    /// `functools.partial(f, *args)` made at a call site.
    Partial(GSite),
    /// `d.values()`, `d.keys()`.
    View(GNode, ContainerKind, Part),
}

impl Obj {
    /// A coroutine object.
    pub fn is_coroutine(self) -> bool {
        matches!(
            self,
            Obj::Coro(_)
                | Obj::CoroCall(..)
                | Obj::WaitCoro(_)
                | Obj::WaitForCoro(_)
                | Obj::EnterCoro(_)
                | Obj::ItemCoro(_)
        )
    }

    /// The project function calling this value runs, and how many of its parameters are
    /// bound before the call's arguments (a bound method's `self`).
    pub fn callable(self) -> Option<(GFunc, usize)> {
        match self {
            Obj::Function(func) => Some((func, 0)),
            Obj::Bound(func) => Some((func, 1)),
            _ => None,
        }
    }

    /// A value that is a plain Future (or may be, for an annotated parameter).
    pub fn is_plain_future(self) -> bool {
        matches!(self, Obj::Future(_) | Obj::ParamFuture(_) | Obj::FutureSummary(_))
    }
}

/// Values numbered in the order they are first seen.
#[derive(Debug)]
pub struct Interner<T> {
    items: Vec<T>,
    ids: FxHashMap<T, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner { items: Vec::new(), ids: FxHashMap::default() }
    }
}

impl<T: Hash + Eq + Clone> Interner<T> {
    pub fn intern(&mut self, item: T) -> u32 {
        if let Some(&id) = self.ids.get(&item) {
            return id;
        }
        let id = self.items.len() as u32;
        self.items.push(item.clone());
        self.ids.insert(item, id);
        id
    }

    pub fn get(&self, id: u32) -> &T {
        &self.items[id as usize]
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }
}

impl<T> std::ops::Index<usize> for Interner<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.items[index]
    }
}

/// A small sorted set of object ids.
#[derive(Clone, Debug, Default)]
pub enum ObjSet {
    #[default]
    Empty,
    One(ObjId),
    /// Boxed so that a set stays 16 bytes: most nodes hold at most one object.
    #[allow(clippy::box_collection)]
    Many(Box<Vec<ObjId>>),
}

impl ObjSet {
    /// Inserts `obj`; returns whether it was new.
    pub fn insert(&mut self, obj: ObjId) -> bool {
        match self {
            ObjSet::Empty => {
                *self = ObjSet::One(obj);
                true
            }
            ObjSet::One(existing) => {
                if *existing == obj {
                    return false;
                }
                let mut items = vec![*existing, obj];
                items.sort_unstable();
                *self = ObjSet::Many(Box::new(items));
                true
            }
            ObjSet::Many(items) => match items.binary_search(&obj) {
                Ok(_) => false,
                Err(at) => {
                    items.insert(at, obj);
                    true
                }
            },
        }
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn as_slice(&self) -> &[ObjId] {
        match self {
            ObjSet::Empty => &[],
            ObjSet::One(obj) => std::slice::from_ref(obj),
            ObjSet::Many(items) => items,
        }
    }
}

/// Every node's objects in one array, for reading once solving is done (a tenth of the
/// memory of one small vector per node).
#[derive(Debug, Default)]
pub struct FlatSets {
    /// Where each node's objects start in `ids`; one more entry than nodes.
    starts: Vec<u32>,
    ids: Vec<ObjId>,
}

impl FlatSets {
    pub fn new(sets: Vec<ObjSet>) -> Self {
        let mut starts = Vec::with_capacity(sets.len() + 1);
        let mut ids = Vec::with_capacity(sets.iter().map(ObjSet::len).sum());
        for set in sets {
            starts.push(ids.len() as u32);
            ids.extend_from_slice(set.as_slice());
        }
        starts.push(ids.len() as u32);
        FlatSets { starts, ids }
    }

    /// The objects at `node`, sorted.
    pub fn get(&self, node: u32) -> &[ObjId] {
        let node = node as usize;
        &self.ids[self.starts[node] as usize..self.starts[node + 1] as usize]
    }

    /// Each node with its objects.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[ObjId])> {
        self.starts.windows(2).enumerate().map(|(node, w)| (node as u32, &self.ids[w[0] as usize..w[1] as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::{FlatSets, ObjSet};

    #[test]
    fn flat_sets_keep_each_nodes_objects() {
        let mut sets = vec![ObjSet::default(); 3];
        sets[0].insert(4);
        sets[2].insert(9);
        sets[2].insert(1);
        let flat = FlatSets::new(sets);
        assert_eq!(flat.get(0), &[4]);
        assert!(flat.get(1).is_empty());
        assert_eq!(flat.get(2), &[1, 9]);
        assert_eq!(flat.iter().map(|(_, objs)| objs.len()).collect::<Vec<_>>(), vec![1, 0, 2]);
    }

    #[test]
    fn set_stays_sorted_and_unique() {
        let mut set = ObjSet::default();
        assert!(set.insert(5));
        assert!(set.insert(2));
        assert!(!set.insert(5));
        assert!(set.insert(9));
        assert_eq!(set.as_slice(), &[2, 5, 9]);
    }
}
