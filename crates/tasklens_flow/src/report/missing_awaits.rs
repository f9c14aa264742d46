//! Coroutines used as the values they would give once awaited: an attribute read or a
//! method called on what only ever holds a coroutine (`user = self.fetch_user(id)`, then
//! `user.name`), which fails with AttributeError, a subscript or a `for` over it
//! (TypeError), an operand, an unpacked value or a builtin's argument (TypeError), or a
//! test of its truth or a comparison, which never says what was meant (TL019).

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;
use rustc_hash::FxHashSet;
use tasklens_semantic::facts::{Constraint, FUTURE_METHODS, Part, ProtocolUse, TASK_ONLY_METHODS, ValueUse};

use super::coroutine_sinks::{coroutine_producers, kind_tested_nodes, made_at};
use super::producers::named_functions;
use super::trace::trace;
use super::{CallContext, Location, Step, call_at, file_of, runs_below};
use crate::objects::{GNode, GSite, ObjId};
use crate::solver::Solved;

/// A call that makes a coroutine, and a place that uses the coroutine as the value it
/// would give once awaited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingAwait {
    /// The call that makes the coroutine.
    pub at: Location,
    pub callee: TextRange,
    /// The project's `async def`s it runs, with where each is defined.
    pub functions: Vec<(Name, Location)>,
    /// Where the coroutine is used as a value (`user.name`, `data["id"]`, the iterable of
    /// a `for`), and how.
    pub used: Location,
    pub how: CoroutineUse,
    /// How the coroutine came from the call to `used`.
    pub steps: Vec<Step>,
    pub context: CallContext,
    /// The call runs only on Pythons older than this (a version guard).
    pub below: Option<tasklens_db::PythonVersion>,
}

/// How a coroutine is used where its result was meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoroutineUse {
    /// An attribute read or a method called (AttributeError).
    Attribute(Name),
    /// `coro[key]` (TypeError: not subscriptable).
    Subscript,
    /// The iterable of a `for` or an `async for`, or what a `with` or an `async with`
    /// enters (TypeError; AttributeError for `with` before 3.11).
    Protocol(ProtocolUse),
    /// The test of an `if`, `while`, `assert`...: a coroutine is always true.
    Tested,
    /// An operand, an unpacked value, a builtin's argument (see [`ValueUse`]).
    Value(ValueUse),
}

impl CoroutineUse {
    /// Whether the use raises nothing, but is never what was meant (a truth test, `==`):
    /// the value may be something else (`None`) where it comes from elsewhere.
    pub fn silent(&self) -> bool {
        matches!(self, CoroutineUse::Tested | CoroutineUse::Value(ValueUse::Compared(_) | ValueUse::EachTested(_)))
    }
}

/// Attributes TL019 leaves alone: what a coroutine has (reading anything else of one
/// fails), a generator's (`gi_frame`: code that reads them holds the coroutine on
/// purpose, as a wrapper written for generator-based coroutines does, and no `await`
/// would help), and the methods of Futures and Tasks, which are TL018's.
fn left_alone(attr: &Name) -> bool {
    let attr = attr.as_str();
    attr.starts_with("__")
        || attr.starts_with("cr_")
        || attr.starts_with("gi_")
        || matches!(attr, "send" | "throw" | "close")
        || FUTURE_METHODS.contains(&attr)
        || TASK_ONLY_METHODS.contains(&attr)
}

