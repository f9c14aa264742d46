//! Lowering of one module's syntax tree into [`ModuleFacts`].
//!
//! Locals are versioned: each assignment makes a new node and reads use the
//! version that reaches them, with merge nodes where branches join. Every
//! version also flows into a per-variable summary node, which other functions
//! and other modules read; what nested functions see is in `captures.rs`.

mod attribute_paths;
mod calls;
mod captures;
mod control;
mod expr;
mod functions;
mod handlers;
mod merges;
mod named_tuples;
mod names;
mod narrowing;
mod patterns;
mod predicates;
mod returns;
mod scan;
mod stmt;
mod timeouts;
mod versions;

pub use versions::{asyncio_method_since, asyncio_name_since};

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::positions::{CallPositions, Positions};

use crate::facts::{
    AnnotatedPlace, Binding, CallSite, ClassFacts, ClassId, Constraint, DictKey, FuncId, FunctionFacts, Hop, HopId,
    HopKind, ImportTarget, KeyId, ModuleFacts, NameId, NodeId, PassedThrough, Place, Seed, TaskMethodCall, TypeExpr,
};

/// The deepest statement or expression nesting that is walked.
pub const MAX_DEPTH: u32 = 10_000;

/// A lowered expression value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Val {
    Node(NodeId),
    /// A value the analysis does not follow (literals, operators...).
    Unknown,
    /// No value at all (`None`).
    Nothing,
}

/// The current version of each local, and whether control reaches here.
#[derive(Clone, Debug, Default)]
pub(crate) struct Flow {
    /// The current version of each name. Persistent: a branch copies it in constant time
    /// and a merge visits only the names that differ (a module with thousands of names
    /// and a conditional on every line would be quadratic with a hash map copied per branch).
    env: imbl::OrdMap<Name, NodeId>,
    live: bool,
    /// The code here runs only on Pythons older than this (a version guard).
    below: Option<tasklens_db::PythonVersion>,
    /// The code here runs only on this Python or newer (`if sys.version_info >= (3, 11):`).
    above: Option<tasklens_db::PythonVersion>,
    /// Attributes (`self._loop`, as receiver name and attribute) that `if self._loop is
    /// None: self._loop = ...` has set on every way here: reads of them are not `None`.
    set_attributes: Vec<(Name, Name)>,
    /// Tests on the function's parameters that hold here (see `CallSite::param_gates`).
    gates: Vec<crate::facts::ParamGate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Class(ClassId),
    Function(FuncId),
    Comprehension,
}

struct Scope {
    kind: ScopeKind,
    bound: FxHashSet<Name>,
    globals: FxHashSet<Name>,
    nonlocals: FxHashSet<Name>,
    flow: Flow,
    /// Every version of every local, for the summary nodes.
    versions: FxHashMap<Name, Vec<NodeId>>,
    summaries: FxHashMap<Name, NodeId>,
    /// A node per local with a declared type (`job: Task | None = None`), which every
    /// version reaches: the declaration holds for each write in the function. Unlike a
    /// summary it keeps nothing alive.
    declared: FxHashMap<Name, NodeId>,
    /// What functions and classes nested here read of its locals.
    nested: captures::NestedReads,
    loops: Vec<LoopFlows>,
    is_async: bool,
    /// The first parameter of a method and its class.
    self_param: Option<(Name, ClassId)>,
    /// Functions defined directly in this function's body, by name.
    local_defs: FxHashMap<Name, FuncId>,
    /// Names bound to a narrowing test (`is_task = isinstance(x, asyncio.Task)`), used
    /// later as a condition (`if is_task:`).
    condition_aliases: FxHashMap<Name, ConditionAlias>,
    /// Names bound to a copy of another name and since only to an attribute of themselves
    /// (`check = target`, then `check = check.func` unwrapping partials), with the name
    /// copied and its version then: `iscoroutine(check)` says it of `target` too.
    unwrapped_copies: FxHashMap<Name, (Name, Option<NodeId>)>,
    /// Per enclosing `try` body (or `with suppress(...)` body) of this scope, innermost
    /// last: the versions bound in it, which an exception may leave it after (`None`
    /// past `merges::MAX_RECORDED_BODIES` of them).
    try_bindings: Vec<Option<Vec<(Name, NodeId)>>>,
    /// Some attribute path has been narrowed here (see `attribute_paths`).
    narrowed_paths: bool,
}

