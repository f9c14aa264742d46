//! asyncio APIs and Task methods used where the project says it runs on Pythons that
//! lack them (TL016): `asyncio.TaskGroup()` with `requires-python = ">=3.9"`, or
//! `task.cancelling()` on a Task followed from where it was made.

use ruff_python_ast::name::Name;
use tasklens_db::PythonVersion;

use super::sites::{follow_copies, type_error_excused};
use super::{Location, call_at, failure_expected, file_of, runs_below, runs_from, site_listed};
use crate::objects::Obj;
use crate::solver::Solved;
use tasklens_semantic::facts::ProtocolUse;

/// A use of an asyncio name or Task method that Python `since` added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewerApiUse {
    /// The called expression (`asyncio.TaskGroup`), or the method's name.
    pub at: Location,
    pub api: NewerApi,
    pub since: PythonVersion,
    /// The use runs only from this version on (a version guard).
    pub from_version: Option<PythonVersion>,
    /// The use runs only on Pythons older than this (a version guard).
    pub below: Option<PythonVersion>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewerApi {
    /// A function or class of asyncio, as the call's callee resolved (`asyncio.TaskGroup`).
    Function { path: String },
    /// A method of a Task (`cancelling`), called on a value that can be one.
    TaskMethod { method: Name },
    /// A method of an event loop (`shutdown_default_executor`), called on one.
    LoopMethod { method: String },
    /// `task.cancel(msg)` (or `future.cancel(msg=...)`), which takes a message from 3.9 on.
    CancelMessage,
    /// `from asyncio import TaskGroup`, which fails at import time where the name is missing.
    Import { name: Name },
    /// `async for` over what an asyncio function returns (`asyncio.as_completed(...)`),
    /// which older Pythons only iterate with `for` (TypeError).
    AsyncIteration { path: String },
    /// A keyword argument a later Python gave an asyncio function or class
    /// (`asyncio.run(main(), loop_factory=...)`), at the keyword.
    Keyword { path: String, keyword: Name },
}

pub(super) fn newer_api_uses(solved: &Solved) -> Vec<NewerApiUse> {
    let mut found = Vec::new();
    for (site, path) in &solved.newer_api_sites {
        let Some(since) = crate::asyncio_api::api_added_in(path) else { continue };
        // Under an `if` the test may be what makes it safe (`if self.uncancellable:`).
        let module = solved.modules.site_module(*site);
        // Calls through `from asyncio import X` are reported at the import.
        let compat_call = site_listed(solved, *site, |facts| &facts.compat_calls)
            || site_listed(solved, *site, |facts| &facts.calls_through_newer_imports);
        if failure_expected(solved, *site) || compat_call || solved.modules.site(*site).1.guarded {
            continue;
        }
        found.push(NewerApiUse {
            at: Location { file: file_of(solved, module), range: call_at(solved, *site).callee },
            api: match path.strip_prefix(crate::asyncio_api::LOOP_METHODS) {
                Some(method) => NewerApi::LoopMethod { method: method.to_string() },
                None => NewerApi::Function { path: path.clone() },
            },
            since,
            from_version: runs_from(solved, *site),
            below: runs_below(solved, *site),
        });
    }
    found.extend(async_iterations(solved));
    for (site, keyword, path, name) in &solved.newer_keyword_sites {
        let Some(since) = crate::asyncio_api::keyword_added_in(path, name) else { continue };
        if type_error_excused(solved, *site) {
            continue;
        }
        let at = call_at(solved, *site);
        let module = solved.modules.site_module(*site);
        found.push(NewerApiUse {
            at: Location { file: file_of(solved, module), range: at.keyword_whole(*keyword as usize) },
            api: NewerApi::Keyword { path: path.clone(), keyword: name.clone() },
            since,
            from_version: runs_from(solved, *site),
            below: runs_below(solved, *site),
        });
    }
    let of_asyncio = |&obj: &u32| matches!(solved.objs[obj as usize], Obj::External(path) if solved.paths[path as usize] == "asyncio");
    for (module, entry) in solved.modules.modules.iter().enumerate() {
        // A read or call in a function that only guarded calls run runs from their version.
        let from_in = |own: Option<tasklens_db::PythonVersion>, function: Option<u32>| {
            let guarded = function.and_then(|local| solved.derived.guards.from.get((entry.func_base + local) as usize));
            own.max(guarded.copied().flatten())
        };
        for (index, (base, name, since, from_version, function)) in entry.facts.newer_attribute_reads.iter().enumerate()
        {
            if solved.sets.get(entry.node_base + base).iter().any(of_asyncio) {
                found.push(NewerApiUse {
                    at: Location { file: entry.file, range: solved.positions[module].newer_attribute_reads[index] },
                    api: NewerApi::Function { path: format!("asyncio.{name}") },
                    since: *since,
                    from_version: from_in(*from_version, *function),
                    below: None,
                });
            }
        }
        for (index, (name, since, from_version)) in entry.facts.newer_imports.iter().enumerate() {
            found.push(NewerApiUse {
                at: Location { file: entry.file, range: solved.positions[module].newer_imports[index] },
                api: NewerApi::Import { name: name.clone() },
                since: *since,
                from_version: *from_version,
                below: None,
            });
        }
        for (index, call) in entry.facts.task_method_calls.iter().enumerate() {
            // `cancel(msg)`: Futures and Tasks took no message before 3.9.
            let with_message = call.arguments && call.method.as_str() == "cancel";
            let since = match with_message {
                true => Some(tasklens_db::PythonVersion::new(3, 9)),
                false => crate::asyncio_api::method_added_in(&call.method),
            };
            let Some(since) = since else { continue };
            if call.under_test {
                continue;
            }
            let receiver = entry.node_base + call.receiver;
            let holds = |obj: &u32| match solved.objs[*obj as usize] {
                Obj::Task(_) => true,
                other => with_message && other.is_plain_future(),
            };
            if !solved.sets.get(receiver).iter().any(holds) {
                continue;
            }
            let range = solved.positions[module].task_method_calls[index];
            let api = match with_message {
                true => NewerApi::CancelMessage,
                false => NewerApi::TaskMethod { method: call.method.clone() },
            };
            found.push(NewerApiUse {
                at: Location { file: entry.file, range },
                api,
                since,
                from_version: from_in(call.from_version, call.function),
                below: None,
            });
        }
    }
    found
}

/// `async for` (or an async comprehension) straight over the result of
/// `asyncio.as_completed(...)`, which is an async iterator only from Python 3.13 on.
fn async_iterations(solved: &Solved) -> Vec<NewerApiUse> {
    let since = tasklens_db::PythonVersion::new(3, 13);
    let mut found = Vec::new();
    for (m, mut results) in solved.modules.call_results(&solved.as_completed_sites) {
        let entry = &solved.modules.modules[m as usize];
        follow_copies(&entry.facts.constraints, &mut results);
        for (index, (local, used, _)) in entry.facts.protocol_uses.iter().enumerate() {
            let Some(&site) = results.get(local).filter(|_| *used == ProtocolUse::AsyncFor) else { continue };
            if type_error_excused(solved, site) {
                continue;
            }
            found.push(NewerApiUse {
                at: Location { file: entry.file, range: solved.positions[m as usize].protocol_uses[index] },
                api: NewerApi::AsyncIteration { path: "asyncio.as_completed".to_owned() },
                since,
                from_version: runs_from(solved, site),
                below: runs_below(solved, site),
            });
        }
    }
    found
}
