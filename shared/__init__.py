"""The dealership platform's common kernel: config, database, events, HTTP plumbing.

Every service installs it; no service imports another service.
"""
