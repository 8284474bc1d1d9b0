"""Thin views: get the object through for_user, validate a form, call one action, render."""
