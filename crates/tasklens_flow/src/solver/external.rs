//! Calls into code outside the project: asyncio's effects, container methods,
//! iterators of pairs and `await asyncio.wait(...)`.

use tasklens_semantic::facts::{ContainerKind, Part};

use super::calls::SiteArgs;
use super::{CallbackArgument, CallbackCaller, Complex, DynHopKind, NO_LABEL, Solver};
use crate::asyncio_api::{ExternalCall, Opened};
use crate::objects::{GFunc, GNode, GSite, Obj};

impl Solver {
    /// The node of the Tasks `current_task()` gives in `func` (see
    /// [`Solver::current_tasks`]), made on its first call there with the Tasks made so far.
    fn current_task_node(&mut self, func: GFunc) -> GNode {
        if let Some(&node) = self.current_tasks.get(&func) {
            return node;
        }
        let node = self.new_node();
        self.current_tasks.insert(func, node);
        for site in self.tasks_made_of.remove(&func).unwrap_or_default() {
            self.seed_current_task(node, site);
        }
        node
    }

    /// Gives `current_task()`'s node the Task made at `site`, unless the node is full: past
    /// the widening bound a Task would count as kept, while the Tasks left out are only
    /// judged without what their own code does with them.
    fn seed_current_task(&mut self, node: GNode, site: GSite) {
        if self.sets[node as usize].len() + 1 < super::MAX_OBJECTS {
            self.seed(node, Obj::Task(Some(site)));
        }
    }

    /// A Task made at `site` of what reaches its coroutine argument: a coroutine of a
    /// function runs in it. Only a function that calls `current_task()` gets it (a helper
    /// made into thousands of Tasks would otherwise collect them all).
    pub(super) fn task_made_of(&mut self, site: GSite, value: Obj) {
        let (Obj::Coro(Some(func)) | Obj::CoroCall(_, func)) = value else { return };
        match self.current_tasks.get(&func) {
            Some(&node) => self.seed_current_task(node, site),
            None => self.tasks_made_of.entry(func).or_default().push(site),
        }
    }

    pub(super) fn container_method(
        &mut self,
        site: GSite,
        container: GNode,
        kind: ContainerKind,
        name: &str,
        result: GNode,
    ) {
        let args = self.site_args(site);
        let arg = |i: usize| args.arg(i);
        let values = self.part_node(container, Part::Values);
        match kind {
            ContainerKind::Queue | ContainerKind::ThreadQueue => {
                return self.queue_method(site, container, kind, name, result);
            }
            ContainerKind::ContextVar => return self.context_var_method(site, container, name, result),
            _ => {}
        }
        // `rows.sort(key=score)` calls the key function on each element, as `sorted` does.
        if kind == ContainerKind::List
            && name == "sort"
            && !self.plain_callback_sites.contains_key(&site)
            && let Some(callback) = args.keyword("key")
        {
            self.note_plain_callback(site, callback, CallbackCaller::SortKey, false);
        }
        // `d.get(key, default)`, `d.pop(key, default)`: the default when the key is missing.
        if kind.is_dict()
            && matches!(name, "get" | "pop")
            && let Some(default) = arg(1)
        {
            self.edge(default, result, NO_LABEL);
        }
        if kind.is_dict() && self.keyed_dict_method(&args, container, name, result) {
            return;
        }
        // The steps of an async generator are awaitables that `asyncio.iscoroutine` accepts
        // (`create_task(agen.aclose())` works, and `ensure_future` of one makes a Task).
        if kind == ContainerKind::Iterator {
            match name {
                "__anext__" | "asend" | "athrow" => return self.seed(result, Obj::ItemCoro(container)),
                "aclose" => return self.seed(result, Obj::Coro(None)),
                _ => {}
            }
        }
        match name {
            "append" | "add" | "appendleft" | "insert" | "setdefault" => {
                let index = usize::from(matches!(name, "insert" | "setdefault"));
                self.store_argument(&args, index, values, DynHopKind::ContainerStore);
                if name == "setdefault" {
                    self.edge(values, result, NO_LABEL);
                }
            }
            "extend" | "update" | "extendleft" => {
                if let Some(from) = arg(0) {
                    if kind.is_dict() {
                        let keys = self.part_node(container, Part::Keys);
                        self.complex_on(from, Complex::LoadPart { part: Part::Keys, to: keys, label: NO_LABEL });
                        self.complex_on(from, Complex::LoadPart { part: Part::Values, to: values, label: NO_LABEL });
                    } else {
                        self.complex_on(from, Complex::LoadPart { part: Part::Iter, to: values, label: NO_LABEL });
                    }
                }
            }
            "get" | "pop" | "popleft" | "__getitem__" => self.edge(values, result, NO_LABEL),
            "values" => self.seed(result, Obj::View(container, kind, Part::Values)),
            "keys" => self.seed(result, Obj::View(container, kind, Part::Keys)),
            "items" => {
                let tuple = self.pair_iterator(result);
                for (index, part) in [(0, Part::Keys), (1, Part::Values)] {
                    let from = self.part_node(container, part);
                    for slot in [Part::Index(index), Part::Values] {
                        let to = self.part_node(tuple, slot);
                        self.edge(from, to, NO_LABEL);
                    }
                }
            }
            "copy" => self.seed(result, Obj::Container(container, kind)),
            "sort" => self.call_with_elements(&args),
            // `(key, value)` of a dict.
            "popitem" if kind.is_dict() => {
                self.seed(result, Obj::Container(result, ContainerKind::Tuple));
                for (index, part) in [(0, Part::Keys), (1, Part::Values)] {
                    let from = self.part_node(container, part);
                    for slot in [Part::Index(index), Part::Values] {
                        let to = self.part_node(result, slot);
                        self.edge(from, to, NO_LABEL);
                    }
                }
            }
            _ => self.seed(result, Obj::Unknown),
        }
    }

