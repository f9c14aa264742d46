//! The project's module table and static name resolution: imports (absolute,
//! relative, re-exports, star imports) and dotted names in annotations.

use std::sync::Arc;

use ruff_python_ast::name::Name;
use rustc_hash::FxHashMap;
use tasklens_db::File;
use tasklens_semantic::ModuleFacts;
use tasklens_semantic::facts::{Binding, ImportTarget, TypeExpr};

use crate::asyncio_api::is_builtin;
use crate::objects::{GClass, GFunc, GNode, GSite, ModIdx};

/// One module of the project, with the offsets of its ids in project-wide numbering.
pub struct Module {
    pub file: File,
    pub name: Arc<str>,
    pub is_package: bool,
    pub facts: Arc<ModuleFacts>,
    pub node_base: GNode,
    pub func_base: GFunc,
    pub class_base: GClass,
    pub site_base: GSite,
    pub hop_base: u32,
}

/// What a name or import statically refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    Module(ModIdx),
    /// Something outside the project, by dotted path.
    External(String),
    Function(GFunc),
    Class(GClass),
    /// A module-level variable: the node collecting its values.
    Variable(GNode),
    Unknown,
}

pub struct Modules {
    pub modules: Vec<Module>,
    by_name: FxHashMap<Arc<str>, ModIdx>,
    cache: FxHashMap<(ModIdx, Name), Resolved>,
    alias_cache: FxHashMap<(ModIdx, Name), Option<(ModIdx, TypeExpr)>>,
    pub node_count: u32,
    pub class_count: u32,
    pub hop_count: u32,
    /// The module of each function, class, call site and hop (looked up very often).
    owners: Owners,
}

#[derive(Default)]
struct Owners {
    funcs: Vec<ModIdx>,
    classes: Vec<ModIdx>,
    sites: Vec<ModIdx>,
    hops: Vec<ModIdx>,
}

const MAX_RESOLVE_DEPTH: u32 = 32;

impl Modules {
    pub fn new(entries: Vec<(File, Arc<str>, bool, Arc<ModuleFacts>)>) -> Self {
        let mut modules = Vec::with_capacity(entries.len());
        let mut by_name = FxHashMap::default();
        let (mut nodes, mut funcs, mut classes, mut sites, mut hops) = (0u32, 0u32, 0u32, 0u32, 0u32);
        let mut owners = Owners::default();
        for (file, name, is_package, facts) in entries {
            let index = modules.len() as ModIdx;
            owners.funcs.extend(std::iter::repeat_n(index, facts.functions.len()));
            owners.classes.extend(std::iter::repeat_n(index, facts.classes.len()));
            owners.sites.extend(std::iter::repeat_n(index, facts.call_sites.len()));
            owners.hops.extend(std::iter::repeat_n(index, facts.hops.len()));
            by_name.entry(name.clone()).or_insert(index);
            modules.push(Module {
                file,
                name,
                is_package,
                node_base: nodes,
                func_base: funcs,
                class_base: classes,
                site_base: sites,
                hop_base: hops,
                facts: facts.clone(),
            });
            nodes += facts.node_count;
            funcs += facts.functions.len() as u32;
            classes += facts.classes.len() as u32;
            sites += facts.call_sites.len() as u32;
            hops += facts.hops.len() as u32;
        }
        Modules {
            modules,
            by_name,
            cache: FxHashMap::default(),
            alias_cache: FxHashMap::default(),
            node_count: nodes,
            class_count: classes,
            hop_count: hops,
            owners,
        }
    }

    pub fn by_name(&self, name: &str) -> Option<ModIdx> {
        self.by_name.get(name).copied()
    }

    /// Finds the module whose id range holds `id`, skipping modules with no ids of this kind.
    fn last_with(&self, len: impl Fn(&Module) -> usize, id: u32, base: impl Fn(&Module) -> u32) -> ModIdx {
        let mut at = self.modules.partition_point(|m| base(m) <= id);
        while at > 0 {
            let module = &self.modules[at - 1];
            if (id - base(module)) < len(module) as u32 {
                return (at - 1) as ModIdx;
            }
            at -= 1;
        }
        0
    }

