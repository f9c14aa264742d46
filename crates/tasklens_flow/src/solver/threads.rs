//! Functions run in another thread (`run_in_executor`, `to_thread`, `threading.Thread`, an
//! executor's `submit` and `map`): they are noted for TL003 (no running loop there) and
//! get the arguments the runner calls them with.

use tasklens_semantic::facts::{ParamKind, Part};

use super::{CallbackArgument, CallbackCaller, Complex, NO_LABEL, Solver};
use crate::asyncio_api::{ThreadArguments, ThreadRunner, WorkerThread};
use crate::objects::{GFunc, GNode, GSite, Obj};

impl Solver {
    /// The function argument of a call that runs it in another thread, with what it passes.
    pub(super) fn note_thread_runner(&mut self, site: GSite, runner: ThreadRunner) {
        let args = self.site_args(site);
        let by_keyword = || {
            let call = args.call();
            let keyword = call.keywords.iter().find(|k| Some(k.name.as_str()) == runner.keyword)?;
            args.node(keyword.node)
        };
        let Some(function) = args.arg(usize::from(runner.function)).or_else(by_keyword) else { return };
        if matches!(runner.thread, WorkerThread::Executor | WorkerThread::GivenExecutor { .. }) {
            self.result_runner_sites.insert(site);
        }
        match runner.thread {
            WorkerThread::Own => {}
            WorkerThread::Executor => _ = self.executor_thread_sites.insert(site),
            // `None` is no node: asyncio's default executor.
            WorkerThread::GivenExecutor { position } => {
                if args.arg(usize::from(position)).is_some() {
                    self.executor_thread_sites.insert(site);
                }
            }
            WorkerThread::Initializer => _ = self.executor_initializer_sites.insert(site),
        }
        self.complex_on(function, Complex::ThreadTarget { site });
        let forwards = runner.arguments == ThreadArguments::Following;
        let caller = CallbackCaller::Thread;
        self.callback_arguments.insert(CallbackArgument { site, node: function, caller, forwards });
        let first = runner.function + 1;
        match runner.arguments {
            ThreadArguments::Following => self.complex_on(function, Complex::Forward { site, first }),
            ThreadArguments::Elements => self.complex_on(function, Complex::ForwardElements { site, first }),
            ThreadArguments::Tuple { position, keyword } => {
                let call = args.call();
                let named = call.keywords.iter().find(|k| k.name.as_str() == keyword);
                let tuple = match named {
                    Some(named) => args.node(named.node),
                    None => args.arg(usize::from(position)),
                };
                if let Some(tuple) = tuple {
                    self.complex_on(function, Complex::ForwardTuple { tuple });
                }
            }
        }
    }

    /// `executor.map(f, xs, ys)`: the elements of the iterables from position `first` on
    /// reach `f`'s parameters.
    pub(super) fn forward_elements(&mut self, value: Obj, site: GSite, first: u8) {
        let Some((func, shift)) = value.callable() else { return };
        let args = self.site_args(site);
        let iterables: Vec<GNode> = (usize::from(first)..args.call().args.len()).filter_map(|i| args.arg(i)).collect();
        for (iterable, param) in iterables.into_iter().zip(self.positional_params(func, shift)) {
            self.complex_on(iterable, Complex::LoadPart { part: Part::Iter, to: param, label: NO_LABEL });
        }
    }

    /// `Thread(target=f, args=(a, b))`: the tuple's positions reach `f`'s parameters.
    pub(super) fn forward_tuple(&mut self, value: Obj, tuple: GNode) {
        let Some((func, shift)) = value.callable() else { return };
        let params = self.positional_params(func, shift);
        for (position, param) in params.into_iter().enumerate().take(tasklens_semantic::facts::MAX_TUPLE_INDEX) {
            let part = Part::SequenceItem(position as u8);
            self.complex_on(tuple, Complex::LoadPart { part, to: param, label: NO_LABEL });
        }
    }

    /// The nodes of `func`'s parameters that take positional arguments, after `shift` bound ones.
    fn positional_params(&self, func: GFunc, shift: usize) -> Vec<GNode> {
        let (m, facts) = self.modules.func(func);
        let base = self.modules.modules[m as usize].node_base;
        (facts.params.iter().skip(shift))
            .take_while(|p| matches!(p.kind, ParamKind::Positional | ParamKind::PositionalOnly))
            .map(|p| base + p.node)
            .collect()
    }
}
