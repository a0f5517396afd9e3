"""The triage view: the run's state folding, its session transports, the dashboard and its inbox."""
