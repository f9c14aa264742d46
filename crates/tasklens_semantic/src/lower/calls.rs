//! Lowering of calls: the call sites written in the source (callee, arguments, spreads,
//! `map(f, xs)`, `cast`), and those the language makes without a call in the source
//! (property reads at import time, `with` and `for`, decorators and `__init_subclass__`).

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::{Lowerer, Val};
use crate::annotation::type_expr;
use crate::facts::{Arg, Builtin, CallSite, Constraint, Keyword, NodeId, Part, Seed, ValueUse, task_method};
use crate::positions::CallPositions;

/// A spread argument: the node of its value, and whether it is `**`.
type Spread = (crate::facts::NodeId, bool);

impl Lowerer {
    /// A call site for a call the language makes where no call is written (a property
    /// read, `with`, `for`, a decorator applied, `__init_subclass__`), shown at `at`.
    pub(super) fn unwritten_call_site(&mut self, args: Vec<Arg>, at: CallPositions) -> u32 {
        let call = CallSite {
            args,
            keywords: Vec::new(),
            has_spread: false,
            in_coroutine: self.in_coroutine(),
            caller: self.enclosing_function(),
            conditional: self.conditional > 0,
            guarded: self.guarded > 0,
            suspends_after: false,
            runs_loop_after: false,
            param_gates: self.flow().gates.clone().into_boxed_slice(),
            captured_self: None,
        };
        self.site(call, at)
    }

    /// `receiver.name` read at import time: a property getter there runs then (TL003).
    pub(super) fn property_read(&mut self, receiver: crate::facts::NodeId, name: u32, attribute: &ast::ExprAttribute) {
        let at = CallPositions {
            range: attribute.range,
            callee: attribute.attr.range,
            args: Vec::new(),
            keywords: Vec::new(),
        };
        let site = self.unwritten_call_site(Vec::new(), at);
        self.constrain(Constraint::PropertyRead { site, receiver, name });
    }

    /// The language calls `receiver.name()` for the statement at `range` (`with`, `for`):
    /// a method of a project class there runs then.
    pub(super) fn implicit_call(&mut self, receiver: crate::facts::NodeId, name: &'static str, range: TextRange) {
        let at = CallPositions { range, callee: range, args: Vec::new(), keywords: Vec::new() };
        let site = self.unwritten_call_site(Vec::new(), at);
        let name = self.intern(&Name::new_static(name));
        self.constrain(Constraint::ImplicitCall { site, receiver, name });
    }

