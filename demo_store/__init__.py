"""Demo data (演示数据): ``dealer seed`` fills a running store through its own HTTP APIs.

The plan (``plan.py`` with ``stock.py``, ``sales.py`` and ``care.py``) is a pure
function of the seed number, the period and the scale: the same arguments give
the same list of actions. The runner (``runner.py``) then plays the actions in
business-time order against the services, each past record keyed in with its
``occurred_at`` as staff enter a paper register (补录).
"""
