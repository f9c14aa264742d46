//! Times the check of generated modules with shapes that real projects have in their
//! largest files (generated clients, tables, settings modules), to catch work that grows
//! faster than the code: each shape at two sizes, where the larger is four times the
//! smaller, so a linear check takes about four times as long and a quadratic one sixteen.
//!
//! `cargo bench --bench shapes [-- SHAPE...]`.

use std::time::Instant;

use tasklens_project::{Workspace, with_large_stack};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A module of `n` repetitions of one shape.
fn generate(shape: &str, n: usize) -> String {
    let mut text = String::from("import asyncio\n");
    match shape {
        // A chain of functions, each calling the one before.
        "function-chain" => (0..n).for_each(|i| {
            text += &format!("def f{i}(x):\n    y = x + {i}\n    return f{}(y) if y else None\n", i.saturating_sub(1))
        }),
        // Module-level names, each bound under a conditional expression.
        "conditional-globals" => {
            (0..n).for_each(|i| text += &format!("v{i} = v{} if {i} else None\n", i.saturating_sub(1)))
        }
        // One class with many methods calling each other.
        "big-class" => {
            text += "class Big:\n";
            (0..n).for_each(|i| {
                text += &format!("    def m{i}(self, x):\n        return self.m{}(x)\n", i.saturating_sub(1))
            });
        }
        // One function with many branches.
        "long-function" => {
            text += "def f(x):\n";
            (0..n).for_each(|i| text += &format!("    x = x + {i}\n    if x > {i}:\n        x = g(x)\n"));
            text += "    return x\n";
        }
        // A long `if`/`elif` chain, a new name in each branch.
        "elif-chain" => {
            text += "def f(x):\n    y = None\n    if x == 0:\n        y = 0\n";
            (1..n).for_each(|i| text += &format!("    elif x == {i}:\n        y = {i}\n        z{i} = y\n"));
            text += "    return y\n";
        }
        // A large literal table.
        "dict-literal" => {
            text += "TABLE = {\n";
            (0..n).for_each(|i| text += &format!("    \"k{i}\": {i},\n"));
            text += "}\n";
        }
        // Many `ensure_future` calls of a method whose result the analysis never learns.
        "empty-arguments" => {
            text += "class A:\n    def f(self):\n        return self.missing\n    async def main(self):\n";
            (0..n).for_each(|_| text += "        asyncio.ensure_future(self.f())\n");
        }
        // Many statements that schedule coroutines of one object.
        "many-calls" => {
            (0..n).for_each(|i| text += &format!("asyncio.ensure_future(obj.method{}(a, b, c={i}))\n", i % 50))
        }
        // One function with many `try` blocks whose handlers and `finally` read what the
        // bodies bound.
        "try-blocks" => {
            text += "def f(x):\n    y = x\n";
            (0..n).for_each(|i| {
                text += &format!(
                    "    try:\n        a{i} = g(y)\n        y = a{i}\n    except ValueError:\n        y = a{i}\n    finally:\n        h(y)\n"
                )
            });
            text += "    return y\n";
        }
        // One module-level `try` around many bindings, with several handlers.
        "wide-try" => {
            text += "try:\n";
            (0..n).for_each(|i| text += &format!("    v{i} = f(v{})\n", i.saturating_sub(1)));
            text += "except ImportError:\n    pass\nexcept ValueError:\n    v0 = None\nfinally:\n    done = True\n";
        }
        // A Task passed down a long chain of module-level names.
        "copy-chain" => {
            text += "async def c():\n    pass\nt0 = asyncio.ensure_future(c())\n";
            (1..n).for_each(|i| text += &format!("t{i} = t{}\n", i - 1));
        }
        // A helper's Task, kept by one caller, passed down a long chain of names.
        "kept-helper-chain" => {
            text += "async def c():\n    pass\ndef spawn():\n    return asyncio.create_task(c())\nt0 = spawn()\n";
            (1..n).for_each(|i| text += &format!("t{i} = t{}\n", i - 1));
            text += &format!("KEPT = [t{}]\n", n - 1);
        }
        // A settings module: string constants and type aliases, each bound once.
        "constants" => (0..n).for_each(|i| text += &format!("NAME{i} = \"v{i}\"\nAlias{i} = dict[str, int]\n")),
        // One function rebinding a local many times, each time handing out a lambda that
        // reads it.
        "rebound-lambdas" => {
            text += "def outer(handlers):\n";
            (0..n).for_each(|i| text += &format!("    x = {i}\n    handlers.append(lambda: x)\n"));
        }
        // One nested `def` reading many locals, each rebound and the `def` handed out
        // after each.
        "wide-capture" => {
            text += "def outer(handlers):\n";
            (0..n).for_each(|i| text += &format!("    x{i} = None\n"));
            text += "    def h():\n        return [";
            (0..n).for_each(|i| text += &format!("x{i}, "));
            text += "]\n";
            (0..n).for_each(|i| text += &format!("    x{i} = {i}\n    handlers.append(h)\n"));
        }
        // One function with many nested `def`s, each reading captured locals and read
        // (handed out) several times.
        "nested-defs" => {
            text += "def outer(a, b, c, handlers):
";
            (0..n).for_each(|i| {
                text += &format!(
                    "    def h{i}():\n        return a(b, c, h{})\n    handlers.append(h{i})\n    handlers.append(h{i})\n",
                    i.saturating_sub(1)
                )
            });
        }
        // One method that narrows many attributes (`isinstance(self.a, Task)` with early
        // returns), then binds a local from each: every binding forgets what it shadows.
        "narrowed-attributes" => {
            text += "class C:\n    def m(self):\n";
            (0..n).for_each(|i| {
                text += &format!("        if not isinstance(self.a{i}, asyncio.Task):\n            return\n")
            });
            (0..n).for_each(|i| text += &format!("        x{i} = self.a{i}.get_name()\n        self.a{i} = x{i}\n"));
        }
        // Predicate calls: each narrows its argument through a predicate function and a
        // predicate method, and `filter`s a list with a lambda.
        "predicate-calls" => {
            text += "def is_task(x):\n    return isinstance(x, asyncio.Task)\n";
            text += "class C:\n    def ok(self, x):\n        return not asyncio.isfuture(x)\n    def m(self, jobs):\n";
            (0..n).for_each(|i| {
                text += &format!(
                    "        j{i} = jobs[{i}]\n        if is_task(j{i}) and self.ok(j{i}):\n            j{i}.get_name()\n        k{i} = list(filter(lambda t: isinstance(t, asyncio.Task), jobs))\n"
                )
            });
        }
        // A table of scheduled coroutines, each given a loop.
        "ensure-future-table" => {
            text += "async def c():\n    pass\ndef start(loop):\n    return {\n";
            (0..n).for_each(|i| text += &format!("        \"k{i}\": asyncio.ensure_future(c(), loop=loop),\n"));
            text += "    }\n";
        }
        _ => unreachable!("unknown shape"),
    }
    text
}

