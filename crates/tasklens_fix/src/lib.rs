//! Applying fixes: edits are applied to texts in the database, re-checked until nothing
//! changes, and only then written to disk (byte for byte outside the edits) or shown as
//! a diff. Also `--add-noqa`'s comments that accept the findings there are.
//!
//! Invariant: nothing is written unless every pass succeeded and the file still parses
//! at least as well as before.

mod apply;
mod diff;
mod ignores;
mod session;
mod tidy;
mod write;

pub use apply::{Applied, apply_fixes};
pub use diff::unified_diff;
pub use ignores::{AddedIgnores, add_ignores};
pub use session::{FixOptions, FixOutcome, FixedFile, Rejected, fix_workspace};
pub use write::{WriteError, write_fixed};
