//! PEP 484 type comments: `x = value  # type: T` and a function's
//! `# type: (A, B) -> R`, which mypy checks like annotations.

use ruff_python_ast::token::Tokens;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{TextRange, TextSize};

use crate::annotation::type_expr;
use crate::facts::TypeExpr;

/// One `# type: ...` comment (not `# type: ignore`).
#[derive(Clone, Debug)]
pub(crate) struct TypeComment {
    /// The whole comment.
    pub range: TextRange,
    /// Where the code before it on its line ends; `None` for a comment on a line of its own.
    pub code_end: Option<TextSize>,
    /// What follows `type:`.
    pub text: String,
}

/// The type comments of a module, in source order.
pub(crate) fn type_comments(tokens: &Tokens, source: &str) -> Vec<TypeComment> {
    let mut found = Vec::new();
    for (range, comment) in crate::suppression::comments(tokens, source) {
        let Some(text) = comment.strip_prefix('#').map(str::trim_start).and_then(|c| c.strip_prefix("type:")) else {
            continue;
        };
        let text = text.trim();
        if text.is_empty() || text.starts_with("ignore") {
            continue;
        }
        let before = &source[..usize::from(range.start())];
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let code = before[line_start..].trim_end();
        let code_end = (!code.is_empty()).then(|| TextSize::try_from(line_start + code.len()).unwrap_or_default());
        found.push(TypeComment { range, code_end, text: text.to_string() });
    }
    found
}

/// The type a trailing `# type: T` gives.
pub(crate) fn variable_type(comment: &TypeComment) -> Option<TypeExpr> {
    let parsed = ruff_python_parser::parse_expression(&comment.text).ok()?;
    Some(type_expr(parsed.expr()))
}

/// A function's `# type: (A, B) -> R`: the parameter types (none for `(...)` or ones that do
/// not parse) and the return type.
pub(crate) fn signature_types(comment: &TypeComment) -> Option<(Vec<TypeExpr>, TypeExpr)> {
    let (params, ret) = comment.text.rsplit_once("->")?;
    let ret = ruff_python_parser::parse_expression(ret.trim()).ok()?;
    let params = match ruff_python_parser::parse_expression(params.trim()) {
        Ok(parsed) => match parsed.expr() {
            Expr::Tuple(ast::ExprTuple { elts, .. }) => elts.iter().map(type_expr).collect(),
            Expr::EllipsisLiteral(_) => Vec::new(),
            single => vec![type_expr(single)],
        },
        Err(_) => Vec::new(),
    };
    Some((params, type_expr(ret.expr())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(source: &str) -> Vec<TypeComment> {
        let parsed = ruff_python_parser::parse_module(source).expect("parses");
        type_comments(parsed.tokens(), source)
    }

    #[test]
    fn trailing_and_signature_comments() {
        let source =
            "x = f()  # type: Optional[Task]\ny = 1  # type: ignore\ndef g(a):\n    # type: (int) -> Task\n    pass\n";
        let found = comments(source);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].code_end, Some(TextSize::from(7)));
        assert!(matches!(variable_type(&found[0]), Some(TypeExpr::Generic(..))));
        assert_eq!(found[1].code_end, None);
        let (params, ret) = signature_types(&found[1]).expect("a signature");
        assert_eq!(params.len(), 1);
        assert!(matches!(ret, TypeExpr::Name(path) if path.len() == 1 && path[0].as_str() == "Task"));
    }
}
