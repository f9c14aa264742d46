//! Predicates: functions and methods that only test their first argument (`def
//! is_task(obj): return isinstance(obj, Task)`, `-> TypeGuard[T]`, `-> TypeIs[T]`), their
//! calls as tests (`if is_task(job):`, `if self._is_task(job):`), and what `filter(f, xs)`
//! keeps.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, BoolOp, Expr, UnaryOp};

use super::Lowerer;
use super::narrowing::{isinstance_narrowing, none_narrowing, one_argument_test, one_of, subject_name};
use super::stmt::Narrowing;
use crate::annotation::type_expr;
use crate::facts::{GuardTest, Predicate, PredicateCallee};

impl Lowerer {
    /// `f(x)` as a test, for a function named by a dotted name or a method called on
    /// `self` (or `cls`): `x` narrows as `f`'s predicate says where the call is true and
    /// where it is false, if `f` turns out to be a predicate of the project
    /// (`GuardTest::Predicate`, resolved when linking).
    pub(super) fn predicate_call_narrowing(&self, test: &Expr) -> Option<(Vec<Narrowing>, Vec<Narrowing>)> {
        let Expr::Call(call) = test else { return None };
        let callee = self.predicate_callee(&call.func)?;
        let subject = call.arguments.args.first().filter(|arg| !arg.is_starred_expr())?;
        let name = subject_name(subject)?;
        let narrowing = |holds| vec![(name.clone(), GuardTest::Predicate { callee: callee.clone(), holds })];
        Some((narrowing(true), narrowing(false)))
    }

    /// The function a dotted name or `self.name` refers to, as a predicate's callee; none
    /// for a builtin (`callable(x)`, `len(x)`), which is no predicate of the project.
    fn predicate_callee(&self, func: &Expr) -> Option<PredicateCallee> {
        let path = crate::annotation::dotted_name(func)?;
        Some(match path.as_slice() {
            [name] if self.is_builtin(name) => return None,
            [receiver, name] if let Some(class) = self.self_class(receiver) => {
                PredicateCallee::Method { class, name: name.clone() }
            }
            _ => PredicateCallee::Dotted(path),
        })
    }

    /// What holds of each element `filter(function, xs)` keeps: the test a `lambda x: ...`
    /// returns of its parameter, what `asyncio.iscoroutine` and the like say, or what a
    /// predicate function says.
    pub(super) fn filter_tests(&self, function: &Expr) -> Vec<GuardTest> {
        match function {
            Expr::Lambda(lambda) => {
                let Some(parameters) = lambda.parameters.as_deref() else { return Vec::new() };
                let [param] = &*parameters.args else { return Vec::new() };
                let (when_true, _) = test_narrowings(&lambda.body, 0);
                let name = &param.parameter.name.id;
                when_true.into_iter().filter(|(narrowed, _)| narrowed == name).map(|(_, test)| test).collect()
            }
            function => {
                let path = crate::annotation::dotted_name(function).unwrap_or_default();
                if let Some(last) = path.last()
                    && let Some((when_true, _)) = one_argument_test(last.as_str())
                {
                    return when_true.into_iter().collect();
                }
                match self.predicate_callee(function) {
                    Some(callee) => vec![GuardTest::Predicate { callee, holds: true }],
                    None => Vec::new(),
                }
            }
        }
    }

    /// The class of the method whose first parameter (`self`, `cls`) `name` is, read in
    /// that method or a comprehension in it while it is still the parameter.
    fn self_class(&self, name: &Name) -> Option<crate::facts::ClassId> {
        let scope = self.scopes.iter().rev().find(|scope| !matches!(scope.kind, super::ScopeKind::Comprehension))?;
        let (first, class) = scope.self_param.as_ref()?;
        let super::ScopeKind::Function(func) = scope.kind else { return None };
        let param = self.facts.functions.get(func as usize)?.params.first()?.node;
        (first == name && scope.flow.env.get(name) == Some(&param)).then_some(*class)
    }
}

/// What a function says of its first parameter (after `skip` ones: `self`, `cls`) when it
/// is a predicate: `-> TypeGuard[T]`
/// (where true, an instance of `T`), `-> TypeIs[T]` (where false, not one either), or a
/// body that only returns a test of it (`return isinstance(obj, asyncio.Task)`, `return
/// not asyncio.isfuture(obj)`, `and`/`or` of such tests).
pub(super) fn predicate_of(def: &ast::StmtFunctionDef, skip: usize) -> Option<Predicate> {
    let parameters = &def.parameters;
    let first = parameters.posonlyargs.iter().chain(&parameters.args).nth(skip)?;
    let param = &first.parameter.name.id;
    if let Some(Expr::Subscript(returns)) = def.returns.as_deref()
        && let Some(path) = crate::annotation::dotted_name(&returns.value)
        && let Some(kind @ ("TypeGuard" | "TypeIs")) = path.last().map(Name::as_str)
    {
        let types = vec![type_expr(&returns.slice)];
        let when_false = if kind == "TypeIs" { vec![GuardTest::IsNot(types.clone())] } else { Vec::new() };
        return Some(Predicate { when_true: vec![GuardTest::Is(types)], when_false });
    }
    let body = match def.body.split_first() {
        Some((ast::Stmt::Expr(docstring), rest)) if docstring.value.is_string_literal_expr() => rest,
        _ => &def.body,
    };
    let [ast::Stmt::Return(ast::StmtReturn { value: Some(value), .. })] = body else { return None };
    let (when_true, when_false) = test_narrowings(value, 0);
    let of_param = |narrowings: Vec<Narrowing>| -> Vec<GuardTest> {
        narrowings.into_iter().filter(|(name, _)| name == param).map(|(_, test)| test).collect()
    };
    let predicate = Predicate { when_true: of_param(when_true), when_false: of_param(when_false) };
    (!predicate.when_true.is_empty() || !predicate.when_false.is_empty()).then_some(predicate)
}

/// What a test expression narrows where it is true and where false, read without lowering
/// it (a predicate's returned test): `not`, `and`, `or` of the tests `condition` knows.
fn test_narrowings(test: &Expr, depth: u32) -> (Vec<Narrowing>, Vec<Narrowing>) {
    if depth > 16 {
        return (Vec::new(), Vec::new());
    }
    match test {
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            let (when_true, when_false) = test_narrowings(&unary.operand, depth + 1);
            (when_false, when_true)
        }
        Expr::BoolOp(bool_op) => {
            let is_and = bool_op.op == BoolOp::And;
            let mut collected = Vec::new();
            let mut alternatives = Vec::new();
            for value in &bool_op.values {
                let (when_true, when_false) = test_narrowings(value, depth + 1);
                let (narrowing, other) = if is_and { (when_true, when_false) } else { (when_false, when_true) };
                collected.extend(narrowing);
                alternatives.push(if other.is_empty() { none_narrowing(value, !is_and) } else { other });
            }
            if is_and { (collected, one_of(&alternatives)) } else { (one_of(&alternatives), collected) }
        }
        _ => isinstance_narrowing(test).unwrap_or_default(),
    }
}