    pub fn func(&self, func: GFunc) -> (ModIdx, &tasklens_semantic::facts::FunctionFacts) {
        let m = self.owners.funcs[func as usize];
        let module = &self.modules[m as usize];
        (m, &module.facts.functions[(func - module.func_base) as usize])
    }

    pub fn class(&self, class: GClass) -> (ModIdx, &tasklens_semantic::facts::ClassFacts) {
        let m = self.owners.classes[class as usize];
        let module = &self.modules[m as usize];
        (m, &module.facts.classes[(class - module.class_base) as usize])
    }

    pub fn site(&self, site: GSite) -> (ModIdx, &tasklens_semantic::facts::CallSite) {
        let m = self.owners.sites[site as usize];
        let module = &self.modules[m as usize];
        (m, &module.facts.call_sites[(site - module.site_base) as usize])
    }

    pub fn site_module(&self, site: GSite) -> ModIdx {
        self.owners.sites[site as usize]
    }

    /// For `sites` (sorted), per module that has any, the module-local node each call's
    /// result is at, with the call.
    pub fn call_results(&self, sites: &[GSite]) -> Vec<(ModIdx, FxHashMap<u32, GSite>)> {
        let same_module = |a: &GSite, b: &GSite| self.site_module(*a) == self.site_module(*b);
        (sites.chunk_by(same_module))
            .map(|sites| {
                let m = self.site_module(sites[0]);
                let module = &self.modules[m as usize];
                let results = (module.facts.constraints.iter())
                    .filter_map(tasklens_semantic::facts::Constraint::call_result)
                    .map(|(site, result)| (result, module.site_base + site))
                    .filter(|(_, site)| sites.binary_search(site).is_ok())
                    .collect();
                (m, results)
            })
            .collect()
    }

    pub fn hop(&self, hop: u32) -> (ModIdx, &tasklens_semantic::facts::Hop) {
        let m = self.owners.hops[hop as usize];
        let module = &self.modules[m as usize];
        (m, &module.facts.hops[(hop - module.hop_base) as usize])
    }

    pub fn node_module(&self, node: GNode) -> ModIdx {
        self.last_with(|m| m.facts.node_count as usize, node, |m| m.node_base)
    }

    /// The package that relative imports in `module` start from.
    fn package_of(&self, module: ModIdx) -> &str {
        let entry = &self.modules[module as usize];
        if entry.is_package { &entry.name } else { entry.name.rsplit_once('.').map_or("", |(parent, _)| parent) }
    }

    /// The absolute dotted module path an import statement names.
    pub(crate) fn absolute_module(&self, from: ModIdx, target: &ImportTarget) -> Option<String> {
        if target.level == 0 {
            return Some(target.module.to_string());
        }
        let mut package = self.package_of(from).to_string();
        for _ in 1..target.level {
            package = package.rsplit_once('.').map(|(parent, _)| parent.to_string())?;
        }
        Some(match (package.is_empty(), target.module.is_empty()) {
            (true, _) => target.module.to_string(),
            (false, true) => package,
            (false, false) => format!("{package}.{}", target.module),
        })
    }

    /// A project module by absolute path; scripts may also import their siblings, but not
    /// in place of the standard library's (`import asyncio` in a package that has its own
    /// `asyncio.py` is asyncio).
    pub(crate) fn find_module(&self, from: ModIdx, path: &str, absolute: bool) -> Option<ModIdx> {
        if let Some(found) = self.by_name(path) {
            return Some(found);
        }
        let top = path.split('.').next().unwrap_or(path);
        if absolute && !crate::stdlib::is_stdlib_module(top) {
            let package = self.package_of(from);
            if !package.is_empty() {
                return self.by_name(&format!("{package}.{path}"));
            }
        }
        None
    }

    pub fn resolve_import(&mut self, from: ModIdx, target: &ImportTarget) -> Resolved {
        self.resolve_import_at(from, target, 0)
    }

