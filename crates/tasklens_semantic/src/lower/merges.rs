//! Where control flow meets: joining the versions of names at branch merges, loop heads
//! and back edges, and what an exception handler, a `finally` or the end of `with
//! suppress(...)` sees of the versions a body bound.

use ruff_python_ast::name::Name;
use rustc_hash::FxHashSet;

use super::{Flow, Lowerer};
use crate::facts::{Constraint, NodeId};

/// The most nested `try` (and `with suppress(...)`) bodies of one scope whose bindings
/// are recorded for their handlers: CPython compiles no more than 20 nested blocks, and
/// recording deeper would make absurd nesting quadratic.
const MAX_RECORDED_BODIES: usize = 20;

impl Lowerer {
    /// Joins flows at a merge point; names whose versions differ get a merge node.
    pub(super) fn merge(&mut self, flows: Vec<Flow>) -> Flow {
        let live: Vec<Flow> = flows.into_iter().filter(|f| f.live).collect();
        match live.len() {
            0 => Flow {
                env: self.flow().env.clone(),
                live: false,
                below: self.flow().below,
                above: self.flow().above,
                set_attributes: self.flow().set_attributes.clone(),
                gates: self.flow().gates.clone(),
            },
            1 => live.into_iter().next().expect("one flow"),
            _ => {
                use imbl::ordmap::DiffItem;
                // Names bound to the same version in every flow keep it. For a name some
                // flow binds differently from the first, its distinct versions: the first
                // flow's (which every flow not listed shares) and those that differ.
                // Below a version only when every way here is.
                let below = match live.iter().all(|flow| flow.below.is_some()) {
                    true => live.iter().filter_map(|flow| flow.below).max(),
                    false => None,
                };
                // From a version on only when every way here is.
                let above = match live.iter().all(|flow| flow.above.is_some()) {
                    true => live.iter().filter_map(|flow| flow.above).min(),
                    false => None,
                };
                let mut set_attributes = live[0].set_attributes.clone();
                set_attributes.retain(|entry| live[1..].iter().all(|flow| flow.set_attributes.contains(entry)));
                let mut gates = live[0].gates.clone();
                gates.retain(|gate| live[1..].iter().all(|flow| flow.gates.contains(gate)));
                let first = &live[0].env;
                let mut differing: std::collections::BTreeMap<&Name, Vec<NodeId>> = Default::default();
                for flow in &live[1..] {
                    for item in first.diff(&flow.env) {
                        let (name, version) = match item {
                            DiffItem::Add(name, &version) | DiffItem::Update { new: (name, &version), .. } => {
                                (name, Some(version))
                            }
                            DiffItem::Remove(name, _) => (name, None),
                        };
                        let versions = differing.entry(name).or_default();
                        versions.extend(version);
                    }
                }
                let mut env = first.clone();
                for (name, mut versions) in differing {
                    // A path narrowed on some ways here only is read afresh.
                    if super::attribute_paths::is_attribute_path(name)
                        && !live.iter().all(|flow| flow.env.contains_key(name))
                    {
                        env.remove(name);
                        continue;
                    }
                    // Differing somewhere, so never one version bound in every flow.
                    versions.extend(first.get(name).copied());
                    versions.sort_unstable();
                    versions.dedup();
                    let merged = self.node();
                    for version in versions {
                        self.constrain(Constraint::Copy { from: version, to: merged, hop: None });
                    }
                    env.insert(name.clone(), merged);
                }
                Flow { env, live: true, below, above, set_attributes, gates }
            }
        }
    }

    /// Starts recording the versions bound in a body an exception may leave early.
    pub(super) fn record_bindings(&mut self) {
        let bindings = &mut self.scope_mut().try_bindings;
        let recorded = (bindings.len() < MAX_RECORDED_BODIES).then(Vec::new);
        bindings.push(recorded);
    }

    /// The versions bound since the matching [`Self::record_bindings`] (so far).
    pub(super) fn recorded_bindings(&self) -> Vec<(Name, NodeId)> {
        self.scope().try_bindings.last().cloned().flatten().unwrap_or_default()
    }

    /// Stops recording; what was recorded also counts for an enclosing recording body.
    /// `None` when the body was nested too deep to be recorded.
    pub(super) fn finish_bindings(&mut self) -> Option<Vec<(Name, NodeId)>> {
        let scope = self.scope_mut();
        let bound = scope.try_bindings.pop().flatten()?;
        if let Some(Some(outer)) = scope.try_bindings.last_mut() {
            outer.extend(bound.iter().cloned());
        }
        Some(bound)
    }

    /// `flow` where each name in `bound` may also have any of the versions bound to it
    /// there: the state where an exception arrives from a body that bound them (a handler,
    /// a `finally`, the end of `with suppress(...)`).
    pub(super) fn with_versions(&mut self, mut flow: Flow, bound: &[(Name, NodeId)]) -> Flow {
        // The body may have assigned a narrowed attribute before it stopped: read afresh.
        if self.scope().narrowed_paths {
            let paths: Vec<Name> =
                (flow.env.keys()).filter(|name| super::attribute_paths::is_attribute_path(name)).cloned().collect();
            for path in paths {
                flow.env.remove(&path);
            }
        }
        let mut by_name: std::collections::BTreeMap<&Name, Vec<NodeId>> = Default::default();
        for (name, version) in bound {
            by_name.entry(name).or_default().push(*version);
        }
        for (name, mut versions) in by_name {
            versions.extend(flow.env.get(name).copied());
            versions.sort_unstable();
            versions.dedup();
            let version = match versions[..] {
                [only] => only,
                _ => {
                    let merged = self.node();
                    for version in versions {
                        self.constrain(Constraint::Copy { from: version, to: merged, hop: None });
                    }
                    merged
                }
            };
            flow.env.insert(name.clone(), version);
        }
        flow
    }

    /// Before a loop body: a merge node for each name the body rebinds.
    pub(super) fn loop_head(&mut self, body_binds: &FxHashSet<Name>) -> Vec<(Name, NodeId)> {
        let mut heads = Vec::new();
        let mut sorted: Vec<&Name> = body_binds.iter().collect();
        sorted.sort();
        for name in sorted {
            // A path the body assigns (or whose name it rebinds) is read afresh in it.
            self.forget_paths(name);
            if super::attribute_paths::is_attribute_path(name) {
                continue;
            }
            if self.binding_scope(name) != self.scopes.len() - 1 {
                continue;
            }
            let head = self.node();
            if let Some(&before) = self.flow().env.get(name) {
                self.constrain(Constraint::Copy { from: before, to: head, hop: None });
            }
            self.flow().env.insert(name.clone(), head);
            heads.push((name.clone(), head));
        }
        heads
    }

    /// After a loop body: the end of the body (and `continue`s) flow back to the heads.
    pub(super) fn loop_back(&mut self, heads: &[(Name, NodeId)], ends: &[Flow]) {
        for end in ends.iter().filter(|f| f.live) {
            for (name, head) in heads {
                if let Some(&version) = end.env.get(name)
                    && version != *head
                {
                    self.constrain(Constraint::Copy { from: version, to: *head, hop: None });
                }
            }
        }
    }
}
