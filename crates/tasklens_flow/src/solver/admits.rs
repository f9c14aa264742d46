//! What an annotation admits (`Admits`): Tasks, Futures, coroutines, loops, scalars,
//! project classes, containers and their elements (by tuple position too), queues and
//! other holders; and where in it only Tasks may be (`Admits::task_paths`, the sinks).

use tasklens_semantic::facts::{ContainerKind, MAX_TUPLE_INDEX, Part, TypeExpr};

use super::link::SinkPath;
use super::{Solver, TypeFilter};
use crate::asyncio_api::{ExternalType, external_type, is_builtin_scalar, is_followed_asyncio_class};
use crate::modules::Resolved;
use crate::objects::{GClass, ModIdx};

/// What an annotation admits.
#[derive(Clone, Debug, Default)]
pub(super) struct Admits {
    pub(super) task: bool,
    pub(super) future_like: bool,
    pub(super) coroutine: bool,
    pub(super) loop_: bool,
    pub(super) none: bool,
    /// `str`, `int`, `float`, `bool`, `bytes`, `complex`.
    pub(super) scalar: bool,
    /// Anything else (unknown names, `Any`, other builtins...).
    pub(super) other: bool,
    /// Some of `other` may be a plain Future (all but builtins, asyncio's handles and the
    /// like).
    pub(super) other_may_be_future: bool,
    /// A `Callable[..., R]` (what calling it gives: see `returns_future_like`).
    pub(super) callable: bool,
    pub(super) classes: Vec<GClass>,
    /// The element type of a container annotation.
    pub(super) elements: Option<Box<Admits>>,
    /// What each position of a tuple admits (`tuple[str, Task]`), when every tuple it
    /// admits has these positions.
    pub(super) positions: Option<Vec<Admits>>,
    /// The container annotation is a mapping (iteration gives keys).
    pub(super) mapping: bool,
    /// The container annotation is a queue (asyncio's or a thread's) or a
    /// `contextvars.ContextVar`, whose methods are not a collection's: a place annotated so
    /// holds one of that kind.
    pub(super) holder: Option<ContainerKind>,
    /// A callable whose result admits a plain Future (`Callable[..., Awaitable[T]]`).
    pub(super) returns_future_like: bool,
    /// Some of `classes` may derive from a Future (`ClassTable::may_be_future`).
    pub(super) future_classes: bool,
    /// Project `TypedDict` classes: plain dicts whose fields may be annotated as Tasks.
    pub(super) typed_dicts: Vec<GClass>,
    /// asyncio classes whose instances are followed (`asyncio.Event`, `asyncio.StreamReader`).
    pub(super) asyncio_instances: Vec<String>,
}

impl Admits {
    pub(super) fn merge(&mut self, other: Admits) {
        self.task |= other.task;
        self.future_like |= other.future_like;
        self.coroutine |= other.coroutine;
        self.loop_ |= other.loop_;
        self.none |= other.none;
        self.other |= other.other;
        self.other_may_be_future |= other.other_may_be_future;
        self.callable |= other.callable;
        self.scalar |= other.scalar;
        self.classes.extend(other.classes);
        self.future_classes |= other.future_classes;
        self.typed_dicts.extend(other.typed_dicts);
        self.asyncio_instances.extend(other.asyncio_instances);
        self.mapping |= other.mapping;
        self.holder = self.holder.or(other.holder);
        self.returns_future_like |= other.returns_future_like;
        let had_elements = self.elements.is_some();
        self.positions = match (self.positions.take(), other.positions) {
            (Some(mut mine), Some(theirs)) if mine.len() == theirs.len() => {
                mine.iter_mut().zip(theirs).for_each(|(mine, theirs)| mine.merge(theirs));
                Some(mine)
            }
            (Some(mine), None) if other.elements.is_none() => Some(mine),
            (None, Some(theirs)) if !had_elements => Some(theirs),
            _ => None,
        };
        match (&mut self.elements, other.elements) {
            (Some(mine), Some(theirs)) => mine.merge(*theirs),
            (mine @ None, Some(theirs)) => *mine = Some(theirs),
            _ => {}
        }
    }

