//! What an `__init__` stores of its parameters (`self.handle = handle`), per constructed
//! class: `TaskJob(task)` and `FutureJob(fut)`, two subclasses of one `Job`, each see their
//! own argument in `.handle`, where one attribute node for `Job` would give each both.
//!
//! Nodes, for an attribute `attr` owned by class `O` (the class in the MRO that declares it)
//! whose value some `__init__` stores from a parameter:
//! - `O`'s attribute node holds everything, as for any attribute: sinks, type filters,
//!   kept Tasks and reads through an instance of `O` (a cone: any subclass) use it.
//! - a direct node takes every other write (`obj.attr = value`), and feeds `O`'s node;
//! - a per-class node per constructed class `C` takes what constructions of `C` pass for
//!   the parameter (and `super().__init__(...)` in `C`'s own `__init__`), and feeds `O`'s
//!   node;
//! - a view per strict subclass `K` of `O` read through: the direct node and the per-class
//!   nodes of `K`'s bases and subclasses, not those of its siblings.
//!
//! The parameter's own node still reaches the attribute (through the direct node), but
//! only with what no construction passes: `Unknown` from outside callers, a parameter's
//! stand-in Future, the loop, outside objects, instances and classes (see [`SITELESS`]).

use rustc_hash::{FxHashMap, FxHashSet};

use super::DynHopKind;
use super::calls::{Passed, passed_at};
use super::{Label, NameId, Solver};
use crate::objects::{GClass, GFunc, GNode, Obj};

/// The label of the edge from an `__init__` parameter to the attribute it is stored in:
/// it lets through what the per-class nodes do not carry.
pub(crate) const SITELESS: Label = u32::MAX - 5;

/// Whether `value` may cross a [`SITELESS`] edge: values that stand for no particular
/// call's argument. Futures, Tasks, coroutines, containers and functions go through the
/// per-class nodes instead.
pub(crate) fn is_siteless(value: Obj) -> bool {
    matches!(
        value,
        Obj::Unknown
            | Obj::ParamFuture(_)
            | Obj::FutureFactory(_)
            | Obj::Loop
            | Obj::External(_)
            | Obj::ExternalInstance(_)
            | Obj::Module(_)
            | Obj::Instance(_)
            | Obj::Class(_)
    )
}

/// The state of per-class `__init__` stores (see the module documentation).
#[derive(Default)]
pub(crate) struct InitStores {
    /// Per `__init__`: (attribute, parameter index, the store's hop label).
    pub summaries: FxHashMap<GFunc, Vec<(NameId, u32, Label)>>,
    /// (owner, attribute) pairs some `__init__` stores a parameter in.
    pub summarised: FxHashSet<(GClass, NameId)>,
    direct: FxHashMap<(GClass, NameId), GNode>,
    per_class: FxHashMap<(GClass, NameId), GNode>,
    /// The per-class nodes of each attribute: (class, node).
    per_class_by_attr: FxHashMap<NameId, Vec<(GClass, GNode)>>,
    /// Per attribute: (class read through, owner, view node).
    views: FxHashMap<NameId, Vec<(GClass, GClass, GNode)>>,
    /// The node of each argument stored by a summary: (call site, parameter index).
    arguments: FxHashMap<(super::GSite, u32), GNode>,
    /// The class a construction or `super().__init__` call is binding for, while it binds.
    pub constructing: Option<GClass>,
}

impl Solver {
    /// Whether `a` is `b`, a base of `b` or a subclass of `b`.
    fn related(&self, a: GClass, b: GClass) -> bool {
        self.classes.mro[a as usize].contains(&b) || self.classes.mro[b as usize].contains(&a)
    }

    /// The node other writes of a summarised attribute go to (feeding the owner's node).
    pub(super) fn direct_attr_node(&mut self, owner: GClass, attr: NameId) -> GNode {
        if let Some(&node) = self.init.direct.get(&(owner, attr)) {
            return node;
        }
        let node = self.new_node();
        let all = self.attr_node(owner, attr);
        self.edge(node, all, super::NO_LABEL);
        self.init.direct.insert((owner, attr), node);
        node
    }

