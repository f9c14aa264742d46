//! asyncio APIs and Task methods that later Pythons added: on an older one the name
//! does not exist (TL016).

use tasklens_db::PythonVersion;

use super::split;

/// The version that added the asyncio function or class `path` names (the same table the
/// lowering's `hasattr(asyncio, ...)` guards read). A name reached through a class
/// (`asyncio.Task.current_task`, the classmethod Python 3.9 removed) is not the module's.
pub fn api_added_in(path: &str) -> Option<PythonVersion> {
    if let Some(method) = path.strip_prefix(LOOP_METHODS) {
        return method_added_in(method);
    }
    let (top, last) = split(path);
    let mut segments = path.split('.');
    segments.next_back();
    let through_class = segments.skip(1).any(|segment| segment.starts_with(|c: char| c.is_ascii_uppercase()));
    (top == "asyncio" && !through_class).then(|| tasklens_semantic::asyncio_name_since(last)).flatten()
}

/// How a method of an event loop is named among the asyncio APIs (`newer_api_sites`).
pub const LOOP_METHODS: &str = "asyncio.AbstractEventLoop.";

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

/// The version that gave Tasks or event loops the method `name` (the same table the
/// lowering's `hasattr(x, name)` guards read).
pub fn method_added_in(name: &str) -> Option<PythonVersion> {
    tasklens_semantic::asyncio_method_since(name)
}

#[cfg(test)]
mod tests {
    use super::api_added_in;
    use tasklens_db::PythonVersion;

    #[test]
    fn names_of_the_module_not_of_its_classes() {
        let since_3_7 = Some(PythonVersion::new(3, 7));
        assert_eq!(api_added_in("asyncio.current_task"), since_3_7);
        assert_eq!(api_added_in("asyncio.tasks.current_task"), since_3_7);
        assert_eq!(api_added_in("asyncio.Task.current_task"), None);
        assert_eq!(api_added_in("asyncio.tasks.Task.all_tasks"), None);
        assert_eq!(api_added_in("asyncio.TaskGroup"), Some(PythonVersion::new(3, 11)));
    }
}
