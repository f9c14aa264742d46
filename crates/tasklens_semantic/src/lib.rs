//! Per-module facts: scopes, imports, annotations and the local flow
//! constraints, derived from one file's syntax tree.
//!
//! Invariant: a module's facts depend only on that module's text, so an edit
//! recomputes the facts of the edited module alone.

pub mod annotation;
pub mod facts;
mod lower;

use std::sync::Arc;

use tasklens_db::{File, parsed_module};

pub use facts::ModuleFacts;
pub use lower::MAX_DEPTH;

/// The facts of one module, lowered from its syntax tree.
#[salsa::tracked(returns(ref))]
pub fn module_facts(db: &dyn salsa::Database, file: File) -> Arc<ModuleFacts> {
    let parsed = parsed_module(db, file);
    Arc::new(lower::Lowerer::lower_module(file.text(db), &parsed.syntax().body))
}
