//! Calls whose result is handed over where a function to call back is meant (TL014):
//! `loop.call_soon(self.refresh())`, `run_in_executor(None, blocking(path))`.

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;

use tasklens_semantic::facts::{FunctionKind, ReturnShape};

use super::producers::{CallResults, call_result_site, function_location};
use super::{Location, call_at, every_value, failure_expected, file_of, runs_below, type_error_handled};
use crate::objects::{GNode, GSite, Obj};
use crate::solver::{CallbackArgument, CallbackCaller, Solved};

/// A call of a project function given where the loop, another thread or plain code
/// expects a function to call later: what it hands over is the call's result, which is
/// not callable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalledCallback {
    /// The call that hands the result over (`loop.call_soon(...)`).
    pub at: Location,
    pub callee: TextRange,
    /// The call given as the argument (`self.refresh()`), and its callee (`self.refresh`).
    pub call: TextRange,
    pub call_callee: TextRange,
    pub function: Name,
    /// Where the function is.
    pub defined: Location,
    pub result: CalledResult,
    pub caller: CallbackCaller,
    /// Whether `f(a, b)` may become `f, a, b`: the call hands its later positional
    /// arguments on, the argument is its last positional one, and the inner call has
    /// only positional arguments.
    pub forwardable: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// What the call given as a callback gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalledResult {
    /// A coroutine of a project `async def`, which nothing awaits.
    Coroutine,
    /// None, from a plain `def` with no `return`.
    None,
    /// A constant (a plain `def` that returns only literals).
    Literal,
}

pub(super) fn called_callbacks(solved: &Solved) -> Vec<CalledCallback> {
    let mut call_results = CallResults::default();
    let mut found = Vec::new();
    for &CallbackArgument { site, node, caller, forwards } in &solved.callback_arguments {
        if failure_expected(solved, site) || type_error_handled(solved, site) || super::sites::patched(solved, site) {
            continue;
        }
        // A project class may define an `add_done_callback` of its own.
        if let Some(&receiver) = solved.done_callback_receivers.get(&site)
            && !every_value(solved, receiver, |value| {
                matches!(value, Obj::Task(_) | Obj::Future(_) | Obj::FutureSummary(_) | Obj::ParamFuture(_))
            })
        {
            continue;
        }
        let module = solved.modules.site_module(site);
        let Some(inner) = call_result_site(solved, &mut call_results, module, node, true) else { continue };
        let Some((function, result)) = called_result(solved, inner, node) else { continue };
        // `filter(None, xs)` and `sorted(xs, key=None)` take None for no function.
        if matches!(caller, CallbackCaller::Filter | CallbackCaller::SortKey) && result == CalledResult::None {
            continue;
        }
        let (outer_call, inner_call) = (solved.modules.site(site).1, solved.modules.site(inner).1);
        let (at, inner_at) = (call_at(solved, site), call_at(solved, inner));
        let base = solved.modules.modules[module as usize].node_base;
        let given = |local: Option<u32>| local.is_some_and(|local| base + local == node);
        // Given positionally or by keyword (`Thread(target=...)`), as the argument itself.
        let argument = match outer_call.args.iter().position(|arg| given(arg.node)) {
            Some(index) => at.arg(index),
            None => match outer_call.keywords.iter().position(|keyword| given(keyword.node)) {
                Some(index) => at.keyword_value(index),
                None => continue,
            },
        };
        if argument != inner_at.range {
            continue;
        }
        let last_positional = outer_call.args.last().is_some_and(|arg| given(arg.node));
        let forwardable = forwards
            && last_positional
            && !outer_call.has_spread
            && !inner_call.has_spread
            && inner_call.keywords.is_empty();
        found.push(CalledCallback {
            at: Location { file: file_of(solved, module), range: at.range },
            callee: at.callee,
            call: inner_at.range,
            call_callee: inner_at.callee,
            function: solved.modules.func(function).1.name.clone(),
            defined: function_location(solved, function),
            result,
            caller,
            forwardable,
            below: runs_below(solved, site),
        });
    }
    found
}

/// The function the call at `site` runs and what it gives at `node`, when that is never
/// callable:
/// the coroutine of `async def`s no decorator may have wrapped, or what plain `def`s give
/// that return nothing or only constants: functions, and methods whose body does something
/// (a method that is only `pass` may be a hook that subclasses outside the project fill
/// in, perhaps with a factory of callbacks).
fn called_result(solved: &Solved, site: GSite, node: GNode) -> Option<(u32, CalledResult)> {
    let callees: Vec<u32> = super::callees(solved, site).collect();
    let &first = callees.first()?;
    let facts = |func: u32| solved.modules.func(func).1;
    if callees.iter().all(|&func| facts(func).makes_coroutine() && !facts(func).opaque)
        && every_value(solved, node, Obj::is_coroutine)
    {
        return Some((first, CalledResult::Coroutine));
    }
    let returns_none = |func: u32| {
        let facts = facts(func);
        let plain = match facts.kind {
            FunctionKind::Function => true,
            FunctionKind::Method | FunctionKind::StaticMethod | FunctionKind::ClassMethod => !facts.stub,
            FunctionKind::Property | FunctionKind::Lambda => false,
        };
        plain && facts.runs_when_called() && !facts.opaque && facts.completes && facts.returns == ReturnShape::Unset
    };
    // Nothing else may come out of the call: a receiver that may be unknown gives unknown.
    if !solved.sets.get(node).is_empty() || !callees.iter().all(|&func| returns_none(func)) {
        return None;
    }
    let literal = callees.iter().any(|&func| facts(func).returns_literal);
    Some((first, if literal { CalledResult::Literal } else { CalledResult::None }))
}
