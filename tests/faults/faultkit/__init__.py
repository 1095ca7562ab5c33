"""What the fault tests share: the platform's processes, the stream of actions, faults, reconciliation."""
