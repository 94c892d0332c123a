"""Figures and the interactive app."""
