"""`kinerja directory import` and `kinerja accounts create`, as an administrator runs them."""

from __future__ import annotations

from click.testing import CliRunner

from kinerja360.cli import main
from tests.integration.gateway.conftest import login

UNITS = "id,name,parent_id\nbappeda,Bappeda,\numpeg,Sub Bagian Umum,bappeda\n"
EMPLOYEES = (
    "nip,name,position,unit_id,golongan,position_kind,education,echelon,supervisor_nip\n"
    "196505051990031001,Budi,Kasubag,umpeg,III/d,structural,S-2,IV.a,\n"
    "198001012005012002,Dewi,Staf,umpeg,II/c,functional,SMA,,196505051990031001\n"
    "198102022006011003,Agus,Staf,nowhere,II/c,functional,SMA,,196505051990031001\n"
)


def run(args: list[str], env: dict, tmp_path):
    return CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path)], env=env)


def test_import_from_the_command_line_reports_row_by_row(gateway_app, gateway_settings, tmp_path):
    env = {
        "MONGO_URL": gateway_settings.mongo_url,
        "BROKER_URL": "memory://",
        "JWT_SECRET": gateway_settings.jwt_secret,
        "MONGO_DB_PREFIX": gateway_settings.mongo_db.removesuffix("_gateway"),
    }
    (tmp_path / "units.csv").write_text(UNITS)
    (tmp_path / "employees.csv").write_text(EMPLOYEES)
    units = run(["directory", "import", str(tmp_path / "units.csv")], env, tmp_path)
    assert units.exit_code == 0, units.output
    assert "units: 2 created" in units.output

    refused = run(["directory", "import", str(tmp_path / "employees.csv")], env, tmp_path)
    assert refused.exit_code == 1
    assert "line 4" in refused.output and "unit_id" in refused.output
    db = gateway_app.extensions["kinerja"].db
    assert db["employees"].count_documents({}) == 0

    partial = run(
        ["directory", "import", str(tmp_path / "employees.csv"), "--partial"], env, tmp_path
    )
    assert partial.exit_code == 0, partial.output
    assert "2 created, 0 updated, 0 unchanged, 1 rejected" in partial.output
    assert "Importing" in partial.output  # the progress bar
    assert db["audit"].find_one({"entity_id": "198001012005012002"})["actor"].startswith("cli:")

    created = run(
        ["accounts", "create", "dewi", "--nip", "198001012005012002", "--password", "rahasia-123"],
        env,
        tmp_path,
    )
    assert created.exit_code == 0, created.output
    assert login(gateway_app.test_client(), "dewi").status_code == 200
    weak = run(["accounts", "create", "agus", "--password", "short"], env, tmp_path)
    assert weak.exit_code == 1
    assert "password" in weak.output