    /// It admits a Task and nothing a plain Future could be (`Task | None`, `str | Task`,
    /// `Task | Handle`): no Future, awaitable or unknown type, and no project class that may
    /// derive from a Future.
    pub(super) fn needs_task(&self) -> bool {
        self.task && !self.future_like && !self.other_may_be_future && !self.future_classes
    }

    /// Whether the place `path` leads to (a sink path of [`Admits::task_paths`]) also
    /// admits a coroutine, or something unknown that may be one.
    pub(super) fn takes_coroutine(&self, path: &[Part]) -> bool {
        let mut at = self;
        for part in path {
            let next = match part {
                Part::Values => at.elements.as_deref(),
                Part::Index(index) => at.positions.as_ref().and_then(|positions| positions.get(usize::from(*index))),
                _ => None,
            };
            let Some(next) = next else { return true };
            at = next;
        }
        at.coroutine || at.other
    }

    /// Anything at all.
    pub(super) fn unknown() -> Admits {
        Admits { other: true, other_may_be_future: true, ..Admits::default() }
    }

    pub(super) fn set_other(&mut self) {
        self.other = true;
        self.other_may_be_future = true;
    }

    /// Every value it admits, except `None`, is a Task.
    pub(super) fn only_task(&self) -> bool {
        self.task
            && !self.future_like
            && !self.coroutine
            && !self.loop_
            && !self.other
            && !self.callable
            && !self.scalar
            && self.classes.is_empty()
            && self.asyncio_instances.is_empty()
            && self.elements.is_none()
    }

    /// What it lets in of the project's own objects, when it says enough about them: project
    /// classes, scalars, containers (and `None`), and nothing asyncio or unknown.
    pub(super) fn type_filter(&self) -> Option<TypeFilter> {
        let says_enough =
            !self.classes.is_empty() || self.scalar || self.elements.is_some() || !self.asyncio_instances.is_empty();
        let asyncio_or_unknown =
            self.task || self.future_like || self.coroutine || self.loop_ || self.other || self.callable;
        (says_enough && !asyncio_or_unknown).then(|| TypeFilter {
            classes: self.classes.clone().into_boxed_slice(),
            // A project subclass of `str`, or of `asyncio.Event`.
            outside_instances: self.scalar || !self.asyncio_instances.is_empty(),
            containers: self.elements.is_some(),
            unknown: self.elements.is_some(),
            exclusion: None,
        })
    }

    /// A container of instances and nothing else (`list[Job]`, `Optional[Mapping[str,
    /// asyncio.Event]]`): a parameter or attribute annotated so holds one of its own.
    pub(super) fn container_of_instances(&self) -> bool {
        self.only_container() && self.holder.is_none() && self.elements.as_deref().is_some_and(Admits::only_instances)
    }

    /// Nothing asyncio, unknown, callable or scalar, and no instances (but what its elements
    /// may be): only a container, if anything.
    pub(super) fn only_container(&self) -> bool {
        !(self.task || self.future_like || self.coroutine || self.loop_ || self.other || self.callable || self.scalar)
            && self.classes.is_empty()
            && self.asyncio_instances.is_empty()
            && self.typed_dicts.is_empty()
    }

    /// Where in what it admits only Tasks are: itself (the empty path), the elements of a
    /// container (`list[Task]`: `[Values]`), a position of a tuple (`tuple[str, Task]`:
    /// `[Index(1)]`), and so on into nested containers (`dict[str, tuple[Task, int]]`).
    pub(super) fn task_paths(&self) -> Vec<SinkPath> {
        let mut paths = Vec::new();
        self.collect_task_paths(&mut Vec::new(), &mut paths);
        paths
    }

