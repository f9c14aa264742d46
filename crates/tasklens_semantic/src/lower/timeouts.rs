//! Awaited calls and the handlers around them, as far as asyncio's `TimeoutError` goes:
//! before Python 3.11 it is not the builtin `TimeoutError`, so `except TimeoutError:`
//! around `await asyncio.wait_for(...)` lets it through (TL021).

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::Lowerer;
use crate::facts::{SiteId, TimeoutAwait};
use crate::positions::TimeoutCatcher;

/// What a block's handlers do with asyncio's `TimeoutError` before 3.11.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TimeoutCatch {
    /// They catch the builtin `TimeoutError` (this one of `Positions::timeout_catchers`)
    /// and, besides it, only other builtin exceptions.
    BuiltinOnly(u32),
    /// They catch asyncio's (`asyncio.TimeoutError`, `Exception`, a bare `except:`), or
    /// may (a class the lowering cannot place).
    Asyncio,
}

/// An exception class a handler names (`None` for a bare `except:`), and whether it is
/// listed among others where one more may be added (see `TimeoutCatcher::listed`).
pub(super) type CaughtType<'e> = (Option<&'e Expr>, bool);

/// `x.result(timeout)` or `x.exception(timeout)` (by position or keyword): on a
/// `concurrent.futures.Future` it raises that module's `TimeoutError`.
pub(super) fn waits_with_timeout(call: &ast::ExprCall) -> bool {
    let Expr::Attribute(attribute) = &*call.func else { return false };
    matches!(attribute.attr.as_str(), "result" | "exception")
        && (!call.arguments.args.is_empty()
            || call.arguments.keywords.iter().any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "timeout")))
}

/// The exception classes a `try`'s handlers name.
pub(super) fn handler_types(stmt: &ast::StmtTry) -> Vec<CaughtType<'_>> {
    let mut types = Vec::new();
    for handler in &stmt.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        match handler.type_.as_deref() {
            None => types.push((None, false)),
            Some(Expr::Tuple(tuple)) => types.extend(tuple.elts.iter().map(|e| (Some(e), true))),
            Some(other) => types.push((Some(other), false)),
        }
    }
    types
}

/// The exception classes the arguments of `suppress(...)` (`suppressing`) or of a test's
/// `pytest.raises(...)` name.
pub(super) fn argument_types(call: &ast::ExprCall, suppressing: bool) -> Vec<CaughtType<'_>> {
    let mut types = Vec::new();
    for argument in &call.arguments.args {
        match argument {
            Expr::Tuple(tuple) => types.extend(tuple.elts.iter().map(|e| (Some(e), true))),
            other => types.push((Some(other), suppressing)),
        }
    }
    types
}

impl Lowerer {
    /// What handlers of `types` do with asyncio's `TimeoutError`; `None` when they catch
    /// neither it nor the builtin one.
    pub(super) fn timeout_catch<'e>(
        &mut self,
        types: impl IntoIterator<Item = CaughtType<'e>>,
    ) -> Option<TimeoutCatch> {
        let mut builtin = None;
        for (type_, listed) in types {
            let Some(type_) = type_ else { return Some(TimeoutCatch::Asyncio) };
            match type_ {
                Expr::Name(name) if self.is_builtin_unless_starred(&name.id) => match name.id.as_str() {
                    "TimeoutError" => {
                        self.facts.timeout_error_starred |= !self.facts.star_imports.is_empty();
                        builtin = builtin.or(Some(TimeoutCatcher { range: name.range(), listed }));
                    }
                    "Exception" | "BaseException" => return Some(TimeoutCatch::Asyncio),
                    // Another builtin exception: not asyncio's `TimeoutError` before 3.11.
                    _ => {}
                },
                // asyncio's other exceptions (`asyncio.CancelledError`) are not it.
                Expr::Attribute(attribute)
                    if crate::annotation::dotted_name(type_).is_some_and(|path| path[0].as_str() == "asyncio")
                        && attribute.attr.as_str() != "TimeoutError" => {}
                _ => return Some(TimeoutCatch::Asyncio),
            }
        }
        let catcher = builtin?;
        self.positions.timeout_catchers.push(catcher);
        Some(TimeoutCatch::BuiltinOnly((self.positions.timeout_catchers.len() - 1) as u32))
    }

    /// Records the awaited call `site` with the handlers around it in its function, when
    /// one of them catches only the builtin `TimeoutError` or none catches asyncio's; a call
    /// that waits with a timeout without being awaited (`future.result(timeout)`), only in
    /// the first case.
    pub(super) fn note_timeout_call(&mut self, site: SiteId, awaited: bool) {
        if awaited && !self.in_coroutine() {
            return;
        }
        let (mut catcher, mut escapes) = (None, true);
        for entry in self.timeout_catchers.iter().rev() {
            match *entry {
                TimeoutCatch::Asyncio => {
                    escapes = false;
                    break;
                }
                TimeoutCatch::BuiltinOnly(id) => catcher = catcher.or(Some(id)),
            }
        }
        let escapes = escapes && awaited;
        if catcher.is_some() || escapes {
            self.facts.timeout_awaits.push(TimeoutAwait { site, catcher, escapes });
        }
    }
}