    pub(super) fn call(&mut self, call: &ast::ExprCall) -> Val {
        let awaited = std::mem::take(&mut self.next_call_awaited);
        /// What is called, evaluated before the arguments (as Python does).
        enum Callee {
            Super { class: u32, name: Name },
            Method { receiver: Val, name: Name, range: TextRange },
            Value(Val),
        }
        let callee = match &*call.func {
            Expr::Attribute(attribute) => match self.current_class_method() {
                Some((class, _)) if is_super_call(&attribute.value) => {
                    Callee::Super { class, name: attribute.attr.id.clone() }
                }
                _ => Callee::Method {
                    receiver: self.expr(&attribute.value),
                    name: attribute.attr.id.clone(),
                    range: attribute.attr.range,
                },
            },
            func => Callee::Value(self.expr(func)),
        };
        let (mut args, keywords, spreads, mut at) = self.call_args(&call.arguments);
        let has_spread = !spreads.is_empty();
        (at.range, at.callee) = (call.range(), call.func.range());
        // `map(f, xs)`, `sorted(xs, key=f)`...: kept to lay out `f`'s calls once the call's
        // own site is known.
        let receiver = match &callee {
            Callee::Method { receiver: Val::Node(node), .. } => Some(*node),
            _ => None,
        };
        let mapped = if has_spread { None } else { element_callback(call, receiver, &args, &keywords, &at) };
        if !has_spread {
            self.filter_narrowing(call, &mut args, &keywords);
            self.note_consumed_arguments(call, &args, &at);
        }
        let param_gates = self.flow().gates.clone().into_boxed_slice();
        let captured_self = match &*call.func {
            Expr::Attribute(attribute) => attribute.value.as_name_expr().and_then(|name| self.captured_self(&name.id)),
            _ => None,
        };
        let site = self.site(
            CallSite {
                args,
                keywords,
                has_spread,
                in_coroutine: self.in_coroutine(),
                caller: self.enclosing_function(),
                conditional: self.conditional > 0,
                guarded: self.guarded > 0,
                suspends_after: false,
                runs_loop_after: false,
                param_gates,
                captured_self,
            },
            at,
        );
        self.note_cast(call, site);
        if !self.patched.is_empty()
            && let Some(name) = callee_name(&call.func)
            && self.patched.contains(name)
        {
            self.facts.patched_calls.push(site);
        }
        if awaited || super::timeouts::waits_with_timeout(call) {
            self.note_timeout_call(site, awaited);
        }
        if let Expr::Attribute(attribute) = &*call.func
            && let Expr::Name(module) = &*attribute.value
            && matches!(
                (module.id.as_str(), attribute.attr.as_str()),
                ("uvloop", "install") | ("nest_asyncio", "apply")
            )
        {
            self.facts.installs_loop_policy = true;
        }
        if let Some(root) = root_name(&call.func) {
            if self.compat_names.contains(root) {
                self.facts.compat_calls.push(site);
            }
            if self.newer_import_names.contains(root) {
                self.facts.calls_through_newer_imports.push(site);
            }
        }
        // `loop.run_forever()` in a synchronous function: the loop runs while the frame
        // (and every name it holds) stays alive, as across an `await`.
        if runs_the_loop(call) {
            self.runs_loop();
        }
        self.facts.spread_args.extend(spreads.into_iter().map(|(node, double)| (site, node, double)));
        if let Some(callback) = mapped {
            self.mapped_call(site, callback);
        }
        if let Callee::Method { name, .. } = &callee
            && matches!(name.as_str(), "get" | "pop" | "setdefault" | "__getitem__")
            && let Some(key) = call.arguments.args.first().and_then(|arg| self.constant_key(arg))
        {
            self.facts.key_args.push((site, key));
        }
        // `getattr(x, "name")`: the builtin (the flow layer resolves it) reads that attribute.
        if let Expr::Name(name) = &*call.func
            && matches!(name.id.as_str(), "getattr" | "setattr")
            && let Some(Expr::StringLiteral(literal)) = call.arguments.args.get(1)
        {
            let attr = self.intern(&Name::new(literal.value.to_str()));
            self.facts.attr_args.push((site, attr));
            // Without a default, `getattr(t, "get_name")` fails on a plain Future as
            // `t.get_name` does.
            let method = literal.value.to_str();
            if name.id.as_str() == "getattr"
                && call.arguments.args.len() == 2
                && call.arguments.keywords.is_empty()
                && task_method(method)
                && self.attribute_error_handled == 0
                && let Some(object) = self.facts.call_sites[site as usize].args.first().and_then(|arg| arg.node)
            {
                self.task_method_call(object, &Name::new(method), literal.range, None);
            }
        }
        let result = self.node();
        match callee {
            Callee::Super { class, name } => {
                let name = self.intern(&name);
                self.constrain(Constraint::SuperCall { site, class, name, result });
            }
            Callee::Method { receiver: Val::Node(receiver), name, range } => {
                self.note_unchecked_outcome(call, &name);
                if task_method(name.as_str()) && self.attribute_error_handled == 0 {
                    self.task_method_call(receiver, &name, range, Some(!call.arguments.is_empty()));
                }
                let name = self.intern(&name);
                self.constrain(Constraint::MethodCall { site, receiver, name, result });
            }
            Callee::Value(Val::Node(callee)) => self.constrain(Constraint::Call { site, callee, result }),
            // A method of a literal (`", ".join(names)`, `"{}".format(x)`) makes strings,
            // bytes, numbers or lists of them: nothing to follow.
            Callee::Method { receiver: Val::Nothing, .. } => return Val::Nothing,
            Callee::Method { .. } | Callee::Value(_) => {
                self.constrain(Constraint::Seed { node: result, seed: Seed::Unknown });
            }
        }
        Val::Node(result)
    }

    /// The call that `map(f, xs, ys...)` (or `sorted(xs, key=f)` and its kin, see
    /// [`element_callback`]) makes of `f` for each element: a site of its own, `f(x, y...)`,
    /// whose callee gets `f` and whose result the map's elements get only once the call
    /// resolves to the builtin. Positions: the outer call, `f` as the callee, the iterables
    /// as the arguments.
    fn mapped_call(&mut self, site: u32, callback: ElementCallback) {
        let Some(function) = callback.function else { return };
        let args: Vec<Arg> = (callback.iterables.iter())
            .map(|iterable| {
                let node = iterable.map(|base| {
                    let to = self.node();
                    self.constrain(Constraint::LoadPart { base, part: Part::Iter, to, hop: None });
                    to
                });
                Arg { node }
            })
            .collect();
        let calling = &self.facts.call_sites[site as usize];
        let mapped = CallSite { args, keywords: Vec::new(), has_spread: false, ..calling.clone() };
        let outer = &self.positions.call_sites[site as usize];
        let at = CallPositions {
            range: outer.range,
            callee: callback.function_range,
            args: callback.iterable_ranges,
            keywords: Vec::new(),
        };
        let mapped = self.site(mapped, at);
        let (callee, result) = (self.node(), self.node());
        self.constrain(Constraint::Call { site: mapped, callee, result });
        self.facts.map_calls.push((site, function, callee, result));
    }

