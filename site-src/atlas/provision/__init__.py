"""Set-up steps behind `./atlas setup`, `up`, `down`, `status` and `test` (see setup.py for the order)."""
