"""The review desk without Textual: corrections (records, the store table, folding them into
rows), agreement figures, and learned rules with provenance. The dashboard (tui/app/) and the
`corrections` / `learned` / `review` sub-commands sit on top of it."""
