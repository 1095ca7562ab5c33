"""The supervisor's scorecard (绩效考核表), commission (提成) and the month's template they follow, and who in a
group delivered what against which target: what the scorecard, the commissions and the groups' reports share."""
