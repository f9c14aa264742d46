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
    /// Rule codes or prefixes not to report in files matching a pattern.
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// Which rules' fixes are offered (`fixable`, `unfixable`).
    pub fixes: FixRules,
}

/// Which rules' fixes are offered and applied: those `fixable` names (all when empty), less
/// those `unfixable` names, by code or prefix (as ruff's settings of the same names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixRules {
    pub fixable: Vec<String>,
    pub unfixable: Vec<String>,
}

impl FixRules {
    pub fn allows(&self, code: &str) -> bool {
        let named = |list: &[String]| list.iter().any(|prefix| code.starts_with(prefix.as_str()));
        (self.fixable.is_empty() || named(&self.fixable)) && !named(&self.unfixable)
    }

    /// Takes the fixes off findings whose rule may not be fixed.
    pub fn apply(&self, diagnostics: &mut [tasklens_checks::Diagnostic]) {
        if *self == FixRules::default() {
            return;
        }
        for diagnostic in diagnostics.iter_mut().filter(|d| !self.allows(d.code)) {
            diagnostic.fix = None;
        }
    }
}

/// One `per-file-ignores` entry: `"tests/*" = ["TL005"]`, or `"!src/*"` for the files that
/// do not match.
#[derive(Clone, Debug)]
pub struct PerFileIgnore {
    pub pattern: String,
    negated: bool,
    /// Matches the absolute path (the pattern taken from the configuration's directory).
    absolute: globset::GlobMatcher,
    /// Matches the file name alone, for patterns without a `/` (`"__init__.py"`).
    basename: Option<globset::GlobMatcher>,
    pub codes: Vec<String>,
}

impl PartialEq for PerFileIgnore {
    fn eq(&self, other: &Self) -> bool {
        (&self.pattern, self.negated, self.absolute.glob(), &self.codes)
            == (&other.pattern, other.negated, other.absolute.glob(), &other.codes)
    }
}

impl Eq for PerFileIgnore {}

impl PerFileIgnore {
    fn new(pattern: &str, base: &Path, codes: Vec<String>) -> Result<Self, String> {
        let (negated, glob) = match pattern.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        let compile = |text: &str| {
            globset::GlobBuilder::new(text)
                .literal_separator(true)
                .build()
                .map(|glob| glob.compile_matcher())
                .map_err(|error| format!("`{pattern}` is not a valid glob: {error}"))
        };
        let anchored = base.join(glob);
        let absolute = compile(&anchored.to_string_lossy())?;
        let basename = if glob.contains('/') { None } else { Some(compile(glob)?) };
        Ok(PerFileIgnore { pattern: pattern.to_string(), negated, absolute, basename, codes })
    }

    /// Whether the entry applies to `path` (absolute).
    fn applies_to(&self, path: &Path) -> bool {
        let matched = self.absolute.is_match(path)
            || self.basename.as_ref().is_some_and(|glob| path.file_name().is_some_and(|name| glob.is_match(name)));
        matched != self.negated
    }
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

const KEYS: &[&str] = &[
    "select",
    "ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "target-version",
    "src",
    "fixable",
    "unfixable",
];

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

/// Reads the configuration file named on the command line (`--config`): a
/// `pyproject.toml` (its `[tool.tasklens]`, defaults without one) or a `tasklens.toml`.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let in_pyproject = path.file_name().is_some_and(|name| name == "pyproject.toml");
    read(path, in_pyproject)
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
    let base = std::path::absolute(path.parent().unwrap_or(Path::new("."))).unwrap_or_default();
    parse_in(section, prefix, &base)
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
    parse_in(section, prefix, &std::path::absolute(".").unwrap_or_default())
}

