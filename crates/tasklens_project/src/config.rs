//! Configuration: `[tool.tasklens]` in `pyproject.toml`, or a `tasklens.toml`, found from
//! the checked paths upwards (`tasklens.toml` wins in the same directory).

use std::path::{Path, PathBuf};

use tasklens_db::PythonVersion;

/// Settings from a configuration file; command-line flags override them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The file the settings came from.
    pub path: Option<PathBuf>,
    /// Rule codes or prefixes to report (`TL001`, `TL00`); empty means all.
    pub select: Vec<String>,
    /// Rule codes or prefixes not to report.
    pub ignore: Vec<String>,
    /// Glob patterns of paths to skip, on top of the defaults.
    pub extend_exclude: Vec<String>,
    pub target_version: Option<PythonVersion>,
    /// Roots that module names start from (relative to the configuration file).
    pub src: Vec<PathBuf>,
}

/// A configuration file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

const KEYS: &[&str] = &["select", "ignore", "extend-exclude", "target-version", "src"];

/// Finds and reads the configuration for `paths`.
pub fn load(paths: &[PathBuf]) -> Result<Config, ConfigError> {
    for path in paths {
        let Ok(start) = std::path::absolute(path) else { continue };
        let mut dir = if start.is_dir() { Some(start.as_path()) } else { start.parent() };
        while let Some(current) = dir {
            let dedicated = current.join("tasklens.toml");
            if dedicated.is_file() {
                return read(&dedicated, false);
            }
            let pyproject = current.join("pyproject.toml");
            if pyproject.is_file() {
                let config = read(&pyproject, true)?;
                if config.path.is_some() {
                    return Ok(config);
                }
            }
            dir = current.parent();
        }
    }
    Ok(Config::default())
}

fn read(path: &Path, in_pyproject: bool) -> Result<Config, ConfigError> {
    let error = |message: String| ConfigError { path: path.to_path_buf(), message };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    let table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| error(format!("invalid TOML: {}", e.message())))?;
    let section = if in_pyproject {
        match table.get("tool").and_then(|tool| tool.get("tasklens")) {
            Some(section) => section,
            None => return Ok(Config::default()),
        }
    } else {
        &toml::Value::Table(table.clone())
    };
    let prefix = if in_pyproject { "tool.tasklens." } else { "" };
    parse(section, prefix)
        .map(|mut config| {
            config.path = Some(path.to_path_buf());
            let base = path.parent().unwrap_or(Path::new("."));
            config.src = config.src.iter().map(|root| base.join(root)).collect();
            config
        })
        .map_err(error)
}

/// Reads the settings of one section; `prefix` names it in messages.
pub fn parse(section: &toml::Value, prefix: &str) -> Result<Config, String> {
    let table = section.as_table().ok_or_else(|| format!("`{}` must be a table", prefix.trim_end_matches('.')))?;
    let mut config = Config::default();
    for (key, value) in table {
        let strings = || -> Result<Vec<String>, String> {
            value
                .as_array()
                .and_then(|items| items.iter().map(|i| i.as_str().map(str::to_string)).collect::<Option<Vec<_>>>())
                .ok_or_else(|| format!("`{prefix}{key}` must be a list of strings"))
        };
        match key.as_str() {
            "select" => config.select = codes(strings()?, prefix, key)?,
            "ignore" => config.ignore = codes(strings()?, prefix, key)?,
            "extend-exclude" => config.extend_exclude = strings()?,
            "src" => config.src = strings()?.into_iter().map(PathBuf::from).collect(),
            "target-version" => {
                let text =
                    value.as_str().ok_or_else(|| format!("`{prefix}{key}` must be a string such as \"py311\""))?;
                config.target_version =
                    Some(parse_target_version(text).map_err(|message| format!("`{prefix}{key}`: {message}"))?);
            }
            other => {
                return Err(format!("unknown key `{prefix}{other}`; the keys are {}", KEYS.join(", ")));
            }
        }
    }
    Ok(config)
}

/// Checks rule codes and prefixes (`TL001`, `TL00`, `TL`).
fn codes(items: Vec<String>, prefix: &str, key: &str) -> Result<Vec<String>, String> {
    for item in &items {
        let known = tasklens_checks::all_rules().iter().any(|rule| rule.code.starts_with(item.as_str()));
        if !known {
            return Err(format!("`{prefix}{key}`: `{item}` matches no rule (see `tasklens rule --all`)"));
        }
    }
    Ok(items)
}

/// `py38` ... `py314`.
pub fn parse_target_version(text: &str) -> Result<PythonVersion, String> {
    match PythonVersion::parse(text) {
        Some(version) if version.major == 3 && (8..=14).contains(&version.minor) && text.starts_with("py") => {
            Ok(version)
        }
        _ => Err(format!("`{text}` is not a supported target version; use py38 ... py314")),
    }
}

impl Config {
    /// Whether findings of `code` are reported (input problems always are).
    pub fn reports(&self, code: &str) -> bool {
        if !code.starts_with("TL") {
            return true;
        }
        let selected = self.select.is_empty() || self.select.iter().any(|s| code.starts_with(s.as_str()));
        selected && !self.ignore.iter().any(|s| code.starts_with(s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> Result<Config, String> {
        parse(&toml::Value::Table(text.parse().unwrap()), "tool.tasklens.")
    }

    #[test]
    fn keys_values_and_errors() {
        let config = section("select = ['TL00']\nignore = ['TL005']\ntarget-version = 'py39'\nsrc = ['lib']").unwrap();
        assert!(config.reports("TL001") && !config.reports("TL005") && config.reports("syntax-error"));
        assert_eq!(config.target_version, Some(PythonVersion::new(3, 9)));
        assert_eq!(section("selct = []").unwrap_err().split(';').next(), Some("unknown key `tool.tasklens.selct`"));
        assert!(section("select = 'TL001'").unwrap_err().contains("must be a list of strings"));
        assert!(section("ignore = ['E501']").unwrap_err().contains("`E501` matches no rule"));
        assert!(section("target-version = 'py27'").unwrap_err().contains("not a supported target version"));
    }
}
