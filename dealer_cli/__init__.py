"""The ``dealer`` command: run, migrate, mint tokens, replay dead letters, seed the demo store.

A tool over the kernel, not part of it: it imports ``shared`` and the installed services'
specs; nothing in ``shared`` or in a service imports it.
"""
