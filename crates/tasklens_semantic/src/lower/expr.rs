//! Lowering of expressions: names, attributes, calls, containers, awaits,
//! comprehensions, lambdas and the narrowing read from tests.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, BoolOp, Expr, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::stmt::Narrowing;
use super::{Lowerer, ScopeKind, Val};
use crate::annotation::type_expr;
use crate::facts::{
    Arg, CallSite, Constraint, ContainerKind, FunctionFacts, FunctionKind, GuardTest, HopKind, Keyword,
    MAX_TUPLE_INDEX, Part, ReturnShape, Seed, TASK_ONLY_METHODS, TypeExpr,
};
use crate::positions::CallPositions;

/// A spread argument: the node of its value, and whether it is `**`.
type Spread = (crate::facts::NodeId, bool);

impl Lowerer {
    pub(super) fn expr(&mut self, expr: &Expr) -> Val {
        if !self.enter(expr.range()) {
            return Val::Unknown;
        }
        let value = self.expr_inner(expr);
        self.leave();
        value
    }

    /// `receiver.name` read at import time: a property getter there runs then (TL003).
    fn property_read(&mut self, receiver: crate::facts::NodeId, name: u32, attribute: &ast::ExprAttribute) {
        let call = CallSite {
            args: Vec::new(),
            keywords: Vec::new(),
            has_spread: false,
            in_coroutine: false,
            caller: None,
            conditional: self.conditional > 0,
            guarded: self.guarded > 0,
            suspends_after: false,
        };
        let at = CallPositions {
            range: attribute.range,
            callee: attribute.attr.range,
            args: Vec::new(),
            keywords: Vec::new(),
        };
        let site = self.site(call, at);
        self.constrain(Constraint::PropertyRead { site, receiver, name });
    }

    /// The language calls `receiver.name()` for the statement at `range` (`with`, `for`):
    /// a method of a project class there runs then.
    pub(super) fn implicit_call(&mut self, receiver: crate::facts::NodeId, name: &'static str, range: TextRange) {
        let call = CallSite {
            args: Vec::new(),
            keywords: Vec::new(),
            has_spread: false,
            in_coroutine: self.in_coroutine(),
            caller: self.enclosing_function(),
            conditional: self.conditional > 0,
            guarded: self.guarded > 0,
            suspends_after: false,
        };
        let at = CallPositions { range, callee: range, args: Vec::new(), keywords: Vec::new() };
        let site = self.site(call, at);
        let name = self.intern(&Name::new_static(name));
        self.constrain(Constraint::ImplicitCall { site, receiver, name });
    }

