"""Campaigns (市场活动): motor shows, in-store events, online campaigns and outreach, the leads invited to them,
and the visits that name them (attendance)."""
