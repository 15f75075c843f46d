"""Personal data (UU 27/2022): the employee's one-file export, collected from every service,
and HR's retention period with the purge it drives across the services that own
expirable data. api, schemas, domain, store, commands, queries, as in the other packages;
upstream.py here is the fan-out to the services."""
