"""The stream of business actions every fault test drives through the running services.

Round after round, cars arrive and pass inspection (setup, not counted), consultants
file leads, place orders for leads filed earlier, and deliver the orders inventory
has reserved a car for (contract, approval, balance payment, handover). The
actions counted are the ones the business counts: leads filed, orders placed,
deliveries made (and test drives where a test asks for them). The stream runs in
a background thread so a test can inject its fault at a given point of it.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from faultkit.actions import Desk, Ledger
from faultkit.http import Answers


@dataclass(frozen=True)
class Plan:
    """How many of each action; ``cars`` stock cars arrive, so that many orders can be delivered."""

    leads: int = 1650
    orders: int = 260
    cars: int = 100
    test_drives: int = 0
    rounds: int = 20
    threads: int = 8

    @property
    def actions(self) -> int:
        return self.leads + self.orders + self.cars + self.test_drives


class Stream:
    """Drives a ``Plan`` against running leads, inventory and orders services."""

    def __init__(self, urls: dict[str, str], plan: Plan, answers: Answers | None = None) -> None:
        self.plan, self.answers = plan, answers or Answers()
        self.abort = threading.Event()
        self.desk = Desk(urls, self.answers, self.abort)
        self.ledger = self.desk.ledger
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.started = self.finished = 0.0

    # -- running in the background ------------------------------------------------------
    def start(self) -> Stream:
        """Start driving the plan in a background thread."""
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run_safely, name="fault-stream", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float = 600.0) -> Ledger:
        """Wait for the whole plan (re-raising what went wrong); returns the ledger."""
        assert self._thread is not None
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"the stream did not finish within {timeout}s ({self.progress():.0%} done)")
        if self._error is not None:
            raise AssertionError(f"the stream failed: {self._error!r}") from self._error
        return self.ledger

    def stop(self) -> None:
        """Give up: no more retries, no more rounds (a failed test's clean-up)."""
        self.abort.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def progress(self) -> float:
        """Share of the planned actions done so far."""
        with self.desk.lock:
            return self.ledger.actions / self.plan.actions

    def wait_progress(self, share: float, timeout: float = 300.0) -> None:
        """Block until ``share`` of the plan is done (or the stream stopped)."""
        deadline = time.monotonic() + timeout
        while self.progress() < share:
            if self._error is not None or (self._thread is not None and not self._thread.is_alive()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the stream stalled at {self.progress():.0%}")
            time.sleep(0.05)

    def _run_safely(self) -> None:
        try:
            self.run()
        except BaseException as exc:  # noqa: BLE001 - handed to join()
            self._error = exc
        finally:
            self.finished = time.monotonic()
            self.desk.close()

    # -- the plan -------------------------------------------------------------------------
    def run(self) -> Ledger:
        """Drive every round, then deliver the orders still waiting for their handover."""
        plan, desk = self.plan, self.desk
        with ThreadPoolExecutor(plan.threads, thread_name_prefix="fault-client") as pool:
            self._each(pool, [desk.receive_fleet_car for _ in range(2 if plan.test_drives else 0)])
            for number in range(plan.rounds):
                tasks: list[Callable[[], None]] = []
                tasks += [desk.receive_car for _ in range(_share(plan.cars, plan.rounds, number))]
                tasks += [desk.file_lead for _ in range(_share(plan.leads, plan.rounds, number))]
                if number:  # orders and test drives are for leads filed in earlier rounds
                    tasks += [desk.test_drive for _ in range(_share(plan.test_drives, plan.rounds - 1, number - 1))]
                    tasks += [desk.place_order for _ in range(_share(plan.orders, plan.rounds - 1, number - 1))]
                tasks += [lambda o=order: desk.deliver(o) for order in desk.reserved_orders()]
                self._each(pool, tasks)
            deadline = time.monotonic() + 300
            while len(self.ledger.delivered) < plan.cars:
                waiting = desk.reserved_orders()
                if not waiting:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"only {len(self.ledger.delivered)} of {plan.cars} orders got a car")
                    time.sleep(0.3)
                self._each(pool, [lambda o=order: desk.deliver(o) for order in waiting])
        return self.ledger

    def _each(self, pool: ThreadPoolExecutor, tasks: list[Callable[[], None]]) -> None:
        if self.abort.is_set():
            raise AssertionError("the stream was stopped")
        futures: list[Future[None]] = [pool.submit(task) for task in tasks]
        wait(futures)
        for future in futures:
            future.result()


def _share(total: int, rounds: int, number: int) -> int:
    """Round ``number``'s part of ``total`` spread evenly over ``rounds``."""
    return total * (number + 1) // rounds - total * number // rounds
