"""Daily work logs: entries against SKP activities, supervisor verification, workload."""
