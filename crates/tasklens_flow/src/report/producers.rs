//! What made a value that reaches a sink or a `create_task`-like call: the call that made
//! a Future, the parameter that admits one, a function passed instead of called, a
//! generator, an awaitable instance, the None of a `def` without `return`.

use rustc_hash::FxHashMap;
use tasklens_semantic::facts::{Constraint, ContainerKind, FunctionKind, ReturnShape};

use super::ParamShape;
use super::trace::{future_origins, trace};
use super::{Location, Producer, TaskArgumentFlow, Wanted, call_at, file_of};
use crate::objects::{GNode, GSite, ModIdx, Obj};
use crate::solver::Solved;

/// Non-coroutines at the argument of each `create_task`-like call.
pub(super) fn task_arguments(solved: &Solved) -> Vec<TaskArgumentFlow> {
    let mut flows = Vec::new();
    let mut call_results = CallResults::default();
    // `create_task` and its kin need a coroutine; `ensure_future` also takes Futures and
    // awaitables, but not a function (`ensure_future(work)`).
    let ensure_future =
        solved.ensure_future_sites.iter().filter_map(|&(site, node)| Some((site, 0, node?, Wanted::Awaitable)));
    let create_task = solved.task_argument_sites.iter().map(|&(site, node)| (site, 0, node, Wanted::Coroutine));
    // `gather(...)`, `shield(x)`, `wait_for(x, t)`, `loop.run_until_complete(x)`: as
    // `ensure_future`.
    let awaited =
        solved.awaitable_argument_sites.iter().map(|&(site, index, node)| (site, index, node, Wanted::Awaitable));
    // `asyncio.run(main)`: a coroutine, or ValueError.
    let run = solved.main_coroutine_sites.iter().map(|&(site, node)| (site, 0, node, Wanted::MainCoroutine));
    // What the call raises may be handled: `try: create_task(x) except TypeError:`, a
    // test's `with pytest.raises(ValueError): asyncio.run(x)`.
    let unhandled = |&(site, _, _, wanted): &(GSite, u8, GNode, Wanted)| match wanted {
        Wanted::MainCoroutine => !super::value_error_handled(solved, site),
        _ => !super::type_error_handled(solved, site),
    };
    for (site, index, node, wanted) in ensure_future.chain(create_task).chain(awaited).chain(run).filter(unhandled) {
        let needs_coroutine = wanted != Wanted::Awaitable;
        let (module, at) = (solved.modules.site_module(site), call_at(solved, site));
        let file = file_of(solved, module);
        let below = super::runs_below(solved, site);
        // A positional argument, or the keyword's value that gave the node (`coro=...`).
        let call = solved.modules.site(site).1;
        let base = solved.modules.modules[module as usize].node_base;
        let argument = match call.args.get(usize::from(index)) {
            Some(_) => at.arg(usize::from(index)),
            None => match call.keywords.iter().position(|k| k.node.is_some_and(|local| base + local == node)) {
                Some(keyword) => at.keyword_value(keyword),
                None => at.arg(usize::from(index)),
            },
        };
        let objs = solved.sets.get(node);
        // An awaitable instance next to coroutines usually comes from dispatch over a
        // class and its subclasses (a `Pipeline` overriding a command that returns a
        // coroutine elsewhere): report it only when the argument is never a coroutine.
        let ever_coroutine = objs.iter().any(|&o| solved.objs[o as usize].is_coroutine());
        // `asyncio.run` is the program's entry: a value that may also be a coroutine (a list
        // that holds Tasks once the loop runs and coroutines before) is taken to be one.
        if ever_coroutine && wanted == Wanted::MainCoroutine {
            continue;
        }
        for &obj in objs {
            let value = solved.objs[obj as usize];
            if let (Obj::FutureSummary(_), true) = (value, needs_coroutine) {
                for (future, steps) in future_origins(solved, node, obj) {
                    let Some(producer) = producer(solved, solved.objs[future as usize]) else { continue };
                    let (call, argument) = (Location { file, range: at.range }, Location { file, range: argument });
                    flows.push(TaskArgumentFlow { producer, call, callee: at.callee, argument, steps, below, wanted });
                }
                continue;
            }
            let plain = |func: u32| functions_stay_functions(solved, func);
            let producer = match value {
                Obj::Function(func) if !ever_coroutine && plain(func) => Some(function_producer(solved, func, false)),
                Obj::Bound(func) if !ever_coroutine && plain(func) => Some(function_producer(solved, func, true)),
                Obj::Container(yields, ContainerKind::Iterator) if !ever_coroutine => generator(solved, yields),
                Obj::Partial(partial) if !ever_coroutine => {
                    let module = solved.modules.site_module(partial);
                    Some(Producer::Partial {
                        at: Location { file: file_of(solved, module), range: call_at(solved, partial).range },
                    })
                }
                Obj::External(path)
                    if !ever_coroutine && is_asyncio_coroutine_function(&solved.paths[path as usize]) =>
                {
                    Some(Producer::AsyncioFunction {
                        at: Location { file, range: argument },
                        path: solved.paths[path as usize].clone(),
                    })
                }
                // `gather(pool.submit(f))`: a `concurrent.futures.Future` is no asyncio
                // Future, and nothing asyncio can await.
                Obj::Future(site) if solved.thread_futures.contains(&site) => producer(solved, value),
                _ if !needs_coroutine => None,
                // What a `Callable[..., Awaitable[T]]` parameter may return is left out: code
                // that hands it to `create_task` tests `iscoroutinefunction` first, at times
                // through a flag set on several paths, which no narrowing follows.
                Obj::ParamFuture(param) if solved.result_future_params.contains(&param) => None,
                Obj::Future(_) | Obj::ParamFuture(_) => producer(solved, value),
                Obj::Task(Some(task_site)) => {
                    let (task_module, task_at) = (solved.modules.site_module(task_site), call_at(solved, task_site));
                    Some(Producer::TaskCall {
                        at: Location { file: file_of(solved, task_module), range: task_at.range },
                        callee: task_at.callee,
                    })
                }
                Obj::Instance(class) if !ever_coroutine => awaitable_instance(solved, class),
                _ => None,
            };
            let Some(producer) = producer else { continue };
            flows.push(TaskArgumentFlow {
                producer,
                call: Location { file, range: at.range },
                callee: at.callee,
                argument: Location { file, range: argument },
                steps: trace(solved, node, obj),
                below,
                wanted,
            });
        }
        if objs.is_empty()
            && let Some((_, producer)) = plain_result(solved, &mut call_results, module, node)
        {
            flows.push(TaskArgumentFlow {
                producer,
                call: Location { file, range: at.range },
                callee: at.callee,
                argument: Location { file, range: argument },
                steps: Vec::new(),
                below,
                wanted,
            });
        }
    }
    flows
}