    /// `put`/`put_nowait` store an item, `get_nowait` gives one, `get` is a coroutine that
    /// does (a thread's queue gives it).
    fn queue_method(&mut self, site: GSite, container: GNode, kind: ContainerKind, name: &str, result: GNode) {
        let asyncio = kind == ContainerKind::Queue;
        let args = self.site_args(site);
        match name {
            "put" | "put_nowait" => {
                let values = self.part_node(container, Part::Values);
                self.store_argument(&args, 0, values, DynHopKind::ContainerStore);
                let done = if name == "put" && asyncio { Obj::Coro(None) } else { Obj::Unknown };
                self.seed(result, done);
            }
            "get" if asyncio => self.seed(result, Obj::ItemCoro(container)),
            "get" | "get_nowait" => {
                let values = self.part_node(container, Part::Values);
                self.edge(values, result, NO_LABEL);
            }
            "join" if asyncio => self.seed(result, Obj::Coro(None)),
            _ => self.seed(result, Obj::Unknown),
        }
    }

    /// Stores argument `index` of a call into `slot`, a hop of the trace of that kind.
    pub(super) fn store_argument(&mut self, args: &SiteArgs, index: usize, slot: GNode, hop: DynHopKind) {
        if let Some(from) = args.arg(index) {
            let label = self.dyn_hop(args.module, args.at(), hop);
            self.edge(from, slot, label);
        }
    }

    /// `set(value)` stores the value (and gives a token), `get(default)` gives it or the default.
    fn context_var_method(&mut self, site: GSite, container: GNode, name: &str, result: GNode) {
        let args = self.site_args(site);
        let values = self.part_node(container, Part::Values);
        match name {
            "set" => {
                self.store_argument(&args, 0, values, DynHopKind::ContainerStore);
                self.seed(result, Obj::Unknown);
            }
            "get" => {
                self.edge(values, result, NO_LABEL);
                if let Some(default) = args.arg(0) {
                    self.edge(default, result, NO_LABEL);
                }
            }
            _ => self.seed(result, Obj::Unknown),
        }
    }

