//! pytest fixtures: a test's parameter named after a fixture holds what the fixture gives.

use ruff_python_ast::name::Name;
use rustc_hash::FxHashMap;
use tasklens_semantic::facts::{FunctionKind, ParamKind};

use super::link::Pending;
use super::{DynHopKind, HopAt, Solver};
use crate::modules::Resolved;
use crate::objects::{GFunc, GNode, ModIdx};

/// A fixture: where it is defined and the node of what it gives a test.
#[derive(Clone, Copy)]
struct Fixture {
    module: ModIdx,
    value: GNode,
}

impl Solver {
    /// pytest calls a fixture (a function decorated `@pytest.fixture` or
    /// `@pytest_asyncio.fixture`) and hands what it returns (what it yields first, for a
    /// generator; what awaiting it gives, for an `async def`) to each test, and each
    /// fixture, with a parameter of the fixture's name. Tests are the functions and methods
    /// named `test*`. A module sees its own fixtures first, then those of the nearest
    /// `conftest` above it; a name found in neither is matched with every fixture of that
    /// name (one a `conftest` imports, or a plugin's).
    pub(super) fn link_fixtures(&mut self, pending: &mut Pending) {
        let mut fixtures: FxHashMap<Name, Vec<Fixture>> = FxHashMap::default();
        for m in 0..self.modules.modules.len() as ModIdx {
            let module = &self.modules.modules[m as usize];
            let (nb, facts) = (module.node_base, module.facts.clone());
            for function in &facts.functions {
                let Some(decl) = &function.fixture else { continue };
                if !self.declares_fixture(m, &decl.decorator) {
                    continue;
                }
                let value = nb + if function.is_generator { function.yields } else { function.ret };
                fixtures.entry(decl.name.clone()).or_default().push(Fixture { module: m, value });
            }
        }
        if fixtures.is_empty() {
            return;
        }
        for m in 0..self.modules.modules.len() as ModIdx {
            let module = &self.modules.modules[m as usize];
            let (nb, fb, facts) = (module.node_base, module.func_base, module.facts.clone());
            for (local, function) in facts.functions.iter().enumerate() {
                let is_fixture = function.fixture.is_some();
                if !(is_fixture || function.name.starts_with("test")) {
                    continue;
                }
                let receiver = usize::from(matches!(function.kind, FunctionKind::Method | FunctionKind::ClassMethod));
                for (index, param) in function.params.iter().enumerate().skip(receiver) {
                    // A parameter with a default is not a fixture request.
                    let requested = matches!(param.kind, ParamKind::Positional | ParamKind::KeywordOnly)
                        && !param.none_default
                        && param.default_truth.is_none();
                    let Some(candidates) = fixtures.get(&param.name).filter(|_| requested) else { continue };
                    let visible = self.visible_fixtures(m, candidates);
                    let at = HopAt::Param(fb + local as GFunc, index as u32);
                    let label = self.dyn_hop(m, at, DynHopKind::Fixture { name: param.name.clone() });
                    for value in visible {
                        pending.edge(value, nb + param.node, label);
                    }
                }
            }
        }
    }

    /// Whether the decorator at `path` (as written in module `m`) is pytest's `fixture`.
    fn declares_fixture(&mut self, m: ModIdx, path: &[Name]) -> bool {
        let Some((first, rest)) = path.split_first() else { return false };
        let Resolved::External(outside) = self.modules.resolve_global(m, first) else { return false };
        let full = rest.iter().fold(outside, |path, part| format!("{path}.{part}"));
        let top = full.split('.').next().unwrap_or_default();
        matches!(top, "pytest" | "_pytest" | "pytest_asyncio")
            && matches!(full.rsplit('.').next(), Some("fixture" | "yield_fixture"))
    }

    /// The fixtures among `candidates` that a test in module `m` gets (see `link_fixtures`).
    fn visible_fixtures(&self, m: ModIdx, candidates: &[Fixture]) -> Vec<GNode> {
        let values = |module: ModIdx| -> Vec<GNode> {
            candidates.iter().filter(|f| f.module == module).map(|f| f.value).collect()
        };
        let own = values(m);
        if !own.is_empty() {
            return own;
        }
        let name = &*self.modules.modules[m as usize].name;
        let mut package = name.rsplit_once('.').map(|(package, _)| package);
        loop {
            let conftest = match package {
                Some(package) => format!("{package}.conftest"),
                None => "conftest".to_string(),
            };
            let found: Vec<GNode> = (candidates.iter())
                .filter(|f| *self.modules.modules[f.module as usize].name == *conftest)
                .map(|f| f.value)
                .collect();
            if !found.is_empty() {
                return found;
            }
            match package {
                Some(inner) => package = inner.rsplit_once('.').map(|(outer, _)| outer),
                None => break,
            }
        }
        candidates.iter().map(|f| f.value).collect()
    }
}