    fn resolve_import_at(&mut self, from: ModIdx, target: &ImportTarget, depth: u32) -> Resolved {
        let Some(path) = self.absolute_module(from, target) else {
            return Resolved::Unknown;
        };
        let module = self.find_module(from, &path, target.level == 0);
        match (&target.name, module) {
            (None, Some(module)) => Resolved::Module(module),
            (None, None) if target.level == 0 => Resolved::External(path),
            (Some(name), Some(module)) => match self.resolve_global_at(module, name, depth + 1) {
                Resolved::Unknown => match self.by_name(&format!("{path}.{name}")) {
                    Some(sub) => Resolved::Module(sub),
                    None => Resolved::Unknown,
                },
                found => found,
            },
            (Some(name), None) if target.level == 0 => match self.by_name(&format!("{path}.{name}")) {
                Some(sub) => Resolved::Module(sub),
                None => Resolved::External(format!("{path}.{name}")),
            },
            _ => Resolved::Unknown,
        }
    }

    /// What a module-level name of `module` refers to.
    pub fn resolve_global(&mut self, module: ModIdx, name: &Name) -> Resolved {
        self.resolve_global_at(module, name, 0)
    }

    fn resolve_global_at(&mut self, module: ModIdx, name: &Name, depth: u32) -> Resolved {
        if depth > MAX_RESOLVE_DEPTH {
            return Resolved::Unknown;
        }
        let key = (module, name.clone());
        if let Some(found) = self.cache.get(&key) {
            return found.clone();
        }
        // Guard against import cycles while this name is being resolved.
        self.cache.insert(key.clone(), Resolved::Unknown);
        let resolved = self.resolve_global_uncached(module, name, depth);
        self.cache.insert(key, resolved.clone());
        resolved
    }

    fn resolve_global_uncached(&mut self, module: ModIdx, name: &Name, depth: u32) -> Resolved {
        let entry = &self.modules[module as usize];
        let facts = entry.facts.clone();
        match facts.global(name) {
            Some(Binding::Function(func)) => return Resolved::Function(entry.func_base + func),
            Some(Binding::Class(class)) => return Resolved::Class(entry.class_base + class),
            Some(Binding::Variable(node)) => return Resolved::Variable(entry.node_base + node),
            Some(Binding::Import(target)) => {
                return self.resolve_import_at(module, target, depth + 1);
            }
            None => {}
        }
        for target in &facts.star_imports {
            let Some(path) = self.absolute_module(module, target) else {
                continue;
            };
            match self.find_module(module, &path, target.level == 0) {
                Some(source) => {
                    let exported = match &self.modules[source as usize].facts.dunder_all {
                        Some(all) => all.iter().any(|n| n == name),
                        None => !name.starts_with('_'),
                    };
                    if exported {
                        let found = self.resolve_global_at(source, name, depth + 1);
                        if found != Resolved::Unknown {
                            return found;
                        }
                    }
                }
                None if path.starts_with("asyncio") || path.starts_with("typing") => {
                    return Resolved::External(format!("{path}.{name}"));
                }
                None => {}
            }
        }
        if is_builtin(name) {
            return Resolved::External(format!("builtins.{name}"));
        }
        Resolved::Unknown
    }

    /// An attribute of a module: a module-level name or a submodule.
    pub fn resolve_member(&mut self, module: ModIdx, attr: &Name) -> Resolved {
        match self.resolve_global(module, attr) {
            Resolved::Unknown => {
                let path = format!("{}.{attr}", self.modules[module as usize].name);
                self.by_name(&path).map_or(Resolved::Unknown, Resolved::Module)
            }
            found => found,
        }
    }

    /// The type alias a dotted name refers to, with the module it is defined in.
    pub fn resolve_alias(&mut self, module: ModIdx, path: &[Name]) -> Option<(ModIdx, TypeExpr)> {
        self.resolve_alias_at(module, path, 0)
    }

