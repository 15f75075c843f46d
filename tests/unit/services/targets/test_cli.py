import json

import pytest
from click.testing import CliRunner

from services.targets.cli import skp_group

EXAMPLE = {
    "activities": [
        {
            "target": {"quantity": 12, "quality": 100, "months": 12, "cost": 0},
            "realization": {"quantity": 12, "quality": 90, "months": 10, "cost": 0},
        }
    ],
    "extra_tasks": 2,
    "creativity": None,
}


def score(text: str, *args: str):
    return CliRunner().invoke(skp_group, ["score", *args], input=text)


def test_the_example_document_is_scored_on_stdout():
    result = score(json.dumps(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    scored = json.loads(result.stdout)
    activity = scored["activities"][0]
    assert (activity["quantity"], activity["quality"], activity["cost"]) == (100, 90, None)
    assert activity["time"] == pytest.approx(92.666666666667, abs=1e-9)
    assert activity["score"] == pytest.approx(94.222222222222, abs=1e-9)
    assert scored["extra_tasks_points"] == 1
    assert scored["creativity_points"] == 0
    assert scored["skp_score"] == pytest.approx(95.222222222222, abs=1e-9)
    assert result.stderr == ""


def test_pretty_output_is_the_same_document_indented():
    plain, pretty = score(json.dumps(EXAMPLE)), score(json.dumps(EXAMPLE), "--pretty")
    assert pretty.exit_code == 0
    assert "\n  " in pretty.stdout
    assert json.loads(pretty.stdout) == json.loads(plain.stdout)


def test_a_document_may_come_from_a_file(tmp_path):
    path = tmp_path / "skp.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8-sig")
    result = CliRunner().invoke(skp_group, ["score", str(path)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["extra_tasks_points"] == 1


def test_invalid_json_exits_2_with_a_json_error_on_stderr():
    result = score('{"activities": [')
    assert result.exit_code == 2
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "validation_failed"
    assert "document" in error["fields"]


def test_a_quality_over_100_exits_2_naming_the_field():
    document = json.loads(json.dumps(EXAMPLE))
    document["activities"][0]["realization"]["quality"] = 120
    result = score(json.dumps(document))
    assert result.exit_code == 2
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "validation_failed"
    assert list(error["fields"]) == ["activities[0].realization.quality"]
