"""A service's copy of the directory: the newest version wins, whatever the arrival order."""

from kinerja import directory_replica
from kinerja.bus.envelope import Envelope
from kinerja.config import Settings
from kinerja.mongo import UnitOfWork, connect
from tests.support import bus_env

NIP = "198001012005012002"


def upserted(version: int, name: str) -> Envelope:
    data = {
        "nip": NIP,
        "name": name,
        "position": "Staf",
        "unit_id": "umpeg",
        "golongan": "II/c",
        "echelon": None,
        "position_kind": "functional",
        "education": "SMA",
        "supervisor_nip": None,
        "active": True,
        "version": version,
    }
    return Envelope.new("gateway.employee.upserted", data, producer="gateway")


def test_an_older_version_arriving_late_does_not_overwrite_a_newer_one(mongo_url, namespace):
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    client = connect(settings)
    db = client[settings.mongo_db]
    uow = UnitOfWork(client, db, "appraisal")
    for event in (upserted(2, "Dewi Lestari"), upserted(1, "Dewi")):
        uow(lambda tx, event=event: directory_replica.apply_employee(event, tx))
    assert directory_replica.find_employee(db, NIP)["name"] == "Dewi Lestari"
    gone = Envelope.new(
        "gateway.employee.deactivated",
        {"nip": NIP, "unit_id": "umpeg", "supervisor_nip": None, "version": 3},
        producer="gateway",
    )
    uow(lambda tx: directory_replica.apply_employee(gone, tx))
    copy = directory_replica.find_employee(db, NIP)
    assert (copy["active"], copy["name"]) == (False, "Dewi Lestari")
    client.drop_database(settings.mongo_db)
