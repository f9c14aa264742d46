//! What a function's `return`s hand back of its parameters (`PassedThrough`): the
//! parameter itself, one step into it, `ensure_future` of it, `param.get(key)`, through a
//! local or a branch of a conditional expression, so that each call gets what its own
//! argument holds; everything else is the function's own result.

use ruff_python_ast as ast;

use super::{Lowerer, Val};
use crate::facts::{ContainerKind, FuncId, HopId, NodeId, ParamKind, Part, PassedThrough, ReadMethod, ReturnPath};

impl Lowerer {
    /// A `return value` of `func` (already flowing into its `ret`): a parameter returned
    /// unchanged, whole or one attribute or subscript into it, is passed through; anything
    /// else is the function's own result.
    pub(super) fn note_return(&mut self, func: FuncId, expr: &ast::Expr, value: Val, hop: HopId) {
        // `return xs[-1] if xs else None`: each branch on its own.
        if let ast::Expr::If(_) = expr
            && let Some(branches) = self.passed_through_branches(func, expr)
        {
            let facts = &mut self.facts.functions[func as usize];
            for passed in branches {
                if !facts.passed_through.contains(&passed) {
                    facts.passed_through.push(passed);
                }
            }
            return;
        }
        match self.passed_through_by(func, expr, value) {
            Some(passed) => {
                let facts = &mut self.facts.functions[func as usize];
                if !facts.passed_through.contains(&passed) {
                    facts.passed_through.push(passed);
                }
            }
            None => self.own_returns.entry(func).or_default().push((value, hop)),
        }
    }

    /// What the branches of a conditional expression pass through, when each is `None` or
    /// passes a parameter through (without calls: only a name, an attribute or a subscript).
    pub(super) fn passed_through_branches(&mut self, func: FuncId, expr: &ast::Expr) -> Option<Vec<PassedThrough>> {
        match expr {
            ast::Expr::If(conditional) => {
                let mut passed = self.passed_through_branches(func, &conditional.body)?;
                passed.extend(self.passed_through_branches(func, &conditional.orelse)?);
                Some(passed)
            }
            ast::Expr::NoneLiteral(_) => Some(Vec::new()),
            other => self.passed_through_by(func, other, Val::Nothing).map(|passed| vec![passed]),
        }
    }

    /// Whether `func` is a plain method (not a coroutine, a generator, a property or a class
    /// or static method), whose call's result is what its `return`s give.
    fn is_plain_method(&self, func: FuncId) -> bool {
        let facts = &self.facts.functions[func as usize];
        facts.kind == crate::facts::FunctionKind::Method && !facts.is_async && !facts.is_generator
    }

    /// What of a parameter of `func` the expression `expr` (lowered to `value`) is, if it is
    /// one: the parameter unchanged, one step into it, `ensure_future` of it, or a local
    /// assigned `ensure_future` of it (`task = ensure_future(coro); ...; return task`).
    pub(super) fn passed_through_by(&mut self, func: FuncId, expr: &ast::Expr, value: Val) -> Option<PassedThrough> {
        if let (ast::Expr::Name(_), Val::Node(node)) = (expr, value)
            && let Some(&passed) = self.wrapped_versions.get(&node)
        {
            // A new container read since it was made (`tasks.append(x)`) may hold more.
            if let Some((index, local, reads)) = self.collection_versions.get(&node).cloned()
                && self.reads_of(index, &local) != reads + 1
            {
                return None;
            }
            return Some(passed);
        }
        let (base, path) = match expr {
            ast::Expr::Call(_) | ast::Expr::ListComp(_) | ast::Expr::SetComp(_)
                if let Some(collected) = self.collected(expr, value) =>
            {
                collected
            }
            ast::Expr::Call(call) if wraps_ensure_future(call) => match value {
                // The call's own site is the last one made: its arguments' come first.
                Val::Node(node) => (
                    &call.arguments.args[0],
                    ReturnPath::EnsureFuture { site: (self.facts.call_sites.len() - 1) as u32, value: node },
                ),
                _ => return None,
            },
            // `return param.get(key)`: the call's own site is the last one made.
            ast::Expr::Call(call)
                if let ast::Expr::Attribute(method) = &*call.func
                    && let Some(read) = ReadMethod::from_name(method.attr.as_str()) =>
            {
                let Val::Node(node) = value else { return None };
                let site = self.facts.call_sites.len().checked_sub(1)? as u32;
                (&*method.value, ReturnPath::Read { site, method: read, value: node })
            }
            // `return self.make()` in a method.
            ast::Expr::Call(call)
                if let ast::Expr::Attribute(method) = &*call.func
                    && self.is_plain_method(func) =>
            {
                let Val::Node(node) = value else { return None };
                let name = self.intern(&method.attr.id);
                (&*method.value, ReturnPath::Method { name, value: node })
            }
            ast::Expr::Attribute(attribute) => (&*attribute.value, ReturnPath::Attr(self.intern(&attribute.attr.id))),
            ast::Expr::Subscript(subscript) if !subscript.slice.is_slice_expr() => {
                (&*subscript.value, ReturnPath::Part(self.subscript_part(&subscript.slice)))
            }
            other => (other, ReturnPath::Whole),
        };
        let ast::Expr::Name(name) = base else { return None };
        let current = self.scope().flow.env.get(&name.id).copied();
        let facts = &self.facts.functions[func as usize];
        let param = facts.params.iter().position(|p| {
            current == Some(p.node)
                && matches!(p.kind, ParamKind::Positional | ParamKind::PositionalOnly | ParamKind::KeywordOnly)
        })?;
        // A method's receiver stays the function's own result: its class's `get` decides.
        if matches!(path, ReturnPath::Read { .. }) && param == 0 && facts.class.is_some() {
            return None;
        }
        // Only a method's own receiver picks the method called on it.
        if matches!(path, ReturnPath::Method { .. }) && param != 0 {
            return None;
        }
        Some(PassedThrough { param: param as u32, path })
    }

