//! Parsing as a tracked query, and the syntax problems of each file.

use std::sync::{Arc, Mutex};

use ruff_python_ast::{ModModule, PySourceType};
use ruff_python_parser::{Parsed, parse_unchecked_source};
use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};

use crate::nesting::{MAX_BRACKET_DEPTH, bracket_depth};
use crate::{File, FileStatus};

/// A syntax error, or a file that could not be parsed at all.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SyntaxProblem {
    pub range: TextRange,
    pub message: String,
}

/// A parsed module whose tree can be released once the module's facts are
/// built, and is parsed again if it is needed later (as ty does).
#[derive(Clone, Debug)]
pub struct ParsedModule {
    text: Arc<str>,
    tree: Arc<Mutex<Option<Arc<Parsed<ModModule>>>>>,
    problems: Arc<[SyntaxProblem]>,
}

impl ParsedModule {
    fn new(text: Arc<str>) -> Self {
        let (depth, at) = bracket_depth(&text);
        if depth > MAX_BRACKET_DEPTH {
            let start = TextSize::try_from(at).unwrap_or_default();
            let problem = SyntaxProblem {
                range: TextRange::new(start, start + TextSize::from(1)),
                message: format!(
                    "file nests brackets {depth} levels deep; CPython allows at most {MAX_BRACKET_DEPTH}, so it was not analysed"
                ),
            };
            let empty = Arc::new(parse_unchecked_source("", PySourceType::Python));
            return ParsedModule {
                text: "".into(),
                tree: Arc::new(Mutex::new(Some(empty))),
                problems: [problem].into(),
            };
        }
        let parsed = parse_unchecked_source(&text, PySourceType::Python);
        let mut problems: Vec<SyntaxProblem> = parsed
            .errors()
            .iter()
            .map(|error| SyntaxProblem { range: error.location, message: error.error.to_string() })
            .collect();
        // Errors of nested constructs come out innermost first: report them in source order.
        problems.sort_by_key(|problem| problem.range.start());
        ParsedModule { text, tree: Arc::new(Mutex::new(Some(Arc::new(parsed)))), problems: problems.into() }
    }

    /// The syntax tree, parsed again if it was released.
    pub fn load(&self) -> Arc<Parsed<ModModule>> {
        let mut tree = self.tree.lock().unwrap_or_else(|e| e.into_inner());
        tree.get_or_insert_with(|| Arc::new(parse_unchecked_source(&self.text, PySourceType::Python))).clone()
    }

    /// Releases the syntax tree (the facts built from it stay).
    pub fn release(&self) {
        *self.tree.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The syntax errors, or the reason the file was not parsed.
    pub fn problems(&self) -> &[SyntaxProblem] {
        &self.problems
    }
}

/// Parses a file with the error-resilient parser.
///
/// `no_eq`: syntax trees change with every offset shift and are costly to
/// compare; the queries built on top return small comparable results.
#[salsa::tracked(returns(ref), no_eq)]
pub fn parsed_module(db: &dyn salsa::Database, file: File) -> ParsedModule {
    let text: Arc<str> = match file.status(db) {
        FileStatus::Exists => file.text(db).clone(),
        _ => "".into(),
    };
    ParsedModule::new(text)
}

/// The syntax problems of one file, in source order.
#[salsa::tracked(returns(ref))]
pub fn syntax_problems(db: &dyn salsa::Database, file: File) -> Vec<SyntaxProblem> {
    parsed_module(db, file).problems().to_vec()
}

/// The line index of a file, for turning offsets into lines and columns.
#[salsa::tracked(returns(ref), no_eq)]
pub fn line_index(db: &dyn salsa::Database, file: File) -> Arc<LineIndex> {
    Arc::new(LineIndex::from_source_text(file.text(db)))
}

/// How many syntax problems a text has, the way [`parsed_module`] counts them (for
/// checking that an edited file still parses before it is written).
pub fn syntax_problem_count(text: &str) -> usize {
    ParsedModule::new(Arc::from(text)).problems().len()
}
