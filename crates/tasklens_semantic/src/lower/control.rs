//! Lowering of branches and loops (`if`, `while`, `for`), and the narrowing that tests
//! put on the branches they guard; `try` and `with` are in `handlers.rs`, `match` in
//! `patterns.rs`.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::handlers::last_name;
use super::stmt::{Narrowing, collect_target_names_pub as collect_target_names, tuple_elts};
use super::{Flow, LoopFlows, Lowerer, Val, attribute_paths, scan};
use crate::facts::{Constraint, HopKind, Part, ProtocolUse};

impl Lowerer {
    pub(super) fn if_stmt(&mut self, stmt: &ast::StmtIf) {
        let tests = std::iter::once(&*stmt.test).chain(stmt.elif_else_clauses.iter().filter_map(|c| c.test.as_ref()));
        let kind_switch = u32::from(tests.into_iter().any(switches_on_kind));
        self.kind_switch += kind_switch;
        self.if_branches(stmt);
        self.kind_switch -= kind_switch;
    }

    fn if_branches(&mut self, stmt: &ast::StmtIf) {
        if let Some(taken) = self.branch_taken(stmt) {
            let bodies = std::iter::once(&stmt.body[..]).chain(stmt.elif_else_clauses.iter().map(|c| &c.body[..]));
            for (index, body) in bodies.enumerate() {
                match taken == Some(index) {
                    true => self.block(body),
                    false => self.imports_of(body),
                }
            }
            return;
        }
        let mut ends = Vec::new();
        let (when_true, when_false) = self.condition(&stmt.test);
        let version = self.version_test(&stmt.test).unwrap_or_default();
        if self.flag_value(&stmt.test, 0) == Some(false) {
            // The body never runs (later tests are not all decided).
            self.imports_of(&stmt.body);
            self.else_branches(stmt, ends, version, when_false);
            return;
        }
        let before = self.flow().clone();
        self.narrow(&when_true);
        self.gate_on(&stmt.test, true);
        self.runs_below(version.when_true);
        self.runs_from(version.from_when_true);
        // The body of `if __name__ == "__main__":` runs whenever the script is run.
        if is_main_guard(&stmt.test) {
            let first = self.facts.call_sites.len() as u32;
            self.conditionally(|this| this.block(&stmt.body));
            if self.scopes.len() == 1 {
                let sites = first..self.facts.call_sites.len() as u32;
                let module_level: Vec<u32> =
                    sites.filter(|&s| self.facts.call_sites[s as usize].caller.is_none()).collect();
                self.facts.script_sites.extend(module_level);
            }
        } else {
            self.under_test(|this| this.block(&stmt.body));
        }
        ends.push(std::mem::replace(self.flow(), before));
        self.else_branches(stmt, ends, version, when_false);
    }

    /// The `elif` and `else` clauses of `stmt`, after its body ended in `ends`, and the merge.
    fn else_branches(
        &mut self,
        stmt: &ast::StmtIf,
        mut ends: Vec<Flow>,
        version: super::versions::VersionTest,
        when_false: Vec<Narrowing>,
    ) {
        self.narrow(&when_false);
        self.gate_on(&stmt.test, false);
        self.runs_below(version.when_false);
        self.runs_from(version.from_when_false);
        let mut has_else = false;
        for (index, clause) in stmt.elif_else_clauses.iter().enumerate() {
            // An `elif` the constant flags decide: never taken, or the last that can be.
            let decided = clause.test.as_ref().and_then(|test| self.flag_value(test, 0));
            if decided == Some(false) {
                self.imports_of(&clause.body);
                continue;
            }
            match &clause.test {
                Some(_) if decided == Some(true) => {
                    has_else = true;
                    self.under_test(|this| this.block(&clause.body));
                    ends.push(self.flow().clone());
                    for later in &stmt.elif_else_clauses[index + 1..] {
                        self.imports_of(&later.body);
                    }
                    break;
                }
                Some(test) => {
                    let (when_true, when_false) = self.condition(test);
                    let version = self.version_test(test).unwrap_or_default();
                    let before = self.flow().clone();
                    self.narrow(&when_true);
                    self.gate_on(test, true);
                    self.runs_below(version.when_true);
                    self.runs_from(version.from_when_true);
                    self.under_test(|this| this.block(&clause.body));
                    ends.push(std::mem::replace(self.flow(), before));
                    self.narrow(&when_false);
                    self.gate_on(test, false);
                    self.runs_below(version.when_false);
                    self.runs_from(version.from_when_false);
                }
                None => {
                    has_else = true;
                    self.under_test(|this| this.block(&clause.body));
                    ends.push(self.flow().clone());
                }
            }
        }
        if !has_else {
            ends.push(self.flow().clone());
        }
        let merged = self.merge(ends);
        *self.flow() = merged;
        if stmt.elif_else_clauses.is_empty() {
            self.note_set_attribute(stmt);
        }
    }

