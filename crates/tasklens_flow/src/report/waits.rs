//! `asyncio.wait(fs)` calls that coroutines reach: Python 3.11 refuses them (TL008).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use tasklens_semantic::facts::Part;

use super::producers::named_functions;
use super::trace::trace;
use super::{CallContext, Location, Step, call_at, failure_expected, file_of, runs_below, type_error_handled};
use crate::objects::{GFunc, GNode, Obj, ObjId};
use crate::solver::Solved;

/// Coroutines reaching `asyncio.wait`, which takes Futures and Tasks: up to Python 3.10 it
/// wrapped a coroutine in a Task itself (deprecated since 3.8), from 3.11 it raises
/// `TypeError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitOnCoroutine {
    /// The `asyncio.wait(...)` call.
    pub at: Location,
    pub callee: TextRange,
    /// The `fs` argument (a positional argument, or the value of `fs=`).
    pub argument: TextRange,
    /// The project's `async def`s whose coroutines reach it, in source order, with where
    /// each is defined.
    pub functions: Vec<(Name, Location)>,
    /// How the first of those functions' coroutines came to the argument (into the
    /// collection, for one given as an element).
    pub steps: Vec<Step>,
    /// Coroutines of asyncio's own (`event.wait()`, `asyncio.sleep(1)`, `queue.get()`) reach it.
    pub asyncio_coroutines: bool,
    /// Every value that reaches it is a coroutine: wrapping each element in a Task is
    /// what the call needs.
    pub only_coroutines: bool,
    /// The argument itself is a coroutine, not a collection of them: `TypeError` in every
    /// version (`asyncio.wait` wants an iterable).
    pub bare: bool,
    pub context: CallContext,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// Each `asyncio.wait` call that a coroutine can reach, directly or as an element of `fs`.
pub(super) fn waits_on_coroutines(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<WaitOnCoroutine> {
    let mut found = Vec::new();
    for &(site, fs) in &solved.wait_sites {
        let (module, call) = solved.modules.site(site);
        // A spread argument hides which one is `fs`; compatibility code and tests that expect
        // the failure are left alone.
        if call.has_spread || type_error_handled(solved, site) || failure_expected(solved, site) {
            continue;
        }
        // Each value given, with the node it was found at (the argument, or the slot of the
        // collection it is an element of).
        let mut elements: Vec<(ObjId, GNode)> = Vec::new();
        let (mut bare, mut others) = (false, false);
        for &obj in solved.sets.get(fs) {
            let container = match solved.objs[obj as usize] {
                value if value.is_coroutine() => {
                    bare = true;
                    elements.push((obj, fs));
                    continue;
                }
                Obj::Container(container, _) => solved.part_nodes.get(&(container, Part::Values)),
                Obj::View(container, _, part) => solved.part_nodes.get(&(container, part)),
                _ => {
                    others = true;
                    continue;
                }
            };
            // A container nothing was stored in has no slot.
            if let Some(&values) = container {
                elements.extend(solved.sets.get(values).iter().map(|&obj| (obj, values)));
            }
        }
        elements.sort_unstable();
        elements.dedup_by_key(|&mut (obj, _)| obj);
        let coroutines: Vec<(Obj, ObjId, GNode)> = (elements.iter())
            .map(|&(obj, node)| (solved.objs[obj as usize], obj, node))
            .filter(|(value, ..)| value.is_coroutine())
            .collect();
        if coroutines.is_empty() {
            continue;
        }
        let project_function = |value: Obj| match value {
            Obj::Coro(Some(func)) | Obj::CoroCall(_, func) => Some(func),
            _ => None,
        };
        let mut functions: Vec<GFunc> = coroutines.iter().filter_map(|&(value, ..)| project_function(value)).collect();
        functions.sort_unstable();
        functions.dedup();
        // The way of one coroutine of the first function (functions in source order).
        let steps = (functions.first())
            .and_then(|&first| coroutines.iter().find(|&&(value, ..)| project_function(value) == Some(first)))
            .map(|&(_, obj, node)| trace(solved, node, obj))
            .unwrap_or_default();
        let asyncio_coroutines = coroutines.iter().any(|&(value, ..)| project_function(value).is_none());
        let at = call_at(solved, site);
        let argument = match call.args.first() {
            Some(_) => at.arg(0),
            None => match call.keywords.iter().position(|k| k.name.as_str() == "fs") {
                Some(index) => at.keyword_value(index),
                None => continue,
            },
        };
        found.push(WaitOnCoroutine {
            at: Location { file: file_of(solved, module), range: at.range },
            callee: at.callee,
            argument,
            functions: named_functions(solved, functions),
            steps,
            asyncio_coroutines,
            only_coroutines: !others && coroutines.len() == elements.len(),
            bare,
            context: context_of(site),
            below: runs_below(solved, site),
        });
    }
    found
}