/// Per module (built when first needed), the call site whose result each node is, and for
/// a method call (`obj.name(...)`) the node of its receiver (`NO_NODE` for
/// `super().name(...)`).
pub(super) type CallResults = FxHashMap<ModIdx, FxHashMap<GNode, (GSite, Option<GNode>)>>;

/// When the value at `node` is the result of a call that runs only plain `def`s whose
/// `return`s give only None or literal values: module-level or nested functions, or
/// methods that return a literal value called on the caller's own `self` or `cls` (one
/// giving None may be a hook a subclass outside overrides with an `async def`). The call,
/// and the first of them.
pub(super) fn plain_result(
    solved: &Solved,
    call_results: &mut CallResults,
    module: ModIdx,
    node: GNode,
) -> Option<(GSite, Producer)> {
    let site = call_result_site(solved, call_results, module, node, true)?;
    let callees: Vec<u32> = super::callees(solved, site).collect();
    let is_method = |kind: FunctionKind| {
        matches!(kind, FunctionKind::Method | FunctionKind::StaticMethod | FunctionKind::ClassMethod)
    };
    // On another receiver, the class is only as sure as the receiver's values.
    let method_gives_literal = |func: u32| {
        let facts = solved.modules.func(func).1;
        !is_method(facts.kind) || (facts.returns_literal && !facts.stub)
    };
    let on_own_instance = || {
        let receiver = call_receiver(call_results, module, node)?;
        let (m, caller) = solved.modules.func(super::caller_of(solved, site)?);
        let own =
            caller.params.first().filter(|_| is_method(caller.kind) && caller.kind != FunctionKind::StaticMethod)?;
        (receiver == solved.modules.modules[m as usize].node_base + own.node).then_some(())
    };
    if callees.iter().any(|&func| is_method(solved.modules.func(func).1.kind))
        && (!callees.iter().all(|&func| method_gives_literal(func)) || on_own_instance().is_none())
    {
        return None;
    }
    let returns_none = |func: u32| {
        let (_, facts) = solved.modules.func(func);
        (facts.kind == FunctionKind::Function || is_method(facts.kind))
            && !facts.is_async
            && !facts.is_generator
            && !facts.opaque
            && facts.completes
            && facts.returns == ReturnShape::Unset
    };
    let &first = callees.first()?;
    if !callees.iter().all(|&func| returns_none(func)) {
        return None;
    }
    let literal = callees.iter().any(|&func| solved.modules.func(func).1.returns_literal);
    Some((
        site,
        Producer::PlainResult {
            at: function_location(solved, first),
            name: solved.modules.func(first).1.name.clone(),
            literal,
        },
    ))
}