    /// What an instance of `class`, a strict subclass of `owner`, reads of a summarised
    /// attribute: the direct writes and the constructions of related classes.
    pub(super) fn attr_view(&mut self, class: GClass, owner: GClass, attr: NameId) -> GNode {
        let view = self.new_node();
        let direct = self.direct_attr_node(owner, attr);
        self.edge(direct, view, super::NO_LABEL);
        let related: Vec<GNode> = (self.init.per_class_by_attr.get(&attr).into_iter().flatten())
            .filter(|&&(c, _)| self.related(c, class))
            .filter(|&&(c, _)| self.classes.attr_owner(&self.modules, c, self.names.get(attr)) == owner)
            .map(|&(_, node)| node)
            .collect();
        for node in related {
            self.edge(node, view, super::NO_LABEL);
        }
        self.init.views.entry(attr).or_default().push((class, owner, view));
        view
    }

    /// The node of what constructions of `class` store in `attr`.
    fn per_class_node(&mut self, class: GClass, attr: NameId) -> GNode {
        if let Some(&node) = self.init.per_class.get(&(class, attr)) {
            return node;
        }
        let node = self.new_node();
        self.init.per_class.insert((class, attr), node);
        self.init.per_class_by_attr.entry(attr).or_default().push((class, node));
        let owner = self.classes.attr_owner(&self.modules, class, self.names.get(attr));
        let all = self.attr_node(owner, attr);
        self.edge(node, all, super::NO_LABEL);
        let views: Vec<GNode> = (self.init.views.get(&attr).into_iter().flatten())
            .filter(|&&(read, read_owner, _)| read_owner == owner && self.related(class, read))
            .map(|&(_, _, view)| view)
            .collect();
        for view in views {
            self.edge(node, view, super::NO_LABEL);
        }
        node
    }

    /// The call at `site` runs the `__init__` `func` for `class`: a construction `class(...)`,
    /// or `super().__init__(...)` in `class`'s own `__init__`. Binds it, and stores the
    /// parameters it stores for `class`.
    pub(super) fn bind_init(&mut self, site: super::GSite, func: GFunc, class: GClass, result: GNode) {
        self.init.constructing = Some(class);
        self.bind_call(site, func, 1, result);
        self.init.constructing = None;
        self.apply_init_stores(site, func, 1, class);
    }

    /// The call at `site` runs `func`, an `__init__` with parameter stores, for `class`
    /// (after `shift` bound parameters): each stored argument goes to `class`'s node.
    pub(super) fn apply_init_stores(&mut self, site: super::GSite, func: GFunc, shift: usize, class: GClass) {
        let Some(stores) = self.init.summaries.get(&func).cloned() else { return };
        let args = self.site_args(site);
        let (fm, _) = self.modules.func(func);
        let entry = &self.modules.modules[fm as usize];
        let (base, facts) = (entry.node_base, entry.facts.clone());
        let params = &facts.functions[(func - entry.func_base) as usize].params;
        for (attr, param, label) in stores {
            let Some(param_facts) = params.get(param as usize) else { continue };
            let slot = self.per_class_node(class, attr);
            if args.call().has_spread {
                // Spread arguments are not matched one by one: whatever the parameter gets.
                self.edge(base + param_facts.node, slot, label);
                continue;
            }
            match passed_at(&args, params, shift, param as usize) {
                (Passed::Node(node), Some(at)) => {
                    // Through a node of its own per argument, to show both hops: passed, stored.
                    let argument = match self.init.arguments.get(&(site, param)) {
                        Some(&argument) => argument,
                        None => {
                            let argument = self.new_node();
                            let kind = DynHopKind::Argument { param: param_facts.name.clone(), func };
                            let hop = self.dyn_hop(args.module, at, kind);
                            self.edge(node, argument, hop);
                            self.init.arguments.insert((site, param), argument);
                            argument
                        }
                    };
                    self.edge(argument, slot, label);
                }
                (Passed::Node(node), None) => self.edge(node, slot, label),
                (Passed::Unknown, _) => self.seed(slot, Obj::Unknown),
                // A default: whatever the parameter gets that no construction passes.
                (Passed::NotHere, _) => self.edge(base + param_facts.node, slot, SITELESS),
            }
        }
    }

    /// The class whose body defines `func`.
    pub(super) fn own_class(&self, func: GFunc) -> Option<GClass> {
        let (m, facts) = self.modules.func(func);
        facts.class.map(|class| self.modules.modules[m as usize].class_base + class)
    }
}