    pub(super) fn collect_task_paths(&self, prefix: &mut Vec<Part>, paths: &mut Vec<SinkPath>) {
        if self.needs_task() {
            paths.push(prefix.as_slice().into());
            return;
        }
        // A Task or a container of Tasks: the container itself is no Task sink.
        if self.task || prefix.len() >= MAX_SINK_DEPTH {
            return;
        }
        let Some(elements) = &self.elements else { return };
        // Every element needs a Task (`tuple[Task, Task]` too): one path for them all.
        if elements.needs_task() {
            prefix.push(Part::Values);
            paths.push(prefix.as_slice().into());
            prefix.pop();
            return;
        }
        match &self.positions {
            Some(positions) => {
                for (index, position) in positions.iter().enumerate().take(MAX_TUPLE_INDEX) {
                    prefix.push(Part::Index(index as u8));
                    position.collect_task_paths(prefix, paths);
                    prefix.pop();
                }
            }
            None => {
                prefix.push(Part::Values);
                elements.collect_task_paths(prefix, paths);
                prefix.pop();
            }
        }
    }

    /// Something in what it holds must be a Task, but not it itself (`list[Task]`).
    pub(super) fn elements_only_task(&self) -> bool {
        !self.only_task() && !self.task_paths().is_empty()
    }

    /// A queue or a `ContextVar` and nothing else (but `None`): a parameter or attribute
    /// annotated so holds one of its own, whose methods are that kind's (an asyncio queue's
    /// `get()` is a coroutine).
    pub(super) fn only_holder(&self) -> Option<ContainerKind> {
        self.holder.filter(|_| self.only_container())
    }

    /// Its elements are instances and nothing else (`Job`, `asyncio.Event`).
    pub(super) fn only_instances(&self) -> bool {
        (!self.classes.is_empty() || !self.asyncio_instances.is_empty())
            && !(self.task || self.future_like || self.coroutine || self.loop_ || self.other || self.callable)
            && !self.scalar
            && self.elements.is_none()
            && self.typed_dicts.is_empty()
    }
}

/// `typing.Callable` and its kin.
fn is_callable(path: &str) -> bool {
    matches!(path, "typing.Callable" | "typing_extensions.Callable" | "collections.abc.Callable")
}

/// How deep into nested containers an annotation's Tasks are looked for.
const MAX_SINK_DEPTH: usize = 4;

/// The kind of holder an outside container type is: the queues of `asyncio` and `queue`,
/// `contextvars.ContextVar` and `weakref.ref`.
fn holder_kind(path: &str) -> Option<ContainerKind> {
    match path.rsplit_once('.') {
        Some(("asyncio", "Queue" | "LifoQueue" | "PriorityQueue")) => Some(ContainerKind::Queue),
        Some(("contextvars", "ContextVar")) => Some(ContainerKind::ContextVar),
        Some(("queue", last)) if crate::asyncio_api::is_thread_queue(last) => Some(ContainerKind::ThreadQueue),
        Some(("weakref", "ref")) => Some(ContainerKind::WeakRef),
        _ => None,
    }
}

/// Mapping types: iterating them gives keys.
fn is_mapping(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    matches!(
        last,
        "Dict"
            | "dict"
            | "Mapping"
            | "MutableMapping"
            | "DefaultDict"
            | "defaultdict"
            | "OrderedDict"
            | "WeakValueDictionary"
    )
}

impl Solver {
    /// What the annotation `expr` in module `m` admits.
    pub(super) fn admits(&mut self, m: ModIdx, expr: &TypeExpr, depth: u32) -> Admits {
        let mut admits = Admits::default();
        if depth > 16 {
            admits.set_other();
            return admits;
        }
        match expr {
            TypeExpr::None => admits.none = true,
            TypeExpr::Other => admits.set_other(),
            TypeExpr::Union(members) => {
                for member in members {
                    let inner = self.admits(m, member, depth + 1);
                    admits.merge(inner);
                }
            }
            TypeExpr::Name(path) | TypeExpr::Generic(path, _)
                if let Some((owner, target)) = self.modules.resolve_alias(m, path) =>
            {
                // A type alias: what it stands for (type arguments of generic aliases are dropped).
                admits = self.admits(owner, &target, depth + 1);
            }
            TypeExpr::Name(path) => {
                for resolved in self.modules.resolve_type(m, path) {
                    let inner = self.admits_resolved(resolved);
                    admits.merge(inner);
                }
            }
            TypeExpr::Generic(path, args) => {
                for resolved in self.modules.resolve_type(m, path) {
                    let inner = self.admits_generic(m, resolved, args, depth);
                    admits.merge(inner);
                }
            }
        }
        admits
    }

