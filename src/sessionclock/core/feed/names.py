"""Client names as read from a feed: no contact details, a sane length, and what "Busy" means.

A practitioner may type a phone number, an e-mail address or a video-call link into a booking's
title. Session Clock promises never to read those, so they are removed from a name before it is
stored or shown (the import result counts how many names were changed). A feed whose every event
is called "Busy" or "Free" is a free/busy address: it hides the clients, and the practitioner is
told which address to copy instead.
"""

from __future__ import annotations

import enum
import re

MAX_NAME_LENGTH = 200
"""Longer names are cut here (with "…"): a name is a label, not a document."""

# What every e-mail address, link or phone number has: cheap to rule out for most names.
_MAYBE_CONTACT_RE = re.compile(r"[@:/]|www\.|(?:\d\D{0,3}){7}", re.I)
# The patterns below are compiled on first use (``re`` keeps them): most names never need them,
# and a quick check of a feed should not wait for them.
_EMAIL = r"(?i)(?:\be-?mail\b\s*:?\s*)?(?:mailto:)?[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+"
_PHONE_LABEL = (
    r"(?i)\b(?:tel|phone|ph|mob|mobile|cell|fon|handy|telefon|telephone|téléphone|tfn)\.?\s*:?\s*$"
)
_LINK = (
    r"(?i)(?<![\w.])(?:[a-z][a-z0-9+.\-]*://|www\.|(?:tel|sms|mailto|callto|facetime|skype):)\S*"
    r"|(?<![\w@.])(?:[\w\-]+\.)+[a-z]{2,}/\S*"
)
_PHONE = r"(?<![\w+])(?:\+|00)?[\d(][\d\s().\-/]{5,}\d(?!\w)"
# Dates and times are not phone numbers: they are hidden from the phone pattern.
_DATE_OR_TIME = (
    r"(?<![\d.])(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}"
    r"|\d{1,2}[.:h]\d{2})(?![\d.])"
)
_EMPTY_BRACKETS = r"\(\s*\)|\[\s*\]|<\s*>|\{\s*\}"
_EDGE_PUNCTUATION = " \t,;:-–—|/·•"


def _is_phone(text: str) -> bool:
    stripped = text.strip(" ()")
    groups = re.findall(r"\d+", stripped)
    if sum(len(group) for group in groups) < 7:
        return False
    # "60 90 120" (lengths) is not a number to call; "555-0100", "0412 345 678" and
    # "+44 20 7946 0958" are.
    return stripped[0] in "+0" or text.lstrip()[0] == "(" or any(len(g) >= 4 for g in groups)


def _phone_spans(text: str) -> list[tuple[int, int]]:
    masked = re.sub(_DATE_OR_TIME, lambda m: "#" * len(m.group()), text)
    return [m.span() for m in re.finditer(_PHONE, masked) if _is_phone(m.group())]


def _drop_unbalanced(text: str) -> str:
    """Remove brackets left without their partner once something between them was taken out."""
    keep = [True] * len(text)
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "(":
            opened.append(index)
        elif char == ")":
            if opened:
                opened.pop()
            else:
                keep[index] = False
    for index in opened:
        keep[index] = False
    return "".join(char for char, kept in zip(text, keep, strict=True) if kept)


def scrub_contact_details(name: str) -> tuple[str, bool]:
    """Return *name* without e-mail addresses, links and phone numbers, and whether it changed."""
    if not _MAYBE_CONTACT_RE.search(name):
        return name, False
    scrubbed = re.sub(_EMAIL, " ", name)
    scrubbed = re.sub(_LINK, " ", scrubbed)
    for start, end in reversed(_phone_spans(scrubbed)):
        label = re.compile(_PHONE_LABEL).search(scrubbed, 0, start)
        scrubbed = scrubbed[: label.start() if label else start] + " " + scrubbed[end:]
    if scrubbed == name:
        return name, False
    scrubbed = re.sub(_EMPTY_BRACKETS, " ", _drop_unbalanced(scrubbed))
    scrubbed = re.sub(_EMPTY_BRACKETS, " ", scrubbed)
    return " ".join(scrubbed.split()).strip(_EDGE_PUNCTUATION).strip(), True


