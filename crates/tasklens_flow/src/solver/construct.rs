//! Constructions of project classes: an instance (and a plain Future for a subclass of
//! `asyncio.Future`), `__init__` or a dataclass's generated one (arguments into fields,
//! field factories, `__post_init__`), and `TypedDict` calls, which make plain dicts.

use ruff_python_ast::name::Name;
use tasklens_semantic::facts::{ContainerKind, Part};

use super::{Complex, DynHopKind, HopAt, Solver};
use crate::objects::{GClass, GNode, GSite, Obj};

impl Solver {
    pub(super) fn construct(&mut self, site: GSite, class: GClass, result: GNode) {
        if self.classes.is_typed_dict(class) {
            self.construct_typed_dict(site, result);
            self.typed_dict_sinks(class, result);
            return;
        }
        self.seed(result, Obj::Instance(class));
        // A subclass of `asyncio.Future` (not of `Task`) makes plain Futures.
        if self.classes.future_base[class as usize] {
            self.seed(result, Obj::Future(site));
        }
        if let Some(path) = self.classes.external_init(&self.modules, class, 0) {
            // `class Jobs(asyncio.Queue): ...` then `Jobs(loop=loop)` runs `Queue.__init__`.
            let path = path.to_string();
            self.note_external_init(site, &path);
        }
        if let Some(init) = self.classes.find_method(&self.modules, class, "__init__") {
            let ignored = self.new_node();
            self.bind_init(site, init, class, ignored);
        } else if self.classes.mro[class as usize].iter().any(|&c| self.modules.class(c).1.dataclass) {
            self.bind_fields(site, class);
            self.call_post_init(site, class);
        }
    }

    /// `Slot(name=..., task=...)` of a `TypedDict` makes a plain dict with each keyword
    /// argument under its name.
    fn construct_typed_dict(&mut self, site: GSite, result: GNode) {
        self.seed(result, Obj::Container(result, ContainerKind::Dict));
        self.keywords_into_dict(site, result);
    }

    /// Stores each keyword argument of `site` into the dict made at `dict`, under its name.
    pub(super) fn keywords_into_dict(&mut self, site: GSite, dict: GNode) {
        let args = self.site_args(site);
        let keywords = args.keywords();
        for (name, node, at) in keywords {
            let Some(key) = self.string_key(&name) else { continue };
            let slot = self.part_node(dict, Part::Key(key));
            match node {
                Some(node) => {
                    let label = self.dyn_hop(args.module, at, DynHopKind::ContainerStore);
                    self.edge(node, slot, label);
                }
                None => self.seed(slot, Obj::Unknown),
            }
        }
    }

    /// A field's factory called by a dataclass's generated `__init__` at `site`: a project
    /// function runs there without arguments, and an event loop's `create_future` gives a
    /// plain Future; its result goes to the field.
    pub(super) fn field_factory(&mut self, value: Obj, site: GSite, slot: GNode) {
        match value {
            Obj::Function(func) => {
                if self.bound.insert((site, func, usize::MAX)) {
                    self.call_result(site, func, slot, None);
                }
            }
            Obj::LoopMethod(name) if self.name(name).as_str() == "create_future" => {
                self.seed(slot, Obj::Future(site));
            }
            _ => self.seed(slot, Obj::Unknown),
        }
    }

    /// A dataclass's generated `__init__` ends with `self.__post_init__(...)`, which runs
    /// where the construction runs. What it is given (the `InitVar` fields) is not followed.
    fn call_post_init(&mut self, site: GSite, class: GClass) {
        let Some(post_init) = self.classes.find_method(&self.modules, class, "__post_init__") else { return };
        // Recorded as a call (of no argument, hence the shift past every parameter).
        if !self.bound.insert((site, post_init, usize::MAX)) {
            return;
        }
        let (fm, facts) = self.modules.func(post_init);
        let base = self.modules.modules[fm as usize].node_base;
        let params: Vec<GNode> = facts.params.iter().skip(1).map(|param| base + param.node).collect();
        for param in params {
            self.seed(param, Obj::Unknown);
        }
    }

    /// The fields of a dataclass-like class in constructor order (bases' first), each with
    /// the class that declares it.
    pub(super) fn fields(&self, class: GClass) -> Vec<(GClass, Name)> {
        let mut fields: Vec<(GClass, Name)> = Vec::new();
        for &c in self.classes.mro[class as usize].iter().rev() {
            for field in &self.modules.class(c).1.fields {
                if !fields.iter().any(|(_, f)| f == field) {
                    fields.push((c, field.clone()));
                }
            }
        }
        fields
    }

    /// A dataclass constructor: arguments go to the fields, bases' fields first.
    fn bind_fields(&mut self, site: GSite, class: GClass) {
        let fields = self.fields(class);
        let args = self.site_args(site);
        let call = args.call();
        let positional =
            call.args.iter().enumerate().map(|(i, a)| (a.node, HopAt::Arg(site, i as u32))).zip(fields.iter().cloned());
        let keywords = call.keywords.iter().enumerate().filter_map(|(i, k)| {
            let field = fields.iter().find(|(_, f)| *f == k.name)?;
            Some(((k.node, HopAt::Keyword(site, i as u32)), field.clone()))
        });
        let bindings: Vec<_> = positional.chain(keywords).collect();
        // A field the call does not pass calls its factory, if it has one.
        for (owner, field) in &fields {
            if bindings.iter().any(|(_, (_, bound))| bound == field) {
                continue;
            }
            let (m, facts) = self.modules.class(*owner);
            let Some(&(_, factory)) = facts.field_factories.iter().find(|(name, _)| name == field) else { continue };
            let factory = self.modules.modules[m as usize].node_base + factory;
            let field_id = self.name_id(field);
            let slot = self.attr_node(*owner, field_id);
            self.complex_on(factory, Complex::FieldFactory { site, slot });
        }
        for ((node, at), (owner, field)) in bindings {
            let field_id = self.name_id(&field);
            let slot = self.attr_node(owner, field_id);
            match args.node(node) {
                Some(node) => {
                    let label = self.dyn_hop(args.module, at, DynHopKind::Field { field: field.clone() });
                    self.edge(node, slot, label);
                }
                None => self.seed(slot, Obj::Unknown),
            }
        }
    }
}
