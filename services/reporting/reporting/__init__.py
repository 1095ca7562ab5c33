"""Reporting (报表): KPIs from the event stream, reports and the managers' dashboard."""
