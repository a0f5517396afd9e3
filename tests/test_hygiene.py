"""The engine must run without Textual: headless servers and workers never import the UI."""

import subprocess
import sys

ENGINE = ["tui.fanout.run", "tui.fanout.plan", "tui.fanout.merge", "tui.agents.factory",
          "tui.agents.sim", "tui.mail.sources", "tui.headless", "tui.store", "tui.fanout.trace",
          "tui.fanout.recorder", "tui.history", "tui.run.extract", "tui.commands.extract", "tui.extract.corpus",
          "tui.outbound.dsn", "tui.outbound.webhook", "tui.commands.provision", "tui.commands.history",
          "tui.run.triage", "tui.run.imap", "tui.run.campaign", "tui.run.provision"]


def test_engine_imports_no_textual() -> None:
    code = (
        "import sys\n"
        f"for name in {ENGINE!r}: __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"engine pulled in Textual modules: {out.stdout.strip()}"


# -- the rooms, checked over the whole tree by rule (every import, lazy ones too) --------------

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parent.parent / "tui"
UI = ("tui/app/", "tui/commands/", "tui/cli.py")
# The one exception: the config validates a theme name against Textual's built-in list (data only).
THEME_NAMES = ("tui/settings.py", "textual.theme")


def _imports() -> list[tuple[str, str]]:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        rel = path.relative_to(TUI.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(rel, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((rel, node.module))
    return found


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_nothing_below_the_app_imports_textual_or_the_app() -> None:
    bad = [f"{f} imports {m}" for f, m in _imports() if not f.startswith(UI) and (f, m) != THEME_NAMES
           and (_under(m, "textual") or _under(m, "tui.app"))]
    assert bad == []


SHARED = ("widgets", "screens")  # with tui/app/*.py: the base every view stands on
VIEWS = sorted(d.name for d in (TUI / "app").iterdir() if d.is_dir() and (d / "__init__.py").exists()
               and d.name not in SHARED)
# The watch dashboard is triage's dashboard on a watch run (same table, detail, review, actions), so
# it is the one view built on another; nothing is built on watch, and no other pair shares code.
BUILT_ON = {("watch", "triage")}


def _view_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["tui", "app"] and parts[2] in VIEWS else None


def test_the_shared_base_knows_no_view_and_a_view_no_other() -> None:
    assert {"triage", "watch", "campaign", "extract"} <= set(VIEWS)
    bad = []
    for f, m in _imports():
        parts = f.split("/")
        if parts[:2] != ["tui", "app"] or (target := _view_of(m)) is None:
            continue
        here = parts[2] if len(parts) > 3 and parts[2] in VIEWS else None  # None: the shared base
        if here != target and (here, target) not in BUILT_ON:
            bad.append(f"{f} imports {m}")
    assert bad == []


def test_no_domain_package_imports_the_commands() -> None:
    bad = [f"{f} imports {m}" for f, m in _imports() if not f.startswith(UI) and _under(m, "tui.commands")]
    assert bad == []


def test_the_engine_rooms_do_not_reach_up_into_the_run_layer() -> None:
    """tui/run puts runs together from the engine rooms; they never call back up into it."""
    engine = ("tui/fanout/", "tui/agents/", "tui/mail/")
    bad = [f"{f} imports {m}" for f, m in _imports() if f.startswith(engine)
           and (_under(m, "tui.run") or _under(m, "tui.headless"))]
    assert bad == []


def test_the_providers_do_not_reach_up_into_the_domain_rooms() -> None:
    """tui/agents builds backends only; the rule book in front of one (tui/review) is put there by the run layer."""
    domain = ("tui.review", "tui.extract", "tui.outbound")
    bad = [f"{f} imports {m}" for f, m in _imports() if f.startswith("tui/agents/")
           and any(_under(m, d) for d in domain)]
    assert bad == []


def test_no_import_cycle_in_mail() -> None:
    graph: dict[str, set[str]] = {}
    for f, m in _imports():
        if f.startswith("tui/mail/") and _under(m, "tui.mail") and m != "tui.mail":
            graph.setdefault(f.removesuffix(".py").replace("/", "."), set()).add(m)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and not seen.add(n) and reaches(n, goal, seen))
                   for n in graph.get(start, ()))

    cycles = sorted(m for m in graph if reaches(m, m, set()))
    assert cycles == []


def test_the_simulator_imports_no_room_that_uses_it() -> None:
    """The simulator stands in for a model server: extraction, campaigns and the review desk hand it
    what it needs (extraction's answer comes in as an answerer, by its schema's name)."""
    rooms = ("tui.extract", "tui.outbound", "tui.review", "tui.headless", "tui.history", "tui.fanout")
    bad = [f"{f} imports {m}" for f, m in _imports() if f.startswith("tui/agents/sim")
           and any(_under(m, room) for room in rooms)]
    assert bad == []


def test_one_smtp_module() -> None:
    """SMTP's rules (TLS, STARTTLS, the password variable, how replies read) live in one place."""
    bad = [f"{f} imports {m}" for f, m in _imports() if _under(m, "aiosmtplib") and f != "tui/mail/smtp.py"]
    assert bad == []


def test_one_place_opens_http_sessions() -> None:
    """Every aiohttp session is opened by tui/agents/http.py (new_session / http_session): one set
    of connection limits and timeouts, one place to look when a run leaks connections."""
    bad = []
    for path in sorted(TUI.rglob("*.py")):
        rel = path.relative_to(TUI.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            func = node.func if isinstance(node, ast.Call) else None
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "ClientSession" and rel != "tui/agents/http.py":
                bad.append(f"{rel}:{node.lineno} opens an aiohttp.ClientSession")
    assert bad == []
