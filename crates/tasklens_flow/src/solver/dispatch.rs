//! What happens when an object reaches the base of a complex constraint: attribute reads
//! and writes, container slots, method dispatch, awaits and callbacks (calls of project
//! functions are bound in `calls.rs`).

use std::rc::Rc;

use ruff_python_ast::name::Name;

use tasklens_semantic::facts::{ContainerKind, FunctionKind, Part};

use super::{Complex, DynHopKind, HopAt, Label, NO_LABEL, NameId, Solver};
use crate::asyncio_api::{
    ExternalCall, external_call, external_method, is_followed, loop_method, loop_removed, loop_thread_runner_argument,
    thread_runner_argument, thread_runner_method,
};
use crate::modules::Resolved;
use crate::objects::{GClass, GFunc, GNode, GSite, Obj, ObjId};

/// The slot a store of `part` writes in a container of `kind`.
fn stored_part(part: Part, kind: ContainerKind) -> Part {
    match part {
        Part::Keys | Part::Key(_) if kind.is_dict() => part,
        // A dict's values stored under keys that are not constants.
        _ if kind.is_dict() => Part::Unkeyed,
        Part::Iter | Part::Key(_) | Part::Unkeyed => Part::Values,
        Part::Index(_) if kind != ContainerKind::Tuple => Part::Values,
        other => other,
    }
}

/// Marks a site whose arguments already escape (the marks below it: all but one).
const ESCAPE_MARK: ObjId = u32::MAX;

