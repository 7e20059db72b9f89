"""Run a command and print its peak resident memory as JSON on the last line of stdout.

python bench/_measure.py COMMAND ARGS…
"""

import json
import resource
import subprocess
import sys

completed = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True, check=False)
if completed.returncode != 0:
    sys.exit(completed.returncode)
print(completed.stdout, end="")
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"peak_rss_mib": round(peak_kib / 1024, 1)}))
