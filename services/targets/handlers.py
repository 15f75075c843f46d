"""Events the targets service consumes: one small function each."""

from kinerja.bus.consumer import Subscriptions
from kinerja.directory_replica import keep_directory_copy

subscriptions = Subscriptions()
keep_directory_copy(subscriptions)
