//! What an edge or an annotated place lets through: the labels of guarded branches
//! (`isinstance`, `iscoroutine`, `isawaitable`, `iscoroutinefunction`) and the type filters
//! of annotations.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;
use tasklens_semantic::facts::ContainerKind;

use super::{Label, Solver};
use crate::objects::{GClass, GNode, Obj};

/// Drops plain Futures: the branch guarded by `isinstance(x, asyncio.Task)`.
pub(crate) const GUARD: Label = u32::MAX - 1;
/// Lets only what may be a coroutine through: the branch guarded by `iscoroutine(x)`.
pub(crate) const COROUTINES_ONLY: Label = u32::MAX - 2;
/// Lets only what may be awaited through: the branch guarded by `isawaitable(x)`.
pub(crate) const AWAITABLES_ONLY: Label = u32::MAX - 3;
/// Lets only what may be an `async def` function through: `iscoroutinefunction(x)`.
pub(crate) const COROUTINE_FUNCTIONS_ONLY: Label = u32::MAX - 4;

/// Drops what the analysis only assumes from annotations (`Obj::ParamFuture`,
/// `Obj::FutureFactory`): a `cast` to a type that admits no Future.
pub(crate) const ASSUMED_FUTURES_STOP: Label = u32::MAX - 6;

/// Drops coroutines: where `iscoroutine(x)` is false, or `isfuture(x)` true.
pub(crate) const NOT_COROUTINES: Label = u32::MAX - 7;

/// Drops plain Futures and coroutines: the branch guarded by `isinstance(x, asyncio.Task)`,
/// and the one where `isawaitable(x)` is false.
pub(crate) const NOT_FUTURES_OR_COROUTINES: Label = u32::MAX - 8;

/// Drops `async def` functions: where `iscoroutinefunction(x)` is false.
pub(crate) const NOT_COROUTINE_FUNCTIONS: Label = u32::MAX - 9;

/// Several tests on one way (an `elif` after others): what each rules out, as a mask
/// ([`NO_FUTURES`], [`NO_COROUTINES`], [`NO_COROUTINE_FUNCTIONS`],
/// [`NO_THREAD_FUTURES`], [`NO_TASKS`]) below this label.
const RULED_OUT: Label = u32::MAX - 32;
/// The widest mask of [`RULED_OUT`].
const ALL_RULED_OUT: u32 = 31;
pub(crate) const NO_FUTURES: u32 = 1;
pub(crate) const NO_COROUTINES: u32 = 2;
pub(crate) const NO_COROUTINE_FUNCTIONS: u32 = 4;
/// No `concurrent.futures.Future`: where `isinstance(x, asyncio.Future)` holds.
pub(crate) const NO_THREAD_FUTURES: u32 = 8;
/// No asyncio Task: where `isinstance(x, asyncio.Task)` fails, and the other tests
/// `Solver::guard_stops_tasks` takes (a single `not isawaitable(x)` keeps its own label,
/// which lets Tasks through).
pub(crate) const NO_TASKS: u32 = 16;

/// The label of a way where the tests rule out what `mask` says (nothing: no label).
pub(crate) fn ruled_out(mask: u32) -> Label {
    match mask & ALL_RULED_OUT {
        0 => super::NO_LABEL,
        NO_FUTURES => GUARD,
        NO_COROUTINES => NOT_COROUTINES,
        NO_COROUTINE_FUNCTIONS => NOT_COROUTINE_FUNCTIONS,
        mask if mask == NO_FUTURES | NO_COROUTINES => NOT_FUTURES_OR_COROUTINES,
        mask => RULED_OUT - mask,
    }
}

/// Whether a label names a hop to show in a trace (not a guard, not nothing).
pub(crate) fn is_shown(label: Label) -> bool {
    label < RULED_OUT - ALL_RULED_OUT
}

/// A node without a type filter.
pub(super) const NO_FILTER: u32 = u32::MAX;

/// What an annotated place lets in of the project's own objects (see [`Solver::admitted`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeFilter {
    /// Instances of these classes and their subclasses.
    pub classes: Box<[GClass]>,
    /// Instances of project classes derived from an outside class (a `str` subclass).
    pub outside_instances: bool,
    /// Containers, and any instance or class (which may implement the container protocols).
    pub containers: bool,
    /// `Unknown`: an unknown container given there is one (see `containers`), unless the
    /// place has a container of its own standing for it.
    pub unknown: bool,
    /// A filter that keeps out only these and lets everything else in (the other fields
    /// are then unused): the branch where `isinstance(x, T)` does not hold.
    pub exclusion: Option<Exclusion>,
}