    /// `list(param)` (or `tuple`, `set`, `frozenset`, `sorted`), `[x for x in param]`,
    /// `{x for x in param}` (with conditions that narrow nothing) and `[ensure_future(x) for
    /// x in param]`: the name iterated and how the new container holds its elements.
    fn collected<'e>(&mut self, expr: &'e ast::Expr, value: Val) -> Option<(&'e ast::Expr, ReturnPath)> {
        let (generators, element, kind) = match expr {
            ast::Expr::Call(call) => {
                let ast::Expr::Name(callee) = &*call.func else { return None };
                // A tuple made this way is read like a list (its positions are not known),
                // as `tuple(...)` is elsewhere.
                let kind = match callee.id.as_str() {
                    "list" | "sorted" | "tuple" => ContainerKind::List,
                    "set" | "frozenset" => ContainerKind::Set,
                    _ => return None,
                };
                let sorting = callee.id.as_str() == "sorted";
                let [argument] = &*call.arguments.args else { return None };
                if !self.is_builtin(&callee.id) || !(call.arguments.keywords.is_empty() || sorting) {
                    return None;
                }
                return argument.is_name_expr().then_some((argument, ReturnPath::Elements(kind)));
            }
            ast::Expr::ListComp(comp) => (&comp.generators, &*comp.elt, ContainerKind::List),
            ast::Expr::SetComp(comp) => (&comp.generators, &*comp.elt, ContainerKind::Set),
            _ => return None,
        };
        let [generator] = &**generators else { return None };
        let (ast::Expr::Name(target), ast::Expr::Name(_)) = (&generator.target, &generator.iter) else {
            return None;
        };
        if generator.is_async || !generator.ifs.iter().all(|condition| narrows_nothing(condition, 0)) {
            return None;
        }
        let path = match element {
            ast::Expr::Name(name) if name.id == target.id => ReturnPath::Elements(kind),
            // The element is lowered last: its call is the last site made.
            ast::Expr::Call(call)
                if kind == ContainerKind::List
                    && wraps_ensure_future(call)
                    && call.arguments.args[0].as_name_expr().is_some_and(|name| name.id == target.id) =>
            {
                let Val::Node(value) = value else { return None };
                let site = self.facts.call_sites.len().checked_sub(1)? as u32;
                ReturnPath::EnsureFutureElements { site, value }
            }
            _ => return None,
        };
        Some((&generator.iter, path))
    }

    /// After `for name in param:`, `name` is an element of the parameter, for a later
    /// `return name`.
    pub(super) fn note_iteration_version(&mut self, target: &ast::Expr, iter: &ast::Expr) {
        let Some(func) = self.current_function() else { return };
        if !target.is_name_expr() || !iter.is_name_expr() {
            return;
        }
        let Some(passed) = self.passed_through_by(func, iter, Val::Nothing) else { return };
        if passed.path == ReturnPath::Whole {
            let element = PassedThrough { param: passed.param, path: ReturnPath::Part(Part::Iter) };
            self.note_wrapped_version(target, element);
        }
    }

    /// The assignment `target = expr` in a function, when `expr` is `ensure_future(param)`:
    /// what it passes through, judged before the assignment (which may rebind the
    /// parameter: `coro = ensure_future(coro)`).
    pub(super) fn wrapped_assignment(
        &mut self,
        target: &ast::Expr,
        expr: &ast::Expr,
        value: Val,
    ) -> Option<PassedThrough> {
        let func = self.current_function()?;
        match (target, expr) {
            (ast::Expr::Name(_), ast::Expr::Call(call)) if wraps_ensure_future(call) => {}
            // `tasks = [ensure_future(c) for c in coros]`, `items = list(param)`.
            (ast::Expr::Name(_), ast::Expr::ListComp(_) | ast::Expr::SetComp(_) | ast::Expr::Call(_)) => {
                return self.passed_through_by(func, expr, value).filter(|passed| {
                    matches!(passed.path, ReturnPath::Elements(_) | ReturnPath::EnsureFutureElements { .. })
                });
            }
            // One step into a parameter, or the parameter itself under another name.
            (ast::Expr::Name(_), ast::Expr::Attribute(_) | ast::Expr::Subscript(_) | ast::Expr::Name(_)) => {}
            // `key, value = param`.
            (
                ast::Expr::Tuple(ast::ExprTuple { elts, .. }) | ast::Expr::List(ast::ExprList { elts, .. }),
                ast::Expr::Name(_),
            ) if elts.len() <= usize::from(u8::MAX) && elts.iter().all(|e| e.is_name_expr()) => {
                return self.passed_through_by(func, expr, value).filter(|passed| passed.path == ReturnPath::Whole);
            }
            _ => return None,
        }
        self.passed_through_by(func, expr, value)
    }

    /// After `name = ensure_future(param)` (or `name = param.attr`...): the new version of
    /// `name` is that of the parameter, for a later `return name`. After `a, b = param`,
    /// each name is the element at its position.
    pub(super) fn note_wrapped_version(&mut self, target: &ast::Expr, passed: PassedThrough) {
        if let (ast::Expr::Name(name), ReturnPath::Elements(_) | ReturnPath::EnsureFutureElements { .. }) =
            (target, passed.path)
            && let Some(&version) = self.scope().flow.env.get(&name.id)
        {
            let index = self.scopes.len() - 1;
            let reads = self.reads_of(index, &name.id);
            self.collection_versions.insert(version, (index, name.id.clone(), reads));
        }
        let versions: Vec<(NodeId, PassedThrough)> = match target {
            ast::Expr::Name(name) => self.scope().flow.env.get(&name.id).map(|&v| (v, passed)).into_iter().collect(),
            ast::Expr::Tuple(ast::ExprTuple { elts, .. }) | ast::Expr::List(ast::ExprList { elts, .. }) => (elts
                .iter())
            .enumerate()
            .filter_map(|(index, element)| {
                let version = *self.scope().flow.env.get(&element.as_name_expr()?.id)?;
                let path = ReturnPath::Part(crate::facts::Part::Index(u8::try_from(index).ok()?));
                Some((version, PassedThrough { param: passed.param, path }))
            })
            .collect(),
            _ => Vec::new(),
        };
        self.wrapped_versions.extend(versions);
    }

    /// Once `func`'s body is lowered: when it passes parameters through, its own results
    /// get a node of their own.
    pub(super) fn finish_returns(&mut self, func: FuncId) {
        let own = self.own_returns.remove(&func).unwrap_or_default();
        if self.facts.functions[func as usize].passed_through.is_empty() {
            return;
        }
        let node = self.node();
        self.facts.functions[func as usize].own_ret = node;
        for (value, hop) in own {
            self.flow_into(value, node, Some(hop));
        }
    }
}

