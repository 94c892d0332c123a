"""The validation's explicit lists cover the model: every agent class has the scenarios that
exercise it in the ablation table, and every loop and episode names a class and a scenario that
exist (nothing is skipped as 'not in this build')."""

from __future__ import annotations

from interlock.experiments.scenarios import shipped_dir
from interlock.experiments.validation.checks import EXERCISED_BY, LOOPS
from interlock.experiments.validation.episodes import EPISODES
from interlock.model.model import agent_classes

SCENARIOS = {p.stem for p in shipped_dir().glob("*.toml")}


def test_every_agent_class_is_ablated_on_two_shipped_scenarios():
    assert set(EXERCISED_BY) == set(agent_classes())
    for cls, scenarios in EXERCISED_BY.items():
        assert len(set(scenarios)) == 2 and set(scenarios) <= SCENARIOS, cls


def test_every_documented_loop_names_a_class_and_a_scenario_that_exist():
    assert LOOPS
    for lp in LOOPS:
        assert lp.agent_class in agent_classes() and lp.scenario in SCENARIOS, lp.claim
        assert set(lp.quick_seeds) <= set(lp.seeds) and 0 < lp.min_share <= 1


def test_every_episode_replays_a_shipped_episode_scenario():
    assert EPISODES and {e.scenario for e in EPISODES} <= SCENARIOS
    assert all(e.scenario.startswith("episode_") for e in EPISODES)
