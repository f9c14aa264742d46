//! The salsa database: source files as inputs, their parses and line indexes.
//!
//! Invariants: this layer does no I/O (texts are set by the project layer),
//! and parsing never fails: every file gets an AST plus its syntax errors.

mod database;
mod files;
mod nesting;
mod parse;

pub use database::{QueryLog, RootDatabase};
pub use files::{File, FileStatus, Project, PythonVersion};
pub use nesting::{MAX_BRACKET_DEPTH, bracket_depth};
pub use parse::{ParsedModule, SyntaxProblem, line_index, parsed_module, syntax_problem_count, syntax_problems};

/// The stack size for threads that parse or walk syntax trees.
///
/// Real inputs nest deeply enough to overflow a default 2 MiB thread stack.
pub const STACK_SIZE: usize = 64 * 1024 * 1024;
