# Await Lens Python tracer, the tracer proper (awaitlens_tracer.py is the entry point that
# imports it): runs a program as `python FILE` would and writes an NDJSON trace
# (src/trace/format.ts, docs/trace-format.md) of its asyncio tasks while it runs.
# Stdlib only, Python 3.8-3.13.
#
# How it works, cheaply (sys.setprofile would be far too slow):
# - every loop callback runs through events.Handle._run; we replace it, for the handles
#   loop.call_soon makes (task steps and wakeups among them), with a copy that, when the
#   callback is a task's step or wakeup, records the step when it ends (one `step` record:
#   resume and suspend; or `resume` and `end`), walking the coroutine chain (cr_await /
#   gi_yieldfrom) for the await site and what it waits on. A step that runs long has its `resume`
#   written while it runs (by the monitor), so a stuck program shows which task is stuck;
# - loop._call_soon makes handles that remember what was running when they were scheduled (the
#   task, timer or I/O callback): that is the `cause` of the resume they lead to;
# - BaseEventLoop.create_task is wrapped (so whatever task factory the user set, eager ones too,
#   stays in place) to record each task with its parent and creation site;
# - the selector's select() is wrapped for idle time, and to write the queued records to the
#   file between loop iterations (before the loop waits, or every ~2,000 records);
# - a monitor looks at the main thread now and then (a timer signal handled on the main thread,
#   or a thread where there is no such timer): it samples long steps (blocking warnings) and
#   writes the queue when the main thread has not for 50 ms, so a kill loses at most the last
#   few tens of milliseconds. SIGTERM / ^C write everything plus an exit record.
import sys
import os

# This file and the entry point: their frames are the tracer's, never the user's.
_TRACER_FILES = (os.path.abspath(__file__), os.path.join(os.path.dirname(os.path.abspath(__file__)), 'awaitlens_tracer.py'))
VERSION = '0.1.0'


def _parse_args(argv):
    out = None
    blocking_ms = 100.0
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--out':
            out = argv[i + 1]
            i += 2
        elif a == '--blocking-ms':
            blocking_ms = float(argv[i + 1])
            i += 2
        elif a == '--':
            i += 1
            break
        else:
            break
    rest = argv[i:]
    if not rest:
        sys.stderr.write('usage: awaitlens_tracer.py --out TRACE [--blocking-ms N] -- FILE [ARGS...]\n')
        sys.exit(2)
    return out, blocking_ms, rest[0], rest[1:]