/// Each call whose coroutine is used as a value (see [`CoroutineUse`]) where only
/// coroutines can be, once per place, by call site.
pub(super) fn missing_awaits(solved: &Solved, context_of: &dyn Fn(u32) -> CallContext) -> Vec<MissingAwait> {
    // The uses of nodes that hold nothing but coroutines.
    let mut uses: Vec<(GNode, CoroutineUse, Location)> = Vec::new();
    for (m, module) in solved.modules.modules.iter().enumerate() {
        let facts = &module.facts;
        let only_coroutines = |node: u32| {
            let objs = solved.sets.get(module.node_base + node);
            !objs.is_empty() && objs.iter().all(|&obj| solved.objs[obj as usize].is_coroutine())
        };
        let mut note = |node: u32, how: CoroutineUse, range: TextRange| {
            if only_coroutines(node) {
                uses.push((module.node_base + node, how, Location { file: module.file, range }));
            }
        };
        for constraint in &facts.constraints {
            match *constraint {
                Constraint::Load { base, attr, hop: Some(hop), .. } if !left_alone(facts.name(attr)) => {
                    note(
                        base,
                        CoroutineUse::Attribute(facts.name(attr).clone()),
                        solved.positions[m].hops[hop as usize],
                    );
                }
                Constraint::MethodCall { site, receiver, name, .. } if !left_alone(facts.name(name)) => {
                    let range = call_at(solved, module.site_base + site).callee;
                    note(receiver, CoroutineUse::Attribute(facts.name(name).clone()), range);
                }
                // A subscript (a `for` target's binding and a `case` pattern's parts are not
                // one: a pattern just does not match a coroutine).
                Constraint::LoadPart { base, part, hop: Some(hop), .. }
                    if !matches!(part, Part::Iter | Part::MappingValue(_) | Part::SequenceItem(_)) =>
                {
                    note(base, CoroutineUse::Subscript, solved.positions[m].hops[hop as usize]);
                }
                _ => {}
            }
        }
        for (index, &node) in facts.truth_tests.iter().enumerate() {
            note(node, CoroutineUse::Tested, solved.positions[m].truth_tests[index]);
        }
        for (index, &(node, used)) in facts.value_uses.iter().enumerate() {
            note(node, CoroutineUse::Value(used), solved.positions[m].value_uses[index]);
        }
        for (index, &(node, used, _)) in facts.protocol_uses.iter().enumerate() {
            note(node, CoroutineUse::Protocol(used), solved.positions[m].protocol_uses[index]);
        }
    }
    if uses.is_empty() {
        return Vec::new();
    }
    // As for TL018: not through a test of the value's kind, and from the call that made it.
    let tested = kind_tested_nodes(solved);
    let reached: Vec<(GNode, usize, ObjId)> = (uses.iter().enumerate())
        .flat_map(|(index, (node, ..))| solved.sets.get(*node).iter().map(move |&obj| (index, *node, obj)))
        .filter_map(|(index, node, obj)| Some((made_at(solved, &tested, node, obj)?, index, obj)))
        .collect();
    let producers = coroutine_producers(solved, reached.iter().map(|&(made, ..)| made).collect());
    if producers.is_empty() {
        return Vec::new();
    }
    // A function whose name is also stored as an attribute somewhere (`crawler.arun =
    // wrap(crawler.arun)`, `setattr(obj, "arun", ...)`) may be replaced on the instance
    // the call goes to, by something that gives another kind of value.
    let mut stored: FxHashSet<&str> = FxHashSet::default();
    for module in &solved.modules.modules {
        let facts = &module.facts;
        for constraint in &facts.constraints {
            if let Constraint::Store { attr, .. } = constraint {
                stored.insert(facts.name(*attr).as_str());
            }
        }
        stored.extend(facts.attr_args.iter().map(|&(_, attr)| facts.name(attr).as_str()));
    }
    let mut seen: FxHashSet<(GSite, usize)> = FxHashSet::default();
    let mut found: Vec<(GSite, usize, MissingAwait)> = Vec::new();
    for (made, index, obj) in reached {
        let Some((site, callees)) = producers.get(&made) else { continue };
        if callees.iter().any(|&func| stored.contains(solved.modules.func(func).1.name.as_str())) {
            continue;
        }
        if !seen.insert((*site, index)) {
            continue;
        }
        let (node, how, used) = &uses[index];
        let steps = trace(solved, *node, obj);
        // A value tested for its truth or compared may also be `None` (which the analysis
        // does not follow) where it comes from elsewhere: `if coro := maybe_start():`. Only
        // the call itself, tested where it is made, is surely a coroutine.
        // What `any()` and `all()` test was collected in the same function (`all(ready(x)
        // for x in xs)`): nothing else is among the elements.
        let each_tested = matches!(how, CoroutineUse::Value(ValueUse::EachTested(_)));
        if how.silent() && !(each_tested && steps.iter().all(|step| step.kind.is_local())) && !steps.is_empty() {
            continue;
        }
        // asyncio's own coroutine methods are found from the class the receiver is assumed
        // to be (an annotation such as `Union[BinaryIO, StreamReader]`, which `isinstance`
        // against an outside class narrows where the analysis does not): followed only
        // within the function that calls them.
        if callees.is_empty() && steps.iter().any(|step| !step.kind.is_local()) {
            continue;
        }
        let module = solved.modules.site_module(*site);
        let at = call_at(solved, *site);
        found.push((
            *site,
            index,
            MissingAwait {
                at: Location { file: file_of(solved, module), range: at.range },
                callee: at.callee,
                functions: named_functions(solved, callees.iter().copied()),
                used: *used,
                how: how.clone(),
                steps,
                context: context_of(*site),
                below: runs_below(solved, *site),
            },
        ));
    }
    // Uses are numbered in module order, then source order.
    found.sort_by_key(|&(site, index, _)| (site, index));
    found.into_iter().map(|(.., flow)| flow).collect()
}
