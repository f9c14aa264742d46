//! Lowering of statements: bindings, class definitions, imports and assignments (function
//! definitions are in `functions.rs`, what their returns pass through in `returns.rs`).

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::functions::DefinitionCall;
use super::{Lowerer, ScopeKind, Val, scan};
use crate::annotation::type_expr;
use crate::facts::{
    Binding, Constraint, FunctionKind, HopKind, MAX_TUPLE_INDEX, NodeId, Operator, Param, ParamKind, Part, Place, Seed,
    TypeExpr, ValueUse,
};

/// A narrowing from a test: what holds for `name` in a branch.
pub(super) type Narrowing = (Name, crate::facts::GuardTest);

impl Lowerer {
    pub(super) fn block(&mut self, body: &[Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    /// A block that never runs: only its imports, which annotations may name (`if False:`
    /// was how type-only imports were written before `TYPE_CHECKING`).
    pub(super) fn imports_of(&mut self, body: &[Stmt]) {
        for stmt in body {
            if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
                self.stmt(stmt);
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        if !self.enter(stmt.range()) {
            return;
        }
        self.stmt_inner(stmt);
        self.leave();
    }

    fn stmt_inner(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.function_def(def),
            Stmt::ClassDef(class) => self.class_def(class),
            Stmt::Return(ret) => {
                let value = match &ret.value {
                    Some(value) => self.expr(value),
                    None => Val::Nothing,
                };
                if let Some(func) = self.current_function() {
                    let shape = self.return_shape(func, ret.value.as_deref());
                    let facts = &mut self.facts.functions[func as usize];
                    facts.completes = true;
                    facts.returns = facts.returns.and(shape);
                    facts.returns_literal |= ret.value.as_deref().is_some_and(super::literal_value);
                    let to = self.facts.functions[func as usize].ret;
                    let name = self.facts.functions[func as usize].name.clone();
                    let range = ret.value.as_ref().map_or(ret.range, |v| v.range());
                    let name = self.intern(&name);
                    let hop = self.hop(range, HopKind::Return(name));
                    self.flow_into(value, to, Some(hop));
                    if let Some(expr) = ret.value.as_deref() {
                        self.note_return(func, expr, value, hop);
                    }
                }
                self.flow().live = false;
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    let value = self.expr(target);
                    if let (Expr::Name(_), Val::Node(node)) = (target, value) {
                        self.facts.deleted_names.push(node);
                    }
                    if let Some(path) = super::attribute_paths::attribute_path(target) {
                        self.forget_paths(&path);
                    }
                }
            }
            Stmt::Assign(assign) => self.assign_stmt(assign),
            Stmt::AugAssign(assign) => self.aug_assign(assign),
            Stmt::AnnAssign(assign) => self.ann_assign(assign),
            Stmt::TypeAlias(alias) => {
                if self.scopes.len() == 1
                    && let Expr::Name(name) = &*alias.name
                {
                    self.note_type_alias(&name.id, &alias.value);
                }
            }
            Stmt::Pass(_) | Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            Stmt::IpyEscapeCommand(_) => {}
            Stmt::For(for_stmt) => self.for_stmt(for_stmt),
            Stmt::While(while_stmt) => self.while_stmt(while_stmt),
            Stmt::If(if_stmt) => self.if_stmt(if_stmt),
            Stmt::With(with) => self.with_stmt(with),
            Stmt::Match(match_stmt) => self.match_stmt(match_stmt),
            Stmt::Raise(raise) => {
                if let Some(exc) = &raise.exc {
                    self.expr(exc);
                }
                if let Some(cause) = &raise.cause {
                    self.expr(cause);
                }
                self.flow().live = false;
            }
            Stmt::Try(try_stmt) => self.try_stmt(try_stmt),
            Stmt::Assert(assert) => {
                let (when_true, _) = self.condition(&assert.test);
                self.narrow(&when_true);
                if let Some(msg) = &assert.msg {
                    self.expr(msg);
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let (bound, module) = match &alias.asname {
                        Some(asname) => (asname.id.clone(), alias.name.id.as_str()),
                        None => {
                            let first = alias.name.id.split('.').next().unwrap_or_default();
                            (Name::new(first), first)
                        }
                    };
                    let target = Self::import_target(0, Some(module), None);
                    self.bind_import(&bound, target);
                    let imported = Self::import_target(0, Some(alias.name.id.as_str()), None);
                    self.facts.imports.push((imported, self.enclosing_function()));
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref().map(|m| m.id.as_str());
                for alias in &import.names {
                    let imported = Self::import_target(import.level, module, Some(alias.name.as_str()));
                    self.facts.imports.push((imported, self.enclosing_function()));
                    if alias.name.as_str() == "*" {
                        if self.scopes.len() == 1 {
                            let target = Self::import_target(import.level, module, None);
                            self.facts.star_imports.push(target);
                        }
                        continue;
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).id.clone();
                    if matches!(module, Some("typing" | "typing_extensions")) && alias.name.as_str() == "cast" {
                        self.cast_aliases.insert(bound.clone());
                    }
                    let target = Self::import_target(import.level, module, Some(alias.name.as_str()));
                    self.bind_import(&bound, target);
                    if import.level == 0
                        && module == Some("asyncio")
                        && let Some(since) = super::versions::asyncio_name_since(alias.name.as_str())
                        && self.guarded == 0
                        && self.import_error_handled == 0
                    {
                        let from_version = self.flow().above;
                        self.facts.newer_imports.push((alias.name.id.clone(), since, from_version));
                        self.positions.newer_imports.push(alias.name.range);
                        self.newer_import_names.insert(bound);
                    }
                }
            }
            Stmt::Expr(expr) => {
                let value = self.expr(&expr.value);
                match (value, &*expr.value, self.kind_switch) {
                    (Val::Node(node), Expr::Call(_), 0) => self.facts.discarded.push(node),
                    (Val::Node(node), Expr::Await(_), 0) => {
                        self.facts.discarded_awaits.push(node);
                        self.positions.discarded_awaits.push(expr.value.range());
                    }
                    _ => {}
                }
                if let Expr::Call(call) = &*expr.value
                    && never_returns(call)
                {
                    self.flow().live = false;
                }
            }
            Stmt::Break(_) => {
                let flow = std::mem::replace(&mut self.scope_mut().flow.live, false);
                let mut ended = self.scope().flow.clone();
                ended.live = flow;
                if let Some(loop_flows) = self.scope_mut().loops.last_mut() {
                    loop_flows.breaks.push(ended);
                }
            }
            Stmt::Continue(_) => {
                let flow = std::mem::replace(&mut self.scope_mut().flow.live, false);
                let mut ended = self.scope().flow.clone();
                ended.live = flow;
                if let Some(loop_flows) = self.scope_mut().loops.last_mut() {
                    loop_flows.continues.push(ended);
                }
            }
        }
    }

    fn bind_import(&mut self, name: &Name, target: crate::facts::ImportTarget) {
        // An import that only newer Pythons run, or whose failure is handled, binds a
        // name that means different things on different Pythons.
        if self.flow().above.is_some() || self.import_error_handled > 0 {
            self.compat_names.insert(name.clone());
        }
        let version = self.node();
        self.constrain(Constraint::Import { target: Box::new(target.clone()), to: version });
        self.bind_node(name, version);
        self.note_module_binding(name, Binding::Import(target));
    }

    // ---- definitions --------------------------------------------------------

    fn class_def(&mut self, class: &ast::StmtClassDef) {
        let decorators: Vec<(Val, TextRange)> =
            class.decorator_list.iter().map(|d| (self.expr(&d.expression), d.expression.range())).collect();
        let mut metaclass = None;
        if let Some(arguments) = &class.arguments {
            for arg in &arguments.args {
                self.expr(arg);
            }
            if let Some(keyword) = arguments.find_keyword("metaclass") {
                metaclass = Some((self.expr(&keyword.value), keyword.range()));
            }
        }
        let id = self.new_class(class);
        let scan = scan::scan_body(&class.body);
        self.push_scope(ScopeKind::Class(id), scan.bound, false);
        self.skipped_on_versions(&class.decorator_list);
        self.block(&class.body);
        self.pop_scope();
        let version = self.seeded(Seed::Class(id));
        // Creating a class calls its metaclass (its `__new__` and `__init__`), which runs its
        // bases' `__init_subclass__`, then its decorators, innermost first (their results
        // are not followed: the name stays the class).
        if let Some((Val::Node(callee), range)) = metaclass {
            self.definition_call(DefinitionCall::Metaclass(callee), version, range, class.name.range());
        }
        if class.arguments.as_ref().is_some_and(|arguments| !arguments.args.is_empty()) {
            self.definition_call(DefinitionCall::InitSubclass, version, class.name.range(), class.name.range());
        }
        for &(decorator, range) in decorators.iter().rev() {
            if let Val::Node(callee) = decorator {
                self.definition_call(DefinitionCall::Decorator(callee), version, range, class.name.range());
            }
        }
        self.bind_node(&class.name.id, version);
        self.note_module_binding(&class.name.id, Binding::Class(id));
    }

    // ---- assignments --------------------------------------------------------

    fn assign_stmt(&mut self, assign: &ast::StmtAssign) {
        if self.scopes.len() == 1 {
            for target in &assign.targets {
                self.note_string_constant(target, Some(&assign.value));
            }
        }
        // `a, b = x, y` pairs each target with its value.
        if let [target] = assign.targets.as_slice()
            && let Some(target_elts) = tuple_elts(target)
            && let Expr::Tuple(values) = &*assign.value
            && target_elts.len() == values.elts.len()
            && !target_elts.iter().chain(&values.elts).any(Expr::is_starred_expr)
        {
            let vals: Vec<Val> = values.elts.iter().map(|v| self.expr(v)).collect();
            for (target, value) in target_elts.iter().zip(vals) {
                self.assign(target, value);
            }
            return;
        }
        let value = self.expr(&assign.value);
        if let [Expr::Name(target)] = assign.targets.as_slice() {
            // `to_thread = asyncio.to_thread` where `AttributeError` is handled, or that
            // only newer Pythons run, names a function that differs between Pythons.
            let alias = matches!(&*assign.value, Expr::Attribute(_) | Expr::Name(_));
            if alias && (self.attribute_error_handled > 0 || self.flow().above.is_some()) {
                self.compat_names.insert(target.id.clone());
            }
            if self.named_tuple_assignment(target, &assign.value) {
                return;
            }
        }
        // `x = value  # type: T` is an annotated assignment.
        if let [target @ (Expr::Name(_) | Expr::Attribute(_))] = assign.targets.as_slice()
            && let Some((annotation, range)) = self.trailing_type_comment(assign.range.end())
        {
            self.annotated_assign(target, annotation, range, Some(value), false);
            return;
        }
        if self.scopes.len() == 1 {
            self.note_dunder_all(&assign.targets, &assign.value, false);
            if let [target] = assign.targets.as_slice() {
                self.note_version_alias(target, &assign.value);
            }
            if let [Expr::Name(name)] = assign.targets.as_slice() {
                if matches!(&*assign.value, Expr::Subscript(_) | Expr::BinOp(_) | Expr::Attribute(_) | Expr::Name(_)) {
                    self.note_type_alias(&name.id, &assign.value);
                } else if let Some(bound) = type_var_bound(&assign.value) {
                    self.note_type_alias_of(&name.id, bound);
                }
            }
        }
        let wrapped = match assign.targets.as_slice() {
            [target] => self.wrapped_assignment(target, &assign.value, value).map(|passed| (target, passed)),
            _ => None,
        };
        for target in &assign.targets {
            self.assign(target, value);
            // `fut.set_name = MethodType(set_name, fut)`: the object now has the Task-only
            // method it is given, and reads of `fut` after it are no plain Future's (as where
            // `hasattr(fut, "set_name")` holds).
            if let Expr::Attribute(attribute) = target
                && crate::facts::TASK_ONLY_METHODS.contains(&attribute.attr.id.as_str())
                && let Some(name) = super::narrowing::subject_name(&attribute.value)
            {
                self.narrow(&[
                    (name.clone(), crate::facts::GuardTest::NotFuture),
                    (name, crate::facts::GuardTest::NotCoroutine),
                ]);
            }
        }
        if let [Expr::Name(flag)] = assign.targets.as_slice() {
            self.note_condition_alias(&flag.id, &assign.value);
            self.note_unwrapped_copy(&flag.id, &assign.value);
        }
        if let Some((target, passed)) = wrapped {
            self.note_wrapped_version(target, passed);
        }
    }

    fn aug_assign(&mut self, assign: &ast::StmtAugAssign) {
        let value = self.expr(&assign.value);
        if self.scopes.len() == 1 {
            self.note_dunder_all(std::slice::from_ref(&assign.target), &assign.value, true);
        }
        let current = self.expr(&assign.target);
        if let Some(operator) = Operator::spelled(assign.op.as_str()) {
            self.note_value_use(current, ValueUse::Arithmetic(operator), assign.target.range());
            // `text %= value` formats whatever it is given.
            if assign.op != ast::Operator::Mod {
                self.note_value_use(value, ValueUse::Arithmetic(operator), assign.value.range());
            }
        }
        // `xs += [t]` extends the container `xs` holds.
        if let (Val::Node(base), Val::Node(from)) = (current, value) {
            let elements = self.node();
            self.constrain(Constraint::LoadPart { base: from, part: Part::Iter, to: elements, hop: None });
            let hop = self.hop(assign.range, HopKind::ContainerStore);
            self.constrain(Constraint::StorePart { base, part: Part::Values, from: elements, hop: Some(hop) });
        }
        self.assign(&assign.target, current);
    }

    fn ann_assign(&mut self, assign: &ast::StmtAnnAssign) {
        let annotation = type_expr(&assign.annotation);
        if self.scopes.len() == 1 {
            self.note_string_constant(&assign.target, assign.value.as_deref());
            // `Name: TypeAlias = <type>`, where the type may be a string.
            if let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value)
                && matches!(&annotation, TypeExpr::Name(path) if path.last().is_some_and(|last| last.as_str() == "TypeAlias"))
            {
                self.note_type_alias(&name.id, value);
            }
        }
        let value = assign.value.as_ref().map(|v| self.expr(v));
        if let (ScopeKind::Class(class), Expr::Name(name), Some(value)) =
            (self.scope().kind, &*assign.target, assign.value.as_deref())
            && let Some(factory) = self.field_factory(value)
        {
            self.facts.classes[class as usize].field_factories.push((name.id.clone(), factory));
        }
        self.annotated_assign(&assign.target, annotation, assign.annotation.range(), value, true);
    }

    /// The node of `f` in a field declared `field(default_factory=f)` (dataclasses) or
    /// `field(factory=f)`, `attr.ib(factory=f)` (attrs), just lowered as `value`.
    fn field_factory(&self, value: &Expr) -> Option<NodeId> {
        let Expr::Call(call) = value else { return None };
        let callee = crate::annotation::dotted_name(&call.func)?;
        if !matches!(callee.last()?.as_str(), "field" | "ib" | "attrib") {
            return None;
        }
        // The call's own site is the last one made: its arguments' calls come before it.
        let at = self.positions.call_sites.len().checked_sub(1)?;
        if self.positions.call_sites[at].range != call.range() {
            return None;
        }
        let keywords = &self.facts.call_sites[at].keywords;
        keywords.iter().find(|k| matches!(k.name.as_str(), "default_factory" | "factory"))?.node
    }

    /// The type of a `# type: T` comment that ends the line of code ending at `end`.
    fn trailing_type_comment(&self, end: TextSize) -> Option<(TypeExpr, TextRange)> {
        let at = self.type_comments.partition_point(|c| c.range.start() < end);
        let comment = self.type_comments.get(at).filter(|c| c.code_end == Some(end))?;
        Some((crate::type_comments::variable_type(comment)?, comment.range))
    }

    /// `target: annotation = value`, or `target = value  # type: annotation`. In a class body
    /// an annotation (not a comment, not `ClassVar`) also declares a dataclass field.
    fn annotated_assign(
        &mut self,
        target: &Expr,
        annotation: TypeExpr,
        range: TextRange,
        value: Option<Val>,
        declares_field: bool,
    ) {
        match (target, self.scope().kind) {
            (Expr::Name(name), ScopeKind::Class(class)) => {
                self.facts.classes[class as usize].attributes.push(name.id.clone());
                let class_var = matches!(&annotation, TypeExpr::Generic(path, _) | TypeExpr::Name(path)
                    if path.last().is_some_and(|last| last.as_str() == "ClassVar"));
                if declares_field && !class_var {
                    self.facts.classes[class as usize].fields.push(name.id.clone());
                }
                self.annotate(Place::Attribute { class, attr: name.id.clone() }, None, annotation, range);
                if let Some(value) = value {
                    self.assign(target, value);
                }
            }
            (Expr::Name(name), _) => {
                let version = self.bind(&name.id, value.unwrap_or(Val::Nothing), Some(name.range));
                // A name's declared type holds for every write in its scope, as type checkers
                // read it (`t: Task | None = None`, later `t = fut`): the summary gets them all,
                // at module level also `global` ones in functions and `module.name = ...`.
                let node = match self.scope().kind {
                    ScopeKind::Module => self.summary(0, &name.id),
                    ScopeKind::Function(_) => self.declared(&name.id),
                    _ => version,
                };
                self.annotate(Place::Variable, Some(node), annotation, range);
            }
            (Expr::Attribute(attribute), _) => {
                if let Some(class) = self.self_attribute_class(attribute) {
                    self.annotate(Place::Attribute { class, attr: attribute.attr.id.clone() }, None, annotation, range);
                }
                if let Some(value) = value {
                    self.assign(target, value);
                }
            }
            _ => {
                if let Some(value) = value {
                    self.assign(target, value);
                }
            }
        }
    }

    /// Records `self.attr = param` directly in an `__init__` (the parameter as given, not
    /// rebound), whose `Store` constraint was just added.
    fn note_init_store(&mut self, attribute: &ast::ExprAttribute, attr: u32, from: NodeId) {
        let ScopeKind::Function(func) = self.scope().kind else { return };
        let facts = &self.facts.functions[func as usize];
        let is_init = facts.name.as_str() == "__init__" && facts.kind == FunctionKind::Method;
        if !is_init || facts.class.is_none() || self.self_attribute_class(attribute) != facts.class {
            return;
        }
        let given =
            |p: &Param| matches!(p.kind, ParamKind::Positional | ParamKind::PositionalOnly | ParamKind::KeywordOnly);
        let Some(param) = facts.params.iter().skip(1).position(|p| p.node == from && given(p)) else { return };
        let constraint = (self.facts.constraints.len() - 1) as u32;
        let store = crate::facts::InitStore { attr, param: param as u32 + 1, constraint };
        self.facts.functions[func as usize].init_stores.push(store);
    }

    /// Whether an assigned value may be `None`: a literal, or a parameter of the current
    /// function that defaults to `None` (as given).
    fn may_be_none(&self, value: Val) -> bool {
        match value {
            Val::Nothing => true,
            Val::Unknown => false,
            Val::Node(node) => self.current_function().is_some_and(|func| {
                self.facts.functions[func as usize].params.iter().any(|p| p.node == node && p.none_default)
            }),
        }
    }

    /// The class of `self` when `attribute` is `self.attr` in a method.
    pub(super) fn self_attribute_class(&self, attribute: &ast::ExprAttribute) -> Option<u32> {
        let Expr::Name(base) = &*attribute.value else {
            return None;
        };
        let scope = self.scopes.iter().rev().find(|s| s.kind != ScopeKind::Comprehension)?;
        let (self_name, class) = scope.self_param.as_ref()?;
        (base.id == *self_name).then_some(*class)
    }

    /// Binds an assignment target to a value.
    pub(super) fn assign(&mut self, target: &Expr, value: Val) {
        match target {
            Expr::Name(name) => {
                if let ScopeKind::Class(class) = self.scope().kind {
                    if self.may_be_none(value) {
                        self.facts.none_attrs.push(name.id.clone());
                    }
                    let version = self.bind(&name.id, value, None);
                    self.facts.classes[class as usize].attributes.push(name.id.clone());
                    let attr = self.intern(&name.id);
                    let hop = self.hop(name.range, HopKind::AttrStore(attr));
                    self.constrain(Constraint::ClassStore { class, attr, from: version, hop: Some(hop) });
                } else {
                    self.bind(&name.id, value, Some(name.range));
                }
            }
            Expr::Attribute(attribute) => {
                if let Some(path) = super::attribute_paths::attribute_path(target) {
                    self.forget_paths(&path);
                }
                if let Some(class) = self.self_attribute_class(attribute) {
                    self.facts.classes[class as usize].attributes.push(attribute.attr.id.clone());
                    self.facts.classes[class as usize].stored.push(attribute.attr.id.clone());
                }
                if self.may_be_none(value) {
                    self.facts.none_attrs.push(attribute.attr.id.clone());
                    if let Expr::Name(receiver) = &*attribute.value {
                        let attr = &attribute.attr.id;
                        self.flow().set_attributes.retain(|(r, a)| !(*r == receiver.id && a == attr));
                    }
                }
                let base = self.expr(&attribute.value);
                if let (Val::Node(base), Some(from)) = (base, self.node_of(value)) {
                    let attr = self.intern(&attribute.attr.id);
                    let hop = self.hop(attribute.range, HopKind::AttrStore(attr));
                    self.constrain(Constraint::Store { base, attr, from, hop: Some(hop) });
                    self.note_init_store(attribute, attr, from);
                }
            }
            Expr::Subscript(subscript) => {
                let base = self.expr(&subscript.value);
                let key = self.expr(&subscript.slice);
                if let (Val::Node(base), Val::Node(key)) = (base, key) {
                    self.constrain(Constraint::StorePart { base, part: Part::Keys, from: key, hop: None });
                }
                if let (Val::Node(base), Some(mut from)) = (base, self.node_of(value)) {
                    if subscript.slice.is_slice_expr() {
                        let elements = self.node();
                        self.constrain(Constraint::LoadPart { base: from, part: Part::Iter, to: elements, hop: None });
                        from = elements;
                    }
                    let hop = self.hop(subscript.range, HopKind::ContainerStore);
                    let part = match subscript.slice.is_slice_expr() {
                        true => Part::Values,
                        false => self.constant_key(&subscript.slice).map_or(Part::Values, Part::Key),
                    };
                    self.constrain(Constraint::StorePart { base, part, from, hop: Some(hop) });
                }
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                self.note_value_use(value, ValueUse::Unpacked, target.range());
                let positional = elts.len() <= MAX_TUPLE_INDEX && !elts.iter().any(Expr::is_starred_expr);
                for (index, elt) in elts.iter().enumerate() {
                    let element = match (elt, value) {
                        (Expr::Starred(_), _) => value,
                        (_, Val::Node(base)) => {
                            let to = self.node();
                            let part = if positional { Part::Index(index as u8) } else { Part::Iter };
                            self.constrain(Constraint::LoadPart { base, part, to, hop: None });
                            Val::Node(to)
                        }
                        (_, other) => other,
                    };
                    self.assign(elt, element);
                }
            }
            Expr::Starred(starred) => self.assign(&starred.value, value),
            _ => {
                self.expr(target);
            }
        }
    }

    /// Records a module-level `NAME = "literal"` (a dict key with a known value); names
    /// bound more than once are dropped when the module is finished.
    fn note_string_constant(&mut self, target: &Expr, value: Option<&Expr>) {
        if let Expr::Name(name) = target
            && let Some(literal) = value.and_then(Expr::as_string_literal_expr)
        {
            self.facts.string_constants.push((name.id.clone(), Name::new(literal.value.to_str())));
        }
    }

    /// Records a module-level `Name = <type>`; a name bound twice is not an alias.
    fn note_type_alias(&mut self, name: &Name, value: &Expr) {
        self.note_type_alias_of(name, type_expr(value));
    }

    fn note_type_alias_of(&mut self, name: &Name, value: TypeExpr) {
        let aliases = &mut self.facts.type_aliases;
        match self.type_alias_at.get(name) {
            Some(&at) => aliases[at].1 = TypeExpr::Other,
            None => {
                self.type_alias_at.insert(name.clone(), aliases.len());
                aliases.push((name.clone(), value));
            }
        }
    }

    /// Records literal `__all__` assignments.
    fn note_dunder_all(&mut self, targets: &[Expr], value: &Expr, extend: bool) {
        let [Expr::Name(target)] = targets else {
            return;
        };
        if target.id.as_str() != "__all__" {
            return;
        }
        let (Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. })) = value else {
            return;
        };
        let names = elts.iter().filter_map(|e| e.as_string_literal_expr()).map(|s| Name::new(s.value.to_str()));
        let all = self.facts.dunder_all.get_or_insert_with(Vec::new);
        if !extend {
            all.clear();
        }
        all.extend(names);
    }
}

