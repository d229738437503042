# Await Lens Python tracer, entry point: runs a program as `python FILE` would and writes an
# NDJSON trace (src/trace/format.ts, docs/trace-format.md) of its asyncio tasks while it runs.
# Stdlib only, Python 3.8-3.13.
#
#   python awaitlens_tracer.py --out TRACE [--blocking-ms N] -- FILE [ARGS...]
#
# The tracer proper is awaitlens_tracer_core.py, imported rather than run: a script is compiled
# from source on every run (10-16 ms for the tracer), a module's bytecode is cached.
# This file must parse on Python 2 to say it is too old.
import sys

if sys.version_info < (3, 8):
    sys.stderr.write('Await Lens needs Python 3.8 or newer to trace; %s is Python %s\n' % (
        sys.executable, sys.version.split()[0]))
    sys.exit(2)

import os


def _load_core():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)   # (not relying on the script's directory: -P / PYTHONSAFEPATH)
    # Cache the tracer's own bytecode beside it even under PYTHONDONTWRITEBYTECODE, which is
    # about the user's code: restored before the program's first import.
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        import awaitlens_tracer_core
    finally:
        sys.dont_write_bytecode = dont_write
        sys.path.remove(here)
    return awaitlens_tracer_core


if __name__ == '__main__':
    _load_core().main()
