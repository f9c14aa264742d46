//! Calls of outside callables (asyncio's, the standard library's, the event loop's
//! methods): what each call notes for the rules (newer APIs and keywords, removed `loop=`,
//! loop-bound objects, new loops, thread runners, callbacks plain code calls, timeouts)
//! before its effect on the result (`external.rs`).

use super::{CallbackArgument, CallbackCaller, Complex, Solver};
use crate::asyncio_api::{
    ElementCallback, ExternalCall, api_added_in, binds_loop_when_made, external_call, keyword_added_in, loop_method,
    loop_removed, loop_thread_runner, makes_new_loop, plain_callback_index, raises_asyncio_timeout, split,
    thread_runner,
};
use crate::objects::{GNode, GSite};

impl Solver {
    /// A call of the external object at `path`.
    pub(super) fn external_path_call(&mut self, site: GSite, path: u32, result: GNode) {
        let name = self.paths[path as usize].clone();
        let (top, last) = split(&name);
        self.note_external_init(site, &name);
        if api_added_in(&name).is_some() {
            self.newer_api_sites.insert(site, name.clone());
        }
        if (top, last) == ("asyncio", "as_completed") {
            self.as_completed_sites.insert(site);
        }
        if name.starts_with("asyncio.") {
            let args = self.site_args(site);
            let newer_keyword = (args.call().keywords.iter().enumerate())
                .find(|(_, k)| keyword_added_in(&name, k.name.as_str()).is_some())
                .map(|(index, k)| (index as u32, name.clone(), k.name.clone()));
            if let Some(keyword) = newer_keyword {
                self.newer_keyword_sites.insert(site, keyword);
            }
        }
        if let Some(runner) = thread_runner(&name) {
            self.outside_callback_callees.insert(site, path);
            self.note_thread_runner(site, runner);
        }
        if makes_new_loop(&name) {
            self.new_loop_sites.insert(site);
        }
        if raises_asyncio_timeout(&name) {
            self.timeout_sites.insert(site);
        }
        if let Some(index) = plain_callback_index(&name) {
            // A signal handler is called with the signal and the frame; the others with
            // the arguments given after them.
            let forwards = (top, last) != ("signal", "signal");
            if (top, last) == ("atexit", "register") {
                self.exit_sites.insert(site);
            }
            self.outside_callback_callees.insert(site, path);
            self.plain_callback(site, index, forwards);
        }
        // `filter(f, xs)`, `sorted(xs, key=f)`: called on each element.
        if let Some(uses) = crate::asyncio_api::element_callback(&name) {
            let args = self.site_args(site);
            let (callback, caller) = match uses {
                ElementCallback::Tests => (args.arg(0), CallbackCaller::Filter),
                ElementCallback::Orders => (args.keyword("key"), CallbackCaller::SortKey),
            };
            if let Some(callback) = callback {
                self.outside_callback_callees.insert(site, path);
                self.note_plain_callback(site, callback, caller, false);
            }
        }
        self.external_effect(site, result, external_call(&name), Some(path));
    }

    /// A call that registers argument `index` as a callback plain code calls (TL009).
    pub(super) fn plain_callback(&mut self, site: GSite, index: u8, forwards: bool) {
        if let Some(callback) = self.site_args(site).arg(usize::from(index)) {
            self.note_plain_callback(site, callback, CallbackCaller::Plain, forwards);
        }
    }

    /// The callback at `callback` of the call `site`, which plain code calls as `caller`
    /// says (TL009).
    pub(super) fn note_plain_callback(&mut self, site: GSite, callback: GNode, caller: CallbackCaller, forwards: bool) {
        self.plain_callback_sites.insert(site, caller);
        self.callback_arguments.insert(CallbackArgument { site, node: callback, caller, forwards });
        self.complex_on(callback, Complex::PlainCallback { site });
    }

    /// A call of the event loop's method `name`.
    pub(super) fn loop_call(&mut self, site: GSite, name: &str, result: GNode) {
        if let Some(runner) = loop_thread_runner(name) {
            self.note_thread_runner(site, runner);
        }
        if crate::asyncio_api::method_added_in(name).is_some() {
            self.newer_api_sites.insert(site, format!("{}{name}", crate::asyncio_api::LOOP_METHODS));
        }
        self.external_effect(site, result, loop_method(name), None);
    }

    /// `partial(loop.method, a...)(b...)`: with nothing bound but the method, the call is
    /// the method's own; otherwise the arguments are split between two sites, and only
    /// what the method gives regardless of them is kept (a plain Future from
    /// `partial(loop.run_in_executor, None)`), and the arguments escape.
    pub(super) fn partial_loop_call(&mut self, partial: GSite, site: GSite, name: u32, result: GNode) {
        let name = self.name(name).clone();
        let effect = loop_method(&name);
        if self.site_args(partial).call().args.len() == 1 {
            self.loop_call(site, &name, result);
        } else if effect == ExternalCall::NewFuture {
            // What it runs (in another thread, for `run_in_executor`) is not followed.
            self.escape_arguments(site, None);
            self.external_effect(site, result, effect, None);
        } else {
            self.unknown_call(site, result);
        }
    }

    /// A call of the outside callable at `path`, or of the outside `__init__` a project
    /// subclass inherits or calls with `super()`: `loop=` passed where it was removed
    /// (TL006), and an asyncio lock or queue made without one, which binds a loop when
    /// made before 3.10 (TL020).
    pub(super) fn note_external_init(&mut self, site: GSite, path: &str) {
        self.note_removed_loop(site, path);
        let path = path.strip_suffix(".__init__").unwrap_or(path);
        if binds_loop_when_made(path) && !self.site_args(site).passes_loop() {
            let class = split(path).1.to_string();
            self.loop_bound_sites.insert(site, class);
        }
    }

    /// Records `loop=` passed to an asyncio API that removed it (TL006).
    pub(super) fn note_removed_loop(&mut self, site: GSite, path: &str) {
        // `asyncio.Lock.__init__(self, loop=loop)` in a subclass's `__init__`.
        let path = path.strip_suffix(".__init__").unwrap_or(path);
        if loop_removed(path) {
            let args = self.site_args(site);
            if let Some(keyword) = args.call().keywords.iter().position(|k| k.name.as_str() == "loop") {
                self.removed_loop_sites.insert(site, (keyword as u32, path.to_string()));
            }
        }
    }
}
