"""Several clients at the same instant, each in its own thread with its own connection."""

import threading

from django.db import connection


def run_together(count: int, work) -> list:
    """Run `work(index)` in `count` threads released at once; return what each returned or
    raised. Each thread opens its own connection before the start and closes it at the end."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def buyer(index):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            outcomes[index] = work(index)
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=buyer, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer never finished"
    return outcomes
