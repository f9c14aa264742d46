//! asyncio APIs and Task methods that later Pythons added: on an older one the name
//! does not exist (TL016).

use tasklens_db::PythonVersion;

use super::split;

/// The version that added the asyncio function or class `path` names (the same table the
/// lowering's `hasattr(asyncio, ...)` guards read).
pub fn api_added_in(path: &str) -> Option<PythonVersion> {
    let (top, last) = split(path);
    (top == "asyncio").then(|| tasklens_semantic::asyncio_name_since(last)).flatten()
}

/// The version that gave the asyncio function or class `path` the keyword argument
/// `keyword` (checked under CPython 3.10 to 3.13: before, `TypeError: ... got an
/// unexpected keyword argument`).
pub fn keyword_added_in(path: &str, keyword: &str) -> Option<PythonVersion> {
    let minor = match (split(path), keyword) {
        (("asyncio", "run"), "loop_factory") => 12,
        (("asyncio", "create_task" | "Task"), "context") => 11,
        (("asyncio", "Task"), "eager_start") => 12,
        _ => return None,
    };
    Some(PythonVersion::new(3, minor))
}

/// The version that gave Tasks the method `name`, for those a plain Future lacks and
/// that came after 3.9 (see `asyncio-facts.md`: `dir(Task) - dir(Future)` per version).
pub fn task_method_added_in(name: &str) -> Option<PythonVersion> {
    let minor = match name {
        "cancelling" | "uncancel" => 11,
        "get_context" => 12,
        _ => return None,
    };
    Some(PythonVersion::new(3, minor))
}
