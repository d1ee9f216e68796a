# The interpreter behind an emulated Livy pyspark session, modelled on Livy's own fake_shell.py.
#
# Two transports, one statement loop:
# - Local mode (no argument): run with the pyspark virtual environment's python and
#   PYSPARK_SUBMIT_ARGS (so spark-submit starts the driver JVM with the session's --conf, including
#   spark.jars.packages). Requests are JSON lines on stdin, replies JSON lines on file descriptor 3,
#   and a cancel is SIGINT to this process.
# - YARN mode (argument "rsc"): submitted with spark-submit --master yarn --deploy-mode cluster, this
#   is the session's driver in the ApplicationMaster's container, as Livy's RSC driver is. Like
#   Livy's ContextLauncher, the emulator passes its address, a client id and a per-session secret in
#   the Spark conf (spark.__livy__.livy.rsc.*, from a properties file only its owner can read); the
#   driver connects back over TCP, answers the emulator's challenge with HMAC-SHA256(secret,
#   challenge), and from then on requests and replies are JSON lines on that connection, with
#   {"cancel": n} (interrupt statement n) and {"end": true} (Livy's EndSession: stop and exit). A lost
#   connection ends the driver too.
#
# Requests: {"id": n, "code": "...", "kind": "pyspark" | "spark" | "sql"}. Replies:
#   {"ready": true, "appId": "..."}        once the SparkSession exists
#   {"id": n, "output": {...}}             Livy's statement output (status ok | error)
#   {"id": n, "cancelled": true}           the statement was interrupted
#   {"failed": "..."}                      the SparkSession could not be made; the driver exits
# What the process writes outside a statement is the driver's own output: in local mode the
# session's Livy log (the JVM's log4j on stderr, console sinks on stdout), in YARN mode the
# container's stdout and stderr, which only YARN's log pages show. A statement's own prints go
# into its output.
# Scala statements (kind spark) run in Livy's SparkInterpreter, ported to LivySparkInterpreter.scala,
# in this same driver JVM on the same SparkSession (Livy's shared session: one SparkContext for
# every kind); it starts with the session when the session's kind is spark, else at the first
# Scala statement.
import ast
import concurrent.futures
import hashlib
import hmac
import io
import json
import os
import queue
import re
import signal
import socket
import sys
import threading
import traceback

TOP_FRAME_REGEX = re.compile(r'\s*File "<stdin>".*in <module>')

RSC = sys.argv[1:2] == ["rsc"]
# Where Livy's ContextLauncher puts the RSC settings in the Spark conf (RSCConf, LIVY_SPARK_PREFIX).
RSC_CONF = "spark.__livy__.livy.rsc."


class RscChannel:
    """The connection back to the emulated Livy server (YARN mode)."""

    def __init__(self):
        from pyspark import SparkConf
        from pyspark.context import SparkContext

        # The ApplicationMaster put the session's conf into the JVM's system properties.
        SparkContext._ensure_initialized()
        conf = SparkConf()
        address = conf.get(RSC_CONF + "launcher.address")
        port = int(conf.get(RSC_CONF + "launcher.port"))
        client = conf.get(RSC_CONF + "client.auth.id")
        secret = conf.get(RSC_CONF + "client.auth.secret")
        self.sock = socket.create_connection((address, port), timeout=60)
        self.sock.settimeout(None)
        self.reader = self.sock.makefile("r", encoding="utf-8", newline="\n")
        self.lock = threading.Lock()
        challenge = json.loads(self.reader.readline())["challenge"]
        auth = hmac.new(secret.encode("utf-8"), challenge.encode("utf-8"), hashlib.sha256).hexdigest()
        self.write({"client": client, "auth": auth})

    def write(self, message):
        data = (json.dumps(message) + "\n").encode("utf-8")
        with self.lock:
            try:
                self.sock.sendall(data)
            except OSError:
                pass  # the server is gone; the reader ends the driver

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


if RSC:
    channel = RscChannel()
    send = channel.write
else:
    control = os.fdopen(3, "w", buffering=1, encoding="utf-8")

    def send(message):
        control.write(json.dumps(message) + "\n")
        control.flush()


# Until the statement loop runs, an interrupt (a cancel racing the start) is ignored.
signal.signal(signal.SIGINT, signal.SIG_IGN)

try:
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    sc = spark.sparkContext
except BaseException as err:  # noqa: BLE001 - reported, then the session dies
    traceback.print_exc()
    send({"failed": "%s: %s" % (type(err).__name__, err)})
    sys.exit(1)

