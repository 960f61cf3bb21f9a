"""Work done by a process of its own: what it returns or what failed comes back, and it
ends with the thread that started it."""

import threading
import time

from qa.apart import Apart


def _add(a, b):
    return a + b


def _fail():
    raise OSError("no room")


def _sleep(started):
    started.touch()
    time.sleep(60)


def test_what_the_process_returns_comes_back():
    apart = Apart(_add, (2, 3), "qa-test")
    apart.start()
    assert apart.answer() == 5
    assert apart.process.exitcode == 0


def test_what_failed_comes_back_as_a_line():
    apart = Apart(_fail, (), "qa-test")
    apart.start()
    assert apart.answer() == "OSError: no room"
    assert apart.process.exitcode != 0


def test_the_process_ends_with_the_thread_that_started_it(tmp_path):
    started = tmp_path / "started"
    apart = Apart(_sleep, (started,), "qa-test")

    def start_and_end():
        apart.start()
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    starter = threading.Thread(target=start_and_end)
    starter.start()
    starter.join()  # the thread ends, as a killed server's threads do
    t = time.monotonic()
    assert started.exists()
    assert apart.answer() is None  # ended by the kernel, well before its minute
    assert apart.process.exitcode == -15 and time.monotonic() - t < 30
