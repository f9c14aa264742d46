//! One module per rule.

pub mod async_function_as_callback;
pub mod await_on_non_awaitable;
pub mod call_result_as_callback;
pub mod coroutine_used_as_task;
pub mod create_task_on_non_coroutine;
pub mod create_task_without_running_loop;
pub mod dangling_task;
pub mod done_callback_ignores_cancellation;
pub mod ensure_future_on_coroutine;
pub mod future_flows_into_task;
pub mod implicit_event_loop;
pub mod loop_bound_at_import;
pub mod loop_run_in_running_loop;
pub mod masked_future_task_error;
pub mod missing_await;
pub mod newer_asyncio_api;
pub mod removed_loop_argument;
pub mod run_on_non_coroutine;
pub mod set_result_on_task;
pub mod sync_async_mismatch;
pub mod timeout_error_before_3_11;
pub mod unawaited_coroutine;
pub mod wait_on_coroutine;
