//! Lowering of function definitions: parameters and their annotations, signature type
//! comments, decorators (known kinds, and the applications of the others as calls at the
//! `def`), and the shape of what a function returns for use as a decorator.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::{Lowerer, ScopeKind, Val, scan};
use crate::annotation::type_expr;
use crate::facts::{
    Arg, Binding, Constraint, ContainerKind, FixtureDecl, FuncId, FunctionFacts, FunctionKind, NodeId, Param,
    ParamKind, Place, ReturnShape, Seed,
};
use crate::positions::CallPositions;

impl Lowerer {
    pub(super) fn function_def(&mut self, def: &ast::StmtFunctionDef) {
        let class = match self.scope().kind {
            ScopeKind::Class(class) => Some(class),
            _ => None,
        };
        let (mut kind, opaque, register) = decorator_effects(&def.decorator_list, class.is_some());
        // A generator-based coroutine (`@asyncio.coroutine`): a call of it gives a
        // coroutine, and its `yield from` awaits.
        let legacy = def.decorator_list.iter().any(is_legacy_coroutine);
        let is_async = def.is_async || legacy;
        // Implicitly a classmethod.
        if kind == FunctionKind::Method && def.name.id.as_str() == "__init_subclass__" {
            kind = FunctionKind::ClassMethod;
        }
        // A known decorator written as a name (`@override`, `@property`) is not applied and
        // runs nothing: no need for its value (homeassistant has 21,000 `@override`s).
        let decorators: Vec<(Val, bool, TextRange)> = def
            .decorator_list
            .iter()
            .map(|d| {
                let unknown = decorator_kind(d).is_none();
                let value = match &d.expression {
                    Expr::Name(_) | Expr::Attribute(_) if !unknown => Val::Unknown,
                    expression => self.expr(expression),
                };
                (value, unknown, d.expression.range())
            })
            .collect();
        let scan = scan::scan_body(&def.body);
        let ret = self.node();
        let yields = self.node();
        let facts = FunctionFacts {
            name: def.name.id.clone(),
            is_async,
            is_generator: scan.yields && !legacy,
            kind,
            class,
            params: Vec::new(),
            ret,
            passed_through: Vec::new(),
            own_ret: ret,
            yields,
            opaque,
            decorated: Vec::new(),
            returns: ReturnShape::Unset,
            returns_literal: false,
            completes: false,
            stub: def.body.iter().all(|stmt| match stmt {
                Stmt::Pass(_) => true,
                Stmt::Expr(statement) => {
                    matches!(*statement.value, Expr::StringLiteral(_) | Expr::EllipsisLiteral(_))
                }
                _ => false,
            }),
            mentions_cancellation: scan.mentions_cancellation,
            init_stores: Vec::new(),
            fixture: def.decorator_list.iter().find_map(|d| fixture_decl(d, &def.name.id)),
            predicate: match kind {
                FunctionKind::Function | FunctionKind::StaticMethod => super::predicates::predicate_of(def, 0),
                FunctionKind::Method | FunctionKind::ClassMethod => super::predicates::predicate_of(def, 1),
                FunctionKind::Property | FunctionKind::Lambda => None,
            }
            .map(Box::new),
        };
        let func = self.new_function(facts, def.name.range());
        let params = self.parameters(&def.parameters, func);
        if let Some(first) = params.first()
            && let Some(class) = class
        {
            match kind {
                FunctionKind::Method | FunctionKind::Property => {
                    self.constrain(Constraint::Seed { node: first.node, seed: Seed::SelfOf(class) });
                }
                FunctionKind::ClassMethod => {
                    self.constrain(Constraint::Seed { node: first.node, seed: Seed::ClsOf(class) });
                }
                _ => {}
            }
            if kind == FunctionKind::Method
                && let Some(index) = filled_by_asyncio(def.name.id.as_str())
                && let Some(param) = params.get(index)
            {
                self.constrain(Constraint::Seed { node: param.node, seed: Seed::Unknown });
            }
        }
        if let Some(returns) = &def.returns {
            self.annotate(Place::Return { func }, Some(ret), type_expr(returns), returns.range());
        } else {
            self.signature_type_comment(def, func, ret, &params);
        }
        let version = self.seeded(Seed::Function(func));
        // Decorators of unknown kinds: the flow layer judges them by what they return
        // (all of them, outermost first, or none when one is not a value it follows).
        let applied: Vec<(Val, TextRange)> =
            decorators.into_iter().filter(|(_, applied, _)| *applied).map(|(value, _, range)| (value, range)).collect();
        let followed: Vec<(NodeId, TextRange)> = applied
            .iter()
            .filter_map(|(value, range)| match value {
                Val::Node(node) => Some((*node, *range)),
                _ => None,
            })
            .collect();
        if followed.len() == applied.len() {
            self.facts.functions[func as usize].decorated = followed.iter().map(|(node, _)| *node).collect();
        }
        // Applying them is a call that runs where the `def` runs (at import time for a
        // module-level function), innermost first; its result is not followed (see above).
        for &(callee, range) in followed.iter().rev() {
            self.definition_call(DefinitionCall::Decorator(callee), version, range, def.name.range());
        }
        // An `@overload` is a signature for type checkers: the `def` that follows replaces it.
        let overload = def.decorator_list.iter().any(|d| decorator_kind(d) == Some("overload"));
        match class {
            _ if overload => {}
            Some(class) if register => {
                self.facts.classes[class as usize].methods.push((def.name.id.clone(), func));
            }
            Some(class) => {
                if def.decorator_list.iter().any(|d| decorator_kind(d) == Some("setter")) {
                    self.facts.classes[class as usize].setters.push((def.name.id.clone(), func));
                }
            }
            None => {
                self.bind_node(&def.name.id, version);
                self.note_module_binding(&def.name.id, Binding::Function(func));
                if matches!(self.scope().kind, ScopeKind::Function(_)) {
                    self.scope_mut().local_defs.insert(def.name.id.clone(), func);
                    // Its decorators are handed the function where the `def` runs.
                    if !def.decorator_list.is_empty() {
                        self.scope_mut().nested.escaped_defs.insert(func);
                    }
                }
            }
        }
        self.facts.functions[func as usize].params = params.clone();

        let mut bound = scan.bound;
        bound.extend(params.iter().map(|p| p.name.clone()));
        for name in scan.globals.iter().chain(&scan.nonlocals) {
            bound.remove(name);
        }
        self.push_scope(ScopeKind::Function(func), bound, is_async);
        self.skipped_on_versions(&def.decorator_list);
        let outer_conditional = std::mem::replace(&mut self.conditional, 0);
        let outer_guarded = std::mem::replace(&mut self.guarded, 0);
        // A function defined in a block that expects a failure runs elsewhere, later.
        let outer_expected = std::mem::replace(&mut self.failure_expected, 0);
        let outer_value_error = std::mem::replace(&mut self.value_error_handled, 0);
        let outer_runtime_error = std::mem::replace(&mut self.runtime_error_handled, 0);
        let outer_timeout_catchers = std::mem::take(&mut self.timeout_catchers);
        let scope = self.scope_mut();
        scope.globals = scan.globals;
        scope.nonlocals = scan.nonlocals;
        for param in &params {
            scope.flow.env.insert(param.name.clone(), param.node);
            scope.versions.entry(param.name.clone()).or_default().push(param.node);
        }
        if let (Some(first), Some(class)) = (params.first(), class) {
            scope.self_param = Some((first.name.clone(), class));
        }
        // `@patch("app.api.fetch")` on a test replaces the name while its body runs.
        let patched_before = self.patched.len();
        self.patched.extend(def.decorator_list.iter().filter_map(|d| super::handlers::patched_name(&d.expression)));
        self.block(&def.body);
        self.patched.truncate(patched_before);
        if self.flow().live {
            self.facts.functions[func as usize].completes = true;
        }
        self.conditional = outer_conditional;
        self.guarded = outer_guarded;
        self.failure_expected = outer_expected;
        self.value_error_handled = outer_value_error;
        self.runtime_error_handled = outer_runtime_error;
        self.timeout_catchers = outer_timeout_catchers;
        self.finish_returns(func);
        self.pop_scope();
    }