/// What the branch where `isinstance(x, T)` is false rules out: containers of the kinds
/// `T` surely covers, and instances of project classes derived from `T`; or, where
/// `isinstance(x, T)` holds for a class `T` from outside, the instances of project classes
/// that derive from nothing outside but builtins, `typing`, ABCs and enums.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Exclusion {
    /// A bit per [`ContainerKind`] (see [`kind_bit`]).
    pub kinds: u16,
    pub classes: Box<[GClass]>,
    /// Instances of project classes that cannot be an outside class's.
    pub own_instances: bool,
}

/// The bit of a container kind in [`Exclusion::kinds`].
pub(crate) fn kind_bit(kind: ContainerKind) -> u16 {
    1 << (kind as u16)
}

impl TypeFilter {
    /// What several filters on one node admit: what any of them does.
    fn merge(&mut self, other: TypeFilter) {
        self.exclusion = match (self.exclusion.take(), other.exclusion) {
            (Some(a), Some(b)) => Some(Exclusion {
                kinds: a.kinds & b.kinds,
                classes: a.classes.iter().filter(|c| b.classes.contains(c)).copied().collect(),
                own_instances: a.own_instances && b.own_instances,
            }),
            // An exclusion and an admission together: let everything in.
            (Some(_), None) | (None, Some(_)) => Some(Exclusion::default()),
            (None, None) => None,
        };
        self.classes = self.classes.iter().chain(other.classes.iter()).copied().collect();
        self.outside_instances |= other.outside_instances;
        self.containers |= other.containers;
        self.unknown |= other.unknown;
    }
}

impl Solver {
    /// Whether an edge with `label` lets `value` through: guarded branches keep out what
    /// their test rules out.
    pub(super) fn guard_lets_through(&self, label: Label, value: Obj) -> bool {
        match label {
            GUARD => !value.is_plain_future(),
            COROUTINES_ONLY => self.may_be_coroutine(value),
            NOT_COROUTINES => !self.is_surely_coroutine(value),
            NOT_FUTURES_OR_COROUTINES => !value.is_plain_future() && !self.is_surely_coroutine(value),
            NOT_COROUTINE_FUNCTIONS => !self.is_coroutine_function(value),
            label if (RULED_OUT - ALL_RULED_OUT..RULED_OUT).contains(&label) => {
                let mask = RULED_OUT - label;
                let ruled_out = |bit: u32| mask & bit != 0;
                !((ruled_out(NO_FUTURES) && value.is_plain_future())
                    || (ruled_out(NO_COROUTINES) && self.is_surely_coroutine(value))
                    || (ruled_out(NO_COROUTINE_FUNCTIONS) && self.is_coroutine_function(value))
                    || (ruled_out(NO_THREAD_FUTURES) && self.is_thread_future(value))
                    || (ruled_out(NO_TASKS) && matches!(value, Obj::Task(_))))
            }
            AWAITABLES_ONLY => self.may_be_awaitable(value),
            COROUTINE_FUNCTIONS_ONLY => self.may_be_coroutine_function(value),
            super::init_stores::SITELESS => super::init_stores::is_siteless(value),
            ASSUMED_FUTURES_STOP => !matches!(value, Obj::ParamFuture(_) | Obj::FutureFactory(_)),
            _ => true,
        }
    }

    /// Whether the type filter of `node`, if any, lets `value` in.
    pub(super) fn filter_lets_in(&self, node: GNode, value: Obj) -> bool {
        match self.type_filters.get(node as usize) {
            Some(&filter) if filter != NO_FILTER => self.admitted(filter, value),
            _ => true,
        }
    }

    /// Whether an annotated place lets `value` in. The annotation is trusted only about
    /// the project's own objects: asyncio values and outside objects always pass, so a
    /// Future is followed whatever a wrong annotation says. What it keeps out is what a
    /// context-insensitive analysis merges in from other callers: an instance of an
    /// unrelated class, a container, a function. `Unknown` passes only into containers:
    /// an unknown value given as a `Job` is one of the `Job`s whose attributes the project
    /// writes (the annotation's own instance stands for it), and one given as a `str` is
    /// nothing to follow.
    fn admitted(&self, filter: u32, value: Obj) -> bool {
        let filter = &self.filter_classes[filter as usize];
        if let Some(exclusion) = &filter.exclusion {
            return match value {
                Obj::Container(_, kind) => exclusion.kinds & kind_bit(kind) == 0,
                Obj::Instance(class) => {
                    let mro = &self.classes.mro[class as usize];
                    !exclusion.classes.iter().any(|c| mro.contains(c))
                        && (!exclusion.own_instances || self.classes.may_be_outside_instance(class))
                }
                _ => true,
            };
        }
        match value {
            Obj::Instance(class) => {
                let mro = &self.classes.mro[class as usize];
                filter.containers
                    || filter.classes.iter().any(|c| mro.contains(c))
                    || (filter.outside_instances && self.classes.external_base[class as usize])
            }
            Obj::Container(..) | Obj::View(..) => filter.containers,
            Obj::Class(class) => filter.containers && self.classes.external_base[class as usize],
            Obj::Function(_) | Obj::Bound(_) | Obj::Partial(_) | Obj::Module(_) => false,
            Obj::Unknown => filter.unknown,
            _ => true,
        }
    }

