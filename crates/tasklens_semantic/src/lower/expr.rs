//! Lowering of expressions: names, attributes, containers, awaits, comprehensions and
//! lambdas (calls are in `calls.rs`, the narrowing read from tests in `narrowing.rs`).

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, BoolOp, Expr};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::narrowing::isinstance_narrowing;
use super::stmt::Narrowing;
use super::{Lowerer, ScopeKind, Val};
use crate::facts::{
    Constraint, ContainerKind, FunctionFacts, FunctionKind, HopKind, MAX_TUPLE_INDEX, Operator, Part, ProtocolUse,
    ReturnShape, Seed, ValueUse, task_method,
};

impl Lowerer {
    /// `await value` (or `yield from value` in a generator-based coroutine): what awaiting
    /// it gives.
    fn await_value(&mut self, value: &Expr) -> Val {
        let awaited = self.expr(value);
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

    /// Records `await name` / `await obj.attr` with the node of the awaited value (from the
    /// `Await` constraint `await_value` just made, giving `to`): a function there is not
    /// awaitable (TL013).
    fn note_awaited_reference(&mut self, value: &Expr, to: crate::facts::NodeId) {
        let name = match value {
            Expr::Name(name) => name.id.clone(),
            Expr::Attribute(attribute) => attribute.attr.id.clone(),
            _ => return,
        };
        if let Some(&Constraint::Await { value: node, to: made }) = self.facts.constraints.last()
            && made == to
        {
            self.facts.awaited_references.push((node, name));
            self.positions.awaited_references.push(value.range());
        }
    }

    /// Records a value entered by `with` or iterated by `for`, sync or async (TL015).
    pub(super) fn note_protocol_use(
        &mut self,
        value: Val,
        used: ProtocolUse,
        expr: &Expr,
        statement: Option<ruff_text_size::TextSize>,
    ) {
        // Not where a TypeError is caught or expected (a test of exactly this), nor under
        // a test (`if hasattr(x, "__aiter__"):`, `if inspect.isasyncgen(x):`), which the
        // analysis does not narrow on.
        if let Val::Node(node) = value
            && self.type_error_handled == 0
            && self.guarded == 0
        {
            let attribute = match expr {
                Expr::Attribute(attribute) => {
                    self.self_attribute_class(attribute).map(|class| (class, attribute.attr.id.clone()))
                }
                _ => None,
            };
            self.facts.protocol_uses.push((node, used, attribute));
            self.positions.protocol_uses.push(expr.range());
            self.positions.protocol_statements.push(statement.filter(|_| self.in_coroutine()));
        }
    }

    /// Records a value used as what it holds where a coroutine fails (TL019), unless a
    /// `TypeError` is caught or expected there or a test guards it, as for protocol uses.
    pub(super) fn note_value_use(&mut self, value: Val, used: ValueUse, range: ruff_text_size::TextRange) {
        if let Val::Node(node) = value
            && self.type_error_handled == 0
            && self.guarded == 0
        {
            self.facts.value_uses.push((node, used));
            self.positions.value_uses.push(range);
        }
    }

    pub(super) fn expr(&mut self, expr: &Expr) -> Val {
        if !self.enter(expr.range()) {
            return Val::Unknown;
        }
        let value = self.expr_inner(expr);
        self.leave();
        value
    }

    fn expr_inner(&mut self, expr: &Expr) -> Val {
        match expr {
            Expr::Name(name) => self.read_name(&name.id),
            Expr::Attribute(_) if let Some(narrowed) = self.narrowed_read(expr) => Val::Node(narrowed),
            Expr::Attribute(attribute) => match self.expr(&attribute.value) {
                Val::Node(base) => {
                    let to = self.node();
                    let attr = self.intern(&attribute.attr.id);
                    let hop = self.hop(attribute.range, HopKind::AttrLoad(attr));
                    self.constrain(Constraint::Load { base, attr, to, hop: Some(hop) });
                    if let Expr::Name(receiver) = &*attribute.value
                        && self.flow().set_attributes.iter().any(|(r, a)| *r == receiver.id && *a == attribute.attr.id)
                    {
                        self.facts.set_attribute_reads.push(to);
                    }
                    if self.current_function().is_none() {
                        self.property_read(base, attr, attribute);
                    }
                    // `callback = task.get_name` fails on a plain Future already.
                    let name = &attribute.attr.id;
                    self.note_newer_attribute_read(base, attribute);
                    if task_method(name.as_str()) && self.attribute_error_handled == 0 {
                        self.task_method_call(base, name, attribute.attr.range, None);
                    }
                    Val::Node(to)
                }
                // An attribute of a literal or of None (`"sep".join`): nothing to follow.
                Val::Nothing => Val::Nothing,
                Val::Unknown => Val::Unknown,
            },
            Expr::Call(call) => self.call(call),
            Expr::Await(await_expr) => {
                self.next_call_awaited = matches!(&*await_expr.value, Expr::Call(_));
                let awaited = self.await_value(&await_expr.value);
                self.next_call_awaited = false;
                if let Val::Node(to) = awaited {
                    self.note_awaited_reference(&await_expr.value, to);
                }
                awaited
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
                    self.version_chain(value, bool_op.op == BoolOp::And);
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
            // In a generator-based coroutine (an `async def` cannot hold one), `yield from`
            // awaits.
            Expr::YieldFrom(yield_from) if self.scope().is_async => self.await_value(&yield_from.value),
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
                if let Some(operator) = Operator::spelled(bin_op.op.as_str()) {
                    self.note_value_use(operands[0], ValueUse::Arithmetic(operator), bin_op.left.range());
                    // `"%s" % value` formats whatever it is given.
                    if bin_op.op != ast::Operator::Mod {
                        self.note_value_use(operands[1], ValueUse::Arithmetic(operator), bin_op.right.range());
                    }
                }
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
                let mut left = (self.expr(&compare.left), compare.left.range());
                for (op, comparator) in compare.ops.iter().zip(&compare.comparators) {
                    let right = (self.expr(comparator), comparator.range());
                    if let Some(operator) = Operator::spelled(op.as_str()) {
                        let both = match op {
                            ast::CmpOp::In | ast::CmpOp::NotIn => {
                                self.note_value_use(right.0, ValueUse::Searched, right.1);
                                None
                            }
                            ast::CmpOp::Lt | ast::CmpOp::LtE | ast::CmpOp::Gt | ast::CmpOp::GtE => {
                                Some(ValueUse::Ordered(operator))
                            }
                            ast::CmpOp::Eq | ast::CmpOp::NotEq | ast::CmpOp::Is | ast::CmpOp::IsNot => {
                                Some(ValueUse::Compared(operator))
                            }
                        };
                        if let Some(used) = both {
                            self.note_value_use(left.0, used, left.1);
                            self.note_value_use(right.0, used, right.1);
                        }
                    }
                    left = right;
                }
                Val::Nothing
            }
            Expr::Slice(slice) => {
                for part in [&slice.lower, &slice.upper, &slice.step].into_iter().flatten() {
                    self.expr(part);
                }
                Val::Nothing
            }
            // What an f-string interpolates is evaluated (`f"{task.get_name()}"` calls
            // `get_name`); the string itself holds nothing to follow. A t-string keeps its
            // values in the `Template` it makes, which is not followed.
            Expr::FString(fstring) => {
                self.interpolations(fstring.value.elements());
                Val::Nothing
            }
            Expr::TString(tstring) => {
                self.interpolations(tstring.value.elements());
                Val::Unknown
            }
            // Strings, numbers and the like are never awaitables, Futures, callables or
            // loops, and their methods call nothing they are given: nothing to follow. (A
            // literal that reaches `ensure_future` fails there as it would in `create_task`.)
            Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::EllipsisLiteral(_) => Val::Nothing,
            Expr::IpyEscapeCommand(_) => Val::Unknown,
        }
    }

    /// Lowers the expressions an f-string or t-string interpolates, those of its format
    /// specs (`f"{value:{width}}"`) included, for what they do.
    fn interpolations<'a>(&mut self, elements: impl Iterator<Item = &'a ast::InterpolatedStringElement>) {
        let mut pending: Vec<&ast::InterpolatedStringElement> = elements.collect();
        pending.reverse();
        while let Some(element) = pending.pop() {
            let ast::InterpolatedStringElement::Interpolation(interpolation) = element else { continue };
            self.expr(&interpolation.expression);
            if let Some(spec) = &interpolation.format_spec {
                pending.extend(spec.elements.iter().rev());
            }
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
        let node = self.seeded(Seed::Unknown);
        for operand in operands {
            if let Val::Node(base) = operand {
                self.constrain(Constraint::Concat { operand: base, to: node, kind });
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
            let used = if generator.is_async { ProtocolUse::AsyncFor } else { ProtocolUse::For };
            self.note_protocol_use(iterable, used, &generator.iter, None);
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
            returns_literal: false,
            completes: true,
            stub: false,
            mentions_cancellation: super::scan::mentions_cancellation(&lambda.body),
            init_stores: Vec::new(),
            fixture: None,
            predicate: None,
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
        // A function defined in a block that expects a failure runs elsewhere, later.
        let outer_expected = std::mem::replace(&mut self.failure_expected, 0);
        let outer_runtime_error = std::mem::replace(&mut self.runtime_error_handled, 0);
        let value = self.expr(&lambda.body);
        self.conditional = outer_conditional;
        self.guarded = outer_guarded;
        self.failure_expected = outer_expected;
        self.runtime_error_handled = outer_runtime_error;
        let name = self.intern(&Name::new_static("<lambda>"));
        let hop = self.hop(lambda.body.range(), HopKind::Return(name));
        self.flow_into(value, ret, Some(hop));
        self.note_return(func, &lambda.body, value, hop);
        self.finish_returns(func);
        self.pop_scope();
        Val::Node(self.seeded(Seed::Function(func)))
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
}