    /// Positional arguments that asyncio passes through `ensure_future` (`gather`, `shield`,
    /// `wait_for`, `run_until_complete`): a function or a generator there raises TypeError
    /// (TL004). Not for a call with spread arguments, whose positions are unknown.
    fn note_awaitable_arguments(&mut self, site: GSite, positions: impl IntoIterator<Item = u8>) {
        let args = self.site_args(site);
        if args.call().has_spread {
            return;
        }
        for index in positions {
            if let Some(node) = args.arg(usize::from(index)) {
                self.awaitable_argument_sites.insert((site, index, node));
            }
        }
    }

    /// The first positional argument of a call that spreads its positional arguments from
    /// one `*args` and names none (`ensure_future(*args, **kwargs)` in a wrapper): the
    /// item at position 0 of what is spread.
    fn first_spread_item(&mut self, args: &SiteArgs) -> Option<GNode> {
        if !args.call().args.is_empty() {
            return None;
        }
        let mut stars = args.spreads(false);
        let (spread, None) = (stars.next()?, stars.next()) else { return None };
        let item = self.new_node();
        self.complex_on(spread, Complex::LoadPart { part: Part::Index(0), to: item, label: NO_LABEL });
        Some(item)
    }

    pub(super) fn external_effect(&mut self, site: GSite, result: GNode, effect: ExternalCall, path: Option<u32>) {
        let args = self.site_args(site);
        let arg = |i: usize| args.arg(i);
        match effect {
            ExternalCall::EnsureFuture => {
                let first = arg(0).or_else(|| args.keyword("coro_or_future")).or_else(|| self.first_spread_item(&args));
                self.ensure_future_sites.insert(site, first);
                self.ensure_future_results.insert(site, result);
                if let Some(node) = first {
                    self.awaited_arguments.insert(site, node);
                }
                // Functions returning this call give each of their callers what its own
                // argument makes.
                for wrapped in self.wrapped_ensure_future.remove(&site).unwrap_or_default() {
                    self.complex_on(wrapped.from, Complex::EnsureFutureArg { site, result: wrapped.made });
                }
                match first {
                    Some(node) => self.complex_on(node, Complex::EnsureFutureArg { site, result }),
                    None => self.seed(result, Obj::Unknown),
                }
            }
            ExternalCall::NewTask => {
                // `asyncio.create_task` needs a running loop (TL003); `loop.create_task` does not.
                if path.is_some_and(|p| self.paths[p as usize].rsplit('.').next() == Some("create_task")) {
                    self.running_loop_sites.insert(site);
                }
                // `asyncio.Task(coro)` without `loop=` asks for the thread's current loop.
                let made_directly = path.is_some_and(|p| self.paths[p as usize].rsplit('.').next() == Some("Task"));
                if made_directly && !args.passes_loop() {
                    self.current_loop_sites.insert(site);
                }
                // `create_task(x)`, `Task(x)`: `x` must be a coroutine (TL004).
                let coroutine = arg(0).or_else(|| args.keyword("coro"));
                if let Some(node) = coroutine {
                    self.task_argument_sites.insert(site, node);
                    self.awaited_arguments.insert(site, node);
                    self.complex_on(node, Complex::MakesTask { site });
                }
                self.seed(result, Obj::Task(Some(site)));
            }
            ExternalCall::CurrentTask | ExternalCall::AllTasks => {
                // Without a loop given, both ask for the running one, which raises where
                // none runs (TL003).
                let call = args.call();
                if call.args.is_empty() && call.keywords.is_empty() {
                    self.running_loop_sites.insert(site);
                }
                let made = if effect == ExternalCall::CurrentTask { Obj::Task(None) } else { Obj::Unknown };
                self.seed(result, made);
                // In an `async def`, also the project's Tasks its coroutines run in.
                if effect == ExternalCall::CurrentTask
                    && let Some(caller) = call.caller
                {
                    let func = self.modules.modules[args.module as usize].func_base + caller;
                    let tasks = self.current_task_node(func);
                    self.edge(tasks, result, NO_LABEL);
                }
            }
            ExternalCall::NewFuture => {
                if path.is_some_and(|p| crate::asyncio_api::makes_thread_future(&self.paths[p as usize])) {
                    self.thread_futures.insert(site);
                }
                // `asyncio.Future()` and `wrap_future(f)` without `loop=` ask for the
                // thread's current loop (TL003 in a thread that has none).
                let asks_loop = path.is_some_and(|p| {
                    let path = &self.paths[p as usize];
                    path.starts_with("asyncio.") && matches!(path.rsplit('.').next(), Some("Future" | "wrap_future"))
                });
                if asks_loop && !args.passes_loop() {
                    self.current_loop_sites.insert(site);
                }
                // `gather(coro, ...)` and `shield(coro)` ask for it to run the coroutine on;
                // given a Future first, they take its loop.
                let gathers = path.is_some_and(|p| {
                    matches!(crate::asyncio_api::split(&self.paths[p as usize]), ("asyncio", "gather" | "shield"))
                });
                if gathers && !args.passes_loop() {
                    // `gather(*coros)`: the first of what is spread.
                    let first = match args.call().has_spread {
                        true => self.first_spread_item(&args).map(Some),
                        false if args.call().args.is_empty() => Some(None),
                        false => arg(0).map(Some),
                    };
                    if let Some(first) = first {
                        self.loop_asking_arguments.insert(site, first);
                    }
                }
                match path.map(|p| crate::asyncio_api::split(&self.paths[p as usize])) {
                    Some(("asyncio", "gather")) => {
                        self.gather_sites.insert(site, None);
                        self.gathering_sites.insert(site);
                        let count = args.call().args.len().min(usize::from(u8::MAX)) as u8;
                        self.note_awaitable_arguments(site, 0..count);
                    }
                    // `run_coroutine_threadsafe(coro, loop)` refuses anything but a coroutine,
                    // as `create_task` does (TL004).
                    Some(("asyncio", "run_coroutine_threadsafe")) => {
                        let coro = arg(0).or_else(|| args.keyword("coro"));
                        if let Some(node) = coro
                            && !args.call().has_spread
                        {
                            self.task_argument_sites.insert(site, node);
                        }
                    }
                    // `await shield(x)` gives what awaiting `x` gives.
                    Some(("asyncio", "shield")) => {
                        self.gathering_sites.insert(site);
                        self.note_awaitable_arguments(site, [0]);
                        if let Some(awaited) = arg(0) {
                            self.awaited_arguments.insert(site, awaited);
                        }
                    }
                    _ => {}
                }
                self.seed(result, Obj::Future(site));
                // `loop.run_in_executor(None, f)` runs `f` in another thread.
                self.escape_arguments(site, None);
            }
            ExternalCall::Loop => {
                // `get_running_loop()` raises where no loop runs, so `loop.create_task` of
                // the running loop fails there too (TL003).
                match path.and_then(|p| self.paths[p as usize].rsplit('.').next()) {
                    Some("get_running_loop") => _ = self.running_loop_sites.insert(site),
                    // `get_event_loop()` raises in a thread that has no loop set (TL003).
                    Some("get_event_loop") => _ = self.current_loop_sites.insert(site),
                    _ => {}
                }
                self.seed(result, Obj::Loop)
            }
            ExternalCall::RunToCompletion => {
                // `loop.run_until_complete(x)` wraps `x` as `ensure_future` does (TL004);
                // `asyncio.run` wants a coroutine and raises ValueError otherwise (TL010).
                if path.is_none() {
                    self.note_awaitable_arguments(site, [0]);
                } else if let Some(main) = arg(0).or_else(|| {
                    let call = args.call();
                    // `asyncio.run(main=...)`, `runner.run(coro=...)`.
                    let keyword = call.keywords.iter().find(|k| matches!(k.name.as_str(), "main" | "coro"));
                    keyword.and_then(|k| args.node(k.node))
                }) && !args.call().has_spread
                {
                    self.main_coroutine_sites.insert(site, main);
                }
                match arg(0) {
                    Some(awaited) => self.complex_on(awaited, Complex::Await { to: result }),
                    None => self.seed(result, Obj::Unknown),
                }
                // The loop has stopped when the result arrives: a Task in it lived through the
                // run (kept by the coroutine's frame), so dropping it now loses nothing (TL005).
                self.complex_on(result, Complex::Escape);
            }
            ExternalCall::Opens(opened) => self.opens(site, result, opened),
            ExternalCall::Coroutine => {
                self.seed(result, Obj::Coro(None));
                // `asyncio.to_thread(f)` runs `f` in another thread.
                self.escape_arguments(site, None);
            }
            ExternalCall::Wait => {
                // What `fs` holds must be Futures or Tasks from Python 3.11 (TL008).
                let fs = arg(0).or_else(|| args.keyword("fs"));
                if let Some(node) = fs {
                    self.wait_sites.insert(site, node);
                }
                self.seed(result, Obj::WaitCoro(site))
            }
            ExternalCall::WaitFor => {
                self.note_awaitable_arguments(site, [0]);
                if let Some(awaited) = arg(0) {
                    self.awaited_arguments.insert(site, awaited);
                }
                self.seed(result, Obj::WaitForCoro(site));
                self.escape_arguments(site, None);
            }
            ExternalCall::AsCompleted => {
                // The elements of `fs`, gathered in a node of their own, must each be
                // awaitable as for `ensure_future` (TL004).
                if let Some(fs) = arg(0)
                    && !args.call().has_spread
                {
                    let elements = self.new_node();
                    self.complex_on(fs, Complex::LoadPart { part: Part::Iter, to: elements, label: NO_LABEL });
                    self.awaitable_argument_sites.insert((site, 0, elements));
                }
                self.unknown_call(site, result);
            }
            ExternalCall::Enter => self.enter_argument(site, result),
            ExternalCall::EnterAsync => self.seed(result, Obj::EnterCoro(site)),
            ExternalCall::Instance => match path {
                Some(path) => self.seed(result, Obj::ExternalInstance(path)),
                None => self.seed(result, Obj::Unknown),
            },
            ExternalCall::Cast => match arg(1) {
                Some(value) => {
                    if self.task_casts.contains(&site) && !self.masked_casts.contains(&(site, value)) {
                        self.masked_casts.push((site, value));
                    }
                    let label = self.cast_labels.get(&site).copied().unwrap_or(NO_LABEL);
                    if let Some(instances) = self.cast_instances.remove(&site) {
                        self.cast_result(result, instances);
                    }
                    self.edge(value, result, label);
                }
                None => self.seed(result, Obj::Unknown),
            },
            ExternalCall::NewContainer(kind) => {
                self.seed(result, Obj::Container(result, kind));
                match kind {
                    // `weakref.ref(x, callback)` refers to `x`; the callback runs when `x` goes.
                    ContainerKind::WeakRef => {
                        let values = self.part_node(result, Part::Values);
                        self.store_argument(&args, 0, values, DynHopKind::ContainerStore);
                        self.escape_arguments(site, Some(0));
                    }
                    // What a context variable's `get()` gives before any `set`.
                    ContainerKind::ContextVar => {
                        let call = args.call();
                        let default = call.keywords.iter().find(|k| k.name.as_str() == "default");
                        if let Some(node) = default.and_then(|k| args.node(k.node)) {
                            let values = self.part_node(result, Part::Values);
                            self.edge(node, values, NO_LABEL);
                        }
                    }
                    _ => {}
                }
            }
            ExternalCall::NewDict { empty_call } => {
                let call = args.call();
                if call.has_spread || !call.args.is_empty() || (!empty_call && call.keywords.is_empty()) {
                    return self.seed(result, Obj::Unknown);
                }
                self.seed(result, Obj::Container(result, ContainerKind::Dict));
                self.keywords_into_dict(site, result);
            }
            ExternalCall::FromKeys => {
                self.seed(result, Obj::Container(result, ContainerKind::Dict));
                if let Some(keys) = arg(0) {
                    let to = self.part_node(result, Part::Keys);
                    self.complex_on(keys, Complex::LoadPart { part: Part::Iter, to, label: NO_LABEL });
                }
                if let Some(value) = arg(1) {
                    let to = self.part_node(result, Part::Unkeyed);
                    self.edge(value, to, NO_LABEL);
                }
            }
            ExternalCall::NewDefaultDict => {
                self.seed(result, Obj::Container(result, ContainerKind::Dict));
                if let Some(factory) = arg(0) {
                    self.complex_on(factory, Complex::DefaultFactory { dict: result });
                }
            }
            // The loop calls the callback itself, inside the running loop, with the arguments
            // after it (a `Forward` constraint binds those to a project callback). The other
            // arguments may reach code outside the project (`call_soon(print, f)`): they escape.
            ExternalCall::LoopCallback { callback } => {
                self.seed(result, Obj::Unknown);
                let callback = usize::from(callback);
                if let Some(node) = arg(callback) {
                    self.complex_on(node, Complex::LoopCallback { site, callback: callback as u8 });
                    let caller = CallbackCaller::Loop;
                    self.callback_arguments.insert(CallbackArgument { site, node, caller, forwards: true });
                }
                self.escape_arguments(site, Some(callback));
            }
            ExternalCall::CopyContainer { first } => {
                self.call_with_elements(&args);
                self.seed(result, Obj::Container(result, ContainerKind::List));
                let values = self.part_node(result, Part::Values);
                let sources: Vec<GNode> = (first as usize..args.call().args.len()).filter_map(arg).collect();
                for from in sources {
                    self.complex_on(from, Complex::LoadPart { part: Part::Iter, to: values, label: NO_LABEL });
                }
            }
            ExternalCall::Choice => {
                self.call_with_elements(&args);
                let positional: Vec<GNode> = (0..args.call().args.len()).filter_map(arg).collect();
                match positional.as_slice() {
                    [] => self.seed(result, Obj::Unknown),
                    [iterable] => {
                        let iterable = *iterable;
                        self.complex_on(iterable, Complex::LoadPart { part: Part::Iter, to: result, label: NO_LABEL });
                    }
                    several => {
                        for &from in several {
                            self.edge(from, result, NO_LABEL);
                        }
                    }
                }
            }
            ExternalCall::Same => match arg(0) {
                Some(from) => self.edge(from, result, NO_LABEL),
                None => self.seed(result, Obj::Unknown),
            },
            ExternalCall::HeapStore { stores, returns } => {
                let Some(heap) = arg(0) else { return self.seed(result, Obj::Unknown) };
                if stores && let Some(item) = arg(1) {
                    let label = self.dyn_hop(args.module, args.at(), DynHopKind::ContainerStore);
                    self.complex_on(heap, Complex::StorePart { part: Part::Values, from: item, label });
                }
                if returns {
                    self.complex_on(heap, Complex::LoadPart { part: Part::Iter, to: result, label: NO_LABEL });
                } else {
                    self.seed(result, Obj::Unknown);
                }
            }
            ExternalCall::Element => {
                match arg(0) {
                    Some(from) => {
                        self.complex_on(from, Complex::LoadPart { part: Part::Iter, to: result, label: NO_LABEL })
                    }
                    None => self.seed(result, Obj::Unknown),
                }
                // `next(it, default)`: the default once the iterator is exhausted.
                if let Some(default) = arg(1) {
                    self.edge(default, result, NO_LABEL);
                }
            }
            ExternalCall::AsyncNext => match arg(0) {
                Some(from) => {
                    let name = self.name_id(&ruff_python_ast::name::Name::new_static("__anext__"));
                    self.complex_on(from, Complex::MethodCall { site, name, result });
                }
                None => self.seed(result, Obj::Unknown),
            },
            ExternalCall::GetAttr => {
                // `getattr(x, "task")` reads `x.task`; a name computed at run time, anything.
                match (args.attr_name().cloned(), arg(0)) {
                    (Some(attr), Some(object)) => {
                        let attr = self.name_id(&attr);
                        self.complex_on(object, Complex::Load { attr, to: result, label: NO_LABEL });
                    }
                    _ => self.seed(result, Obj::Unknown),
                }
                if let Some(default) = arg(2) {
                    self.edge(default, result, NO_LABEL);
                }
            }
            ExternalCall::SetAttr => match (args.attr_name().cloned(), arg(0), arg(2)) {
                (Some(attr), Some(object), Some(value)) => {
                    let attr = self.name_id(&attr);
                    self.complex_on(object, Complex::Store { attr, from: value, label: NO_LABEL });
                    self.seed(result, Obj::Unknown);
                }
                (None, Some(object), Some(_)) => {
                    self.complex_on(object, Complex::PatchAny);
                    self.unknown_call(site, result);
                }
                _ => self.unknown_call(site, result),
            },
            ExternalCall::Enumerate => {
                let tuple = self.pair_iterator(result);
                self.pair_slot(tuple, 0, None);
                self.pair_slot(tuple, 1, arg(0));
            }
            ExternalCall::Zip => {
                let tuple = self.pair_iterator(result);
                self.pair_slot(tuple, 0, arg(0));
                self.pair_slot(tuple, 1, arg(1));
            }
            ExternalCall::Partial => self.seed(result, Obj::Partial(site)),
            // The call of `f` laid out for the elements gets `f`; the iterator yields what it
            // returns (lazily: thrown away, it calls nothing).
            ExternalCall::Map => match args.mapped_call() {
                Some((function, callee, returned)) => {
                    self.edge(function, callee, NO_LABEL);
                    self.seed(result, Obj::Container(result, ContainerKind::Iterator));
                    let values = self.part_node(result, Part::Values);
                    self.edge(returned, values, NO_LABEL);
                }
                None => self.unknown_call(site, result),
            },
            ExternalCall::Unknown => self.unknown_call(site, result),
        }
    }

