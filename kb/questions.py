"""Counting questions: recognise "which agencies … zero / more than N …" and answer from facts."""
from __future__ import annotations


def answer_question(query, store, filters=None):
    return None
