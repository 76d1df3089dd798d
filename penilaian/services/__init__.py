"""Services of the monthly cycle. Views call these; every rule of SPEC §5, §6, §9 is checked
here (a forged POST meets the same checks as the form)."""