    /// `sorted(xs, key=f)`, `filter(f, xs)`, `xs.sort(key=f)`...: the builtin calls `f`
    /// with each element.
    fn call_with_elements(&mut self, args: &super::calls::SiteArgs) {
        if let Some((function, callee, _)) = args.mapped_call() {
            self.edge(function, callee, NO_LABEL);
        }
    }

    /// The methods of a dict that store or read values under a key: `d.get(k)`, `d.pop(k)`,
    /// `d.setdefault(k, v)`, `d.update(other)`. A constant key reads (or writes) its own
    /// slot. False for any other method.
    fn keyed_dict_method(
        &mut self,
        args: &super::calls::SiteArgs,
        container: GNode,
        name: &str,
        result: GNode,
    ) -> bool {
        let key = args.key().and_then(|key| self.dict_key(args.module, key));
        let read = key.map_or(Part::Values, Part::Key);
        let write = key.map_or(Part::Unkeyed, Part::Key);
        match name {
            "get" | "pop" | "__getitem__" => {
                let slot = self.part_node(container, read);
                self.edge(slot, result, NO_LABEL);
            }
            "setdefault" => {
                let slot = self.part_node(container, write);
                self.store_argument(args, 1, slot, DynHopKind::ContainerStore);
                let slot = self.part_node(container, read);
                self.edge(slot, result, NO_LABEL);
            }
            "update" => {
                if let Some(from) = args.arg(0) {
                    let keys = self.part_node(container, Part::Keys);
                    let unkeyed = self.part_node(container, Part::Unkeyed);
                    self.complex_on(from, Complex::LoadPart { part: Part::Keys, to: keys, label: NO_LABEL });
                    self.complex_on(from, Complex::LoadPart { part: Part::Values, to: unkeyed, label: NO_LABEL });
                }
                // `d.update(job=value)`: under a key no read tells apart.
                let values: Vec<GNode> = args.call().keywords.iter().filter_map(|k| args.node(k.node)).collect();
                if !values.is_empty() {
                    let unkeyed = self.part_node(container, Part::Unkeyed);
                    let label = self.dyn_hop(args.module, args.at(), DynHopKind::ContainerStore);
                    for from in values {
                        self.edge(from, unkeyed, label);
                    }
                }
            }
            _ => return false,
        }
        true
    }

