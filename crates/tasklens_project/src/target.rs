//! The target Python version: `--target-version`, else the oldest Python the project
//! declares (`requires-python`, Poetry's `python`, `setup.cfg`'s or `setup.py`'s
//! `python_requires`) in the nearest project directory, else the oldest supported CPython.

use std::path::{Path, PathBuf};

use tasklens_db::PythonVersion;

/// The lower bound of `[project] requires-python` in a `pyproject.toml`'s text, else of
/// Poetry's `[tool.poetry.dependencies] python`.
pub fn requires_python(pyproject: &str) -> Result<Option<PythonVersion>, String> {
    let table: toml::Table = pyproject.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
    if let Some(spec) = table.get("project").and_then(|p| p.get("requires-python")) {
        let spec = spec.as_str().ok_or("`project.requires-python` must be a string")?;
        return Ok(lower_bound(spec));
    }
    let table = toml::Value::Table(table);
    let poetry = ["tool", "poetry", "dependencies", "python"].iter().try_fold(&table, |value, key| value.get(key));
    let spec = poetry.and_then(|python| python.as_str().or_else(|| python.get("version")?.as_str()));
    Ok(spec.and_then(lower_bound))
}

/// The lowest version a PEP 440 specifier set such as `>=3.9,<4` allows; also Poetry's
/// forms (`^3.9`, `~3.9`, `3.9.*`, alternatives joined by `||`).
pub fn lower_bound(spec: &str) -> Option<PythonVersion> {
    // `>= 3.10` is one clause; `>=3.8 <4.0` (Poetry) is two.
    let mut joined = String::with_capacity(spec.len());
    for c in spec.chars() {
        if !(c.is_whitespace() && joined.ends_with(['<', '>', '=', '!', '~', '^'])) {
            joined.push(c);
        }
    }
    joined
        .split("||")
        .map(|alternative| {
            alternative
                .split([',', ' ', '\t'])
                .filter_map(|clause| {
                    let clause = clause.trim();
                    let version = ["~=", ">=", "==", ">", "^", "~"]
                        .iter()
                        .find_map(|op| clause.strip_prefix(op))
                        .or_else(|| clause.starts_with(|c: char| c.is_ascii_digit()).then_some(clause))?;
                    PythonVersion::parse(version.trim().trim_end_matches(".*"))
                })
                .max()
        })
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .min()
}

/// `python_requires` in a `setup.cfg`'s `[options]`.
fn setup_cfg_requires(text: &str) -> Option<PythonVersion> {
    let mut section = "";
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            section = name.trim();
        } else if section == "options"
            && let Some((key, value)) = line.split_once(['=', ':'])
            && matches!(key.trim(), "python_requires" | "python-requires")
        {
            return lower_bound(value);
        }
    }
    None
}

/// The string literal given as `python_requires` in a `setup.py` (a keyword argument or a
/// dict key), outside comments.
fn setup_py_requires(text: &str) -> Option<PythonVersion> {
    let key = "python_requires";
    text.match_indices(key).find_map(|(at, _)| {
        let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        if text[line_start..at].contains('#') {
            return None;
        }
        let rest = text[at + key.len()..].trim_start_matches(['"', '\'']).trim_start();
        let rest = rest.strip_prefix(['=', ':'])?.trim_start();
        let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
        let value = &rest[1..];
        lower_bound(&value[..value.find(quote)?])
    })
}

/// What the project files of one directory declare, read through `read` (a file's text
/// by name): `pyproject.toml` first, then `setup.cfg`, then `setup.py`.
pub fn declared_by(read: impl Fn(&str) -> Option<String>) -> Option<PythonVersion> {
    (read("pyproject.toml").and_then(|text| requires_python(&text).ok().flatten()))
        .or_else(|| read("setup.cfg").and_then(|text| setup_cfg_requires(&text)))
        .or_else(|| read("setup.py").and_then(|text| setup_py_requires(&text)))
}

/// What the nearest project directory at or above `start` declares; the search stops at
/// the first `pyproject.toml`.
fn declared_above(start: &Path) -> Option<PythonVersion> {
    let start = std::path::absolute(start).ok()?;
    let mut dir = if start.is_dir() { Some(start.as_path()) } else { start.parent() };
    while let Some(current) = dir {
        if let Some(version) = declared_by(|name| std::fs::read_to_string(current.join(name)).ok()) {
            return Some(version);
        }
        if current.join("pyproject.toml").is_file() {
            return None;
        }
        dir = current.parent();
    }
    None
}

/// The version to check for, given an explicit choice and the checked paths.
pub fn resolve(explicit: Option<PythonVersion>, paths: &[PathBuf]) -> PythonVersion {
    declared(explicit, paths).unwrap_or(PythonVersion::OLDEST_SUPPORTED)
}

/// The version the project says it supports: an explicit choice, else what the nearest
/// project files declare.
pub fn declared(explicit: Option<PythonVersion>, paths: &[PathBuf]) -> Option<PythonVersion> {
    explicit.or_else(|| paths.iter().find_map(|path| declared_above(path)))
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

    #[test]
    fn declarations_outside_requires_python() {
        let v = |minor| Some(PythonVersion::new(3, minor));
        assert_eq!(lower_bound("^3.9"), v(9));
        assert_eq!(lower_bound(">=3.8,<3.9 || >=3.10"), v(8));
        assert_eq!(lower_bound(">=3.8 <4.0"), v(8));
        assert_eq!(lower_bound(">= 3.10, < 4"), v(10));
        assert_eq!(lower_bound("!= 3.9.*, >= 3.8"), v(8));
        assert_eq!(lower_bound("3.11.*"), v(11));
        assert_eq!(lower_bound("*"), None);
        let poetry = "[tool.poetry.dependencies]\npython = \"^3.9\"\nrich = \">=13\"\n";
        assert_eq!(requires_python(poetry), Ok(v(9)));
        assert_eq!(requires_python("[tool.poetry.dependencies.python]\nversion = \"~3.10\"\n"), Ok(v(10)));
        assert_eq!(setup_cfg_requires("[metadata]\nname = x\n[options]\npython_requires = >=3.7\n"), v(7));
        assert_eq!(setup_cfg_requires("[other]\npython_requires = >=3.7\n"), None);
        assert_eq!(setup_py_requires("setup(\n    python_requires=\">=3.6\",\n)\n"), v(6));
        assert_eq!(setup_py_requires("kwargs = {\"python_requires\": '>=3.10'}\n"), v(10));
        // A comment's mention is passed over for the call's argument.
        let cog = "# cog.outl(f\"python_requires=\\\">= 3.{m}\\\",\")\npython_requires=\">= 3.9\",\n";
        assert_eq!(setup_py_requires(cog), v(9));
        let files = |name: &str| (name == "setup.cfg").then(|| "[options]\npython_requires = >=3.8\n".to_owned());
        assert_eq!(declared_by(files), v(8));
    }
}
