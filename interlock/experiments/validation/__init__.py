"""Validation: the model beside data and published results (checks, episodes, calibration). The
report is rendered by `interlock.reports.validation`."""