def main():
    out, blocking_ms, file_arg, prog_args = _parse_args(sys.argv[1:])
    path = os.path.abspath(file_arg)
    try:
        with open(path, 'rb') as f:
            source = f.read()
    except OSError as e:
        # The same words `python FILE` uses.
        sys.stderr.write("%s: can't open file %r: [Errno %s] %s\n" % (
            os.path.basename(sys.executable), file_arg, e.errno, e.strerror))
        sys.exit(2)

    tracer = _Tracer(out, blocking_ms, path, [file_arg] + prog_args)
    sys.argv[:] = [file_arg] + prog_args
    sys.path[0] = os.path.dirname(path)
    tracer.start()
    try:
        code = compile(source, path, 'exec', dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        import traceback
        sys.stderr.write(''.join(traceback.format_exception_only(type(e), e)))
        _syntax_error_warning(e, path)
        tracer.finish(1)
        sys.exit(1)

    import types
    import builtins
    module = types.ModuleType('__main__')
    # (the builtins module, as `python FILE` gives __main__; this module's __builtins__ is its dict)
    module.__dict__.update({'__file__': path, '__cached__': None, '__builtins__': builtins,
                            '__loader__': None, '__spec__': None, '__package__': None})
    # Keep this tracer's own module alive once the program's __main__ replaces it.
    tracer.own_module = sys.modules.get('__main__')
    sys.modules['__main__'] = module
    try:
        exec(code, module.__dict__)
        code_out = 0
    except SystemExit as e:
        code_out = e.code
    except KeyboardInterrupt as e:
        _print_uncaught(e)
        tracer.exit_signal = 'SIGINT'
        code_out = 130
    except BaseException as e:
        _print_uncaught(e)
        code_out = 1
    tracer.exit_code = _exit_status(code_out)
    # Normal shutdown follows: non-daemon threads are joined, the program's atexit handlers run,
    # then ours (registered first, so it runs last) writes the exit record.
    sys.exit(code_out)


def _syntax_error_warning(e, path):
    # So the summary can say in one line why nothing ran (Python's own message is on stderr).
    text = type(e).__name__
    msg = getattr(e, 'msg', None) or str(e)
    if msg:
        text += ': ' + msg
    line = getattr(e, 'lineno', None)
    site = 'null'
    if isinstance(line, int) and line > 0 and os.path.abspath(getattr(e, 'filename', None) or path) == path:
        col = getattr(e, 'offset', None)
        site = '{"file":%s,"line":%d,"col":%d}' % (_dumps(path), line, col if isinstance(col, int) and col > 0 else 1)
    _emit('{"type":"warning","kind":"syntax-error","t":%d,"task":null,"site":%s,"message":%s}' % (
        _now() - _T0, site, _dumps('the program did not run: ' + text)))


def _exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff   # what the OS makes of it: sys.exit(-1) is 255
    return 1


def _strip_tracer_frames(exc, seen):
    """Unlinks this tracer's frames from an exception's traceback (and its cause's and context's):
    `python FILE` would show asyncio's frames there, never ours (the loop runs our Handle._run)."""
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        first = prev = None
        tb = exc.__traceback__
        while tb is not None:
            nxt = tb.tb_next
            if os.path.abspath(tb.tb_frame.f_code.co_filename) not in _TRACER_FILES:
                if prev is None:
                    first = tb
                else:
                    prev.tb_next = tb
                prev = tb
            tb = nxt
        if prev is not None:
            prev.tb_next = None
        exc.__traceback__ = first
        if exc.__cause__ is not None:
            _strip_tracer_frames(exc.__cause__, seen)
        exc = exc.__context__


def _print_uncaught(exc):
    # The program's traceback as python would print it, without this file's frames.
    try:
        _strip_tracer_frames(exc, set())
    except Exception:
        pass
    tb = exc.__traceback__   # the default hook prints the exception's own traceback
    try:
        sys.excepthook(type(exc), exc, tb)
    except Exception:
        import traceback
        traceback.print_exception(type(exc), exc, tb)


class _Tracer(object):
    def __init__(self, out, blocking_ms, program, argv):
        self.out = out
        self.blocking_ms = blocking_ms
        self.program = program
        self.argv = argv
        self.exit_code = None
        self.exit_signal = None
        self.own_module = None
        self.finished = False

    def start(self):
        _install(self)

    def finish(self, code):
        self.exit_code = code


# ---------------------------------------------------------------------------------------------
# Recording. Everything below runs in the traced process; keep the hot path (_traced_run) lean.

import threading as _threading
import time as _time
import weakref as _weakref
import itertools as _itertools

_now = _time.perf_counter_ns
_T0 = _now()
_queue = []
_emit = _queue.append
_fd = -1
_write_lock = _threading.Lock()
_enabled = False
_tracer = None
_block_ns = 100 * 1000000
_main_ident = _threading.get_ident()

# JSON strings by json's own C encoders, without importing the json package (1.3 ms a run).
try:
    from _json import encode_basestring_ascii as _dumps, encode_basestring as _dumps_text
except ImportError:   # (a Python built without the _json accelerator)
    import json as _json
    _dumps = _json.dumps

    def _dumps_text(text):
        return _json.dumps(text, ensure_ascii=False)

# What the loop is running now: an int task id, a Handle (timer / I/O callback), _THREAD or None.
_running = [None]   # (a list cell: storing to a module global costs a dict insert per step)
# Step being run by the main thread, for the blocking sampler: start time (0: none) and a serial.
_samples = {}          # serial -> {(file, line): count}

_THREAD = 'thread'
# Causes as JSON record fields, without the record's closing brace. A step record leaves out the
# commonest, yield (_C_YIELD is empty); a resume record writes it (_RESUME_YIELD).
_C_START = ',"cause":{"kind":"start"}'
_C_YIELD = ''
_C_TIMER = ',"cause":{"kind":"timer"}'
_C_UNKNOWN = ',"cause":{"kind":"unknown"}'
_C_CANCEL = ',"cause":{"kind":"cancel"}'
_RESUME_YIELD = ',"cause":{"kind":"yield"}'

_get_running_loop = _current_task = None
_BaseTask = _OriginHandle = _TimerHandle = _Handle = None
_unstarted = set()
_live = {}             # task id -> weakref to the task (tasks not ended yet)
_next_id = [0]
_task_types = set()
_non_task_types = set()


_last_write = [0]


def _write_out(may_wait=True):
    """Drains the queue into the file: from the loop before it waits, the monitor, at exit."""
    if _fd < 0:
        return
    _last_write[0] = _now()
    if not _write_lock.acquire(may_wait):
        return   # (see _monitor_look)
    try:
        if not _queue:
            return
        # Only this function takes records out (under the lock); other threads may append
        # meanwhile, at the end only: the first n are exactly what this takes. (Each list
        # operation is atomic; no loop per record in Python, which cost as much as formatting it.)
        n = len(_queue)
        parts = _queue[:n]
        del _queue[:n]
        parts.append('')
        data = '\n'.join(parts).encode('utf-8', 'surrogatepass')
        try:
            while data:
                n = os.write(_fd, data)
                data = data[n:]
        except OSError:
            pass
    finally:
        _write_lock.release()


# --- code locations ---------------------------------------------------------------------------

_lib_prefixes = ()
# Caches by code object are keyed by id(code), the entry holding the code (so the id stays its
# own): hashing a code object hashes its bytecode (thousands of instructions on 3.12).
_code_info = {}        # id(code) -> (is_user, stack frame JSON prefix, file JSON, code)
_site_cache = {}       # (id(code), line) -> (site JSON, code)
_col_cache = {}


def _compute_lib_prefixes(program):
    # The standard library is where os.py is (lib-dynload inside it); installed packages are the
    # site-packages / dist-packages entries of sys.path (a venv's too). (sysconfig.get_paths()
    # says the same at a cost of ~5 ms per run.)
    prefixes = set()
    stdlib = os.path.dirname(os.path.abspath(os.__file__))
    for p in [stdlib] + [p for p in sys.path if p and ('site-packages' in p or 'dist-packages' in p)]:
        prefixes.add(os.path.abspath(p) + os.sep)
        prefixes.add(os.path.realpath(p) + os.sep)
    return tuple(sorted(prefixes))


def _info(code):
    info = _code_info.get(id(code))
    if info is None or info[3] is not code:
        fn = getattr(code, 'co_qualname', None) or code.co_name
        file = code.co_filename
        is_user = not (file.startswith('<') or file in _TRACER_FILES or file.startswith(_lib_prefixes)) \
            or (_tracer is not None and file == _tracer.program)
        if is_user and not file.startswith('<'):
            file = os.path.abspath(file)
        fj = _dumps(file)
        info = (is_user, '{"fn":%s,"file":%s,"line":' % (_dumps(fn), fj), fj, code)
        _code_info[id(code)] = info
    return info


def _col(file, line):
    key = (file, line)
    col = _col_cache.get(key)
    if col is None:
        import linecache
        text = linecache.getline(file, line)
        i = text.find('await ')
        if i < 0:
            i = len(text) - len(text.lstrip())
        col = i + 1
        _col_cache[key] = col
    return col


def _site(code, line):
    key = (id(code), line)
    s = _site_cache.get(key)
    if s is None or s[1] is not code:
        info = _info(code)
        s = ('{"file":%s,"line":%d,"col":%d}' % (info[2], line, _col(code.co_filename, line)), code)
        _site_cache[key] = s
    return s[0]


_runner_ids = set()    # ids of our loop-callback runners' code: a walk up the stack stops there


def _user_frame(f):
    """The innermost user frame at or above frame f, or None.

    The walk stops at the loop's callback runner: above it is only the asyncio.run(...) line,
    which is not where a callback's work comes from."""
    while f is not None:
        code = f.f_code
        if id(code) in _runner_ids:
            return None
        if _info(code)[0]:
            return f
        f = f.f_back
    return None


def _user_site_of_frame(f):
    """Site of the innermost user frame at or above frame f (creation sites, blocking samples)."""
    f = _user_frame(f)
    return 'null' if f is None else _site(f.f_code, f.f_lineno)


# --- tasks ------------------------------------------------------------------------------------

def _task_coro(task):
    """A task's coroutine, None once an eager task finished. `_coro` first: on 3.12.0/3.12.1
    get_coro() of an eager task that finished in its first step crashes the interpreter."""
    try:
        return task._coro
    except AttributeError:
        get = getattr(task, 'get_coro', None)
        return get() if get is not None else None


def _task_name(task):
    try:
        return task.get_name()
    except Exception:
        return 'Task'


def _coro_name(coro):
    name = getattr(coro, '__qualname__', None) or getattr(coro, '__name__', None)
    if name is None:
        name = type(coro).__name__
    return name


def _coro_def(coro):
    code = getattr(coro, 'cr_code', None) or getattr(coro, 'gi_code', None)
    if code is None:
        return 'null'
    return '{"file":%s,"line":%d,"col":1}' % (_info(code)[2], code.co_firstlineno)


_internal_codes = {}   # id(code) -> (verdict, code): asyncio's own housekeeping? (see _is_loop_internal)


def _is_loop_internal(coro, site):
    # asyncio's own housekeeping tasks: asyncio.run's shutdown_asyncgens / shutdown_default_executor,
    # a server's _accept_connection2. A library coroutine the user's code made a task of stays.
    code = getattr(coro, 'cr_code', None)
    if code is None:
        return False
    hit = _internal_codes.get(id(code))
    internal = hit[0] if hit is not None and hit[1] is code else None
    if internal is None:
        file = code.co_filename
        if os.path.basename(os.path.dirname(file)) != 'asyncio':
            internal = False
        else:
            name = getattr(code, 'co_qualname', None) or code.co_name
            internal = 'site' if not (name.rsplit('.', 1)[-1].startswith('_') or
                                      os.path.basename(file) in ('base_events.py', 'runners.py')) else True
        _internal_codes[id(code)] = (internal, code)
    return internal is True or (internal == 'site' and site == 'null')


def _register(task, t, parent, site, eager=False, coro=None):
    """Gives a task its id and writes its `task` record (id 0: not traced). `coro`: the coroutine
    it was made with, for an eager task that finished in its first step (it has none left)."""
    coro0 = _task_coro(task)
    if coro0 is None:
        coro0 = coro
    if _is_loop_internal(coro0, site):
        task._al_id = 0
        task._al = (0, None, None, None, None)
        return 0
    _next_id[0] += 1
    tid = _next_id[0]
    task._al_id = tid
    task._al_r = '{"type":"resume","task":%d,"t":' % tid
    task._al_s = '{"type":"suspend","task":%d,"t":' % tid
    # One attribute read per step in _traced_run: id, record prefixes, and the table of where
    # its coroutine stands (_positions; None: not a coroutine, always the full walk).
    positions = None
    if coro0.__class__ is _CoroType:
        positions = _positions.get(id(coro0.cr_code))
        if positions is None:
            positions = _positions[id(coro0.cr_code)] = {}
            _tree_codes.append(coro0.cr_code)   # (keeps the id its key)
    task._al = (tid, task._al_r, '{"type":"step","task":%d,"t":' % tid, positions, coro0)
    # The record waits until the creating step ends (or the task first runs): TaskGroup and
    # create_task(name=...) on some versions name the task only after the factory made it.
    _pending_tasks.append((task, coro0, tid, t, parent, site, eager))
    if eager:
        _flush_tasks()
    _unstarted.add(tid)
    try:
        _live[tid] = _weakref.ref(task)
    except TypeError:
        _live[tid] = None
    return tid


_pending_tasks = []
_coro_json = {}        # (id(code), name) -> (code, '"coro":NAME,"parent":', def SITE) for task records


def _json_name(name):
    # Task names are mostly "Task-12": no escaping needed, skip json.dumps.
    if name.__class__ is str and name.isascii() and name.replace('-', '').replace('_', '').isalnum():
        return '"' + name + '"'
    return _dumps(name)


def _flush_tasks():
    pending = _pending_tasks[:]
    del _pending_tasks[:len(pending)]
    for task, coro, tid, t, parent, site, eager in pending:
        code = getattr(coro, 'cr_code', None)
        name = _coro_name(coro)   # (per coroutine: functools.wraps wrappers share one code object)
        key = (id(code), name)
        hit = _coro_json.get(key)
        if hit is None or hit[0] is not code:
            hit = (code, '"coro":%s,"parent":' % _dumps(name), _coro_def(coro))
            if code is not None:
                _coro_json[key] = hit
        _, cj, cd = hit
        name = _task_name(task)
        try:
            task._al_name = name   # (compared at its end, and when asyncio names it: _note_name)
        except Exception:
            pass
        _emit('{"type":"task","task":%d,"name":%s,%s%s,"t":%d,"site":%s,"def":%s,"kind":"task"%s}' % (
            tid, _json_name(name), cj, 'null' if parent is None else parent,
            t - _T0, site, cd, ',"eager":true' if eager else ''))
    if _pending_tasks:
        _flush_tasks()   # (a task record can make another: a name that creates a task, rarely)


def _note_name(task, t=None):
    """Writes a `rename` record when a task's name changed since its `task` record was written
    (an eager task named after its first step ran, a task that renamed itself)."""
    try:
        tid = task._al_id
        old = task._al_name
    except AttributeError:
        return   # not traced, or its record is still pending (it will carry the name then)
    name = _task_name(task)
    if tid and name != old:
        task._al_name = name
        _emit('{"type":"rename","task":%d,"t":%d,"name":%s}' % (
            tid, (_now() if t is None else t) - _T0, _json_name(name)))


def _make_set_task_name(orig):
    def _set_task_name(task, name):
        # asyncio.create_task(coro, name=...) and TaskGroup.create_task name the task only after
        # the loop made it (3.8-3.12): under an eager factory its record is written by then.
        orig(task, name)
        if _enabled and name is not None:
            try:
                _note_name(task)
            except Exception:
                pass
    return _set_task_name


def _tid(task):
    """Id of a task, registering one we did not see created (asyncio.Task(...) called directly)."""
    try:
        return task._al_id
    except AttributeError:
        pass
    pending = _creating[-1] if _creating else None
    if pending is not None and pending[0] is _task_coro(task):
        # An eager task running its first step inside create_task: we know its creator.
        coro, parent, site, t0 = pending
        tid = _register(task, t0, parent, site, eager=True, coro=coro)
        if not tid:
            return 0
        _emit(task._al_r + str(t0 - _T0) + _C_START + '}')
        _unstarted.discard(tid)
        task._al_eager_started = True
        return tid
    return _register(task, _now(), None, 'null')


def _current_tid():
    loop = _get_running_loop()
    if loop is None:
        return None
    try:
        task = _current_task(loop)
    except Exception:
        return None
    if task is None:
        return None
    return _tid(task) or None


_creating = []  # (coro, parent id, site JSON, t) while loop.create_task runs (eager first steps)


def _make_create_task(orig):
    def create_task(self, coro, *args, **kwargs):
        if not _enabled:
            return orig(self, coro, *args, **kwargs)
        parent = _current_tid()
        if parent is None and _running[0].__class__ is int and _threading.get_ident() == _main_ident:
            parent = _running[0]   # made by a callback that task scheduled (a done-callback, a protocol)
        site = _user_site_of_frame(sys._getframe(1))
        t0 = _now()
        _creating.append((coro, parent, site, t0))
        try:
            task = orig(self, coro, *args, **kwargs)
        finally:
            _creating.pop()
        if getattr(self, '_debug', False):
            # Debug mode's "created at": the user's line, as untraced (not this wrapper's).
            tb = getattr(task, '_source_traceback', None)
            if tb and tb[-1].filename in _TRACER_FILES:
                del tb[-1]
        if getattr(task, '_al_id', None) is not None:
            if getattr(task, '_al_eager_started', False):
                # Registered while its eager first step ran (it printed or created tasks).
                _after_step(task, task._al_id, _now())
                _note_name(task)   # (a name given after the factory: 3.13's loop.create_task)
            return task
        ran = False
        cr_frame = getattr(coro, 'cr_frame', False)
        if cr_frame is None:
            ran = True
        elif cr_frame is not False and getattr(coro, 'cr_suspended', False):
            ran = True
        if ran:
            tid = _register(task, t0, parent, site, eager=True, coro=coro)
            if not tid:
                return task
            _unstarted.discard(tid)
            _emit(task._al_r + str(t0 - _T0) + _C_START + '}')
            _after_step(task, tid, _now())
        else:
            _register(task, t0, parent, site, coro=coro)
            if _running[0] is None:
                _flush_tasks()   # not inside a step (module level, before the loop runs)
        return task
    return create_task


def _end(task, tid, t):
    _note_name(task, t)   # (renamed since its task record: set_name() later, in its own steps)
    if task.cancelled():
        outcome = '"cancelled"'
        err = ''
    else:
        exc = getattr(task, '_exception', None)
        if exc is None:
            outcome = '"returned"'
            err = ''
        else:
            outcome = '"raised"'
            text = type(exc).__name__
            msg = str(exc)
            if msg:
                text += ': ' + msg
            err = ',"error":' + _dumps(text)
    _emit('{"type":"end","task":%d,"t":%d,"outcome":%s%s}' % (tid, t - _T0, outcome, err))
    _live.pop(tid, None)


_frames_cache = {}     # (id(code), lasti, id(code), lasti, ...) -> description (see _describe_frames)
_tree = {}             # id(code) -> lasti -> id(code) -> ... -> {_LEAF: description}
_tree_codes = []
# id(code of a task's coroutine) -> f_lasti -> (class of what it awaits there, that coroutine's
# code or None, description): one lookup per step where the task itself awaits a future or a
# known asyncio call (sleep, Queue.get...), by far the commonest case. Deeper chains take _walk.
_positions = {}
_LEAF = -1
_STOP = -2
_FAST = -3   # node -> (code, child): the one code usually awaited there, compared by identity
_LEAF_KINDS = ('sleep', 'queue', 'locks', 'io', 'executor')


import types as _types
_CoroType = _types.CoroutineType
_GenType = _types.GeneratorType
_AgenType = _types.AsyncGeneratorType


def _find_agen_step_types():
    # The awaitables `async for` steps through: async_generator_asend / _athrow.
    types_ = set()
    try:
        async def agen():
            yield
        g = agen()
        for aw in (g.asend(None), g.athrow(GeneratorExit)):
            types_.add(aw.__class__)
            aw.close()
    except Exception:
        pass
    return types_


_agen_step_types = _find_agen_step_types()


def _agen_of(obj):
    """The async generator behind an `async for` step (its asend/athrow awaitable), or None."""
    if obj.__class__ not in _agen_step_types:
        return None
    import gc
    for r in gc.get_referents(obj):   # (no attribute leads from asend to its generator)
        if r.__class__ is _AgenType:
            return r
    return None


def _chain(coro):
    """The coroutine chain's frames, outermost first, and a cache key for where each one stands."""
    frames = []
    key = []
    c = coro
    while True:
        ct = c.__class__
        if ct is _CoroType:
            f = c.cr_frame
            n = c.cr_await
        elif ct is _GenType:
            f = c.gi_frame
            n = c.gi_yieldfrom
        elif ct is _AgenType:
            f = c.ag_frame
            n = c.ag_await
        else:
            c = _agen_of(c)
            if c is None:
                break
            continue
        if f is None:
            break
        frames.append(f)
        key.append(id(f.f_code))
        key.append(f.f_lasti)
        if n is None:
            break
        c = n
    return frames, tuple(key)


def _describe_frames(frames, key):
    """The suspend description of a coroutine chain (a list: its slots are described below).

    The api frame is the library function the user's innermost frame called: what it waits on.
    The stack keeps the user's frames and that call, not asyncio's internals below it."""
    hit = _frames_cache.get(key)
    if hit is not None:
        return hit
    user = -1
    for i, f in enumerate(frames):
        if _info(f.f_code)[0]:
            user = i
    keep = frames if user < 0 else frames[:user + 2]
    if user >= 0:
        site = _site(frames[user].f_code, frames[user].f_lineno)
        api_index = user + 1 if user + 1 < len(frames) else None
    else:
        site = 'null'
        api_index = 0 if frames else None
    api_code = frames[api_index].f_code if api_index is not None else None
    # asyncio.sleep, Queue.get, Lock.acquire, stream reads...: below them lies only asyncio's
    # own code, never the user's, so lookups stop at their code object (see _traced_run) and
    # the stack names them by the line of their `def`.
    stop_index = api_index if (user >= 0 and api_code is not None and _api_kind(api_code) in _LEAF_KINDS) else -1
    parts = [_info(f.f_code)[1] + '%d}' % (f.f_code.co_firstlineno if i == stop_index else f.f_lineno)
             for i, f in enumerate(keep)]
    where = '"site":' + site + ',"stack":[' + ','.join(parts) + ']'
    if api_code is not None and _api_kind(api_code) == 'sleep':
        bare = _SLEEP0
    else:
        bare = '{"kind":"immediate","label":"yield to the loop"}'
    # The codes ride along so that the ids in the key stay theirs.
    # Suspend records name their site and stack by the id of a `where` record written once
    # (most of a suspend's bytes otherwise); the tails below are made on first use (_where_*):
    # [0]: the record tail after "t" up to what it awaits: ',"where":N,"awaiting":';
    # [6]: the whole tail when what it awaits follows from where it stands alone (queue, lock,
    #      stream I/O): that awaiting is in the where record too;
    # [7]: the whole tail for a bare yield (asyncio.sleep(0)): the storm case;
    # [8]: the where record's site and stack;
    # [9]: the index of the asyncio call the description stops at (-1: none).
    hit = [None, site, api_code, api_index, bare, tuple(f.f_code for f in frames), None, None, where, stop_index]
    if len(_frames_cache) < 100000:
        _frames_cache[key] = hit
        # The same, as a tree walked level by level in _traced_run without allocating.
        node = _tree
        for i, f in enumerate(frames):
            parent = node
            node = node.setdefault(id(f.f_code), {})
            if _FAST not in parent:
                parent[_FAST] = (f.f_code, node)
            if i == stop_index:
                node[_STOP] = True
                break
            node = node.setdefault(f.f_lasti, {})
        node[_LEAF] = hit
    return hit


def _site_of_task(task):
    frames, key = _chain(_task_coro(task))
    return _describe_frames(frames, key)[1]


def _after_step(task, tid, t):
    if _pending_tasks:
        _flush_tasks()
    if task.done():
        _end(task, tid, t)
        return
    frames, key = _chain(_task_coro(task))
    hit = _frames_cache.get(key) or _describe_frames(frames, key)
    fut = task._fut_waiter
    _emit(task._al_s + str(t - _T0)
          + ((hit[7] or _where_bare(hit)) if fut is None else (hit[6] or _where_awaiting(fut, frames, hit))))


# --- where records: a suspend's site and stack, written once, named by id --------------------

_where_ids = _itertools.count(1)   # (next() on a count is atomic: loops in other threads emit too)


def _where(body):
    """Writes a where record and gives its id. Always before the first suspend naming it: the
    id reaches a cached tail only after the record is queued."""
    wid = next(_where_ids)
    _emit('{"type":"where","id":%d,%s}' % (wid, body))
    return wid


def _where_bare(hit):
    tail = ',"where":%d}' % _where(hit[8] + ',"awaiting":' + hit[4])
    hit[7] = tail
    return tail


def _where_awaiting(fut, frames, hit, task=None):
    """The suspend tail after "t" for a task that awaits `fut` here."""
    if frames is None:
        frames = _chain(task._coro)[0]
    aw, static = _awaiting_of(fut, frames, hit[2], hit[3])
    if static:
        tail = ',"where":%d}' % _where(hit[8] + ',"awaiting":' + aw)
        hit[6] = tail
        return tail
    head = hit[0]
    if head is None:
        head = hit[0] = ',"where":%d,"awaiting":' % _where(hit[8])
    return head + aw + '}'


# --- what a task waits on ----------------------------------------------------------------------

_SLEEP0 = '{"kind":"sleep","label":"asyncio.sleep(0)","delay":0}'
_api_kind_cache = {}


def _api_kind(code):
    hit = _api_kind_cache.get(id(code))
    k = hit[0] if hit is not None and hit[1] is code else None
    if k is None:
        base = os.path.basename(code.co_filename)
        name = code.co_name
        folder = os.path.basename(os.path.dirname(code.co_filename))
        k = ''
        if folder == 'asyncio':
            if base == 'tasks.py':
                if name == 'sleep':
                    k = 'sleep'
                elif name in ('wait', '_wait'):
                    k = 'wait'
                elif name == 'wait_for':
                    k = 'wait_for'
                elif name == '_wait_for_one':
                    k = 'as_completed'
            elif base == 'taskgroups.py':
                k = 'taskgroup'
            elif base == 'queues.py':
                k = 'queue'
            elif base == 'locks.py':
                k = 'locks'
            elif base in ('streams.py', 'selector_events.py', 'proactor_events.py', 'base_events.py',
                          'unix_events.py', 'windows_events.py', 'subprocess.py', 'sslproto.py'):
                k = 'io'
            elif base == 'threads.py':
                k = 'executor'
            elif base == 'timeouts.py':
                k = 'timeout'
        _api_kind_cache[id(code)] = (k, code)
    return k


def _ids(futs):
    out = []
    for f in futs:
        if f.__class__ in _task_types or isinstance(f, _BaseTask):
            tid = _tid(f)
            if tid:
                out.append(tid)
    return out


def _task_label(task):
    return '%s (%s)' % (_task_name(task), _coro_name(_task_coro(task)))


def _group(how, members, label):
    """A wait on several awaitables; `label` has a %s for what they are ("3 tasks", "1 task,
    2 futures": executor jobs and plain futures are members too, though only tasks have ids)."""
    ids = _ids(members)
    n, other = len(ids), len(members) - len(ids)
    what = '%d task%s' % (n, '' if n == 1 else 's') if n or not other else ''
    if other:
        what += '%s%d future%s' % (', ' if what else '', other, '' if other == 1 else 's')
    return '{"kind":"tasks","label":%s,"tasks":[%s],"how":"%s"}' % (
        _dumps(label % what), ','.join(map(str, ids)), how)


def _fmt_num(x):
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return repr(x)


def _fmt_label_num(x):
    """A number for a label, short: 0.1 + 0.2 reads 0.3 (the record's own field keeps it exact)."""
    text = _fmt_num(x)
    if len(text) <= 8 or not isinstance(x, float):
        return text
    if abs(x) >= 1:
        return ('%.3f' % x).rstrip('0').rstrip('.')
    return '%.3g' % x


def _awaiting_of(fut, frames, api_code, api_index):
    """(awaiting JSON, True when it depends only on the code position, so it can be cached)."""
    kind = _api_kind(api_code) if api_code is not None else ''
    api = frames[api_index] if api_index is not None else None
    static = kind in ('queue', 'locks', 'io', 'executor') and not getattr(fut, '_al_executor', False)
    return _awaiting_text(fut, frames, api_code, api_index, kind, api), static


def _awaiting_text(fut, frames, api_code, api_index, kind, api):
    try:
        if kind == 'sleep':
            delay = api.f_locals.get('delay')
            if isinstance(delay, (int, float)):
                return '{"kind":"sleep","label":%s,"delay":%s}' % (
                    _dumps('asyncio.sleep(%s)' % _fmt_label_num(delay)), _fmt_num(delay))
        elif kind == 'wait':
            fs = api.f_locals.get('fs') or ()
            return _group('wait', list(fs), 'asyncio.wait(%s)')
        elif kind == 'wait_for':
            inner = api.f_locals.get('fut')
            timeout = api.f_locals.get('timeout')
            members = [inner] if inner is not None else []
            if fut.__class__ in _task_types and not members:
                members = [fut]
            if not _ids(members):   # (3.12+ awaits a coroutine in the caller's own task)
                return '{"kind":"tasks","label":%s,"tasks":[],"how":"wait_for"}' % _dumps(
                    'asyncio.wait_for(timeout=%s)' % _fmt_label_num(timeout))
            return _group('wait_for', members, 'asyncio.wait_for(%%s, timeout=%s)' % _fmt_label_num(timeout))
        elif kind == 'as_completed':
            loc = api.f_locals
            todo = loc.get('todo')
            if todo is None:
                owner = loc.get('self')
                todo = getattr(owner, '_todo', None) or ()
            if not todo:
                return '{"kind":"tasks","label":"asyncio.as_completed(): next result","tasks":[],"how":"as_completed"}'
            return _group('as_completed', list(todo), 'asyncio.as_completed(%s pending)')
        elif kind == 'taskgroup':
            owner = api.f_locals.get('self')
            return _group('taskgroup', list(getattr(owner, '_tasks', ()) or ()), 'TaskGroup (%s)')
        elif kind == 'queue':
            owner = api.f_locals.get('self')
            op = api_code.co_name
            return '{"kind":"queue","label":%s,"op":%s}' % (
                _dumps('%s.%s()' % (type(owner).__name__ if owner is not None else 'Queue', op)), _dumps(op))
        elif kind == 'locks':
            owner = api.f_locals.get('self')
            if api_code.co_name.startswith('__a'):
                # `async with lock:` enters through __aenter__; name the call inside it (acquire).
                for f in frames[api_index + 1:]:
                    if f.f_code.co_filename == api_code.co_filename and f.f_locals.get('self') is owner:
                        api_code = f.f_code
            cls = type(owner).__name__ if owner is not None else 'Lock'
            op = api_code.co_name
            k = {'Lock': 'lock', 'Event': 'event', 'Condition': 'condition', 'Semaphore': 'semaphore',
                 'BoundedSemaphore': 'semaphore'}.get(cls)
            if k is None:
                for base in type(owner).__mro__:
                    k = {'Lock': 'lock', 'Event': 'event', 'Condition': 'condition',
                         'Semaphore': 'semaphore'}.get(base.__name__)
                    if k:
                        break
                else:
                    k = 'condition'
            return '{"kind":"%s","label":%s,"op":%s}' % (k, _dumps('%s.%s()' % (cls, op)), _dumps(op))
        elif kind == 'io':
            # The innermost library frame says most (readline -> _wait_for_data).
            owner = api.f_locals.get('self')
            cls = type(owner).__name__ if owner is not None and api_code.co_name != 'open_connection' else ''
            label = '%s%s()' % (cls + '.' if cls else '', api_code.co_name)
            if getattr(fut, '_al_executor', False):
                return '{"kind":"executor","label":%s}' % _dumps(label + ' in a thread')
            return '{"kind":"io","label":%s,"op":%s}' % (_dumps(label), _dumps(api_code.co_name))
        elif kind == 'executor':
            return '{"kind":"executor","label":%s}' % _dumps('asyncio.%s()' % api_code.co_name)
    except Exception:
        pass
    fc = fut.__class__
    if fc in _task_types or isinstance(fut, _BaseTask):
        if fc not in _task_types:
            _task_types.add(fc)
        return '{"kind":"task","label":%s,"task":%d}' % (_dumps(_task_label(fut)), _tid(fut))
    if fc.__name__ == '_GatheringFuture':
        return _group('gather', list(getattr(fut, '_children', ()) or ()), 'asyncio.gather(%s)')
    if getattr(fut, '_al_executor', False):
        return '{"kind":"executor","label":"run_in_executor"}'
    return '{"kind":"future","label":%s}' % _dumps(fc.__name__)


# --- the loop -----------------------------------------------------------------------------------

def _report_callback_error(handle, exc):
    # What events.Handle._run does with an exception from a callback.
    try:
        from asyncio import format_helpers
        try:
            cb = format_helpers._format_callback_source(handle._callback, handle._args,
                                                        debug=handle._loop.get_debug())
        except TypeError:
            cb = format_helpers._format_callback_source(handle._callback, handle._args)
    except Exception:
        cb = repr(handle._callback)
    # The traceback starts in our runner (where asyncio's would start in events.py): drop it.
    tb = exc.__traceback__
    if tb is not None and id(tb.tb_frame.f_code) in _runner_ids:
        exc.__traceback__ = tb.tb_next
    context = {'message': 'Exception in callback %s' % cb, 'exception': exc, 'handle': handle}
    if handle._source_traceback:
        context['source_traceback'] = handle._source_traceback
    handle._loop.call_exception_handler(context)


def _cause(origin, handle, task, tid):
    """Why the loop runs this task step now (a JSON field: see _C_START)."""
    args = handle._args
    if args:
        fut = args[0]
        try:
            cancelled = fut.cancelled()
        except Exception:
            cancelled = False
        # A cancelled future means this task is being cancelled, unless it is the task it
        # awaited that ended cancelled (then that task woke it, like any other ending).
        if cancelled and not (origin.__class__ is int and getattr(fut, '_al_id', None) == origin):
            if origin.__class__ is int:
                return ',"cause":{"kind":"cancel","task":%d}' % origin
            return _C_CANCEL
        if origin.__class__ is _Handle:
            # I/O readiness (a reader or writer callback): the commonest cause in a network program.
            # A transport's reader handle serves every read until reading pauses: its next wakeups
            # find the cause in _io_by_handle (bounded: handles of closed transports must go).
            c = _io_cause(origin)
            if len(_io_by_handle) >= 4096:
                _io_by_handle.clear()
            _io_by_handle[origin] = c
            return c
        if origin.__class__ is int:
            if origin == tid:
                return ',"cause":{"kind":"callback","label":"a callback it scheduled"}'
            return ',"cause":{"kind":"task","task":%d}' % origin
        if origin is None:
            return _C_UNKNOWN
        if origin is _THREAD:
            if getattr(fut, '_al_executor', False):
                return ',"cause":{"kind":"callback","label":"executor"}'
            return ',"cause":{"kind":"callback","label":"thread"}'
        if origin.__class__ is _TimerHandle:
            return _C_TIMER
        return _io_cause(origin)
    # A step with no future: after a bare yield, or a cancel() with nothing awaited.
    if origin == tid:
        return _C_YIELD
    if getattr(task, '_must_cancel', False):
        return _C_CANCEL if origin.__class__ is not int else ',"cause":{"kind":"cancel","task":%d}' % origin
    if origin.__class__ is int:
        return ',"cause":{"kind":"task","task":%d}' % origin
    return _C_UNKNOWN


_io_causes = {}
_io_by_handle = {}     # an I/O callback's Handle -> its cause (see _cause)


def _io_cause(handle):
    cb = getattr(handle, '_callback', None)
    # Reader/writer callbacks are bound methods of a transport: their cause is cached per
    # (function, fd), the text being made of just those. Nothing is stored on the transport:
    # on 3.11+ touching its __dict__ turns its inline attribute values into a real dict, and
    # every attribute read in asyncio's hot I/O code on it gets slower (measured: 3.12 echo
    # lost 3k instructions per read callback that way).
    try:
        key = (cb.__func__, cb.__self__._sock_fd)
    except AttributeError:
        return _io_cause_text(handle, cb)
    c = _io_causes.get(key)
    if c is None:
        if len(_io_causes) >= 4096:
            _io_causes.clear()
        c = _io_causes[key] = _io_cause_text(handle, cb)
    return c


def _io_cause_text(handle, cb):
    name = getattr(cb, '__qualname__', None) or getattr(cb, '__name__', None) or 'callback'
    low = name.lower()
    if 'accept' in low:
        name = 'incoming connection'
    elif 'read' in low:
        name = 'data to read'
    elif 'write' in low:
        name = 'ready to write'
    fd = None
    owner = getattr(cb, '__self__', None)
    sock = getattr(owner, '_sock', None)
    if sock is not None:
        try:
            fd = sock.fileno()
        except Exception:
            fd = None
    if fd is not None and fd >= 0:
        return ',"cause":{"kind":"io","label":%s,"fd":%d}' % (_dumps(name), fd)
    return ',"cause":{"kind":"io","label":%s}' % _dumps(name)


def _traced_run(self):
    """_OriginHandle._run (every handle loop.call_soon makes): runs one loop callback,
    recording task steps. Task steps and wakeups are always scheduled through call_soon."""
    cb = self._callback
    task = getattr(cb, '__self__', None)
    if task.__class__ not in _task_types:
        # (_finish empties both sets, so after the exit record everything takes _run_callback.)
        if task.__class__ in _non_task_types:
            return _callback_step(self, cb)
        return _run_callback(self, cb, task)
    try:
        tid, r_prefix, p_prefix, positions, c = task._al
    except AttributeError:
        _tid(task)   # made without loop.create_task (asyncio.Task(...) directly)
        _flush_tasks()
        tid, r_prefix, p_prefix, positions, c = task._al
    if not tid:
        return _plain_run(self)
    args = self._args
    if args:
        # task.__wakeup(fut): what completed the future it waited on? An I/O or a timer wakeup,
        # the commonest in a network program, is answered here; the rest by _cause.
        origin = self._al_origin
        oc = origin.__class__
        cause = _io_by_handle.get(origin) if oc is _Handle else _C_TIMER if oc is _TimerHandle else None
        if cause is not None:
            try:
                if args[0].cancelled():
                    cause = None   # (_cause tells who cancelled it)
            except Exception:
                pass
        if cause is None:
            cause = _cause(origin, self, task, tid)
    elif _unstarted and tid in _unstarted:
        _unstarted.discard(tid)
        cause = _C_START
    elif task._must_cancel:
        cause = _C_CANCEL
    else:
        # task.__step() with nothing awaited: only a bare yield (asyncio.sleep(0)) schedules that.
        cause = _C_YIELD
    if _pending_tasks:
        _flush_tasks()   # (a task made outside any step: module level, another thread's loop)
    # Nothing is written before the step ends: then one record says both when it ran and where it
    # stopped (half the formatting and writing of a resume plus a suspend). A step still running
    # after _early_ns gets its resume written by the monitor (_resume_running_step).
    t0 = _now()
    _running[0] = tid
    try:
        # (Spelled out by count: `run(cb, *args)` makes a bound method and a new tuple per call
        # on 3.11; a task's step or wakeup has no argument or one.)
        if not args:
            self._context.run(cb)
        elif len(args) == 1:
            self._context.run(cb, args[0])
        else:
            self._context.run(cb, *args)
    except (SystemExit, KeyboardInterrupt):
        _running[0] = None
        _resume_once(r_prefix, t0, cause)
        _after_step(task, tid, _now())
        raise
    except BaseException as exc:
        _report_callback_error(self, exc)
        self = exc = None   # (the traceback holds this frame: break the cycle, as asyncio does)
    t1 = _now()
    _running[0] = None
    if _out is not None:
        _flush_output()
    if _pending_tasks:
        _flush_tasks()
    # Where the task stopped. Its coroutine's position says it when the task awaits a future or
    # a known asyncio call there (checked: what it awaits must be of the class, and the
    # coroutine of the code, seen there before). Asyncio's frames below are never touched: on
    # 3.11+ reading a frame builds a frame object.
    hit = None
    if positions is not None:
        f = c.cr_frame
        if f is not None:
            e = positions.get(f.f_lasti)
            if e is not None:
                aw = c.cr_await
                if aw.__class__ is e[0] and (e[1] is None or aw.cr_code is e[1]):
                    hit = e[2]
    if hit is None:
        hit = _walk(c, positions)
        if hit is None:
            if task.done():
                _resume_once(r_prefix, t0, cause)
                _end(task, tid, t1)
                if t1 - t0 > _block_ns:
                    _blocking(tid, t0, t1, t0, task)
                return
            hit = _describe_frames(*_chain(task._coro))
    d = t1 - t0
    if task._fut_waiter is None:
        tail = hit[7] or _where_bare(hit)
    else:
        tail = hit[6] or _where_awaiting(task._fut_waiter, None, hit, task)
    if d < _early_ns:
        _emit(f'{p_prefix}{t0 - _T0},"d":{d}{cause}{tail}')
    else:
        _long_step_end(task, tid, p_prefix, t0, t1, cause, tail)


def _walk(coro, positions):
    """The description of where a task's coroutine chain stands (None: it has no frame left).

    Looked up level by level in _tree: no allocation for chains seen before (lists per step made
    the GC run noticeably more often). Below a known asyncio call (sleep, Queue.get...) the walk
    stops at its code object, never touching its frame."""
    node = _tree
    c = coro
    while c is not None:
        ct = c.__class__
        if ct is _CoroType:
            code = c.cr_code
            fast = node.get(_FAST)
            # (id() makes a new big int per call and a dict lookup compares it: the usual callee
            # is checked by identity first)
            node = fast[1] if fast is not None and fast[0] is code else node.get(id(code))
            if node is None or _STOP in node:
                break
            f = c.cr_frame
            n = c.cr_await
        elif ct is _GenType:
            node = node.get(id(c.gi_code))
            if node is None or _STOP in node:
                break
            f = c.gi_frame
            n = c.gi_yieldfrom
        elif ct is _AgenType:
            node = node.get(id(c.ag_code))
            if node is None or _STOP in node:
                break
            f = c.ag_frame
            n = c.ag_await
        elif ct in _agen_step_types:
            # `async for` over an async generator: go on inside it (same walk as _chain).
            c = _agen_of(c)
            continue
        else:
            break
        if f is None:
            if c is coro:
                return None   # finished: the task is done
            node = None
            break
        node = node.get(f.f_lasti)
        if node is None:
            break
        c = n
    hit = node.get(_LEAF) if node is not None else None
    if hit is None:
        # Not seen here before (or finished: then its chain has no frame).
        frames, key = _chain(coro)
        if not frames:
            return None
        hit = _describe_frames(frames, key)
    if positions is not None:
        # Next time one lookup will do, when the task itself awaits a future, or a known asyncio
        # call it stops at (hit[9] == 1), there.
        aw = coro.cr_await
        k = aw.__class__
        if len(hit[5]) == 1:
            if k is not _CoroType and k is not _GenType and k is not _AgenType and k not in _agen_step_types:
                positions[coro.cr_frame.f_lasti] = (k, None, hit)
        elif hit[9] == 1 and k is _CoroType:
            positions[coro.cr_frame.f_lasti] = (k, aw.cr_code, hit)
    return hit


# --- steps that run long: their resume is written while they run ------------------------------

_step_lock = _threading.Lock()
_early_ns = 20000000    # (set from the blocking threshold in _install)
_resumed = 0            # start time of the last step whose resume is written, or that was closed


def _write_resume(r_prefix, t0, cause):
    """Writes a step's resume record unless it is written already. Under _step_lock."""
    global _resumed
    if _resumed != t0:
        _emit(f'{r_prefix}{t0 - _T0}{cause or _RESUME_YIELD}}}')
        _resumed = t0


def _resume_once(r_prefix, t0, cause):
    """Writes a step's resume record unless the monitor wrote it already."""
    with _step_lock:
        _write_resume(r_prefix, t0, cause)


def _long_step_end(task, tid, p_prefix, t0, t1, cause, tail):
    """The end of a step that ran _early_ns or longer: the monitor may have written its resume."""
    global _resumed
    with _step_lock:
        if _resumed == t0:
            _emit(f'{task._al_s}{t1 - _T0}{tail}')
        else:
            _emit(f'{p_prefix}{t0 - _T0},"d":{t1 - t0}{cause}{tail}')
            _resumed = t0   # closed: the monitor must not write its resume now
    if t1 - t0 > _block_ns:
        _blocking(tid, t0, t1, t0, task)


def _resume_running_step(top, min_ns, may_wait=True):
    """Writes the resume of the task step running in frame `top`'s stack, if there is one that
    has run min_ns or longer and its resume is not written yet (monitor, SIGTERM)."""
    f = top
    while f is not None and f.f_code is not _traced_run.__code__:
        f = f.f_back
    if f is None:
        return
    if not _step_lock.acquire(may_wait):
        return   # (see _monitor_look)
    try:
        # Under the lock the step cannot end in between: it has not reached _long_step_end
        # while its t1 is unset.
        loc = f.f_locals
        t0 = loc.get('t0')
        if not t0 or loc.get('t1') is not None or _now() - t0 < min_ns:
            return
        r_prefix = loc.get('r_prefix')
        cause = loc.get('cause')
        if r_prefix is not None and cause is not None:
            _write_resume(r_prefix, t0, cause)
    finally:
        _step_lock.release()


def _run_callback(self, cb, owner):
    """A callback whose owner's class is not known yet: a task step, or a plain callback?"""
    oc = owner.__class__
    if oc not in _non_task_types and _enabled and _BaseTask is not None:
        if isinstance(owner, _BaseTask):
            _task_types.add(oc)
            return _traced_run(self)
        _non_task_types.add(oc)
    if not _enabled:
        return _plain_run(self)
    return _callback_step(self, cb)


def _callback_step(self, cb):
    """A plain callback scheduled with call_soon (I/O and timer callbacks take _callback_run): it
    acts for whatever scheduled it (a task's done-callback chain, gather's bookkeeping, an I/O
    callback); task steps it leads to get that as their cause."""
    _running[0] = self._al_origin
    t0 = _now()   # (the monitor reads this local to time a long step)
    try:
        if self._args:
            self._context.run(cb, *self._args)
        else:
            self._context.run(cb)
    except (SystemExit, KeyboardInterrupt):
        _running[0] = None
        raise
    except BaseException as exc:
        _report_callback_error(self, exc)
    _running[0] = None
    t1 = _now()
    if _pending_tasks:
        _flush_tasks()
    if t1 - t0 > _block_ns:
        _blocking(None, t0, t1, t0, None)
    self = None


def _callback_run(self):
    """events.Handle._run for handles not made by call_soon: I/O readiness and timer callbacks
    (never a task step). Task steps they lead to get the handle as their cause. The same work as
    _callback_step, in one frame: this runs for every I/O event."""
    if not _enabled:
        return _plain_run(self)
    _running[0] = self
    t0 = _now()   # (the monitor reads this local to time a long callback)
    try:
        if self._args:
            self._context.run(self._callback, *self._args)
        else:
            self._context.run(self._callback)   # (most I/O callbacks: see _traced_run)
    except (SystemExit, KeyboardInterrupt):
        _running[0] = None
        raise
    except BaseException as exc:
        _report_callback_error(self, exc)
        self = exc = None   # (the traceback holds this frame: break the cycle, as asyncio does)
    _running[0] = None
    if _pending_tasks:
        _flush_tasks()
    t1 = _now()
    if t1 - t0 > _block_ns:
        _blocking(None, t0, t1, t0, None)


def _plain_run(self):
    try:
        self._context.run(self._callback, *self._args)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:
        _report_callback_error(self, exc)
    self = None


def _blocking(tid, t0, t1, serial, task):
    samples = _samples.pop(serial, None)
    hot = ''
    site = 'null'
    if samples:
        ranked = sorted(samples.items(), key=lambda kv: -kv[1])
        site = ranked[0][0]
        hot = ',"hotspots":[' + ','.join('{"site":%s,"samples":%d}' % (s, n) for s, n in ranked[:5]) + ']'
    elif task is not None and not task.done():
        try:
            site = _site_of_task(task)
        except Exception:
            site = 'null'
    who = 'a callback'
    if task is not None:
        who = _task_label(task)
    ms = (t1 - t0) / 1e6
    msg = '%s held the event loop for %s ms' % (who, '%.0f' % ms if ms >= 100 else '%.1f' % ms if ms >= 0.1 else '%.2f' % ms)
    _emit('{"type":"warning","kind":"blocking","t":%d,"task":%s,"dur":%d,"site":%s%s,"message":%s}' % (
        t0 - _T0, 'null' if tid is None else tid, t1 - t0, site, hot, _dumps(msg)))


# Handle's slots as Handle.__init__ fills them (the same on 3.8 to 3.13), and the names
# BaseEventLoop.call_soon uses there: when both match, handles are filled in directly.
_HANDLE_SLOTS = frozenset(('_callback', '_args', '_cancelled', '_loop', '_source_traceback', '_repr',
                           '__weakref__', '_context'))
_CALL_SOON_NAMES = frozenset(('_check_closed', '_debug', '_check_thread', '_check_callback', '_call_soon',
                              '_source_traceback'))


def _make_call_soon(orig):
    def _call_soon(self, callback, args, context):
        handle = _OriginHandle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        # From another thread (call_soon_threadsafe): the origin is that thread, not the loop's work.
        handle._al_origin = _running[0]
        self._ready.append(handle)
        return handle
    return _call_soon


def _make_call_soon_direct(orig, own_call_soon):
    """BaseEventLoop.call_soon, by which every task step and wakeup is scheduled. Outside debug
    mode it does what asyncio's does (closed check, a Handle as Handle.__init__ fills it, on the
    ready queue) in one Python call instead of five (call_soon, _check_closed, _call_soon,
    Handle.__init__, get_debug): that pays for the origin the tracer adds to each handle."""
    from contextvars import copy_context
    new_handle = object.__new__

    direct_types = set()   # loop classes that keep our _call_soon (a subclass may override it)

    def call_soon(self, callback, *args, context=None):
        if self._debug or self._closed or type(self) not in direct_types:
            if type(self)._call_soon is own_call_soon:
                direct_types.add(type(self))
            return orig(self, callback, *args, context=context)   # (asyncio's checks and errors)
        handle = new_handle(_OriginHandle)
        handle._context = copy_context() if context is None else context
        handle._loop = self
        handle._callback = callback
        handle._args = args
        handle._cancelled = False
        handle._repr = None
        handle._source_traceback = None
        handle._al_origin = _running[0]
        self._ready.append(handle)
        return handle
    return call_soon


def _make_call_soon_threadsafe(orig):
    def call_soon_threadsafe(self, callback, *args, **kwargs):
        # As asyncio's, but the handle says it came from another thread (an executor, a thread).
        # (**kwargs, not `*, context=None`: this file must parse on Python 2 to say it is too old.)
        context = kwargs.pop('context', None)
        if kwargs:
            return orig(self, callback, *args, context=context, **kwargs)
        self._check_closed()
        if self._debug:
            self._check_callback(callback, 'call_soon_threadsafe')
        handle = _OriginHandle(callback, args, self, context)
        handle._al_origin = _THREAD
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._ready.append(handle)
        self._write_to_self()
        return handle
    return call_soon_threadsafe


def _make_run_forever(orig):
    def run_forever(self, *args, **kwargs):
        if _enabled:
            _wrap_selector(self)
        return orig(self, *args, **kwargs)
    return run_forever


def _wrap_selector(loop):
    sel = getattr(loop, '_selector', None)
    if sel is None or getattr(sel, '_al_wrapped', False):
        return
    orig = sel.select

    def select(timeout=None):
        # The loop's own thread writes the trace, between iterations: a background writer
        # would fight it for the GIL (measured: slower, worst on a busy machine).
        if timeout is not None and timeout <= 0:
            if len(_queue) > 2048:
                _write_out()
            return orig(timeout)
        t0 = _now()
        if _queue and (timeout is None or timeout > 0.01 or len(_queue) > 256 or t0 - _last_write[0] > 10000000):
            _write_out()   # about to wait: a good moment, and a kill while idle loses nothing
            t0 = _now()
        try:
            return orig(timeout)
        finally:
            t1 = _now()
            _emit('{"type":"idle","t":%d,"dur":%d}' % (t0 - _T0, t1 - t0))
    try:
        sel.select = select
        sel._al_wrapped = True
    except Exception:
        pass


def _make_run_in_executor(orig):
    def run_in_executor(self, *args, **kwargs):
        fut = orig(self, *args, **kwargs)
        try:
            fut._al_executor = True
        except Exception:
            pass
        return fut
    return run_in_executor


def _make_cancel_all(orig):
    def _cancel_all_tasks(loop, *args, **kwargs):
        if _enabled:
            try:
                from asyncio import tasks
                for task in list(tasks.all_tasks(loop)):
                    if not task.done():
                        _pending_warning(task, 'was still pending when asyncio.run() finished; asyncio cancelled it')
            except Exception:
                pass
        return orig(loop, *args, **kwargs)
    return _cancel_all_tasks


def _pending_warning(task, text):
    tid = _tid(task)
    if not tid:
        return
    _note_name(task)
    site = 'null'
    try:
        site = _site_of_task(task)
    except Exception:
        pass
    _emit('{"type":"warning","kind":"pending-at-exit","t":%d,"task":%d,"site":%s,"message":%s}' % (
        _now() - _T0, tid, site, _dumps('%s %s' % (_task_label(task), text))))


# --- never-awaited coroutines ------------------------------------------------------------------

def _make_warn_unawaited(orig):
    import warnings

    def _warn_unawaited_coroutine(coro):
        if _enabled:
            try:
                site = 'null'
                origin = getattr(coro, 'cr_origin', None)
                if origin:
                    for file, line, fn in origin:
                        if file == _tracer.program or not file.startswith(_lib_prefixes):
                            site = '{"file":%s,"line":%d,"col":1}' % (_dumps(os.path.abspath(file)), line)
                            break
                if site == 'null':
                    site = _unawaited_call_site(coro, sys._getframe(1))
                if site == 'null':
                    site = _coro_def(coro)
                _emit('{"type":"warning","kind":"never-awaited","t":%d,"task":%s,"site":%s,"message":%s}' % (
                    _now() - _T0, _json_id(_current_tid()), site,
                    _dumps("coroutine '%s' was never awaited" % _coro_name(coro))))
            except Exception:
                pass
        # What warnings._warn_unawaited_coroutine prints, without the origin lines that our
        # origin tracking would add (the program's stderr stays as it would be untraced). A
        # collection the tracer's own code set off is told from the first frame outside it:
        # from none at all (the collection at exit) it reads "sys:1", as Python's own at shutdown.
        level = 2
        f = sys._getframe(1)
        while f is not None and f.f_code.co_filename in _TRACER_FILES:
            level += 1
            f = f.f_back
        f = None
        warnings.warn("coroutine '%s' was never awaited" % _coro_name(coro),
                      category=RuntimeWarning, stacklevel=level, source=coro)
    return _warn_unawaited_coroutine


def _unawaited_call_site(coro, frame):
    """The line that called the coroutine function without awaiting it (site JSON, or 'null').

    A coroutine made by a call statement with no `await` (`save()`) is dropped, and warns, at
    once, in the frame that made it, on that very line: so the innermost user frame's current
    line, when it calls the function by name. No per-coroutine cost (origin tracking would cost
    every coroutine creation: measured +60% on a scheduler storm). A coroutine kept in a variable
    and dropped later, or collected by the cycle collector, gives 'null' (then: its def line)."""
    code = getattr(coro, 'cr_code', None)
    if code is None:
        return 'null'
    call = code.co_name + '('
    f = _user_frame(frame)
    if f is None:
        return 'null'
    import linecache
    line = f.f_lineno
    text = linecache.getline(f.f_code.co_filename, line)
    i = text.find(call)
    while i >= 0:
        # (a name that merely ends in ours, or this very call awaited after all, is not it)
        if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')) and \
                not text[:i - _dotted_prefix(text, i)].rstrip().endswith('await'):
            return '{"file":%s,"line":%d,"col":%d}' % (_info(f.f_code)[2], line, i + 1 - _dotted_prefix(text, i))
        i = text.find(call, i + 1)
    return 'null'


def _dotted_prefix(text, i):
    # `self.save(` / `store.save(`: the column of the whole callee expression.
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in '_.'):
        j -= 1
    while j < i and text[j] == '.':   # (`Store().save(`: from the name on)
        j += 1
    return i - j


