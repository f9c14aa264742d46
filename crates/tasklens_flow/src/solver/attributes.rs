//! Attributes: what reading or writing `obj.attr` does for each kind of object (instance
//! and class attributes, properties and their setters, module globals, outside names),
//! and which methods a name may dispatch to on an instance (with subclass overrides).

use std::rc::Rc;

use ruff_python_ast::name::Name;
use tasklens_semantic::facts::FunctionKind;

use super::{Label, NO_LABEL, NameId, Solver};
use crate::asyncio_api::{ExternalCall, is_followed, loop_method};
use crate::modules::Resolved;
use crate::objects::{GClass, GFunc, GNode, Obj};

impl Solver {
    pub(super) fn load(&mut self, value: Obj, attr_id: NameId, to: GNode, label: Label) {
        let attr = &self.name(attr_id).clone();
        match value {
            Obj::Instance(class) | Obj::Class(class) => {
                let is_instance = matches!(value, Obj::Instance(_));
                // A class of the project with its own `__getattribute__` decides what every
                // read gives (a sync wrapper that runs the coroutine functions it reads).
                if is_instance && self.intercepts_reads(class) {
                    self.seed(to, Obj::Unknown);
                }
                let methods = self.dispatch(class, attr_id);
                if !methods.is_empty() {
                    for &func in methods.iter() {
                        let kind = self.modules.func(func).1.kind;
                        match (kind, is_instance) {
                            (FunctionKind::Property, true) => {
                                let ret = self.ret_node(func);
                                self.edge(ret, to, label);
                            }
                            (FunctionKind::Property, false) => self.seed(to, Obj::Unknown),
                            (FunctionKind::StaticMethod, _) | (FunctionKind::Method, false) => {
                                self.seed(to, Obj::Function(func));
                            }
                            _ => self.seed(to, Obj::Bound(func)),
                        }
                    }
                    return;
                }
                let (_, reads) = self.attribute_nodes(class, attr_id);
                for &slot in reads.iter() {
                    self.edge(slot, to, label);
                }
            }
            Obj::Module(m) => {
                let resolved = self.modules.resolve_member(m, attr);
                self.resolved(resolved, to);
            }
            Obj::External(path) => {
                let full = format!("{}.{attr}", self.paths[path as usize]);
                self.seed_external(to, &full);
            }
            // `loop.create_task` as a value: calling it is calling the loop's method.
            Obj::Loop if loop_method(attr) != ExternalCall::Unknown => self.seed(to, Obj::LoopMethod(attr_id)),
            _ => self.seed(to, Obj::Unknown),
        }
    }

    /// An external name as an object, when it is one the analysis follows.
    pub(super) fn seed_external(&mut self, to: GNode, path: &str) {
        if is_followed(path) {
            let id = self.path(path);
            self.seed(to, Obj::External(id));
        } else {
            self.seed(to, Obj::Unknown);
        }
    }

    /// The first class in `class`'s MRO whose body declares `attr`, if any.
    pub(super) fn declaring_owner(&mut self, class: GClass, attr_id: NameId) -> Option<GClass> {
        for at in 0..self.classes.mro[class as usize].len() {
            let base = self.classes.mro[class as usize][at];
            if self.declares(base, attr_id) {
                return Some(base);
            }
        }
        None
    }

    /// Whether `class`'s body declares `attr` (its attribute names, interned once).
    fn declares(&mut self, class: GClass, attr_id: NameId) -> bool {
        if self.class_attributes[class as usize].is_none() {
            let names: Vec<Name> = self.modules.class(class).1.attributes.clone();
            let mut ids: Vec<NameId> = names.iter().map(|name| self.name_id(name)).collect();
            ids.sort_unstable();
            self.class_attributes[class as usize] = Some(ids.into_boxed_slice());
        }
        self.class_attributes[class as usize].as_ref().is_some_and(|ids| ids.binary_search(&attr_id).is_ok())
    }

    /// The methods a protocol `name` (`__call__`, `__iter__`...) runs on an instance of
    /// `class` (or a subclass).
    pub(super) fn special_method(&mut self, class: GClass, name: &'static str) -> Rc<[GFunc]> {
        let name = self.name_id(&Name::new_static(name));
        self.dispatch(class, name)
    }

    /// Whether `class` or one of its bases in the project defines `__getattribute__`.
    pub(super) fn intercepts_reads(&mut self, class: GClass) -> bool {
        *self.intercepts[class as usize]
            .get_or_insert_with(|| self.classes.find_method(&self.modules, class, "__getattribute__").is_some())
    }

    /// The methods a call of `name` on an instance of `class` (or a subclass) may run.
    pub(super) fn dispatch(&mut self, class: GClass, name_id: NameId) -> Rc<[GFunc]> {
        if let Some(found) = self.dispatch_cache.get(&(class, name_id)) {
            return found.clone();
        }
        let name = &self.name(name_id).clone();
        let mut methods: Vec<GFunc> = self.classes.find_method(&self.modules, class, name).into_iter().collect();
        if !methods.is_empty() {
            methods.extend(self.classes.overrides(&self.modules, class, name));
        } else if !self.classes.external_base[class as usize] && !self.classes.stores(&self.modules, class, name) {
            // A mixin calls what only the class that uses it defines: an instance without
            // the method cannot call it, so it is one of that class's. Not where the class
            // stores the attribute on its instances (`self.stream = ...`): the instance's own
            // value hides a subclass's method, and the class's code reads its field, not a
            // subclass's property (falcon's ASGI `Request.stream`). A class-body placeholder
            // (`on_data = None`) is overridden by a subclass's method as usual.
            methods = self.classes.sole_implementation_below(&self.modules, class, name);
        }
        let methods: Rc<[GFunc]> = methods.into();
        self.dispatch_cache.insert((class, name_id), methods.clone());
        methods
    }

