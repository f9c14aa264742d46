//! Generic classes: the type parameters a class declares, what its bases or an annotation
//! bind them to, and the filter that a binding puts on reads of an attribute declared with
//! one. `runtime_data: _DataT` read through `entry: ConfigEntry[Data]`, or `data: _DataT`
//! read from an instance of `class Feed(Coordinator[Data])`, lets in only `Data`: one
//! generic attribute otherwise hands what every user stores to every other.

use std::rc::Rc;

use ruff_python_ast::name::Name;
use rustc_hash::{FxHashMap, FxHashSet};
use tasklens_semantic::facts::{Place, TypeExpr};

use super::link::Pending;
use super::{NameId, Solver, TypeFilter};
use crate::modules::Resolved;
use crate::objects::{GClass, GNode, ModIdx, Obj};

/// What a read lets in, and the objects standing for what it gives when nothing known
/// was stored (see [`Solver::typed_place`]).
pub(super) type TypedRead = (TypeFilter, Vec<Obj>);

/// How deep a binding is followed through bases and aliases.
const MAX_DEPTH: u32 = 16;

#[derive(Default)]
pub(crate) struct Generics {
    /// Attributes declared with a bare type variable (`runtime_data: _DataT`, `self.data:
    /// _DataT | None = None`), by (class, attribute): the variable's name.
    declared: FxHashMap<(GClass, NameId), Name>,
    /// The names of those attributes: a read of any other needs no look.
    names: FxHashSet<NameId>,
    /// Each class's type parameters, in order (see [`Solver::type_params`]).
    params: FxHashMap<GClass, Rc<[Name]>>,
}