if RSC:
    # The emulator's stand-in for the cluster's storage: relative paths of the default file system
    # land there, as under /user/livy on a cluster (in local mode the driver runs in that directory).
    _storage = sc.getConf().get("spark.hdinsight.emulator.storageDir", None)
    if _storage:
        _hadoop_fs = sc._jvm.org.apache.hadoop.fs
        _hadoop_fs.FileSystem.get(sc._jsc.hadoopConfiguration()).setWorkingDirectory(_hadoop_fs.Path(_storage))

global_dict = {"__name__": "__main__", "spark": spark, "sc": sc}
running = False

# ---- Scala (kind spark) ----

# Livy's interpreterExecutor: one thread runs the Scala interpreter, so one JVM thread does (pyspark
# pins each Python thread to its own JVM thread), keeping the job group and the REPL's state
# there; the main thread stays free to take a cancel.
scala_thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="scala-interpreter")
scala_interpreter = None
scala_statement = None  # the id of the Scala statement running
scala_cancelled = False


def start_scala_interpreter():
    global scala_interpreter
    if scala_interpreter is None:
        interpreter = spark._jvm.livyemulator.LivySparkInterpreter(spark._jsparkSession)
        interpreter.start()
        scala_interpreter = interpreter
    return scala_interpreter


def start_session_interpreter():
    """A session of kind spark is ready once its Scala interpreter is (Livy starts it first)."""
    kind = sc.getConf().get("spark.__livy__.livy.rsc.session.kind", "pyspark")
    if kind != "spark":
        return True
    try:
        scala_thread.submit(start_scala_interpreter).result()
        return True
    except BaseException as err:  # noqa: BLE001 - reported, then the session dies
        traceback.print_exc()
        send({"failed": "%s: %s" % (type(err).__name__, err)})
        return False


def cancel_scala_statement():
    """Livy's cancel: the statement's job group is cancelled (again at each interrupt) until the
    statement ends; the interpreter's thread itself is never interrupted."""
    global scala_cancelled
    scala_cancelled = True
    try:
        sc.cancelJobGroup(str(scala_statement))
    except Exception:  # noqa: BLE001
        pass


def on_scala_thread(fn):
    """Runs fn on the interpreter's thread and waits for it in short steps, so that a signal is
    handled in between."""
    future = scala_thread.submit(fn)
    while True:
        try:
            return future.result(timeout=0.2)
        except concurrent.futures.TimeoutError:
            continue


def execute_scala(statement_id, code):
    """A Scala statement; Livy's output (status ok | error), or KeyboardInterrupt once cancelled."""
    global running, scala_statement, scala_cancelled
    scala_statement, scala_cancelled = statement_id, False
    running = True
    try:
        try:
            on_scala_thread(start_scala_interpreter)
        except Exception:  # noqa: BLE001 - Livy's answer when an interpreter cannot start
            traceback.print_exc()
            return {"status": "error", "ename": "InterpreterError", "evalue": "Fail to start interpreter", "traceback": []}
        try:
            output = json.loads(on_scala_thread(lambda: scala_interpreter.executeStatement(statement_id, code)))
        except Exception:  # noqa: BLE001 - the JVM failed the call itself (Livy: "Internal Error")
            exc_type, exc_value = sys.exc_info()[:2]
            output = {"status": "error", "ename": "Internal Error: %s" % exc_type.__name__, "evalue": str(exc_value), "traceback": []}
        if scala_cancelled:
            raise KeyboardInterrupt()
        return output
    finally:
        running = False
        scala_statement = None


def on_sigint(signum, frame):
    # What pyspark's own handler does: stop the running jobs, then interrupt the code. Between
    # statements (a cancel that came too late) there is nothing to interrupt.
    if not running:
        return
    if scala_statement is not None:
        cancel_scala_statement()
        return
    try:
        sc.cancelAllJobs()
    except Exception:  # noqa: BLE001
        pass
    raise KeyboardInterrupt()


signal.signal(signal.SIGINT, on_sigint)
if not start_session_interpreter():
    sys.exit(1)
send({"ready": True, "appId": sc.applicationId})

# The id of the statement being run, for a cancel over the connection to name it.
current_id = None


def interrupt_main():
    # A signal to the main thread itself, so that a wait inside a Spark call is interrupted too.
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)


def rsc_reader(incoming):
    """YARN mode: reads the connection; statements go to the main loop, cancel and end act at once."""
    try:
        for line in channel.reader:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "cancel" in message:
                # What the local mode's SIGINT does; between statements (a cancel that came too
                # late) there is nothing to interrupt.
                if running and current_id == message["cancel"]:
                    interrupt_main()
            elif message.get("end"):
                break
            else:
                incoming.put(line)
    except (OSError, ValueError):
        pass  # the connection broke: the session is over either way
    # Ended by Livy or the connection lost: stop the running statement and let the loop end.
    incoming.put(None)
    if running:
        interrupt_main()


