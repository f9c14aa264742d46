//! Parsing as a tracked query, and the syntax problems of each file.

use std::sync::Arc;

use ruff_python_ast::{ModModule, PySourceType};
use ruff_python_parser::{Parsed, parse_unchecked_source};
use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};

use crate::nesting::{MAX_BRACKET_DEPTH, bracket_depth};
use crate::{File, FileStatus};

/// A parsed module. A file nested too deeply to parse gets an empty module.
#[derive(Clone, Debug)]
pub struct ParsedModule {
    pub parsed: Arc<Parsed<ModModule>>,
    /// Set when the file was not parsed because it nests too deeply.
    pub too_deep: Option<(TextRange, usize)>,
}

impl ParsedModule {
    pub fn syntax(&self) -> &ModModule {
        self.parsed.syntax()
    }
}

/// Parses a file with the error-resilient parser.
///
/// `no_eq`: syntax trees change with every offset shift and are costly to
/// compare; the queries built on top return small comparable results.
/// `lru`: trees are only needed while a module's facts are computed.
#[salsa::tracked(returns(ref), no_eq, lru = 64)]
pub fn parsed_module(db: &dyn salsa::Database, file: File) -> ParsedModule {
    let text: &str = match file.status(db) {
        FileStatus::Exists => file.text(db),
        _ => "",
    };
    let (depth, at) = bracket_depth(text);
    if depth > MAX_BRACKET_DEPTH {
        let start = TextSize::try_from(at).unwrap_or_default();
        return ParsedModule {
            parsed: Arc::new(parse_unchecked_source("", PySourceType::Python)),
            too_deep: Some((TextRange::new(start, start + TextSize::from(1)), depth)),
        };
    }
    ParsedModule { parsed: Arc::new(parse_unchecked_source(text, PySourceType::Python)), too_deep: None }
}

/// A syntax error, or a file that could not be parsed at all.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxProblem {
    pub range: TextRange,
    pub message: String,
}

/// The syntax problems of one file, in source order.
#[salsa::tracked(returns(ref))]
pub fn syntax_problems(db: &dyn salsa::Database, file: File) -> Vec<SyntaxProblem> {
    let parsed = parsed_module(db, file);
    if let Some((range, depth)) = parsed.too_deep {
        return vec![SyntaxProblem {
            range,
            message: format!(
                "file nests brackets {depth} levels deep; CPython allows at most 200, so it was not analysed"
            ),
        }];
    }
    parsed
        .parsed
        .errors()
        .iter()
        .map(|error| SyntaxProblem { range: error.location, message: error.error.to_string() })
        .collect()
}

/// The line index of a file, for turning offsets into lines and columns.
#[salsa::tracked(returns(ref), no_eq)]
pub fn line_index(db: &dyn salsa::Database, file: File) -> Arc<LineIndex> {
    Arc::new(LineIndex::from_source_text(file.text(db)))
}