/// What `Optional[X]`, `X | None` or `Union[X, None]` allows besides `None`.
fn without_none(annotation: &TypeExpr) -> Option<&TypeExpr> {
    match annotation {
        TypeExpr::Union(members) => {
            let mut others = members.iter().filter(|member| **member != TypeExpr::None);
            match (others.next(), others.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        }
        TypeExpr::Generic(path, args) if path.last().is_some_and(|last| last.as_str() == "Optional") => args.first(),
        _ => None,
    }
}

/// The type variable a declaration names, with `None` allowed beside it.
fn bare_variable(annotation: &TypeExpr) -> Option<&Name> {
    match annotation {
        TypeExpr::Name(path) if path.len() == 1 => path.first(),
        other => bare_variable(without_none(other)?),
    }
}

impl Solver {
    /// Records the attributes of `m`'s classes declared with a bare type variable.
    pub(super) fn link_generic_attributes(&mut self, m: ModIdx) {
        let module = &self.modules.modules[m as usize];
        let class_base = module.class_base;
        let declared: Vec<(GClass, Name, Name)> = (module.facts.annotated.iter())
            .filter_map(|place| match &place.place {
                Place::Attribute { class, attr } => {
                    Some((class_base + class, attr.clone(), bare_variable(&place.annotation)?.clone()))
                }
                _ => None,
            })
            .collect();
        for (class, attr, variable) in declared {
            let attr = self.name_id(&attr);
            self.generics.names.insert(attr);
            self.generics.declared.insert((class, attr), variable);
        }
    }

    /// Whether any class declares an attribute with a type parameter.
    pub(super) fn generics_declared(&self) -> bool {
        !self.generics.names.is_empty()
    }

    /// Whether reads of `attr` may need a generic filter.
    pub(super) fn may_be_generic(&self, attr: NameId) -> bool {
        self.generics.names.contains(&attr)
    }

    /// The filter a read of `attr` gets from a place annotated `annotation` in `m` (`entry:
    /// ConfigEntry[Data]`, through aliases and `Optional`).
    fn annotated_read_filter(&mut self, m: ModIdx, annotation: &TypeExpr, attr: NameId) -> Option<TypedRead> {
        let (m, path, args) = self.generic_annotation(m, annotation, 0)?;
        let class = self.sole_class(m, &path)?;
        self.read_filter(class, Some((m, &args)), attr)
    }

    /// The filter a read of `attr` from an instance of `class` gets from what `class`'s
    /// bases bind (`class Feed(Coordinator[Data])`).
    pub(super) fn instance_read_filter(&mut self, class: GClass, attr: NameId) -> Option<TypedRead> {
        self.read_filter(class, None, attr)
    }

    fn read_filter(&mut self, class: GClass, args: Option<(ModIdx, &[TypeExpr])>, attr: NameId) -> Option<TypedRead> {
        let owner = self.declaring_owner(class, attr)?;
        let variable = self.generics.declared.get(&(owner, attr))?.clone();
        let index = self.type_params(owner).iter().position(|param| *param == variable)?;
        let (m, bound) = self.binding(class, args, owner, index, 0)?;
        self.typed_place(m, &bound)
    }

    /// `annotation` as `path[args]` in the module that writes it, through aliases, `Optional`
    /// and unions with `None`.
    fn generic_annotation(
        &mut self,
        m: ModIdx,
        annotation: &TypeExpr,
        depth: u32,
    ) -> Option<(ModIdx, Vec<Name>, Vec<TypeExpr>)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match annotation {
            TypeExpr::Name(path) | TypeExpr::Generic(path, _)
                if let Some((owner, target)) = self.modules.resolve_alias(m, path) =>
            {
                self.generic_annotation(owner, &target, depth + 1)
            }
            _ if let Some(inner) = without_none(annotation) => self.generic_annotation(m, inner, depth + 1),
            TypeExpr::Generic(path, args) => Some((m, path.clone(), args.clone())),
            _ => None,
        }
    }

    /// What the `index`th type parameter of `target` is for an instance of `class` given
    /// as `class[args]` (`args` in the module that writes them), found through `class`'s
    /// bases: the type and the module to resolve it in.
    fn binding(
        &mut self,
        class: GClass,
        args: Option<(ModIdx, &[TypeExpr])>,
        target: GClass,
        index: usize,
        depth: u32,
    ) -> Option<(ModIdx, TypeExpr)> {
        if depth > MAX_DEPTH {
            return None;
        }
        if class == target {
            let (m, args) = args?;
            return Some((m, args.get(index)?.clone()));
        }
        let (m, facts) = self.modules.class(class);
        let bases = facts.bases.clone();
        for base in &bases {
            let (path, base_args) = match base {
                TypeExpr::Name(path) => (path, None),
                TypeExpr::Generic(path, base_args) => (path, Some((m, base_args.as_slice()))),
                _ => continue,
            };
            let Some(base_class) = self.sole_class(m, path) else { continue };
            if !self.classes.mro[base_class as usize].contains(&target) {
                continue;
            }
            let (found_in, bound) = self.binding(base_class, base_args, target, index, depth + 1)?;
            // A type parameter of `class` passed on to its base: what `args` give it.
            if found_in == m
                && let TypeExpr::Name(name) = &bound
                && let [name] = name.as_slice()
                && let Some(own) = self.type_params(class).iter().position(|param| param == name)
            {
                let (m, args) = args?;
                return Some((m, args.get(own)?.clone()));
            }
            return Some((found_in, bound));
        }
        None
    }

    /// The project class `path` names in `m`, when it names one and only one.
    fn sole_class(&mut self, m: ModIdx, path: &[Name]) -> Option<GClass> {
        match self.modules.resolve_type(m, path).as_slice() {
            [Resolved::Class(class)] => Some(*class),
            _ => None,
        }
    }

    /// A class's type parameters in order: those it declares (`class Box[T]:`), else the
    /// arguments of its `Generic[...]` or `Protocol[...]` base, else the type variables (names
    /// of module-level variables) in its bases' arguments.
    fn type_params(&mut self, class: GClass) -> Rc<[Name]> {
        if let Some(found) = self.generics.params.get(&class) {
            return found.clone();
        }
        let (m, facts) = self.modules.class(class);
        let (own, bases) = (facts.type_params.clone(), facts.bases.clone());
        let params: Vec<Name> = if own.is_empty() {
            let mut declared = None;
            let mut found: Vec<Name> = Vec::new();
            for base in &bases {
                let TypeExpr::Generic(path, args) = base else { continue };
                let names = args.iter().filter_map(|arg| match arg {
                    TypeExpr::Name(name) if name.len() == 1 => Some(name[0].clone()),
                    _ => None,
                });
                let is_generic = self.modules.resolve_type(m, path).iter().any(|resolved| {
                    matches!(resolved, Resolved::External(p) if p.ends_with(".Generic") || p.ends_with(".Protocol"))
                });
                if is_generic {
                    declared = Some(names.collect());
                    break;
                }
                for name in names.collect::<Vec<_>>() {
                    let variable = matches!(
                        self.modules.resolve_type(m, std::slice::from_ref(&name)).as_slice(),
                        [Resolved::Variable(_)]
                    );
                    if variable && !found.contains(&name) {
                        found.push(name);
                    }
                }
            }
            declared.unwrap_or(found)
        } else {
            own
        };
        let params: Rc<[Name]> = params.into();
        self.generics.params.insert(class, params.clone());
        params
    }

    /// Links a read through an annotated place: its result node gets the filter the
    /// annotation's binding gives.
    pub(super) fn link_generic_read(
        &mut self,
        m: ModIdx,
        annotation: &TypeExpr,
        attr: NameId,
        to: GNode,
        pending: &mut Pending,
    ) {
        if let Some((filter, standing)) = self.annotated_read_filter(m, annotation, attr) {
            pending.type_filters.push((to, filter));
            pending.seeds.extend(standing.into_iter().map(|obj| (to, obj)));
        }
    }
}
