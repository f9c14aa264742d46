//! Class hierarchy: resolved bases, method resolution order and subclasses.

use ruff_python_ast::name::Name;
use rustc_hash::FxHashMap;
use tasklens_semantic::facts::TypeExpr;

use crate::modules::{Modules, Resolved};
use crate::objects::{GClass, GFunc};

#[derive(Default)]
pub(crate) struct ClassTable {
    /// Classes whose bodies define a method or declare an attribute, by name.
    declarers: FxHashMap<Name, Vec<GClass>>,
    /// Each class, then its bases in depth-first order (no duplicates).
    pub mro: Vec<Vec<GClass>>,
    /// Each class and every class that inherits from it.
    pub subclasses: Vec<Vec<GClass>>,
    /// The class inherits from a class outside the project.
    pub external_base: Vec<bool>,
    /// The dotted paths of each class's direct bases outside the project, for the classes
    /// that have some.
    external_paths: FxHashMap<GClass, Vec<String>>,
    /// Per class, a base in its own list that is neither a project class nor a name from
    /// outside (`class C(make_base())`, a name that resolves to nothing).
    unknown_base: Vec<bool>,
    /// The class inherits from `asyncio.Future` and not from `asyncio.Task`: its
    /// instances are plain Futures.
    pub future_base: Vec<bool>,
    /// `asyncio.iscoroutine` is true of the class's instances (see [`Self::is_coroutine_class`]).
    pub coroutine: Vec<bool>,
}

impl ClassTable {
    pub fn build(modules: &mut Modules) -> Self {
        let count = modules.class_count as usize;
        let mut direct = vec![Vec::new(); count];
        let mut external_base = vec![false; count];
        let mut unknown_base = vec![false; count];
        let mut external_paths: FxHashMap<GClass, Vec<String>> = FxHashMap::default();
        // Direct asyncio bases: (Future, Task).
        let mut asyncio_base = vec![(false, false); count];
        for m in 0..modules.modules.len() {
            let module = &modules.modules[m];
            let (base, facts) = (module.class_base, module.facts.clone());
            for (local, class) in facts.classes.iter().enumerate() {
                for expr in &class.bases {
                    let path = match expr {
                        TypeExpr::Name(path) | TypeExpr::Generic(path, _) => path,
                        _ => {
                            unknown_base[base as usize + local] = true;
                            continue;
                        }
                    };
                    match modules.resolve_dotted(m as u32, path) {
                        Resolved::Class(parent) => direct[base as usize + local].push(parent),
                        Resolved::External(path) if path != "builtins.object" => {
                            let bases = &mut asyncio_base[base as usize + local];
                            bases.0 |= matches!(path.as_str(), "asyncio.Future" | "asyncio.futures.Future");
                            bases.1 |= matches!(path.as_str(), "asyncio.Task" | "asyncio.tasks.Task");
                            external_base[base as usize + local] = true;
                            external_paths.entry(base + local as GClass).or_default().push(path);
                        }
                        Resolved::External(_) => {}
                        _ => unknown_base[base as usize + local] = true,
                    }
                }
            }
        }
        let mut mro = Vec::with_capacity(count);
        for class in 0..count {
            let mut order = Vec::new();
            let mut stack = vec![class as GClass];
            while let Some(current) = stack.pop() {
                if order.contains(&current) || order.len() > 64 {
                    continue;
                }
                order.push(current);
                stack.extend(direct[current as usize].iter().rev());
            }
            mro.push(order);
        }
        let mut subclasses = vec![Vec::new(); count];
        for (class, order) in mro.iter().enumerate() {
            for &ancestor in order {
                subclasses[ancestor as usize].push(class as GClass);
            }
        }
        for class in 0..count {
            if mro[class].iter().any(|&c| external_base[c as usize]) {
                external_base[class] = true;
            }
        }
        let future_base: Vec<bool> = (mro.iter())
            .map(|order| {
                order.iter().any(|&c| asyncio_base[c as usize].0) && !order.iter().any(|&c| asyncio_base[c as usize].1)
            })
            .collect();
        let mut declarers: FxHashMap<Name, Vec<GClass>> = FxHashMap::default();
        for module in &modules.modules {
            for (local, class) in module.facts.classes.iter().enumerate() {
                let id = module.class_base + local as GClass;
                let names = class.methods.iter().map(|(name, _)| name).chain(&class.attributes);
                for name in names {
                    let entry = declarers.entry(name.clone()).or_default();
                    if entry.last() != Some(&id) {
                        entry.push(id);
                    }
                }
            }
        }
        let mut table = ClassTable {
            declarers,
            mro,
            subclasses,
            external_base,
            external_paths,
            unknown_base,
            future_base,
            coroutine: Vec::new(),
        };
        table.coroutine = (0..count as GClass).map(|class| table.is_coroutine_class(modules, class)).collect();
        table
    }

