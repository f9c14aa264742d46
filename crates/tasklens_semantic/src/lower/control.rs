//! Lowering of control flow: branches, loops, `try`, `match`, and the narrowing
//! that tests put on the branches they guard.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::stmt::{Narrowing, collect_target_names_pub as collect_target_names, tuple_elts};
use super::{Flow, LoopFlows, Lowerer, Val, attribute_paths, scan};
use crate::facts::{Constraint, HopKind, MAX_TUPLE_INDEX, NodeId, Part, ProtocolUse};

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

    /// Lowers `body`, where `AttributeError` (Task-only calls are compatibility code, not
    /// sinks), `RuntimeError` (a call with no running loop may fail: it is guarded) or
    /// `TypeError` (a `loop=` an API refuses is compatibility code) is handled.
    fn handled_body(&mut self, body: &[Stmt], handled: Handled) {
        if let Some(timeout) = handled.timeout {
            self.timeout_catchers.push(timeout);
        }
        self.attribute_error_handled += u32::from(handled.attribute_error);
        self.import_error_handled += u32::from(handled.import_error);
        self.guarded += u32::from(handled.runtime_error);
        self.runtime_error_handled += u32::from(handled.runtime_error);
        self.type_error_handled += u32::from(handled.type_error);
        self.value_error_handled += u32::from(handled.value_error);
        self.block(body);
        self.attribute_error_handled -= u32::from(handled.attribute_error);
        self.import_error_handled -= u32::from(handled.import_error);
        self.guarded -= u32::from(handled.runtime_error);
        self.runtime_error_handled -= u32::from(handled.runtime_error);
        self.type_error_handled -= u32::from(handled.type_error);
        self.value_error_handled -= u32::from(handled.value_error);
        if handled.timeout.is_some() {
            self.timeout_catchers.pop();
        }
    }

    /// `with` (and `async with`): each item's `as` target gets what entering gives;
    /// `with suppress(AttributeError):` is a `try` that catches it, and so is a test's
    /// `with pytest.raises(TypeError):` or `with self.assertRaises(RuntimeError):`, whose
    /// body is meant to fail that way.
    pub(super) fn with_stmt(&mut self, with: &ast::StmtWith) {
        let patched_before = self.patched.len();
        for item in &with.items {
            // `__aexit__` is awaited: `async with async_timeout.timeout(t):` raises there.
            self.next_call_awaited = with.is_async && matches!(item.context_expr, Expr::Call(_));
            let value = self.expr(&item.context_expr);
            let used = if with.is_async { ProtocolUse::AsyncWith } else { ProtocolUse::With };
            let statement = (with.items.len() == 1).then(|| with.range().start());
            self.note_protocol_use(value, used, &item.context_expr, statement);
            if with.is_async {
                self.suspends();
            } else if let Val::Node(node) = value {
                let range = item.context_expr.range();
                self.implicit_call(node, "__enter__", range);
                self.implicit_call(node, "__exit__", range);
            }
            if let Some(name) = super::calls::patched_name(&item.context_expr) {
                self.patched.push(name);
            }
            if let Some(target) = &item.optional_vars {
                let entered = match value {
                    Val::Node(node) => {
                        let to = self.node();
                        self.constrain(Constraint::Enter { value: node, to });
                        Val::Node(to)
                    }
                    other => other,
                };
                self.assign(target, entered);
            }
        }
        let suppressed: Vec<(&ast::ExprCall, Catcher)> =
            with.items.iter().filter_map(|i| exception_context(&i.context_expr)).collect();
        let suppresses =
            |exception: &str| suppressed.iter().any(|(call, _)| names_among(call, |e| names_exception(e, exception)));
        let caught = (suppressed.iter())
            .flat_map(|(call, catcher)| super::timeouts::argument_types(call, *catcher == Catcher::Suppress));
        let timeout = if suppressed.is_empty() { None } else { self.timeout_catch(caught) };
        let handled = Handled {
            value_error: suppressed.iter().any(|(call, _)| names_among(call, |e| names_exactly(e, "ValueError"))),
            timeout,
            ..Handled::by(suppresses)
        };
        // A test's block that fails unless its body raises `RuntimeError` by name: what
        // `create_task` and `ensure_future` raise themselves without a usable loop, so a Task
        // made there is not expected to exist. Other exceptions come from elsewhere in the
        // body (the awaited coroutine), after the Task was made.
        let expects_failure = suppressed.iter().any(|(call, catcher)| {
            *catcher == Catcher::Test && names_among(call, |e| last_name(e).is_some_and(|n| n == "RuntimeError"))
        });
        self.failure_expected += u32::from(expects_failure);
        if suppressed.is_empty() {
            self.handled_body(&with.body, handled);
        } else {
            // A suppressed exception may end the body early, after any of its assignments.
            let before = self.flow().clone();
            self.conditional += 1;
            self.record_bindings();
            self.handled_body(&with.body, handled);
            let bound = self.finish_bindings().unwrap_or_default();
            self.conditional -= 1;
            let after_body = self.flow().clone();
            let end = self.merge(vec![before, after_body]);
            *self.flow() = self.with_versions(end, &bound);
        }
        self.failure_expected -= u32::from(expects_failure);
        self.patched.truncate(patched_before);
        if with.is_async {
            // `__aexit__` is awaited after the body.
            self.suspends();
        }
    }

    pub(super) fn try_stmt(&mut self, stmt: &ast::StmtTry) {
        let before = self.flow().clone();
        let handles = |exception: &str| stmt.handlers.iter().any(|h| catches(h, exception));
        let handled = Handled {
            value_error: (stmt.handlers.iter())
                .any(|ast::ExceptHandler::ExceptHandler(handler)| catches_by_name(handler, "ValueError")),
            timeout: self.timeout_catch(super::timeouts::handler_types(stmt)),
            ..Handled::by(handles)
        };
        // Without handlers an exception leaves the body as it would leave plain code: its
        // calls run as surely as the statements around it.
        let may_skip = u32::from(!stmt.handlers.is_empty());
        self.conditional += may_skip;
        self.record_bindings();
        self.handled_body(&stmt.body, handled);
        let after_body = self.flow().clone();
        let mut ends = Vec::new();
        if !stmt.handlers.is_empty() {
            // Every handler starts where an exception may leave the body: before it, at its
            // end, or after any of its assignments.
            let in_body = self.recorded_bindings();
            let reached = self.merge(vec![before.clone(), after_body.clone()]);
            let start = Flow { live: true, ..self.with_versions(reached, &in_body) };
            for handler in &stmt.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                *self.flow() = start.clone();
                if let Some(type_) = &handler.type_ {
                    self.expr(type_);
                }
                if let Some(name) = &handler.name {
                    self.bind(&name.id, Val::Unknown, None);
                }
                let fallback = catches_by_name(handler, "TypeError");
                self.type_error_fallback += u32::from(fallback);
                self.block(&handler.body);
                self.type_error_fallback -= u32::from(fallback);
                ends.push(self.flow().clone());
            }
        }
        *self.flow() = after_body;
        self.block(&stmt.orelse);
        self.conditional -= may_skip;
        let bound = self.finish_bindings();
        ends.push(self.flow().clone());
        let merged = self.merge(ends);
        let live = merged.live;
        let normal = Flow { live: true, ..merged };
        match bound.filter(|_| !stmt.finalbody.is_empty()) {
            Some(bound) => self.finally_block(&stmt.finalbody, before, normal, &bound),
            None => {
                *self.flow() = normal;
                self.block(&stmt.finalbody);
            }
        }
        if !live {
            self.flow().live = false;
        }
    }

    /// A `finally` body, which also runs when an exception or a `return` leaves the rest
    /// early, from before the `try` body or after any assignment in it (`bound`); after
    /// it, the way on has the versions of the `normal` end again, except for names the
    /// `finally` body binds itself.
    fn finally_block(&mut self, body: &[Stmt], before: Flow, normal: Flow, bound: &[(Name, NodeId)]) {
        let left_early = self.merge(vec![before, normal.clone()]);
        let start = self.with_versions(left_early, bound);
        *self.flow() = start.clone();
        self.block(body);
        let widened: Vec<Name> = (normal.env.diff(&start.env))
            .map(|item| match item {
                imbl::ordmap::DiffItem::Add(name, _)
                | imbl::ordmap::DiffItem::Update { new: (name, _), .. }
                | imbl::ordmap::DiffItem::Remove(name, _) => name.clone(),
            })
            .collect();
        for name in widened {
            if self.flow().env.get(&name) == start.env.get(&name) {
                match normal.env.get(&name) {
                    Some(&version) => self.flow().env.insert(name, version),
                    None => self.flow().env.remove(&name),
                };
            }
        }
    }

    pub(super) fn match_stmt(&mut self, stmt: &ast::StmtMatch) {
        let subject = self.expr(&stmt.subject);
        let before = self.flow().clone();
        let mut ends = Vec::new();
        let mut exhaustive = false;
        for case in &stmt.cases {
            *self.flow() = before.clone();
            let mut bindings = Vec::new();
            self.pattern_bindings(&case.pattern, subject, &mut bindings);
            for (name, value, range) in bindings {
                self.bind(&name, value, Some(range));
            }
            // `case Task():` (or `case Task() as t`, `case Task() | Future():`) narrows the
            // subject, and the name capturing it, as `isinstance` does.
            if let Some(types) = class_pattern_types(&case.pattern) {
                let subject_name = stmt.subject.as_name_expr().map(|name| name.id.clone());
                let captured = match &case.pattern {
                    ast::Pattern::MatchAs(p) => p.name.as_ref().map(|name| name.id.clone()),
                    _ => None,
                };
                let narrowings: Vec<Narrowing> = subject_name
                    .into_iter()
                    .chain(captured)
                    .map(|name| (name, crate::facts::GuardTest::Is(types.clone())))
                    .collect();
                self.narrow(&narrowings);
            }
            if let Some(guard) = &case.guard {
                self.expr(guard);
            }
            self.under_test(|this| this.block(&case.body));
            ends.push(self.flow().clone());
            exhaustive |= case.guard.is_none() && case.pattern.is_irrefutable();
        }
        if !exhaustive {
            ends.push(before);
        }
        let merged = self.merge(ends);
        *self.flow() = merged;
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

/// The classes a pattern that only matches instances of them names: `Task()`, `Task(...) as
/// t`, `Task() | Future()`.
fn class_pattern_types(pattern: &ast::Pattern) -> Option<Vec<crate::facts::TypeExpr>> {
    match pattern {
        ast::Pattern::MatchClass(p) => Some(vec![crate::annotation::type_expr(&p.cls)]),
        ast::Pattern::MatchAs(p) => class_pattern_types(p.pattern.as_deref()?),
        ast::Pattern::MatchOr(p) => {
            let mut types = Vec::new();
            for alternative in &p.patterns {
                types.extend(class_pattern_types(alternative)?);
            }
            Some(types)
        }
        _ => None,
    }
}

/// The exceptions the analysis cares about that a `try` (or `suppress`) handles.
#[derive(Clone, Copy)]
struct Handled {
    attribute_error: bool,
    /// `ImportError` or `ModuleNotFoundError`: imports there are compatibility code.
    import_error: bool,
    runtime_error: bool,
    type_error: bool,
    /// By its own name only: `except Exception:` around `asyncio.run(main)` logs the
    /// mistake, it does not expect it.
    value_error: bool,
    /// What it does with asyncio's `TimeoutError` (TL021).
    timeout: Option<super::timeouts::TimeoutCatch>,
}

impl Handled {
    fn by(handles: impl Fn(&str) -> bool) -> Self {
        Handled {
            attribute_error: handles("AttributeError"),
            import_error: handles("ImportError") || handles("ModuleNotFoundError"),
            runtime_error: handles("RuntimeError"),
            type_error: handles("TypeError"),
            value_error: false,
            timeout: None,
        }
    }
}

/// Whether the handler catches `exception` (`except AttributeError:` for
/// "AttributeError"): by name, among others in a tuple, through `Exception` or
/// `BaseException`, or as a bare `except:`.
fn catches(handler: &ast::ExceptHandler, exception: &str) -> bool {
    let ast::ExceptHandler::ExceptHandler(handler) = handler;
    let Some(type_) = &handler.type_ else { return true };
    match &**type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().any(|e| names_exception(e, exception)),
        other => names_exception(other, exception),
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

/// Whether `expr` names `exception` itself (`ValueError`, `builtins.ValueError`).
/// Whether `handler` names `exception` itself (alone or in a tuple), not only a base
/// class or nothing at all.
fn catches_by_name(handler: &ast::ExceptHandlerExceptHandler, exception: &str) -> bool {
    handler.type_.as_deref().is_some_and(|type_| match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().any(|e| names_exactly(e, exception)),
        other => names_exactly(other, exception),
    })
}

fn names_exactly(expr: &Expr, exception: &str) -> bool {
    last_name(expr).is_some_and(|last| last == exception)
}

/// Whether `expr` names `exception` or a class it derives from (`Exception`, `BaseException`).
fn names_exception(expr: &Expr, exception: &str) -> bool {
    last_name(expr).is_some_and(|last| last == exception || matches!(last.as_str(), "Exception" | "BaseException"))
}

/// What kind of context manager catches the exceptions it is given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Catcher {
    /// `contextlib.suppress(...)`: the body may fail.
    Suppress,
    /// A test's `pytest.raises(...)`, `self.assertRaises(...)` or `assertRaisesRegex(...)`:
    /// the body is meant to fail.
    Test,
}