    /// Whether `inspect.isawaitable` may be true of the value: not of a function, class,
    /// module or container, nor of an instance of a project class without `__await__`, nor
    /// of a `concurrent.futures.Future`.
    fn may_be_awaitable(&self, value: Obj) -> bool {
        match value {
            Obj::Future(site) => !self.thread_futures.contains(&site),
            Obj::Instance(class) => {
                self.classes.external_base[class as usize]
                    || self.classes.find_method(&self.modules, class, "__await__").is_some()
            }
            Obj::Function(_)
            | Obj::Bound(_)
            | Obj::Partial(_)
            | Obj::Class(_)
            | Obj::Module(_)
            | Obj::Container(..)
            | Obj::View(..)
            | Obj::FutureFactory(_) => false,
            _ => true,
        }
    }

    /// Whether `inspect.iscoroutinefunction` may be true of the value: an `async def`
    /// (not an async generator), or something the analysis does not follow.
    fn may_be_coroutine_function(&self, value: Obj) -> bool {
        match value {
            Obj::Function(func) | Obj::Bound(func) => {
                let facts = self.modules.func(func).1;
                facts.is_async && !facts.is_generator
            }
            Obj::Partial(_) | Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => true,
            Obj::Instance(class) => self.classes.external_base[class as usize],
            _ => false,
        }
    }

    /// Whether it is a `concurrent.futures.Future` (an executor's `submit`...).
    fn is_thread_future(&self, value: Obj) -> bool {
        matches!(value, Obj::Future(site) if self.thread_futures.contains(&site))
    }

    /// Whether it is an `async def` function of the project (or a method read from an instance).
    fn is_coroutine_function(&self, value: Obj) -> bool {
        match value {
            Obj::Function(func) | Obj::Bound(func) => self.modules.func(func).1.makes_coroutine(),
            _ => false,
        }
    }

    /// Whether `asyncio.iscoroutine` accepts it whatever it is: a coroutine, or an instance
    /// of a project class it accepts.
    fn is_surely_coroutine(&self, value: Obj) -> bool {
        match value {
            Obj::Instance(class) => self.classes.coroutine[class as usize],
            other => other.is_coroutine(),
        }
    }

    /// Whether `asyncio.iscoroutine` may be true of the value.
    fn may_be_coroutine(&self, value: Obj) -> bool {
        match value {
            Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => true,
            Obj::Instance(class) => {
                self.classes.external_base[class as usize] || self.classes.coroutine[class as usize]
            }
            other => other.is_coroutine(),
        }
    }

    /// `cast(Job, x)` found to be typing's: its result holds a `Job`, and lets in what an
    /// annotated place does. Set while solving, before anything reaches the result.
    pub(super) fn cast_result(&mut self, result: GNode, instances: super::annotations::CastInstances) {
        if let Some(filter) = instances.filter {
            if self.type_filters.len() <= result as usize {
                self.type_filters.resize(result as usize + 1, NO_FILTER);
            }
            if self.type_filters[result as usize] == NO_FILTER {
                self.type_filters[result as usize] = self.filter_classes.len() as u32;
                self.filter_classes.push(filter);
            }
        }
        for seed in instances.seeds {
            self.seed(result, seed);
        }
    }

    /// A new node that lets in what `filter` admits.
    pub(super) fn filtered_node(&mut self, filter: TypeFilter) -> GNode {
        let node = self.new_node();
        if self.type_filters.len() <= node as usize {
            self.type_filters.resize(node as usize + 1, NO_FILTER);
        }
        self.type_filters[node as usize] = self.filter_classes.len() as u32;
        self.filter_classes.push(filter);
        node
    }

    /// Installs the annotated places' filters (several on one node admit what any admits).
    pub(super) fn freeze_type_filters(&mut self, filters: Vec<(GNode, TypeFilter)>) {
        let mut by_node: FxHashMap<GNode, TypeFilter> = FxHashMap::default();
        for (node, filter) in filters {
            match by_node.entry(node) {
                Entry::Occupied(mut merged) => merged.get_mut().merge(filter),
                Entry::Vacant(vacant) => {
                    vacant.insert(filter);
                }
            }
        }
        if by_node.is_empty() {
            return;
        }
        self.type_filters = vec![NO_FILTER; self.sets.len()];
        let mut nodes: Vec<(GNode, TypeFilter)> = by_node.into_iter().collect();
        nodes.sort_unstable_by_key(|(node, _)| *node);
        for (node, filter) in nodes {
            self.type_filters[node as usize] = self.filter_classes.len() as u32;
            self.filter_classes.push(filter);
        }
    }
}