pub(super) fn tuple_elts(expr: &Expr) -> Option<&Vec<Expr>> {
    match expr {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => Some(elts),
        _ => None,
    }
}

pub(super) fn collect_target_names_pub(target: &Expr, names: &mut Vec<Name>) {
    collect_target_names(target, names);
}

fn collect_target_names(target: &Expr, names: &mut Vec<Name>) {
    match target {
        Expr::Name(name) => names.push(name.id.clone()),
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            for elt in elts {
                collect_target_names(elt, names);
            }
        }
        Expr::Starred(starred) => collect_target_names(&starred.value, names),
        _ => {}
    }
}

/// What a type variable stands for in an annotation: its bound (`TypeVar("T",
/// bound=Awaitable[Any])`) or the union of its constraints (`TypeVar("T", A, B)`); `None`
/// for an unbounded one (anything) and for other calls.
fn type_var_bound(value: &Expr) -> Option<TypeExpr> {
    let Expr::Call(call) = value else { return None };
    let path = crate::annotation::dotted_name(&call.func)?;
    if path.last()?.as_str() != "TypeVar" {
        return None;
    }
    if let Some(bound) = call.arguments.find_keyword("bound") {
        return Some(type_expr(&bound.value));
    }
    match call.arguments.args.get(1..) {
        Some(constraints) if constraints.len() >= 2 => {
            Some(TypeExpr::Union(constraints.iter().map(type_expr).collect()))
        }
        _ => None,
    }
}

/// A call that always raises or ends the process: what follows it in the block runs only
/// where its test did not hold (`if sys.version_info < (3, 12): self.skipTest(...)`). Not
/// `self.fail(...)`: outside a `TestCase`, a method of that name may well return.
fn never_returns(call: &ast::ExprCall) -> bool {
    let Some(path) = crate::annotation::dotted_name(&call.func) else { return false };
    let path: Vec<&str> = path.iter().map(|part| part.as_str()).collect();
    matches!(
        path.as_slice(),
        ["sys", "exit"]
            | ["os", "_exit" | "abort"]
            | ["pytest", "skip" | "fail" | "xfail" | "exit"]
            | ["self", "skipTest"]
    )
}