def _json_id(x):
    return 'null' if x is None else str(x)


# --- program output -----------------------------------------------------------------------------

_out = None            # [stream, task id, t, [texts]] not yet written (a line in progress)
_out_lock = _threading.Lock()


def _flush_output():
    global _out
    with _out_lock:
        o = _out
        _out = None
    if o is not None:
        _emit('{"type":"output","t":%d,"task":%s,"stream":"%s","text":%s}' % (
            o[2] - _T0, _json_id(o[1]), o[0], _dumps(''.join(o[3]))))


def _record_output(name, text):
    """Adds what a stream was given to the output record being gathered (one per line and task)."""
    global _out
    try:
        tid = _current_tid() if _threading.get_ident() == _main_ident else None
    except Exception:
        tid = None
    flush_prev = None
    with _out_lock:
        o = _out
        if o is not None and o[0] == name and o[1] == tid:
            o[3].append(text)
        else:
            flush_prev = o
            o = _out = [name, tid, _now(), [text]]
        done = text.endswith('\n')
    if flush_prev is not None:
        _emit('{"type":"output","t":%d,"task":%s,"stream":"%s","text":%s}' % (
            flush_prev[2] - _T0, _json_id(flush_prev[1]), flush_prev[0], _dumps(''.join(flush_prev[3]))))
    if done:
        _flush_output()