/// A name bound to a narrowing test, valid while the name and every narrowed name keep
/// the versions they had then (any assignment or merge gives them new ones).
struct ConditionAlias {
    version: NodeId,
    subjects: Vec<(Name, Option<NodeId>)>,
    when_true: Vec<stmt::Narrowing>,
    when_false: Vec<stmt::Narrowing>,
}

#[derive(Default)]
struct LoopFlows {
    continues: Vec<Flow>,
    breaks: Vec<Flow>,
}

pub(crate) struct Lowerer {
    facts: ModuleFacts,
    scopes: Vec<Scope>,
    depth: u32,
    /// How many branches, loops, `try` blocks or conditional expressions of the current
    /// function enclose the code being lowered.
    conditional: u32,
    /// How many tests or `RuntimeError` handlers enclose the code being lowered (see
    /// `CallSite::guarded`).
    guarded: u32,
    /// Per function, how many call sites had been made when it last suspended (see
    /// `CallSite::suspends_after`).
    suspended_at: FxHashMap<FuncId, usize>,
    /// The same for calls that run the event loop (see `CallSite::runs_loop_after`).
    loop_run_at: FxHashMap<FuncId, usize>,
    /// How many enclosing `try` bodies catch `AttributeError`: Task-only calls
    /// there are compatibility code, not sinks.
    attribute_error_handled: u32,
    /// How many `try` bodies around here handle `ImportError`.
    import_error_handled: u32,
    /// Names bound by imports under a version guard or where `ImportError` is handled, and
    /// aliases (`to_thread = asyncio.to_thread`) under a version guard or where
    /// `AttributeError` is handled.
    compat_names: FxHashSet<Name>,
    /// Names bound by `ModuleFacts::newer_imports`.
    newer_import_names: FxHashSet<Name>,
    /// How many `try` bodies that catch `TypeError` enclose the code being lowered.
    type_error_handled: u32,
    /// How many `except TypeError:` handler bodies enclose the code being lowered.
    type_error_fallback: u32,
    /// How many test blocks that expect a `RuntimeError` (`pytest.raises`) enclose the code.
    failure_expected: u32,
    /// The last names of what enclosing `with patch(...)` blocks and `@patch(...)`
    /// decorators replace (see `ModuleFacts::patched_calls`).
    patched: Vec<Name>,
    /// How many blocks that handle `RuntimeError` (`try`, `pytest.raises`, `assertRaises`)
    /// enclose the code, in the current function.
    runtime_error_handled: u32,
    /// Inside blocks that name `ValueError` among what they catch.
    value_error_handled: u32,
    /// What the blocks around here, in this function, do with asyncio's `TimeoutError`
    /// (innermost last; blocks that catch neither kind are left out).
    timeout_catchers: Vec<timeouts::TimeoutCatch>,
    /// The call being lowered is the value of an `await` (see `note_timeout_await`).
    next_call_awaited: bool,
    /// Inside an `if` that switches on whether something is a coroutine
    /// (`if iscoroutinefunction(f):`) or on a constant (`if True:`, the code generated for
    /// sync and async twins): a call thrown away there is not recorded as `discarded`, also
    /// in functions defined there (under `if False:` they are never defined).
    kind_switch: u32,
    /// The names walruses have bound, with their versions, in order (see
    /// `Lowerer::restore_keeping_walruses`).
    walrus_bindings: Vec<(Name, NodeId)>,
    /// The ids of names in `facts.names`.
    name_ids: FxHashMap<Name, NameId>,
    /// Other names `typing.cast` is imported as (`from typing import cast as as_type`).
    cast_aliases: FxHashSet<Name>,
    /// Where each name is in `facts.type_aliases` (kept sorted by name once lowered).
    type_alias_at: FxHashMap<Name, usize>,
    /// Per function being lowered, the values its `return`s give that are not a parameter
    /// handed back unchanged.
    own_returns: FxHashMap<FuncId, Vec<(Val, HopId)>>,
    /// Versions of locals assigned `ensure_future(param)` (see `note_wrapped_version`).
    wrapped_versions: FxHashMap<NodeId, PassedThrough>,
    /// How many times each local that holds such a container (by name, then scope index)
    /// has been read since it was first assigned one: only those are counted.
    name_reads: FxHashMap<Name, Vec<(usize, u32)>>,
    /// Versions of locals assigned a new container of a parameter's elements
    /// (`tasks = [ensure_future(c) for c in coros]`), with the local and its reads then: a
    /// `return tasks` passes the parameter through only if nothing read it in between
    /// (which could have added to it).
    collection_versions: FxHashMap<NodeId, (usize, Name, u32)>,
    /// Module-level names bound to a version test (`PY310 = sys.version_info >= (3, 10)`).
    version_aliases: FxHashMap<Name, versions::VersionTest>,
    /// Module-level names bound to a skip marker with a version test, as where the marked
    /// code runs (`minimum_python_38 = pytest.mark.skipif(...)`).
    skip_markers: FxHashMap<Name, versions::VersionTest>,
    /// Where the module's tests run, by its `pytestmark`.
    module_runs_when: Option<versions::VersionTest>,
    /// The module's constant flags (see [`scan::constant_flags`]): a branch they rule out
    /// never runs, and is not lowered.
    constant_flags: FxHashMap<Name, bool>,
    /// The ids of keys in `facts.keys`.
    key_ids: FxHashMap<DictKey, KeyId>,
    /// How each module-level name is bound, to decide its [`Binding`].
    module_bindings: FxHashMap<Name, Vec<Binding>>,
    /// `# type: T` comments, in source order.
    type_comments: Vec<crate::type_comments::TypeComment>,
    /// Where each fact sits, index for index with `facts`.
    positions: Positions,
}

