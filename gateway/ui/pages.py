"""Rendering pages: the one place that knows the base template's needs."""

from __future__ import annotations

from flask import render_template

from gateway.ui.forms import Form


def page(template: str, status: int = 200, **context):
    """A full page from templates/ui/."""
    return render_template(f"ui/{template}", **context), status


def form_page(template: str, form: Form, status: int | None = None, **context):
    """A page with a form; 422 when the form came back with errors, so tools can tell."""
    return page(template, status or (422 if form.errors else 200), form=form, **context)


def error_page(status: int, message: str):
    return render_template("ui/error.html", status=status, message=message), status
