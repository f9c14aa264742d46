//! Calls of project functions: which parameter each argument binds, and what a call gives
//! back (the function's own results, the parameters it passes through, what decorators
//! make of it, the coroutine of an `async def`).

use ruff_python_ast::name::Name;
use tasklens_semantic::facts::{ContainerKind, FunctionKind, KeyId, Param, ParamKind, Part, ReturnPath, ReturnShape};

use super::{Complex, DynHopKind, HopAt, Label, NO_LABEL, Solver, WrappedCall};
use crate::objects::{GClass, GFunc, GNode, GSite, ModIdx, Obj};

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

    /// Whether the call passes `loop=` (which an asyncio API then uses in place of the
    /// thread's current loop).
    pub(super) fn passes_loop(&self) -> bool {
        self.call().keywords.iter().any(|k| k.name.as_str() == "loop")
    }

    /// The project-wide node of the keyword argument `name` (`key=` of `sorted`).
    pub(super) fn keyword(&self, name: &str) -> Option<GNode> {
        let keyword = self.call().keywords.iter().find(|k| k.name.as_str() == name)?;
        self.node(keyword.node)
    }

    /// The keyword arguments: each name, the project-wide node of its value, and its place.
    pub(super) fn keywords(&self) -> Vec<(Name, Option<GNode>, HopAt)> {
        (self.call().keywords.iter().enumerate())
            .map(|(k, keyword)| (keyword.name.clone(), self.node(keyword.node), HopAt::Keyword(self.site, k as u32)))
            .collect()
    }

    /// The nodes of the call's `*` spreads (`false`) or `**` spreads (`true`).
    pub(super) fn spreads(&self, double: bool) -> impl Iterator<Item = GNode> + '_ {
        let spreads = &self.facts.spread_args;
        let local = self.local as u32;
        let start = spreads.partition_point(|(site, _, _)| *site < local);
        (spreads[start..].iter())
            .take_while(move |(site, _, _)| *site == local)
            .filter(move |(_, _, is_double)| *is_double == double)
            .map(|(_, node, _)| self.base + node)
    }

    /// For `map(f, xs...)`: the callee and result nodes of the call of `f` it makes.
    /// For `map(f, xs)`, `sorted(xs, key=f)` and their kin: `f`, and the callee and result
    /// nodes of the call of `f` laid out for the elements.
    pub(super) fn mapped_call(&self) -> Option<(GNode, GNode, GNode)> {
        let calls = &self.facts.map_calls;
        let local = self.local as u32;
        let at = calls.binary_search_by_key(&local, |(site, ..)| *site).ok()?;
        let (_, function, callee, result) = calls[at];
        Some((self.base + function, self.base + callee, self.base + result))
    }

    /// The attribute name of `getattr(x, "name")` or `setattr(x, "name", v)`, as a name
    /// of the module's facts.
    pub(super) fn attr_name(&self) -> Option<&Name> {
        let attrs = &self.facts.attr_args;
        let local = self.local as u32;
        attrs.binary_search_by_key(&local, |(site, _)| *site).ok().map(|at| self.facts.name(attrs[at].1))
    }

    /// The constant dict key of `d.get(K)` and its kin, as an index into the module's facts.
    pub(super) fn key(&self) -> Option<KeyId> {
        let keys = &self.facts.key_args;
        let local = self.local as u32;
        keys.binary_search_by_key(&local, |(site, _)| *site).ok().map(|at| keys[at].1)
    }
}

/// What a call passes for one parameter.
pub(super) enum Passed {
    Node(GNode),
    /// A value the analysis does not follow.
    Unknown,
    /// Nothing of its own (a default, a spread, a bound `self`): the parameter's node has it.
    NotHere,
}

