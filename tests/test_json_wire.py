"""The request encoder writes what the standard library writes, so prompts, payload hashes and
token estimates do not move with the faster encoder."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from tui.agents import json_wire
from tui.agents.prompt import email_payload, payload_json, user_prompt
from tui.mail.parse import parse_bytes
from tui.mail.sample import sample_emails
from tui.settings import Settings

_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(_values)
def test_same_text_as_the_standard_library(value: object) -> None:
    assert json_wire.dumps(value).decode() == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert json_wire.loads(json_wire.dumps(value)) == value


def test_a_lone_surrogate_is_escaped_not_an_error() -> None:
    value = {"text": "caf\udce9"}  # an undecodable byte kept by surrogateescape
    out = json_wire.dumps(value)
    assert b"\\udce9" in out and json.loads(out) == value


def test_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        json_wire.loads(b"{not json")


def test_payload_and_prompt_unchanged_on_the_sample() -> None:
    settings = Settings()
    emails = sample_emails(200, seed=3) + [parse_bytes(b"From: a@b\nSubject: caf\xe9 \xff\n\nbody \xfe\n", email_id="x")]
    for email in emails:
        assert payload_json(email, settings) == json.dumps(email_payload(email, settings), ensure_ascii=False,
                                                           separators=(",", ":"))
        prompt = user_prompt(email, settings, "0" * 16)
        assert json.loads(json_wire.dumps({"content": prompt}))["content"] == prompt