/// `expr` when it is a call of a context manager that catches the exceptions it is given.
fn exception_context(expr: &Expr) -> Option<(&ast::ExprCall, Catcher)> {
    let Expr::Call(call) = expr else { return None };
    let catcher = match last_name(&call.func)?.as_str() {
        "suppress" => Catcher::Suppress,
        "raises" | "assertRaises" | "assertRaisesRegex" | "assertRaisesRegexp" => Catcher::Test,
        _ => return None,
    };
    Some((call, catcher))
}

/// Whether a positional argument of `call`, or an element of a tuple given as one
/// (`pytest.raises((TypeError, ValueError))`), is an exception `names` accepts.
fn names_among(call: &ast::ExprCall, names: impl Fn(&Expr) -> bool) -> bool {
    call.arguments.args.iter().any(|argument| match argument {
        Expr::Tuple(tuple) => tuple.elts.iter().any(&names),
        other => names(other),
    })
}

/// The last part of a dotted name (`RuntimeError` of `builtins.RuntimeError`).
fn last_name(expr: &Expr) -> Option<ruff_python_ast::name::Name> {
    crate::annotation::dotted_name(expr)?.last().cloned()
}

/// `__name__ == "__main__"`, either way round.
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(compare) = test else { return false };
    let ([ast::CmpOp::Eq], [right]) = (&*compare.ops, &*compare.comparators) else { return false };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&compare.left) && is_main(right)) || (is_main(&compare.left) && is_name(right))
}

