"""Groups' meetings (晨会/夕会/周会): recorded by the group's supervisor or a sales manager, and how many of the
month's were held on time with minutes (line 1 of the supervisor's scorecard)."""
