//! SARIF 2.1.0 output (GitHub code scanning and other viewers): one run whose rules come
//! from the registry, one result per finding, the flow as a code flow (the path viewers
//! show step by step), and fixes as replacements. Built from the JSON values, so findings
//! of several projects (one database each) make one document.

use serde_json::{Value, json};

/// A path as the path of a URI: forward slashes, and every byte other than letters,
/// digits, `-._~` and `/` percent-encoded (`my project` is `my%20project`).
fn uri_path(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => uri.push(char::from(byte)),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// The artifact's URI: relative to `base` when the file lies below it, else an absolute
/// `file://` URI.
fn artifact(filename: &str, base: Option<&std::path::Path>) -> Value {
    let path = std::path::Path::new(filename);
    match base.and_then(|base| path.strip_prefix(base).ok()) {
        Some(relative) => json!({ "uri": uri_path(relative), "uriBaseId": "%SRCROOT%" }),
        None => json!({ "uri": format!("file://{}", uri_path(path)) }),
    }
}

/// A SARIF region from the JSON `location` and `end_location` (one-based; the end column
/// is the one after the last character, as in SARIF).
fn region(start: &Value, end: &Value) -> Value {
    json!({
        "startLine": start["row"],
        "startColumn": start["column"],
        "endLine": end["row"],
        "endColumn": end["column"],
    })
}

fn physical(value: &Value, base: Option<&std::path::Path>) -> Value {
    json!({
        "artifactLocation": artifact(value["filename"].as_str().unwrap_or_default(), base),
        "region": region(&value["location"], &value["end_location"]),
    })
}

/// The registry's rules as SARIF reporting descriptors.
fn rules() -> Vec<Value> {
    (tasklens_checks::all_rules().iter())
        .map(|rule| {
            let markdown = rule.markdown();
            // The first paragraph under "What it does" is the short description.
            let short = markdown
                .split("\n\n")
                .find_map(|part| part.strip_prefix("## What it does\n"))
                .map(|text| text.split(". ").next().unwrap_or(text).replace('\n', " "))
                .unwrap_or_else(|| rule.name.to_string());
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": { "text": short },
                "help": { "text": markdown, "markdown": markdown },
                // A severity's name is its SARIF level (`error`, `warning`).
                "defaultConfiguration": { "level": rule.severity.as_str() },
            })
        })
        .collect()
}

/// One result from a finding's JSON value.
fn result(value: &Value, base: Option<&std::path::Path>) -> Value {
    let mut result = json!({
        "ruleId": value["code"],
        "level": value["severity"],
        "message": { "text": value["message"] },
        "locations": [{ "physicalLocation": physical(value, base) }],
    });
    let hops: Vec<Value> = (value["trace"].as_array().into_iter().flatten())
        .map(|hop| {
            json!({ "location": {
                "physicalLocation": physical(hop, base),
                "message": { "text": hop["message"] },
            }})
        })
        .collect();
    if !hops.is_empty() {
        // The producer first, then each hop to the sink.
        let first = json!({ "location": {
            "physicalLocation": physical(value, base),
            "message": { "text": value["message"] },
        }});
        let locations: Vec<Value> = std::iter::once(first).chain(hops).collect();
        result["codeFlows"] = json!([{ "threadFlows": [{ "locations": locations }] }]);
    }
    if let Some(fix) = value["fix"].as_object() {
        let replacements: Vec<Value> = (fix.get("edits").and_then(Value::as_array).into_iter().flatten())
            .map(|edit| {
                json!({
                    "deletedRegion": region(&edit["location"], &edit["end_location"]),
                    "insertedContent": { "text": edit["content"] },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.get("message").cloned().unwrap_or_default() },
            "artifactChanges": [{
                "artifactLocation": artifact(value["filename"].as_str().unwrap_or_default(), base),
                "replacements": replacements,
            }],
        }]);
    }
    result
}

/// A SARIF document of the findings (the values [`crate::json_values`] makes), with paths
/// relative to `base` where they lie below it.
pub fn render_sarif_values(values: &[Value], base: Option<&std::path::Path>, pretty: bool) -> String {
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tasklens",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": values.iter().map(|value| result(value, base)).collect::<Vec<_>>(),
        }],
    });
    let mut document = document;
    if let Some(base) = base {
        // Where `%SRCROOT%` is: the directory the run started in (a URI ending in `/`).
        let root = format!("file://{}/", uri_path(base).trim_end_matches('/'));
        document["runs"][0]["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": root } });
    }
    let text = if pretty { serde_json::to_string_pretty(&document) } else { serde_json::to_string(&document) };
    text.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::artifact;
    use std::path::Path;

    #[test]
    fn artifact_uris_are_relative_below_the_base_and_percent_encoded() {
        let base = Path::new("/work/my project");
        let inside = artifact("/work/my project/pkg/a b.py", Some(base));
        assert_eq!(inside["uri"], "pkg/a%20b.py");
        assert_eq!(inside["uriBaseId"], "%SRCROOT%");
        let outside = artifact("/elsewhere/#1.py", Some(base));
        assert_eq!(outside["uri"], "file:///elsewhere/%231.py");
        assert!(outside.get("uriBaseId").is_none());
    }
}