class _StreamTap(object):
    """Stands in for a stream (its _al_target): writes through and records; everything else is the
    stream's own, down to its class (isinstance(sys.stdout, io.TextIOBase) stays true)."""

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    @property
    def __class__(self):
        return self._al_target.__class__

    def __getattr__(self, name):
        return getattr(self._al_target, name)

    def __setattr__(self, name, value):
        setattr(self._al_target, name, value)

    def __iter__(self):
        return iter(self._al_target)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._al_target.__exit__(*exc)


class _BufferTap(_StreamTap):
    """Stands in for sys.stdout.buffer / sys.stderr.buffer: records the bytes as text."""

    def __init__(self, raw, name, encoding):
        import codecs
        try:
            decoder = codecs.getincrementaldecoder(encoding or 'utf-8')('replace')
        except LookupError:
            decoder = codecs.getincrementaldecoder('utf-8')('replace')
        self.__dict__['_al_target'] = raw
        self.__dict__['_al_name'] = name
        self.__dict__['_al_decoder'] = decoder

    def write(self, data):
        n = self._al_target.write(data)
        if _enabled and data:
            try:
                text = self._al_decoder.decode(bytes(data))
            except Exception:
                text = ''
            if text:
                _record_output(self._al_name, text)
        return n


class _OutputTap(_StreamTap):
    """Stands in for sys.stdout / sys.stderr: writes through, and records what was written."""

    def __init__(self, stream, name):
        self.__dict__['_al_target'] = stream
        self.__dict__['_al_name'] = name

    def write(self, text):
        n = self._al_target.write(text)
        if _enabled and text and isinstance(text, str):
            _record_output(self._al_name, text)
        return n

    def __getattr__(self, name):
        value = getattr(self._al_target, name)
        if name == 'buffer' and value is not None:
            # Bytes written past the text layer (sys.stdout.buffer.write) are output too.
            tap = self.__dict__.get('_al_buffer')
            if tap is None or tap._al_target is not value:
                tap = _BufferTap(value, self._al_name, getattr(self._al_target, 'encoding', None))
                self.__dict__['_al_buffer'] = tap
            return tap
        return value