const SHAPES: &[(&str, usize)] = &[
    ("function-chain", 15_000),
    ("conditional-globals", 25_000),
    ("big-class", 5_000),
    ("long-function", 12_500),
    ("elif-chain", 2_000),
    ("dict-literal", 50_000),
    ("many-calls", 12_500),
    ("empty-arguments", 5_000),
    ("try-blocks", 5_000),
    ("wide-try", 25_000),
    ("copy-chain", 12_500),
    ("kept-helper-chain", 12_500),
    ("constants", 12_500),
    ("ensure-future-table", 10_000),
    ("nested-defs", 5_000),
    ("rebound-lambdas", 5_000),
    ("wide-capture", 1_000),
    ("narrowed-attributes", 2_500),
    ("predicate-calls", 2_500),
];

fn main() {
    tasklens_project::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    with_large_stack(move || {
        println!("{:<22} {:>8} {:>10} {:>8} {:>10} {:>7}", "shape", "n", "ms", "4n", "ms", "ratio");
        for &(shape, n) in SHAPES.iter().filter(|(shape, _)| args.is_empty() || args.iter().any(|a| a == shape)) {
            let time = |n: usize| {
                let text = generate(shape, n);
                let start = Instant::now();
                let workspace = Workspace::from_sources(&[("m.py", &text)]);
                std::hint::black_box(workspace.check());
                start.elapsed().as_secs_f64() * 1000.0
            };
            let (small, large) = (time(n), time(4 * n));
            println!("{shape:<22} {n:>8} {small:>10.1} {:>8} {large:>10.1} {:>7.1}", 4 * n, large / small);
        }
    });
}