impl Lowerer {
    pub(crate) fn lower_module(
        body: &[Stmt],
        type_comments: Vec<crate::type_comments::TypeComment>,
    ) -> (ModuleFacts, Positions) {
        let scan = scan::scan_body(body);
        let constant_flags = scan::constant_flags(body, &scan);
        let mut lowerer = Lowerer {
            facts: ModuleFacts::default(),
            scopes: Vec::new(),
            depth: 0,
            attribute_error_handled: 0,
            import_error_handled: 0,
            compat_names: FxHashSet::default(),
            newer_import_names: FxHashSet::default(),
            type_error_handled: 0,
            type_error_fallback: 0,
            runtime_error_handled: 0,
            failure_expected: 0,
            patched: Vec::new(),
            value_error_handled: 0,
            timeout_catchers: Vec::new(),
            next_call_awaited: false,
            kind_switch: 0,
            walrus_bindings: Vec::new(),
            cast_aliases: FxHashSet::default(),
            conditional: 0,
            guarded: 0,
            suspended_at: FxHashMap::default(),
            loop_run_at: FxHashMap::default(),
            name_ids: FxHashMap::default(),
            type_alias_at: FxHashMap::default(),
            key_ids: FxHashMap::default(),
            own_returns: FxHashMap::default(),
            wrapped_versions: FxHashMap::default(),
            name_reads: FxHashMap::default(),
            collection_versions: FxHashMap::default(),
            version_aliases: FxHashMap::default(),
            skip_markers: FxHashMap::default(),
            module_runs_when: None,
            constant_flags,
            module_bindings: FxHashMap::default(),
            type_comments,
            positions: Positions::default(),
        };
        lowerer.scopes.push(Scope::new(ScopeKind::Module, scan.bound, false));
        lowerer.block(body);
        let module = lowerer.scopes.pop().expect("module scope");
        lowerer.finish_scope(&module);
        let positions = std::mem::take(&mut lowerer.positions);
        (lowerer.finish_module(module), positions)
    }

