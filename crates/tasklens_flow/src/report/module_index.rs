//! Per-module lookups the report makes once per `ensure_future` call, built once per
//! module on first use: scanning a module's constraints for each call took quadratic time
//! in a module with tens of thousands of such calls.

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{Binding, Constraint, FunctionFacts, GuardTest, ModuleFacts, Part};

use crate::objects::{ModIdx, Obj};
use crate::solver::Solved;

/// A way a module-local node gets its value, for walking back over plain copies.
#[derive(Clone, Copy)]
pub(super) enum WayIn {
    Copy {
        from: u32,
    },
    Load {
        attr: u32,
    },
    /// What iterating `from` gives (`for a in aws`, `[f(a) for a in aws]`).
    Element {
        from: u32,
    },
}

/// What the report asks of one module's facts.
pub(super) struct ModuleIndex {
    /// The callee node of each call site made by a `Call` constraint.
    callees: FxHashMap<u32, u32>,
    /// The callee node of the call whose result is each node.
    callees_by_result: FxHashMap<u32, u32>,
    /// The method name (a name id) of the method call whose result is each node.
    methods_by_result: FxHashMap<u32, u32>,
    /// Attributes that a public function stores one of its parameters in (`self.factory =
    /// factory` in a public class's `__init__`), with that parameter's name.
    param_attrs: FxHashMap<u32, Name>,
    /// The node each narrowed node (the version a test leaves in a branch) narrows, except
    /// for tests that only coroutines pass.
    narrowed_from: FxHashMap<u32, u32>,
    /// The copies and attribute loads into each node.
    ways_in: FxHashMap<u32, Vec<WayIn>>,
    /// A module variable that holds an event loop (the first in name order).
    pub loop_global: Option<Name>,
}

impl ModuleIndex {
    fn build(solved: &Solved, module: ModIdx) -> Self {
        let entry = &solved.modules.modules[module as usize];
        let (mut callees, mut ways_in) = (FxHashMap::default(), FxHashMap::<u32, Vec<WayIn>>::default());
        let (mut callees_by_result, mut methods_by_result) = (FxHashMap::default(), FxHashMap::default());
        let public_params: FxHashMap<u32, &Name> = (entry.facts.functions.iter())
            .filter(|function| is_public(&entry.facts, function))
            .flat_map(|function| function.params.iter().map(|param| (param.node, &param.name)))
            .collect();
        let mut param_attrs = FxHashMap::default();
        for constraint in &entry.facts.constraints {
            match *constraint {
                // The first `Call` of a site names its callee.
                Constraint::Call { site, callee, result } => {
                    callees.entry(site).or_insert(callee);
                    callees_by_result.entry(result).or_insert(callee);
                }
                Constraint::MethodCall { name, result, .. } => _ = methods_by_result.entry(result).or_insert(name),
                Constraint::Store { attr, from, .. } => {
                    if let Some(&name) = public_params.get(&from) {
                        param_attrs.entry(attr).or_insert_with(|| name.clone());
                    }
                }
                Constraint::Copy { from, to, .. } => ways_in.entry(to).or_default().push(WayIn::Copy { from }),
                Constraint::Load { attr, to, .. } => ways_in.entry(to).or_default().push(WayIn::Load { attr }),
                Constraint::LoadPart { base, part: Part::Iter, to, .. } => {
                    ways_in.entry(to).or_default().push(WayIn::Element { from: base });
                }
                _ => {}
            }
        }
        let loop_global = entry.facts.globals.iter().find_map(|(name, binding)| match binding {
            Binding::Variable(node) => {
                let set = solved.sets.get(entry.node_base + node);
                set.iter().any(|&o| solved.objs[o as usize] == Obj::Loop).then(|| name.clone())
            }
            _ => None,
        });
        // Not through a test that only a coroutine (or an `async def`) passes: what gets by
        // it is one whatever the callers pass.
        let narrowed_from = (entry.facts.guards.iter())
            .filter(|guard| !matches!(guard.test, GuardTest::Coroutine | GuardTest::CoroutineFunction))
            .map(|guard| (guard.to, guard.from))
            .collect();
        ModuleIndex { callees, callees_by_result, methods_by_result, param_attrs, narrowed_from, ways_in, loop_global }
    }

    /// The callee node of the call at module-local `site`, if a `Call` constraint makes it.
    pub fn callee(&self, site: u32) -> Option<u32> {
        self.callees.get(&site).copied()
    }

    /// The callee node of the call whose result is module-local `node`.
    pub fn callee_of_result(&self, node: u32) -> Option<u32> {
        self.callees_by_result.get(&node).copied()
    }

    /// The method name (a name id) of the method call whose result is module-local `node`.
    pub fn method_of_result(&self, node: u32) -> Option<u32> {
        self.methods_by_result.get(&node).copied()
    }

    /// The parameter of a public function stored in attribute `attr` (a name id), if any.
    pub fn param_attr(&self, attr: u32) -> Option<&Name> {
        self.param_attrs.get(&attr)
    }

    /// The node that module-local `node` narrows, when a test made it (`if isawaitable(x):`).
    pub fn narrowed_from(&self, node: u32) -> Option<u32> {
        self.narrowed_from.get(&node).copied()
    }

    /// The copies and attribute loads into module-local `node`, in the facts' order.
    pub fn ways_in(&self, node: u32) -> &[WayIn] {
        self.ways_in.get(&node).map_or(&[], Vec::as_slice)
    }
}

/// Whether code outside the project may call `function`: a public name (no leading
/// underscore, or a dunder) in a public class, if any.
pub(super) fn is_public(facts: &ModuleFacts, function: &FunctionFacts) -> bool {
    let public = |name: &str| !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__"));
    public(function.name.as_str())
        && function.class.is_none_or(|class| public(facts.classes[class as usize].name.as_str()))
}

/// [`ModuleIndex`]es built as the report needs them, and the attribute names any module
/// assigns `None` (`ModuleFacts::none_attrs`, all modules together).
pub(super) struct ModuleIndexes<'a> {
    solved: &'a Solved,
    built: FxHashMap<ModIdx, ModuleIndex>,
    none_attrs: Option<FxHashSet<&'a Name>>,
}

impl<'a> ModuleIndexes<'a> {
    pub fn new(solved: &'a Solved) -> Self {
        ModuleIndexes { solved, built: FxHashMap::default(), none_attrs: None }
    }

    pub fn of(&mut self, module: ModIdx) -> &ModuleIndex {
        let solved = self.solved;
        self.built.entry(module).or_insert_with(|| ModuleIndex::build(solved, module))
    }

    /// Whether some module assigns `None` to an attribute named `attr`.
    pub fn none_attr(&mut self, attr: &Name) -> bool {
        let solved = self.solved;
        let names = self
            .none_attrs
            .get_or_insert_with(|| solved.modules.modules.iter().flat_map(|m| m.facts.none_attrs.iter()).collect());
        names.contains(attr)
    }
}
