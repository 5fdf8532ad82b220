"""The audit log in words: what each kind of entry means ("Submitted version 2"), and
each change as "What: was -> now". Entries written since changes were kept in words
(``portal.returns.changes``) show as stored; older entries, kept as field paths like
``staff[10].missing[1]``, are put into words as well as their paths allow."""

from __future__ import annotations

import re

from portal.returns.answer_words import BLANK, SECTION_TITLES, field_label, value_text

_ACTIONS = {
    "save": "Saved",
    "nil-return": "Nil return changed",
    "section-reopened": "Section back to in progress",
    "query": "Question asked",
    "reply": "Reply",
    "reopen": "Reopened by the council",
    "add-training": "Training record added",
    "remove-training": "Training record removed",
    "add-staff": "Staff member added",
    "edit-staff": "Staff member changed",
    "remove-staff": "Staff member removed",
}
_VERSIONED = re.compile(r"^(submit|accept)-v(\d+)$")
_PATH_PART = re.compile(r"[.\[\]]+")
SHOWN = 5  # changes shown before the rest are folded away


def action_text(action: str, section: str | None) -> str:
    versioned = _VERSIONED.match(action or "")
    if versioned:
        verb = "Submitted" if versioned.group(1) == "submit" else "Accepted"
        text = f"{verb} version {versioned.group(2)}"
    else:
        text = _ACTIONS.get(action, (action or "").replace("-", " ").capitalize())
    if section:
        text += f" ({SECTION_TITLES.get(section, section)})"
    return text


def _legacy_field(section: str | None, path: str) -> tuple[str, str]:
    """An old entry's path in words: its last named part's label, and that name."""
    names = [p for p in _PATH_PART.split(path) if p and not p.isdigit()]
    if ":" in path:  # a question's target, "kpis:on_time_visits"
        section, _, rest = path.partition(":")
        names = [p for p in _PATH_PART.split(rest) if p and not p.isdigit()]
    name = names[-1] if names else ""
    where = SECTION_TITLES.get(section or "", "")
    label = field_label(section, name) if name else where or "Answer"
    return (f"{where}, {label[0].lower()}{label[1:]}" if where and name else label), name


def _looks_like_key(text: str) -> bool:
    return bool(re.search(r"\[\d+\]|^[a-z]+(_[a-z]+)+$|^\w+:\w+|\.\w+_\w+", text or ""))


def change_lines(section: str | None, changes: list) -> list[str]:
    """Each stored change of an entry as "What: was -> now" in words."""
    lines = []
    for change in changes or []:
        if not isinstance(change, dict):
            continue
        what, was, now = change.get("field") or "", change.get("old"), change.get("new")
        if _looks_like_key(what):
            what, name = _legacy_field(section, what)
            was, now = value_text(name, was), value_text(name, now)
        if not was and now:  # a question or a reply: the text itself
            lines.append(f"{what}: {now}" if what else str(now))
        elif was or now:
            lines.append(f"{what}: {was or BLANK} -> {now or BLANK}")
        else:
            lines.append(what)
    return lines


def entry_view(entry) -> dict:
    """What the audit log page shows of one entry."""
    lines = change_lines(entry.section, entry.changes)
    return {
        "at": entry.at,
        "who": entry.user.name if entry.user else "The service",
        "ip": entry.ip_address or "",
        "what": action_text(entry.action, entry.section),
        "shown": lines[:SHOWN],
        "more": lines[SHOWN:],
    }
