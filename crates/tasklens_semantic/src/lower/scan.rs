//! Pre-scans of a scope body: which names it binds, which it declares global
//! or nonlocal, and whether it yields.

use ruff_python_ast::name::Name;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use rustc_hash::FxHashSet;

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
    fn bind_target(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) => {
                self.scan.bound.insert(name.id.clone());
            }
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
                self.scan.bound.insert(def.name.id.clone());
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                return;
            }
            Stmt::ClassDef(class) => {
                self.scan.bound.insert(class.name.id.clone());
                return;
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.bind_target(target);
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
                    self.scan.bound.insert(name);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    if name.as_str() != "*" {
                        self.scan.bound.insert(name.id.clone());
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
                        self.scan.bound.insert(name.id.clone());
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
