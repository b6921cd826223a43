"""A local Spark Connect server with Delta Lake: what serverless compute looks like from Python.

Serverless runs Python against Spark Connect: no ``sparkContext``, no JVM in the client. PySpark
ships the server (``org.apache.spark.sql.connect.service.SparkConnectServer``); this starts it
with ``spark-submit`` in its own JVM, with the Delta jars and the same settings as the local
session, on a free loopback port, and stops it afterwards. Its catalog lives in memory (the
tables in a temporary warehouse): a server's life is one test session.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from intacct_sync.lake.spark import LOCAL_CONF, LOCAL_DRIVER_MEMORY, find_jars_dir

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ConnectServer:
    """``with ConnectServer(warehouse) as server: SparkSession.builder.remote(server.url)``."""

    def __init__(self, warehouse: Path, *, jars_dir: str | None = None, start_timeout: float = 300):
        self.warehouse = Path(warehouse)
        self.jars_dir = jars_dir
        self.start_timeout = start_timeout
        self.port = free_port()
        self.url = f"sc://127.0.0.1:{self.port}"
        self.log_path = self.warehouse / "connect-server.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        import pyspark

        home = Path(pyspark.__file__).parent
        jars = find_jars_dir(self.jars_dir)
        if jars is None:
            raise RuntimeError("no Delta jars: run `make jars` first")
        conf = {
            **LOCAL_CONF,
            "spark.driver.memory": LOCAL_DRIVER_MEMORY,  # as the local session's
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.sql.warehouse.dir": str(self.warehouse / "warehouse"),
            "spark.sql.catalogImplementation": "in-memory",
        }
        argv = [str(home / "bin" / "spark-submit"), "--class", SERVER_CLASS,
                "--master", "local[2]", "--name", "intacct-sync-connect-tests",
                "--jars", ",".join(str(p) for p in sorted(jars.glob("*.jar")))]  # fmt: skip
        for key, value in conf.items():
            argv += ["--conf", f"{key}={value}"]
        return [*argv, "spark-internal"]

    def __enter__(self) -> ConnectServer:
        import pyspark

        self.warehouse.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "SPARK_HOME": str(Path(pyspark.__file__).parent)}
        env.pop("SPARK_REMOTE", None)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own argv
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,
            )  # fmt: skip
        self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Spark Connect server exited:\n{self.log_tail()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.25)
        self.__exit__()
        raise RuntimeError(f"the Spark Connect server did not start in time:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