    fn finish_module(mut self, module: Scope) -> ModuleFacts {
        // A string constant is bound once, by its one assignment.
        let constants = std::mem::take(&mut self.facts.string_constants);
        let mut assignments: FxHashMap<&Name, usize> = FxHashMap::default();
        for (name, _) in &constants {
            *assignments.entry(name).or_default() += 1;
        }
        let once = |name: &Name| assignments.get(name) == Some(&1);
        self.facts.string_constants = (constants.iter())
            .filter(|(name, _)| once(name) && self.module_bindings.get(name).is_some_and(|b| b.len() == 1))
            .cloned()
            .collect();
        self.facts.string_constants.sort();
        let mut globals: Vec<(Name, Binding)> = Vec::new();
        for name in &module.bound {
            // The same import twice (`import asyncio` and `import asyncio.subprocess` both bind
            // `asyncio` to the package) is still that one import.
            let binding = match self.module_bindings.remove(name).map(|mut bindings| {
                bindings.dedup();
                bindings
            }) {
                Some(bindings) if bindings.len() == 1 && !matches!(bindings[0], Binding::Variable(_)) => {
                    bindings.into_iter().next().expect("one binding")
                }
                Some(bindings) if bindings.len() > 1 && bindings.iter().all(|b| matches!(b, Binding::Import(_))) => {
                    let targets = (bindings.into_iter())
                        .filter_map(|b| if let Binding::Import(target) = b { Some(target) } else { None })
                        .collect();
                    self.facts.import_alternatives.push((name.clone(), targets));
                    match module.summaries.get(name) {
                        Some(&summary) => Binding::Variable(summary),
                        None => continue,
                    }
                }
                _ => match module.summaries.get(name) {
                    Some(&summary) => Binding::Variable(summary),
                    None => continue,
                },
            };
            globals.push((name.clone(), binding));
        }
        globals.sort_by(|a, b| a.0.cmp(&b.0));
        self.facts.globals = globals;
        self.facts.import_alternatives.sort_by(|a, b| a.0.cmp(&b.0));
        for class in &mut self.facts.classes {
            class.methods.sort_by(|a, b| a.0.cmp(&b.0));
            class.setters.sort_by(|a, b| a.0.cmp(&b.0));
            class.attributes.sort();
            class.attributes.dedup();
            class.stored.sort();
            class.stored.dedup();
        }
        self.facts.none_attrs.sort();
        self.facts.none_attrs.dedup();
        self.facts.set_attribute_reads.sort_unstable();
        self.facts.discarded.sort_unstable();
        self.facts.type_aliases.sort_by(|a, b| a.0.cmp(&b.0));
        self.facts
    }

    /// Emits the edges from every version of a scope's locals to their summaries.
    fn finish_scope(&mut self, scope: &Scope) {
        for (name, &summary) in scope.summaries.iter().chain(&scope.declared) {
            for &version in scope.versions.get(name).into_iter().flatten() {
                self.facts.constraints.push(Constraint::Copy { from: version, to: summary, hop: None });
            }
        }
        self.finish_nested_reads(&scope.nested, &scope.versions);
    }

    // ---- nodes, hops and constraints ------------------------------------

    fn node(&mut self) -> NodeId {
        let id = self.facts.node_count;
        self.facts.node_count += 1;
        id
    }

    fn seeded(&mut self, seed: Seed) -> NodeId {
        let node = self.node();
        self.facts.constraints.push(Constraint::Seed { node, seed });
        node
    }