    /// The base class outside the project whose `__init__` a call of `class` (or, skipping
    /// the first `skip` classes of its MRO, `super().__init__`) runs: when no project class
    /// on the way defines `__init__`, the first outside base.
    pub fn external_init(&self, modules: &Modules, class: GClass, skip: usize) -> Option<&str> {
        if self.find_method_from(modules, class, "__init__", skip).is_some() {
            return None;
        }
        // The outside bases of the skipped classes come after them in the MRO too.
        let order = self.mro[class as usize].iter();
        order.filter_map(|c| self.external_paths.get(c)).flatten().next().map(String::as_str)
    }

    /// Whether a class in the MRO has a base the analysis cannot name.
    pub fn has_unknown_base(&self, class: GClass) -> bool {
        self.mro[class as usize].iter().any(|&c| self.unknown_base[c as usize])
    }

    pub fn has_external_base(&self, class: GClass, wanted: impl Fn(&str) -> bool) -> bool {
        let order = self.mro[class as usize].iter();
        order.filter_map(|c| self.external_paths.get(c)).flatten().any(|path| wanted(path))
    }

    /// Whether an instance may be a Future: a protocol (a Future may match it), or an
    /// outside base other than a builtin, a `typing` construct, an ABC or an enum.
    pub fn may_be_future(&self, class: GClass) -> bool {
        self.is_protocol(class)
            || self.has_external_base(class, |path| {
                let top = path.split('.').next().unwrap_or(path);
                !matches!(top, "builtins" | "typing" | "typing_extensions" | "abc" | "enum" | "collections")
            })
    }

    /// Whether an instance may be one of an outside class (`isinstance(x, Path)` true of
    /// it): it derives from one (other than a builtin, a `typing` construct, an ABC or an
    /// enum), is a protocol, or has a base the analysis cannot name.
    pub fn may_be_outside_instance(&self, class: GClass) -> bool {
        self.may_be_future(class) || self.has_unknown_base(class)
    }

    /// Whether an instance may be a builtin container: an outside base other than a scalar,
    /// an enum or an exception (`class Paths(list)`, not `class Name(str)`).
    pub fn may_be_container(&self, class: GClass) -> bool {
        self.has_external_base(class, |path| {
            let (top, last) = (path.split('.').next().unwrap_or(path), path.rsplit('.').next().unwrap_or(path));
            let plain = match top {
                "builtins" => {
                    crate::asyncio_api::is_builtin_scalar(path)
                        || last == "object"
                        || last.ends_with("Error")
                        || last.ends_with("Exception")
                        || last.ends_with("Warning")
                }
                "enum" => true,
                _ => false,
            };
            !plain
        })
    }

    /// Whether `asyncio.iscoroutine` is true of the class's instances: it derives from
    /// `typing.Coroutine` (or `collections.abc`'s), or has the whole protocol (`__await__`,
    /// `send`, `throw`, `close`), which the ABC recognises without a base. `create_task`
    /// and `ensure_future` take such an instance as they take a coroutine.
    fn is_coroutine_class(&self, modules: &Modules, class: GClass) -> bool {
        self.has_external_base(class, |path| {
            let (top, last) = (path.split('.').next(), path.rsplit('.').next());
            matches!(top, Some("typing" | "typing_extensions" | "collections")) && last == Some("Coroutine")
        }) || ["__await__", "send", "throw", "close"]
            .iter()
            .all(|name| self.find_method(modules, class, name).is_some())
    }

    /// Whether the class is structural (`typing.Protocol` among its outside bases): any
    /// object with the right members is one of its instances.
    pub fn is_protocol(&self, class: GClass) -> bool {
        self.has_typing_base(class, "Protocol")
    }

    /// Whether the class is a `TypedDict`: its values are plain dicts, not instances of it.
    pub fn is_typed_dict(&self, class: GClass) -> bool {
        self.has_typing_base(class, "TypedDict")
    }

    /// Whether `typing.<name>` (or `typing_extensions`') is among the class's outside bases.
    fn has_typing_base(&self, class: GClass, name: &str) -> bool {
        self.has_external_base(class, |path| {
            let (top, last) = (path.split('.').next(), path.rsplit('.').next());
            matches!(top, Some("typing" | "typing_extensions")) && last == Some(name)
        })
    }

    /// The method `name` as found through the class's MRO.
    pub fn find_method(&self, modules: &Modules, class: GClass, name: &str) -> Option<GFunc> {
        self.find_method_from(modules, class, name, 0)
    }

    /// The property setter `name` as found through the class's MRO (the first class that
    /// defines a method or setter of that name decides).
    pub fn find_setter(&self, modules: &Modules, class: GClass, name: &str) -> Option<GFunc> {
        self.mro[class as usize].iter().find_map(|&c| {
            let (m, facts) = modules.class(c);
            let base = modules.modules[m as usize].func_base;
            match (facts.setter(name), facts.method(name)) {
                (Some(local), _) => Some(Some(base + local)),
                (None, Some(_)) => Some(None),
                (None, None) => None,
            }
        })?
    }

