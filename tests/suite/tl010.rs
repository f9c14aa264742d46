//! TL010: values that are not coroutines reaching `asyncio.run`.

use crate::fixture::{check, parse, python};

/// Runs the fixture's `main.py` under CPython (3.`minor` through pyenv when given): it must
/// fail with asyncio.run's `ValueError: a coroutine was expected`, not any ValueError.
fn refused_by_run(fixture: &str, minor: Option<&str>) {
    let fixture = parse(fixture);
    let output = python(&fixture.files, "main.py", minor, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("ValueError: a coroutine was expected"), "{stderr}");
}

const FUNCTION_PASSED: &str = r#"
#- app/__init__.py
#- app/server.py
import asyncio


async def serve():
    await asyncio.sleep(0)
    print("served")


ENTRY = serve
#- main.py run
import asyncio

from app import server


def entry_point():
    return server.ENTRY


if __name__ == "__main__":
    asyncio.run(entry_point())
"#;

#[test]
fn an_async_def_passed_uncalled_across_modules() {
    check(FUNCTION_PASSED, "main.py:11: TL010");
}

const FUTURE: &str = r#"
#- app/__init__.py
#- app/startup.py
import asyncio


def pending(loop):
    return loop.create_future()
#- main.py run
import asyncio

from app.startup import pending

loop = asyncio.new_event_loop()
asyncio.run(pending(loop))
"#;

#[test]
fn a_future_reaches_run() {
    check(FUTURE, "main.py:6: TL010");
    refused_by_run(FUTURE, None);
}

const FORGOTTEN_ASYNC: &str = r#"
#- main.py run
import asyncio


def main():
    print("main ran")


asyncio.run(main())
"#;

#[test]
fn a_plain_def_without_return_gives_none() {
    check(FORGOTTEN_ASYNC, "main.py:8: TL010");
    refused_by_run(FORGOTTEN_ASYNC, None);
}

const GENERATOR: &str = r#"
#- main.py run 3.12
import asyncio


def ticks():
    yield
    print("ticked")


asyncio.run(ticks())
"#;

#[test]
fn a_generator_is_refused_since_3_12() {
    check(GENERATOR, "main.py:9: TL010");
    // Up to 3.11 asyncio took a generator for a generator-based coroutine.
    let fixture = parse(GENERATOR);
    let output = python(&fixture.files, "main.py", Some("3.11"), &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn coroutines_unknowns_and_expected_failures_are_left_alone() {
    check(
        r#"
#- app.py
import asyncio


async def main():
    await asyncio.sleep(0)


def launch(coro):
    return asyncio.run(coro)


def run_it(factory):
    # What the factory gives is not known.
    return asyncio.run(factory())
#- test_app.py
import asyncio

import pytest

from app import main


def test_refused():
    with pytest.raises(ValueError):
        asyncio.run(main)


def test_compat():
    try:
        asyncio.run(main)
    except ValueError:
        pass
#- main.py run
import asyncio

from app import launch, main, run_it

launch(main())
run_it(main)
asyncio.run(main=main())
"#,
        "",
    );
}

#[test]
fn a_handler_of_every_exception_does_not_hide_it() {
    check(
        r#"
#- main.py run
import asyncio


async def main():
    await asyncio.sleep(0)


try:
    asyncio.run(main)
except Exception as error:
    print("failed:", error)
    raise
"#,
        "main.py:9: TL010",
    );
}

const RUNNER: &str = r#"
#- main.py run
import asyncio


async def main():
    await asyncio.sleep(0)


with asyncio.Runner() as runner:
    runner.run(main())
    runner.run(coro=main)
"#;

#[test]
fn a_runner_runs_only_coroutines_too() {
    // The finding points at the keyword's value.
    check(RUNNER, "main.py:10: TL010");
    refused_by_run(RUNNER, None);
}