# --- monitor thread: blocking samples and periodic writes ---------------------------------------

_stop = _threading.Event()


def _monitor_look(top, may_wait=True):
    """One look at the main thread, whose innermost frame is `top`: samples a step that runs long
    (blocking warnings), writes its resume while it runs (so a stuck program shows which task is
    stuck), and writes the queue when the loop has not for a while (busy outside the loop,
    blocked), so a kill loses little. Returns the seconds until the next look.

    Each look costs the program a little, so it looks only when there can be work: a step seen
    running is looked at again when it would have run half the blocking threshold (sampling
    starts there), then every quarter threshold (at most 25 ms) while it runs; else after a whole
    threshold (at most 100 ms, which also bounds how long the queue can wait). A step longer than
    the threshold is always sampled: some look falls within it, and is followed by one at its half.
    may_wait is False when this runs in a signal handler on the main thread itself: a lock held
    then is held by the code it interrupted, which waiting for would never release."""
    sample_every = min(0.025, max(0.002, _block_ns / 4e9))
    rest = min(0.1, max(0.002, _block_ns / 1e9))
    # The step now running is the innermost of our runner frames on the main thread's
    # stack; its local t0 is when it started (no per-step bookkeeping needed for this).
    start = None
    f = top
    try:
        while f is not None and id(f.f_code) not in _runner_ids:
            f = f.f_back
        if f is not None:
            start = f.f_locals.get('t0')
    except Exception:
        start = None
    f = None
    ran = _now() - start if start else 0
    half = _block_ns // 2
    if not start:
        wait = rest
    elif ran < half:
        wait = min(rest, max(sample_every, (half - ran) / 1e9))
    else:
        wait = sample_every
    if start and ran >= _early_ns:
        try:
            _resume_running_step(top, _early_ns, may_wait)
        except Exception:
            pass
    if start and ran > half:
        serial = start
        try:
            site = _user_site_of_frame(top)
        except Exception:
            site = None
        if site and site != 'null':
            d = _samples.get(serial)
            if d is None:
                d = _samples[serial] = {}
                if len(_samples) > 64:
                    for k in sorted(_samples)[:-8]:
                        _samples.pop(k, None)
            d[site] = d.get(site, 0) + 1
    if _queue and _now() - _last_write[0] > 50000000:
        _write_out(may_wait)
    return wait


