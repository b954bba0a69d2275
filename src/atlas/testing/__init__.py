"""`./atlas test`: the runner (lint, then pytest) and the pytest plugin it loads."""
