//! What happens when an object reaches the base of a complex constraint:
//! attribute reads and writes, container slots, calls, awaits and callbacks.

use std::rc::Rc;

use ruff_python_ast::name::Name;
use tasklens_semantic::facts::{ContainerKind, FunctionKind, KeyId, ParamKind, Part, ReturnPath, ReturnShape};

use super::{Complex, DynHopKind, HopAt, Label, NO_LABEL, NameId, Solver};
use crate::asyncio_api::{ExternalCall, external_call, external_method, is_followed, loop_method, loop_removed};
use crate::modules::Resolved;
use crate::objects::{GClass, GFunc, GNode, GSite, ModIdx, Obj, ObjId};

/// A call site, read in place from its module's facts.
pub(super) struct SiteArgs {
    pub(super) module: ModIdx,
    pub(super) site: GSite,
    base: GNode,
    facts: std::sync::Arc<tasklens_semantic::ModuleFacts>,
    local: usize,
}

impl SiteArgs {
    pub(super) fn call(&self) -> &tasklens_semantic::facts::CallSite {
        &self.facts.call_sites[self.local]
    }

    /// The whole call, as the place of a hop.
    pub(super) fn at(&self) -> HopAt {
        HopAt::Call(self.site)
    }

    /// The project-wide node of positional argument `index`.
    pub(super) fn arg(&self, index: usize) -> Option<GNode> {
        self.call().args.get(index).and_then(|a| a.node).map(|n| self.base + n)
    }

    pub(super) fn node(&self, local: Option<u32>) -> Option<GNode> {
        local.map(|n| self.base + n)
    }

    /// The constant dict key of `d.get(K)` and its kin, as an index into the module's facts.
    pub(super) fn key(&self) -> Option<KeyId> {
        let keys = &self.facts.key_args;
        let local = self.local as u32;
        keys.binary_search_by_key(&local, |(site, _)| *site).ok().map(|at| keys[at].1)
    }
}

/// The slot a store of `part` writes in a container of `kind`.
pub(super) fn stored_part(part: Part, kind: ContainerKind) -> Part {
    match part {
        Part::Keys | Part::Key(_) if kind == ContainerKind::Dict => part,
        // A dict's values stored under keys that are not constants.
        _ if kind == ContainerKind::Dict => Part::Unkeyed,
        Part::Iter | Part::Key(_) | Part::Unkeyed => Part::Values,
        Part::Index(_) if kind != ContainerKind::Tuple => Part::Values,
        other => other,
    }
}

/// What a call passes for one parameter.
enum Passed {
    Node(GNode),
    /// A value the analysis does not follow.
    Unknown,
    /// Nothing of its own (a default, a spread, a bound `self`): the parameter's node has it.
    NotHere,
}

