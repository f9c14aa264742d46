//! Python version guards: `if sys.version_info < (3, 10):` (and `>=`, `not`, a module-level
//! name bound to such a test, `sys.hexversion < 0x030A0000`, `hasattr(asyncio,
//! "create_task")`) makes the code in a branch
//! run only on older Pythons, which
//! the rules compare with the target version (a `loop=` under such a guard is no TL006).

use ruff_python_ast::{self as ast, CmpOp, Expr, UnaryOp};

use super::Lowerer;
use tasklens_db::PythonVersion;

/// What a version test says about each branch: the code runs only below a version
/// (`when_true`, `when_false`), or only from one on (`from_when_true`, `from_when_false`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct VersionTest {
    pub when_true: Option<PythonVersion>,
    pub when_false: Option<PythonVersion>,
    pub from_when_true: Option<PythonVersion>,
    pub from_when_false: Option<PythonVersion>,
}

impl VersionTest {
    /// `sys.version_info < bound` (negated: `>=`).
    fn below(bound: PythonVersion) -> Self {
        VersionTest { when_true: Some(bound), when_false: None, from_when_true: None, from_when_false: Some(bound) }
    }

    fn negated(self) -> Self {
        VersionTest {
            when_true: self.when_false,
            when_false: self.when_true,
            from_when_true: self.from_when_false,
            from_when_false: self.from_when_true,
        }
    }

