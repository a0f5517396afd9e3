"""Triage's dashboard: the screen (screen.py) and its parts, one job each."""
