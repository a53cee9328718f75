import sys

from finder.cli import main

sys.exit(main())
