//! Propagation: adding an object to a node (filters, widening, the traced way in), passing
//! it along edges, and the worklist loop that applies each constraint to each new object.

use super::{
    Complex, Edge, GNode, Label, MAX_FUTURES, MAX_NESTED_APPLICATIONS, MAX_OBJECTS, NO_LABEL, NO_LIST, NO_NODE, ObjId,
    SCANNED_EDGES, Solver, UNKNOWN, is_shown,
};
use crate::objects::Obj;

impl Solver {
    /// Adds `obj` to `node`, remembering where it came from.
    ///
    /// Widening: a node that already holds [`MAX_OBJECTS`] objects gets `Unknown`
    /// instead of more of them. Plain Futures are kept, so TL001 stays sound: past
    /// [`MAX_FUTURES`] of them, a node gets its `Obj::FutureSummary` instead and remembers
    /// which Futures (and how) it stands for.
    pub(crate) fn add(&mut self, node: GNode, mut obj: ObjId, from: GNode, label: Label) {
        let mut value = self.objs[obj as usize];
        if !self.filter_lets_in(node, value) {
            return;
        }
        if value.is_plain_future()
            && value != Obj::FutureSummary(node)
            && self.futures_full(node)
            && !self.sets[node as usize].as_slice().contains(&obj)
        {
            // A Future summarised here before already has its way in recorded.
            if !self.preds.contains_key(&(node, obj)) {
                self.summarised.entry(node).or_default().push(obj);
                self.preds.insert((node, obj), (from, label));
            }
            value = Obj::FutureSummary(node);
            obj = self.obj(value);
            // The summary starts here: the Futures it stands for keep their own ways in.
            if self.sets[node as usize].insert(obj) {
                self.worklist.push_back((node, obj));
            }
            return;
        }
        if self.sets[node as usize].len() >= MAX_OBJECTS && !value.is_plain_future() {
            // Where it goes from here is no longer followed: do not call it dropped.
            match value {
                Obj::Task(Some(site)) => self.widened_tasks.entry(site).or_default().push(from),
                Obj::Container(container, _) | Obj::View(container, ..) => _ = self.kept_containers.insert(container),
                _ => {}
            }
            obj = UNKNOWN;
        }
        // A parameter that admits a Future stands for every Future passed to it.
        if let Obj::ParamFuture(param) = value
            && param != node
            && self.future_params.contains(&node)
        {
            return;
        }
        if self.sets[node as usize].insert(obj) {
            if self.traced(obj) {
                self.preds.insert((node, obj), (from, label));
            }
            self.worklist.push_back((node, obj));
        }
    }

    pub(crate) fn seed(&mut self, node: GNode, obj: Obj) {
        let id = self.obj(obj);
        self.add(node, id, NO_NODE, NO_LABEL);
    }

    fn traced(&self, obj: ObjId) -> bool {
        match self.objs[obj as usize] {
            Obj::Future(_) | Obj::ParamFuture(_) | Obj::FutureSummary(_) | Obj::Task(Some(_)) => true,
            // A function passed where its call was meant (TL004), or handed to the loop as a
            // callback (TL009), shows how it got there; so does a coroutine given to
            // `asyncio.wait` (TL008), and any coroutine a Task or a Future is needed for (TL018).
            Obj::Function(_) | Obj::Bound(_) | Obj::Coro(_) | Obj::CoroCall(..) => true,
            _ => false,
        }
    }

    /// Whether `node` already holds [`MAX_FUTURES`] plain Futures (not counting its summary).
    fn futures_full(&self, node: GNode) -> bool {
        let objs = self.sets[node as usize].as_slice();
        objs.len() >= MAX_FUTURES
            && objs.iter().filter(|&&o| self.objs[o as usize].is_plain_future()).count() >= MAX_FUTURES
    }

    fn pass(&mut self, edge: Edge, from: GNode, obj: ObjId) {
        if !is_shown(edge.label) && !self.guard_lets_through(edge.label, self.objs[obj as usize]) {
            return;
        }
        self.add(edge.to, obj, from, edge.label);
    }

    /// Adds an edge while solving; the objects already at `from` flow at once.
    pub(crate) fn edge(&mut self, from: GNode, to: GNode, label: Label) {
        let edge = Edge { to, label };
        if from == to {
            return;
        }
        // Most nodes get a few edges: scan those; a long list also keeps a set.
        let edges = &self.dyn_lists(from).edges;
        let (scanned, long) = (edges.len().min(SCANNED_EDGES), edges.len() >= SCANNED_EDGES);
        if edges[..scanned].contains(&edge) || (long && !self.dyn_edge_set.insert((from, edge))) {
            return;
        }
        self.dyn_lists(from).edges.push(edge);
        // `pass` never adds to `from` (no self edges), so its set stays as it is.
        for i in 0..self.sets[from as usize].len() {
            let obj = self.sets[from as usize].as_slice()[i];
            self.pass(edge, from, obj);
        }
    }

    /// Adds a complex constraint while solving; it sees the objects already at `node`.
    pub(crate) fn complex_on(&mut self, node: GNode, complex: Complex) {
        if self.complex.len() >= self.growth.limit {
            self.growth.exceeded = true;
            return;
        }
        let id = self.complex.len() as u32;
        self.complex.push(complex);
        self.dyn_lists(node).complex.push(id);
        // Objects that `apply` adds to `node` itself are queued and see this constraint then.
        let objs: smallvec::SmallVec<[ObjId; 16]> = self.sets[node as usize].as_slice().into();
        // Applying a constraint may add others that apply at once: past a depth, queue
        // them instead, so that no input can grow the stack without bound.
        if self.nesting >= MAX_NESTED_APPLICATIONS {
            self.deferred.extend(objs.into_iter().map(|obj| (id, node, obj)));
            return;
        }
        self.nesting += 1;
        for obj in objs {
            self.apply(id, node, obj);
        }
        self.nesting -= 1;
    }

    pub(super) fn run(&mut self, check_cancelled: &dyn Fn()) {
        let mut steps = 0u32;
        loop {
            // At the first step and every 65,536th after it.
            steps = steps.wrapping_add(1);
            if steps % 65_536 == 1 {
                check_cancelled();
                let size = self.sets.len().max(self.complex.len()).max(self.objs.len()).max(self.deferred.len());
                if size > self.growth.limit || self.growth.exceeded {
                    self.growth.exceeded = true;
                    return;
                }
            }
            if let Some((id, node, obj)) = self.deferred.pop() {
                self.apply(id, node, obj);
                continue;
            }
            let Some((node, obj)) = self.worklist.pop_front() else { break };
            if node < self.static_nodes {
                let (start, end) = (self.edge_start[node as usize], self.edge_start[node as usize + 1]);
                for i in start..end {
                    let edge = self.edges[i as usize];
                    self.pass(edge, node, obj);
                }
                let (start, end) = (self.complex_start[node as usize], self.complex_start[node as usize + 1]);
                for i in start..end {
                    let id = self.complex_ids[i as usize];
                    self.apply(id, node, obj);
                }
            }
            let list = self.dyn_index[node as usize];
            if list != NO_LIST {
                // Lists may grow while they are walked; new entries see `obj` when added.
                let count = self.dyn_lists[list as usize].edges.len();
                for i in 0..count {
                    let edge = self.dyn_lists[list as usize].edges[i];
                    self.pass(edge, node, obj);
                }
                let count = self.dyn_lists[list as usize].complex.len();
                for i in 0..count {
                    let id = self.dyn_lists[list as usize].complex[i];
                    self.apply(id, node, obj);
                }
            }
        }
    }
}
