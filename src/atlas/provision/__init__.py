"""Set-up steps behind `./atlas setup`, `up`, `down` and `status` (see setup.py for the order)."""