    /// The one branch of `stmt` that runs, when constants decide its tests (`if not
    /// _IS_SYNC:`, `if False:`): 0 for the body, 1 for the first `elif` or `else` and so
    /// on; `Some(None)` when none does.
    fn branch_taken(&self, stmt: &ast::StmtIf) -> Option<Option<usize>> {
        if self.flag_value(&stmt.test, 0)? {
            return Some(Some(0));
        }
        for (index, clause) in stmt.elif_else_clauses.iter().enumerate() {
            match &clause.test {
                Some(test) if !self.flag_value(test, 0)? => {}
                _ => return Some(Some(index + 1)),
            }
        }
        Some(None)
    }

    /// The value of a test made of `True`, `False`, constant flags, `not`, `and` and `or`, if
    /// it is known.
    fn flag_value(&self, test: &Expr, depth: u32) -> Option<bool> {
        if depth > 32 {
            return None;
        }
        match test {
            Expr::BooleanLiteral(literal) => Some(literal.value),
            Expr::Name(name) => {
                let flag = *self.constant_flags.get(&name.id)?;
                // A local (or a class attribute) of that name is another variable.
                let shadowed = self.scopes.iter().skip(1).any(|scope| scope.bound.contains(&name.id));
                (!shadowed).then_some(flag)
            }
            Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
                self.flag_value(&unary.operand, depth + 1).map(|v| !v)
            }
            Expr::BoolOp(bool_op) => {
                let decisive = bool_op.op == ast::BoolOp::Or;
                let mut all_known = true;
                for value in &bool_op.values {
                    match self.flag_value(value, depth + 1) {
                        Some(v) if v == decisive => return Some(decisive),
                        Some(_) => {}
                        None => all_known = false,
                    }
                }
                all_known.then_some(!decisive)
            }
            _ => None,
        }
    }

    /// `if self.x is None: self.x = value` (or `if not self.x:`): `self.x` is set from
    /// here on (until a merge with a way that did not set it, or an assignment of `None`).
    fn note_set_attribute(&mut self, stmt: &ast::StmtIf) {
        let tested = match &*stmt.test {
            Expr::Compare(compare)
                if matches!((&*compare.ops, &*compare.comparators), ([ast::CmpOp::Is], [Expr::NoneLiteral(_)])) =>
            {
                &*compare.left
            }
            Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => &*unary.operand,
            _ => return,
        };
        let Expr::Attribute(attribute) = tested else { return };
        let Expr::Name(receiver) = &*attribute.value else { return };
        let sets = stmt.body.iter().any(|s| match s {
            ast::Stmt::Assign(assign) => {
                !matches!(&*assign.value, Expr::NoneLiteral(_))
                    && assign.targets.iter().any(|t| {
                        matches!(t, Expr::Attribute(a) if a.attr.id == attribute.attr.id
                            && matches!(&*a.value, Expr::Name(n) if n.id == receiver.id))
                    })
            }
            _ => false,
        });
        if sets {
            let entry = (receiver.id.clone(), attribute.attr.id.clone());
            if !self.flow().set_attributes.contains(&entry) {
                self.flow().set_attributes.push(entry);
            }
        }
    }

    pub(super) fn while_stmt(&mut self, stmt: &ast::StmtWhile) {
        let binds = scan::bound_names(&stmt.body);
        let heads = self.loop_head(&binds);
        let (when_true, when_false) = self.condition(&stmt.test);
        let at_head = self.flow().clone();
        self.narrow(&when_true);
        let loop_flows = self.loop_body(&stmt.body, &heads);
        *self.flow() = at_head;
        self.narrow(&when_false);
        self.block(&stmt.orelse);
        let mut exits = loop_flows.breaks;
        exits.push(self.flow().clone());
        let merged = self.merge(exits);
        *self.flow() = merged;
    }

    pub(super) fn for_stmt(&mut self, stmt: &ast::StmtFor) {
        let iterable = self.expr(&stmt.iter);
        let used = if stmt.is_async { ProtocolUse::AsyncFor } else { ProtocolUse::For };
        self.note_protocol_use(iterable, used, &stmt.iter, Some(stmt.range().start()));
        if stmt.is_async {
            self.suspends();
        } else if let Val::Node(node) = iterable {
            self.implicit_call(node, "__iter__", stmt.iter.range());
        }
        let mut binds = scan::bound_names(&stmt.body);
        let mut targets = Vec::new();
        collect_target_names(&stmt.target, &mut targets);
        binds.extend(targets);
        let heads = self.loop_head(&binds);
        let at_head = self.flow().clone();
        self.bind_iteration_target(&stmt.target, &stmt.iter, iterable);
        self.note_iteration_version(&stmt.target, &stmt.iter);
        let loop_flows = self.loop_body(&stmt.body, &heads);
        if stmt.is_async {
            // The next `__anext__` is awaited after the body.
            self.suspends();
        }
        *self.flow() = at_head;
        self.block(&stmt.orelse);
        let mut exits = loop_flows.breaks;
        exits.push(self.flow().clone());
        let merged = self.merge(exits);
        *self.flow() = merged;
    }

    /// Binds a `for` target to the elements of `iterable`;
    /// `for k, v in d.items()` binds keys and values separately.
    pub(super) fn bind_iteration_target(&mut self, target: &Expr, iter: &Expr, iterable: Val) {
        if let Some([key, value]) = tuple_elts(target).map(|e| e.as_slice())
            && let Expr::Call(call) = iter
            && let Expr::Attribute(attribute) = &*call.func
            && attribute.attr.as_str() == "items"
            && call.arguments.is_empty()
            && let Val::Node(_) = iterable
        {
            let dict = self.expr(&attribute.value);
            if let Val::Node(base) = dict {
                for (elt, part) in [(key, Part::Keys), (value, Part::Values)] {
                    let to = self.node();
                    self.constrain(Constraint::LoadPart { base, part, to, hop: None });
                    self.assign(elt, Val::Node(to));
                }
                return;
            }
        }
        let element = match iterable {
            Val::Node(base) => {
                let to = self.node();
                let hop = self.hop(target.range(), HopKind::ContainerLoad);
                self.constrain(Constraint::LoadPart { base, part: Part::Iter, to, hop: Some(hop) });
                Val::Node(to)
            }
            other => other,
        };
        self.assign(target, element);
    }

    /// Lowers a loop body; its end and `continue`s flow back to the loop heads.
    fn loop_body(&mut self, body: &[Stmt], heads: &[(Name, u32)]) -> LoopFlows {
        self.scope_mut().loops.push(LoopFlows::default());
        self.conditionally(|this| this.block(body));
        let mut loop_flows = self.scope_mut().loops.pop().unwrap_or_default();
        let mut ends = std::mem::take(&mut loop_flows.continues);
        ends.push(self.flow().clone());
        self.loop_back(heads, &ends);
        loop_flows
    }

    /// Applies narrowings: each narrowed local gets a guarded version.
    pub(super) fn narrow(&mut self, narrowings: &[Narrowing]) {
        for (name, test) in narrowings {
            let from = match attribute_paths::is_attribute_path(name) {
                true => self.path_value(name),
                false => self.scope().flow.env.get(name).copied(),
            };
            let Some(from) = from else { continue };
            if attribute_paths::is_attribute_path(name) {
                self.scope_mut().narrowed_paths = true;
            }
            let to = self.node();
            let function = self.current_function();
            self.facts.guards.push(crate::facts::Guard { from, to, test: test.clone(), function });
            self.flow().env.insert(name.clone(), to);
        }
    }
}