/// Which parameter of `params` each argument of `args`'s call binds, the first `shift`
/// parameters bound before the call's arguments: (the argument as a hop's place, the
/// parameter's index, the argument's node). `*args` and `**kwargs` collect the rest.
fn argument_bindings(args: &SiteArgs, params: &[Param], shift: usize) -> Vec<(HopAt, usize, Option<GNode>)> {
    let call = args.call();
    let positional = call.args.iter().enumerate().filter_map(|(i, arg)| {
        let index = match params.get(i + shift) {
            Some(p) if matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Positional) => i + shift,
            _ => params.iter().position(|p| p.kind == ParamKind::VarArgs)?,
        };
        Some((HopAt::Arg(args.site, i as u32), index, args.node(arg.node)))
    });
    let keywords = call.keywords.iter().enumerate().filter_map(|(k, keyword)| {
        let index = (params.iter())
            .position(|p| p.name == keyword.name && matches!(p.kind, ParamKind::Positional | ParamKind::KeywordOnly))
            .or_else(|| params.iter().position(|p| p.kind == ParamKind::KwArgs))?;
        Some((HopAt::Keyword(args.site, k as u32), index, args.node(keyword.node)))
    });
    positional.chain(keywords).collect()
}

/// Where a parameter that no argument of a call with spreads names may get its value:
/// an element of each `*xs` (when it is positional: the item at its position when one
/// `*xs` follows the positional arguments, else any), and (when it can be passed by name)
/// what each `**kw` holds under the parameter's name (`key`; a dict's values under keys
/// that are not constants come with it) or, without a key, all its values. `position` is
/// the parameter's among the call's (after the bound ones).
fn spread_sources(
    args: &SiteArgs,
    param: &Param,
    position: usize,
    key: Option<KeyId>,
) -> smallvec::SmallVec<[(GNode, Part); 2]> {
    let from_star = matches!(param.kind, ParamKind::PositionalOnly | ParamKind::Positional);
    let from_double = matches!(param.kind, ParamKind::Positional | ParamKind::KeywordOnly);
    let stars = args.spreads(false).count();
    let item = position
        .checked_sub(args.call().args.len())
        .filter(|&item| stars == 1 && item < tasklens_semantic::facts::MAX_TUPLE_INDEX)
        .map_or(Part::Iter, |item| Part::Index(item as u8));
    let named = key.map_or(Part::Values, Part::Key);
    (args.spreads(false).filter(|_| from_star).map(|spread| (spread, item)))
        .chain(args.spreads(true).filter(|_| from_double).map(|spread| (spread, named)))
        .collect()
}

/// The argument `args` passes for parameter `index` of `params` (one that is neither
/// `*args` nor `**kwargs`), the first `shift` of them bound before the call's arguments.
pub(super) fn passed_argument(args: &SiteArgs, params: &[Param], shift: usize, index: usize) -> Passed {
    passed_at(args, params, shift, index).0
}

/// [`passed_argument`], with where the argument is (for a hop).
pub(super) fn passed_at(args: &SiteArgs, params: &[Param], shift: usize, index: usize) -> (Passed, Option<HopAt>) {
    match argument_bindings(args, params, shift).into_iter().find(|(_, bound, _)| *bound == index) {
        Some((at, _, Some(node))) => (Passed::Node(node), Some(at)),
        Some((at, _, None)) => (Passed::Unknown, Some(at)),
        None => (Passed::NotHere, None),
    }
}

