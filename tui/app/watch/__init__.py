"""The watch dashboard (`fanmail watch URL`): triage's dashboard on a WatchRun, with waves folded into a history."""
