"""Windows TCP's connect-time schedules (rules ``syn-ack-schedule`` and
``connect-retransmissions``) against KB Q142641's table and the Windows 2000 reference."""

from __future__ import annotations

import pytest

from sim.core import MICROS_PER_SECOND, connect_give_up, half_open_lifetime, retransmission_times

S = MICROS_PER_SECOND


@pytest.mark.parametrize(
    ("retransmissions", "elapsed"),
    # KB Q142641: "3  3, 6, and 12 seconds  45 seconds", "2  3, and 6 seconds  21 seconds",
    # "1  3 seconds  9 seconds", 0: "will time out in 3 seconds"; the old default of 5: 189 s.
    [(0, 3), (1, 9), (2, 21), (3, 45), (5, 189)],
)
def test_a_half_open_connection_lives_as_kb_q142641_tabulates(retransmissions, elapsed):
    assert half_open_lifetime(retransmissions) == elapsed * S


def test_the_retransmissions_go_out_after_time_outs_that_double():
    # KB Q142641: value 3 retransmits after time-outs of 3, 6 and 12 s; cleanup 24 s later.
    assert retransmission_times(3) == (3 * S, 9 * S, 21 * S)
    assert half_open_lifetime(3) - retransmission_times(3)[-1] == 24 * S
    assert retransmission_times(0) == ()


def test_a_client_abandons_its_connect_request_after_21_s_by_default():
    assert connect_give_up(2) == 21 * S


@pytest.mark.parametrize("bad", [-1, 6])
def test_a_count_outside_the_schedule_is_refused(bad):
    with pytest.raises(ValueError, match="expected 0 to 5"):
        half_open_lifetime(bad)