    /// `a and b`: true only when both are; false says nothing of either alone.
    fn and(self, other: Self) -> Self {
        VersionTest {
            when_true: tighter(self.when_true, other.when_true),
            when_false: None,
            from_when_true: self.from_when_true.max(other.from_when_true),
            from_when_false: None,
        }
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
            // `a and b` (`or` is `not (not a and not b)`), over the operands that are tests.
            Expr::BoolOp(bool_op) => {
                let or = bool_op.op == ast::BoolOp::Or;
                let tests = bool_op.values.iter().filter_map(|value| self.version_test(value));
                let tests = tests.map(|test| if or { test.negated() } else { test });
                let combined = tests.reduce(VersionTest::and)?;
                Some(if or { combined.negated() } else { combined })
            }
            // `hasattr(asyncio, "create_task")`: false only before the name came; and
            // `hasattr(self.loop, "shutdown_default_executor")` of a newer method.
            Expr::Call(call) => {
                let [owner, Expr::StringLiteral(name)] = &*call.arguments.args else { return None };
                let is_hasattr = matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "hasattr");
                if !is_hasattr || !call.arguments.keywords.is_empty() {
                    return None;
                }
                let name = name.value.to_str();
                let since = match owner {
                    Expr::Name(module) if module.id.as_str() == "asyncio" => asyncio_name_since(name)?,
                    _ => asyncio_method_since(name)?,
                };
                Some(VersionTest::below(since).negated())
            }
            Expr::Compare(compare) => {
                let ([op], [right]) = (&*compare.ops, &*compare.comparators) else { return None };
                if let Some(test) = hexversion_test(&compare.left, *op, right) {
                    return Some(test);
                }
                // `sys.version_info < (3, 10)`, or the same written the other way round.
                let (op, info, tuple) = match (is_version_info(&compare.left), is_version_info(right)) {
                    (true, false) => (*op, &*compare.left, right),
                    (false, true) => (flipped(*op)?, right, &*compare.left),
                    _ => return None,
                };
                let version = version_tuple(tuple)?;
                // `sys.version_info[:2] <= (3, 10)` is `< (3, 11)`. The whole
                // `sys.version_info` is longer than `(3, 10)`, so there `<=` is `<`, `>` is
                // `>=`, and `==` never holds.
                let pair = info.is_subscript_expr() && matches!(tuple, Expr::Tuple(t) if t.elts.len() == 2);
                let after = pair.then(|| PythonVersion::new(version.major, version.minor + 1));
                match op {
                    CmpOp::Lt => Some(VersionTest::below(version)),
                    CmpOp::GtE => Some(VersionTest::below(version).negated()),
                    CmpOp::LtE => Some(VersionTest::below(after.unwrap_or(version))),
                    CmpOp::Gt => Some(VersionTest::below(after.unwrap_or(version)).negated()),
                    // `sys.version_info[:2] == (3, 11)`: from 3.11 and below 3.12.
                    CmpOp::Eq | CmpOp::NotEq => {
                        let test = VersionTest::below(after?).and(VersionTest::below(version).negated());
                        Some(if op == CmpOp::Eq { test } else { test.negated() })
                    }
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

    /// After an operand of `and` (`is_and`) or `or`: when it is a version test
    /// (`sys.version_info >= (3, 11) and task.cancelling()`), the operands after it run
    /// only where it let the chain go on.
    pub(super) fn version_chain(&mut self, operand: &Expr, is_and: bool) {
        if let Some(test) = self.version_test(operand) {
            self.runs_from(if is_and { test.from_when_true } else { test.from_when_false });
        }
    }

    /// A test or test class under `@pytest.mark.skipif(sys.version_info < (3, 11), ...)`
    /// (`@unittest.skipIf`, `@unittest.skipUnless`, a module-level name bound to such a
    /// marker, or `pytestmark = ...` for the module's own definitions) runs only where the
    /// test lets it.
    pub(super) fn skipped_on_versions(&mut self, decorators: &[ast::Decorator]) {
        let mut tests: Vec<VersionTest> = decorators.iter().filter_map(|d| self.runs_when(&d.expression)).collect();
        // `pytestmark` marks every test of the module; a definition at module level (the
        // scope just pushed is the second) is one.
        if self.scopes.len() == 2 {
            tests.extend(self.module_runs_when);
        }
        for test in tests {
            self.runs_below(test.when_true);
            self.runs_from(test.from_when_true);
        }
    }

    /// What a skip marker says about where the marked test runs, as a test that holds
    /// where it runs: `skipif(c)` runs where `c` is false, `skipUnless(c)` where it holds.
    fn runs_when(&self, marker: &Expr) -> Option<VersionTest> {
        let call = match marker {
            Expr::Name(name) => return self.skip_markers.get(&name.id).copied(),
            Expr::Call(call) => call,
            _ => return None,
        };
        let name = match &*call.func {
            Expr::Attribute(attribute) => attribute.attr.as_str(),
            Expr::Name(name) => name.id.as_str(),
            _ => return None,
        };
        let test = self.version_test(call.arguments.args.first()?)?;
        match name {
            "skipif" | "skipIf" => Some(test.negated()),
            "skipUnless" => Some(test),
            _ => None,
        }
    }

    /// `requires_311 = pytest.mark.skipif(sys.version_info < (3, 11), ...)` at module level:
    /// `@requires_311` marks the same; `pytestmark = ...` (or a list with it) marks the
    /// module's tests.
    fn note_skip_marker(&mut self, name: &ruff_python_ast::name::Name, value: &Expr) {
        if name.as_str() == "pytestmark" {
            let markers = match value {
                Expr::List(list) => &list.elts[..],
                Expr::Tuple(tuple) => &tuple.elts[..],
                other => std::slice::from_ref(other),
            };
            let tests = markers.iter().filter_map(|marker| self.runs_when(marker));
            self.module_runs_when = tests.reduce(VersionTest::and);
        } else if let Some(test) = self.runs_when(value) {
            self.skip_markers.insert(name.clone(), test);
        }
    }

    /// The code that follows runs only from `bound` on too (a branch of a version test).
    pub(super) fn runs_from(&mut self, bound: Option<PythonVersion>) {
        let flow = self.flow();
        flow.above = flow.above.max(bound);
    }

    /// `PY310 = sys.version_info >= (3, 10)` at module level: `if PY310:` tests the same.
    pub(super) fn note_version_alias(&mut self, target: &Expr, value: &Expr) {
        let Expr::Name(name) = target else { return };
        if let Some(test) = self.version_test(value) {
            self.version_aliases.insert(name.id.clone(), test);
        } else {
            self.note_skip_marker(&name.id, value);
        }
    }
}

/// The version that added a name to `asyncio` (among those compatibility code tests for,
/// and TL016 reports where the declared target predates them).
pub fn asyncio_name_since(name: &str) -> Option<PythonVersion> {
    let minor = match name {
        "create_task" | "get_running_loop" | "current_task" | "all_tasks" | "run" => 7,
        "to_thread" => 9,
        "TaskGroup" | "timeout" | "timeout_at" | "Timeout" | "Runner" | "Barrier" | "BrokenBarrierError" => 11,
        "eager_task_factory" | "create_eager_task_factory" => 12,
        "QueueShutDown" => 13,
        _ => return None,
    };
    Some(PythonVersion::new(3, minor))
}

/// The version that gave asyncio's Tasks or event loops the method `name`, for those
/// added after 3.8 (checked with `hasattr` under CPython 3.8 to 3.13; a Task's are those a
/// plain Future lacks). `hasattr(task, "cancelling")` guards on it as on a version.
pub fn asyncio_method_since(name: &str) -> Option<PythonVersion> {
    let minor = match name {
        "shutdown_default_executor" => 9,
        "cancelling" | "uncancel" => 11,
        "get_context" => 12,
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

/// `sys.hexversion < 0x030A0000` (or the other way round): a release below 3.10. A bound
/// past the first release of a minor version (`0x030A0100`, 3.10.1) lets part of that
/// version in: code below it may run on 3.10, and code from it on runs from 3.10.
fn hexversion_test(left: &Expr, op: CmpOp, right: &Expr) -> Option<VersionTest> {
    let is_hexversion = |expr: &Expr| match expr {
        Expr::Attribute(attribute) => {
            attribute.attr.as_str() == "hexversion"
                && matches!(&*attribute.value, Expr::Name(n) if n.id.as_str() == "sys")
        }
        Expr::Name(name) => name.id.as_str() == "hexversion",
        _ => false,
    };
    let number = |expr: &Expr| match expr {
        Expr::NumberLiteral(ast::ExprNumberLiteral { value: ast::Number::Int(int), .. }) => int.as_u64(),
        _ => None,
    };
    let (op, bound) = match (is_hexversion(left), is_hexversion(right)) {
        (true, false) => (op, number(right)?),
        (false, true) => (flipped(op)?, number(left)?),
        _ => return None,
    };
    // `<= n` is `< n + 1`, `> n` is `>= n + 1`.
    let bound = match op {
        CmpOp::LtE | CmpOp::Gt => bound + 1,
        _ => bound,
    };
    let (major, minor, rest) = ((bound >> 24) & 0xff, (bound >> 16) & 0xff, bound & 0xffff);
    let version = |minor: u64| Some(PythonVersion::new(u8::try_from(major).ok()?, u8::try_from(minor).ok()?));
    // Code below the bound runs below the next minor version when the bound lies within
    // one; code from it on runs from that minor version.
    let below = VersionTest {
        when_true: version(if rest > 0xf0 { minor + 1 } else { minor }),
        when_false: None,
        from_when_true: None,
        from_when_false: version(minor),
    };
    match op {
        CmpOp::Lt | CmpOp::LtE => Some(below),
        CmpOp::GtE | CmpOp::Gt => Some(below.negated()),
        _ => None,
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
        CmpOp::GtE => Some(CmpOp::LtE),
        CmpOp::Lt => Some(CmpOp::Gt),
        CmpOp::LtE => Some(CmpOp::GtE),
        CmpOp::Eq | CmpOp::NotEq => Some(op),
        _ => None,
    }
}
