from __future__ import annotations

import pytest

from sim.core import BUILDS, HOTFIX, POST_SP3, SP4, SP5, BuildError, resolve_build


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("pre-fix", SP4),
        ("5.5.2653.23", SP4),
        ("SP4", SP4),
        ("post-fix", HOTFIX),
        ("5.5.2656.20", HOTFIX),
        ("hotfix", HOTFIX),
        ("post-sp3", POST_SP3),
        ("5.5.2651.61", POST_SP3),
        ("sp5", SP5),
        ("5.5.2658.10", SP5),
        (" Pre-Fix ", SP4),
    ],
)
def test_resolve_by_version_or_alias(name, build):
    assert resolve_build(name) is build


def test_unknown_build_lists_the_known_ones():
    with pytest.raises(BuildError, match=r"unknown build 'sp6' \(known: 5\.5\.2651\.61/post-sp3"):
        resolve_build("sp6")


def test_versions_and_aliases_are_unique():
    names = [n for b in BUILDS for n in (b.version, *b.aliases)]
    assert len(names) == len(set(names))


def test_labels():
    assert SP4.label == "5.5.2653.23 (Exchange 5.5 SP4)"
    assert HOTFIX.alias == "post-fix"


def test_the_articles_other_spelling_of_the_hotfix_is_the_hotfix():
    # KB Q319936's table prints "Emsmta.exe | 6.0.2656.20"; a later revision 5.5.2656.20.
    assert resolve_build("6.0.2656.20") is HOTFIX
    assert HOTFIX.version == "5.5.2656.20"