def _monitor_thread():
    # The monitor where no timer signal can be had (see _TimerSignal): a thread. Each look takes
    # the GIL from the program, a thread switch it waits for; and a process with a second
    # thread runs a busy echo server 3-5% slower even while that thread sleeps (measured with a
    # bare pthread blocked in pause(): the kernel's per-call costs of a shared process).
    wait = _monitor_look(None)
    while not _stop.wait(wait):
        top = sys._current_frames().get(_main_ident)
        wait = _monitor_look(top)
        # Holding a main-thread frame until the next look would keep its locals alive after the
        # coroutine returns: a coroutine dropped there would warn late, from this thread.
        top = None


class _TimerSignal(object):
    """The monitor without a thread (Linux): a POSIX timer sends SIGURG to the main thread, whose
    handler takes the look and sets the timer for the next. Python runs signal handlers on the
    main thread between bytecodes, so the handler sees the very frame that runs.
    SIGURG (out-of-band socket data, which programs hardly use) is ignored by default: one that
    arrives where our handler is gone (after an exec, at the interpreter's end, after a library
    reset every signal) does nothing, where a real-time signal would kill the process. A program
    that sets its own SIGURG handler gets the signal back (_make_signal). Like every handler
    Python installs, it interrupts what the main thread waits in (a read, a lock, a sleep): Python
    runs the handler and resumes the call (PEP 475), and the blocking call gets its samples. (With
    SA_RESTART a lock wait or a read went on in the kernel and had one sample, once it returned:
    a step blocked in Event.wait() or future.result() was named after a shorter sleep beside it.)"""

    def __init__(self):
        self.timer = None       # (None: not running)
        self.signum = None
        self.libc = None
        self.settime = None
        self.spec = None        # the next expiry, reused by arm(), and a pointer to it
        self.spec_ref = None

    def start(self, first):
        if not sys.platform.startswith('linux') or sys.maxsize < 2 ** 32:
            return False   # (the struct layouts below are 64-bit Linux's)
        if _threading.get_ident() != _main_ident:
            return False
        try:
            import ctypes
            import signal
        except Exception:
            return False
        libc = None
        for name in (None, 'librt.so.1'):   # (glibc before 2.34 has timer_create in librt)
            try:
                lib = ctypes.CDLL(name, use_errno=True)
                lib.timer_create
                libc = lib
                break
            except (OSError, AttributeError):
                continue
        if libc is None:
            return False
        signum = getattr(signal, 'SIGURG', None)
        if signum is None or signal.getsignal(signum) != signal.SIG_DFL:
            return False   # (the program's already)

        class sigevent(ctypes.Structure):
            # sigev_value, sigev_signo, sigev_notify, then a union whose first int is the tid.
            _fields_ = [('value', ctypes.c_void_p), ('signo', ctypes.c_int), ('notify', ctypes.c_int),
                        ('tid', ctypes.c_int), ('pad', ctypes.c_int * 11)]

        class itimerspec(ctypes.Structure):
            _fields_ = [('interval_s', ctypes.c_long), ('interval_ns', ctypes.c_long),
                        ('value_s', ctypes.c_long), ('value_ns', ctypes.c_long)]

        SIGEV_THREAD_ID = 4      # to the main thread only: never interrupts the program's threads
        CLOCK_MONOTONIC = 1
        try:
            tid = _threading.get_native_id()
        except AttributeError:
            return False
        ev = sigevent(None, signum, SIGEV_THREAD_ID, tid)
        timer = ctypes.c_void_p()
        set_handler = _signal_signal   # (signal.signal unwrapped: _make_signal would hand the signal back)
        try:
            set_handler(signum, self._on_signal)
            if libc.timer_create(CLOCK_MONOTONIC, ctypes.byref(ev), ctypes.byref(timer)) != 0:
                set_handler(signum, signal.SIG_DFL)
                return False
        except Exception:
            try:
                set_handler(signum, signal.SIG_DFL)
            except Exception:
                pass
            return False
        self.libc = libc
        self.timer = timer
        self.signum = signum
        self.spec = itimerspec()
        self.spec_ref = ctypes.byref(self.spec)
        self.settime = libc.timer_settime
        self.arm(first)
        return True

    def arm(self, seconds):
        spec = self.spec
        ns = max(1000000, int(seconds * 1e9))
        spec.value_s, spec.value_ns = divmod(ns, 1000000000)
        self.settime(self.timer, 0, self.spec_ref, None)

    def _on_signal(self, signum, frame):
        if self.timer is None or not _enabled:
            return
        try:
            wait = _monitor_look(frame, False)
        except Exception:
            wait = 0.1
        frame = None
        if self.timer is not None:
            self.arm(wait)

    def stop(self):
        """Deletes the timer: after this returns no signal of it arrives (a pending one is
        delivered on the way out of the call)."""
        timer, self.timer = self.timer, None
        if timer is not None:
            try:
                self.libc.timer_delete(timer)
            except Exception:
                pass


