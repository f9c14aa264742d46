//! Parts of objects: what reading a container slot gives (`x[i]`, iteration, patterns),
//! the container protocols of project classes (`__iter__`, `__getitem__`...), and what
//! `with` binds (`__enter__`/`__aenter__`, `@contextmanager` generators).

use tasklens_semantic::facts::{ContainerKind, Part};

use super::{Complex, Label, NO_LABEL, Solver};
use crate::objects::{GClass, GNode, Obj, ObjId};

/// The slot a store of `part` writes in a container of `kind`.
pub(super) fn stored_part(part: Part, kind: ContainerKind) -> Part {
    match part {
        Part::Keys | Part::Key(_) if kind.is_dict() => part,
        // A dict's values stored under keys that are not constants.
        _ if kind.is_dict() => Part::Unkeyed,
        Part::Iter | Part::Key(_) | Part::Unkeyed => Part::Values,
        Part::Index(_) if kind != ContainerKind::Tuple => Part::Values,
        other => other,
    }
}

/// Whether `part` is what a subscript (`x[i]`, `x[key]`, `x[expr]`) reads.
fn is_subscript(part: Part) -> bool {
    matches!(part, Part::Index(_) | Part::Key(_) | Part::Values)
}

impl Solver {
    pub(super) fn load_part(&mut self, value: Obj, part: Part, to: GNode, label: Label) {
        match value {
            Obj::Container(container, kind) => {
                let part = match part {
                    // Patterns match only their own kind of container.
                    Part::MappingValue(key) if kind.is_dict() => key.map_or(Part::Values, Part::Key),
                    Part::SequenceItem(index)
                        if kind == ContainerKind::Tuple
                            && usize::from(index) < tasklens_semantic::facts::MAX_TUPLE_INDEX =>
                    {
                        Part::Index(index)
                    }
                    Part::SequenceItem(_) if matches!(kind, ContainerKind::List | ContainerKind::Tuple) => Part::Values,
                    Part::MappingValue(_) | Part::SequenceItem(_) => return,
                    Part::Iter if kind.is_dict() => Part::Keys,
                    Part::Key(_) if kind.is_dict() => part,
                    Part::Iter | Part::Key(_) | Part::Unkeyed => Part::Values,
                    Part::Index(_) if kind != ContainerKind::Tuple => Part::Values,
                    other => other,
                };
                let slot = self.part_node(container, part);
                self.edge(slot, to, label);
            }
            Obj::View(container, _, viewed) => {
                let part = match part {
                    Part::MappingValue(_) | Part::SequenceItem(_) => return,
                    Part::Keys | Part::Values => part,
                    Part::Key(_) | Part::Unkeyed => Part::Values,
                    _ => viewed,
                };
                let slot = self.part_node(container, part);
                self.edge(slot, to, label);
            }
            Obj::Instance(class) => self.instance_part(class, part, to, label),
            // `Box[int]`, `asyncio.Future[None]`: a generic alias, which makes what its class
            // makes when called. Not an enum's `Color["RED"]`, which is a member.
            Obj::Class(class)
                if is_subscript(part) && !self.classes.has_external_base(class, |p| p.starts_with("enum.")) =>
            {
                self.seed(to, value)
            }
            Obj::External(path)
                if is_subscript(part) && crate::asyncio_api::is_generic_class(&self.paths[path as usize]) =>
            {
                self.seed(to, value)
            }
            Obj::Unknown | Obj::External(_) | Obj::ExternalInstance(_) => self.seed(to, Obj::Unknown),
            _ => {}
        }
    }