    fn resolve_alias_at(&mut self, module: ModIdx, path: &[Name], depth: u32) -> Option<(ModIdx, TypeExpr)> {
        if depth > MAX_RESOLVE_DEPTH {
            return None;
        }
        let (last, prefix) = path.split_last()?;
        if !prefix.is_empty() {
            let Resolved::Module(owner) = self.resolve_dotted(module, prefix) else { return None };
            return self.resolve_alias_at(owner, std::slice::from_ref(last), depth + 1);
        }
        if let Some(found) = self.alias_cache.get(&(module, last.clone())) {
            return found.clone();
        }
        // Guard against import cycles while this name is being resolved.
        self.alias_cache.insert((module, last.clone()), None);
        let facts = self.modules[module as usize].facts.clone();
        let found = match (facts.type_alias(last), facts.global(last)) {
            (Some(alias), _) => Some((module, alias.clone())),
            (None, Some(Binding::Import(ImportTarget { level, module: from, name: Some(name) }))) => {
                let target = ImportTarget { level: *level, module: from.clone(), name: None };
                match self.resolve_import(module, &target) {
                    Resolved::Module(owner) => self.resolve_alias_at(owner, std::slice::from_ref(name), depth + 1),
                    _ => None,
                }
            }
            _ => None,
        };
        self.alias_cache.insert((module, last.clone()), found.clone());
        found
    }

    /// What a dotted name used as a type may be: like [`Modules::resolve_dotted`], but a
    /// name that several imports bind (`try: from asyncio import Task` / `except
    /// ImportError: from asyncio.tasks import Task`, a version test choosing between
    /// `typing` and `collections.abc`) is each of them, also through the modules that
    /// re-export it.
    pub fn resolve_type(&mut self, module: ModIdx, path: &[Name]) -> Vec<Resolved> {
        let found = self.resolve_dotted(module, path);
        if !matches!(found, Resolved::Variable(_)) {
            return vec![found];
        }
        let Some((first, rest)) = path.split_first() else {
            return vec![Resolved::Unknown];
        };
        let mut current = self.type_global(module, first, 0);
        for part in rest {
            let mut next = Vec::new();
            for resolved in current {
                match resolved {
                    Resolved::Module(m) => match self.type_global(m, part, 0).as_slice() {
                        [Resolved::Unknown] => next.push(self.resolve_member(m, part)),
                        found => next.extend_from_slice(found),
                    },
                    Resolved::External(p) => next.push(Resolved::External(format!("{p}.{part}"))),
                    _ => next.push(Resolved::Unknown),
                }
            }
            current = next;
        }
        current.dedup();
        current
    }

    /// A module-level name as a type: each import that may bind it.
    fn type_global(&mut self, module: ModIdx, name: &Name, depth: u32) -> Vec<Resolved> {
        if depth > MAX_RESOLVE_DEPTH {
            return vec![Resolved::Unknown];
        }
        let facts = self.modules[module as usize].facts.clone();
        let targets: Vec<ImportTarget> = match (facts.global(name), facts.import_alternatives(name)) {
            (Some(Binding::Import(target)), _) => vec![target.clone()],
            (Some(Binding::Variable(_)), Some(alternatives)) => alternatives.to_vec(),
            _ => return vec![self.resolve_global(module, name)],
        };
        let mut found = Vec::new();
        for target in &targets {
            let owner = ImportTarget { name: None, ..target.clone() };
            match (&target.name, self.resolve_import(module, &owner)) {
                (Some(imported), Resolved::Module(owner)) => {
                    match self.type_global(owner, imported, depth + 1).as_slice() {
                        [Resolved::Unknown] => found.push(self.resolve_import(module, target)),
                        alternatives => found.extend_from_slice(alternatives),
                    }
                }
                _ => found.push(self.resolve_import(module, target)),
            }
        }
        found
    }

    /// A dotted name such as `asyncio.Task` or `pkg.mod.Class`, as seen from `module`.
    pub fn resolve_dotted(&mut self, module: ModIdx, path: &[Name]) -> Resolved {
        let Some((first, rest)) = path.split_first() else {
            return Resolved::Unknown;
        };
        let mut current = self.resolve_global(module, first);
        for part in rest {
            current = match current {
                Resolved::Module(m) => self.resolve_member(m, part),
                Resolved::External(p) => Resolved::External(format!("{p}.{part}")),
                _ => Resolved::Unknown,
            };
        }
        current
    }
}
