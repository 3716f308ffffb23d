from __future__ import annotations

import pytest

from sim.core import ControlBlockPool, Lpi, PoolExhausted


def test_lpi_prints_and_parses():
    assert str(Lpi.for_cb(12)) == "1-15-12"
    assert Lpi.parse("1-15-12") == Lpi(1, 15, 12)
    with pytest.raises(ValueError, match="not an LPI"):
        Lpi.parse("1-15")


def test_pool_gives_lowest_free_index_from_1_listener_holds_0():
    pool = ControlBlockPool(4)
    assert pool.in_use == 1  # the listener
    assert [pool.allocate() for _ in range(3)] == [1, 2, 3]
    with pytest.raises(PoolExhausted, match="configured count 4"):
        pool.allocate()
    pool.release(2)
    assert pool.allocate() == 2


def test_leak_keeps_the_block_in_use_for_good():
    pool = ControlBlockPool(3)
    cb = pool.allocate()
    pool.leak(cb)
    assert (pool.in_use, pool.leaked, pool.free) == (2, 1, 1)
    with pytest.raises(ValueError, match="not allocated to an association"):
        pool.release(cb)


@pytest.mark.parametrize("size", [1, 0, 1251])
def test_pool_size_is_range_checked(size):
    with pytest.raises(ValueError, match="between 2 and 1250"):
        ControlBlockPool(size)


def test_listener_block_is_never_released():
    pool = ControlBlockPool(3)
    with pytest.raises(ValueError, match="listener"):
        pool.release(0)


def test_release_of_a_free_block_is_an_error():
    pool = ControlBlockPool(3)
    with pytest.raises(ValueError, match="control block 2 is not allocated"):
        pool.release(2)