    /// A `# type: (A, B) -> R` comment between the header and the body of an unannotated
    /// function: `R` annotates the return, `A, B` the parameters (without `self`/`cls`).
    pub(super) fn signature_type_comment(
        &mut self,
        def: &ast::StmtFunctionDef,
        func: u32,
        ret: NodeId,
        params: &[Param],
    ) {
        let (after, before) = (def.parameters.range.end(), def.body.first().map_or(def.range.end(), Ranged::start));
        let at = self.type_comments.partition_point(|c| c.range.start() < after);
        let Some(comment) = self.type_comments.get(at).filter(|c| c.range.start() < before) else { return };
        let Some((param_types, returns)) = crate::type_comments::signature_types(comment) else { return };
        let range = comment.range;
        self.annotate(Place::Return { func }, Some(ret), returns, range);
        let skip = params.len().checked_sub(param_types.len()).filter(|&skip| skip <= 1);
        let Some(skip) =
            skip.filter(|&skip| skip == 0 || self.facts.functions[func as usize].kind != FunctionKind::Function)
        else {
            return;
        };
        for (offset, annotation) in param_types.into_iter().enumerate() {
            let index = offset + skip;
            self.annotate(Place::Param { func, index: index as u32 }, Some(params[index].node), annotation, range);
        }
    }

