"""The FOMC's scheduled meetings: the day each one announces its decision (the second day of the
meeting), 2015 to January 2028, so that a run's Fed meets on the days the real Committee did (or
will) for whatever start date it has (`fed.meeting_schedule = "fomc"`, the default).

Sources: the Federal Reserve's FOMC calendars (federalreserve.gov, "Meeting calendars and
information"); the tentative schedules for 2025–26 (announced August 2024) and 2027 with January
2028 (announced 5 September 2025, federalreserve.gov press release, reproduced by Menafn and
EIN Presswire). Dates before 2025 are the published calendars as recalled, checked against the
dates of the decisions the snapshots cite (31 Jan 2018 held, 18 Dec 2024, 29 Jan 2025 held,
17 Sep 2025, 29 Oct 2025, 10 Dec 2025). Unscheduled meetings are not listed (3 and 15 March 2020):
a rule-based Committee meets on its calendar; an emergency move is a scenario's `fed_cut` shock.
After the last listed date the meetings continue every `fed.meeting_interval_days` trading days.
"""

from __future__ import annotations

import numpy as np

DECISION_DATES: tuple[str, ...] = (
    "2015-01-28", "2015-03-18", "2015-04-29", "2015-06-17", "2015-07-29", "2015-09-17", "2015-10-28", "2015-12-16",
    "2016-01-27", "2016-03-16", "2016-04-27", "2016-06-15", "2016-07-27", "2016-09-21", "2016-11-02", "2016-12-14",
    "2017-02-01", "2017-03-15", "2017-05-03", "2017-06-14", "2017-07-26", "2017-09-20", "2017-11-01", "2017-12-13",
    "2018-01-31", "2018-03-21", "2018-05-02", "2018-06-13", "2018-08-01", "2018-09-26", "2018-11-08", "2018-12-19",
    "2019-01-30", "2019-03-20", "2019-05-01", "2019-06-19", "2019-07-31", "2019-09-18", "2019-10-30", "2019-12-11",
    "2020-01-29", "2020-03-18", "2020-04-29", "2020-06-10", "2020-07-29", "2020-09-16", "2020-11-05", "2020-12-16",
    "2021-01-27", "2021-03-17", "2021-04-28", "2021-06-16", "2021-07-28", "2021-09-22", "2021-11-03", "2021-12-15",
    "2022-01-26", "2022-03-16", "2022-05-04", "2022-06-15", "2022-07-27", "2022-09-21", "2022-11-02", "2022-12-14",
    "2023-02-01", "2023-03-22", "2023-05-03", "2023-06-14", "2023-07-26", "2023-09-20", "2023-11-01", "2023-12-13",
    "2024-01-31", "2024-03-20", "2024-05-01", "2024-06-12", "2024-07-31", "2024-09-18", "2024-11-07", "2024-12-18",
    "2025-01-29", "2025-03-19", "2025-05-07", "2025-06-18", "2025-07-30", "2025-09-17", "2025-10-29", "2025-12-10",
    "2026-01-28", "2026-03-18", "2026-04-29", "2026-06-17", "2026-07-29", "2026-09-16", "2026-10-28", "2026-12-09",
    "2027-01-27", "2027-03-17", "2027-04-28", "2027-06-09", "2027-07-28", "2027-09-15", "2027-10-27", "2027-12-08",
    "2028-01-26",
)
FIRST, LAST = DECISION_DATES[0], DECISION_DATES[-1]


def calendar_days(start_date: str) -> tuple[list[int], int]:
    """The trading days (weekdays after `start_date`, the runner's calendar: day 0 is the start
    date, whose close the snapshot describes, so a meeting on it has happened) of the listed
    decisions from day 1 on, and the trading day of the last listed decision (negative when it
    precedes the start): the meetings after it follow every `fed.meeting_interval_days` from there."""
    start = np.datetime64(start_date, "D")
    counts = np.busday_count(start, np.array(DECISION_DATES, dtype="datetime64[D]"))
    return [int(d) for d in counts if d >= 1], int(counts[-1])
