//! Annotations put to use (what one admits is `admits.rs`): which places need a Task
//! (sinks), which parameters may hold a plain Future, an event loop or a project class
//! (seeds), what of the project's own objects an annotated place or a guarded branch lets
//! in (type filters), and what a `cast` claims.

use std::rc::Rc;

use tasklens_semantic::facts::{
    AnnotatedPlace, ContainerKind, GuardTest, ParamKind, Part, Place, PredicateCallee, TypeExpr,
};

use super::admits::Admits;
use super::filters::{Exclusion, kind_bit};
use super::link::{Pending, SinkAt, SinkKind, SinkRecord};
use super::{ASSUMED_FUTURES_STOP, Label, NO_LABEL, NO_NODE, Solver, TypeFilter};
use crate::modules::Resolved;
use crate::objects::{GClass, GNode, ModIdx, Obj};

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

/// See [`Solver::cast_instances`].
#[derive(Clone, Debug)]
pub(crate) struct CastInstances {
    pub filter: Option<super::TypeFilter>,
    pub seeds: Vec<Obj>,
}

impl Solver {
    /// Whether a guarded branch excludes plain Futures: `isinstance(x, asyncio.Task)`,
    /// the `else` of `isinstance(x, asyncio.Future)`, `iscoroutine(x)`...
    pub(super) fn guard_stops_futures(&mut self, m: ModIdx, test: &GuardTest) -> bool {
        match test {
            GuardTest::NotFuture | GuardTest::Coroutine | GuardTest::NotAwaitable => true,
            GuardTest::Awaitable
            | GuardTest::CoroutineFunction
            | GuardTest::NotCoroutineFunction
            | GuardTest::NotCoroutine => false,
            GuardTest::Is(types) => {
                types.iter().any(|t| self.admits(m, t, 0).only_task())
                    || types.iter().all(|t| self.excludes_futures(m, t))
            }
            GuardTest::IsNot(types) => types.iter().any(|t| self.admits(m, t, 0).future_like),
            GuardTest::AnyOf(alternatives) => {
                alternatives.iter().all(|tests| tests.iter().any(|test| self.guard_stops_futures(m, test)))
            }
            GuardTest::Predicate { callee, holds } => match self.predicate_tests(m, callee, *holds) {
                Some((owner, tests)) => tests.iter().any(|test| self.guard_stops_futures(owner, test)),
                None => false,
            },
        }
    }

    /// Whether a guarded branch rules `concurrent.futures` Futures out: where
    /// `isinstance(x, asyncio.Future)` holds (or of any type a Future is not an instance
    /// of), and where `isinstance(x, concurrent.futures.Future)` does not.
    pub(super) fn guard_stops_thread_futures(&mut self, m: ModIdx, test: &GuardTest) -> bool {
        let names_asyncio = |solver: &mut Self, t: &TypeExpr| {
            solver.every_type_is(m, t, |_, resolved| {
                matches!(resolved, Resolved::External(path) if crate::asyncio_api::split(&path).0 == "asyncio")
            })
        };
        match test {
            GuardTest::Is(types) => types.iter().all(|t| names_asyncio(self, t) || self.excludes_futures(m, t)),
            GuardTest::IsNot(types) => types.iter().any(|t| {
                self.every_type_is(m, t, |_, resolved| {
                    matches!(resolved, Resolved::External(path) if crate::asyncio_api::makes_thread_future(&path))
                })
            }),
            _ => false,
        }
    }

