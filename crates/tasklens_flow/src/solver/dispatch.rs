//! What happens when an object reaches the base of a complex constraint, by kind: awaits,
//! callbacks, calls and method calls, escapes. Attributes are in `attributes.rs`, container
//! slots in `parts.rs`, thread runners in `threads.rs`, and calls of project functions are
//! bound in `calls.rs`; calls of outside callables note what they are in `outside_calls.rs`.

use tasklens_semantic::facts::{ContainerKind, FunctionKind, Part};

use super::parts::stored_part;
use super::{Complex, DynHopKind, HopAt, Label, NO_LABEL, NameId, Solver};
use crate::asyncio_api::{ExternalCall, external_call, external_method, loop_method, thread_runner_method};
use crate::modules::Resolved;
use crate::objects::{GFunc, GNode, GSite, Obj, ObjId};

/// Marks a site whose arguments already escape (the marks below it: all but one).
const ESCAPE_MARK: ObjId = u32::MAX;
/// The mark of a site whose arguments escaped but for one keyword (below those of kept positions).
const KEYWORD_KEPT_MARK: ObjId = ESCAPE_MARK - 1 - 1024;

impl Solver {
    pub(super) fn apply(&mut self, id: u32, node: GNode, obj: ObjId) {
        let complex = self.complex[id as usize];
        let value = self.objs[obj as usize];
        match complex {
            Complex::Load { attr, to, label } => self.load(value, attr, to, label),
            Complex::PropertyRead { site, name } => {
                if let Obj::Instance(class) = value {
                    let getters: Vec<GFunc> = (self.dispatch(class, name).iter())
                        .copied()
                        .filter(|&func| self.modules.func(func).1.kind == FunctionKind::Property)
                        .collect();
                    for getter in getters {
                        self.bound.insert((site, getter, 1));
                    }
                }
            }
            Complex::ImplicitCall { site, name } => {
                if let Obj::Instance(class) = value {
                    let methods = self.dispatch(class, name);
                    for &method in methods.iter() {
                        self.bound.insert((site, method, 1));
                    }
                }
            }
            Complex::Store { attr, from, label } => self.store(value, attr, from, label),
            Complex::Concat { to, kind } => {
                // A list subclass of the project's adds up to a list as well.
                let container = match value {
                    Obj::Container(..) | Obj::View(..) => true,
                    Obj::Instance(class) => self.classes.may_be_container(class),
                    _ => false,
                };
                if container {
                    self.seed(to, Obj::Container(to, kind));
                }
            }
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
                    if *self.first_callee.entry(site).or_insert(obj) != obj {
                        self.several_callees.insert(site);
                    }
                    self.call_value(site, value, result);
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
                        // A coroutine an executor's thread handed back is run after all.
                        if self.result_runner_sites.contains(&site) {
                            self.awaited_thread_coroutines.insert((site, func));
                        }
                        let ret = self.ret_node(func);
                        self.edge(ret, to, NO_LABEL);
                    }
                },
                Obj::WaitCoro(site) => self.awaited_wait(site, to),
                Obj::EnterCoro(site) => self.enter_argument(site, to),
                Obj::ItemCoro(queue) => {
                    let items = self.part_node(queue, Part::Values);
                    self.edge(items, to, NO_LABEL);
                }
                Obj::Task(site) => self.awaited_argument(site, to),
                Obj::WaitForCoro(site) => self.awaited_argument(Some(site), to),
                Obj::Future(site) => self.future_result(site, to),
                _ => self.seed(to, Obj::Unknown),
            },
            Complex::Enter { to } => self.enter(value, obj, to),
            Complex::Read { site, method, value: own, result } => match value {
                Obj::Container(container, kind) => {
                    self.container_method(site, container, kind, method.as_str(), result)
                }
                _ => self.edge(own, result, NO_LABEL),
            },
            Complex::Callback { receiver, site } => {
                let (func, index) = match value {
                    Obj::Function(func) => (func, 0),
                    Obj::Bound(func) => (func, 1),
                    Obj::Partial(partial) => {
                        self.partial_callbacks.insert((site, partial));
                        // `partial(f, a, b)`: the Future comes after `a` and `b`.
                        if let Some(function) = self.site_args(partial).arg(0) {
                            self.complex_on(function, Complex::PartialCallback { receiver, partial, site });
                        }
                        return;
                    }
                    _ => return,
                };
                self.done_callbacks.push((receiver, func));
                self.note_coroutine_callback(site, func, node);
                let (_, facts) = self.modules.func(func);
                if let Some(param) = facts.params.get(index).map(|p| p.node) {
                    let param = self.func_node(func, param);
                    self.done_callback_params.entry(param).or_insert(site);
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
                        self.partial_calls.entry(site).or_insert(partial);
                        // `partial(asyncio.sleep, loop=loop)(0)` passes the bound `loop=` (TL006).
                        let path = self.paths[path as usize].clone();
                        self.note_removed_loop(partial, &path);
                        // `partial(asyncio.gather, *aws)()`: a plain Future whatever it is given.
                        let effect = external_call(&path);
                        if effect == ExternalCall::NewFuture {
                            self.escape_arguments(partial, None);
                            self.escape_arguments(site, None);
                            return self.external_effect(site, result, effect, None);
                        }
                        return self.unknown_call(site, result);
                    }
                    Obj::LoopMethod(name) => {
                        self.partial_calls.entry(site).or_insert(partial);
                        return self.partial_loop_call(partial, site, name, result);
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
                let Some((func, shift)) = value.callable() else { return };
                self.done_callbacks.push((receiver, func));
                self.note_coroutine_callback(site, func, node);
                // The bound arguments, then the Future.
                self.forward_arguments(partial, 1, func, shift);
                let bound = self.site_args(partial).call().args.len().saturating_sub(1);
                let (_, facts) = self.modules.func(func);
                if let Some(param) = facts.params.get(bound + shift).map(|p| p.node) {
                    let param = self.func_node(func, param);
                    self.done_callback_params.entry(param).or_insert(site);
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
                let Some((func, shift)) = value.callable() else { return };
                self.forward_arguments(partial, 1, func, shift);
                self.forward_keywords(partial, func);
                let bound = self.site_args(partial).call().args.len().saturating_sub(1);
                self.forward_arguments(site, first as usize, func, shift + bound);
            }
            Complex::ForwardElements { site, first } => self.forward_elements(value, site, first),
            Complex::ForwardTuple { tuple } => self.forward_tuple(value, tuple),
            Complex::LoopCallback { site, callback } => {
                if let Some(func) = self.callback_given(site, value, complex, node) {
                    self.loop_callbacks.insert(func);
                }
                // `loop.call_soon_threadsafe(loop.create_task, coro)`: the loop makes the Task
                // and drops what its callback returns, so nothing keeps it (TL005).
                let makes_task = match value {
                    Obj::LoopMethod(name) => loop_method(self.name(name)) == ExternalCall::NewTask,
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
            Complex::PatchAny => {
                if let Obj::External(path) = value {
                    self.patched_modules.insert(self.paths[path as usize].clone());
                }
            }
            Complex::PlainCallback { site } => {
                if let Some(func) = self.callback_given(site, value, complex, node)
                    && self.exit_sites.contains(&site)
                {
                    self.exit_targets.insert((func, site));
                }
            }
            Complex::ThreadTarget { site } => {
                let given = self.callback_given(site, value, complex, node);
                // An executor's Future gives what the function returns: unknown for a
                // function the analysis does not follow (or one a partial wraps).
                if given.is_none() && self.result_runner_sites.contains(&site) {
                    let slot = self.future_result_node(site);
                    self.seed(slot, Obj::Unknown);
                }
                if let Some(func) = given {
                    self.thread_targets.insert((func, site));
                    // What the executor's Future gives: the coroutine an `async def` makes,
                    // what a plain function returns, and for anything else (a generator, a
                    // function under an unknown decorator) what the analysis does not know.
                    if self.result_runner_sites.contains(&site) {
                        let facts = self.modules.func(func).1;
                        let (coroutine, plain) =
                            (facts.makes_coroutine(), !facts.is_async && !facts.is_generator && !facts.opaque);
                        let slot = self.future_result_node(site);
                        if coroutine {
                            self.seed(slot, Obj::CoroCall(site, func));
                        } else if plain {
                            let ret = self.ret_node(func);
                            self.edge(ret, slot, NO_LABEL);
                        } else {
                            self.seed(slot, Obj::Unknown);
                        }
                    }
                }
            }
            Complex::Escape => {
                if let Some(func) = self.function_called(value, complex) {
                    self.escape(func);
                }
            }
            Complex::ClientConnected => {
                let shift = match value {
                    Obj::Function(_) => 0,
                    Obj::Bound(_) => 1,
                    // A partial's own arguments come first: its function just escapes.
                    _ => {
                        if let Some(func) = self.function_called(value, Complex::Escape) {
                            self.escape(func);
                        }
                        return;
                    }
                };
                let Some(func) = self.function_called(value, complex) else { return };
                self.loop_callbacks.insert(func);
                let params: Vec<u32> = self.modules.func(func).1.params.iter().map(|p| p.node).collect();
                for (index, path) in crate::asyncio_api::CONNECTION_STREAMS {
                    let Some(&param) = params.get(shift + index as usize) else { continue };
                    let (node, id) = (self.func_node(func, param), self.path(path));
                    self.seed(node, Obj::ExternalInstance(id));
                }
            }
            Complex::Decorated { site, func, result, depth } => self.decorated_call(value, site, func, result, depth),
            Complex::FieldFactory { site, slot } => self.field_factory(value, site, slot),
            Complex::WrapperResult { wrapper, result } => match value {
                // From the wrapper's return: the way it came shows (and a Task a caller drops
                // is dropped by that call of a helper).
                Obj::Future(site) | Obj::Task(Some(site)) if self.site_in_function(site, wrapper) => {
                    self.add(result, obj, node, NO_LABEL);
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
                _ => {
                    self.task_made_of(site, value);
                    self.seed(result, Obj::Task(Some(site)));
                }
            },
            Complex::MakesTask { site } => self.task_made_of(site, value),
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

    // ---- calls ------------------------------------------------------------------

    pub(super) fn call_value(&mut self, site: GSite, value: Obj, result: GNode) {
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
            // `weakref.ref(x)()` gives `x` (or None, once `x` is gone).
            Obj::Container(container, ContainerKind::WeakRef) => {
                let referent = self.part_node(container, Part::Values);
                self.edge(referent, result, NO_LABEL);
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
    /// The project function a callback given at `site` (at `node`) runs, when it is one
    /// (a partial's function is reached through the partial's own argument). Notes a
    /// partial given there, and an `async def` (TL009).
    fn callback_given(&mut self, site: GSite, value: Obj, complex: Complex, node: GNode) -> Option<GFunc> {
        if let Obj::Partial(partial) = value {
            self.partial_callbacks.insert((site, partial));
        }
        let func = self.function_called(value, complex)?;
        self.note_coroutine_callback(site, func, node);
        Some(func)
    }

    /// A function the loop, a thread or plain code calls back at `site` (given at `node`)
    /// whose call only makes a coroutine: an `async def` no decorator may have wrapped (TL009).
    /// A plain one is noted too, unless an executor's Future hands back what it returns:
    /// what it returns is dropped.
    fn note_coroutine_callback(&mut self, site: GSite, func: GFunc, node: GNode) {
        let facts = self.modules.func(func).1;
        if facts.opaque {
            return;
        }
        if facts.makes_coroutine() {
            self.coroutine_callbacks.insert((site, func, node));
        } else if !facts.is_async && !facts.is_generator && !self.result_runner_sites.contains(&site) {
            self.returning_callbacks.insert((site, func, node));
        }
    }

    fn function_called(&mut self, value: Obj, complex: Complex) -> Option<GFunc> {
        match value {
            Obj::Function(func) | Obj::Bound(func) => Some(func),
            Obj::Partial(partial) => {
                if let Some(function) = self.site_args(partial).arg(0)
                    && self.passed_to_wrapped.insert((function, complex))
                {
                    self.complex_on(function, complex);
                }
                None
            }
            _ => None,
        }
    }

    pub(super) fn unknown_call(&mut self, site: GSite, result: GNode) {
        self.seed(result, Obj::Unknown);
        self.escape_arguments(site, None);
    }

    /// The arguments of `site` reach code the analysis cannot follow (all but positional
    /// argument `kept`, which the caller handles): functions among them escape.
    pub(super) fn escape_arguments(&mut self, site: GSite, kept: Option<usize>) {
        self.escape_arguments_except(site, kept, None);
    }

    /// [`Self::escape_arguments`], keeping the keyword argument `kept_keyword` too.
    pub(super) fn escape_arguments_except(&mut self, site: GSite, kept: Option<usize>, kept_keyword: Option<&str>) {
        // Once per site and kept argument: a receiver that may also be unknown still lets
        // every argument escape.
        let mark = match (kept, kept_keyword) {
            (_, Some(_)) => KEYWORD_KEPT_MARK,
            (Some(kept), None) => ESCAPE_MARK - 1 - kept as ObjId,
            (None, None) => ESCAPE_MARK,
        };
        if !self.applied.insert((site, mark)) {
            return;
        }
        let args = self.site_args(site);
        let call = args.call();
        let positional = call.args.iter().enumerate().filter(|(i, _)| Some(*i) != kept).map(|(_, a)| a.node);
        let keywords = call.keywords.iter().filter(|k| Some(k.name.as_str()) != kept_keyword);
        let nodes = positional.chain(keywords.map(|k| k.node));
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
        if name == "run_until_complete" || name == "run_forever" {
            // What an unknown receiver is stays open: a loop the analysis did not see.
            let (by_loop, by_other) = self.run_sites.entry(site).or_default();
            match value {
                Obj::Loop => *by_loop = true,
                Obj::Unknown => {}
                _ => *by_other = true,
            }
        }
        match value {
            Obj::Instance(class) | Obj::Class(class) => {
                let is_instance = matches!(value, Obj::Instance(_));
                // The class's `__getattribute__` may give something else than the method.
                if is_instance && self.intercepts_reads(class) {
                    self.seed(result, Obj::Unknown);
                }
                let mut methods = self.dispatch(class, name_id);
                // `Base.method(self, ...)` names the method of that class: an unbound call
                // runs what the MRO finds, not the overrides of subclasses.
                if !is_instance
                    && let Some(&found) = methods.first()
                    && self.modules.func(found).1.kind == FunctionKind::Method
                    && self.classes.find_method(&self.modules, class, name) == Some(found)
                {
                    methods = std::rc::Rc::from([found]);
                }
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
                        let returns_receiver = !(facts.opaque || facts.is_async || facts.is_generator);
                        let cls = (facts.kind == FunctionKind::ClassMethod)
                            .then(|| facts.params.first().map(|param| param.node))
                            .flatten();
                        if returns_receiver {
                            self.receiver_returned(func, value, result, Some(site));
                        }
                        // `cls` is the class the method is called on (a subclass, for an
                        // inherited one): `cls()` constructs it.
                        if let Some(first) = cls {
                            let cls = self.func_node(func, first);
                            self.seed(cls, Obj::Class(class));
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
                if let Some(runner) = thread_runner_method(&self.paths[path as usize], name) {
                    self.note_thread_runner(site, runner);
                }
                if let Some(index) = crate::asyncio_api::plain_callback_method_index(&self.paths[path as usize], name) {
                    self.plain_callback(site, index, true);
                }
                let effect = external_method(&self.paths[path as usize], name);
                if effect == ExternalCall::NewTask {
                    // A TaskGroup keeps a reference to the tasks it creates.
                    self.kept_tasks.insert(site);
                }
                // With the instance's class: an executor's Futures are `concurrent.futures`
                // ones, a `Runner` runs as `asyncio.run` does.
                let class = matches!(effect, ExternalCall::NewFuture | ExternalCall::RunToCompletion).then_some(path);
                if effect == ExternalCall::NewFuture {
                    self.thread_future_methods.push((site, path, name_id));
                }
                self.external_effect(site, result, effect, class);
            }
            Obj::Loop => {
                let name = name.clone();
                self.loop_call(site, &name, result);
            }
            Obj::Container(container, kind) => self.container_method(site, container, kind, name, result),
            Obj::Task(task) if name.as_str() == "result" => self.awaited_argument(task, result),
            Obj::Future(future) => match name.as_str() {
                "result" => self.future_result(future, result),
                "set_result" => {
                    let slot = self.future_result_node(future);
                    let args = self.site_args(site);
                    self.store_argument(&args, 0, slot, DynHopKind::FutureResult);
                    self.seed(result, Obj::Unknown);
                }
                _ => self.seed(result, Obj::Unknown),
            },
            // A method of something the analysis does not follow may call what it is given.
            Obj::Unknown => self.unknown_call(site, result),
            _ => self.seed(result, Obj::Unknown),
        }
    }

    /// What awaiting the Task made at `site` (or its `result()`, or the `wait_for`
    /// coroutine or `shield` Future made there) gives: what awaiting the argument of that
    /// call gives.
    fn awaited_argument(&mut self, site: Option<GSite>, to: GNode) {
        match site.and_then(|site| self.awaited_arguments.get(&site).copied()) {
            Some(coroutine) => self.complex_on(coroutine, Complex::Await { to }),
            None => self.seed(to, Obj::Unknown),
        }
    }

    /// What awaiting the plain Future made at `site` (or its `result()`) gives: for
    /// `gather`, a list of what its arguments give; for `shield(x)`, what `x` gives; for an
    /// executor's, what its function returns; and for any, what `set_result` puts on it in
    /// the project (besides what code outside may set, but for an executor's).
    fn future_result(&mut self, site: GSite, to: GNode) {
        if self.gather_sites.contains_key(&site) {
            return self.awaited_gather(site, to);
        }
        // An executor's Future: what its function returns (`ThreadTarget`), nothing else.
        if !self.result_runner_sites.contains(&site) {
            self.awaited_argument(Some(site), to);
        }
        let slot = self.future_result_node(site);
        self.edge(slot, to, NO_LABEL);
    }

    fn future_result_node(&mut self, site: GSite) -> GNode {
        if let Some(&node) = self.future_results.get(&site) {
            return node;
        }
        let node = self.new_node();
        self.future_results.insert(site, node);
        node
    }

    /// What awaiting the `asyncio.gather(...)` made at `site` gives: a list of what awaiting
    /// each of its arguments gives (one list per site, made when first awaited).
    fn awaited_gather(&mut self, site: GSite, to: GNode) {
        let list = match self.gather_sites.get(&site).copied().flatten() {
            Some(list) => list,
            None => {
                let list = self.new_node();
                self.gather_sites.insert(site, Some(list));
                // The list's node holds it, as a literal's does: its slots keep Tasks only
                // while something keeps the list (TL005).
                self.seed(list, Obj::Container(list, ContainerKind::List));
                let values = self.part_node(list, Part::Values);
                let args = self.site_args(site);
                let awaited: Vec<GNode> = (0..args.call().args.len()).filter_map(|i| args.arg(i)).collect();
                let spreads: Vec<GNode> = args.spreads(false).collect();
                for arg in awaited {
                    self.complex_on(arg, Complex::Await { to: values });
                }
                for spread in spreads {
                    let elements = self.new_node();
                    self.complex_on(spread, Complex::LoadPart { part: Part::Iter, to: elements, label: NO_LABEL });
                    self.complex_on(elements, Complex::Await { to: values });
                }
                list
            }
        };
        self.seed(to, Obj::Container(list, ContainerKind::List));
    }

    /// Loop-only methods on receivers that resolve to nothing else are the loop's. An
    /// instance of a project class resolves elsewhere when the class has the method, or
    /// an outside base that is not the standard library's, which may have it (zigpy's
    /// `CreateTaskMixin.create_task` keeps its Tasks). So does a name imported from an
    /// outside module (`scheduling.create_task`, a library's helper).
    pub(super) fn loop_fallback(&mut self) {
        let calls = std::mem::take(&mut self.loop_method_calls);
        for (receiver, id) in calls {
            let Complex::MethodCall { site, name, result } = self.complex[id as usize] else { continue };
            let name = self.name(name).clone();
            let resolved_elsewhere = self.outside_imports.contains(&receiver)
                || self.sets[receiver as usize].as_slice().iter().any(|&obj| match self.objs[obj as usize] {
                    Obj::Loop | Obj::External(_) | Obj::Module(_) | Obj::ExternalInstance(_) | Obj::Class(_) => true,
                    Obj::Instance(class) => {
                        self.classes.find_method(&self.modules, class, &name).is_some()
                            || self
                                .classes
                                .has_external_base(class, |path| !crate::stdlib::is_stdlib_module(top_module(path)))
                    }
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

/// The top-level module of a dotted path (`zigpy` of `zigpy.application.ControllerApplication`).
fn top_module(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}
