"""A consultant's day (今日待办) and a lead's history: reads over the leads tables, no writes of their own."""
