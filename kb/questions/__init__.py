"""Questions over the figures: parse a question into its model, answer it from the store's figures."""
from __future__ import annotations

from .answer import answer, answer_question
from .model import Condition, Group, Question
from .parse import parse_question

__all__ = ["Condition", "Group", "Question", "answer", "answer_question", "parse_question"]
