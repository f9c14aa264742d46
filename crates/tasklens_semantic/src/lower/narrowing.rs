//! Narrowing read from tests: `isinstance`, `type(x) is T`, `hasattr`, `iscoroutine` and
//! friends, combined through `not`, `and` and `or`, and remembered through a name bound
//! to a test (`is_task = isinstance(x, Task)`); and what tests say of the function's
//! parameters where code runs (`if sync: return`). Calls of predicate functions as tests
//! are `predicates.rs`.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, BoolOp, Expr, UnaryOp};

use super::stmt::Narrowing;
use super::{Lowerer, Val};
use crate::annotation::type_expr;
use crate::facts::{FUTURE_METHODS, GateTest, GuardTest, ParamGate, TASK_ONLY_METHODS, TypeExpr};
use ruff_text_size::Ranged;

impl Lowerer {
    /// Lowers a test and returns the narrowings that hold when it is true and when false.
    pub(super) fn condition(&mut self, test: &Expr) -> (Vec<Narrowing>, Vec<Narrowing>) {
        if let Some(name) = tested_name(test)
            && let Some(&version) = self.flow().env.get(name)
        {
            self.facts.tested_names.push(version);
        }
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
                    self.version_chain(value, is_and);
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
                Some((mut when_true, mut when_false)) => {
                    when_true.extend(self.through_unwrapped_copies(&when_true));
                    when_false.extend(self.through_unwrapped_copies(&when_false));
                    let narrowings = (when_true, when_false);
                    // `isinstance(job := f(), Task)`: the walrus binds before the test holds.
                    if let Expr::Call(call) = test
                        && let Some(subject @ Expr::Named(_)) = call.arguments.args.first()
                    {
                        self.expr(subject);
                    }
                    narrowings
                }
                None => {
                    if let Val::Node(node) = self.expr(test) {
                        self.facts.truth_tests.push(node);
                        self.positions.truth_tests.push(test.range());
                    }
                    self.predicate_call_narrowing(test).unwrap_or_default()
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

    /// After `name = value`: a copy of another name starts an unwrapped copy, an attribute
    /// of itself keeps it (`check = check.func`), anything else ends it.
    pub(super) fn note_unwrapped_copy(&mut self, name: &Name, value: &Expr) {
        match value {
            Expr::Name(copied) if copied.id != *name => {
                let version = self.scope().flow.env.get(&copied.id).copied();
                self.scope_mut().unwrapped_copies.insert(name.clone(), (copied.id.clone(), version));
            }
            Expr::Attribute(attribute) if attribute.value.as_name_expr().is_some_and(|n| n.id == *name) => {}
            _ => _ = self.scope_mut().unwrapped_copies.remove(name),
        }
    }

    /// What `iscoroutine(check)` and `iscoroutinefunction(check)` say of the name `check`
    /// copied (`target`, while it is as it was): it is the coroutine (function), or a
    /// `functools.partial` that `check` unwrapped to one, whose call gives a coroutine;
    /// where `iscoroutinefunction(check)` is false, `target` is no `async def` either.
    fn through_unwrapped_copies(&self, narrowings: &[Narrowing]) -> Vec<Narrowing> {
        let scope = self.scope();
        (narrowings.iter())
            // Where `iscoroutine(check)` is false, `target` may still be a partial of one.
            .filter(|(_, test)| {
                matches!(test, GuardTest::Coroutine | GuardTest::CoroutineFunction | GuardTest::NotCoroutineFunction)
            })
            .filter_map(|(name, test)| {
                let (copied, version) = scope.unwrapped_copies.get(name)?;
                (scope.flow.env.get(copied) == version.as_ref()).then(|| (copied.clone(), test.clone()))
            })
            .collect()
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

    /// Records in the flow the tests on the function's own parameters that hold when
    /// `test` comes out as `outcome` (see `CallSite::param_gates`): `p`, `not p`, `p is
    /// None`, `p is not None`, and an `and` that holds or an `or` that fails of them.
    pub(super) fn gate_on(&mut self, test: &Expr, outcome: bool) {
        let mut gates = Vec::new();
        self.collect_gates(test, outcome, &mut gates);
        let flow = self.flow();
        for gate in gates {
            if !flow.gates.contains(&gate) {
                flow.gates.push(gate);
            }
        }
    }

    fn collect_gates(&self, test: &Expr, outcome: bool, gates: &mut Vec<ParamGate>) {
        let mut gate = |name: &Name, holds: GateTest| {
            if let Some(param) = self.unchanged_param(name) {
                gates.push(ParamGate { param, holds });
            }
        };
        match test {
            Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
                self.collect_gates(&unary.operand, !outcome, gates)
            }
            Expr::BoolOp(boolean) if (boolean.op == ast::BoolOp::And) == outcome => {
                for value in &boolean.values {
                    self.collect_gates(value, outcome, gates);
                }
            }
            Expr::Name(name) => gate(&name.id, if outcome { GateTest::Truthy } else { GateTest::Falsy }),
            Expr::Compare(compare) => {
                let ([op], [Expr::NoneLiteral(_)], Expr::Name(name)) =
                    (&*compare.ops, &*compare.comparators, &*compare.left)
                else {
                    return;
                };
                let is_none = match op {
                    ast::CmpOp::Is => outcome,
                    ast::CmpOp::IsNot => !outcome,
                    _ => return,
                };
                gate(&name.id, if is_none { GateTest::IsNone } else { GateTest::NotNone });
            }
            _ => {}
        }
    }

    /// The index of the current function's parameter `name`, while it still holds the
    /// argument (not bound again).
    fn unchanged_param(&self, name: &Name) -> Option<u32> {
        let super::ScopeKind::Function(func) = self.scope().kind else { return None };
        let version = *self.scope().flow.env.get(name)?;
        let params = &self.facts.functions.get(func as usize)?.params;
        params.iter().position(|p| p.name == *name && p.node == version).map(|index| index as u32)
    }
}

/// A test of a plain name that narrows it: what holds when it is true, and when false.
///
/// `isinstance(x, T)`, `hasattr(x, "get_name")`, `asyncio.iscoroutine(x)`, `asyncio.isfuture(x)`,
/// `inspect.isawaitable(x)`.
pub(super) fn isinstance_narrowing(test: &Expr) -> Option<(Vec<Narrowing>, Vec<Narrowing>)> {
    if let Expr::Compare(compare) = test {
        return exact_type_narrowing(compare);
    }
    let Expr::Call(call) = test else { return None };
    let path = crate::annotation::dotted_name(&call.func)?;
    let function = path.last()?.as_str();
    let (subject, rest) = call.arguments.args.split_first()?;
    let name = subject_name(subject)?;
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
            // A coroutine has none of a Task's methods; a plain Future lacks the Task-only ones.
            let tests = if TASK_ONLY_METHODS.contains(&method) {
                vec![GuardTest::NotFuture, GuardTest::NotCoroutine]
            } else if FUTURE_METHODS.contains(&method) {
                vec![GuardTest::NotCoroutine]
            } else {
                return None;
            };
            Some((tests.into_iter().map(|test| (name.clone(), test)).collect(), Vec::new()))
        }
        (function, []) => {
            let (when_true, when_false) = one_argument_test(function)?;
            let of_name = |test: Option<GuardTest>| test.map(|test| (name.clone(), test)).into_iter().collect();
            Some((of_name(when_true), of_name(when_false)))
        }
        _ => None,
    }
}

