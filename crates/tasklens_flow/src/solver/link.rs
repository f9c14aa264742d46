//! Linking: turns every module's facts into one project-wide graph of edges,
//! complex constraints, seeds and sinks.

use std::borrow::Cow;

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{Binding, Constraint, DictKey, GuardTest, KeyId, Part, Place, Seed};

use super::classes::ClassTable;
use super::{
    AWAITABLES_ONLY, COROUTINE_FUNCTIONS_ONLY, COROUTINES_ONLY, CallbackArgument, CallbackCaller, Complex, Edge, Label,
    NO_LABEL, NOT_COROUTINE_FUNCTIONS, NOT_COROUTINES, NOT_FUTURES_OR_COROUTINES, Solver,
};
use crate::asyncio_api::LOOP_ONLY_METHODS;
use crate::modules::{Modules, Resolved};
use crate::objects::{GClass, GFunc, GNode, GSite, Interner, ModIdx, Obj, ObjSet, PathId};

/// What a constant dict key is, project-wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KeyIdentity {
    Str(super::NameId),
    /// A module-level variable (not bound to a string literal).
    Variable(GNode),
    Function(GFunc),
    Class(GClass),
    Module(ModIdx),
    External(PathId),
}

/// A place that needs a Task.
#[derive(Clone, Debug)]
pub(crate) struct SinkRecord {
    pub module: ModIdx,
    pub node: GNode,
    /// Where it is shown (resolved to a range by the report).
    pub at: SinkAt,
    pub kind: SinkKind,
    /// Where the Task is needed in what `node` holds: empty for the values at `node`
    /// themselves, else the slots of the containers there, one step after another
    /// (`[Values]` for `list[Task]`, `[Key(k)]` for a `TypedDict` field, `[Values,
    /// Index(1)]` for `list[tuple[str, Task]]`).
    pub path: SinkPath,
    /// The annotation also admits a coroutine there (`Coroutine[Any, Any, T] | Task[T]`)
    /// or something unknown: no sink for coroutines (TL018).
    pub takes_coroutine: bool,
}

/// The slots a sink's Task is needed in ([`SinkRecord::path`]).
pub(crate) type SinkPath = Box<[Part]>;

impl SinkRecord {
    /// The Task is needed in what a container holds, not as the value itself.
    pub fn in_elements(&self) -> bool {
        self.path.iter().any(|part| !matches!(part, Part::Key(_)))
    }
}