    /// `cast(T, value)`, `typing.cast(T, value)` or a name `cast` is imported as: whether it
    /// is typing's is decided when names are resolved.
    fn note_cast(&mut self, call: &ast::ExprCall, site: u32) {
        if let Some((target, _)) = self.cast_arguments(call) {
            self.facts.casts.push((site, type_expr(target)));
        }
    }

    /// The target and value of `cast(T, value)` (`typing.cast`, or an alias of it).
    pub(super) fn cast_arguments<'a>(&self, call: &'a ast::ExprCall) -> Option<(&'a Expr, &'a Expr)> {
        let path = crate::annotation::dotted_name(&call.func)?;
        let is_cast = path.last().is_some_and(|last| last.as_str() == "cast")
            || matches!(&*path, [name] if self.cast_aliases.contains(name));
        match &*call.arguments.args {
            [target, value] if is_cast => Some((target, value)),
            _ => None,
        }
    }

    /// The positional and keyword arguments of a call, and its spreads: (the node of the
    /// spread value when it has one, whether it is `**`).
    fn call_args(&mut self, arguments: &ast::Arguments) -> (Vec<Arg>, Vec<Keyword>, Vec<Spread>, CallPositions) {
        let mut spreads = Vec::new();
        let mut at = CallPositions::default();
        let mut args = Vec::new();
        for arg in &arguments.args {
            let value = self.expr(arg);
            if arg.is_starred_expr() {
                self.note_value_use(value, ValueUse::Unpacked, arg.range());
                let node = self.node_of(value).unwrap_or_else(|| self.seeded(Seed::Unknown));
                spreads.push((node, false));
                continue;
            }
            let node = self.node_of(value);
            args.push(Arg { node });
            at.args.push(arg.range());
        }
        let mut keywords = Vec::new();
        for keyword in &arguments.keywords {
            let value = self.expr(&keyword.value);
            match &keyword.arg {
                Some(name) => {
                    let node = self.node_of(value);
                    keywords.push(Keyword { name: name.id.clone(), node });
                    at.keywords.push((keyword.value.range(), keyword.range()));
                }
                None => {
                    let node = self.node_of(value).unwrap_or_else(|| self.seeded(Seed::Unknown));
                    spreads.push((node, true));
                }
            }
        }
        (args, keywords, spreads, at)
    }
}

/// The name an expression such as `a.b.c` starts from.
fn root_name(expr: &Expr) -> Option<&Name> {
    match expr {
        Expr::Name(name) => Some(&name.id),
        Expr::Attribute(attribute) => root_name(&attribute.value),
        _ => None,
    }
}

fn is_super_call(expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call) if matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "super"))
}

/// Whether `call` runs an event loop until something finishes: `loop.run_forever()`,
/// `loop.run_until_complete(...)`, `asyncio.run(...)`.
fn runs_the_loop(call: &ast::ExprCall) -> bool {
    let Some(path) = crate::annotation::dotted_name(&call.func) else { return false };
    match path.as_slice() {
        [.., last] if matches!(last.as_str(), "run_forever" | "run_until_complete") => path.len() > 1,
        // aiohttp's `web.run_app(app)` runs the loop until the server stops.
        [.., last] if last.as_str() == "run_app" => true,
        // `asyncio.run(main())`, uvicorn's `uvicorn.run(app)`, and Twisted's
        // `reactor.run()` (over asyncio with its asyncio reactor, as Scrapy runs).
        [first, last] => matches!(first.as_str(), "asyncio" | "uvicorn" | "reactor") && last.as_str() == "run",
        _ => false,
    }
}

/// A function a builtin calls with the elements of iterables: `f` and `xs` in `map(f, xs,
/// ys...)`, `filter(f, xs)`, `sorted(xs, key=f)`, `min(xs, key=f)`, `max(xs, key=f)` and
/// `xs.sort(key=f)`. Whether the callee is the builtin is decided when names are resolved.
struct ElementCallback {
    function: Option<NodeId>,
    function_range: TextRange,
    iterables: Vec<Option<NodeId>>,
    iterable_ranges: Vec<TextRange>,
}