/// What `iscoroutine(x)` and the like (by the function's last name) say of `x` where they
/// are true, and where false.
pub(super) fn one_argument_test(function: &str) -> Option<(Option<GuardTest>, Option<GuardTest>)> {
    Some(match function {
        "iscoroutine" => (Some(GuardTest::Coroutine), Some(GuardTest::NotCoroutine)),
        // What cannot be awaited is no Future and no coroutine.
        "isawaitable" => (Some(GuardTest::Awaitable), Some(GuardTest::NotAwaitable)),
        "iscoroutinefunction" => (Some(GuardTest::CoroutineFunction), Some(GuardTest::NotCoroutineFunction)),
        // A Future (or Task) is no coroutine.
        "isfuture" => (Some(GuardTest::NotCoroutine), Some(GuardTest::NotFuture)),
        _ => return None,
    })
}

/// The name (or attribute path) a test reads, when it is one.
pub(super) fn subject_name(subject: &Expr) -> Option<Name> {
    match subject {
        Expr::Name(subject) => Some(subject.id.clone()),
        Expr::Named(ast::ExprNamed { target, .. }) => Some(target.as_name_expr()?.id.clone()),
        // `isinstance(self.task, Task)` narrows later reads of `self.task`.
        Expr::Attribute(_) => super::attribute_paths::attribute_path(subject),
        _ => None,
    }
}

/// `x is None` when `holds` (`x is not None` when not): `x` holds none of the values the
/// analysis follows (as `isinstance(x, NoneType)` would say); only used for an alternative
/// of `or` (or of a failed `and`).
pub(super) fn none_narrowing(test: &Expr, holds: bool) -> Vec<Narrowing> {
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
pub(super) fn one_of(alternatives: &[Vec<Narrowing>]) -> Vec<Narrowing> {
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
        // The same test each way (`asyncio.iscoroutine(x) or inspect.iscoroutine(x)`).
        if let [test] = tests[0].as_slice()
            && tests.iter().all(|alternative| alternative == &tests[0])
        {
            narrowed.push((name.clone(), test.clone()));
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

/// The name a test only reads for its truth or its `None`-ness: `name`, `name is None`,
/// `name is not None`.
fn tested_name(test: &Expr) -> Option<&Name> {
    match test {
        Expr::Name(name) => Some(&name.id),
        Expr::Compare(compare) => match (&*compare.ops, &*compare.comparators, &*compare.left) {
            ([ast::CmpOp::Is | ast::CmpOp::IsNot], [Expr::NoneLiteral(_)], Expr::Name(name)) => Some(&name.id),
            _ => None,
        },
        _ => None,
    }
}
