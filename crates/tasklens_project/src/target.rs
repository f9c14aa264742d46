//! The target Python version: `--target-version`, else the lower bound of
//! `requires-python` in the nearest `pyproject.toml`, else the oldest supported CPython.

use std::path::{Path, PathBuf};

use tasklens_db::PythonVersion;

/// The nearest `pyproject.toml` at or above `start`.
pub fn find_pyproject(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut dir = if start.is_dir() { Some(start.as_path()) } else { start.parent() };
    while let Some(current) = dir {
        let candidate = current.join("pyproject.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = current.parent();
    }
    None
}

/// The lower bound of `[project] requires-python` in a `pyproject.toml`'s text.
pub fn requires_python(pyproject: &str) -> Result<Option<PythonVersion>, String> {
    let table: toml::Table = pyproject.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
    let Some(spec) = table.get("project").and_then(|p| p.get("requires-python")) else { return Ok(None) };
    let spec = spec.as_str().ok_or("`project.requires-python` must be a string")?;
    Ok(lower_bound(spec))
}

/// The lowest version a PEP 440 specifier set such as `>=3.9,<4` allows.
pub fn lower_bound(spec: &str) -> Option<PythonVersion> {
    spec.split(',')
        .filter_map(|clause| {
            let clause = clause.trim();
            let version = ["~=", ">=", "==", ">"].iter().find_map(|op| clause.strip_prefix(op))?;
            PythonVersion::parse(version.trim().trim_end_matches(".*"))
        })
        .max()
}

/// The version to check for, given an explicit choice and the checked paths.
pub fn resolve(explicit: Option<PythonVersion>, paths: &[PathBuf]) -> PythonVersion {
    declared(explicit, paths).unwrap_or(PythonVersion::OLDEST_SUPPORTED)
}

/// The version the project says it supports: an explicit choice, else `requires-python`.
pub fn declared(explicit: Option<PythonVersion>, paths: &[PathBuf]) -> Option<PythonVersion> {
    explicit.or_else(|| {
        (paths.iter())
            .filter_map(|path| find_pyproject(path))
            .filter_map(|pyproject| std::fs::read_to_string(pyproject).ok())
            .find_map(|text| requires_python(&text).ok().flatten())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds_of_specifiers() {
        assert_eq!(lower_bound(">=3.8"), Some(PythonVersion::new(3, 8)));
        assert_eq!(lower_bound(">=3.9, <4"), Some(PythonVersion::new(3, 9)));
        assert_eq!(lower_bound("~=3.11.2"), Some(PythonVersion::new(3, 11)));
        assert_eq!(lower_bound("==3.12.*"), Some(PythonVersion::new(3, 12)));
        assert_eq!(lower_bound("<3.13"), None);
        assert_eq!(
            requires_python("[project]\nname = 'x'\nrequires-python = '>=3.10'\n"),
            Ok(Some(PythonVersion::new(3, 10)))
        );
        assert_eq!(requires_python("[tool.x]\n"), Ok(None));
        assert!(requires_python("[project\n").is_err());
    }
}