_timer_signal = _TimerSignal()
_signal_signal = None   # signal.signal as it was before _make_signal wrapped it


def _start_monitor():
    if os.environ.get('AWAITLENS_MONITOR') != 'thread' and _timer_signal.start(0.1):
        return
    _start_monitor_thread()


def _start_monitor_thread():
    _threading.Thread(target=_monitor_thread, name='awaitlens-monitor', daemon=True).start()


def _make_signal(orig):
    def signal(signalnum, handler):
        if signalnum == _timer_signal.signum and _timer_signal.timer is not None:
            # The program wants the timer's signal (or resets every signal): it is theirs from
            # now on, and the monitor a thread.
            _timer_signal.stop()
            _timer_signal.signum = None
            _start_monitor_thread()
        return orig(signalnum, handler)
    signal.__name__ = orig.__name__
    signal.__doc__ = orig.__doc__
    return signal


def _stop_monitor():
    _stop.set()
    _timer_signal.stop()


def _make_exec(orig):
    def _exec(*args, **kwargs):
        # No atexit runs: what is queued is written now. (The exec deletes the timer; a SIGURG
        # already on its way is ignored by the new program, as by default.)
        if _enabled and _fd >= 0:
            try:
                _flush_output()
                _flush_tasks()
                path = args[0] if args else kwargs.get('path')
                _emit('{"type":"warning","kind":"tracer","t":%d,"task":%s,"site":null,"message":%s}' % (
                    _now() - _T0, _current_tid() or 'null', _dumps(
                        'the program called os.%s(%s) to become another program: what that runs is '
                        'not traced' % (orig.__name__, os.fsdecode(path) if path is not None else ''))))
                _write_out()
            except Exception:
                pass
        return orig(*args, **kwargs)
    _exec.__name__ = orig.__name__
    _exec.__doc__ = orig.__doc__
    return _exec


