"""`python -m hf_tui`."""

import sys

from hf_tui.cli import main

sys.exit(main())
