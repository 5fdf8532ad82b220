"""The handbacks section (being built)."""

from flask import abort


def view(ret, sec):
    abort(404)


def summary(ret, data):
    return []


actions: dict = {}
