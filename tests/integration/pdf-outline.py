#!/usr/bin/python3
"""Prints a PDF's bookmarks as poppler reads them: "TITLE -> PAGE" (from 1), children
indented by two spaces. For tests/integration/test-dossier.sh."""
import sys

import gi

gi.require_version("Poppler", "0.18")
from gi.repository import GLib, Poppler  # noqa: E402


def page_of(doc, action):
    dest = action.goto_dest.dest
    if dest.type == Poppler.DestType.NAMED:
        dest = doc.find_dest(dest.named_dest)
    return dest.page_num


def walk(doc, it, depth):
    while True:
        action = it.get_action()
        print(f"{'  ' * depth}{action.any.title} -> {page_of(doc, action)}")
        child = it.get_child()
        if child is not None:
            walk(doc, child, depth + 1)
        if not it.next():
            return


doc = Poppler.Document.new_from_file(GLib.filename_to_uri(sys.argv[1]), None)
top = Poppler.IndexIter.new(doc)
if top is not None:
    walk(doc, top, 0)
