//! `await` of what cannot be awaited: what a plain `def` gives (None or a constant), a
//! function itself, not called, or a `concurrent.futures.Future` (TL013).

use ruff_text_size::TextRange;
use rustc_hash::FxHashMap;
use tasklens_semantic::facts::Constraint;

use super::producers::{CallResults, call_result_site, function_producer, plain_result, producer};
use super::trace::trace;
use super::{Location, Producer, Step, call_at, failure_expected, file_of, runs_below, type_error_handled};
use crate::objects::{GNode, Obj, ObjId};
use crate::solver::Solved;

/// `await f()` where every function the call runs is a plain `def` with no `return`, or
/// whose `return`s give only constants, or `await f` of a function itself: `await` raises
/// TypeError.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitOnNonAwaitable {
    /// The awaited call (or, for a function awaited uncalled, the awaited expression).
    pub at: Location,
    pub callee: TextRange,
    /// The plain function (a `Producer::PlainResult`), or the function awaited uncalled (a
    /// `Producer::Function`).
    pub producer: Producer,
    /// The function awaited uncalled was read from an instance: a bound method.
    pub method: bool,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
    /// For a `concurrent.futures.Future`, the hops from the call that made it to the
    /// `await`.
    pub steps: Vec<Step>,
}

pub(super) fn awaits_on_non_awaitables(solved: &Solved) -> Vec<AwaitOnNonAwaitable> {
    let mut call_results = CallResults::default();
    let mut found = Vec::new();
    for (index, module) in solved.modules.modules.iter().enumerate() {
        // Where an awaited `concurrent.futures.Future` is read from, built only if one is.
        let mut references: Option<FxHashMap<GNode, usize>> = None;
        let awaited = module.facts.constraints.iter().filter_map(|constraint| match constraint {
            Constraint::Await { value, .. } => Some(module.node_base + value),
            _ => None,
        });
        for node in awaited {
            if let Some(thread_future) = awaited_thread_future(solved, &mut call_results, index, node, &mut references)
            {
                found.extend(thread_future);
                continue;
            }
            let Some((site, producer)) = plain_result(solved, &mut call_results, index as u32, node) else { continue };
            if type_error_handled(solved, site) || failure_expected(solved, site) || super::sites::patched(solved, site)
            {
                continue;
            }
            let at = call_at(solved, site);
            found.push(AwaitOnNonAwaitable {
                at: Location { file: file_of(solved, index as u32), range: at.range },
                callee: at.callee,
                producer,
                method: false,
                below: runs_below(solved, site),
                steps: Vec::new(),
            });
        }
    }
    // `await self.close` (not called): a function or method object, never awaitable.
    for (index, module) in solved.modules.modules.iter().enumerate() {
        for (entry, (node, name)) in module.facts.awaited_references.iter().enumerate() {
            let node = module.node_base + node;
            // `await asyncio.sleep`: one of asyncio's coroutine functions itself.
            if let Some(path) = asyncio_function_named(solved, node, name) {
                let range = solved.positions[index].awaited_references[entry];
                let at = Location { file: file_of(solved, index as u32), range };
                found.push(AwaitOnNonAwaitable {
                    at,
                    callee: range,
                    producer: Producer::AsyncioFunction { at, path },
                    method: false,
                    below: None,
                    steps: Vec::new(),
                });
                continue;
            }
            let mut functions = solved.sets.get(node).iter().map(|&obj| match solved.objs[obj as usize] {
                Obj::Function(func) => Some((func, false)),
                Obj::Bound(func) => Some((func, true)),
                _ => None,
            });
            // The one function the name written there names (a callable kept under another
            // name is whatever some caller gave), and no decorator that may make it one.
            let Some(Some((func, bound))) = functions.next() else { continue };
            let facts = solved.modules.func(func).1;
            if facts.opaque || facts.name != *name || !functions.all(|other| other == Some((func, bound))) {
                continue;
            }
            let range = solved.positions[index].awaited_references[entry];
            found.push(AwaitOnNonAwaitable {
                at: Location { file: file_of(solved, index as u32), range },
                callee: range,
                producer: function_producer(solved, func, bound),
                method: bound,
                below: None,
                steps: Vec::new(),
            });
        }
    }
    found
}

/// Per module: the awaited name or attribute each node is read from.
fn awaited_references(solved: &Solved, module: usize) -> FxHashMap<GNode, usize> {
    let module = &solved.modules.modules[module];
    (module.facts.awaited_references.iter().enumerate())
        .map(|(entry, (node, _))| (module.node_base + node, entry))
        .collect()
}

/// `await pool.submit(f)`, `await fut` of what `run_coroutine_threadsafe` gave: where every
/// value awaited at `node` is a `concurrent.futures.Future` (`TypeError: object Future
/// can't be used in 'await' expression`), `Some` with the finding unless the failure is
/// handled or expected. Located at the awaited call, name or attribute; other expressions
/// (`await futures[0]`) give `Some(None)`.
fn awaited_thread_future(
    solved: &Solved,
    call_results: &mut CallResults,
    module: usize,
    node: GNode,
    references: &mut Option<FxHashMap<GNode, usize>>,
) -> Option<Option<AwaitOnNonAwaitable>> {
    let objs = solved.sets.get(node);
    let &obj = objs.first()?;
    let is_thread_future =
        |o: &ObjId| matches!(solved.objs[*o as usize], Obj::Future(s) if solved.thread_futures.contains(&s));
    if !objs.iter().all(is_thread_future) {
        return None;
    }
    let Obj::Future(made) = solved.objs[obj as usize] else { return None };
    // The awaited call, or (for a name) the call that made the Future, is where a `try`
    // that catches TypeError or a test expecting it is looked for.
    let (range, callee, site) = match call_result_site(solved, call_results, module as u32, node, true) {
        Some(site) => {
            let at = call_at(solved, site);
            (at.range, at.callee, site)
        }
        None => {
            let references = references.get_or_insert_with(|| awaited_references(solved, module));
            let Some(&entry) = references.get(&node) else { return Some(None) };
            let range = solved.positions[module].awaited_references[entry];
            (range, range, made)
        }
    };
    if type_error_handled(solved, site) || failure_expected(solved, site) {
        return Some(None);
    }
    Some(producer(solved, solved.objs[obj as usize]).map(|producer| AwaitOnNonAwaitable {
        at: Location { file: file_of(solved, module as u32), range },
        callee,
        producer,
        method: false,
        below: runs_below(solved, site),
        steps: trace(solved, node, obj),
    }))
}

/// The path of the one asyncio coroutine function every value at `node` is, when the name
/// written there is its name (`await asyncio.sleep`, `await sleep` after `from asyncio
/// import sleep`).
fn asyncio_function_named(solved: &Solved, node: GNode, name: &ruff_python_ast::name::Name) -> Option<String> {
    let mut paths = solved.sets.get(node).iter().map(|&obj| match solved.objs[obj as usize] {
        Obj::External(path) => Some(solved.paths[path as usize].as_str()),
        _ => None,
    });
    let first = paths.next()??;
    let named = first.rsplit('.').next() == Some(name.as_str());
    (named && super::unawaited::asyncio_coroutine_path(first) && paths.all(|other| other == Some(first)))
        .then(|| first.to_string())
}
