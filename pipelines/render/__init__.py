"""What a run or a month looks like to people: the validation report, the month page, charts."""
