"""Maintenance (保养): each car's plan, the reminder desk's calls (保养提醒) and service appointments (预约)."""
