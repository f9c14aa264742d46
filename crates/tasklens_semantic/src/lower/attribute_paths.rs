//! Narrowed attribute paths: after `isinstance(self.task, Task)`, reads of `self.task` in
//! the guarded code see the narrowed value, as type checkers narrow member accesses, until
//! the attribute or the name it starts from is assigned. A path lives in the flow's
//! environment beside the names, under its dotted spelling (`self.task`), which no name
//! can collide with.

use ruff_python_ast::Expr;
use ruff_python_ast::name::Name;

use super::{Lowerer, ScopeKind, Val};
use crate::facts::{Constraint, NodeId};

/// The dotted spelling of an attribute read of a name (`self.task`, `self.conn.waiter`).
pub(super) fn attribute_path(expr: &Expr) -> Option<Name> {
    let Expr::Attribute(_) = expr else { return None };
    let parts = crate::annotation::dotted_name(expr)?;
    Some(Name::new(parts.iter().map(Name::as_str).collect::<Vec<_>>().join(".")))
}

/// Whether a name in the environment is an attribute path.
pub(super) fn is_attribute_path(name: &Name) -> bool {
    name.contains('.')
}

impl Lowerer {
    /// The value at a path now: the narrowed one, else a fresh read of its attributes.
    pub(super) fn path_value(&mut self, path: &Name) -> Option<NodeId> {
        if let Some(&node) = self.flow().env.get(path) {
            return Some(node);
        }
        let mut parts = path.split('.');
        let Val::Node(mut node) = self.read_name(&Name::new(parts.next()?)) else { return None };
        for attr in parts {
            let attr = self.intern(&Name::new(attr));
            let to = self.node();
            self.constrain(Constraint::Load { base: node, attr, to, hop: None });
            node = to;
        }
        Some(node)
    }

    /// The narrowed value of an attribute read, when its path is narrowed here, or around a
    /// comprehension that runs here and does not bind the path's name itself.
    pub(super) fn narrowed_read(&mut self, expr: &Expr) -> Option<NodeId> {
        let seen = self.scopes.iter().rev();
        let mut reached = seen.take_while(|scope| scope.kind == ScopeKind::Comprehension).count() + 1;
        reached = reached.min(self.scopes.len());
        let scopes = &self.scopes[self.scopes.len() - reached..];
        if !scopes.iter().any(|scope| scope.narrowed_paths) {
            return None;
        }
        let path = attribute_path(expr)?;
        let root = path.split('.').next()?;
        for scope in scopes.iter().rev() {
            if let Some(&node) = scope.flow.env.get(&path) {
                return Some(node);
            }
            if scope.bound.contains(root) {
                return None;
            }
        }
        None
    }

    /// Forgets what is known of `root` (a name or a path) and the paths below it, when it
    /// is assigned.
    pub(super) fn forget_paths(&mut self, root: &str) {
        if !self.scope().narrowed_paths {
            return;
        }
        let prefix = format!("{root}.");
        let env = &mut self.flow().env;
        let below: Vec<Name> = (env.range(Name::new(&prefix)..))
            .take_while(|(name, _)| name.starts_with(&prefix))
            .map(|(name, _)| name.clone())
            .collect();
        for name in below {
            env.remove(&name);
        }
        env.remove(root);
    }
}
