"""The POP4 transition table: every (state, input) pair is handled or a protocol error."""

from __future__ import annotations

import pytest

from sim.core import (
    BASE_TABLE,
    BUILDS,
    HOTFIX,
    POST_SP3,
    SP4,
    SP5,
    Effect,
    Input,
    LocalProtocolError,
    RemoteProtocolError,
    State,
    diff,
    transition,
)

HANDLED = {
    (State.IDLE, Input.OPEN),
    (State.OPENING, Input.OPEN),
    (State.OPEN, Input.OPEN),
    (State.OPENING, Input.OK),
    (State.OPENING, Input.CLOSE),
    (State.OPEN, Input.DATA),
    (State.OPEN, Input.CLOSE),
    (State.CLOSED, Input.OK),
}


@pytest.mark.parametrize("build", BUILDS, ids=lambda b: b.alias)
@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
@pytest.mark.parametrize("event", list(Input), ids=lambda i: i.value)
def test_every_pair_is_handled_or_rejected(build, state, event):
    if (state, event) in HANDLED:
        row = transition(state, event, build.overrides)
        assert row.effects
        assert row.source
    else:
        side = RemoteProtocolError if event is Input.DATA else LocalProtocolError
        with pytest.raises(side, match=f"input '{event.value}' is not allowed in state"):
            transition(state, event, build.overrides)


def test_base_table_is_exactly_the_handled_pairs():
    assert set(BASE_TABLE) == HANDLED


def test_sp4_race_row_logs_4258_then_4283_and_returns_the_control_block():
    row = SP4.table()[(State.OPENING, Input.CLOSE)]
    assert row.effects == (Effect.LOG_4258, Effect.LOG_4283, Effect.RELEASE_CB)
    assert row.next_state is State.CLOSED


def test_hotfix_race_row_logs_4258_only_and_cancels_the_open():
    row = HOTFIX.table()[(State.OPENING, Input.CLOSE)]
    assert row.effects == (Effect.LOG_4258, Effect.CANCEL_OK, Effect.RELEASE_CB)


def test_post_sp3_race_row_leaks_the_control_block():
    row = POST_SP3.table()[(State.OPENING, Input.CLOSE)]
    assert row.effects == (Effect.LOG_4258, Effect.LOG_4283, Effect.LEAK_CB)


def test_builds_differ_in_the_race_row_only():
    assert [key for key, _, _ in diff(SP4, HOTFIX)] == [(State.OPENING, Input.CLOSE)]
    assert [key for key, _, _ in diff(SP4, POST_SP3)] == [(State.OPENING, Input.CLOSE)]
    assert diff(HOTFIX, SP5) == []
    assert diff(SP4, SP4) == []


def test_normal_close_never_logs_4283_on_any_build():
    for build in BUILDS:
        row = build.table()[(State.OPEN, Input.CLOSE)]
        assert Effect.LOG_4283 not in row.effects
        assert Effect.LOG_4258 in row.effects