    fn expr_inner(&mut self, expr: &Expr) -> Val {
        match expr {
            Expr::Name(name) => self.read_name(&name.id),
            Expr::Attribute(attribute) => match self.expr(&attribute.value) {
                Val::Node(base) => {
                    let to = self.node();
                    let attr = self.intern(&attribute.attr.id);
                    let hop = self.hop(attribute.range, HopKind::AttrLoad(attr));
                    self.constrain(Constraint::Load { base, attr, to, hop: Some(hop) });
                    if self.current_function().is_none() {
                        self.property_read(base, attr, attribute);
                    }
                    // `callback = task.get_name` fails on a plain Future already.
                    let name = &attribute.attr.id;
                    if TASK_ONLY_METHODS.contains(&name.as_str()) && self.attribute_error_handled == 0 {
                        self.task_method_call(base, name, attribute.attr.range);
                    }
                    Val::Node(to)
                }
                // An attribute of a literal or of None (`"sep".join`): nothing to follow.
                Val::Nothing => Val::Nothing,
                Val::Unknown => Val::Unknown,
            },
            Expr::Call(call) => self.call(call),
            Expr::Await(await_expr) => {
                let awaited = self.expr(&await_expr.value);
                self.suspends();
                match awaited {
                    Val::Node(value) => {
                        let to = self.node();
                        self.constrain(Constraint::Await { value, to });
                        Val::Node(to)
                    }
                    _ => Val::Unknown,
                }
            }
            Expr::If(if_expr) => {
                let (when_true, when_false) = self.condition(&if_expr.test);
                let before = self.flow().clone();
                self.narrow(&when_true);
                let body = self.under_test(|this| this.expr(&if_expr.body));
                *self.flow() = before.clone();
                self.narrow(&when_false);
                let orelse = self.under_test(|this| this.expr(&if_expr.orelse));
                *self.flow() = before;
                self.join(&[body, orelse])
            }
            Expr::BoolOp(bool_op) => {
                let before = self.flow().clone();
                let since = self.walrus_bindings.len();
                let mut first_operand_end = since;
                let mut values = Vec::new();
                for (index, value) in bool_op.values.iter().enumerate() {
                    let (when_true, when_false) = self.condition_value(value, &mut values);
                    self.narrow(if bool_op.op == BoolOp::And { &when_true } else { &when_false });
                    if index == 0 {
                        first_operand_end = self.walrus_bindings.len();
                    }
                }
                self.restore_keeping_walruses(before, first_operand_end, since);
                self.join(&values)
            }
            Expr::Named(named) => {
                let value = self.expr(&named.value);
                self.assign(&named.target, value);
                // The expression is the name's new version: `(t := create_task(c)).cancel()`
                // uses `t`.
                match &*named.target {
                    Expr::Name(name) => match self.scope().flow.env.get(&name.id).copied() {
                        Some(version) => {
                            self.walrus_bindings.push((name.id.clone(), version));
                            Val::Node(version)
                        }
                        None => value,
                    },
                    _ => value,
                }
            }
            Expr::List(ast::ExprList { elts, .. }) => self.container(ContainerKind::List, elts),
            Expr::Tuple(ast::ExprTuple { elts, .. }) => self.container(ContainerKind::Tuple, elts),
            Expr::Set(ast::ExprSet { elts, .. }) => self.container(ContainerKind::Set, elts),
            Expr::Dict(dict) => {
                let node = self.seeded(Seed::Container(ContainerKind::Dict));
                for item in &dict.items {
                    let value = self.expr(&item.value);
                    match &item.key {
                        Some(key) => {
                            let slot = self.constant_key(key).map_or(Part::Values, Part::Key);
                            let key = self.expr(key);
                            self.store_part(node, Part::Keys, key, item.value.range());
                            self.store_part(node, slot, value, item.value.range());
                        }
                        // `**other` copies the other mapping's keys and values.
                        None => {
                            if let Val::Node(other) = value {
                                for part in [Part::Keys, Part::Values] {
                                    let to = self.node();
                                    self.constrain(Constraint::LoadPart { base: other, part, to, hop: None });
                                    self.store_part(node, part, Val::Node(to), item.value.range());
                                }
                            }
                        }
                    }
                }
                Val::Node(node)
            }
            Expr::ListComp(comp) => {
                self.comprehension(&comp.generators, ContainerKind::List, &[(&comp.elt, Part::Values)])
            }
            Expr::SetComp(comp) => {
                self.comprehension(&comp.generators, ContainerKind::Set, &[(&comp.elt, Part::Values)])
            }
            Expr::Generator(comp) => {
                self.comprehension(&comp.generators, ContainerKind::Iterator, &[(&comp.elt, Part::Values)])
            }
            Expr::DictComp(comp) => match &comp.key {
                Some(key) => self.comprehension(
                    &comp.generators,
                    ContainerKind::Dict,
                    &[(key, Part::Keys), (&comp.value, Part::Values)],
                ),
                None => self.comprehension(&comp.generators, ContainerKind::Dict, &[(&comp.value, Part::Values)]),
            },
            Expr::Subscript(subscript) => {
                let base = self.expr(&subscript.value);
                self.expr(&subscript.slice);
                match base {
                    // A slice is a container of the same elements.
                    Val::Node(base) if subscript.slice.is_slice_expr() => Val::Node(base),
                    Val::Node(base) => {
                        let to = self.node();
                        let hop = self.hop(subscript.range, HopKind::ContainerLoad);
                        let part = self.subscript_part(&subscript.slice);
                        self.constrain(Constraint::LoadPart { base, part, to, hop: Some(hop) });
                        Val::Node(to)
                    }
                    _ => Val::Unknown,
                }
            }
            Expr::Starred(starred) => self.expr(&starred.value),
            Expr::Lambda(lambda) => self.lambda(lambda),
            Expr::Yield(yield_expr) => {
                let value = match &yield_expr.value {
                    Some(value) => self.expr(value),
                    None => Val::Nothing,
                };
                self.yield_value(value, yield_expr.range);
                self.suspends();
                Val::Unknown
            }
            Expr::YieldFrom(yield_from) => {
                if let Val::Node(base) = self.expr(&yield_from.value) {
                    let to = self.node();
                    self.constrain(Constraint::LoadPart { base, part: Part::Iter, to, hop: None });
                    self.yield_value(Val::Node(to), yield_from.range);
                }
                self.suspends();
                Val::Unknown
            }
            Expr::NoneLiteral(_) => Val::Nothing,
            Expr::BinOp(bin_op) => {
                let operands = [self.expr(&bin_op.left), self.expr(&bin_op.right)];
                match bin_op.op {
                    ast::Operator::Add | ast::Operator::Mult => {
                        self.concatenation(ContainerKind::List, operands, bin_op.range)
                    }
                    // Set algebra (`pending - done`, `tasks | {new}`) keeps elements of both.
                    ast::Operator::Sub | ast::Operator::BitOr | ast::Operator::BitAnd | ast::Operator::BitXor => {
                        self.concatenation(ContainerKind::Set, operands, bin_op.range)
                    }
                    // Arithmetic, `%` formatting, paths: never an asyncio value or a callable.
                    _ => Val::Nothing,
                }
            }
            // `not x`, `-x`, comparisons and slices make booleans, numbers and slices.
            Expr::UnaryOp(unary) => {
                self.expr(&unary.operand);
                Val::Nothing
            }
            Expr::Compare(compare) => {
                self.expr(&compare.left);
                for comparator in &compare.comparators {
                    self.expr(comparator);
                }
                Val::Nothing
            }
            Expr::Slice(slice) => {
                for part in [&slice.lower, &slice.upper, &slice.step].into_iter().flatten() {
                    self.expr(part);
                }
                Val::Nothing
            }
            // Strings, numbers and the like are never awaitables, Futures, callables or
            // loops, and their methods call nothing they are given: nothing to follow. (A
            // literal that reaches `ensure_future` fails there as it would in `create_task`.)
            Expr::FString(_)
            | Expr::TString(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::EllipsisLiteral(_) => Val::Nothing,
            Expr::IpyEscapeCommand(_) => Val::Unknown,
        }
    }

    /// A value yielded by the current generator.
    fn yield_value(&mut self, value: Val, range: TextRange) {
        if let Some(func) = self.current_function() {
            let facts = &self.facts.functions[func as usize];
            let (to, name) = (facts.yields, facts.name.clone());
            let name = self.intern(&name);
            let hop = self.hop(range, HopKind::Yield(name));
            self.flow_into(value, to, Some(hop));
        }
    }

    /// Lowers one operand of `and`/`or`, collecting its value.
    fn condition_value(&mut self, value: &Expr, values: &mut Vec<Val>) -> (Vec<Narrowing>, Vec<Narrowing>) {
        if let Some(narrowings) = isinstance_narrowing(value) {
            values.push(Val::Unknown);
            return narrowings;
        }
        values.push(self.expr(value));
        (Vec::new(), Vec::new())
    }

    /// A node that receives every one of `values`.
    fn join(&mut self, values: &[Val]) -> Val {
        let to = self.node();
        for value in values {
            self.flow_into(*value, to, None);
        }
        Val::Node(to)
    }

    fn store_part(&mut self, base: u32, part: Part, value: Val, range: TextRange) {
        if let Some(from) = self.node_of(value) {
            let hop = self.hop(range, HopKind::ContainerStore);
            self.constrain(Constraint::StorePart { base, part, from, hop: Some(hop) });
        }
    }

    /// `xs + ys`, `[t] * n`: when the operands are lists or tuples, a new list of their
    /// elements. An operand may be anything else with an `__add__` the analysis does not
    /// follow (numbers, strings, a project class), so the result is also `Unknown`.
    /// `a + b`, `a * n`, `a | b`...: a container of both sides' elements (or, as far as the
    /// analysis knows, a number); nothing when neither side is followed.
    fn concatenation(&mut self, kind: ContainerKind, operands: [Val; 2], range: TextRange) -> Val {
        if !operands.iter().any(|operand| matches!(operand, Val::Node(_))) {
            return Val::Nothing;
        }
        let node = self.seeded(Seed::Container(kind));
        self.constrain(Constraint::Seed { node, seed: Seed::Unknown });
        for operand in operands {
            if let Val::Node(base) = operand {
                let elements = self.node();
                self.constrain(Constraint::LoadPart { base, part: Part::Iter, to: elements, hop: None });
                let hop = self.hop(range, HopKind::ContainerStore);
                self.constrain(Constraint::StorePart {
                    base: node,
                    part: Part::Values,
                    from: elements,
                    hop: Some(hop),
                });
            }
        }
        Val::Node(node)
    }

    fn container(&mut self, kind: ContainerKind, elts: &[Expr]) -> Val {
        let node = self.seeded(Seed::Container(kind));
        let mut positional = kind == ContainerKind::Tuple;
        for (index, elt) in elts.iter().enumerate() {
            let value = self.expr(elt);
            positional &= !elt.is_starred_expr() && index < MAX_TUPLE_INDEX;
            if positional {
                self.store_part(node, Part::Index(index as u8), value, elt.range());
            }
            match (elt, value) {
                (Expr::Starred(_), Val::Node(other)) => {
                    let to = self.node();
                    self.constrain(Constraint::LoadPart { base: other, part: Part::Iter, to, hop: None });
                    self.store_part(node, Part::Values, Val::Node(to), elt.range());
                }
                _ => self.store_part(node, Part::Values, value, elt.range()),
            }
        }
        Val::Node(node)
    }

    fn comprehension(
        &mut self,
        generators: &[ast::Comprehension],
        kind: ContainerKind,
        elements: &[(&Expr, Part)],
    ) -> Val {
        let Some(first) = generators.first() else {
            return Val::Unknown;
        };
        let first_iterable = self.expr(&first.iter);
        let mut bound = rustc_hash::FxHashSet::default();
        for generator in generators {
            let mut names = Vec::new();
            super::stmt::collect_target_names_pub(&generator.target, &mut names);
            bound.extend(names);
        }
        let is_async = self.in_coroutine();
        self.push_scope(ScopeKind::Comprehension, bound, is_async);
        for (index, generator) in generators.iter().enumerate() {
            let iterable = if index == 0 { first_iterable } else { self.expr(&generator.iter) };
            self.bind_iteration_target(&generator.target, &generator.iter, iterable);
            for condition in &generator.ifs {
                let (when_true, _) = self.condition(condition);
                self.narrow(&when_true);
            }
        }
        let node = self.seeded(Seed::Container(kind));
        for (elt, part) in elements {
            let value = self.expr(elt);
            self.store_part(node, *part, value, elt.range());
        }
        self.pop_scope();
        Val::Node(node)
    }

    fn lambda(&mut self, lambda: &ast::ExprLambda) -> Val {
        let ret = self.node();
        let yields = self.node();
        let keyword = TextRange::at(lambda.range.start(), TextSize::from(6));
        let facts = FunctionFacts {
            name: Name::new_static("<lambda>"),
            is_async: false,
            is_generator: false,
            kind: FunctionKind::Lambda,
            class: None,
            params: Vec::new(),
            ret,
            passed_through: Vec::new(),
            own_ret: ret,
            yields,
            opaque: false,
            decorated: Vec::new(),
            returns: ReturnShape::Other,
            init_stores: Vec::new(),
        };
        let func = self.new_function(facts, keyword);
        let params = match &lambda.parameters {
            Some(parameters) => self.parameters(parameters, func),
            None => Vec::new(),
        };
        self.facts.functions[func as usize].params = params.clone();
        let bound = params.iter().map(|p| p.name.clone()).collect();
        self.push_scope(ScopeKind::Function(func), bound, false);
        for param in &params {
            self.flow().env.insert(param.name.clone(), param.node);
        }
        let outer_conditional = std::mem::replace(&mut self.conditional, 0);
        let outer_guarded = std::mem::replace(&mut self.guarded, 0);
        let value = self.expr(&lambda.body);
        self.conditional = outer_conditional;
        self.guarded = outer_guarded;
        let name = self.intern(&Name::new_static("<lambda>"));
        let hop = self.hop(lambda.body.range(), HopKind::Return(name));
        self.flow_into(value, ret, Some(hop));
        self.note_return(func, &lambda.body, value, hop);
        self.finish_returns(func);
        self.pop_scope();
        Val::Node(self.seeded(Seed::Function(func)))
    }

    fn call(&mut self, call: &ast::ExprCall) -> Val {
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
        let (args, keywords, spreads, mut at) = self.call_args(&call.arguments);
        let has_spread = !spreads.is_empty();
        (at.range, at.callee) = (call.range(), call.func.range());
        // `map(f, xs)`: kept to lay out `f`'s calls once the call's own site is known.
        let mapped = (matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "map")
            && !has_spread
            && keywords.is_empty()
            && args.len() >= 2)
            .then(|| (args.iter().map(|a| a.node).collect::<Vec<_>>(), at.args.clone()));
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
            },
            at,
        );
        self.note_cast(call, site);
        // `loop.run_forever()` in a synchronous function: the loop runs while the frame
        // (and every name it holds) stays alive, as across an `await`.
        if runs_the_loop(call) {
            self.suspends();
        }
        self.facts.spread_args.extend(spreads.into_iter().map(|(node, double)| (site, node, double)));
        if let Some((nodes, ranges)) = mapped {
            self.mapped_call(site, &nodes, ranges);
        }
        if let Callee::Method { name, .. } = &callee
            && matches!(name.as_str(), "get" | "pop" | "setdefault" | "__getitem__")
            && let Some(key) = call.arguments.args.first().and_then(|arg| self.constant_key(arg))
        {
            self.facts.key_args.push((site, key));
        }
        let result = self.node();
        match callee {
            Callee::Super { class, name } => {
                let name = self.intern(&name);
                self.constrain(Constraint::SuperCall { site, class, name, result });
            }
            Callee::Method { receiver: Val::Node(receiver), name, range } => {
                if TASK_ONLY_METHODS.contains(&name.as_str()) && self.attribute_error_handled == 0 {
                    self.task_method_call(receiver, &name, range);
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

    /// The call that `map(f, xs, ys...)` (the builtin, decided when names are resolved)
    /// makes of `f` for each element: a site of its own, `f(x, y...)`, whose callee gets `f`
    /// and whose result the map's elements get only once `map` resolves to the builtin.
    /// Positions: the map call, `f` as the callee, the iterables as the arguments.
    fn mapped_call(&mut self, site: u32, nodes: &[Option<u32>], ranges: Vec<TextRange>) {
        if !nodes.first().is_some_and(Option::is_some) {
            return;
        }
        let args: Vec<Arg> = (nodes[1..].iter())
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
        let at =
            CallPositions { range: outer.range, callee: ranges[0], args: ranges[1..].to_vec(), keywords: Vec::new() };
        let mapped = self.site(mapped, at);
        let (callee, result) = (self.node(), self.node());
        self.constrain(Constraint::Call { site: mapped, callee, result });
        self.facts.map_calls.push((site, callee, result));
    }

    /// `cast(T, value)` or `typing.cast(T, value)`: whether it is typing's is decided when
    /// names are resolved.
    fn note_cast(&mut self, call: &ast::ExprCall, site: u32) {
        if let Some(path) = crate::annotation::dotted_name(&call.func)
            && path.last().is_some_and(|last| last.as_str() == "cast")
            && let [target, _] = &*call.arguments.args
        {
            self.facts.casts.push((site, type_expr(target)));
        }
    }

    /// The slot `container[slice]` reads: a tuple position, a constant dict key, or any element.
    pub(super) fn subscript_part(&mut self, slice: &Expr) -> Part {
        match slice.as_number_literal_expr().and_then(|n| n.value.as_int()) {
            Some(int) => match int.as_u8() {
                Some(index) if (index as usize) < MAX_TUPLE_INDEX => Part::Index(index),
                _ => Part::Values,
            },
            None => self.constant_key(slice).map_or(Part::Values, Part::Key),
        }
    }

    /// The arguments, whether some are spread, and their positions (the call's own are
    /// left for the caller to fill in).
    /// The positional and keyword arguments of a call, and its spreads: (the node of the
    /// spread value when it has one, whether it is `**`).
    fn call_args(&mut self, arguments: &ast::Arguments) -> (Vec<Arg>, Vec<Keyword>, Vec<Spread>, CallPositions) {
        let mut spreads = Vec::new();
        let mut at = CallPositions::default();
        let mut args = Vec::new();
        for arg in &arguments.args {
            let value = self.expr(arg);
            if arg.is_starred_expr() {
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

    /// Lowers a test and returns the narrowings that hold when it is true and when false.
    pub(super) fn condition(&mut self, test: &Expr) -> (Vec<Narrowing>, Vec<Narrowing>) {
        match test {
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
                let (when_true, when_false) = self.condition(&unary.operand);
                (when_false, when_true)
            }
            Expr::BoolOp(bool_op) => {
                let before = self.flow().clone();
                let since = self.walrus_bindings.len();
                let mut first_operand_end = since;
                let mut collected = Vec::new();
                let mut alternatives = Vec::new();
                for (index, value) in bool_op.values.iter().enumerate() {
                    let (when_true, when_false) = self.condition(value);
                    let (narrowing, other) =
                        if bool_op.op == BoolOp::And { (when_true, when_false) } else { (when_false, when_true) };
                    self.narrow(&narrowing);
                    collected.extend(narrowing);
                    let is_and = bool_op.op == BoolOp::And;
                    alternatives.push(if other.is_empty() { none_narrowing(value, !is_and) } else { other });
                    if index == 0 {
                        first_operand_end = self.walrus_bindings.len();
                    }
                }
                self.restore_keeping_walruses(before, first_operand_end, since);
                match bool_op.op {
                    BoolOp::And => (collected, one_of(&alternatives)),
                    BoolOp::Or => (one_of(&alternatives), collected),
                }
            }
            Expr::Name(name) if let Some(narrowings) = self.condition_alias(&name.id) => {
                self.expr(test);
                narrowings
            }
            _ => match isinstance_narrowing(test) {
                Some(narrowings) => {
                    // `isinstance(job := f(), Task)`: the walrus binds before the test holds.
                    if let Expr::Call(call) = test
                        && let Some(subject @ Expr::Named(_)) = call.arguments.args.first()
                    {
                        self.expr(subject);
                    }
                    narrowings
                }
                None => {
                    self.expr(test);
                    (Vec::new(), Vec::new())
                }
            },
        }
    }

    /// After `flag = <test>`: remembers what the test narrows, for `if flag:`.
    pub(super) fn note_condition_alias(&mut self, flag: &Name, value: &Expr) {
        let (mut test, mut negated) = (value, false);
        while let Expr::UnaryOp(unary) = test
            && unary.op == UnaryOp::Not
        {
            (test, negated) = (&unary.operand, !negated);
        }
        let Some((when_true, when_false)) = isinstance_narrowing(test) else { return };
        let (when_true, when_false) = if negated { (when_false, when_true) } else { (when_true, when_false) };
        let env = &self.scope().flow.env;
        let Some(&version) = env.get(flag) else { return };
        let subjects =
            when_true.iter().chain(&when_false).map(|(name, _)| (name.clone(), env.get(name).copied())).collect();
        let alias = super::ConditionAlias { version, subjects, when_true, when_false };
        self.scope_mut().condition_aliases.insert(flag.clone(), alias);
    }

    /// What `if flag:` narrows, when `flag` and the names it tests are as they were bound.
    fn condition_alias(&self, flag: &Name) -> Option<(Vec<Narrowing>, Vec<Narrowing>)> {
        let scope = self.scope();
        let alias = scope.condition_aliases.get(flag)?;
        let env = &scope.flow.env;
        let current = env.get(flag) == Some(&alias.version)
            && alias.subjects.iter().all(|(name, version)| env.get(name) == version.as_ref());
        current.then(|| (alias.when_true.clone(), alias.when_false.clone()))
    }
}

/// A test of a plain name that narrows it: what holds when it is true, and when false.
///
/// `isinstance(x, T)`, `hasattr(x, "get_name")`, `asyncio.iscoroutine(x)`, `asyncio.isfuture(x)`.
fn isinstance_narrowing(test: &Expr) -> Option<(Vec<Narrowing>, Vec<Narrowing>)> {
    if let Expr::Compare(compare) = test {
        return exact_type_narrowing(compare);
    }
    let Expr::Call(call) = test else { return None };
    let path = crate::annotation::dotted_name(&call.func)?;
    let function = path.last()?.as_str();
    let (subject, rest) = call.arguments.args.split_first()?;
    let name = match subject {
        Expr::Name(subject) => subject.id.clone(),
        Expr::Named(ast::ExprNamed { target, .. }) => target.as_name_expr()?.id.clone(),
        _ => return None,
    };
    match (function, rest) {
        ("isinstance", [types]) if path.len() == 1 => {
            let types: Vec<_> = match types {
                Expr::Tuple(tuple) => tuple.elts.iter().map(type_expr).collect(),
                other => vec![type_expr(other)],
            };
            Some((vec![(name.clone(), GuardTest::Is(types.clone()))], vec![(name, GuardTest::IsNot(types))]))
        }
        ("hasattr", [method]) if path.len() == 1 => {
            let method = method.as_string_literal_expr()?.value.to_str();
            TASK_ONLY_METHODS.contains(&method).then(|| (vec![(name, GuardTest::NotFuture)], Vec::new()))
        }
        ("iscoroutine", []) => Some((vec![(name, GuardTest::Coroutine)], Vec::new())),
        ("isawaitable", []) => Some((vec![(name, GuardTest::Awaitable)], Vec::new())),
        ("iscoroutinefunction", []) => Some((vec![(name, GuardTest::CoroutineFunction)], Vec::new())),
        ("isfuture", []) => Some((Vec::new(), vec![(name, GuardTest::NotFuture)])),
        _ => None,
    }
}

/// `x is None` when `holds` (`x is not None` when not): `x` holds none of the values the
/// analysis follows (as `isinstance(x, NoneType)` would say); only used for an alternative
/// of `or` (or of a failed `and`).
fn none_narrowing(test: &Expr, holds: bool) -> Vec<Narrowing> {
    let Expr::Compare(compare) = test else { return Vec::new() };
    let op = if holds { ast::CmpOp::Is } else { ast::CmpOp::IsNot };
    match (&*compare.left, &*compare.ops, &*compare.comparators) {
        (Expr::Name(name), [found], [Expr::NoneLiteral(_)]) if *found == op => {
            vec![(name.id.clone(), GuardTest::Is(vec![TypeExpr::None]))]
        }
        _ => Vec::new(),
    }
}

/// What holds when one of `alternatives` does (`A or B` when true, `A and B` when false),
/// for each name that every alternative narrows: one of their types when each says
/// `isinstance` (`isinstance(x, Task) or x is None`), else any of their tests.
fn one_of(alternatives: &[Vec<Narrowing>]) -> Vec<Narrowing> {
    let Some((first, _)) = alternatives.split_first() else { return Vec::new() };
    let mut narrowed: Vec<Narrowing> = Vec::new();
    for (name, _) in first {
        if narrowed.iter().any(|(n, _)| n == name) {
            continue;
        }
        let tests: Vec<Vec<GuardTest>> = alternatives
            .iter()
            .map(|narrowings| narrowings.iter().filter(|(n, _)| n == name).map(|(_, test)| test.clone()).collect())
            .collect();
        if tests.iter().any(Vec::is_empty) {
            continue;
        }
        let types: Option<Vec<TypeExpr>> = tests
            .iter()
            .map(|tests| match tests.as_slice() {
                [GuardTest::Is(types)] => Some(types.clone()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|all| all.concat());
        narrowed.push((name.clone(), types.map_or(GuardTest::AnyOf(tests), GuardTest::Is)));
    }
    narrowed
}

/// `type(x) is T` (or `==`; `is not`, `!=` the other way round), either side first: narrows
/// `x` as `isinstance(x, T)` does (what the analysis tells apart has no subclasses of
/// interest: a Task object stands for `Task` and its subclasses alike).
fn exact_type_narrowing(compare: &ast::ExprCompare) -> Option<(Vec<Narrowing>, Vec<Narrowing>)> {
    let ([op], [right]) = (&*compare.ops, &*compare.comparators) else { return None };
    let negated = match op {
        ast::CmpOp::Is | ast::CmpOp::Eq => false,
        ast::CmpOp::IsNot | ast::CmpOp::NotEq => true,
        _ => return None,
    };
    let subject_of = |expr: &Expr| {
        let Expr::Call(call) = expr else { return None };
        let is_type = matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "type");
        match (&*call.arguments.args, call.arguments.keywords.is_empty()) {
            ([Expr::Name(subject)], true) if is_type => Some(subject.id.clone()),
            _ => None,
        }
    };
    let (name, class) = match (subject_of(&compare.left), subject_of(right)) {
        (Some(name), None) => (name, right),
        (None, Some(name)) => (name, &*compare.left),
        _ => return None,
    };
    let types = vec![type_expr(class)];
    let (is, is_not) = (vec![(name.clone(), GuardTest::Is(types.clone()))], vec![(name, GuardTest::IsNot(types))]);
    Some(if negated { (is_not, is) } else { (is, is_not) })
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
        [first, last] => first.as_str() == "asyncio" && last.as_str() == "run",
        _ => false,
    }
}
