"""The platform assembled: the `kinerja` command, `kinerja up` (the local stack), the
components' registry, the demo data and the harness that starts a stack for the tests,
the bench and the load run. It imports the kit (kinerja/), the gateway and the services;
none of them imports it.
"""