    /// The node that `instance.attr = ...` writes, and the nodes `instance.attr` reads:
    /// the owner in the MRO and subclasses that declare the attribute themselves.
    /// Unknown when the attribute may come from a base class outside the project.
    pub(super) fn attribute_nodes(&mut self, class: GClass, attr_id: NameId) -> super::AttributeNodes {
        if let Some(found) = self.attribute_cache.get(&(class, attr_id)) {
            return found.clone();
        }
        let attr = &self.name(attr_id).clone();
        let declared_owner = self.declaring_owner(class, attr_id);
        let owner = declared_owner.unwrap_or(class);
        let all = self.attr_node(owner, attr_id);
        // An attribute some `__init__` stores a parameter in: writes go to its direct node,
        // and a strict subclass reads its own view (see `init_stores.rs`).
        let (write, read) = if self.init.summarised.contains(&(owner, attr_id)) {
            let write = self.direct_attr_node(owner, attr_id);
            let read = if class == owner { all } else { self.attr_view(class, owner, attr_id) };
            (write, read)
        } else {
            (all, all)
        };
        // An outside base may set it: unknown, for writes and for this class's reads.
        if self.classes.external_base[class as usize] && declared_owner.is_none() {
            self.seed(all, Obj::Unknown);
            self.seed(read, Obj::Unknown);
        }
        let mut reads = vec![read];
        // A mixin reads what the classes that use it get from their other bases
        // (`self.loop`, set by the `TestCase` a test mixes it into); otherwise subclasses
        // that declare the attribute themselves.
        let subclasses = match declared_owner.is_some() {
            true => self.classes.attribute_in_subclasses(&self.modules, class, attr),
            false => self.classes.subclasses[class as usize].iter().copied().filter(|&sub| sub != class).collect(),
        };
        for sub in subclasses {
            let Some(owner) = self.declaring_owner(sub, attr_id) else { continue };
            let node = self.attr_node(owner, attr_id);
            if !reads.contains(&node) {
                reads.push(node);
            }
        }
        // An attribute declared with a type parameter that `class`'s bases bind: its reads
        // let in what the binding admits.
        if self.may_be_generic(attr_id)
            && let Some((filter, standing)) = self.instance_read_filter(class, attr_id)
        {
            let view = self.filtered_node(filter);
            for &node in &reads {
                self.edge(node, view, NO_LABEL);
            }
            for obj in standing {
                self.seed(view, obj);
            }
            reads = vec![view];
        }
        let found = (write, Rc::from(reads));
        self.attribute_cache.insert((class, attr_id), found.clone());
        found
    }

    pub(super) fn store(&mut self, value: Obj, attr_id: NameId, from: GNode, label: Label) {
        match value {
            Obj::Instance(class) | Obj::Class(class) => {
                // `obj.task = value` on a property with a setter runs the setter.
                if matches!(value, Obj::Instance(_))
                    && let Some(setter) = self.setter(class, attr_id)
                    && let Some(param) = self.modules.func(setter).1.params.get(1).map(|p| p.node)
                {
                    let param = self.func_node(setter, param);
                    self.edge(from, param, label);
                }
                let (write, _) = self.attribute_nodes(class, attr_id);
                self.edge(from, write, label);
            }
            Obj::Module(m) => {
                let attr = self.name(attr_id).clone();
                if let Resolved::Variable(node) = self.modules.resolve_global(m, &attr) {
                    self.edge(from, node, label);
                }
            }
            // `executor.submit = wrapper`: calls of it no longer run the class's method.
            Obj::ExternalInstance(path) => _ = self.patched_methods.insert((path, attr_id)),
            // `asyncio.run = run` (loguru's test configuration on Pythons before 3.7): the
            // project provides that name where asyncio lacks it.
            Obj::External(path) => {
                let patched = format!("{}.{}", self.paths[path as usize], self.name(attr_id));
                self.patched_externals.insert(patched);
            }
            _ => {}
        }
    }

    /// The property setter an assignment to `attr` on an instance of `class` runs (cached).
    pub(super) fn setter(&mut self, class: GClass, attr: NameId) -> Option<GFunc> {
        if let Some(&found) = self.setter_cache.get(&(class, attr)) {
            return found;
        }
        let found = self.classes.find_setter(&self.modules, class, self.name(attr));
        self.setter_cache.insert((class, attr), found);
        found
    }

    /// What a name resolved statically stands for, as an object at `to`.
    fn resolved(&mut self, resolved: Resolved, to: GNode) {
        match resolved {
            Resolved::Module(m) => self.seed(to, Obj::Module(m)),
            Resolved::External(path) => self.seed_external(to, &path),
            Resolved::Function(func) => self.seed(to, Obj::Function(func)),
            Resolved::Class(class) => self.seed(to, Obj::Class(class)),
            Resolved::Variable(node) => self.edge(node, to, NO_LABEL),
            Resolved::Unknown => self.seed(to, Obj::Unknown),
        }
    }
}
