from pipeline.alerts.rules import Rule
from pipeline.tools.bench.alerts import journalist_rules, summary


def test_the_summary_compares_the_medians_of_alternating_runs() -> None:
    runs = [
        {"rules": 0, "indexed_per_s": 100.0, "matched_per_s": 100.0},
        {"rules": 10000, "indexed_per_s": 80.0, "matched_per_s": 70.0},
        {"rules": 0, "indexed_per_s": 120.0, "matched_per_s": 110.0},
        {"rules": 10000, "indexed_per_s": 95.0, "matched_per_s": 90.0},
        {"rules": 0, "indexed_per_s": 110.0, "matched_per_s": 105.0},
        {"rules": 10000, "indexed_per_s": 99.0, "matched_per_s": 97.0},
    ]
    assert summary(runs) == [
        {"rules": 0, "runs": 3, "indexed_per_s": 110.0, "matched_per_s": 105.0, "ingestion_cost_pct": 0.0},
        {"rules": 10000, "runs": 3, "indexed_per_s": 95.0, "matched_per_s": 90.0, "ingestion_cost_pct": 13.6},
    ]


def test_without_a_run_with_no_rules_there_is_no_cost_to_state() -> None:
    assert "ingestion_cost_pct" not in summary([{"rules": 10, "indexed_per_s": 5.0, "matched_per_s": 4.0}])[0]


def test_the_generated_rules_are_the_same_for_a_seed_and_named_apart() -> None:
    def shapes(rules: list[Rule]) -> list[tuple[object, ...]]:
        return [(rule.name, rule.query, rule.languages, rule.kinds) for rule in rules]

    rules = journalist_rules(500)
    assert shapes(rules) == shapes(journalist_rules(500))
    assert len({rule.name for rule in rules}) == 500
