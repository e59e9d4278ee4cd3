"""python -m csto_atlas: see csto_atlas.cli."""

import sys

from csto_atlas.cli import main

sys.exit(main())
