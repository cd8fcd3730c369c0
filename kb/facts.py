"""Facts: figures a disclosure report states, each with its evidence span."""
from __future__ import annotations

from .records import Fact


def extract_facts(text: str) -> list[Fact]:
    return []

METRICS = ("requests_received", "proactive_disclosed", "admin_reviews", "lawsuits", "fees_charged",
           "complaints", "press_conferences", "staff", "training_sessions")