/// `ensure_future(x)` (by its last name, with one positional argument and at most `loop=`):
/// whether it is asyncio's is decided when names are resolved.
fn wraps_ensure_future(call: &ast::ExprCall) -> bool {
    let named = crate::annotation::dotted_name(&call.func)
        .is_some_and(|path| path.last().is_some_and(|last| last.as_str() == "ensure_future"));
    named
        && call.arguments.args.len() == 1
        && !call.arguments.args[0].is_starred_expr()
        && call.arguments.keywords.iter().all(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "loop"))
}

/// Whether a comprehension's condition surely narrows nothing: made of method calls that
/// are not type tests (`x.done()`), attributes, order comparisons, `not`, `and` and `or`.
/// Anything else (`isinstance`, `is`, `==`, a name bound to a test) may narrow.
fn narrows_nothing(condition: &ast::Expr, depth: u32) -> bool {
    const TESTS: [&str; 6] = ["isinstance", "hasattr", "iscoroutine", "iscoroutinefunction", "isawaitable", "isfuture"];
    if depth > 16 {
        return false;
    }
    match condition {
        ast::Expr::UnaryOp(unary) => unary.op == ast::UnaryOp::Not && narrows_nothing(&unary.operand, depth + 1),
        ast::Expr::BoolOp(boolean) => boolean.values.iter().all(|value| narrows_nothing(value, depth + 1)),
        ast::Expr::Call(call) => {
            matches!(&*call.func, ast::Expr::Attribute(method) if !TESTS.contains(&method.attr.as_str()))
        }
        ast::Expr::Attribute(_) => true,
        ast::Expr::Compare(compare) => compare
            .ops
            .iter()
            .all(|op| matches!(op, ast::CmpOp::Lt | ast::CmpOp::LtE | ast::CmpOp::Gt | ast::CmpOp::GtE)),
        _ => false,
    }
}