# --- install / finish ------------------------------------------------------------------------

def _install(tracer):
    global _tracer, _fd, _enabled, _block_ns, _early_ns, _lib_prefixes, _T0
    global _get_running_loop, _current_task, _BaseTask, _OriginHandle, _TimerHandle, _Handle
    _tracer = tracer
    _block_ns = int(tracer.blocking_ms * 1e6)
    # Steps this long have their resume written while they run (and may warn as blocking).
    _early_ns = min(_block_ns // 2, 20000000)
    _lib_prefixes = _compute_lib_prefixes(tracer.program)
    if tracer.out:
        try:
            _fd = os.open(tracer.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as e:
            sys.stderr.write('Await Lens cannot write the trace file %s: %s\n' % (tracer.out, e.strerror))
            sys.exit(2)
    started = _time.time()
    _T0 = _now()
    text_or_null = lambda x: 'null' if x is None else _dumps_text(x)
    _emit(('{"type":"header","format":"awaitlens","version":1,"runtime":"python","runtimeVersion":"%d.%d.%d",'
           '"program":%s,"argv":[%s],"cwd":%s,"pid":%d,"startedAt":%d,"blockingThreshold":%d,"tracer":%s,'
           '"executable":%s}') % (
        sys.version_info[0], sys.version_info[1], sys.version_info[2], text_or_null(tracer.program),
        ','.join(map(_dumps_text, tracer.argv)), text_or_null(os.getcwd()), os.getpid(), int(started * 1000),
        _block_ns, text_or_null('awaitlens-python ' + VERSION), text_or_null(sys.executable)))
    _write_out()

    import asyncio
    from asyncio import base_events, events, tasks, runners
    import warnings

    _get_running_loop = events._get_running_loop
    _current_task = tasks.current_task
    _BaseTask = tasks.Task
    _task_types.add(tasks.Task)
    if hasattr(tasks, '_PyTask'):
        _task_types.add(tasks._PyTask)
    _TimerHandle = events.TimerHandle
    _Handle = events.Handle

    class OriginHandle(events.Handle):
        __slots__ = ('_al_origin',)
    OriginHandle.__name__ = 'Handle'
    _OriginHandle = OriginHandle

    OriginHandle._run = _traced_run
    events.Handle._run = _callback_run
    _runner_ids.update(id(fn.__code__) for fn in (_traced_run, _run_callback, _callback_step, _callback_run, _plain_run))
    base_events.BaseEventLoop._call_soon = _make_call_soon(base_events.BaseEventLoop._call_soon)
    call_soon = base_events.BaseEventLoop.call_soon
    if (set(getattr(events.Handle, '__slots__', ())) == _HANDLE_SLOTS
            and set(call_soon.__code__.co_names) == _CALL_SOON_NAMES):
        base_events.BaseEventLoop.call_soon = _make_call_soon_direct(
            call_soon, base_events.BaseEventLoop._call_soon)
    base_events.BaseEventLoop.call_soon_threadsafe = _make_call_soon_threadsafe(
        base_events.BaseEventLoop.call_soon_threadsafe)
    base_events.BaseEventLoop.create_task = _make_create_task(base_events.BaseEventLoop.create_task)
    base_events.BaseEventLoop.run_forever = _make_run_forever(base_events.BaseEventLoop.run_forever)
    base_events.BaseEventLoop.run_in_executor = _make_run_in_executor(base_events.BaseEventLoop.run_in_executor)
    if hasattr(tasks, '_set_task_name'):
        tasks._set_task_name = _make_set_task_name(tasks._set_task_name)
    if hasattr(runners, '_cancel_all_tasks'):
        runners._cancel_all_tasks = _make_cancel_all(runners._cancel_all_tasks)
    if hasattr(warnings, '_warn_unawaited_coroutine'):
        warnings._warn_unawaited_coroutine = _make_warn_unawaited(warnings._warn_unawaited_coroutine)

    if sys.stdout is not None:
        sys.stdout = _OutputTap(sys.stdout, 'stdout')
    if sys.stderr is not None:
        sys.stderr = _OutputTap(sys.stderr, 'stderr')

    import atexit
    atexit.register(_at_exit)
    try:
        import signal
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _on_sigterm)
    except Exception:
        pass
    if hasattr(os, 'register_at_fork'):
        os.register_at_fork(after_in_child=_disable_in_child)
    os._exit = _make_os_exit(os._exit)
    _enabled = True
    for name in ('execv', 'execve'):   # (os.execl... and execvp... call these)
        if hasattr(os, name):
            setattr(os, name, _make_exec(getattr(os, name)))
    global _signal_signal
    try:
        import signal
        _signal_signal = signal.signal
        signal.signal = _make_signal(signal.signal)
    except Exception:
        pass
    _start_monitor()


def _make_os_exit(orig):
    def _exit(status):
        # os._exit skips atexit: write the trace's end first (a forked child is disabled: no-op).
        if status.__class__ is int:
            try:
                _tracer.exit_code = status & 0xff
                _finish(status & 0xff, None)
            except Exception:
                pass
        orig(status)
    _exit.__name__ = orig.__name__
    _exit.__doc__ = orig.__doc__
    return _exit


def _disable_in_child():
    # A forked child shares our file descriptor; it must not write into the parent's trace.
    global _enabled, _fd
    _enabled = False
    _fd = -1
    _queue.clear()
    _timer_signal.timer = None   # (a fork has no timers: the parent's is not the child's)


def _on_sigterm(signum, frame):
    if _finishing:
        # A second SIGTERM (`timeout` and the awaitlens CLI both send one to a process group),
        # or one during a normal exit: the trace's end is being written, and the process ends
        # right after. Killing it now would lose the exit record.
        return
    _finish(128 + signum, 'SIGTERM')
    import signal
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _at_exit():
    code = _tracer.exit_code if _tracer.exit_code is not None else 0
    _finish(code, _tracer.exit_signal)
    if _tracer.exit_signal == 'SIGINT':
        # Like python: a program ended by ^C exits through the signal.
        try:
            import signal
            sys.stdout.flush()
            sys.stderr.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        except Exception:
            pass


_finishing = False   # while _finish writes the trace's end (see _on_sigterm)


def _finish(code, signal_name):
    global _finishing
    if _tracer is None or _tracer.finished or not _enabled and _fd < 0:
        return
    _tracer.finished = True
    _finishing = True
    try:
        _finish_trace(code, signal_name)
    finally:
        _finishing = False


def _finish_trace(code, signal_name):
    global _enabled
    try:
        _resume_running_step(sys._getframe(), 0)   # killed in the middle of a step (SIGTERM)
    except Exception:
        pass
    try:
        import gc
        # Never-awaited coroutines warn when collected: one in a reference cycle waits for the
        # cycle collector. The young generations only (0.05 ms; all of them took 5-7 ms on the
        # echo bench, and Python collects everything again as it shuts down): a cycle that
        # became garbage long ago has mostly been collected by now.
        gc.collect(1)
    except Exception:
        pass
    _flush_output()
    _flush_tasks()
    for tid, ref in list(_live.items()):
        task = ref() if ref is not None else None
        if task is not None and not task.done():
            _pending_warning(task, 'never finished: it was still pending when the program exited')
    _enabled = False
    _task_types.clear()
    _non_task_types.clear()
    _emit('{"type":"exit","t":%d,"code":%d,"signal":%s}' % (
        _now() - _T0, code, 'null' if signal_name is None else _dumps(signal_name)))
    _stop_monitor()
    _write_out()

