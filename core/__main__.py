"""Entry point of `python -m core`."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from core.cli import main  # noqa: E402  (the environment must be set before TensorFlow loads)
from core.runs.processes import end_process  # noqa: E402

end_process(main())
