//! Annotations, resolved: which places need a Task (sinks), which parameters
//! may hold a plain Future, an event loop or a project class (seeds), and what of the
//! project's own objects an annotated place lets in (type filters).

use std::rc::Rc;

use tasklens_semantic::facts::{
    AnnotatedPlace, ContainerKind, GuardTest, MAX_TUPLE_INDEX, ParamKind, Part, Place, TypeExpr,
};

use super::filters::{Exclusion, kind_bit};
use super::link::{Pending, SinkAt, SinkKind, SinkPath, SinkRecord};
use super::{ASSUMED_FUTURES_STOP, Label, NO_LABEL, NO_NODE, Solver, TypeFilter};
use crate::asyncio_api::{ExternalType, external_type, is_builtin_scalar, is_followed_asyncio_class};
use crate::modules::Resolved;
use crate::objects::{GClass, GNode, ModIdx, Obj};

/// What an annotation admits.
#[derive(Clone, Debug, Default)]
struct Admits {
    task: bool,
    future_like: bool,
    coroutine: bool,
    loop_: bool,
    none: bool,
    /// `str`, `int`, `float`, `bool`, `bytes`, `complex`.
    scalar: bool,
    /// Anything else (unknown names, `Any`, other builtins...).
    other: bool,
    /// Some of `other` may be a plain Future (all but builtins, asyncio's handles and the
    /// like).
    other_may_be_future: bool,
    /// A `Callable[..., R]` (what calling it gives: see `returns_future_like`).
    callable: bool,
    classes: Vec<GClass>,
    /// The element type of a container annotation.
    elements: Option<Box<Admits>>,
    /// What each position of a tuple admits (`tuple[str, Task]`), when every tuple it
    /// admits has these positions.
    positions: Option<Vec<Admits>>,
    /// The container annotation is a mapping (iteration gives keys).
    mapping: bool,
    /// The container annotation is a queue (asyncio's or a thread's) or a
    /// `contextvars.ContextVar`, whose methods are not a collection's: a place annotated so
    /// holds one of that kind.
    holder: Option<ContainerKind>,
    /// A callable whose result admits a plain Future (`Callable[..., Awaitable[T]]`).
    returns_future_like: bool,
    /// Some of `classes` may derive from a Future (`ClassTable::may_be_future`).
    future_classes: bool,
    /// Project `TypedDict` classes: plain dicts whose fields may be annotated as Tasks.
    typed_dicts: Vec<GClass>,
    /// asyncio classes whose instances are followed (`asyncio.Event`, `asyncio.StreamReader`).
    asyncio_instances: Vec<String>,
}

