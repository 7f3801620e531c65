"""Shared foundations: settings and the base of the error tree."""