/// The call site whose result the value at `node` is, if it is one (a method call's only
/// when `methods`).
pub(super) fn call_result_site(
    solved: &Solved,
    call_results: &mut CallResults,
    module: ModIdx,
    node: GNode,
    methods: bool,
) -> Option<GSite> {
    let sites = call_results.entry(module).or_insert_with(|| {
        let entry = &solved.modules.modules[module as usize];
        (entry.facts.constraints.iter())
            .filter_map(|constraint| match constraint {
                Constraint::Call { site, result, .. } => {
                    Some((entry.node_base + result, (entry.site_base + site, None)))
                }
                Constraint::MethodCall { site, result, receiver, .. } => {
                    Some((entry.node_base + result, (entry.site_base + site, Some(entry.node_base + receiver))))
                }
                Constraint::SuperCall { site, result, .. } => {
                    Some((entry.node_base + result, (entry.site_base + site, Some(crate::solver::NO_NODE))))
                }
                _ => None,
            })
            .collect()
    });
    let &(site, receiver) = sites.get(&node)?;
    (methods || receiver.is_none()).then_some(site)
}

/// The receiver of the method call whose result is at `node` (`NO_NODE` for `super()`'s).
fn call_receiver(call_results: &CallResults, module: ModIdx, node: GNode) -> Option<GNode> {
    call_results.get(&module)?.get(&node)?.1
}

/// Where a project function's name is.
pub(super) fn function_location(solved: &Solved, func: u32) -> Location {
    let module = solved.modules.func(func).0;
    let local = func - solved.modules.modules[module as usize].func_base;
    Location { file: file_of(solved, module), range: solved.positions[module as usize].functions[local as usize] }
}

/// Each function's name and where it is defined, as findings name the `async def`s a call runs.
pub(super) fn named_functions(
    solved: &Solved,
    funcs: impl IntoIterator<Item = u32>,
) -> Vec<(ruff_python_ast::name::Name, Location)> {
    (funcs.into_iter())
        .map(|func| (solved.modules.func(func).1.name.clone(), function_location(solved, func)))
        .collect()
}

/// Whether the object of `func` is a function whatever decorates it: none does, or only
/// project functions that return their argument or a function of their own (a wrapper, as
/// with `functools.wraps`). A class used as a decorator, or a function that returns an
/// instance of one, may make it a descriptor whose `__get__` gives an awaitable; an outside
/// decorator may make anything.
fn functions_stay_functions(solved: &Solved, func: u32) -> bool {
    let (module, facts) = solved.modules.func(func);
    if !facts.opaque {
        return true;
    }
    let base = solved.modules.modules[module as usize].node_base;
    !facts.decorated.is_empty()
        && facts.decorated.iter().all(|&local| {
            super::every_value(solved, base + local, |value| match value {
                Obj::Function(decorator) => {
                    matches!(solved.modules.func(decorator).1.returns, ReturnShape::FirstParam | ReturnShape::Nested(_))
                }
                _ => false,
            })
        })
}