    /// The id of a name in this module's name table.
    fn intern(&mut self, name: &Name) -> NameId {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.facts.names.len() as NameId;
        self.facts.names.push(name.clone());
        self.name_ids.insert(name.clone(), id);
        id
    }

    fn hop(&mut self, range: TextRange, kind: HopKind) -> HopId {
        let id = self.facts.hops.len() as HopId;
        self.facts.hops.push(Hop { kind });
        self.positions.hops.push(range);
        id
    }

    /// Records a read of `base.name` where `name` is an asyncio name some Pythons lack
    /// (whether `base` is asyncio is for the solution to say).
    fn note_newer_attribute_read(&mut self, base: NodeId, attribute: &ast::ExprAttribute) {
        let Some(since) = versions::asyncio_name_since(attribute.attr.as_str()) else { return };
        let compat = matches!(&*attribute.value, ast::Expr::Name(root) if self.compat_names.contains(&root.id));
        if self.guarded > 0 || self.attribute_error_handled > 0 || compat {
            return;
        }
        let from_version = self.flow().above;
        let function = self.current_function();
        self.facts.newer_attribute_reads.push((base, attribute.attr.id.clone(), since, from_version, function));
        self.positions.newer_attribute_reads.push(attribute.range);
    }

    /// Records `param.result()` or `param.exception()` called on a parameter of the current
    /// function (as it was passed) where the function never asks about cancellation.
    pub(super) fn note_unchecked_outcome(&mut self, call: &ast::ExprCall, method: &Name) {
        if !matches!(method.as_str(), "result" | "exception") {
            return;
        }
        let ast::Expr::Attribute(attribute) = &*call.func else { return };
        let ast::Expr::Name(receiver) = &*attribute.value else { return };
        let Some(scope) = self.scopes.last() else { return };
        let ScopeKind::Function(func) = scope.kind else { return };
        let function = &self.facts.functions[func as usize];
        if function.mentions_cancellation {
            return;
        }
        let Some(&node) = scope.flow.env.get(&receiver.id) else { return };
        let Some(param) = function.params.iter().position(|p| p.node == node) else { return };
        self.facts.unchecked_outcomes.push(crate::facts::UncheckedOutcome {
            func,
            param: param as u32,
            method: method.clone(),
        });
        self.positions.unchecked_outcomes.push(call.range());
    }

    /// Records `receiver.method` of a Task or Future method (a sink). `called` is `None` for
    /// a read of the method, else whether the call passes arguments (recorded where no
    /// handler takes a TypeError).
    fn task_method_call(&mut self, receiver: NodeId, method: &Name, range: TextRange, called: Option<bool>) {
        let (from_version, under_test) = (self.flow().above, self.guarded > 0);
        let arguments = called == Some(true) && self.type_error_handled == 0;
        self.facts.task_method_calls.push(TaskMethodCall {
            receiver,
            method: method.clone(),
            from_version,
            under_test,
            arguments,
            called: called.is_some(),
            runtime_error_handled: self.runtime_error_handled > 0,
            function: self.current_function(),
        });
        self.positions.task_method_calls.push(range);
    }

    /// Records an annotation of `place` (at `range`).
    fn annotate(&mut self, place: Place, node: Option<NodeId>, annotation: TypeExpr, range: TextRange) {
        self.facts.annotated.push(AnnotatedPlace { place, node, annotation });
        self.positions.annotated.push(range);
    }

    fn constrain(&mut self, constraint: Constraint) {
        self.facts.constraints.push(constraint);
    }

    /// Makes `to` receive `value`.
    fn flow_into(&mut self, value: Val, to: NodeId, hop: Option<HopId>) {
        match value {
            Val::Node(from) => self.constrain(Constraint::Copy { from, to, hop }),
            Val::Unknown => self.constrain(Constraint::Seed { node: to, seed: Seed::Unknown }),
            Val::Nothing => {}
        }
    }