    /// What `path[args]` admits, `path` resolved.
    fn admits_generic(&mut self, m: ModIdx, resolved: Resolved, args: &[TypeExpr], depth: u32) -> Admits {
        let mut admits = Admits::default();
        let kind = match &resolved {
            Resolved::External(p) => external_type(p),
            _ => ExternalType::Other,
        };
        match kind {
            // `Callable[[A], R]`: a callable, which may give a plain Future when `R` admits one.
            _ if matches!(&resolved, Resolved::External(p) if is_callable(p)) => {
                admits.callable = true;
                if let Some(result) = args.last() {
                    admits.returns_future_like = self.admits(m, result, depth + 1).future_like;
                }
            }
            ExternalType::Optional => {
                admits.none = true;
                if let Some(first) = args.first() {
                    admits.merge(self.admits(m, first, depth + 1));
                }
            }
            ExternalType::Union => {
                for arg in args {
                    let inner = self.admits(m, arg, depth + 1);
                    admits.merge(inner);
                }
            }
            ExternalType::Wrapper => match args.first() {
                Some(first) => admits = self.admits(m, first, depth + 1),
                None => admits.set_other(),
            },
            ExternalType::Tuple if !args.is_empty() => {
                let positions: Vec<Admits> = args.iter().map(|arg| self.admits(m, arg, depth + 1)).collect();
                let mut elements = Admits::default();
                for position in &positions {
                    elements.merge(position.clone());
                }
                admits.elements = Some(Box::new(elements));
                // `tuple[X, ...]` (its `...` dropped when lowered) has no positions.
                admits.positions = (positions.len() > 1).then_some(positions);
            }
            ExternalType::Generator => match args.first() {
                Some(first) => admits.elements = Some(Box::new(self.admits(m, first, depth + 1))),
                None => admits.set_other(),
            },
            ExternalType::Container => match args.last() {
                Some(last) => {
                    admits.elements = Some(Box::new(self.admits(m, last, depth + 1)));
                    admits.mapping = matches!(&resolved, Resolved::External(p) if is_mapping(p));
                    admits.holder = match &resolved {
                        Resolved::External(path) => holder_kind(path),
                        _ => None,
                    };
                }
                None => admits.set_other(),
            },
            _ => admits = self.admits_resolved(resolved),
        }
        admits
    }

    fn admits_resolved(&mut self, resolved: Resolved) -> Admits {
        let mut admits = Admits::default();
        match resolved {
            Resolved::External(path) if is_builtin_scalar(&path) => admits.scalar = true,
            // A bare `asyncio.Queue` is one of anything, as `asyncio.Queue[Any]` is.
            Resolved::External(path) if holder_kind(&path).is_some() => {
                admits.holder = holder_kind(&path);
                admits.elements = Some(Box::new(Admits::unknown()));
            }
            Resolved::External(path) => match external_type(&path) {
                ExternalType::Task => admits.task = true,
                ExternalType::FutureLike => admits.future_like = true,
                ExternalType::Coroutine => admits.coroutine = true,
                ExternalType::Loop => admits.loop_ = true,
                _ if is_followed_asyncio_class(&path) => admits.asyncio_instances.push(path),
                _ => {
                    admits.other = true;
                    admits.other_may_be_future = !crate::asyncio_api::excludes_futures(&path);
                }
            },
            // A `TypedDict` annotates a plain dict: nothing to filter by class.
            Resolved::Class(class) if self.classes.is_typed_dict(class) => {
                admits.set_other();
                admits.typed_dicts.push(class);
            }
            Resolved::Class(class) => {
                admits.future_classes = self.classes.may_be_future(class);
                admits.classes.push(class);
            }
            _ => admits.set_other(),
        }
        admits
    }
}
