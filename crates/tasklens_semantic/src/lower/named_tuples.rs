//! Classes made by a call instead of a `class` statement: `collections.namedtuple` and
//! the functional form of `typing.NamedTuple`, whose constructors take their fields.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::Lowerer;
use crate::facts::{Binding, ClassFacts, ClassId, Seed};

impl Lowerer {
    /// `Job = namedtuple("Job", "name handle")` (or `NamedTuple("Job", [("name", str),
    /// ...])`): binds `Job` to a class whose constructor stores its arguments in those
    /// fields, as a dataclass does. `false` when `value` is no such call.
    pub(super) fn named_tuple_assignment(&mut self, target: &ast::ExprName, value: &Expr) -> bool {
        let Some(fields) = self.named_tuple_fields(value) else { return false };
        let mut attributes = fields.clone();
        attributes.sort();
        attributes.dedup();
        self.positions.classes.push(target.range());
        self.facts.classes.push(ClassFacts {
            name: target.id.clone(),
            bases: Vec::new(),
            type_params: Vec::new(),
            methods: Vec::new(),
            setters: Vec::new(),
            stored: attributes.clone(),
            attributes,
            fields,
            dataclass: true,
            tuple_fields: true,
            field_factories: Vec::new(),
        });
        let id = (self.facts.classes.len() - 1) as ClassId;
        let version = self.seeded(Seed::Class(id));
        self.bind_node(&target.id, version);
        self.note_module_binding(&target.id, Binding::Class(id));
        true
    }

    /// The field names of a `namedtuple(...)` or `NamedTuple(...)` call written out as
    /// literals.
    fn named_tuple_fields(&self, value: &Expr) -> Option<Vec<Name>> {
        let Expr::Call(call) = value else { return None };
        let path = crate::annotation::dotted_name(&call.func)?;
        let known = match path.iter().map(Name::as_str).collect::<Vec<_>>().as_slice() {
            ["collections", "namedtuple"] => true,
            ["typing" | "typing_extensions", "NamedTuple"] => true,
            [name @ ("namedtuple" | "NamedTuple")] => {
                self.imported_from(name, &["collections", "typing", "typing_extensions"])
            }
            _ => false,
        };
        if !known {
            return None;
        }
        let spec = (call.arguments.args.get(1))
            .or_else(|| call.arguments.find_keyword("field_names").map(|k| &k.value))
            .or_else(|| call.arguments.find_keyword("fields").map(|k| &k.value))?;
        let field_name = |element: &Expr| -> Option<Name> {
            match element {
                Expr::StringLiteral(literal) => Some(Name::new(literal.value.to_str())),
                // `("handle", asyncio.Task)` in the `NamedTuple` form.
                Expr::Tuple(pair) => match pair.elts.first()? {
                    Expr::StringLiteral(literal) => Some(Name::new(literal.value.to_str())),
                    _ => None,
                },
                _ => None,
            }
        };
        match spec {
            Expr::StringLiteral(literal) => Some(
                (literal.value.to_str().split(|c: char| c == ',' || c.is_whitespace()))
                    .filter(|field| !field.is_empty())
                    .map(Name::new)
                    .collect(),
            ),
            Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
                elts.iter().map(field_name).collect()
            }
            _ => None,
        }
    }

    /// Whether the module-level name `name` is imported from one of `modules`.
    fn imported_from(&self, name: &str, modules: &[&str]) -> bool {
        (self.module_bindings.get(name).into_iter().flatten()).any(|binding| {
            matches!(binding, Binding::Import(target) if target.level == 0 && modules.contains(&target.module.as_str()))
        })
    }
}
