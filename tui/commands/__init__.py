"""Sub-command entry points: each parses its flags, builds the run, and picks a front end
(headless printer or a Textual app). Only this package, tui/cli.py and tui/app may import tui.app."""
