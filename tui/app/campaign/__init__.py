"""The campaign view: its app, its state folding and its screen."""
