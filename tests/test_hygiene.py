"""The engine must run without Textual: headless servers and workers never import the UI."""

import subprocess
import sys

ENGINE = ["tui.fanout.run", "tui.fanout.plan", "tui.fanout.merge", "tui.agents.factory",
          "tui.agents.sim", "tui.mail.sources", "tui.headless", "tui.store", "tui.fanout.trace",
          "tui.fanout.recorder", "tui.history", "tui.extract.run", "tui.commands.extract", "tui.extract.corpus",
          "tui.outbound.dsn", "tui.outbound.webhook", "tui.commands.provision", "tui.commands.history"]


def test_engine_imports_no_textual() -> None:
    code = (
        "import sys\n"
        f"for name in {ENGINE!r}: __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"engine pulled in Textual modules: {out.stdout.strip()}"
