"""The load scenario's task mix, shared by the users (``load_users.py``) and the run (``load.py``): the weight of
each task, the wait between a user's tasks, and how much work the seed prepares for the two tasks that use some up
(a contract to sign, a wage link to answer), so that neither runs out before the run ends.

How much: a user starts a task at once and then one every wait, 5.5 s on average, counting the task's own time as
nothing. So the estimate is above what happens: 50 users for 5 minutes give 2,777 tasks (9.3 a second, about 20
requests a second at 2.2 requests a task), where an earlier 5-minute run saw 15.8 requests a second (about 7.2
tasks a second, 111 tasks of weight 1). The seed prepares 2.5 times that estimate (132 signing tasks expected,
331 contracts prepared: 3 times the 111, and 2.5 times the 135 wage confirmations of a later run at 19 requests
a second), and at least five standard deviations above it, which decides for short runs where chance
does (10 users for 30 s: 3.1 expected, 12 prepared). A task that still finds nothing left is counted as work
missing (``load.py`` prints it and fails the run), never done as something else.
"""

from __future__ import annotations

import math

#: The seconds a user waits between tasks: locust's ``between(low, high)``.
WAIT_SECONDS = (3.0, 8.0)
#: Task -> its weight in the users' random choice (``@task(weight)`` in ``load_users.py``).
WEIGHTS = {
    "enrolment": 2,
    "contract signing": 1,
    "wage confirmation": 1,
    "payroll import": 1,
    "verification upload": 2,
    "verification landing page": 4,
    "inspector": 4,
    "API": 6,
}
#: The tasks that use up prepared work.
PREPARED = ("contract signing", "wage confirmation")
#: Prepared work per expected task, and the least number of standard deviations above the expectation.
MARGIN = 2.5
DEVIATIONS = 5.0


def expected_tasks(kind: str, users: int, seconds: float) -> float:
    """How many ``kind`` tasks the users start at most on average: one at once, then one every mean wait."""
    per_user = 1 + seconds / (sum(WAIT_SECONDS) / 2)
    return users * per_user * WEIGHTS[kind] / sum(WEIGHTS.values())


def prepared(kind: str, users: int, seconds: float) -> int:
    """The work to prepare for ``kind``: 2.5 times the expected tasks, and at least five deviations above them."""
    expected = expected_tasks(kind, users, seconds)
    return math.ceil(max(MARGIN * expected, expected + DEVIATIONS * math.sqrt(expected)))