    /// A node holding `value` (allocating one for unknown values).
    fn node_of(&mut self, value: Val) -> Option<NodeId> {
        match value {
            Val::Node(node) => Some(node),
            Val::Unknown => Some(self.seeded(Seed::Unknown)),
            Val::Nothing => None,
        }
    }

    fn site(&mut self, site: CallSite, at: CallPositions) -> u32 {
        self.facts.call_sites.push(site);
        self.positions.call_sites.push(at);
        let id = (self.facts.call_sites.len() - 1) as u32;
        if let Some(below) = self.flow().below {
            self.facts.version_bounded.push((id, below));
        }
        if let Some(above) = self.flow().above {
            self.facts.version_floor.push((id, above));
        }
        if self.type_error_handled > 0 {
            self.facts.type_error_handled.push(id);
        }
        if self.type_error_fallback > 0 {
            self.facts.type_error_fallbacks.push(id);
        }
        if self.failure_expected > 0 {
            self.facts.failure_expected.push(id);
        }
        if self.kind_switch > 0 {
            self.facts.kind_switched_calls.push(id);
        }
        if self.value_error_handled > 0 {
            self.facts.value_error_handled.push(id);
        }
        id
    }

    /// Returns `true` (and records where) when nesting is too deep to walk.
    fn enter(&mut self, range: TextRange) -> bool {
        if self.depth >= MAX_DEPTH {
            self.positions.too_deep.get_or_insert(range);
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- scopes and names -------------------------------------------------

    fn scope(&self) -> &Scope {
        self.scopes.last().expect("a scope")
    }

    fn scope_mut(&mut self) -> &mut Scope {
        self.scopes.last_mut().expect("a scope")
    }

    fn flow(&mut self) -> &mut Flow {
        &mut self.scope_mut().flow
    }

    fn in_coroutine(&self) -> bool {
        self.scopes.iter().rev().find(|s| s.kind != ScopeKind::Comprehension).is_some_and(|s| s.is_async)
    }

    fn current_function(&self) -> Option<FuncId> {
        match self.scopes.iter().rev().find(|s| s.kind != ScopeKind::Comprehension)?.kind {
            ScopeKind::Function(func) => Some(func),
            _ => None,
        }
    }

    /// The innermost function whose body runs this code (class bodies run with it).
    fn enclosing_function(&self) -> Option<FuncId> {
        self.scopes.iter().rev().find_map(|s| match s.kind {
            ScopeKind::Function(func) => Some(func),
            _ => None,
        })
    }

    fn current_class_method(&self) -> Option<(ClassId, FuncId)> {
        let func = self.current_function()?;
        self.facts.functions.get(func as usize)?.class.map(|class| (class, func))
    }

    /// The dict key `expr` always is: a string literal, or a name bound at module level
    /// (not shadowed by a local of an enclosing function).
    fn constant_key(&mut self, expr: &ast::Expr) -> Option<KeyId> {
        let key = match expr {
            ast::Expr::StringLiteral(literal) => DictKey::Str(Name::new(literal.value.to_str())),
            ast::Expr::Name(name) => {
                let innermost = self.scopes.len() - 1;
                for (index, scope) in self.scopes.iter().enumerate().skip(1).rev() {
                    if scope.globals.contains(&name.id) {
                        break;
                    }
                    if index != innermost && matches!(scope.kind, ScopeKind::Class(_)) {
                        continue;
                    }
                    if scope.bound.contains(&name.id) && !scope.nonlocals.contains(&name.id) {
                        return None;
                    }
                }
                DictKey::Global(name.id.clone())
            }
            _ => return None,
        };
        if let Some(&id) = self.key_ids.get(&key) {
            return Some(id);
        }
        let id = KeyId::new(self.facts.keys.len() as u32)?;
        self.facts.keys.push(key.clone());
        self.key_ids.insert(key, id);
        Some(id)
    }

    /// Lowers `f` as code that may not run (a branch, a loop body...).
    fn conditionally<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.conditional += 1;
        let value = f(self);
        self.conditional -= 1;
        value
    }

    /// Lowers `f` as code that runs only when a test holds (a branch, not a loop body).
    fn under_test<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.guarded += 1;
        let value = self.conditionally(f);
        self.guarded -= 1;
        value
    }