    /// Iterating or subscripting an instance of a project class runs its `__iter__` or
    /// `__getitem__` (and their overrides): `for job in registry`, `registry[key]`.
    pub(super) fn instance_part(&mut self, class: GClass, part: Part, to: GNode, label: Label) {
        if self.classes.mro[class as usize].iter().any(|&c| self.modules.class(c).1.tuple_fields) {
            return self.tuple_field_part(class, part, to, label);
        }
        let candidates: &[&'static str] = match part {
            // An iterator of its own (`__iter__` returns self): `__next__` gives the
            // elements; `async for` reads `__anext__` or `__aiter__` the same way.
            Part::Iter => &["__next__", "__iter__", "__anext__", "__aiter__"],
            Part::Values | Part::Index(_) | Part::Key(_) | Part::Unkeyed => &["__getitem__"],
            _ => return,
        };
        let Some((method, methods)) = candidates.iter().find_map(|&method| {
            let methods = self.special_method(class, method);
            (!methods.is_empty()).then_some((method, methods))
        }) else {
            return;
        };
        for &func in methods.iter() {
            // Once per method and reader: an `__iter__` returning another iterator class
            // (or itself) must not unfold forever.
            if !self.protocol_reads.insert((func, to)) {
                continue;
            }
            let facts = self.modules.func(func).1;
            match (method, facts.is_generator) {
                // A generator `__iter__` (or async generator `__aiter__`) yields the elements.
                ("__iter__" | "__aiter__", true) => {
                    let yields = self.func_node(func, facts.yields);
                    self.edge(yields, to, label);
                }
                // `return iter(self._items.values())`: the elements of what it returns.
                ("__iter__" | "__aiter__", false) => {
                    let ret = self.ret_node(func);
                    self.complex_on(ret, Complex::LoadPart { part: Part::Iter, to, label });
                }
                // A plain `def __anext__` returns an awaitable (`return self.fetch()`), which
                // `async for` awaits.
                ("__anext__", _) if !facts.is_async => {
                    let ret = self.ret_node(func);
                    self.complex_on(ret, Complex::Await { to });
                }
                _ => {
                    let ret = self.ret_node(func);
                    self.edge(ret, to, label);
                }
            }
        }
    }

    /// A part of a named tuple: `job[1]` or `case Job(_, handle)` its field at that index,
    /// unpacking and iteration every field.
    fn tuple_field_part(&mut self, class: GClass, part: Part, to: GNode, label: Label) {
        let fields = self.fields(class);
        let chosen: Vec<(GClass, ruff_python_ast::name::Name)> = match part {
            Part::Index(index) | Part::SequenceItem(index) => {
                fields.into_iter().nth(usize::from(index)).into_iter().collect()
            }
            Part::Iter | Part::Values => fields,
            _ => return,
        };
        for (owner, field) in chosen {
            let field = self.name_id(&field);
            let slot = self.attr_node(owner, field);
            self.edge(slot, to, label);
        }
    }

    pub(super) fn enter(&mut self, value: Obj, obj: ObjId, to: GNode) {
        match value {
            Obj::Instance(class) => {
                let method = self
                    .classes
                    .find_method(&self.modules, class, "__aenter__")
                    .or_else(|| self.classes.find_method(&self.modules, class, "__enter__"));
                match method {
                    // `return self` (or `self.conn`): the `as` target comes from this very object.
                    Some(func) if !self.modules.func(func).1.passed_through.is_empty() => {
                        self.receiver_returned(func, value, to, None);
                        let (m, facts) = self.modules.func(func);
                        let own = self.modules.modules[m as usize].node_base + facts.own_ret;
                        self.edge(own, to, NO_LABEL);
                    }
                    Some(func) => {
                        let ret = self.ret_node(func);
                        self.edge(ret, to, NO_LABEL);
                    }
                    None => self.seed(to, Obj::Unknown),
                }
            }
            Obj::ExternalInstance(_) => self.add(to, obj, super::NO_NODE, NO_LABEL),
            // A generator under `@contextmanager` / `@asynccontextmanager`: `with` binds
            // what it yields.
            Obj::Container(generator, ContainerKind::Iterator) => {
                let values = self.part_node(generator, Part::Values);
                self.edge(values, to, NO_LABEL);
            }
            _ => self.seed(to, Obj::Unknown),
        }
    }
}