impl Admits {
    fn merge(&mut self, other: Admits) {
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
    fn needs_task(&self) -> bool {
        self.task && !self.future_like && !self.other_may_be_future && !self.future_classes
    }

    /// Anything at all.
    fn unknown() -> Admits {
        Admits { other: true, other_may_be_future: true, ..Admits::default() }
    }

    fn set_other(&mut self) {
        self.other = true;
        self.other_may_be_future = true;
    }

    /// Every value it admits, except `None`, is a Task.
    fn only_task(&self) -> bool {
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
    fn type_filter(&self) -> Option<TypeFilter> {
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
    fn container_of_instances(&self) -> bool {
        self.only_container() && self.holder.is_none() && self.elements.as_deref().is_some_and(Admits::only_instances)
    }

    /// Nothing asyncio, unknown, callable or scalar, and no instances (but what its elements
    /// may be): only a container, if anything.
    fn only_container(&self) -> bool {
        !(self.task || self.future_like || self.coroutine || self.loop_ || self.other || self.callable || self.scalar)
            && self.classes.is_empty()
            && self.asyncio_instances.is_empty()
            && self.typed_dicts.is_empty()
    }

    /// Where in what it admits only Tasks are: itself (the empty path), the elements of a
    /// container (`list[Task]`: `[Values]`), a position of a tuple (`tuple[str, Task]`:
    /// `[Index(1)]`), and so on into nested containers (`dict[str, tuple[Task, int]]`).
    fn task_paths(&self) -> Vec<SinkPath> {
        let mut paths = Vec::new();
        self.collect_task_paths(&mut Vec::new(), &mut paths);
        paths
    }

    fn collect_task_paths(&self, prefix: &mut Vec<Part>, paths: &mut Vec<SinkPath>) {
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
    fn elements_only_task(&self) -> bool {
        !self.only_task() && !self.task_paths().is_empty()
    }

    /// A queue or a `ContextVar` and nothing else (but `None`): a parameter or attribute
    /// annotated so holds one of its own, whose methods are that kind's (an asyncio queue's
    /// `get()` is a coroutine).
    fn only_holder(&self) -> Option<ContainerKind> {
        self.holder.filter(|_| self.only_container())
    }

    /// Its elements are instances and nothing else (`Job`, `asyncio.Event`).
    fn only_instances(&self) -> bool {
        (!self.classes.is_empty() || !self.asyncio_instances.is_empty())
            && !(self.task || self.future_like || self.coroutine || self.loop_ || self.other || self.callable)
            && !self.scalar
            && self.elements.is_none()
            && self.typed_dicts.is_empty()
    }
}

/// Outside types that no `asyncio.Future` is an instance of. (A Future is iterable and
/// awaitable, so `Iterable` and `Awaitable` are not here.)
fn excludes_futures(path: &str) -> bool {
    let (top, last) = (path.split('.').next().unwrap_or(path), path.rsplit('.').next().unwrap_or(path));
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
        ),
        "types" => matches!(last, "GeneratorType" | "CoroutineType" | "FunctionType"),
        _ => false,
    }
}

/// `typing.Callable` and its kin.
fn is_callable(path: &str) -> bool {
    matches!(path, "typing.Callable" | "typing_extensions.Callable" | "collections.abc.Callable")
}

/// How deep into nested containers an annotation's Tasks are looked for.
const MAX_SINK_DEPTH: usize = 4;

/// The kind of holder an outside container type is: `asyncio.Queue` and its kinds, and
/// `contextvars.ContextVar`.
fn holder_kind(path: &str) -> Option<ContainerKind> {
    match path.rsplit_once('.') {
        Some(("asyncio", "Queue" | "LifoQueue" | "PriorityQueue")) => Some(ContainerKind::Queue),
        Some(("contextvars", "ContextVar")) => Some(ContainerKind::ContextVar),
        Some(("queue", last)) if crate::asyncio_api::is_thread_queue(last) => Some(ContainerKind::ThreadQueue),
        Some(("weakref", "ref")) => Some(ContainerKind::WeakRef),
        _ => None,
    }
}

/// The kinds of the analysis's containers that are surely instances of the outside type
/// `path`, as bits of [`Exclusion::kinds`]. A `List` container also stands for a deque, a
/// `tuple(...)` or a caller's collection of any kind, and a `Set` for a frozenset, so
/// `list`, `set` and `Sequence` cover neither: only the abstract types that cover all those do.
fn container_kinds_of(path: &str) -> u16 {
    use ContainerKind::*;
    let (module, last) = path.rsplit_once('.').unwrap_or(("builtins", path));
    let abstract_module = matches!(module, "typing" | "typing_extensions" | "collections.abc");
    let kinds: &[ContainerKind] = match last {
        "dict" if module == "builtins" => &[Dict],
        "Dict" if module == "typing" || module == "typing_extensions" => &[Dict],
        "Mapping" | "MutableMapping" if abstract_module => &[Dict, WeakValueDict],
        "tuple" if module == "builtins" => &[Tuple],
        "Tuple" if module == "typing" || module == "typing_extensions" => &[Tuple],
        "Sequence" if abstract_module => &[Tuple],
        "Collection" if abstract_module => &[List, Tuple, Set, Dict, WeakSet, WeakValueDict],
        "Iterable" if abstract_module => &[List, Tuple, Set, Dict, Iterator, WeakSet, WeakValueDict],
        _ => &[],
    };
    kinds.iter().fold(0, |bits, &kind| bits | kind_bit(kind))
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

/// See [`Solver::cast_instances`].
#[derive(Clone, Debug)]
pub(crate) struct CastInstances {
    pub filter: Option<super::TypeFilter>,
    pub seeds: Vec<Obj>,
}

impl Solver {
    fn admits(&mut self, m: ModIdx, expr: &TypeExpr, depth: u32) -> Admits {
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
                    admits.other_may_be_future = !crate::asyncio_api::is_never_future(&path);
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

    /// Whether a guarded branch excludes plain Futures: `isinstance(x, asyncio.Task)`,
    /// the `else` of `isinstance(x, asyncio.Future)`, `iscoroutine(x)`...
    pub(super) fn guard_stops_futures(&mut self, m: ModIdx, test: &GuardTest) -> bool {
        match test {
            GuardTest::NotFuture | GuardTest::Coroutine => true,
            GuardTest::Awaitable | GuardTest::CoroutineFunction | GuardTest::NotCoroutine => false,
            GuardTest::Is(types) => {
                types.iter().any(|t| self.admits(m, t, 0).only_task())
                    || types.iter().all(|t| self.excludes_futures(m, t))
            }
            GuardTest::IsNot(types) => types.iter().any(|t| self.admits(m, t, 0).future_like),
            GuardTest::AnyOf(alternatives) => {
                alternatives.iter().all(|tests| tests.iter().any(|test| self.guard_stops_futures(m, test)))
            }
        }
    }

    /// Whether no plain Future is an instance of `expr` (`isinstance(x, str)` is false for
    /// every Future): project classes that do not derive from an outside class, and
    /// well-known types a Future does not implement.
    fn excludes_futures(&mut self, m: ModIdx, expr: &TypeExpr) -> bool {
        let path = match expr {
            TypeExpr::Name(path) | TypeExpr::Generic(path, _) => path,
            TypeExpr::None => return true,
            _ => return false,
        };
        let alternatives = self.modules.resolve_type(m, path);
        alternatives.into_iter().all(|resolved| match resolved {
            Resolved::Class(class) => !self.classes.external_base[class as usize],
            Resolved::External(path) => excludes_futures(&path),
            _ => false,
        })
    }

    /// What a branch of `isinstance(x, T)` lets in of the project's own objects, and the
    /// objects standing for what it holds. Where the test holds and `T` names builtin
    /// scalars (`str`, `(str, bytes)`, `int`...), no container, function, module or instance
    /// of a project class of its own is one of them: a helper that returns its argument once
    /// it is a `str` (`os.fspath`) otherwise hands every caller's containers to every other
    /// caller. Where `T` names project classes, only their instances get in, and an instance
    /// of each stands for one the analysis does not see. Where the test fails, see
    /// [`Solver::exclusion_filter`].
    pub(super) fn guard_type_filter(&mut self, m: ModIdx, test: &GuardTest) -> Option<(TypeFilter, Vec<Obj>)> {
        if let GuardTest::IsNot(types) = test {
            return self.exclusion_filter(m, types).map(|filter| (filter, Vec::new()));
        }
        let GuardTest::Is(types) = test else { return None };
        let mut admits = Admits::default();
        for t in types {
            let inner = self.admits(m, t, 0);
            admits.merge(inner);
        }
        if self.names_protocol(&admits) {
            return None;
        }
        // Scalars, or project classes: not containers, which let any instance through.
        let filter = admits.type_filter().filter(|filter| !filter.containers)?;
        // An instance of each class stands for one the analysis does not see (an unknown
        // value, or one only known as an instance of a base), as after a `cast`.
        let standing = admits.classes.iter().map(|&class| Obj::Instance(class)).collect();
        Some((filter, standing))
    }

    /// What a place typed `expr` in `m` lets in, if that filters anything, and the objects
    /// standing for what it holds when nothing known is stored there: an instance of each
    /// class it names (project classes, asyncio's own), as an annotated parameter gets.
    pub(super) fn typed_place(&mut self, m: ModIdx, expr: &TypeExpr) -> Option<(TypeFilter, Vec<Obj>)> {
        let admits = self.admits(m, expr, 0);
        if self.names_protocol(&admits) {
            return None;
        }
        let filter = admits.type_filter()?;
        Some((filter, self.named_instances(&admits)))
    }

    /// What the branch where `isinstance(x, T)` is false keeps out: containers of the kinds
    /// every value of `T` covers (`Mapping` covers dicts), and instances of project classes
    /// derived from `T`. A helper that returns its argument unless it is a mapping (`if not
    /// isinstance(data, Mapping): return data`) otherwise hands every caller's dicts to
    /// every other caller.
    fn exclusion_filter(&mut self, m: ModIdx, types: &[TypeExpr]) -> Option<TypeFilter> {
        let mut exclusion = Exclusion::default();
        let mut classes = Vec::new();
        for t in types {
            let (TypeExpr::Name(path) | TypeExpr::Generic(path, _)) = t else { continue };
            // A name bound to several classes rules out only what each of them would.
            match self.modules.resolve_type(m, path).as_slice() {
                [Resolved::Class(class)] => classes.push(*class),
                [Resolved::External(path)] => exclusion.kinds |= container_kinds_of(path),
                _ => {}
            }
        }
        exclusion.classes = classes.into_boxed_slice();
        (exclusion.kinds != 0 || !exclusion.classes.is_empty())
            .then(|| TypeFilter { exclusion: Some(exclusion), ..TypeFilter::default() })
    }

    /// Whether a place annotated `expr` may hold an asyncio value (a Task, a Future, a
    /// coroutine, or a container or callable of them; anything unknown may): `False` for
    /// project classes, scalars, `None` and the loop.
    pub(super) fn may_hold_asyncio_values(&mut self, m: ModIdx, expr: &TypeExpr) -> bool {
        fn may(admits: &Admits) -> bool {
            admits.task
                || admits.future_like
                || admits.coroutine
                || admits.other
                || admits.callable
                || admits.returns_future_like
                || admits.elements.as_deref().is_some_and(may)
        }
        may(&self.admits(m, expr, 0))
    }

    /// What `cast(target, x)` rules out of what the analysis only assumes from annotations
    /// (a parameter's possible Future, a callable's possible Future result): a cast to a
    /// type that admits neither (`cast(SyncFilter, handler)` of a handler annotated
    /// sync-or-async) says the assumption does not hold here. Real Futures still pass.
    pub(super) fn cast_label(&mut self, m: ModIdx, target: &TypeExpr) -> Label {
        let admits = self.admits(m, target, 0);
        let assumes = admits.task || admits.future_like || admits.other || admits.returns_future_like;
        if assumes { NO_LABEL } else { ASSUMED_FUTURES_STOP }
    }

    /// Seeds `node` with the instances `admits` names (project classes, asyncio's own).
    fn seed_instances(&mut self, pending: &mut Pending, node: GNode, admits: &Admits) {
        let instances = self.named_instances(admits);
        pending.seeds.extend(instances.into_iter().map(|obj| (node, obj)));
    }

    /// An instance of each class `admits` names: project classes, asyncio's own.
    fn named_instances(&mut self, admits: &Admits) -> Vec<Obj> {
        let mut instances: Vec<Obj> = admits.classes.iter().map(|&class| Obj::Instance(class)).collect();
        for path in &admits.asyncio_instances {
            instances.push(Obj::ExternalInstance(self.path(path)));
        }
        instances
    }

    /// Whether `admits` names a `Protocol`, which an object satisfies by its shape: no
    /// filter by class then.
    fn names_protocol(&self, admits: &Admits) -> bool {
        admits.classes.iter().any(|&class| self.classes.is_protocol(class))
    }

    /// A container of its own at the annotated `node`, standing for one a caller passes
    /// (`jobs: list[Job]`): the node its elements go to, for a dict under any key (which
    /// reads by a constant key see too).
    fn standing_container(&mut self, pending: &mut Pending, node: GNode, mapping: bool) -> GNode {
        let (kind, slot) =
            if mapping { (ContainerKind::Dict, Part::Unkeyed) } else { (ContainerKind::List, Part::Values) };
        pending.seeds.push((node, Obj::Container(node, kind)));
        self.part_node(node, slot)
    }

    /// A place annotated with a `TypedDict` (`slot: Slot`), or the result of constructing
    /// one (`Slot(task=...)`): the dicts it holds need a Task under each key whose field is
    /// annotated as one (`task: asyncio.Task[None]`), also the fields the `TypedDict` inherits.
    pub(super) fn typed_dict_sinks(&mut self, class: GClass, node: GNode) {
        if !self.typed_dict_places.insert((node, class)) {
            return;
        }
        let fields = match self.typed_dict_fields.get(&class) {
            Some(fields) => fields.clone(),
            None => {
                let fields = self.typed_dict_task_fields(class);
                self.typed_dict_fields.insert(class, fields.clone());
                fields
            }
        };
        self.sinks.extend(fields.iter().map(|field| SinkRecord { node, ..field.clone() }));
    }

    /// The sinks of a `TypedDict`'s fields (and inherited ones) annotated as Tasks, for no
    /// place yet (`node` is [`NO_NODE`]): worked out once per class.
    fn typed_dict_task_fields(&mut self, class: GClass) -> Rc<[SinkRecord]> {
        let mut fields = Vec::new();
        for owner in self.classes.mro[class as usize].clone() {
            let (m, _) = self.modules.class(owner);
            let module = &self.modules.modules[m as usize];
            let (facts, class_base) = (module.facts.clone(), module.class_base);
            for (index, place) in facts.annotated.iter().enumerate() {
                let Place::Attribute { class: local, attr } = &place.place else { continue };
                if class_base + local != owner {
                    continue;
                }
                let paths = self.admits(m, &place.annotation, 0).task_paths();
                if paths.is_empty() {
                    continue;
                }
                let Some(key) = self.string_key(attr) else { continue };
                fields.extend(paths.into_iter().map(|path| SinkRecord {
                    module: m,
                    node: NO_NODE,
                    at: SinkAt::Annotation(index as u32),
                    kind: SinkKind::Attribute { class: owner, attr: attr.clone() },
                    path: std::iter::once(Part::Key(key)).chain(path.iter().copied()).collect(),
                }));
            }
        }
        fields.into()
    }

    /// Whether `cast(target, ...)` claims a Task.
    pub(super) fn casts_to_task(&mut self, m: ModIdx, target: &TypeExpr) -> bool {
        self.admits(m, target, 0).only_task()
    }

    /// What `cast(Job, x)` is taken to give, as an annotated parameter holds it: the
    /// instances it names, and the filter that keeps other project objects (and
    /// `Unknown`) out. `None` when it names no instances (or a protocol).
    pub(super) fn cast_instances(&mut self, m: ModIdx, target: &TypeExpr) -> Option<CastInstances> {
        let admits = self.admits(m, target, 0);
        if (admits.classes.is_empty() && admits.asyncio_instances.is_empty()) || self.names_protocol(&admits) {
            return None;
        }
        let seeds = self.named_instances(&admits);
        Some(CastInstances { filter: admits.type_filter(), seeds })
    }

    /// Whether the attribute at `place` has another declaration in its class that admits
    /// a plain Future (or, for a container of Tasks, a container of them): `_task:
    /// asyncio.Future | None` in the class body and `self._task: asyncio.Task | None` in
    /// `__init__`. Type checkers take one of them and report the other; the project says
    /// the attribute may hold a Future, so a Future stored there is no Task sink (a
    /// Task-only method called on what it holds still is).
    fn also_declared_future_like(&mut self, m: ModIdx, index: u32, place: &Place, whole: bool) -> bool {
        let Place::Attribute { class, attr } = place else { return false };
        let facts = self.modules.modules[m as usize].facts.clone();
        (facts.annotated.iter().enumerate())
            .filter(|(other, _)| *other as u32 != index)
            .filter(
                |(_, other)| matches!(&other.place, Place::Attribute { class: c, attr: a } if c == class && a == attr),
            )
            .any(|(_, other)| {
                let admits = self.admits(m, &other.annotation, 0);
                match whole {
                    true => admits.future_like,
                    false => admits.elements.as_ref().is_some_and(|elements| elements.future_like),
                }
            })
    }

    /// Whether `place` is a parameter of `create_task` in a subclass of asyncio's event loop.
    fn loop_create_task(&self, m: ModIdx, place: &Place) -> bool {
        let Place::Param { func, .. } = place else { return false };
        let module = &self.modules.modules[m as usize];
        let function = &module.facts.functions[*func as usize];
        let Some(class) = function.class.filter(|_| function.name.as_str() == "create_task") else { return false };
        self.classes.has_external_base(module.class_base + class, |path| {
            path.starts_with("asyncio.") && path.ends_with("EventLoop")
        })
    }

    pub(super) fn link_annotation(&mut self, m: ModIdx, index: u32, place: &AnnotatedPlace, pending: &mut Pending) {
        let module = &self.modules.modules[m as usize];
        let (nb, fb, cb) = (module.node_base, module.func_base, module.class_base);
        let admits = self.admits(m, &place.annotation, 0);
        if let Place::Return { func } = place.place {
            let facts = &self.modules.modules[m as usize].facts.functions[func as usize];
            if facts.is_generator {
                // A generator's return annotation says what it yields (`-> Iterator[Task]`).
                let yields = nb + facts.yields;
                let Some(elements) = admits.elements else { return };
                for path in elements.task_paths() {
                    let kind = SinkKind::Yield { func: fb + func };
                    self.sinks.push(SinkRecord { module: m, node: yields, at: SinkAt::Annotation(index), kind, path });
                }
                return;
            }
        }
        let (node, kind, is_param) = match &place.place {
            Place::Param { func, index } => {
                let Some(node) = place.node else { return };
                // `*tasks: Task` annotates each element of the tuple (and `**named: Task` each value).
                let kind =
                    self.modules.modules[m as usize].facts.functions[*func as usize].params[*index as usize].kind;
                let node = match kind {
                    ParamKind::VarArgs | ParamKind::KwArgs => self.part_node(nb + node, Part::Values),
                    _ => nb + node,
                };
                (node, SinkKind::Param { func: fb + func, index: *index }, true)
            }
            Place::Return { func } => {
                let Some(node) = place.node else { return };
                (nb + node, SinkKind::Return { func: fb + func }, false)
            }
            Place::Variable => {
                let Some(node) = place.node else { return };
                (nb + node, SinkKind::Variable, false)
            }
            Place::Attribute { class, attr } => {
                let id = self.name_id(attr);
                let node = self.attr_node(cb + class, id);
                (node, SinkKind::Attribute { class: cb + class, attr: attr.clone() }, false)
            }
        };
        let is_attribute = matches!(place.place, Place::Attribute { .. });
        // `jobs: list[Job]`: a list of its own, holding a `Job`, stands for an unknown one.
        let stands_in = (is_param || is_attribute)
            && admits.container_of_instances()
            && !admits.elements.as_deref().is_some_and(|elements| self.names_protocol(elements));
        // `jobs: asyncio.Queue[Job]`: a queue of its own stands for an unknown one.
        let holder_stands_in = (is_param || is_attribute).then(|| admits.only_holder()).flatten();
        if let Some(mut filter) = admits.type_filter()
            && !self.names_protocol(&admits)
        {
            filter.unknown &= !(stands_in || holder_stands_in.is_some());
            pending.type_filters.push((node, filter));
        }
        if stands_in && let Some(elements) = admits.elements.as_deref() {
            let values = self.standing_container(pending, node, admits.mapping);
            self.seed_instances(pending, values, elements);
        }
        if let Some(kind) = holder_stands_in {
            // What the caller's queue holds: the annotated instances, or anything.
            pending.seeds.push((node, Obj::Container(node, kind)));
            let values = self.part_node(node, Part::Values);
            match admits.elements.as_deref().filter(|e| e.only_instances()) {
                Some(elements) => self.seed_instances(pending, values, elements),
                None => pending.seeds.push((values, Obj::Unknown)),
            }
        }
        let mut paths = admits.task_paths();
        // An attribute also declared to admit a Future is no sink for what is stored.
        if !paths.is_empty()
            && is_attribute
            && self.also_declared_future_like(m, index, &place.place, admits.needs_task())
        {
            paths.clear();
        }
        let at = SinkAt::Annotation(index);
        for path in paths {
            self.sinks.push(SinkRecord { module: m, node, at, kind: kind.clone(), path });
        }
        for &class in &admits.typed_dicts {
            self.typed_dict_sinks(class, node);
        }
        if (is_param || is_attribute) && admits.elements_only_task() {
            // The container the caller passes (or the attribute holds) may never be seen:
            // one of its own stands for it, so stores through this place are checked.
            let kind = match (admits.mapping, admits.holder) {
                (true, _) => ContainerKind::Dict,
                (_, Some(kind)) => kind,
                _ => ContainerKind::List,
            };
            pending.seeds.push((node, Obj::Container(node, kind)));
        }
        let elements_future_like = admits.elements.as_ref().is_some_and(|elements| elements.future_like);
        if is_param && elements_future_like && !admits.future_like {
            // `futures: Iterable[Awaitable[T]]`: each element stands for a caller's Future,
            // in a container of its own that the parameter may hold.
            let elements = self.standing_container(pending, node, admits.mapping);
            pending.seeds.push((elements, Obj::ParamFuture(node)));
            self.element_future_params.insert(node);
        }
        if is_param || is_attribute {
            if is_param && admits.future_like && self.loop_create_task(m, &place.place) {
                // An event loop's own `create_task(coro: Awaitable[T])` keeps the loop's
                // contract, whatever its annotation says: its argument is a coroutine.
                pending.seeds.push((node, Obj::Coro(None)));
            } else if is_param && admits.future_like {
                pending.seeds.push((node, Obj::ParamFuture(node)));
                self.future_params.insert(node);
            }
            if is_param && admits.returns_future_like {
                pending.seeds.push((node, Obj::FutureFactory(node)));
                self.result_future_params.insert(node);
            }
            if is_param && admits.coroutine && !admits.future_like {
                pending.seeds.push((node, Obj::Coro(None)));
            }
            if admits.loop_ {
                pending.seeds.push((node, Obj::Loop));
            }
            // `stop: asyncio.Event`: one of asyncio's own, whose `wait()` is a coroutine.
            self.seed_instances(pending, node, &admits);
        }
    }
}