    /// Lowers parameters: defaults (in the enclosing scope) and annotations.
    pub(super) fn parameters(&mut self, parameters: &ast::Parameters, func: u32) -> Vec<Param> {
        let mut params = Vec::new();
        let mut add = |this: &mut Self, param: &ast::Parameter, default: Option<&Expr>, kind: ParamKind| {
            let node = this.node();
            if let Some(default) = default {
                let value = this.expr(default);
                this.flow_into(value, node, None);
            }
            if let Some(annotation) = &param.annotation {
                let place = Place::Param { func, index: params.len() as u32 };
                this.annotate(place, Some(node), type_expr(annotation), annotation.range());
            }
            // `*args` holds what the calls pass by position (a tuple whose first items are
            // told apart by position), `**kwargs` what they pass by keyword.
            match kind {
                ParamKind::VarArgs => {
                    this.constrain(Constraint::Seed { node, seed: Seed::Container(ContainerKind::Tuple) })
                }
                ParamKind::KwArgs => {
                    this.constrain(Constraint::Seed { node, seed: Seed::Container(ContainerKind::Dict) })
                }
                _ => {}
            }
            let none_default = default.is_some_and(Expr::is_none_literal_expr);
            let default_truth = default.and_then(constant_truth);
            let has_default = default.is_some();
            params.push(Param { name: param.name.id.clone(), node, kind, has_default, none_default, default_truth });
            this.positions.params[func as usize].push(param.name.range());
        };
        for p in &parameters.posonlyargs {
            add(self, &p.parameter, p.default.as_deref(), ParamKind::PositionalOnly);
        }
        for p in &parameters.args {
            add(self, &p.parameter, p.default.as_deref(), ParamKind::Positional);
        }
        if let Some(p) = &parameters.vararg {
            add(self, p, None, ParamKind::VarArgs);
        }
        for p in &parameters.kwonlyargs {
            add(self, &p.parameter, p.default.as_deref(), ParamKind::KeywordOnly);
        }
        if let Some(p) = &parameters.kwarg {
            add(self, p, None, ParamKind::KwArgs);
        }
        params
    }

    /// A call that runs where a `def` or `class` statement runs, given the defined
    /// `version`: a decorator applied to it, a new class's metaclass, or `__init_subclass__`
    /// of its bases.
    pub(super) fn definition_call(&mut self, call: DefinitionCall, version: NodeId, range: TextRange, name: TextRange) {
        let args = match call {
            DefinitionCall::Decorator(_) => vec![Arg { node: Some(version) }],
            // `Meta(name, bases, namespace)`: none of them is followed.
            DefinitionCall::InitSubclass | DefinitionCall::Metaclass(_) => Vec::new(),
        };
        let at_args = args.iter().map(|_| name).collect();
        let at = CallPositions { range, callee: range, args: at_args, keywords: Vec::new() };
        let site = self.unwritten_call_site(args, at);
        let result = self.node();
        match call {
            DefinitionCall::Decorator(callee) | DefinitionCall::Metaclass(callee) => {
                self.constrain(Constraint::Call { site, callee, result });
            }
            DefinitionCall::InitSubclass => {
                let name = self.intern(&Name::new_static("__init_subclass__"));
                self.constrain(Constraint::MethodCall { site, receiver: version, name, result });
            }
        }
    }

