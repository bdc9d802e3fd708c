"""Puts the Python stubs generated from proto/ at build time on sys.path.

Looked for in $TOUCHLINE_PYTHON_STUBS, then gen/ beside these scripts, then the build tree
(build/client/python/gen). Import this module before any touchline.v1 module.
"""
import os
import sys


def add_stub_path():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("TOUCHLINE_PYTHON_STUBS", ""),
                  os.path.join(here, "gen"),
                  os.path.join(here, "..", "..", "build", "client", "python", "gen")]
    for c in candidates:
        if c and os.path.isdir(os.path.join(c, "touchline")):
            sys.path.insert(0, c)
            return


add_stub_path()