impl Solver {
    pub(super) fn apply(&mut self, id: u32, node: GNode, obj: ObjId) {
        let complex = self.complex[id as usize];
        let value = self.objs[obj as usize];
        match complex {
            Complex::Load { attr, to, label } => self.load(value, attr, to, label),
            Complex::Store { attr, from, label } => self.store(value, attr, from, label),
            Complex::LoadPart { part, to, label } => self.load_part(value, part, to, label),
            Complex::StorePart { part, from, label } => match value {
                Obj::Container(container, kind) => {
                    let slot = self.part_node(container, stored_part(part, kind));
                    self.edge(from, slot, label);
                }
                // `registry[key] = value` on a project class runs its `__setitem__`.
                Obj::Instance(class) => {
                    for &func in self.special_method(class, "__setitem__").iter() {
                        if let Some(param) = self.modules.func(func).1.params.get(2).map(|p| p.node) {
                            let param = self.func_node(func, param);
                            self.edge(from, param, label);
                        }
                    }
                }
                _ => {}
            },
            Complex::Call { site, result } => {
                if self.applied.insert((site, obj)) {
                    self.call(site, value, result);
                }
            }
            Complex::MethodCall { site, name, result } => {
                if self.applied.insert((site, obj)) {
                    self.method_call(site, name, value, result);
                }
            }
            Complex::Await { to } => match value {
                Obj::Coro(Some(func)) => {
                    let ret = self.ret_node(func);
                    self.edge(ret, to, NO_LABEL);
                }
                Obj::CoroCall(site, func) => match self.coro_bindings.get(&(site, func)) {
                    Some(&shift) => self.passed_through_result(site, func, shift, false, to, NO_LABEL),
                    None => {
                        let ret = self.ret_node(func);
                        self.edge(ret, to, NO_LABEL);
                    }
                },
                Obj::WaitCoro(site) => self.awaited_wait(site, to),
                Obj::QueueGet(queue) => {
                    let items = self.part_node(queue, Part::Values);
                    self.edge(items, to, NO_LABEL);
                }
                _ => self.seed(to, Obj::Unknown),
            },
            Complex::Enter { to } => self.enter(value, obj, to),
            Complex::Callback { receiver, site } => {
                let (func, index) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    Obj::Partial(partial) => {
                        // `partial(f, a, b)`: the Future comes after `a` and `b`.
                        if let Some(function) = self.site_args(partial).arg(0) {
                            self.complex_on(function, Complex::PartialCallback { receiver, partial, site });
                        }
                        return;
                    }
                    _ => return,
                };
                self.done_callbacks.push((receiver, func));
                let (_, facts) = self.modules.func(func);
                if let Some(param) = facts.params.get(index).map(|p| p.node) {
                    let param = self.func_node(func, param);
                    let args = self.site_args(site);
                    let label = self.dyn_hop(args.module, args.at(), DynHopKind::Callback { func });
                    self.edge(receiver, param, label);
                }
            }
            Complex::PartialCall { partial, site, result } => {
                let (func, shift) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    Obj::External(path) => {
                        // `partial(asyncio.sleep, loop=loop)(0)` passes the bound `loop=` (TL006).
                        let path = self.paths[path as usize].clone();
                        self.note_removed_loop(partial, &path);
                        return self.unknown_call(site, result);
                    }
                    _ => return self.unknown_call(site, result),
                };
                // `partial(f, a, k=v)(b)` is `f(a, b, k=v)`.
                self.forward_arguments(partial, 1, func, shift);
                self.forward_keywords(partial, func);
                let bound = self.site_args(partial).call().args.len().saturating_sub(1);
                self.bind_call(site, func, shift + bound, result);
            }
            Complex::PartialCallback { receiver, partial, site } => {
                let (func, shift) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    _ => return,
                };
                self.done_callbacks.push((receiver, func));
                // The bound arguments, then the Future.
                self.forward_arguments(partial, 1, func, shift);
                let bound = self.site_args(partial).call().args.len().saturating_sub(1);
                let (_, facts) = self.modules.func(func);
                if let Some(param) = facts.params.get(bound + shift).map(|p| p.node) {
                    let param = self.func_node(func, param);
                    let args = self.site_args(site);
                    let label = self.dyn_hop(args.module, args.at(), DynHopKind::Callback { func });
                    self.edge(receiver, param, label);
                }
            }
            Complex::Forward { site, first } => {
                let (func, shift) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    Obj::Partial(partial) => {
                        if let Some(function) = self.site_args(partial).arg(0) {
                            self.complex_on(function, Complex::PartialForward { partial, site, first });
                        }
                        return;
                    }
                    _ => return,
                };
                self.forward_arguments(site, first as usize, func, shift);
            }
            Complex::PartialForward { partial, site, first } => {
                let (func, shift) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    _ => return,
                };
                self.forward_arguments(partial, 1, func, shift);
                self.forward_keywords(partial, func);
                let bound = self.site_args(partial).call().args.len().saturating_sub(1);
                self.forward_arguments(site, first as usize, func, shift + bound);
            }
            Complex::ForwardElements { site, first } => {
                let (func, shift) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    _ => return,
                };
                let args = self.site_args(site);
                let iterables: Vec<GNode> =
                    (usize::from(first)..args.call().args.len()).filter_map(|i| args.arg(i)).collect();
                let (m, facts) = self.modules.func(func);
                let base = self.modules.modules[m as usize].node_base;
                let params: Vec<GNode> = (facts.params.iter().skip(shift))
                    .take_while(|p| {
                        matches!(
                            p.kind,
                            tasklens_semantic::facts::ParamKind::Positional
                                | tasklens_semantic::facts::ParamKind::PositionalOnly
                        )
                    })
                    .map(|p| base + p.node)
                    .collect();
                for (iterable, param) in iterables.into_iter().zip(params) {
                    self.complex_on(iterable, Complex::LoadPart { part: Part::Iter, to: param, label: NO_LABEL });
                }
            }
            Complex::ForwardTuple { tuple } => {
                let (func, shift) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    _ => return,
                };
                let (m, facts) = self.modules.func(func);
                let base = self.modules.modules[m as usize].node_base;
                let params: Vec<(usize, GNode)> = (facts.params.iter().enumerate().skip(shift))
                    .take_while(|(_, p)| {
                        matches!(
                            p.kind,
                            tasklens_semantic::facts::ParamKind::Positional
                                | tasklens_semantic::facts::ParamKind::PositionalOnly
                        )
                    })
                    .map(|(index, p)| (index - shift, base + p.node))
                    .filter(|&(position, _)| position < tasklens_semantic::facts::MAX_TUPLE_INDEX)
                    .collect();
                for (position, param) in params {
                    let part = Part::SequenceItem(position as u8);
                    self.complex_on(tuple, Complex::LoadPart { part, to: param, label: NO_LABEL });
                }
            }
            Complex::LoopCallback { site, callback } => {
                if let Some(func) = self.function_called(value, complex) {
                    self.loop_callbacks.insert(func);
                }
                // `loop.call_soon_threadsafe(loop.create_task, coro)`: the loop makes the Task
                // and drops what its callback returns, so nothing keeps it (TL005).
                let makes_task = match value {
                    Obj::LoopMethod(name) => self.name(name).as_str() == "create_task",
                    Obj::External(path) => matches!(
                        external_call(&self.paths[path as usize]),
                        ExternalCall::NewTask | ExternalCall::EnsureFuture
                    ),
                    _ => false,
                };
                if makes_task {
                    let dropped = self.new_node();
                    self.seed(dropped, Obj::Task(Some(site)));
                    self.loop_made_tasks.insert(site, callback);
                }
            }
            Complex::ThreadTarget { site } => {
                if let Some(func) = self.function_called(value, complex) {
                    self.thread_targets.insert((func, site));
                }
            }
            Complex::Escape => {
                if let Some(func) = self.function_called(value, complex) {
                    self.escape(func);
                }
            }
            Complex::Decorated { site, func, result, depth } => self.decorated_call(value, site, func, result, depth),
            Complex::WrapperResult { wrapper, result } => match value {
                Obj::Future(site) | Obj::Task(Some(site)) if self.site_in_function(site, wrapper) => {
                    self.seed(result, value);
                }
                _ => {}
            },
            Complex::DefaultFactory { dict } => {
                let Obj::External(path) = value else { return };
                let kind = match &*self.paths[path as usize] {
                    "builtins.list" | "collections.deque" => ContainerKind::List,
                    "builtins.set" => ContainerKind::Set,
                    "builtins.dict" => ContainerKind::Dict,
                    _ => return,
                };
                // One container per defaultdict stands for every value a missing key makes.
                let made = self.part_node(dict, Part::Missing);
                let unkeyed = self.part_node(dict, Part::Unkeyed);
                self.seed(unkeyed, Obj::Container(made, kind));
            }
            Complex::EnsureFutureArg { site, result } => match value {
                Obj::Future(_) | Obj::ParamFuture(_) | Obj::FutureSummary(_) | Obj::Task(_) => {
                    let label = self.pass_through_label(site);
                    self.add(result, obj, node, label);
                }
                Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => self.seed(result, Obj::Unknown),
                Obj::Instance(class) if self.classes.external_base[class as usize] => {
                    self.seed(result, Obj::Unknown);
                }
                // Not awaitable: the call raises TypeError (TL004) and makes no Task.
                Obj::Container(..)
                | Obj::View(..)
                | Obj::Function(_)
                | Obj::Bound(_)
                | Obj::Partial(_)
                | Obj::Class(_)
                | Obj::Module(_)
                | Obj::Loop
                | Obj::LoopMethod(_) => {}
                _ => self.seed(result, Obj::Task(Some(site))),
            },
        }
    }

    fn pass_through_label(&mut self, site: GSite) -> Label {
        if let Some(&label) = self.pass_through.get(&site) {
            return label;
        }
        let args = self.site_args(site);
        let label = self.dyn_hop(args.module, HopAt::Callee(site), DynHopKind::PassThrough);
        self.pass_through.insert(site, label);
        label
    }

    pub(super) fn load(&mut self, value: Obj, attr_id: NameId, to: GNode, label: Label) {
        let attr = &self.name(attr_id).clone();
        match value {
            Obj::Instance(class) | Obj::Class(class) => {
                let is_instance = matches!(value, Obj::Instance(_));
                let methods = self.dispatch(class, attr_id);
                if !methods.is_empty() {
                    for &func in methods.iter() {
                        let kind = self.modules.func(func).1.kind;
                        match (kind, is_instance) {
                            (FunctionKind::Property, true) => {
                                let ret = self.ret_node(func);
                                self.edge(ret, to, label);
                            }
                            (FunctionKind::Property, false) => self.seed(to, Obj::Unknown),
                            (FunctionKind::StaticMethod, _) | (FunctionKind::Method, false) => {
                                self.seed(to, Obj::Function(func));
                            }
                            _ => self.seed(to, Obj::Bound(func)),
                        }
                    }
                    return;
                }
                let (_, reads) = self.attribute_nodes(class, attr_id);
                for &slot in reads.iter() {
                    self.edge(slot, to, label);
                }
            }
            Obj::Module(m) => {
                let resolved = self.modules.resolve_member(m, attr);
                self.resolved(resolved, to);
            }
            Obj::External(path) => {
                let full = format!("{}.{attr}", self.paths[path as usize]);
                self.seed_external(to, &full);
            }
            // `loop.create_task` as a value: calling it is calling the loop's method.
            Obj::Loop if loop_method(attr) != ExternalCall::Unknown => self.seed(to, Obj::LoopMethod(attr_id)),
            _ => self.seed(to, Obj::Unknown),
        }
    }

    /// An external name as an object, when it is one the analysis follows.
    pub(super) fn seed_external(&mut self, to: GNode, path: &str) {
        if is_followed(path) {
            let id = self.path(path);
            self.seed(to, Obj::External(id));
        } else {
            self.seed(to, Obj::Unknown);
        }
    }

    /// The methods a protocol `name` (`__call__`, `__iter__`...) runs on an instance of
    /// `class` (or a subclass).
    fn special_method(&mut self, class: GClass, name: &'static str) -> Rc<[GFunc]> {
        let name = self.name_id(&Name::new_static(name));
        self.dispatch(class, name)
    }

    /// The methods a call of `name` on an instance of `class` (or a subclass) may run.
    fn dispatch(&mut self, class: GClass, name_id: NameId) -> Rc<[GFunc]> {
        if let Some(found) = self.dispatch_cache.get(&(class, name_id)) {
            return found.clone();
        }
        let name = &self.name(name_id).clone();
        let mut methods: Vec<GFunc> = self.classes.find_method(&self.modules, class, name).into_iter().collect();
        if !methods.is_empty() {
            methods.extend(self.classes.overrides(&self.modules, class, name));
        }
        let methods: Rc<[GFunc]> = methods.into();
        self.dispatch_cache.insert((class, name_id), methods.clone());
        methods
    }

    /// The node that `instance.attr = ...` writes, and the nodes `instance.attr` reads:
    /// the owner in the MRO and subclasses that declare the attribute themselves.
    /// Unknown when the attribute may come from a base class outside the project.
    fn attribute_nodes(&mut self, class: GClass, attr_id: NameId) -> super::AttributeNodes {
        if let Some(found) = self.attribute_cache.get(&(class, attr_id)) {
            return found.clone();
        }
        let attr = &self.name(attr_id).clone();
        let owner = self.classes.attr_owner(&self.modules, class, attr);
        let all = self.attr_node(owner, attr_id);
        // An attribute some `__init__` stores a parameter in: writes go to its direct node,
        // and a strict subclass reads its own view (see `init_stores.rs`).
        let (write, read) = if self.init.summarised.contains(&(owner, attr_id)) {
            let write = self.direct_attr_node(owner, attr_id);
            let read = if class == owner { all } else { self.attr_view(class, owner, attr_id) };
            (write, read)
        } else {
            (all, all)
        };
        // An outside base may set it: unknown, for writes and for this class's reads.
        if self.classes.external_base[class as usize] && !self.modules.class(owner).1.has_attribute(attr) {
            self.seed(all, Obj::Unknown);
            self.seed(read, Obj::Unknown);
        }
        let mut reads = vec![read];
        for sub in self.classes.attribute_in_subclasses(&self.modules, class, attr) {
            let owner = self.classes.attr_owner(&self.modules, sub, attr);
            let node = self.attr_node(owner, attr_id);
            if !reads.contains(&node) {
                reads.push(node);
            }
        }
        let found = (write, Rc::from(reads));
        self.attribute_cache.insert((class, attr_id), found.clone());
        found
    }

    fn store(&mut self, value: Obj, attr_id: NameId, from: GNode, label: Label) {
        match value {
            Obj::Instance(class) | Obj::Class(class) => {
                // `obj.task = value` on a property with a setter runs the setter.
                if matches!(value, Obj::Instance(_))
                    && let Some(setter) = self.setter(class, attr_id)
                    && let Some(param) = self.modules.func(setter).1.params.get(1).map(|p| p.node)
                {
                    let param = self.func_node(setter, param);
                    self.edge(from, param, label);
                }
                let (write, _) = self.attribute_nodes(class, attr_id);
                self.edge(from, write, label);
            }
            Obj::Module(m) => {
                let attr = self.name(attr_id).clone();
                if let Resolved::Variable(node) = self.modules.resolve_global(m, &attr) {
                    self.edge(from, node, label);
                }
            }
            _ => {}
        }
    }

    pub(super) fn load_part(&mut self, value: Obj, part: Part, to: GNode, label: Label) {
        match value {
            Obj::Container(container, kind) => {
                let part = match part {
                    // Patterns match only their own kind of container.
                    Part::MappingValue(key) if kind.is_dict() => key.map_or(Part::Values, Part::Key),
                    Part::SequenceItem(index)
                        if kind == ContainerKind::Tuple
                            && usize::from(index) < tasklens_semantic::facts::MAX_TUPLE_INDEX =>
                    {
                        Part::Index(index)
                    }
                    Part::SequenceItem(_) if matches!(kind, ContainerKind::List | ContainerKind::Tuple) => Part::Values,
                    Part::MappingValue(_) | Part::SequenceItem(_) => return,
                    Part::Iter if kind.is_dict() => Part::Keys,
                    Part::Key(_) if kind.is_dict() => part,
                    Part::Iter | Part::Key(_) | Part::Unkeyed => Part::Values,
                    Part::Index(_) if kind != ContainerKind::Tuple => Part::Values,
                    other => other,
                };
                let slot = self.part_node(container, part);
                self.edge(slot, to, label);
            }
            Obj::View(container, _, viewed) => {
                let part = match part {
                    Part::MappingValue(_) | Part::SequenceItem(_) => return,
                    Part::Keys | Part::Values => part,
                    Part::Key(_) | Part::Unkeyed => Part::Values,
                    _ => viewed,
                };
                let slot = self.part_node(container, part);
                self.edge(slot, to, label);
            }
            Obj::Instance(class) => self.instance_part(class, part, to, label),
            Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => self.seed(to, Obj::Unknown),
            _ => {}
        }
    }

    /// The property setter an assignment to `attr` on an instance of `class` runs (cached).
    fn setter(&mut self, class: GClass, attr: NameId) -> Option<GFunc> {
        if let Some(&found) = self.setter_cache.get(&(class, attr)) {
            return found;
        }
        let found = self.classes.find_setter(&self.modules, class, self.name(attr));
        self.setter_cache.insert((class, attr), found);
        found
    }

    /// Iterating or subscripting an instance of a project class runs its `__iter__` or
    /// `__getitem__` (and their overrides): `for job in registry`, `registry[key]`.
    fn instance_part(&mut self, class: GClass, part: Part, to: GNode, label: Label) {
        let candidates: &[&'static str] = match part {
            // An iterator of its own (`__iter__` returns self): `__next__` gives the
            // elements; `async for` reads `__anext__` or `__aiter__` the same way.
            Part::Iter => &["__next__", "__iter__", "__anext__", "__aiter__"],
            Part::Values | Part::Index(_) | Part::Key(_) | Part::Unkeyed => &["__getitem__"],
            _ => return,
        };
        let Some((method, methods)) = candidates.iter().find_map(|&method| {
            let methods = self.special_method(class, method);
            (!methods.is_empty()).then_some((method, methods))
        }) else {
            return;
        };
        for &func in methods.iter() {
            // Once per method and reader: an `__iter__` returning another iterator class
            // (or itself) must not unfold forever.
            if !self.protocol_reads.insert((func, to)) {
                continue;
            }
            let facts = self.modules.func(func).1;
            match (method, facts.is_generator) {
                // A generator `__iter__` (or async generator `__aiter__`) yields the elements.
                ("__iter__" | "__aiter__", true) => {
                    let yields = self.func_node(func, facts.yields);
                    self.edge(yields, to, label);
                }
                // `return iter(self._items.values())`: the elements of what it returns.
                ("__iter__" | "__aiter__", false) => {
                    let ret = self.ret_node(func);
                    self.complex_on(ret, Complex::LoadPart { part: Part::Iter, to, label });
                }
                _ => {
                    let ret = self.ret_node(func);
                    self.edge(ret, to, label);
                }
            }
        }
    }

    fn enter(&mut self, value: Obj, obj: ObjId, to: GNode) {
        match value {
            Obj::Instance(class) => {
                let method = self
                    .classes
                    .find_method(&self.modules, class, "__aenter__")
                    .or_else(|| self.classes.find_method(&self.modules, class, "__enter__"));
                match method {
                    // `return self` (or `self.conn`): the `as` target comes from this very object.
                    Some(func) if !self.modules.func(func).1.passed_through.is_empty() => {
                        self.receiver_returned(func, value, to);
                        let (m, facts) = self.modules.func(func);
                        let own = self.modules.modules[m as usize].node_base + facts.own_ret;
                        self.edge(own, to, NO_LABEL);
                    }
                    Some(func) => {
                        let ret = self.ret_node(func);
                        self.edge(ret, to, NO_LABEL);
                    }
                    None => self.seed(to, Obj::Unknown),
                }
            }
            Obj::ExternalInstance(_) => self.add(to, obj, super::NO_NODE, NO_LABEL),
            // A generator under `@contextmanager` / `@asynccontextmanager`: `with` binds
            // what it yields.
            Obj::Container(generator, ContainerKind::Iterator) => {
                let values = self.part_node(generator, Part::Values);
                self.edge(values, to, NO_LABEL);
            }
            _ => self.seed(to, Obj::Unknown),
        }
    }

    fn resolved(&mut self, resolved: Resolved, to: GNode) {
        match resolved {
            Resolved::Module(m) => self.seed(to, Obj::Module(m)),
            Resolved::External(path) => self.seed_external(to, &path),
            Resolved::Function(func) => self.seed(to, Obj::Function(func)),
            Resolved::Class(class) => self.seed(to, Obj::Class(class)),
            Resolved::Variable(node) => self.edge(node, to, NO_LABEL),
            Resolved::Unknown => self.seed(to, Obj::Unknown),
        }
    }

    // ---- calls ------------------------------------------------------------------

    fn call(&mut self, site: GSite, value: Obj, result: GNode) {
        match value {
            Obj::Function(func) => self.bind_call(site, func, 0, result),
            Obj::Bound(func) => self.bind_call(site, func, 1, result),
            Obj::Class(class) => self.construct(site, class, result),
            // Calling an instance runs its class's `__call__` (and the overrides below it).
            Obj::Instance(class) => {
                let methods = self.special_method(class, "__call__");
                if methods.is_empty() {
                    return self.unknown_call(site, result);
                }
                for &func in methods.iter() {
                    let shift = match self.modules.func(func).1.kind {
                        FunctionKind::StaticMethod => 0,
                        _ => 1,
                    };
                    self.bind_call(site, func, shift, result);
                }
            }
            Obj::Partial(partial) => match self.site_args(partial).arg(0) {
                Some(function) => self.complex_on(function, Complex::PartialCall { partial, site, result }),
                None => self.unknown_call(site, result),
            },
            Obj::External(path) => self.external_path_call(site, path, result),
            Obj::LoopMethod(name) => {
                let name = self.name(name).clone();
                self.loop_call(site, &name, result);
            }
            // A callable from outside, annotated to return what may be a plain Future.
            Obj::FutureFactory(param) => {
                self.unknown_call(site, result);
                self.seed(result, Obj::ParamFuture(param));
            }
            _ => self.unknown_call(site, result),
        }
    }

    /// The project function that calling `value` runs: a function or a bound method itself.
    /// For a `functools.partial`, `complex` goes on to the function it wraps instead.
    fn function_called(&mut self, value: Obj, complex: Complex) -> Option<GFunc> {
        match value {
            Obj::Function(func) | Obj::Bound(func) => Some(func),
            Obj::Partial(partial) => {
                if let Some(function) = self.site_args(partial).arg(0) {
                    self.complex_on(function, complex);
                }
                None
            }
            _ => None,
        }
    }

    /// A call of the external object at `path`.
    fn external_path_call(&mut self, site: GSite, path: u32, result: GNode) {
        let name = self.paths[path as usize].clone();
        self.note_removed_loop(site, &name);
        if let Some((index, keyword)) = thread_runner_argument(&name) {
            // `asyncio.to_thread(f, *args)` calls `f(*args)`; `Thread(target=f, args=(...))`
            // and `_thread.start_new_thread(f, args)` pass a tuple.
            let forwards = name == "asyncio.to_thread" || name == "asyncio.threads.to_thread";
            let passing = if forwards { Passing::Arguments } else { Passing::Tuple };
            self.note_thread_runner(site, index, keyword, passing);
        }
        self.external_effect(site, result, external_call(&name), Some(path));
    }

    /// A call of the event loop's method `name`.
    fn loop_call(&mut self, site: GSite, name: &str, result: GNode) {
        if let Some(index) = loop_thread_runner_argument(name) {
            // `loop.run_in_executor(executor, f, *args)` calls `f(*args)`.
            self.note_thread_runner(site, index, None, Passing::Arguments);
        }
        self.external_effect(site, result, loop_method(name), None);
    }

    /// The function argument of a call that runs it in another thread, with what it passes.
    fn note_thread_runner(&mut self, site: GSite, index: u8, keyword: Option<&str>, passing: Passing) {
        let args = self.site_args(site);
        let by_keyword = || {
            let call = args.call();
            let keyword = call.keywords.iter().find(|k| Some(k.name.as_str()) == keyword)?;
            args.node(keyword.node)
        };
        if let Some(function) = args.arg(usize::from(index)).or_else(by_keyword) {
            self.complex_on(function, Complex::ThreadTarget { site });
            let first = index + 1;
            match passing {
                Passing::Arguments => self.complex_on(function, Complex::Forward { site, first }),
                Passing::Elements => self.complex_on(function, Complex::ForwardElements { site, first }),
                Passing::Tuple => {
                    if let Some(tuple) = thread_arguments(&args, index, keyword) {
                        self.complex_on(function, Complex::ForwardTuple { tuple });
                    }
                }
            }
        }
    }

    /// Records `loop=` passed to an asyncio API that removed it (TL006).
    pub(super) fn note_removed_loop(&mut self, site: GSite, path: &str) {
        if loop_removed(path) {
            let args = self.site_args(site);
            if let Some(keyword) = args.call().keywords.iter().position(|k| k.name.as_str() == "loop") {
                self.removed_loop_sites.insert(site, (keyword as u32, path.to_string()));
            }
        }
    }

    pub(super) fn unknown_call(&mut self, site: GSite, result: GNode) {
        self.seed(result, Obj::Unknown);
        self.escape_arguments(site, None);
    }

    /// The arguments of `site` reach code the analysis cannot follow (all but positional
    /// argument `kept`, which the caller handles): functions among them escape.
    pub(super) fn escape_arguments(&mut self, site: GSite, kept: Option<usize>) {
        // Once per site and kept argument: a receiver that may also be unknown still lets
        // every argument escape.
        let mark = kept.map_or(ESCAPE_MARK, |kept| ESCAPE_MARK - 1 - kept as ObjId);
        if !self.applied.insert((site, mark)) {
            return;
        }
        let args = self.site_args(site);
        let call = args.call();
        let positional = call.args.iter().enumerate().filter(|(i, _)| Some(*i) != kept).map(|(_, a)| a.node);
        let nodes = positional.chain(call.keywords.iter().map(|k| k.node));
        for node in nodes.filter_map(|n| args.node(n)).collect::<Vec<_>>() {
            self.complex_on(node, Complex::Escape);
        }
        // What `*xs` and `**kw` spread escapes too.
        let spreads: Vec<(GNode, Part)> = (args.spreads(false).map(|node| (node, Part::Iter)))
            .chain(args.spreads(true).map(|node| (node, Part::Values)))
            .collect();
        for (spread, part) in spreads {
            let elements = self.new_node();
            self.complex_on(spread, Complex::LoadPart { part, to: elements, label: NO_LABEL });
            self.complex_on(elements, Complex::Escape);
        }
    }

    /// A function whose object reaches code outside the project: any value may reach its parameters.
    pub(super) fn escape(&mut self, func: GFunc) {
        if !self.escaped.insert(func) {
            return;
        }
        let (_, facts) = self.modules.func(func);
        let skip = usize::from(matches!(
            facts.kind,
            FunctionKind::Method | FunctionKind::ClassMethod | FunctionKind::Property
        ));
        let params: Vec<u32> = facts.params.iter().skip(skip).map(|p| p.node).collect();
        for param in params {
            let node = self.func_node(func, param);
            self.seed(node, Obj::Unknown);
        }
    }

    fn method_call(&mut self, site: GSite, name_id: NameId, value: Obj, result: GNode) {
        let name = &self.name(name_id).clone();
        match value {
            Obj::Instance(class) | Obj::Class(class) => {
                let is_instance = matches!(value, Obj::Instance(_));
                let methods = self.dispatch(class, name_id);
                for &func in methods.iter() {
                    let shift = match self.modules.func(func).1.kind {
                        FunctionKind::StaticMethod | FunctionKind::Function | FunctionKind::Lambda => 0,
                        FunctionKind::Method if !is_instance => 0,
                        FunctionKind::Property => {
                            self.seed(result, Obj::Unknown);
                            continue;
                        }
                        _ => 1,
                    };
                    if shift == 1 {
                        let facts = self.modules.func(func).1;
                        if !(facts.opaque || facts.is_async || facts.is_generator) {
                            self.receiver_returned(func, value, result);
                        }
                    }
                    self.bind(site, func, shift, result, shift == 1);
                }
                if !methods.is_empty() {
                    return;
                }
                // `start()` of a `threading.Thread` subclass runs its `run` in a new thread.
                if is_instance
                    && name == "start"
                    && self.classes.has_external_base(class, crate::asyncio_api::is_thread_class)
                    && let Some(run) = self.classes.find_method(&self.modules, class, "run")
                {
                    self.thread_targets.insert((run, site));
                }
                // An attribute holding a callable: call what it holds.
                if self.classes.attribute_in_cone(&self.modules, class, name) {
                    let (_, reads) = self.attribute_nodes(class, name_id);
                    for &slot in reads.iter() {
                        self.complex_on(slot, Complex::Call { site, result });
                    }
                } else {
                    self.unknown_call(site, result);
                }
            }
            Obj::Module(m) => match self.modules.resolve_member(m, name) {
                Resolved::Function(func) => self.bind_call(site, func, 0, result),
                Resolved::Class(class) => self.construct(site, class, result),
                Resolved::Variable(node) => self.complex_on(node, Complex::Call { site, result }),
                Resolved::External(path) => {
                    let id = self.path(&path);
                    self.external_path_call(site, id, result);
                }
                Resolved::Module(_) | Resolved::Unknown => self.unknown_call(site, result),
            },
            Obj::External(path) => {
                let full = format!("{}.{name}", self.paths[path as usize]);
                let id = self.path(&full);
                self.external_path_call(site, id, result);
            }
            Obj::ExternalInstance(path) => {
                if let Some(index) = thread_runner_method(&self.paths[path as usize], name) {
                    // `executor.submit(f, *args)` calls `f(*args)`; `map` calls it per element.
                    let passing = if name == "submit" { Passing::Arguments } else { Passing::Elements };
                    self.note_thread_runner(site, index, None, passing);
                }
                let effect = external_method(&self.paths[path as usize], name);
                if effect == ExternalCall::NewTask {
                    // A TaskGroup keeps a reference to the tasks it creates.
                    self.kept_tasks.insert(site);
                }
                // With the instance's class: an executor's Futures are `concurrent.futures` ones.
                let class = (effect == ExternalCall::NewFuture).then_some(path);
                self.external_effect(site, result, effect, class);
            }
            Obj::Loop => {
                let name = name.clone();
                self.loop_call(site, &name, result);
            }
            Obj::Container(container, kind) => self.container_method(site, container, kind, name, result),
            // A method of something the analysis does not follow may call what it is given.
            Obj::Unknown => self.unknown_call(site, result),
            _ => self.seed(result, Obj::Unknown),
        }
    }

    /// Loop-only methods on receivers that resolve to nothing else are the loop's.
    pub(super) fn loop_fallback(&mut self) {
        let calls = std::mem::take(&mut self.loop_method_calls);
        for (receiver, id) in calls {
            let Complex::MethodCall { site, name, result } = self.complex[id as usize] else { continue };
            let name = self.name(name).clone();
            let resolved_elsewhere =
                self.sets[receiver as usize].as_slice().iter().any(|&obj| match self.objs[obj as usize] {
                    Obj::Loop | Obj::External(_) | Obj::Module(_) | Obj::ExternalInstance(_) | Obj::Class(_) => true,
                    Obj::Instance(class) => self.classes.find_method(&self.modules, class, &name).is_some(),
                    _ => false,
                });
            if !resolved_elsewhere {
                self.loop_call(site, &name, result);
                // The receiver is only assumed to be a loop: when the project has its own
                // method of this name, its argument rules are unknown, so TL004 stays out.
                if self.classes.is_method_name(&self.modules, &name) {
                    self.task_argument_sites.remove(&site);
                    // Nor is it known whether the project's method keeps the Task (TL005).
                    self.kept_tasks.insert(site);
                }
            }
        }
    }
}

/// How a thread runner passes arguments to the function it runs.
#[derive(Clone, Copy)]
enum Passing {
    /// The call's positional arguments after the function (`to_thread(f, *args)`).
    Arguments,
    /// The elements of the iterables after it, one call per element (`executor.map`).
    Elements,
    /// A tuple (`Thread(target=f, args=(...))`).
    Tuple,
}

/// The tuple of arguments a thread runner passes its function: `args=`, or positionally
/// (`Thread(group, target, name, args)`, `Timer(interval, function, args)`,
/// `_thread.start_new_thread(function, args)`: the position after the function's, or two
/// after it for `Thread`, which names the thread in between).
fn thread_arguments(args: &super::calls::SiteArgs, function: u8, keyword: Option<&str>) -> Option<GNode> {
    let call = args.call();
    if let Some(named) = call.keywords.iter().find(|k| k.name.as_str() == "args") {
        return args.node(named.node);
    }
    let position = usize::from(function) + if keyword == Some("target") { 2 } else { 1 };
    args.arg(position)
}