impl Lowerer {
    /// What each name a `case` pattern captures is bound to: `case {"fut": f}` binds `f` to
    /// the subject's `"fut"` value, `case [first, *rest]` `first` to its first element,
    /// `case Job(task=t)` `t` to its `task` attribute; a capture of the whole (`case x`,
    /// `as x`, `*rest`, `**rest`) to the subject itself; positional class patterns
    /// (`__match_args__`) to `Unknown`. With the position of each capture.
    fn pattern_bindings(&mut self, pattern: &ast::Pattern, value: Val, out: &mut Vec<(Name, Val, TextRange)>) {
        use ast::Pattern;
        match pattern {
            Pattern::MatchAs(p) => {
                if let Some(inner) = &p.pattern {
                    self.pattern_bindings(inner, value, out);
                }
                if let Some(name) = &p.name {
                    out.push((name.id.clone(), value, name.range));
                }
            }
            Pattern::MatchStar(p) => out.extend(p.name.iter().map(|n| (n.id.clone(), value, n.range))),
            Pattern::MatchSequence(p) => {
                let mut positional = true;
                for (index, inner) in p.patterns.iter().enumerate() {
                    positional &= !inner.is_match_star() && index < MAX_TUPLE_INDEX;
                    let part = if positional { Part::SequenceItem(index as u8) } else { Part::SequenceItem(u8::MAX) };
                    let element = match inner {
                        Pattern::MatchStar(_) => value,
                        _ => self.pattern_part(value, part, inner.range()),
                    };
                    self.pattern_bindings(inner, element, out);
                }
            }
            Pattern::MatchMapping(p) => {
                for (key, inner) in p.keys.iter().zip(&p.patterns) {
                    let part = Part::MappingValue(self.constant_key(key));
                    let element = self.pattern_part(value, part, inner.range());
                    self.pattern_bindings(inner, element, out);
                }
                out.extend(p.rest.iter().map(|n| (n.id.clone(), value, n.range)));
            }
            Pattern::MatchClass(p) => {
                for inner in &p.arguments.patterns {
                    self.pattern_bindings(inner, Val::Unknown, out);
                }
                for keyword in &p.arguments.keywords {
                    let attribute = match value {
                        Val::Node(base) => {
                            let to = self.node();
                            let attr = self.intern(&keyword.attr.id);
                            let hop = self.hop(keyword.range, HopKind::AttrLoad(attr));
                            self.constrain(Constraint::Load { base, attr, to, hop: Some(hop) });
                            Val::Node(to)
                        }
                        other => other,
                    };
                    self.pattern_bindings(&keyword.pattern, attribute, out);
                }
            }
            // Alternatives bind the same names: each name gets what any alternative gives.
            Pattern::MatchOr(p) => {
                let mut merged: Vec<(Name, Vec<Val>, TextRange)> = Vec::new();
                for alternative in &p.patterns {
                    let mut own = Vec::new();
                    self.pattern_bindings(alternative, value, &mut own);
                    for (name, val, range) in own {
                        match merged.iter_mut().find(|(n, _, _)| *n == name) {
                            Some((_, vals, _)) => vals.push(val),
                            None => merged.push((name, vec![val], range)),
                        }
                    }
                }
                for (name, vals, range) in merged {
                    let join = self.node();
                    for val in vals {
                        self.flow_into(val, join, None);
                    }
                    out.push((name, Val::Node(join), range));
                }
            }
            Pattern::MatchValue(_) | Pattern::MatchSingleton(_) => {}
        }
    }

    /// One slot of a matched subject (a sequence position or a mapping value).
    fn pattern_part(&mut self, value: Val, part: Part, range: TextRange) -> Val {
        let Val::Node(base) = value else { return value };
        let to = self.node();
        let hop = self.hop(range, HopKind::ContainerLoad);
        self.constrain(Constraint::LoadPart { base, part, to, hop: Some(hop) });
        Val::Node(to)
    }
}