    /// Restores the flow from before a boolean operation (dropping the narrowings of its
    /// operands) but keeps the names its walruses bound since `since`, where that is the
    /// name's only value after it: bound in the first operand (always evaluated), or a name
    /// with no earlier version (`if (t := jobs.get(k)) is not None and t.done():`).
    fn restore_keeping_walruses(&mut self, before: Flow, first_operand_end: usize, since: usize) {
        let kept: Vec<(Name, NodeId)> = (since..self.walrus_bindings.len())
            .map(|index| (index, &self.walrus_bindings[index]))
            .filter(|(index, (name, _))| *index < first_operand_end || !before.env.contains_key(name))
            .map(|(_, binding)| binding.clone())
            .collect();
        *self.flow() = before;
        for (name, version) in kept {
            self.flow().env.insert(name, version);
        }
    }

    /// The current function suspends here: its calls so far come before a suspension.
    fn suspends(&mut self) {
        let Some(func) = self.enclosing_function() else { return };
        let sites = mark_since_last(&mut self.suspended_at, &mut self.facts.call_sites, func);
        sites.for_each(|site| site.suspends_after = true);
    }

    /// The current function runs the event loop here (`loop.run_forever()`): its calls so
    /// far come before, and the frame stays alive while the loop runs.
    pub(super) fn runs_loop(&mut self) {
        self.suspends();
        let Some(func) = self.enclosing_function() else { return };
        let sites = mark_since_last(&mut self.loop_run_at, &mut self.facts.call_sites, func);
        sites.for_each(|site| site.runs_loop_after = true);
    }

    fn push_scope(&mut self, kind: ScopeKind, bound: FxHashSet<Name>, is_async: bool) {
        // A function or class defined under a version guard runs only there too.
        let below = self.scopes.last().and_then(|scope| scope.flow.below);
        let above = self.scopes.last().and_then(|scope| scope.flow.above);
        let mut scope = Scope::new(kind, bound, is_async);
        scope.flow.below = below;
        scope.flow.above = above;
        self.scopes.push(scope);
    }

    fn pop_scope(&mut self) {
        let scope = self.scopes.pop().expect("a scope");
        self.finish_scope(&scope);
    }

    fn new_class(&mut self, class: &ast::StmtClassDef) -> ClassId {
        let bases =
            class.arguments.iter().flat_map(|args| args.args.iter()).map(crate::annotation::type_expr).collect();
        self.positions.classes.push(class.name.range());
        let named_tuple = class.arguments.iter().flat_map(|args| args.args.iter()).any(is_named_tuple);
        let type_params = (class.type_params.iter().flat_map(|params| params.type_params.iter()))
            .map(|param| match param {
                ast::TypeParam::TypeVar(param) => param.name.id.clone(),
                ast::TypeParam::TypeVarTuple(param) => param.name.id.clone(),
                ast::TypeParam::ParamSpec(param) => param.name.id.clone(),
            })
            .collect();
        self.facts.classes.push(ClassFacts {
            name: class.name.id.clone(),
            bases,
            type_params,
            methods: Vec::new(),
            setters: Vec::new(),
            attributes: Vec::new(),
            stored: Vec::new(),
            fields: Vec::new(),
            // A `NamedTuple` subclass takes its fields as constructor arguments, as a dataclass does.
            dataclass: class.decorator_list.iter().any(is_dataclass_decorator) || named_tuple,
            tuple_fields: named_tuple,
            field_factories: Vec::new(),
        });
        (self.facts.classes.len() - 1) as ClassId
    }