    /// What entering the first argument of the call at `site` gives (`stack.enter_context(cm)`,
    /// or awaiting `stack.enter_async_context(cm)`) reaches `to`.
    pub(super) fn enter_argument(&mut self, site: GSite, to: GNode) {
        match self.site_args(site).arg(0) {
            Some(manager) => self.complex_on(manager, Complex::Enter { to }),
            None => self.seed(to, Obj::Unknown),
        }
    }

    /// `await asyncio.wait(fs)`: a pair of sets holding the objects in `fs`.
    pub(super) fn awaited_wait(&mut self, site: GSite, to: GNode) {
        let Some(awaitables) = self.site_args(site).arg(0) else {
            self.seed(to, Obj::Unknown);
            return;
        };
        let set = self.new_node();
        let members = self.part_node(set, Part::Values);
        // Coroutines do not come back: before 3.11 `wait` wraps each in a Task (unknown
        // here), from 3.11 it refuses them (TL008).
        let label = super::NOT_COROUTINES;
        self.complex_on(awaitables, Complex::LoadPart { part: Part::Iter, to: members, label });
        self.seed(to, Obj::Container(to, ContainerKind::Tuple));
        for part in [Part::Index(0), Part::Index(1), Part::Values] {
            let slot = self.part_node(to, part);
            self.seed(slot, Obj::Container(set, ContainerKind::Set));
        }
    }

