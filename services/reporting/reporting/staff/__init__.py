"""The staff directory (员工名录) and the sales groups (小组) with their members over time: the sales managers' own
inputs, which a rebuild never touches, and the groups' funnels are read by."""
