//! `TASKLENS_SOLVER_STATS=1`: where the solver spent its effort and memory, and (with
//! `TASKLENS_DEBUG_SPREAD=KIND`) where the most spread object of a kind goes.

use rustc_hash::FxHashMap;
use tasklens_semantic::facts::Part;

use super::{AttributeNodes, Complex, DynHop, Edge, Label, NO_NODE, NameId, Solver};
use crate::objects::{GClass, GFunc, GNode, GSite, Obj, ObjId, ObjSet};

impl Solver {
    /// Prints where the solver spent its effort (for `TASKLENS_SOLVER_STATS=1`).
    pub(super) fn print_stats(&self) {
        let pairs: usize = self.sets.iter().map(|s| s.as_slice().len()).sum();
        let mut kinds: FxHashMap<String, usize> = FxHashMap::default();
        for obj in self.objs.iter() {
            let kind = format!("{obj:?}");
            *kinds.entry(kind.split('(').next().unwrap_or("").to_string()).or_default() += 1;
        }
        let mut biggest: Vec<(usize, usize)> =
            self.sets.iter().enumerate().map(|(i, s)| (s.as_slice().len(), i)).collect();
        biggest.sort_unstable_by(|a, b| b.cmp(a));
        let mut per_obj: FxHashMap<ObjId, usize> = FxHashMap::default();
        for set in &self.sets {
            for &o in set.as_slice() {
                *per_obj.entry(o).or_default() += 1;
            }
        }
        let mut pairs_by_kind: FxHashMap<String, usize> = FxHashMap::default();
        for (&o, &n) in &per_obj {
            let kind = format!("{:?}", self.objs[o as usize]);
            *pairs_by_kind.entry(kind.split('(').next().unwrap_or("").to_string()).or_default() += n;
        }
        eprintln!("pairs by object kind: {pairs_by_kind:?}");
        let mut spread: Vec<(usize, ObjId)> = per_obj.into_iter().map(|(o, n)| (n, o)).collect();
        spread.sort_unstable_by(|a, b| b.cmp(a));
        eprintln!(
            "nodes {} (static {}), pairs {pairs}, objects {}, static edges {}, dyn edges {}, complex {}",
            self.sets.len(),
            self.static_nodes,
            self.objs.len(),
            self.edges.len(),
            self.dyn_edge_set.len(),
            self.complex.len()
        );
        let (mut constraints, mut hops, mut sites, mut args, mut annotated) = (0, 0, 0, 0, 0);
        for module in &self.modules.modules {
            constraints += module.facts.constraints.len();
            hops += module.facts.hops.len();
            sites += module.facts.call_sites.len();
            args += module.facts.call_sites.iter().map(|c| c.args.len() + c.keywords.len()).sum::<usize>();
            annotated += module.facts.annotated.len();
        }
        use std::mem::size_of;
        use tasklens_semantic::facts as f;
        eprintln!(
            "facts: {constraints} constraints x {} B, {hops} hops x {} B, {sites} call sites x {} B, {args} arguments, {annotated} annotations",
            size_of::<f::Constraint>(),
            size_of::<f::Hop>(),
            size_of::<f::CallSite>()
        );
        eprintln!(
            "solver: {} complex x {} B, {} preds, {} dyn hops x {} B, {} applied, {} dyn edge set",
            self.complex.len(),
            size_of::<Complex>(),
            self.preds.len(),
            self.dyn_hops.len(),
            size_of::<DynHop>(),
            self.applied.len(),
            self.dyn_edge_set.len()
        );
        eprintln!("object kinds: {kinds:?}");
        {
            fn vec<T>(v: &[T], cap: usize) -> usize {
                let _ = v;
                cap * std::mem::size_of::<T>() / 1_000_000
            }
            fn map<K, V>(len: usize) -> usize {
                len * (std::mem::size_of::<K>() + std::mem::size_of::<V>() + 1) * 8 / 7 / 1_000_000
            }
            let many: usize = (self.sets.iter())
                .map(|s| match s {
                    ObjSet::Many(v) => v.capacity() * 4 + 24,
                    _ => 0,
                })
                .sum();
            let dyn_lists: usize = (self.dyn_lists.iter())
                .map(|l| l.edges.capacity() * size_of::<Edge>() + l.complex.capacity() * 4)
                .sum();
            eprintln!(
                "capacity in MB: sets {} + many {}, edge_start {}, edges {}, complex_start {}, complex_ids {}, complex {}, dyn_index {}, dyn_lists {} + {}, dyn_edge_set {}, preds {}, dyn_hops {}, part_nodes {}, applied {}, bound {}, attribute_cache {}, worklist {}",
                vec(&self.sets, self.sets.capacity()),
                many / 1_000_000,
                vec(&self.edge_start, self.edge_start.capacity()),
                vec(&self.edges, self.edges.capacity()),
                vec(&self.complex_start, self.complex_start.capacity()),
                vec(&self.complex_ids, self.complex_ids.capacity()),
                vec(&self.complex, self.complex.capacity()),
                vec(&self.dyn_index, self.dyn_index.capacity()),
                vec(&self.dyn_lists, self.dyn_lists.capacity()),
                dyn_lists / 1_000_000,
                map::<(GNode, Edge), ()>(self.dyn_edge_set.capacity()),
                map::<(GNode, ObjId), (GNode, Label)>(self.preds.capacity()),
                vec(&self.dyn_hops, self.dyn_hops.capacity()),
                map::<(GNode, Part), GNode>(self.part_nodes.capacity()),
                map::<(GSite, ObjId), ()>(self.applied.capacity()),
                map::<(GSite, GFunc, usize), ()>(self.bound.capacity()),
                map::<(GClass, NameId), AttributeNodes>(self.attribute_cache.capacity()),
                self.worklist.capacity() * 8 / 1_000_000,
            );
        }
        eprintln!("biggest sets: {:?}", &biggest[..biggest.len().min(10)]);
        let top: Vec<String> = (spread.iter().take(10))
            .map(|(n, o)| match self.objs[*o as usize] {
                Obj::Future(site) => {
                    let (m, call) = self.modules.site(site);
                    let module = &self.modules.modules[m as usize];
                    let caller = call.caller.map(|f| module.facts.functions[f as usize].name.to_string());
                    format!("Future({}:{caller:?})x{n}", module.name)
                }
                obj => format!("{obj:?}x{n}"),
            })
            .collect();
        eprintln!("most spread objects: {top:?}");
        // `TASKLENS_DEBUG_SPREAD=Container` (or `Future`, `Instance`...): the most spread object
        // of that kind.
        if let Some(kind) = std::env::var_os("TASKLENS_DEBUG_SPREAD") {
            let kind = kind.to_string_lossy().into_owned();
            let object = spread.iter().find(|(_, o)| format!("{:?}", self.objs[*o as usize]).starts_with(&kind));
            self.print_spread_chain(object);
        }
    }

