"""Fields a real log varies (rules ``pop4-task`` and ``lpi``): POP4's task instance, its Proc
number and the LPI's middle number are scenario settings, printed in every form and read back
from each; the KB case's values are the defaults."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.render import parse, render

FORMS = ("ev0", "eventviewer", "jsonl")


def _render(events, form: str) -> str:
    return render(list(events), form)


@settings(max_examples=25, deadline=None)
@given(
    instance=st.integers(0, 65535),
    proc=st.integers(0, 65535),
    component=st.integers(0, 65535),
    form=st.sampled_from(FORMS),
)
def test_every_form_prints_and_reads_back_the_scenarios_task_and_lpi(
    instance, proc, component, form
):
    scenario = sim.load_scenario(
        "kb319936",
        [
            f"mta.pop4_instance={instance}",
            f"mta.pop4_proc={proc}",
            f"mta.lpi_component={component}",
        ],
    )
    events = sim.run(scenario).events
    assert [str(e.lpi) for e in events] == [f"1-{component}-12"] * 2
    assert {(e.task.instance, e.task.proc) for e in events} == {(instance, proc)}
    text = _render(events, form)
    assert parse(text, form, scenario.epoch) == list(events)


@pytest.mark.parametrize(
    ("sets", "ev0_header", "trailer"),
    [
        ((), "(POP4 POP4 UP(7) Proc 228)", "[POP4 POP4 UP 7 228] (14)"),
        (("mta.pop4_instance=6",), "(POP4 POP4 UP(6) Proc 228)", "[POP4 POP4 UP 6 228] (14)"),
        (("mta.pop4_instance=5",), "(POP4 POP4 UP(5) Proc 228)", "[POP4 POP4 UP 5 228] (14)"),
    ],
)
def test_the_kb_instances_print_as_the_kbs_print_them(sets, ev0_header, trailer):
    events = sim.run(sim.load_scenario("kb319936", list(sets))).events
    assert ev0_header in _render(events, "ev0")
    assert trailer in _render(events, "eventviewer")


def test_a_task_number_out_of_range_is_one_line_naming_the_key(capsys):
    assert main(["validate", "kb319936", "--set", "mta.pop4_instance=65536"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mta.pop4_instance: found integer 65536" in err
