"""Browser cases run a few at a time: worker threads, each with its own Playwright and Chromium.

A tutorial in the browser mostly waits for its sandbox (images pulled, builds, servers that start), so
two of them side by side take little more than the longer one. Playwright's sync API belongs to the
thread that started it, hence one Playwright (and one Debian Chromium) per worker thread. Every case
gets a fresh browser context (empty storage, the viewport of the e2e `page`/`context` fixtures) whose
uncaught JavaScript errors are collected. Cases start in the order given; a test waits for its own
case with `outcome(case)` and asserts on it, so each parametrized test still fails on its own.
"""

from __future__ import annotations

import queue
import threading
import traceback
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from realparts import CHROMIUM_ARGS

VIEWPORT = {"width": 1280, "height": 900}


@dataclass
class Outcome:
    """What a case did: its return value, or the traceback of what it raised; JS errors either way."""

    value: Any = None
    error: str | None = None
    js_errors: list[str] = field(default_factory=list)


class BrowserPool:
    """Run `run_case(context, case)` for every case on `workers` threads (see the module doc)."""

    def __init__(self, chromium_path: str, run_case: Callable[[Any, Hashable], Any], workers: int = 2):
        self.chromium_path = chromium_path
        self.run_case = run_case
        self.workers = workers
        self.todo: queue.Queue = queue.Queue()
        self.futures: dict[Hashable, Future] = {}
        self.threads: list[threading.Thread] = []
        self.stopping = threading.Event()

    def start(self, cases: Iterable[Hashable]) -> BrowserPool:
        """Queue `cases` (in order) and start the workers."""
        for case in cases:
            self.futures[case] = Future()
            self.todo.put(case)
        for n in range(min(self.workers, len(self.futures))):
            t = threading.Thread(target=self._work, name=f"browser-pool-{n}", daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def outcome(self, case: Hashable, timeout: float | None = None) -> Outcome:
        """Wait for `case` (queued by `start`) and return its Outcome."""
        return self.futures[case].result(timeout)

    def close(self) -> None:
        """Drop the cases not started yet and wait for the running ones (a test run stopped early)."""
        self.stopping.set()
        for t in self.threads:
            t.join()

    def _work(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=self.chromium_path, args=CHROMIUM_ARGS)
                try:
                    while not self.stopping.is_set():
                        try:
                            case = self.todo.get_nowait()
                        except queue.Empty:
                            return
                        self.futures[case].set_result(self._one(browser, case))
                finally:
                    browser.close()
        except Exception:  # noqa: BLE001 - Chromium would not start: every case left says why
            why = traceback.format_exc()
            while True:
                try:
                    case = self.todo.get_nowait()
                except queue.Empty:
                    return
                self.futures[case].set_result(Outcome(error=f"the browser failed:\n{why}"))

    def _one(self, browser, case: Hashable) -> Outcome:
        out = Outcome()
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        context.on("page", lambda p: p.on("pageerror", lambda exc: out.js_errors.append(f"{p.url}: {exc}")))
        try:
            out.value = self.run_case(context, case)
        except Exception:  # noqa: BLE001 - reported by the case's own test
            out.error = traceback.format_exc()
        finally:
            context.close()
        return out
