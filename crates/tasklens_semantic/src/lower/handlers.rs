//! Lowering of `try` and `with`, and what their blocks handle: the exceptions a handler
//! or a catching context manager (`suppress`, `pytest.raises`) covers, the `TimeoutError`
//! a handler catches (TL021), and the names a test's `patch(...)` replaces.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::{Flow, Lowerer, Val};
use crate::facts::{Constraint, NodeId, ProtocolUse};

impl Lowerer {
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
            if let Some(name) = patched_name(&item.context_expr) {
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

/// Whether `handler` names `exception` itself (alone or in a tuple), not only a base
/// class or nothing at all.
fn catches_by_name(handler: &ast::ExceptHandlerExceptHandler, exception: &str) -> bool {
    handler.type_.as_deref().is_some_and(|type_| match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().any(|e| names_exactly(e, exception)),
        other => names_exactly(other, exception),
    })
}

/// Whether `expr` names `exception` itself (`ValueError`, `builtins.ValueError`).
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
pub(super) fn last_name(expr: &Expr) -> Option<Name> {
    crate::annotation::dotted_name(expr)?.last().cloned()
}

/// What `patch("app.api.fetch")`, `mock.patch(...)` or `patch.object(Client, "fetch")`
/// replaces, by its last name, when `expr` is such a call with the target spelled out.
pub(super) fn patched_name(expr: &Expr) -> Option<Name> {
    let Expr::Call(call) = expr else { return None };
    let path = crate::annotation::dotted_name(&call.func)?;
    let names: Vec<&str> = path.iter().map(Name::as_str).collect();
    let target = match names.as_slice() {
        [.., "patch"] => call.arguments.args.first()?,
        [.., "patch", "object"] => call.arguments.args.get(1)?,
        _ => return None,
    };
    let target = target.as_string_literal_expr()?.value.to_str();
    Some(Name::new(target.rsplit('.').next()?))
}
