//! Applies the fixes of one text: fixes whose edits overlap are never applied together.

use tasklens_checks::{Edit, Fix};

/// The text after applying some of the fixes, and which ones.
#[derive(Debug, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// Indices into the fixes given, in the order they were taken.
    pub fixes: Vec<usize>,
}

/// Applies every fix that does not conflict with one taken before it, in the order of
/// their first edits. Two fixes may share an identical edit (both add the same import);
/// it is applied once. Fixes with an edit outside the text are skipped.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> Applied {
    let mut order: Vec<usize> = (0..fixes.len()).filter(|&i| valid(text, fixes[i])).collect();
    order.sort_by_key(|&i| (fixes[i].edits.iter().map(|e| e.range.start()).min(), i));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for i in order {
        let edits = &fixes[i].edits;
        let own_conflict = edits.iter().enumerate().any(|(a, x)| edits[a + 1..].iter().any(|y| conflicts(x, y)));
        let fits = edits.iter().all(|edit| taken.iter().all(|t| *t == edit || !conflicts(t, edit)));
        if own_conflict || !fits {
            continue;
        }
        for edit in edits {
            if !taken.contains(&edit) {
                taken.push(edit);
            }
        }
        applied.push(i);
    }
    taken.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in taken {
        out.push_str(&text[cursor..usize::from(edit.range.start())]);
        out.push_str(&edit.content);
        cursor = usize::from(edit.range.end());
    }
    out.push_str(&text[cursor..]);
    Applied { text: out, fixes: applied }
}

/// A fix with edits, each inside the text on character boundaries.
fn valid(text: &str, fix: &Fix) -> bool {
    !fix.edits.is_empty()
        && fix.edits.iter().all(|edit| {
            let (start, end) = (usize::from(edit.range.start()), usize::from(edit.range.end()));
            end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
        })
}

/// Edits conflict when their ranges overlap, when they start at the same offset (the
/// order of two insertions there would be arbitrary), or when one inserts inside the
/// other's range.
fn conflicts(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.range, b.range);
    a.start() == b.start() || (a.start() < b.end() && b.start() < a.end())
}

#[cfg(test)]
mod tests {
    use ruff_text_size::{TextRange, TextSize};
    use tasklens_checks::{Applicability, Edit, Fix};

    use super::apply_fixes;

    fn fix(edits: &[(u32, u32, &str)]) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: edits
                .iter()
                .map(|&(start, end, content)| Edit {
                    range: TextRange::new(TextSize::new(start), TextSize::new(end)),
                    content: content.into(),
                })
                .collect(),
        }
    }

    fn check(text: &str, fixes: &[Fix], expected: &str, taken: &[usize]) {
        let refs: Vec<&Fix> = fixes.iter().collect();
        let applied = apply_fixes(text, &refs);
        assert_eq!(applied.text, expected);
        assert_eq!(applied.fixes, taken);
    }

    #[test]
    fn disjoint_fixes_are_all_applied_and_the_rest_is_kept() {
        check(
            "a = f(x)\r\nb = f(y)\r\n",
            &[fix(&[(14, 15, "g")]), fix(&[(4, 5, "g")])],
            "a = g(x)\r\nb = g(y)\r\n",
            &[1, 0],
        );
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        check("abcdef", &[fix(&[(1, 4, "X")]), fix(&[(3, 5, "Y")]), fix(&[(5, 6, "Z")])], "aXeZ", &[0, 2]);
    }

    #[test]
    fn insertions_at_one_offset_conflict_unless_identical() {
        check("ab", &[fix(&[(1, 1, "X")]), fix(&[(1, 1, "Y")])], "aXb", &[0]);
        check("ab", &[fix(&[(1, 1, "X"), (0, 1, "A")]), fix(&[(1, 1, "X"), (2, 2, "B")])], "AXbB", &[0, 1]);
    }

    #[test]
    fn edits_outside_the_text_or_inside_a_character_are_skipped() {
        check("é", &[fix(&[(1, 2, "e")]), fix(&[(0, 9, "e")])], "é", &[]);
    }
}
