"""Numbers in questions: Chinese numerals (零, 一百二十, 两, 二〇一七), 万 / 千 after digits, English number words."""
from __future__ import annotations

import re

from kb.text import chinese_number

from .vocabulary import (
    CN_NUMERAL,
    EN_MULTIPLIERS,
    EN_NUMBERS,
    NUMERAL_BEFORE,
    NUMERAL_UNITS,
)

_CN_RUN = re.compile(CN_NUMERAL)
_UNIT_AFTER = re.compile(rf"\s*(?:{NUMERAL_UNITS})")
_BEFORE = re.compile(rf"(?:{NUMERAL_BEFORE})\s*$")
# 一 inside ordinary words (哪一个, 统一, 进一步, 一起 "together") is not a number.
_WORD_BEFORE_ONE = re.compile(r"[哪唯统进同逐任某每之万单]$")
_ZERO_WORDS = re.compile(r"零(?:星|散|售|件|碎|时)")
_DIGITS_TIMES = re.compile(r"(\d+(?:\.\d+)?)\s*(万|千)(?!元)")
_EN_WORD = "|".join(sorted(list(EN_NUMBERS) + list(EN_MULTIPLIERS), key=len, reverse=True))
_EN_RUN = re.compile(rf"\b(?:{_EN_WORD})(?:[\s-]+(?:{_EN_WORD}))*\b")
_EN_ONE_CONTEXT = re.compile(r"(?:than|least|most|top|bottom|exactly|over|under|to|only)\s*$")


def _cn_value(run: str) -> str | None:
    value = chinese_number(run)
    return None if value is None else f"{value:g}"


def chinese_numerals_to_digits(q: str) -> str:
    """Numeral runs before a unit or after a comparison word become digits; 零 on its own is 0."""
    out, pos = [], 0
    for m in _CN_RUN.finditer(q):
        run, before, after = m.group(), q[:m.start()], q[m.end():]
        is_zero = run in ("零", "〇") and not _ZERO_WORDS.match(q, m.start())
        if run == "一" and (_WORD_BEFORE_ONE.search(before) or after.startswith("起") and not _BEFORE.search(before)):
            continue
        if not (is_zero or _UNIT_AFTER.match(after) or _BEFORE.search(before)):
            continue
        digits = "0" if is_zero else _cn_value(run)
        if digits is None:
            continue
        out.append(q[pos:m.start()] + digits)
        pos = m.end()
    out.append(q[pos:])
    q = "".join(out)
    return _DIGITS_TIMES.sub(lambda m: f"{float(m.group(1)) * (10_000 if m.group(2) == '万' else 1000):g}", q)


def english_numbers_to_digits(q: str) -> str:
    """fifty -> 50, one hundred and twenty -> 120; "one" only where it counts (more than one)."""
    def value(m: re.Match) -> str:
        words = re.split(r"[\s-]+", m.group())
        if words == ["one"] and not _EN_ONE_CONTEXT.search(q[:m.start()]):
            return m.group()
        total, current = 0, 0
        for w in words:
            if w in EN_MULTIPLIERS:
                current = (current or 1) * EN_MULTIPLIERS[w]
                if w == "thousand":
                    total, current = total + current, 0
            else:
                current += EN_NUMBERS[w]
        return str(total + current)

    return _EN_RUN.sub(value, q)
