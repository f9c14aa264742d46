//! Annotations reduced to [`TypeExpr`]: dotted names, generics and unions,
//! including string annotations.

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Operator};

use crate::facts::TypeExpr;

/// Lowers an annotation expression. String annotations are parsed.
pub fn type_expr(expr: &Expr) -> TypeExpr {
    type_expr_at(expr, 0)
}

fn type_expr_at(expr: &Expr, depth: u32) -> TypeExpr {
    if depth > 64 {
        return TypeExpr::Other;
    }
    match expr {
        Expr::NoneLiteral(_) => TypeExpr::None,
        Expr::Name(_) | Expr::Attribute(_) => match dotted_name(expr) {
            Some(path) => TypeExpr::Name(path),
            None => TypeExpr::Other,
        },
        Expr::Subscript(subscript) => {
            let Some(base) = dotted_name(&subscript.value) else {
                return TypeExpr::Other;
            };
            let args = match &*subscript.slice {
                // `...` says how many (`tuple[X, ...]`) or which parameters
                // (`Callable[..., R]`): no type of its own.
                Expr::Tuple(tuple) => (tuple.elts.iter())
                    .filter(|e| !e.is_ellipsis_literal_expr())
                    .map(|e| type_expr_at(e, depth + 1))
                    .collect(),
                other => vec![type_expr_at(other, depth + 1)],
            };
            TypeExpr::Generic(base, args)
        }
        Expr::BinOp(ast::ExprBinOp { left, op: Operator::BitOr, right, .. }) => {
            let mut members = Vec::new();
            for side in [left, right] {
                match type_expr_at(side, depth + 1) {
                    TypeExpr::Union(inner) => members.extend(inner),
                    other => members.push(other),
                }
            }
            TypeExpr::Union(members)
        }
        Expr::StringLiteral(string) => {
            let text = string.value.to_str();
            match ruff_python_parser::parse_expression(text) {
                Ok(parsed) => type_expr_at(parsed.expr(), depth + 1),
                Err(_) => TypeExpr::Other,
            }
        }
        _ => TypeExpr::Other,
    }
}

/// `a.b.c` as `[a, b, c]`.
pub fn dotted_name(expr: &Expr) -> Option<Vec<Name>> {
    let mut parts = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::Name(name) => {
                parts.push(name.id.clone());
                parts.reverse();
                return Some(parts);
            }
            Expr::Attribute(attribute) => {
                parts.push(attribute.attr.id.clone());
                current = &attribute.value;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(source: &str) -> TypeExpr {
        let parsed = ruff_python_parser::parse_expression(source).unwrap();
        type_expr(parsed.expr())
    }

    fn name(parts: &[&str]) -> Vec<Name> {
        parts.iter().map(|p| Name::new(*p)).collect()
    }

    #[test]
    fn lowers_generics_unions_and_strings() {
        assert_eq!(
            lowered("Optional[asyncio.Task[None]]"),
            TypeExpr::Generic(
                name(&["Optional"]),
                vec![TypeExpr::Generic(name(&["asyncio", "Task"]), vec![TypeExpr::None])]
            )
        );
        assert_eq!(
            lowered("'Task[int] | None'"),
            TypeExpr::Union(vec![
                TypeExpr::Generic(name(&["Task"]), vec![TypeExpr::Name(name(&["int"]))]),
                TypeExpr::None
            ])
        );
        assert_eq!(lowered("f()"), TypeExpr::Other);
    }
}