    /// A new function named at `range`; its parameters' positions come with them.
    fn new_function(&mut self, facts: FunctionFacts, range: TextRange) -> FuncId {
        self.facts.functions.push(facts);
        self.positions.functions.push(range);
        self.positions.params.push(Vec::new());
        (self.facts.functions.len() - 1) as FuncId
    }

    fn import_target(level: u32, module: Option<&str>, name: Option<&str>) -> ImportTarget {
        ImportTarget { level, module: Name::new(module.unwrap_or_default()), name: name.map(Name::new) }
    }
}

/// `NamedTuple` or `typing.NamedTuple` as a base class.
fn is_named_tuple(base: &ast::Expr) -> bool {
    crate::annotation::dotted_name(base).and_then(|path| path.last().cloned()).is_some_and(|last| last == "NamedTuple")
}

/// `@dataclass`, `@dataclasses.dataclass(...)`, `@attr.s`, `@attrs.define`, `@define`, `@frozen`.
fn is_dataclass_decorator(decorator: &ast::Decorator) -> bool {
    let expr = match &decorator.expression {
        ast::Expr::Call(call) => &*call.func,
        other => other,
    };
    let Some(path) = crate::annotation::dotted_name(expr) else { return false };
    let last = path.last().map(Name::as_str).unwrap_or_default();
    let first = path.first().map(Name::as_str).unwrap_or_default();
    matches!(last, "dataclass" | "define" | "frozen" | "mutable") || (matches!(first, "attr" | "attrs") && last == "s")
}

impl Scope {
    fn new(kind: ScopeKind, bound: FxHashSet<Name>, is_async: bool) -> Self {
        Scope {
            kind,
            bound,
            globals: FxHashSet::default(),
            nonlocals: FxHashSet::default(),
            flow: Flow {
                env: imbl::OrdMap::new(),
                live: true,
                below: None,
                above: None,
                set_attributes: Vec::new(),
                gates: Vec::new(),
            },
            versions: FxHashMap::default(),
            summaries: FxHashMap::default(),
            declared: FxHashMap::default(),
            nested: captures::NestedReads::default(),
            loops: Vec::new(),
            is_async,
            self_param: None,
            local_defs: FxHashMap::default(),
            condition_aliases: FxHashMap::default(),
            unwrapped_copies: FxHashMap::default(),
            try_bindings: Vec::new(),
            narrowed_paths: false,
        }
    }
}

/// The call sites of `func` made since the last mark (`last` holds, per function, how
/// many sites there were then), which the new mark now follows.
fn mark_since_last<'a>(
    last: &mut FxHashMap<FuncId, usize>,
    sites: &'a mut [crate::facts::CallSite],
    func: FuncId,
) -> impl Iterator<Item = &'a mut crate::facts::CallSite> {
    let end = sites.len();
    let start = last.insert(func, end).unwrap_or(0);
    sites[start.min(end)..end].iter_mut().filter(move |site| site.caller == Some(func))
}

/// A value written out other than None, which is never awaitable nor callable: a number,
/// string, bytes or boolean literal, an f-string, a display or a comprehension
/// (`return {"id": 1}`, `return [row for row in rows]`).
pub(super) fn literal_value(expr: &ast::Expr) -> bool {
    matches!(
        expr,
        ast::Expr::NumberLiteral(_)
            | ast::Expr::StringLiteral(_)
            | ast::Expr::BytesLiteral(_)
            | ast::Expr::BooleanLiteral(_)
            | ast::Expr::FString(_)
            | ast::Expr::Dict(_)
            | ast::Expr::List(_)
            | ast::Expr::Set(_)
            | ast::Expr::Tuple(_)
            | ast::Expr::ListComp(_)
            | ast::Expr::SetComp(_)
            | ast::Expr::DictComp(_)
    )
}
