"""Narrative stress tests: narratives, the claim language, the runs and their analysis (PRIM,
Wilson, McNemar). The report and its figures are rendered by `interlock.reports.stress`."""
