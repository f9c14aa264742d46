//! What code nested in a function sees of that function's locals: a nested `def` runs
//! only once its name has been read, so it sees the versions a local has where the name
//! is read and those bound after its `def` (a [`Capture`]); a lambda or a class sees the
//! version at its definition and later ones; both through one node per such point,
//! chained, so that many points over a long run of rebindings stay linear.

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Lowerer, ScopeKind};
use crate::facts::{Constraint, FuncId, NodeId};

/// How many versions a [`Capture`] keeps of where its function's name is read.
const MAX_CAPTURE_READS: usize = 64;

/// Past this many captured locals, a nested `def` sees every version of each (reads of its
/// name are not worth following one by one).
const MAX_CAPTURED_LOCALS: usize = 32;

/// What the functions and classes nested in a scope read of its locals.
#[derive(Default)]
pub(super) struct NestedReads {
    /// What a lambda or a class nested here sees of a local: the version reaching it and
    /// those bound after it (from how many versions there were then), by name and version.
    later: FxHashMap<(Name, NodeId), (NodeId, usize)>,
    /// What a `def` nested here sees of the locals it reads, and the locals each reads.
    captures: FxHashMap<(FuncId, Name), Capture>,
    captured_by: FxHashMap<FuncId, Vec<Name>>,
    /// Nested `def`s whose function may run without a read of its name here: decorated,
    /// or named in another nested function.
    pub(super) escaped_defs: FxHashSet<FuncId>,
    /// Versions bound by functions nested here (`nonlocal`), which may run at any time.
    pub(super) nonlocal_versions: FxHashMap<Name, Vec<NodeId>>,
}

/// A local that a `def` nested in its scope reads. The function runs only once something
/// has read its name, so it sees the versions the local has where its name is read (a
/// handler registered under `if iscoroutinefunction(handler):` sees the narrowed one), and
/// any bound after its `def`.
struct Capture {
    /// The node the nested function reads.
    node: NodeId,
    /// The version at the `def`, and how many versions the local had then (0 once `all`).
    at_def: NodeId,
    start: usize,
    /// The versions where the function's name was read; past [`MAX_CAPTURE_READS`]
    /// distinct ones, every version of the local instead (`all`).
    at_reads: Vec<NodeId>,
    all: bool,
}

impl Capture {
    /// From now on, every version of the local.
    fn take_all(&mut self) {
        self.all = true;
        self.start = 0;
        self.at_reads = Vec::new();
    }
}

impl Lowerer {
    /// What the innermost scope, nested in function scope `index` (not the module), reads
    /// of that scope's local `name`. In a loop a later iteration rebinds earlier versions,
    /// so there it is every version.
    pub(super) fn nested_read(&mut self, index: usize, name: &Name) -> NodeId {
        let Some(&current) = self.scopes[index].flow.env.get(name).filter(|_| self.scopes[index].loops.is_empty())
        else {
            return self.summary(index, name);
        };
        if let ScopeKind::Function(func) = self.scopes[index + 1].kind
            && let Some(def) = self.facts.functions.get(func as usize)
            && self.scopes[index].local_defs.get(&def.name) == Some(&func)
        {
            return self.capture(index, func, name, current);
        }
        let key = (name.clone(), current);
        if let Some(&(node, _)) = self.scopes[index].nested.later.get(&key) {
            return node;
        }
        let node = self.node();
        let scope = &mut self.scopes[index];
        let start = scope.versions.get(name).map_or(0, Vec::len);
        scope.nested.later.insert(key, (node, start));
        self.facts.summaries.push(node);
        node
    }

    /// The node through which `func`, a `def` directly in scope `index`, reads its local
    /// `name` (whose version there is `current`).
    fn capture(&mut self, index: usize, func: FuncId, name: &Name, current: NodeId) -> NodeId {
        if let Some(capture) = self.scopes[index].nested.captures.get(&(func, name.clone())) {
            return capture.node;
        }
        let node = self.node();
        let scope = &mut self.scopes[index];
        let start = scope.versions.get(name).map_or(0, Vec::len);
        let capture = Capture { node, at_def: current, start, at_reads: Vec::new(), all: false };
        scope.nested.captures.insert((func, name.clone()), capture);
        scope.nested.captured_by.entry(func).or_default().push(name.clone());
        self.facts.summaries.push(node);
        node
    }

