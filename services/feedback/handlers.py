"""Events the feedback service consumes (none yet: the directory arrives with the gateway)."""

from kinerja.bus.consumer import Subscriptions

subscriptions = Subscriptions()
