//! Report documents of CI systems, built from the findings' JSON values (so that the
//! findings of several projects, one database each, make one document): GitLab's Code
//! Quality report and a JUnit XML test report.

use std::hash::Hasher;
use std::path::Path;

use serde_json::{Value, json};

/// `filename` relative to `base` when it lies below it, with forward slashes.
fn relative(filename: &str, base: Option<&Path>) -> String {
    let path = Path::new(filename);
    let shown = base.and_then(|base| path.strip_prefix(base).ok()).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

/// A finding's one-based line and column (from its JSON `location` or `end_location`).
fn position(value: &Value, field: &str) -> (u64, u64) {
    (value[field]["row"].as_u64().unwrap_or(1), value[field]["column"].as_u64().unwrap_or(1))
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or_default()
}

/// GitLab's Code Quality report (a subset of Code Climate's format): the merge request
/// widget shows which findings a change adds or resolves, matched by `fingerprint`.
/// Paths are relative to `base` (`$CI_PROJECT_DIR` in a GitLab job).
///
/// The fingerprint hashes the rule, the path and the message, not the line, so a finding
/// keeps it when code above it moves; identical findings in one file are told apart by
/// their order. SipHash with fixed keys gives the same value in every build.
pub fn render_gitlab_values(values: &[Value], base: Option<&Path>, pretty: bool) -> String {
    let mut seen: std::collections::HashMap<(String, &str, &str), u32> = std::collections::HashMap::new();
    let reports: Vec<Value> = (values.iter())
        .map(|value| {
            let path = relative(text(value, "filename"), base);
            let (code, message) = (text(value, "code"), text(value, "message"));
            let occurrence = seen.entry((path.clone(), code, message)).or_default();
            *occurrence += 1;
            let mut hasher = siphasher::sip::SipHasher13::new_with_keys(0, 0);
            for part in [code, path.as_str(), message, &occurrence.to_string()] {
                hasher.write(part.as_bytes());
                hasher.write_u8(0);
            }
            let ((line, column), (end_line, end_column)) =
                (position(value, "location"), position(value, "end_location"));
            json!({
                "description": format!("{code}: {message}"),
                "check_name": code,
                "fingerprint": format!("{:016x}", hasher.finish()),
                "severity": if text(value, "severity") == "error" { "major" } else { "minor" },
                "location": {
                    "path": path,
                    "lines": { "begin": line, "end": end_line },
                    "positions": {
                        "begin": { "line": line, "column": column },
                        "end": { "line": end_line, "column": end_column },
                    },
                },
            })
        })
        .collect();
    let out = if pretty { serde_json::to_string_pretty(&reports) } else { serde_json::to_string(&reports) };
    out.unwrap_or_else(|_| "[]".into())
}

/// Text for XML attribute values and content.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && c != '\t' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A JUnit XML report, which CI systems (GitLab, Jenkins, Azure Pipelines...) show as test
/// results: a test suite per file, a failed test case per finding; with no findings, one
/// passing test case. Paths are relative to `base`.
pub fn render_junit_values(values: &[Value], base: Option<&Path>) -> String {
    let mut files: Vec<(String, Vec<&Value>)> = Vec::new();
    for value in values {
        let path = relative(text(value, "filename"), base);
        match files.iter_mut().find(|(file, _)| *file == path) {
            Some((_, findings)) => findings.push(value),
            None => files.push((path, vec![value])),
        }
    }
    let total = values.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"tasklens\" tests=\"{}\" failures=\"{total}\" errors=\"0\">\n",
        total.max(1)
    ));
    if files.is_empty() {
        out.push_str("  <testsuite name=\"tasklens\" tests=\"1\" disabled=\"0\" errors=\"0\" failures=\"0\">\n");
        out.push_str("    <testcase name=\"No findings\"/>\n  </testsuite>\n");
    }
    for (path, findings) in &files {
        let count = findings.len();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{count}\" disabled=\"0\" errors=\"0\" failures=\"{count}\" package=\"org.tasklens\">\n",
            xml(path)
        ));
        let class = path.strip_suffix(".py").unwrap_or(path).replace('/', ".");
        for value in findings {
            let (line, column) = position(value, "location");
            let (code, message) = (text(value, "code"), text(value, "message"));
            out.push_str(&format!(
                "    <testcase name=\"org.tasklens.{code}\" classname=\"{}\" file=\"{}\" line=\"{line}\" column=\"{column}\">\n",
                xml(&class),
                xml(path)
            ));
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{code}\">{}:{line}:{column}: {code} {}</failure>\n",
                xml(message),
                xml(path),
                xml(message)
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>");
    out
}
