"""Timestamps: parsed leniently, stored in UTC, written in one canonical text form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geode.timestamps import (
    canonical_timestamp,
    format_timestamp,
    parse_timestamp,
    stored_timestamp,
    utcnow,
)

PROPERTY = settings(max_examples=200, deadline=None)
CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

FIXED_OFFSETS = st.builds(
    timezone,
    st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
        lambda m: timedelta(minutes=m)
    ),
)
ZONES = st.one_of(st.just(UTC), FIXED_OFFSETS, st.timezones())
# Years 1000..9999 (a little margin at both ends so converting to UTC cannot leave
# the datetime range); earlier years are covered by the xfail below.
AWARE = st.datetimes(
    min_value=datetime(1000, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=ZONES,
)


# -- parse_timestamp --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:30:00Z", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01T12:30:00z", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01T12:30:00.5Z", datetime(2024, 5, 1, 12, 30, 0, 500000, tzinfo=UTC)),
        ("2024-05-01T12:30:00.123456Z", datetime(2024, 5, 1, 12, 30, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T12:30:00+00:00", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01T14:30:00+02:00", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01T07:00:00-05:30", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01T01:00:00+02:00", datetime(2024, 4, 30, 23, 0, tzinfo=UTC)),  # crosses a day
        ("2024-05-01T12:30:00", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),  # naive: UTC
        ("2024-05-01 12:30", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),  # date only: midnight UTC
        ("  2024-05-01T12:30:00Z \n", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2024-13-01", "2024-02-30", "2024-05-01T25:00:00Z", "01/05/2024"]
)
def test_parse_timestamp_refuses_non_dates_with_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


# -- format_timestamp / canonical_timestamp ---------------------------------------------


def test_format_timestamp_is_canonical_utc_with_microseconds() -> None:
    value = datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(value) == "2024-05-01T12:30:00.000000Z"


def test_format_timestamp_takes_naive_as_utc() -> None:
    assert format_timestamp(datetime(2024, 5, 1, 12, 30, 0, 42)) == "2024-05-01T12:30:00.000042Z"


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T12:30:00Z",
        "2024-05-01T12:30:00.000000Z",
        "2024-05-01T14:30:00+02:00",
        "2024-05-01T12:30:00",
        "2024-05-01T12:30:00.000+00:00",
    ],
)
def test_every_spelling_of_one_instant_has_the_same_canonical_text(text: str) -> None:
    assert canonical_timestamp(text) == "2024-05-01T12:30:00.000000Z"


def test_canonical_timestamp_of_a_date() -> None:
    assert canonical_timestamp("2024-05-01") == "2024-05-01T00:00:00.000000Z"


def test_canonical_timestamp_refuses_non_dates() -> None:
    with pytest.raises(ValueError):
        canonical_timestamp("not a date")


def test_canonical_order_is_chronological_order() -> None:
    # Stored text is compared as text (SQLite): it must sort like the instants.
    texts = ["2024-05-01T12:30:00+02:00", "2024-05-01T11:00:00Z", "2023-12-31T23:59:59.999999Z"]
    canonical = [canonical_timestamp(t) for t in texts]
    assert sorted(canonical) == [canonical_timestamp(t) for t in sorted(texts, key=parse_timestamp)]


# -- stored_timestamp -------------------------------------------------------------------


@pytest.mark.parametrize(
    "driver_value",
    [
        datetime(2024, 5, 1, 12, 30, 0, 5, tzinfo=UTC),  # PostgreSQL timestamptz
        datetime(2024, 5, 1, 14, 30, 0, 5, tzinfo=timezone(timedelta(hours=2))),  # session zone
        "2024-05-01T12:30:00.000005Z",  # SQLite TEXT
        "2024-05-01 12:30:00.000005+00:00",
        "2024-05-01T12:30:00.000005",
    ],
)
def test_stored_timestamp_normalises_what_drivers_return(driver_value: object) -> None:
    assert stored_timestamp(driver_value) == "2024-05-01T12:30:00.000005Z"


@PROPERTY
@given(AWARE)
def test_stored_timestamp_of_datetime_and_of_its_text_agree(value: datetime) -> None:
    assert stored_timestamp(value) == stored_timestamp(format_timestamp(value))
    assert stored_timestamp(value) == stored_timestamp(value.isoformat())


def test_utcnow_is_canonical_and_current() -> None:
    before = datetime.now(UTC)
    text = utcnow()
    after = datetime.now(UTC)
    assert CANONICAL.match(text)
    assert before - timedelta(seconds=1) <= parse_timestamp(text) <= after + timedelta(seconds=1)


# -- properties -------------------------------------------------------------------------


@PROPERTY
@given(AWARE)
def test_format_is_canonical_and_parses_back_to_the_same_instant(value: datetime) -> None:
    text = format_timestamp(value)
    assert CANONICAL.match(text), text
    assert canonical_timestamp(text) == text
    parsed = parse_timestamp(text)
    # Compare in UTC: PEP 495 makes inter-zone == False for ambiguous local times.
    assert parsed == value.astimezone(UTC)
    assert parsed.utcoffset() == timedelta(0)


@PROPERTY
@given(AWARE)
def test_canonical_timestamp_is_idempotent_on_isoformat(value: datetime) -> None:
    once = canonical_timestamp(value.isoformat())
    assert canonical_timestamp(once) == once


@pytest.mark.parametrize("year", [1, 5, 999])
def test_years_before_1000_are_zero_padded(year: int) -> None:
    value = datetime(year, 6, 1, 12, 0, tzinfo=UTC)
    text = format_timestamp(value)
    assert text == f"{year:04d}-06-01T12:00:00.000000Z"
    assert parse_timestamp(text) == value


# -- canonical_timestamp's shortcut for `YYYY-MM-DDTHH:MM:SSZ` ---------------------------


@PROPERTY
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_the_common_utc_form_gives_what_the_general_path_gives(moment: datetime) -> None:
    text = moment.replace(microsecond=0).isoformat() + "Z"
    assert canonical_timestamp(text) == format_timestamp(parse_timestamp(text))


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("2024-05-01T12:30:00Z", "2024-05-01T12:30:00.000000Z"),
        ("2024-W01-1T12:30:00Z", "2024-01-01T12:30:00.000000Z"),  # a week date, same length
        ("2024-05-01 12:30:00Z", "2024-05-01T12:30:00.000000Z"),  # a space for the T
    ],
)
def test_texts_of_the_same_length_are_still_canonicalised(text: str, canonical: str) -> None:
    assert canonical_timestamp(text) == canonical


@pytest.mark.parametrize("text", ["2024-02-30T00:00:00Z", "2024-05-01T24:30:00Z"])
def test_an_impossible_date_in_the_common_form_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        canonical_timestamp(text)
