//! Lowered modules stored between runs: the bytes a lowering is kept as, and the input
//! that hands stored lowerings to [`crate::lowered`] in place of parsing and lowering again.
//!
//! The analysis does no I/O: the project layer reads stored bytes, decodes them with
//! [`decode`] and sets [`StoredLowerings`]; it writes what [`encode`] gives.

use std::hash::Hasher;
use std::sync::Arc;

use bincode::Options;
use rustc_hash::{FxHashMap, FxHasher};
use tasklens_db::{File, SyntaxProblem};

use crate::{ModuleFacts, Positions};

/// What lowering one module gives: its facts, their positions, and its syntax problems.
#[derive(Debug)]
pub struct LoweredModule {
    pub facts: Arc<ModuleFacts>,
    pub positions: Arc<Positions>,
    pub problems: Arc<[SyntaxProblem]>,
}

/// A lowering read back for a file, valid for exactly the text it was read for: once the
/// file's text is another `Arc` (an edit, a reload), the file is lowered again.
#[derive(Clone, Debug)]
pub struct StoredLowering {
    pub text: Arc<str>,
    pub lowered: Arc<LoweredModule>,
}

/// The stored lowerings of a database's files, set once when they are loaded.
#[salsa::input(singleton)]
pub struct StoredLowerings {
    #[returns(ref)]
    pub modules: Arc<FxHashMap<File, StoredLowering>>,
}

/// The stored lowering of `file`, if one was read for its current text.
pub(crate) fn stored_lowering(db: &dyn salsa::Database, file: File) -> Option<Arc<LoweredModule>> {
    let stored = StoredLowerings::try_get(db)?;
    let entry = stored.modules(db).get(&file)?;
    Arc::ptr_eq(&entry.text, file.text(db)).then(|| entry.lowered.clone())
}

/// The format of the bytes [`encode`] makes: a hash of the sources that define and make
/// them, and of the locked dependencies (see `build.rs`). Equal in builds from the same
/// sources, so a store survives reinstalling the same tasklens (or restoring it in CI).
pub const FORMAT: &str = env!("TASKLENS_FACTS_FORMAT");

/// Bytes before the payload: a magic number and the payload's checksum.
const MAGIC: &[u8; 8] = b"TLFACTS1";
const HEADER: usize = MAGIC.len() + 8;

fn options() -> impl Options {
    bincode::DefaultOptions::new()
}

fn checksum(payload: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(payload);
    hasher.write_usize(payload.len());
    hasher.finish()
}

/// Writes the bytes `lowered` is stored as into `bytes` (emptied first, so that one buffer
/// serves a whole pack).
pub fn encode(lowered: &LoweredModule, bytes: &mut Vec<u8>) {
    bytes.clear();
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&[0; 8]);
    let value = (&*lowered.facts, &*lowered.positions, &*lowered.problems);
    if options().serialize_into(&mut *bytes, &value).is_err() {
        bytes.truncate(HEADER);
    }
    let sum = checksum(&bytes[HEADER..]);
    bytes[MAGIC.len()..HEADER].copy_from_slice(&sum.to_le_bytes());
}

/// The lowering stored as `bytes`; `None` when they are not one (another format, cut
/// short, damaged), so that the module is lowered again.
pub fn decode(bytes: &[u8]) -> Option<LoweredModule> {
    let (magic, rest) = bytes.split_first_chunk::<8>()?;
    let (sum, payload) = rest.split_first_chunk::<8>()?;
    if magic != MAGIC || u64::from_le_bytes(*sum) != checksum(payload) {
        return None;
    }
    let options = options().with_limit(payload.len() as u64);
    let (facts, positions, problems): (ModuleFacts, Positions, Vec<SyntaxProblem>) =
        options.deserialize(payload).ok()?;
    Some(LoweredModule { facts: Arc::new(facts), positions: Arc::new(positions), problems: problems.into() })
}
