"""Leads (销售线索): inquiries, customer files, follow-ups, visits and test drives."""