def requests():
    """The statements, in order, until the emulator lets the session go."""
    global current_id
    if not RSC:
        for line in sys.stdin:
            current_id = None
            yield line
        return
    incoming = queue.Queue()
    threading.Thread(target=rsc_reader, args=(incoming,), name="rsc-reader", daemon=True).start()
    while True:
        line = incoming.get()
        if line is None:
            return
        try:
            current_id = json.loads(line).get("id")
        except ValueError:
            current_id = None
        yield line


execution_count = 0


def error_reply(exc_type, exc_value, tb):
    formatted = traceback.format_exception(exc_type, exc_value, tb, chain=False)
    for i in range(len(formatted)):
        if TOP_FRAME_REGEX.match(formatted[i]):
            formatted = formatted[:1] + formatted[i + 1 :]
            break
    return {"status": "error", "ename": exc_type.__name__, "evalue": str(exc_value), "traceback": formatted}


def magic_table(name):
    """Livy's %table magic: a list of rows (dicts, lists or Rows) as a table."""
    value = eval(name, global_dict)
    rows = [r.asDict() if hasattr(r, "asDict") else r for r in value]
    if rows and isinstance(rows[0], dict):
        headers = list(rows[0].keys())
        data = [[r.get(h) for h in headers] for r in rows]
    else:
        headers = ["%d" % i for i in range(len(rows[0]) if rows else 0)]
        data = [list(r) for r in rows]
    types = ["STRING_TYPE" if data and isinstance(data[0][i], str) else "DOUBLE_TYPE" if data and isinstance(data[0][i], float) else "INT_TYPE" if data and isinstance(data[0][i], int) else "NULL_TYPE" for i in range(len(headers))]
    return {"status": "ok", "data": {"application/vnd.livy.table.v1+json": {"headers": [{"name": h, "type": t} for h, t in zip(headers, types)], "data": data}}}


def magic_json(name):
    """Livy's %json magic: a value as application/json."""
    return {"status": "ok", "data": {"application/json": eval(name, global_dict)}}


def execute(code):
    """Runs the code like Livy: every top-level node but the last as 'exec', the last as
    'single' (so an expression's value is echoed), stdout and stderr captured."""
    global running
    buffer = io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = buffer
    try:
        running = True  # inside the try: an interrupt from here on still restores stdout below
        # Livy's magics: a last line "%table NAME" or "%json NAME" shows a variable as data.
        lines = code.rstrip().split("\n")
        magic = lines[-1].strip().split(None, 1) if lines and lines[-1].strip().startswith("%") else None
        if magic:
            code = "\n".join(lines[:-1])
        tree = ast.parse(code, "<stdin>", "exec")
        body = tree.body
        for node in body[:-1]:
            exec(compile(ast.Module([node], type_ignores=[]), "<stdin>", "exec"), global_dict)
        for node in body[-1:]:
            exec(compile(ast.Interactive([node]), "<stdin>", "single"), global_dict)
        if magic:
            kind, name = magic[0], magic[1] if len(magic) > 1 else ""
            if kind not in ("%table", "%json"):
                raise ValueError("Unknown magic command %s" % kind)
            return magic_table(name) if kind == "%table" else magic_json(name)
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001 - SystemExit in a statement is an error too
        return error_reply(*sys.exc_info())
    finally:
        running = False
        sys.stdout, sys.stderr = saved
    return {"status": "ok", "data": {"text/plain": buffer.getvalue().rstrip()}}


def execute_sql(code):
    """Livy's SQL interpreter: the result as application/json {schema, data}."""
    global running
    running = True
    try:
        df = spark.sql(code)
        rows = [list(row) for row in df.take(int(spark.conf.get("livy.sql.maxResultRows", "1000")))]
        data = json.loads(json.dumps(rows, default=str))
        return {"status": "ok", "data": {"application/json": {"schema": df.schema.jsonValue(), "data": data}}}
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001
        return error_reply(*sys.exc_info())
    finally:
        running = False


for line in requests():
    try:
        request = json.loads(line)
    except ValueError:
        continue
    try:
        code = request.get("code", "")
        kind = request.get("kind")
        output = execute_sql(code) if kind == "sql" else execute_scala(request.get("id"), code) if kind == "spark" else execute(code)
        output["execution_count"] = execution_count
        execution_count += 1
        send({"id": request.get("id"), "output": output})
    except KeyboardInterrupt:
        send({"id": request.get("id"), "cancelled": True})
    sys.stdout.flush()
    sys.stderr.flush()

# stdin closed (or, in YARN mode, Livy ended the session or its connection is gone): the emulator let the session go.
try:
    spark.stop()
except Exception:  # noqa: BLE001
    pass
if RSC:
    channel.close()