    /// Like [`Self::find_method`], skipping the first `skip` classes of the MRO (`super()`).
    pub fn find_method_from(&self, modules: &Modules, class: GClass, name: &str, skip: usize) -> Option<GFunc> {
        method_in(modules, &self.mro[class as usize][skip.min(self.mro[class as usize].len())..], name)
    }

    /// The class in the MRO that owns attribute `name` (the class itself if none does).
    pub fn attr_owner(&self, modules: &Modules, class: GClass, name: &Name) -> GClass {
        self.mro[class as usize].iter().copied().find(|&c| modules.class(c).1.has_attribute(name)).unwrap_or(class)
    }

    /// Methods named `name` that subclasses of `class` define in their own bodies:
    /// a call on an instance of `class` may run any of them.
    pub fn overrides(&self, modules: &Modules, class: GClass, name: &Name) -> Vec<GFunc> {
        self.strict_subclasses_declaring(class, name)
            .into_iter()
            .filter_map(|sub| {
                let (m, facts) = modules.class(sub);
                facts.method(name).map(|local| modules.modules[m as usize].func_base + local)
            })
            .collect()
    }

    /// The methods named `name` below `class` when one subclass defines it and the others
    /// that do derive from that one (a mixin and the class that uses it); otherwise none,
    /// for a base many unrelated subclasses implement says little about which one runs
    /// (`x: Base` from an annotation, then `x.delete()`).
    pub fn sole_implementation_below(&self, modules: &Modules, class: GClass, name: &Name) -> Vec<GFunc> {
        let declaring: Vec<GClass> = (self.strict_subclasses_declaring(class, name).into_iter())
            .filter(|&sub| modules.class(sub).1.method(name).is_some())
            .collect();
        let Some(&root) = declaring.iter().min_by_key(|&&sub| self.mro[sub as usize].len()) else {
            return Vec::new();
        };
        if !declaring.iter().all(|&sub| self.mro[sub as usize].contains(&root)) {
            return Vec::new();
        }
        (declaring.iter())
            .filter_map(|&sub| {
                let (m, facts) = modules.class(sub);
                facts.method(name).map(|local| modules.modules[m as usize].func_base + local)
            })
            .collect()
    }

    /// Whether some project class defines a method called `name`.
    pub fn is_method_name(&self, modules: &Modules, name: &Name) -> bool {
        self.declarers
            .get(name)
            .is_some_and(|classes| classes.iter().any(|&c| modules.class(c).1.method(name).is_some()))
    }

    /// Whether a method of `class` or of a base of it stores attribute `name` on `self`.
    pub fn stores(&self, modules: &Modules, class: GClass, name: &Name) -> bool {
        self.mro[class as usize].iter().any(|&c| modules.class(c).1.stores(name))
    }

    /// Whether `class`, a base of it or a subclass of it declares attribute `name`.
    pub fn attribute_in_cone(&self, modules: &Modules, class: GClass, name: &Name) -> bool {
        self.mro[class as usize].iter().any(|&c| modules.class(c).1.has_attribute(name))
            || !self.attribute_in_subclasses(modules, class, name).is_empty()
    }

    /// Subclasses of `class` that declare attribute `name` themselves.
    pub fn attribute_in_subclasses(&self, modules: &Modules, class: GClass, name: &Name) -> Vec<GClass> {
        self.strict_subclasses_declaring(class, name)
            .into_iter()
            .filter(|&sub| modules.class(sub).1.has_attribute(name))
            .collect()
    }

    /// Subclasses of `class` (not `class` itself) whose bodies declare `name`.
    fn strict_subclasses_declaring(&self, class: GClass, name: &Name) -> Vec<GClass> {
        let declarers = self.declarers.get(name).map_or(&[][..], Vec::as_slice);
        let subclasses = &self.subclasses[class as usize];
        // Walk the shorter list: a common name has many declarers, a base class many subclasses.
        if subclasses.len() < declarers.len() {
            subclasses.iter().copied().filter(|&sub| sub != class && declarers.binary_search(&sub).is_ok()).collect()
        } else {
            declarers.iter().copied().filter(|&sub| sub != class && self.mro[sub as usize].contains(&class)).collect()
        }
    }
}

/// The method `name` of the first class in `mro` (a method resolution order, or a part of
/// one) whose body defines it.
pub(crate) fn method_in(modules: &Modules, mro: &[GClass], name: &str) -> Option<GFunc> {
    mro.iter().find_map(|&c| {
        let (m, facts) = modules.class(c);
        facts.method(name).map(|local| modules.modules[m as usize].func_base + local)
    })
}