/// Whether an `if` test is a constant (`True`, `False and ...`) or tests whether something is a
/// coroutine or awaitable (`iscoroutinefunction(f)`, `inspect.isawaitable(x)`), anywhere in
/// it.
fn switches_on_kind(test: &Expr) -> bool {
    /// Whether a test was found, and how deep the walk is (it stops at 64 levels: a test
    /// nested deeper says nothing more, and the walk must not overflow the stack).
    struct Finder(bool, u32);
    impl<'a> ruff_python_ast::visitor::Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr
                && last_name(&call.func).is_some_and(|name| {
                    matches!(
                        name.as_str(),
                        "iscoroutinefunction" | "iscoroutine" | "isawaitable" | "isasyncgenfunction"
                    )
                })
            {
                self.0 = true;
            }
            if self.1 < 64 {
                self.1 += 1;
                ruff_python_ast::visitor::walk_expr(self, expr);
                self.1 -= 1;
            }
        }
    }
    if is_constant(test) {
        return true;
    }
    let mut finder = Finder(false, 0);
    ruff_python_ast::visitor::Visitor::visit_expr(&mut finder, test);
    finder.0
}

/// Whether a test is decided before it runs: a literal (`True`, `0`), its negation, or an
/// `and`/`or` whose first operand is one (`False and x.ready()`).
fn is_constant(mut test: &Expr) -> bool {
    // A loop, not recursion: `not not ... x` may nest deeper than the stack allows.
    loop {
        test = match test {
            Expr::BooleanLiteral(_) | Expr::NumberLiteral(_) | Expr::NoneLiteral(_) => return true,
            Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => &unary.operand,
            Expr::BoolOp(bool_op) => match bool_op.values.first() {
                Some(first) => first,
                None => return false,
            },
            _ => return false,
        };
    }
}

/// `__name__ == "__main__"`, either way round.
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(compare) = test else { return false };
    let ([ast::CmpOp::Eq], [right]) = (&*compare.ops, &*compare.comparators) else { return false };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&compare.left) && is_main(right)) || (is_main(&compare.left) && is_name(right))
}
