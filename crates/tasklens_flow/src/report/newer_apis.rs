//! asyncio APIs and Task methods used where the project says it runs on Pythons that
//! lack them (TL016): `asyncio.TaskGroup()` with `requires-python = ">=3.9"`, or
//! `task.cancelling()` on a Task followed from where it was made.

use ruff_python_ast::name::Name;
use tasklens_db::PythonVersion;

use super::{Location, call_at, failure_expected, file_of, runs_below, runs_from, site_listed};
use crate::objects::Obj;
use crate::solver::Solved;

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
    /// `from asyncio import TaskGroup`, which fails at import time where the name is missing.
    Import { name: Name },
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
            api: NewerApi::Function { path: path.clone() },
            since,
            from_version: runs_from(solved, *site),
            below: runs_below(solved, *site),
        });
    }
    let of_asyncio = |&obj: &u32| matches!(solved.objs[obj as usize], Obj::External(path) if solved.paths[path as usize] == "asyncio");
    for (module, entry) in solved.modules.modules.iter().enumerate() {
        for (index, (base, name, since, from_version)) in entry.facts.newer_attribute_reads.iter().enumerate() {
            if solved.sets.get(entry.node_base + base).iter().any(of_asyncio) {
                found.push(NewerApiUse {
                    at: Location { file: entry.file, range: solved.positions[module].newer_attribute_reads[index] },
                    api: NewerApi::Function { path: format!("asyncio.{name}") },
                    since: *since,
                    from_version: *from_version,
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
            let Some(since) = crate::asyncio_api::task_method_added_in(&call.method) else { continue };
            if call.under_test {
                continue;
            }
            let receiver = entry.node_base + call.receiver;
            if !solved.sets.get(receiver).iter().any(|&obj| matches!(solved.objs[obj as usize], Obj::Task(_))) {
                continue;
            }
            let range = solved.positions[module].task_method_calls[index];
            found.push(NewerApiUse {
                at: Location { file: entry.file, range },
                api: NewerApi::TaskMethod { method: call.method.clone() },
                since,
                from_version: call.from_version,
                below: None,
            });
        }
    }
    found
}