    /// What `return value` in `func` returns, for judging `func` as a decorator.
    pub(super) fn return_shape(&self, func: FuncId, value: Option<&Expr>) -> ReturnShape {
        let name = match value {
            None | Some(Expr::NoneLiteral(_)) => return ReturnShape::Unset,
            Some(expr) if super::literal_value(expr) => return ReturnShape::Unset,
            // `return cast(F, wrapper)`, as typed decorators write it, `update_wrapper(wrapper,
            // func)` and `wraps(func)(wrapper)`: the wrapper.
            Some(Expr::Call(call)) if let Some(wrapper) = self.returned_wrapper(call) => {
                return self.return_shape(func, Some(wrapper));
            }
            Some(Expr::Call(call)) => {
                return match &*call.func {
                    Expr::Name(callee) if self.is_enclosing_first_param(&callee.id) => ReturnShape::WrappedCall,
                    _ => ReturnShape::Other,
                };
            }
            Some(Expr::Name(name)) => name,
            Some(_) => return ReturnShape::Other,
        };
        let facts = &self.facts.functions[func as usize];
        if facts.class.is_none() && facts.params.first().is_some_and(|p| p.name == name.id) {
            return ReturnShape::FirstParam;
        }
        match self.scope().local_defs.get(&name.id) {
            Some(&nested) => ReturnShape::Nested(nested),
            None => ReturnShape::Other,
        }
    }

    /// The function a decorator's `return` hands back through a call that returns it.
    fn returned_wrapper<'a>(&self, call: &'a ast::ExprCall) -> Option<&'a Expr> {
        if let Some((_, value)) = self.cast_arguments(call) {
            return Some(value);
        }
        let last = |expr: &Expr| crate::annotation::dotted_name(expr).and_then(|path| path.last().cloned());
        let first = call.arguments.args.first().filter(|_| call.arguments.args.len() <= 2)?;
        match &*call.func {
            Expr::Call(inner) if last(&inner.func).is_some_and(|name| name.as_str() == "wraps") => Some(first),
            callee if last(callee).is_some_and(|name| name.as_str() == "update_wrapper") => Some(first),
            _ => None,
        }
    }

    /// Whether `name`, read in the innermost function, is the first parameter of the plain
    /// function that directly encloses it (and not rebound in the innermost one).
    fn is_enclosing_first_param(&self, name: &Name) -> bool {
        let [.., outer, inner] = self.scopes.as_slice() else { return false };
        let (ScopeKind::Function(_), ScopeKind::Function(outer_func)) = (inner.kind, outer.kind) else {
            return false;
        };
        let outer_facts = &self.facts.functions[outer_func as usize];
        !inner.bound.contains(name)
            && !inner.nonlocals.contains(name)
            && outer_facts.class.is_none()
            && outer_facts.params.first().is_some_and(|p| p.name == *name)
    }
}

/// A call made by a definition statement (see [`Lowerer::definition_call`]).
#[derive(Clone, Copy)]
pub(super) enum DefinitionCall {
    /// The decorator at the node, applied to what is defined.
    Decorator(NodeId),
    /// `__init_subclass__` of the new class (found on its bases).
    InitSubclass,
    /// The metaclass at the node, called to make the class.
    Metaclass(NodeId),
}

/// The name of a decorator the analysis knows (`staticmethod`, `property`, `wraps`...), or
/// `None` for any other decorator, which the flow layer judges by what it returns.
fn decorator_kind(decorator: &ast::Decorator) -> Option<&'static str> {
    let expr = match &decorator.expression {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let path = crate::annotation::dotted_name(expr)?;
    if is_pytest_decorator(&path) {
        return Some("pytest");
    }
    let last = path.last().map(Name::as_str).unwrap_or_default();
    [
        "staticmethod",
        "classmethod",
        "property",
        "cached_property",
        "getter",
        "setter",
        "deleter",
        "abstractmethod",
        "override",
        "final",
        "wraps",
        // `contextlib`'s: a call gives the generator, whose first value `with` binds.
        "contextmanager",
        "asynccontextmanager",
        "overload",
        "no_type_check",
    ]
    .into_iter()
    .find(|known| *known == last)
}

