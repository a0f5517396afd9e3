"""Multi-format extraction: PDF, OCR and text format agents fanned into one structured feed.

Engine code: no Textual imports (tests/test_hygiene.py). Flow: `sources.py` (raw messages) ->
`documents.py` (MIME parts routed by type) -> `agents.py` (format agents; CPU work in
`pool.py`'s process pool) -> `fields_rules.py` / `fields_model.py` (text -> typed fields) ->
`fanin.py` (conflicts) -> `feed.py` (JSONL and CSV).
"""