/// [`parse`] for a section whose file is in `base` (where file patterns start).
fn parse_in(section: &toml::Value, prefix: &str, base: &Path) -> Result<Config, String> {
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
            "fixable" => config.fixes.fixable = codes(strings()?, prefix, key)?,
            "unfixable" => config.fixes.unfixable = codes(strings()?, prefix, key)?,
            // Virtual environments, `.git` and the like are always skipped, so `exclude` (which
            // replaces ruff's default list) adds to them as `extend-exclude` does.
            "exclude" | "extend-exclude" => config.extend_exclude.extend(strings()?),
            "per-file-ignores" => {
                let entries = value.as_table().ok_or_else(|| {
                    format!("`{prefix}{key}` must be a table of file patterns to lists of rule codes")
                })?;
                for (pattern, codes_value) in entries {
                    let listed = (codes_value.as_array())
                        .and_then(|items| items.iter().map(|i| i.as_str().map(str::to_string)).collect())
                        .ok_or_else(|| format!("`{prefix}{key}.\"{pattern}\"` must be a list of strings"))?;
                    let listed = codes(listed, prefix, key)?;
                    let entry =
                        PerFileIgnore::new(pattern, base, listed).map_err(|e| format!("`{prefix}{key}`: {e}"))?;
                    config.per_file_ignores.push(entry);
                }
            }
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
        parse_code(item).map_err(|error| format!("`{prefix}{key}`: {error}"))?;
    }
    Ok(items)
}

/// A rule code or prefix (`TL001`, `TL00`, `TL`) that matches at least one rule.
pub fn parse_code(item: &str) -> Result<String, String> {
    match tasklens_checks::all_rules().iter().any(|rule| rule.code.starts_with(item)) {
        true => Ok(item.to_string()),
        false => Err(format!("`{item}` matches no rule (see `tasklens rule --all`)")),
    }
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

    /// Whether findings of `code` whose line to change is in `path` are reported: as
    /// [`Config::reports`], less the `per-file-ignores` that match the path.
    pub fn reports_in(&self, code: &str, path: &Path) -> bool {
        if !self.reports(code) {
            return false;
        }
        if self.per_file_ignores.is_empty() || !code.starts_with("TL") {
            return true;
        }
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        !(self.per_file_ignores.iter())
            .any(|entry| entry.applies_to(&path) && entry.codes.iter().any(|c| code.starts_with(c.as_str())))
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
        assert!(section("per-file-ignores = ['TL005']").unwrap_err().contains("must be a table"));
        let fixes = section("fixable = ['TL00']\nunfixable = ['TL005']").unwrap().fixes;
        assert!(fixes.allows("TL002") && !fixes.allows("TL005") && !fixes.allows("RUF006"));
        assert!(FixRules::default().allows("TL005"));
        assert!(section("unfixable = ['TL5']").unwrap_err().contains("`TL5` matches no rule"));
        let both = section("exclude = ['a/*']\nextend-exclude = ['b/*']").unwrap();
        assert_eq!(both.extend_exclude.len(), 2);
        assert!(section("per-file-ignores = { 'x' = ['E1'] }").unwrap_err().contains("`E1` matches no rule"));
        assert!(section("per-file-ignores = { 'a[' = ['TL005'] }").unwrap_err().contains("not a valid glob"));
    }

    #[test]
    fn per_file_ignores_match_paths_from_the_configuration_and_file_names() {
        let text = "per-file-ignores = { 'tests/*' = ['TL005'], '__init__.py' = ['TL00'], '!src/**' = ['TL002'] }";
        let config = parse_in(&toml::Value::Table(text.parse().unwrap()), "", Path::new("/proj")).unwrap();
        let at = |path: &str, code: &str| config.reports_in(code, Path::new(path));
        assert!(!at("/proj/tests/test_a.py", "TL005") && at("/proj/tests/test_a.py", "TL001"));
        assert!(at("/proj/tests/sub/test_a.py", "TL005"), "`*` stays within a directory");
        assert!(at("/proj/src/tests/test_a.py", "TL005"), "patterns start at the configuration's directory");
        assert!(!at("/proj/src/pkg/__init__.py", "TL001") && at("/proj/src/pkg/__init__.py", "syntax-error"));
        assert!(!at("/proj/tools/run.py", "TL002") && at("/proj/src/pkg/run.py", "TL002"));
    }
}
