//! Lowering of `match`: what each `case` pattern binds, and the narrowing a class
//! pattern puts on the subject.

use ruff_python_ast as ast;
use ruff_python_ast::name::Name;
use ruff_text_size::{Ranged, TextRange};

use super::stmt::Narrowing;
use super::{Lowerer, Val};
use crate::facts::{Constraint, HopKind, MAX_TUPLE_INDEX, Part};

impl Lowerer {
    pub(super) fn match_stmt(&mut self, stmt: &ast::StmtMatch) {
        let subject = self.expr(&stmt.subject);
        let before = self.flow().clone();
        let mut ends = Vec::new();
        let mut exhaustive = false;
        for case in &stmt.cases {
            *self.flow() = before.clone();
            let mut bindings = Vec::new();
            self.pattern_bindings(&case.pattern, subject, &mut bindings);
            for (name, value, range) in bindings {
                self.bind(&name, value, Some(range));
            }
            // `case Task():` (or `case Task() as t`, `case Task() | Future():`) narrows the
            // subject, and the name capturing it, as `isinstance` does.
            if let Some(types) = class_pattern_types(&case.pattern) {
                let subject_name = stmt.subject.as_name_expr().map(|name| name.id.clone());
                let captured = match &case.pattern {
                    ast::Pattern::MatchAs(p) => p.name.as_ref().map(|name| name.id.clone()),
                    _ => None,
                };
                let narrowings: Vec<Narrowing> = subject_name
                    .into_iter()
                    .chain(captured)
                    .map(|name| (name, crate::facts::GuardTest::Is(types.clone())))
                    .collect();
                self.narrow(&narrowings);
            }
            if let Some(guard) = &case.guard {
                self.expr(guard);
            }
            self.under_test(|this| this.block(&case.body));
            ends.push(self.flow().clone());
            exhaustive |= case.guard.is_none() && case.pattern.is_irrefutable();
        }
        if !exhaustive {
            ends.push(before);
        }
        let merged = self.merge(ends);
        *self.flow() = merged;
    }

    /// What each name a `case` pattern captures is bound to: `case {"fut": f}` binds `f` to
    /// the subject's `"fut"` value, `case [first, *rest]` `first` to its first element,
    /// `case Job(task=t)` `t` to its `task` attribute; a capture of the whole (`case x`,
    /// `as x`, `*rest`, `**rest`) to the subject itself; positional class patterns
    /// (`__match_args__`) to `Unknown`. With the position of each capture.
    fn pattern_bindings(&mut self, pattern: &ast::Pattern, value: Val, out: &mut Vec<(Name, Val, TextRange)>) {
        use ast::Pattern;
        match pattern {
            Pattern::MatchAs(p) => {
                if let Some(inner) = &p.pattern {
                    self.pattern_bindings(inner, value, out);
                }
                if let Some(name) = &p.name {
                    out.push((name.id.clone(), value, name.range));
                }
            }
            Pattern::MatchStar(p) => out.extend(p.name.iter().map(|n| (n.id.clone(), value, n.range))),
            Pattern::MatchSequence(p) => {
                let mut positional = true;
                for (index, inner) in p.patterns.iter().enumerate() {
                    positional &= !inner.is_match_star() && index < MAX_TUPLE_INDEX;
                    let part = if positional { Part::SequenceItem(index as u8) } else { Part::SequenceItem(u8::MAX) };
                    let element = match inner {
                        Pattern::MatchStar(_) => value,
                        _ => self.pattern_part(value, part, inner.range()),
                    };
                    self.pattern_bindings(inner, element, out);
                }
            }
            Pattern::MatchMapping(p) => {
                for (key, inner) in p.keys.iter().zip(&p.patterns) {
                    let part = Part::MappingValue(self.constant_key(key));
                    let element = self.pattern_part(value, part, inner.range());
                    self.pattern_bindings(inner, element, out);
                }
                out.extend(p.rest.iter().map(|n| (n.id.clone(), value, n.range)));
            }
            Pattern::MatchClass(p) => {
                for inner in &p.arguments.patterns {
                    self.pattern_bindings(inner, Val::Unknown, out);
                }
                for keyword in &p.arguments.keywords {
                    let attribute = match value {
                        Val::Node(base) => {
                            let to = self.node();
                            let attr = self.intern(&keyword.attr.id);
                            let hop = self.hop(keyword.range, HopKind::AttrLoad(attr));
                            self.constrain(Constraint::Load { base, attr, to, hop: Some(hop) });
                            Val::Node(to)
                        }
                        other => other,
                    };
                    self.pattern_bindings(&keyword.pattern, attribute, out);
                }
            }
            // Alternatives bind the same names: each name gets what any alternative gives.
            Pattern::MatchOr(p) => {
                let mut merged: Vec<(Name, Vec<Val>, TextRange)> = Vec::new();
                for alternative in &p.patterns {
                    let mut own = Vec::new();
                    self.pattern_bindings(alternative, value, &mut own);
                    for (name, val, range) in own {
                        match merged.iter_mut().find(|(n, _, _)| *n == name) {
                            Some((_, vals, _)) => vals.push(val),
                            None => merged.push((name, vec![val], range)),
                        }
                    }
                }
                for (name, vals, range) in merged {
                    let join = self.node();
                    for val in vals {
                        self.flow_into(val, join, None);
                    }
                    out.push((name, Val::Node(join), range));
                }
            }
            Pattern::MatchValue(_) | Pattern::MatchSingleton(_) => {}
        }
    }

    /// One slot of a matched subject (a sequence position or a mapping value).
    fn pattern_part(&mut self, value: Val, part: Part, range: TextRange) -> Val {
        let Val::Node(base) = value else { return value };
        let to = self.node();
        let hop = self.hop(range, HopKind::ContainerLoad);
        self.constrain(Constraint::LoadPart { base, part, to, hop: Some(hop) });
        Val::Node(to)
    }
}

/// The classes a pattern that only matches instances of them names: `Task()`, `Task(...) as
/// t`, `Task() | Future()`.
fn class_pattern_types(pattern: &ast::Pattern) -> Option<Vec<crate::facts::TypeExpr>> {
    match pattern {
        ast::Pattern::MatchClass(p) => Some(vec![crate::annotation::type_expr(&p.cls)]),
        ast::Pattern::MatchAs(p) => class_pattern_types(p.pattern.as_deref()?),
        ast::Pattern::MatchOr(p) => {
            let mut types = Vec::new();
            for alternative in &p.patterns {
                types.extend(class_pattern_types(alternative)?);
            }
            Some(types)
        }
        _ => None,
    }
}