/// A project function passed where a call of it was meant.
pub(super) fn function_producer(solved: &Solved, func: u32, bound: bool) -> Producer {
    use tasklens_semantic::facts::ParamKind;
    let facts = solved.modules.func(func).1;
    let given = usize::from(bound && facts.kind != FunctionKind::StaticMethod);
    let bare_call = !facts.opaque
        && facts.params.len() >= given
        && (facts.params.iter().skip(given))
            .all(|param| param.has_default || matches!(param.kind, ParamKind::VarArgs | ParamKind::KwArgs));
    Producer::Function {
        at: function_location(solved, func),
        name: facts.name.clone(),
        is_async: facts.makes_coroutine(),
        bare_call,
    }
}

/// The generator function whose calls make the iterator of `yields`, if there is one (a
/// generator expression has none). Not one under a decorator the analysis does not know:
/// `@types.coroutine` and the old `@asyncio.coroutine` make generators into coroutines.
pub(super) fn generator(solved: &Solved, yields: GNode) -> Option<Producer> {
    let module = solved.modules.node_module(yields);
    let entry = &solved.modules.modules[module as usize];
    let local = yields - entry.node_base;
    let (index, func) =
        (entry.facts.functions.iter().enumerate()).find(|(_, f)| f.yields == local && f.is_generator && !f.opaque)?;
    Some(Producer::Generator {
        at: Location { file: entry.file, range: solved.positions[module as usize].functions[index] },
        name: func.name.clone(),
        is_async: func.is_async,
    })
}

/// A project class whose instances are awaitable without being coroutines.
fn awaitable_instance(solved: &Solved, class: u32) -> Option<Producer> {
    let (module, facts) = solved.modules.class(class);
    facts.method("__await__")?;
    if solved.coroutine_classes.contains(&class) {
        return None;
    }
    let local = class - solved.modules.modules[module as usize].class_base;
    Some(Producer::Awaitable {
        at: Location {
            file: file_of(solved, module),
            range: solved.positions[module as usize].classes[local as usize],
        },
        class: facts.name.clone(),
    })
}

pub(super) fn producer(solved: &Solved, value: Obj) -> Option<Producer> {
    match value {
        Obj::Future(site) => {
            let (module, at) = (solved.modules.site_module(site), call_at(solved, site));
            let wraps = solved.solution.partial_calls.get(&site).map(|&partial| {
                let module = solved.modules.site_module(partial);
                Location { file: file_of(solved, module), range: call_at(solved, partial).arg(0) }
            });
            let at = Location { file: file_of(solved, module), range: at.range };
            let concurrent = solved.thread_futures.contains(&site);
            Some(Producer::Call { at, callee: call_at(solved, site).callee, wraps, concurrent })
        }
        Obj::ParamFuture(node) => {
            let module = solved.modules.node_module(node);
            let entry = &solved.modules.modules[module as usize];
            let local = node - entry.node_base;
            entry.facts.functions.iter().enumerate().find_map(|(f, func)| {
                let (p, param) = func.params.iter().enumerate().find(|(_, p)| p.node == local)?;
                Some(Producer::Parameter {
                    at: Location { file: entry.file, range: solved.positions[module as usize].params[f][p] },
                    name: param.name.clone(),
                    function: func.name.clone(),
                    shape: if solved.element_future_params.contains(&node) {
                        ParamShape::Elements
                    } else if solved.result_future_params.contains(&node) {
                        ParamShape::Result
                    } else {
                        ParamShape::Value
                    },
                })
            })
        }
        _ => None,
    }
}

/// Whether the outside object at `path` is one of asyncio's coroutine functions, which
/// `create_task` and `ensure_future` reject uncalled.
fn is_asyncio_coroutine_function(path: &str) -> bool {
    path.starts_with("asyncio.")
        && matches!(
            crate::asyncio_api::external_call(path),
            crate::asyncio_api::ExternalCall::Coroutine | crate::asyncio_api::ExternalCall::Opens(_)
        )
}
