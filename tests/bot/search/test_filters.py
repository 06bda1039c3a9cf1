import re
from datetime import UTC, datetime

import pytest

from bot.search.filters import build_filters
from index.documents import Filters
from index.errors import InputError


def test_plain_values_pass_through_and_dates_are_read():
    built = build_filters(technology="iot", kind="post", author="ana", since="2022-01-01", until="2023-12-31")
    assert built == Filters(
        technology="iot",
        kind="post",
        author="ana",
        since=datetime(2022, 1, 1, tzinfo=UTC),
        until=datetime(2023, 12, 31, tzinfo=UTC),
    )


def test_whole_days_keep_the_last_day():
    built = build_filters(since="2022-01-01T15:00", until="2023-12-31", whole_days=True)
    assert built.since == datetime(2022, 1, 1, tzinfo=UTC)
    assert built.until == datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("someday", "from: date 'someday' is not a date"),
        ("9999-01-01", "from: '9999-01-01' is outside the years 1970–2200"),
        ("2022-01-01T00:00+25:00", "from: '2022-01-01T00:00+25:00' has an offset outside"),
    ],
)
def test_a_bad_date_is_one_error_named_by_its_label(since, message):
    with pytest.raises(InputError, match=re.escape(message)):
        build_filters(since=since, date_labels=("from", "to"))
