//! Writes a fixed file: the byte-order mark, the file's encoding and every byte outside
//! the edits are kept, and the file is replaced atomically (a temporary file renamed over
//! it, with the original's permissions).

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: cannot write the fixed file: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: the file changed on disk while it was being fixed; it was left unchanged")]
    Changed { path: PathBuf },
    #[error(
        "{path}: the fixed text cannot be written back in the file's encoding byte for byte; it was left unchanged"
    )]
    Encoding { path: PathBuf },
}

/// Replaces `path`, whose text was `original` when it was read, by `fixed`.
pub fn write_fixed(path: &Path, original: &str, fixed: &str) -> Result<(), WriteError> {
    let io = |source| WriteError::Io { path: path.to_path_buf(), source };
    // Write through a symbolic link, not over it.
    let target = std::fs::canonicalize(path).map_err(io)?;
    let bytes = std::fs::read(&target).map_err(io)?;
    let encoding = match tasklens_project::decode_source(&bytes) {
        Ok(decoded) if decoded.text == original => decoded.encoding,
        _ => return Err(WriteError::Changed { path: path.to_path_buf() }),
    };
    // The encoding must give back the bytes on disk, so that only the edits change.
    let encoded = encoding.encode(fixed).filter(|_| encoding.encode(original).as_deref() == Some(&bytes[..]));
    let Some(encoded) = encoded else { return Err(WriteError::Encoding { path: path.to_path_buf() }) };
    let permissions = std::fs::metadata(&target).map_err(io)?.permissions();
    let directory = target.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::Builder::new().prefix(".tasklens-").tempfile_in(directory).map_err(io)?;
    temporary.write_all(&encoded).map_err(io)?;
    temporary.as_file().sync_all().map_err(io)?;
    std::fs::set_permissions(temporary.path(), permissions).map_err(io)?;
    temporary.persist(&target).map_err(|error| io(error.error))?;
    Ok(())
}
