//! One module per rule.

pub mod ensure_future_on_coroutine;
pub mod future_flows_into_task;
