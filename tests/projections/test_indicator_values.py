"""The indicators page's read: each indicator's latest values and how many it has,
the same as the tail of all its values after every kind of change; an indicator's
own read, with all its values, only in its consortium. On every backend pairing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from projections.indicators import (
    IndicatorRow,
    indicator_count,
    indicator_of,
    indicators_of,
    latest_values_of,
    measured_value_of,
)
from projections.runtime import ReadSide
from tests.support.builders import defined_indicator, founded_consortium

LAST = 4


def check_latest(read_side: ReadSide, cid: UUID) -> list[IndicatorRow]:
    """The latest values read as the page reads them equal the last ``LAST`` of all
    the values; the counts, all of them. Returns every indicator with all values."""
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        whole = indicators_of(connection, str(cid))
        latest = latest_values_of(connection, str(cid), LAST)
    assert [r.indicator_id for r in latest.rows] == [r.indicator_id for r in whole]
    for shown, every in zip(latest.rows, whole, strict=True):
        assert shown.measurements == every.measurements[-LAST:]
        assert replace(shown, measurements=()) == replace(every, measurements=())
        assert latest.counts[every.indicator_id] == len(every.measurements)
    return whole


def test_the_latest_values_are_the_tail_of_all_of_them_after_each_change(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    many = defined_indicator(app, coordinator, cid, name="Ateliers")
    few = defined_indicator(app, coordinator, cid, name="Bénévoles")
    defined_indicator(app, coordinator, cid, name="Cafés numériques")
    elsewhere = founded_consortium(app, coordinator, name="Ailleurs")
    theirs = defined_indicator(app, coordinator, elsewhere, name="Ateliers")
    app.measure_indicator(coordinator, theirs, Decimal(1), date(2026, 9, 1), "x")
    assert check_latest(read_side, cid)[0].measurements == ()

    for month in range(1, 8):
        app.measure_indicator(
            coordinator, many, Decimal(100 + month), date(2026, month, 1), "Relevé"
        )
    # Two values the same day: the one recorded last is the latest.
    app.measure_indicator(coordinator, many, Decimal(200), date(2026, 7, 1), "Bis")
    app.measure_indicator(coordinator, few, Decimal(130), date(2026, 2, 1), "Relevé")
    whole = check_latest(read_side, cid)
    assert [m.value for m in whole[0].measurements[-2:]] == [107, 200]

    # The oldest value corrected to a later date comes among the latest.
    oldest = whole[0].measurements[0].measurement_id
    app.correct_measurement(
        coordinator,
        many,
        oldest,
        value=Decimal(150),
        on=date(2026, 6, 15),
        source="Recompté",
        reason="Mauvaise date",
    )
    whole = check_latest(read_side, cid)
    assert oldest in [m.measurement_id for m in whole[0].measurements[-LAST:]]

    # A latest value withdrawn lets an older one back in.
    app.withdraw_measurement(
        coordinator, many, whole[0].measurements[-1].measurement_id, "Doublon"
    )
    whole = check_latest(read_side, cid)
    assert len(whole[0].measurements) == 7

    with read_side.engine.connect() as connection:
        assert latest_values_of(connection, str(elsewhere), LAST).counts == {
            str(theirs): 1
        }
        assert indicator_count(connection, str(cid)) == 3
        assert indicator_count(connection, str(elsewhere)) == 1


def test_an_indicator_and_a_value_are_read_only_within_their_consortium(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    ours = defined_indicator(app, coordinator, cid)
    elsewhere = founded_consortium(app, coordinator, name="Ailleurs")
    theirs = defined_indicator(app, coordinator, elsewhere)
    for indicator in (ours, theirs):
        app.measure_indicator(
            coordinator, indicator, Decimal(150), date(2026, 3, 1), "x"
        )
    read_side.catch_up()

    with read_side.engine.connect() as connection:
        (every,) = indicators_of(connection, str(cid))
        (value,) = every.measurements
        (their_value,) = indicators_of(connection, str(elsewhere))[0].measurements
        own = indicator_of(connection, str(cid), str(ours))
        borrowed = indicator_of(connection, str(cid), str(theirs))
        found = measured_value_of(connection, str(cid), str(ours), value.measurement_id)
        not_ours = measured_value_of(
            connection, str(cid), str(theirs), their_value.measurement_id
        )
        mixed = measured_value_of(
            connection, str(cid), str(ours), their_value.measurement_id
        )

    assert own == every
    assert borrowed is None
    assert found is not None
    assert (found.indicator_id, found.name, found.unit) == (
        str(ours),
        every.name,
        every.unit,
    )
    assert found.measurement == value
    assert not_ours is None
    assert mixed is None
