"""`kinerja logs import`: history from the command line, with a progress bar and a report."""

from click.testing import CliRunner

from kinerja360.cli import main
from tests.integration.services.logs.conftest import STAFF


def test_import_from_the_command_line(app, settings, tmp_path, client, people):
    # January is past the days-back rule, which the command applies as the API does
    for day in ("2026-01-05", "2026-01-06"):
        reopened = client.post(
            f"/api/v1/employees/{STAFF}/reopened-days", json={"date": day}, headers=people.boss
        )
        assert reopened.status_code == 204
    csv = tmp_path / "log.csv"
    csv.write_text(
        "nip,date,activity_id,description,completes_output,quantity,minutes\n"
        f"{STAFF},2026-01-05,agenda-surat,Mengagendakan surat masuk Januari minggu 1,true,30,120\n"
        f"{STAFF},2026-01-06,agenda-surat,singkat,,,120\n"
    )
    env = {
        "MONGO_URL": settings.mongo_url,
        "BROKER_URL": "memory://",
        "JWT_SECRET": settings.jwt_secret,
        "MONGO_DB_PREFIX": settings.mongo_db.removesuffix("_logs"),
    }
    result = CliRunner().invoke(
        main, ["logs", "import", str(csv), "--data-dir", str(tmp_path)], env=env
    )
    assert result.exit_code == 1
    assert "1 of 2 entries imported, 1 rejected" in result.output
    assert "line 3" in result.output and "min_description_length" in result.output
    assert "Importing" in result.output
    assert app.extensions["kinerja"].db["entries"].count_documents({}) == 1
