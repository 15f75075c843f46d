import json

from click.testing import CliRunner

from services.appraisal.cli import appraisal_group

EXAMPLE = {
    "scheme": {
        "weights": {"superior": 0.5, "peer": 0.3, "subordinate": 0.2, "self": 0},
        "min_raters": {"peer": 3, "subordinate": 3},
        "bias_correction": True,
    },
    "ratings": [
        {
            "rater": "boss",
            "ratee": "e1",
            "group": "superior",
            "dimension": "integritas",
            "score": 80,
        },
        {"rater": "p1", "ratee": "e1", "group": "peer", "dimension": "integritas", "score": 70},
        {"rater": "p2", "ratee": "e1", "group": "peer", "dimension": "integritas", "score": 75},
        {"rater": "p3", "ratee": "e1", "group": "peer", "dimension": "integritas", "score": 72},
        {"rater": "e1", "ratee": "e1", "group": "self", "dimension": "integritas", "score": 95},
    ],
}


def combine(text: str):
    return CliRunner().invoke(appraisal_group, ["combine"], input=text)


def test_the_example_is_combined_on_stdout():
    result = combine(json.dumps(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    e1 = out["ratees"]["e1"]
    assert isinstance(e1["score"], float)
    assert e1["groups"]["peer"]["counted"] and e1["self_gap"] > 0
    assert out["cycle"]["components"] == 1
    assert result.stderr == ""


def test_bad_json_exits_2_with_a_json_error():
    result = combine("{not json")
    assert result.exit_code == 2
    assert json.loads(result.stderr)["error"]["fields"]["document"]


def test_an_invalid_document_exits_2_naming_the_field():
    bad = json.loads(json.dumps(EXAMPLE))
    bad["ratings"][0]["score"] = None
    result = combine(json.dumps(bad))
    assert result.exit_code == 2
    assert "ratings[0].score" in json.loads(result.stderr)["error"]["fields"]