/// The fact a sink comes from, by index in its module's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SinkAt {
    Annotation(u32),
    TaskMethodCall(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SinkKind {
    /// A method only Tasks have: a sink for plain Futures and coroutines.
    TaskMethod(Name),
    /// A method every Future has: a sink for coroutines only.
    FutureMethod(Name),
    Return {
        func: GFunc,
    },
    /// The return annotation of a generator, for what it yields (`-> Iterator[Task]`).
    Yield {
        func: GFunc,
    },
    Param {
        func: GFunc,
        index: u32,
    },
    Variable,
    Attribute {
        class: GClass,
        attr: Name,
    },
}

/// Static parts collected before the graph is frozen into arrays.
pub(super) struct Pending {
    pub edges: Vec<(GNode, Edge)>,
    pub complex: Vec<(GNode, u32)>,
    pub seeds: Vec<(GNode, Obj)>,
    pub super_calls: Vec<(GSite, GClass, Name, GNode)>,
    /// Places annotated with project classes only, and those classes (see [`Solver::type_filters`]).
    pub type_filters: Vec<(GNode, super::TypeFilter)>,
}

impl Pending {
    pub(super) fn edge(&mut self, from: GNode, to: GNode, label: Label) {
        self.edges.push((from, Edge { to, label }));
    }
}

pub(crate) fn link(mut modules: Modules) -> Solver {
    let classes = ClassTable::build(&mut modules);
    let static_nodes = modules.node_count;
    let mut solver = Solver {
        objs: Interner::default(),
        paths: Interner::default(),
        dict_keys: Interner::default(),
        module_keys: Vec::new(),
        sets: vec![ObjSet::Empty; static_nodes as usize],
        static_nodes,
        edge_start: Vec::new(),
        edges: Vec::new(),
        complex_start: Vec::new(),
        complex_ids: Vec::new(),
        complex: Vec::new(),
        dyn_index: vec![super::NO_LIST; static_nodes as usize],
        dyn_lists: Vec::new(),
        dyn_edge_set: FxHashSet::default(),
        worklist: Default::default(),
        preds: FxHashMap::default(),
        dyn_hops: Vec::new(),
        attr_nodes: FxHashMap::default(),
        names: Interner::default(),
        part_nodes: FxHashMap::default(),
        applied: FxHashSet::default(),
        passed_to_wrapped: FxHashSet::default(),
        escaped: FxHashSet::default(),
        loop_callbacks: FxHashSet::default(),
        coroutine_callbacks: FxHashSet::default(),
        returning_callbacks: FxHashSet::default(),
        partial_callbacks: FxHashSet::default(),
        plain_callback_sites: FxHashMap::default(),
        callback_arguments: FxHashSet::default(),
        done_callback_receivers: FxHashMap::default(),
        done_callbacks: Vec::new(),
        done_callback_params: FxHashMap::default(),
        thread_futures: FxHashSet::default(),
        thread_future_methods: Vec::new(),
        patched_methods: FxHashSet::default(),
        thread_targets: FxHashSet::default(),
        exit_sites: FxHashSet::default(),
        loop_bound_sites: FxHashMap::default(),
        new_loop_sites: FxHashSet::default(),
        timeout_sites: FxHashSet::default(),
        timeout_error_rebound: FxHashSet::default(),
        exit_targets: FxHashSet::default(),
        executor_thread_sites: FxHashSet::default(),
        run_sites: FxHashMap::default(),
        cast_instances: FxHashMap::default(),
        ensure_future_results: FxHashMap::default(),
        executor_initializer_sites: FxHashSet::default(),
        classes,
        sinks: Vec::new(),
        ensure_future_sites: FxHashMap::default(),
        wait_sites: FxHashMap::default(),
        task_argument_sites: FxHashMap::default(),
        awaitable_argument_sites: FxHashSet::default(),
        main_coroutine_sites: FxHashMap::default(),
        awaited_arguments: FxHashMap::default(),
        gather_sites: FxHashMap::default(),
        future_results: FxHashMap::default(),
        removed_loop_sites: FxHashMap::default(),
        newer_api_sites: FxHashMap::default(),
        patched_externals: FxHashSet::default(),
        patched_modules: FxHashSet::default(),
        outside_callback_callees: FxHashMap::default(),
        result_runner_sites: FxHashSet::default(),
        awaited_thread_coroutines: FxHashSet::default(),
        as_completed_sites: FxHashSet::default(),
        gathering_sites: FxHashSet::default(),
        newer_keyword_sites: FxHashMap::default(),
        kept_tasks: FxHashSet::default(),
        widened_tasks: FxHashMap::default(),
        loop_made_tasks: FxHashMap::default(),
        current_tasks: FxHashMap::default(),
        tasks_made_of: FxHashMap::default(),
        kept_containers: FxHashSet::default(),
        summarised: FxHashMap::default(),
        protocol_reads: FxHashSet::default(),
        setter_cache: FxHashMap::default(),
        nesting: 0,
        deferred: Vec::new(),
        growth: super::Growth::UNBOUNDED,
        task_casts: FxHashSet::default(),
        cast_labels: FxHashMap::default(),
        partial_calls: FxHashMap::default(),
        running_loop_sites: FxHashSet::default(),
        first_callee: FxHashMap::default(),
        several_callees: FxHashSet::default(),
        current_loop_sites: FxHashSet::default(),
        loop_asking_arguments: FxHashMap::default(),
        masked_casts: Vec::new(),
        loop_method_calls: Vec::new(),
        pass_through: FxHashMap::default(),
        bound: FxHashSet::default(),
        wrapped_ensure_future: FxHashMap::default(),
        coro_bindings: FxHashMap::default(),
        future_params: FxHashSet::default(),
        element_future_params: FxHashSet::default(),
        result_future_params: FxHashSet::default(),
        dispatch_cache: FxHashMap::default(),
        outside_imports: FxHashSet::default(),
        attribute_cache: FxHashMap::default(),
        class_attributes: vec![None; modules.class_count as usize],
        intercepts: vec![None; modules.class_count as usize],
        typed_dict_places: FxHashSet::default(),
        typed_dict_fields: FxHashMap::default(),
        type_filters: Vec::new(),
        filter_classes: Vec::new(),
        init: Default::default(),
        generics: Default::default(),
        modules,
    };
    // Object 0 is always `Unknown`.
    solver.obj(Obj::Unknown);
    let mut pending = Pending {
        edges: Vec::new(),
        complex: Vec::new(),
        seeds: Vec::new(),
        super_calls: Vec::new(),
        type_filters: Vec::new(),
    };
    solver.link_dict_keys();
    // Parameter stores of every `__init__` first: class-body stores of the same attributes
    // go to their direct nodes.
    let summarised: Vec<FxHashSet<u32>> =
        (0..solver.modules.modules.len() as ModIdx).map(|m| solver.link_init_stores(m)).collect();
    for m in 0..solver.modules.modules.len() as ModIdx {
        solver.link_generic_attributes(m);
    }
    for (m, summarised) in summarised.iter().enumerate() {
        solver.link_module(m as ModIdx, summarised, &mut pending);
    }
    solver.link_fixtures(&mut pending);
    solver.inherit_return_sinks();
    solver.freeze(pending)
}

impl Solver {
    /// A method without a return annotation that overrides one annotated `-> Task` makes
    /// the same promise: what it returns must be a Task (callers go through the base).
    fn inherit_return_sinks(&mut self) {
        let promised: FxHashMap<GFunc, SinkRecord> = self
            .sinks
            .iter()
            .filter_map(|sink| match sink.kind {
                SinkKind::Return { func } => Some((func, sink.clone())),
                _ => None,
            })
            .collect();
        if promised.is_empty() {
            return;
        }
        let mut annotated: FxHashSet<GFunc> = FxHashSet::default();
        for module in &self.modules.modules {
            for place in &module.facts.annotated {
                if let Place::Return { func } = place.place {
                    annotated.insert(module.func_base + func);
                }
            }
        }
        let mut inherited = Vec::new();
        for class in 0..self.modules.class_count {
            let (m, facts) = self.modules.class(class);
            let func_base = self.modules.modules[m as usize].func_base;
            for (name, local) in &facts.methods {
                let func = func_base + local;
                if annotated.contains(&func) {
                    continue;
                }
                let overridden = self.classes.find_method_from(&self.modules, class, name, 1);
                if let Some(sink) = overridden.and_then(|base| promised.get(&base)) {
                    inherited.push(SinkRecord { node: self.ret_node(func), ..sink.clone() });
                }
            }
        }
        self.sinks.extend(inherited);
    }

    fn link_module(&mut self, m: ModIdx, summarised: &FxHashSet<u32>, pending: &mut Pending) {
        let module = &self.modules.modules[m as usize];
        let facts = module.facts.clone();
        let (nb, fb, cb, sb, hb) =
            (module.node_base, module.func_base, module.class_base, module.site_base, module.hop_base);
        let label = |hop: &Option<u32>| hop.map_or(NO_LABEL, |h| hb + h);
        // What a star import binds resolves; an unbound name is the builtin.
        if facts.timeout_error_starred
            && !matches!(self.modules.resolve_global(m, &Name::new_static("TimeoutError")), Resolved::Unknown)
        {
            self.timeout_error_rebound.insert(m);
        }
        // Each module refers to the same few names many times: translate once.
        let names: Vec<super::NameId> = facts.names.iter().map(|name| self.name_id(name)).collect();
        let mut globals: Vec<Option<Resolved>> = vec![None; facts.names.len()];
        // Annotated parameters and variables by node, when some class has generic attributes
        // (reads through them get the annotation's binding).
        let annotations: FxHashMap<u32, usize> = match self.generics_declared() {
            false => FxHashMap::default(),
            true => (facts.annotated.iter().enumerate())
                .filter(|(_, place)| matches!(place.place, Place::Param { .. } | Place::Variable))
                .filter_map(|(index, place)| Some((place.node?, index)))
                .collect(),
        };
        for (index, constraint) in facts.constraints.iter().enumerate() {
            match constraint {
                Constraint::Copy { from, to, hop } => pending.edge(nb + from, nb + to, label(hop)),
                Constraint::Seed { node, seed } => {
                    let node = nb + node;
                    match seed {
                        Seed::Unknown => pending.seeds.push((node, Obj::Unknown)),
                        Seed::Function(f) => pending.seeds.push((node, Obj::Function(fb + f))),
                        Seed::Class(c) => pending.seeds.push((node, Obj::Class(cb + c))),
                        // An instance abstracts the class and its subclasses (a cone):
                        // calls dispatch to overrides as well.
                        Seed::SelfOf(c) => pending.seeds.push((node, Obj::Instance(cb + c))),
                        Seed::ClsOf(c) => pending.seeds.push((node, Obj::Class(cb + c))),
                        Seed::Container(kind) => pending.seeds.push((node, Obj::Container(node, *kind))),
                    }
                }
                Constraint::Global { name, to } => {
                    let slot = &mut globals[*name as usize];
                    let resolved = match slot {
                        Some(resolved) => resolved.clone(),
                        None => slot.insert(self.modules.resolve_global(m, facts.name(*name))).clone(),
                    };
                    self.resolved_into(resolved, nb + to, pending);
                }
                Constraint::Import { target, to } => {
                    let resolved = self.modules.resolve_import(m, target);
                    self.resolved_into(resolved, nb + to, pending);
                }
                Constraint::Load { base, attr, to, hop } => {
                    let attr = names[*attr as usize];
                    if self.may_be_generic(attr)
                        && let Some(&place) = annotations.get(base)
                    {
                        self.link_generic_read(m, &facts.annotated[place].annotation, attr, nb + to, pending);
                    }
                    let c = Complex::Load { attr, to: nb + to, label: label(hop) };
                    self.pending_complex(pending, nb + base, c);
                }
                Constraint::Store { base, attr, from, hop } => {
                    let attr = names[*attr as usize];
                    // A parameter stored by an `__init__`: constructions store it per class.
                    let label =
                        if summarised.contains(&(index as u32)) { super::init_stores::SITELESS } else { label(hop) };
                    let c = Complex::Store { attr, from: nb + from, label };
                    self.pending_complex(pending, nb + base, c);
                }
                Constraint::ClassStore { class, attr, from, hop } => {
                    let attr = names[*attr as usize];
                    let node = if self.init.summarised.contains(&(cb + class, attr)) {
                        self.direct_attr_node(cb + class, attr)
                    } else {
                        self.attr_node(cb + class, attr)
                    };
                    pending.edge(nb + from, node, label(hop));
                }
                Constraint::LoadPart { base, part, to, hop } => {
                    let part = self.project_part(m, *part);
                    let c = Complex::LoadPart { part, to: nb + to, label: label(hop) };
                    self.pending_complex(pending, nb + base, c);
                }
                Constraint::StorePart { base, part, from, hop } => {
                    let part = self.project_part(m, *part);
                    let c = Complex::StorePart { part, from: nb + from, label: label(hop) };
                    self.pending_complex(pending, nb + base, c);
                }
                Constraint::Call { site, callee, result } => {
                    let c = Complex::Call { site: sb + site, result: nb + result };
                    self.pending_complex(pending, nb + callee, c);
                }
                Constraint::MethodCall { site, receiver, name, result } => {
                    let c = Complex::MethodCall { site: sb + site, name: names[*name as usize], result: nb + result };
                    let name = facts.name(*name);
                    let id = self.pending_complex(pending, nb + receiver, c);
                    if LOOP_ONLY_METHODS.contains(&name.as_str()) {
                        self.loop_method_calls.push((nb + receiver, id));
                    }
                    // `loop.call_soon(cb, *args)`, `call_later(delay, cb, *args)`...: args reach cb.
                    let forwarded = crate::asyncio_api::loop_callback_index(name.as_str()).map(usize::from);
                    if let Some(index) = forwarded
                        && let Some(callback) = facts.call_sites[*site as usize].args.get(index).and_then(|a| a.node)
                    {
                        let c = Complex::Forward { site: sb + site, first: index as u8 + 1 };
                        self.pending_complex(pending, nb + callback, c);
                    }
                    if name.as_str() == "add_done_callback"
                        && let Some(callback) = facts.call_sites[*site as usize].args.first().and_then(|a| a.node)
                    {
                        let c = Complex::Callback { receiver: nb + receiver, site: sb + site };
                        self.pending_complex(pending, nb + callback, c);
                        self.done_callback_receivers.insert(sb + site, nb + receiver);
                        let caller = CallbackCaller::Loop;
                        let argument =
                            CallbackArgument { site: sb + site, node: nb + callback, caller, forwards: false };
                        self.callback_arguments.insert(argument);
                    }
                }
                Constraint::SuperCall { site, class, name, result } => {
                    let name = facts.name(*name).clone();
                    pending.super_calls.push((sb + site, cb + class, name, nb + result));
                }
                Constraint::Await { value, to } => {
                    self.pending_complex(pending, nb + value, Complex::Await { to: nb + to });
                }
                Constraint::Enter { value, to } => {
                    self.pending_complex(pending, nb + value, Complex::Enter { to: nb + to });
                }
                Constraint::PropertyRead { site, receiver, name } => {
                    let c = Complex::PropertyRead { site: sb + site, name: names[*name as usize] };
                    self.pending_complex(pending, nb + receiver, c);
                }
                Constraint::Concat { operand, to, kind } => {
                    self.pending_complex(pending, nb + operand, Complex::Concat { to: nb + to, kind: *kind });
                }
                Constraint::ImplicitCall { site, receiver, name } => {
                    let c = Complex::ImplicitCall { site: sb + site, name: names[*name as usize] };
                    self.pending_complex(pending, nb + receiver, c);
                }
            }
        }
        for guard in &facts.guards {
            // A predicate's call stands for the tests it returns, read in its module.
            let (owner, tests) = match &guard.test {
                GuardTest::Predicate { callee, holds } => match self.predicate_tests(m, callee, *holds) {
                    Some((owner, tests)) => (owner, Cow::Owned(tests)),
                    None => (m, Cow::Borrowed(&[][..])),
                },
                test => (m, Cow::Borrowed(std::slice::from_ref(test))),
            };
            let label = self.guard_label(owner, &tests);
            pending.edge(nb + guard.from, nb + guard.to, label);
            // The branch's own node: a filter there keeps out what the test rules out.
            let [test] = &*tests else { continue };
            if let Some((filter, standing)) = self.guard_type_filter(owner, test) {
                pending.type_filters.push((nb + guard.to, filter));
                pending.seeds.extend(standing.into_iter().map(|obj| (nb + guard.to, obj)));
            }
        }
        for (index, call) in facts.task_method_calls.iter().enumerate() {
            self.sinks.push(SinkRecord {
                module: m,
                node: nb + call.receiver,
                at: SinkAt::TaskMethodCall(index as u32),
                kind: match tasklens_semantic::facts::TASK_ONLY_METHODS.contains(&call.method.as_str()) {
                    true => SinkKind::TaskMethod(call.method.clone()),
                    false => SinkKind::FutureMethod(call.method.clone()),
                },
                path: SinkPath::default(),
                takes_coroutine: false,
            });
        }
        for (index, place) in facts.annotated.iter().enumerate() {
            self.link_annotation(m, index as u32, place, pending);
        }
        for (site, target) in &facts.casts {
            if self.casts_to_task(m, target) {
                self.task_casts.insert(sb + site);
            }
            let label = self.cast_label(m, target);
            if label != NO_LABEL {
                self.cast_labels.insert(sb + site, label);
            }
            if let Some(instances) = self.cast_instances(m, target) {
                self.cast_instances.insert(sb + site, instances);
            }
        }
    }

    /// What a guarded edge lets through where all of `tests` hold: only coroutines
    /// (`iscoroutine(x)`), no coroutine (where it is false), only awaitables, only `async
    /// def` functions, no plain Future, or anything (several tests: no plain Future when
    /// one of them stops them, no coroutine when one of them rules coroutines out).
    fn guard_label(&mut self, m: ModIdx, tests: &[GuardTest]) -> Label {
        match tests {
            [GuardTest::Coroutine] => COROUTINES_ONLY,
            [GuardTest::NotCoroutine] => NOT_COROUTINES,
            [GuardTest::NotAwaitable] => NOT_FUTURES_OR_COROUTINES,
            [GuardTest::Awaitable] => AWAITABLES_ONLY,
            [GuardTest::CoroutineFunction] => COROUTINE_FUNCTIONS_ONLY,
            [GuardTest::NotCoroutineFunction] => NOT_COROUTINE_FUNCTIONS,
            tests => {
                let stops_futures = tests.iter().any(|test| self.guard_stops_futures(m, test));
                // `isinstance(x, asyncio.Task)`, `isinstance(x, int)`, `not isawaitable(x)`,
                // `isfuture(x)` rule out coroutines, whatever else holds with them.
                let stops_coroutines = tests.iter().any(|test| self.guard_stops_coroutines(m, test));
                let stops_coroutine_functions =
                    tests.iter().any(|test| matches!(test, GuardTest::NotCoroutineFunction));
                let mut mask = 0;
                let stops_thread_futures = tests.iter().any(|test| self.guard_stops_thread_futures(m, test));
                if tests.iter().any(|test| self.guard_stops_tasks(m, test)) {
                    mask |= super::filters::NO_TASKS;
                }
                if stops_thread_futures {
                    mask |= super::filters::NO_THREAD_FUTURES;
                }
                if stops_futures {
                    mask |= super::filters::NO_FUTURES;
                }
                if stops_coroutines {
                    mask |= super::filters::NO_COROUTINES;
                }
                if stops_coroutine_functions {
                    mask |= super::filters::NO_COROUTINE_FUNCTIONS;
                }
                super::filters::ruled_out(mask)
            }
        }
    }

    /// Records the parameter stores of the module's `__init__`s (see `init_stores.rs`) and
    /// returns the indexes of their `Store` constraints.
    fn link_init_stores(&mut self, m: ModIdx) -> FxHashSet<u32> {
        let module = &self.modules.modules[m as usize];
        let (fb, cb, hb, facts) = (module.func_base, module.class_base, module.hop_base, module.facts.clone());
        let mut summarised = FxHashSet::default();
        for (local, function) in facts.functions.iter().enumerate() {
            let (Some(class), false) = (function.class, function.init_stores.is_empty()) else { continue };
            let mut stores = Vec::new();
            for store in &function.init_stores {
                let attr = self.name_id(facts.name(store.attr));
                let hop = match facts.constraints.get(store.constraint as usize) {
                    Some(Constraint::Store { hop, .. }) => hop.map_or(NO_LABEL, |h| hb + h),
                    _ => continue,
                };
                // A parameter annotated with what holds no asyncio value (`hass: HomeAssistant`)
                // gains nothing from being told apart per class.
                let annotation = facts.annotated.iter().find(|a| {
                    matches!(a.place, Place::Param { func, index } if func as usize == local && index == store.param)
                });
                if let Some(annotated) = annotation
                    && !self.may_hold_asyncio_values(m, &annotated.annotation)
                {
                    continue;
                }
                // A property (`self._writer = writer` runs its setter) stays an ordinary store,
                // as does an attribute of a class derived from an outside class.
                let name = self.names.get(attr).clone();
                let owner_class = cb + class;
                if self.classes.find_method(&self.modules, owner_class, &name).is_some()
                    || self.classes.find_setter(&self.modules, owner_class, &name).is_some()
                    || self.classes.external_base[owner_class as usize]
                {
                    continue;
                }
                summarised.insert(store.constraint);
                stores.push((attr, store.param, hop));
                let owner = self.classes.attr_owner(&self.modules, owner_class, &name);
                self.init.summarised.insert((owner, attr));
            }
            if !stores.is_empty() {
                self.init.summaries.insert(fb + local as GFunc, stores);
            }
        }
        summarised
    }

    /// The project-wide id of the dict key that is the string `value` (also a keyword
    /// argument's name, as `**kwargs` holds it).
    pub(super) fn string_key(&mut self, value: &Name) -> Option<KeyId> {
        let value = self.name_id(value);
        KeyId::new(self.dict_keys.intern(KeyIdentity::Str(value)))
    }

    /// Numbers every module's constant dict keys project-wide: a string (also the value of
    /// a module-level string constant), or what a module-level name resolves to.
    fn link_dict_keys(&mut self) {
        let mut strings: FxHashMap<GNode, Name> = FxHashMap::default();
        for module in &self.modules.modules {
            for (name, value) in &module.facts.string_constants {
                if let Some(Binding::Variable(node)) = module.facts.global(name) {
                    strings.insert(module.node_base + node, value.clone());
                }
            }
        }
        for m in 0..self.modules.modules.len() as ModIdx {
            let facts = self.modules.modules[m as usize].facts.clone();
            let keys: Box<[Option<KeyId>]> = (facts.keys.iter())
                .map(|key| {
                    let identity = match key {
                        DictKey::Str(value) => return self.string_key(value),
                        DictKey::Global(name) => match self.modules.resolve_global(m, name) {
                            Resolved::Variable(node) => match strings.get(&node) {
                                Some(value) => KeyIdentity::Str(self.name_id(&value.clone())),
                                None => KeyIdentity::Variable(node),
                            },
                            Resolved::Function(func) => KeyIdentity::Function(func),
                            Resolved::Class(class) => KeyIdentity::Class(class),
                            Resolved::Module(module) => KeyIdentity::Module(module),
                            Resolved::External(path) => KeyIdentity::External(self.path(&path)),
                            Resolved::Unknown => return None,
                        },
                    };
                    KeyId::new(self.dict_keys.intern(identity))
                })
                .collect();
            self.module_keys.push(keys);
        }
    }

    /// A part of a module's facts, with dict keys numbered project-wide.
    pub(super) fn project_part(&self, m: ModIdx, part: Part) -> Part {
        match part {
            Part::Key(local) => self.dict_key(m, local).map_or(Part::Values, Part::Key),
            Part::MappingValue(Some(local)) => Part::MappingValue(self.dict_key(m, local)),
            other => other,
        }
    }

    fn pending_complex(&mut self, pending: &mut Pending, node: GNode, complex: Complex) -> u32 {
        let id = self.complex.len() as u32;
        self.complex.push(complex);
        pending.complex.push((node, id));
        id
    }

    fn resolved_into(&mut self, resolved: Resolved, to: GNode, pending: &mut Pending) {
        let obj = match resolved {
            Resolved::Module(m) => Obj::Module(m),
            Resolved::External(path) if crate::asyncio_api::is_followed(&path) => Obj::External(self.path(&path)),
            // A library's re-export of the module itself (chainlit's `from syncer import
            // asyncio`) is asyncio.
            Resolved::External(path) if path.rsplit('.').next() == Some("asyncio") => {
                Obj::External(self.path("asyncio"))
            }
            Resolved::External(_) => {
                // An outside module's name (`from pydis_core.utils import scheduling`): its
                // `create_task` is that module's, never an event loop's.
                self.outside_imports.insert(to);
                Obj::Unknown
            }
            Resolved::Function(f) => Obj::Function(f),
            Resolved::Class(c) => Obj::Class(c),
            Resolved::Variable(node) => {
                pending.edge(node, to, NO_LABEL);
                return;
            }
            Resolved::Unknown => Obj::Unknown,
        };
        pending.seeds.push((to, obj));
    }

    /// Freezes the static edges and constraints into arrays, then seeds.
    fn freeze(mut self, mut pending: Pending) -> Solver {
        let n = self.static_nodes as usize;
        let late_edges = take_late(&mut pending.edges, n);
        (self.edge_start, self.edges) = by_source(n, pending.edges);
        let late_complex = take_late(&mut pending.complex, n);
        (self.complex_start, self.complex_ids) = by_source(n, pending.complex);
        for (from, edge) in late_edges {
            self.edge(from, edge.to, edge.label);
        }
        for (node, id) in late_complex {
            self.dyn_lists(node).complex.push(id);
        }
        self.freeze_type_filters(std::mem::take(&mut pending.type_filters));
        for (node, obj) in pending.seeds {
            self.seed(node, obj);
        }
        for (site, class, name, result) in pending.super_calls {
            match self.classes.find_method_from(&self.modules, class, &name, 1) {
                Some(func) => self.bind_init(site, func, class, result),
                None => {
                    // `super().__init__(loop=loop)` in a subclass of `asyncio.Queue`.
                    if name == "__init__"
                        && let Some(path) = self.classes.external_init(&self.modules, class, 1)
                    {
                        let path = path.to_string();
                        self.note_external_init(site, &path);
                    }
                    self.seed(result, Obj::Unknown)
                }
            }
        }
        self
    }
}

/// Removes and returns the entries keyed by nodes created after the first `n` (they go
/// to the dynamic lists instead of the frozen arrays).
fn take_late<T>(items: &mut Vec<(GNode, T)>, n: usize) -> Vec<(GNode, T)> {
    let (early, late) = std::mem::take(items).into_iter().partition(|(node, _)| (*node as usize) < n);
    *items = early;
    late
}

/// Groups `items` by their source node (one of the first `n`) into CSR arrays: offsets
/// per node and the items in source order, each node's in the order given (a counting
/// sort: linear, where sorting millions of entries took a tenth of a second).
fn by_source<T: Copy>(n: usize, items: Vec<(GNode, T)>) -> (Vec<u32>, Vec<T>) {
    let mut start = vec![0u32; n + 1];
    for &(source, _) in &items {
        start[source as usize + 1] += 1;
    }
    for i in 1..=n {
        start[i] += start[i - 1];
    }
    let Some(&(_, first)) = items.first() else { return (start, Vec::new()) };
    let mut next = start.clone();
    let mut grouped = vec![first; items.len()];
    for (source, item) in items {
        let slot = &mut next[source as usize];
        grouped[*slot as usize] = item;
        *slot += 1;
    }
    (start, grouped)
}
