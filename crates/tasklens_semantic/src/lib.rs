//! Per-module facts: scopes, imports, annotations and the local flow
//! constraints, derived from one file's syntax tree.
//!
//! Invariant: a module's facts depend only on that module's text, so an edit
//! recomputes the facts of the edited module alone.

/// Frees the spare capacity of each of the given lists.
macro_rules! shrink_all {
    ($($list:expr),+ $(,)?) => {{
        $($list.shrink_to_fit();)+
    }};
}
pub(crate) use shrink_all;

pub mod annotation;
pub mod facts;
mod lower;
pub mod positions;
mod spelling;
pub mod stored;
mod suppression;
pub use suppression::RULE_NAMES;
mod type_comments;

use std::sync::Arc;

use tasklens_db::{File, parsed_module};

pub use facts::ModuleFacts;
pub use lower::{MAX_DEPTH, asyncio_method_since, asyncio_name_since};
pub use positions::{CallPositions, Positions, TimeoutCatcher};
pub use stored::LoweredModule;

/// One module lowered from its syntax tree (or read back, see [`stored`]): its facts
/// without positions, the positions, and its syntax problems. Not compared: the queries
/// below are, each on its own.
#[salsa::tracked(returns(ref), no_eq)]
pub fn lowered(db: &dyn salsa::Database, file: File) -> Arc<LoweredModule> {
    if let Some(stored) = stored::stored_lowering(db, file) {
        return stored;
    }
    let parsed = parsed_module(db, file);
    let tree = parsed.load();
    let comments = type_comments::type_comments(tree.tokens(), file.text(db));
    let (mut facts, mut positions) = lower::Lowerer::lower_module(&tree.syntax().body, comments);
    facts.spells_asyncio = spelling::spells_asyncio(tree.tokens(), file.text(db));
    positions.suppressions = suppression::suppressions(tree.tokens(), file.text(db));
    positions.type_ignores = suppression::type_ignores(tree.tokens(), file.text(db));
    // The facts are all the flow analysis needs: free the tree now rather than at
    // the next revision, so a project's trees are never all alive at once.
    drop(tree);
    parsed.release();
    facts.shrink_to_fit();
    positions.shrink_to_fit();
    let problems = parsed.problems().into();
    Arc::new(LoweredModule { facts: Arc::new(facts), positions: Arc::new(positions), problems })
}

/// The facts of one module, without positions (see [`module_positions`]): equal after an
/// edit that only moves code, so what depends on them alone is not recomputed.
#[salsa::tracked(returns(ref))]
pub fn module_facts(db: &dyn salsa::Database, file: File) -> Arc<ModuleFacts> {
    lowered(db, file).facts.clone()
}

/// Where the facts of [`module_facts`] sit in the source, index for index.
#[salsa::tracked(returns(ref))]
pub fn module_positions(db: &dyn salsa::Database, file: File) -> Arc<Positions> {
    lowered(db, file).positions.clone()
}

/// The syntax problems of one module (from its lowering, so a stored lowering spares the parse).
#[salsa::tracked(returns(ref))]
pub fn module_syntax_problems(db: &dyn salsa::Database, file: File) -> Arc<[tasklens_db::SyntaxProblem]> {
    lowered(db, file).problems.clone()
}
