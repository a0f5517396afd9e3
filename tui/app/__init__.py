"""The Textual dashboard: app, screens, widgets. The engine never imports this package."""