    /// A read of `name` in scope `index` where it runs: if it names a `def` nested there,
    /// its function may run from now on with the versions its captured locals have now.
    pub(super) fn note_def_read(&mut self, index: usize, name: &Name) {
        let scope = &mut self.scopes[index];
        let Some(&func) = scope.local_defs.get(name) else { return };
        let NestedReads { captures, captured_by, .. } = &mut scope.nested;
        let Some(locals) = captured_by.get_mut(&func) else { return };
        if locals.len() > MAX_CAPTURED_LOCALS {
            for local in std::mem::take(locals) {
                if let Some(capture) = captures.get_mut(&(func, local)) {
                    capture.take_all();
                }
            }
            return;
        }
        for local in locals.iter() {
            if let Some(&version) = scope.flow.env.get(local)
                && let Some(capture) = captures.get_mut(&(func, local.clone()))
                && !capture.all
                && capture.at_reads.last() != Some(&version)
            {
                if capture.at_reads.len() < MAX_CAPTURE_READS {
                    capture.at_reads.push(version);
                } else {
                    capture.take_all();
                }
            }
        }
    }

    /// A read of `name`, a local of scope `index`, from a function nested in it: a `def`
    /// of that name may run whenever that function does (not from inside itself).
    pub(super) fn note_def_escape(&mut self, index: usize, name: &Name) {
        let Some(&func) = self.scopes[index].local_defs.get(name) else { return };
        if self.scopes.get(index + 1).is_none_or(|nested| nested.kind != ScopeKind::Function(func)) {
            self.scopes[index].nested.escaped_defs.insert(func);
        }
    }

    /// Emits the edges into what nested functions read of a finished scope's locals.
    pub(super) fn finish_nested_reads(&mut self, nested: &NestedReads, versions: &FxHashMap<Name, Vec<NodeId>>) {
        // One node per point: its own stretch of versions (up to the next point), the
        // next point's node, and after the last point the versions nested functions bind.
        let mut points: Vec<(&Name, usize)> = (nested.captures.iter().map(|((_, name), c)| (name, c.start)))
            .chain(nested.later.iter().map(|((name, _), &(_, start))| (name, start)))
            .collect();
        points.sort_unstable_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
        points.dedup();
        let mut from_point: FxHashMap<(&Name, usize), NodeId> = FxHashMap::default();
        for &point in &points {
            let node = self.node();
            self.facts.summaries.push(node);
            from_point.insert(point, node);
        }
        for (index, &(name, start)) in points.iter().enumerate() {
            let node = from_point[&(name, start)];
            let versions = versions.get(name).map_or(&[][..], Vec::as_slice);
            let next = points.get(index + 1).filter(|(next, _)| *next == name).map(|&(_, next)| next);
            let end = next.unwrap_or(versions.len()).min(versions.len());
            let mut sources: Vec<NodeId> = versions[start.min(end)..end].to_vec();
            match next {
                Some(next) => sources.push(from_point[&(name, next)]),
                None => sources.extend(nested.nonlocal_versions.get(name).into_iter().flatten()),
            }
            self.copies_into(node, sources);
        }
        for ((func, name), capture) in &nested.captures {
            let at_def = (capture.at_reads.is_empty() || nested.escaped_defs.contains(func)).then_some(capture.at_def);
            let mut sources: Vec<NodeId> = at_def.into_iter().chain(capture.at_reads.iter().copied()).collect();
            sources.push(from_point[&(name, capture.start)]);
            sources.sort_unstable();
            sources.dedup();
            self.copies_into(capture.node, sources);
        }
        for ((name, current), &(node, start)) in &nested.later {
            self.copies_into(node, [*current, from_point[&(name, start)]]);
        }
    }

    fn copies_into(&mut self, to: NodeId, sources: impl IntoIterator<Item = NodeId>) {
        for from in sources {
            self.facts.constraints.push(Constraint::Copy { from, to, hop: None });
        }
    }
}
