//! Reading and binding names: each name's current version in the flow, the scope a name
//! binds in, module-level summaries that every write reaches, globals and builtins.

use ruff_python_ast::name::Name;
use ruff_text_size::TextRange;

use super::{Lowerer, ScopeKind, Val};
use crate::facts::{Binding, Constraint, FuncId, HopKind, NodeId};

impl Lowerer {
    /// Where a name read in the innermost scope resolves.
    pub(super) fn read_name(&mut self, name: &Name) -> Val {
        let innermost = self.scopes.len() - 1;
        for index in (0..=innermost).rev() {
            let scope = &self.scopes[index];
            if index != innermost && matches!(scope.kind, ScopeKind::Class(_)) {
                continue;
            }
            if scope.globals.contains(name) {
                return self.read_global(name);
            }
            if scope.nonlocals.contains(name) || !scope.bound.contains(name) {
                continue;
            }
            if let Some(counts) = self.name_reads.get_mut(name)
                && let Some((_, reads)) = counts.iter_mut().find(|(scope, _)| *scope == index)
            {
                *reads += 1;
            }
            // Code running in this scope (or in a comprehension evaluated in
            // place) sees the version that reaches it; later code sees them all.
            let in_place = self.scopes[index + 1..].iter().all(|s| s.kind == ScopeKind::Comprehension);
            if in_place && let Some(&node) = self.scopes[index].flow.env.get(name) {
                self.note_def_read(index, name);
                return Val::Node(node);
            }
            self.note_def_escape(index, name);
            if index == 0 {
                return self.read_global(name);
            }
            // A nested function runs after its definition (a `def`, once its name is
            // read): it sees the version there and later ones (`captures.rs`).
            return Val::Node(self.nested_read(index, name));
        }
        self.read_global(name)
    }

    /// The enclosing method whose `self` a read of `name` in a function nested in it sees
    /// (`self` in `lambda: self.fired()` inside a method), if it is that.
    pub(super) fn captured_self(&self, name: &Name) -> Option<FuncId> {
        let innermost = self.scopes.len() - 1;
        if self.scopes[innermost].bound.contains(name) {
            return None;
        }
        for index in (0..innermost).rev() {
            let scope = &self.scopes[index];
            if matches!(scope.kind, ScopeKind::Class(_)) {
                continue;
            }
            if !scope.bound.contains(name) || scope.globals.contains(name) || scope.nonlocals.contains(name) {
                continue;
            }
            let ScopeKind::Function(func) = scope.kind else { return None };
            return scope.self_param.as_ref().filter(|(first, _)| first == name).map(|_| func);
        }
        None
    }

    /// Whether `name` is the builtin of that name: bound in no scope that a read here sees,
    /// and the module imports nothing with `*`.
    pub(super) fn is_builtin(&self, name: &Name) -> bool {
        self.is_builtin_unless_starred(name) && self.facts.star_imports.is_empty()
    }

    /// Whether no scope around binds `name`: the builtin, unless a star import binds it
    /// (which only the flow layer, seeing the other modules, can tell).
    pub(super) fn is_builtin_unless_starred(&self, name: &Name) -> bool {
        let innermost = self.scopes.len() - 1;
        !self.scopes.iter().enumerate().any(|(index, scope)| {
            (index == innermost || !matches!(scope.kind, ScopeKind::Class(_))) && scope.bound.contains(name)
        })
    }

    /// How many times the local `name` of scope `index` has been read since it was first
    /// given a new container of a parameter's elements (counting starts then).
    pub(super) fn reads_of(&mut self, index: usize, name: &Name) -> u32 {
        let counts = self.name_reads.entry(name.clone()).or_default();
        match counts.iter().find(|(scope, _)| *scope == index) {
            Some(&(_, reads)) => reads,
            None => {
                counts.push((index, 0));
                0
            }
        }
    }

    /// A module-level name read from anywhere: resolved by the flow layer.
    pub(super) fn read_global(&mut self, name: &Name) -> Val {
        let to = self.node();
        let name = self.intern(name);
        self.constrain(Constraint::Global { name, to });
        Val::Node(to)
    }

    pub(super) fn summary(&mut self, scope: usize, name: &Name) -> NodeId {
        if let Some(&node) = self.scopes[scope].summaries.get(name) {
            return node;
        }
        let node = self.node();
        self.scopes[scope].summaries.insert(name.clone(), node);
        self.facts.summaries.push(node);
        node
    }

    /// The node every version of the innermost scope's local `name` reaches, for its
    /// declared type.
    pub(super) fn declared(&mut self, name: &Name) -> NodeId {
        let innermost = self.scopes.len() - 1;
        if let Some(&node) = self.scopes[innermost].declared.get(name) {
            return node;
        }
        let node = self.node();
        self.scopes[innermost].declared.insert(name.clone(), node);
        node
    }

    /// The scope that a binding of `name` in the innermost scope writes to.
    pub(super) fn binding_scope(&self, name: &Name) -> usize {
        let innermost = self.scopes.len() - 1;
        let scope = &self.scopes[innermost];
        if scope.globals.contains(name) {
            return 0;
        }
        if scope.nonlocals.contains(name) {
            for index in (0..innermost).rev() {
                let outer = &self.scopes[index];
                if matches!(outer.kind, ScopeKind::Function(_)) && outer.bound.contains(name) {
                    return index;
                }
            }
        }
        innermost
    }

    /// Binds `name` to a new version holding `value`; returns the version.
    pub(super) fn bind(&mut self, name: &Name, value: Val, hop_range: Option<TextRange>) -> NodeId {
        let version = self.node();
        let hop = hop_range.map(|range| {
            let id = self.intern(name);
            self.hop(range, HopKind::Assign(id))
        });
        self.flow_into(value, version, hop);
        self.bind_node(name, version);
        version
    }

    /// Makes `version` the current version of `name`.
    pub(super) fn bind_node(&mut self, name: &Name, version: NodeId) {
        let index = self.binding_scope(name);
        let innermost = index == self.scopes.len() - 1;
        let scope = &mut self.scopes[index];
        // `global g` in a function can create a module-level name of its own.
        scope.bound.insert(name.clone());
        scope.versions.entry(name.clone()).or_default().push(version);
        if !innermost {
            scope.nested.nonlocal_versions.entry(name.clone()).or_default().push(version);
        }
        if innermost {
            if scope.narrowed_paths {
                self.forget_paths(name);
            }
            let scope = &mut self.scopes[index];
            scope.flow.env.insert(name.clone(), version);
            if let Some(Some(bound)) = scope.try_bindings.last_mut() {
                bound.push((name.clone(), version));
            }
        }
        let needs_summary = index == 0 || !innermost;
        if index == 0 {
            // Module-level names are read by functions and other modules.
            self.module_bindings.entry(name.clone()).or_default().push(Binding::Variable(version));
        }
        if needs_summary {
            self.summary(index, name);
        }
    }

    /// Records how a module-level name is bound (a def, class or import).
    pub(super) fn note_module_binding(&mut self, name: &Name, binding: Binding) {
        if self.scopes.len() == 1 {
            let bindings = self.module_bindings.entry(name.clone()).or_default();
            // Replace the `Variable` entry pushed by `bind_node`.
            bindings.pop();
            bindings.push(binding);
        }
    }
}