def shorten(name: str) -> tuple[str, bool]:
    """Return *name* cut to ``MAX_NAME_LENGTH`` characters (ending in "…"), and whether it was."""
    if len(name) <= MAX_NAME_LENGTH:
        return name, False
    return name[: MAX_NAME_LENGTH - 1].rstrip() + "…", True


def initials(name: str) -> str:
    """Return the initials of the words of *name* (``"Smith, Jo – Massage 60"`` → ``S. J. M.``)."""
    return " ".join(f"{word[0].upper()}." for word in re.findall(r"[^\W\d_][\w'’-]*", name))


class Platform(enum.StrEnum):
    """Where a feed comes from, as far as its PRODID tells."""

    GOOGLE = "google"
    MICROSOFT = "microsoft"
    APPLE = "apple"
    OTHER = "other"


def platform_of(prodid: str | None) -> Platform:
    """Return the platform a feed's PRODID names."""
    text = (prodid or "").casefold()
    if "google" in text:
        return Platform.GOOGLE
    if "microsoft" in text or "outlook" in text or "exchange" in text:
        return Platform.MICROSOFT
    if "icloud" in text or "apple" in text:
        return Platform.APPLE
    return Platform.OTHER


# What free/busy publishing writes instead of a title, in the languages of the platforms' users.
_BUSY_WORDS = frozenset(
    word.casefold()
    for word in (
        "Busy", "Free", "Tentative", "Away", "Out of office", "Out of Office", "OOF",
        "Working elsewhere", "Busy (tentative)", "Not available", "Unavailable", "Blocked",
        "Upptagen", "Ledig", "Preliminärt", "Borta", "Arbetar någon annanstans",
        "Beschäftigt", "Gebucht", "Frei", "Mit Vorbehalt", "Abwesend", "Außer Haus",
        "Occupé", "Occupée", "Libre", "Provisoire", "Absent",
        "Ocupado", "Ocupada", "Provisional", "Fuera de la oficina",
        "Occupato", "Occupata", "Libero", "Provvisorio", "Fuori sede",
        "Bezet", "Vrij", "Voorlopig", "Afwezig",
        "Optaget", "Ledig", "Opptatt", "Varattu", "Vapaa", "Zajęty", "Zajęte",
        "Ocupado(a)", "Reservado", "Занят", "Занято", "忙碌", "予定あり", "바쁨",
    )
)  # fmt: skip


def is_busy_word(summary: str) -> bool:
    """Return whether *summary* is what free/busy publishing writes instead of a title."""
    return summary.strip().strip("[]()").casefold() in _BUSY_WORDS


_FREE_BUSY = {
    Platform.GOOGLE: (
        "Every event in this calendar is called “Busy”: this is Google Calendar's free/busy "
        "address, which hides who is booked. In Google Calendar, open Settings, choose your "
        "calendar, and under “Integrate calendar” copy the “Secret address in iCal format” "
        "instead."
    ),
    Platform.MICROSOFT: (
        "Every event in this calendar is called “Busy” or “Free”: it was published with "
        "availability only, which hides who is booked. In Outlook on the web, open Settings › "
        "Calendar › Shared calendars, publish the calendar with “Can view titles and locations” "
        "(or “Can view all details”) and copy the ICS link instead."
    ),
    Platform.APPLE: (
        "Every event in this calendar is called “Busy”, so it does not say who is booked. In "
        "iCloud Calendar, share the calendar that holds the bookings as a Public Calendar and "
        "copy its address (it starts with webcal://) instead."
    ),
    Platform.OTHER: (
        "Every event in this calendar is called “Busy” or “Free”: the address shows only when "
        "you are busy, not who is booked. Copy the booking platform's private calendar (iCal) "
        "address that includes appointment titles instead."
    ),
}


def free_busy_advice(platform: Platform) -> str:
    """Return what to tell a practitioner whose feed holds only "Busy"/"Free" events."""
    return _FREE_BUSY[platform]
