"""Run the cnncalc CLI under a memory limit and record its own peak memory.

    python tests/limited.py ARGS...   (as `cnncalc ARGS...`)

RLIMIT_AS caps the address space, so a blow-up ends in MemoryError instead of swapping; at
exit the process writes its peak resident set (ru_maxrss, KiB) to the file named by
CNNCALC_RSS_FILE, which the hostile-input tests compare with their 200 MB bound."""

import atexit
import os
import resource
import sys

LIMIT = 1 << 30  # 1 GiB of address space: far above what any run needs, far below a blow-up
resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


@atexit.register
def _report_peak():
    path = os.environ.get("CNNCALC_RSS_FILE")
    if path:
        with open(path, "w") as f:
            f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cnncalc.cli import main  # noqa: E402

sys.argv[0] = "cnncalc"
main()