/// pytest's decorators, which hand back the function they are given (marking it): a
/// fixture's or a test's parameters are filled by pytest, not by code the analysis cannot
/// see. By name, as written: `pytest.fixture`, `pytest_asyncio.fixture`, a bare `fixture`,
/// `pytest.mark.*`.
fn is_pytest_decorator(path: &[Name]) -> bool {
    let parts: Vec<&str> = path.iter().map(Name::as_str).collect();
    matches!(
        parts.as_slice(),
        ["pytest" | "pytest_asyncio", "fixture" | "yield_fixture"]
            | ["fixture" | "yield_fixture"]
            | ["pytest", "mark", ..]
    )
}

/// `@pytest.fixture`, `@pytest.fixture(name="db")`, `@pytest_asyncio.fixture`, `@fixture`:
/// a decorator that may declare a fixture (whose dotted name the flow layer resolves), and
/// the name it is requested by.
fn fixture_decl(decorator: &ast::Decorator, function: &Name) -> Option<FixtureDecl> {
    let (expr, call) = match &decorator.expression {
        Expr::Call(call) => (&*call.func, Some(call)),
        other => (other, None),
    };
    let path = crate::annotation::dotted_name(expr)?;
    if !matches!(path.last().map(Name::as_str), Some("fixture" | "yield_fixture")) {
        return None;
    }
    let named = call.and_then(|call| {
        let keyword = call.arguments.keywords.iter().find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "name"))?;
        match &keyword.value {
            Expr::StringLiteral(literal) => Some(Name::new(literal.value.to_str())),
            _ => None,
        }
    });
    Some(FixtureDecl { decorator: path, name: named.unwrap_or_else(|| function.clone()) })
}

/// `@asyncio.coroutine` (by its dotted name): the function is a generator-based coroutine,
/// which `create_task` takes for a coroutine on every Python that has the decorator (it
/// is gone in 3.11). Not `@types.coroutine`, which is still there while `create_task`
/// refuses its generators since 3.12 (`ensure_future` still wraps them): left to what its
/// decorator returns, as before.
/// The parameter of an event-loop method that asyncio itself fills with values the project
/// never sees: `asyncio.run` hands `run_until_complete` a Task (3.11+), and any caller of the
/// loop API may pass a Future. A method of that name in a project class is taken as
/// overriding the loop's.
fn filled_by_asyncio(method: &str) -> Option<usize> {
    (method == "run_until_complete").then_some(1)
}

fn is_legacy_coroutine(decorator: &ast::Decorator) -> bool {
    crate::annotation::dotted_name(&decorator.expression)
        .is_some_and(|path| matches!(&path[..], [package, name] if package == "asyncio" && name == "coroutine"))
}

/// What a function's decorators mean: its kind, whether the decorated object
/// may not be the function, and whether it is registered as a method.
fn decorator_effects(decorators: &[ast::Decorator], in_class: bool) -> (FunctionKind, bool, bool) {
    let mut kind = if in_class { FunctionKind::Method } else { FunctionKind::Function };
    let mut opaque = false;
    let mut register = true;
    for decorator in decorators {
        if is_legacy_coroutine(decorator) {
            continue;
        }
        match decorator_kind(decorator) {
            Some("staticmethod") => kind = FunctionKind::StaticMethod,
            Some("classmethod") => kind = FunctionKind::ClassMethod,
            Some("property" | "cached_property" | "getter") => kind = FunctionKind::Property,
            Some("setter" | "deleter") => register = false,
            Some(_) => {}
            None => opaque = true,
        }
    }
    (kind, opaque, register)
}

/// Whether a constant expression is true or false (`None` for anything else).
fn constant_truth(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::NoneLiteral(_) => Some(false),
        Expr::BooleanLiteral(literal) => Some(literal.value),
        Expr::NumberLiteral(number) => match &number.value {
            ast::Number::Int(int) => Some(int.as_u64() != Some(0)),
            ast::Number::Float(float) => Some(*float != 0.0),
            ast::Number::Complex { real, imag } => Some(*real != 0.0 || *imag != 0.0),
        },
        Expr::StringLiteral(string) => Some(!string.value.is_empty()),
        Expr::BytesLiteral(bytes) => Some(!bytes.value.is_empty()),
        _ => None,
    }
}
