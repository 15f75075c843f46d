"""A service's copy of the directory: the newest version wins, whatever the arrival order."""

from kinerja import directory_replica
from kinerja.config import Settings
from kinerja.contracts import gateway
from kinerja.mongo import UnitOfWork, connect
from tests.support import bus_env, deliver, employee_record

NIP = "198001012005012002"


def test_an_older_version_arriving_late_does_not_overwrite_a_newer_one(mongo_url, namespace):
    settings = Settings.from_env("appraisal", bus_env(mongo_url, "memory://", namespace))
    client = connect(settings)
    db = client[settings.mongo_db]
    uow = UnitOfWork(client, db, "appraisal")
    for version, name in ((2, "Dewi Lestari"), (1, "Dewi")):
        record = employee_record(NIP, None, name=name, version=version)
        deliver(uow, directory_replica.apply_employee, gateway.EMPLOYEE_UPSERTED, record)
    assert directory_replica.find_employee(db, NIP)["name"] == "Dewi Lestari"
    gone = {"nip": NIP, "unit_id": "umpeg", "supervisor_nip": None, "version": 3}
    deliver(uow, directory_replica.apply_employee, gateway.EMPLOYEE_DEACTIVATED, gone)
    copy = directory_replica.find_employee(db, NIP)
    assert (copy["active"], copy["name"]) == (False, "Dewi Lestari")
    client.drop_database(settings.mongo_db)