    /// Whether a guarded branch rules asyncio Tasks out: where `isinstance(x, T)` fails for
    /// a `T` every Task is an instance of (`asyncio.Task`, `asyncio.Future`, `Awaitable`),
    /// where it holds for types no Task is (a project class of no outside base, a builtin,
    /// `concurrent.futures.Future`), where `isfuture(x)` or `isawaitable(x)` fails, or where
    /// `iscoroutine(x)` holds.
    pub(super) fn guard_stops_tasks(&mut self, m: ModIdx, test: &GuardTest) -> bool {
        match test {
            GuardTest::NotFuture | GuardTest::NotAwaitable | GuardTest::Coroutine => true,
            GuardTest::Is(types) => types.iter().all(|t| self.excludes_futures(m, t)),
            GuardTest::IsNot(types) => types.iter().any(|t| {
                self.every_type_is(m, t, |_, resolved| {
                    matches!(resolved, Resolved::External(path) if matches!(
                        crate::asyncio_api::split(&path),
                        ("asyncio", "Task" | "Future") | ("typing" | "typing_extensions" | "collections", "Awaitable")
                    ))
                })
            }),
            GuardTest::AnyOf(alternatives) => {
                alternatives.iter().all(|tests| tests.iter().any(|test| self.guard_stops_tasks(m, test)))
            }
            GuardTest::Predicate { callee, holds } => match self.predicate_tests(m, callee, *holds) {
                Some((owner, tests)) => tests.iter().any(|test| self.guard_stops_tasks(owner, test)),
                None => false,
            },
            _ => false,
        }
    }

    /// Whether a guarded branch rules coroutines out: `isinstance(x, asyncio.Task)`,
    /// `isinstance(x, int)`, `isinstance(x, Job)` (a project class of no outside base), where
    /// `isfuture(x)` holds or `isawaitable(x)` does not.
    pub(super) fn guard_stops_coroutines(&mut self, m: ModIdx, test: &GuardTest) -> bool {
        match test {
            GuardTest::NotCoroutine | GuardTest::NotAwaitable => true,
            GuardTest::Is(types) => {
                types.iter().any(|t| self.admits(m, t, 0).only_task())
                    || types.iter().all(|t| self.excludes_coroutines(m, t))
            }
            _ => false,
        }
    }

    /// Whether no coroutine is an instance of `expr`. A coroutine's class derives from
    /// `object` alone, so only the abstract types that recognise it by its methods
    /// (`Awaitable`, `Coroutine`, `Hashable`...) and `object` admit one: a project class of
    /// no outside base, a builtin other than `object`, or a class of a third-party package
    /// (twisted's `Deferred`) does not.
    fn excludes_coroutines(&mut self, m: ModIdx, expr: &TypeExpr) -> bool {
        self.every_type_is(m, expr, |solver, resolved| match resolved {
            Resolved::Class(class) => {
                !solver.classes.external_base[class as usize] && !solver.classes.coroutine[class as usize]
            }
            Resolved::External(path) => match crate::asyncio_api::split(&path) {
                ("builtins", last) => last != "object",
                ("typing" | "typing_extensions" | "collections" | "types" | "abc" | "inspect", _) => false,
                // asyncio's Task and Future, and its other classes: never a coroutine.
                (_, last) => !matches!(last, "object" | "Awaitable" | "Coroutine" | "Hashable" | "Any"),
            },
            _ => false,
        })
    }

    /// Whether every type `expr` may name passes `test`: `None` does, an expression that
    /// names no type does not.
    fn every_type_is(&mut self, m: ModIdx, expr: &TypeExpr, test: impl Fn(&Self, Resolved) -> bool) -> bool {
        let path = match expr {
            TypeExpr::Name(path) | TypeExpr::Generic(path, _) => path,
            TypeExpr::None => return true,
            _ => return false,
        };
        let alternatives = self.modules.resolve_type(m, path);
        alternatives.into_iter().all(|resolved| test(self, resolved))
    }

