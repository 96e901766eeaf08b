"""Dates: today's date for the build, and the ISO dates authors and services write."""

from __future__ import annotations

import datetime as dt
import os
import re


def today() -> dt.date:
    """Today's date, or the one ``SOURCE_DATE_EPOCH`` fixes for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


def parse_date(text: str) -> dt.date | None:
    """An ISO date ``YYYY-MM-DD``, or None when ``text`` is not one."""
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_partial_date(text: str) -> str | None:
    """An ISO date that may stop at the month or year (``2026-10-20``, ``2026-10``, ``2026``), else None."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return text if parse_date(text + "-01") else None
    return text if parse_date(text) else None


def age_in_days(date_text: str, now: dt.date) -> int | None:
    """Days from ``date_text`` (ISO) to ``now``; None when it is not a date."""
    date = parse_date(date_text)
    return None if date is None else (now - date).days
