"""Import direction (README: Layout): web → adapters → services → domain, never back;
adapters do not import each other; the domain imports only the standard library."""

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "helpdesk"
LAYERS = {"domain": 0, "services": 1, "adapters": 2, "web": 3}


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def layer_files(layer: str) -> list[Path]:
    return [p for p in (SRC / layer).rglob("*.py") if "migrations" not in p.parts]


def test_no_layer_imports_a_layer_above_it():
    wrong = []
    for layer, rank in LAYERS.items():
        for path in layer_files(layer):
            for name in imports_of(path):
                parts = name.split(".")
                if parts[0] != "helpdesk" or len(parts) < 2:
                    continue
                target = parts[1]
                if target in LAYERS and LAYERS[target] > rank:
                    wrong.append(f"{path.relative_to(SRC)} imports {name}")
                if target in ("bootstrap", "demo") and layer != "web":
                    wrong.append(f"{path.relative_to(SRC)} imports {name}")
                # The entry points and the start/stop of `helpdesk serve` sit above every layer.
                if target in ("cli", "server", "lifecycle"):
                    wrong.append(f"{path.relative_to(SRC)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_adapters_do_not_import_each_other():
    wrong = []
    for path in layer_files("adapters"):
        own = path.relative_to(SRC / "adapters").parts[0]
        own = own[:-3] if own.endswith(".py") else own
        for name in imports_of(path):
            parts = name.split(".")
            if parts[:2] == ["helpdesk", "adapters"] and len(parts) > 2 and parts[2] != own:
                wrong.append(f"{path.relative_to(SRC)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_domain_uses_only_the_standard_library():
    stdlib = set(sys.stdlib_module_names)
    wrong = [
        f"{p.relative_to(SRC)} imports {n}"
        for p in layer_files("domain")
        for n in imports_of(p)
        if n.split(".")[0] not in stdlib and n.split(".")[0] != "helpdesk"
    ]
    assert not wrong, "\n".join(wrong)