impl Lowerer {
    /// `filter(function, xs)` (the builtin) with a function that tests its argument
    /// (`lambda t: isinstance(t, Task)`, a predicate of the project): what it keeps is
    /// narrowed as the test says, so the call is given a list of the narrowed elements of
    /// `xs` in its place (the function itself still gets them all).
    /// Records the arguments a builtin iterates, measures or converts at once (`len(x)`,
    /// `list(x)`, `sorted(x)`, `zip(a, b)`, `map(f, xs)`, `int(x)`), for TL019.
    fn note_consumed_arguments(&mut self, call: &ast::ExprCall, args: &[Arg], at: &CallPositions) {
        let Expr::Name(name) = &*call.func else { return };
        // `any(xs)` and `all(xs)` test each element for its truth (`all(ready(x) for x in
        // xs)`): a node for the elements carries the test.
        if let ("any" | "all", [Arg { node: Some(iterable), .. }], [range]) =
            (name.id.as_str(), args, at.args.as_slice())
            && call.arguments.keywords.is_empty()
            && self.is_builtin(&name.id)
            && let Some((builtin, ..)) = Builtin::named(name.id.as_str())
        {
            let to = self.node();
            let hop = self.hop(*range, crate::facts::HopKind::ContainerLoad);
            self.constrain(Constraint::LoadPart { base: *iterable, part: Part::Iter, to, hop: Some(hop) });
            self.note_value_use(Val::Node(to), ValueUse::EachTested(builtin), *range);
        }
        let Some((builtin, first, end)) = Builtin::named(name.id.as_str()) else { return };
        if !self.is_builtin(&name.id) {
            return;
        }
        let end = end.unwrap_or(args.len()).min(args.len());
        for (arg, &range) in args.iter().zip(&at.args).take(end).skip(first) {
            if let Some(node) = arg.node {
                self.note_value_use(Val::Node(node), ValueUse::Consumed(builtin), range);
            }
        }
    }

    fn filter_narrowing(&mut self, call: &ast::ExprCall, args: &mut [Arg], keywords: &[Keyword]) {
        let Expr::Name(name) = &*call.func else { return };
        if name.id.as_str() != "filter" || !keywords.is_empty() || !self.is_builtin(&name.id) {
            return;
        }
        let ([function, _], [_, Arg { node: Some(elements) }]) = (&*call.arguments.args, &*args) else { return };
        let tests = self.filter_tests(function);
        if tests.is_empty() {
            return;
        }
        let mut from = self.node();
        self.constrain(Constraint::LoadPart { base: *elements, part: Part::Iter, to: from, hop: None });
        for test in tests {
            let to = self.node();
            self.facts.guards.push(crate::facts::Guard { from, to, test, function: self.current_function() });
            from = to;
        }
        let kept = self.seeded(Seed::Container(crate::facts::ContainerKind::List));
        self.constrain(Constraint::StorePart { base: kept, part: Part::Values, from, hop: None });
        args[1].node = Some(kept);
    }
}

fn element_callback(
    call: &ast::ExprCall,
    receiver: Option<NodeId>,
    args: &[Arg],
    keywords: &[Keyword],
    at: &CallPositions,
) -> Option<ElementCallback> {
    let key = || keywords.iter().position(|k| k.name.as_str() == "key");
    let positional = |function: usize, iterables: std::ops::Range<usize>| ElementCallback {
        function: args[function].node,
        function_range: at.args[function],
        iterables: args[iterables.clone()].iter().map(|a| a.node).collect(),
        iterable_ranges: at.args[iterables].to_vec(),
    };
    let keyed = |key: usize, iterable: Option<NodeId>, range: TextRange| ElementCallback {
        function: keywords[key].node,
        function_range: at.keywords[key].0,
        iterables: vec![iterable],
        iterable_ranges: vec![range],
    };
    match &*call.func {
        Expr::Name(name) => match (name.id.as_str(), args.len(), keywords.len()) {
            ("map", 2.., 0) => Some(positional(0, 1..args.len())),
            ("filter", 2, 0) => Some(positional(0, 1..2)),
            ("sorted" | "min" | "max", 1, 1..) => key().map(|key| keyed(key, args[0].node, at.args[0])),
            _ => None,
        },
        Expr::Attribute(attribute) if attribute.attr.id.as_str() == "sort" && args.is_empty() => {
            key().map(|key| keyed(key, receiver, attribute.value.range()))
        }
        _ => None,
    }
}

/// The name a call's callee ends in (`fetch` of `api.fetch(...)`).
fn callee_name(callee: &Expr) -> Option<&Name> {
    match callee {
        Expr::Name(name) => Some(&name.id),
        Expr::Attribute(attribute) => Some(&attribute.attr.id),
        _ => None,
    }
}
