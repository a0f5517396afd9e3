"""fanmail: fan-out/fan-in email triage with a live terminal dashboard."""

__version__ = "0.1.0"