    /// Debugging aid: the modules holding most of the nodes an object reaches, and its
    /// longest predecessor chain (recorded for Futures and Tasks only).
    fn print_spread_chain(&self, top: Option<&(usize, ObjId)>) {
        let Some(&(_, obj)) = top else { return };
        let mut parts: FxHashMap<GNode, String> = FxHashMap::default();
        for (&(container, part), &node) in &self.part_nodes {
            parts.insert(node, format!("part {part:?} of {container}"));
        }
        for (&(class, name), &node) in &self.attr_nodes {
            parts.insert(node, format!("attr {} of class {class}", self.name(name)));
        }
        let describe = |node: GNode| {
            if node < self.static_nodes {
                format!("{node} in {}", self.modules.modules[self.modules.node_module(node) as usize].name)
            } else {
                format!("{node} {}", parts.get(&node).cloned().unwrap_or_default())
            }
        };
        let chain = |mut node: GNode| {
            let mut chain = vec![node];
            while let Some(&(pred, _)) = self.preds.get(&(node, obj)) {
                if pred == NO_NODE || chain.len() > 400 {
                    break;
                }
                chain.push(pred);
                node = pred;
            }
            chain
        };
        let reached: Vec<GNode> =
            (0..self.sets.len() as GNode).filter(|&n| self.sets[n as usize].as_slice().contains(&obj)).collect();
        let mut by_module: FxHashMap<&str, usize> = FxHashMap::default();
        for &node in &reached {
            if node < self.static_nodes {
                *by_module.entry(&self.modules.modules[self.modules.node_module(node) as usize].name).or_default() += 1;
            }
        }
        let mut by_module: Vec<(usize, &str)> = by_module.into_iter().map(|(m, n)| (n, m)).collect();
        by_module.sort_unstable_by(|a, b| b.cmp(a));
        eprintln!("{:?} reaches most nodes in {:?}", self.objs[obj as usize], &by_module[..by_module.len().min(12)]);
        if let Obj::Container(made, _) = self.objs[obj as usize] {
            eprintln!("made at {}", describe(made));
        }
        let longest = reached.iter().map(|&n| chain(n)).max_by_key(Vec::len).unwrap_or_default();
        eprintln!("{} nodes; longest chain {}:", reached.len(), longest.len());
        for node in longest.iter().rev() {
            eprintln!("  {}", describe(*node));
        }
    }
}
