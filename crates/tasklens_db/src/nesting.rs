//! A cheap scan for bracket nesting, run before parsing.
//!
//! The parser and tree walks recurse once per nesting level. CPython rejects
//! more than 200 nested brackets ("too many nested parentheses"), so a file
//! beyond [`MAX_BRACKET_DEPTH`] cannot run and is reported instead of parsed.

/// The deepest bracket nesting that is parsed.
pub const MAX_BRACKET_DEPTH: usize = 200;

/// Returns the deepest bracket nesting outside strings and comments, and the
/// byte offset of the first bracket beyond [`MAX_BRACKET_DEPTH`] (or of the deepest one).
pub fn bracket_depth(text: &str) -> (usize, usize) {
    // Counting every bracket, even in strings, bounds the real depth from above
    // on the files that matter: most files never come near the limit.
    if !naive_exceeds(text.as_bytes()) {
        return (0, 0);
    }
    precise_depth(text)
}

/// Whether the nesting counting brackets anywhere, strings included, goes past
/// [`MAX_BRACKET_DEPTH`]: an upper bound of the real depth unless strings hold unmatched
/// closing brackets.
fn naive_exceeds(bytes: &[u8]) -> bool {
    let is_open = |b: &u8| matches!(b, b'(' | b'[' | b'{');
    let is_close = |b: &u8| matches!(b, b')' | b']' | b'}');
    let limit = MAX_BRACKET_DEPTH as i64;
    let mut depth = 0i64;
    // A chunk at a time (counts the compiler vectorises): one whose opening brackets
    // cannot lift the depth past the limit needs no byte-by-byte walk.
    let count = |chunk: &[u8], wanted: &dyn Fn(&u8) -> bool| -> i64 {
        // A sum of 0s and 1s over a fixed-size chunk: written so that it vectorises.
        i64::from(chunk.iter().map(|b| u16::from(wanted(b))).fold(0u16, u16::wrapping_add))
    };
    for chunk in bytes.chunks(256) {
        let opens = count(chunk, &is_open);
        if depth + opens > limit {
            for b in chunk {
                depth += i64::from(is_open(b)) - i64::from(is_close(b));
                if depth > limit {
                    return true;
                }
            }
        } else {
            depth += opens - count(chunk, &is_close);
        }
    }
    false
}

fn precise_depth(text: &str) -> (usize, usize) {
    let bytes = text.as_bytes();
    let (mut depth, mut max, mut at) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    max = depth;
                    if max <= MAX_BRACKET_DEPTH + 1 {
                        at = i;
                    }
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            quote @ (b'\'' | b'"') => {
                i = skip_string(bytes, i, quote);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (max, at)
}

/// Skips a string literal that starts at `start`; returns the offset after it.
fn skip_string(bytes: &[u8], start: usize, quote: u8) -> usize {
    let triple = bytes.len() >= start + 3 && bytes[start + 1] == quote && bytes[start + 2] == quote;
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !triple => return i,
            b if b == quote => {
                if !triple {
                    return i + 1;
                }
                if bytes.len() >= i + 3 && bytes[i + 1] == quote && bytes[i + 2] == quote {
                    return i + 3;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::bracket_depth;

    #[test]
    fn counts_brackets_outside_strings_and_comments() {
        use super::precise_depth;
        assert_eq!(precise_depth("f((1), [2])").0, 2);
        assert_eq!(precise_depth("x = '((((' # ((((\ny = [[1]]").0, 2);
        assert_eq!(precise_depth("s = \"\"\"(((\n(((\"\"\"\nf(1)").0, 1);
        assert_eq!(bracket_depth(&"(".repeat(1000)).0, 1000);
        // Brackets in strings count only when the file comes near the limit.
        let in_strings = format!("s = '{}'\n", "(".repeat(500));
        assert_eq!(bracket_depth(&in_strings).0, 0);
        // Counted a chunk at a time: a depth that crosses chunks is still seen.
        let across = format!("{}{}{}", "(".repeat(150), " ".repeat(300), "(".repeat(60));
        assert_eq!(bracket_depth(&across).0, 210);
        assert_eq!(bracket_depth(&"f(x)[0]{1}".repeat(5000)).0, 0);
    }
}