    /// What holds of the argument where a call of `callee` (named in `m`) comes out `holds`,
    /// when it names a predicate function of the project, with the module its types are
    /// spelled in. A method called on its class is the one the class's MRO finds; one called
    /// on `self` too, when every override below it tests the same way.
    pub(super) fn predicate_tests(
        &mut self,
        m: ModIdx,
        callee: &PredicateCallee,
        holds: bool,
    ) -> Option<(ModIdx, Vec<GuardTest>)> {
        let funcs = match callee {
            PredicateCallee::Dotted(path) => match self.modules.resolve_dotted(m, path) {
                Resolved::Function(func) => vec![func],
                // `Checks.is_task(x)`: the method the class's MRO finds.
                _ => {
                    let (name, owner) = path.split_last()?;
                    let Resolved::Class(class) = self.modules.resolve_dotted(m, owner) else { return None };
                    vec![self.classes.find_method(&self.modules, class, name)?]
                }
            },
            PredicateCallee::Method { class, name } => {
                let class = self.modules.modules[m as usize].class_base + class;
                let found = self.classes.find_method(&self.modules, class, name)?;
                let mut funcs = self.classes.overrides(&self.modules, class, name);
                funcs.push(found);
                funcs
            }
        };
        let predicate = |func| self.modules.func(func).1.predicate.as_deref();
        let first = predicate(funcs[0])?;
        if funcs.iter().any(|&func| predicate(func) != Some(first)) {
            return None;
        }
        let tests = if holds { &first.when_true } else { &first.when_false };
        // Types are read where the predicate is written (overrides test the same way).
        Some((self.modules.func(funcs[0]).0, tests.clone()))
    }

    /// Whether no plain Future is an instance of `expr` (`isinstance(x, str)` is false for
    /// every Future): project classes that do not derive from an outside class, and
    /// well-known types a Future does not implement.
    fn excludes_futures(&mut self, m: ModIdx, expr: &TypeExpr) -> bool {
        self.every_type_is(m, expr, |solver, resolved| match resolved {
            Resolved::Class(class) => !solver.classes.external_base[class as usize],
            Resolved::External(path) => crate::asyncio_api::excludes_futures(&path),
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
        if !types.is_empty() && types.iter().all(|t| self.names_outside_class(m, t)) {
            let exclusion = Exclusion { own_instances: true, ..Exclusion::default() };
            return Some((TypeFilter { exclusion: Some(exclusion), ..TypeFilter::default() }, Vec::new()));
        }
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

    /// Whether `expr` names only classes from outside the project that no project class
    /// is an instance of unless it derives from one (`fsspec.AsyncFileSystem`,
    /// `pathlib.Path`): not builtins, `typing` constructs, ABCs, enums, nor asyncio's and
    /// `concurrent.futures`' own classes, which other filters judge.
    fn names_outside_class(&mut self, m: ModIdx, expr: &TypeExpr) -> bool {
        if matches!(expr, TypeExpr::None) {
            return false;
        }
        self.every_type_is(m, expr, |_, resolved| match resolved {
            Resolved::External(path) => !matches!(
                crate::asyncio_api::split(&path).0,
                "builtins"
                    | "typing"
                    | "typing_extensions"
                    | "collections"
                    | "abc"
                    | "enum"
                    | "types"
                    | "inspect"
                    | "numbers"
                    | "asyncio"
                    | "concurrent"
            ),
            _ => false,
        })
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
                let admits = self.admits(m, &place.annotation, 0);
                let paths = admits.task_paths();
                if paths.is_empty() {
                    continue;
                }
                let Some(key) = self.string_key(attr) else { continue };
                fields.extend(paths.into_iter().map(|path| SinkRecord {
                    module: m,
                    node: NO_NODE,
                    at: SinkAt::Annotation(index as u32),
                    kind: SinkKind::Attribute { class: owner, attr: attr.clone() },
                    takes_coroutine: admits.takes_coroutine(&path),
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
                    let takes_coroutine = elements.takes_coroutine(&path);
                    let at = SinkAt::Annotation(index);
                    self.sinks.push(SinkRecord { module: m, node: yields, at, kind, path, takes_coroutine });
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
            let takes_coroutine = admits.takes_coroutine(&path);
            self.sinks.push(SinkRecord { module: m, node, at, kind: kind.clone(), path, takes_coroutine });
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