impl Solver {
    /// The positional arguments of `site` from `first` on reach the parameters of `func`
    /// (after `shift` bound ones).
    pub(super) fn forward_arguments(&mut self, site: GSite, first: usize, func: GFunc, shift: usize) {
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
                self.argument(args.module, node, at, param, Some(0), base, func);
            }
        }
    }

    /// Binds a call's arguments to a project function's parameters and its result to the call.
    /// The keyword arguments of `site` reach the parameters of `func` with their names.
    pub(super) fn forward_keywords(&mut self, site: GSite, func: GFunc) {
        let args = self.site_args(site);
        let keywords = args.keywords();
        let (fm, _) = self.modules.func(func);
        let entry = &self.modules.modules[fm as usize];
        let (base, facts) = (entry.node_base, entry.facts.clone());
        let params = &facts.functions[(func - entry.func_base) as usize].params;
        for (name, node, at) in keywords {
            let named = params
                .iter()
                .find(|p| p.name == name && matches!(p.kind, ParamKind::Positional | ParamKind::KeywordOnly));
            if let Some(param) = named {
                self.argument(args.module, node, at, param, None, base, func);
            }
        }
    }

    pub(super) fn bind_call(&mut self, site: GSite, func: GFunc, shift: usize, result: GNode) {
        self.bind(site, func, shift, result, false);
    }

    /// A method that returns `self` (or a classmethod `cls`), or one step into it, called on
    /// `value`: the call's `result` comes from `value` itself, not from every instance the
    /// method's `self` stands for.
    ///
    /// `site` is the call's (none for a `with` statement's `__enter__`), for the hop that a
    /// `return self.name(...)` shows.
    pub(super) fn receiver_returned(&mut self, func: GFunc, value: Obj, result: GNode, site: Option<GSite>) {
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
                    self.add(result, receiver, super::NO_NODE, NO_LABEL);
                }
                ReturnPath::Attr(attr) => self.load(receiver, attr, result, NO_LABEL),
                ReturnPath::Part(part) => self.load_part(receiver, part, result, NO_LABEL),
                ReturnPath::Elements(kind) => {
                    let values = self.new_container(result, kind);
                    self.load_part(receiver, Part::Iter, values, NO_LABEL);
                }
                // `return ensure_future(self)`: as the function's own result.
                ReturnPath::EnsureFuture { value, .. }
                | ReturnPath::Read { value, .. }
                | ReturnPath::EnsureFutureElements { value, .. } => self.edge(value, result, NO_LABEL),
                ReturnPath::Method { name, value, .. } => {
                    let label = site.map_or(NO_LABEL, |site| {
                        let args = self.site_args(site);
                        self.dyn_hop(args.module, args.at(), DynHopKind::CallResult { func })
                    });
                    self.own_method_result(receiver, name, value, result, label);
                }
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
            ReturnPath::Read { site, method, value } => {
                let module = &self.modules.modules[m as usize];
                ReturnPath::Read { site: module.site_base + site, method, value: module.node_base + value }
            }
            ReturnPath::Elements(kind) => ReturnPath::Elements(kind),
            ReturnPath::Method { name, value } => {
                let module = &self.modules.modules[m as usize];
                let (name, value) = (module.facts.name(name).clone(), module.node_base + value);
                ReturnPath::Method { name: self.name_id(&name), value }
            }
            ReturnPath::EnsureFutureElements { site, value } => {
                let module = &self.modules.modules[m as usize];
                ReturnPath::EnsureFutureElements { site: module.site_base + site, value: module.node_base + value }
            }
        }
    }

    /// What `return self.name(...)` gives for the receiver `value`: on an instance of a
    /// project class, what the methods a call on it runs return; else (or when the class has
    /// no such method) the call's result in the method, `own`.
    fn own_method_result(&mut self, value: Obj, name: super::NameId, own: GNode, result: GNode, label: Label) {
        let Obj::Instance(class) = value else { return self.edge(own, result, label) };
        let methods = self.dispatch(class, name);
        if methods.is_empty() {
            return self.edge(own, result, label);
        }
        for &method in methods.iter() {
            let facts = self.modules.func(method).1;
            if facts.is_async || facts.is_generator || facts.opaque || facts.kind != FunctionKind::Method {
                self.edge(own, result, label);
            } else {
                let ret = self.ret_node(method);
                self.edge(ret, result, label);
            }
        }
    }

    /// A new container of `kind` made for a call's `result` (a function returning
    /// `list(param)` gives each call its own): the node of its elements.
    fn new_container(&mut self, result: GNode, kind: ContainerKind) -> GNode {
        self.seed(result, Obj::Container(result, kind));
        self.part_node(result, Part::Values)
    }

    /// What a parameter passed through gives at a call, read from `from` (the argument's
    /// node, or the parameter's own).
    fn returned_from_node(&mut self, from: GNode, path: ReturnPath, result: GNode, label: Label) {
        match path {
            ReturnPath::Whole => self.edge(from, result, label),
            ReturnPath::Attr(attr) => self.complex_on(from, Complex::Load { attr, to: result, label }),
            ReturnPath::Part(part) => self.complex_on(from, Complex::LoadPart { part, to: result, label }),
            ReturnPath::Read { site, method, value } => {
                self.complex_on(from, Complex::Read { site, method, value, result })
            }
            // Called other than on an instance (`Base.get(x)`): what the method's call gave.
            ReturnPath::Method { value, .. } => self.edge(value, result, label),
            // Known to be asyncio's: what this call's argument makes there. Not known yet:
            // decided when the inner call is resolved, or at the end (as its own result).
            ReturnPath::EnsureFuture { site, value } => match self.ensure_future_sites.contains_key(&site) {
                true => self.complex_on(from, Complex::EnsureFutureArg { site, result }),
                false => {
                    let wrapped = WrappedCall { from, made: result, own: value, result, label };
                    self.wrapped_ensure_future.entry(site).or_default().push(wrapped);
                }
            },
            ReturnPath::Elements(kind) => {
                let values = self.new_container(result, kind);
                self.complex_on(from, Complex::LoadPart { part: Part::Iter, to: values, label });
            }
            // Each element of the argument goes through the inner `ensure_future`.
            ReturnPath::EnsureFutureElements { site, value } => {
                let values = self.new_container(result, ContainerKind::List);
                let elements = self.new_node();
                self.complex_on(from, Complex::LoadPart { part: Part::Iter, to: elements, label });
                match self.ensure_future_sites.contains_key(&site) {
                    true => self.complex_on(elements, Complex::EnsureFutureArg { site, result: values }),
                    false => {
                        let wrapped = WrappedCall { from: elements, made: values, own: value, result, label };
                        self.wrapped_ensure_future.entry(site).or_default().push(wrapped);
                    }
                }
            }
        }
    }

    /// Calls of functions returning `ensure_future(param)` wait for that inner call to be
    /// resolved; one that never is asyncio's gives its result to every caller.
    pub(super) fn wrapped_fallback(&mut self) {
        let pending = std::mem::take(&mut self.wrapped_ensure_future);
        let mut pending: Vec<_> = pending.into_values().flatten().collect();
        pending.sort_unstable();
        for wrapped in pending {
            self.edge(wrapped.own, wrapped.result, wrapped.label);
        }
    }

    /// Binds a call's arguments to `func`'s parameters, the first `shift` of them bound
    /// already; `receiver_given` when the caller hands a returned receiver back itself.
    pub(super) fn bind(&mut self, site: GSite, func: GFunc, shift: usize, result: GNode, receiver_given: bool) {
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
        // An `__init__` called otherwise than to construct (`Base.__init__(self, x)`):
        // what it stores goes to its own class.
        if self.init.constructing.is_none()
            && self.init.summaries.contains_key(&func)
            && let Some(own) = self.own_class(func)
        {
            self.apply_init_stores(site, func, shift, own);
        }
        let mut matched: smallvec::SmallVec<[bool; 8]> = smallvec::smallvec![false; params.len()];
        for (at, index, node) in argument_bindings(&args, params, shift) {
            matched[index] = true;
            // The item of `*args` a positional argument is.
            let item = match (params[index].kind, at) {
                (ParamKind::VarArgs, HopAt::Arg(_, i)) => (i as usize + shift).checked_sub(index),
                _ => None,
            };
            self.argument(args.module, node, at, &params[index], item, base, func);
        }
        if args.call().has_spread {
            for (index, param) in params.iter().enumerate().skip(shift) {
                if matches!(param.kind, ParamKind::VarArgs | ParamKind::KwArgs) {
                    // `*xs` hands its elements to `*args`, `**kw` its values to `**kwargs`,
                    // neither at a known position or key.
                    let double = param.kind == ParamKind::KwArgs;
                    let part = if double { Part::Values } else { Part::Iter };
                    let elements = self.part_node(base + param.node, Part::Unkeyed);
                    let spreads: smallvec::SmallVec<[GNode; 2]> = args.spreads(double).collect();
                    for spread in spreads {
                        self.complex_on(spread, Complex::LoadPart { part, to: elements, label: NO_LABEL });
                    }
                } else if !matched[index] {
                    let key = self.string_key(&param.name);
                    for (spread, part) in spread_sources(&args, param, index - shift, key) {
                        let to = base + param.node;
                        self.complex_on(spread, Complex::LoadPart { part, to, label: NO_LABEL });
                    }
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
    pub(super) fn opaque_result(&mut self, site: GSite, func: GFunc, result: GNode) {
        self.seed(result, Obj::Unknown);
        self.escape(func);
        self.call_result(site, func, result, None);
    }

    /// What a call of a project function gives: a generator, a coroutine, or its return value.
    /// What a call of `func` at `site` gives. A parameter the function passes through comes
    /// back from this call's own argument (when the binding is known: how many parameters
    /// the call binds before its arguments, and whether the caller hands a returned receiver
    /// back itself); the rest of what it returns from its `own_ret`.
    pub(super) fn call_result(&mut self, site: GSite, func: GFunc, result: GNode, binding: Option<(usize, bool)>) {
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
    pub(super) fn passed_through_result(
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
                // What this call spreads into the parameter, not what every call passes.
                Passed::NotHere
                    if args.call().has_spread
                        && index >= shift
                        && !matches!(facts.params[index].kind, ParamKind::VarArgs | ParamKind::KwArgs) =>
                {
                    let from = self.new_node();
                    let key = self.string_key(&facts.params[index].name);
                    for (spread, part) in spread_sources(&args, &facts.params[index], index - shift, key) {
                        self.complex_on(spread, Complex::LoadPart { part, to: from, label: NO_LABEL });
                    }
                    from
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
    /// that returns what the function it wraps returns hands over too; another synchronous
    /// wrapper keeps the body's result plus `Unknown` and adds the Futures and Tasks it
    /// creates itself; anything else is opaque. Judging decorators by their shape, not by
    /// following the call `d(func)`, keeps the functions one decorator wraps apart. The
    /// outermost decorator decides; one that returns its parameter hands over to the next.
    pub(super) fn decorated_call(&mut self, value: Obj, site: GSite, func: GFunc, result: GNode, depth: u8) {
        let decorator = match value {
            Obj::Function(decorator) => decorator,
            Obj::Class(class) => return self.class_decorated_call(site, class, func, result),
            _ => return self.opaque_result(site, func, result),
        };
        let (m, facts) = self.modules.func(decorator);
        let func_base = self.modules.modules[m as usize].func_base;
        match facts.returns {
            ReturnShape::FirstParam => self.next_decorator(site, func, result, depth),
            ReturnShape::Nested(local) if self.modules.func(func_base + local).1.makes_coroutine() => {
                self.seed(result, Obj::Coro(Some(func)));
            }
            // The wrapper's own call of the function it wraps runs the body.
            ReturnShape::Nested(local) if self.site_in_function(site, func_base + local) => {
                self.call_result(site, func, result, None);
            }
            // A wrapper that returns what the function it wraps returns.
            ReturnShape::Nested(local)
                if self.modules.func(func_base + local).1.returns == ReturnShape::WrappedCall =>
            {
                self.next_decorator(site, func, result, depth);
            }
            ReturnShape::Nested(local) => {
                self.opaque_result(site, func, result);
                let wrapper = func_base + local;
                // The call runs the wrapper (what it starts runs where the call runs), though
                // its arguments and result are not bound: every function it wraps would share them.
                self.bound.insert((site, wrapper, usize::MAX));
                let ret = self.ret_node(wrapper);
                self.complex_on(ret, Complex::WrapperResult { wrapper, result });
            }
            ReturnShape::Unset | ReturnShape::Other | ReturnShape::WrappedCall => {
                self.opaque_result(site, func, result)
            }
        }
    }

    /// A decorator of `func` keeps its result: the next decorator inward decides, or the
    /// body when there is none.
    fn next_decorator(&mut self, site: GSite, func: GFunc, result: GNode, depth: u8) {
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

    /// A call of `func` decorated with a project class: the decorator made an instance of
    /// it, and calling that runs the class's `__call__`, whose own call of the function it
    /// keeps (`self.fn(*args)`, in a method of the class) runs the body.
    fn class_decorated_call(&mut self, site: GSite, class: GClass, func: GFunc, result: GNode) {
        let (site_module, call) = self.modules.site(site);
        let (class_module, _) = self.modules.class(class);
        let in_class = call.caller.is_some_and(|caller| {
            let entry = &self.modules.modules[site_module as usize];
            site_module == class_module
                && entry.facts.functions[caller as usize].class.map(|local| entry.class_base + local) == Some(class)
        });
        if in_class {
            return self.call_result(site, func, result, None);
        }
        if self.special_method(class, "__call__").is_empty() {
            return self.opaque_result(site, func, result);
        }
        self.call_value(site, Obj::Instance(class), result);
    }

    /// Whether `site` is a call in the body of `func`.
    pub(super) fn site_in_function(&self, site: GSite, func: GFunc) -> bool {
        let (module, call) = self.modules.site(site);
        let base = self.modules.modules[module as usize].func_base;
        call.caller.is_some_and(|caller| base + caller == func)
    }

    /// An argument reaches a parameter; `item` is its position in `*args` when the
    /// parameter is that.
    #[allow(clippy::too_many_arguments)]
    fn argument(
        &mut self,
        module: ModIdx,
        node: Option<GNode>,
        at: HopAt,
        param: &tasklens_semantic::facts::Param,
        item: Option<usize>,
        base: GNode,
        func: GFunc,
    ) {
        // `*args` and `**kwargs` collect their arguments as elements (the first items of
        // `*args` also by position); `name=value` is `kwargs["name"]`.
        let positioned = item.filter(|&item| item < tasklens_semantic::facts::MAX_TUPLE_INDEX);
        if let (ParamKind::VarArgs, Some(item)) = (param.kind, positioned) {
            let slot = self.part_node(base + param.node, Part::Index(item as u8));
            match node {
                Some(node) => {
                    let label = self.dyn_hop(module, at, DynHopKind::Argument { param: param.name.clone(), func });
                    self.edge(node, slot, label);
                }
                None => self.seed(slot, Obj::Unknown),
            }
        }
        let target = match (param.kind, at) {
            (ParamKind::VarArgs, _) => self.part_node(base + param.node, Part::Values),
            (ParamKind::KwArgs, HopAt::Keyword(site, index)) => {
                let name = self.site_args(site).call().keywords[index as usize].name.clone();
                let part = self.string_key(&name).map_or(Part::Unkeyed, Part::Key);
                self.part_node(base + param.node, part)
            }
            (ParamKind::KwArgs, _) => self.part_node(base + param.node, Part::Unkeyed),
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

    pub(super) fn func_node(&self, func: GFunc, local: u32) -> GNode {
        let (m, _) = self.modules.func(func);
        self.modules.modules[m as usize].node_base + local
    }
}
