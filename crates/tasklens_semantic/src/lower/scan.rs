//! Pre-scans of a scope body: which names it binds, which it declares global
//! or nonlocal, whether it yields, and a module's constant flags.

use ruff_python_ast::name::Name;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use rustc_hash::{FxHashMap, FxHashSet};

/// What a scope body binds, found before the body is lowered.
#[derive(Default)]
pub(crate) struct ScopeScan {
    pub bound: FxHashSet<Name>,
    pub globals: FxHashSet<Name>,
    pub nonlocals: FxHashSet<Name>,
    pub yields: bool,
    /// Attribute paths assigned or deleted (`self.task = ...`: `self.task`).
    pub stored_paths: FxHashSet<Name>,
    /// The body asks whether something was cancelled, or handles cancellation: a
    /// `.cancelled` attribute, the name `CancelledError` or `BaseException`, a bare
    /// `except:` (TL023).
    pub mentions_cancellation: bool,
    /// Names bound more than once (or deleted).
    rebound: FxHashSet<Name>,
    /// `NAME = True` / `NAME = False` statements, as found.
    flag_assignments: Vec<(Name, bool)>,
}

/// A module's constant flags: names its body binds once, to `True` or `False`, and no
/// function rebinds through `global` (`_IS_SYNC = True`, the flag of code generated for a
/// synchronous and an asynchronous API from one source). Not `TYPE_CHECKING = False`, which
/// type checkers take to be true: what it guards (imports, aliases) is what annotations name.
pub(crate) fn constant_flags(body: &[Stmt], scan: &ScopeScan) -> FxHashMap<Name, bool> {
    let mut flags: FxHashMap<Name, bool> = (scan.flag_assignments.iter())
        .filter(|(name, _)| !scan.rebound.contains(name) && name.as_str() != "TYPE_CHECKING")
        .cloned()
        .collect();
    if flags.is_empty() {
        return flags;
    }
    // `global NAME` anywhere (statements only: expressions hold no `global`).
    let mut blocks: Vec<&[Stmt]> = vec![body];
    while let Some(block) = blocks.pop() {
        for stmt in block {
            match stmt {
                Stmt::Global(global) => {
                    for name in &global.names {
                        flags.remove(&name.id);
                    }
                }
                Stmt::FunctionDef(def) => blocks.push(&def.body),
                Stmt::ClassDef(class) => blocks.push(&class.body),
                Stmt::If(if_stmt) => {
                    blocks.push(&if_stmt.body);
                    blocks.extend(if_stmt.elif_else_clauses.iter().map(|clause| &clause.body[..]));
                }
                Stmt::For(for_stmt) => blocks.extend([&for_stmt.body[..], &for_stmt.orelse[..]]),
                Stmt::While(while_stmt) => blocks.extend([&while_stmt.body[..], &while_stmt.orelse[..]]),
                Stmt::With(with) => blocks.push(&with.body),
                Stmt::Try(try_stmt) => {
                    blocks.extend([&try_stmt.body[..], &try_stmt.orelse[..], &try_stmt.finalbody[..]]);
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        blocks.push(&handler.body);
                    }
                }
                Stmt::Match(match_stmt) => blocks.extend(match_stmt.cases.iter().map(|case| &case.body[..])),
                _ => {}
            }
        }
    }
    flags
}

/// Scans a body without entering nested functions, classes or lambdas.
pub(crate) fn scan_body(body: &[Stmt]) -> ScopeScan {
    let mut scanner = Scanner { scan: ScopeScan::default(), depth: 0, paths: false };
    scanner.visit_body(body);
    scanner.scan
}

/// Whether an expression (a lambda's body) mentions cancellation (see
/// `ScopeScan::mentions_cancellation`).
pub(crate) fn mentions_cancellation(expr: &Expr) -> bool {
    let mut scanner = Scanner { scan: ScopeScan::default(), depth: 0, paths: false };
    scanner.visit_expr(expr);
    scanner.scan.mentions_cancellation
}

/// The names bound by assignment targets in a block, and the attribute paths it assigns
/// (for loop merges).
pub(crate) fn bound_names(body: &[Stmt]) -> FxHashSet<Name> {
    let mut scanner = Scanner { scan: ScopeScan::default(), depth: 0, paths: true };
    scanner.visit_body(body);
    let mut scan = scanner.scan;
    scan.bound.extend(scan.stored_paths);
    scan.bound
}

struct Scanner {
    scan: ScopeScan,
    depth: u32,
    /// Whether to collect the attribute paths assigned (only loop merges need them).
    paths: bool,
}

impl Scanner {
    fn bind(&mut self, name: &Name) {
        if !self.scan.bound.insert(name.clone()) {
            self.scan.rebound.insert(name.clone());
        }
    }

    fn bind_target(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) => self.bind(&name.id),
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for elt in elts {
                    self.bind_target(elt);
                }
            }
            Expr::Starred(starred) => self.bind_target(&starred.value),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Scanner {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth > super::MAX_DEPTH {
            return;
        }
        match stmt {
            Stmt::FunctionDef(def) => {
                self.bind(&def.name.id);
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                return;
            }
            Stmt::ClassDef(class) => {
                self.bind(&class.name.id);
                return;
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.bind_target(target);
                }
                if let ([Expr::Name(name)], Expr::BooleanLiteral(value)) = (&assign.targets[..], &*assign.value) {
                    self.scan.flag_assignments.push((name.id.clone(), value.value));
                }
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    if let Expr::Name(name) = target {
                        self.scan.rebound.insert(name.id.clone());
                    }
                }
            }
            Stmt::AnnAssign(assign) if assign.value.is_some() => self.bind_target(&assign.target),
            Stmt::AugAssign(assign) => self.bind_target(&assign.target),
            Stmt::For(for_stmt) => self.bind_target(&for_stmt.target),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.bind_target(vars);
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = match &alias.asname {
                        Some(asname) => asname.id.clone(),
                        None => Name::new(alias.name.id.split('.').next().unwrap_or_default()),
                    };
                    self.bind(&name);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    if name.as_str() != "*" {
                        self.bind(&name.id);
                    }
                }
            }
            Stmt::Global(global) => {
                self.scan.globals.extend(global.names.iter().map(|n| n.id.clone()));
            }
            Stmt::Nonlocal(nonlocal) => {
                self.scan.nonlocals.extend(nonlocal.names.iter().map(|n| n.id.clone()));
            }
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.scan.mentions_cancellation |= handler.type_.is_none();
                    if let Some(name) = &handler.name {
                        self.bind(&name.id);
                    }
                }
            }
            _ => {}
        }
        self.depth += 1;
        visitor::walk_stmt(self, stmt);
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth > super::MAX_DEPTH {
            return;
        }
        match expr {
            Expr::Attribute(attribute) if matches!(attribute.attr.as_str(), "cancelled" | "CancelledError") => {
                self.scan.mentions_cancellation = true;
            }
            Expr::Name(name) if matches!(name.id.as_str(), "CancelledError" | "BaseException") => {
                self.scan.mentions_cancellation = true;
            }
            _ => {}
        }
        match expr {
            Expr::Lambda(_) => return,
            Expr::Yield(_) | Expr::YieldFrom(_) => self.scan.yields = true,
            Expr::Named(named) => self.bind_target(&named.target),
            Expr::Attribute(attribute) if self.paths && !attribute.ctx.is_load() => {
                self.scan.stored_paths.extend(super::attribute_paths::attribute_path(expr));
            }
            // Comprehensions have their own scope, but a walrus inside binds here.
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {}
            _ => {}
        }
        self.depth += 1;
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }
}
