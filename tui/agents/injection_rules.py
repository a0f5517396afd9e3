"""The rules' prompt-injection detector: text in a mail that tries to instruct the model reading it.

Why it exists: mail is untrusted input to every model backend. This detector is free, offline
and deterministic, so the rules classifier (`tui/agents/rules.py`) uses it for its own verdicts
and the LLM providers run it as a second opinion before their model answers (their verdicts are
merged by `combine_injection` in `tui/agents/prompt.py`). The caps say how far a flagged mail's
priority and confidence may go, so a message can never promote itself.

How: a list of (reason, gate, pattern) rules is tried on subject, body and hidden HTML text; the
gate is a cheap word test, so ordinary mail never pays for the regexes. Hidden text that names a
model and orders it about is flagged too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from tui.agents.rules_text import Words, message_parts
from tui.model import Email

INJECTION_PRIORITY_CAP = 40
INJECTION_CONFIDENCE_CAP = 0.45  # below the default review_below: a human looks first

_IGNORE = {"ignore", "disregard", "forget", "override", "bypass"}
_DIRECTIVE = {"instruction", "instructions", "prompt", "prompts", "directive", "directives",
              "guidelines", "guardrails", "programming", "rules"}
_AI_NOUNS = {"ai", "assistant", "llm", "chatbot", "bot", "model", "agent", "triage",
             "classifier", "automated"}
_READING = {"reading", "sorting", "processing", "triaging", "summarising", "summarizing",
            "handling", "scanning"}
_NINETIES = {str(n) for n in range(90, 101)}

# (reason, gate, pattern). The gate is a set or substring test on what `Words` already holds,
# so ordinary mail never pays for the regexes.
_Gate = Callable[[Words], bool]


def _words_gate(*groups: Iterable[str]) -> _Gate:
    """At least one word of every group is present."""
    sets = [frozenset(g) for g in groups]
    return lambda w: all(not w.tset.isdisjoint(g) for g in sets)


def _text_gate(*needles: str) -> _Gate:
    """One of these lower-case substrings is present in the raw text."""
    return lambda w: any(n in w.low for n in needles)


def _phrase_gate(*phrases: str) -> _Gate:
    """One of these word sequences is present (punctuation and case ignored)."""
    padded = tuple(f" {p} " for p in phrases)
    return lambda w: any(p in w.joined for p in padded)


def _both(first: _Gate, then: _Gate) -> _Gate:
    """Cheap word test first, the substring scan only when it passes."""
    return lambda w: first(w) and then(w)


def _priority_gate(w: Words) -> bool:
    """"priority" with a verb that sets it or a number that high."""
    t = w.tset
    if "priority" not in t:
        return False
    return not (t.isdisjoint({"set", "assign", "give"}) and t.isdisjoint(_NINETIES))


_ADDRESSED = [f"{n}{p}" for n in ("ai", "assistant", "llm", "bot", "agent", "model") for p in ",:;"]
_INJECTION_RULES: list[tuple[str, _Gate, re.Pattern[str]]] = [
    (
        "tells the model to ignore its instructions",
        _words_gate(_IGNORE, _DIRECTIVE),
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\b\W+(?:(?:all|any|the|your|my|of|these|"
            r"those|every|previous|prior|above|earlier|preceding|original|existing|system|safety)\W+)"
            r"{0,4}(?:instructions?|prompts?|directives?|guidelines|guardrails|programming)\b"
            r"|\b(?:ignore|disregard|forget|override)\s+(?:all\s+)?(?:your|previous|prior|the\s+above)"
            r"\s+rules\b",
            re.I,
        ),
    ),
    (
        "tells the model to ignore what came before",
        _words_gate(_IGNORE, {"above", "preceding"}),
        re.compile(
            r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|everything\s+)?"
            r"(?:above|preceding)\b(?!\s+(?:e-?mail|message|mail|note|link|post|address|number))",
            re.I,
        ),
    ),
    (
        "tells the model how to summarise or triage this mail",
        _both(_words_gate({"summarizing", "summarising", "summarize", "summarise", "classifying",
                           "triaging", "processing"}),
              _phrase_gate("when summarizing", "when summarising", "when you summarize",
                           "when you summarise", "if you summarize", "if you summarise",
                           "when classifying", "when triaging", "when processing",
                           "while processing", "while summarizing", "while summarising")),
        re.compile(
            r"\b(?:when|if|while)\s+(?:you\s+)?(?:are\s+)?(?:summari[sz](?:e|ing)|classify(?:ing)?|"
            r"triag(?:e|ing)|processing)\s+(?:this|these|the)\s+(?:e-?mails?|messages?|inbox|thread)",
            re.I,
        ),
    ),
    (
        "fake chat-template tokens",
        _both(_words_gate({"im", "inst", "sys", "endoftext"}),
              _text_gate("<|", "[inst]", "[/inst]", "<<sys>>")),
        re.compile(r"<\|(?:im_start|im_end|system|assistant|user|endoftext)\|>|\[/?INST\]|<</?SYS>>",
                   re.I),
    ),
    (
        "fake system/role block",
        _both(_words_gate({"system", "developer", "instruction", "instructions"}),
              _text_gate("system:", "system]", "# system", "system prompt", "system message",
                         "developer:", "# instruction", "# new instruction")),
        re.compile(
            r"^[ \t>]*#{1,6}[ \t]*(?:system|instructions?|new[ \t]+instructions)[ \t]*:?[ \t]*$"
            r"|^[ \t>]*\[?(?:system|developer)(?:[ \t]+(?:prompt|message|override|note))?\]?[ \t]*:"
            r"\s*(?:you\b|ignore|disregard|new\b|from\s+now|the\s+(?:following|assistant|ai|model)|"
            r"classify|forward|mark|set|assign|always|do\s+not|override|treat|route)"
            r"|^[ \t>]*(?:end|begin)\s+(?:of\s+)?system\s+(?:prompt|message)",
            re.I | re.M,
        ),
    ),
    (
        "upper-case SYSTEM: block",
        _both(_words_gate({"system"}),
              _text_gate("system:", "system]", "system prompt", "system message",
                         "system override", "system note")),
        re.compile(r"^[ \t>\[]*SYSTEM(?:[ \t]+(?:PROMPT|MESSAGE|OVERRIDE|NOTE))?\]?[ \t]*:", re.M),
    ),
    (
        "orders the assistant to act on mail",
        _both(_words_gate({"ai", "assistant", "llm", "bot", "agent", "model"}),
              _text_gate(*_ADDRESSED)),
        re.compile(
            r"\b(?:ai|llm|chatbot|bot|language\s+model|(?:ai\s+|email\s+|virtual\s+)?assistant|"
            r"(?:ai|email|triage)\s+agent|triage\s+(?:bot|system|model))[,:;]+\s*(?:please\s+)?"
            r"(?:forward|send|reply|email|move|delete|export|share|transfer|bcc|cc|mark|classify|"
            r"label|set|assign|route|archive|ignore|disregard|approve)\b",
            re.I,
        ),
    ),
    (
        "addresses the AI reading the mail",
        _words_gate({"note", "message", "instructions", "instruction", "memo", "attention"},
                    _AI_NOUNS | {"language"}),
        re.compile(
            r"\b(?:note|message|instructions?|memo)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?"
            r"(?:ai|assistant|llm|language\s+model|model|bot|email\s+(?:assistant|agent)|"
            r"triage|automated)\b"
            r"|\battention\s*[,:]?\s*(?:the\s+)?(?:ai|assistant|llm|automated|triage)\b",
            re.I,
        ),
    ),
    (
        "addresses the AI reading the mail",
        _words_gate({"ai", "llm", "automated", "assistant", "model", "bot", "agent"},
                    _READING | {"triage", "classifier"}),
        re.compile(
            r"\b(?:ai|automated|llm)\s+(?:triage|classifier|sorting|assistant|agent)"
            r"(?:\s+(?:system|bot|model|agent))?\s*[:,]"
            r"|\b(?:ai|assistant|llm|model|bot|agent)s?\s+(?:that\s+is\s+|who\s+is\s+)?"
            r"(?:reading|sorting|processing|triaging|summari[sz]ing|handling|scanning)\s+"
            r"(?:this|these|the|my|your)\b",
            re.I,
        ),
    ),
    (
        "tries to re-program the model",
        _both(_words_gate({"now", "instructions", "reveal", "ai", "assistant", "llm", "bot",
                           "language"}),
              _phrase_gate("if you are an ai", "if you are an assistant", "if you are an llm",
                           "if you are a language model", "if you are a bot", "from now on you",
                           "you are now", "new instructions", "reveal your", "reveal the system")),
        re.compile(
            r"\bif\s+you\s+are\s+an?\s+(?:ai|assistant|language\s+model|llm|bot)\b"
            r"|\bfrom\s+now\s+on\s+you\s+(?:are|will|must)\b|\byou\s+are\s+now\s+(?:a|an|in)\b"
            r"|\bnew\s+instructions\s*:|\breveal\s+(?:your\s+|the\s+)?(?:system\s+)?prompt\b",
            re.I,
        ),
    ),
    (
        "tries to set its own category",
        _both(_words_gate({"classify", "categorize", "categorise", "label", "tag"}),
              _phrase_gate("classify this", "classify the", "categorize this", "categorise this",
                           "categorize the", "categorise the", "label this", "tag this")),
        re.compile(
            r"\b(?:classify|categori[sz]e|label|tag)\s+(?:this|the)\s+(?:(?:e-?mail|message|mail|"
            r"thread|ticket)\s+)?as\b",
            re.I,
        ),
    ),
    (
        "tries to set its own priority",
        _priority_gate,
        re.compile(
            r"\b(?:set|assign|give)\s+(?:it\s+|this\s+(?:e-?mail\s+|message\s+)?)?(?:a\s+)?"
            r"priority\s*(?:of|to|=|:)?\s*\d{2,3}\b"
            r"|\bpriority\s*[:=]?\s*(?:100|9\d)\b[^.\n]{0,20}\b(?:urgent|critical)\b"
            r"|\burgent\b[^.\n]{0,12}\bpriority\s*[:=]?\s*(?:100|9\d)\b",
            re.I,
        ),
    ),
    (
        "tries to whitelist itself",
        _both(_words_gate({"mark", "injection", "confidence"}),
              _phrase_gate("mark this as", "mark it as", "mark this email as",
                           "mark this message as", "injection false", "injection true",
                           "confidence 1")),
        re.compile(
            r"\bmark\s+(?:this|it)\s+(?:e-?mail\s+|message\s+)?as\s+(?:safe|legitimate|not\s+spam|"
            r"not\s+phishing|verified|trusted|not\s+urgent)\b"
            r"|\binjection\s*[=:]\s*(?:false|true)\b|\bconfidence\s*[=:]\s*1(?:\.0+)?\b",
            re.I,
        ),
    ),
]
# Hidden text (a human cannot see it, a model can) that speaks to a model, or orders one about.
_HIDDEN_VERBS = {"ignore", "disregard", "classify", "categorize", "categorise", "forward", "send",
                 "mark", "set", "route", "treat", "approve", "summarise", "summarize", "respond",
                 "reply", "label", "flag", "delete", "move"}
_HIDDEN_NOUNS = {"instructions", "instruction", "priority", "urgent", "injection", "confidence",
                 "rules", "policy", "verified", "prompt", "system"}
_HIDDEN_ADDRESSEE = {"ai", "assistant", "llm", "chatbot", "bot", "triage", "classifier", "gpt"}


def _hidden_instruction(hidden: str, words: Words) -> str:
    """A line of hidden text that names a model and tells it to do something. Checked line by
    line: real newsletters hide whole documents in comments, where the words lie far apart."""
    t = words.tset
    if t.isdisjoint(_HIDDEN_ADDRESSEE) and " language model " not in words.joined:
        return ""
    for line in hidden.splitlines():
        if len(line) < 8:
            continue
        lw = Words.of(line)
        ai = lw.tset & _HIDDEN_ADDRESSEE or (
            {"language model"} if " language model " in lw.joined else set())
        if ai and not (lw.tset.isdisjoint(_HIDDEN_VERBS) and lw.tset.isdisjoint(_HIDDEN_NOUNS)):
            return sorted(ai)[0]
    return ""


def find_injection(subject: str, body: str, hidden: str, words: dict[str, Words]) -> tuple[bool, str]:
    """First rule that fires, in subject, body, then hidden text; the reason says which and where."""
    for where, text in (("subject", subject), ("body", body), ("hidden HTML text", hidden)):
        if not text:
            continue
        w = words[where]
        for label, gate, pattern in _INJECTION_RULES:
            if gate(w) and pattern.search(text):
                return True, f"{label} (in {where})"
    if hidden:
        cue = _hidden_instruction(hidden, words["hidden HTML text"])
        if cue:
            return True, f"hidden HTML text speaks to a model ({cue!r})"
    return False, ""


def detect_injection(email: Email) -> tuple[bool, str]:
    """Whether the mail tries to instruct the model reading it, and one line saying how."""
    subject, body, hidden, words = message_parts(email)
    return find_injection(subject, body, hidden, words)
