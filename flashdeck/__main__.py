import sys

from flashdeck.cli import main

sys.exit(main())