/// The argument `args` passes for parameter `index` of `params`, the first `shift` of them
/// bound before the call's arguments.
fn passed_argument(args: &SiteArgs, params: &[tasklens_semantic::facts::Param], shift: usize, index: usize) -> Passed {
    let call = args.call();
    let param = &params[index];
    if call.has_spread {
        return Passed::NotHere;
    }
    let positional = matches!(param.kind, ParamKind::Positional | ParamKind::PositionalOnly)
        .then(|| index.checked_sub(shift).and_then(|at| call.args.get(at)).map(|arg| arg.node))
        .flatten();
    let keyword = || {
        matches!(param.kind, ParamKind::Positional | ParamKind::KeywordOnly)
            .then(|| call.keywords.iter().find(|k| k.name == param.name).map(|k| k.node))
            .flatten()
    };
    match positional.or_else(keyword) {
        Some(Some(node)) => args.node(Some(node)).map_or(Passed::Unknown, Passed::Node),
        Some(None) => Passed::Unknown,
        None => Passed::NotHere,
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
            Complex::StorePart { part, from, label } => {
                if let Obj::Container(container, kind) = value {
                    let slot = self.part_node(container, stored_part(part, kind));
                    self.edge(from, slot, label);
                }
            }
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
                    _ => return,
                };
                self.forward_arguments(site, first as usize, func, shift);
            }
            Complex::LoopCallback => match value {
                Obj::Function(func) | Obj::Bound(func) => {
                    self.loop_callbacks.insert(func);
                }
                Obj::Partial(partial) => {
                    if let Some(function) = self.site_args(partial).arg(0) {
                        self.complex_on(function, Complex::LoopCallback);
                    }
                }
                _ => {}
            },
            Complex::Escape => match value {
                Obj::Function(func) | Obj::Bound(func) => self.escape(func),
                Obj::Partial(partial) => {
                    if let Some(function) = self.site_args(partial).arg(0) {
                        self.complex_on(function, Complex::Escape);
                    }
                }
                _ => {}
            },
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
                Obj::Future(_) | Obj::ParamFuture(_) | Obj::Task(_) => {
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
                | Obj::Loop => {}
                _ => self.seed(result, Obj::Task(Some(site))),
            },
        }
    }

    /// The positional arguments of `site` from `first` on reach the parameters of `func`
    /// (after `shift` bound ones).
    fn forward_arguments(&mut self, site: GSite, first: usize, func: GFunc, shift: usize) {
        let args = self.site_args(site);
        let forwarded: Vec<(Option<GNode>, HopAt)> = (args.call().args.iter().enumerate().skip(first))
            .map(|(i, a)| (args.node(a.node), HopAt::Arg(site, i as u32)))
            .collect();
        let (fm, _) = self.modules.func(func);
        let entry = &self.modules.modules[fm as usize];
        let (base, facts) = (entry.node_base, entry.facts.clone());
        let params = &facts.functions[(func - entry.func_base) as usize].params;
        for (index, (node, at)) in forwarded.into_iter().enumerate() {
            if let Some(param) = params.get(index + shift) {
                self.argument(args.module, node, at, param, base, func);
            }
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

    fn load(&mut self, value: Obj, attr_id: NameId, to: GNode, label: Label) {
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
        let write = self.attr_node(owner, attr_id);
        if self.classes.external_base[class as usize] && !self.modules.class(owner).1.has_attribute(attr) {
            self.seed(write, Obj::Unknown);
        }
        let mut reads = vec![write];
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

    fn load_part(&mut self, value: Obj, part: Part, to: GNode, label: Label) {
        match value {
            Obj::Container(container, kind) => {
                let part = match part {
                    Part::Iter if kind == ContainerKind::Dict => Part::Keys,
                    Part::Key(_) if kind == ContainerKind::Dict => part,
                    Part::Iter | Part::Key(_) | Part::Unkeyed => Part::Values,
                    Part::Index(_) if kind != ContainerKind::Tuple => Part::Values,
                    other => other,
                };
                let slot = self.part_node(container, part);
                self.edge(slot, to, label);
            }
            Obj::View(container, _, viewed) => {
                let part = match part {
                    Part::Keys | Part::Values => part,
                    Part::Key(_) | Part::Unkeyed => Part::Values,
                    _ => viewed,
                };
                let slot = self.part_node(container, part);
                self.edge(slot, to, label);
            }
            Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => self.seed(to, Obj::Unknown),
            _ => {}
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
                        self.receiver_returned(func, value, to, NO_LABEL);
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
            Obj::Partial(partial) => match self.site_args(partial).arg(0) {
                Some(function) => self.complex_on(function, Complex::PartialCall { partial, site, result }),
                None => self.unknown_call(site, result),
            },
            Obj::External(path) => {
                let name = self.paths[path as usize].clone();
                self.note_removed_loop(site, &name);
                self.external_effect(site, result, external_call(&name), Some(path));
            }
            _ => self.unknown_call(site, result),
        }
    }

    /// Records `loop=` passed to an asyncio API that removed it (TL006).
    fn note_removed_loop(&mut self, site: GSite, path: &str) {
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
    }

    /// A function whose object reaches code outside the project: any value may reach its parameters.
    fn escape(&mut self, func: GFunc) {
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
                            self.receiver_returned(func, value, result, NO_LABEL);
                        }
                    }
                    self.bind(site, func, shift, result, shift == 1);
                }
                if !methods.is_empty() {
                    return;
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
                    self.note_removed_loop(site, &path);
                    let effect = external_call(&path);
                    let id = self.path(&path);
                    self.external_effect(site, result, effect, Some(id));
                }
                Resolved::Module(_) | Resolved::Unknown => self.unknown_call(site, result),
            },
            Obj::External(path) => {
                let full = format!("{}.{name}", self.paths[path as usize]);
                self.note_removed_loop(site, &full);
                let effect = external_call(&full);
                let id = self.path(&full);
                self.external_effect(site, result, effect, Some(id));
            }
            Obj::ExternalInstance(path) => {
                let effect = external_method(&self.paths[path as usize], name);
                if effect == ExternalCall::NewTask {
                    // A TaskGroup keeps a reference to the tasks it creates.
                    self.kept_tasks.insert(site);
                }
                self.external_effect(site, result, effect, None);
            }
            Obj::Loop => self.external_effect(site, result, loop_method(name), None),
            Obj::Container(container, kind) => self.container_method(site, container, kind, name, result),
            // A method of something the analysis does not follow may call what it is given.
            Obj::Unknown => self.unknown_call(site, result),
            _ => self.seed(result, Obj::Unknown),
        }
    }

    fn construct(&mut self, site: GSite, class: GClass, result: GNode) {
        self.seed(result, Obj::Instance(class));
        // A subclass of `asyncio.Future` (not of `Task`) makes plain Futures.
        if self.classes.future_base[class as usize] {
            self.seed(result, Obj::Future(site));
        }
        if let Some(init) = self.classes.find_method(&self.modules, class, "__init__") {
            let ignored = self.new_node();
            self.bind_call(site, init, 1, ignored);
        } else if self.classes.mro[class as usize].iter().any(|&c| self.modules.class(c).1.dataclass) {
            self.bind_fields(site, class);
        }
    }

    /// A dataclass constructor: arguments go to the fields, bases' fields first.
    fn bind_fields(&mut self, site: GSite, class: GClass) {
        let mut fields: Vec<(GClass, Name)> = Vec::new();
        for &c in self.classes.mro[class as usize].iter().rev() {
            for field in &self.modules.class(c).1.fields {
                if !fields.iter().any(|(_, f)| f == field) {
                    fields.push((c, field.clone()));
                }
            }
        }
        let args = self.site_args(site);
        let call = args.call();
        let positional =
            call.args.iter().enumerate().map(|(i, a)| (a.node, HopAt::Arg(site, i as u32))).zip(fields.iter().cloned());
        let keywords = call.keywords.iter().enumerate().filter_map(|(i, k)| {
            let field = fields.iter().find(|(_, f)| *f == k.name)?;
            Some(((k.node, HopAt::Keyword(site, i as u32)), field.clone()))
        });
        let bindings: Vec<_> = positional.chain(keywords).collect();
        for ((node, at), (owner, field)) in bindings {
            let field_id = self.name_id(&field);
            let slot = self.attr_node(owner, field_id);
            match args.node(node) {
                Some(node) => {
                    let label = self.dyn_hop(args.module, at, DynHopKind::Field { field: field.clone() });
                    self.edge(node, slot, label);
                }
                None => self.seed(slot, Obj::Unknown),
            }
        }
    }

    /// Binds a call's arguments to a project function's parameters and its result to the call.
    /// The keyword arguments of `site` reach the parameters of `func` with their names.
    fn forward_keywords(&mut self, site: GSite, func: GFunc) {
        let args = self.site_args(site);
        let keywords: Vec<(Name, Option<GNode>, HopAt)> = (args.call().keywords.iter().enumerate())
            .map(|(k, keyword)| (keyword.name.clone(), args.node(keyword.node), HopAt::Keyword(site, k as u32)))
            .collect();
        let (fm, _) = self.modules.func(func);
        let entry = &self.modules.modules[fm as usize];
        let (base, facts) = (entry.node_base, entry.facts.clone());
        let params = &facts.functions[(func - entry.func_base) as usize].params;
        for (name, node, at) in keywords {
            let named = params
                .iter()
                .find(|p| p.name == name && matches!(p.kind, ParamKind::Positional | ParamKind::KeywordOnly));
            if let Some(param) = named {
                self.argument(args.module, node, at, param, base, func);
            }
        }
    }

    pub(super) fn bind_call(&mut self, site: GSite, func: GFunc, shift: usize, result: GNode) {
        self.bind(site, func, shift, result, false);
    }

    /// A method that returns `self` (or a classmethod `cls`), or one step into it, called on
    /// `value`: the call's `result` comes from `value` itself, not from every instance the
    /// method's `self` stands for.
    fn receiver_returned(&mut self, func: GFunc, value: Obj, result: GNode, label: Label) {
        let (m, facts) = self.modules.func(func);
        let receiver = match (facts.kind, value) {
            (FunctionKind::ClassMethod, Obj::Instance(class)) => Obj::Class(class),
            _ => value,
        };
        let paths: smallvec::SmallVec<[ReturnPath; 2]> =
            facts.passed_through.iter().filter(|p| p.param == 0).map(|p| p.path).collect();
        for path in paths {
            match self.returned_path(m, path) {
                ReturnPath::Whole => {
                    let receiver = self.obj(receiver);
                    self.add(result, receiver, super::NO_NODE, label);
                }
                ReturnPath::Attr(attr) => self.load(receiver, attr, result, label),
                ReturnPath::Part(part) => self.load_part(receiver, part, result, label),
                // `return ensure_future(self)`: as the function's own result.
                ReturnPath::EnsureFuture { value, .. } => self.edge(value, result, label),
            }
        }
    }

    /// A return path of a function of module `m`, with names and keys numbered project-wide.
    fn returned_path(&mut self, m: ModIdx, path: ReturnPath) -> ReturnPath {
        match path {
            ReturnPath::Whole => ReturnPath::Whole,
            ReturnPath::Attr(local) => {
                let name = self.modules.modules[m as usize].facts.name(local).clone();
                ReturnPath::Attr(self.name_id(&name))
            }
            ReturnPath::Part(part) => ReturnPath::Part(self.project_part(m, part)),
            ReturnPath::EnsureFuture { site, value } => {
                let module = &self.modules.modules[m as usize];
                ReturnPath::EnsureFuture { site: module.site_base + site, value: module.node_base + value }
            }
        }
    }

    /// What a parameter passed through gives at a call, read from `from` (the argument's
    /// node, or the parameter's own).
    fn returned_from_node(&mut self, from: GNode, path: ReturnPath, result: GNode, label: Label) {
        match path {
            ReturnPath::Whole => self.edge(from, result, label),
            ReturnPath::Attr(attr) => self.complex_on(from, Complex::Load { attr, to: result, label }),
            ReturnPath::Part(part) => self.complex_on(from, Complex::LoadPart { part, to: result, label }),
            // Known to be asyncio's: what this call's argument makes there. Not known yet:
            // decided when the inner call is resolved, or at the end (as its own result).
            ReturnPath::EnsureFuture { site, value } => match self.ensure_future_sites.contains_key(&site) {
                true => self.complex_on(from, Complex::EnsureFutureArg { site, result }),
                false => self.wrapped_ensure_future.entry(site).or_default().push((from, result, value, label)),
            },
        }
    }

    /// Calls of functions returning `ensure_future(param)` wait for that inner call to be
    /// resolved; one that never is asyncio's gives its result to every caller.
    pub(super) fn wrapped_fallback(&mut self) {
        let pending = std::mem::take(&mut self.wrapped_ensure_future);
        let mut pending: Vec<_> = pending.into_values().flatten().collect();
        pending.sort_unstable();
        for (_, result, value, label) in pending {
            self.edge(value, result, label);
        }
    }

    /// Binds a call's arguments to `func`'s parameters, the first `shift` of them bound
    /// already; `receiver_given` when the caller hands a returned receiver back itself.
    fn bind(&mut self, site: GSite, func: GFunc, shift: usize, result: GNode, receiver_given: bool) {
        if !self.bound.insert((site, func, shift)) {
            return;
        }
        let args = self.site_args(site);
        let (fm, _) = self.modules.func(func);
        let entry = &self.modules.modules[fm as usize];
        let (base, func_facts) = (entry.node_base, entry.facts.clone());
        let facts = &func_facts.functions[(func - entry.func_base) as usize];
        let params = &facts.params;
        let (opaque, outermost) = (facts.opaque, facts.decorated.first().copied());
        let mut matched: smallvec::SmallVec<[bool; 8]> = smallvec::smallvec![false; params.len()];
        let call = args.call();
        for (i, arg) in call.args.iter().enumerate() {
            let index = i + shift;
            let target = match params.get(index) {
                Some(p) if matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional) => Some(index),
                _ => params.iter().position(|p| p.kind == ParamKind::VarArgs),
            };
            if let Some(index) = target {
                matched[index] = true;
                let at = HopAt::Arg(site, i as u32);
                self.argument(args.module, args.node(arg.node), at, &params[index], base, func);
            }
        }
        for (k, keyword) in call.keywords.iter().enumerate() {
            let target = params
                .iter()
                .position(|p| {
                    p.name == keyword.name && matches!(p.kind, ParamKind::Positional | ParamKind::KeywordOnly)
                })
                .or_else(|| params.iter().position(|p| p.kind == ParamKind::KwArgs));
            if let Some(index) = target {
                matched[index] = true;
                let at = HopAt::Keyword(site, k as u32);
                self.argument(args.module, args.node(keyword.node), at, &params[index], base, func);
            }
        }
        if call.has_spread {
            for (index, param) in params.iter().enumerate().skip(shift) {
                if matches!(param.kind, ParamKind::VarArgs | ParamKind::KwArgs) {
                    let elements = self.part_node(base + param.node, Part::Values);
                    self.seed(elements, Obj::Unknown);
                } else if !matched[index] {
                    self.seed(base + param.node, Obj::Unknown);
                }
            }
        }
        match (opaque, outermost) {
            // What the call gives depends on what the decorators return.
            (true, Some(outermost)) => {
                self.complex_on(base + outermost, Complex::Decorated { site, func, result, depth: 0 });
            }
            (true, None) => self.opaque_result(site, func, result),
            (false, _) => self.call_result(site, func, result, Some((shift, receiver_given))),
        }
    }

    /// A decorator returned something the analysis does not follow: most decorators keep
    /// the function's result, some replace it. Keep the result (so Futures are still
    /// followed) and add `Unknown` (so no rule relies on it being only what the body returns).
    fn opaque_result(&mut self, site: GSite, func: GFunc, result: GNode) {
        self.seed(result, Obj::Unknown);
        self.escape(func);
        self.call_result(site, func, result, None);
    }

    /// What a call of a project function gives: a generator, a coroutine, or its return value.
    /// What a call of `func` at `site` gives. A parameter the function passes through comes
    /// back from this call's own argument (when the binding is known: how many parameters
    /// the call binds before its arguments, and whether the caller hands a returned receiver
    /// back itself); the rest of what it returns from its `own_ret`.
    fn call_result(&mut self, site: GSite, func: GFunc, result: GNode, binding: Option<(usize, bool)>) {
        let args = self.site_args(site);
        let (fm, _) = self.modules.func(func);
        let entry = &self.modules.modules[fm as usize];
        let (base, func_facts) = (entry.node_base, entry.facts.clone());
        let facts = &func_facts.functions[(func - entry.func_base) as usize];
        if facts.is_generator {
            // A generator object: iterating it yields what the body yields.
            let yields = base + facts.yields;
            self.seed(result, Obj::Container(yields, ContainerKind::Iterator));
            let values = self.part_node(yields, Part::Values);
            self.edge(yields, values, NO_LABEL);
        } else if facts.is_async {
            // Awaiting the coroutine of a call that passes parameters through gives what
            // this call passed (`Obj::CoroCall`); the receiver is not handed back for a
            // coroutine, so it comes from the parameter.
            match binding.filter(|_| !facts.passed_through.is_empty()) {
                Some((shift, _)) => {
                    self.coro_bindings.insert((site, func), shift);
                    self.seed(result, Obj::CoroCall(site, func));
                }
                None => self.seed(result, Obj::Coro(Some(func))),
            }
        } else {
            let label = self.dyn_hop(args.module, args.at(), DynHopKind::CallResult { func });
            let Some((shift, receiver_given)) = binding.filter(|_| !facts.passed_through.is_empty()) else {
                return self.edge(base + facts.ret, result, label);
            };
            self.passed_through_result(site, func, shift, receiver_given, result, label);
        }
    }

    /// What `func`, called at `site` with its first `shift` parameters bound before the
    /// arguments, returns into `result`: its own results, and for each parameter it passes
    /// through what this call passed (unless the caller hands back a returned receiver).
    fn passed_through_result(
        &mut self,
        site: GSite,
        func: GFunc,
        shift: usize,
        receiver_given: bool,
        result: GNode,
        label: Label,
    ) {
        let args = self.site_args(site);
        let (fm, _) = self.modules.func(func);
        let entry = &self.modules.modules[fm as usize];
        let (base, func_facts) = (entry.node_base, entry.facts.clone());
        let facts = &func_facts.functions[(func - entry.func_base) as usize];
        self.edge(base + facts.own_ret, result, label);
        for passed in &facts.passed_through {
            let index = passed.param as usize;
            if receiver_given && index < shift {
                continue;
            }
            let path = self.returned_path(fm, passed.path);
            let from = match passed_argument(&args, &facts.params, shift, index) {
                Passed::Node(node) => node,
                Passed::Unknown => {
                    self.seed(result, Obj::Unknown);
                    continue;
                }
                Passed::NotHere => base + facts.params[index].node,
            };
            self.returned_from_node(from, path, result, label);
        }
    }

    /// A decorator of `func` (the value of the `d` in `@d`) reaches a call of `func`, and
    /// is judged by what it returns: its parameter (a registering decorator) gives the
    /// body's result; an `async def` defined in it (a wrapper) gives a coroutine, modelled
    /// as one of `func` so that awaiting it gives the body's result; a synchronous wrapper
    /// keeps the body's result plus `Unknown` and adds the Futures and Tasks the wrapper
    /// creates itself; anything else is opaque. Judging decorators by their shape, not by
    /// following the call `d(func)`, keeps the functions one decorator wraps apart. The
    /// outermost decorator decides; one that returns its parameter hands over to the next.
    pub(super) fn decorated_call(&mut self, value: Obj, site: GSite, func: GFunc, result: GNode, depth: u8) {
        let Obj::Function(decorator) = value else {
            return self.opaque_result(site, func, result);
        };
        let (m, facts) = self.modules.func(decorator);
        let func_base = self.modules.modules[m as usize].func_base;
        match facts.returns {
            ReturnShape::FirstParam => {
                let (fm, facts) = self.modules.func(func);
                match facts.decorated.get(usize::from(depth) + 1) {
                    Some(&inner) if depth < u8::MAX => {
                        let inner = self.modules.modules[fm as usize].node_base + inner;
                        self.complex_on(inner, Complex::Decorated { site, func, result, depth: depth + 1 });
                    }
                    Some(_) => self.opaque_result(site, func, result),
                    None => self.call_result(site, func, result, None),
                }
            }
            ReturnShape::Nested(local) if self.modules.func(func_base + local).1.makes_coroutine() => {
                self.seed(result, Obj::Coro(Some(func)));
            }
            ReturnShape::Nested(local) => {
                self.opaque_result(site, func, result);
                let wrapper = func_base + local;
                let ret = self.ret_node(wrapper);
                self.complex_on(ret, Complex::WrapperResult { wrapper, result });
            }
            ReturnShape::Unset | ReturnShape::Other => self.opaque_result(site, func, result),
        }
    }

    /// Whether `site` is a call in the body of `func`.
    pub(super) fn site_in_function(&self, site: GSite, func: GFunc) -> bool {
        let (module, call) = self.modules.site(site);
        let base = self.modules.modules[module as usize].func_base;
        call.caller.is_some_and(|caller| base + caller == func)
    }

    fn argument(
        &mut self,
        module: ModIdx,
        node: Option<GNode>,
        at: HopAt,
        param: &tasklens_semantic::facts::Param,
        base: GNode,
        func: GFunc,
    ) {
        // `*args` and `**kwargs` collect their arguments as elements.
        let target = match param.kind {
            ParamKind::VarArgs | ParamKind::KwArgs => self.part_node(base + param.node, Part::Values),
            _ => base + param.node,
        };
        match node {
            Some(node) => {
                let label = self.dyn_hop(module, at, DynHopKind::Argument { param: param.name.clone(), func });
                self.edge(node, target, label);
            }
            None => self.seed(target, Obj::Unknown),
        }
    }

    pub(super) fn site_args(&self, site: GSite) -> SiteArgs {
        let module = self.modules.site_module(site);
        let entry = &self.modules.modules[module as usize];
        SiteArgs {
            module,
            site,
            base: entry.node_base,
            facts: entry.facts.clone(),
            local: (site - entry.site_base) as usize,
        }
    }

    pub(crate) fn ret_node(&self, func: GFunc) -> GNode {
        let (m, facts) = self.modules.func(func);
        self.modules.modules[m as usize].node_base + facts.ret
    }

    fn func_node(&self, func: GFunc, local: u32) -> GNode {
        let (m, _) = self.modules.func(func);
        self.modules.modules[m as usize].node_base + local
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
                self.external_effect(site, result, loop_method(&name), None);
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