    /// Makes `result` a new iterator of 2-tuples; returns the tuples' node.
    fn pair_iterator(&mut self, result: GNode) -> GNode {
        let tuple = self.new_node();
        self.seed(result, Obj::Container(result, ContainerKind::Iterator));
        let values = self.part_node(result, Part::Values);
        self.seed(values, Obj::Container(tuple, ContainerKind::Tuple));
        tuple
    }

    /// Fills position `index` of the tuples with the elements of `source` (unknown without one).
    fn pair_slot(&mut self, tuple: GNode, index: u8, source: Option<GNode>) {
        for part in [Part::Index(index), Part::Values] {
            let slot = self.part_node(tuple, part);
            match source {
                Some(node) => self.complex_on(node, Complex::LoadPart { part: Part::Iter, to: slot, label: NO_LABEL }),
                None => self.seed(slot, Obj::Unknown),
            }
        }
    }

    /// `await asyncio.open_connection(...)` and its kin: a coroutine whose awaiting gives
    /// asyncio's own objects, one set per call site.
    fn opens(&mut self, site: GSite, result: GNode, opened: Opened) {
        let made = self.new_node();
        let value = self.part_node(made, Part::Values);
        match opened {
            Opened::Streams => {
                let pair = self.new_node();
                self.seed(pair, Obj::Container(pair, ContainerKind::Tuple));
                for (index, path) in crate::asyncio_api::CONNECTION_STREAMS {
                    let id = self.path(path);
                    for slot in [Part::Index(index), Part::Values] {
                        let node = self.part_node(pair, slot);
                        self.seed(node, Obj::ExternalInstance(id));
                    }
                }
                self.seed(value, Obj::Container(pair, ContainerKind::Tuple));
            }
            Opened::Process => {
                let id = self.path("asyncio.subprocess.Process");
                self.seed(value, Obj::ExternalInstance(id));
            }
            Opened::Server | Opened::ProtocolServer => {
                let id = self.path("asyncio.Server");
                self.seed(value, Obj::ExternalInstance(id));
            }
        }
        self.seed(result, Obj::ItemCoro(made));
        // The loop calls a server's callback with the connection's streams.
        let callback = match opened {
            Opened::Server => {
                let args = self.site_args(site);
                let keyword = args.keyword("client_connected_cb");
                args.arg(0).map(|node| (node, Some(0))).or_else(|| keyword.map(|node| (node, None)))
            }
            _ => None,
        };
        match callback {
            Some((node, position)) => {
                self.complex_on(node, Complex::ClientConnected);
                let keyword = position.is_none().then_some("client_connected_cb");
                self.escape_arguments_except(site, position, keyword);
            }
            None => self.escape_arguments(site, None),
        }
    }
}
