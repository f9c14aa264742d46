//! Python version guards: `if sys.version_info < (3, 10):` (and `>=`, `not`, a module-level
//! name bound to such a test, `hasattr(asyncio, "create_task")`) makes the code in a branch
//! run only on older Pythons, which
//! the rules compare with the target version (a `loop=` under such a guard is no TL006).

use ruff_python_ast::{self as ast, CmpOp, Expr, UnaryOp};

use super::Lowerer;
use tasklens_db::PythonVersion;

/// What a version test says about each branch: the code runs only below that version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct VersionTest {
    pub when_true: Option<PythonVersion>,
    pub when_false: Option<PythonVersion>,
}

impl VersionTest {
    fn negated(self) -> Self {
        VersionTest { when_true: self.when_false, when_false: self.when_true }
    }
}

/// The tighter of two bounds (code under both runs below the lower one).
fn tighter(a: Option<PythonVersion>, b: Option<PythonVersion>) -> Option<PythonVersion> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Lowerer {
    /// The version test `test` is, if it is one.
    pub(super) fn version_test(&self, test: &Expr) -> Option<VersionTest> {
        match test {
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
                self.version_test(&unary.operand).map(VersionTest::negated)
            }
            Expr::Name(name) => self.version_aliases.get(&name.id).copied(),
            // `hasattr(asyncio, "create_task")`: false only before the name came.
            Expr::Call(call) => {
                let [Expr::Name(module), Expr::StringLiteral(name)] = &*call.arguments.args else { return None };
                let is_hasattr = matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "hasattr");
                if !is_hasattr || module.id.as_str() != "asyncio" || !call.arguments.keywords.is_empty() {
                    return None;
                }
                let since = asyncio_name_since(name.value.to_str())?;
                Some(VersionTest { when_true: None, when_false: Some(since) })
            }
            Expr::Compare(compare) => {
                let ([op], [right]) = (&*compare.ops, &*compare.comparators) else { return None };
                // `sys.version_info < (3, 10)`, or the same written the other way round.
                let (op, version) = match (is_version_info(&compare.left), is_version_info(right)) {
                    (true, false) => (*op, version_tuple(right)?),
                    (false, true) => (flipped(*op)?, version_tuple(&compare.left)?),
                    _ => return None,
                };
                match op {
                    CmpOp::Lt => Some(VersionTest { when_true: Some(version), when_false: None }),
                    CmpOp::GtE => Some(VersionTest { when_true: None, when_false: Some(version) }),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The code that follows runs only below `bound` too (a branch of a version test).
    pub(super) fn runs_below(&mut self, bound: Option<PythonVersion>) {
        let flow = self.flow();
        flow.below = tighter(flow.below, bound);
    }

    /// `PY310 = sys.version_info >= (3, 10)` at module level: `if PY310:` tests the same.
    pub(super) fn note_version_alias(&mut self, target: &Expr, value: &Expr) {
        if let (Expr::Name(name), Some(test)) = (target, self.version_test(value)) {
            self.version_aliases.insert(name.id.clone(), test);
        }
    }
}

/// The version that added a name to `asyncio` (among those compatibility code tests for).
fn asyncio_name_since(name: &str) -> Option<PythonVersion> {
    let minor = match name {
        "create_task" | "get_running_loop" | "current_task" | "all_tasks" | "run" => 7,
        "to_thread" => 9,
        "TaskGroup" | "timeout" | "timeout_at" | "Timeout" | "Runner" | "Barrier" => 11,
        "eager_task_factory" | "create_eager_task_factory" => 12,
        _ => return None,
    };
    Some(PythonVersion::new(3, minor))
}

/// `sys.version_info` or `sys.version_info[:2]` (by the last two names: `version_info`
/// imported from `sys` too).
fn is_version_info(expr: &Expr) -> bool {
    let expr = match expr {
        Expr::Subscript(subscript) if subscript.slice.is_slice_expr() => &*subscript.value,
        other => other,
    };
    match expr {
        Expr::Attribute(attribute) => {
            attribute.attr.as_str() == "version_info"
                && matches!(&*attribute.value, Expr::Name(n) if n.id.as_str() == "sys")
        }
        Expr::Name(name) => name.id.as_str() == "version_info",
        _ => false,
    }
}

/// `(3, 10)`: a tuple of one or two small integers.
fn version_tuple(expr: &Expr) -> Option<PythonVersion> {
    let Expr::Tuple(tuple) = expr else { return None };
    let number = |expr: &Expr| match expr {
        Expr::NumberLiteral(ast::ExprNumberLiteral { value: ast::Number::Int(int), .. }) => {
            int.as_u8().filter(|&n| n < 100)
        }
        _ => None,
    };
    match &*tuple.elts {
        [major] => Some(PythonVersion::new(number(major)?, 0)),
        [major, minor, ..] => Some(PythonVersion::new(number(major)?, number(minor)?)),
        [] => None,
    }
}

/// The operator with its sides swapped (`(3, 10) > v` is `v < (3, 10)`).
fn flipped(op: CmpOp) -> Option<CmpOp> {
    match op {
        CmpOp::Gt => Some(CmpOp::Lt),
        CmpOp::LtE => Some(CmpOp::GtE),
        _ => None,
    }
}
